/*
 * conv_direct.h — the "direct" convolution algorithm of conv2d.h: any
 * parameters; the images of a chunk copied with their padding to scratch,
 * split into stride phases (conv2d_pad), then an implicit GEMM with the cpu
 * GEMM's register tiles (conv2d_direct). With the cpu GEMM over a small
 * image, groups 1, where it fills more lanes (7x7: 64 computed for 49
 * outputs), the product transposed: positions of an output row as rows,
 * output channels as lanes, W^T packed once (conv2d_direct_t,
 * plan.transposed); a strided 1x1 without padding then reads the input in
 * place, without the copy (plan.b_in_place). conv2d.c calls these through
 * its plan and launch functions.
 */
#ifndef CLINFER_OPS_CONV_DIRECT_H
#define CLINFER_OPS_CONV_DIRECT_H

#include "conv2d.h"

/* The direct part of conv2d_plan_algo: phases, scratch and chunks, and the
 * transposed form where it pays; out->gemm and out->oh, ow are set. */
clinfer_status conv_direct_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out);

/* Launch i of the plan: per chunk of `count` images from n0, the padded
 * copy and then the product (the product alone when read in place). */
clinfer_status conv_direct_launch(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, int32_t i, int32_t n0, int32_t count,
                                  const conv2d_buffers *b, op_launch *out);

#endif
