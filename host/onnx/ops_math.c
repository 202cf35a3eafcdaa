/*
 * ops_math.c — the arithmetic operators translated into builder calls:
 * matrix products (Gemm, MatMul), element-wise unary and binary ops
 * (activations, Clip, Softmax/LogSoftmax, legacy broadcast),
 * BatchNormalization and CumSum.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/batchnorm.h"
#include "../shape.h"
#include "ops_internal.h"

/* ------------------------------------------------------------ matrix products */

clinfer_status op_gemm(onnx_node *c)
{
    float alpha = 1, beta = 1;
    int64_t ta = 0, tb = 0;
    clinfer_value a, b, cc, y;
    clinfer_status st = onnx_node_attr_float(c, "alpha", 1.0f, &alpha);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "beta", 1.0f, &beta);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "transA", 0, &ta);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "transB", 0, &tb);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "transA", ta, 0, 1);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "transB", tb, 0, 1);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &a);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &b);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_opt(c, 2, &cc);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_gemm(c->im->g, onnx_node_oname(c), a, b, cc, (int)ta,
                                               (int)tb, alpha, beta, &y),
                            &y);
}

clinfer_status op_matmul(onnx_node *c)
{
    clinfer_value a, b, y;
    clinfer_status st = onnx_node_in_value(c, 0, &a);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &b);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_matmul(c->im->g, onnx_node_oname(c), a, b, &y), &y);
}

/* ------------------------------------------------------------ element-wise */

static clinfer_status unary(onnx_node *c, clinfer_unary_op op, float alpha, float beta)
{
    clinfer_value x, y;
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_unary(c->im->g, onnx_node_oname(c), op, x, alpha, beta, &y), &y);
}

clinfer_status op_relu(onnx_node *c) { return unary(c, CLINFER_UNARY_RELU, 0, 0); }
clinfer_status op_sigmoid(onnx_node *c) { return unary(c, CLINFER_UNARY_SIGMOID, 0, 0); }
clinfer_status op_tanh(onnx_node *c) { return unary(c, CLINFER_UNARY_TANH, 0, 0); }
clinfer_status op_exp(onnx_node *c) { return unary(c, CLINFER_UNARY_EXP, 0, 0); }
clinfer_status op_log(onnx_node *c) { return unary(c, CLINFER_UNARY_LOG, 0, 0); }
clinfer_status op_sqrt(onnx_node *c) { return unary(c, CLINFER_UNARY_SQRT, 0, 0); }
clinfer_status op_neg(onnx_node *c) { return unary(c, CLINFER_UNARY_NEG, 0, 0); }
clinfer_status op_abs(onnx_node *c) { return unary(c, CLINFER_UNARY_ABS, 0, 0); }
clinfer_status op_reciprocal(onnx_node *c) { return unary(c, CLINFER_UNARY_RECIPROCAL, 0, 0); }

clinfer_status op_leaky_relu(onnx_node *c)
{
    float alpha = 0.01f;
    clinfer_status st = onnx_node_attr_float(c, "alpha", 0.01f, &alpha);
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_LEAKY_RELU, alpha, 0) : st;
}

clinfer_status op_hard_sigmoid(onnx_node *c)
{
    float alpha = 0.2f, beta = 0.5f; /* ONNX's defaults */
    clinfer_status st = onnx_node_attr_float(c, "alpha", 0.2f, &alpha);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "beta", 0.5f, &beta);
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_HARD_SIGMOID, alpha, beta) : st;
}

clinfer_status op_erf(onnx_node *c) { return unary(c, CLINFER_UNARY_ERF, 0, 0); }
clinfer_status op_floor(onnx_node *c) { return unary(c, CLINFER_UNARY_FLOOR, 0, 0); }
clinfer_status op_ceil(onnx_node *c) { return unary(c, CLINFER_UNARY_CEIL, 0, 0); }
clinfer_status op_round(onnx_node *c) { return unary(c, CLINFER_UNARY_ROUND, 0, 0); }
clinfer_status op_sign(onnx_node *c) { return unary(c, CLINFER_UNARY_SIGN, 0, 0); }
clinfer_status op_sin(onnx_node *c) { return unary(c, CLINFER_UNARY_SIN, 0, 0); }
clinfer_status op_cos(onnx_node *c) { return unary(c, CLINFER_UNARY_COS, 0, 0); }
clinfer_status op_tan(onnx_node *c) { return unary(c, CLINFER_UNARY_TAN, 0, 0); }
clinfer_status op_asin(onnx_node *c) { return unary(c, CLINFER_UNARY_ASIN, 0, 0); }
clinfer_status op_acos(onnx_node *c) { return unary(c, CLINFER_UNARY_ACOS, 0, 0); }
clinfer_status op_atan(onnx_node *c) { return unary(c, CLINFER_UNARY_ATAN, 0, 0); }
clinfer_status op_sinh(onnx_node *c) { return unary(c, CLINFER_UNARY_SINH, 0, 0); }
clinfer_status op_cosh(onnx_node *c) { return unary(c, CLINFER_UNARY_COSH, 0, 0); }
clinfer_status op_asinh(onnx_node *c) { return unary(c, CLINFER_UNARY_ASINH, 0, 0); }
clinfer_status op_acosh(onnx_node *c) { return unary(c, CLINFER_UNARY_ACOSH, 0, 0); }
clinfer_status op_atanh(onnx_node *c) { return unary(c, CLINFER_UNARY_ATANH, 0, 0); }
clinfer_status op_softplus(onnx_node *c) { return unary(c, CLINFER_UNARY_SOFTPLUS, 0, 0); }
clinfer_status op_softsign(onnx_node *c) { return unary(c, CLINFER_UNARY_SOFTSIGN, 0, 0); }
clinfer_status op_mish(onnx_node *c) { return unary(c, CLINFER_UNARY_MISH, 0, 0); }

/* HardSwish: x * HardSigmoid(x) with ONNX's fixed alpha 1/6 and beta 0.5. */
clinfer_status op_hard_swish(onnx_node *c)
{
    return unary(c, CLINFER_UNARY_HARD_SWISH, 1.0f / 6.0f, 0.5f);
}

/* An op whose only attribute is a float "alpha" (Elu, Celu, ThresholdedRelu:
 * default 1). */
static clinfer_status unary_alpha(onnx_node *c, clinfer_unary_op op, float def)
{
    float alpha = def;
    clinfer_status st = onnx_node_attr_float(c, "alpha", def, &alpha);
    return st == CLINFER_OK ? unary(c, op, alpha, 0) : st;
}

clinfer_status op_elu(onnx_node *c) { return unary_alpha(c, CLINFER_UNARY_ELU, 1.0f); }
clinfer_status op_thresholded_relu(onnx_node *c)
{
    return unary_alpha(c, CLINFER_UNARY_THRESHOLDED_RELU, 1.0f);
}

clinfer_status op_celu(onnx_node *c)
{
    float alpha = 1.0f;
    clinfer_status st = onnx_node_attr_float(c, "alpha", 1.0f, &alpha);
    if (st == CLINFER_OK && !(alpha != 0.0f))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"alpha\" is %g; Celu divides by it", alpha);
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_CELU, alpha, 0) : st;
}

clinfer_status op_selu(onnx_node *c)
{
    /* ONNX's defaults, as float32 */
    float alpha = 1.67326319217681884765625f, gamma = 1.05070102214813232421875f;
    clinfer_status st = onnx_node_attr_float(c, "alpha", alpha, &alpha);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "gamma", gamma, &gamma);
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_SELU, alpha, gamma) : st;
}

/* Gelu (opset 20): approximate "none" (erf) or "tanh"; the activation's
 * alpha selects the tanh form. */
clinfer_status op_gelu(onnx_node *c)
{
    const char *approx = NULL;
    clinfer_status st = onnx_node_attr_string(c, "approximate", "none", &approx);
    if (st != CLINFER_OK)
        return st;
    if (strcmp(approx, "none") != 0 && strcmp(approx, "tanh") != 0)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"approximate\" is \"%s\", expected none or tanh",
                               approx);
    return unary(c, CLINFER_UNARY_GELU, strcmp(approx, "tanh") == 0 ? 1.0f : 0.0f, 0);
}

clinfer_status op_clip(onnx_node *c)
{
    float lo = -INFINITY, hi = INFINITY;
    clinfer_status st = CLINFER_OK;
    if (c->im->opset < 11) {
        st = onnx_node_attr_float(c, "min", -INFINITY, &lo);
        if (st == CLINFER_OK)
            st = onnx_node_attr_float(c, "max", INFINITY, &hi);
    } else {
        const host_tensor *tmin = NULL, *tmax = NULL;
        st = onnx_node_in_host_opt(c, 1, "min", &tmin);
        if (st == CLINFER_OK)
            st = onnx_node_in_host_opt(c, 2, "max", &tmax);
        if (st == CLINFER_OK && tmin)
            st = onnx_node_host_scalar(c, tmin, "min", &lo);
        if (st == CLINFER_OK && tmax)
            st = onnx_node_host_scalar(c, tmax, "max", &hi);
    }
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_CLIP, lo, hi) : st;
}

static clinfer_status softmax(onnx_node *c, int log)
{
    int legacy = c->im->opset < 13;
    int64_t axis = 0;
    clinfer_value x, y;
    clinfer_status st = onnx_node_attr_int(c, "axis", legacy ? 1 : -1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK - 1);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, graph_softmax_ex(c->im->g, onnx_node_oname(c), x, (int32_t)axis, log, legacy, &y), &y);
}

clinfer_status op_softmax(onnx_node *c) { return softmax(c, 0); }
clinfer_status op_log_softmax(onnx_node *c) { return softmax(c, 1); }

/* Opset < 7 broadcast=1: B matches A's dims from `axis` on (default: the
 * trailing dims). Only the trailing case equals NumPy broadcasting. */
static clinfer_status legacy_broadcast(onnx_node *c)
{
    int64_t broadcast = 0, axis = -1;
    clinfer_status st = onnx_node_attr_int(c, "broadcast", 0, &broadcast);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", -1, &axis);
    if (st != CLINFER_OK || !broadcast || !onnx_node_attr(c, "axis"))
        return st;
    clinfer_shape a, b;
    if ((st = onnx_node_in_shape(c, 0, &a)) != CLINFER_OK ||
        (st = onnx_node_in_shape(c, 1, &b)) != CLINFER_OK)
        return st;
    if (axis < 0)
        axis += a.rank;
    if (axis + b.rank != a.rank)
        return onnx_node_opset_error(
            c, CLINFER_ERR_UNSUPPORTED,
            "legacy broadcasting along axis %lld (opset < 7) is not supported", (long long)axis);
    return CLINFER_OK;
}

static clinfer_status binary(onnx_node *c, clinfer_binary_op op)
{
    clinfer_value a, b, y;
    clinfer_status st = legacy_broadcast(c);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &a);
    if (st != CLINFER_OK)
        return st;
    onnx_sym *bs = onnx_node_in(c, 1);
    if (op == CLINFER_BINARY_POW && bs && bs->kind == SYM_HOST &&
        bs->host->dtype == CLINFER_DTYPE_INT64 && bs->host->numel > 0 &&
        !host_tensor_has_sym(bs->host)) {
        /* Pow (opset 12+) takes integer exponents: a float copy. */
        char name[512];
        snprintf(name, sizeof name, "%s:as_float", bs->name);
        float *f = malloc((size_t)bs->host->numel * sizeof *f);
        if (!f)
            return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        for (int64_t k = 0; k < bs->host->numel; k++)
            f[k] = (float)bs->host->i[k];
        st = onnx_node_build(c, clinfer_graph_constant(c->im->g, name, &bs->host->shape, f, &b));
        free(f);
    } else {
        st = onnx_node_in_value(c, 1, &b);
    }
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_binary(c->im->g, onnx_node_oname(c), op, a, b, &y),
                            &y);
}

clinfer_status op_add(onnx_node *c) { return binary(c, CLINFER_BINARY_ADD); }
clinfer_status op_sub(onnx_node *c) { return binary(c, CLINFER_BINARY_SUB); }
clinfer_status op_mul(onnx_node *c) { return binary(c, CLINFER_BINARY_MUL); }
clinfer_status op_div(onnx_node *c) { return binary(c, CLINFER_BINARY_DIV); }
clinfer_status op_pow(onnx_node *c) { return binary(c, CLINFER_BINARY_POW); }

/* Sum, Mean, Max and Min take 1 or more inputs with multidirectional
 * broadcasting: a chain of binary nodes, left to right (each broadcasts
 * like the operator), and for Mean a product with 1/n. One input: a copy. */
static clinfer_status variadic(onnx_node *c, clinfer_binary_op op, int mean)
{
    int32_t n = onnx_node_input_count(c);
    if (n < 1)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "needs at least one input");
    clinfer_graph *g = c->im->g;
    clinfer_value acc, x, y;
    clinfer_status st = onnx_node_in_value(c, 0, &acc);
    if (st == CLINFER_OK && n == 1)
        return onnx_node_out_of(c, clinfer_graph_identity(g, onnx_node_oname(c), acc, &y), &y);
    char name[512];
    for (int32_t k = 1; st == CLINFER_OK && k < n; k++) {
        int last = k == n - 1 && !mean;
        snprintf(name, sizeof name, "%s:%s%d", onnx_node_oname(c), c->op, (int)k);
        st = onnx_node_in_value(c, k, &x);
        if (st == CLINFER_OK && last)
            return onnx_node_out_of(
                c, clinfer_graph_binary(g, onnx_node_oname(c), op, acc, x, &y), &y);
        if (st == CLINFER_OK)
            st = onnx_node_build(c, clinfer_graph_binary(g, name, op, acc, x, &acc));
    }
    if (st != CLINFER_OK)
        return st;
    const float scale = 1.0f / (float)n;
    const clinfer_shape one = {.rank = 1, .dims = {1}};
    clinfer_value vs;
    snprintf(name, sizeof name, "%s:mean_scale", onnx_node_oname(c));
    st = onnx_node_build(c, clinfer_graph_constant(g, name, &one, &scale, &vs));
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_binary(g, onnx_node_oname(c), CLINFER_BINARY_MUL, acc, vs, &y), &y);
}

clinfer_status op_sum(onnx_node *c) { return variadic(c, CLINFER_BINARY_ADD, 0); }
clinfer_status op_mean(onnx_node *c) { return variadic(c, CLINFER_BINARY_ADD, 1); }
clinfer_status op_max(onnx_node *c) { return variadic(c, CLINFER_BINARY_MAX, 0); }
clinfer_status op_min(onnx_node *c) { return variadic(c, CLINFER_BINARY_MIN, 0); }

/* PRelu(X, slope): X < 0 ? X * slope : X, the slope broadcast to X's shape
 * (unidirectionally: the output has X's shape). Before opset 7 a slope of
 * X's channel count meant one slope per channel; it is read as [C, 1, ...]. */
clinfer_status op_prelu(onnx_node *c)
{
    clinfer_value x, slope, y;
    clinfer_shape xs, ss, bs;
    char b1[160], b2[160];
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &slope);
    if (st == CLINFER_OK)
        st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_in_shape(c, 1, &ss);
    if (st != CLINFER_OK)
        return st;
    if (c->im->opset < 7 && ss.rank == 1 && xs.rank > 2 && ss.dims[0] == xs.dims[1] &&
        ss.dims[0] != 1) {
        clinfer_shape cs;
        memset(&cs, 0, sizeof cs);
        cs.rank = xs.rank - 1; /* [C, 1, ..., 1] against [N, C, ...] */
        cs.dims[0] = ss.dims[0];
        for (int32_t d = 1; d < cs.rank; d++)
            cs.dims[d] = 1;
        char name[512];
        snprintf(name, sizeof name, "%s:per_channel", onnx_node_oname(c));
        st = onnx_node_build(c, clinfer_graph_reshape(c->im->g, name, slope, &cs, &slope));
        if (st != CLINFER_OK)
            return st;
        ss = cs;
    }
    if (!shape_broadcast(&xs, &ss, &bs) || !shape_equal(&bs, &xs))
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "slope %s does not broadcast to X's shape %s",
                               shape_str(&ss, b1, sizeof b1), shape_str(&xs, b2, sizeof b2));
    return onnx_node_out_of(
        c, clinfer_graph_binary(c->im->g, onnx_node_oname(c), CLINFER_BINARY_PRELU, x, slope, &y),
        &y);
}

/* ------------------------------------------------------------ normalisation */

/* A BatchNormalization that the compile passes fold into the convolution
 * (conv2d or conv_transpose) before it: the convolution is the only reader
 * of X's producer output, and has no activation yet. */
static int batchnorm_folds(onnx_node *c, clinfer_value x)
{
    const clinfer_graph *g = c->im->g;
    onnx_sym *xs = onnx_node_in(c, 0);
    if (!xs || xs->uses != 1 || g->values[x].kind != VALUE_NODE || g->values[x].producer < 0)
        return 0;
    const graph_node *p = &g->nodes[g->values[x].producer];
    return (p->op == OP_CONV2D && p->attrs.conv.activation == CLINFER_ACT_NONE) ||
           (p->op == OP_CONV_TRANSPOSE &&
            p->attrs.conv_transpose.activation == CLINFER_ACT_NONE);
}

/* Any other BatchNormalization: y = x * mul[c] + add[c] with the
 * coefficients computed here, as two broadcasting element-wise nodes.
 * (A graph batchnorm node that is not folded is never given its
 * coefficients by the compile passes.) */
static clinfer_status batchnorm_as_mul_add(onnx_node *c, clinfer_value x,
                                           const host_tensor *const *t, float eps)
{
    clinfer_shape xs;
    char buf[160];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st != CLINFER_OK)
        return st;
    if (xs.rank < 2 || xs.dims[1] < 1)
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "X has shape %s; needs [N, C, ...]",
                               shape_str(&xs, buf, sizeof buf));
    int64_t ch = xs.dims[1];
    for (int32_t k = 1; k < 5; k++)
        if (t[k]->numel != ch || t[k]->shape.rank != 1 || t[k]->dtype != CLINFER_DTYPE_FLOAT32)
            return onnx_node_error(c, CLINFER_ERR_SHAPE,
                                   "input %d has shape %s, expected [%lld] float", (int)k,
                                   shape_str(&t[k]->shape, buf, sizeof buf), (long long)ch);
    float *mul = malloc((size_t)ch * sizeof *mul), *add = malloc((size_t)ch * sizeof *add);
    if (!mul || !add) {
        free(mul);
        free(add);
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
    batchnorm_fold_coefficients(ch, t[1]->f, t[2]->f, t[3]->f, t[4]->f, eps, mul, add);
    clinfer_shape cs;
    memset(&cs, 0, sizeof cs);
    cs.rank = xs.rank - 1; /* [C, 1, ..., 1] broadcasts against [N, C, ...] */
    cs.dims[0] = ch;
    for (int32_t d = 1; d < cs.rank; d++)
        cs.dims[d] = 1;
    char n_mul[512], n_add[512], n_scaled[512];
    snprintf(n_mul, sizeof n_mul, "%s:bn_mul", onnx_node_oname(c));
    snprintf(n_add, sizeof n_add, "%s:bn_add", onnx_node_oname(c));
    snprintf(n_scaled, sizeof n_scaled, "%s:bn_scaled", onnx_node_oname(c));
    clinfer_value vm, va, scaled, y;
    clinfer_graph *g = c->im->g;
    st = onnx_node_build(c, clinfer_graph_constant(g, n_mul, &cs, mul, &vm));
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_constant(g, n_add, &cs, add, &va));
    free(mul);
    free(add);
    if (st == CLINFER_OK)
        st = onnx_node_build(c,
                             clinfer_graph_binary(g, n_scaled, CLINFER_BINARY_MUL, x, vm, &scaled));
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_binary(g, onnx_node_oname(c), CLINFER_BINARY_ADD, scaled, va, &y), &y);
}

clinfer_status op_batchnorm(onnx_node *c)
{
    float eps = 1e-5f;
    int64_t spatial = 1, training = 0;
    clinfer_status st = onnx_node_attr_float(c, "epsilon", 1e-5f, &eps);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "spatial", 1, &spatial);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "training_mode", 0, &training);
    if (st != CLINFER_OK)
        return st;
    if (spatial != 1)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"spatial\" = %lld: only 1",
                               (long long)spatial);
    if (training != 0)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"training_mode\" = %lld: clinfer does inference only",
                               (long long)training);
    static const char *const roles[5] = {"X", "scale", "B", "input_mean", "input_var"};
    const host_tensor *t[5] = {NULL, NULL, NULL, NULL, NULL};
    for (int32_t k = 1; k < 5 && st == CLINFER_OK; k++)
        st = onnx_node_in_host(c, k, roles[k], &t[k]);
    clinfer_value v[5], y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &v[0]);
    if (st != CLINFER_OK)
        return st;
    if (batchnorm_folds(c, v[0])) {
        for (int32_t k = 1; k < 5 && st == CLINFER_OK; k++)
            st = onnx_node_in_value(c, k, &v[k]);
        if (st != CLINFER_OK)
            return st;
        return onnx_node_out_of(c,
                                clinfer_graph_batchnorm(c->im->g, onnx_node_oname(c), v[0], v[1],
                                                        v[2], v[3], v[4], eps, &y),
                                &y);
    }
    return batchnorm_as_mul_add(c, v[0], t, eps);
}

/* ------------------------------------------------------------ CumSum */

/* CumSum (opsets 11, 14): the axis is input 1, a load-time int32 or int64
 * scalar (or one-element vector: ONNX Runtime takes both); exclusive and
 * reverse are 0 or 1. */
clinfer_status op_cumsum(onnx_node *c)
{
    const host_tensor *t = NULL;
    int64_t axis = 0, exclusive = 0, reverse = 0;
    int32_t n = 0;
    clinfer_value x, y;
    clinfer_status st = CLINFER_OK;
    if (c->im->opset < 11)
        st = onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "CumSum exists from opset 11 (the model has %lld)",
                                   (long long)c->im->opset);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "axis", &t);
    if (st == CLINFER_OK)
        st = onnx_node_host_ints(c, t, "axis", &axis, 1, &n);
    if (st == CLINFER_OK && n != 1)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axis must hold one value, has none");
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "exclusive", 0, &exclusive);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "reverse", 0, &reverse);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "exclusive", exclusive, 0, 1);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "reverse", reverse, 0, 1);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_cumsum(c->im->g, onnx_node_oname(c), x, axis,
                                                 (int)exclusive, (int)reverse, &y),
                            &y);
}
