/*
 * test_nan.c — NaN and infinities go through every kernel as PyTorch and
 * ONNX Runtime take them: NaN in, NaN out of ReLU, LeakyReLU, Clip, the
 * fused epilogues of convolutions and GEMMs, max pooling (both variants),
 * global max pooling, the fused conv + pool and softmax. Each case runs a
 * small graph on the device against the naive references (reference.c,
 * ref_*.c), which propagate NaN the same way; every convolution algorithm
 * is forced in turn. Winograd mixes the 6 x 6 inputs of a tile, so a NaN
 * or an infinity there may also reach outputs of the same tile that do not
 * read it (NaN where PyTorch has a number, or NaN for inf): for it only
 * "NaN where the reference has NaN" is checked.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/conv2d.h"
#include "ops/pool2d.h"
#include "ref_pool2d.h"
#include "ref_softmax.h"
#include "reference.h"
#include "testutil.h"

#define CK(call) cr_assert_eq((call), CLINFER_OK, "%s: %s", #call, clinfer_last_errmsg())

/* Compiles g, runs it at batch 1 on one input, reads output 0. */
static void run_graph(clinfer_runtime *rt, const clinfer_graph *g, const float *in, size_t in_n,
                      float *out, size_t out_n)
{
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    CK(clinfer_model_compile(rt, g, &m));
    CK(clinfer_session_create(m, NULL, &s));
    CK(clinfer_session_set_input(s, 0, in, in_n));
    CK(clinfer_session_run(s));
    CK(clinfer_session_get_output(s, 0, out, out_n));
    clinfer_session_free(s);
    clinfer_model_free(m);
}

/* n values: every 7th NaN, every 11th +inf, every 13th -inf, the rest in
 * [-1, 1). */
static void fill_special(float *x, size_t n, uint32_t seed)
{
    fill_uniform(x, n, -1.0f, 1.0f, &seed);
    for (size_t i = 0; i < n; i++)
        x[i] = i % 7 == 3 ? NAN : i % 11 == 5 ? INFINITY : i % 13 == 8 ? -INFINITY : x[i];
}

Test(nan, activations_keep_nan_and_infinities)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape s = {2, {3, 37}};
    float in[3 * 37], got[3 * 37], want[3 * 37];
    fill_special(in, 3 * 37, 5);
    static const struct {
        clinfer_unary_op op;
        act_kind kind;
        float a, b;
    } acts[] = {{CLINFER_UNARY_RELU, ACT_KIND_RELU, 0, 0},
                {CLINFER_UNARY_LEAKY_RELU, ACT_KIND_LEAKY_RELU, 0.1f, 0},
                {CLINFER_UNARY_CLIP, ACT_KIND_CLIP, -0.5f, 0.5f},
                {CLINFER_UNARY_SIGMOID, ACT_KIND_SIGMOID, 0, 0},
                {CLINFER_UNARY_TANH, ACT_KIND_TANH, 0, 0},
                {CLINFER_UNARY_HARD_SIGMOID, ACT_KIND_HARD_SIGMOID, 0.2f, 0.5f},
                {CLINFER_UNARY_HARD_SWISH, ACT_KIND_HARD_SWISH, 1.0f / 6, 0.5f},
                {CLINFER_UNARY_GELU, ACT_KIND_GELU, 0, 0},
                {CLINFER_UNARY_GELU, ACT_KIND_GELU, 1, 0},
                {CLINFER_UNARY_ELU, ACT_KIND_ELU, 0.5f, 0},
                {CLINFER_UNARY_SELU, ACT_KIND_SELU, 1.6732632f, 1.050701f},
                {CLINFER_UNARY_CELU, ACT_KIND_CELU, 2, 0},
                {CLINFER_UNARY_SOFTPLUS, ACT_KIND_SOFTPLUS, 0, 0},
                {CLINFER_UNARY_SOFTSIGN, ACT_KIND_SOFTSIGN, 0, 0},
                {CLINFER_UNARY_MISH, ACT_KIND_MISH, 0, 0},
                {CLINFER_UNARY_THRESHOLDED_RELU, ACT_KIND_THRESHOLDED_RELU, 0.25f, 0},
                {CLINFER_UNARY_SWISH, ACT_KIND_SWISH, 1, 0}};
    for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
        clinfer_graph *g = NULL;
        clinfer_value x, y;
        CK(clinfer_graph_create(&g));
        CK(clinfer_graph_input(g, "x", &s, &x));
        CK(clinfer_graph_unary(g, NULL, acts[k].op, x, acts[k].a, acts[k].b, &y));
        CK(clinfer_graph_output(g, y, NULL));
        run_graph(rt, g, in, 3 * 37, got, 3 * 37);
        act_params act = {acts[k].kind, acts[k].a, acts[k].b};
        for (size_t i = 0; i < 3 * 37; i++)
            want[i] = ref_activation(act, in[i]);
        assert_close_nonfinite(got, want, 3 * 37, 1e-6f, 1e-5f, act_kind_name(act.kind));
        clinfer_graph_free(g);
    }
    clinfer_runtime_free(rt);
}

/* Max pooling 3x3 / 2 with padding and ceil mode, then global max pooling,
 * under both pooling variants. */
Test(nan, max_pools_propagate_nan)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape s = {4, {2, 3, 11, 21}};
    const size_t n = 2 * 3 * 11 * 21;
    float *in = test_alloc(n * sizeof *in), got[2 * 3 * 6 * 11], want[2 * 3 * 6 * 11];
    fill_uniform(in, n, -1.0f, 1.0f, &(uint32_t){9});
    in[5] = NAN;                 /* top row: one window */
    in[11 * 21 + 4 * 21 + 20] = NAN; /* plane 1, right border */
    for (size_t i = 3 * 11 * 21; i < 4 * 11 * 21; i++) /* plane 3 all NaN */
        in[i] = NAN;
    pool2d_params p = pool2d_params_default();
    p.n = 2, p.c = 3, p.h = 11, p.w = 21, p.kh = p.kw = 3, p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.ceil_mode = 1;
    ref_maxpool2d(&p, in, want);
    const char *variants[] = {"rows", "items"};
    for (int v = 0; v < 2; v++) {
        setenv("CLINFER_POOL_VARIANT", variants[v], 1);
        clinfer_runtime *vrt = test_runtime(); /* reads the variant when created */
        clinfer_graph *g = NULL;
        clinfer_value x, y;
        clinfer_pool2d_desc d = clinfer_pool2d_desc_default(3);
        d.stride_h = d.stride_w = 2;
        d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
        d.ceil_mode = 1;
        CK(clinfer_graph_create(&g));
        CK(clinfer_graph_input(g, "x", &s, &x));
        CK(clinfer_graph_pool2d(g, NULL, x, &d, &y));
        CK(clinfer_graph_output(g, y, NULL));
        run_graph(vrt, g, in, n, got, 2 * 3 * 6 * 11);
        assert_close_nonfinite(got, want, 2 * 3 * 6 * 11, 0, 0, variants[v]);
        clinfer_graph_free(g);
        clinfer_runtime_free(vrt);
    }
    unsetenv("CLINFER_POOL_VARIANT");
    globalpool_params gp = {2, 3, 11, 21};
    float gwant[6], ggot[6];
    ref_globalmaxpool(&gp, in, gwant);
    clinfer_graph *g = NULL;
    clinfer_value x, y;
    CK(clinfer_graph_create(&g));
    CK(clinfer_graph_input(g, "x", &s, &x));
    CK(clinfer_graph_global_pool(g, NULL, x, CLINFER_POOL_MAX, &y));
    CK(clinfer_graph_output(g, y, NULL));
    run_graph(rt, g, in, n, ggot, 6);
    assert_close_nonfinite(ggot, gwant, 6, 0, 0, "global max pool");
    cr_assert(isnan(ggot[0]) && isnan(ggot[1]) && isnan(ggot[3]) && !isnan(ggot[2]));
    clinfer_graph_free(g);
    free(in);
    clinfer_runtime_free(rt);
}

Test(nan, softmax_line_with_nan_is_nan)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape rows = {2, {3, 37}}, strided = {3, {2, 5, 19}};
    float in[2 * 5 * 19], got[2 * 5 * 19], want[2 * 5 * 19]; /* the larger shape */
    fill_uniform(in, 2 * 5 * 19, -2.0f, 2.0f, &(uint32_t){4});
    in[40] = NAN;  /* rows: row 1; strided: image 0, column 2 */
    in[100] = NAN; /* rows: row 2, in the scalar tail; strided: image 1, column 5 */
    for (int k = 0; k < 2; k++) {
        const clinfer_shape *s = k ? &strided : &rows;
        const int64_t axis = k ? 1 : -1;
        clinfer_graph *g = NULL;
        clinfer_value x, y;
        CK(clinfer_graph_create(&g));
        CK(clinfer_graph_input(g, "x", s, &x));
        CK(clinfer_graph_softmax(g, NULL, x, (int32_t)axis, 0, &y));
        CK(clinfer_graph_output(g, y, NULL));
        const size_t n = ref_numel(s);
        run_graph(rt, g, in, n, got, n);
        ref_softmax(s, axis, 0, 0, in, want);
        assert_close_nonfinite(got, want, n, 1e-6f, 1e-4f, k ? "strided" : "rows");
        clinfer_graph_free(g);
    }
    cr_assert(isnan(got[2]) && isnan(got[95 + 5]) && !isnan(got[3]), "NaN lines only");
    clinfer_runtime_free(rt);
}

/* conv 3x3 (1x1 for gemm1x1, depthwise for depthwise) with bias and the
 * fused ReLU over an image with a NaN and a +inf pixel, each algorithm
 * forced. */
static void conv_with_nan(const char *algo)
{
    const int depthwise = strcmp(algo, "depthwise") == 0, k = strcmp(algo, "gemm1x1") ? 3 : 1;
    conv2d_params p = conv2d_params_default();
    p.n = 2, p.c = depthwise ? 6 : 5, p.h = 10, p.w = 13, p.oc = 6, p.kh = p.kw = k;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = k / 2;
    p.groups = depthwise ? 6 : 1, p.has_bias = 1;
    p.act.kind = ACT_KIND_RELU;
    const size_t in_n = (size_t)p.n * p.c * p.h * p.w, out_n = (size_t)p.n * p.oc * p.h * p.w;
    const size_t w_n = (size_t)p.oc * (p.c / p.groups) * k * k;
    float *in = test_alloc(in_n * 4), *w = test_alloc(w_n * 4), b[6];
    float *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1.0f, 1.0f, &(uint32_t){11});
    fill_uniform(w, w_n, 0.05f, 1.0f, &(uint32_t){12}); /* positive: +inf stays +inf */
    fill_uniform(b, 6, -0.1f, 0.1f, &(uint32_t){13});
    in[3 * 13 + 4] = NAN;                   /* image 0, channel 0 */
    in[in_n - p.h * p.w + 5 * 13 + 7] = INFINITY; /* image 1, last channel */
    ref_conv2d(&p, in, w, b, want);

    setenv("CLINFER_CONV_ALGO", algo, 1);
    clinfer_runtime *rt = test_runtime(); /* reads the forced variants when created */
    const clinfer_shape xs = {4, {p.n, p.c, p.h, p.w}}, ws = {4, {p.oc, p.c / p.groups, k, k}};
    const clinfer_shape bs = {1, {p.oc}};
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = k / 2;
    d.groups = p.groups;
    d.activation = CLINFER_ACT_RELU;
    clinfer_graph *g = NULL;
    clinfer_value x, wv, bv, y;
    CK(clinfer_graph_create(&g));
    CK(clinfer_graph_input(g, "x", &xs, &x));
    CK(clinfer_graph_constant(g, "w", &ws, w, &wv));
    CK(clinfer_graph_constant(g, "b", &bs, b, &bv));
    CK(clinfer_graph_conv2d(g, NULL, x, wv, bv, &d, &y));
    CK(clinfer_graph_output(g, y, NULL));
    run_graph(rt, g, in, in_n, got, out_n);
    clinfer_runtime_free(rt);
    unsetenv("CLINFER_CONV_ALGO");
    size_t nans = 0;
    for (size_t i = 0; i < out_n; i++) {
        nans += isnan(want[i]);
        if (strcmp(algo, "winograd") == 0) /* a NaN or inf spreads over its tile */
            cr_assert(!isnan(want[i]) || isnan(got[i]), "winograd: element %zu is %g, expected NaN",
                      i, got[i]);
    }
    cr_assert(nans >= 6, "%s: the reference has %zu NaN", algo, nans);
    if (strcmp(algo, "winograd") != 0)
        assert_close_nonfinite(got, want, out_n, 1e-5f, 1e-4f, algo);
    clinfer_graph_free(g);
    free(in), free(w), free(got), free(want);
}

Test(nan, every_conv_algorithm_propagates_nan)
{
    const char *algos[] = {"naive", "direct", "im2col", "gemm1x1", "winograd", "depthwise"};
    const char *gemms[] = {"cpu", "gpu", "naive"};
    for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++)
        for (size_t v = 0; v < 3; v++) {
            setenv("CLINFER_GEMM_VARIANT", gemms[v], 1);
            setenv("CLINFER_DEPTHWISE_VARIANT", v == 1 ? "gpu" : "cpu", 1);
            conv_with_nan(algos[a]);
        }
    unsetenv("CLINFER_GEMM_VARIANT");
    unsetenv("CLINFER_DEPTHWISE_VARIANT");
}

/* conv 3x3 + ReLU + max pool 2x2 fused into conv2d_pooled. */
Test(nan, fused_conv_and_pool_propagate_nan)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 1, p.h = 12, p.w = 14, p.oc = 4, p.kh = p.kw = 3, p.has_bias = 1;
    p.act.kind = ACT_KIND_RELU;
    float in[12 * 14], w[4 * 9], b[4], conv[4 * 10 * 12], want[4 * 5 * 6], got[4 * 5 * 6];
    fill_uniform(in, 12 * 14, -1.0f, 1.0f, &(uint32_t){21});
    fill_uniform(w, 4 * 9, -1.0f, 1.0f, &(uint32_t){22});
    fill_uniform(b, 4, -0.1f, 0.1f, &(uint32_t){23});
    in[6 * 14 + 9] = NAN;
    ref_conv2d(&p, in, w, b, conv);
    pool2d_params pp = pool2d_params_default();
    pp.n = 1, pp.c = 4, pp.h = 10, pp.w = 12, pp.kh = pp.kw = 2, pp.stride_h = pp.stride_w = 2;
    ref_maxpool2d(&pp, conv, want);
    const clinfer_shape xs = {4, {1, 1, 12, 14}}, ws = {4, {4, 1, 3, 3}}, bs = {1, {4}};
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.activation = CLINFER_ACT_RELU;
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    clinfer_graph *g = NULL;
    clinfer_value x, wv, bv, y;
    CK(clinfer_graph_create(&g));
    CK(clinfer_graph_input(g, "x", &xs, &x));
    CK(clinfer_graph_constant(g, "w", &ws, w, &wv));
    CK(clinfer_graph_constant(g, "b", &bs, b, &bv));
    CK(clinfer_graph_conv2d(g, NULL, x, wv, bv, &d, &y));
    CK(clinfer_graph_pool2d(g, NULL, y, &pd, &y));
    CK(clinfer_graph_output(g, y, NULL));
    run_graph(rt, g, in, 12 * 14, got, 4 * 5 * 6);
    assert_close_nonfinite(got, want, 4 * 5 * 6, 1e-5f, 1e-4f, "conv + pool");
    cr_assert(isnan(want[2 * 6 + 4]), "the window of the NaN is NaN in the reference");
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}

/* Dense + ReLU: a row with a NaN is all NaN, under every GEMM variant. */
Test(nan, dense_epilogue_propagates_nan)
{
    float in[3 * 37], k[37 * 20], b[20], got[3 * 20];
    fill_uniform(in, 3 * 37, -1.0f, 1.0f, &(uint32_t){31});
    fill_uniform(k, 37 * 20, -1.0f, 1.0f, &(uint32_t){32});
    fill_uniform(b, 20, -1.0f, 1.0f, &(uint32_t){33});
    in[37 + 36] = NAN;
    const clinfer_shape xs = {2, {3, 37}}, ks = {2, {37, 20}}, bs = {1, {20}};
    const char *gemms[] = {"cpu", "gpu", "naive"};
    for (int v = 0; v < 3; v++) {
        setenv("CLINFER_GEMM_VARIANT", gemms[v], 1);
        clinfer_runtime *rt = test_runtime(); /* reads the variant when created */
        clinfer_graph *g = NULL;
        clinfer_value x, kv, bv, y;
        CK(clinfer_graph_create(&g));
        CK(clinfer_graph_input(g, "x", &xs, &x));
        CK(clinfer_graph_constant(g, "k", &ks, k, &kv));
        CK(clinfer_graph_constant(g, "b", &bs, b, &bv));
        CK(clinfer_graph_dense(g, NULL, x, kv, bv, CLINFER_ACT_RELU, &y));
        CK(clinfer_graph_output(g, y, NULL));
        run_graph(rt, g, in, 3 * 37, got, 3 * 20);
        for (int j = 0; j < 20; j++) {
            cr_assert(isnan(got[20 + j]), "%s: row 1 column %d is %g", gemms[v], j, got[20 + j]);
            cr_assert(!isnan(got[j]) && !isnan(got[40 + j]), "%s: a NaN outside row 1", gemms[v]);
        }
        clinfer_graph_free(g);
        clinfer_runtime_free(rt);
    }
    unsetenv("CLINFER_GEMM_VARIANT");
}

/* The case: the lecture CNN on an all-NaN image gave class 6 with
 * p = 0.255; PyTorch gives NaN for every class. */
Test(nan, lecture_cnn_on_a_nan_image_gives_nan)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    CK(clinfer_model_load(rt, test_model_path("lecture_cnn.onnx"), &m));
    CK(clinfer_session_create(m, NULL, &s));
    float image[28 * 28], probs[10];
    for (int i = 0; i < 28 * 28; i++)
        image[i] = NAN;
    CK(clinfer_session_set_input(s, 0, image, 28 * 28));
    CK(clinfer_session_run(s));
    CK(clinfer_session_get_output(s, 0, probs, 10));
    for (int c = 0; c < 10; c++)
        cr_assert(isnan(probs[c]), "class %d: p = %g, expected NaN", c, probs[c]);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}
