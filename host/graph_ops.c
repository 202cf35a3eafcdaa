/*
 * graph_ops.c — the builder calls (clinfer_graph_*) of the tensor ops and
 * the newer image ops: the normalisations, pad, transpose, reductions and
 * ArgMax/ArgMin, Where and the comparisons, GatherElements and Gather,
 * slice, expand, tile, resize, DepthToSpace/SpaceToDepth, GridSample, CumSum,
 * MaxPool's Indices and MaxUnpool. Each
 * checks its arguments and appends its node through graph_add_node (graph.c), which
 * infers the output shape and rolls the node back on failure.
 */
#include <string.h>

#include "graph.h"

/* A normalisation node over [x, scale, bias]. */
static clinfer_status add_norm(clinfer_graph *g, const char *name, op_kind op, clinfer_value x,
                               clinfer_value scale, clinfer_value bias, const node_attrs *a,
                               clinfer_value *out)
{
    const clinfer_value in[3] = {x, scale, bias};
    return graph_add_node(g, name, op, in, 3, a, out);
}

clinfer_status clinfer_graph_instance_norm(clinfer_graph *g, const char *name, clinfer_value x,
                                           clinfer_value scale, clinfer_value bias,
                                           float epsilon, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.norm.epsilon = epsilon;
    return add_norm(g, name, OP_INSTANCENORM, x, scale, bias, &a, out);
}

clinfer_status clinfer_graph_layer_norm(clinfer_graph *g, const char *name, clinfer_value x,
                                        clinfer_value scale, clinfer_value bias, int32_t axis,
                                        float epsilon, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.norm.epsilon = epsilon;
    a.norm.axis = axis;
    return add_norm(g, name, OP_LAYERNORM, x, scale, bias, &a, out);
}

clinfer_status clinfer_graph_group_norm(clinfer_graph *g, const char *name, clinfer_value x,
                                        clinfer_value scale, clinfer_value bias, int32_t groups,
                                        float epsilon, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.norm.epsilon = epsilon;
    a.norm.groups = groups;
    return add_norm(g, name, OP_GROUPNORM, x, scale, bias, &a, out);
}

clinfer_status clinfer_graph_mean_variance_norm(clinfer_graph *g, const char *name,
                                                clinfer_value x, const int64_t *axes,
                                                int32_t axes_count, clinfer_value *out)
{
    if (!g || !graph_valid_value(g, x) || (axes_count > 0 && !axes) || axes_count < 0)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "mean_variance_norm: unknown input or bad axes");
    const int32_t rank = g->values[x].shape.rank;
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.norm.axes = axes ? 0u : (1u | 4u | 8u); /* ONNX default [0, 2, 3] */
    for (int32_t i = 0; axes && i < axes_count; i++) {
        const int64_t d = axes[i] < 0 ? axes[i] + rank : axes[i];
        if (d < 0 || d >= rank || (a.norm.axes >> d & 1u))
            return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                              "mean_variance_norm: axis %lld is out of range for rank %d or "
                              "repeated", (long long)axes[i], (int)rank);
        a.norm.axes |= 1u << d;
    }
    return add_norm(g, name, OP_MVN, x, CLINFER_NO_VALUE, CLINFER_NO_VALUE, &a, out);
}

clinfer_status clinfer_graph_pad(clinfer_graph *g, const char *name, clinfer_value x,
                                 const int64_t *pads, int32_t pads_count, float value,
                                 clinfer_value *out)
{
    if (!g || !graph_valid_value(g, x) || !pads || pads_count != 2 * g->values[x].shape.rank)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "pad: needs 2 * rank pads (got %d for rank %d)", (int)pads_count,
                          g && graph_valid_value(g, x) ? (int)g->values[x].shape.rank : -1);
    node_attrs a;
    memset(&a, 0, sizeof a);
    memcpy(a.pad.pads, pads, (size_t)pads_count * sizeof *pads);
    a.pad.value = value;
    return graph_add_node(g, name, OP_PAD, &x, 1, &a, out);
}

clinfer_status graph_pad_ex(clinfer_graph *g, const char *name, clinfer_value x,
                            const int64_t *pads, int32_t pads_count, float value, int mode,
                            clinfer_value *out)
{
    if (!g || !graph_valid_value(g, x) || !pads || pads_count != 2 * g->values[x].shape.rank)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "pad: needs 2 * rank pads (got %d for rank %d)", (int)pads_count,
                          g && graph_valid_value(g, x) ? (int)g->values[x].shape.rank : -1);
    if (mode < 0 || mode > 3)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "pad: unknown mode %d", mode);
    node_attrs a;
    memset(&a, 0, sizeof a);
    memcpy(a.pad.pads, pads, (size_t)pads_count * sizeof *pads);
    a.pad.value = value;
    a.pad.mode = mode;
    return graph_add_node(g, name, OP_PAD, &x, 1, &a, out);
}

clinfer_status clinfer_graph_transpose(clinfer_graph *g, const char *name, clinfer_value x,
                                       const int32_t *perm, int32_t perm_count,
                                       clinfer_value *out)
{
    if (!g || !graph_valid_value(g, x))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "transpose: unknown input");
    int32_t rank = g->values[x].shape.rank;
    if (perm && perm_count != rank)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "transpose: perm has %d entries for rank %d", (int)perm_count,
                          (int)rank);
    node_attrs a;
    memset(&a, 0, sizeof a);
    for (int32_t i = 0; i < rank; i++)
        a.transpose.perm[i] = perm ? perm[i] : rank - 1 - i;
    return graph_add_node(g, name, OP_TRANSPOSE, &x, 1, &a, out);
}

clinfer_status clinfer_graph_reduce(clinfer_graph *g, const char *name, clinfer_reduce_op op,
                                    clinfer_value x, const int64_t *axes, int32_t axes_count,
                                    int keepdims, clinfer_value *out)
{
    if (axes_count < 0 || axes_count > CLINFER_MAX_RANK || (axes_count > 0 && !axes))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "reduce: bad axes (%d)",
                          (int)axes_count);
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.reduce.op = op;
    a.reduce.naxes = axes_count;
    for (int32_t i = 0; i < axes_count; i++)
        a.reduce.axes[i] = axes[i];
    a.reduce.keepdims = keepdims != 0;
    return graph_add_node(g, name, OP_REDUCE, &x, 1, &a, out);
}

clinfer_status clinfer_graph_arg_reduce(clinfer_graph *g, const char *name, int min,
                                        clinfer_value x, int64_t axis, int keepdims,
                                        int select_last_index, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.arg_reduce.axis = axis;
    a.arg_reduce.min = min != 0;
    a.arg_reduce.keepdims = keepdims != 0;
    a.arg_reduce.last = select_last_index != 0;
    return graph_add_node(g, name, OP_ARG_REDUCE, &x, 1, &a, out);
}

clinfer_status clinfer_graph_where(clinfer_graph *g, const char *name, clinfer_value cond,
                                   clinfer_value x, clinfer_value y, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    const clinfer_value in[3] = {cond, x, y};
    return graph_add_node(g, name, OP_WHERE, in, 3, &a, out);
}

clinfer_status clinfer_graph_compare(clinfer_graph *g, const char *name, clinfer_compare_op op,
                                     clinfer_value a, clinfer_value b, clinfer_value *out)
{
    node_attrs at;
    memset(&at, 0, sizeof at);
    at.compare.op = op;
    const clinfer_value in[2] = {a, b};
    return graph_add_node(g, name, OP_COMPARE, in, 2, &at, out);
}

clinfer_status clinfer_graph_gather_elements(clinfer_graph *g, const char *name,
                                             clinfer_value data, clinfer_value indices,
                                             int64_t axis, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.gather_elements.axis = axis;
    const clinfer_value in[2] = {data, indices};
    return graph_add_node(g, name, OP_GATHER_ELEMENTS, in, 2, &a, out);
}

clinfer_status clinfer_graph_gather(clinfer_graph *g, const char *name, clinfer_value data,
                                    clinfer_value indices, int64_t axis, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.gather.axis = axis;
    const clinfer_value in[2] = {data, indices};
    return graph_add_node(g, name, OP_GATHER, in, 2, &a, out);
}

clinfer_status clinfer_graph_slice(clinfer_graph *g, const char *name, clinfer_value x,
                                   const int64_t *starts, const int64_t *ends,
                                   const int64_t *axes, const int64_t *steps, int32_t count,
                                   clinfer_value *out)
{
    if (!g || !graph_valid_value(g, x))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "slice: unknown input");
    int32_t rank = g->values[x].shape.rank;
    if (count < 0 || count > rank || (count > 0 && (!starts || !ends)))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "slice: %d starts/ends for an input of rank %d", (int)count,
                          (int)rank);
    node_attrs a;
    memset(&a, 0, sizeof a);
    for (int32_t d = 0; d < rank; d++) {
        a.slice.starts[d] = 0;
        a.slice.ends[d] = INT64_MAX;
        a.slice.steps[d] = 1;
    }
    int seen[CLINFER_MAX_RANK] = {0};
    for (int32_t i = 0; i < count; i++) {
        int64_t ax = axes ? axes[i] : i;
        if (ax < -rank || ax >= rank)
            return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                              "slice: axis %lld is outside [-%d, %d)", (long long)ax, (int)rank,
                              (int)rank);
        int32_t d = (int32_t)(ax < 0 ? ax + rank : ax);
        if (seen[d]++)
            return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "slice: axis %d is repeated",
                              (int)d);
        if (steps && steps[i] == 0)
            return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "slice: step %d is 0", (int)i);
        a.slice.starts[d] = starts[i];
        a.slice.ends[d] = ends[i];
        a.slice.steps[d] = steps ? steps[i] : 1;
    }
    return graph_add_node(g, name, OP_SLICE, &x, 1, &a, out);
}

clinfer_status clinfer_graph_expand(clinfer_graph *g, const char *name, clinfer_value x,
                                    const clinfer_shape *shape, clinfer_value *out)
{
    if (!shape || shape->rank < 0 || shape->rank > CLINFER_MAX_RANK)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "expand: bad shape");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.expand.shape = *shape;
    return graph_add_node(g, name, OP_EXPAND, &x, 1, &a, out);
}

clinfer_status clinfer_graph_tile(clinfer_graph *g, const char *name, clinfer_value x,
                                  const int64_t *repeats, int32_t count, clinfer_value *out)
{
    if (!g || !graph_valid_value(g, x))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "tile: unknown input");
    if (!repeats || count != g->values[x].shape.rank)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "tile: %d repeats for an input of rank %d", (int)count,
                          (int)g->values[x].shape.rank);
    node_attrs a;
    memset(&a, 0, sizeof a);
    for (int32_t d = 0; d < count; d++)
        a.tile.repeats[d] = repeats[d];
    return graph_add_node(g, name, OP_TILE, &x, 1, &a, out);
}

clinfer_resize_desc clinfer_resize_desc_default(void)
{
    clinfer_resize_desc d;
    memset(&d, 0, sizeof d);
    d.cubic_coeff_a = -0.75f;
    d.roi[2] = d.roi[3] = 1.0f;
    return d;
}

clinfer_status graph_resize_ex(clinfer_graph *g, const char *name, clinfer_value x,
                               const clinfer_resize_desc *desc, int antialias,
                               clinfer_value *out)
{
    if (!desc)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "resize: NULL descriptor");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.resize.d = *desc;
    a.resize.antialias = antialias != 0;
    return graph_add_node(g, name, OP_RESIZE, &x, 1, &a, out);
}

clinfer_status clinfer_graph_resize(clinfer_graph *g, const char *name, clinfer_value x,
                                    const clinfer_resize_desc *desc, clinfer_value *out)
{
    return graph_resize_ex(g, name, x, desc, 0, out);
}

/* DepthToSpace (mode 0 DCR, 1 CRD) or SpaceToDepth (mode 2). */
static clinfer_status add_depth_space(clinfer_graph *g, const char *name, clinfer_value x,
                                      int32_t blocksize, int mode, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.depth_space.blocksize = blocksize;
    a.depth_space.mode = mode;
    return graph_add_node(g, name, OP_DEPTH_SPACE, &x, 1, &a, out);
}

clinfer_status clinfer_graph_depth_to_space(clinfer_graph *g, const char *name, clinfer_value x,
                                            int32_t blocksize, int crd, clinfer_value *out)
{
    return add_depth_space(g, name, x, blocksize, crd ? 1 : 0, out);
}

clinfer_status clinfer_graph_space_to_depth(clinfer_graph *g, const char *name, clinfer_value x,
                                            int32_t blocksize, clinfer_value *out)
{
    return add_depth_space(g, name, x, blocksize, 2, out);
}

clinfer_status clinfer_graph_grid_sample(clinfer_graph *g, const char *name, clinfer_value x,
                                         clinfer_value grid, clinfer_grid_sample_mode mode,
                                         clinfer_grid_padding padding, int align_corners,
                                         clinfer_value *out)
{
    if ((int)mode < 0 || mode > CLINFER_GRID_SAMPLE_BICUBIC || (int)padding < 0 ||
        padding > CLINFER_GRID_PAD_REFLECTION)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "grid_sample: mode %d (0 to 2) or padding %d (0 to 2) unknown",
                          (int)mode, (int)padding);
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.grid_sample.mode = mode;
    a.grid_sample.padding = padding;
    a.grid_sample.align_corners = align_corners != 0;
    const clinfer_value in[2] = {x, grid};
    return graph_add_node(g, name, OP_GRID_SAMPLE, in, 2, &a, out);
}

clinfer_status clinfer_graph_cumsum(clinfer_graph *g, const char *name, clinfer_value x,
                                    int64_t axis, int exclusive, int reverse, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.cumsum.axis = axis; /* checked against x's rank by the node's inference */
    a.cumsum.exclusive = exclusive != 0;
    a.cumsum.reverse = reverse != 0;
    return graph_add_node(g, name, OP_CUMSUM, &x, 1, &a, out);
}

clinfer_status clinfer_graph_max_pool_indices(clinfer_graph *g, const char *name, clinfer_value x,
                                              const clinfer_pool2d_desc *desc, int storage_order,
                                              clinfer_value *out)
{
    if (!desc || desc->kind != CLINFER_POOL_MAX)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "max_pool_indices: desc must be a max pooling (%s)",
                          desc ? "its kind is not CLINFER_POOL_MAX" : "it is NULL");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.pool_indices.d = *desc;
    a.pool_indices.storage_order = storage_order; /* checked by the node's inference */
    return graph_add_node(g, name, OP_POOL_INDICES, &x, 1, &a, out);
}

clinfer_status clinfer_graph_max_unpool(clinfer_graph *g, const char *name, clinfer_value x,
                                        clinfer_value indices, const clinfer_unpool2d_desc *desc,
                                        clinfer_value *out)
{
    if (!desc)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "max_unpool: desc is NULL");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.unpool = *desc;
    const clinfer_value in[2] = {x, indices};
    return graph_add_node(g, name, OP_MAX_UNPOOL, in, 2, &a, out);
}
