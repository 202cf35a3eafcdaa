/*
 * concat.h — Concat (ONNX semantics): inputs of equal rank joined along one
 * axis. The op takes one launch per input; each copies its input into its
 * slice of the output, so the launches may run in any order.
 */
#ifndef CLINFER_OPS_CONCAT_H
#define CLINFER_OPS_CONCAT_H

#include "launch.h"

typedef struct concat_params {
    int32_t count;               /* number of inputs, >= 1 */
    const clinfer_shape *inputs; /* `count` shapes, borrowed (not copied) */
    int64_t axis;                /* in [-rank, rank); negative counts from the end */
} concat_params;

/* Checks the inputs (rank 1..CLINFER_MAX_RANK, all ranks equal, all dims
 * but the axis equal, element counts that fit 32-bit indices) and computes
 * the output shape. Errors name the input and the dim that differ. */
clinfer_status concat_output_shape(clinfer_runtime *rt, const concat_params *p,
                                   clinfer_shape *out);

/* Creates the launch that copies input `index` (0 <= index < count) into
 * its slice of the output. An input with no elements gives a launch whose
 * global[0] is 0: there is nothing to enqueue (the kernel is still created,
 * so launch_release applies as usual). */
clinfer_status concat_prepare(clinfer_runtime *rt, const concat_params *p, int32_t index,
                              op_launch *out);

/* Buffers: launch_bind_io(input `index` of the launch made by
 * concat_prepare(..., index, l), the whole output). */

#endif
