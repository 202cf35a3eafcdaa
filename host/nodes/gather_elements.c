/*
 * gather_elements.c — GatherElements nodes: inputs [data, indices], the
 * axis as attribute; the kernel in ops/gather_elements.c. Constant indices
 * are checked here, so that a bad one is an error naming the node rather
 * than NaN at run time.
 */
#include "../ops/gather_elements.h"
#include "nodes.h"

/* Every constant index within [-dim, dim) of data's axis. */
static clinfer_status check_constant_indices(const node_ctx *c, const gather_elements_params *p)
{
    if (!node_input_is_constant(c, 1))
        return CLINFER_OK;
    const graph_value *v = &c->g->values[c->node->inputs[1]];
    int64_t n = 1;
    for (int32_t d = 0; d < v->shape.rank; d++)
        n *= v->shape.dims[d];
    const int32_t r = p->data.rank;
    const int64_t dim = p->data.dims[p->axis < 0 ? p->axis + r : p->axis];
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

static clinfer_status gather_elements_node_params(const node_ctx *c, gather_elements_params *p)
{
    p->data = *c->in[0];
    p->indices = *c->in[1];
    p->axis = c->node->attrs.gather_elements.axis;
    /* the shapes first: the index check needs a valid axis */
    clinfer_shape os;
    clinfer_status st = node_wrap(c, gather_elements_output_shape(c->rt, p, &os));
    return st == CLINFER_OK ? check_constant_indices(c, p) : st;
}

static clinfer_status gather_elements_node_launch(const node_ctx *c, op_launch *l,
                                                  const dev_tensor *in, dev_tensor out)
{
    clinfer_status st = gather_elements_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? gather_elements_bind(c->rt, l, in[0], in[1], out) : st;
}

NODE_ONE_LAUNCH(node_gather_elements_impl, gather_elements_params, 2,
                gather_elements_node_params, gather_elements_output_shape,
                gather_elements_node_launch);
