/*
 * ref_gemm.h — naive references for ONNX Gemm and MatMul, written from the
 * operator definitions: one double-precision sum per output, broadcasting
 * by explicit multi-indices. They never call the code under test.
 */
#ifndef CLINFER_REF_GEMM_H
#define CLINFER_REF_GEMM_H

#include "clinfer.h"
#include "ops/gemm.h"

/* Y [M, N] = act(alpha * A' * B' + beta * C); A is [M, K] or, with
 * p->trans_a, [K, M]; B is [K, N] or, with p->trans_b, [N, K]; c (read
 * through p->c_shape with NumPy broadcasting) is used only if p->has_c. */
void ref_gemm(const gemm_params *p, const float *a, const float *b, const float *c, float *y);

/* NumPy matmul of A (shape *as) and B (shape *bs), both of rank >= 1 and
 * compatible; writes the output shape to *ys and the result to y. */
void ref_matmul(const clinfer_shape *as, const clinfer_shape *bs, const float *a, const float *b,
                clinfer_shape *ys, float *y);

/* The number of elements ref_matmul writes (shapes must be compatible). */
size_t ref_matmul_numel(const clinfer_shape *as, const clinfer_shape *bs);

#endif
