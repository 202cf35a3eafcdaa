/*
 * ref_norm.h — naive C references for InstanceNormalization,
 * LayerNormalization, GroupNormalization, MeanVarianceNormalization, LRN
 * and LpNormalization,
 * written from the ONNX definitions, in double precision (two-pass mean
 * and variance per normalised group of elements).
 */
#ifndef CLINFER_REF_NORM_H
#define CLINFER_REF_NORM_H

#include <stdint.h>

#include "clinfer.h"

/* x, y: shape s. scale/bias NULL: 1 and 0. */
void ref_instance_norm(const clinfer_shape *s, const float *x, const float *scale,
                       const float *bias, float eps, float *y);
/* normalised over dims axis..rank-1 (axis may be negative); scale and
 * bias hold prod(dims[axis:]) values. */
void ref_layer_norm(const clinfer_shape *s, int64_t axis, const float *x, const float *scale,
                    const float *bias, float eps, float *y);
/* per_channel: scale/bias [C] (opset 21), else [groups] (opset 18). */
void ref_group_norm(const clinfer_shape *s, int64_t groups, int per_channel, const float *x,
                    const float *scale, const float *bias, float eps, float *y);
/* (x - mean) / (sqrt(var) + 1e-9) over the dims whose bit is set in axes
 * (any set of dims). */
void ref_mvn(const clinfer_shape *s, uint32_t axes, const float *x, float *y);
/* ONNX LRN over dim 1 of [N, C, ...]. */
void ref_lrn(const clinfer_shape *s, int64_t size, float alpha, float beta, float bias,
             const float *x, float *y);
/* ONNX LpNormalization (p 1 or 2) along `axis` (may be negative); a zero
 * vector gives zeros (ONNX Runtime's behaviour). */
void ref_lp_norm(const clinfer_shape *s, int64_t axis, int p, const float *x, float *y);

#endif
