/*
 * ref_batchnorm.h — naive C reference for BatchNormalization (inference),
 * straight from the ONNX formula in double precision.
 */
#ifndef CLINFER_REF_BATCHNORM_H
#define CLINFER_REF_BATCHNORM_H

#include "clinfer.h"

/* Y = (X - mean[c]) / sqrt(var[c] + eps) * scale[c] + B[c], X of shape s
 * (rank >= 2, c = coordinate along dim 1). */
void ref_batchnorm(const clinfer_shape *s, const float *x, const float *scale, const float *b,
                   const float *mean, const float *var, float eps, float *y);

#endif
