/*
 * ref_grid_sample.h — a naive reference for GridSample (ONNX opset 16),
 * written from ONNX's reference implementation, in double precision.
 */
#ifndef CLINFER_REF_GRID_SAMPLE_H
#define CLINFER_REF_GRID_SAMPLE_H

#include "clinfer.h"

/* x [N, C, H, W], grid [N, OH, OW, 2] -> out [N, C, OH, OW]. */
void ref_grid_sample(const clinfer_shape *xs, const clinfer_shape *gs, clinfer_grid_sample_mode mode,
                     clinfer_grid_padding padding, int align_corners, const float *x,
                     const float *grid, float *out);

#endif
