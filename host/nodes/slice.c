/*
 * slice.c — Slice nodes; the kernel in ops/slice.c. The node holds a start,
 * end and step for every input dim (see graph.h), clamped here against the
 * shape of each session.
 */
#include "../ops/slice.h"

#include "nodes.h"

static clinfer_status slice_node_params(const node_ctx *c, slice_params *p)
{
    if (!c->in[0])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input is required");
    *p = slice_params_default();
    p->input = *c->in[0];
    p->naxes = c->in[0]->rank;
    for (int32_t d = 0; d < p->naxes; d++) {
        p->axes[d] = d;
        p->starts[d] = c->node->attrs.slice.starts[d];
        p->ends[d] = c->node->attrs.slice.ends[d];
        p->steps[d] = c->node->attrs.slice.steps[d];
    }
    return CLINFER_OK;
}

static clinfer_status slice_infer(const node_ctx *c, clinfer_shape *out)
{
    slice_params p;
    clinfer_status st = slice_node_params(c, &p);
    if (st == CLINFER_OK && (st = slice_output_shape(c->rt, &p, out)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    return st;
}

static clinfer_status slice_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                         node_launches *l)
{
    slice_params p;
    clinfer_status st = slice_node_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = slice_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = slice_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_slice_impl = {slice_infer, slice_node_prepare, NULL, NULL};
