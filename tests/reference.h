/*
 * reference.h — naive C references for convolution and the activations,
 * written from the ONNX operator definitions without looking at the
 * kernels: plain loops over every output and every window element, in
 * double precision. Other families have their own tests/ref_<family>.h
 * (pooling: ref_pool2d.h).
 */
#ifndef CLINFER_REFERENCE_H
#define CLINFER_REFERENCE_H

#include "ops/conv2d.h"

/* Output extent of a sliding window (floor mode). */
int32_t ref_window_out(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                       int32_t dil);

/* out: [N, OC, OH, OW]; bias may be NULL; applies p->act. */
void ref_conv2d(const conv2d_params *p, const float *in, const float *w, const float *bias,
                float *out);

/* One activation applied to a value, as the ONNX operators define them. */
float ref_activation(act_params act, float x);

#endif
