/*
 * conv_winograd.h — the "winograd" convolution algorithm of conv2d.h:
 * F(m x m, 3 x 3) (m = 4, or 2 for small images) for 3x3 kernels with
 * stride 1, dilation 1 and groups 1, any padding. Per chunk of images
 * three launches (kernels/conv_winograd.cl and the runtime's GEMM):
 *   0  the input tiles transformed into (m + 2)^2 matrices V [C, tiles]
 *      in scratch (packed B panels for the cpu GEMM, else row-major);
 *   1  (m + 2)^2 GEMMs U [OC, C] x V into M [OC, tiles] in scratch;
 *   2  M transformed back to the output tiles, bias and activation fused;
 * or two with the cpu GEMM where an item's U and V panels are small
 * (conv_winograd.c, wino_fused): 1 and 2 as one kernel,
 * conv2d_winograd_fused, and no M.
 * U, the transformed weights, is written once into persist memory by the
 * preparation launch (packed A panels for the cpu GEMM).
 * conv2d.c calls these through its plan and launch functions.
 */
#ifndef CLINFER_OPS_CONV_WINOGRAD_H
#define CLINFER_OPS_CONV_WINOGRAD_H

#include "conv2d.h"

/* NULL if Winograd can compute `p`, else why not. */
const char *conv_winograd_unfit(const conv2d_params *p);

/* Whether the automatic choice (cpu GEMM) should take Winograd over direct
 * for `p` (which it must fit): by shape and whether the CPU's vectors are
 * narrow (gemm_cpu_vectors_narrow), from measurements (see .c). */
int conv_winograd_preferred(const conv2d_params *p, int narrow_vectors);

/* Fills pl's Winograd part: tile size, persist memory and its one
 * preparation launch, the chunks of scratch (three or two launches per
 * chunk).
 * pl->gemm, pl->oh and pl->ow are set already. */
clinfer_status conv_winograd_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl);

/* The preparation launch: the weights transformed into `persist`. */
clinfer_status conv_winograd_prep(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, dev_tensor weight, cl_mem persist,
                                  op_launch *out);

/* Launch `step` (0, 1, 2 as above; 0, 1 fused) of the chunk of `count` images from n0. */
clinfer_status conv_winograd_launch(clinfer_runtime *rt, const conv2d_params *p,
                                    const conv2d_plan *pl, int32_t step, int32_t n0,
                                    int32_t count, const conv2d_buffers *b, op_launch *out);

#endif
