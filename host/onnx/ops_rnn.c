/*
 * ops_rnn.c — ONNX RNN, GRU and LSTM (opsets 7-22) translated into
 * clinfer_graph_rnn (graph_rnn.c). W and B must be known at load time
 * (initializers, as every exporter writes them); sequence_lens, when
 * given, must be known and equal the sequence length (padded batches of
 * shorter sequences are refused); layout 1 (batch first) is transposed
 * to layout 0 around the layer. Y_h and Y_c are built only when a later
 * node or the graph's outputs read them.
 */
#include <string.h>
#include <strings.h>

#include "ops_internal.h"

/* Activations the recurrence takes, by ONNX name. */
static const struct {
    const char *name;
    clinfer_activation act;
} RNN_ACTS[] = {{"Sigmoid", CLINFER_ACT_SIGMOID}, {"Tanh", CLINFER_ACT_TANH},
                {"Relu", CLINFER_ACT_RELU},       {"Softsign", CLINFER_ACT_SOFTSIGN},
                {"Softplus", CLINFER_ACT_SOFTPLUS}};

/* The "activations" attribute into desc->activations ([direction][f, g,
 * h]): `per` names per direction (RNN 1, GRU 2, LSTM 3). */
static clinfer_status rnn_activations(onnx_node *c, int per, int dirs, clinfer_rnn_desc *d)
{
    const Onnx__AttributeProto *a = onnx_node_attr(c, "activations");
    const Onnx__AttributeProto *alpha = onnx_node_attr(c, "activation_alpha");
    const Onnx__AttributeProto *beta = onnx_node_attr(c, "activation_beta");
    if ((alpha && alpha->n_floats) || (beta && beta->n_floats))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "activation_alpha and activation_beta are not supported (the "
                               "activations clinfer takes have no parameters)");
    if (!a || a->n_strings == 0)
        return CLINFER_OK;
    if (a->n_strings != (size_t)(per * dirs))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"activations\" lists %zu names, %d expected",
                               a->n_strings, per * dirs);
    for (size_t k = 0; k < a->n_strings; k++) {
        const ProtobufCBinaryData *s = &a->strings[k];
        size_t m = 0;
        while (m < sizeof RNN_ACTS / sizeof RNN_ACTS[0] &&
               !(strlen(RNN_ACTS[m].name) == s->len &&
                 strncasecmp(RNN_ACTS[m].name, (const char *)s->data, s->len) == 0))
            m++;
        if (m == sizeof RNN_ACTS / sizeof RNN_ACTS[0])
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "activation %zu (\"%.*s\") is not one of Sigmoid, Tanh, Relu, "
                                   "Softsign, Softplus",
                                   k, (int)(s->len > 40 ? 40 : s->len), (const char *)s->data);
        d->activations[k / (size_t)per][k % (size_t)per] = RNN_ACTS[m].act;
    }
    return CLINFER_OK;
}

static clinfer_status rnn_desc_from(onnx_node *c, clinfer_rnn_cell cell, clinfer_rnn_desc *d)
{
    static const char *const DIRS[] = {"forward", "reverse", "bidirectional"};
    memset(d, 0, sizeof *d);
    d->cell = cell;
    const char *dir = "forward";
    int64_t hidden = 0, lbr = 0, forget = 0;
    clinfer_status st = onnx_node_attr_string(c, "direction", "forward", &dir);
    int k = 0;
    while (st == CLINFER_OK && k < 3 && strcmp(dir, DIRS[k]) != 0)
        k++;
    if (st == CLINFER_OK && k == 3)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"direction\" is \"%s\", not forward, reverse or "
                               "bidirectional",
                               dir);
    d->direction = (clinfer_rnn_direction)k;
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "hidden_size", 0, &hidden);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "clip", 0.0f, &d->clip);
    if (st == CLINFER_OK && cell == CLINFER_RNN_CELL_GRU)
        st = onnx_node_attr_int(c, "linear_before_reset", 0, &lbr);
    if (st == CLINFER_OK && cell == CLINFER_RNN_CELL_LSTM)
        st = onnx_node_attr_int(c, "input_forget", 0, &forget);
    if (st != CLINFER_OK)
        return st;
    if (onnx_node_attr(c, "clip") && !(d->clip > 0.0f))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"clip\" is %g; it must be positive", (double)d->clip);
    clinfer_shape rs;
    st = onnx_node_in_shape(c, 2, &rs);
    if (st != CLINFER_OK)
        return st;
    if (rs.rank != 3 || (hidden > 0 && rs.dims[2] != hidden) || rs.dims[2] > INT32_MAX)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "R must be [D, gates * %lld, %lld] (hidden_size)",
                               (long long)hidden, (long long)hidden);
    d->hidden_size = (int32_t)rs.dims[2];
    d->linear_before_reset = lbr != 0;
    d->input_forget = forget != 0;
    const int per = cell == CLINFER_RNN_CELL_RNN ? 1 : cell == CLINFER_RNN_CELL_GRU ? 2 : 3;
    return rnn_activations(c, per, d->direction == CLINFER_RNN_BIDIRECTIONAL ? 2 : 1, d);
}

/* sequence_lens (input 4): absent, or every length the whole sequence. */
static clinfer_status rnn_check_lengths(onnx_node *c, int64_t steps)
{
    const host_tensor *t = NULL;
    clinfer_status st = onnx_node_in_host_opt(c, 4, "sequence_lens", &t);
    if (st != CLINFER_OK || !t)
        return st;
    for (int64_t k = 0; k < t->numel; k++) {
        const int64_t len = t->dtype == CLINFER_DTYPE_INT64 ? t->i[k] : (int64_t)t->f[k];
        if (len != steps || (t->sym && t->sym[k]))
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "sequence_lens[%lld] is %lld: only sequences of the whole "
                                   "length (%lld steps) are supported",
                                   (long long)k, (long long)len, (long long)steps);
    }
    return CLINFER_OK;
}

/* Output i is read by a later node or is a graph output. */
static int rnn_output_read(onnx_node *c, int32_t i)
{
    const char *name = onnx_node_out_name(c, i);
    const onnx_sym *s = name[0] ? im_find(c->im, name) : NULL;
    return s && s->uses > 0;
}

/* v transposed by perm (layout 1's batch-first tensors), or v itself;
 * named after output 0, or the node where Y is left unnamed (an LSTM read
 * only for Y_h), so that onnx_node_part_name's names would collide. */
static clinfer_status rnn_swap(onnx_node *c, const char *part, clinfer_value v, const int32_t *perm,
                               int32_t rank, clinfer_value *out)
{
    char b[512];
    if (v == CLINFER_NO_VALUE) {
        *out = v;
        return CLINFER_OK;
    }
    snprintf(b, sizeof b, "%s:%s", onnx_node_oname(c)[0] ? onnx_node_oname(c) : c->name, part);
    return clinfer_graph_transpose(c->im->g, b, v, perm, rank, out);
}

static clinfer_status op_recurrent(onnx_node *c, clinfer_rnn_cell cell)
{
    clinfer_rnn_desc d;
    int64_t layout = 0;
    clinfer_shape xs;
    clinfer_value in[8];
    clinfer_status st = rnn_desc_from(c, cell, &d);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "layout", 0, &layout);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "layout", layout, 0, 1);
    if (st == CLINFER_OK)
        st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && xs.rank != 3)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "X must be of rank 3");
    if (st == CLINFER_OK)
        st = rnn_check_lengths(c, xs.dims[layout ? 1 : 0]);
    for (int32_t i = 0; st == CLINFER_OK && i < 8; i++)
        st = i == 4 ? CLINFER_OK
                    : i < 3 ? onnx_node_in_value(c, i, &in[i]) : onnx_node_in_value_opt(c, i, &in[i]);
    if (st != CLINFER_OK)
        return st;
    const int32_t swap3[3] = {1, 0, 2}, swap4[4] = {2, 0, 1, 3};
    clinfer_value x = in[0], h0 = in[5], c0 = in[6];
    if (layout) {
        st = rnn_swap(c, "X_steps_first", in[0], swap3, 3, &x);
        if (st == CLINFER_OK)
            st = rnn_swap(c, "initial_h_directions_first", in[5], swap3, 3, &h0);
        if (st == CLINFER_OK)
            st = rnn_swap(c, "initial_c_directions_first", in[6], swap3, 3, &c0);
    }
    const int want_y = rnn_output_read(c, 0) ||
                       !(rnn_output_read(c, 1) || (cell == CLINFER_RNN_CELL_LSTM && rnn_output_read(c, 2)));
    const int want_c = cell == CLINFER_RNN_CELL_LSTM && rnn_output_read(c, 2);
    clinfer_value y = CLINFER_NO_VALUE, yh = CLINFER_NO_VALUE, yc = CLINFER_NO_VALUE;
    const char *name = layout ? NULL : onnx_node_oname(c);
    char b[512];
    if (layout) {
        snprintf(b, sizeof b, "%s:layout0", onnx_node_oname(c)[0] ? onnx_node_oname(c) : c->name);
        name = b;
    }
    if (st == CLINFER_OK)
        st = clinfer_graph_rnn(c->im->g, name[0] ? name : NULL, &d, x, in[1], in[2], in[3], h0, c0,
                               in[7], want_y ? &y : NULL, rnn_output_read(c, 1) ? &yh : NULL,
                               want_c ? &yc : NULL);
    if (st == CLINFER_OK && layout) {
        st = rnn_swap(c, "Y", y, swap4, 4, &y);
        if (st == CLINFER_OK)
            st = rnn_swap(c, "Y_h", yh, swap3, 3, &yh);
        if (st == CLINFER_OK)
            st = rnn_swap(c, "Y_c", yc, swap3, 3, &yc);
    }
    st = onnx_node_build(c, st);
    const clinfer_value outs[3] = {y, yh, yc};
    for (int32_t i = 0; st == CLINFER_OK && i < 3; i++)
        if (outs[i] != CLINFER_NO_VALUE)
            st = onnx_node_out_value(c, i, outs[i]);
    return st;
}

clinfer_status op_rnn(onnx_node *c) { return op_recurrent(c, CLINFER_RNN_CELL_RNN); }
clinfer_status op_gru(onnx_node *c) { return op_recurrent(c, CLINFER_RNN_CELL_GRU); }
clinfer_status op_lstm(onnx_node *c) { return op_recurrent(c, CLINFER_RNN_CELL_LSTM); }
