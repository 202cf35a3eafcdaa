/*
 * fuse.c — activation fusion: an activation (ReLU, LeakyReLU, Clip,
 * Sigmoid, ..., every line of CLINFER_ACTIVATION_TABLE) that follows a
 * conv2d, conv_transpose or GEMM becomes that kernel's epilogue, saving one
 * pass over memory and one launch.
 */
#include <stdlib.h>

#include "passes.h"

graph_node *pass_sole_producer(clinfer_graph *g, int32_t v, op_kind op)
{
    if (v < 0 || g->values[v].kind != VALUE_NODE || g->values[v].producer < 0)
        return NULL;
    graph_node *p = &g->nodes[g->values[v].producer];
    if (p->removed || p->op != op || graph_is_output(g, v) || graph_consumer_count(g, v) != 1)
        return NULL;
    return p;
}

int pass_conv_pools(const graph_node *conv)
{
    return conv->fused_pool > 1 || conv->window_pool.kernel_h > 0;
}

int pass_pointwise_conv(const clinfer_graph *g, const graph_node *conv)
{
    const clinfer_conv2d_desc *d = &conv->attrs.conv;
    const clinfer_shape *w = &g->values[conv->inputs[1]].shape;
    return w->rank == 4 && w->dims[2] == 1 && w->dims[3] == 1 && d->groups == 1 &&
           d->stride_h == 1 && d->stride_w == 1 && d->pad_top == 0 && d->pad_left == 0 &&
           d->pad_bottom == 0 && d->pad_right == 0 && !pass_conv_pools(conv);
}

int pass_expansion_conv(const clinfer_graph *g, const graph_node *n)
{
    return n->op == OP_CONV2D && !n->removed && n->input_count >= 2 && n->input_count <= 3 &&
           pass_pointwise_conv(g, n) && n->attrs.conv.dilation_h == 1 &&
           n->attrs.conv.dilation_w == 1;
}

int pass_depthwise_conv(const clinfer_graph *g, const graph_node *n)
{
    if (n->op != OP_CONV2D || n->removed || n->input_count < 2)
        return 0;
    const clinfer_conv2d_desc *d = &n->attrs.conv;
    const clinfer_shape *w = &g->values[n->inputs[1]].shape;
    const clinfer_shape *x = &g->values[n->inputs[0]].shape;
    return w->rank == 4 && x->rank == 4 && d->groups == x->dims[1] && w->dims[0] == x->dims[1] &&
           w->dims[1] == 1 && w->dims[2] == w->dims[3] && (w->dims[2] == 3 || w->dims[2] == 5) &&
           d->stride_h == d->stride_w && d->stride_h <= 2 && d->dilation_h == 1 &&
           d->dilation_w == 1 && !pass_conv_pools(n) && n->input_count <= 3;
}

void pass_absorb(clinfer_graph *g, graph_node *producer, graph_node *absorbed)
{
    g->values[producer->output].producer = -1; /* now produced by nobody */
    producer->output = absorbed->output;
    g->values[absorbed->output].producer = (int32_t)(producer - g->nodes);
    absorbed->removed = 1;
}

int pass_set_input(graph_node *n, int32_t slot, int32_t v)
{
    if (slot >= n->input_count) {
        int32_t *inputs = realloc(n->inputs, (size_t)(slot + 1) * sizeof *inputs);
        if (!inputs)
            return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        for (int32_t k = n->input_count; k < slot; k++)
            inputs[k] = CLINFER_NO_VALUE; /* optional inputs left out */
        n->inputs = inputs;
        n->input_count = slot + 1;
    }
    n->inputs[slot] = v;
    return 0;
}

static int fusable(clinfer_unary_op op)
{
    return op >= CLINFER_UNARY_RELU && (int)op < CLINFER_ACT_COUNT; /* the activations */
}

int pass_fuse_activations(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *n = &g->nodes[i];
        if (n->removed || n->op != OP_UNARY || !fusable(n->attrs.unary.op))
            continue;
        /* The unary op values match clinfer_activation's for the activations. */
        clinfer_activation act = (clinfer_activation)n->attrs.unary.op;
        graph_node *conv = pass_sole_producer(g, n->inputs[0], OP_CONV2D);
        graph_node *gemm = pass_sole_producer(g, n->inputs[0], OP_GEMM);
        graph_node *convt = pass_sole_producer(g, n->inputs[0], OP_CONV_TRANSPOSE);
        if (conv && conv->attrs.conv.activation == CLINFER_ACT_NONE) {
            conv->attrs.conv.activation = act;
            conv->attrs.conv.act_alpha = n->attrs.unary.alpha;
            conv->attrs.conv.act_beta = n->attrs.unary.beta;
            pass_absorb(g, conv, n);
            fused++;
        } else if (convt && convt->attrs.conv_transpose.activation == CLINFER_ACT_NONE) {
            convt->attrs.conv_transpose.activation = act;
            convt->attrs.conv_transpose.act_alpha = n->attrs.unary.alpha;
            convt->attrs.conv_transpose.act_beta = n->attrs.unary.beta;
            pass_absorb(g, convt, n);
            fused++;
        } else if (gemm && gemm->attrs.gemm.activation == CLINFER_ACT_NONE) {
            gemm->attrs.gemm.activation = act;
            gemm->attrs.gemm.act_alpha = n->attrs.unary.alpha;
            gemm->attrs.gemm.act_beta = n->attrs.unary.beta;
            pass_absorb(g, gemm, n);
            fused++;
        }
    }
    return fused;
}
