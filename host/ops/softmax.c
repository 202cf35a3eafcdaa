/*
 * softmax.c — Softmax / LogSoftmax: validation, the [outer, len, inner]
 * view, and the launch of kernels/softmax.cl. Arguments 0-1 are the buffers,
 * the sizes after them are set once in softmax_prepare.
 */
#include "softmax.h"

#include <stdio.h>
#include <string.h>

#include "eltwise.h"

/* Vector width of the kernels (their VW); passed as -DVW. */
#define SOFTMAX_VW 16

softmax_params softmax_params_default(void)
{
    softmax_params p;
    memset(&p, 0, sizeof p);
    p.axis = -1;
    return p;
}

static const char *op_name(const softmax_params *p)
{
    return p->log ? "LogSoftmax" : "Softmax";
}

clinfer_status softmax_geometry(clinfer_runtime *rt, const softmax_params *p, int64_t *outer,
                                int64_t *len, int64_t *inner)
{
    const char *op = op_name(p);
    int64_t n;
    clinfer_status st = eltwise_check_shape(rt, op, "input", &p->shape, &n);
    if (st != CLINFER_OK)
        return st;
    const int32_t r = p->shape.rank;
    int32_t axis;
    if (r < 1)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input has rank 0, expected rank >= 1", op);
    if (!shape_axis(p->axis, r, &axis)) {
        char buf[256];
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: axis %lld is out of range [%d, %d] for input %s of rank %d", op,
                       (long long)p->axis, (int)-r, (int)(r - 1),
                       shape_str(&p->shape, buf, sizeof buf), (int)r);
    }
    /* products of a shape's dims cannot overflow: shape_numel checked them */
    int64_t o = 1, l = 1, i = 1;
    for (int32_t d = 0; d < axis; d++)
        o *= p->shape.dims[d];
    if (p->legacy) {
        for (int32_t d = axis; d < r; d++)
            l *= p->shape.dims[d];
    } else {
        l = p->shape.dims[axis];
        for (int32_t d = axis + 1; d < r; d++)
            i *= p->shape.dims[d];
    }
    *outer = o, *len = l, *inner = i;
    return CLINFER_OK;
}

clinfer_status softmax_output_shape(clinfer_runtime *rt, const softmax_params *p,
                                    clinfer_shape *out)
{
    int64_t o, l, i;
    clinfer_status st = softmax_geometry(rt, p, &o, &l, &i);
    if (st == CLINFER_OK)
        *out = p->shape;
    return st;
}

clinfer_status softmax_prepare(clinfer_runtime *rt, const softmax_params *p, op_launch *out)
{
    int64_t outer, len, inner;
    clinfer_status st = softmax_geometry(rt, p, &outer, &len, &inner);
    if (st != CLINFER_OK)
        return st;
    opts o = opts_none();
    opts_add(&o, "-DVW=%d -DLOG_SOFTMAX=%d", SOFTMAX_VW, p->log ? 1 : 0);
    const int rows = inner == 1;
    karg a;
    launch_begin(rt, out, "softmax", &o, rows ? "softmax_rows" : "softmax_strided",
                 KARG_AFTER_TENSORS(2), &a);
    karg_long(&a, outer);
    karg_long(&a, len);
    if (!rows)
        karg_long(&a, inner);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    /* rows: one item per row; strided: one per VW positions of a row of
     * inner elements. A count of 0 still launches one item, which returns. */
    if (rows)
        eltwise_grid(out, outer, 1);
    else
        eltwise_grid(out, outer * ((inner + SOFTMAX_VW - 1) / SOFTMAX_VW), 1);
    return CLINFER_OK;
}

