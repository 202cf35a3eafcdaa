/*
 * topk.h — ONNX TopK (opsets 1, 10, 11) along one axis: the K largest (or
 * smallest) elements of each line and their indices, in order. A node has
 * one output, so the kernel writes [2, ...input with the axis K...]: slab 0
 * the values, slab 1 the indices as floats holding integers (the builder,
 * graph_topk.c, takes the slabs apart with views). One launch of
 * kernels/topk.cl: a work-item per line.
 *
 * The order is ONNX Runtime's: largest first for largest = 1, smallest
 * first for largest = 0, a NaN above every number (first when largest,
 * last when smallest), equal elements (NaNs among them) by lower index.
 */
#ifndef CLINFER_OPS_TOPK_H
#define CLINFER_OPS_TOPK_H

#include "launch.h"

typedef struct topk_params {
    clinfer_shape input; /* rank 1 to CLINFER_MAX_RANK - 1 (the output adds the slab dim) */
    int64_t axis;        /* -rank to rank - 1 */
    int64_t k;           /* 1 to the axis' size */
    int largest;         /* 1: the largest first; 0: the smallest first */
} topk_params;

/* The largest index a float keeps exact: 2^24; half storage: 2048 (as
 * ArgMax's). */
#define TOPK_MAX_INDEX_FLOAT (1 << 24)
#define TOPK_MAX_INDEX_HALF 2048

/* Checks the shape, axis and K and writes the output shape [2, ...input
 * with the axis' size K...]. rt may be NULL (the graph builder). */
clinfer_status topk_output_shape(clinfer_runtime *rt, const topk_params *p, clinfer_shape *out);

clinfer_status topk_prepare(clinfer_runtime *rt, const topk_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output). */

#endif
