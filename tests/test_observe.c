/*
 * test_observe.c — clinfer_session_run_observed: every node's output, as
 * the observer sees it, against naive C on a small graph of non-square
 * shapes whose memory plan reuses bytes (conv -> neg -> mul -> flatten ->
 * dense); the observed run leaves the same outputs as a normal run; an
 * observer that replaces a node's output feeds the later nodes; errors
 * name the problem.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "reference.h"
#include "testutil.h"

#define N 2
#define C 3
#define H 9
#define W 7
#define OC 5
#define KH 3
#define KW 2
#define OH 5 /* (9 + 1 + 1 - 3) / 2 + 1 */
#define OW 7 /* (7 + 0 + 1 - 2) / 1 + 1 */
#define FEAT (OC * OH * OW)
#define UNITS 4
#define CONV_N (N * OC * OH * OW)

typedef struct weights {
    float w[OC * C * KH * KW], b[OC], k[FEAT * UNITS], kb[UNITS];
} weights;

static clinfer_value constant(clinfer_graph *g, const char *name, clinfer_shape s,
                              const float *data)
{
    clinfer_value v = CLINFER_NO_VALUE;
    cr_assert_eq(clinfer_graph_constant(g, name, &s, data, &v), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    return v;
}

/* conv (3x2, stride 2x1, padding 1,0,1,1, ReLU) -> neg -> mul(neg, conv)
 * -> flatten -> dense [175, 4]. */
static clinfer_model *build(clinfer_runtime *rt, const weights *wt)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape xs = {4, {N, C, H, W}};
    clinfer_value x, conv, neg, mul, flat, fc;
    cr_assert_eq(clinfer_graph_input(g, "image", &xs, &x), CLINFER_OK);
    clinfer_value cw = constant(g, "w", (clinfer_shape){4, {OC, C, KH, KW}}, wt->w);
    clinfer_value cb = constant(g, "b", (clinfer_shape){1, {OC}}, wt->b);
    clinfer_value ck = constant(g, "k", (clinfer_shape){2, {FEAT, UNITS}}, wt->k);
    clinfer_value ckb = constant(g, "kb", (clinfer_shape){1, {UNITS}}, wt->kb);
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = 2;
    d.pad_top = 1, d.pad_left = 0, d.pad_bottom = 1, d.pad_right = 1;
    d.activation = CLINFER_ACT_RELU;
    cr_assert_eq(clinfer_graph_conv2d(g, "conv", x, cw, cb, &d, &conv), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_unary(g, "neg", CLINFER_UNARY_NEG, conv, 0, 0, &neg), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "mul", CLINFER_BINARY_MUL, neg, conv, &mul),
                 CLINFER_OK);
    cr_assert_eq(clinfer_graph_flatten(g, "flat", mul, 1, &flat), CLINFER_OK);
    cr_assert_eq(clinfer_graph_dense(g, "fc", flat, ck, ckb, CLINFER_ACT_NONE, &fc),
                 CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_output(g, fc, "scores"), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    return m;
}

/* The four node outputs in naive C: conv, neg, mul, fc. */
typedef struct expected {
    float conv[CONV_N], neg[CONV_N], mul[CONV_N], fc[N * UNITS];
} expected;

static void reference(const weights *wt, const float *x, expected *e)
{
    conv2d_params p = conv2d_params_default();
    p.n = N, p.c = C, p.h = H, p.w = W, p.oc = OC, p.kh = KH, p.kw = KW;
    p.stride_h = 2, p.stride_w = 1;
    p.pad_top = 1, p.pad_left = 0, p.pad_bottom = 1, p.pad_right = 1;
    p.act.kind = ACT_KIND_RELU;
    ref_conv2d(&p, x, wt->w, wt->b, e->conv);
    for (int i = 0; i < CONV_N; i++) {
        e->neg[i] = -e->conv[i];
        e->mul[i] = e->neg[i] * e->conv[i];
    }
    for (int n = 0; n < N; n++)
        for (int u = 0; u < UNITS; u++) {
            double acc = wt->kb[u];
            for (int f = 0; f < FEAT; f++)
                acc += (double)e->mul[n * FEAT + f] * wt->k[f * UNITS + u];
            e->fc[n * UNITS + u] = (float)acc;
        }
}

/* What the observer saw: each node's identity and a copy of its output. */
typedef struct seen {
    int count;
    size_t index[8];
    char node[8][32], op[8][32], kernel[8][64];
    clinfer_shape shape[8];
    float *data[8];
    size_t n[8];
} seen;

static int observe(void *user, clinfer_node_output *o)
{
    seen *s = user;
    cr_assert_lt(s->count, 8, "more nodes than the graph has");
    int k = s->count++;
    s->index[k] = o->index;
    snprintf(s->node[k], sizeof s->node[k], "%s", o->node);
    snprintf(s->op[k], sizeof s->op[k], "%s", o->op);
    snprintf(s->kernel[k], sizeof s->kernel[k], "%s", o->kernel);
    cr_assert_not_null(o->value);
    s->shape[k] = o->shape;
    s->n[k] = o->count;
    s->data[k] = test_alloc(o->count * sizeof(float));
    memcpy(s->data[k], o->data, o->count * sizeof(float));
    return CLINFER_OBSERVE_CONTINUE;
}

static void seen_free(seen *s)
{
    for (int k = 0; k < s->count; k++)
        free(s->data[k]);
}

static void check_node(const seen *s, int k, const char *node, const char *op,
                       clinfer_shape shape, const float *want, size_t n)
{
    cr_assert_eq(s->index[k], (size_t)k);
    cr_assert_str_eq(s->node[k], node);
    cr_assert_str_eq(s->op[k], op, "node %s", node);
    cr_assert_eq(s->n[k], n, "node %s: %zu elements", node, s->n[k]);
    cr_assert_eq(s->shape[k].rank, shape.rank, "node %s", node);
    for (int32_t d = 0; d < shape.rank; d++)
        cr_assert_eq(s->shape[k].dims[d], shape.dims[d], "node %s dim %d", node, (int)d);
    cr_assert_gt(strlen(s->kernel[k]), 0);
    assert_close(s->data[k], want, n, 1e-5f, 1e-4f, node);
}

static void run_and_check(clinfer_runtime *rt)
{
    static weights wt;
    static expected e;
    float x[N * C * H * W];
    uint32_t seed = 7;
    fill_uniform(wt.w, sizeof wt.w / 4, -1, 1, &seed);
    fill_uniform(wt.b, OC, -0.5f, 0.5f, &seed);
    fill_uniform(wt.k, sizeof wt.k / 4, -0.2f, 0.2f, &seed);
    fill_uniform(wt.kb, UNITS, -1, 1, &seed);
    fill_uniform(x, sizeof x / 4, -1, 1, &seed);
    reference(&wt, x, &e);

    clinfer_model *m = build(rt, &wt);
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, x, sizeof x / 4), CLINFER_OK);
    seen sn = {0};
    cr_assert_eq(clinfer_session_run_observed(s, observe, &sn), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    cr_assert_eq(sn.count, 4, "conv, neg, mul, fc (flatten is a view), got %d", sn.count);
    const clinfer_shape cs = {4, {N, OC, OH, OW}}, fs = {2, {N, UNITS}};
    check_node(&sn, 0, "conv", "conv2d", cs, e.conv, CONV_N);
    check_node(&sn, 1, "neg", "unary", cs, e.neg, CONV_N);
    check_node(&sn, 2, "mul", "binary", cs, e.mul, CONV_N);
    check_node(&sn, 3, "fc", "gemm", fs, e.fc, N * UNITS);

    /* the run's output is the last node's, as observed */
    float out[N * UNITS], again[N * UNITS];
    cr_assert_eq(clinfer_session_get_output(s, 0, out, N * UNITS), CLINFER_OK);
    cr_assert_eq(memcmp(out, sn.data[3], sizeof out), 0);
    cr_assert_eq(clinfer_session_transfers(s).downloads, 5, "4 observed + 1 output");

    /* a normal run after it: same kernels, same result, bit for bit */
    cr_assert_eq(clinfer_session_set_input(s, 0, x, sizeof x / 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, again, N * UNITS), CLINFER_OK);
    cr_assert_eq(memcmp(out, again, sizeof out), 0);
    seen_free(&sn);
    clinfer_session_free(s);
    clinfer_model_free(m);
}

Test(observe, every_node_matches_naive_c)
{
    clinfer_runtime *rt = test_runtime();
    run_and_check(rt);
    clinfer_runtime_free(rt);
}

/* The naive kernels (the reference side of `clinfer verify`) too. */
Test(observe, every_node_matches_naive_c_with_naive_kernels)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.conv_algo = "naive";
    o.gemm_variant = "naive";
    clinfer_runtime *rt = test_runtime_with(&o);
    run_and_check(rt);
    clinfer_runtime_free(rt);
}

Test(observe, errors_name_the_problem)
{
    clinfer_runtime *rt = test_runtime();
    static weights wt;
    clinfer_model *m = build(rt, &wt);
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    seen sn = {0};
    cr_assert_eq(clinfer_session_run_observed(s, NULL, &sn), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "observe is NULL"), "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_run_observed(NULL, observe, &sn), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_run_observed(s, observe, &sn), CLINFER_ERR_INVALID_ARGUMENT,
                 "no input set");
    cr_assert(strstr(clinfer_session_errmsg(s), "was never set"), "%s",
              clinfer_session_errmsg(s));
    cr_assert_eq(sn.count, 0, "nothing observed when the run cannot start");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* Replaces the conv's output with zeros: neg and mul see zeros, and the
 * dense layer's output is its bias. Any other answer fails the run. */
static int zero_conv(void *user, clinfer_node_output *o)
{
    int *calls = user;
    ++*calls;
    if (strcmp(o->node, "conv") != 0)
        return CLINFER_OBSERVE_CONTINUE;
    memset(o->data, 0, o->count * sizeof(float));
    o->count = 1; /* the library keeps its own count */
    return CLINFER_OBSERVE_REPLACE;
}

static int bad_answer(void *user, clinfer_node_output *o)
{
    (void)user, (void)o;
    return 7;
}

Test(observe, a_replaced_output_feeds_the_later_nodes)
{
    clinfer_runtime *rt = test_runtime();
    static weights wt;
    static expected e;
    float x[N * C * H * W];
    uint32_t seed = 9;
    fill_uniform(wt.w, sizeof wt.w / 4, -1, 1, &seed);
    fill_uniform(wt.b, OC, -0.5f, 0.5f, &seed);
    fill_uniform(wt.k, sizeof wt.k / 4, -0.2f, 0.2f, &seed);
    fill_uniform(wt.kb, UNITS, -1, 1, &seed);
    fill_uniform(x, sizeof x / 4, -1, 1, &seed);
    reference(&wt, x, &e);
    clinfer_model *m = build(rt, &wt);
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, x, sizeof x / 4), CLINFER_OK);
    int calls = 0;
    cr_assert_eq(clinfer_session_run_observed(s, zero_conv, &calls), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    cr_assert_eq(calls, 4);
    float out[N * UNITS], bias[N * UNITS];
    for (int n = 0; n < N; n++)
        memcpy(bias + n * UNITS, wt.kb, sizeof wt.kb);
    cr_assert_eq(clinfer_session_get_output(s, 0, out, N * UNITS), CLINFER_OK);
    assert_close(out, bias, N * UNITS, 1e-6f, 0, "dense of zeros");
    cr_assert_eq(clinfer_session_transfers(s).uploads, 2, "the input and the replaced conv");

    /* the next normal run computes the conv again */
    cr_assert_eq(clinfer_session_set_input(s, 0, x, sizeof x / 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, out, N * UNITS), CLINFER_OK);
    assert_close(out, e.fc, N * UNITS, 1e-5f, 1e-4f, "normal run after a replaced one");

    cr_assert_eq(clinfer_session_set_input(s, 0, x, sizeof x / 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_run_observed(s, bad_answer, NULL), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s), "the observer returned 7 for node \"conv\""),
              "%s", clinfer_session_errmsg(s));
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}
