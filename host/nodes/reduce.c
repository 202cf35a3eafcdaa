/*
 * reduce.c — ReduceMean/Max/Min/Sum nodes; the kernel in ops/reduce.c.
 */
#include "../ops/reduce.h"
#include "nodes.h"

static clinfer_status reduce_node_params(const node_ctx *c, reduce_params *p)
{
    clinfer_status st = node_need_inputs(c, 1);
    if (st != CLINFER_OK)
        return st;
    const graph_node *n = c->node;
    *p = reduce_params_default();
    p->input = *c->in[0];
    p->kind = (reduce_kind)n->attrs.reduce.op;
    p->naxes = n->attrs.reduce.naxes;
    for (int32_t i = 0; i < p->naxes; i++)
        p->axes[i] = n->attrs.reduce.axes[i];
    p->keepdims = n->attrs.reduce.keepdims;
    return CLINFER_OK;
}

static clinfer_status reduce_node_bind(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                       dev_tensor out)
{
    return reduce_bind(c->rt, l, in[0], out);
}

NODE_ONE_LAUNCH(node_reduce_impl, reduce_params, reduce_node_params, reduce_output_shape,
                reduce_prepare, reduce_node_bind);
