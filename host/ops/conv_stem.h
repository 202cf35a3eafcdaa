/*
 * conv_stem.h — the "stem" convolution algorithm of conv2d.h: groups 1, no
 * residual, at most STEM_MAX_K taps per output (C * KH * KW: the first
 * layer of image networks, 3 channels, 3x3). conv2d_stem
 * (kernels/conv_stem.cl) keeps 16 output channels' sums of 16 columns in
 * registers and reads the input in place: no padded copy, no packing, one
 * launch per run, bias and activation fused. On CPUs it beats direct
 * wherever it fits (direct's padded copy and its tiles' epilogues cost as
 * much as such a short product: MobileNetV3's first layer 0.127 -> 0.090
 * ms), so the automatic choice takes it there. With a window pool
 * (conv2d_params.window_pool: SqueezeNet's 3x3 stride-2 max pool after its
 * first layer), conv2d_stem_pool computes the conv rows each group of
 * pooled rows needs and pools them in private memory, so the conv output
 * never reaches memory. conv2d.c calls these through its unfit and launch
 * functions.
 */
#ifndef CLINFER_OPS_CONV_STEM_H
#define CLINFER_OPS_CONV_STEM_H

#include "conv2d.h"

/* The most taps per output, C * KH * KW (the kernel keeps an item's
 * weights in a private array of this many taps: STEM_MAX_K in
 * kernels/conv_stem.cl). */
#define STEM_MAX_K 32

/* Output channels per work-item (kernels/conv_stem.cl's STEM_OC). */
#define STEM_OC_BLOCK 16

/* conv2d_stem_pool's private floats at most, beside the weights (its conv
 * row and running pooled maxima, 16 channels each: SqueezeNet's 111-wide
 * rows take 4,160); wider layers run the pool apart. */
#define STEM_POOL_PRIVATE_FLOATS 12288

/* Why the stem algorithm cannot compute `p` (with its window pool, if
 * any), or NULL. */
const char *conv_stem_unfit(const conv2d_params *p);

/* Creates the launch with its arguments and buffers. */
clinfer_status conv_stem_launch(clinfer_runtime *rt, const conv2d_params *p,
                                const conv2d_plan *pl, const conv2d_buffers *buf,
                                op_launch *out);

#endif
