/*
 * exdw.c — exdw nodes (inputs [x, We, be, Wd, bd]: a 1x1 expansion's
 * weights and bias, then the depthwise convolution's that alone reads it;
 * be and bd CLINFER_NO_VALUE when absent; attrs.conv: the depthwise
 * layer's, whose activation the expansion shares), which passes/exdw.c
 * makes from the two convolutions; both weights packed once on the host
 * into persistent memory, the expanded tensor in the session's scratch;
 * the launch in ops/conv_exdw.c.
 */
#include <string.h>

#include "../ops/conv_exdw.h"
#include "../runtime.h"
#include "../shape.h"
#include "nodes.h"

static clinfer_status exdw_params_of(const node_ctx *c, exdw_params *p)
{
    if (c->node->input_count != 5)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "has %d inputs, not 5 (x, We, be, Wd, bd)", (int)c->node->input_count);
    clinfer_status st = node_need_image_and_filter(c);
    if (st != CLINFER_OK)
        return st;
    const clinfer_conv2d_desc *d = &c->node->attrs.conv;
    const clinfer_shape *x = c->in[0], *we = c->in[1], *wd = c->in[3];
    const int64_t K = x->dims[1], C = we->dims[0];
    if (we->dims[1] != K || we->dims[2] != 1 || we->dims[3] != 1 || C > INT32_MAX ||
        !node_bias_or_absent(c->in[2], C) || !wd || wd->rank != 4 || wd->dims[0] != C ||
        wd->dims[1] != 1 || d->groups != C || !node_bias_or_absent(c->in[4], C))
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "needs expansion weights [C, %lld, 1, 1], depthwise weights [C, 1, K, "
                         "K] (groups C) and biases [C] (or none)",
                         (long long)K);
    memset(p, 0, sizeof *p);
    p->dw = node_depthwise_params(d, x->dims, C, wd, c->in[4] != NULL);
    p->k = (int32_t)K;
    return CLINFER_OK;
}

static clinfer_status exdw_infer(const node_ctx *c, clinfer_shape *out)
{
    exdw_params *p = c->plan;
    clinfer_status st = exdw_params_of(c, p);
    return st == CLINFER_OK ? node_wrap(c, exdw_output_shape(c->rt, p, out)) : st;
}

/* Whether input i (a bias) is absent or a constant with a host copy. */
static int absent_or_constant(const node_ctx *c, int32_t i)
{
    return !c->in[i] || node_constant_data(c, i);
}

/* Both weights and biases packed in the node's persist memory (constants
 * with host copies: passes/exdw.c fuses no other), shared by the model's
 * sessions; the expanded tensor in scratch. */
static clinfer_status exdw_plan(const node_ctx *c, node_memory *out)
{
    const exdw_params *p = c->plan;
    if (!node_constant_data(c, 1) || !node_constant_data(c, 3) || !absent_or_constant(c, 2) ||
        !absent_or_constant(c, 4))
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "We, Wd and the biases (inputs 1 to 4) must be constants with host "
                         "copies");
    out->persist_bytes = exdw_packing_of(p).end * rt_elem_bytes(c->rt);
    out->persist_shared = 1;
    clinfer_shape y;
    clinfer_status st = node_wrap(c, exdw_output_shape(c->rt, p, &y));
    if (st != CLINFER_OK)
        return st;
    out->scratch_bytes = exdw_scratch_bytes(p, (int32_t)y.dims[2], rt_elem_bytes(c->rt));
    return CLINFER_OK;
}

static clinfer_status pack_all(const node_ctx *c, const float *we, float *dst)
{
    const float *wd = node_constant_data(c, 3);
    if (!wd)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "Wd (input 3) has no host copy");
    exdw_pack(c->plan, we, node_constant_data(c, 2), wd, node_constant_data(c, 4), dst);
    return CLINFER_OK;
}

static clinfer_status exdw_node_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                        node_launches *l)
{
    const exdw_params *p = c->plan;
    clinfer_status st = CLINFER_OK;
    if (!c->persist_ready) /* else an earlier session of the model packed them */
        st = node_pack_on_host(c, 1, exdw_packing_of(p).end, pack_all);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = node_wrap(c, exdw_prepare(c->rt, p, &l->items[0]));
    return st == CLINFER_OK
               ? node_wrap(c, exdw_bind(c->rt, p, &l->items[0], in[0], c->persist, c->scratch, out))
               : st;
}

/* Multiply-adds of the two layers, twice (the expansion's over its
 * input's pixels). */
static double exdw_flops(const node_ctx *c, const clinfer_shape *out)
{
    const exdw_params *p = c->plan;
    const double pixels = (double)out->dims[0] * (double)out->dims[2] * (double)out->dims[3];
    const double in_pixels = (double)p->dw.n * p->dw.h * p->dw.w;
    return 2.0 * pixels * p->dw.c * ((double)p->dw.kh * p->dw.kw) +
           2.0 * in_pixels * p->dw.c * p->k;
}

const node_impl node_exdw_impl = {sizeof(exdw_params), exdw_infer, exdw_plan, exdw_node_prepare,
                                  exdw_flops, NULL, NULL};
