/*
 * test_activations.c — the activations of modern CNNs end to end: each ONNX
 * operator (HardSwish, Gelu both ways, Elu, Selu, Celu, Softplus, Softsign,
 * Mish, ThresholdedRelu, Erf, HardSigmoid) loaded from a model written in C
 * (onnx_writer.c) and run on an odd shape, PRelu with every slope shape
 * ONNX allows, the activations fused into a convolution's and a GEMM's
 * epilogue, and the compile passes that turn the exported patterns into one
 * activation (passes/patterns.c): HardSigmoid(x) * x into HardSwish, and
 * Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5 (every order) into
 * GELU. Everything against the naive double-precision references
 * (reference.c, ref_eltwise.c, ref_gemm.c); the unary kernels alone are
 * in test_eltwise.c.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_writer.h"
#include "ref_eltwise.h"
#include "ref_gemm.h"
#include "reference.h"
#include "testutil.h"

/* x: [2, 3, 5, 7], the shape of every one-node model here. */
#define XN (2 * 3 * 5 * 7)
static const int64_t x_dims[4] = {2, 3, 5, 7};

/* Compiles g, runs it on the inputs (in order) and returns its one output
 * of ny floats (malloc'd); *kernels: the compiled model's kernel nodes. */
static float *run(clinfer_runtime *rt, const clinfer_graph *g, int nin, const float *const *in,
                  const size_t *nx, size_t ny, size_t *kernels)
{
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    if (kernels)
        *kernels = clinfer_model_kernel_node_count(m);
    clinfer_session_options o = clinfer_session_options_default();
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    for (int i = 0; i < nin; i++)
        cr_assert_eq(clinfer_session_set_input(s, (size_t)i, in[i], nx[i]), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
    float *y = test_alloc(ny * sizeof *y);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, y, ny), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    clinfer_session_free(s);
    clinfer_model_free(m);
    return y;
}

static clinfer_graph *load(const uint8_t *model, size_t size)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    return g;
}

/* A model of one node `op` reading x [2, 3, 5, 7] (and `extra`, an
 * initializer, when not NULL) and writing y. */
static uint8_t *one_node(const char *op, int64_t opset, int nattrs, pb *attrs, pb *extra,
                         const char *extra_name, size_t *size)
{
    onnx_graph g = {{0}};
    pb t = onnx_value_info("x", OT_FLOAT, 4, x_dims);
    onnx_input(&g, &t);
    if (extra)
        onnx_initializer(&g, extra);
    char inputs[64];
    snprintf(inputs, sizeof inputs, extra ? "x,%s" : "x", extra_name);
    onnx_node(&g, op, "the_node", inputs, "y", nattrs, attrs);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL);
    onnx_output(&g, &t);
    return onnx_model(&g, opset, size);
}

/* The opset to write Gelu (opset 20) with: 20 once the loader accepts it,
 * else the newest it does, so the translator is tested either way. */
static int64_t gelu_opset(void)
{
    size_t size;
    uint8_t *m = one_node("Relu", 20, 0, NULL, NULL, NULL, &size);
    clinfer_graph *g = NULL;
    clinfer_status st = clinfer_graph_load_onnx_memory(m, size, &g);
    clinfer_graph_free(g);
    free(m);
    return st == CLINFER_OK ? 20 : 18;
}

/* ------------------------------------------------------------ ONNX ops */

typedef struct onnx_case {
    const char *op;
    int64_t opset;
    const char *attr1; /* a float attribute, or Gelu's "approximate" (a string) */
    float v1;
    const char *attr2;
    float v2;
    act_params act; /* what the reference computes (Erf: none) */
    float lo, hi;
} onnx_case;

Test(activations, onnx_operators_match_reference)
{
    const int64_t g20 = gelu_opset();
    const float selu_a = 1.67326319217681884765625f, selu_g = 1.05070102214813232421875f;
    const onnx_case cases[] = {
        {"HardSwish", 14, NULL, 0, NULL, 0, {ACT_KIND_HARD_SWISH, 1.0f / 6, 0.5f}, -5, 5},
        {"HardSigmoid", 6, NULL, 0, NULL, 0, {ACT_KIND_HARD_SIGMOID, 0.2f, 0.5f}, -5, 5},
        {"Gelu", g20, NULL, 0, NULL, 0, {ACT_KIND_GELU, 0, 0}, -6, 6},
        {"Gelu", g20, "none", 0, NULL, 0, {ACT_KIND_GELU, 0, 0}, -6, 6},
        {"Gelu", g20, "tanh", 0, NULL, 0, {ACT_KIND_GELU, 1, 0}, -5, 5},
        {"Elu", 6, NULL, 0, NULL, 0, {ACT_KIND_ELU, 1, 0}, -6, 4},
        {"Elu", 6, "alpha", 0.3f, NULL, 0, {ACT_KIND_ELU, 0.3f, 0}, -6, 4},
        {"Selu", 6, NULL, 0, NULL, 0, {ACT_KIND_SELU, selu_a, selu_g}, -6, 4},
        {"Selu", 6, "alpha", 2, "gamma", 3, {ACT_KIND_SELU, 2, 3}, -6, 4},
        {"Celu", 12, NULL, 0, NULL, 0, {ACT_KIND_CELU, 1, 0}, -6, 4},
        {"Celu", 12, "alpha", 2.5f, NULL, 0, {ACT_KIND_CELU, 2.5f, 0}, -6, 4},
        {"Softplus", 1, NULL, 0, NULL, 0, {ACT_KIND_SOFTPLUS, 0, 0}, -30, 30},
        {"Softsign", 1, NULL, 0, NULL, 0, {ACT_KIND_SOFTSIGN, 0, 0}, -10, 10},
        {"Mish", 18, NULL, 0, NULL, 0, {ACT_KIND_MISH, 0, 0}, -12, 25},
        {"ThresholdedRelu", 10, NULL, 0, NULL, 0, {ACT_KIND_THRESHOLDED_RELU, 1, 0}, -3, 3},
        {"ThresholdedRelu", 10, "alpha", -0.5f, NULL, 0, {ACT_KIND_THRESHOLDED_RELU, -0.5f, 0},
         -3, 3},
        {"Erf", 13, NULL, 0, NULL, 0, {ACT_KIND_NONE, 0, 0}, -4, 4},
    };
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const onnx_case *k = &cases[i];
        pb attrs[2];
        int nattrs = 0;
        if (k->attr1 && strcmp(k->op, "Gelu") == 0)
            attrs[nattrs++] = onnx_attr_string("approximate", k->attr1);
        else if (k->attr1)
            attrs[nattrs++] = onnx_attr_float(k->attr1, k->v1);
        if (k->attr2)
            attrs[nattrs++] = onnx_attr_float(k->attr2, k->v2);
        size_t size;
        uint8_t *m = one_node(k->op, k->opset, nattrs, nattrs ? attrs : NULL, NULL, NULL, &size);
        clinfer_graph *g = load(m, size);
        float x[XN], want[XN];
        uint32_t seed = 11u + (uint32_t)i;
        fill_uniform(x, XN, k->lo, k->hi, &seed);
        ref_unary(strcmp(k->op, "Erf") == 0 ? UNARY_ERF : UNARY_ACT, k->act, XN, x, want);
        const float *in[1] = {x};
        const size_t nx[1] = {XN};
        size_t kernels = 0;
        float *y = run(rt, g, 1, in, nx, XN, &kernels);
        char what[96];
        snprintf(what, sizeof what, "%s %s", k->op, k->attr1 ? k->attr1 : "(defaults)");
        assert_close(y, want, XN, 1e-6f, 1e-5f, what);
        cr_assert_eq(kernels, 1, "%s: %zu kernels", what, kernels);
        free(y);
        clinfer_graph_free(g);
        free(m);
    }
    clinfer_runtime_free(rt);
}

Test(activations, onnx_bad_attributes_are_refused)
{
    pb a[1] = {onnx_attr_string("approximate", "sigmoid")};
    size_t size;
    uint8_t *m = one_node("Gelu", gelu_opset(), 1, a, NULL, NULL, &size);
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_ERR_INVALID_MODEL);
    cr_assert(strstr(clinfer_last_errmsg(), "\"approximate\" is \"sigmoid\""), "%s",
              clinfer_last_errmsg());
    free(m);
    a[0] = onnx_attr_float("alpha", 0);
    m = one_node("Celu", 12, 1, a, NULL, NULL, &size);
    cr_assert_eq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_ERR_INVALID_MODEL);
    cr_assert(strstr(clinfer_last_errmsg(), "Celu divides by it"), "%s", clinfer_last_errmsg());
    free(m);
    /* HardSwish has no attributes */
    a[0] = onnx_attr_float("alpha", 0.2f);
    m = one_node("HardSwish", 14, 1, a, NULL, NULL, &size);
    cr_assert_eq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "attribute \"alpha\""), "%s", clinfer_last_errmsg());
    free(m);
}

/* ------------------------------------------------------------ PRelu */

Test(activations, prelu_broadcasts_the_slope_as_onnx_says)
{
    static const struct {
        const char *what;
        int64_t opset;
        int rank;
        int64_t dims[4];
        int32_t ref_rank; /* the slope's shape as broadcast (opset < 7: per channel) */
        int64_t ref_dims[4];
    } cases[] = {
        {"[C, 1, 1]", 16, 3, {3, 1, 1}, 3, {3, 1, 1}},
        {"[1, C, 1, 1]", 16, 4, {1, 3, 1, 1}, 4, {1, 3, 1, 1}},
        {"[C] at opset 6: per channel", 6, 1, {3}, 3, {3, 1, 1}},
        {"[W] (right-aligned)", 16, 1, {7}, 1, {7}},
        {"[H, W]", 16, 2, {5, 7}, 2, {5, 7}},
        {"scalar [1]", 16, 1, {1}, 1, {1}},
        {"scalar, rank 0", 16, 0, {0}, 0, {0}},
        {"the shape of X", 16, 4, {2, 3, 5, 7}, 4, {2, 3, 5, 7}},
    };
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const clinfer_shape ss = shape_make(cases[i].rank, cases[i].dims);
        const clinfer_shape rs = shape_make(cases[i].ref_rank, cases[i].ref_dims);
        const clinfer_shape xs = shape_make(4, x_dims);
        size_t ns = ref_numel(&ss);
        float *slope = test_alloc(ns * sizeof *slope), x[XN], want[XN];
        uint32_t seed = 40u + (uint32_t)i;
        fill_uniform(slope, ns, -0.5f, 0.8f, &seed);
        fill_uniform(x, XN, -3, 3, &seed);
        x[4] = NAN; /* NaN stays NaN */
        cr_assert(
            ref_binary(BINARY_PRELU, (act_params){ACT_KIND_NONE, 0, 0}, &xs, x, &rs, slope, want));
        pb t = onnx_tensor_f("slope", cases[i].rank, cases[i].dims, slope, 1);
        size_t size;
        uint8_t *m = one_node("PRelu", cases[i].opset, 0, NULL, &t, "slope", &size);
        clinfer_graph *g = load(m, size);
        const float *in[1] = {x};
        const size_t nx[1] = {XN};
        float *y = run(rt, g, 1, in, nx, XN, NULL);
        assert_close_nonfinite(y, want, XN, 0, 0, cases[i].what);
        free(y);
        clinfer_graph_free(g);
        free(m);
        free(slope);
    }
    /* a slope that would make the output larger than X */
    const int64_t big[5] = {1, 1, 3, 1, 1};
    float slope[3] = {0};
    pb t = onnx_tensor_f("slope", 5, big, slope, 1);
    size_t size;
    uint8_t *m = one_node("PRelu", 16, 0, NULL, &t, "slope", &size);
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_ERR_SHAPE);
    cr_assert(
        strstr(clinfer_last_errmsg(), "slope [1, 1, 3, 1, 1] does not broadcast to X's shape"),
        "%s", clinfer_last_errmsg());
    free(m);
    clinfer_runtime_free(rt);
}

/* PRelu as a graph input slope (not a constant), through the builder. */
Test(activations, prelu_slope_may_be_an_input)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape xs = shape_make(4, x_dims), ss = {3, {3, 1, 1}};
    clinfer_graph *g = NULL;
    clinfer_value x, s, y;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "slope", &ss, &s), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "prelu", CLINFER_BINARY_PRELU, x, s, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
    float xv[XN], sv[3] = {0.25f, -1, 0}, want[XN];
    uint32_t seed = 3u;
    fill_uniform(xv, XN, -2, 2, &seed);
    cr_assert(ref_binary(BINARY_PRELU, (act_params){ACT_KIND_NONE, 0, 0}, &xs, xv, &ss, sv, want));
    const float *in[2] = {xv, sv};
    const size_t nx[2] = {XN, 3};
    float *got = run(rt, g, 2, in, nx, XN, NULL);
    assert_equal(got, want, XN, "prelu, slope input");
    free(got);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ fused */

/* Conv 3x3 pad 1 (3 -> 5 channels) on x [2, 3, 5, 7] with the activation
 * as a separate unary node: compiled into one kernel that matches the
 * reference convolution with the activation in its epilogue. */
Test(activations, fuse_into_convolution)
{
    const act_params acts[] = {
        {ACT_KIND_HARD_SWISH, 1.0f / 6, 0.5f},
        {ACT_KIND_GELU, 0, 0},
        {ACT_KIND_GELU, 1, 0},
        {ACT_KIND_ELU, 0.6f, 0},
        {ACT_KIND_SELU, 1.6732632f, 1.050701f},
        {ACT_KIND_CELU, 1.3f, 0},
        {ACT_KIND_SOFTPLUS, 0, 0},
        {ACT_KIND_SOFTSIGN, 0, 0},
        {ACT_KIND_MISH, 0, 0},
        {ACT_KIND_THRESHOLDED_RELU, 0.2f, 0},
        {ACT_KIND_SWISH, 1, 0},
        {ACT_KIND_QDQ_U8, 0.0625f, 100}, /* a power of two: exact steps */
        {ACT_KIND_QDQ_S8, 0.03125f, -5},
    };
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape xs = shape_make(4, x_dims), ws = {4, {5, 3, 3, 3}}, bs = {1, {5}};
    float x[XN], w[5 * 27], b[5], want[2 * 5 * 5 * 7];
    uint32_t seed = 21u;
    fill_uniform(x, XN, -2, 2, &seed);
    fill_uniform(w, 5 * 27, -0.5f, 0.5f, &seed);
    fill_uniform(b, 5, -0.5f, 0.5f, &seed);
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        clinfer_graph *g = NULL;
        clinfer_value vx, vw, vb, c, y;
        clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
        d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
        cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
        cr_assert_eq(clinfer_graph_input(g, "x", &xs, &vx), CLINFER_OK);
        cr_assert_eq(clinfer_graph_constant(g, "w", &ws, w, &vw), CLINFER_OK);
        cr_assert_eq(clinfer_graph_constant(g, "b", &bs, b, &vb), CLINFER_OK);
        cr_assert_eq(clinfer_graph_conv2d(g, "conv", vx, vw, vb, &d, &c), CLINFER_OK);
        cr_assert_eq(clinfer_graph_unary(g, "act", (clinfer_unary_op)acts[i].kind, c, acts[i].a,
                                         acts[i].b, &y),
                     CLINFER_OK, "%s", clinfer_last_errmsg());
        cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
        conv2d_params p = conv2d_params_default();
        p.n = 2, p.c = 3, p.h = 5, p.w = 7, p.oc = 5, p.kh = p.kw = 3;
        p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
        p.act = acts[i];
        ref_conv2d(&p, x, w, b, want);
        const float *in[1] = {x};
        const size_t nx[1] = {XN};
        size_t kernels = 0;
        float *got = run(rt, g, 1, in, nx, 2 * 5 * 5 * 7, &kernels);
        assert_close(got, want, 2 * 5 * 5 * 7, 1e-5f, 1e-4f, act_kind_name(acts[i].kind));
        cr_assert_eq(kernels, 1, "%s: %zu kernels, the activation is not fused",
                     act_kind_name(acts[i].kind), kernels);
        free(got);
        clinfer_graph_free(g);
    }
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ patterns */

/* HardSigmoid(c) * c after a convolution, both operand orders and two
 * (alpha, beta): one kernel, the convolution with HardSwish fused. When
 * the HardSigmoid is also a graph output, nothing is rewritten. Sigmoid(c)
 * * c (variants 5 and 6, both orders) becomes Swish (SiLU) alike. */
Test(activations, hard_sigmoid_times_x_becomes_hard_swish)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape xs = shape_make(4, x_dims), ws = {4, {5, 3, 3, 3}};
    float x[XN], w[5 * 27], want[2 * 5 * 5 * 7];
    uint32_t seed = 33u;
    fill_uniform(x, XN, -3, 3, &seed);
    fill_uniform(w, 5 * 27, -1, 1, &seed);
    const size_t ny = 2 * 5 * 5 * 7;
    for (int variant = 0; variant < 7; variant++) {
        const int swap = variant & 1, also_output = variant == 4, sigmoid = variant >= 5;
        const float alpha = variant < 2 ? 1.0f / 6 : 0.2f, beta = variant < 2 ? 0.5f : 0.4f;
        clinfer_graph *g = NULL;
        clinfer_value vx, vw, c, h, y;
        clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
        d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
        cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
        cr_assert_eq(clinfer_graph_input(g, "x", &xs, &vx), CLINFER_OK);
        cr_assert_eq(clinfer_graph_constant(g, "w", &ws, w, &vw), CLINFER_OK);
        cr_assert_eq(clinfer_graph_conv2d(g, "conv", vx, vw, CLINFER_NO_VALUE, &d, &c), CLINFER_OK);
        cr_assert_eq(clinfer_graph_unary(g, "hs",
                                         sigmoid ? CLINFER_UNARY_SIGMOID : CLINFER_UNARY_HARD_SIGMOID,
                                         c, alpha, beta, &h),
                     CLINFER_OK);
        cr_assert_eq(
            clinfer_graph_binary(g, "mul", CLINFER_BINARY_MUL, swap ? h : c, swap ? c : h, &y),
            CLINFER_OK);
        cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
        if (also_output)
            cr_assert_eq(clinfer_graph_output(g, h, "h"), CLINFER_OK);
        conv2d_params p = conv2d_params_default();
        p.n = 2, p.c = 3, p.h = 5, p.w = 7, p.oc = 5, p.kh = p.kw = 3;
        p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
        p.act = sigmoid ? (act_params){ACT_KIND_SWISH, 1, 0}
                        : (act_params){ACT_KIND_HARD_SWISH, alpha, beta};
        ref_conv2d(&p, x, w, NULL, want);
        const float *in[1] = {x};
        const size_t nx[1] = {XN};
        size_t kernels = 0;
        float *got = run(rt, g, 1, in, nx, ny, &kernels);
        char what[64];
        snprintf(what, sizeof what, "hard swish variant %d", variant);
        assert_close(got, want, ny, 1e-5f, 1e-4f, what);
        cr_assert_eq(kernels, also_output ? 3 : 1, "%s: %zu kernels", what, kernels);
        free(got);
        clinfer_graph_free(g);
    }
    clinfer_runtime_free(rt);
}

/* The exported GELU after a Gemm, as ONNX: z = Gemm(a, B, C) [3, 19], then
 *   d = Div(z, sqrt 2) (or Mul(z, 1 / sqrt 2)), e = Erf(d), p = Add(e, 1),
 * and the product of z, p and 0.5 in the order of `form`. */
typedef enum gelu_form {
    ZP_HALF,       /* Mul(Mul(z, p), 0.5) */
    PZ_HALF_FIRST, /* Mul(0.5, Mul(p, z)), Add(1, e) */
    Z_HALF_P,      /* Mul(Mul(z, 0.5), p) */
    HALF_Z_P,      /* Mul(p, Mul(0.5, z)) */
    Z_PHALF,       /* Mul(z, Mul(p, 0.5)) */
    PHALF_Z,       /* Mul(Mul(0.5, p), z), and Mul(z, 1 / sqrt 2) */
    FORMS,
    NOT_SQRT2 = FORMS, /* Div by 1.5: not GELU, left as it is */
} gelu_form;

static uint8_t *gelu_model(gelu_form form, const float *bw, const float *bc, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t ad[2] = {3, 37}, bd[2] = {37, 19}, cd[1] = {19}, one[1] = {1};
    pb t = onnx_value_info("a", OT_FLOAT, 2, ad);
    onnx_input(&g, &t);
    t = onnx_tensor_f("B", 2, bd, bw, 1);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("C", 1, cd, bc, 0);
    onnx_initializer(&g, &t);
    const float sqrt2 = form == NOT_SQRT2 ? 1.5f : 1.4142135381698608f,
                inv_sqrt2 = 0.7071067690849304f, one_v = 1, half = 0.5f;
    t = onnx_tensor_f("sqrt2", 0, one, &sqrt2, 1);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("inv_sqrt2", 1, one, &inv_sqrt2, 0);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("one", 0, one, &one_v, 1);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("half", 1, one, &half, 1);
    onnx_initializer(&g, &t);
    onnx_node(&g, "Gemm", "gemm", "a,B,C", "z", 0, NULL);
    if (form == PHALF_Z)
        onnx_node(&g, "Mul", "scale", "z,inv_sqrt2", "d", 0, NULL);
    else
        onnx_node(&g, "Div", "scale", "z,sqrt2", "d", 0, NULL);
    onnx_node(&g, "Erf", "erf", "d", "e", 0, NULL);
    onnx_node(&g, "Add", "plus1", form == PZ_HALF_FIRST ? "one,e" : "e,one", "p", 0, NULL);
    switch (form) {
    case ZP_HALF:
    case NOT_SQRT2:
        onnx_node(&g, "Mul", "m1", "z,p", "zp", 0, NULL);
        onnx_node(&g, "Mul", "m2", "zp,half", "y", 0, NULL);
        break;
    case PZ_HALF_FIRST:
        onnx_node(&g, "Mul", "m1", "p,z", "zp", 0, NULL);
        onnx_node(&g, "Mul", "m2", "half,zp", "y", 0, NULL);
        break;
    case Z_HALF_P:
        onnx_node(&g, "Mul", "m1", "z,half", "zh", 0, NULL);
        onnx_node(&g, "Mul", "m2", "zh,p", "y", 0, NULL);
        break;
    case HALF_Z_P:
        onnx_node(&g, "Mul", "m1", "half,z", "zh", 0, NULL);
        onnx_node(&g, "Mul", "m2", "p,zh", "y", 0, NULL);
        break;
    case Z_PHALF:
        onnx_node(&g, "Mul", "m1", "p,half", "ph", 0, NULL);
        onnx_node(&g, "Mul", "m2", "z,ph", "y", 0, NULL);
        break;
    case PHALF_Z:
        onnx_node(&g, "Mul", "m1", "half,p", "ph", 0, NULL);
        onnx_node(&g, "Mul", "m2", "ph,z", "y", 0, NULL);
        break;
    }
    t = onnx_value_info("y", OT_FLOAT, -1, NULL);
    onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

Test(activations, exported_gelu_becomes_one_activation)
{
    clinfer_runtime *rt = test_runtime();
    float a[3 * 37], bw[37 * 19], bc[19], z[3 * 19], want[3 * 19];
    uint32_t seed = 77u;
    fill_uniform(a, 3 * 37, -1, 1, &seed);
    fill_uniform(bw, 37 * 19, -0.6f, 0.6f, &seed);
    fill_uniform(bc, 19, -1, 1, &seed);
    gemm_params gp = gemm_params_default();
    gp.m = 3, gp.n = 19, gp.k = 37, gp.has_c = 1;
    gp.c_shape = (clinfer_shape){1, {19}};
    ref_gemm(&gp, a, bw, bc, z);
    for (int form = 0; form <= NOT_SQRT2; form++) {
        for (int i = 0; i < 3 * 19; i++)
            want[i] = form == NOT_SQRT2 ? (float)(z[i] * (1.0 + erf(z[i] / 1.5)) * 0.5)
                                        : ref_activation((act_params){ACT_KIND_GELU, 0, 0}, z[i]);
        size_t size;
        uint8_t *m = gelu_model((gelu_form)form, bw, bc, &size);
        clinfer_graph *g = load(m, size);
        const float *in[1] = {a};
        const size_t nx[1] = {3 * 37};
        size_t kernels = 0;
        float *got = run(rt, g, 1, in, nx, 3 * 19, &kernels);
        char what[64];
        snprintf(what, sizeof what, "gelu form %d", form);
        assert_close(got, want, 3 * 19, 1e-5f, 1e-4f, what);
        /* one GEMM with GELU in its epilogue; the Div by 1.5 stays 6 nodes */
        cr_assert_eq(kernels, form == NOT_SQRT2 ? 6 : 1, "%s: %zu kernels", what, kernels);
        free(got);
        clinfer_graph_free(g);
        free(m);
    }
    clinfer_runtime_free(rt);
}

/* A value of the pattern that something else reads is kept: no rewrite,
 * the same result. */
Test(activations, gelu_pattern_with_a_shared_value_is_left_alone)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape xs = shape_make(4, x_dims), one = {0, {0}};
    const float sqrt2 = 1.4142135f, c1 = 1, half = 0.5f;
    clinfer_graph *g = NULL;
    clinfer_value x, k2, k1, kh, d, e, p, zp, y, e2;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "sqrt2", &one, &sqrt2, &k2), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "one", &one, &c1, &k1), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "half", &one, &half, &kh), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "d", CLINFER_BINARY_DIV, x, k2, &d), CLINFER_OK);
    cr_assert_eq(clinfer_graph_unary(g, "e", CLINFER_UNARY_ERF, d, 0, 0, &e), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "p", CLINFER_BINARY_ADD, e, k1, &p), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "zp", CLINFER_BINARY_MUL, x, p, &zp), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "y", CLINFER_BINARY_MUL, zp, kh, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "e2", CLINFER_BINARY_MUL, e, e, &e2), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, e2, "e2"), CLINFER_OK);
    float xv[XN], want[XN];
    uint32_t seed = 5u;
    fill_uniform(xv, XN, -4, 4, &seed);
    for (int i = 0; i < XN; i++)
        want[i] = (float)(xv[i] * (1.0 + erf(xv[i] / sqrt2)) * 0.5);
    const float *in[1] = {xv};
    const size_t nx[1] = {XN};
    size_t kernels = 0;
    float *got = run(rt, g, 1, in, nx, XN, &kernels);
    assert_close(got, want, XN, 1e-6f, 1e-5f, "gelu, Erf shared");
    cr_assert_eq(kernels, 6, "%zu kernels", kernels);
    free(got);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}
