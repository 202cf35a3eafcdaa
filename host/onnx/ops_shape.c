/*
 * ops_shape.c — the data-movement operators translated into builder calls:
 * Concat, Pad, Transpose, Flatten, Reshape, Identity, Dropout,
 * Squeeze/Unsqueeze, Slice, the Reduce ops, ArgMax/ArgMin, Hardmax (as
 * ArgMax and Equal) and Cast.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/reduce.h"
#include "../shape.h"
#include "ops_internal.h"

clinfer_status op_concat(onnx_node *c)
{
    int64_t axis = 1;
    clinfer_status st = onnx_node_attr_int(c, "axis", 1, &axis);
    if (st == CLINFER_OK && c->im->opset >= 4 && !onnx_node_attr(c, "axis"))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"axis\" is required");
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK - 1);
    int32_t n = onnx_node_input_count(c);
    if (st == CLINFER_OK && n < 1)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "needs at least one input");
    if (st != CLINFER_OK)
        return st;
    clinfer_value *xs = malloc((size_t)n * sizeof *xs), y;
    if (!xs)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t k = 0; k < n && st == CLINFER_OK; k++)
        st = onnx_node_in_value(c, k, &xs[k]);
    if (st == CLINFER_OK)
        st = onnx_node_out_of(
            c, clinfer_graph_concat(c->im->g, onnx_node_oname(c), xs, n, (int32_t)axis, &y), &y);
    free(xs);
    return st;
}

clinfer_status op_pad(onnx_node *c)
{
    clinfer_shape xs;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    int64_t pads[MAX_INTS], axes[MAX_INTS];
    int32_t npads = -1, naxes = -1;
    float value = 0;
    const char *mode_name = "constant";
    if (st == CLINFER_OK)
        st = onnx_node_attr_string(c, "mode", "constant", &mode_name);
    if (st != CLINFER_OK)
        return st;
    int mode = -1;
    if (strcmp(mode_name, "constant") == 0)
        mode = 0;
    else if (strcmp(mode_name, "reflect") == 0)
        mode = 1;
    else if (strcmp(mode_name, "edge") == 0)
        mode = 2;
    else if (strcmp(mode_name, "wrap") == 0 && c->im->opset >= 19)
        mode = 3;
    else if (strcmp(mode_name, "wrap") == 0)
        return onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                     "attribute \"mode\" is \"wrap\", which Pad has from opset "
                                     "19; the model imports opset %lld",
                                     (long long)c->im->opset);
    else
        return onnx_node_error(
            c, CLINFER_ERR_UNSUPPORTED,
            "attribute \"mode\" is \"%s\", expected constant, reflect, edge or wrap", mode_name);
    if (c->im->opset < 11) {
        st = onnx_node_attr_ints(c, c->im->opset < 2 ? "paddings" : "pads", pads, MAX_INTS, &npads);
        if (st == CLINFER_OK)
            st = onnx_node_attr_float(c, "value", 0.0f, &value);
        if (st == CLINFER_OK && npads < 0)
            st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"pads\" is required");
    } else {
        const host_tensor *tp = NULL, *tv = NULL, *ta = NULL;
        st = onnx_node_in_host(c, 1, "pads", &tp);
        if (st == CLINFER_OK)
            st = onnx_node_host_ints(c, tp, "pads", pads, MAX_INTS, &npads);
        if (st == CLINFER_OK)
            st = onnx_node_in_host_opt(c, 2, "constant_value", &tv);
        if (st == CLINFER_OK && tv && tv->numel > 0)
            st = onnx_node_host_scalar(c, tv, "constant_value", &value);
        if (st == CLINFER_OK)
            st = onnx_node_in_host_opt(c, 3, "axes", &ta);
        if (st == CLINFER_OK && ta)
            st = onnx_node_host_ints(c, ta, "axes", axes, MAX_INTS, &naxes);
    }
    if (st != CLINFER_OK)
        return st;
    /* Expand to every axis: the starts of all dims, then the ends. */
    int64_t full[2 * CLINFER_MAX_RANK] = {0};
    int32_t rank = xs.rank;
    if (naxes < 0) {
        if (npads != 2 * rank)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "pads has %d values, expected %d (2 * rank)", (int)npads,
                                   (int)(2 * rank));
        memcpy(full, pads, (size_t)npads * sizeof *pads);
    } else {
        if (npads != 2 * naxes)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "pads has %d values, expected %d (2 * number of axes)",
                                   (int)npads, (int)(2 * naxes));
        int seen[CLINFER_MAX_RANK] = {0};
        for (int32_t k = 0; k < naxes; k++) {
            int32_t d = 0;
            if (!shape_axis(axes[k], rank, &d) || seen[d]++)
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axes[%d] = %lld is %s",
                                       (int)k, (long long)axes[k],
                                       shape_axis(axes[k], rank, &d) ? "repeated" : "out of range");
            full[d] = pads[k];
            full[rank + d] = pads[naxes + k];
        }
    }
    for (int32_t k = 0; k < 2 * rank; k++)
        if (full[k] < -(1 << 30) || full[k] > (1 << 30))
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "pad %lld is out of range",
                                   (long long)full[k]);
    clinfer_value x, y;
    if ((st = onnx_node_in_value(c, 0, &x)) != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, graph_pad_ex(c->im->g, onnx_node_oname(c), x, full, 2 * rank, value, mode, &y), &y);
}

clinfer_status op_transpose(onnx_node *c)
{
    int64_t perm[MAX_INTS];
    int32_t n = -1, p32[CLINFER_MAX_RANK];
    clinfer_value x, y;
    clinfer_status st = onnx_node_attr_ints(c, "perm", perm, MAX_INTS, &n);
    if (st == CLINFER_OK && n > CLINFER_MAX_RANK)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "perm has %d entries", (int)n);
    for (int32_t k = 0; st == CLINFER_OK && k < n; k++)
        st = onnx_node_check_range(c, "perm", perm[k], 0, CLINFER_MAX_RANK - 1),
        p32[k] = (int32_t)perm[k];
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_transpose(c->im->g, onnx_node_oname(c), x,
                                                    n >= 0 ? p32 : NULL, n >= 0 ? n : 0, &y),
                            &y);
}

clinfer_status op_flatten(onnx_node *c)
{
    int64_t axis = 1;
    clinfer_value x, y;
    clinfer_status st = onnx_node_attr_int(c, "axis", 1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_flatten(c->im->g, onnx_node_oname(c), x, (int32_t)axis, &y), &y);
}

/* A Reshape target from a host shape tensor: batch-dependent entries become
 * 0 (copy the same input dim, when that one is open too) or -1. */
static clinfer_status reshape_target(onnx_node *c, const host_tensor *t, const clinfer_shape *xs,
                                     int allowzero, clinfer_shape *target)
{
    if (t->shape.rank != 1 || t->numel > CLINFER_MAX_RANK || t->dtype != CLINFER_DTYPE_INT64)
        return onnx_node_error(
            c, t->numel > CLINFER_MAX_RANK ? CLINFER_ERR_UNSUPPORTED : CLINFER_ERR_INVALID_MODEL,
            "the shape input must be a 1-D int64 tensor of at most %d values", CLINFER_MAX_RANK);
    memset(target, 0, sizeof *target);
    target->rank = (int32_t)t->numel;
    int minus = 0;
    for (int32_t d = 0; d < target->rank; d++)
        minus += !(t->sym && t->sym[d]) && t->i[d] == -1;
    for (int32_t d = 0; d < target->rank; d++) {
        int64_t v = t->i[d];
        if (t->sym && t->sym[d]) {
            int same = t->sym[d] == 1 + d && d < xs->rank && xs->dims[d] == CLINFER_BATCH_DIM;
            if (same)
                v = 0;
            else if (!minus++)
                v = -1;
            else
                return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                       "the target shape has more than one entry that depends on "
                                       "the batch size");
        } else if (v == 0 && allowzero) {
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "allowzero with a 0 in the shape makes an empty tensor");
        } else if (v < -1 || v > INT32_MAX) {
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "shape[%d] = %lld", (int)d,
                                   (long long)v);
        }
        target->dims[d] = v;
    }
    int64_t known = 1; /* checked here so that no product overflows later */
    for (int32_t d = 0; d < target->rank; d++) {
        int64_t v = target->dims[d] > 0 ? target->dims[d] : 1;
        if (known > INT32_MAX / v)
            return onnx_node_error(c, CLINFER_ERR_SHAPE,
                                   "the target shape has more than 2^31-1 "
                                   "elements");
        known *= v;
    }
    return CLINFER_OK;
}

clinfer_status op_reshape(onnx_node *c)
{
    clinfer_shape xs, target;
    int64_t allowzero = 0;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "allowzero", 0, &allowzero);
    if (st != CLINFER_OK)
        return st;
    if (c->im->opset < 5) {
        int64_t dims[MAX_INTS];
        int32_t n = -1;
        st = onnx_node_attr_ints(c, "shape", dims, MAX_INTS, &n);
        if (st == CLINFER_OK && (n < 0 || n > CLINFER_MAX_RANK))
            st = onnx_node_error(c, n < 0 ? CLINFER_ERR_INVALID_MODEL : CLINFER_ERR_UNSUPPORTED,
                                 "attribute \"shape\" is missing or longer than %d",
                                 CLINFER_MAX_RANK);
        if (st != CLINFER_OK)
            return st;
        host_tensor t;
        clinfer_shape s1 = {1, {n}};
        char msg[256];
        if (host_tensor_alloc(&t, CLINFER_DTYPE_INT64, &s1, msg, sizeof msg) != CLINFER_OK)
            return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "%s", msg);
        for (int32_t k = 0; k < n; k++)
            t.i[k] = dims[k];
        st = reshape_target(c, &t, &xs, 0, &target);
        host_tensor_free(&t);
    } else {
        const host_tensor *t = NULL;
        st = onnx_node_in_host(c, 1, "shape", &t);
        if (st == CLINFER_OK)
            st = reshape_target(c, t, &xs, (int)allowzero, &target);
    }
    clinfer_value x, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_reshape(c->im->g, onnx_node_oname(c), x, &target, &y),
                            &y);
}

clinfer_status op_identity(onnx_node *c)
{
    clinfer_value x, y;
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_identity(c->im->g, onnx_node_oname(c), x, &y), &y);
}

clinfer_status op_dropout(onnx_node *c)
{
    /* Inference: a copy. In training mode too when the ratio is 0 (nothing
     * is dropped, the scale is 1), as exports of attention blocks write
     * F.dropout(x, p=0.0, training=True); any other ratio is refused. */
    const host_tensor *training = NULL, *ratio = NULL;
    clinfer_status st = onnx_node_in_host_opt(c, 2, "training_mode", &training);
    if (st == CLINFER_OK)
        st = onnx_node_in_host_opt(c, 1, "ratio", &ratio);
    if (st != CLINFER_OK)
        return st;
    int trains = training && (training->numel != 1 || host_tensor_get_f(training, 0) != 0);
    int drops = !ratio || ratio->numel != 1 || host_tensor_get_f(ratio, 0) != 0;
    if (trains && drops)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "training_mode is true with a ratio other than 0: clinfer does "
                               "inference only");
    onnx_sym *x = onnx_node_in(c, 0);
    return x && x->kind == SYM_HOST ? fold_identity(c) : op_identity(c);
}

/* Squeeze/Unsqueeze: a reshape view; open dims keep their place (0) or are
 * inferred (-1). */
static clinfer_status view_to(onnx_node *c, const int64_t *od, const int32_t *src, int32_t orank)
{
    clinfer_shape t;
    memset(&t, 0, sizeof t);
    t.rank = orank;
    int minus = 0;
    for (int32_t d = 0; d < orank; d++) {
        if (od[d] != CLINFER_BATCH_DIM)
            t.dims[d] = od[d];
        else if (src[d] == d)
            t.dims[d] = 0;
        else if (!minus++)
            t.dims[d] = -1;
        else
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "more than one dimension depends on the batch size");
    }
    clinfer_value x, y;
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_reshape(c->im->g, onnx_node_oname(c), x, &t, &y), &y);
}

clinfer_status op_squeeze(onnx_node *c)
{
    clinfer_shape xs;
    int64_t axes[CLINFER_MAX_RANK], od[CLINFER_MAX_RANK];
    int32_t n = -1, src[CLINFER_MAX_RANK], o = 0;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_axes(c, xs.rank, c->im->opset >= 13, axes, &n);
    if (st != CLINFER_OK)
        return st;
    for (int32_t d = 0, k = 0; d < xs.rank; d++) {
        int listed = k < n && axes[k] == d;
        k += listed;
        if (listed && xs.dims[d] != 1)
            return onnx_node_error(
                c, xs.dims[d] == CLINFER_BATCH_DIM ? CLINFER_ERR_UNSUPPORTED : CLINFER_ERR_SHAPE,
                "axis %d has size %s, not 1", (int)d,
                xs.dims[d] == CLINFER_BATCH_DIM ? "N (the open batch)" : ">1");
        if (listed || (n < 0 && xs.dims[d] == 1))
            continue;
        od[o] = xs.dims[d];
        src[o++] = d;
    }
    return view_to(c, od, src, o);
}

clinfer_status op_unsqueeze(onnx_node *c)
{
    clinfer_shape xs;
    int64_t axes[CLINFER_MAX_RANK], od[CLINFER_MAX_RANK];
    int32_t n = -1, src[CLINFER_MAX_RANK];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st != CLINFER_OK)
        return st;
    /* Axes count against the output rank, which needs their number first. */
    int64_t raw[MAX_INTS];
    int32_t nraw = -1;
    if (c->im->opset >= 13) {
        const host_tensor *t = NULL;
        st = onnx_node_in_host(c, 1, "axes", &t);
        if (st == CLINFER_OK)
            st = onnx_node_host_ints(c, t, "axes", raw, MAX_INTS, &nraw);
    } else {
        st = onnx_node_attr_ints(c, "axes", raw, MAX_INTS, &nraw);
    }
    if (st != CLINFER_OK)
        return st;
    if (nraw < 0 || xs.rank + nraw > CLINFER_MAX_RANK)
        return onnx_node_error(c, nraw < 0 ? CLINFER_ERR_INVALID_MODEL : CLINFER_ERR_UNSUPPORTED,
                               nraw < 0 ? "axes are required" : "the output would exceed rank 8");
    int32_t orank = xs.rank + nraw;
    if ((st = onnx_node_axes(c, orank, c->im->opset >= 13, axes, &n)) != CLINFER_OK)
        return st;
    for (int32_t d = 0, k = 0, i = 0; d < orank; d++) {
        if (k < n && axes[k] == d) {
            k++;
            od[d] = 1;
            src[d] = -1;
        } else {
            od[d] = xs.dims[i];
            src[d] = i++;
        }
    }
    return view_to(c, od, src, orank);
}

clinfer_status op_slice(onnx_node *c)
{
    clinfer_shape xs;
    int64_t starts[CLINFER_MAX_RANK], ends[CLINFER_MAX_RANK], axes[CLINFER_MAX_RANK],
        steps[CLINFER_MAX_RANK];
    int32_t n = 0;
    clinfer_value x, y;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_slice_params(c, xs.rank, starts, ends, axes, steps, &n);
    for (int32_t k = 0; st == CLINFER_OK && k < n; k++) {
        int32_t d = 0;
        shape_axis(axes[k], xs.rank, &d);
        if (xs.dims[d] == CLINFER_BATCH_DIM &&
            !(starts[k] == 0 && steps[k] == 1 && ends[k] >= (int64_t)INT32_MAX))
            st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                 "slicing the open batch dimension (axis %d) is not supported",
                                 (int)d);
    }
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_slice(c->im->g, onnx_node_oname(c), x, starts, ends, axes, steps, n, &y),
        &y);
}

clinfer_status op_reduce(onnx_node *c)
{
    /* the op table sends only the names reduce_kind_parse knows; its
     * kinds are clinfer_reduce_op's values (ops/reduce.c checks) */
    reduce_kind kind = REDUCE_SUM;
    reduce_kind_parse(c->op, &kind);
    const clinfer_reduce_op op = (clinfer_reduce_op)kind;
    /* axes became an input at opset 13 for ReduceSum, 18 for the others */
    int axes_input = op == CLINFER_REDUCE_SUM ? c->im->opset >= 13 : c->im->opset >= 18;
    int64_t keepdims = 1, noop = 0, axes[MAX_INTS];
    int32_t n = -1;
    clinfer_status st = onnx_node_attr_int(c, "keepdims", 1, &keepdims);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "noop_with_empty_axes", 0, &noop);
    if (st == CLINFER_OK && axes_input) {
        const host_tensor *t = NULL;
        st = onnx_node_in_host_opt(c, 1, "axes", &t);
        if (st == CLINFER_OK && t)
            st = onnx_node_host_ints(c, t, "axes", axes, MAX_INTS, &n);
    } else if (st == CLINFER_OK) {
        st = onnx_node_attr_ints(c, "axes", axes, MAX_INTS, &n);
    }
    if (st == CLINFER_OK && n > CLINFER_MAX_RANK)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "%d axes", (int)n);
    if (st != CLINFER_OK)
        return st;
    if (n <= 0 && noop)
        return op_identity(c);
    clinfer_value x, y;
    if ((st = onnx_node_in_value(c, 0, &x)) != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_reduce(c->im->g, onnx_node_oname(c), op, x, axes,
                                                 n > 0 ? n : 0, keepdims != 0, &y),
                            &y);
}

/* ArgMax, ArgMin: the int64 indices are computed as floats, and written
 * as int64 where a graph output declares it. */
clinfer_status op_arg_reduce(onnx_node *c)
{
    int64_t axis = 0, keepdims = 1, last = 0;
    clinfer_status st = onnx_node_attr_int(c, "axis", 0, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "keepdims", 1, &keepdims);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "select_last_index", 0, &last);
    if (st == CLINFER_OK && (keepdims < 0 || keepdims > 1 || last < 0 || last > 1))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "keepdims (%lld) and select_last_index (%lld) must be 0 or 1",
                             (long long)keepdims, (long long)last);
    if (st == CLINFER_OK && c->im->opset < 12 && onnx_node_attr(c, "select_last_index"))
        st = onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "select_last_index exists from opset 12 (the model has %lld)",
                                   (long long)c->im->opset);
    if (st == CLINFER_OK && c->im->opset < 11 && axis < 0)
        st = onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "a negative axis needs opset 11 (the model has %lld)",
                                   (long long)c->im->opset);
    clinfer_value x, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_arg_reduce(c->im->g, onnx_node_oname(c),
                                                     strcmp(c->op, "ArgMin") == 0, x, axis,
                                                     (int)keepdims, (int)last, &y),
                            &y);
}

/* Hardmax: 1 at the first maximum of each line along the axis, 0
 * elsewhere, built as ArgMax (keeping the axis) then Equal against a
 * constant ramp 0, 1, .., len - 1 laid along the axis: exact, both sides
 * holding integers, and ties go to the first maximum as ArgMax's do. A NaN
 * counts as the maximum (ArgMax's rule, as NumPy's argmax): a line's first
 * NaN gets the 1. Before opset 13 the input is coerced to 2-D at the axis
 * (Flatten: the line is all of [d(axis)..]) and the result reshaped back. */
clinfer_status op_hardmax(onnx_node *c)
{
    const int coerced = c->im->opset < 13;
    int64_t axis = 0;
    int32_t ax = 0;
    clinfer_shape xs;
    clinfer_status st = onnx_node_attr_int(c, "axis", coerced ? 1 : -1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && !shape_axis(axis, xs.rank, &ax))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "axis %lld is out of range for an input of rank %d", (long long)axis,
                             (int)xs.rank);
    if (st == CLINFER_OK && ax == 0 && xs.dims[0] == CLINFER_BATCH_DIM)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "a line along the open batch dimension (axis %lld) is not supported",
                             (long long)axis);
    int64_t len = 1;
    for (int32_t d = ax; st == CLINFER_OK && d < (coerced ? xs.rank : ax + 1); d++)
        len *= xs.dims[d];
    if (st == CLINFER_OK && len > (1 << 24))
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "lines of %lld elements: at most 2^24 supported", (long long)len);
    clinfer_value x, v, idx, ramp, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    clinfer_graph *g = c->im->g;
    char b[512];
    v = x;
    if (coerced)
        st = clinfer_graph_flatten(g, onnx_node_part_name(c, "2d", b, sizeof b), x, ax, &v);
    const int32_t line_axis = coerced ? 1 : ax;
    if (st == CLINFER_OK)
        st = clinfer_graph_arg_reduce(g, onnx_node_part_name(c, "argmax", b, sizeof b), 0, v,
                                      line_axis, 1, 0, &idx);
    float *r = st == CLINFER_OK ? malloc((size_t)len * sizeof *r) : NULL;
    if (st == CLINFER_OK && !r)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    if (st == CLINFER_OK) {
        clinfer_shape rs = {coerced ? 1 : xs.rank - ax, {len}}; /* [len, 1, .., 1] */
        for (int32_t d = 1; d < rs.rank; d++)
            rs.dims[d] = 1;
        for (int64_t i = 0; i < len; i++)
            r[i] = (float)i;
        st = clinfer_graph_constant(g, onnx_node_part_name(c, "ramp", b, sizeof b), &rs, r, &ramp);
    }
    free(r);
    if (st == CLINFER_OK && coerced) {
        st = clinfer_graph_compare(g, onnx_node_part_name(c, "2d_out", b, sizeof b),
                                   CLINFER_COMPARE_EQUAL, idx, ramp, &v);
        if (st == CLINFER_OK) /* the batch, CLINFER_BATCH_DIM, is -1: inferred */
            st = clinfer_graph_reshape(g, onnx_node_oname(c), v, &xs, &y);
    } else if (st == CLINFER_OK) {
        st = clinfer_graph_compare(g, onnx_node_oname(c), CLINFER_COMPARE_EQUAL, idx, ramp, &y);
    }
    return onnx_node_out_of(c, st, &y);
}

clinfer_status op_cast(onnx_node *c)
{
    int64_t to = 0;
    clinfer_status st = onnx_node_cast_to(c, &to);
    if (st != CLINFER_OK)
        return st;
    /* To a float type: the tensor stays float32 (a model exported in
     * float16 runs in float32 inside, without float16's rounding). */
    if (to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 &&
        to != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE && to != ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "casting a run-time tensor to %s: clinfer computes in float32 only",
                               onnx_dtype_name((int32_t)to));
    return op_identity(c);
}
