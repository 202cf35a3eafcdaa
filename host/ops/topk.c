/*
 * topk.c — TopK: validation, output shape and the launch of
 * kernels/topk.cl. The input is seen as [outer, len, inner] around the
 * axis, the output as [2, outer, K, inner]; largest is a kernel argument
 * (one program for both orders). Arguments 0-3 are the buffers, the rest
 * scalars.
 */
#include "topk.h"

#include <string.h>

#include "../runtime.h"
#include "../shape.h"

clinfer_status topk_output_shape(clinfer_runtime *rt, const topk_params *p, clinfer_shape *out)
{
    char buf[160];
    const clinfer_shape *x = &p->input;
    int32_t ax = 0;
    const int64_t n = shape_numel(x);
    if (x->rank < 1 || x->rank > CLINFER_MAX_RANK - 1 || n < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "TopK: input %s must be a non-empty tensor of rank 1 to %d",
                       shape_str(x, buf, sizeof buf), CLINFER_MAX_RANK - 1);
    if (!shape_axis(p->axis, x->rank, &ax))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "TopK: axis %lld is out of range for input %s (expected %d to %d)",
                       (long long)p->axis, shape_str(x, buf, sizeof buf), -(int)x->rank,
                       (int)x->rank - 1);
    const int64_t len = x->dims[ax];
    if (p->k < 1 || p->k > len)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "TopK: K %lld is outside [1, %lld], the size of axis %d of input %s",
                       (long long)p->k, (long long)len, (int)ax, shape_str(x, buf, sizeof buf));
    /* the indices are stored in the tensor's element type; an inexact one
     * would silently name the wrong element */
    if (len - 1 > TOPK_MAX_INDEX_FLOAT)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "TopK: axis %d of input %s has %lld elements; indices above 2^24 are not "
                       "exact in float32",
                       (int)ax, shape_str(x, buf, sizeof buf), (long long)len);
    if (rt && rt_is_half(rt) && len - 1 > TOPK_MAX_INDEX_HALF)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "TopK: axis %d of input %s has %lld elements; indices above 2048 are not "
                       "exact in half storage (fp16 precision)",
                       (int)ax, shape_str(x, buf, sizeof buf), (long long)len);
    if (2 * (n / len) * p->k > INT32_MAX || n > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "TopK: input %s or its output has more than 2^31-1 elements",
                       shape_str(x, buf, sizeof buf));
    clinfer_shape s = {x->rank + 1, {2}};
    for (int32_t d = 0; d < x->rank; d++)
        s.dims[d + 1] = d == ax ? p->k : x->dims[d];
    *out = s;
    return CLINFER_OK;
}

clinfer_status topk_prepare(clinfer_runtime *rt, const topk_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = topk_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    int32_t ax = 0;
    shape_axis(p->axis, p->input.rank, &ax);
    int64_t inner = 1;
    for (int32_t d = ax + 1; d < p->input.rank; d++)
        inner *= p->input.dims[d];
    const int64_t len = p->input.dims[ax], lines = shape_numel(&p->input) / len;
    karg a;
    launch_begin(rt, out, "topk", NULL, "topk", KARG_AFTER_TENSORS(2), &a);
    const int32_t v[] = {(int32_t)inner, (int32_t)len, (int32_t)p->k, (int32_t)lines,
                         p->largest != 0};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid1(out, (size_t)lines);
    return st;
}
