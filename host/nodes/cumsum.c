/*
 * cumsum.c — CumSum nodes: the axis, exclusive and reverse as attributes
 * (ONNX's axis input is a load-time constant, read by the importer); the
 * kernel in ops/cumsum.c.
 */
#include "../ops/cumsum.h"
#include "nodes.h"

static clinfer_status cumsum_node_params(const node_ctx *c, cumsum_params *p)
{
    p->input = *c->in[0];
    p->axis = c->node->attrs.cumsum.axis;
    p->exclusive = c->node->attrs.cumsum.exclusive;
    p->reverse = c->node->attrs.cumsum.reverse;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_cumsum_impl, cumsum_params, cumsum_node_params, cumsum_output_shape,
                      cumsum_prepare, launch_bind_io);
