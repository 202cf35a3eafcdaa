/*
 * views.c — Flatten, Reshape and Identity (also Dropout at inference): the
 * output shares the input's memory, so these nodes only compute a shape.
 * The memory planner aliases their output to their input.
 */
#include <stdint.h>

#include "../shape.h"
#include "nodes.h"

static clinfer_status flatten_shape(const node_ctx *c, clinfer_shape *out)
{
    const clinfer_shape *x = c->in[0];
    int32_t axis = c->node->attrs.flatten.axis;
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis > x->rank)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "axis %d is outside [-%d, %d]",
                         (int)c->node->attrs.flatten.axis, (int)x->rank, (int)x->rank);
    int64_t outer = 1, inner = 1;
    for (int32_t i = 0; i < x->rank; i++)
        *(i < axis ? &outer : &inner) *= x->dims[i];
    const int64_t dims[2] = {outer, inner};
    *out = shape_make(2, dims);
    return CLINFER_OK;
}

/* ONNX Reshape: 0 copies the input's dimension (allowzero = 0), one -1 is
 * inferred from the element count. */
static clinfer_status reshape_shape(const node_ctx *c, clinfer_shape *out)
{
    const clinfer_shape *x = c->in[0];
    const clinfer_shape *t = &c->node->attrs.reshape.target;
    char a[128], b[128];
    clinfer_shape r = *t;
    int32_t infer_at = -1;
    int64_t known = 1;
    for (int32_t i = 0; i < t->rank; i++) {
        if (t->dims[i] == 0) {
            if (i >= x->rank)
                return node_fail(c, CLINFER_ERR_SHAPE, "target %s copies dimension %d of %s",
                                 shape_str(t, a, sizeof a), (int)i, shape_str(x, b, sizeof b));
            r.dims[i] = x->dims[i];
        } else if (t->dims[i] == -1) {
            if (infer_at >= 0)
                return node_fail(c, CLINFER_ERR_SHAPE, "target %s has more than one -1",
                                 shape_str(t, a, sizeof a));
            infer_at = i;
            continue;
        } else if (t->dims[i] < 0) {
            return node_fail(c, CLINFER_ERR_SHAPE, "target %s has a negative dimension",
                             shape_str(t, a, sizeof a));
        }
        if (r.dims[i] != 0 && known > INT64_MAX / r.dims[i])
            return node_fail(c, CLINFER_ERR_SHAPE, "target %s has too many elements",
                             shape_str(t, a, sizeof a));
        known *= r.dims[i];
    }
    int64_t total = shape_numel(x);
    if (infer_at >= 0) {
        if (known == 0 || total % known != 0)
            return node_fail(c, CLINFER_ERR_SHAPE, "cannot reshape %s into %s",
                             shape_str(x, b, sizeof b), shape_str(t, a, sizeof a));
        r.dims[infer_at] = total / known;
    }
    if (shape_numel(&r) != total)
        return node_fail(c, CLINFER_ERR_SHAPE, "cannot reshape %s (%lld elements) into %s",
                         shape_str(x, b, sizeof b), (long long)total, shape_str(&r, a, sizeof a));
    *out = r;
    return CLINFER_OK;
}

static clinfer_status view_infer(const node_ctx *c, clinfer_shape *out)
{
    if (!c->in[0])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input is required");
    switch (c->node->op) {
    case OP_FLATTEN:
        return flatten_shape(c, out);
    case OP_RESHAPE:
        return reshape_shape(c, out);
    default:
        *out = *c->in[0];
        return CLINFER_OK;
    }
}

const node_impl node_view_impl = {0, view_infer, NULL, NULL, NULL, NULL, NULL};
