/*
 * transpose.c — Transpose nodes; the kernel in ops/transpose.c.
 */
#include "../ops/transpose.h"
#include "nodes.h"

static clinfer_status transpose_node_params(const node_ctx *c, transpose_params *p)
{
    p->input = *c->in[0];
    p->nperm = c->in[0]->rank;
    for (int32_t i = 0; i < p->nperm; i++)
        p->perm[i] = c->node->attrs.transpose.perm[i];
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_transpose_impl, transpose_params, transpose_node_params,
                      transpose_output_shape, transpose_prepare, launch_bind_io);
