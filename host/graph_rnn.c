/*
 * graph_rnn.c — clinfer_graph_rnn: ONNX's RNN, GRU and LSTM as a few
 * nodes. The input projections of every step are one MatMul (X [T, B, I]
 * times W^T [I, D * G * H]), then one `rnn` node walks the steps
 * (ops/rnn.h), adding the biases Wb + Rb (summed here once); its output
 * holds every step's hidden state and, when Y_h or Y_c is wanted, the
 * last states in extra slabs that slices take apart (a node has one
 * output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "ops/rnn.h"

/* "<name>/<part>": the names of the values the layer is made of. */
static const char *rnn_part(const char *name, const char *part, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", name, part);
    return buf;
}

static clinfer_status rnn_check_desc(clinfer_graph *g, const clinfer_rnn_desc *d)
{
    if (!d || (int)d->cell < 0 || d->cell > CLINFER_RNN_CELL_LSTM || (int)d->direction < 0 ||
        d->direction > CLINFER_RNN_BIDIRECTIONAL || d->hidden_size < 1 || !(d->clip >= 0.0f))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "rnn: the description is missing or has an unknown cell, direction, a "
                          "hidden_size below 1 or a negative clip");
    if ((d->linear_before_reset && d->cell != CLINFER_RNN_CELL_GRU) ||
        (d->input_forget && d->cell != CLINFER_RNN_CELL_LSTM))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "rnn: linear_before_reset is GRU's and input_forget LSTM's");
    return CLINFER_OK;
}

/* w [D, G*H, I] and b (absent or [D, 2*G*H]) constants of the layer's
 * sizes. */
static clinfer_status rnn_check_weights(clinfer_graph *g, const clinfer_rnn_desc *d,
                                        clinfer_value x, clinfer_value w, clinfer_value b)
{
    const int64_t D = d->direction == CLINFER_RNN_BIDIRECTIONAL ? 2 : 1;
    const int64_t GH = (int64_t)rnn_gates(d->cell) * d->hidden_size;
    if (!graph_valid_value(g, x) || g->values[x].shape.rank != 3)
        return graph_fail(g, CLINFER_ERR_SHAPE, "rnn: X must be a value of rank 3 [T, B, I]");
    const int64_t I = g->values[x].shape.dims[2];
    const clinfer_shape *ws = graph_valid_value(g, w) ? &g->values[w].shape : NULL;
    if (!ws || g->values[w].kind != VALUE_CONSTANT || ws->rank != 3 || ws->dims[0] != D ||
        ws->dims[1] != GH || ws->dims[2] != I)
        return graph_fail(g, CLINFER_ERR_SHAPE, "rnn: W must be a constant [%lld, %lld, %lld]",
                          (long long)D, (long long)GH, (long long)I);
    if (b == CLINFER_NO_VALUE)
        return CLINFER_OK;
    const clinfer_shape *bs = graph_valid_value(g, b) ? &g->values[b].shape : NULL;
    if (!bs || g->values[b].kind != VALUE_CONSTANT || bs->rank != 2 || bs->dims[0] != D ||
        bs->dims[1] != 2 * GH)
        return graph_fail(g, CLINFER_ERR_SHAPE, "rnn: B must be a constant [%lld, %lld]",
                          (long long)D, (long long)(2 * GH));
    return CLINFER_OK;
}

/* The biases the recurrence adds to xw, [D * G * H]: Wb + Rb per gate,
 * except GRU's candidate with linear_before_reset, whose Rb goes inside
 * r * (...) and into rb_h [D, H] instead (zeros when there is no B). */
static clinfer_status rnn_biases(clinfer_graph *g, const char *name, const clinfer_rnn_desc *d,
                                 int64_t D, clinfer_value b, clinfer_value *bias,
                                 clinfer_value *rb_h)
{
    const int64_t H = d->hidden_size, GH = (int64_t)rnn_gates(d->cell) * H;
    const int lbr = d->cell == CLINFER_RNN_CELL_GRU && d->linear_before_reset;
    char buf[256];
    *bias = *rb_h = CLINFER_NO_VALUE;
    float *sum = calloc((size_t)(D * GH), sizeof *sum), *rbh = calloc((size_t)(D * H), sizeof *rbh);
    if (!sum || !rbh) {
        free(sum), free(rbh);
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "rnn: out of memory");
    }
    const float *src = b != CLINFER_NO_VALUE ? g->values[b].data : NULL;
    for (int64_t k = 0; src && k < D; k++)
        for (int64_t j = 0; j < GH; j++) {
            const float wb = src[k * 2 * GH + j], rb = src[k * 2 * GH + GH + j];
            const int candidate_r = lbr && j >= 2 * H;
            sum[k * GH + j] = candidate_r ? wb : wb + rb;
            if (candidate_r)
                rbh[k * H + j - 2 * H] = rb;
        }
    const clinfer_shape bias_shape = {1, {D * GH}}, rbh_shape = {2, {D, H}};
    clinfer_status st = CLINFER_OK;
    if (src)
        st = clinfer_graph_constant(g, rnn_part(name, "bias", buf, sizeof buf), &bias_shape, sum,
                                    bias);
    if (st == CLINFER_OK && lbr)
        st = clinfer_graph_constant(g, rnn_part(name, "R_bh", buf, sizeof buf), &rbh_shape, rbh,
                                    rb_h);
    free(sum), free(rbh);
    return st;
}

/* xw [T, B, D * G * H] = X W^T: one MatMul of X [T, B, I] by W^T, which
 * the host transposes once ([D * G * H, I] -> [I, D * G * H]). A MatMul
 * of the 3-D X rather than a GEMM of X seen as [T * B, I]: the builder
 * checks shapes with the batch size standing for every open dimension,
 * and T * B is not the batch size. */
static clinfer_status rnn_projection(clinfer_graph *g, const char *name, clinfer_value x,
                                     clinfer_value w, clinfer_value *xw)
{
    char buf[256];
    const clinfer_shape ws = g->values[w].shape;
    const int64_t n = ws.dims[0] * ws.dims[1], in = ws.dims[2];
    float *wt = malloc((size_t)(n * in) * sizeof *wt);
    if (!wt)
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "rnn: out of memory");
    const float *src = g->values[w].data;
    for (int64_t q = 0; q < n; q++)
        for (int64_t k = 0; k < in; k++)
            wt[k * n + q] = src[q * in + k];
    const clinfer_shape wts = {2, {in, n}};
    clinfer_value wv;
    clinfer_status st =
        clinfer_graph_constant(g, rnn_part(name, "W_T", buf, sizeof buf), &wts, wt, &wv);
    free(wt);
    return st == CLINFER_OK
               ? clinfer_graph_matmul(g, rnn_part(name, "XW", buf, sizeof buf), x, wv, xw)
               : st;
}

/* Slab `slab` of the recurrence's output [1 + extra, T, D, B, H]: the
 * steps (0, as [T, D, B, H]) or a state (its first step-row, as
 * [D, B, H]). */
static clinfer_status rnn_slab(clinfer_graph *g, const char *name, const char *part,
                               clinfer_value seq, int64_t slab, clinfer_value *out)
{
    char buf[256], sliced[32];
    const int64_t starts[2] = {slab, 0}, ends[2] = {slab + 1, 1}, axes[2] = {0, 1};
    clinfer_value one;
    snprintf(sliced, sizeof sliced, "%s_slab", part ? part : "Y");
    clinfer_status st = clinfer_graph_slice(g, rnn_part(name, sliced, buf, sizeof buf), seq, starts,
                                            ends, axes, NULL, slab ? 2 : 1, &one);
    if (st != CLINFER_OK)
        return st;
    return graph_drop_lead(g, "rnn", part ? rnn_part(name, part, buf, sizeof buf) : name, one,
                           slab ? 2 : 1, out);
}

static void rnn_attrs_from(const clinfer_rnn_desc *d, int32_t extra, node_attrs *a)
{
    memset(a, 0, sizeof *a);
    a->rnn.cell = d->cell;
    a->rnn.directions = d->direction == CLINFER_RNN_BIDIRECTIONAL ? 2 : 1;
    a->rnn.reverse = d->direction == CLINFER_RNN_REVERSE;
    a->rnn.hidden = d->hidden_size;
    a->rnn.extra = extra;
    a->rnn.clip = d->clip;
    a->rnn.linear_before_reset = d->linear_before_reset;
    a->rnn.input_forget = d->input_forget;
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < 3; j++)
            a->rnn.acts[k][j] = d->activations[k][j] != CLINFER_ACT_NONE
                                    ? d->activations[k][j]
                                    : rnn_default_activation(d->cell, j);
}

clinfer_status clinfer_graph_rnn(clinfer_graph *g, const char *name, const clinfer_rnn_desc *desc,
                                 clinfer_value x, clinfer_value w, clinfer_value r,
                                 clinfer_value b, clinfer_value initial_h, clinfer_value initial_c,
                                 clinfer_value peephole, clinfer_value *y, clinfer_value *y_h,
                                 clinfer_value *y_c)
{
    char generated[64], buf[256];
    if (!g)
        return CLINFER_ERR_INVALID_ARGUMENT;
    name = graph_default_name(g, name, "rnn", generated, sizeof generated);
    clinfer_status st = rnn_check_desc(g, desc);
    if (st == CLINFER_OK)
        st = rnn_check_weights(g, desc, x, w, b);
    if (st != CLINFER_OK)
        return st;
    if (!y && !y_h && !y_c)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "rnn \"%s\": no output wanted", name);
    if (y_c && desc->cell != CLINFER_RNN_CELL_LSTM)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "rnn \"%s\": Y_c is the LSTM's cell state", name);
    const int64_t D = desc->direction == CLINFER_RNN_BIDIRECTIONAL ? 2 : 1;
    const int32_t extra = y_c ? 2 : y_h ? 1 : 0;
    const int32_t nodes_before = g->node_count, values_before = g->value_count;
    clinfer_value bias, rb_h, xw, seq;
    st = rnn_biases(g, name, desc, D, b, &bias, &rb_h);
    if (st == CLINFER_OK)
        st = rnn_projection(g, name, x, w, &xw);
    node_attrs a;
    rnn_attrs_from(desc, extra, &a);
    const clinfer_value in[RNN_IN_COUNT] = {xw, r, bias, rb_h, initial_h, initial_c, peephole};
    if (st == CLINFER_OK)
        st = graph_add_node(g, extra ? rnn_part(name, "steps", buf, sizeof buf) : name, OP_RNN,
                            in, RNN_IN_COUNT, &a, &seq);
    if (st == CLINFER_OK && y)
        st = extra ? rnn_slab(g, name, NULL, seq, 0, y) : (*y = seq, CLINFER_OK);
    if (st == CLINFER_OK && y_h)
        st = rnn_slab(g, name, "Y_h", seq, 1, y_h);
    if (st == CLINFER_OK && y_c)
        st = rnn_slab(g, name, "Y_c", seq, 2, y_c);
    if (st != CLINFER_OK) /* keeps the message: the values and nodes made so far go */
        graph_roll_back(g, nodes_before, values_before);
    return st;
}
