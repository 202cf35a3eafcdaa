/*
 * fold.c — BatchNormalization at compile time. With per-channel
 * m = scale / sqrt(var + eps) and a = B - mean * m (batchnorm_fold_coefficients):
 *  - after a convolution (conv2d or conv_transpose) whose output feeds
 *    nothing else, BN disappears: conv(x, W) + b -> conv(x, W * m) + (b * m + a),
 *    m taken per output channel of each weight;
 *  - anywhere else, BN keeps its node but reads two constants [C], m and a,
 *    instead of four, so the kernel is one multiply-add per element.
 * New constants replace the old ones, which are then not uploaded.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../ops/batchnorm.h"
#include "../shape.h"
#include "passes.h"

static const float *constant_data(const clinfer_graph *g, int32_t v, int64_t count)
{
    if (v < 0 || g->values[v].kind != VALUE_CONSTANT || shape_numel(&g->values[v].shape) != count)
        return NULL;
    return g->values[v].data;
}

/* Computes m and a for BN node `bn` over `channels`: CLINFER_ERR_SHAPE if
 * its inputs are not constants of that length. The caller frees *mul and
 * *add. */
static clinfer_status coefficients(const clinfer_graph *g, const graph_node *bn, int64_t channels,
                                   float **mul, float **add)
{
    const float *scale = constant_data(g, bn->inputs[1], channels);
    const float *shift = constant_data(g, bn->inputs[2], channels);
    const float *mean = constant_data(g, bn->inputs[3], channels);
    const float *var = constant_data(g, bn->inputs[4], channels);
    *mul = *add = NULL;
    if (!scale || !shift || !mean || !var)
        return CLINFER_ERR_SHAPE;
    *mul = malloc((size_t)channels * sizeof **mul);
    *add = malloc((size_t)channels * sizeof **add);
    if (!*mul || !*add) {
        free(*mul);
        free(*add);
        return CLINFER_ERR_OUT_OF_HOST_MEMORY;
    }
    batchnorm_fold_coefficients(channels, scale, shift, mean, var, bn->attrs.batchnorm.epsilon,
                                *mul, *add);
    return CLINFER_OK;
}

/* Adds an owned constant named "<node>/<suffix>". */
static clinfer_status add_constant(clinfer_graph *g, const graph_node *n, const char *suffix,
                                   const clinfer_shape *shape, float *data, int32_t *out)
{
    char name[512];
    snprintf(name, sizeof name, "%s/%s", n->name, suffix);
    return graph_add_owned_constant(g, name, shape, data, out);
}

/* Adds the two new constants that replace BN's parameters as inputs 1 and
 * 2 of `target` (the conv it folds into, or the BN itself), taking both
 * arrays (freed on failure too). */
static clinfer_status set_two_constants(clinfer_graph *g, const graph_node *bn, graph_node *target,
                                        const char *const names[2], const clinfer_shape *shapes,
                                        float *first, float *second)
{
    int32_t v1 = -1, v2 = -1;
    clinfer_status st = add_constant(g, bn, names[0], &shapes[0], first, &v1);
    if (st != CLINFER_OK) {
        free(second);
        return st;
    }
    st = add_constant(g, bn, names[1], &shapes[1], second, &v2);
    if (st == CLINFER_OK)
        target->inputs[1] = v1, target->inputs[2] = v2;
    return st;
}

/* The output channel that weight element i of `conv` feeds, among
 * `per_oc` elements per output channel: conv2d weights are [OC, ...];
 * conv_transpose weights [C, OC/groups, KH, KW], channel c of group
 * c / (C/groups) feeding that group's OC/groups outputs. */
static int64_t weight_channel(const graph_node *conv, const clinfer_shape *ws, int64_t i,
                              int64_t per_oc)
{
    if (conv->op != OP_CONV_TRANSPOSE)
        return i / per_oc;
    const int64_t kk = ws->dims[2] * ws->dims[3], ocpg = ws->dims[1];
    const int64_t cpg = ws->dims[0] / conv->attrs.conv_transpose.groups;
    return i / (ocpg * kk) / cpg * ocpg + i / kk % ocpg;
}

/* Folds BN into `conv` (conv2d or conv_transpose). Returns 1 if folded, 0
 * if not possible, or a negative status (with its message recorded). */
static int fold_into_conv(clinfer_graph *g, graph_node *conv, graph_node *bn)
{
    /* Copies: adding constants below may move g->values. */
    const clinfer_shape ws = g->values[conv->inputs[1]].shape;
    const int transposed = conv->op == OP_CONV_TRANSPOSE;
    if (ws.rank != 4 || (transposed && (conv->attrs.conv_transpose.groups < 1 ||
                                        ws.dims[0] % conv->attrs.conv_transpose.groups != 0)))
        return 0;
    int64_t oc = transposed ? ws.dims[1] * conv->attrs.conv_transpose.groups : ws.dims[0];
    int64_t n = shape_numel(&ws), per_oc = n / oc;
    const float *w = constant_data(g, conv->inputs[1], n);
    const float *b = conv->inputs[2] >= 0 ? constant_data(g, conv->inputs[2], oc) : NULL;
    float *mul = NULL, *add = NULL;
    if (!w || (conv->inputs[2] >= 0 && !b))
        return 0;
    clinfer_status st = coefficients(g, bn, oc, &mul, &add);
    if (st == CLINFER_ERR_SHAPE)
        return 0;
    float *nw = st == CLINFER_OK ? malloc((size_t)n * sizeof *nw) : NULL;
    if (!nw) {
        free(mul);
        free(add);
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory folding \"%s\"",
                       bn->name);
    }
    for (int64_t i = 0; i < n; i++)
        nw[i] = w[i] * mul[weight_channel(conv, &ws, i, per_oc)];
    for (int64_t o = 0; o < oc; o++)
        add[o] += (b ? b[o] : 0.0f) * mul[o]; /* the new bias */
    free(mul);
    static const char *const names[2] = {"folded_weight", "folded_bias"};
    const clinfer_shape shapes[2] = {ws, shape_make(1, &oc)};
    st = set_two_constants(g, bn, conv, names, shapes, nw, add);
    if (st != CLINFER_OK)
        return st;
    pass_absorb(g, conv, bn);
    return 1;
}

/* Rewrites a standalone BN to read [x, m, a]. */
static clinfer_status to_coefficients(clinfer_graph *g, graph_node *bn)
{
    int64_t channels = shape_numel(&g->values[bn->inputs[1]].shape);
    float *mul = NULL, *add = NULL;
    clinfer_status st = coefficients(g, bn, channels, &mul, &add);
    if (st == CLINFER_ERR_SHAPE)
        return err_set(NULL, st, "batchnorm node \"%s\": scale, B, mean and var must be [C]",
                       bn->name);
    if (st != CLINFER_OK)
        return err_set(NULL, st, "out of memory");
    static const char *const names[2] = {"multiplier", "offset"};
    const clinfer_shape shapes[2] = {shape_make(1, &channels), shape_make(1, &channels)};
    st = set_two_constants(g, bn, bn, names, shapes, mul, add);
    if (st != CLINFER_OK)
        return st;
    bn->input_count = 3;
    bn->attrs.batchnorm.coefficients = 1;
    return CLINFER_OK;
}

int pass_fold_batchnorm(clinfer_graph *g)
{
    int folded = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *bn = &g->nodes[i];
        if (bn->removed || bn->op != OP_BATCHNORM || bn->attrs.batchnorm.coefficients)
            continue;
        graph_node *conv = pass_sole_producer(g, bn->inputs[0], OP_CONV2D);
        graph_node *convt = pass_sole_producer(g, bn->inputs[0], OP_CONV_TRANSPOSE);
        if (conv && conv->attrs.conv.activation != CLINFER_ACT_NONE)
            conv = NULL;
        if (convt && convt->attrs.conv_transpose.activation != CLINFER_ACT_NONE)
            convt = NULL;
        int r = conv || convt ? fold_into_conv(g, conv ? conv : convt, bn) : 0;
        if (r == 0) {
            clinfer_status st = to_coefficients(g, bn);
            if (st != CLINFER_OK)
                return st;
        }
        if (r < 0)
            return r;
        folded += r;
    }
    return folded;
}
