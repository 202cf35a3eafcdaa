/*
 * softmax.c — Softmax and LogSoftmax nodes; the kernel in ops/softmax.c.
 */
#include "../ops/softmax.h"
#include "nodes.h"

static clinfer_status softmax_node_params(const node_ctx *c, softmax_params *p)
{
    *p = softmax_params_default();
    p->shape = *c->in[0];
    p->axis = c->node->attrs.softmax.axis;
    p->log = c->node->attrs.softmax.log;
    p->legacy = c->node->attrs.softmax.legacy;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_softmax_impl, softmax_params, softmax_node_params,
                      softmax_output_shape, softmax_prepare, launch_bind_io);
