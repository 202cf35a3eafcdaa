/*
 * dwpw.c — depthwise + pointwise fusion: a depthwise convolution
 * (pass_depthwise_conv) whose output only a 1x1 convolution reads (no
 * activation after it, its weights a constant with a host copy, any
 * residual) becomes one dwpw node (ops/conv_dwpw.h) in the 1x1 node's
 * place: the inverted residual blocks' depthwise layer and projection.
 * The depthwise output then never leaves the work-item that computes it,
 * and the pair is one launch (PoCL starts each launch 6-15 us late on two
 * threads; MobileNetV2 has 17 such pairs). Before a 3x3 stride-2
 * depthwise layer the block's 1x1 expansion is taken in too: the expanded
 * tensor is the block's largest. (Without a projection after them, as in
 * EfficientNet-B0 where the squeeze-excitation reads the depthwise
 * output, the expansion and depthwise layer fused gained 0.075 ms on one
 * thread, nothing measurable end to end, and cost its cold start 0.9 s
 * for the kernel's code generation with Swish: not fused.)
 * Only where the runtime computes the op (CPUs:
 * conv2d_blocked_layout_ok), for depthwise layers that do not read the
 * channel-blocked layout (layout.c runs first: on 28x28 images its
 * depthwise kernel and the separate projection took 0.151 ms a pair,
 * fused 0.179-0.182; one PoCL thread, MobileNetV2's 192-channel blocks)
 * and output rows of at least DWPW_MIN_WIDTH (16-float vectors).
 */
#include "../ops/conv_dwpw.h"
#include "passes.h"

/* Narrowest output rows fused (rows of 16-float vectors: 14 fills 14 of
 * 16 lanes). */
#define DWPW_MIN_WIDTH 28
/* The depthwise stride and window at which the expansion before it is
 * fused too: each work-item computes the expansion of the input rows its 4
 * output rows read, 9 for 8 with 3x3 windows at stride 2 (an eighth more
 * work), 6 for 4 at stride 1 (a half more: MobileNetV2's 24 -> 144
 * expansion and depthwise layer at 56x56, one thread, 0.675 -> 0.728 ms),
 * 11 for 8 with 5x5 windows (EfficientNet-B0's 24 -> 144 and 5x5 at
 * stride 2 with Swish, 0.598 -> 0.693 ms). */
#define DWPW_EXPAND_STRIDE 2
#define DWPW_EXPAND_WINDOW 3

/* The 1x1 convolution the op computes: no activation or input scale,
 * weights a constant with a host copy. */
static int projection(const clinfer_graph *g, const graph_node *n)
{
    if (n->op != OP_CONV2D || n->removed || n->input_count < 2 || n->input_count > 4 ||
        !pass_pointwise_conv(g, n) || n->attrs.conv.activation != CLINFER_ACT_NONE)
        return 0;
    const graph_value *w = &g->values[n->inputs[1]];
    return w->kind == VALUE_CONSTANT && w->data != NULL;
}

/* The expansion the op computes too: the 1x1 convolution that alone
 * produces dw's input, with dw's activation (the kernel applies one to
 * both), no residual or scale, not in the channel-blocked layout; only
 * before a 3x3 stride-2 depthwise layer (DWPW_EXPAND_*). Else NULL. */
static graph_node *expansion_of(clinfer_graph *g, const graph_node *dw)
{
    if (dw->attrs.conv.stride_h != DWPW_EXPAND_STRIDE ||
        g->values[dw->inputs[1]].shape.dims[2] != DWPW_EXPAND_WINDOW)
        return NULL;
    graph_node *ex = pass_sole_producer(g, dw->inputs[0], OP_CONV2D);
    const clinfer_conv2d_desc *a = ex ? &ex->attrs.conv : NULL, *b = &dw->attrs.conv;
    if (!ex || ex->input_count > 3 || !pass_pointwise_conv(g, ex) || ex->out_blocked ||
        a->activation != b->activation || a->act_alpha != b->act_alpha ||
        a->act_beta != b->act_beta || g->values[ex->inputs[0]].shape.rank != 4)
        return NULL;
    return ex;
}

/* Whether the depthwise layer's output rows are wide enough and its local
 * memory fits (with the expansion's tiles where `expand`). */
static int fits(const clinfer_graph *g, const graph_node *dw, int expand, uint64_t local_bytes)
{
    const clinfer_shape *x = &g->values[dw->inputs[0]].shape;
    const clinfer_shape *y = &g->values[dw->output].shape;
    if (x->rank != 4 || y->rank != 4 || y->dims[3] < DWPW_MIN_WIDTH || x->dims[1] < 1 ||
        x->dims[3] < 1)
        return 0;
    const int64_t k = g->values[dw->inputs[1]].shape.dims[2];
    const int64_t bound = dwpw_local_bound(x->dims[1], x->dims[3], y->dims[3], k,
                                           dw->attrs.conv.stride_h, expand);
    return bound <= DWPW_LOCAL_MAX && (uint64_t)bound <= local_bytes;
}

/* pw becomes the dwpw node of [ex ->] dw -> pw; dw (and ex) are removed.
 * 0 or a negative status. */
static int make_dwpw(clinfer_graph *g, graph_node *ex, graph_node *dw, graph_node *pw)
{
    const int32_t x = ex ? ex->inputs[0] : dw->inputs[0], wd = dw->inputs[1];
    const int32_t bd = dw->input_count > 2 ? dw->inputs[2] : CLINFER_NO_VALUE;
    const int32_t wp = pw->inputs[1];
    const int32_t bp = pw->input_count > 2 ? pw->inputs[2] : CLINFER_NO_VALUE;
    const int32_t r = pw->input_count > 3 ? pw->inputs[3] : CLINFER_NO_VALUE;
    const int32_t we = ex ? ex->inputs[1] : CLINFER_NO_VALUE;
    const int32_t be = ex && ex->input_count > 2 ? ex->inputs[2] : CLINFER_NO_VALUE;
    const int st = pass_set_input(pw, ex ? 7 : 5, r); /* grows the inputs to six or eight */
    if (st < 0)
        return st;
    pw->inputs[0] = x, pw->inputs[1] = wd, pw->inputs[2] = bd;
    pw->inputs[3] = wp, pw->inputs[4] = bp, pw->inputs[5] = r;
    if (ex)
        pw->inputs[6] = we, pw->inputs[7] = be;
    pw->op = OP_DWPW;
    pw->attrs.conv = dw->attrs.conv; /* the depthwise layer's, with its activation */
    g->values[dw->output].producer = -1; /* read by nobody now */
    dw->removed = 1;
    if (ex) {
        g->values[ex->output].producer = -1;
        ex->removed = 1;
    }
    return 0;
}

int pass_fuse_depthwise_pointwise(clinfer_graph *g, int enabled, uint64_t local_bytes)
{
    int fused = 0;
    for (int32_t i = 0; enabled && i < g->node_count; i++) {
        graph_node *pw = &g->nodes[i];
        if (!projection(g, pw))
            continue;
        graph_node *dw = pass_sole_producer(g, pw->inputs[0], OP_CONV2D);
        if (!dw || !pass_depthwise_conv(g, dw) || dw->in_blocked || !fits(g, dw, 0, local_bytes))
            continue;
        graph_node *ex = expansion_of(g, dw);
        if (ex && !fits(g, dw, 1, local_bytes))
            ex = NULL;
        const int st = make_dwpw(g, ex, dw, pw);
        if (st < 0)
            return st;
        fused++;
    }
    return fused;
}
