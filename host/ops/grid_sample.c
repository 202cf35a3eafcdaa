/*
 * grid_sample.c — GridSample: validation, output shape and the launch of
 * kernels/grid_sample.cl (the mode, padding and align_corners as build
 * options: one small program per form). Arguments 0-5 are buffers, the
 * rest scalars.
 */
#include "grid_sample.h"

#include <string.h>

#include "../shape.h"
#include "gather.h" /* gather_bind: three buffers */

clinfer_status grid_sample_output_shape(clinfer_runtime *rt, const grid_sample_params *p,
                                        clinfer_shape *out)
{
    char b1[160], b2[160];
    const clinfer_shape *x = &p->input, *g = &p->grid;
    if ((int)p->mode < 0 || p->mode > CLINFER_GRID_SAMPLE_BICUBIC || (int)p->padding < 0 ||
        p->padding > CLINFER_GRID_PAD_REFLECTION)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "GridSample: mode %d or padding %d unknown", (int)p->mode, (int)p->padding);
    if (x->rank != 4 || g->rank != 4 || g->dims[3] != 2 || g->dims[0] != x->dims[0])
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "GridSample: x %s and grid %s must be [N, C, H, W] and [N, OH, OW, 2] "
                       "(2-D sampling)",
                       shape_str(x, b1, sizeof b1), shape_str(g, b2, sizeof b2));
    const int64_t nx = shape_numel(x), ng = shape_numel(g);
    if (nx < 1 || ng < 1)
        return err_set(rt, CLINFER_ERR_SHAPE, "GridSample: x %s or grid %s is empty",
                       shape_str(x, b1, sizeof b1), shape_str(g, b2, sizeof b2));
    const int64_t nout = ng / 2 * x->dims[1];
    if (nx > INT32_MAX || nout > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "GridSample: x %s or the output has more than 2^31-1 elements",
                       shape_str(x, b1, sizeof b1));
    *out = (clinfer_shape){4, {x->dims[0], x->dims[1], g->dims[1], g->dims[2]}};
    return CLINFER_OK;
}

clinfer_status grid_sample_prepare(clinfer_runtime *rt, const grid_sample_params *p,
                                   op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os = {0, {0}};
    clinfer_status st = grid_sample_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    opts o = opts_none();
    opts_add(&o, "-DGS_MODE=%d -DGS_PADDING=%d -DGS_ALIGN=%d", (int)p->mode, (int)p->padding,
             p->align_corners ? 1 : 0);
    karg a;
    launch_begin(rt, out, "grid_sample", &o, "grid_sample", KARG_AFTER_TENSORS(3), &a);
    const int32_t v[] = {(int32_t)p->input.dims[1], (int32_t)p->input.dims[2],
                         (int32_t)p->input.dims[3], (int32_t)os.dims[2], (int32_t)os.dims[3]};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)os.dims[3], (size_t)os.dims[2], (size_t)os.dims[0], 16);
    return CLINFER_OK;
}

clinfer_status grid_sample_bind(clinfer_runtime *rt, op_launch *l, dev_tensor x, dev_tensor grid,
                                dev_tensor out)
{
    return gather_bind(rt, l, x, grid, out);
}
