/*
 * ref_pool2d.h — naive C references for the pooling family, written from the
 * ONNX MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool definitions
 * (and PyTorch's ceil-mode rule) without looking at the kernels: plain loops
 * over every output and every window position, sums in double precision.
 */
#ifndef CLINFER_REF_POOL2D_H
#define CLINFER_REF_POOL2D_H

#include "ops/pool2d.h"

/* Output extent along one axis: floor mode counts the windows that lie in
 * the padded input; ceil mode takes ceil((in + pads - span) / stride) + 1
 * windows and drops those that start in the end padding. */
int32_t ref_pool_out(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                     int32_t dil, int ceil_mode);

/* out: [N, C, OH, OW]. Max over the window elements inside the input,
 * -inf if none. */
void ref_maxpool2d(const pool2d_params *p, const float *in, float *out);

/* out: [N, C, OH, OW]. Sum over the elements inside the input, divided by
 * their count, or with p->count_include_pad by the count of window
 * positions inside the padded input; 0 when the divisor is 0. */
void ref_avgpool2d(const pool2d_params *p, const float *in, float *out);

/* out: [N, C] (one value per plane). */
void ref_globalavgpool(const globalpool_params *p, const float *in, float *out);
void ref_globalmaxpool(const globalpool_params *p, const float *in, float *out);

#endif
