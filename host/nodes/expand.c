/*
 * expand.c — Expand and Tile nodes; the launches in ops/expand.c. The node
 * holds the target shape (Expand) or the repeats (Tile), as given; the
 * broadcast against the session's input shape happens in ops/expand.c.
 */
#include "../ops/expand.h"

#include "nodes.h"

static clinfer_status expand_node_params(const node_ctx *c, expand_params *p)
{
    p->input = *c->in[0];
    p->shape = c->node->attrs.expand.shape;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_expand_impl, expand_params, expand_node_params, expand_output_shape,
                      expand_prepare, launch_bind_io);

static clinfer_status tile_node_params(const node_ctx *c, tile_params *p)
{
    p->input = *c->in[0];
    for (int32_t d = 0; d < CLINFER_MAX_RANK; d++)
        p->repeats[d] = c->node->attrs.tile.repeats[d];
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_tile_impl, tile_params, tile_node_params, tile_output_shape,
                      tile_prepare, launch_bind_io);
