/*
 * eltwise.c — element-wise nodes: unary functions and activations, and
 * broadcasting binary ops; the kernels in ops/eltwise.c.
 */
#include "../ops/eltwise.h"
#include "nodes.h"

/* ------------------------------------------------------------ unary */

/* The graph's unary op as the kernel's kind: the activations (which
 * kernels also fuse; their values are the act_kind values) or one of the
 * other functions, numbered alike from CLINFER_UNARY_EXP and UNARY_EXP. */
static clinfer_status unary_node_params(const node_ctx *c, unary_params *p)
{
    *p = unary_params_default();
    p->shape = *c->in[0];
    const clinfer_unary_op op = c->node->attrs.unary.op;
    if (op >= CLINFER_UNARY_RELU && (int)op < CLINFER_ACT_COUNT) {
        p->kind = UNARY_ACT;
        p->act = (act_params){(act_kind)op, c->node->attrs.unary.alpha, c->node->attrs.unary.beta};
    } else if (op >= CLINFER_UNARY_EXP && op <= CLINFER_UNARY_DEQUANTIZE) {
        p->kind = (unary_kind)(UNARY_EXP + (op - CLINFER_UNARY_EXP));
        /* the (de)quantizations' scale and zero point */
        p->act.a = c->node->attrs.unary.alpha;
        p->act.b = c->node->attrs.unary.beta;
    } else {
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown unary operation %d", (int)op);
    }
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_unary_impl, unary_params, unary_node_params, unary_output_shape,
                      unary_prepare, launch_bind_io);

/* ------------------------------------------------------------ binary */

static clinfer_status binary_node_params(const node_ctx *c, binary_params *p)
{
    *p = binary_params_default();
    p->op = (binary_op)c->node->attrs.binary.op;
    p->a = *c->in[0];
    p->b = *c->in[1];
    if (c->node->attrs.binary.op > CLINFER_BINARY_PRELU)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown binary operation %d",
                         (int)c->node->attrs.binary.op);
    return CLINFER_OK;
}

static clinfer_status binary_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                         dev_tensor out)
{
    clinfer_status st = binary_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? binary_bind(c->rt, l, in[0], in[1], out) : st;
}

NODE_ONE_LAUNCH(node_binary_impl, binary_params, 2, binary_node_params, binary_output_shape,
                binary_node_launch);
