/*
 * movement.c — Concat, Pad and Transpose nodes; kernels in ops/concat.c,
 * ops/pad.c and ops/transpose.c.
 */
#include "../ops/concat.h"
#include "../ops/pad.h"
#include "../ops/reduce.h"
#include "../ops/transpose.h"
#include <stdlib.h>

#include "nodes.h"

/* Concat: one launch per input, each copying into its slice, except for
 * the inputs the executor placed there already. */
static clinfer_status concat_node_params(const node_ctx *c, concat_params *p)
{
    for (int32_t i = 0; i < c->node->input_count; i++)
        if (!c->in[i])
            return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input %d is required", (int)i);
    /* c->in is an array of pointers; the op wants the shapes side by side. */
    clinfer_shape *shapes = malloc((size_t)c->node->input_count * sizeof *shapes);
    if (!shapes)
        return err_set(c->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t i = 0; i < c->node->input_count; i++)
        shapes[i] = *c->in[i];
    *p = (concat_params){c->node->input_count, shapes, c->node->attrs.concat.axis};
    return CLINFER_OK;
}

static clinfer_status concat_infer(const node_ctx *c, clinfer_shape *out)
{
    concat_params p;
    clinfer_status st = concat_node_params(c, &p);
    if (st != CLINFER_OK)
        return st;
    st = concat_output_shape(c->rt, &p, out);
    free((void *)p.inputs);
    return st == CLINFER_OK ? st : node_fail(c, st, "%s", clinfer_last_errmsg());
}

static clinfer_status concat_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                          node_launches *l)
{
    concat_params p;
    clinfer_status st = concat_node_params(c, &p);
    if (st != CLINFER_OK)
        return st;
    int32_t copies = 0;
    for (int32_t i = 0; i < p.count; i++)
        copies += !(c->in_place && c->in_place[i]);
    st = node_launches_alloc(c->rt, l, copies);
    for (int32_t i = 0, j = 0; st == CLINFER_OK && i < p.count; i++) {
        if (c->in_place && c->in_place[i])
            continue;
        st = concat_prepare(c->rt, &p, i, &l->items[j]);
        if (st == CLINFER_OK)
            st = concat_bind(c->rt, &l->items[j++], in[i], out);
    }
    free((void *)p.inputs);
    return st;
}

const node_impl node_concat_impl = {concat_infer, concat_node_prepare, NULL, NULL};

/* Pad: the attribute holds every pad (starts, then ends). */
static clinfer_status pad_node_params(const node_ctx *c, pad_params *p)
{
    if (!c->in[0])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input is required");
    *p = pad_params_default();
    p->input = *c->in[0];
    p->npads = 2 * c->in[0]->rank;
    for (int32_t i = 0; i < p->npads; i++)
        p->pads[i] = c->node->attrs.pad.pads[i];
    p->mode = (pad_mode)c->node->attrs.pad.mode;
    p->value = c->node->attrs.pad.value;
    return CLINFER_OK;
}

static clinfer_status pad_infer(const node_ctx *c, clinfer_shape *out)
{
    pad_params p;
    clinfer_status st = pad_node_params(c, &p);
    if (st == CLINFER_OK && (st = pad_output_shape(c->rt, &p, out)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    return st;
}

static clinfer_status pad_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                       node_launches *l)
{
    pad_params p;
    clinfer_status st = pad_node_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = pad_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = pad_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_pad_impl = {pad_infer, pad_node_prepare, NULL, NULL};

static clinfer_status transpose_node_params(const node_ctx *c, transpose_params *p)
{
    if (!c->in[0])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input is required");
    p->input = *c->in[0];
    p->nperm = c->in[0]->rank;
    for (int32_t i = 0; i < p->nperm; i++)
        p->perm[i] = c->node->attrs.transpose.perm[i];
    return CLINFER_OK;
}

static clinfer_status transpose_infer(const node_ctx *c, clinfer_shape *out)
{
    transpose_params p;
    clinfer_status st = transpose_node_params(c, &p);
    if (st == CLINFER_OK && (st = transpose_output_shape(c->rt, &p, out)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    return st;
}

static clinfer_status transpose_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                             node_launches *l)
{
    transpose_params p;
    clinfer_status st = transpose_node_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = transpose_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = transpose_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_transpose_impl = {transpose_infer, transpose_node_prepare, NULL, NULL};

static clinfer_status reduce_node_params(const node_ctx *c, reduce_params *p)
{
    if (!c->in[0])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input is required");
    const graph_node *n = c->node;
    *p = reduce_params_default();
    p->input = *c->in[0];
    p->kind = (reduce_kind)n->attrs.reduce.op;
    p->naxes = n->attrs.reduce.naxes;
    for (int32_t i = 0; i < p->naxes; i++)
        p->axes[i] = n->attrs.reduce.axes[i];
    p->keepdims = n->attrs.reduce.keepdims;
    return CLINFER_OK;
}

static clinfer_status reduce_infer(const node_ctx *c, clinfer_shape *out)
{
    reduce_params p;
    clinfer_status st = reduce_node_params(c, &p);
    if (st == CLINFER_OK && (st = reduce_output_shape(c->rt, &p, out)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    return st;
}

static clinfer_status reduce_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                          node_launches *l)
{
    reduce_params p;
    clinfer_status st = reduce_node_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = reduce_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = reduce_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_reduce_impl = {reduce_infer, reduce_node_prepare, NULL, NULL};
