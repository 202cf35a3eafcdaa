/*
 * layout.c — the channel-blocked layout (NCHW16c, ops/conv2d.h) between a
 * 1x1 expansion and the depthwise convolution that alone reads its output
 * (the inverted residual blocks of MobileNetV2/V3 and EfficientNet): the
 * expansion writes that tensor with 16 channels innermost (the cpu GEMM
 * computing X^T W^T stores each pixel's 16 channels as one vector), and
 * the depthwise layer reads it with one vector load and FMA per tap, every
 * lane used, where NCHW rows of 7 or 14 filled 7 or 14 of 16
 * (conv2d_depthwise_c16), then writes its own output NCHW: nothing else
 * sees the layout. (Its projection reading the layout too, transposed,
 * was slower than the NCHW product it replaced.) Channel counts must be
 * multiples of 16, images of 16 (a row tile of the transposed GEMM) to
 * BLOCKED_MAX_PIXELS pixels. Runs after exdw.c (which makes the pairs
 * with one activation one node, the expanded tensor never in memory:
 * what is left here are pairs with two activations) and the other
 * fusions, but before dwpw.c (which leaves these depthwise layers alone:
 * on 28x28 images the blocked depthwise layer and its separate
 * projection were faster than the fused pair on one thread), and only
 * where the runtime computes the layout (conv2d_blocked_layout_ok): the
 * flags are the plan of both nodes.
 */
#include "../ops/conv2d.h"
#include "passes.h"

/* Images up to this many pixels take the layout: on MobileNetV2's 56x56
 * and 112x112 ones the transposed expansion lost what the depthwise layer
 * gained (56x56, stride 1: 0.140 -> 0.165 ms and 0.113 -> 0.116; 28x28
 * and below gained, 7x7 layers 0.055 -> 0.026 ms; two PoCL threads,
 * 2-core EPYC). */
#define BLOCKED_MAX_PIXELS 1024

/* Whether value v is [N, C, H, W] with C a multiple of 16 and 16 to
 * BLOCKED_MAX_PIXELS pixels. */
static int blockable(const clinfer_graph *g, int32_t v)
{
    const clinfer_shape *s = &g->values[v].shape;
    const int64_t pixels = s->rank == 4 ? (int64_t)s->dims[2] * s->dims[3] : 0;
    return s->rank == 4 && s->dims[1] > 0 && s->dims[1] % 16 == 0 && s->dims[2] > 0 &&
           s->dims[3] > 0 && pixels >= 16 && pixels <= BLOCKED_MAX_PIXELS;
}

int pass_block_channels(clinfer_graph *g, int enabled)
{
    int pairs = 0;
    for (int32_t i = 0; enabled && i < g->node_count; i++) {
        graph_node *dw = &g->nodes[i];
        if (!pass_depthwise_conv(g, dw) || !blockable(g, dw->inputs[0]))
            continue;
        graph_node *expand = pass_sole_producer(g, dw->inputs[0], OP_CONV2D);
        if (!expand || !pass_expansion_conv(g, expand) || expand->out_blocked)
            continue;
        expand->out_blocked = 1;
        dw->in_blocked = 1;
        pairs++;
    }
    return pairs;
}
