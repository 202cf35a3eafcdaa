/*
 * conv_depthwise.h — the "depthwise" convolution algorithm of conv2d.h for
 * groups == C == OC: conv2d_depthwise_rows on CPUs (a block of rows of one
 * channel per work-item, from a padded tile in local memory) or
 * conv2d_depthwise (16 outputs per work-item: GPUs, and rows too wide for
 * the tile); CLINFER_DEPTHWISE_VARIANT=cpu|gpu|auto forces one. One launch
 * per run, bias and activation fused, no residual. conv2d.c calls these
 * through its plan and launch functions.
 */
#ifndef CLINFER_OPS_CONV_DEPTHWISE_H
#define CLINFER_OPS_CONV_DEPTHWISE_H

#include "conv2d.h"

/* Fills pl's depthwise part (dw_rows, dw_planes); pl->oh and pl->ow are set
 * already. The variant: the runtime's depthwise_variant (config.h). */
clinfer_status conv_depthwise_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl);

/* Creates the launch with its arguments and buffers. */
clinfer_status conv_depthwise_launch(clinfer_runtime *rt, const conv2d_params *p,
                                     const conv2d_plan *pl, const conv2d_buffers *buf,
                                     op_launch *out);

/* The tile of conv2d_depthwise_rows (and conv2d_dwpw, ops/conv_dwpw.h):
 * the floats of one stride phase of a tile row (a multiple of 16), and of
 * the whole tile for `rows` output rows of width ow. */
int64_t depthwise_tile_phase(const conv2d_params *p, int32_t ow);
int64_t depthwise_tile_floats(const conv2d_params *p, int32_t ow, int32_t rows);

/* Why the fused depthwise ops (dwpw's conv2d_dwpw, exdw's
 * conv2d_expand_c16) cannot take their depthwise layer d: not 3x3 or 5x5,
 * a stride other than 1 or 2 along both axes, dilation, or not a plain
 * depthwise convolution (groups == C == OC, no residual, input scale,
 * fused pool or blocked layout); or NULL. */
const char *depthwise_fused_unfit(const conv2d_params *d);

/* The build options of the depthwise programs (one program per model for
 * its depthwise layers of one window size and activation, fused or not):
 * ACT and HAS_BIAS of layer p and, where window5, DW_K=5; *act the
 * activation the launch passes (act_program's). */
opts depthwise_program_options(const conv2d_params *p, int window5, act_params *act);

#endif
