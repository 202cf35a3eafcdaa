/*
 * norm.c — the InstanceNormalization, LayerNormalization, GroupNormalization
 * and MeanVarianceNormalization nodes (one node_impl for the four kinds,
 * told apart by the node's op); the kernel in ops/norm.c.
 */
#include "../ops/norm.h"
#include "nodes.h"

static norm_kind kind_of(op_kind op)
{
    switch (op) {
    case OP_INSTANCENORM: return NORM_INSTANCE;
    case OP_GROUPNORM: return NORM_GROUP;
    case OP_MVN: return NORM_MVN;
    default: return NORM_LAYER;
    }
}

/* The shape of optional input i, or rank -1 when absent. */
static clinfer_shape optional_shape(const node_ctx *c, int32_t i)
{
    clinfer_shape s;
    if (i < c->node->input_count && c->in[i])
        return *c->in[i];
    s = shape_make(0, NULL);
    s.rank = -1;
    return s;
}

static clinfer_status norm_node_params(const node_ctx *c, norm_params *p)
{
    *p = norm_params_default(kind_of(c->node->op));
    p->shape = *c->in[0];
    p->scale = optional_shape(c, 1);
    p->bias = optional_shape(c, 2);
    p->epsilon = c->node->attrs.norm.epsilon;
    p->axis = c->node->attrs.norm.axis;
    p->groups = c->node->attrs.norm.groups;
    p->axes = c->node->attrs.norm.axes;
    return CLINFER_OK;
}

static clinfer_status norm_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                       dev_tensor out)
{
    const dev_tensor none = {NULL, 0};
    const int32_t n = c->node->input_count;
    clinfer_status st = norm_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? norm_bind(c->rt, l, in[0], n > 1 ? in[1] : none,
                                        n > 2 ? in[2] : none, out)
                            : st;
}

NODE_ONE_LAUNCH(node_norm_impl, norm_params, 1, norm_node_params, norm_output_shape,
                norm_node_launch);
