/*
 * gemm.h — matrix products: ONNX Gemm (Y = alpha * A' * B' + beta * C, with
 * an optional fused activation; Dense layers) and ONNX MatMul (NumPy matmul:
 * 2-D, batched with broadcast batch dimensions, 1-D operands promoted).
 * Both launch the gemm_tile kernel of kernels/gemm.cl; every buffer is
 * contiguous, row-major, at offset 0.
 *
 * Limits: every dimension >= 1 (empty tensors are reported as
 * CLINFER_ERR_UNSUPPORTED) and every operand and the output hold at most
 * INT32_MAX elements (kernel strides are ints).
 */
#ifndef CLINFER_OPS_GEMM_H
#define CLINFER_OPS_GEMM_H

#include "../shape.h"
#include "activation.h"
#include "launch.h"

/* ------------------------------------------------------------------ Gemm */

typedef struct gemm_params {
    int32_t m, n, k;    /* A' is [M, K], B' is [K, N], Y is [M, N] */
    int trans_a;        /* A is stored [K, M] when set, else [M, K] */
    int trans_b;        /* B is stored [N, K] when set, else [K, N] */
    float alpha, beta;  /* beta is ignored without C */
    int has_c;          /* C given (ONNX input 2) */
    clinfer_shape c_shape; /* C's shape, unidirectionally broadcastable to [M, N]:
                            * [], [N], [1, N], [M, 1], [M, N], [1, 1], [1] */
    act_params act;     /* fused activation, applied after the C term */
} gemm_params;

/* alpha = beta = 1, no transposes, no C, no activation, dims 0. */
gemm_params gemm_params_default(void);

/* Sets p->m, p->n, p->k from the shapes of A and B, honouring p->trans_a and
 * p->trans_b; both must be rank 2 and agree on K (CLINFER_ERR_SHAPE names the
 * operand otherwise). Other fields are left as they are. */
clinfer_status gemm_dims_from_shapes(clinfer_runtime *rt, const clinfer_shape *a,
                                     const clinfer_shape *b, gemm_params *p);

/* Checks the parameters and sets *out to [M, N]. */
clinfer_status gemm_output_shape(clinfer_runtime *rt, const gemm_params *p, clinfer_shape *out);

/* Creates the kernel for `p` and sets its scalar arguments. */
clinfer_status gemm_prepare(clinfer_runtime *rt, const gemm_params *p, op_launch *out);

/* Sets the buffers; `c` is ignored unless p->has_c (may be NULL then). */
clinfer_status gemm_bind(clinfer_runtime *rt, op_launch *l, cl_mem a, cl_mem b, cl_mem c,
                         cl_mem y);

/* ---------------------------------------------------------------- MatMul */

typedef struct matmul_params {
    clinfer_shape a, b; /* input shapes, rank >= 1 */
    act_params act;     /* fused activation (zero-initialised: none) */
} matmul_params;

/* Checks the shapes and computes the output shape as ONNX MatMul (NumPy
 * matmul) defines it: batch dims broadcast; a 1-D A is [1, K] and a 1-D B is
 * [K, 1] for the product, and that promoted dim is removed from the output
 * (two 1-D operands give a rank-0 output). */
clinfer_status matmul_output_shape(clinfer_runtime *rt, const matmul_params *p,
                                   clinfer_shape *out);

clinfer_status matmul_prepare(clinfer_runtime *rt, const matmul_params *p, op_launch *out);
clinfer_status matmul_bind(clinfer_runtime *rt, op_launch *l, cl_mem a, cl_mem b, cl_mem y);

#endif
