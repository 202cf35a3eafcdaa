/*
 * scale.c — squeeze-excitation Mul fusion: Conv(Mul(x, s)), in either
 * operand order, where s has shape [N, C, 1, 1] (one factor per image and
 * channel of x [N, C, H, W]) and the product feeds only the convolution,
 * becomes a convolution with s as its input scale (input 4; ops/conv2d.h).
 * MobileNetV3 and EfficientNet end each excitation block with that Mul
 * before a 1x1 projection: the 1x1 GEMM then scales B's rows as it reads
 * them, which saves the Mul's launch and its pass over memory. Only 1x1,
 * stride 1, unpadded, ungrouped convolutions take it (the algorithm that
 * applies it, gemm1x1); on other devices or forced algorithms the
 * convolution node multiplies first, as the Mul did.
 */
#include "../shape.h"
#include "passes.h"

/* Whether s is [N, C, 1, 1] for x [N, C, H, W]. */
static int channel_scale(const clinfer_shape *s, const clinfer_shape *x)
{
    return s->rank == 4 && x->rank == 4 && s->dims[0] == x->dims[0] &&
           s->dims[1] == x->dims[1] && s->dims[2] == 1 && s->dims[3] == 1;
}

int pass_fuse_input_scales(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *conv = &g->nodes[i];
        if (conv->removed || conv->op != OP_CONV2D || conv->input_count < 2 ||
            conv->input_count > 4 || !pass_pointwise_conv(g, conv))
            continue;
        graph_node *mul = pass_sole_producer(g, conv->inputs[0], OP_BINARY);
        if (!mul || mul->attrs.binary.op != CLINFER_BINARY_MUL || mul->input_count != 2)
            continue;
        const clinfer_shape *out = &g->values[mul->output].shape;
        for (int side = 0; side < 2; side++) {
            const int32_t x = mul->inputs[side], s = mul->inputs[1 - side];
            if (!shape_equal(&g->values[x].shape, out) ||
                !channel_scale(&g->values[s].shape, out))
                continue;
            const int st = pass_set_input(conv, 4, s);
            if (st < 0)
                return st;
            conv->inputs[0] = x;
            g->values[mul->output].producer = -1; /* read by nobody now */
            mul->removed = 1;
            fused++;
            break;
        }
    }
    return fused;
}
