/*
 * maxpool2d.h — 2-D max pooling (NCHW, ONNX MaxPool semantics without
 * ceil mode): parameter checks, output shape, and the device launch.
 */
#ifndef CLINFER_OPS_MAXPOOL2D_H
#define CLINFER_OPS_MAXPOOL2D_H

#include "launch.h"

typedef struct pool2d_params {
    int32_t n, c, h, w; /* input shape */
    int32_t kh, kw;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t dil_h, dil_w;
} pool2d_params;

/* A pool2d_params with stride and dilation 1 and no padding. */
pool2d_params pool2d_params_default(void);

/* Checks the parameters (padding must be smaller than the window, as ONNX
 * requires) and computes the output height and width. */
clinfer_status maxpool2d_output_size(clinfer_runtime *rt, const pool2d_params *p, int32_t *oh,
                                     int32_t *ow);

clinfer_status maxpool2d_prepare(clinfer_runtime *rt, const pool2d_params *p, op_launch *out);
clinfer_status maxpool2d_bind(clinfer_runtime *rt, op_launch *l, cl_mem input, cl_mem output);

#endif
