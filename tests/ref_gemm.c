/*
 * ref_gemm.c — naive Gemm and MatMul (see ref_gemm.h).
 */
#include "ref_gemm.h"

#include "reference.h"

void ref_gemm(const gemm_params *p, const float *a, const float *b, const float *c, float *y)
{
    const int64_t M = p->m, N = p->n, K = p->k;
    /* C's dims right-aligned against [M, N]; a dim of 1 broadcasts */
    int64_t crows = 1, ccols = 1;
    if (p->has_c && p->c_shape.rank == 2)
        crows = p->c_shape.dims[0];
    if (p->has_c && p->c_shape.rank >= 1)
        ccols = p->c_shape.dims[p->c_shape.rank - 1];
    for (int64_t m = 0; m < M; m++)
        for (int64_t n = 0; n < N; n++) {
            double s = 0.0;
            for (int64_t k = 0; k < K; k++) {
                double av = p->trans_a ? a[k * M + m] : a[m * K + k];
                double bv = p->trans_b ? b[n * K + k] : b[k * N + n];
                s += av * bv;
            }
            s *= p->alpha;
            if (p->has_c) {
                int64_t cm = crows == 1 ? 0 : m, cn = ccols == 1 ? 0 : n;
                s += (double)p->beta * c[cm * ccols + cn];
            }
            y[m * N + n] = ref_activation(p->act, (float)s);
        }
}

/* Promotes a 1-D operand and broadcasts batch dims: fills the batch shape
 * (rank `rank`), M, K, N. */
typedef struct ref_mm {
    int32_t rank;            /* batch rank of the output */
    int64_t batch[CLINFER_MAX_RANK];
    int64_t adims[CLINFER_MAX_RANK], bdims[CLINFER_MAX_RANK]; /* aligned, 1 if absent */
    int64_t m, k, n;
} ref_mm;

static ref_mm ref_mm_make(const clinfer_shape *as, const clinfer_shape *bs)
{
    ref_mm r = {0};
    r.m = as->rank == 1 ? 1 : as->dims[as->rank - 2];
    r.k = as->dims[as->rank - 1];
    r.n = bs->rank == 1 ? 1 : bs->dims[bs->rank - 1];
    int32_t ra = as->rank > 2 ? as->rank - 2 : 0, rb = bs->rank > 2 ? bs->rank - 2 : 0;
    r.rank = ra > rb ? ra : rb;
    for (int32_t i = 0; i < r.rank; i++) {
        int32_t ia = i - (r.rank - ra), ib = i - (r.rank - rb);
        r.adims[i] = ia >= 0 ? as->dims[ia] : 1;
        r.bdims[i] = ib >= 0 ? bs->dims[ib] : 1;
        r.batch[i] = r.adims[i] > r.bdims[i] ? r.adims[i] : r.bdims[i];
    }
    return r;
}

size_t ref_matmul_numel(const clinfer_shape *as, const clinfer_shape *bs)
{
    ref_mm r = ref_mm_make(as, bs);
    size_t n = (size_t)(r.m * r.n);
    for (int32_t i = 0; i < r.rank; i++)
        n *= (size_t)r.batch[i];
    return n;
}

void ref_matmul(const clinfer_shape *as, const clinfer_shape *bs, const float *a, const float *b,
                clinfer_shape *ys, float *y)
{
    ref_mm r = ref_mm_make(as, bs);
    ys->rank = 0;
    for (int32_t i = 0; i < r.rank; i++)
        ys->dims[ys->rank++] = r.batch[i];
    if (as->rank > 1)
        ys->dims[ys->rank++] = r.m;
    if (bs->rank > 1)
        ys->dims[ys->rank++] = r.n;

    int64_t nbatch = 1;
    for (int32_t i = 0; i < r.rank; i++)
        nbatch *= r.batch[i];
    for (int64_t t = 0; t < nbatch; t++) {
        /* multi-index of batch t, then the matching batch of A and of B */
        int64_t idx[CLINFER_MAX_RANK], rem = t;
        for (int32_t i = r.rank - 1; i >= 0; i--) {
            idx[i] = rem % r.batch[i];
            rem /= r.batch[i];
        }
        int64_t ab = 0, bb = 0;
        for (int32_t i = 0; i < r.rank; i++) {
            ab = ab * r.adims[i] + (r.adims[i] == 1 ? 0 : idx[i]);
            bb = bb * r.bdims[i] + (r.bdims[i] == 1 ? 0 : idx[i]);
        }
        const float *am = a + ab * r.m * r.k, *bm = b + bb * r.k * r.n;
        float *ym = y + t * r.m * r.n;
        for (int64_t m = 0; m < r.m; m++)
            for (int64_t n = 0; n < r.n; n++) {
                double s = 0.0;
                for (int64_t k = 0; k < r.k; k++)
                    s += (double)am[m * r.k + k] * bm[k * r.n + n];
                ym[m * r.n + n] = (float)s;
            }
    }
}
