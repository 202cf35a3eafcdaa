/*
 * resize.h — Resize / Upsample (ONNX) of an NCHW tensor along H and W:
 * nearest (every rounding), bilinear and bicubic, under every coordinate
 * transformation, bilinear and bicubic also antialiased (ONNX 18: the
 * filter stretched by 1 / scale when downscaling, so every input pixel
 * counts). The host computes, per output row and column, the input
 * indices and weights of the taps in double precision (the coordinate
 * table); kernels/resize.cl only gathers and weighs. One launch.
 */
#ifndef CLINFER_OPS_RESIZE_H
#define CLINFER_OPS_RESIZE_H

#include "launch.h"

typedef struct resize_params {
    clinfer_shape input; /* [N, C, H, W] */
    clinfer_resize_desc d;
    int antialias; /* linear and cubic: the ONNX antialias filter (nearest ignores it) */
} resize_params;

/* The most taps per output coordinate (an antialiased linear downscale by
 * up to 32, cubic by up to 16). */
#define RESIZE_MAX_TAPS 64

/* Checks the parameters (the taps within RESIZE_MAX_TAPS) and writes the
 * output shape [N, C, out_h, out_w]. */
clinfer_status resize_output_shape(clinfer_runtime *rt, const resize_params *p,
                                   clinfer_shape *out);

/* Taps per output coordinate for output shape `os`: 1 (nearest), 2
 * (linear), 4 (cubic); antialiased, the larger axis's footprint of the
 * stretched filter (axes with fewer taps are padded with zero weights). */
int32_t resize_taps(const resize_params *p, const clinfer_shape *os);

/* The coordinate table for output shape `os` (from resize_output_shape):
 * resize_table_words() 32-bit words, laid out tap-major as
 *   xi[taps][out_w], yi[taps][out_h]  (int: input column / row, clamped)
 *   xw[taps][out_w], yw[taps][out_h]  (float weights)
 *   xo[out_w], yo[out_h]              (int: -1 outside the input, where the
 *                                      output is the extrapolation value of
 *                                      tf_crop_and_resize; else 0) */
size_t resize_table_words(const resize_params *p, const clinfer_shape *os);
void resize_fill_table(const resize_params *p, const clinfer_shape *os, int32_t *table);

/* Creates the launch over the table `host` (resize_fill_table's), already
 * copied to the device at `table`: the host copy chooses the kernel. */
clinfer_status resize_prepare(clinfer_runtime *rt, const resize_params *p, const int32_t *host,
                              dev_tensor table, op_launch *out);

/* Buffers: launch_bind_io(input, output). */

#endif
