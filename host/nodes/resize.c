/*
 * resize.c — Resize nodes; the kernels in ops/resize.c. The node's
 * attributes are the public clinfer_resize_desc and the antialias flag
 * (ONNX only: graph_resize_ex). The coordinate table is the
 * node's persistent memory, written once when the session is prepared
 * (its size depends only on the output's H and W).
 */
#include "../ops/resize.h"

#include <stdlib.h>

#include "../tensor.h"
#include "nodes.h"

static clinfer_status resize_infer(const node_ctx *c, clinfer_shape *out)
{
    resize_params *p = c->plan;
    clinfer_status st = node_need_inputs(c, 1);
    if (st != CLINFER_OK)
        return st;
    p->input = *c->in[0];
    p->d = c->node->attrs.resize.d;
    p->antialias = c->node->attrs.resize.antialias;
    return node_wrap(c, resize_output_shape(c->rt, p, out));
}

static clinfer_status resize_plan(const node_ctx *c, node_memory *out)
{
    const resize_params *p = c->plan;
    clinfer_shape os;
    clinfer_status st = node_wrap(c, resize_output_shape(c->rt, p, &os));
    if (st == CLINFER_OK)
        out->persist_bytes = (uint64_t)resize_table_words(p, &os) * sizeof(int32_t);
    return st;
}

/* Computes the table on the host, writes it to the node's memory and
 * creates the launch (whose kernel the table decides). */
static clinfer_status resize_node_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                          node_launches *l)
{
    const resize_params *p = c->plan;
    clinfer_shape os;
    if (!c->persist)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "no memory for the coordinate table");
    clinfer_status st = node_wrap(c, resize_output_shape(c->rt, p, &os));
    if (st != CLINFER_OK)
        return st;
    size_t words = resize_table_words(p, &os);
    int32_t *table = malloc(words * sizeof *table);
    if (!table)
        return node_fail(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "no memory for the coordinate table");
    resize_fill_table(p, &os, table);
    st = node_wrap(c, buffer_write(c->rt, c->persist, words * sizeof *table, table));
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = node_wrap(c, resize_prepare(c->rt, p, table, dev_whole(c->persist), &l->items[0]));
    if (st == CLINFER_OK)
        st = node_wrap(c, launch_bind_io(c->rt, &l->items[0], in[0], out));
    free(table);
    return st;
}

/* Output elements times the taps of both axes: multiply-adds, counted as 2. */
static double resize_flops(const node_ctx *c, const clinfer_shape *out)
{
    const resize_params *p = c->plan;
    int32_t taps = resize_taps(p, out);
    double n = 1;
    for (int32_t d = 0; d < out->rank; d++)
        n *= (double)out->dims[d];
    return taps == 1 ? 0 : 2.0 * n * taps * taps;
}

const node_impl node_resize_impl = {sizeof(resize_params), resize_infer, resize_plan,
                                    resize_node_prepare, resize_flops, NULL, NULL};
