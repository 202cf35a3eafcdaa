/*
 * transpose.c — Transpose nodes; the kernel in ops/transpose.c.
 */
#include "../ops/transpose.h"
#include "nodes.h"

static clinfer_status transpose_node_params(const node_ctx *c, transpose_params *p)
{
    clinfer_status st = node_need_inputs(c, 1);
    if (st != CLINFER_OK)
        return st;
    p->input = *c->in[0];
    p->nperm = c->in[0]->rank;
    for (int32_t i = 0; i < p->nperm; i++)
        p->perm[i] = c->node->attrs.transpose.perm[i];
    return CLINFER_OK;
}

static clinfer_status transpose_node_bind(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                          dev_tensor out)
{
    return transpose_bind(c->rt, l, in[0], out);
}

NODE_ONE_LAUNCH(node_transpose_impl, transpose_params, transpose_node_params,
                transpose_output_shape, transpose_prepare, transpose_node_bind);
