/*
 * softmax.h — Softmax and LogSoftmax along one axis (ONNX opset 13
 * semantics, or the opset < 13 coercion to 2-D): parameter checks, output
 * shape, and the device launch of kernels/softmax.cl.
 *
 * The input is viewed as [outer, len, inner] and normalised along len:
 *   opset >= 13: outer = prod(dims[:axis]), len = dims[axis],
 *                inner = prod(dims[axis+1:])
 *   opset < 13 (legacy): the input is coerced to 2-D [prod(dims[:axis]),
 *                prod(dims[axis:])] and normalised along the second dim:
 *                outer = prod(dims[:axis]), len = prod(dims[axis:]), inner = 1
 * The output has the input's shape. One launch: prepare, bind, enqueue.
 */
#ifndef CLINFER_OPS_SOFTMAX_H
#define CLINFER_OPS_SOFTMAX_H

#include "../shape.h"
#include "launch.h"

typedef struct softmax_params {
    clinfer_shape shape; /* input = output, rank 1..8 */
    int64_t axis;        /* in [-rank, rank - 1], negative counts from the end;
                            ONNX default: -1 from opset 13, 1 before */
    int legacy;          /* non-zero: opset < 13 2-D coercion at `axis` */
    int log;             /* non-zero: LogSoftmax */
} softmax_params;

/* Softmax, opset 13, axis -1, rank-0 shape (which must be set). */
softmax_params softmax_params_default(void);

/* Checks the parameters and writes the output shape (the input shape). */
clinfer_status softmax_output_shape(clinfer_runtime *rt, const softmax_params *p,
                                    clinfer_shape *out);

/* Checks the parameters and writes the [outer, len, inner] view. */
clinfer_status softmax_geometry(clinfer_runtime *rt, const softmax_params *p, int64_t *outer,
                                int64_t *len, int64_t *inner);

/* Creates the kernel (softmax_rows when inner == 1, else softmax_strided;
 * one program each for Softmax and LogSoftmax) and sets its scalars. */
clinfer_status softmax_prepare(clinfer_runtime *rt, const softmax_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output); they may be the same tensor (in
 * place). */

#endif
