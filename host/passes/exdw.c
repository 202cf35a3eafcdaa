/*
 * exdw.c — expansion + depthwise fusion: a 1x1 expansion (no residual or
 * input scale) and the depthwise convolution that alone reads its output
 * (conv2d_expand_c16's windows and strides), both applying the same
 * activation (the kernel's one ACT), weights and biases constants with
 * host copies, become one exdw node (ops/conv_exdw.h) in the depthwise
 * node's place (any channel count: the last block of 16 may be partial,
 * as in MobileNetV3's 72-, 120- and 184-channel blocks). The expanded
 * tensor (the block's largest) then goes from the expansion to the
 * depthwise layer inside one work-item, and the pair is one launch.
 * model.c runs it twice: first for images of at most EXDW_SMALL_PIXELS
 * (a work-item takes a whole image; MobileNetV2's 13 blocks at 28x28 and
 * below) and whole blocks of 16 channels (the pairs layout.c would take
 * otherwise), before layout.c puts the pairs left there (two
 * activations) in the channel-blocked layout; then for any image and
 * channel count after dwpw.c, which keeps the depthwise layers followed
 * by a lone projection (one launch for the pair, or with the expansion
 * the three: MobileNetV2's blocks at 56x56 and 112x112), leaving those
 * read by something else: a squeeze-excitation (EfficientNet-B0's
 * 112x112 and 56x56 blocks: 0.461 + 0.218 ms for the expansion to 96
 * channels and the stride-2 depthwise layer apart, 0.580 fused, two PoCL
 * threads).
 */
#include "passes.h"

/* Widest expanded rows fused: a band of one output row keeps a window's
 * rows of 16 channels in scratch (5 x 2048 x 64 bytes: 640 KB). */
#define EXDW_MAX_WIDTH 2048

/* Whether value v is [N, C, H, W] with at most max_pixels pixels and
 * EXDW_MAX_WIDTH columns, and C a multiple of 16 where whole_blocks. */
static int fusable_image(const clinfer_graph *g, int32_t v, int64_t max_pixels,
                         int whole_blocks)
{
    const clinfer_shape *s = &g->values[v].shape;
    return s->rank == 4 && s->dims[1] > 0 && (!whole_blocks || s->dims[1] % 16 == 0) &&
           s->dims[2] > 0 && s->dims[3] > 0 && s->dims[3] <= EXDW_MAX_WIDTH &&
           (int64_t)s->dims[2] * s->dims[3] <= max_pixels;
}

/* The expansion ex and depthwise layer dw apply the same activation. */
static int same_activation(const graph_node *ex, const graph_node *dw)
{
    const clinfer_conv2d_desc *a = &ex->attrs.conv, *b = &dw->attrs.conv;
    return a->activation == b->activation && a->act_alpha == b->act_alpha &&
           a->act_beta == b->act_beta;
}

static int constant_with_data(const clinfer_graph *g, int32_t v)
{
    return g->values[v].kind == VALUE_CONSTANT && g->values[v].data != NULL;
}

/* Node n's weights (input 1) and bias (input 2, if any) are constants
 * with host copies: the node packs them. */
static int constant_weights(const clinfer_graph *g, const graph_node *n)
{
    return constant_with_data(g, n->inputs[1]) &&
           (n->input_count < 3 || n->inputs[2] == CLINFER_NO_VALUE ||
            constant_with_data(g, n->inputs[2]));
}

/* dw becomes the exdw node of ex -> dw; ex is removed. 0 or a negative
 * status. */
static int make_exdw(clinfer_graph *g, graph_node *ex, graph_node *dw)
{
    const int32_t x = ex->inputs[0], we = ex->inputs[1];
    const int32_t be = ex->input_count > 2 ? ex->inputs[2] : CLINFER_NO_VALUE;
    const int32_t wd = dw->inputs[1];
    const int32_t bd = dw->input_count > 2 ? dw->inputs[2] : CLINFER_NO_VALUE;
    const int st = pass_set_input(dw, 4, bd); /* grows the inputs to five */
    if (st < 0)
        return st;
    dw->inputs[0] = x, dw->inputs[1] = we, dw->inputs[2] = be, dw->inputs[3] = wd;
    dw->op = OP_EXDW; /* attrs.conv stay the depthwise layer's */
    g->values[ex->output].producer = -1; /* read by nobody now */
    ex->removed = 1;
    return 0;
}

int pass_fuse_expand_depthwise(clinfer_graph *g, int enabled, int64_t max_pixels,
                               int whole_blocks)
{
    int fused = 0;
    for (int32_t i = 0; enabled && i < g->node_count; i++) {
        graph_node *dw = &g->nodes[i];
        if (!pass_depthwise_conv(g, dw) ||
            !fusable_image(g, dw->inputs[0], max_pixels, whole_blocks) || !constant_weights(g, dw))
            continue;
        graph_node *ex = pass_sole_producer(g, dw->inputs[0], OP_CONV2D);
        if (!ex || !pass_expansion_conv(g, ex) || !same_activation(ex, dw) ||
            !constant_weights(g, ex) || g->values[ex->inputs[0]].shape.rank != 4)
            continue;
        const int st = make_exdw(g, ex, dw);
        if (st < 0)
            return st;
        fused++;
    }
    return fused;
}
