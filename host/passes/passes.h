/*
 * passes.h — graph rewrites run by clinfer_model_compile, in this order:
 * activations that exporters write as several nodes (HardSwish, Swish, GELU) made
 * one activation node (patterns.c), then BatchNormalization folded into
 * the convolution before it (or reduced to two coefficient constants), then
 * residual Adds fused into the conv that produces one of their inputs
 * (residual.c), then squeeze-excitation Muls fused into the 1x1
 * convolution that reads their product (scale.c), then activations fused
 * into the conv/GEMM that produces
 * their input, then squeeze-excitation gates (GlobalAveragePool and two
 * 1x1 convolutions) made one node (excite.c), then max pools that tile
 * their input fused into a cheap convolution before them (pool.c), then
 * expansion and depthwise pairs with one activation on small images made
 * one node (exdw.c), then the other such pairs marked for the
 * channel-blocked layout (layout.c), then the other depthwise
 * convolutions and the 1x1 projections after them made one node
 * (dwpw.c), then the expansion and depthwise pairs left with one
 * activation made one node (exdw.c). A pass
 * never reorders nodes: it marks the absorbed node removed and lets the
 * producer write the absorbed node's output value.
 */
#ifndef CLINFER_PASSES_H
#define CLINFER_PASSES_H

#include "../graph.h"

/* Return the number of nodes folded or fused, or a negative status whose
 * message is recorded. */
int pass_fuse_swishes(clinfer_graph *g);
int pass_fuse_gelu(clinfer_graph *g);
int pass_fuse_qdq(clinfer_graph *g);
int pass_fold_batchnorm(clinfer_graph *g);
int pass_fuse_residual_adds(clinfer_graph *g);
int pass_fuse_input_scales(clinfer_graph *g);
int pass_fuse_activations(clinfer_graph *g);
int pass_fuse_squeeze_excite(clinfer_graph *g);
int pass_fuse_max_pools(clinfer_graph *g);
/* After pass_fuse_max_pools: a max pool of any other window (overlapping,
 * padded, ceil mode; no dilation) after a convolution the "stem"
 * algorithm fits becomes part of it (pool.c); returns the number fused. */
int pass_fuse_window_pools(clinfer_graph *g);
/* After pool fusion (with max_pixels EXDW_SMALL_PIXELS and
 * whole_blocks), and again after dwpw.c (any size and channel count): a
 * 1x1 expansion and the depthwise convolution that alone reads its
 * output, both with one activation, on images of at most max_pixels
 * pixels (and a multiple of 16 channels where whole_blocks), become one
 * exdw node where `enabled` (the runtime computes it:
 * conv2d_blocked_layout_ok); returns the number of pairs (exdw.c). */
#define EXDW_SMALL_PIXELS 1024
int pass_fuse_expand_depthwise(clinfer_graph *g, int enabled, int64_t max_pixels,
                               int whole_blocks);
/* Then: a 1x1 expansion and the depthwise convolution that
 * alone reads its output pass that tensor in the channel-blocked layout
 * where `enabled` (the runtime computes it); returns the number of such
 * pairs (layout.c). */
int pass_block_channels(clinfer_graph *g, int enabled);
/* Runs last: a depthwise convolution not in the channel-blocked layout and
 * the 1x1 convolution that alone reads it (and before a 3x3 stride-2
 * layer the 1x1 expansion that alone feeds it) become one dwpw node where
 * `enabled` (the runtime computes it: conv2d_blocked_layout_ok) and the
 * op's local memory fits `local_bytes` (dwpw.c). */
int pass_fuse_depthwise_pointwise(clinfer_graph *g, int enabled, uint64_t local_bytes);
/* Runs first: the LayerNormalization that PyTorch exports below opset 17
 * as ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul][/Add] becomes one
 * layernorm node (layernorm.c). */
int pass_fuse_layernorm(clinfer_graph *g);

/* The producer of value v if it is a live node of kind `op` whose output
 * only feeds one live node and is not a graph output; else NULL. */
graph_node *pass_sole_producer(clinfer_graph *g, int32_t v, op_kind op);

/* Whether conv2d node `conv` has a max pool fused (either kind). */
int pass_conv_pools(const graph_node *conv);

/* Whether conv2d node `conv` (weights as input 1) is a 1x1 convolution
 * that gemm1x1 runs: stride 1, no padding, groups 1, no fused pool. */
int pass_pointwise_conv(const clinfer_graph *g, const graph_node *conv);

/* Whether n is an expansion: a live 1x1 convolution gemm1x1 runs
 * (pass_pointwise_conv), dilation 1, without a residual or an input
 * scale. */
int pass_expansion_conv(const clinfer_graph *g, const graph_node *n);

/* Whether n is a live depthwise convolution (groups == C == OC) that
 * conv2d_depthwise_c16 and conv2d_dwpw compute: 3x3 or 5x5, stride 1 or
 * 2 along both axes, dilation 1, no residual, scale or pool. */
int pass_depthwise_conv(const clinfer_graph *g, const graph_node *n);

/* Sets input `slot` of n to value v, first growing n's inputs to slot + 1
 * with CLINFER_NO_VALUE (optional inputs left out) where it has fewer;
 * returns 0 or a negative status whose message is recorded. */
int pass_set_input(graph_node *n, int32_t slot, int32_t v);

/* Makes `producer` write `absorbed`'s output and removes `absorbed`; the
 * producer's former output value is left without a producer. */
void pass_absorb(clinfer_graph *g, graph_node *producer, graph_node *absorbed);

#endif
