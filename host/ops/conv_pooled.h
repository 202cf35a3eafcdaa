/*
 * conv_pooled.h — the "pooled" convolution algorithm of conv2d.h: a
 * convolution with groups, stride and dilation 1 and the max pool of P x P
 * windows with stride P after it (passes/pool.c fuses the pair), one
 * launch: conv2d_pooled (kernels/conv_pooled.cl) computes each conv output
 * of a block of pooled rows once in registers and stores only the
 * maximum. conv2d.c chooses it (for reductions C * KH * KW up to
 * CONV2D_POOLED_MAX_K, or where Winograd and direct do not take the layer)
 * and calls the launch through its own.
 */
#ifndef CLINFER_OPS_CONV_POOLED_H
#define CLINFER_OPS_CONV_POOLED_H

#include "conv2d.h"

/* Creates the launch with its arguments and buffers. */
clinfer_status conv_pooled_launch(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, const conv2d_buffers *buf,
                                  op_launch *out);

#endif
