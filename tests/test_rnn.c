/*
 * test_rnn.c — RNN, GRU and LSTM (clinfer_graph_rnn) against their naive
 * reference (tests/ref_rnn.c) through test_op, under both work-group forms
 * (CLINFER_POOL_VARIANT=rows: one item per group, the CPUs'; =items: 64,
 * the GPUs'): every cell forward, reverse and bidirectional, hidden sizes
 * below, between and above multiples of 16 (the kernel's dot products go
 * in 16-float pieces), with and without biases and initial states, GRU
 * with and without linear_before_reset, LSTM with peepholes,
 * input_forget and clip, the activations other than the defaults; each of
 * Y, Y_h and Y_c checked; then the refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "op_test.h"
#include "ref_rnn.h"
#include "testutil.h"

typedef struct rnn_case {
    const char *what;
    clinfer_rnn_desc desc;
    ref_rnn_sizes s;
    int has_b, has_h0, has_c0, has_p;
} rnn_case;

/* What the builder callback adds: the case and which output to return. */
typedef struct rnn_ctx {
    const rnn_case *k;
    int output; /* 0 Y, 1 Y_h, 2 Y_c */
} rnn_ctx;

static const char *const local_forms[] = {"rows", "items"};

/* Inputs in order: x, w, r, then whichever of b, h0, c0, p the case has. */
static clinfer_status add_rnn(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                              clinfer_value *out)
{
    const rnn_ctx *c = ctx;
    const rnn_case *k = c->k;
    int next = 3;
    const clinfer_value b = k->has_b ? in[next++] : CLINFER_NO_VALUE;
    const clinfer_value h0 = k->has_h0 ? in[next++] : CLINFER_NO_VALUE;
    const clinfer_value c0 = k->has_c0 ? in[next++] : CLINFER_NO_VALUE;
    const clinfer_value p = k->has_p ? in[next++] : CLINFER_NO_VALUE;
    clinfer_value y, yh, yc;
    /* ask for every output the cell has, so that the extra rows exist,
     * and return the one under test */
    const int lstm = k->desc.cell == CLINFER_RNN_CELL_LSTM;
    clinfer_status st = clinfer_graph_rnn(g, "rnn", &k->desc, in[0], in[1], in[2], b, h0, c0, p,
                                          &y, &yh, lstm ? &yc : NULL);
    *out = c->output == 0 ? y : c->output == 1 ? yh : yc;
    return st;
}

static void check_case(const rnn_case *k, uint32_t seed)
{
    const clinfer_rnn_desc *d = &k->desc;
    const int64_t D = d->direction == CLINFER_RNN_BIDIRECTIONAL ? 2 : 1, T = k->s.T, B = k->s.B,
                  I = k->s.I, H = k->s.H;
    const int64_t G = d->cell == CLINFER_RNN_CELL_RNN ? 1 : d->cell == CLINFER_RNN_CELL_GRU ? 3 : 4;
    const clinfer_shape shapes[7] = {{3, {T, B, I}},  {3, {D, G * H, I}}, {3, {D, G * H, H}},
                                     {2, {D, 2 * G * H}}, {3, {D, B, H}}, {3, {D, B, H}},
                                     {2, {D, 3 * H}}};
    const int present[7] = {1, 1, 1, k->has_b, k->has_h0, k->has_c0, k->has_p};
    float *data[7] = {0};
    op_input in[7];
    int n = 0;
    for (int i = 0; i < 7; i++) {
        const size_t count = ref_numel(&shapes[i]);
        data[i] = test_alloc(count * sizeof(float));
        /* weights around 1/sqrt(H), as trained layers have them */
        const float scale = i == 1 || i == 2 ? 1.5f / sqrtf((float)H) : 1.0f;
        fill_uniform(data[i], count, -scale, scale, &seed);
        if (present[i])
            in[n++] = (op_input){shapes[i], data[i], i != 0 && i != 4 && i != 5};
    }
    const clinfer_shape ys = {4, {T, D, B, H}}, hs = {3, {D, B, H}};
    float *y = test_alloc(ref_numel(&ys) * 4), *yh = test_alloc(ref_numel(&hs) * 4),
          *yc = test_alloc(ref_numel(&hs) * 4);
    ref_rnn(d, k->s, data[0], data[1], data[2], k->has_b ? data[3] : NULL,
            k->has_h0 ? data[4] : NULL, k->has_c0 ? data[5] : NULL, k->has_p ? data[6] : NULL, y,
            yh, yc);
    const int outputs = d->cell == CLINFER_RNN_CELL_LSTM ? 3 : 2;
    for (int o = 0; o < outputs; o++) {
        static const char *const names[] = {"Y", "Y_h", "Y_c"};
        char what[200];
        snprintf(what, sizeof what, "%s (T %d B %d I %d H %d): %s", k->what, k->s.T, k->s.B,
                 k->s.I, k->s.H, names[o]);
        const rnn_ctx ctx = {k, o};
        const op_test t = {what, in, n, add_rnn, &ctx, o == 0 ? y : o == 1 ? yh : yc,
                           o == 0 ? ys : hs, 2e-6f, 2e-5f,
                           {{"CLINFER_POOL_VARIANT", local_forms, 2}}};
        test_op(&t);
    }
    for (int i = 0; i < 7; i++)
        free(data[i]);
    free(y), free(yh), free(yc);
}

static clinfer_rnn_desc desc_of(clinfer_rnn_cell cell, clinfer_rnn_direction dir, int H)
{
    clinfer_rnn_desc d;
    memset(&d, 0, sizeof d);
    d.cell = cell;
    d.direction = dir;
    d.hidden_size = H;
    return d;
}

Test(rnn, lstm)
{
    rnn_case k = {"LSTM bidirectional, all inputs", desc_of(CLINFER_RNN_CELL_LSTM,
                                                          CLINFER_RNN_BIDIRECTIONAL, 19),
                  {7, 3, 13, 19}, 1, 1, 1, 1};
    check_case(&k, 1);
    k = (rnn_case){"LSTM forward, no bias or states", desc_of(CLINFER_RNN_CELL_LSTM,
                                                             CLINFER_RNN_FORWARD, 37),
                   {5, 2, 8, 37}, 0, 0, 0, 0};
    check_case(&k, 2);
    k = (rnn_case){"LSTM reverse, input_forget, clip 0.7",
                   desc_of(CLINFER_RNN_CELL_LSTM, CLINFER_RNN_REVERSE, 16), {6, 1, 11, 16},
                   1, 1, 0, 1};
    k.desc.input_forget = 1;
    k.desc.clip = 0.7f;
    check_case(&k, 3);
    k = (rnn_case){"LSTM bidirectional, other activations per direction",
                   desc_of(CLINFER_RNN_CELL_LSTM, CLINFER_RNN_BIDIRECTIONAL, 9), {4, 2, 3, 9},
                   1, 0, 1, 0};
    const clinfer_activation acts[2][3] = {
        {CLINFER_ACT_SIGMOID, CLINFER_ACT_SOFTSIGN, CLINFER_ACT_SOFTPLUS},
        {CLINFER_ACT_SOFTSIGN, CLINFER_ACT_RELU, CLINFER_ACT_TANH}};
    memcpy(k.desc.activations, acts, sizeof acts);
    check_case(&k, 4);
}

Test(rnn, gru)
{
    rnn_case k = {"GRU reverse", desc_of(CLINFER_RNN_CELL_GRU, CLINFER_RNN_REVERSE, 21),
                  {6, 2, 5, 21}, 1, 1, 0, 0};
    check_case(&k, 11);
    k = (rnn_case){"GRU bidirectional, linear_before_reset",
                   desc_of(CLINFER_RNN_CELL_GRU, CLINFER_RNN_BIDIRECTIONAL, 17), {5, 3, 7, 17},
                   1, 1, 0, 0};
    k.desc.linear_before_reset = 1;
    check_case(&k, 12);
    k = (rnn_case){"GRU forward, linear_before_reset, no bias, clip 0.5",
                   desc_of(CLINFER_RNN_CELL_GRU, CLINFER_RNN_FORWARD, 40), {3, 1, 6, 40}, 0, 0,
                   0, 0};
    k.desc.linear_before_reset = 1;
    k.desc.clip = 0.5f;
    check_case(&k, 13);
}

Test(rnn, simple)
{
    rnn_case k = {"RNN bidirectional, Relu then Tanh",
                  desc_of(CLINFER_RNN_CELL_RNN, CLINFER_RNN_BIDIRECTIONAL, 33), {5, 2, 4, 33},
                  1, 1, 0, 0};
    k.desc.activations[0][0] = CLINFER_ACT_RELU;
    check_case(&k, 21);
    k = (rnn_case){"RNN forward, one step", desc_of(CLINFER_RNN_CELL_RNN, CLINFER_RNN_FORWARD, 3),
                   {1, 4, 2, 3}, 0, 0, 0, 0};
    check_case(&k, 22);
}

/* Refusals name what is wrong and leave the graph usable. */
Test(rnn, refusals)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    const clinfer_shape xs = {3, {4, 1, 3}}, ws = {3, {1, 8, 3}}, rs = {3, {1, 8, 2}},
                        bad_r = {3, {1, 8, 3}}, gw = {3, {1, 6, 3}}, gr = {3, {1, 6, 2}};
    float zeros[64] = {0};
    clinfer_value x, w, r, rbad, gwv, grv, y, yh, yc;
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "w", &ws, zeros, &w), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "r", &rs, zeros, &r), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "r_bad", &bad_r, zeros, &rbad), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "gw", &gw, zeros, &gwv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "gr", &gr, zeros, &grv), CLINFER_OK);
    clinfer_rnn_desc d = desc_of(CLINFER_RNN_CELL_LSTM, CLINFER_RNN_FORWARD, 2);
    /* W read at run time */
    cr_assert_eq(clinfer_graph_rnn(g, "a", &d, x, x, r, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, NULL, NULL),
                 CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "W must be a constant"), "%s",
              clinfer_graph_errmsg(g));
    /* R of the wrong hidden size */
    cr_assert_neq(clinfer_graph_rnn(g, "b", &d, x, w, rbad, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                    CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, NULL, NULL),
                  CLINFER_OK);
    cr_assert(strstr(clinfer_graph_errmsg(g), "R"), "%s", clinfer_graph_errmsg(g));
    /* an activation the kernel does not have */
    d.activations[0][1] = CLINFER_ACT_GELU;
    cr_assert_eq(clinfer_graph_rnn(g, "c", &d, x, w, r, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, NULL, NULL),
                 CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_graph_errmsg(g), "activation"), "%s", clinfer_graph_errmsg(g));
    d.activations[0][1] = CLINFER_ACT_NONE;
    /* Y_c of a GRU; no output at all; input_forget on a GRU */
    clinfer_rnn_desc gd = desc_of(CLINFER_RNN_CELL_GRU, CLINFER_RNN_FORWARD, 2);
    cr_assert_eq(clinfer_graph_rnn(g, "d", &gd, x, gwv, grv, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, &yh, &yc),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_graph_errmsg(g), "Y_c"), "%s", clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_rnn(g, "e", &gd, x, gwv, grv, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, NULL, NULL, NULL),
                 CLINFER_ERR_INVALID_ARGUMENT);
    gd.input_forget = 1;
    cr_assert_eq(clinfer_graph_rnn(g, "f", &gd, x, gwv, grv, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, NULL, NULL),
                 CLINFER_ERR_INVALID_ARGUMENT);
    /* the graph still takes a valid layer */
    cr_assert_eq(clinfer_graph_rnn(g, "ok", &d, x, w, r, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, &yh, &yc),
                 CLINFER_OK, "%s", clinfer_graph_errmsg(g));
    clinfer_graph_free(g);
}
