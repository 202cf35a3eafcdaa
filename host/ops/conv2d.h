/*
 * conv2d.h — 2-D convolution (NCHW, ONNX Conv semantics): parameter checks,
 * output shape, and the device launches of the algorithms:
 *
 *   naive      conv2d_naive: one output per work-item; any parameters.
 *   direct     any parameters: the input copied with its padding to
 *              scratch (split into stride phases), then an implicit GEMM
 *              with the cpu GEMM's register tiles (conv2d_direct); with
 *              the cpu GEMM over a small image (7x7: 64 lanes computed
 *              for 49 outputs), groups 1, the product transposed instead,
 *              positions of an output row as rows and output channels as
 *              lanes, W^T packed once (conv2d_direct_t, plan.transposed;
 *              conv_direct.h).
 *   im2col     any parameters: the input lowered to a [C/groups * KH * KW,
 *              OH * OW] matrix per image and group in scratch (packed as
 *              the cpu GEMM reads it, or row-major for the others), then the
 *              GEMM W[OC/groups, K] x cols.
 *   gemm1x1    1x1 kernel, stride 1, no padding: the GEMM W x X[C, H * W]
 *              per image and group, X read in place (or packed to scratch
 *              when the cpu GEMM cannot read it in place); with the cpu
 *              GEMM over an image whose H * W columns would waste many
 *              lanes of whole panels (7x7: 64 computed for 49), groups 1,
 *              the product transposed instead, X^T W^T with rows = pixels
 *              TM at a time, W^T packed once, the output stored
 *              transposed (plan.transposed).
 *   depthwise  groups == C == OC: conv2d_depthwise_rows (CPUs: a block
 *              of rows of one channel per item, from a padded tile in
 *              local memory) or conv2d_depthwise (GPUs, and images too
 *              wide for the tile: 16 outputs per item);
 *              CLINFER_DEPTHWISE_VARIANT=cpu|gpu|auto forces one
 *              (conv_depthwise.h).
 *   pooled     a fused max pool (pool 2 or 3; groups, stride and dilation
 *              1, kernel up to 5x5, no residual): conv2d_pooled computes
 *              each pool x pool block of conv outputs and stores its
 *              maximum, 16 pooled columns per vector, for short
 *              reductions (C * KH * KW <= CONV2D_POOLED_MAX_K); direct
 *              (transposed, stride 1, groups 1) and winograd (2x2 after
 *              3x3) compute the pools of longer ones.
 *   fc         a 1x1 output: groups 1, no padding, the kernel as large as
 *              the input (squeeze-excitation's 1x1 convolutions over a
 *              pooled 1x1 input, a classifier written as a convolution):
 *              the fully connected product X[N, C * KH * KW] x W', one GEMM
 *              over the batch (the cpu GEMM reads W' packed in panels of
 *              output channels, packed once), instead of a GEMM per image
 *              whose single column fills one lane of its vectors.
 *   stem       groups 1, no residual, C * KH * KW at most 32 (the first
 *              layer of image networks: 3 channels, 3x3): conv2d_stem
 *              computes 16 output channels of 16 columns per step in
 *              registers, reading the input in place (no padded copy, no
 *              packing: direct's copy and short K cost as much as the
 *              product there; conv_stem.h); with a window pool,
 *              conv2d_stem_pool pools each conv row as it computes it.
 *   winograd   3x3, stride 1, dilation 1, groups 1 (any padding): Winograd
 *              F(4x4, 3x3) or F(2x2, 3x3): input tiles transformed to
 *              scratch, batched GEMMs with the transformed weights (packed
 *              once), output transform (conv_winograd.h), which also
 *              computes a fused 2x2 max pool (its tiles are whole windows).
 *   implicit   the gpu GEMM variant, any window, stride, padding, dilation
 *              and groups (no fused pool): im2col's product with the
 *              lowered matrix gathered from the input in the GEMM's tile
 *              loads (conv_implicit, conv_implicit.h): one launch, no
 *              scratch (split K as im2col's: two launches, the partial
 *              sums in scratch). Only when forced: not yet timed on a GPU.
 * Bias and the activation are fused in every algorithm, and so is a
 * residual (groups 1: every algorithm but depthwise and stem). The direct
 * algorithm, and the GEMM-based ones with the cpu GEMM, read the weights
 * packed in panels of output channels (gemm_pack_a), packed once. The GEMM-based
 * ones use the runtime's GEMM variant (gemm.h, CLINFER_GEMM_VARIANT).
 * Scratch is bounded: images go through it in chunks of at most
 * CONV2D_SCRATCH_CAP bytes (one image at least), two launches per chunk
 * (three for winograd);
 * CLINFER_CONV_SCRATCH_CAP=<bytes> sets another bound (tests use it).
 *
 * The automatic choice (CLINFER_CONV_ALGO unset or "auto"): for a window
 * pool stem (the only algorithm that computes one), for a fused
 * max pool winograd where it fits and is preferred (below), else pooled
 * (the only other algorithm that computes one), else with the cpu
 * GEMM variant fc where it fits, else depthwise,
 * else gemm1x1, else with the cpu GEMM variant stem where it fits, else
 * winograd where it fits and
 * is measured faster (conv_winograd_preferred: many channels and tiles;
 * fewer tiles suffice with narrow vectors),
 * else direct (a strided 1x1 kernel over the one stride phase it reads:
 * conv2d_plan.one_phase); with the other GEMM variants im2col.
 */
#ifndef CLINFER_OPS_CONV2D_H
#define CLINFER_OPS_CONV2D_H

#include "activation.h"
#include "gemm.h"
#include "launch.h"
#include "pool2d.h"

#define CONV2D_SCRATCH_CAP ((uint64_t)64 << 20)
/* Reduction length (C / groups * KH * KW) up to which "pooled" is the
 * way to compute a fused max pool (the lecture CNN's first layer has 9);
 * longer ones go to winograd (2x2 pools after 3x3 layers, where it pays)
 * or, with the cpu GEMM, to direct (conv2d_direct_t's fused pool), else
 * the node runs the pool apart (nodes/conv2d.c). */
#define CONV2D_POOLED_MAX_K 64

typedef struct conv2d_params {
    int32_t n, c, h, w; /* input shape */
    int32_t oc, kh, kw; /* output channels and kernel size */
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t dil_h, dil_w;
    int32_t groups;
    int has_bias;
    /* A tensor of the output's shape added before the activation (a fused
     * residual Add); groups must be 1. */
    int has_residual;
    /* The input multiplied by a per-image, per-channel scale [N, C] first
     * (a squeeze-excitation Mul, passes/scale.c): applied by gemm1x1 with
     * the cpu GEMM, groups 1, reading X in place or computing X^T W^T
     * (plan.scale_fused); with any other plan the caller multiplies first
     * and clears it. */
    int has_scale;
    act_params act; /* fused activation */
    /* > 1: a max pool of pool x pool windows with stride pool, applied after
     * the activation (a fused MaxPool): the output is the pooled one,
     * floor(conv output / pool); the "pooled" algorithm computes it, and
     * "winograd" a 2x2 one. A conv node whose plan would be "pooled" over a
     * long reduction runs the convolution and a max pool instead
     * (nodes/conv2d.c). */
    int32_t pool;
    /* window_pool.kh > 0: a max pool of any window, stride, padding and
     * ceil mode (windows that overlap, as SqueezeNet's 3x3 stride 2 after
     * its first layer) applied after the activation; its n, c, h, w are
     * the conv output's. Only "stem" computes it (conv2d_stem_pool), other
     * algorithms refuse; a conv node whose plan cannot (nodes/conv2d.c,
     * conv2d_window_pool_fused) runs a max pool launch after the
     * convolution. Exclusive with `pool`. */
    pool2d_params window_pool;
    /* The channel-blocked layout NCHW16c (passes/layout.c: element (n, c,
     * y, x) at (((n * C/16 + c/16) * H + y) * W + x) * 16 + c % 16, C a
     * multiple of 16) instead of NCHW: gemm1x1 (with the cpu GEMM,
     * transposed, no residual or scale) writes its output so
     * (out_blocked), depthwise reads its input so (in_blocked,
     * conv2d_depthwise_c16); no other algorithm reads or writes it. */
    int in_blocked, out_blocked;
} conv2d_params;

/* The buffers of a layer's launches: `bias` is used only with has_bias,
 * `residual` only with has_residual, `scratch` (at least
 * plan.scratch_bytes) and `persist` (the packed weights) only where the
 * plan needs them. */
typedef struct conv2d_buffers {
    dev_tensor input, weight, bias, residual, output; /* graph tensors */
    cl_mem scratch, persist;                          /* whole buffers */
    dev_tensor scale;                                 /* with has_scale: [N, C] */
} conv2d_buffers;

/* A conv2d_params with stride, dilation and groups 1 and no padding. */
conv2d_params conv2d_params_default(void);

/* Checks the parameters and computes the output height and width; errors
 * name the offending parameter. */
clinfer_status conv2d_output_size(clinfer_runtime *rt, const conv2d_params *p, int32_t *oh,
                                  int32_t *ow);

/* The naive algorithm as one launch without scratch (the eager path):
 * creates the kernel for `p` and sets its scalar arguments. */
clinfer_status conv2d_naive_prepare(clinfer_runtime *rt, const conv2d_params *p, op_launch *out);

/* Sets the naive launch's buffers; `bias` is ignored unless p->has_bias,
 * `residual` unless p->has_residual (either may be NULL then). */
clinfer_status conv2d_naive_bind(clinfer_runtime *rt, op_launch *l, dev_tensor input,
                                 dev_tensor weight, dev_tensor bias, dev_tensor residual,
                                 dev_tensor output);

/* ------------------------------------------------------------ algorithms */

typedef enum conv2d_algo {
    CONV2D_ALGO_AUTO,
    CONV2D_ALGO_NAIVE,
    CONV2D_ALGO_DIRECT,
    CONV2D_ALGO_IM2COL,
    CONV2D_ALGO_GEMM1X1,
    CONV2D_ALGO_WINOGRAD,
    CONV2D_ALGO_DEPTHWISE,
    CONV2D_ALGO_POOLED,
    CONV2D_ALGO_FC,
    CONV2D_ALGO_STEM,
    CONV2D_ALGO_IMPLICIT,
    CONV2D_ALGO_COUNT
} conv2d_algo;

/* "auto", "naive", "direct", "im2col", "gemm1x1", "winograd", "depthwise",
 * "pooled", "fc", "stem", "implicit". */
const char *conv2d_algo_name(conv2d_algo a);

/* NULL if `a` can compute `p`, else why not ("needs stride 1"). */
const char *conv2d_algo_unfit(const conv2d_params *p, conv2d_algo a);

/* Whether conv2d_plan_make computes p's window pool on this runtime: the
 * cpu GEMM, the "stem" algorithm automatic or forced, and fitting the
 * layer with its pool (conv_stem_unfit). */
int conv2d_window_pool_fused(const clinfer_runtime *rt, const conv2d_params *p);

/* Whether p's reduction is longer than "pooled" is fast for
 * (CONV2D_POOLED_MAX_K). */
int conv2d_pooled_too_long(const conv2d_params *p);

/* Whether the runtime computes the channel-blocked layout (in_blocked,
 * out_blocked): the cpu GEMM and the cpu depthwise variant (a CPU's own,
 * or both forced elsewhere), no forced convolution algorithm, and not a
 * CPU with 8-float vectors (AVX2: a float16 takes two registers). */
int conv2d_blocked_layout_ok(const clinfer_runtime *rt);

/* How one layer is computed. */
typedef struct conv2d_plan {
    conv2d_algo algo;
    gemm_config gemm;        /* im2col, gemm1x1, direct, fc: GEMM variant and tiles */
    int32_t oh, ow;
    int32_t chunk;           /* images per pass through scratch */
    int32_t per_chunk;       /* launches per chunk: 1, 2 or 3 (winograd, split im2col) */
    int32_t launch_count;    /* launches per run */
    uint64_t scratch_bytes;  /* scratch the launches share (0: none) */
    int32_t prep_count;      /* launches that pack the weights into `persist`: */
    uint64_t persist_bytes;  /* enqueued once before any run when the weights are
                              * constant, else before every run */
    int b_in_place;          /* gemm1x1 with the cpu GEMM, and direct transposed over
                              * a strided 1x1 without padding: X read in place */
    int scale_fused;         /* has_scale applied by this plan (see conv2d_params) */
    int transposed;          /* gemm1x1 and direct with the cpu GEMM over a small
                              * image: Y^T = X^T W^T (W^T packed once, as fc
                              * packs it); direct's gemm.tm and gemm.nv are then
                              * its positions per tile and panel vectors */
    int32_t pw;              /* im2col: panel width of the lowered matrix */
    int32_t hq, wq, slack;   /* direct: a stride phase of the padded input, and the
                              * zeros after the last one */
    int one_phase;           /* direct, a strided 1x1: only the phase it reads is
                              * written, and the conv runs at stride 1 over it */
    int32_t wm;              /* winograd: output tile size (2 or 4) */
    int dw_blocked;          /* depthwise over NCHW16c (conv2d_depthwise_c16) */
    int32_t dw_rows;         /* depthwise: output rows and planes per work-item */
    int32_t dw_planes;       /* of conv2d_depthwise_rows (rows 0: conv2d_depthwise) */
    int32_t dw_flat;         /* conv2d_depthwise_rows over whole small planes
                              * flattened with this pitch (0: in rows) */
    int split;               /* im2col, gemm1x1, implicit on GPUs: split K (gemm.splits
                              * > 1), one more launch per chunk adds the partial
                              * sums, which lie in scratch at partial_offset floats
                              * (float in every precision) */
    uint64_t partial_offset; /* in floats */
} conv2d_plan;

/* Plans `p` with algorithm `algo` (CONV2D_ALGO_AUTO: the automatic choice).
 * An algorithm that does not apply is CLINFER_ERR_UNSUPPORTED, saying why. */
clinfer_status conv2d_plan_algo(clinfer_runtime *rt, const conv2d_params *p, conv2d_algo algo,
                                conv2d_plan *out);

/* Sets the chunking of `pl` (chunk, per_chunk, launch_count, scratch_bytes)
 * for `per_image` scratch bytes per image plus `extra` once, `per_chunk`
 * launches per chunk, within the scratch bound. */
void conv2d_plan_chunks(const clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl,
                        uint64_t per_image, uint64_t extra, int32_t per_chunk);

/* Plans `p` with the runtime's conv_algo (CLINFER_CONV_ALGO=auto|naive|
 * direct|im2col|gemm1x1|winograd|depthwise|pooled|fc|stem|implicit, read
 * when the runtime was created; unset: auto). A forced algorithm that does not apply to this
 * layer falls back to the automatic choice with a warning in the log. */
clinfer_status conv2d_plan_make(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out);

/* Local size along x of the lowering, padding and depthwise kernels: 1 on
 * a CPU (PoCL runs a work-group as a loop in one thread and compiles each
 * local size separately), a good share of a warp elsewhere. */
size_t conv2d_local_x(const clinfer_runtime *rt);

/* Creates preparation launch i (0 <= i < plan->prep_count): packs `weight`
 * into `persist` (at least plan->persist_bytes). */
clinfer_status conv2d_prep_launch(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *plan, int32_t i, dev_tensor weight,
                                  cl_mem persist, op_launch *out);

/* The weight packing of the GEMM-based algorithms (direct, im2col,
 * gemm1x1: panels of TM output channels; fc: the transposed weights in
 * panels of 16 * NV output channels) done on the host instead, from
 * the host copy of constant weights: conv2d_packs_on_host says whether the
 * plan's preparation is that one; conv2d_pack_on_host writes to `packed`
 * (plan->persist_bytes worth of elements) what conv2d_prep_launch would
 * write to persist. */
int conv2d_packs_on_host(const conv2d_plan *plan);
void conv2d_pack_on_host(const conv2d_params *p, const conv2d_plan *plan, const float *weight,
                         float *packed);

/* Creates launch i (0 <= i < plan->launch_count, enqueued in order) with
 * its scalar arguments and binds its buffers. */
clinfer_status conv2d_launch(clinfer_runtime *rt, const conv2d_params *p,
                             const conv2d_plan *plan, int32_t i, const conv2d_buffers *b,
                             op_launch *out);

#endif
