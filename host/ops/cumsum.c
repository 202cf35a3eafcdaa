/*
 * cumsum.c — CumSum: validation, output shape and the launch of
 * kernels/cumsum.cl. The input is seen as [outer, len, inner] around the
 * axis; exclusive and reverse are kernel arguments (one program for every
 * form). Arguments 0-3 are the buffers, the rest scalars.
 */
#include "cumsum.h"

#include <string.h>

#include "../shape.h"

clinfer_status cumsum_output_shape(clinfer_runtime *rt, const cumsum_params *p,
                                   clinfer_shape *out)
{
    char buf[160];
    const clinfer_shape *x = &p->input;
    int32_t ax = 0;
    const int64_t n = shape_numel(x);
    if (x->rank < 1 || x->rank > CLINFER_MAX_RANK || n < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "CumSum: input %s must be a non-empty tensor of rank 1 to %d",
                       shape_str(x, buf, sizeof buf), CLINFER_MAX_RANK);
    if (n > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "CumSum: input %s has more than 2^31-1 elements",
                       shape_str(x, buf, sizeof buf));
    if (!shape_axis(p->axis, x->rank, &ax))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "CumSum: axis %lld is out of range for input %s (expected %d to %d)",
                       (long long)p->axis, shape_str(x, buf, sizeof buf), -(int)x->rank,
                       (int)x->rank - 1);
    *out = *x;
    return CLINFER_OK;
}

clinfer_status cumsum_prepare(clinfer_runtime *rt, const cumsum_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = cumsum_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    int32_t ax = 0;
    shape_axis(p->axis, os.rank, &ax);
    int64_t inner = 1;
    for (int32_t d = ax + 1; d < os.rank; d++)
        inner *= os.dims[d];
    const int64_t len = os.dims[ax], lines = shape_numel(&os) / len;
    karg a;
    launch_begin(rt, out, "cumsum", NULL, "cumsum", KARG_AFTER_TENSORS(2), &a);
    const int32_t v[] = {(int32_t)inner, (int32_t)len, (int32_t)lines, p->exclusive != 0,
                         p->reverse != 0};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid1(out, (size_t)lines);
    return st;
}
