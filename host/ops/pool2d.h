/*
 * pool2d.h — the pooling family on NCHW tensors (ONNX MaxPool, AveragePool,
 * GlobalMaxPool, GlobalAveragePool): parameter checks, output shapes, and
 * the device launches of kernels/pool2d.cl.
 *
 * Every launch of the family takes one input buffer [N, C, H, W] and one
 * output tensor, both contiguous (dev_tensor); launch_bind_io sets them for any
 * launch made here. Shapes are kernel arguments, so all the kernels come
 * from one program (no build options). Windowed pooling has two variants:
 * rows of 16-wide vectors per work-item (maxpool2d_rows, avgpool2d_rows;
 * the default on CPUs) and one output per work-item (maxpool2d, avgpool2d;
 * elsewhere); CLINFER_POOL_VARIANT=rows|items|auto forces one.
 */
#ifndef CLINFER_OPS_POOL2D_H
#define CLINFER_OPS_POOL2D_H

#include "../shape.h"
#include "launch.h"

/* A windowed pooling (maxpool2d, avgpool2d). Pads are ONNX's
 * [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right]. */
typedef struct pool2d_params {
    int32_t n, c, h, w; /* input shape */
    int32_t kh, kw;     /* window */
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right; /* each in [0, window) */
    int32_t dil_h, dil_w;
    /* 0: output extent = floor((in + pads - span) / stride) + 1, span =
     * dil * (k - 1) + 1. 1: ceil instead of floor, and a last window that
     * would start in the bottom/right padding (or past it) is dropped, as
     * ONNX and PyTorch specify. */
    int ceil_mode;
    /* avgpool2d only. 0: divide by the number of window elements inside the
     * input. 1: also count the padded positions, but (as ONNX and PyTorch
     * do in ceil mode) not positions past the bottom/right padding. */
    int count_include_pad;
} pool2d_params;

/* A pool2d_params with stride and dilation 1, no padding, floor mode and
 * count_include_pad 0 (the ONNX defaults); shape and window left 0. */
pool2d_params pool2d_params_default(void);

/* Checks the parameters and sets *out to the output shape [N, C, OH, OW].
 * CLINFER_ERR_SHAPE: non-positive sizes, a window larger than the padded
 * input, sizes past the 32-bit index range of the kernels.
 * CLINFER_ERR_INVALID_ARGUMENT: stride or dilation < 1, a pad < 0 or not
 * smaller than the window along its axis, ceil_mode or count_include_pad
 * not 0/1. */
clinfer_status pool2d_output_shape(clinfer_runtime *rt, const pool2d_params *p,
                                   clinfer_shape *out);

/* The first of those checks, shared with MaxUnpool (ops/unpool.c): the
 * shape and window positive, the strides at least 1; messages name `op`. */
clinfer_status pool2d_check_sizes(clinfer_runtime *rt, const char *op, const pool2d_params *p);

/* The same checks and shape with messages naming `op` (MaxPool's
 * Indices, ops/unpool.c). */
clinfer_status pool2d_window_shape(clinfer_runtime *rt, const char *op, const pool2d_params *p,
                                   clinfer_shape *out);

/* Creates the kernel and sets its scalar arguments (same checks as
 * pool2d_output_shape, messages naming the op). Max pooling ignores padded
 * positions; a window that holds no input element (possible only with
 * dilation) gives -inf. Average pooling of such a window gives 0. */
clinfer_status maxpool2d_prepare(clinfer_runtime *rt, const pool2d_params *p, op_launch *out);
clinfer_status avgpool2d_prepare(clinfer_runtime *rt, const pool2d_params *p, op_launch *out);

/* A global pooling: [N, C, H, W] -> [N, C, 1, 1]. Other spatial ranks map
 * onto it by flattening the spatial dims into h * w (the output has one
 * element per (n, c) either way). */
typedef struct globalpool_params {
    int32_t n, c, h, w; /* input shape */
} globalpool_params;

/* Checks the shape and sets *out to [N, C, 1, 1]; CLINFER_ERR_SHAPE for
 * non-positive or overflowing sizes. */
clinfer_status globalpool_output_shape(clinfer_runtime *rt, const globalpool_params *p,
                                       clinfer_shape *out);

clinfer_status globalavgpool_prepare(clinfer_runtime *rt, const globalpool_params *p,
                                     op_launch *out);
clinfer_status globalmaxpool_prepare(clinfer_runtime *rt, const globalpool_params *p,
                                     op_launch *out);

/* Buffers of any launch prepared above: launch_bind_io(input, output). */

#endif
