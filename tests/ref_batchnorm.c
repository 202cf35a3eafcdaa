/*
 * ref_batchnorm.c — naive BatchNormalization (see ref_batchnorm.h).
 */
#include "ref_batchnorm.h"

#include <math.h>
#include <stddef.h>

void ref_batchnorm(const clinfer_shape *s, const float *x, const float *scale, const float *b,
                   const float *mean, const float *var, float eps, float *y)
{
    size_t n = (size_t)s->dims[0], c = (size_t)s->dims[1], inner = 1;
    for (int32_t d = 2; d < s->rank; d++)
        inner *= (size_t)s->dims[d];
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t k = 0; k < inner; k++) {
                size_t at = (i * c + ch) * inner + k;
                y[at] = (float)(((double)x[at] - mean[ch]) / sqrt((double)var[ch] + eps) *
                                    scale[ch] +
                                b[ch]);
            }
}
