/*
 * residual.c — residual Add fusion: Add(conv(x), r), in either order, where
 * r has the sum's shape and is ready before the convolution runs, becomes a
 * convolution that adds r in its epilogue (ResNet's shortcut connections),
 * saving a pass over memory and a launch. Runs before activation fusion, so
 * the ReLU after such an Add is fused as well, applied after the sum.
 * Only convolutions with groups 1 take a residual (the depthwise kernels
 * have no residual epilogue).
 */
#include <stdlib.h>

#include "../shape.h"
#include "passes.h"

/* Whether value r exists before node `at` runs: an input, a constant, or
 * the output of an earlier node (nodes run in index order). */
static int ready_before(const clinfer_graph *g, int32_t r, int32_t at)
{
    const graph_value *v = &g->values[r];
    return v->kind != VALUE_NODE || (v->producer >= 0 && v->producer < at);
}

/* The convolution feeding input `side` of Add node n that can take the
 * other input as its residual, or NULL. */
static graph_node *fusable_conv(clinfer_graph *g, const graph_node *n, int side)
{
    graph_node *conv = pass_sole_producer(g, n->inputs[side], OP_CONV2D);
    const int32_t r = n->inputs[1 - side];
    if (!conv || r < 0 || conv->attrs.conv.activation != CLINFER_ACT_NONE ||
        conv->attrs.conv.groups != 1 || conv->input_count > 3)
        return NULL;
    const clinfer_shape *out = &g->values[n->output].shape;
    if (!shape_equal(&g->values[r].shape, out) ||
        !shape_equal(&g->values[n->inputs[side]].shape, out))
        return NULL;
    return ready_before(g, r, (int32_t)(conv - g->nodes)) ? conv : NULL;
}

int pass_fuse_residual_adds(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *n = &g->nodes[i];
        if (n->removed || n->op != OP_BINARY || n->attrs.binary.op != CLINFER_BINARY_ADD ||
            n->input_count != 2)
            continue;
        for (int side = 0; side < 2; side++) {
            graph_node *conv = fusable_conv(g, n, side);
            if (!conv)
                continue;
            const int st = pass_set_input(conv, 3, n->inputs[1 - side]);
            if (st < 0)
                return st;
            pass_absorb(g, conv, n);
            fused++;
            break;
        }
    }
    return fused;
}
