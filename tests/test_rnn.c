/*
 * test_rnn.c — RNN, GRU and LSTM (clinfer_graph_rnn) against their naive
 * reference (tests/ref_rnn.c) through test_op, under both work-group forms
 * (CLINFER_POOL_VARIANT=rows: one item per group, the CPUs'; =items: 64,
 * the GPUs'): every cell forward, reverse and bidirectional, hidden sizes
 * below, between and above multiples of 16 (the kernel's dot products go
 * in 16-float pieces), with and without biases and initial states, GRU
 * with and without linear_before_reset, LSTM with peepholes,
 * input_forget and clip, the activations other than the defaults; each of
 * Y, Y_h and Y_c checked; every element of the node's output written;
 * then the refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
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
    /* nothing of the failed layer is left: the same name builds again */
    cr_assert_eq(clinfer_graph_rnn(g, "b", &d, x, w, r, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, &yh, NULL),
                 CLINFER_OK, "%s", clinfer_graph_errmsg(g));
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

/* ------------------------------------------------------------------ ONNX */

/* An LSTM model: X [T, B, I] (dims < 0 symbolic) or, layout 1, [B, T, I];
 * weights from `seed`; outputs Y, Y_h, Y_c, each a graph output.
 * `lens`: a sequence_lens initializer of B values. `extra`: one more
 * attribute (NULL: none). */
typedef struct lstm_model {
    int64_t xdims[3];
    int layout;
    const char *direction;
    int B, I, H;
    const int64_t *lens;
    pb *extra;
} lstm_model;

static uint8_t *lstm_onnx(const lstm_model *k, const float *w, const float *r, const float *b,
                          size_t *size)
{
    const int64_t D = strcmp(k->direction, "bidirectional") == 0 ? 2 : 1, H = k->H;
    onnx_graph g = {{0}};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 3, k->xdims)});
    const int64_t wd[3] = {D, 4 * H, k->I}, rd[3] = {D, 4 * H, H}, bd[2] = {D, 8 * H},
                  ld[1] = {k->B};
    onnx_initializer(&g, (pb[]){onnx_tensor_f("W", 3, wd, w, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("R", 3, rd, r, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("B", 2, bd, b, 1)});
    if (k->lens)
        onnx_initializer(&g, (pb[]){onnx_tensor_i("lens", 1, ld, k->lens, 1)});
    for (int i = 0; i < 3; i++) {
        static const char *const names[] = {"Y", "Y_h", "Y_c"};
        onnx_output(&g, (pb[]){onnx_value_info(names[i], OT_FLOAT, -1, NULL)});
    }
    pb a[4] = {onnx_attr_int("hidden_size", H), onnx_attr_string("direction", k->direction),
               onnx_attr_int("layout", k->layout)};
    int n = 3;
    if (k->extra)
        a[n++] = *k->extra;
    onnx_node(&g, "LSTM", "lstm", k->lens ? "x,W,R,B,lens" : "x,W,R,B", "Y,Y_h,Y_c", n, a);
    return onnx_model(&g, 14, size);
}

/* Runs the model on x in a session of the given batch size (that of its
 * open dimension) and returns its three outputs. */
static void run_lstm(const uint8_t *m, size_t size, int64_t batch, const float *x, size_t nx,
                     float *out[3], const size_t counts[3])
{
    test_onnx_run_outputs(m, size, batch, (const float *const[]){x}, &nx, 1, out, counts, 3);
}

/* [d0, d1, rest] -> [d1, d0, rest] */
static void swap01(const float *src, float *dst, int d0, int d1, int rest)
{
    for (int i = 0; i < d0; i++)
        for (int j = 0; j < d1; j++)
            memcpy(dst + ((size_t)j * d0 + i) * rest, src + ((size_t)i * d1 + j) * rest,
                   sizeof(float) * (size_t)rest);
}

/* The steps' dimension symbolic (the model's first, open dimension: runs
 * at T 7), then layout 1 with the batch symbolic: every output against
 * the reference. */
Test(rnn, onnx_lstm_open_steps_and_batch_first)
{
    enum { T = 7, B = 2, I = 5, H = 6, D = 2 };
    float w[D * 4 * H * I], r[D * 4 * H * H], b[D * 8 * H], x[T * B * I], xb[T * B * I];
    float y[T * D * B * H], yh[D * B * H], yc[D * B * H];
    float gy[T * D * B * H], gyh[D * B * H], gyc[D * B * H], tmp[T * D * B * H];
    uint32_t seed = 50;
    fill_uniform(w, sizeof w / 4, -0.5f, 0.5f, &seed);
    fill_uniform(r, sizeof r / 4, -0.5f, 0.5f, &seed);
    fill_uniform(b, sizeof b / 4, -0.3f, 0.3f, &seed);
    fill_uniform(x, sizeof x / 4, -1, 1, &seed);
    clinfer_rnn_desc d = desc_of(CLINFER_RNN_CELL_LSTM, CLINFER_RNN_BIDIRECTIONAL, H);
    ref_rnn(&d, (ref_rnn_sizes){T, B, I, H}, x, w, r, b, NULL, NULL, NULL, y, yh, yc);
    float *outs[3] = {gy, gyh, gyc};
    const size_t counts[3] = {T * D * B * H, D * B * H, D * B * H};
    const int64_t lens[B] = {T, T};
    const lstm_model open_steps = {{-1, B, I}, 0, "bidirectional", B, I, H, lens, NULL};
    size_t size;
    uint8_t *m = lstm_onnx(&open_steps, w, r, b, &size);
    clinfer_graph *g = NULL;
    /* sequence_lens of the whole length is taken only when the length is
     * known: here T is open */
    cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "sequence_lens[0]"), "%s", clinfer_last_errmsg());
    free(m);
    const lstm_model open_steps_no_lens = {{-1, B, I}, 0, "bidirectional", B, I, H, NULL, NULL};
    m = lstm_onnx(&open_steps_no_lens, w, r, b, &size);
    run_lstm(m, size, T, x, sizeof x / 4, outs, counts); /* the open dimension: the steps' */
    assert_close(gy, y, counts[0], 2e-6f, 2e-5f, "open steps: Y");
    assert_close(gyh, yh, counts[1], 2e-6f, 2e-5f, "open steps: Y_h");
    assert_close(gyc, yc, counts[2], 2e-6f, 2e-5f, "open steps: Y_c");
    free(m);

    /* layout 1: X [B, T, I], Y [B, T, D, H], Y_h and Y_c [B, D, H]; a
     * sequence_lens of the whole length */
    swap01(x, xb, T, B, I);
    const lstm_model batch_first = {{-1, T, I}, 1, "bidirectional", B, I, H, lens, NULL};
    m = lstm_onnx(&batch_first, w, r, b, &size);
    run_lstm(m, size, B, xb, sizeof xb / 4, outs, counts);
    free(m);
    /* y [T, D, B, H] -> [B, T, D, H] */
    for (int t = 0; t < T; t++)
        for (int k = 0; k < D; k++)
            for (int n = 0; n < B; n++)
                memcpy(tmp + (((size_t)n * T + t) * D + k) * H, y + (((size_t)t * D + k) * B + n) * H,
                       sizeof(float) * H);
    assert_close(gy, tmp, counts[0], 2e-6f, 2e-5f, "layout 1: Y");
    swap01(yh, tmp, D, B, H);
    assert_close(gyh, tmp, counts[1], 2e-6f, 2e-5f, "layout 1: Y_h");
    swap01(yc, tmp, D, B, H);
    assert_close(gyc, tmp, counts[2], 2e-6f, 2e-5f, "layout 1: Y_c");
}

/* The recurrence's node output [1 + extra, T, D, B, H] holds the last
 * states in the first step-row of their slabs; the slabs' other rows are
 * written too (zeros), so that nothing of the tensor is left unset (clinfer
 * verify compares whole node outputs; unset memory once read as inf).
 * The first observed run fills the node's output with NaN on the device;
 * the second must overwrite every element. */
typedef struct rnn_fill {
    int run;    /* 0: fill with NaN; 1: check */
    int seen;   /* rnn nodes observed */
    size_t nan; /* elements still NaN after the second run */
    size_t nonzero_rest; /* elements of the slabs' other rows that are not 0 */
    int64_t rows; /* T * D * B * H: one slab */
    int64_t row;  /* D * B * H: one step-row */
} rnn_fill;

static int fill_or_check(void *user, clinfer_node_output *o)
{
    rnn_fill *f = user;
    if (strcmp(o->op, "rnn") != 0)
        return CLINFER_OBSERVE_CONTINUE;
    f->seen++;
    for (size_t i = 0; i < o->count; i++) {
        if (f->run == 0) {
            o->data[i] = NAN;
            continue;
        }
        f->nan += isnan(o->data[i]) != 0;
        const int64_t in_slab = (int64_t)i % f->rows;
        if ((int64_t)i >= f->rows && in_slab >= f->row && o->data[i] != 0.0f)
            f->nonzero_rest++;
    }
    return f->run == 0 ? CLINFER_OBSERVE_REPLACE : CLINFER_OBSERVE_CONTINUE;
}

Test(rnn, every_element_of_the_state_slabs_is_written)
{
    enum { T = 5, B = 2, I = 3, H = 7, D = 2 };
    const clinfer_rnn_desc d = desc_of(CLINFER_RNN_CELL_LSTM, CLINFER_RNN_BIDIRECTIONAL, H);
    float x[T * B * I], w[D * 4 * H * I], r[D * 4 * H * H];
    uint32_t seed = 9;
    fill_uniform(x, T * B * I, -1, 1, &seed);
    fill_uniform(w, D * 4 * H * I, -0.5f, 0.5f, &seed);
    fill_uniform(r, D * 4 * H * H, -0.5f, 0.5f, &seed);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value xv, wv, rv, y, yh, yc, sum;
    const clinfer_shape xs = {3, {T, B, I}}, ws = {3, {D, 4 * H, I}}, rs = {3, {D, 4 * H, H}};
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &xv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "w", &ws, w, &wv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "r", &rs, r, &rv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_rnn(g, "lstm", &d, xv, wv, rv, CLINFER_NO_VALUE, CLINFER_NO_VALUE,
                                   CLINFER_NO_VALUE, CLINFER_NO_VALUE, &y, &yh, &yc),
                 CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_binary(g, "sum", CLINFER_BINARY_ADD, yh, yc, &sum), CLINFER_OK,
                 "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_output(g, y, NULL), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, sum, NULL), CLINFER_OK);
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, x, T * B * I), CLINFER_OK);
    rnn_fill f = {0, 0, 0, 0, (int64_t)T * D * B * H, (int64_t)D * B * H};
    cr_assert_eq(clinfer_session_run_observed(s, fill_or_check, &f), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    f.run = 1;
    cr_assert_eq(clinfer_session_set_input(s, 0, x, T * B * I), CLINFER_OK);
    cr_assert_eq(clinfer_session_run_observed(s, fill_or_check, &f), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(f.seen, 2, "%d rnn nodes observed", f.seen);
    cr_assert_eq(f.nan, 0, "%zu elements of the rnn node's output left unset", f.nan);
    cr_assert_eq(f.nonzero_rest, 0, "%zu elements of the slabs' other rows are not 0",
                 f.nonzero_rest);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}

/* What the ONNX translator refuses, and the message that says so. */
Test(rnn, onnx_refusals)
{
    enum { T = 3, B = 2, I = 4, H = 3 };
    float w[4 * H * I] = {0}, r[4 * H * H] = {0}, b[8 * H] = {0};
    const int64_t short_lens[B] = {T, T - 1};
    const char *const gelu[3] = {"Sigmoid", "Gelu", "Tanh"};
    pb strange_act = onnx_attr_strings("activations", 3, gelu);
    const char *const defaults[3] = {"sigmoid", "Tanh", "TANH"}; /* ORT takes any case */
    pb default_acts = onnx_attr_strings("activations", 3, defaults);
    const struct {
        lstm_model k;
        const char *message;
    } cases[] = {
        {{{T, B, I}, 0, "forward", B, I, H, short_lens, NULL}, "sequence_lens[1] is 2"},
        {{{T, B, I}, 0, "sideways", B, I, H, NULL, NULL}, "\"direction\" is \"sideways\""},
        {{{T, B, I}, 0, "forward", B, I, H, NULL, &strange_act}, "(\"Gelu\") is not one of"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size;
        uint8_t *m = lstm_onnx(&cases[i].k, w, r, b, &size);
        clinfer_graph *g = NULL;
        cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK, "case %zu", i);
        cr_assert(strstr(clinfer_last_errmsg(), cases[i].message), "case %zu: %s", i,
                  clinfer_last_errmsg());
        free(m);
    }
    /* the default activations written out are taken */
    const lstm_model named = {{T, B, I}, 0, "forward", B, I, H, NULL, &default_acts};
    size_t size;
    uint8_t *m = lstm_onnx(&named, w, r, b, &size);
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    clinfer_graph_free(g);
    free(m);
}
