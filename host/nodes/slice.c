/*
 * slice.c — Slice nodes; the kernel in ops/slice.c. The node holds a start,
 * end and step for every input dim (see graph.h), clamped here against the
 * shape of each session.
 */
#include "../ops/slice.h"

#include "nodes.h"

static clinfer_status slice_node_params(const node_ctx *c, slice_params *p)
{
    *p = slice_params_default();
    p->input = *c->in[0];
    p->naxes = c->in[0]->rank;
    for (int32_t d = 0; d < p->naxes; d++) {
        p->axes[d] = d;
        p->starts[d] = c->node->attrs.slice.starts[d];
        p->ends[d] = c->node->attrs.slice.ends[d];
        p->steps[d] = c->node->attrs.slice.steps[d];
    }
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_slice_impl, slice_params, slice_node_params, slice_output_shape,
                      slice_prepare, launch_bind_io);
