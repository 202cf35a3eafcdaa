/*
 * where.c — Where nodes: inputs [cond, x, y], no attributes; the kernel in
 * ops/where.c.
 */
#include "../ops/where.h"
#include "nodes.h"

static clinfer_status where_node_params(const node_ctx *c, where_params *p)
{
    p->cond = *c->in[0];
    p->x = *c->in[1];
    p->y = *c->in[2];
    return CLINFER_OK;
}

static clinfer_status where_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                        dev_tensor out)
{
    clinfer_status st = where_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? where_bind(c->rt, l, in[0], in[1], in[2], out) : st;
}

NODE_ONE_LAUNCH(node_where_impl, where_params, 3, where_node_params, where_output_shape,
                where_node_launch);
