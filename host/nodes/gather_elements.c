/*
 * gather_elements.c — GatherElements nodes: inputs [data, indices], the
 * axis as attribute; the kernel in ops/gather_elements.c. Constant indices
 * are checked here, so that a bad one is an error naming the node rather
 * than NaN at run time.
 */
#include "../ops/gather_elements.h"
#include "nodes.h"

static clinfer_status gather_elements_node_params(const node_ctx *c, gather_elements_params *p)
{
    p->data = *c->in[0];
    p->indices = *c->in[1];
    p->axis = c->node->attrs.gather_elements.axis;
    /* the shapes first: the index check needs a valid axis */
    clinfer_shape os;
    clinfer_status st = node_wrap(c, gather_elements_output_shape(c->rt, p, &os));
    return st == CLINFER_OK ? node_check_constant_indices(c, 1, &p->data, p->axis) : st;
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
