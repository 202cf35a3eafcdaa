/*
 * pool.c — max pool fusion: a MaxPool whose windows tile its input (kernel
 * = stride = P, 2 or 3; no padding, no dilation, floor mode) after a
 * convolution (stride and dilation 1, groups 1, no residual) becomes part
 * of that convolution, whose output, the largest tensor of LeNet- and
 * VGG-style networks, is then never written and read back:
 *   - a short reduction (C * KH * KW <= CONV2D_POOLED_MAX_K): the "pooled"
 *     algorithm computes each P x P block of conv outputs (bias,
 *     activation) and stores only its maximum;
 *   - a longer one, with the cpu GEMM: direct's transposed kernel
 *     (conv2d_direct_t) keeps the windows of P conv rows in registers and
 *     stores their maxima, or, for a 2x2 pool after a 3x3 layer where
 *     winograd is preferred, winograd's output transform does; elsewhere
 *     (GPUs) the node runs the convolution and the pool apart, as before
 *     (nodes/conv2d.c).
 * Kernels up to 5x5 (the pooled kernel's limit, whichever algorithm the
 * plan picks).
 * Runs after activation fusion: max(act(conv)), the order of the graph.
 *
 * Then (pass_fuse_window_pools) any other max pool without dilation
 * (windows that overlap, as SqueezeNet's 3x3 stride 2 after its first
 * layer, padding, ceil mode) after a convolution the "stem" algorithm
 * fits (groups 1, C * KH * KW <= STEM_MAX_K, no residual or input scale):
 * conv2d_stem_pool pools the conv rows as it computes them, and the conv
 * output (3 MB there, written and read back at memory speed) never
 * reaches memory. Where the plan is not "stem" (GPUs, a forced algorithm,
 * rows too wide for its private memory), the node runs the pool after the
 * convolution (nodes/conv2d.c), as the graph did.
 */
#include "../ops/conv2d.h"
#include "../ops/conv_stem.h"
#include "passes.h"

/* P if node n is a max pool with kernel = stride = P (2 or 3), no padding,
 * no dilation and floor mode; else 0. */
static int32_t tiling_max_pool(const graph_node *n)
{
    const clinfer_pool2d_desc *d = &n->attrs.pool;
    const int32_t p = d->kernel_h;
    const int no_pad = d->pad_mode == CLINFER_PAD_VALID ||
                       (d->pad_mode == CLINFER_PAD_EXPLICIT && d->pad_top == 0 &&
                        d->pad_left == 0 && d->pad_bottom == 0 && d->pad_right == 0);
    if (n->op != OP_POOL2D || d->kind != CLINFER_POOL_MAX || (p != 2 && p != 3) ||
        d->kernel_w != p || d->stride_h != p || d->stride_w != p || d->dilation_h != 1 ||
        d->dilation_w != 1 || !no_pad || d->ceil_mode)
        return 0;
    return p;
}

static int conv_fits(const clinfer_graph *g, const graph_node *conv)
{
    const clinfer_conv2d_desc *d = &conv->attrs.conv;
    const clinfer_shape *w = &g->values[conv->inputs[1]].shape; /* [OC, C, KH, KW] */
    return d->groups == 1 && d->stride_h == 1 && d->stride_w == 1 && d->dilation_h == 1 &&
           d->dilation_w == 1 && conv->input_count <= 3 && !pass_conv_pools(conv) &&
           w->rank == 4 && w->dims[2] <= 5 && w->dims[3] <= 5;
}

int pass_fuse_max_pools(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *n = &g->nodes[i];
        const int32_t p = n->removed ? 0 : tiling_max_pool(n);
        graph_node *conv = p ? pass_sole_producer(g, n->inputs[0], OP_CONV2D) : NULL;
        if (!conv || !conv_fits(g, conv))
            continue;
        conv->fused_pool = p;
        pass_absorb(g, conv, n);
        fused++;
    }
    return fused;
}

/* Whether n is a max pool without dilation over a 2-D image. */
static int undilated_max_pool(const graph_node *n)
{
    const clinfer_pool2d_desc *d = &n->attrs.pool;
    return n->op == OP_POOL2D && d->kind == CLINFER_POOL_MAX && d->kernel_h > 0 &&
           d->kernel_w > 0 && d->dilation_h == 1 && d->dilation_w == 1;
}

/* Whether conv is a convolution the "stem" algorithm fits, with nothing
 * fused but an activation. */
static int stem_conv(const clinfer_graph *g, const graph_node *conv)
{
    const clinfer_conv2d_desc *d = &conv->attrs.conv;
    const clinfer_shape *w = &g->values[conv->inputs[1]].shape; /* [OC, C, KH, KW] */
    return d->groups == 1 && conv->input_count <= 3 && !pass_conv_pools(conv) && w->rank == 4 &&
           w->dims[1] * w->dims[2] * w->dims[3] <= STEM_MAX_K;
}

int pass_fuse_window_pools(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *n = &g->nodes[i];
        graph_node *conv = !n->removed && undilated_max_pool(n)
                               ? pass_sole_producer(g, n->inputs[0], OP_CONV2D)
                               : NULL;
        if (!conv || !stem_conv(g, conv))
            continue;
        conv->window_pool = n->attrs.pool;
        pass_absorb(g, conv, n);
        fused++;
    }
    return fused;
}
