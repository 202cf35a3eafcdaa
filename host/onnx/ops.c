/*
 * ops.c — each supported ONNX operator translated into builder calls, and
 * the table that import.c dispatches on (which inputs must be constants,
 * which attributes are understood, which host evaluator folds it).
 *
 * Opset differences handled here: Clip bounds as attributes (< 11) or
 * inputs; Softmax/LogSoftmax default axis 1 with the 2-D coercion (< 13) or
 * -1; Pad pads/value as attributes (< 11) or inputs, axes (18); Reshape
 * shape as an attribute (< 5); Squeeze/Unsqueeze axes and ReduceSum axes as
 * attributes (< 13) or inputs; the other Reduce ops' axes as inputs (18);
 * Slice bounds as attributes (< 10); legacy broadcast (< 7) where it means
 * the same as NumPy's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/batchnorm.h"
#include "../shape.h"
#include "import.h"

#define MAX_INTS 64

/* ------------------------------------------------------------ helpers */

/* y is read after the builder call wrote it (hence the pointer). */
static clinfer_status out_of(onnx_node *c, clinfer_status st, const clinfer_value *y)
{
    st = node_build(c, st);
    return st == CLINFER_OK ? node_out_value(c, 0, *y) : st;
}

static const char *oname(const onnx_node *c) { return node_out_name(c, 0); }

static clinfer_status need_rank(onnx_node *c, int32_t i, const char *what, int32_t rank,
                                const char *why, clinfer_shape *out)
{
    char buf[160];
    clinfer_status st = node_in_shape(c, i, out);
    if (st == CLINFER_OK && out->rank != rank)
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "%s has shape %s; %s", what,
                          shape_str(out, buf, sizeof buf), why);
    return st;
}

/* An int attribute or list value that must fit [lo, hi]. */
static clinfer_status in_range(onnx_node *c, const char *attr, int64_t v, int64_t lo, int64_t hi)
{
    if (v < lo || v > hi)
        return node_error(c, CLINFER_ERR_INVALID_MODEL,
                          "attribute \"%s\": %lld is outside [%lld, %lld]", attr, (long long)v,
                          (long long)lo, (long long)hi);
    return CLINFER_OK;
}

/* kernel_shape, strides, dilations, pads and auto_pad of a 2-D window. */
typedef struct window {
    int has_kernel;
    int32_t kernel[2], stride[2], dilation[2], pads[4];
    clinfer_pad_mode mode;
} window;

static clinfer_status ints2(onnx_node *c, const char *name, int32_t want, int64_t lo, int64_t def,
                            int32_t *out, int *present)
{
    int64_t v[MAX_INTS];
    int32_t n = 0;
    clinfer_status st = node_attr_ints(c, name, v, MAX_INTS, &n);
    if (st != CLINFER_OK)
        return st;
    if (present)
        *present = n >= 0;
    if (n < 0) {
        for (int32_t k = 0; k < want; k++)
            out[k] = (int32_t)def;
        return CLINFER_OK;
    }
    if (n != want)
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "attribute \"%s\" has %d values; clinfer supports 2-D windows (%d "
                          "values)",
                          name, (int)n, (int)want);
    for (int32_t k = 0; k < n; k++) {
        st = in_range(c, name, v[k], lo, 1 << 24);
        if (st != CLINFER_OK)
            return st;
        out[k] = (int32_t)v[k];
    }
    return CLINFER_OK;
}

static clinfer_status window_attrs(onnx_node *c, int dilations, window *w)
{
    memset(w, 0, sizeof w[0]);
    clinfer_status st = ints2(c, "kernel_shape", 2, 1, 1, w->kernel, &w->has_kernel);
    if (st == CLINFER_OK)
        st = ints2(c, "strides", 2, 1, 1, w->stride, NULL);
    if (st == CLINFER_OK)
        st = ints2(c, "dilations", 2, 1, 1, w->dilation, NULL);
    if (st == CLINFER_OK)
        st = ints2(c, "pads", 4, 0, 0, w->pads, NULL);
    if (st != CLINFER_OK)
        return st;
    if (!dilations && (w->dilation[0] != 1 || w->dilation[1] != 1))
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"dilations\" must be 1");
    const char *ap = NULL;
    st = node_attr_string(c, "auto_pad", "NOTSET", &ap);
    if (st != CLINFER_OK)
        return st;
    if (strcmp(ap, "NOTSET") == 0 || ap[0] == 0)
        w->mode = CLINFER_PAD_EXPLICIT;
    else if (strcmp(ap, "SAME_UPPER") == 0)
        w->mode = CLINFER_PAD_SAME_UPPER;
    else if (strcmp(ap, "SAME_LOWER") == 0)
        w->mode = CLINFER_PAD_SAME_LOWER;
    else if (strcmp(ap, "VALID") == 0)
        w->mode = CLINFER_PAD_VALID;
    else
        return node_error(c, CLINFER_ERR_INVALID_MODEL,
                          "attribute \"auto_pad\" is \"%s\", expected NOTSET, SAME_UPPER, "
                          "SAME_LOWER or VALID",
                          ap);
    return CLINFER_OK;
}

/* ------------------------------------------------------------ convolution and pooling */

static clinfer_status op_conv(onnx_node *c)
{
    clinfer_shape xs, ws;
    const host_tensor *wt = NULL, *bt = NULL;
    const char *why = "clinfer supports 2-D convolutions (4-D tensors)";
    clinfer_status st = need_rank(c, 0, "input X", 4, why, &xs);
    if (st == CLINFER_OK)
        st = node_in_host(c, 1, "the weights W", &wt);
    if (st == CLINFER_OK)
        st = need_rank(c, 1, "the weights W", 4, why, &ws);
    if (st == CLINFER_OK)
        st = node_in_host_opt(c, 2, "the bias B", &bt);
    window w;
    int64_t group = 1;
    if (st == CLINFER_OK)
        st = window_attrs(c, 1, &w);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "group", 1, &group);
    if (st == CLINFER_OK)
        st = in_range(c, "group", group, 1, INT32_MAX);
    if (st != CLINFER_OK)
        return st;
    if (w.has_kernel && (w.kernel[0] != ws.dims[2] || w.kernel[1] != ws.dims[3]))
        return node_error(c, CLINFER_ERR_INVALID_MODEL,
                          "attribute \"kernel_shape\" is [%d, %d] but W is %lldx%lld",
                          (int)w.kernel[0], (int)w.kernel[1], (long long)ws.dims[2],
                          (long long)ws.dims[3]);
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = w.stride[0], d.stride_w = w.stride[1];
    d.dilation_h = w.dilation[0], d.dilation_w = w.dilation[1];
    d.groups = (int32_t)group;
    d.pad_mode = w.mode;
    d.pad_top = w.pads[0], d.pad_left = w.pads[1], d.pad_bottom = w.pads[2],
    d.pad_right = w.pads[3];
    clinfer_value x, wv, bv, y;
    st = node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = node_in_value(c, 1, &wv);
    if (st == CLINFER_OK)
        st = node_in_value_opt(c, 2, &bv);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_conv2d(c->im->g, oname(c), x, wv, bv, &d, &y), &y);
}

static clinfer_status pool(onnx_node *c, clinfer_pool_kind kind)
{
    clinfer_shape xs;
    clinfer_status st = need_rank(c, 0, "input X", 4, "clinfer supports 2-D pooling (4-D tensors)",
                                  &xs);
    window w;
    int64_t ceil_mode = 0, count_include_pad = 0, storage_order = 0;
    if (st == CLINFER_OK)
        st = window_attrs(c, kind == CLINFER_POOL_MAX, &w);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "ceil_mode", 0, &ceil_mode);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "count_include_pad", 0, &count_include_pad);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "storage_order", 0, &storage_order);
    if (st != CLINFER_OK)
        return st;
    if (!w.has_kernel)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"kernel_shape\" is required");
    if ((st = in_range(c, "ceil_mode", ceil_mode, 0, 1)) != CLINFER_OK ||
        (st = in_range(c, "count_include_pad", count_include_pad, 0, 1)) != CLINFER_OK ||
        (st = in_range(c, "storage_order", storage_order, 0, 1)) != CLINFER_OK)
        return st;
    clinfer_pool2d_desc d = clinfer_pool2d_desc_default(1);
    d.kind = kind;
    d.kernel_h = w.kernel[0], d.kernel_w = w.kernel[1];
    d.stride_h = w.stride[0], d.stride_w = w.stride[1];
    d.dilation_h = w.dilation[0], d.dilation_w = w.dilation[1];
    d.pad_mode = w.mode;
    d.pad_top = w.pads[0], d.pad_left = w.pads[1], d.pad_bottom = w.pads[2],
    d.pad_right = w.pads[3];
    d.ceil_mode = (int)ceil_mode;
    d.count_include_pad = (int)count_include_pad;
    clinfer_value x, y;
    if ((st = node_in_value(c, 0, &x)) != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_pool2d(c->im->g, oname(c), x, &d, &y), &y);
}

static clinfer_status op_maxpool(onnx_node *c) { return pool(c, CLINFER_POOL_MAX); }
static clinfer_status op_avgpool(onnx_node *c) { return pool(c, CLINFER_POOL_AVG); }

static clinfer_status global_pool(onnx_node *c, clinfer_pool_kind kind)
{
    clinfer_shape xs;
    clinfer_value x, y;
    clinfer_status st = need_rank(c, 0, "input X", 4,
                                  "clinfer supports global pooling of 4-D tensors", &xs);
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_global_pool(c->im->g, oname(c), x, kind, &y), &y);
}

static clinfer_status op_global_avg(onnx_node *c) { return global_pool(c, CLINFER_POOL_AVG); }
static clinfer_status op_global_max(onnx_node *c) { return global_pool(c, CLINFER_POOL_MAX); }

/* ------------------------------------------------------------ matrix products */

static clinfer_status op_gemm(onnx_node *c)
{
    float alpha = 1, beta = 1;
    int64_t ta = 0, tb = 0;
    clinfer_value a, b, cc, y;
    clinfer_status st = node_attr_float(c, "alpha", 1.0f, &alpha);
    if (st == CLINFER_OK)
        st = node_attr_float(c, "beta", 1.0f, &beta);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "transA", 0, &ta);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "transB", 0, &tb);
    if (st == CLINFER_OK)
        st = in_range(c, "transA", ta, 0, 1);
    if (st == CLINFER_OK)
        st = in_range(c, "transB", tb, 0, 1);
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &a);
    if (st == CLINFER_OK)
        st = node_in_value(c, 1, &b);
    if (st == CLINFER_OK)
        st = node_in_value_opt(c, 2, &cc);
    if (st != CLINFER_OK)
        return st;
    return out_of(c,
                  clinfer_graph_gemm(c->im->g, oname(c), a, b, cc, (int)ta, (int)tb, alpha, beta,
                                     &y),
                  &y);
}

static clinfer_status op_matmul(onnx_node *c)
{
    clinfer_value a, b, y;
    clinfer_status st = node_in_value(c, 0, &a);
    if (st == CLINFER_OK)
        st = node_in_value(c, 1, &b);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_matmul(c->im->g, oname(c), a, b, &y), &y);
}

/* ------------------------------------------------------------ element-wise */

static clinfer_status unary(onnx_node *c, clinfer_unary_op op, float alpha, float beta)
{
    clinfer_value x, y;
    clinfer_status st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_unary(c->im->g, oname(c), op, x, alpha, beta, &y), &y);
}

static clinfer_status op_relu(onnx_node *c) { return unary(c, CLINFER_UNARY_RELU, 0, 0); }
static clinfer_status op_sigmoid(onnx_node *c) { return unary(c, CLINFER_UNARY_SIGMOID, 0, 0); }
static clinfer_status op_tanh(onnx_node *c) { return unary(c, CLINFER_UNARY_TANH, 0, 0); }
static clinfer_status op_exp(onnx_node *c) { return unary(c, CLINFER_UNARY_EXP, 0, 0); }
static clinfer_status op_log(onnx_node *c) { return unary(c, CLINFER_UNARY_LOG, 0, 0); }
static clinfer_status op_sqrt(onnx_node *c) { return unary(c, CLINFER_UNARY_SQRT, 0, 0); }
static clinfer_status op_neg(onnx_node *c) { return unary(c, CLINFER_UNARY_NEG, 0, 0); }
static clinfer_status op_abs(onnx_node *c) { return unary(c, CLINFER_UNARY_ABS, 0, 0); }
static clinfer_status op_reciprocal(onnx_node *c)
{
    return unary(c, CLINFER_UNARY_RECIPROCAL, 0, 0);
}

static clinfer_status op_leaky_relu(onnx_node *c)
{
    float alpha = 0.01f;
    clinfer_status st = node_attr_float(c, "alpha", 0.01f, &alpha);
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_LEAKY_RELU, alpha, 0) : st;
}

static clinfer_status op_clip(onnx_node *c)
{
    float lo = -INFINITY, hi = INFINITY;
    clinfer_status st = CLINFER_OK;
    if (c->im->opset < 11) {
        st = node_attr_float(c, "min", -INFINITY, &lo);
        if (st == CLINFER_OK)
            st = node_attr_float(c, "max", INFINITY, &hi);
    } else {
        const host_tensor *tmin = NULL, *tmax = NULL;
        st = node_in_host_opt(c, 1, "min", &tmin);
        if (st == CLINFER_OK)
            st = node_in_host_opt(c, 2, "max", &tmax);
        if (st == CLINFER_OK && tmin)
            st = node_host_scalar(c, tmin, "min", &lo);
        if (st == CLINFER_OK && tmax)
            st = node_host_scalar(c, tmax, "max", &hi);
    }
    return st == CLINFER_OK ? unary(c, CLINFER_UNARY_CLIP, lo, hi) : st;
}

static clinfer_status softmax(onnx_node *c, int log)
{
    int legacy = c->im->opset < 13;
    int64_t axis = 0;
    clinfer_value x, y;
    clinfer_status st = node_attr_int(c, "axis", legacy ? 1 : -1, &axis);
    if (st == CLINFER_OK)
        st = in_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK - 1);
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, graph_softmax_ex(c->im->g, oname(c), x, (int32_t)axis, log, legacy, &y), &y);
}

static clinfer_status op_softmax(onnx_node *c) { return softmax(c, 0); }
static clinfer_status op_log_softmax(onnx_node *c) { return softmax(c, 1); }

/* Opset < 7 broadcast=1: B matches A's dims from `axis` on (default: the
 * trailing dims). Only the trailing case equals NumPy broadcasting. */
static clinfer_status legacy_broadcast(onnx_node *c)
{
    int64_t broadcast = 0, axis = -1;
    clinfer_status st = node_attr_int(c, "broadcast", 0, &broadcast);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "axis", -1, &axis);
    if (st != CLINFER_OK || !broadcast || !node_attr(c, "axis"))
        return st;
    clinfer_shape a, b;
    if ((st = node_in_shape(c, 0, &a)) != CLINFER_OK ||
        (st = node_in_shape(c, 1, &b)) != CLINFER_OK)
        return st;
    if (axis < 0)
        axis += a.rank;
    if (axis + b.rank != a.rank)
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "legacy broadcasting along axis %lld (opset < 7) is not supported",
                          (long long)axis);
    return CLINFER_OK;
}

static clinfer_status binary(onnx_node *c, clinfer_binary_op op)
{
    clinfer_value a, b, y;
    clinfer_status st = legacy_broadcast(c);
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &a);
    if (st != CLINFER_OK)
        return st;
    onnx_sym *bs = node_in(c, 1);
    if (op == CLINFER_BINARY_POW && bs && bs->kind == SYM_HOST &&
        bs->host->dtype == CLINFER_DTYPE_INT64 && bs->host->numel > 0 &&
        !host_tensor_has_sym(bs->host)) {
        /* Pow (opset 12+) takes integer exponents: a float copy. */
        char name[512];
        snprintf(name, sizeof name, "%s:as_float", bs->name);
        float *f = malloc((size_t)bs->host->numel * sizeof *f);
        if (!f)
            return node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        for (int64_t k = 0; k < bs->host->numel; k++)
            f[k] = (float)bs->host->i[k];
        st = node_build(c, clinfer_graph_constant(c->im->g, name, &bs->host->shape, f, &b));
        free(f);
    } else {
        st = node_in_value(c, 1, &b);
    }
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_binary(c->im->g, oname(c), op, a, b, &y), &y);
}

static clinfer_status op_add(onnx_node *c) { return binary(c, CLINFER_BINARY_ADD); }
static clinfer_status op_sub(onnx_node *c) { return binary(c, CLINFER_BINARY_SUB); }
static clinfer_status op_mul(onnx_node *c) { return binary(c, CLINFER_BINARY_MUL); }
static clinfer_status op_div(onnx_node *c) { return binary(c, CLINFER_BINARY_DIV); }
static clinfer_status op_pow(onnx_node *c) { return binary(c, CLINFER_BINARY_POW); }

/* ------------------------------------------------------------ normalisation */

/* A BatchNormalization that the compile passes fold into the convolution
 * before it: the convolution is the only reader of X's producer output, and
 * has no activation yet. */
static int batchnorm_folds(onnx_node *c, clinfer_value x)
{
    const clinfer_graph *g = c->im->g;
    onnx_sym *xs = node_in(c, 0);
    if (!xs || xs->uses != 1 || g->values[x].kind != VALUE_NODE || g->values[x].producer < 0)
        return 0;
    const graph_node *p = &g->nodes[g->values[x].producer];
    return p->op == OP_CONV2D && p->attrs.conv.activation == CLINFER_ACT_NONE;
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
    clinfer_status st = node_in_shape(c, 0, &xs);
    if (st != CLINFER_OK)
        return st;
    if (xs.rank < 2 || xs.dims[1] < 1)
        return node_error(c, CLINFER_ERR_SHAPE, "X has shape %s; needs [N, C, ...]",
                          shape_str(&xs, buf, sizeof buf));
    int64_t ch = xs.dims[1];
    for (int32_t k = 1; k < 5; k++)
        if (t[k]->numel != ch || t[k]->shape.rank != 1 || t[k]->dtype != CLINFER_DTYPE_FLOAT32)
            return node_error(c, CLINFER_ERR_SHAPE, "input %d has shape %s, expected [%lld] float",
                              (int)k, shape_str(&t[k]->shape, buf, sizeof buf), (long long)ch);
    float *mul = malloc((size_t)ch * sizeof *mul), *add = malloc((size_t)ch * sizeof *add);
    if (!mul || !add) {
        free(mul);
        free(add);
        return node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
    batchnorm_fold_coefficients(ch, t[1]->f, t[2]->f, t[3]->f, t[4]->f, eps, mul, add);
    clinfer_shape cs;
    memset(&cs, 0, sizeof cs);
    cs.rank = xs.rank - 1; /* [C, 1, ..., 1] broadcasts against [N, C, ...] */
    cs.dims[0] = ch;
    for (int32_t d = 1; d < cs.rank; d++)
        cs.dims[d] = 1;
    char n_mul[512], n_add[512], n_scaled[512];
    snprintf(n_mul, sizeof n_mul, "%s:bn_mul", oname(c));
    snprintf(n_add, sizeof n_add, "%s:bn_add", oname(c));
    snprintf(n_scaled, sizeof n_scaled, "%s:bn_scaled", oname(c));
    clinfer_value vm, va, scaled, y;
    clinfer_graph *g = c->im->g;
    st = node_build(c, clinfer_graph_constant(g, n_mul, &cs, mul, &vm));
    if (st == CLINFER_OK)
        st = node_build(c, clinfer_graph_constant(g, n_add, &cs, add, &va));
    free(mul);
    free(add);
    if (st == CLINFER_OK)
        st = node_build(c, clinfer_graph_binary(g, n_scaled, CLINFER_BINARY_MUL, x, vm, &scaled));
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_binary(g, oname(c), CLINFER_BINARY_ADD, scaled, va, &y), &y);
}

static clinfer_status op_batchnorm(onnx_node *c)
{
    float eps = 1e-5f;
    int64_t spatial = 1, training = 0;
    clinfer_status st = node_attr_float(c, "epsilon", 1e-5f, &eps);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "spatial", 1, &spatial);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "training_mode", 0, &training);
    if (st != CLINFER_OK)
        return st;
    if (spatial != 1)
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"spatial\" = %lld: only 1",
                          (long long)spatial);
    if (training != 0)
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "attribute \"training_mode\" = %lld: clinfer does inference only",
                          (long long)training);
    static const char *const roles[5] = {"X", "scale", "B", "input_mean", "input_var"};
    const host_tensor *t[5] = {NULL, NULL, NULL, NULL, NULL};
    for (int32_t k = 1; k < 5 && st == CLINFER_OK; k++)
        st = node_in_host(c, k, roles[k], &t[k]);
    clinfer_value v[5], y;
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &v[0]);
    if (st != CLINFER_OK)
        return st;
    if (batchnorm_folds(c, v[0])) {
        for (int32_t k = 1; k < 5 && st == CLINFER_OK; k++)
            st = node_in_value(c, k, &v[k]);
        if (st != CLINFER_OK)
            return st;
        return out_of(c,
                      clinfer_graph_batchnorm(c->im->g, oname(c), v[0], v[1], v[2], v[3], v[4],
                                              eps, &y),
                      &y);
    }
    return batchnorm_as_mul_add(c, v[0], t, eps);
}

/* ------------------------------------------------------------ data movement */

static clinfer_status op_concat(onnx_node *c)
{
    int64_t axis = 1;
    clinfer_status st = node_attr_int(c, "axis", 1, &axis);
    if (st == CLINFER_OK && c->im->opset >= 4 && !node_attr(c, "axis"))
        st = node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"axis\" is required");
    if (st == CLINFER_OK)
        st = in_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK - 1);
    int32_t n = node_input_count(c);
    if (st == CLINFER_OK && n < 1)
        st = node_error(c, CLINFER_ERR_INVALID_MODEL, "needs at least one input");
    if (st != CLINFER_OK)
        return st;
    clinfer_value *xs = malloc((size_t)n * sizeof *xs), y;
    if (!xs)
        return node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t k = 0; k < n && st == CLINFER_OK; k++)
        st = node_in_value(c, k, &xs[k]);
    if (st == CLINFER_OK)
        st = out_of(c, clinfer_graph_concat(c->im->g, oname(c), xs, n, (int32_t)axis, &y), &y);
    free(xs);
    return st;
}

static clinfer_status op_pad(onnx_node *c)
{
    clinfer_shape xs;
    clinfer_status st = node_in_shape(c, 0, &xs);
    int64_t pads[MAX_INTS], axes[MAX_INTS];
    int32_t npads = -1, naxes = -1;
    float value = 0;
    const char *mode_name = "constant";
    if (st == CLINFER_OK)
        st = node_attr_string(c, "mode", "constant", &mode_name);
    if (st != CLINFER_OK)
        return st;
    int mode = -1;
    if (strcmp(mode_name, "constant") == 0)
        mode = 0;
    else if (strcmp(mode_name, "reflect") == 0)
        mode = 1;
    else if (strcmp(mode_name, "edge") == 0)
        mode = 2;
    else if (strcmp(mode_name, "wrap") == 0)
        mode = 3;
    else
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "attribute \"mode\" is \"%s\", expected constant, reflect, edge or wrap",
                          mode_name);
    if (c->im->opset < 11) {
        st = node_attr_ints(c, c->im->opset < 2 ? "paddings" : "pads", pads, MAX_INTS, &npads);
        if (st == CLINFER_OK)
            st = node_attr_float(c, "value", 0.0f, &value);
        if (st == CLINFER_OK && npads < 0)
            st = node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"pads\" is required");
    } else {
        const host_tensor *tp = NULL, *tv = NULL, *ta = NULL;
        st = node_in_host(c, 1, "pads", &tp);
        if (st == CLINFER_OK)
            st = node_host_ints(c, tp, "pads", pads, MAX_INTS, &npads);
        if (st == CLINFER_OK)
            st = node_in_host_opt(c, 2, "constant_value", &tv);
        if (st == CLINFER_OK && tv && tv->numel > 0)
            st = node_host_scalar(c, tv, "constant_value", &value);
        if (st == CLINFER_OK)
            st = node_in_host_opt(c, 3, "axes", &ta);
        if (st == CLINFER_OK && ta)
            st = node_host_ints(c, ta, "axes", axes, MAX_INTS, &naxes);
    }
    if (st != CLINFER_OK)
        return st;
    /* Expand to every axis: the starts of all dims, then the ends. */
    int64_t full[2 * CLINFER_MAX_RANK] = {0};
    int32_t rank = xs.rank;
    if (naxes < 0) {
        if (npads != 2 * rank)
            return node_error(c, CLINFER_ERR_INVALID_MODEL,
                              "pads has %d values, expected %d (2 * rank)", (int)npads,
                              (int)(2 * rank));
        memcpy(full, pads, (size_t)npads * sizeof *pads);
    } else {
        if (npads != 2 * naxes)
            return node_error(c, CLINFER_ERR_INVALID_MODEL,
                              "pads has %d values, expected %d (2 * number of axes)", (int)npads,
                              (int)(2 * naxes));
        int seen[CLINFER_MAX_RANK] = {0};
        for (int32_t k = 0; k < naxes; k++) {
            int32_t d = 0;
            if (!shape_axis(axes[k], rank, &d) || seen[d]++)
                return node_error(c, CLINFER_ERR_INVALID_MODEL, "axes[%d] = %lld is %s",
                                  (int)k, (long long)axes[k],
                                  shape_axis(axes[k], rank, &d) ? "repeated" : "out of range");
            full[d] = pads[k];
            full[rank + d] = pads[naxes + k];
        }
    }
    for (int32_t k = 0; k < 2 * rank; k++)
        if (full[k] < -(1 << 30) || full[k] > (1 << 30))
            return node_error(c, CLINFER_ERR_UNSUPPORTED, "pad %lld is out of range",
                              (long long)full[k]);
    clinfer_value x, y;
    if ((st = node_in_value(c, 0, &x)) != CLINFER_OK)
        return st;
    return out_of(c, graph_pad_ex(c->im->g, oname(c), x, full, 2 * rank, value, mode, &y), &y);
}

static clinfer_status op_transpose(onnx_node *c)
{
    int64_t perm[MAX_INTS];
    int32_t n = -1, p32[CLINFER_MAX_RANK];
    clinfer_value x, y;
    clinfer_status st = node_attr_ints(c, "perm", perm, MAX_INTS, &n);
    if (st == CLINFER_OK && n > CLINFER_MAX_RANK)
        st = node_error(c, CLINFER_ERR_UNSUPPORTED, "perm has %d entries", (int)n);
    for (int32_t k = 0; st == CLINFER_OK && k < n; k++)
        st = in_range(c, "perm", perm[k], 0, CLINFER_MAX_RANK - 1), p32[k] = (int32_t)perm[k];
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_transpose(c->im->g, oname(c), x, n >= 0 ? p32 : NULL,
                                             n >= 0 ? n : 0, &y),
                  &y);
}

static clinfer_status op_flatten(onnx_node *c)
{
    int64_t axis = 1;
    clinfer_value x, y;
    clinfer_status st = node_attr_int(c, "axis", 1, &axis);
    if (st == CLINFER_OK)
        st = in_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK);
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_flatten(c->im->g, oname(c), x, (int32_t)axis, &y), &y);
}

/* A Reshape target from a host shape tensor: batch-dependent entries become
 * 0 (copy the same input dim, when that one is open too) or -1. */
static clinfer_status reshape_target(onnx_node *c, const host_tensor *t, const clinfer_shape *xs,
                                     int allowzero, clinfer_shape *target)
{
    if (t->shape.rank != 1 || t->numel > CLINFER_MAX_RANK || t->dtype != CLINFER_DTYPE_INT64)
        return node_error(c, t->numel > CLINFER_MAX_RANK ? CLINFER_ERR_UNSUPPORTED
                                                         : CLINFER_ERR_INVALID_MODEL,
                          "the shape input must be a 1-D int64 tensor of at most %d values",
                          CLINFER_MAX_RANK);
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
                return node_error(c, CLINFER_ERR_UNSUPPORTED,
                                  "the target shape has more than one entry that depends on "
                                  "the batch size");
        } else if (v == 0 && allowzero) {
            return node_error(c, CLINFER_ERR_UNSUPPORTED,
                              "allowzero with a 0 in the shape makes an empty tensor");
        } else if (v < -1 || v > INT32_MAX) {
            return node_error(c, CLINFER_ERR_INVALID_MODEL, "shape[%d] = %lld", (int)d,
                              (long long)v);
        }
        target->dims[d] = v;
    }
    int64_t known = 1; /* checked here so that no product overflows later */
    for (int32_t d = 0; d < target->rank; d++) {
        int64_t v = target->dims[d] > 0 ? target->dims[d] : 1;
        if (known > INT32_MAX / v)
            return node_error(c, CLINFER_ERR_SHAPE, "the target shape has more than 2^31-1 "
                              "elements");
        known *= v;
    }
    return CLINFER_OK;
}

static clinfer_status op_reshape(onnx_node *c)
{
    clinfer_shape xs, target;
    int64_t allowzero = 0;
    clinfer_status st = node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "allowzero", 0, &allowzero);
    if (st != CLINFER_OK)
        return st;
    if (c->im->opset < 5) {
        int64_t dims[MAX_INTS];
        int32_t n = -1;
        st = node_attr_ints(c, "shape", dims, MAX_INTS, &n);
        if (st == CLINFER_OK && (n < 0 || n > CLINFER_MAX_RANK))
            st = node_error(c, n < 0 ? CLINFER_ERR_INVALID_MODEL : CLINFER_ERR_UNSUPPORTED,
                            "attribute \"shape\" is missing or longer than %d", CLINFER_MAX_RANK);
        if (st != CLINFER_OK)
            return st;
        host_tensor t;
        clinfer_shape s1 = {1, {n}};
        char msg[256];
        if (host_tensor_alloc(&t, CLINFER_DTYPE_INT64, &s1, msg, sizeof msg) != CLINFER_OK)
            return node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "%s", msg);
        for (int32_t k = 0; k < n; k++)
            t.i[k] = dims[k];
        st = reshape_target(c, &t, &xs, 0, &target);
        host_tensor_free(&t);
    } else {
        const host_tensor *t = NULL;
        st = node_in_host(c, 1, "shape", &t);
        if (st == CLINFER_OK)
            st = reshape_target(c, t, &xs, (int)allowzero, &target);
    }
    clinfer_value x, y;
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_reshape(c->im->g, oname(c), x, &target, &y), &y);
}

static clinfer_status op_identity(onnx_node *c)
{
    clinfer_value x, y;
    clinfer_status st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_identity(c->im->g, oname(c), x, &y), &y);
}

static clinfer_status op_dropout(onnx_node *c)
{
    /* The ratio does not matter at inference; training_mode must be false. */
    const host_tensor *training = NULL;
    clinfer_status st = node_in_host_opt(c, 2, "training_mode", &training);
    if (st != CLINFER_OK)
        return st;
    if (training && (training->numel != 1 || host_tensor_get_f(training, 0) != 0))
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "training_mode must be false: clinfer does inference only");
    onnx_sym *x = node_in(c, 0);
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
            return node_error(c, CLINFER_ERR_UNSUPPORTED,
                              "more than one dimension depends on the batch size");
    }
    clinfer_value x, y;
    clinfer_status st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_reshape(c->im->g, oname(c), x, &t, &y), &y);
}

static clinfer_status op_squeeze(onnx_node *c)
{
    clinfer_shape xs;
    int64_t axes[CLINFER_MAX_RANK], od[CLINFER_MAX_RANK];
    int32_t n = -1, src[CLINFER_MAX_RANK], o = 0;
    clinfer_status st = node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = node_axes(c, xs.rank, c->im->opset >= 13, axes, &n);
    if (st != CLINFER_OK)
        return st;
    for (int32_t d = 0, k = 0; d < xs.rank; d++) {
        int listed = k < n && axes[k] == d;
        k += listed;
        if (listed && xs.dims[d] != 1)
            return node_error(c, xs.dims[d] == CLINFER_BATCH_DIM ? CLINFER_ERR_UNSUPPORTED
                                                                 : CLINFER_ERR_SHAPE,
                              "axis %d has size %s, not 1", (int)d,
                              xs.dims[d] == CLINFER_BATCH_DIM ? "N (the open batch)" : ">1");
        if (listed || (n < 0 && xs.dims[d] == 1))
            continue;
        od[o] = xs.dims[d];
        src[o++] = d;
    }
    return view_to(c, od, src, o);
}

static clinfer_status op_unsqueeze(onnx_node *c)
{
    clinfer_shape xs;
    int64_t axes[CLINFER_MAX_RANK], od[CLINFER_MAX_RANK];
    int32_t n = -1, src[CLINFER_MAX_RANK];
    clinfer_status st = node_in_shape(c, 0, &xs);
    if (st != CLINFER_OK)
        return st;
    /* Axes count against the output rank, which needs their number first. */
    int64_t raw[MAX_INTS];
    int32_t nraw = -1;
    if (c->im->opset >= 13) {
        const host_tensor *t = NULL;
        st = node_in_host(c, 1, "axes", &t);
        if (st == CLINFER_OK)
            st = node_host_ints(c, t, "axes", raw, MAX_INTS, &nraw);
    } else {
        st = node_attr_ints(c, "axes", raw, MAX_INTS, &nraw);
    }
    if (st != CLINFER_OK)
        return st;
    if (nraw < 0 || xs.rank + nraw > CLINFER_MAX_RANK)
        return node_error(c, nraw < 0 ? CLINFER_ERR_INVALID_MODEL : CLINFER_ERR_UNSUPPORTED,
                          nraw < 0 ? "axes are required" : "the output would exceed rank 8");
    int32_t orank = xs.rank + nraw;
    if ((st = node_axes(c, orank, c->im->opset >= 13, axes, &n)) != CLINFER_OK)
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

static clinfer_status op_slice(onnx_node *c)
{
    clinfer_shape xs;
    int64_t starts[CLINFER_MAX_RANK], ends[CLINFER_MAX_RANK], axes[CLINFER_MAX_RANK],
        steps[CLINFER_MAX_RANK];
    int32_t n = 0;
    clinfer_value x, y;
    clinfer_status st = node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = node_slice_params(c, xs.rank, starts, ends, axes, steps, &n);
    for (int32_t k = 0; st == CLINFER_OK && k < n; k++) {
        int32_t d = 0;
        shape_axis(axes[k], xs.rank, &d);
        if (xs.dims[d] == CLINFER_BATCH_DIM && !(starts[k] == 0 && steps[k] == 1 &&
                                                 ends[k] >= (int64_t)INT32_MAX))
            st = node_error(c, CLINFER_ERR_UNSUPPORTED,
                            "slicing the open batch dimension (axis %d) is not supported", (int)d);
    }
    if (st == CLINFER_OK)
        st = node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return out_of(c, clinfer_graph_slice(c->im->g, oname(c), x, starts, ends, axes, steps, n, &y),
                  &y);
}

static clinfer_status op_reduce(onnx_node *c)
{
    clinfer_reduce_op op = CLINFER_REDUCE_SUM;
    if (strcmp(c->op, "ReduceMean") == 0)
        op = CLINFER_REDUCE_MEAN;
    else if (strcmp(c->op, "ReduceMax") == 0)
        op = CLINFER_REDUCE_MAX;
    else if (strcmp(c->op, "ReduceMin") == 0)
        op = CLINFER_REDUCE_MIN;
    int axes_input = op == CLINFER_REDUCE_SUM ? c->im->opset >= 13 : c->im->opset >= 18;
    int64_t keepdims = 1, noop = 0, axes[MAX_INTS];
    int32_t n = -1;
    clinfer_status st = node_attr_int(c, "keepdims", 1, &keepdims);
    if (st == CLINFER_OK)
        st = node_attr_int(c, "noop_with_empty_axes", 0, &noop);
    if (st == CLINFER_OK && axes_input) {
        const host_tensor *t = NULL;
        st = node_in_host_opt(c, 1, "axes", &t);
        if (st == CLINFER_OK && t)
            st = node_host_ints(c, t, "axes", axes, MAX_INTS, &n);
    } else if (st == CLINFER_OK) {
        st = node_attr_ints(c, "axes", axes, MAX_INTS, &n);
    }
    if (st == CLINFER_OK && n > CLINFER_MAX_RANK)
        st = node_error(c, CLINFER_ERR_INVALID_MODEL, "%d axes", (int)n);
    if (st != CLINFER_OK)
        return st;
    if (n <= 0 && noop)
        return op_identity(c);
    clinfer_value x, y;
    if ((st = node_in_value(c, 0, &x)) != CLINFER_OK)
        return st;
    return out_of(c,
                  clinfer_graph_reduce(c->im->g, oname(c), op, x, axes, n > 0 ? n : 0,
                                       keepdims != 0, &y),
                  &y);
}

static clinfer_status op_cast(onnx_node *c)
{
    int64_t to = 0;
    clinfer_status st = node_attr_int(c, "to", 0, &to);
    if (st != CLINFER_OK)
        return st;
    if (to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "casting a run-time tensor to %s: clinfer computes in float32 only",
                          onnx_dtype_name((int32_t)to));
    return op_identity(c);
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
