/*
 * ops_norm.c — the ONNX normalisations translated into builder calls:
 * InstanceNormalization, LayerNormalization (opset 17), GroupNormalization
 * (opset 18: scale and bias per group; 21: per channel) and
 * MeanVarianceNormalization. Scale and bias stay ordinary values: the
 * kernel reads them at run time, so they need not be initializers.
 */
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

clinfer_status op_layernorm(onnx_node *c)
{
    float eps = 1e-5f;
    int64_t axis = -1;
    clinfer_value v[3], y;
    static const char *const extra[2] = {"Mean", "InvStdDev"};
    for (int32_t k = 1; k <= 2; k++)
        if (onnx_node_out_name(c, k)[0])
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "output %d (%s, \"%s\") is not supported: clinfer computes "
                                   "only Y",
                                   (int)k, extra[k - 1], onnx_node_out_name(c, k));
    clinfer_status st = onnx_node_attr_float(c, "epsilon", 1e-5f, &eps);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", -1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "axis", axis, -CLINFER_MAX_RANK, CLINFER_MAX_RANK - 1);
    if (st == CLINFER_OK)
        st = need_float_stash(c);
    if (st == CLINFER_OK)
        st = three_inputs(c, 1, v);
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
                                   (int)k, k == 1 ? "scale" : "bias", shape_str(&s, buf, sizeof buf),
                                   (long long)want, per_channel ? "channel" : "group",
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
