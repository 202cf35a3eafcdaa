/*
 * depth_space.h — DepthToSpace (ONNX, DCR and CRD orders) and SpaceToDepth
 * of an NCHW tensor with block size b: one launch of
 * kernels/depth_space.cl, one work-item per output row.
 */
#ifndef CLINFER_OPS_DEPTH_SPACE_H
#define CLINFER_OPS_DEPTH_SPACE_H

#include "launch.h"

typedef enum depth_space_mode {
    DEPTH_TO_SPACE_DCR = 0, /* depth split as (b, b, C / b^2) */
    DEPTH_TO_SPACE_CRD = 1, /* depth split as (C / b^2, b, b) */
    SPACE_TO_DEPTH = 2      /* output depth (b, b, C), the inverse of DCR */
} depth_space_mode;

typedef struct depth_space_params {
    clinfer_shape input; /* [N, C, H, W] */
    int32_t blocksize;
    depth_space_mode mode;
} depth_space_params;

/* Checks the block size against the dims it must divide and writes the
 * output shape: [N, C / b^2, H * b, W * b] or [N, C * b^2, H / b, W / b]. */
clinfer_status depth_space_output_shape(clinfer_runtime *rt, const depth_space_params *p,
                                        clinfer_shape *out);

clinfer_status depth_space_prepare(clinfer_runtime *rt, const depth_space_params *p,
                                   op_launch *out);

/* Buffers: launch_bind_io(input, output). */

#endif
