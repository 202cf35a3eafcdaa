/*
 * gather.c — Gather nodes: inputs [data, indices], the axis as attribute;
 * the kernel in ops/gather.c. Constant indices are checked here (also for
 * GatherElements: node_check_constant_indices), so that a bad one is an
 * error naming the node rather than NaN at run time.
 */
#include "../ops/gather.h"
#include "nodes.h"

clinfer_status node_check_constant_indices(const node_ctx *c, int32_t i,
                                           const clinfer_shape *data, int64_t axis)
{
    if (!node_input_is_constant(c, i))
        return CLINFER_OK;
    const int64_t dim = data->dims[axis < 0 ? axis + data->rank : axis];
    const graph_value *v = &c->g->values[c->node->inputs[i]];
    int64_t n = 1;
    for (int32_t d = 0; d < v->shape.rank; d++)
        n *= v->shape.dims[d];
    for (int64_t k = 0; k < n; k++)
        if (!(v->data[k] >= (float)-dim && v->data[k] < (float)dim) ||
            v->data[k] != (float)(int64_t)v->data[k])
            return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                             "index %g (element %lld) is not an integer in [%lld, %lld) for an "
                             "axis of %lld",
                             (double)v->data[k], (long long)k, (long long)-dim,
                             (long long)dim, (long long)dim);
    return CLINFER_OK;
}

static clinfer_status gather_node_params(const node_ctx *c, gather_params *p)
{
    p->data = *c->in[0];
    p->indices = *c->in[1];
    p->axis = c->node->attrs.gather.axis;
    /* the shapes first: the index check needs a valid axis */
    clinfer_shape os;
    clinfer_status st = node_wrap(c, gather_output_shape(c->rt, p, &os));
    return st == CLINFER_OK ? node_check_constant_indices(c, 1, &p->data, p->axis) : st;
}

static clinfer_status gather_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                         dev_tensor out)
{
    clinfer_status st = gather_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? gather_bind(c->rt, l, in[0], in[1], out) : st;
}

NODE_ONE_LAUNCH(node_gather_impl, gather_params, 2, gather_node_params, gather_output_shape,
                gather_node_launch);
