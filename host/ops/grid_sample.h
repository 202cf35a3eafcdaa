/*
 * grid_sample.h — ONNX GridSample (opset 16) of x [N, C, H, W] at the
 * points of grid [N, OH, OW, 2] into [N, C, OH, OW]: bilinear, nearest or
 * bicubic, zeros, border or reflection padding, align_corners either way,
 * as PyTorch's grid_sample and ONNX Runtime compute them. One launch of
 * kernels/grid_sample.cl: a work-item per output point computes its taps
 * and weights once for every channel.
 */
#ifndef CLINFER_OPS_GRID_SAMPLE_H
#define CLINFER_OPS_GRID_SAMPLE_H

#include "launch.h"

typedef struct grid_sample_params {
    clinfer_shape input, grid;
    clinfer_grid_sample_mode mode;
    clinfer_grid_padding padding;
    int align_corners;
} grid_sample_params;

/* Checks the shapes (x 4-D, grid [N, OH, OW, 2] of x's batch) and the
 * modes, and writes the output shape [N, C, OH, OW]. rt may be NULL (the
 * graph builder). */
clinfer_status grid_sample_output_shape(clinfer_runtime *rt, const grid_sample_params *p,
                                        clinfer_shape *out);

clinfer_status grid_sample_prepare(clinfer_runtime *rt, const grid_sample_params *p,
                                   op_launch *out);

/* Buffers: x, grid, then the output. */
clinfer_status grid_sample_bind(clinfer_runtime *rt, op_launch *l, dev_tensor x, dev_tensor grid,
                                dev_tensor out);

#endif
