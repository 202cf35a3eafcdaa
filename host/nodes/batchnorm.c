/*
 * batchnorm.c — BatchNormalization nodes (those not folded into a conv);
 * the kernel in ops/batchnorm.c.
 */
#include "../ops/batchnorm.h"
#include "nodes.h"

/* Builder form: inputs [x, scale, bias, mean, var]; after compile: [x, mul,
 * add] with per-channel coefficients (see passes/fold.c). */
static clinfer_status batchnorm_node_params(const node_ctx *c, batchnorm_params *p)
{
    int coeff = c->node->attrs.batchnorm.coefficients;
    clinfer_status st = node_need_inputs(c, coeff ? 3 : 5);
    if (st != CLINFER_OK)
        return st;
    *p = batchnorm_params_default();
    p->shape = *c->in[0];
    p->scale = *c->in[1];
    p->bias = *c->in[2];
    p->mean = coeff ? *c->in[1] : *c->in[3];
    p->var = coeff ? *c->in[1] : *c->in[4];
    p->epsilon = c->node->attrs.batchnorm.epsilon;
    return CLINFER_OK;
}

static clinfer_status batchnorm_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                            dev_tensor out)
{
    if (!c->node->attrs.batchnorm.coefficients)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "coefficients were not prepared");
    clinfer_status st = batchnorm_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? batchnorm_bind(c->rt, l, in[0], in[1], in[2], out) : st;
}

/* Inputs: x and the coefficients (3), or the builder's statistics (5),
 * checked by batchnorm_node_params. */
NODE_ONE_LAUNCH(node_batchnorm_impl, batchnorm_params, 1, batchnorm_node_params,
                batchnorm_output_shape, batchnorm_node_launch);
