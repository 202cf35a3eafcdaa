/*
 * excite.c — squeeze-excitation gate fusion: GlobalAveragePool(x) -> 1x1
 * conv C -> S (any fused activation) -> 1x1 conv S -> C with a fused
 * Sigmoid or HardSigmoid, each feeding only the next, becomes one
 * squeeze_excite node (ops/excite.h) reading x and both convolutions'
 * weights and biases. EfficientNet and MobileNetV3 gate every block so;
 * the three small launches cost PoCL more to start on two threads than
 * their work (EfficientNet-B0 at batch 1: 16 blocks, 32 launches fewer).
 * Runs after activation fusion, which puts the activations into the
 * convolutions; the Mul that applies the gate is the input scale pass's.
 */
#include "../ops/excite.h"
#include "passes.h"

/* Whether conv is an ungrouped, unpadded 1x1 convolution with weights,
 * optionally a bias, and nothing else fused (no residual, scale or pool). */
static int plain_pointwise(const clinfer_graph *g, const graph_node *conv)
{
    const clinfer_conv2d_desc *d = &conv->attrs.conv;
    if (conv->input_count < 2 || conv->input_count > 3 || pass_conv_pools(conv))
        return 0;
    const clinfer_shape *w = &g->values[conv->inputs[1]].shape;
    const int unpadded = d->pad_mode != CLINFER_PAD_EXPLICIT ||
                         (d->pad_top == 0 && d->pad_left == 0 && d->pad_bottom == 0 &&
                          d->pad_right == 0);
    return w->rank == 4 && w->dims[2] == 1 && w->dims[3] == 1 && d->groups == 1 && unpadded;
}

/* The bias of a plain_pointwise conv, or CLINFER_NO_VALUE. */
static int32_t bias_of(const graph_node *conv)
{
    return conv->input_count > 2 ? conv->inputs[2] : CLINFER_NO_VALUE;
}

/* Whether gap -> fc1 -> fc2 is a gate over x: x [N, C, H, W], fc1's
 * weights [S, C, 1, 1], fc2's [C, S, 1, 1] and a constant with a host copy
 * (the node transposes it once), within the op's size. */
static int gate_shapes(const clinfer_graph *g, const graph_node *gap, const graph_node *fc1,
                       const graph_node *fc2)
{
    const clinfer_shape *x = &g->values[gap->inputs[0]].shape;
    const clinfer_shape *w1 = &g->values[fc1->inputs[1]].shape;
    const clinfer_shape *w2 = &g->values[fc2->inputs[1]].shape;
    if (x->rank != 4)
        return 0;
    const int64_t C = x->dims[1], S = w1->dims[0];
    const graph_value *w2v = &g->values[fc2->inputs[1]];
    return w1->dims[1] == C && w2->dims[0] == C && w2->dims[1] == S &&
           C + S <= EXCITE_MAX_UNITS && w2v->kind == VALUE_CONSTANT && w2v->data;
}

/* fc2 becomes the squeeze_excite node of gap -> fc1 -> fc2; the two
 * others are removed. 0 or a negative status. */
static int make_excite(clinfer_graph *g, graph_node *gap, graph_node *fc1, graph_node *fc2)
{
    const clinfer_conv2d_desc d1 = fc1->attrs.conv, d2 = fc2->attrs.conv;
    const int32_t x = gap->inputs[0], w1 = fc1->inputs[1], b1 = bias_of(fc1);
    const int32_t w2 = fc2->inputs[1], b2 = bias_of(fc2);
    const int st = pass_set_input(fc2, 4, b2); /* grows the inputs to five */
    if (st < 0)
        return st;
    fc2->inputs[0] = x, fc2->inputs[1] = w1, fc2->inputs[2] = b1, fc2->inputs[3] = w2;
    fc2->op = OP_SQUEEZE_EXCITE;
    fc2->attrs.excite = (struct excite_attrs){d1.activation, d2.activation, d1.act_alpha,
                                              d1.act_beta, d2.act_alpha, d2.act_beta};
    g->values[gap->output].producer = -1; /* read by nobody now */
    g->values[fc1->output].producer = -1;
    gap->removed = fc1->removed = 1;
    return 0;
}

int pass_fuse_squeeze_excite(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *fc2 = &g->nodes[i];
        if (fc2->removed || fc2->op != OP_CONV2D || !plain_pointwise(g, fc2) ||
            (fc2->attrs.conv.activation != CLINFER_ACT_SIGMOID &&
             fc2->attrs.conv.activation != CLINFER_ACT_HARD_SIGMOID))
            continue;
        graph_node *fc1 = pass_sole_producer(g, fc2->inputs[0], OP_CONV2D);
        if (!fc1 || !plain_pointwise(g, fc1))
            continue;
        graph_node *gap = pass_sole_producer(g, fc1->inputs[0], OP_GLOBAL_POOL);
        if (!gap || gap->attrs.global_pool != CLINFER_POOL_AVG || !gate_shapes(g, gap, fc1, fc2))
            continue;
        const int st = make_excite(g, gap, fc1, fc2);
        if (st < 0)
            return st;
        fused++;
    }
    return fused;
}
