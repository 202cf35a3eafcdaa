/*
 * grid_sample.c — GridSample nodes: inputs [x, grid], the mode, padding
 * and align_corners as attributes; the kernel in ops/grid_sample.c.
 */
#include "../ops/grid_sample.h"
#include "nodes.h"

static clinfer_status grid_sample_node_params(const node_ctx *c, grid_sample_params *p)
{
    p->input = *c->in[0];
    p->grid = *c->in[1];
    p->mode = c->node->attrs.grid_sample.mode;
    p->padding = c->node->attrs.grid_sample.padding;
    p->align_corners = c->node->attrs.grid_sample.align_corners;
    return CLINFER_OK;
}

static clinfer_status grid_sample_node_launch(const node_ctx *c, op_launch *l,
                                              const dev_tensor *in, dev_tensor out)
{
    clinfer_status st = grid_sample_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? grid_sample_bind(c->rt, l, in[0], in[1], out) : st;
}

NODE_ONE_LAUNCH(node_grid_sample_impl, grid_sample_params, 2, grid_sample_node_params,
                grid_sample_output_shape, grid_sample_node_launch);
