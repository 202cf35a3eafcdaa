/*
 * eltwise.c — element-wise nodes: unary functions and activations, and
 * broadcasting binary ops; the kernels in ops/eltwise.c.
 */
#include "../ops/eltwise.h"
#include "nodes.h"

/* ------------------------------------------------------------ unary */

/* The graph's unary op as the kernel's kind: activations (which kernels
 * also fuse) or one of the other functions. */
static clinfer_status unary_node_params(const node_ctx *c, unary_params *p)
{
    clinfer_status st = node_need_inputs(c, 1);
    if (st != CLINFER_OK)
        return st;
    *p = unary_params_default();
    p->shape = *c->in[0];
    clinfer_unary_op op = c->node->attrs.unary.op;
    float a = c->node->attrs.unary.alpha, b = c->node->attrs.unary.beta;
    switch (op) {
    case CLINFER_UNARY_RELU:
    case CLINFER_UNARY_LEAKY_RELU:
    case CLINFER_UNARY_CLIP:
    case CLINFER_UNARY_SIGMOID:
    case CLINFER_UNARY_TANH:
        p->kind = UNARY_ACT;
        p->act = (act_params){(act_kind)op, a, b};
        return CLINFER_OK;
    case CLINFER_UNARY_EXP:
        p->kind = UNARY_EXP;
        return CLINFER_OK;
    case CLINFER_UNARY_LOG:
        p->kind = UNARY_LOG;
        return CLINFER_OK;
    case CLINFER_UNARY_SQRT:
        p->kind = UNARY_SQRT;
        return CLINFER_OK;
    case CLINFER_UNARY_NEG:
        p->kind = UNARY_NEG;
        return CLINFER_OK;
    case CLINFER_UNARY_ABS:
        p->kind = UNARY_ABS;
        return CLINFER_OK;
    case CLINFER_UNARY_RECIPROCAL:
        p->kind = UNARY_RECIPROCAL;
        return CLINFER_OK;
    }
    return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown unary operation %d", (int)op);
}

static clinfer_status unary_node_bind(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                      dev_tensor out)
{
    return unary_bind(c->rt, l, in[0], out);
}

NODE_ONE_LAUNCH(node_unary_impl, unary_params, unary_node_params, unary_output_shape,
                unary_prepare, unary_node_bind);

/* ------------------------------------------------------------ binary */

static clinfer_status binary_node_params(const node_ctx *c, binary_params *p)
{
    clinfer_status st = node_need_inputs(c, 2);
    if (st != CLINFER_OK)
        return st;
    *p = binary_params_default();
    p->op = (binary_op)c->node->attrs.binary.op;
    p->a = *c->in[0];
    p->b = *c->in[1];
    if (c->node->attrs.binary.op > CLINFER_BINARY_POW)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown binary operation %d",
                         (int)c->node->attrs.binary.op);
    return CLINFER_OK;
}

static clinfer_status binary_node_bind(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                       dev_tensor out)
{
    return binary_bind(c->rt, l, in[0], in[1], out);
}

NODE_ONE_LAUNCH(node_binary_impl, binary_params, binary_node_params, binary_output_shape,
                binary_prepare, binary_node_bind);
