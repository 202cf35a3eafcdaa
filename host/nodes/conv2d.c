/*
 * conv2d.c — conv2d nodes: inputs x [N, C, H, W], weight [OC, C/groups, KH,
 * KW], optional bias [OC], a residual of the output's shape (input 3,
 * set only by the residual fusion pass, passes/residual.c) and a scale
 * [N, C, 1, 1] that multiplies x first (input 4, set only by the scale
 * fusion pass, passes/scale.c: a squeeze-excitation Mul); a max pool the
 * pool pass fused into the node (graph_node.fused_pool or window_pool,
 * passes/pool.c) makes the output the pooled one; padding modes resolved
 * here. The algorithm is
 * chosen per node by shape and device (conv2d_plan_make in ops/conv2d.c,
 * CLINFER_CONV_ALGO to force one); its scratch memory comes from the
 * session. A plan that cannot apply the scale (all but gemm1x1 with the
 * cpu GEMM) gets one launch before it that multiplies x into scratch, as
 * the Mul did before the fusion. A fused max pool that only the "pooled"
 * algorithm would compute over a long reduction (where it is slow; with
 * the cpu GEMM direct or winograd compute it) runs as the convolution into
 * scratch and a max pool launch after it, as before the fusion; so does a
 * fused window pool where the plan is not "stem" (conv2d_window_pool_fused).
 */
#include "../ops/conv2d.h"
#include "../ops/eltwise.h"
#include "../ops/pool2d.h"

#include "../chain.h"
#include "../shape.h"
#include "nodes.h"

/* The node's plan: its parameters (infer) and the algorithm with its
 * chunks and memory (conv_plan, once per session). */
typedef struct conv_node_plan {
    conv2d_params params;
    conv2d_plan algo;
    /* has_scale, not applied by algo: x times the scale into scratch at
     * scaled_offset (elements, past the algorithm's and the pool's) first */
    int scale_first;
    uint64_t scaled_offset;
    /* a fused pool not computed by algo (planned without it): the conv's
     * output into scratch at conv_offset (elements), then `pool` */
    int pool_after;
    uint64_t conv_offset;
    pool2d_params pool;
} conv_node_plan;

/* The fused window pool (graph_node.window_pool) as p->window_pool, over
 * the conv output (its auto_pad resolved there). */
static clinfer_status window_pool_params(const node_ctx *c, conv2d_params *p)
{
    const clinfer_pool2d_desc *d = &c->node->window_pool;
    if (d->kernel_h <= 0)
        return CLINFER_OK;
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv2d_output_size(c->rt, p, &oh, &ow);
    if (st != CLINFER_OK)
        return node_wrap(c, st);
    p->window_pool = node_pool2d_params(d, p->n, p->oc, oh, ow);
    return CLINFER_OK;
}

/* Fills conv2d_params from the node and its input shapes, checking that
 * the weight and bias agree with the input. */
static clinfer_status conv_params(const node_ctx *c, conv2d_params *p)
{
    const clinfer_conv2d_desc *d = &c->node->attrs.conv;
    clinfer_status st = node_need_image_and_filter(c);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = c->in[0], *w = c->in[1];
    *p = conv2d_params_default();
    p->n = (int32_t)x->dims[0], p->c = (int32_t)x->dims[1];
    p->h = (int32_t)x->dims[2], p->w = (int32_t)x->dims[3];
    p->oc = (int32_t)w->dims[0], p->kh = (int32_t)w->dims[2], p->kw = (int32_t)w->dims[3];
    p->stride_h = d->stride_h, p->stride_w = d->stride_w;
    p->dil_h = d->dilation_h, p->dil_w = d->dilation_w, p->groups = d->groups;
    p->act = (act_params){(act_kind)d->activation, d->act_alpha, d->act_beta};
    if (d->groups < 1 || w->dims[1] * d->groups != x->dims[1])
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "weight has %lld input channels per group x %d groups, input has %lld "
                         "channels",
                         (long long)w->dims[1], (int)d->groups, (long long)x->dims[1]);
    if (c->in[2]) {
        if (c->in[2]->rank != 1 || c->in[2]->dims[0] != w->dims[0])
            return node_fail(c, CLINFER_ERR_SHAPE, "bias must have shape [%lld]",
                             (long long)w->dims[0]);
        p->has_bias = 1;
    }
    p->has_residual = c->node->input_count > 3 && c->in[3] != NULL;
    p->has_scale = c->node->input_count > 4 && c->in[4] != NULL;
    const clinfer_shape *sc = p->has_scale ? c->in[4] : NULL;
    if (sc && (sc->rank != 4 || (sc->dims[0] != x->dims[0] && sc->dims[0] != 1) ||
               sc->dims[1] != x->dims[1] || sc->dims[2] != 1 || sc->dims[3] != 1))
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "the input scale must have shape [%lld,%lld,1,1] or [1,%lld,1,1]",
                         (long long)x->dims[0], (long long)x->dims[1], (long long)x->dims[1]);
    p->pool = c->node->fused_pool;
    p->in_blocked = c->node->in_blocked;
    p->out_blocked = c->node->out_blocked;
    const int32_t given[4] = {d->pad_top, d->pad_left, d->pad_bottom, d->pad_right};
    const int32_t window[6] = {p->kh, p->kw, d->stride_h, d->stride_w, d->dilation_h, d->dilation_w};
    node_window_pads(d->pad_mode, given, p->h, p->w, window, &p->pad_top, &p->pad_left,
                     &p->pad_bottom, &p->pad_right);
    return window_pool_params(c, p);
}

static clinfer_status conv_infer(const node_ctx *c, clinfer_shape *out)
{
    conv2d_params *p = &((conv_node_plan *)c->plan)->params;
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv_params(c, p);
    if (st == CLINFER_OK && (st = conv2d_output_size(c->rt, p, &oh, &ow)) != CLINFER_OK)
        return node_wrap(c, st);
    if (st != CLINFER_OK)
        return st;
    *out = shape_4d(p->n, p->oc, oh, ow);
    if (p->has_residual && !shape_equal(c->in[3], out)) {
        char want[96], got[96];
        return node_fail(c, CLINFER_ERR_SHAPE, "the residual has shape %s, the output %s",
                         shape_str(c->in[3], got, sizeof got), shape_str(out, want, sizeof want));
    }
    return CLINFER_OK;
}

/* Whether the plan leaves the fused pool to a launch of its own: "pooled"
 * chosen automatically over a reduction longer than it is fast for. */
static int pool_apart(const node_ctx *c, const conv2d_params *p, const conv2d_plan *plan)
{
    return p->pool > 1 && plan->algo == CONV2D_ALGO_POOLED &&
           c->rt->config.conv_algo != CONV2D_ALGO_POOLED && conv2d_pooled_too_long(p);
}

/* Plans the convolution without its pool, and the pool after it (into
 * np->pool). */
static clinfer_status plan_pool_apart(const node_ctx *c, conv_node_plan *np)
{
    conv2d_params conv = np->params;
    conv.pool = 0;
    conv.window_pool.kh = 0;
    clinfer_status st = node_wrap(c, conv2d_plan_make(c->rt, &conv, &np->algo));
    if (st != CLINFER_OK)
        return st;
    pool2d_params *pp = &np->pool;
    if (np->params.window_pool.kh > 0) {
        *pp = np->params.window_pool;
    } else {
        *pp = pool2d_params_default();
        pp->kh = pp->kw = pp->stride_h = pp->stride_w = np->params.pool;
    }
    pp->n = conv.n, pp->c = conv.oc, pp->h = np->algo.oh, pp->w = np->algo.ow;
    np->pool_after = 1;
    return CLINFER_OK;
}

/* Room for `count` more elements in the node's scratch of *bytes, from a
 * 64-byte boundary; returns where they start, in elements. */
static uint64_t scratch_append(const node_ctx *c, uint64_t *bytes, uint64_t count)
{
    const uint64_t elem = rt_elem_bytes(c->rt), at = (*bytes + 63) / 64 * 64;
    *bytes = at + count * elem;
    return at / elem;
}

/* The algorithm choice (ops/conv2d.c: by shape and device, or forced). */
static clinfer_status conv_plan(const node_ctx *c, node_memory *out)
{
    conv_node_plan *np = c->plan;
    clinfer_status st;
    if (np->params.window_pool.kh > 0 && !conv2d_window_pool_fused(c->rt, &np->params)) {
        st = plan_pool_apart(c, np);
    } else {
        st = node_wrap(c, conv2d_plan_make(c->rt, &np->params, &np->algo));
        if (st == CLINFER_OK && pool_apart(c, &np->params, &np->algo))
            st = plan_pool_apart(c, np);
    }
    if (st == CLINFER_OK) {
        out->scratch_bytes = np->algo.scratch_bytes;
        if (np->pool_after) /* the conv's output, unpooled */
            np->conv_offset = scratch_append(c, &out->scratch_bytes,
                                             (uint64_t)np->pool.n * np->pool.c * np->pool.h *
                                                 np->pool.w);
        const int per_image = np->params.has_scale && c->in[4]->dims[0] == c->in[0]->dims[0];
        np->scale_first = np->params.has_scale && (!np->algo.scale_fused || !per_image);
        if (np->scale_first) /* x scaled */
            np->scaled_offset =
                scratch_append(c, &out->scratch_bytes, (uint64_t)shape_numel(c->in[0]));
        out->persist_bytes = np->algo.persist_bytes;
        out->persist_shared = node_input_is_constant(c, 1); /* packed once */
    }
    return st;
}

static clinfer_status pack_weights(const node_ctx *c, const float *w, float *packed)
{
    const conv_node_plan *np = c->plan;
    conv2d_pack_on_host(&np->params, &np->algo, w, packed);
    return CLINFER_OK;
}

static clinfer_status prep_weights(const node_ctx *c, int32_t k, dev_tensor w, op_launch *out)
{
    const conv_node_plan *np = c->plan;
    return conv2d_prep_launch(c->rt, &np->params, &np->algo, k, w, c->persist, out);
}

/* The launch that multiplies x by the scale into scratch (scale_first). */
static clinfer_status scale_launch(const node_ctx *c, const dev_tensor *in, dev_tensor scaled,
                                   op_launch *out)
{
    binary_params bp = binary_params_default();
    bp.op = BINARY_MUL;
    bp.a = *c->in[0], bp.b = *c->in[4];
    clinfer_status st = binary_prepare(c->rt, &bp, out);
    return st == CLINFER_OK ? binary_bind(c->rt, out, in[0], in[4], scaled) : st;
}

/* Launches: [pack the weights (only when they are not constant: constant
 * weights are packed once, here)], [scale x], the algorithm's, [the max
 * pool]. */
static clinfer_status conv_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                   node_launches *l)
{
    const conv_node_plan *np = c->plan;
    const conv2d_params *p = &np->params;
    const conv2d_plan *plan = &np->algo;
    clinfer_status st = CLINFER_OK;
    const int32_t per_run_prep = !node_input_is_constant(c, 1) ? plan->prep_count : 0;
    if (!per_run_prep && !c->persist_ready && plan->prep_count > 0)
        st = node_pack_constant(c, 1, in[1], plan->persist_bytes / rt_elem_bytes(c->rt),
                                conv2d_packs_on_host(plan) ? pack_weights : NULL,
                                plan->prep_count, prep_weights);
    const int32_t first = per_run_prep + np->scale_first;
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, first + plan->launch_count + np->pool_after);
    for (int32_t i = 0; st == CLINFER_OK && i < per_run_prep; i++)
        st = prep_weights(c, i, in[1], &l->items[i]);
    const dev_tensor residual = c->node->input_count > 3 ? in[3] : dev_whole(NULL);
    const dev_tensor scale = p->has_scale ? in[4] : dev_whole(NULL);
    conv2d_buffers b = {in[0], in[1], in[2], residual, out, c->scratch, c->persist, scale};
    conv2d_params unscaled = *p;
    if (np->scale_first) { /* the algorithm reads x scaled, from scratch */
        b.input = (dev_tensor){c->scratch, np->scaled_offset};
        unscaled.has_scale = 0;
        if (st == CLINFER_OK)
            st = scale_launch(c, in, b.input, &l->items[per_run_prep]);
    }
    if (np->pool_after) { /* the conv's output in scratch, pooled by the last launch */
        b.output = (dev_tensor){c->scratch, np->conv_offset};
        unscaled.pool = 0;
        unscaled.window_pool.kh = 0;
    }
    for (int32_t i = 0; st == CLINFER_OK && i < plan->launch_count; i++)
        st = conv2d_launch(c->rt, &unscaled, plan, i, &b, &l->items[first + i]);
    if (st == CLINFER_OK && np->pool_after) {
        op_launch *pool = &l->items[first + plan->launch_count];
        st = maxpool2d_prepare(c->rt, &np->pool, pool);
        if (st == CLINFER_OK)
            st = launch_bind_io(c->rt, pool, b.output, out);
        l->named_from_end = 1; /* named by the convolution, not its pool */
    }
    return st;
}

static double conv_flops(const node_ctx *c, const clinfer_shape *out)
{
    const clinfer_shape *w = c->in[1];
    const double taps = (double)(w->dims[1] * w->dims[2] * w->dims[3]);
    const conv2d_params *p = &((const conv_node_plan *)c->plan)->params;
    if (p->window_pool.kh > 0) /* the conv output's size, before the pool */
        return 2.0 * (double)p->window_pool.n * p->window_pool.c * p->window_pool.h *
               p->window_pool.w * taps;
    const double pool = c->node->fused_pool > 1 ? c->node->fused_pool : 1; /* conv outputs per output */
    return 2.0 * (double)shape_numel(out) * pool * pool * taps;
}

/* The node as a chained layer (chain.h): a plain convolution (groups and
 * dilation 1, no residual, scale or blocked layout) with constant weights
 * and bias, an activation the chain applies, and any fused max pool whose
 * windows tile (not a window pool). */
static int conv_chain(const node_ctx *c, chain_layer *out)
{
    const conv2d_params *p = &((const conv_node_plan *)c->plan)->params;
    const float *w = node_constant_data(c, 1), *b = node_constant_data(c, 2);
    if (p->groups != 1 || p->dil_h != 1 || p->dil_w != 1 || p->has_residual || p->has_scale ||
        p->window_pool.kh > 0 ||
        p->in_blocked || p->out_blocked || !w || (p->has_bias && !b) ||
        !chain_act_supported(p->act.kind))
        return 0;
    int32_t oh = 0, ow = 0;
    if (conv2d_output_size(c->rt, p, &oh, &ow) != CLINFER_OK)
        return 0;
    *out = (chain_layer){.kind = CHAIN_CONV, .act = p->act, .conv = *p, .oh = oh, .ow = ow,
                         .weight = w, .bias = p->has_bias ? b : NULL,
                         .bias_count = p->has_bias ? p->oc : 0};
    return 1;
}

const node_impl node_conv2d_impl = {sizeof(conv_node_plan), conv_infer, conv_plan, conv_prepare,
                                    conv_flops, NULL, conv_chain};
