/*
 * unpool.h — SegNet/ENet-style unpooling on NCHW tensors: MaxPool's second
 * output (ONNX Indices: where each window's maximum was) and ONNX
 * MaxUnpool (each value written back where its index says, zeros
 * elsewhere). Indices are flat positions in the whole tensor, computed
 * and read as floats (as ArgMax's are): exact up to 2^24, or 2048 in half
 * storage, so larger tensors are refused.
 */
#ifndef CLINFER_OPS_UNPOOL_H
#define CLINFER_OPS_UNPOOL_H

#include "pool2d.h"

/* MaxPool's Indices: the pooling's window and shape as for maxpool2d;
 * storage_order 0: ((n * C + c) * H + h) * W + w, 1: the plane's part
 * column-major, (n * C + c) * H * W + w * H + h (ONNX's storage_order). */
typedef struct pool_indices_params {
    pool2d_params pool;
    int storage_order;
} pool_indices_params;

/* The pooling's output shape, after its checks and the index range's.
 * rt may be NULL (the graph builder). */
clinfer_status pool_indices_output_shape(clinfer_runtime *rt, const pool_indices_params *p,
                                         clinfer_shape *out);

/* One launch: the index of the first maximum of each window in its scan
 * order (rows, then columns), padding never chosen, NaN only when nothing
 * else is in the window, as ONNX Runtime does. Buffers:
 * launch_bind_io(input, output). */
clinfer_status pool_indices_prepare(clinfer_runtime *rt, const pool_indices_params *p,
                                    op_launch *out);

/* MaxUnpool of x [N, C, H, W] with indices of x's shape into
 * [N, C, out_h, out_w]; out_h, out_w 0: ONNX's default,
 * (in - 1) * stride - pad_begin - pad_end + kernel per axis. Indices are
 * flat positions in a tensor of the default size, which a larger output
 * holds at its top left (ONNX's reference and node tests; ONNX Runtime
 * reads them as positions in the output itself, the same where the
 * output has the default size). A smaller output is refused. */
typedef struct unpool_params {
    int32_t n, c, h, w;
    int32_t kh, kw, stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int64_t out_h, out_w;
} unpool_params;

/* Checks p and writes the output shape. rt may be NULL. */
clinfer_status unpool_output_shape(clinfer_runtime *rt, const unpool_params *p,
                                   clinfer_shape *out);

/* Two launches: out[0] zeroes the output, out[1] scatters: a work-item per
 * (n, c) plane of x writes its values in order, so of two equal indices
 * in one plane the later one wins (ONNX Runtime's serial loop). Indices
 * outside the default-sized result (negative, too large, NaN) are skipped, where ONNX
 * Runtime fails the run; where planes write the same position (indices
 * that MaxPool never gives), which one wins is unspecified. */
clinfer_status unpool_prepare(clinfer_runtime *rt, const unpool_params *p, op_launch out[2]);

/* Binds x, indices and the output to the launches unpool_prepare made. */
clinfer_status unpool_bind(clinfer_runtime *rt, op_launch l[2], dev_tensor x, dev_tensor indices,
                           dev_tensor output);

#endif
