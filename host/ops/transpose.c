/*
 * transpose.c — Transpose: validation, output shape, the dim simplification
 * and the launch of kernels/transpose.cl. Arguments 0-1 are buffers, the
 * rest scalars.
 */
#include "transpose.h"

#include <stdint.h>
#include <string.h>

#include "../shape.h"

/* Block edge of transpose_2d, passed as -DTILE. */
#define TRANSPOSE_TILE 8

/* The permutation of p (reversed dims by default), validated. */
static clinfer_status perm_check(clinfer_runtime *rt, const transpose_params *p, int32_t *perm)
{
    char buf[160];
    int32_t rank = p->input.rank;
    if (rank < 0 || rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "transpose: input rank %d, expected 0 to %d",
                       (int)rank, CLINFER_MAX_RANK);
    int64_t numel = shape_numel(&p->input);
    if (numel < 0 || numel > INT32_MAX)
        return err_set(rt, numel < 0 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                       "transpose: input shape %s is %s", shape_str(&p->input, buf, sizeof buf),
                       numel < 0 ? "invalid" : "larger than 2^31-1 elements");
    if (p->nperm != 0 && p->nperm != rank)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "transpose: perm has %d entries, expected %d (the input rank)",
                       (int)p->nperm, (int)rank);
    int seen[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < rank; d++) {
        int32_t v = p->nperm ? p->perm[d] : rank - 1 - d;
        if (v < 0 || v >= rank)
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "transpose: perm[%d] = %d is out of range, expected 0 to %d", (int)d,
                           (int)v, (int)rank - 1);
        if (seen[v])
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "transpose: perm[%d] = %d repeats an earlier entry; perm must be a "
                           "permutation of 0 to %d",
                           (int)d, (int)v, (int)rank - 1);
        seen[v] = 1;
        perm[d] = v;
    }
    return CLINFER_OK;
}

clinfer_status transpose_output_shape(clinfer_runtime *rt, const transpose_params *p,
                                      clinfer_shape *out)
{
    int32_t perm[CLINFER_MAX_RANK];
    clinfer_status st = perm_check(rt, p, perm);
    if (st != CLINFER_OK)
        return st;
    clinfer_shape s = p->input;
    for (int32_t d = 0; d < s.rank; d++)
        s.dims[d] = p->input.dims[perm[d]];
    *out = s;
    return CLINFER_OK;
}

/* Drops size-1 dims and merges input dims that stay adjacent and in order
 * in the output. Writes the simplified input dims and perm; returns the
 * rank (0 for a single element). */
static int32_t simplify(const clinfer_shape *in, const int32_t *perm, int64_t *dims,
                        int32_t *sperm)
{
    /* 1. Without the size-1 dims: new index of each kept input dim. */
    int32_t newidx[CLINFER_MAX_RANK], r = 0;
    int64_t d1[CLINFER_MAX_RANK];
    for (int32_t d = 0; d < in->rank; d++) {
        newidx[d] = in->dims[d] == 1 ? -1 : r;
        if (in->dims[d] != 1)
            d1[r++] = in->dims[d];
    }
    int32_t p1[CLINFER_MAX_RANK], k1 = 0;
    for (int32_t d = 0; d < in->rank; d++)
        if (newidx[perm[d]] >= 0)
            p1[k1++] = newidx[perm[d]];
    /* 2. Runs of output dims whose input dims are consecutive merge into
     * their first input dim; `head[i]` marks input dims that start a run. */
    int head[CLINFER_MAX_RANK];
    for (int32_t i = 0; i < r; i++)
        head[i] = 1;
    for (int32_t k = 1; k < r; k++)
        if (p1[k] == p1[k - 1] + 1)
            head[p1[k]] = 0;
    int32_t merged[CLINFER_MAX_RANK], m = 0; /* input dim -> merged index */
    for (int32_t i = 0; i < r; i++) {
        if (head[i])
            dims[m++] = 1;
        merged[i] = m - 1;
        dims[m - 1] *= d1[i];
    }
    int32_t k2 = 0;
    for (int32_t k = 0; k < r; k++)
        if (head[p1[k]])
            sperm[k2++] = merged[p1[k]];
    return m;
}

clinfer_status transpose_prepare(clinfer_runtime *rt, const transpose_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    int32_t perm[CLINFER_MAX_RANK];
    clinfer_status st = perm_check(rt, p, perm);
    if (st != CLINFER_OK)
        return st;
    int64_t n = shape_numel(&p->input);
    int64_t dims[CLINFER_MAX_RANK];
    int32_t sp[CLINFER_MAX_RANK];
    int32_t rank = n > 0 ? simplify(&p->input, perm, dims, sp) : 0;
    opts o = opts_none();
    opts_add(&o, "-DTILE=%d", TRANSPOSE_TILE);

    int batched = rank == 3 && sp[0] == 0 && sp[1] == 2 && sp[2] == 1;
    if ((rank == 2 && sp[0] == 1 && sp[1] == 0) || batched) {
        /* [B,] R, C -> [B,] C, R; each work-item moves a tile. */
        int64_t b = batched ? dims[0] : 1, rows = dims[rank - 2], cols = dims[rank - 1];
        karg a;
        launch_begin(rt, out, "transpose", &o, "transpose_2d", KARG_AFTER_TENSORS(2), &a);
        karg_int(&a, (int32_t)rows);
        karg_int(&a, (int32_t)cols);
        st = launch_finish(rt, out, &a);
        if (st != CLINFER_OK)
            return st;
        const int64_t t = TRANSPOSE_TILE;
        launch_grid3(out, (size_t)((cols + t - 1) / t), (size_t)((rows + t - 1) / t), (size_t)b,
                     1);
        return CLINFER_OK;
    }

    /* General case: output dim d has size dims[sp[d]] and input stride
     * stride[sp[d]]. The kernel takes them innermost first, at least two. */
    int64_t stride[CLINFER_MAX_RANK] = {0}, acc = 1; /* zeroed for -Wmaybe-uninitialized */
    for (int32_t d = rank - 1; d >= 0; d--) {
        stride[d] = acc;
        acc *= dims[d];
    }
    int32_t od[CLINFER_MAX_RANK], ss[CLINFER_MAX_RANK];
    for (int32_t d = 0; d < CLINFER_MAX_RANK; d++) {
        od[d] = d < rank ? (int32_t)dims[sp[rank - 1 - d]] : 1;
        ss[d] = d < rank ? (int32_t)stride[sp[rank - 1 - d]] : 0;
    }
    int32_t krank = rank < 2 ? 2 : rank;
    karg a;
    launch_begin(rt, out, "transpose", &o, "transpose_nd", KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, krank);
    karg_ints(&a, od, CLINFER_MAX_RANK);
    karg_ints(&a, ss, CLINFER_MAX_RANK);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    /* x: the innermost output dim, y: the next, z: all others. */
    if (n > 0)
        launch_grid3(out, (size_t)od[0], (size_t)od[1], (size_t)n / ((size_t)od[0] * od[1]),
                     od[0] >= 64 ? 64 : 8);
    else
        launch_grid1(out, 0);
    return CLINFER_OK;
}

