/*
 * topk.c — TopK nodes: the axis, K and largest as attributes (ONNX's K
 * input is a load-time constant, read by the importer); the kernel in
 * ops/topk.c. The output holds both of ONNX's outputs in slabs
 * (ops/topk.h), which the builder's views take apart.
 */
#include "../ops/topk.h"
#include "nodes.h"

static clinfer_status topk_node_params(const node_ctx *c, topk_params *p)
{
    p->input = *c->in[0];
    p->axis = c->node->attrs.topk.axis;
    p->k = c->node->attrs.topk.k;
    p->largest = c->node->attrs.topk.largest;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_topk_impl, topk_params, topk_node_params, topk_output_shape,
                      topk_prepare, launch_bind_io);
