/*
 * transpose.h — Transpose (ONNX): any permutation of up to CLINFER_MAX_RANK
 * dims, default reversed dims. One launch of kernels/transpose.cl.
 */
#ifndef CLINFER_OPS_TRANSPOSE_H
#define CLINFER_OPS_TRANSPOSE_H

#include "launch.h"

typedef struct transpose_params {
    clinfer_shape input;
    /* Output dim d is input dim perm[d]. nperm 0: the ONNX default, the
     * dims reversed; otherwise nperm must equal the rank. */
    int32_t nperm;
    int32_t perm[CLINFER_MAX_RANK];
} transpose_params;

/* Checks that perm is a permutation of 0..rank-1 (errors name the bad
 * entry) and computes the output shape. */
clinfer_status transpose_output_shape(clinfer_runtime *rt, const transpose_params *p,
                                      clinfer_shape *out);

/* Creates the launch. Size-1 dims are dropped and dims that stay adjacent
 * are merged first; when what is left swaps the last two dims of a
 * (batched) matrix, the tiled kernel transpose_2d runs, else transpose_nd.
 * An output with no elements gives global[0] == 0: nothing to enqueue. */
clinfer_status transpose_prepare(clinfer_runtime *rt, const transpose_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output). */

#endif
