/*
 * graph_topk.c — clinfer_graph_topk: ONNX TopK as one `topk` node
 * (ops/topk.h) whose output holds the values and the indices in two slabs
 * (a node has one output), and per wanted output a Slice (a copy of its
 * slab: K elements a line, small beside the line the node read) and a
 * Reshape view dropping the slab dimension.
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "shape.h"

/* Slab `slab` of the node's output [2, ...] as [...], named `name`. */
static clinfer_status topk_slab(clinfer_graph *g, const char *name, clinfer_value both,
                                int64_t slab, clinfer_value *out)
{
    char buf[300];
    const int64_t starts[1] = {slab}, ends[1] = {slab + 1}, axes[1] = {0};
    clinfer_value one;
    if (snprintf(buf, sizeof buf, "%s/slab", name) >= (int)sizeof buf)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "topk \"%s\": the name is too long",
                          name);
    clinfer_status st = clinfer_graph_slice(g, buf, both, starts, ends, axes, NULL, 1, &one);
    return st == CLINFER_OK ? graph_drop_lead(g, "topk", name, one, 1, out) : st;
}

clinfer_status clinfer_graph_topk(clinfer_graph *g, const char *name, clinfer_value x,
                                  int64_t axis, int64_t k, int largest, clinfer_value *values,
                                  clinfer_value *indices)
{
    char generated[64], buf[300];
    if (!g)
        return CLINFER_ERR_INVALID_ARGUMENT;
    name = graph_default_name(g, name, "topk", generated, sizeof generated);
    if (strlen(name) > 250)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "topk: the name is too long");
    if (!values && !indices)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "topk \"%s\": no output wanted", name);
    if (!graph_valid_value(g, x))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "topk \"%s\": x is not a value of this graph (%d)", name, (int)x);
    /* K is fixed when the graph is built; a line along the open batch
     * dimension has no size to check it against */
    const clinfer_shape *xs = &g->values[x].shape;
    int32_t ax = 0;
    if (shape_axis(axis, xs->rank, &ax) && xs->dims[ax] == CLINFER_BATCH_DIM)
        return graph_fail(g, CLINFER_ERR_UNSUPPORTED,
                          "topk \"%s\": axis %lld is the open batch dimension (K must be checked "
                          "against a known size)",
                          name, (long long)axis);
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.topk.axis = axis; /* axis and K checked against x's shape by the node's inference */
    a.topk.k = k;
    a.topk.largest = largest != 0;
    const int32_t nodes_before = g->node_count, values_before = g->value_count;
    clinfer_value both;
    snprintf(buf, sizeof buf, "%s/slabs", name);
    clinfer_status st = graph_add_node(g, buf, OP_TOPK, &x, 1, &a, &both);
    if (st == CLINFER_OK && values)
        st = topk_slab(g, name, both, 0, values);
    if (st == CLINFER_OK && indices) {
        snprintf(buf, sizeof buf, "%s/indices", name);
        st = topk_slab(g, buf, both, 1, indices);
    }
    if (st != CLINFER_OK) /* keeps the message: the node and views made so far go */
        graph_roll_back(g, nodes_before, values_before);
    return st;
}
