/*
 * ops.c — the operator table that import.c dispatches on (which inputs
 * must be constants, which attributes are understood, which translator in
 * ops_conv_pool.c, ops_math.c or ops_shape.c builds it, which host
 * evaluator in fold.c folds it), and the helpers those files share.
 *
 * Opset differences handled by the translators: Clip bounds as attributes
 * (< 11) or inputs; Softmax/LogSoftmax default axis 1 with the 2-D coercion
 * (< 13) or -1; Pad pads/value as attributes (< 11) or inputs, axes (18); Reshape
 * shape as an attribute (< 5); Squeeze/Unsqueeze axes and ReduceSum axes as
 * attributes (< 13) or inputs; the other Reduce ops' axes as inputs (18);
 * Slice bounds as attributes (< 10); legacy broadcast (< 7) where it means
 * the same as NumPy's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shape.h"
#include "ops_internal.h"
#include "ops_table.h"

/* ------------------------------------------------------------ helpers */

/* y is read after the builder call wrote it (hence the pointer). */
clinfer_status onnx_node_out_of(onnx_node *c, clinfer_status st, const clinfer_value *y)
{
    st = onnx_node_build(c, st);
    return st == CLINFER_OK ? onnx_node_out_value(c, 0, *y) : st;
}

const char *onnx_node_oname(const onnx_node *c) { return onnx_node_out_name(c, 0); }

const char *onnx_node_part_name(const onnx_node *c, const char *suffix, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s:%s", onnx_node_oname(c), suffix);
    return buf;
}

clinfer_status onnx_node_scalar_constant(onnx_node *c, const char *suffix, float v,
                                         clinfer_value *out)
{
    char b[512];
    const clinfer_shape scalar = shape_make(0, NULL);
    return clinfer_graph_constant(c->im->g, onnx_node_part_name(c, suffix, b, sizeof b), &scalar,
                                  &v, out);
}

/* An int attribute or list value that must fit [lo, hi]. */
clinfer_status onnx_node_check_range(onnx_node *c, const char *attr, int64_t v, int64_t lo,
                                     int64_t hi)
{
    if (v < lo || v > hi)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"%s\": %lld is outside [%lld, %lld]", attr, (long long)v,
                               (long long)lo, (long long)hi);
    return CLINFER_OK;
}

/* ------------------------------------------------------------ shared parameter readers */

clinfer_status onnx_node_cast_to(onnx_node *c, int64_t *to)
{
    clinfer_status st = onnx_node_attr_int(c, "to", 0, to);
    if (st != CLINFER_OK)
        return st;
    /* saturate (opset 19) only changes casts to float8, which clinfer
     * refuses by type; before opset 19 the attribute does not exist. */
    if (onnx_node_attr(c, "saturate") && c->im->opset < 19)
        return onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                     "attribute \"saturate\" is Cast's from opset 19; the model "
                                     "imports opset %lld",
                                     (long long)c->im->opset);
    int64_t saturate = 1;
    st = onnx_node_attr_int(c, "saturate", 1, &saturate);
    return st == CLINFER_OK ? onnx_node_check_range(c, "saturate", saturate, 0, 1) : st;
}

clinfer_status onnx_node_axes(onnx_node *c, int32_t rank, int from_input, int64_t *axes,
                              int32_t *count)
{
    int64_t raw[MAX_INTS];
    int32_t n = -1;
    clinfer_status st;
    if (from_input) {
        const host_tensor *t = NULL;
        st = onnx_node_in_host_opt(c, 1, "axes", &t);
        if (st == CLINFER_OK && t)
            st = onnx_node_host_ints(c, t, "axes", raw, MAX_INTS, &n);
    } else {
        st = onnx_node_attr_ints(c, "axes", raw, MAX_INTS, &n);
    }
    if (st != CLINFER_OK)
        return st;
    *count = n;
    if (n > rank)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "%d axes for rank %d", (int)n,
                               (int)rank);
    for (int32_t k = 0; k < n; k++) {
        int32_t d = 0;
        if (!shape_axis(raw[k], rank, &d))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "axes[%d] = %lld is out of range for "
                                   "rank %d",
                                   (int)k, (long long)raw[k], (int)rank);
        for (int32_t j = 0; j < k; j++)
            if (axes[j] == d)
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axis %d is repeated", (int)d);
        axes[k] = d;
    }
    for (int32_t k = 1; k < n; k++) /* insertion sort: n <= 8 */
        for (int32_t j = k; j > 0 && axes[j - 1] > axes[j]; j--) {
            int64_t t = axes[j];
            axes[j] = axes[j - 1];
            axes[j - 1] = t;
        }
    return CLINFER_OK;
}

clinfer_status onnx_node_slice_params(onnx_node *c, int32_t rank, int64_t *starts, int64_t *ends,
                                      int64_t *axes, int64_t *steps, int32_t *count)
{
    int32_t ns = -1, ne = -1, na = -1, nt = -1;
    clinfer_status st;
    if (c->im->opset < 10) {
        st = onnx_node_attr_ints(c, "starts", starts, CLINFER_MAX_RANK, &ns);
        if (st == CLINFER_OK)
            st = onnx_node_attr_ints(c, "ends", ends, CLINFER_MAX_RANK, &ne);
        if (st == CLINFER_OK)
            st = onnx_node_attr_ints(c, "axes", axes, CLINFER_MAX_RANK, &na);
    } else {
        const host_tensor *t[4] = {NULL, NULL, NULL, NULL};
        static const char *const what[4] = {"starts", "ends", "axes", "steps"};
        int64_t *dst[4] = {starts, ends, axes, steps};
        int32_t *cnt[4] = {&ns, &ne, &na, &nt};
        st = CLINFER_OK;
        for (int32_t k = 0; k < 4 && st == CLINFER_OK; k++) {
            st = k < 2 ? onnx_node_in_host(c, k + 1, what[k], &t[k])
                       : onnx_node_in_host_opt(c, k + 1, what[k], &t[k]);
            if (st == CLINFER_OK && t[k])
                st = onnx_node_host_ints(c, t[k], what[k], dst[k], CLINFER_MAX_RANK, cnt[k]);
        }
    }
    if (st != CLINFER_OK)
        return st;
    if (ns < 0 || ns != ne || (na >= 0 && na != ns) || (nt >= 0 && nt != ns) || ns > rank)
        return onnx_node_error(
            c, CLINFER_ERR_INVALID_MODEL,
            "starts, ends, axes and steps must have the same length, at most the "
            "rank %d (got %d, %d, %d, %d)",
            (int)rank, (int)ns, (int)ne, (int)na, (int)nt);
    for (int32_t k = 0; k < ns; k++) {
        if (na < 0)
            axes[k] = k;
        if (nt < 0)
            steps[k] = 1;
        int32_t d = 0;
        if (!shape_axis(axes[k], rank, &d))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axes[%d] = %lld is out of range",
                                   (int)k, (long long)axes[k]);
        if (steps[k] == 0 || steps[k] == INT64_MIN)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "steps[%d] = %lld", (int)k,
                                   (long long)steps[k]);
        for (int32_t j = 0; j < k; j++) {
            int32_t e = 0;
            shape_axis(axes[j], rank, &e);
            if (e == d)
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axis %d is repeated", (int)d);
        }
    }
    *count = ns;
    return CLINFER_OK;
}

/* ------------------------------------------------------------ the table */

#define SPEC_KERNEL(type, translator, folder, const_inputs, attrs)                                 \
    {type, translator, folder, const_inputs, attrs},
#define SPEC_FOLD_ONLY(type, folder, const_inputs, attrs) {type, NULL, folder, const_inputs, attrs},
static const op_spec ops[] = {ONNX_OP_TABLE(SPEC_KERNEL, SPEC_FOLD_ONLY)};

const op_spec *onnx_op_find(const char *op_type)
{
    if (!op_type)
        return NULL;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strcmp(ops[k].op_type, op_type) == 0)
            return &ops[k];
    return NULL;
}
