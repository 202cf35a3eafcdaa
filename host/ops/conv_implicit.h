/*
 * conv_implicit.h — the "implicit" convolution algorithm of conv2d.h, for
 * the gpu GEMM variant: im2col's product W[OC/groups, K] x cols[K, OH *
 * OW] per image and group, with the lowered matrix never written: the
 * conv_implicit kernel (kernels/conv_implicit.cl) runs gemm_local's tile
 * loop and gathers each B' tile straight from the NCHW input (zero in the
 * padding), weights read in place, bias, activation and residual in
 * gemm_local's epilogue. One launch per run, no scratch, no packing; the
 * GEMM's tiles are gemm_config_for_product's for the product, and a
 * product of few tiles and a long K splits K as im2col's does
 * (conv_implicit_split into partial sums in scratch, then
 * gemm_split_reduce: two launches per chunk of images). Any window,
 * stride, padding, dilation and groups; no fused pool and no blocked
 * layout (conv2d_algo_unfit). Not chosen automatically: built and checked
 * on PoCL, not yet timed against im2col on a GPU (tests/gpu/run.sh sweeps
 * it). conv2d.c calls these from its plan and its GEMM launch.
 */
#ifndef CLINFER_OPS_CONV_IMPLICIT_H
#define CLINFER_OPS_CONV_IMPLICIT_H

#include "conv2d.h"

/* Plans `p` on `out` (oh, ow set): the gpu GEMM's tiles for the product,
 * one launch (two per chunk with split K); CLINFER_ERR_UNSUPPORTED with
 * another GEMM variant. */
clinfer_status conv_implicit_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out);

/* Marks g, conv2d.c's im2col product for `p` with the input as B (batch
 * strides of its images' groups in bs), as gathering B' from the input
 * through p's window (gemm_geometry.conv_gather). */
void conv_implicit_gather(const conv2d_params *p, const conv2d_plan *pl, gemm_geometry *g);

#endif
