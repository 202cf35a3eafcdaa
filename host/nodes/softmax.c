/*
 * softmax.c — Softmax and LogSoftmax nodes; the kernel in ops/softmax.c.
 */
#include "../ops/softmax.h"
#include "nodes.h"

static clinfer_status softmax_node_params(const node_ctx *c, softmax_params *p)
{
    clinfer_status st = node_need_inputs(c, 1);
    if (st != CLINFER_OK)
        return st;
    *p = softmax_params_default();
    p->shape = *c->in[0];
    p->axis = c->node->attrs.softmax.axis;
    p->log = c->node->attrs.softmax.log;
    p->legacy = c->node->attrs.softmax.legacy;
    return CLINFER_OK;
}

static clinfer_status softmax_node_bind(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                        dev_tensor out)
{
    return softmax_bind(c->rt, l, in[0], out);
}

NODE_ONE_LAUNCH(node_softmax_impl, softmax_params, softmax_node_params, softmax_output_shape,
                softmax_prepare, softmax_node_bind);
