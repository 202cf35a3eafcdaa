/*
 * ref_where.c — naive Where: a walk over the output's multi-index, each
 * operand indexed through its own (right-aligned) dims.
 */
#include "ref_where.h"

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

clinfer_shape ref_where_shape(const clinfer_shape *c, const clinfer_shape *x,
                              const clinfer_shape *y)
{
    const clinfer_shape *in[3] = {c, x, y};
    clinfer_shape s = {0, {0}};
    for (int k = 0; k < 3; k++)
        s.rank = in[k]->rank > s.rank ? in[k]->rank : s.rank;
    for (int32_t d = 0; d < s.rank; d++) {
        s.dims[d] = 1;
        for (int k = 0; k < 3; k++) {
            int32_t j = d - (s.rank - in[k]->rank);
            if (j >= 0)
                s.dims[d] = in[k]->dims[j] == 1 ? s.dims[d] : max64(s.dims[d], in[k]->dims[j]);
        }
    }
    return s;
}

/* The flat element of `in` that output multi-index idx (of rank r) reads. */
static int64_t operand_index(const clinfer_shape *in, const int64_t *idx, int32_t r)
{
    int64_t flat = 0;
    for (int32_t j = 0; j < in->rank; j++) {
        int64_t i = in->dims[j] == 1 ? 0 : idx[j + r - in->rank];
        flat = flat * in->dims[j] + i;
    }
    return flat;
}

void ref_where(const clinfer_shape *cs, const float *c, const clinfer_shape *xs, const float *x,
               const clinfer_shape *ys, const float *y, float *out)
{
    clinfer_shape os = ref_where_shape(cs, xs, ys);
    int64_t n = 1, idx[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < os.rank; d++)
        n *= os.dims[d];
    for (int64_t e = 0; e < n; e++) {
        out[e] = c[operand_index(cs, idx, os.rank)] != 0 ? x[operand_index(xs, idx, os.rank)]
                                                          : y[operand_index(ys, idx, os.rank)];
        for (int32_t d = os.rank - 1; d >= 0; d--) {
            if (++idx[d] < os.dims[d])
                break;
            idx[d] = 0;
        }
    }
}

static int compare1(int op, float x, float y)
{
    switch (op) {
    case CLINFER_COMPARE_EQUAL: return x == y;
    case CLINFER_COMPARE_LESS: return x < y;
    case CLINFER_COMPARE_LESS_EQUAL: return x <= y;
    case CLINFER_COMPARE_GREATER: return x > y;
    case CLINFER_COMPARE_GREATER_EQUAL: return x >= y;
    case CLINFER_COMPARE_AND: return x != 0 && y != 0;
    case CLINFER_COMPARE_OR: return x != 0 || y != 0;
    default: return (x != 0) != (y != 0);
    }
}

void ref_compare(int op, const clinfer_shape *as, const float *a, const clinfer_shape *bs,
                 const float *b, float *out)
{
    const clinfer_shape none = {0, {0}};
    clinfer_shape os = ref_where_shape(&none, as, bs);
    int64_t n = 1, idx[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < os.rank; d++)
        n *= os.dims[d];
    for (int64_t e = 0; e < n; e++) {
        out[e] = (float)compare1(op, a[operand_index(as, idx, os.rank)],
                                 b[operand_index(bs, idx, os.rank)]);
        for (int32_t d = os.rank - 1; d >= 0; d--) {
            if (++idx[d] < os.dims[d])
                break;
            idx[d] = 0;
        }
    }
}
