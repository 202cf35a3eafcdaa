/*
 * excite.h — a squeeze-excitation gate as one op (kernels/excite.cl):
 * GlobalAveragePool of x [N, C, H, W], a 1x1 convolution C -> S with an
 * activation, a 1x1 convolution S -> C with a Sigmoid or HardSigmoid,
 * output [N, C, 1, 1]. passes/excite.c makes it from those nodes, where
 * the second convolution's weights are a constant (nodes/excite.c
 * transposes them once).
 */
#ifndef CLINFER_OPS_EXCITE_H
#define CLINFER_OPS_EXCITE_H

#include "activation.h"
#include "launch.h"

/* Most channels plus hidden units the op takes: its local memory (8 KB,
 * within the 32 KB every OpenCL device offers). */
#define EXCITE_MAX_UNITS 2048

typedef struct excite_params {
    int32_t n, c, h, w; /* x */
    int32_t s;          /* hidden units */
    int has_b1, has_b2;
    act_params act;  /* after the first product */
    act_params gate; /* after the second: ACT_KIND_SIGMOID or ACT_KIND_HARD_SIGMOID */
} excite_params;

/* Floats after W2 transposed that the kernel may read (and ignores). */
#define EXCITE_W2_T_PAD 16

/* Checks the sizes and activations; out = [N, C, 1, 1]. */
clinfer_status excite_output_shape(clinfer_runtime *rt, const excite_params *p,
                                   clinfer_shape *out);

/* The launch: one work-group per image. */
clinfer_status excite_prepare(clinfer_runtime *rt, const excite_params *p, op_launch *out);

/* Buffers: x, W1 [S, C], b1 [S] (mem NULL when absent), W2 transposed
 * [S, C] followed by EXCITE_W2_T_PAD floats, b2 [C] (mem NULL when absent),
 * then the output. */
clinfer_status excite_bind(clinfer_runtime *rt, op_launch *l, const dev_tensor in[5],
                           dev_tensor out);

#endif
