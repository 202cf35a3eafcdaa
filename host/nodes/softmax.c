/*
 * softmax.c — Softmax and LogSoftmax nodes; the kernel in ops/softmax.c.
 */
#include "../chain.h"
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

/* The node as a chained layer (chain.h) where it normalises the last axis. */
static int softmax_chain(const node_ctx *c, chain_layer *out)
{
    const softmax_params *p = c->plan;
    int64_t outer = 0, len = 0, inner = 0;
    if (softmax_geometry(c->rt, p, &outer, &len, &inner) != CLINFER_OK || inner != 1 || len < 1)
        return 0;
    *out = (chain_layer){.kind = CHAIN_SOFTMAX, .rows = outer, .cols = len, .log = p->log};
    return 1;
}

NODE_ONE_INPUT_LAUNCH_CHAIN(node_softmax_impl, softmax_params, softmax_node_params,
                            softmax_output_shape, softmax_prepare, launch_bind_io, softmax_chain);
