/*
 * depth_space.c — DepthToSpace / SpaceToDepth: validation, output shape and
 * the launch of kernels/depth_space.cl (a row per work-item, work-groups of
 * 8 rows; SpaceToDepth's item reads one input row and writes b output
 * rows). Arguments 0-1 are buffers, the rest scalars.
 */
#include "depth_space.h"

#include <string.h>

#include "../shape.h"

#define DEPTH_SPACE_LOCAL 8

static const char *op_name(const depth_space_params *p)
{
    return p->mode == SPACE_TO_DEPTH ? "space_to_depth" : "depth_to_space";
}

clinfer_status depth_space_output_shape(clinfer_runtime *rt, const depth_space_params *p,
                                        clinfer_shape *out)
{
    char buf[160];
    const clinfer_shape *x = &p->input;
    const int64_t b = p->blocksize;
    if (x->rank != 4 || shape_numel(x) < 1 || shape_numel(x) > INT32_MAX)
        return err_set(rt, x->rank != 4 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                       "%s: input shape %s, expected [N, C, H, W] of 1 to 2^31-1 elements",
                       op_name(p), shape_str(x, buf, sizeof buf));
    if (b < 1 || b > 65536 || (unsigned)p->mode > SPACE_TO_DEPTH)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: blocksize %d or mode %d",
                       op_name(p), (int)b, (int)p->mode);
    clinfer_shape r = *x;
    if (p->mode == SPACE_TO_DEPTH) {
        if (x->dims[2] % b != 0 || x->dims[3] % b != 0)
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "space_to_depth: blocksize %d does not divide H = %lld and W = %lld",
                           (int)b, (long long)x->dims[2], (long long)x->dims[3]);
        r.dims[1] *= b * b, r.dims[2] /= b, r.dims[3] /= b;
    } else {
        if (x->dims[1] % (b * b) != 0)
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "depth_to_space: blocksize %d does not fit C = %lld", (int)b,
                           (long long)x->dims[1]);
        r.dims[1] /= b * b, r.dims[2] *= b, r.dims[3] *= b;
    }
    *out = r;
    return CLINFER_OK;
}

clinfer_status depth_space_prepare(clinfer_runtime *rt, const depth_space_params *p,
                                   op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = depth_space_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    const int32_t planes = (int32_t)(os.dims[0] * os.dims[1]);
    const int32_t oc = (int32_t)os.dims[1], oh = (int32_t)os.dims[2], ow = (int32_t)os.dims[3];
    karg a;
    if (p->mode == SPACE_TO_DEPTH) {
        launch_begin(rt, out, "depth_space", NULL, "space_to_depth", KARG_AFTER_TENSORS(2), &a);
        karg_int(&a, (int32_t)p->input.dims[1]);
    } else {
        launch_begin(rt, out, "depth_space", NULL, "depth_to_space", KARG_AFTER_TENSORS(2), &a);
        karg_int(&a, oc);
        karg_int(&a, p->mode == DEPTH_TO_SPACE_CRD);
    }
    /* SpaceToDepth: an item per input row, whose b pieces go to b planes */
    const int32_t items = p->mode == SPACE_TO_DEPTH ? planes / p->blocksize : planes;
    karg_int(&a, oh);
    karg_int(&a, ow);
    karg_int(&a, p->blocksize);
    karg_int(&a, items);
    st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid3(out, (size_t)oh, (size_t)items, 1, DEPTH_SPACE_LOCAL);
    return st;
}
