/*
 * ref_topk.h — a naive TopK (ONNX, ONNX Runtime's order), from the
 * operator's definition: each line along the axis sorted whole (largest
 * first, or smallest first), a NaN above every number, equal elements by
 * lower index, and its first k kept.
 */
#ifndef CLINFER_REF_TOPK_H
#define CLINFER_REF_TOPK_H

#include "clinfer.h"

/* axis in [-rank, rank), k in [1, the axis' size]; values and indices
 * (as floats) each of s's shape with the axis' size k. */
void ref_topk(const clinfer_shape *s, const float *x, int32_t axis, int64_t k, int largest,
              float *values, float *indices);

#endif
