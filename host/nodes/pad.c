/*
 * pad.c — Pad nodes (constant, reflect, edge, wrap); the kernel in
 * ops/pad.c. The node's attribute holds every pad: starts, then ends.
 */
#include "../ops/pad.h"
#include "nodes.h"

static clinfer_status pad_node_params(const node_ctx *c, pad_params *p)
{
    *p = pad_params_default();
    p->input = *c->in[0];
    p->npads = 2 * c->in[0]->rank;
    for (int32_t i = 0; i < p->npads; i++)
        p->pads[i] = c->node->attrs.pad.pads[i];
    p->mode = (pad_mode)c->node->attrs.pad.mode;
    p->value = c->node->attrs.pad.value;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_pad_impl, pad_params, pad_node_params, pad_output_shape, pad_prepare,
                      launch_bind_io);
