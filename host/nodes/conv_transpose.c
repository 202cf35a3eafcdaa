/*
 * conv_transpose.c — conv_transpose nodes: inputs x [N, C, H, W], weight
 * [C, OC/groups, KH, KW], optional bias [OC]. The padding is resolved here
 * from the node's mode (explicit, VALID, SAME_*, or an output size, ONNX's
 * output_shape); the algorithm is chosen per node (convt_plan_make in
 * ops/conv_transpose.c), its scratch memory comes from the session.
 */
#include "../ops/conv_transpose.h"

#include "../shape.h"
#include "nodes.h"

typedef struct convt_node_plan {
    convt_params params;
    convt_plan algo;
} convt_node_plan;

/* floor(a / 2), also for a negative a. */
static int64_t half_down(int64_t a) { return a >= 0 ? a / 2 : -((1 - a) / 2); }

/* The pads along one axis for an output of `out` (ONNX ConvTranspose):
 * total = stride * (in - 1) + out_pad + dil * (k - 1) + 1 - out, split
 * with the odd one at the end for SAME_UPPER, at the start otherwise. */
static void pads_for_output(clinfer_pad_mode mode, int64_t in, int64_t k, int64_t stride,
                            int64_t dil, int64_t out_pad, int64_t out, int64_t *pad0,
                            int64_t *pad1)
{
    const int64_t total = stride * (in - 1) + out_pad + dil * (k - 1) + 1 - out;
    const int64_t small = half_down(total);
    *pad0 = mode == CLINFER_PAD_SAME_UPPER ? small : total - small;
    *pad1 = total - *pad0;
}

/* p's pads from the node's mode, or a message naming what is wrong. */
static clinfer_status resolve_pads(const node_ctx *c, const clinfer_conv_transpose2d_desc *d,
                                   convt_params *p)
{
    if (d->pad_mode < CLINFER_PAD_EXPLICIT || d->pad_mode > CLINFER_PAD_VALID)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "pad_mode %d is not a padding mode",
                         (int)d->pad_mode);
    if (d->output_h < 0 || d->output_w < 0 || (d->output_h > 0) != (d->output_w > 0))
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "output size %dx%d: give both (> 0) or neither (0)", (int)d->output_h,
                         (int)d->output_w);
    int64_t pads[4] = {d->pad_top, d->pad_left, d->pad_bottom, d->pad_right};
    if (d->output_h > 0 || d->pad_mode == CLINFER_PAD_SAME_UPPER ||
        d->pad_mode == CLINFER_PAD_SAME_LOWER) {
        /* SAME_*: an output of input * stride */
        const int64_t oh = d->output_h > 0 ? d->output_h : (int64_t)p->h * p->stride_h;
        const int64_t ow = d->output_w > 0 ? d->output_w : (int64_t)p->w * p->stride_w;
        pads_for_output(d->pad_mode, p->h, p->kh, p->stride_h, p->dil_h, p->out_pad_h, oh,
                        &pads[0], &pads[2]);
        pads_for_output(d->pad_mode, p->w, p->kw, p->stride_w, p->dil_w, p->out_pad_w, ow,
                        &pads[1], &pads[3]);
    } else if (d->pad_mode == CLINFER_PAD_VALID) {
        pads[0] = pads[1] = pads[2] = pads[3] = 0;
    } else if (pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0) {
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "negative padding (%d, %d, %d, %d)",
                         (int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
    }
    for (int i = 0; i < 4; i++)
        if (pads[i] < INT32_MIN / 2 || pads[i] > INT32_MAX / 2)
            return node_fail(c, CLINFER_ERR_UNSUPPORTED, "padding %lld is out of range",
                             (long long)pads[i]);
    p->pad_top = (int32_t)pads[0], p->pad_left = (int32_t)pads[1];
    p->pad_bottom = (int32_t)pads[2], p->pad_right = (int32_t)pads[3];
    return CLINFER_OK;
}

/* convt_params from the node and its input shapes, checking that the
 * weight and bias agree with the input. */
static clinfer_status convt_node_params(const node_ctx *c, convt_params *p)
{
    const clinfer_conv_transpose2d_desc *d = &c->node->attrs.conv_transpose;
    clinfer_status st = node_need_image_and_filter(c);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = c->in[0], *w = c->in[1];
    if (w->dims[0] != x->dims[1] || d->groups < 1 || w->dims[1] * d->groups > INT32_MAX)
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "weight has %lld input channels, input has %lld (groups %d)",
                         (long long)w->dims[0], (long long)x->dims[1], (int)d->groups);
    *p = convt_params_default();
    p->n = (int32_t)x->dims[0], p->c = (int32_t)x->dims[1];
    p->h = (int32_t)x->dims[2], p->w = (int32_t)x->dims[3];
    p->oc = (int32_t)(w->dims[1] * d->groups);
    p->kh = (int32_t)w->dims[2], p->kw = (int32_t)w->dims[3];
    p->stride_h = d->stride_h, p->stride_w = d->stride_w;
    p->dil_h = d->dilation_h, p->dil_w = d->dilation_w, p->groups = d->groups;
    p->out_pad_h = d->output_padding_h, p->out_pad_w = d->output_padding_w;
    p->act = (act_params){(act_kind)d->activation, d->act_alpha, d->act_beta};
    if (c->in[2]) {
        if (c->in[2]->rank != 1 || c->in[2]->dims[0] != p->oc)
            return node_fail(c, CLINFER_ERR_SHAPE, "bias must have shape [%d]", (int)p->oc);
        p->has_bias = 1;
    }
    if (p->stride_h < 1 || p->stride_w < 1 || p->dil_h < 1 || p->dil_w < 1)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "strides (%d, %d) and dilations (%d, %d) must be >= 1",
                         (int)p->stride_h, (int)p->stride_w, (int)p->dil_h, (int)p->dil_w);
    return resolve_pads(c, d, p);
}

static clinfer_status convt_infer(const node_ctx *c, clinfer_shape *out)
{
    convt_params *p = &((convt_node_plan *)c->plan)->params;
    int32_t oh = 0, ow = 0;
    clinfer_status st = convt_node_params(c, p);
    if (st != CLINFER_OK)
        return st;
    st = node_wrap(c, convt_output_size(c->rt, p, &oh, &ow));
    if (st == CLINFER_OK)
        *out = shape_4d(p->n, p->oc, oh, ow);
    return st;
}

static clinfer_status convt_node_plan_make(const node_ctx *c, node_memory *out)
{
    convt_node_plan *np = c->plan;
    clinfer_status st = node_wrap(c, convt_plan_make(c->rt, &np->params, &np->algo));
    if (st == CLINFER_OK) {
        out->scratch_bytes = np->algo.scratch_bytes;
        out->persist_bytes = np->algo.persist_bytes;
        out->persist_shared = node_input_is_constant(c, 1); /* packed once */
    }
    return st;
}

static clinfer_status pack_weights(const node_ctx *c, const float *w, float *packed)
{
    const convt_node_plan *np = c->plan;
    convt_pack_on_host(&np->params, &np->algo, w, packed);
    return CLINFER_OK;
}

static clinfer_status prep_weights(const node_ctx *c, int32_t k, dev_tensor w, op_launch *out)
{
    const convt_node_plan *np = c->plan;
    return convt_prep_launch(c->rt, &np->params, &np->algo, k, w, c->persist, out);
}

/* Launches: [pack W^T (only when the weights are not a constant: constant
 * ones are packed once, here)], then the algorithm's. */
static clinfer_status convt_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                    node_launches *l)
{
    const convt_node_plan *np = c->plan;
    const convt_params *p = &np->params;
    const convt_plan *plan = &np->algo;
    const int constant = node_input_is_constant(c, 1);
    const int32_t per_run_prep = constant ? 0 : plan->prep_count;
    clinfer_status st = CLINFER_OK;
    if (constant && !c->persist_ready && plan->prep_count > 0)
        st = node_pack_constant(c, 1, in[1], plan->persist_bytes / rt_elem_bytes(c->rt),
                                plan->prep_count == 1 ? pack_weights : NULL, plan->prep_count,
                                prep_weights);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, per_run_prep + plan->launch_count);
    for (int32_t i = 0; st == CLINFER_OK && i < per_run_prep; i++)
        st = prep_weights(c, i, in[1], &l->items[i]);
    const convt_buffers b = {in[0], in[1], in[2], out, c->scratch, c->persist};
    for (int32_t i = 0; st == CLINFER_OK && i < plan->launch_count; i++)
        st = convt_launch(c->rt, p, plan, i, &b, &l->items[per_run_prep + i]);
    return st;
}

/* Multiply-adds of the scatter definition: every input pixel times every
 * tap of its group's output channels. */
static double convt_flops(const node_ctx *c, const clinfer_shape *out)
{
    (void)out;
    const clinfer_shape *x = c->in[0], *w = c->in[1];
    return 2.0 * (double)shape_numel(x) * (double)(w->dims[1] * w->dims[2] * w->dims[3]);
}

const node_impl node_conv_transpose_impl = {sizeof(convt_node_plan), convt_infer,
                                            convt_node_plan_make, convt_prepare, convt_flops,
                                            NULL, NULL};
