/*
 * reduce.c — the Reduce* and ArgMax/ArgMin nodes; the kernels in
 * ops/reduce.c.
 */
#include <string.h>

#include "../ops/reduce.h"
#include "nodes.h"

static clinfer_status reduce_node_params(const node_ctx *c, reduce_params *p)
{
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

NODE_ONE_INPUT_LAUNCH(node_reduce_impl, reduce_params, reduce_node_params, reduce_output_shape,
                      reduce_prepare, launch_bind_io);

static clinfer_status arg_reduce_node_params(const node_ctx *c, arg_reduce_params *p)
{
    const graph_node *n = c->node;
    memset(p, 0, sizeof *p);
    p->input = *c->in[0];
    p->min = n->attrs.arg_reduce.min;
    p->axis = n->attrs.arg_reduce.axis;
    p->keepdims = n->attrs.arg_reduce.keepdims;
    p->select_last_index = n->attrs.arg_reduce.last;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_arg_reduce_impl, arg_reduce_params, arg_reduce_node_params,
                      arg_reduce_output_shape, arg_reduce_prepare, launch_bind_io);
