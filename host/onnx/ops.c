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

/* ------------------------------------------------------------ helpers */

/* y is read after the builder call wrote it (hence the pointer). */
clinfer_status node_out_of(onnx_node *c, clinfer_status st, const clinfer_value *y)
{
    st = node_build(c, st);
    return st == CLINFER_OK ? node_out_value(c, 0, *y) : st;
}

const char *node_oname(const onnx_node *c) { return node_out_name(c, 0); }

/* An int attribute or list value that must fit [lo, hi]. */
clinfer_status node_check_range(onnx_node *c, const char *attr, int64_t v, int64_t lo, int64_t hi)
{
    if (v < lo || v > hi)
        return node_error(c, CLINFER_ERR_INVALID_MODEL,
                          "attribute \"%s\": %lld is outside [%lld, %lld]", attr, (long long)v,
                          (long long)lo, (long long)hi);
    return CLINFER_OK;
}

/* ------------------------------------------------------------ shared parameter readers */

clinfer_status node_axes(onnx_node *c, int32_t rank, int from_input, int64_t *axes,
                         int32_t *count)
{
    int64_t raw[MAX_INTS];
    int32_t n = -1;
    clinfer_status st;
    if (from_input) {
        const host_tensor *t = NULL;
        st = node_in_host_opt(c, 1, "axes", &t);
        if (st == CLINFER_OK && t)
            st = node_host_ints(c, t, "axes", raw, MAX_INTS, &n);
    } else {
        st = node_attr_ints(c, "axes", raw, MAX_INTS, &n);
    }
    if (st != CLINFER_OK)
        return st;
    *count = n;
    if (n > rank)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "%d axes for rank %d", (int)n, (int)rank);
    for (int32_t k = 0; k < n; k++) {
        int32_t d = 0;
        if (!shape_axis(raw[k], rank, &d))
            return node_error(c, CLINFER_ERR_INVALID_MODEL, "axes[%d] = %lld is out of range for "
                              "rank %d", (int)k, (long long)raw[k], (int)rank);
        for (int32_t j = 0; j < k; j++)
            if (axes[j] == d)
                return node_error(c, CLINFER_ERR_INVALID_MODEL, "axis %d is repeated", (int)d);
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

clinfer_status node_slice_params(onnx_node *c, int32_t rank, int64_t *starts, int64_t *ends,
                                  int64_t *axes, int64_t *steps, int32_t *count)
{
    int32_t ns = -1, ne = -1, na = -1, nt = -1;
    clinfer_status st;
    if (c->im->opset < 10) {
        st = node_attr_ints(c, "starts", starts, CLINFER_MAX_RANK, &ns);
        if (st == CLINFER_OK)
            st = node_attr_ints(c, "ends", ends, CLINFER_MAX_RANK, &ne);
        if (st == CLINFER_OK)
            st = node_attr_ints(c, "axes", axes, CLINFER_MAX_RANK, &na);
    } else {
        const host_tensor *t[4] = {NULL, NULL, NULL, NULL};
        static const char *const what[4] = {"starts", "ends", "axes", "steps"};
        int64_t *dst[4] = {starts, ends, axes, steps};
        int32_t *cnt[4] = {&ns, &ne, &na, &nt};
        st = CLINFER_OK;
        for (int32_t k = 0; k < 4 && st == CLINFER_OK; k++) {
            st = k < 2 ? node_in_host(c, k + 1, what[k], &t[k])
                       : node_in_host_opt(c, k + 1, what[k], &t[k]);
            if (st == CLINFER_OK && t[k])
                st = node_host_ints(c, t[k], what[k], dst[k], CLINFER_MAX_RANK, cnt[k]);
        }
    }
    if (st != CLINFER_OK)
        return st;
    if (ns < 0 || ns != ne || (na >= 0 && na != ns) || (nt >= 0 && nt != ns) || ns > rank)
        return node_error(c, CLINFER_ERR_INVALID_MODEL,
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
            return node_error(c, CLINFER_ERR_INVALID_MODEL, "axes[%d] = %lld is out of range",
                              (int)k, (long long)axes[k]);
        if (steps[k] == 0 || steps[k] == INT64_MIN)
            return node_error(c, CLINFER_ERR_INVALID_MODEL, "steps[%d] = %lld", (int)k,
                              (long long)steps[k]);
        for (int32_t j = 0; j < k; j++) {
            int32_t e = 0;
            shape_axis(axes[j], rank, &e);
            if (e == d)
                return node_error(c, CLINFER_ERR_INVALID_MODEL, "axis %d is repeated", (int)d);
        }
    }
    *count = ns;
    return CLINFER_OK;
}

/* ------------------------------------------------------------ the table */

#define WINDOW "auto_pad kernel_shape pads strides dilations"
#define OLD_ELTWISE "consumed_inputs"
#define BROADCAST "broadcast axis consumed_inputs"

/* Input bit masks of the inputs that must be known at load time. */
#define IN(k) (1u << (k))

static const op_spec ops[] = {
    {"Conv", op_conv, NULL, IN(1) | IN(2), WINDOW " group"},
    {"MaxPool", op_maxpool, NULL, 0, WINDOW " ceil_mode storage_order"},
    {"AveragePool", op_avgpool, NULL, 0, WINDOW " ceil_mode count_include_pad"},
    {"GlobalAveragePool", op_global_avg, NULL, 0, ""},
    {"GlobalMaxPool", op_global_max, NULL, 0, ""},
    {"Gemm", op_gemm, NULL, 0, "alpha beta transA transB broadcast"},
    {"MatMul", op_matmul, NULL, 0, ""},
    {"Relu", op_relu, NULL, 0, OLD_ELTWISE},
    {"LeakyRelu", op_leaky_relu, NULL, 0, "alpha " OLD_ELTWISE},
    {"Clip", op_clip, NULL, IN(1) | IN(2), "min max " OLD_ELTWISE},
    {"Sigmoid", op_sigmoid, NULL, 0, OLD_ELTWISE},
    {"Tanh", op_tanh, NULL, 0, OLD_ELTWISE},
    {"Exp", op_exp, NULL, 0, OLD_ELTWISE},
    {"Log", op_log, NULL, 0, OLD_ELTWISE},
    {"Sqrt", op_sqrt, NULL, 0, OLD_ELTWISE},
    {"Neg", op_neg, fold_neg, 0, OLD_ELTWISE},
    {"Abs", op_abs, NULL, 0, OLD_ELTWISE},
    {"Reciprocal", op_reciprocal, NULL, 0, OLD_ELTWISE},
    {"Softmax", op_softmax, NULL, 0, "axis"},
    {"LogSoftmax", op_log_softmax, NULL, 0, "axis"},
    {"Add", op_add, fold_binary, 0, BROADCAST},
    {"Sub", op_sub, fold_binary, 0, BROADCAST},
    {"Mul", op_mul, fold_binary, 0, BROADCAST},
    {"Div", op_div, fold_binary, 0, BROADCAST},
    {"Pow", op_pow, NULL, 0, BROADCAST},
    {"Concat", op_concat, fold_concat, 0, "axis"},
    {"BatchNormalization", op_batchnorm, NULL, IN(1) | IN(2) | IN(3) | IN(4),
     "epsilon momentum spatial training_mode is_test consumed_inputs"},
    {"Pad", op_pad, NULL, IN(1) | IN(2) | IN(3), "mode pads paddings value"},
    {"Transpose", op_transpose, fold_transpose, 0, "perm"},
    {"Flatten", op_flatten, fold_flatten, 0, "axis"},
    {"Reshape", op_reshape, fold_reshape, IN(1), "shape allowzero consumed_inputs"},
    {"Identity", op_identity, fold_identity, 0, ""},
    {"Dropout", op_dropout, NULL, IN(1) | IN(2), "ratio seed is_test consumed_inputs"},
    {"ReduceMean", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes"},
    {"ReduceMax", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes"},
    {"ReduceMin", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes"},
    {"ReduceSum", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes"},
    {"Squeeze", op_squeeze, fold_squeeze, IN(1), "axes"},
    {"Unsqueeze", op_unsqueeze, fold_unsqueeze, IN(1), "axes"},
    {"Slice", op_slice, fold_slice, IN(1) | IN(2) | IN(3) | IN(4), "starts ends axes"},
    {"Cast", op_cast, fold_cast, 0, "to saturate"},
    /* Load-time only: shapes and constants. */
    {"Constant", NULL, fold_constant, 0,
     "value value_float value_floats value_int value_ints sparse_value value_string "
     "value_strings"},
    {"Shape", NULL, fold_shape, 0, "start end"},
    {"Size", NULL, fold_size, 0, ""},
    {"Gather", NULL, fold_gather, IN(1), "axis"},
    {"ConstantOfShape", NULL, fold_constant_of_shape, IN(0), "value"},
    {"Range", NULL, fold_range, IN(0) | IN(1) | IN(2), ""},
};

const op_spec *onnx_op_find(const char *op_type)
{
    if (!op_type)
        return NULL;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strcmp(ops[k].op_type, op_type) == 0)
            return &ops[k];
    return NULL;
}
