/*
 * inplace.c — concatenation in place: an input of a Concat whose output is
 * one contiguous block per input (every dimension before the axis is 1,
 * e.g. channels at batch 1) is given the bytes of its slice of the output,
 * so its producer writes it there and the Concat copies nothing for it
 * (SqueezeNet's fire modules, Inception blocks). ONNX Runtime, MNN and
 * ncnn do the same.
 *
 * An input qualifies when the Concat is its only reader, it is neither a
 * graph input nor output (those may be rebound to the caller's buffers),
 * it is not a view (its memory is its own), it appears once in the Concat,
 * it is not itself the output of a Concat with inputs in place (no
 * chains). Its slice may start at any float: kernels take (buffer, offset)
 * pairs, not sub-buffers (dev_tensor, ops/launch.h). The Concat's output
 * must not be a graph output or the root of one (a rebinding would move it
 * away from its inputs).
 */
#include "session.h"

#include <stdlib.h>

#include "shape.h"

/* Readers of each root value, and whether a graph output uses it. */
static void count_uses(const clinfer_session *s, int32_t *uses, char *is_output)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t i = 0; i < g->node_count; i++) {
        const graph_node *n = &g->nodes[i];
        for (int32_t k = 0; !n->removed && k < n->input_count; k++)
            if (n->inputs[k] >= 0)
                uses[s->root[n->inputs[k]]]++;
    }
    for (int32_t o = 0; o < g->output_count; o++)
        is_output[s->root[g->outputs[o].value]] = 1;
}

/* Whether value v can live inside a Concat's output. */
static int input_fits(const clinfer_session *s, int32_t v, const int32_t *uses,
                      const char *is_output, const char *has_inplace)
{
    const graph_value *val = &s->m->g->values[v];
    if (s->root[v] != v || val->kind != VALUE_NODE || val->producer < 0)
        return 0;
    return uses[v] == 1 && !is_output[v] && !has_inplace[val->producer];
}

/* Marks the inputs of Concat node i that can be placed in its output. */
static void place_concat(clinfer_session *s, int32_t i, const int32_t *uses,
                         const char *is_output, char *has_inplace)
{
    const graph_node *n = &s->m->g->nodes[i];
    const clinfer_shape *out = &s->shapes[n->output];
    int32_t axis = 0;
    if (!shape_axis(n->attrs.concat.axis, out->rank, &axis) || s->root[n->output] != n->output ||
        is_output[n->output])
        return;
    for (int32_t d = 0; d < axis; d++)
        if (out->dims[d] != 1)
            return;
    uint64_t offset = 0;
    for (int32_t k = 0; k < n->input_count; k++) {
        const int32_t v = n->inputs[k];
        if (v < 0)
            return;
        if (input_fits(s, v, uses, is_output, has_inplace)) {
            s->host_of[v] = n->output;
            s->host_offset[v] = offset;
            has_inplace[i] = 1;
        }
        offset += (uint64_t)shape_numel(&s->shapes[v]) * rt_elem_bytes(s->rt);
    }
}

clinfer_status session_place_in_place(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    size_t nv = (size_t)(g->value_count > 0 ? g->value_count : 1);
    size_t nn = (size_t)(g->node_count > 0 ? g->node_count : 1);
    int32_t *uses = calloc(nv, sizeof *uses);
    char *is_output = calloc(nv, 1), *has_inplace = calloc(nn, 1);
    clinfer_status st = CLINFER_OK;
    if (!uses || !is_output || !has_inplace)
        st = err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    if (st == CLINFER_OK)
        count_uses(s, uses, is_output);
    for (int32_t i = 0; st == CLINFER_OK && i < g->node_count; i++)
        if (!g->nodes[i].removed && g->nodes[i].op == OP_CONCAT)
            place_concat(s, i, uses, is_output, has_inplace);
    free(uses);
    free(is_output);
    free(has_inplace);
    return st;
}
