/*
 * conv2d.h — 2-D convolution (NCHW, ONNX Conv semantics): parameter checks,
 * output shape, and the device launch.
 */
#ifndef CLINFER_OPS_CONV2D_H
#define CLINFER_OPS_CONV2D_H

#include "activation.h"
#include "launch.h"

typedef struct conv2d_params {
    int32_t n, c, h, w; /* input shape */
    int32_t oc, kh, kw; /* output channels and kernel size */
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t dil_h, dil_w;
    int32_t groups;
    int has_bias;
    act_params act; /* fused activation */
} conv2d_params;

/* A conv2d_params with stride, dilation and groups 1 and no padding. */
conv2d_params conv2d_params_default(void);

/* Checks the parameters and computes the output height and width; errors
 * name the offending parameter. */
clinfer_status conv2d_output_size(clinfer_runtime *rt, const conv2d_params *p, int32_t *oh,
                                  int32_t *ow);

/* Creates the kernel for `p` and sets its scalar arguments. */
clinfer_status conv2d_prepare(clinfer_runtime *rt, const conv2d_params *p, op_launch *out);

/* Sets the buffers; `bias` is ignored unless p->has_bias. */
clinfer_status conv2d_bind(clinfer_runtime *rt, op_launch *l, cl_mem input, cl_mem weight,
                           cl_mem bias, cl_mem output);

#endif
