/*
 * reduce.h — ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
 * ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp (ONNX semantics,
 * axes as an attribute or input alike): any set of axes of a tensor of rank
 * up to CLINFER_MAX_RANK, keepdims, noop_with_empty_axes; and ArgMax /
 * ArgMin along one axis. One launch of kernels/reduce.cl each.
 */
#ifndef CLINFER_OPS_REDUCE_H
#define CLINFER_OPS_REDUCE_H

#include "launch.h"

typedef enum reduce_kind {
    REDUCE_SUM = 0,
    REDUCE_MEAN = 1,
    REDUCE_MAX = 2,
    REDUCE_MIN = 3,
    REDUCE_PROD = 4,
    REDUCE_SUM_SQUARE = 5,
    REDUCE_L1 = 6,
    REDUCE_L2 = 7,
    REDUCE_LOG_SUM = 8,
    REDUCE_LOG_SUM_EXP = 9,
    REDUCE_KIND_COUNT
} reduce_kind;

typedef struct reduce_params {
    clinfer_shape input;
    reduce_kind kind;
    /* The reduced axes (negative counts from the end, no repeats). naxes 0:
     * every axis, unless noop_with_empty_axes, which makes the op a copy. */
    int32_t naxes;
    int64_t axes[CLINFER_MAX_RANK];
    int keepdims;             /* 1 (the ONNX default): reduced dims stay as 1 */
    int noop_with_empty_axes; /* 0 (the ONNX default) */
} reduce_params;

/* Sum, no axes (all of them), keepdims 1. */
reduce_params reduce_params_default(void);

/* Parses an ONNX op type ("ReduceSum", ..., "ReduceLogSumExp"); returns 0
 * for any other string. */
int reduce_kind_parse(const char *op_type, reduce_kind *out);

/* Checks the axes (range, repeats) and sizes (< 2^31 elements) and computes
 * the output shape. */
clinfer_status reduce_output_shape(clinfer_runtime *rt, const reduce_params *p,
                                   clinfer_shape *out);

/* Creates the launch (-DREDUCE_OP=<kind>). Reducing an empty set gives
 * 0 (sum, sum of squares, L1, L2), NaN (mean), -inf (max, log-sum,
 * log-sum-exp), +inf (min) or 1 (prod); max and min propagate NaN like
 * NumPy. An output with no elements gives global[0] == 0: nothing
 * to enqueue. */
clinfer_status reduce_prepare(clinfer_runtime *rt, const reduce_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output); input's buffer may be NULL when
 * the input has no elements. */

/* ------------------------------------------------------ ArgMax, ArgMin */

typedef struct arg_reduce_params {
    clinfer_shape input; /* rank 1 to CLINFER_MAX_RANK */
    int min;             /* 0: ArgMax, 1: ArgMin */
    int64_t axis;        /* negative counts from the end */
    int keepdims;        /* 1 (the ONNX default): the axis stays as 1 */
    int select_last_index; /* 0 (the ONNX default): the first extreme wins */
} arg_reduce_params;

/* Checks the axis and sizes and computes the output shape. The indices are
 * stored as floats (an ONNX int64 output is converted at the boundary), so
 * the axis may hold at most 2^24 elements, and at most 2049 in a runtime
 * of CLINFER_PRECISION_FP16 (half holds integers exactly up to 2048); rt
 * may be NULL (the builder), which checks only the first. */
clinfer_status arg_reduce_output_shape(clinfer_runtime *rt, const arg_reduce_params *p,
                                       clinfer_shape *out);

/* Creates the launch: one work-item per output element. NaN counts as the
 * extreme of both (NumPy's argmax and argmin return the first NaN; with
 * select_last_index, the last). Buffers: launch_bind_io(input, output). */
clinfer_status arg_reduce_prepare(clinfer_runtime *rt, const arg_reduce_params *p,
                                  op_launch *out);

#endif
