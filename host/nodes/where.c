/*
 * where.c — Where nodes (inputs [cond, x, y], no attributes) and the
 * conditions' (inputs [a, b], the op as attribute); the kernel in
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

_Static_assert((int)COMPARE_XOR == (int)CLINFER_COMPARE_XOR, "compare_kind is clinfer_compare_op");

static clinfer_status compare_node_params(const node_ctx *c, compare_params *p)
{
    p->kind = (compare_kind)c->node->attrs.compare.op;
    p->a = *c->in[0];
    p->b = *c->in[1];
    return CLINFER_OK;
}

static clinfer_status compare_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                          dev_tensor out)
{
    clinfer_status st = compare_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? compare_bind(c->rt, l, in[0], in[1], out) : st;
}

NODE_ONE_LAUNCH(node_compare_impl, compare_params, 2, compare_node_params, compare_output_shape,
                compare_node_launch);
