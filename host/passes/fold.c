/*
 * fold.c — BatchNormalization folded into the preceding convolution:
 * y = (conv(x, W) + b - mean) / sqrt(var + eps) * scale + B
 *   = conv(x, W * m) + (b * m + a),  m = scale / sqrt(var + eps),
 *                                    a = B - mean * m,
 * per output channel. New weight and bias constants replace the old ones
 * (which are then no longer uploaded).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../shape.h"
#include "passes.h"

static const float *constant_data(const clinfer_graph *g, int32_t v, int64_t count)
{
    if (v < 0 || g->values[v].kind != VALUE_CONSTANT || shape_numel(&g->values[v].shape) != count)
        return NULL;
    return g->values[v].data;
}

/* Folds BN node `bn` into `conv`; returns 1 if folded, 0 if the shapes do
 * not allow it, negative on failure. */
static int fold_one(clinfer_graph *g, graph_node *conv, graph_node *bn)
{
    /* A copy: adding constants below may move g->values. */
    const clinfer_shape ws = g->values[conv->inputs[1]].shape;
    int64_t oc = ws.dims[0], per_oc = shape_numel(&ws) / oc;
    const float *scale = constant_data(g, bn->inputs[1], oc);
    const float *shift = constant_data(g, bn->inputs[2], oc);
    const float *mean = constant_data(g, bn->inputs[3], oc);
    const float *var = constant_data(g, bn->inputs[4], oc);
    const float *w = constant_data(g, conv->inputs[1], oc * per_oc);
    const float *b = conv->inputs[2] >= 0 ? constant_data(g, conv->inputs[2], oc) : NULL;
    if (!scale || !shift || !mean || !var || !w || (conv->inputs[2] >= 0 && !b))
        return 0;
    float *nw = malloc((size_t)(oc * per_oc) * sizeof *nw);
    float *nb = malloc((size_t)oc * sizeof *nb);
    if (!nw || !nb) {
        free(nw);
        free(nb);
        return CLINFER_ERR_OUT_OF_HOST_MEMORY;
    }
    for (int64_t o = 0; o < oc; o++) {
        double m = scale[o] / sqrt((double)var[o] + bn->attrs.batchnorm.epsilon);
        for (int64_t k = 0; k < per_oc; k++)
            nw[o * per_oc + k] = (float)(w[o * per_oc + k] * m);
        nb[o] = (float)(((b ? b[o] : 0.0) - mean[o]) * m + shift[o]);
    }
    char name[256];
    int32_t wv = -1, bv = -1;
    clinfer_shape bshape = shape_make(1, &oc);
    snprintf(name, sizeof name, "%s/folded_weight", bn->name);
    clinfer_status st = graph_add_owned_constant(g, name, &ws, nw, &wv);
    snprintf(name, sizeof name, "%s/folded_bias", bn->name);
    if (st == CLINFER_OK)
        st = graph_add_owned_constant(g, name, &bshape, nb, &bv);
    else
        free(nb);
    if (st != CLINFER_OK)
        return st;
    conv->inputs[1] = wv;
    conv->inputs[2] = bv;
    pass_absorb(g, conv, bn);
    return 1;
}

int pass_fold_batchnorm(clinfer_graph *g)
{
    int folded = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *bn = &g->nodes[i];
        if (bn->removed || bn->op != OP_BATCHNORM)
            continue;
        graph_node *conv = pass_sole_producer(g, bn->inputs[0], OP_CONV2D);
        if (!conv || conv->attrs.conv.activation != CLINFER_ACT_NONE)
            continue;
        int r = fold_one(g, conv, bn);
        if (r < 0)
            return r;
        folded += r;
    }
    return folded;
}
