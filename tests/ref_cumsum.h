/*
 * ref_cumsum.h — a naive CumSum (ONNX), from the operator's definition:
 * out[i] = the sum of x at i's coordinates with the axis coordinate k
 * replaced by each j <= k (j < k exclusive; j >= k, j > k reversed).
 */
#ifndef CLINFER_REF_CUMSUM_H
#define CLINFER_REF_CUMSUM_H

#include "clinfer.h"

/* axis in [-rank, rank); the sums in double. */
void ref_cumsum(const clinfer_shape *s, const float *x, int32_t axis, int exclusive, int reverse,
                float *out);

#endif
