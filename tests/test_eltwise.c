/*
 * test_eltwise.c — the eltwise kernels against the naive reference on random
 * data: every unary op (positive inputs for Log and Sqrt) on sizes that are
 * and are not multiples of the vector width, and the activations at extreme
 * inputs (overflow, cancellation, infinities, NaN); binary ops on every
 * broadcast pattern (same shape, scalar either side, [C,1,1] and [1,C,1,1]
 * against NCHW, [H,W] against NCHW, [N,1,1,1], both sides broadcasting,
 * rank 1 against rank 5, rank 8, empty), PRelu's slopes, the variant
 * picked, bit-identity of every fast variant with the general one, fused
 * activations; and the error paths.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "op_test.h"
#include "ops/eltwise.h"
#include "ref_eltwise.h"
#include "tensor.h"
#include "testutil.h"

/* ---------------------------------------------------------------- harness */

static cl_mem upload(clinfer_runtime *rt, const float *host, size_t n)
{
    cl_mem m = NULL;
    /* a buffer cannot be empty: empty tensors get one unused float */
    clinfer_status st = buffer_create(rt, (n ? n : 1) * sizeof(float), n ? host : NULL, &m);
    cr_assert_eq(st, CLINFER_OK, "buffer_create: %s", clinfer_last_errmsg());
    return m;
}

static clinfer_status run_unary(clinfer_runtime *rt, const unary_params *p, const float *in,
                                float *out)
{
    size_t n = ref_numel(&p->shape);
    cl_mem mi = upload(rt, in, n), mo = upload(rt, NULL, n);
    op_launch l = {0};
    clinfer_status st;
    if ((st = unary_prepare(rt, p, &l)) == CLINFER_OK &&
        (st = launch_bind_io(rt, &l, dev_whole(mi), dev_whole(mo))) == CLINFER_OK &&
        (st = launch_enqueue(rt, &l, NULL)) == CLINFER_OK && n)
        st = buffer_read(rt, mo, n * sizeof(float), out);
    launch_release(&l);
    clReleaseMemObject(mi);
    clReleaseMemObject(mo);
    return st;
}

static clinfer_status run_binary(clinfer_runtime *rt, const binary_params *p, const float *a,
                                 const float *b, float *out)
{
    clinfer_shape so;
    cr_assert(ref_broadcast_shape(&p->a, &p->b, &so));
    size_t n = ref_numel(&so);
    cl_mem ma = upload(rt, a, ref_numel(&p->a)), mb = upload(rt, b, ref_numel(&p->b));
    cl_mem mo = upload(rt, NULL, n);
    op_launch l = {0};
    clinfer_status st;
    if ((st = binary_prepare(rt, p, &l)) == CLINFER_OK &&
        (st = binary_bind(rt, &l, dev_whole(ma), dev_whole(mb), dev_whole(mo))) == CLINFER_OK &&
        (st = launch_enqueue(rt, &l, NULL)) == CLINFER_OK && n)
        st = buffer_read(rt, mo, n * sizeof(float), out);
    launch_release(&l);
    clReleaseMemObject(ma);
    clReleaseMemObject(mb);
    clReleaseMemObject(mo);
    return st;
}

static clinfer_shape shp(int32_t rank, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                         int64_t d4)
{
    const int64_t d[5] = {d0, d1, d2, d3, d4};
    return shape_make(rank, d);
}

/* ------------------------------------------------------------------ unary */

typedef struct unary_case {
    const char *name;
    unary_kind kind;
    act_kind act;
    float a, b;       /* act parameters */
    float lo, hi;     /* input range */
    float atol, rtol; /* 0: 1e-5 and 1e-4 */
} unary_case;

/* The activations added with HardSwish keep 1e-5 of relative precision
 * against the double-precision reference (inputs over ranges where that
 * reference is itself exact to float precision). */
#define PRECISE 1e-6f, 1e-5f

static const unary_case unary_cases[] = {
    {"Identity", UNARY_ACT, ACT_KIND_NONE, 0, 0, -3, 3, 0, 0},
    {"Relu", UNARY_ACT, ACT_KIND_RELU, 0, 0, -3, 3, 0, 0},
    {"LeakyRelu", UNARY_ACT, ACT_KIND_LEAKY_RELU, 0.1f, 0, -3, 3, 0, 0},
    {"Clip", UNARY_ACT, ACT_KIND_CLIP, -0.5f, 0.75f, -3, 3, 0, 0},
    {"Sigmoid", UNARY_ACT, ACT_KIND_SIGMOID, 0, 0, -8, 8, 0, 0},
    {"Tanh", UNARY_ACT, ACT_KIND_TANH, 0, 0, -4, 4, 0, 0},
    {"HardSigmoid", UNARY_ACT, ACT_KIND_HARD_SIGMOID, 0.3f, 0.45f, -5, 5, 0, 0},
    {"HardSwish", UNARY_ACT, ACT_KIND_HARD_SWISH, 1.0f / 6, 0.5f, -5, 5, PRECISE},
    {"Gelu", UNARY_ACT, ACT_KIND_GELU, 0, 0, -6, 6, PRECISE}, /* exact (erf) */
    {"Gelu", UNARY_ACT, ACT_KIND_GELU, 1, 0, -5, 5, PRECISE}, /* tanh form */
    {"Elu", UNARY_ACT, ACT_KIND_ELU, 0.7f, 0, -6, 4, PRECISE},
    {"Selu", UNARY_ACT, ACT_KIND_SELU, 1.6732632f, 1.050701f, -6, 4, PRECISE},
    {"Celu", UNARY_ACT, ACT_KIND_CELU, 1.5f, 0, -6, 4, PRECISE},
    {"Softplus", UNARY_ACT, ACT_KIND_SOFTPLUS, 0, 0, -30, 30, PRECISE},
    {"Softsign", UNARY_ACT, ACT_KIND_SOFTSIGN, 0, 0, -10, 10, PRECISE},
    {"Mish", UNARY_ACT, ACT_KIND_MISH, 0, 0, -12, 25, PRECISE},
    {"ThresholdedRelu", UNARY_ACT, ACT_KIND_THRESHOLDED_RELU, 0.4f, 0, -3, 3, PRECISE},
    {"Swish", UNARY_ACT, ACT_KIND_SWISH, 1, 0, -20, 20, PRECISE}, /* SiLU */
    {"Swish", UNARY_ACT, ACT_KIND_SWISH, 0.6f, 0, -30, 12, PRECISE},
    {"Exp", UNARY_EXP, ACT_KIND_NONE, 0, 0, -6, 6, 0, 0},
    {"Log", UNARY_LOG, ACT_KIND_NONE, 0, 0, 0.01f, 50, 0, 0},
    {"Sqrt", UNARY_SQRT, ACT_KIND_NONE, 0, 0, 0, 50, 0, 0},
    {"Neg", UNARY_NEG, ACT_KIND_NONE, 0, 0, -3, 3, 0, 0},
    {"Abs", UNARY_ABS, ACT_KIND_NONE, 0, 0, -3, 3, 0, 0},
    {"Reciprocal", UNARY_RECIPROCAL, ACT_KIND_NONE, 0, 0, 0.25f, 4, 0, 0},
    {"Erf", UNARY_ERF, ACT_KIND_NONE, 0, 0, -4, 4, PRECISE},
    {"Floor", UNARY_FLOOR, ACT_KIND_NONE, 0, 0, -5, 5, PRECISE},
    {"Ceil", UNARY_CEIL, ACT_KIND_NONE, 0, 0, -5, 5, PRECISE},
    {"Round", UNARY_ROUND, ACT_KIND_NONE, 0, 0, -5, 5, PRECISE}, /* with halves: below */
    {"Sign", UNARY_SIGN, ACT_KIND_NONE, 0, 0, -3, 3, PRECISE},
    {"Sin", UNARY_SIN, ACT_KIND_NONE, 0, 0, -10, 10, PRECISE},
    {"Cos", UNARY_COS, ACT_KIND_NONE, 0, 0, -10, 10, PRECISE},
    {"Tan", UNARY_TAN, ACT_KIND_NONE, 0, 0, -1.4f, 1.4f, PRECISE}, /* short of the poles */
    {"Asin", UNARY_ASIN, ACT_KIND_NONE, 0, 0, -1, 1, PRECISE},
    {"Acos", UNARY_ACOS, ACT_KIND_NONE, 0, 0, -1, 1, PRECISE},
    {"Atan", UNARY_ATAN, ACT_KIND_NONE, 0, 0, -10, 10, PRECISE},
    {"Sinh", UNARY_SINH, ACT_KIND_NONE, 0, 0, -10, 10, PRECISE},
    {"Cosh", UNARY_COSH, ACT_KIND_NONE, 0, 0, -10, 10, PRECISE},
    {"Asinh", UNARY_ASINH, ACT_KIND_NONE, 0, 0, -20, 20, PRECISE},
    {"Acosh", UNARY_ACOSH, ACT_KIND_NONE, 0, 0, 1, 20, PRECISE},
    {"Atanh", UNARY_ATANH, ACT_KIND_NONE, 0, 0, -0.99f, 0.99f, PRECISE},
    /* scale, zero point; inputs past both ends of the type */
    {"QuantizeLinear", UNARY_QUANTIZE_U8, ACT_KIND_NONE, 0.05f, 128, -8, 8, 0, 0},
    {"QuantizeLinear", UNARY_QUANTIZE_S8, ACT_KIND_NONE, 0.0371f, -3, -6, 6, 0, 0},
    {"DequantizeLinear", UNARY_DEQUANTIZE, ACT_KIND_NONE, 0.02f, 7, -128, 255, 0, 0},
    /* a QuantizeLinear -> DequantizeLinear pair as one activation */
    {"QuantizeLinear/DequantizeLinear (uint8)", UNARY_ACT, ACT_KIND_QDQ_U8, 0.05f, 128, -8, 8, 0,
     0},
    {"QuantizeLinear/DequantizeLinear (int8)", UNARY_ACT, ACT_KIND_QDQ_S8, 0.0371f, -3, -6, 6, 0,
     0},
};

/* The graph's unary op for a kernel kind (0 for Identity, which a graph
 * makes a view, not a kernel). */
static clinfer_unary_op graph_unary_op(const unary_case *k)
{
    if (k->kind == UNARY_ACT)
        return (clinfer_unary_op)k->act;
    return (clinfer_unary_op)(CLINFER_UNARY_EXP + (k->kind - UNARY_EXP));
}

static clinfer_status add_unary(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                clinfer_value *out)
{
    const unary_case *k = ctx;
    return clinfer_graph_unary(g, "unary", graph_unary_op(k), in[0], k->a, k->b, out);
}

/* Through a one-node graph (test_op); Identity, a view in a graph, through
 * the op itself. */
static void check_unary(clinfer_runtime *rt, const unary_case *k, const unary_params *p,
                        const float *in, float *got, const float *want)
{
    size_t n = ref_numel(&p->shape);
    const float atol = k->atol > 0 ? k->atol : 1e-5f, rtol = k->rtol > 0 ? k->rtol : 1e-4f;
    if (graph_unary_op(k) == 0) {
        cr_assert_eq(run_unary(rt, p, in, got), CLINFER_OK, "%s: %s", k->name,
                     clinfer_last_errmsg());
        assert_close(got, want, n, atol, rtol, k->name);
        return;
    }
    const op_input x = {p->shape, in, 0};
    const op_test t = {k->name, &x, 1, add_unary, k, want, p->shape, atol, rtol, {{0}}};
    test_op(&t);
}

Test(eltwise, unary_ops_match_reference)
{
    clinfer_runtime *rt = test_runtime();
    /* 1155: vectors and a tail; 32: whole vectors; 1 and 5: tail only */
    const clinfer_shape shapes[] = {shp(4, 3, 5, 7, 11, 0), shp(2, 4, 8, 0, 0, 0),
                                    shp(0, 0, 0, 0, 0, 0), shp(1, 5, 0, 0, 0, 0)};
    for (size_t i = 0; i < sizeof unary_cases / sizeof unary_cases[0]; i++) {
        const unary_case *k = &unary_cases[i];
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            unary_params p = unary_params_default();
            p.shape = shapes[s];
            p.kind = k->kind;
            p.act.kind = k->act, p.act.a = k->a, p.act.b = k->b;
            cr_assert_str_eq(unary_name(&p), k->name);
            size_t n = ref_numel(&p.shape);
            float *in = test_alloc(n * 4), *got = test_alloc(n * 4), *want = test_alloc(n * 4);
            uint32_t seed = 7u + (uint32_t)(i * 31 + s);
            fill_uniform(in, n, k->lo, k->hi, &seed);
            if (k->kind == UNARY_RECIPROCAL) /* both signs, away from 0 */
                for (size_t j = 0; j < n; j += 2)
                    in[j] = -in[j];
            if (k->kind >= UNARY_FLOOR && k->kind <= UNARY_ROUND) /* exact in half (the */
                for (size_t j = 0; j < n; j++) /* fp16 run's input) and halves for Round */
                    in[j] = j % 2 ? floorf(in[j] * 64) / 64 : floorf(in[j] * 2) / 2;
            if (k->kind == UNARY_SIGN) /* zeros */
                for (size_t j = 0; j < n; j += 2)
                    in[j] = 0.0f;
            ref_unary(k->kind, p.act, n, in, want);
            check_unary(rt, k, &p, in, got, want);
            free(in), free(got), free(want);
        }
    }
    clinfer_runtime_free(rt);
}

/* Values where a naive formula overflows or cancels: large and tiny inputs,
 * the infinities, NaN (every activation keeps it), through the unary kernel
 * (vector lanes and the scalar tail) against the double reference. */
Test(eltwise, activations_at_extreme_inputs)
{
    clinfer_runtime *rt = test_runtime();
    static const float xs[] = {-1e30f, -1000,  -100,    -88.5f,   -30,       -20.5f, -3,
                               -1e-3f, -1e-7f, -1e-30f, -0.0f,    0,         1e-30f, 1e-7f,
                               1e-3f,  0.5f,   3,       19.5f,    20.5f,     30,     88.5f,
                               100,    1000,   1e30f,   INFINITY, -INFINITY, NAN};
    enum { N = sizeof xs / sizeof xs[0] };
    float got[N], want[N];
    for (size_t i = 0; i < sizeof unary_cases / sizeof unary_cases[0]; i++) {
        const unary_case *k = &unary_cases[i];
        if (k->atol == 0) /* the older ops: test_nan checks their infinities */
            continue;
        unary_params p = unary_params_default();
        p.shape = shp(1, N, 0, 0, 0, 0);
        p.kind = k->kind;
        p.act.kind = k->act, p.act.a = k->a, p.act.b = k->b;
        ref_unary(k->kind, p.act, N, xs, want);
        cr_assert_eq(run_unary(rt, &p, xs, got), CLINFER_OK, "%s: %s", k->name,
                     clinfer_last_errmsg());
        char what[64];
        snprintf(what, sizeof what, "%s (alpha %g)", k->name, k->a);
        assert_close_nonfinite(got, want, N, 1e-30f, 1e-5f, what);
        cr_assert(isnan(got[N - 1]), "%s: NaN in, %g out", what, got[N - 1]);
    }
    clinfer_runtime_free(rt);
}

/* The inverse and hyperbolic functions at the edges of their domains
 * (Asin and Acos at -1 and 1 and one float past them: NaN; Acosh at 1 and
 * below; Atanh at -1 and 1: -inf and inf; Sinh and Cosh overflowing to
 * inf) and every new function with 1e30 beside small values in each
 * vector (PoCL's vector sin and cos got the small lanes wrong there), 45
 * elements: whole vectors and a tail. */
Test(eltwise, trigonometry_at_domain_edges)
{
    clinfer_runtime *rt = test_runtime();
    const float up = nextafterf(1.0f, 2.0f), down = nextafterf(1.0f, 0.0f);
    const float xs[] = {1e30f, -1e-3f, 1,      -1,      up,      -up,      down,   -down,
                        -1e30f, 1e-3f, 2,      -2,      0,       -0.0f,    0.5f,   -0.5f,
                        1e7f,  -1e-7f, 1.5707964f, -1.5707964f, 3.1415927f, 10, 88.5f, 89.5f,
                        -3e8f, 1e-30f, 90,     -90,     710,     -710,     1.5f,   100,
                        1e30f, 0.999f, -0.999f, 1e6f,   INFINITY, -INFINITY, NAN,  1000,
                        -1e-3f, 1e-3f, 1e30f,  1,       -1};
    enum { N = sizeof xs / sizeof xs[0] };
    float got[N], want[N];
    for (unary_kind kind = UNARY_TAN; kind <= UNARY_ATANH; kind++) {
        unary_params p = unary_params_default();
        p.shape = shp(1, N, 0, 0, 0, 0);
        p.kind = kind;
        ref_unary(kind, p.act, N, xs, want);
        cr_assert_eq(run_unary(rt, &p, xs, got), CLINFER_OK, "%s: %s", unary_name(&p),
                     clinfer_last_errmsg());
        assert_close_nonfinite(got, want, N, 1e-30f, 1e-5f, unary_name(&p));
    }
    clinfer_runtime_free(rt);
}

Test(eltwise, unary_rejects_bad_kind_and_shape)
{
    clinfer_runtime *rt = test_runtime();
    unary_params p = unary_params_default();
    clinfer_shape out;
    p.kind = (unary_kind)42;
    cr_assert_eq(unary_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "kind 42"), "message: %s", clinfer_last_errmsg());
    p.kind = UNARY_EXP;
    p.shape = shp(2, 3, -1, 0, 0, 0);
    cr_assert_eq(unary_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "Exp: input [3, -1] has negative dim 1"),
              "message: %s", clinfer_last_errmsg());
    p.shape.rank = 9;
    cr_assert_eq(unary_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "rank 9"), "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

/* ----------------------------------------------------------------- binary */

typedef struct bcase {
    const char *name;
    clinfer_shape a, b;
    binary_variant expect; /* what AUTO must pick */
} bcase;

static const bcase bcases[] = {
    {"same shape", {4, {2, 3, 5, 7}}, {4, {2, 3, 5, 7}}, BINARY_SAME},
    {"same shape, vectors only", {2, {4, 32}}, {2, {4, 32}}, BINARY_SAME},
    {"same count, other rank", {2, {1, 37}}, {1, {37}}, BINARY_SAME},
    {"one element", {2, {1, 1}}, {1, {1}}, BINARY_SAME},
    {"scalar B (rank 0)", {4, {2, 3, 5, 7}}, {0, {0}}, BINARY_SCALAR_B},
    {"scalar A ([1])", {1, {1}}, {3, {3, 5, 7}}, BINARY_SCALAR_A},
    {"[C,1,1] vs NCHW", {4, {2, 6, 5, 7}}, {3, {6, 1, 1}}, BINARY_CHANNEL_B},
    {"[1,C,1,1] vs NCHW", {4, {1, 6, 1, 1}}, {4, {2, 6, 5, 7}}, BINARY_CHANNEL_A},
    {"[C,1,1] vs NCHW, long rows", {4, {2, 16, 33, 17}}, {3, {16, 1, 1}}, BINARY_CHANNEL_B},
    {"[H,W] vs NCHW", {4, {2, 3, 5, 7}}, {2, {5, 7}}, BINARY_CHANNEL_B},
    {"[N,1,1,1] vs NCHW", {4, {3, 4, 5, 6}}, {4, {3, 1, 1, 1}}, BINARY_CHANNEL_B},
    {"[C,1] vs [N,C,L], L < VW", {3, {3, 5, 7}}, {2, {5, 1}}, BINARY_CHANNEL_B},
    {"[K] bias vs [N,K]", {2, {3, 40}}, {1, {40}}, BINARY_CHANNEL_B},
    {"rank 1 vs rank 5", {1, {6}}, {5, {2, 3, 1, 4, 6}}, BINARY_CHANNEL_A},
    {"both sides [2,1,5] + [3,1]", {3, {2, 1, 5}}, {2, {3, 1}}, BINARY_GENERAL},
    {"outer product [4,1] + [1,5]", {2, {4, 1}}, {2, {1, 5}}, BINARY_GENERAL},
    {"both sides, rank 5", {5, {1, 3, 4, 1, 5}}, {5, {2, 1, 4, 6, 1}}, BINARY_GENERAL},
    {"both sides, long rows", {3, {3, 1, 50}}, {3, {1, 4, 50}}, BINARY_GENERAL},
    {"rank 8 alternating", {8, {2, 1, 3, 1, 2, 1, 3, 1}}, {8, {1, 2, 1, 3, 1, 2, 1, 3}},
     BINARY_GENERAL},
    {"empty", {2, {0, 3}}, {1, {3}}, BINARY_CHANNEL_B},
};
#define NBCASES (sizeof bcases / sizeof bcases[0])

/* Fills the operands for op: Div keeps the divisor away from 0, Pow uses
 * positive bases. */
static void fill_operands(binary_op op, float *a, size_t na, float *b, size_t nb, uint32_t seed)
{
    fill_uniform(a, na, op == BINARY_POW ? 0.1f : -2.0f, 2.0f, &seed);
    fill_uniform(b, nb, op == BINARY_DIV ? 0.5f : -2.0f, 2.0f, &seed);
    if (op == BINARY_DIV)
        for (size_t i = 0; i < nb; i += 3)
            b[i] = -b[i];
}

static clinfer_status add_binary(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    return clinfer_graph_binary(g, "binary", (clinfer_binary_op)*(const binary_op *)ctx, in[0],
                                in[1], out);
}

/* Runs case k with op/act through AUTO, checks the reference, checks that
 * AUTO picked k->expect, and that GENERAL gives bit-identical results. */
static void check_binary(clinfer_runtime *rt, const bcase *k, binary_op op, act_params act,
                         uint32_t seed)
{
    char what[160];
    snprintf(what, sizeof what, "%s %s act %d", binary_op_name(op), k->name, (int)act.kind);
    binary_params p = binary_params_default();
    p.op = op, p.a = k->a, p.b = k->b, p.act = act;
    clinfer_shape so, ref_so;
    cr_assert_eq(binary_output_shape(rt, &p, &so), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    cr_assert(ref_broadcast_shape(&k->a, &k->b, &ref_so));
    cr_assert(shape_equal(&so, &ref_so), "%s: output shape", what);
    binary_variant v;
    cr_assert_eq(binary_choose_variant(rt, &p, &v), CLINFER_OK);
    cr_assert_eq(v, k->expect, "%s: AUTO picked variant %d, expected %d", what, (int)v,
                 (int)k->expect);

    size_t na = ref_numel(&k->a), nb = ref_numel(&k->b), n = ref_numel(&so);
    float *a = test_alloc(na * 4), *b = test_alloc(nb * 4);
    float *got = test_alloc(n * 4), *gen = test_alloc(n * 4), *want = test_alloc(n * 4);
    fill_operands(op, a, na, b, nb, seed);
    cr_assert(ref_binary(op, act, &k->a, a, &k->b, b, want));
    /* a graph's Binary node has no activation of its own, nor empty tensors */
    if (act.kind == ACT_KIND_NONE && n > 0) {
        const op_input x[2] = {{k->a, a, 0}, {k->b, b, 0}};
        const op_test t = {what, x, 2, add_binary, &op, want, so, 1e-5f, 1e-4f, {{0}}};
        test_op(&t);
    }
    cr_assert_eq(run_binary(rt, &p, a, b, got), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    assert_close(got, want, n, 1e-5f, 1e-4f, what);
    if (v != BINARY_GENERAL) {
        p.variant = BINARY_GENERAL;
        cr_assert_eq(run_binary(rt, &p, a, b, gen), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        strncat(what, " (fast vs general)", sizeof what - strlen(what) - 1);
        assert_equal(got, gen, n, what);
    }
    free(a), free(b), free(got), free(gen), free(want);
}

/* launch.h: build options that do not fit are refused (never truncated),
 * and a failed launch is left empty with its kernel released. */
Test(eltwise, launch_refuses_options_that_overflow)
{
    clinfer_runtime *rt = test_runtime();
    opts o = opts_none();
    opts_add(&o, "-DVW=16");
    cr_assert_str_eq(o.text, "-DVW=16");
    opts_add(&o, "-DACT=%d", 1);
    cr_assert_str_eq(o.text, "-DVW=16 -DACT=1");
    for (int i = 0; i < OPTS_MAX / 20; i++) /* each over 20 characters */
        opts_add(&o, "-DSOME_LONG_TUNABLE_%d=%d", i, i);
    cr_assert(o.overflow);
    op_launch l;
    karg a;
    cr_assert_eq(launch_begin(rt, &l, "eltwise", &o, "eltwise_unary", 0, &a),
                 CLINFER_ERR_INVALID_ARGUMENT);
    karg_long(&a, 1); /* ignored after a failed begin */
    cr_assert_eq(launch_finish(rt, &l, &a), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(l.kernel);
    char want[128];
    snprintf(want, sizeof want,
             "eltwise_unary (kernels/eltwise.cl): build options longer than %d characters",
             OPTS_MAX - 1);
    cr_assert(strstr(clinfer_last_errmsg(), want), "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

Test(eltwise, binary_sub_on_every_broadcast_pattern)
{
    /* Sub is not commutative: a swapped operand shows */
    clinfer_runtime *rt = test_runtime();
    act_params none = {ACT_KIND_NONE, 0, 0};
    for (size_t i = 0; i < NBCASES; i++)
        check_binary(rt, &bcases[i], BINARY_SUB, none, 100u + (uint32_t)i);
    clinfer_runtime_free(rt);
}

Test(eltwise, binary_ops_and_fused_activations)
{
    clinfer_runtime *rt = test_runtime();
    const act_params none = {ACT_KIND_NONE, 0, 0};
    const binary_op ops[] = {BINARY_ADD, BINARY_MUL, BINARY_DIV, BINARY_POW,
                             BINARY_MAX, BINARY_MIN, BINARY_PRELU};
    /* every op on the same-shape and the general pattern (Sub, above, shows
     * that each variant keeps the operand order) */
    const size_t picks[] = {0, 14};
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
            check_binary(rt, &bcases[picks[i]], ops[o], none, 200u + (uint32_t)(o * 10 + i));
    /* fused activations, on Add (ResNet's residual) and Div */
    const act_params acts[] = {{ACT_KIND_RELU, 0, 0},
                               {ACT_KIND_LEAKY_RELU, 0.2f, 0},
                               {ACT_KIND_CLIP, -0.3f, 0.6f},
                               {ACT_KIND_SIGMOID, 0, 0},
                               {ACT_KIND_TANH, 0, 0},
                               {ACT_KIND_HARD_SWISH, 1.0f / 6, 0.5f},
                               {ACT_KIND_GELU, 0, 0},
                               {ACT_KIND_GELU, 1, 0},
                               {ACT_KIND_ELU, 0.5f, 0},
                               {ACT_KIND_SELU, 1.6732632f, 1.050701f},
                               {ACT_KIND_CELU, 0.8f, 0},
                               {ACT_KIND_SOFTPLUS, 0, 0},
                               {ACT_KIND_SOFTSIGN, 0, 0},
                               {ACT_KIND_MISH, 0, 0},
                               {ACT_KIND_THRESHOLDED_RELU, 0.3f, 0}};
    for (size_t j = 0; j < sizeof acts / sizeof acts[0]; j++) {
        check_binary(rt, &bcases[0], BINARY_ADD, acts[j], 300u + (uint32_t)j);
        check_binary(rt, &bcases[14], BINARY_ADD, acts[j], 310u + (uint32_t)j);
    }
    check_binary(rt, &bcases[8], BINARY_DIV, acts[0], 320u);
    clinfer_runtime_free(rt);
}

/* PRelu (ONNX): the slope broadcast as ONNX allows — per channel ([C,1,1],
 * [1,C,1,1]), one value, along the last dims, or the input's own shape —
 * and NaN in x kept. */
Test(eltwise, prelu_on_every_slope_shape)
{
    clinfer_runtime *rt = test_runtime();
    const act_params none = {ACT_KIND_NONE, 0, 0};
    const size_t picks[] = {0, 4, 6, 7, 8, 9, 12, 16};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
        check_binary(rt, &bcases[picks[i]], BINARY_PRELU, none, 500u + (uint32_t)i);
    binary_params p = binary_params_default();
    p.op = BINARY_PRELU;
    p.a = shp(4, 2, 3, 5, 7, 0);
    p.b = shp(3, 3, 1, 1, 0, 0);
    float a[210], b[3] = {0.25f, -2, 0}, got[210], want[210];
    uint32_t seed = 8;
    fill_uniform(a, 210, -2, 2, &seed);
    a[3] = NAN, a[100] = -INFINITY, a[101] = INFINITY;
    cr_assert_eq(run_binary(rt, &p, a, b, got), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert(ref_binary(p.op, p.act, &p.a, a, &p.b, b, want));
    assert_close_nonfinite(got, want, 210, 0, 0, "prelu [C,1,1]");
    cr_assert(isnan(got[3]));
    clinfer_runtime_free(rt);
}

Test(eltwise, pow_of_negative_base_with_integral_exponent)
{
    clinfer_runtime *rt = test_runtime();
    binary_params p = binary_params_default();
    p.op = BINARY_POW;
    p.a = shp(2, 3, 7, 0, 0, 0);
    p.b = shp(1, 7, 0, 0, 0, 0);
    float a[21], b[7] = {0, 1, 2, 3, -1, -2, 0.5f}, got[21], want[21];
    uint32_t seed = 5;
    fill_uniform(a, 21, -3, -0.5f, &seed);
    cr_assert_eq(run_binary(rt, &p, a, b, got), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert(ref_binary(p.op, p.act, &p.a, a, &p.b, b, want));
    for (int i = 0; i < 21; i++) {
        if (i % 7 == 6)
            cr_assert(isnan(got[i]), "pow(%g, 0.5) = %g, expected NaN", a[i], got[i]);
        else
            cr_assert(fabsf(got[i] - want[i]) <= 1e-5f + 1e-5f * fabsf(want[i]),
                      "pow(%g, %g) = %.9g, expected %.9g", a[i], b[i % 7], got[i], want[i]);
    }
    clinfer_runtime_free(rt);
}

Test(eltwise, every_applicable_variant_agrees)
{
    /* forcing each variant that fits a shape gives the same bits */
    clinfer_runtime *rt = test_runtime();
    const binary_variant all[] = {BINARY_SAME,      BINARY_SCALAR_A,  BINARY_SCALAR_B,
                                  BINARY_CHANNEL_A, BINARY_CHANNEL_B, BINARY_GENERAL};
    const bcase extra[] = {
        {"scalar vs scalar", {1, {1}}, {0, {0}}, BINARY_SAME},
        {"[1,1,1] vs [2,3,5]", {3, {1, 1, 1}}, {3, {2, 3, 5}}, BINARY_SCALAR_A},
        {"[1,20] vs [3,20]", {2, {1, 20}}, {2, {3, 20}}, BINARY_CHANNEL_A},
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        const bcase *k = &extra[i];
        binary_params p = binary_params_default();
        p.op = BINARY_SUB, p.a = k->a, p.b = k->b;
        clinfer_shape so;
        cr_assert(ref_broadcast_shape(&k->a, &k->b, &so));
        size_t na = ref_numel(&k->a), nb = ref_numel(&k->b), n = ref_numel(&so);
        float *a = test_alloc(na * 4), *b = test_alloc(nb * 4), *want = test_alloc(n * 4);
        float *got = test_alloc(n * 4);
        fill_operands(p.op, a, na, b, nb, 400u + (uint32_t)i);
        cr_assert(ref_binary(p.op, p.act, &k->a, a, &k->b, b, want));
        int ran = 0;
        for (size_t v = 0; v < sizeof all / sizeof all[0]; v++) {
            p.variant = all[v];
            op_launch l = {0};
            clinfer_status st = binary_prepare(rt, &p, &l);
            launch_release(&l);
            if (st == CLINFER_ERR_INVALID_ARGUMENT)
                continue; /* does not fit */
            cr_assert_eq(run_binary(rt, &p, a, b, got), CLINFER_OK, "%s variant %d: %s",
                         k->name, (int)all[v], clinfer_last_errmsg());
            assert_equal(got, want, n, k->name); /* Sub of floats is exact */
            ran++;
        }
        cr_assert(ran >= 2, "%s: only %d variants applied", k->name, ran);
        free(a), free(b), free(want), free(got);
    }
    clinfer_runtime_free(rt);
}

Test(eltwise, binary_rejects_incompatible_shapes_and_bad_arguments)
{
    clinfer_runtime *rt = test_runtime();
    binary_params p = binary_params_default();
    clinfer_shape out;
    p.op = BINARY_MUL;
    p.a = shp(4, 2, 3, 4, 5, 0);
    p.b = shp(2, 3, 5, 0, 0, 0);
    cr_assert_eq(binary_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(),
                     "Mul: input shapes [2, 3, 4, 5] and [3, 5] do not broadcast: output dim 2 "
                     "is 4 in A and 3 in B"),
              "message: %s", clinfer_last_errmsg());
    op_launch l = {0};
    cr_assert_eq(binary_prepare(rt, &p, &l), CLINFER_ERR_SHAPE);
    cr_assert_null(l.kernel);

    p.b = shp(1, 5, 0, 0, 0, 0);
    p.variant = BINARY_SCALAR_B;
    cr_assert_eq(binary_prepare(rt, &p, &l), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "variant SCALAR_B does not apply"), "message: %s",
              clinfer_last_errmsg());
    p.variant = BINARY_CHANNEL_A;
    cr_assert_eq(binary_prepare(rt, &p, &l), CLINFER_ERR_INVALID_ARGUMENT);
    p.variant = BINARY_SAME;
    cr_assert_eq(binary_prepare(rt, &p, &l), CLINFER_ERR_INVALID_ARGUMENT);
    p.variant = BINARY_AUTO;

    p.op = (binary_op)9;
    cr_assert_eq(binary_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "op 9"), "message: %s", clinfer_last_errmsg());
    p.op = BINARY_ADD;
    p.act.kind = ACT_KIND_COUNT; /* one past the last */
    cr_assert_eq(binary_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    char kind_msg[64];
    snprintf(kind_msg, sizeof kind_msg, "activation kind %d", (int)ACT_KIND_COUNT);
    cr_assert(strstr(clinfer_last_errmsg(), kind_msg), "message: %s", clinfer_last_errmsg());
    p.act.kind = ACT_KIND_NONE;
    p.b.rank = 9;
    cr_assert_eq(binary_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "Add: input B has rank 9"), "message: %s",
              clinfer_last_errmsg());
    /* a product past 2^62 */
    p.a = shp(3, (int64_t)1 << 31, (int64_t)1 << 31, 4, 0, 0);
    p.b = shp(0, 0, 0, 0, 0, 0);
    cr_assert_eq(binary_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "2^62"), "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

Test(eltwise, max_and_min_are_nan_when_either_operand_is)
{
    /* ONNX Max/Min (and PyTorch's maximum/minimum) propagate NaN; fmax and
     * fmin would return the other operand. Same shape (vector path) and a
     * scalar operand, with NaN on each side and in both. */
    clinfer_runtime *rt = test_runtime();
    const binary_op ops[] = {BINARY_MAX, BINARY_MIN};
    float a[19], b[19], got[19];
    for (int i = 0; i < 19; i++)
        a[i] = (float)(i % 5) - 2.0f, b[i] = 1.5f - (float)(i % 3);
    a[3] = NAN, b[7] = NAN, a[17] = NAN, b[17] = NAN;
    for (size_t o = 0; o < 2; o++)
        for (int scalar = 0; scalar < 2; scalar++) {
            binary_params p = binary_params_default();
            p.op = ops[o];
            p.a = shp(1, 19, 0, 0, 0, 0);
            p.b = shp(1, scalar ? 1 : 19, 0, 0, 0, 0);
            float bb[19];
            memcpy(bb, b, sizeof bb);
            if (scalar)
                bb[0] = NAN;
            cr_assert_eq(run_binary(rt, &p, a, bb, got), CLINFER_OK, "%s", clinfer_last_errmsg());
            for (int i = 0; i < 19; i++) {
                float x = a[i], y = scalar ? bb[0] : bb[i];
                if (isnan(x) || isnan(y))
                    cr_assert(isnan(got[i]), "%s element %d: %g, expected NaN",
                              binary_op_name(p.op), i, (double)got[i]);
                else
                    cr_assert_eq(got[i], o == 0 ? fmaxf(x, y) : fminf(x, y), "%s element %d",
                                 binary_op_name(p.op), i);
            }
        }
    clinfer_runtime_free(rt);
}
