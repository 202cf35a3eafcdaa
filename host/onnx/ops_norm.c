/*
 * ops_norm.c — the ONNX normalisations translated into builder calls:
 * InstanceNormalization, LayerNormalization (opset 17; its Mean and
 * InvStdDev outputs from ordinary nodes), GroupNormalization
 * (opset 18: scale and bias per group; 21: per channel) and
 * MeanVarianceNormalization. Scale and bias stay ordinary values: the
 * kernel reads them at run time, so they need not be initializers.
 * LpNormalization and LRN (local response normalization) are built from
 * ordinary nodes (a reduction or a pool, element-wise ops).
 */
#include <stdio.h>
#include <string.h>

#include "../shape.h"
#include "ops_internal.h"

/* stash_type (LayerNormalization, GroupNormalization 21): the precision of
 * the statistics; clinfer computes them in float, ONNX's default (1). */
static clinfer_status need_float_stash(onnx_node *c)
{
    int64_t stash = 1;
    clinfer_status st = onnx_node_attr_int(c, "stash_type", 1, &stash);
    if (st == CLINFER_OK && stash != 1)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"stash_type\" = %lld: only 1 (float) is supported",
                               (long long)stash);
    return st;
}

/* x, scale and bias (bias optional when `bias_optional`) as values. */
static clinfer_status three_inputs(onnx_node *c, int bias_optional, clinfer_value v[3])
{
    clinfer_status st = onnx_node_in_value(c, 0, &v[0]);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &v[1]);
    if (st == CLINFER_OK)
        st = bias_optional ? onnx_node_in_value_opt(c, 2, &v[2])
                           : onnx_node_in_value(c, 2, &v[2]);
    return st;
}

clinfer_status op_instancenorm(onnx_node *c)
{
    float eps = 1e-5f;
    clinfer_value v[3], y;
    clinfer_status st = onnx_node_attr_float(c, "epsilon", 1e-5f, &eps);
    if (st == CLINFER_OK)
        st = three_inputs(c, 0, v);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_instance_norm(c->im->g, onnx_node_oname(c), v[0], v[1],
                                                        v[2], eps, &y),
                            &y);
}

/* LayerNormalization's optional outputs Mean and InvStdDev (kept dims of
 * size 1), when the model names them: built from ReduceMean, Sub, Mul, Add,
 * Sqrt and Reciprocal nodes as ONNX's function body defines them, since
 * the layernorm kernel writes Y only. */
static clinfer_status layernorm_stats(onnx_node *c, clinfer_value x, int64_t axis, float eps)
{
    const int want_mean = onnx_node_out_name(c, 1)[0] != 0;
    if (!want_mean && !onnx_node_out_name(c, 2)[0])
        return CLINFER_OK;
    clinfer_shape xs;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    int32_t first;
    if (st != CLINFER_OK)
        return st;
    if (!shape_axis(axis, xs.rank, &first))
        return onnx_node_error(c, CLINFER_ERR_INVALID_ARGUMENT,
                               "axis %lld is out of range for X of rank %d", (long long)axis,
                               (int)xs.rank);
    int64_t axes[CLINFER_MAX_RANK];
    for (int32_t d = first; d < xs.rank; d++)
        axes[d - first] = d;
    clinfer_graph *g = c->im->g;
    clinfer_value m, d, dd, var, ke, ve, sd, inv;
    char b[512];
    st = clinfer_graph_reduce(g, onnx_node_part_name(c, "mean", b, sizeof b), CLINFER_REDUCE_MEAN, x, axes,
                              xs.rank - first, 1, &m);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "d", b, sizeof b), CLINFER_BINARY_SUB, x, m, &d);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "dd", b, sizeof b), CLINFER_BINARY_MUL, d, d,
                                  &dd);
    if (st == CLINFER_OK)
        st = clinfer_graph_reduce(g, onnx_node_part_name(c, "var", b, sizeof b), CLINFER_REDUCE_MEAN, dd,
                                  axes, xs.rank - first, 1, &var);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "eps", eps, &ke);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "var_eps", b, sizeof b), CLINFER_BINARY_ADD,
                                  var, ke, &ve);
    if (st == CLINFER_OK)
        st = clinfer_graph_unary(g, onnx_node_part_name(c, "std", b, sizeof b), CLINFER_UNARY_SQRT, ve, 0,
                                 0, &sd);
    if (st == CLINFER_OK)
        st = clinfer_graph_unary(g, onnx_node_part_name(c, "inv_std", b, sizeof b),
                                 CLINFER_UNARY_RECIPROCAL, sd, 0, 0, &inv);
    st = onnx_node_build(c, st);
    if (st == CLINFER_OK && want_mean)
        st = onnx_node_out_value(c, 1, m);
    if (st == CLINFER_OK && onnx_node_out_name(c, 2)[0])
        st = onnx_node_out_value(c, 2, inv);
    return st;
}

clinfer_status op_layernorm(onnx_node *c)
{
    float eps = 1e-5f;
    int64_t axis = -1;
    clinfer_value v[3], y;
    clinfer_status st = onnx_node_attr_float(c, "epsilon", 1e-5f, &eps);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", -1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK - 1);
    if (st == CLINFER_OK)
        st = need_float_stash(c);
    if (st == CLINFER_OK)
        st = three_inputs(c, 1, v);
    if (st == CLINFER_OK)
        st = layernorm_stats(c, v[0], axis, eps);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_layer_norm(c->im->g, onnx_node_oname(c), v[0], v[1],
                                                     v[2], (int32_t)axis, eps, &y),
                            &y);
}

/* Opset 18 gives scale and bias per group, 21 per channel: input k must
 * have the count its opset says (the builder alone cannot tell them apart
 * when they are of different sizes). */
static clinfer_status group_affine_shape(onnx_node *c, int64_t groups)
{
    clinfer_shape xs, s;
    char buf[160];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st != CLINFER_OK)
        return st;
    if (xs.rank < 2 || xs.dims[1] < 1)
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "X has shape %s; needs [N, C, ...]",
                               shape_str(&xs, buf, sizeof buf));
    const int per_channel = c->im->opset >= 21;
    const int64_t want = per_channel ? xs.dims[1] : groups;
    for (int32_t k = 1; k <= 2; k++) {
        if ((st = onnx_node_in_shape(c, k, &s)) != CLINFER_OK)
            return st;
        if (s.rank != 1 || s.dims[0] != want)
            return onnx_node_error(c, CLINFER_ERR_SHAPE,
                                   "input %d (%s) has shape %s, expected [%lld] (one per %s in "
                                   "opset %lld)",
                                   (int)k, k == 1 ? "scale" : "bias",
                                   shape_str(&s, buf, sizeof buf), (long long)want, per_channel ? "channel" : "group",
                                   (long long)c->im->opset);
    }
    return CLINFER_OK;
}

clinfer_status op_groupnorm(onnx_node *c)
{
    float eps = 1e-5f;
    int64_t groups = 0;
    clinfer_value v[3], y;
    if (!onnx_node_attr(c, "num_groups"))
        return onnx_node_error(c, CLINFER_ERR_INVALID_ARGUMENT,
                               "attribute \"num_groups\" is required");
    clinfer_status st = onnx_node_attr_int(c, "num_groups", 0, &groups);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "num_groups", groups, 1, INT32_MAX);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "epsilon", 1e-5f, &eps);
    if (st == CLINFER_OK)
        st = need_float_stash(c);
    if (st == CLINFER_OK)
        st = group_affine_shape(c, groups);
    if (st == CLINFER_OK)
        st = three_inputs(c, 0, v);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_group_norm(c->im->g, onnx_node_oname(c), v[0], v[1],
                                                     v[2], (int32_t)groups, eps, &y),
                            &y);
}

clinfer_status op_mvn(onnx_node *c)
{
    int64_t axes[MAX_INTS];
    int32_t n = -1;
    clinfer_value x, y;
    clinfer_status st = onnx_node_attr_ints(c, "axes", axes, MAX_INTS, &n);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_mean_variance_norm(c->im->g, onnx_node_oname(c), x,
                                                             n < 0 ? NULL : axes,
                                                             n < 0 ? 0 : n, &y),
                            &y);
}

/* LpNormalization: x / ||x||_p along `axis` (p 1 or 2), as ONNX defines
 * it without an epsilon; a zero vector stays zero, as in ONNX Runtime
 * (ONNX's reference divides 0 by 0): a ReduceL1 or ReduceL2 keeping the
 * axis, its zeros replaced by ones (Equal, Where), then a Div. */
clinfer_status op_lp_normalization(onnx_node *c)
{
    int64_t axis = -1, p = 2;
    clinfer_value x, norm, zero, one, is_zero, safe, y;
    clinfer_graph *g = c->im->g;
    char b[512];
    clinfer_status st = onnx_node_attr_int(c, "axis", -1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "p", 2, &p);
    if (st == CLINFER_OK && p != 1 && p != 2)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "p is %lld, ONNX allows 1 or 2",
                             (long long)p);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    st = clinfer_graph_reduce(g, onnx_node_part_name(c, "norm", b, sizeof b),
                              p == 1 ? CLINFER_REDUCE_L1 : CLINFER_REDUCE_L2, x, &axis, 1, 1, &norm);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "zero", 0.0f, &zero);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "one", 1.0f, &one);
    if (st == CLINFER_OK)
        st = clinfer_graph_compare(g, onnx_node_part_name(c, "is_zero", b, sizeof b), CLINFER_COMPARE_EQUAL,
                                   norm, zero, &is_zero);
    if (st == CLINFER_OK)
        st = clinfer_graph_where(g, onnx_node_part_name(c, "safe", b, sizeof b), is_zero, one, norm, &safe);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_oname(c), CLINFER_BINARY_DIV, x, safe, &y);
    return onnx_node_out_of(c, st, &y);
}

/* LRN (AlexNet, GoogLeNet, CaffeNet): y = x / (bias + alpha / size * s)^beta,
 * s the sum of x^2 over the `size` channels around each one
 * (floor((size - 1) / 2) before it, ceil((size - 1) / 2) after, within
 * the tensor). Built from ordinary nodes: x^2 / 1024 (x times x / 1024:
 * in half storage a square overflows past |x| = 256, Caffe-era models'
 * first layers reach thousands; 1024 is exact, so float results do not
 * change) seen as [N, 1, C, rest] is average-pooled by size x 1 windows
 * down the channels (zero padding counted, so the pool is s / (1024
 * size)), seen again as x's shape, then Mul by 1024 alpha, Add bias, Pow
 * beta and Div. */
clinfer_status op_lrn(onnx_node *c)
{
    float alpha = 1e-4f, beta = 0.75f, bias = 1.0f;
    int64_t size = 0;
    clinfer_shape xs;
    clinfer_status st = onnx_node_attr_float(c, "alpha", 1e-4f, &alpha);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "beta", 0.75f, &beta);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "bias", 1.0f, &bias);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "size", 0, &size);
    if (st == CLINFER_OK && !onnx_node_attr(c, "size"))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "the size attribute is required");
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "size", size, 1, 1 << 20);
    if (st == CLINFER_OK)
        st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && xs.rank < 3)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "X has rank %d, expected [N, C, D1, ...] (3 or more)", (int)xs.rank);
    if (st != CLINFER_OK)
        return st;
    clinfer_graph *g = c->im->g;
    clinfer_value x, kq, xq, sq, rows, pooled, mean, ka, kb, kbeta, t1, t2, den, y;
    const float square_scale = 1.0f / 1024;
    char b[512];
    clinfer_shape as_rows = {4, {0, 1, xs.dims[1], -1}}, back = xs;
    back.dims[0] = 0; /* the batch as it is (open until a session picks it) */
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(1);
    pd.kind = CLINFER_POOL_AVG;
    pd.kernel_h = (int32_t)size;
    pd.pad_top = (int32_t)((size - 1) / 2), pd.pad_bottom = (int32_t)(size / 2);
    pd.count_include_pad = 1;
    st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "square_scale", square_scale, &kq);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "x_scaled", b, sizeof b), CLINFER_BINARY_MUL,
                                  x, kq, &xq);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "sq", b, sizeof b), CLINFER_BINARY_MUL, x, xq,
                                  &sq);
    if (st == CLINFER_OK)
        st = clinfer_graph_reshape(g, onnx_node_part_name(c, "rows", b, sizeof b), sq, &as_rows, &rows);
    if (st == CLINFER_OK)
        st = clinfer_graph_pool2d(g, onnx_node_part_name(c, "window", b, sizeof b), rows, &pd, &pooled);
    if (st == CLINFER_OK)
        st = clinfer_graph_reshape(g, onnx_node_part_name(c, "mean", b, sizeof b), pooled, &back, &mean);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "alpha", alpha / square_scale, &ka);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "bias", bias, &kb);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "beta", beta, &kbeta);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "scaled", b, sizeof b), CLINFER_BINARY_MUL,
                                  mean, ka, &t1);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "biased", b, sizeof b), CLINFER_BINARY_ADD, t1,
                                  kb, &t2);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_part_name(c, "den", b, sizeof b), CLINFER_BINARY_POW, t2,
                                  kbeta, &den);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, onnx_node_oname(c), CLINFER_BINARY_DIV, x, den, &y);
    return onnx_node_out_of(c, st, &y);
}
