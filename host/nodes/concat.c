/*
 * concat.c — Concat nodes: one launch per input, each copying into its
 * slice of the output, except for the inputs the executor placed there
 * already (inplace.c); the kernel in ops/concat.c.
 */
#include "../ops/concat.h"
#include <stdlib.h>

#include "nodes.h"

/* The op wants the input shapes side by side (c->in holds pointers): the
 * plan owns that array, freed by concat_release. */
static clinfer_status concat_infer(const node_ctx *c, clinfer_shape *out)
{
    concat_params *p = c->plan;
    clinfer_status st = node_need_inputs(c, c->node->input_count);
    if (st != CLINFER_OK)
        return st;
    clinfer_shape *shapes = malloc((size_t)c->node->input_count * sizeof *shapes);
    if (!shapes)
        return err_set(c->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t i = 0; i < c->node->input_count; i++)
        shapes[i] = *c->in[i];
    *p = (concat_params){c->node->input_count, shapes, c->node->attrs.concat.axis};
    return node_wrap(c, concat_output_shape(c->rt, p, out));
}

static void concat_release(void *plan)
{
    free((void *)((concat_params *)plan)->inputs);
}

static clinfer_status concat_node_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                          node_launches *l)
{
    const concat_params *p = c->plan;
    int32_t copies = 0;
    for (int32_t i = 0; i < p->count; i++)
        copies += !(c->in_place && c->in_place[i]);
    clinfer_status st = node_launches_alloc(c->rt, l, copies);
    for (int32_t i = 0, j = 0; st == CLINFER_OK && i < p->count; i++) {
        if (c->in_place && c->in_place[i])
            continue;
        st = concat_prepare(c->rt, p, i, &l->items[j]);
        if (st == CLINFER_OK)
            st = launch_bind_io(c->rt, &l->items[j++], in[i], out);
    }
    return st;
}

const node_impl node_concat_impl = {sizeof(concat_params), concat_infer, NULL,
                                    concat_node_prepare, NULL, concat_release, NULL};
