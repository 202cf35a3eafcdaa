/*
 * ops_conv.h — what the convolution translators share: the window
 * attributes as ops_conv_pool.c reads them, and the 3-D Conv and
 * ConvTranspose of ops_conv3d.c, which op_conv and op_conv_transpose call.
 */
#ifndef CLINFER_ONNX_OPS_CONV_H
#define CLINFER_ONNX_OPS_CONV_H

#include "ops_internal.h"

/* kernel_shape, strides, dilations, pads and auto_pad of a window, always
 * as 2-D (a 1-D window is one of height 1); a 3-D window's depth entries
 * are kept apart in the d_ fields (1, 1, 1, {0, 0} for fewer dims). */
typedef struct window {
    int has_kernel;
    int32_t kernel[2], stride[2], dilation[2], pads[4];
    int32_t d_kernel, d_stride, d_dilation, d_pads[2];
    clinfer_pad_mode mode;
} window;

/* Conv of x [N, C, D, H, W] (shape xs) with the known weights wt [O, C/g,
 * kd, kh, kw] and the optional bias input: a 2-D conv (d: its H and W
 * window) per output frame, the frames concatenated along D. w's depth
 * pads may be rewritten (auto_pad VALID). */
clinfer_status onnx_conv3d(onnx_node *c, const clinfer_shape *xs, const host_tensor *wt, window *w,
                           const clinfer_conv2d_desc *d);

/* ConvTranspose of x [N, C, D, H, W] with wt [C, O/g, kd, kh, kw]: a 2-D
 * transposed convolution (d) per output frame. out_pad_d: output_padding
 * along D; out_d: output_shape's depth (0: none). w's depth pads may be
 * rewritten (auto_pad, output_shape). */
clinfer_status onnx_conv_transpose3d(onnx_node *c, const clinfer_shape *xs, const host_tensor *wt,
                                     window *w, int32_t out_pad_d, int32_t out_d,
                                     const clinfer_conv_transpose2d_desc *d);

#endif
