/*
 * conv_transpose.h — 2-D transposed convolution (NCHW, ONNX ConvTranspose
 * semantics, weight [C, OC/groups, KH, KW]): parameter checks, output
 * shape, and the device launches of the two algorithms:
 *
 *   naive  convt_naive: one output per work-item, gathering every input
 *          pixel and tap that reaches it; any parameters, no scratch. The
 *          reference, and the automatic choice only where gemm's column
 *          matrix would not fit (the others were measured faster).
 *   gemm   per image and group the GEMM col = W^T [OC/g * KH * KW, C/g] x
 *          X [C/g, H * W] into scratch (the runtime's GEMM variant: packed
 *          W^T, once; X read in place or packed), then convt_col2im gathers
 *          each output from the columns of the taps that reach it. Every
 *          product of the GEMM is one the scatter definition computes too
 *          (only those cropped away by padding are wasted). Images of
 *          fewer than 32 pixels take the transposed product, col^T = X^T x
 *          W (W packed once), so that the GEMM's columns are the many taps
 *          rather than the few pixels.
 *   direct convt_direct: col2im's gather, from X and W directly (per tap,
 *          the group's channels times their weights), 16 outputs of a
 *          column phase per vector. The automatic choice for at most 4
 *          input channels per group (depthwise), where the GEMM's K would
 *          be too short to pay for it and a col pass.
 * Bias and the activation are fused in all three (the col2im step for
 * gemm). CLINFER_CONV_ALGO=naive forces naive, =im2col forces gemm (its
 * mirror), =direct direct; any other value chooses automatically. Scratch is bounded as conv2d's
 * (CLINFER_CONV_SCRATCH_CAP): images go through it in chunks.
 */
#ifndef CLINFER_OPS_CONV_TRANSPOSE_H
#define CLINFER_OPS_CONV_TRANSPOSE_H

#include "activation.h"
#include "gemm.h"
#include "launch.h"

typedef struct convt_params {
    int32_t n, c, h, w;  /* input shape */
    int32_t oc, kh, kw;  /* output channels (all groups) and kernel size */
    int32_t stride_h, stride_w;
    /* Cropped from the full output at each side; negative (only from an
     * ONNX output_shape larger than the full output) adds outputs that no
     * tap reaches (bias only). */
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t out_pad_h, out_pad_w; /* added at the end (ONNX output_padding) */
    int32_t dil_h, dil_w;
    int32_t groups;
    int has_bias;
    act_params act; /* fused activation */
} convt_params;

/* The buffers of a layer's launches: `bias` only with has_bias, `scratch`
 * (at least plan.scratch_bytes) and `persist` (the packed weights) only
 * where the plan needs them. */
typedef struct convt_buffers {
    dev_tensor input, weight, bias, output; /* graph tensors */
    cl_mem scratch, persist;                /* whole buffers */
} convt_buffers;

/* Stride, dilation and groups 1, no padding. */
convt_params convt_params_default(void);

/* Checks the parameters and computes the output height and width; errors
 * name the offending parameter. */
clinfer_status convt_output_size(clinfer_runtime *rt, const convt_params *p, int32_t *oh,
                                 int32_t *ow);

typedef enum convt_algo {
    CONVT_ALGO_AUTO,
    CONVT_ALGO_NAIVE,
    CONVT_ALGO_GEMM,
    CONVT_ALGO_DIRECT
} convt_algo;

/* "auto", "naive", "gemm", "direct". */
const char *convt_algo_name(convt_algo a);

/* How one layer is computed. */
typedef struct convt_plan {
    convt_algo algo;
    gemm_config gemm;       /* gemm: the GEMM variant and tiles */
    int32_t oh, ow;
    int32_t chunk;          /* images per pass through scratch */
    int32_t per_chunk;      /* launches per chunk: 1 (naive, direct), 2 or 3 (gemm) */
    int32_t launch_count;   /* launches per run */
    uint64_t scratch_bytes; /* gemm: [X packed (unless in place)][col] of a chunk */
    uint64_t col_offset;    /* floats: where col starts in scratch */
    int transposed;         /* gemm: col^T = X^T x W (images of few pixels) */
    int b_in_place;         /* gemm: the GEMM reads its B (X, or W when
                             * transposed) where it is */
    int32_t prep_count;     /* launches packing W^T into `persist`: once when the */
    uint64_t persist_bytes; /* weights are constant, else before every run */
} convt_plan;

/* Plans `p` with algorithm `algo` (CONVT_ALGO_AUTO: the automatic choice). */
clinfer_status convt_plan_algo(clinfer_runtime *rt, const convt_params *p, convt_algo algo,
                               convt_plan *out);

/* Plans `p` with the algorithm the runtime's conv_algo forces (see above). */
clinfer_status convt_plan_make(clinfer_runtime *rt, const convt_params *p, convt_plan *out);

/* The same packing (plan->prep_count == 1) on the host, from the host copy
 * of constant weights into `packed` (plan->persist_bytes worth of
 * elements): no packing program to build at a cold start. */
void convt_pack_on_host(const convt_params *p, const convt_plan *plan, const float *weight,
                        float *packed);

/* Creates preparation launch i (0 <= i < plan->prep_count): packs W^T from
 * `weight` into `persist`. */
clinfer_status convt_prep_launch(clinfer_runtime *rt, const convt_params *p,
                                 const convt_plan *plan, int32_t i, dev_tensor weight,
                                 cl_mem persist, op_launch *out);

/* Creates launch i (0 <= i < plan->launch_count, enqueued in order) with
 * its scalar arguments and binds its buffers. */
clinfer_status convt_launch(clinfer_runtime *rt, const convt_params *p, const convt_plan *plan,
                            int32_t i, const convt_buffers *b, op_launch *out);

#endif
