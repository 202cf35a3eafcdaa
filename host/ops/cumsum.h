/*
 * cumsum.h — ONNX CumSum (opsets 11 and 14) of a tensor of any rank along
 * one axis: each element the sum of those before it along the axis, itself
 * included unless exclusive, counted from the far end when reversed. One
 * launch of kernels/cumsum.cl: a work-item per line along the axis.
 */
#ifndef CLINFER_OPS_CUMSUM_H
#define CLINFER_OPS_CUMSUM_H

#include "launch.h"

typedef struct cumsum_params {
    clinfer_shape input; /* rank 1 to CLINFER_MAX_RANK */
    int64_t axis;        /* -rank to rank - 1 (ONNX: negative counts from the end) */
    int exclusive;       /* 1: the element itself is left out (the first sum is 0) */
    int reverse;         /* 1: the sums run from the last element to the first */
} cumsum_params;

/* Checks the shape and the axis and writes the output shape (the input's).
 * rt may be NULL (the graph builder). */
clinfer_status cumsum_output_shape(clinfer_runtime *rt, const cumsum_params *p,
                                   clinfer_shape *out);

clinfer_status cumsum_prepare(clinfer_runtime *rt, const cumsum_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output). */

#endif
