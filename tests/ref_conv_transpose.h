/*
 * ref_conv_transpose.h — naive C reference for ConvTranspose, written from
 * the ONNX operator definition without looking at the kernels: every input
 * pixel times every tap of its group's output channels scattered into the
 * output (the definition's direction; the kernels gather), in double
 * precision, then bias and activation.
 */
#ifndef CLINFER_REF_CONV_TRANSPOSE_H
#define CLINFER_REF_CONV_TRANSPOSE_H

#include "ops/conv_transpose.h"

/* Output extent along one axis: stride * (in - 1) + out_pad + dil * (k - 1)
 * + 1 - pad0 - pad1. */
int32_t ref_convt_out(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                      int32_t out_pad, int32_t dil);

/* The pads ONNX derives for an output of `out` along one axis (the
 * output_shape attribute, or out = in * stride for auto_pad SAME_*): the
 * total split in half, the odd one at the end when same_upper, else at
 * the start (rounding toward minus infinity). */
void ref_convt_pads(int same_upper, int32_t in, int32_t k, int32_t stride, int32_t dil,
                    int32_t out_pad, int32_t out, int32_t *pad0, int32_t *pad1);

/* in [N, C, H, W], w [C, OC / groups, KH, KW], bias [OC] or NULL; out
 * [N, OC, OH, OW]; applies p->act. */
void ref_conv_transpose2d(const convt_params *p, const float *in, const float *w,
                          const float *bias, float *out);

/* A 3-D ConvTranspose: sizes, then per axis (depth, height, width) the
 * stride, dilation, pads at the start and end and output padding. */
typedef struct ref_convt3d {
    int32_t n, c, oc, groups;
    int32_t in[3], k[3], stride[3], dil[3], pad0[3], pad1[3], out_pad[3];
} ref_convt3d;

/* in [N, C, D, H, W], w [C, OC / groups, KD, KH, KW], bias [OC] or NULL;
 * out [N, OC, OD, OH, OW] (each extent by ref_convt_out). */
void ref_conv_transpose3d(const ref_convt3d *p, const float *in, const float *w,
                          const float *bias, float *out);

#endif
