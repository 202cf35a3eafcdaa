/*
 * ref_depth_space.c — DepthToSpace / SpaceToDepth reference: one loop over
 * every output element, its source element from the operator's formula
 * (DCR: channel (i * b + j) * C' + c; CRD: c * b * b + i * b + j).
 */
#include "ref_depth_space.h"

void ref_depth_to_space(const clinfer_shape *in, int b, int crd, const float *x, float *out)
{
    const int64_t n = in->dims[0], c = in->dims[1] / (b * b), h = in->dims[2], w = in->dims[3];
    for (int64_t i0 = 0; i0 < n; i0++)
        for (int64_t k = 0; k < c; k++)
            for (int64_t y = 0; y < h * b; y++)
                for (int64_t xx = 0; xx < w * b; xx++) {
                    int64_t by = y % b, bx = xx % b;
                    int64_t src_c = crd ? k * b * b + by * b + bx : (by * b + bx) * c + k;
                    out[((i0 * c + k) * h * b + y) * w * b + xx] =
                        x[((i0 * in->dims[1] + src_c) * h + y / b) * w + xx / b];
                }
}

void ref_space_to_depth(const clinfer_shape *in, int b, const float *x, float *out)
{
    const int64_t n = in->dims[0], c = in->dims[1], h = in->dims[2] / b, w = in->dims[3] / b;
    for (int64_t i0 = 0; i0 < n; i0++)
        for (int64_t k = 0; k < c * b * b; k++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t xx = 0; xx < w; xx++) {
                    int64_t src_c = k % c, by = k / c / b, bx = k / c % b;
                    out[((i0 * c * b * b + k) * h + y) * w + xx] =
                        x[((i0 * c + src_c) * in->dims[2] + y * b + by) * in->dims[3] + xx * b +
                          bx];
                }
}
