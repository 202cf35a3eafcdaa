/*
 * dwpw.c — dwpw nodes (inputs [x, Wd, bd, Wp, bp, r]: a depthwise
 * convolution's weights and bias, the 1x1 convolution's after it, and a
 * residual of the output's shape; or [x, Wd, bd, Wp, bp, r, We, be] with
 * the block's 1x1 expansion before the depthwise layer, x then its input;
 * bd, bp, r and be CLINFER_NO_VALUE when absent; attrs.conv: the
 * depthwise layer's, whose activation the expansion shares), which
 * passes/dwpw.c makes from the two or three convolutions; the
 * projection's weights packed once on the host into persistent memory;
 * the launch in ops/conv_dwpw.c.
 */
#include <string.h>

#include "../ops/conv_dwpw.h"
#include "../runtime.h"
#include "../shape.h"
#include "nodes.h"

static clinfer_status dwpw_params_of(const node_ctx *c, dwpw_params *p)
{
    clinfer_status st = node_need_image_and_filter(c);
    if (st != CLINFER_OK)
        return st;
    const int expand = c->node->input_count == 8;
    if (c->node->input_count != 6 && !expand)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "has %d inputs, not 6 (x, Wd, bd, Wp, bp, r) or 8 (and We, be)",
                         (int)c->node->input_count);
    const clinfer_conv2d_desc *d = &c->node->attrs.conv;
    const clinfer_shape *x = c->in[0], *wd = c->in[1], *wp = c->in[3];
    const clinfer_shape *we = expand ? c->in[6] : NULL;
    const int64_t K = x->dims[1], C = expand && we && we->rank == 4 ? we->dims[0] : K;
    if (expand && (!we || we->rank != 4 || we->dims[1] != K || we->dims[2] != 1 ||
                   we->dims[3] != 1 || !node_bias_or_absent(c->in[7], C)))
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "needs expansion weights [C, %lld, 1, 1] and a bias [C] (or none)",
                         (long long)K);
    if (d->groups != C || wd->dims[0] != C || wd->dims[1] != 1 || !wp || wp->rank != 4 ||
        wp->dims[1] != C || wp->dims[2] != 1 || wp->dims[3] != 1 || wp->dims[0] > INT32_MAX ||
        !node_bias_or_absent(c->in[2], C) || !node_bias_or_absent(c->in[4], wp->dims[0]))
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "needs depthwise weights [%lld, 1, K, K] (groups %lld), pointwise "
                         "weights [OC, %lld, 1, 1] and biases [%lld] and [OC] (or none)",
                         (long long)C, (long long)C, (long long)C, (long long)C);
    memset(p, 0, sizeof *p);
    p->dw = node_depthwise_params(d, x->dims, C, wd, c->in[2] != NULL);
    p->oc = (int32_t)wp->dims[0];
    p->has_pw_bias = c->in[4] != NULL;
    p->has_residual = c->in[5] != NULL;
    p->k = expand ? (int32_t)K : 0;
    p->has_ex_bias = expand && c->in[7] != NULL;
    return CLINFER_OK;
}

static clinfer_status dwpw_infer(const node_ctx *c, clinfer_shape *out)
{
    dwpw_params *p = c->plan;
    clinfer_status st = node_need_inputs(c, 1);
    if (st == CLINFER_OK)
        st = dwpw_params_of(c, p);
    if (st == CLINFER_OK)
        st = node_wrap(c, dwpw_output_shape(c->rt, p, out));
    if (st == CLINFER_OK && p->has_residual && !shape_equal(c->in[5], out)) {
        char want[96], got[96];
        return node_fail(c, CLINFER_ERR_SHAPE, "the residual has shape %s, the output %s",
                         shape_str(c->in[5], got, sizeof got), shape_str(out, want, sizeof want));
    }
    return st;
}

/* The packed projection weights in the node's persist memory (Wp a
 * constant with a host copy: passes/dwpw.c fuses no other), shared by the
 * model's sessions. */
static clinfer_status dwpw_plan(const node_ctx *c, node_memory *out)
{
    const dwpw_params *p = c->plan;
    if (!node_input_is_constant(c, 3) || !c->g->values[c->node->inputs[3]].data)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "Wp (input 3) must be a constant with a host copy");
    out->persist_bytes = dwpw_packed_floats(p) * rt_elem_bytes(c->rt);
    out->persist_shared = 1;
    return CLINFER_OK;
}

static clinfer_status pack_pointwise(const node_ctx *c, const float *src, float *dst)
{
    dwpw_pack_weights(c->plan, src, dst);
    return CLINFER_OK;
}

static clinfer_status dwpw_node_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                        node_launches *l)
{
    const dwpw_params *p = c->plan;
    const dev_tensor none = {NULL, 0};
    const int expand = c->node->input_count == 8;
    const dev_tensor bufs[8] = {in[0], expand ? in[6] : none, expand ? in[7] : none,
                                in[1], in[2], dev_whole(c->persist), in[4], in[5]};
    clinfer_status st = CLINFER_OK;
    if (!c->persist_ready) /* else an earlier session of the model packed them */
        st = node_pack_on_host(c, 3, dwpw_packed_floats(p), pack_pointwise);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = dwpw_prepare(c->rt, p, &l->items[0]);
    return st == CLINFER_OK ? dwpw_bind(c->rt, &l->items[0], bufs, out) : st;
}

/* Multiply-adds of the layers, twice (the expansion's over its input's
 * pixels, as the separate layer computes them). */
static double dwpw_flops(const node_ctx *c, const clinfer_shape *out)
{
    const dwpw_params *p = c->plan;
    const double pixels = (double)out->dims[0] * (double)out->dims[2] * (double)out->dims[3];
    const double in_pixels = (double)p->dw.n * p->dw.h * p->dw.w;
    return 2.0 * pixels * p->dw.c * ((double)p->dw.kh * p->dw.kw + p->oc) +
           2.0 * in_pixels * p->dw.c * p->k;
}

const node_impl node_dwpw_impl = {sizeof(dwpw_params), dwpw_infer, dwpw_plan, dwpw_node_prepare,
                                  dwpw_flops, NULL, NULL};
