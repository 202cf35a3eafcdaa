/*
 * test_norm.c — InstanceNormalization, LayerNormalization,
 * GroupNormalization and MeanVarianceNormalization against the naive
 * double-precision references (ref_norm.c) through one-node graphs: odd
 * shapes (rows that are not multiples of the vector width or the
 * work-group's reach, single-element groups), every LayerNorm axis, scale
 * and bias as constants and as run-time inputs or absent, per-group and
 * per-channel GroupNorm scales, large means (the two-pass variance), NaN,
 * each through a graph and with each kernel (norm_rows, norm_items)
 * forced; the LayerNorm fusion pass; the ONNX loader; and the error paths.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "onnx_writer.h"
#include "op_test.h"
#include "ops/norm.h"
#include "ref_norm.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

typedef struct norm_case {
    norm_kind kind;
    clinfer_shape shape;
    int64_t axis, groups;
    int per_channel;   /* GroupNorm: scale [C] rather than [groups] */
    float eps;
    int64_t axes[8];   /* MVN */
    int32_t naxes;     /* MVN: -1 for the default */
    int scale, bias;   /* 0 absent, 1 constant, 2 graph input */
    float lo, hi;      /* the range of x */
} norm_case;

static clinfer_status add_norm(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                               clinfer_value *out)
{
    const norm_case *t = ctx;
    int k = 1;
    const clinfer_value scale = t->scale ? in[k++] : CLINFER_NO_VALUE;
    const clinfer_value bias = t->bias ? in[k++] : CLINFER_NO_VALUE;
    switch (t->kind) {
    case NORM_INSTANCE:
        return clinfer_graph_instance_norm(g, "in", in[0], scale, bias, t->eps, out);
    case NORM_LAYER:
        return clinfer_graph_layer_norm(g, "ln", in[0], scale, bias, (int32_t)t->axis, t->eps,
                                        out);
    case NORM_GROUP:
        return clinfer_graph_group_norm(g, "gn", in[0], scale, bias, (int32_t)t->groups, t->eps,
                                        out);
    case NORM_MVN:
        return clinfer_graph_mean_variance_norm(g, "mvn", in[0], t->naxes < 0 ? NULL : t->axes,
                                                t->naxes < 0 ? 0 : t->naxes, out);
    }
    return CLINFER_ERR_INVALID_ARGUMENT;
}

/* The number of scale/bias values the case's op takes. */
static int64_t affine_count(const norm_case *t)
{
    const clinfer_shape *s = &t->shape;
    if (t->kind == NORM_LAYER) {
        int64_t n = 1;
        for (int32_t d = (int32_t)(t->axis < 0 ? t->axis + s->rank : t->axis); d < s->rank; d++)
            n *= s->dims[d];
        return n;
    }
    if (t->kind == NORM_GROUP && !t->per_channel)
        return t->groups;
    return s->dims[1];
}

static uint32_t mvn_axes(const norm_case *t)
{
    if (t->naxes < 0)
        return 1u | 4u | 8u;
    uint32_t m = 0;
    for (int32_t i = 0; i < t->naxes; i++)
        m |= 1u << (t->axes[i] < 0 ? t->axes[i] + t->shape.rank : t->axes[i]);
    return m;
}

static void reference(const norm_case *t, const float *x, const float *sc, const float *b,
                      float *want)
{
    switch (t->kind) {
    case NORM_INSTANCE: ref_instance_norm(&t->shape, x, sc, b, t->eps, want); break;
    case NORM_LAYER: ref_layer_norm(&t->shape, t->axis, x, sc, b, t->eps, want); break;
    case NORM_GROUP:
        ref_group_norm(&t->shape, t->groups, t->per_channel, x, sc, b, t->eps, want);
        break;
    case NORM_MVN: ref_mvn(&t->shape, mvn_axes(t), x, want); break;
    }
}

/* Runs the op itself (no graph) on t's data with `variant` forced. */
static void run_variant(const norm_case *t, int variant, const float *x, const float *sc,
                        const float *b, float *out)
{
    clinfer_runtime *rt = test_runtime();
    norm_params p = norm_params_default(t->kind);
    p.shape = t->shape, p.epsilon = t->eps, p.axis = t->axis, p.groups = t->groups;
    p.axes = t->kind == NORM_MVN ? mvn_axes(t) : p.axes;
    p.variant = variant;
    const int64_t na = affine_count(t);
    const clinfer_shape as = shape_make(1, &na);
    const size_t n = ref_numel(&t->shape);
    cl_mem mem[4] = {NULL, NULL, NULL, NULL};
    cr_assert_eq(buffer_create(rt, n * 4, x, &mem[0]), CLINFER_OK);
    cr_assert_eq(buffer_create(rt, n * 4, NULL, &mem[3]), CLINFER_OK);
    if (t->scale) {
        p.scale = as;
        cr_assert_eq(buffer_create(rt, (size_t)na * 4, sc, &mem[1]), CLINFER_OK);
    }
    if (t->bias) {
        p.bias = as;
        cr_assert_eq(buffer_create(rt, (size_t)na * 4, b, &mem[2]), CLINFER_OK);
    }
    op_launch l = {0};
    cr_assert_eq(norm_prepare(rt, &p, &l), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(norm_bind(rt, &l, dev_whole(mem[0]), dev_whole(mem[1]), dev_whole(mem[2]),
                           dev_whole(mem[3])),
                 CLINFER_OK);
    cr_assert_str_eq(l.name, variant == NORM_ITEMS ? "norm_items" : "norm_rows");
    cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK);
    cr_assert_eq(buffer_read(rt, mem[3], n * 4, out), CLINFER_OK);
    launch_release(&l);
    for (int i = 0; i < 4; i++)
        if (mem[i])
            clReleaseMemObject(mem[i]);
    clinfer_runtime_free(rt);
}

/* Runs the case through test_op (the variant the device gets), then each
 * kernel forced; nan_at >= 0 puts a NaN there and checks NaN propagation
 * instead. */
static void check_case(const norm_case *t, uint32_t seed, long nan_at)
{
    char what[200], sb[128];
    snprintf(what, sizeof what, "%s of %s axis %lld groups %lld%s scale %d bias %d",
             norm_name(t->kind), shape_str(&t->shape, sb, sizeof sb), (long long)t->axis,
             (long long)t->groups, t->per_channel ? " per channel" : "", t->scale, t->bias);
    const size_t n = ref_numel(&t->shape), na = (size_t)affine_count(t);
    float *x = test_alloc(n * 4), *want = test_alloc(n * 4), *got = test_alloc(n * 4);
    float *sc = test_alloc(na * 4), *b = test_alloc(na * 4);
    fill_uniform(x, n, t->lo, t->hi, &seed);
    fill_uniform(sc, na, 0.5f, 2.0f, &seed);
    fill_uniform(b, na, -1.0f, 1.0f, &seed);
    if (fabsf(t->lo) >= 100 || fabsf(t->hi) >= 100)
        round_to_half(x, n); /* half storage holds them exactly (0.5 apart near 1000) */
    if (nan_at >= 0)
        x[nan_at] = NAN;
    reference(t, x, t->scale ? sc : NULL, t->bias ? b : NULL, want);
    const clinfer_shape as = shape_make(1, (const int64_t[]){(int64_t)na});
    op_input in[3] = {{t->shape, x, 0}};
    int k = 1;
    if (t->scale)
        in[k++] = (op_input){as, sc, t->scale == 1};
    if (t->bias)
        in[k++] = (op_input){as, b, t->bias == 1};
    const op_test ot = {what, in, k, add_norm, t, want, t->shape, 3e-5f, 2e-4f, {{0}}};
    if (nan_at < 0) {
        test_op(&ot);
    } else {
        test_op_run(&ot, got);
        assert_close_nonfinite(got, want, n, 3e-5f, 2e-4f, what);
    }
    for (int v = NORM_WORKGROUP; v <= NORM_ITEMS; v++) {
        char wv[240];
        snprintf(wv, sizeof wv, "%s, %s forced", what,
                 v == NORM_ITEMS ? "norm_items" : "norm_rows");
        run_variant(t, v, x, sc, b, got);
        assert_close_nonfinite(got, want, n, 3e-5f, 2e-4f, wv);
    }
    free(x), free(want), free(got), free(sc), free(b);
}

static clinfer_shape shp(int32_t rank, int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
    const int64_t d[4] = {d0, d1, d2, d3};
    return shape_make(rank, d);
}

static norm_case make(norm_kind kind, clinfer_shape s)
{
    norm_case t;
    memset(&t, 0, sizeof t);
    t.kind = kind, t.shape = s, t.axis = -1, t.groups = 1, t.eps = 1e-5f, t.naxes = -1;
    t.scale = t.bias = 1;
    t.lo = -3, t.hi = 3;
    return t;
}

Test(norm, instance_norm)
{
    const clinfer_shape shapes[] = {shp(4, 2, 5, 7, 3), shp(3, 3, 4, 37, 0), shp(4, 1, 3, 1, 1),
                                    shp(4, 2, 3, 19, 23), shp(4, 1, 2, 1, 3)};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        norm_case t = make(NORM_INSTANCE, shapes[i]);
        t.scale = t.bias = 1 + (int)(i % 2); /* constants and run-time inputs */
        t.eps = i == 1 ? 0.01f : 1e-5f;
        check_case(&t, 10u + (uint32_t)i, -1);
    }
}

Test(norm, layer_norm_every_axis)
{
    const clinfer_shape shapes[] = {shp(4, 2, 5, 7, 3), shp(3, 3, 4, 37, 0), shp(2, 6, 100, 0, 0)};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int64_t axis = -shapes[i].rank; axis < shapes[i].rank; axis++) {
            norm_case t = make(NORM_LAYER, shapes[i]);
            t.axis = axis;
            t.scale = 1 + (int)((axis + 4) % 2);
            t.bias = (int)((axis + 4) % 3); /* absent, constant, input */
            check_case(&t, 20u + (uint32_t)(i * 10) + (uint32_t)(axis + 4), -1);
        }
}

Test(norm, layer_norm_long_rows_and_large_means)
{
    /* rows longer than the work-group's reach (64 items x 8 floats), and
     * values around 1000 with a spread of 1: E[x^2] - E[x]^2 would lose
     * every digit there */
    norm_case t = make(NORM_LAYER, shp(2, 3, 1500, 0, 0));
    check_case(&t, 31, -1);
    t.lo = 999, t.hi = 1001;
    check_case(&t, 32, -1);
    t = make(NORM_INSTANCE, shp(4, 2, 3, 29, 31));
    t.lo = -1001, t.hi = -999;
    check_case(&t, 33, -1);
    t = make(NORM_LAYER, shp(1, 1, 0, 0, 0)); /* one element: y = bias */
    check_case(&t, 34, -1);
}

Test(norm, group_norm)
{
    const clinfer_shape s = shp(4, 2, 6, 5, 3);
    const int64_t groups[] = {1, 2, 3, 6};
    for (size_t i = 0; i < 4; i++)
        for (int pc = 0; pc <= 1; pc++) {
            norm_case t = make(NORM_GROUP, s);
            t.groups = groups[i], t.per_channel = pc;
            t.scale = t.bias = 1 + pc;
            check_case(&t, 40u + (uint32_t)(i * 2 + (size_t)pc), -1);
        }
    norm_case t = make(NORM_GROUP, shp(2, 3, 4, 0, 0)); /* rank 2: groups of 2 values */
    t.groups = 2, t.per_channel = 1;
    check_case(&t, 50, -1);
    t = make(NORM_GROUP, shp(4, 1, 4, 1, 1)); /* single-element groups */
    t.groups = 4;
    check_case(&t, 51, -1);
    t = make(NORM_GROUP, shp(3, 2, 8, 37, 0)); /* 4 channels of 37 per group */
    t.groups = 2, t.per_channel = 1;
    check_case(&t, 52, -1);
}

Test(norm, mean_variance_norm)
{
    norm_case t = make(NORM_MVN, shp(4, 2, 5, 7, 3));
    t.scale = t.bias = 0;
    check_case(&t, 60, -1); /* default [0, 2, 3] */
    t.shape = shp(4, 3, 3, 3, 1);
    check_case(&t, 61, -1);
    const int64_t sets[][4] = {{2, 3}, {0, 1, 2, 3}, {-1}, {0, 1}};
    const int32_t counts[] = {2, 4, 1, 2};
    for (int i = 0; i < 4; i++) {
        t.shape = shp(4, 2, 5, 7, 3);
        t.naxes = counts[i];
        memcpy(t.axes, sets[i], sizeof sets[i]);
        check_case(&t, 62u + (uint32_t)i, -1);
    }
}

Test(norm, nan_stays_in_its_row)
{
    norm_case t = make(NORM_LAYER, shp(3, 2, 3, 37, 0));
    check_case(&t, 70, 40); /* row 1 is NaN, the others are not */
    t = make(NORM_INSTANCE, shp(4, 2, 3, 4, 5));
    check_case(&t, 71, 0);
    t = make(NORM_GROUP, shp(4, 2, 6, 2, 3));
    t.groups = 3;
    check_case(&t, 72, 13);
}

/* The op's message for p, which must fail with `want`. */
static void expect_error(const norm_params *p, clinfer_status want, const char *text)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape out;
    cr_assert_eq(norm_output_shape(rt, p, &out), want, "%s", clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), text), "message: %s", clinfer_last_errmsg());
    op_launch l = {0};
    cr_assert_eq(norm_prepare(rt, p, &l), want);
    cr_assert_null(l.kernel);
    clinfer_runtime_free(rt);
}

Test(norm, rejects_bad_parameters)
{
    norm_params p = norm_params_default(NORM_LAYER);
    p.shape = shp(3, 2, 3, 4, 0);
    p.axis = 3;
    expect_error(&p, CLINFER_ERR_INVALID_ARGUMENT,
                 "LayerNormalization: axis 3 is out of range [-3, 2] for input [2, 3, 4]");
    p.axis = -2;
    p.scale = shp(1, 4, 0, 0, 0);
    expect_error(&p, CLINFER_ERR_SHAPE, "LayerNormalization: Scale has shape [4], expected "
                                        "X.shape[axis:] (12 values)");
    p = norm_params_default(NORM_GROUP);
    p.shape = shp(4, 1, 6, 2, 2);
    p.groups = 4;
    expect_error(&p, CLINFER_ERR_INVALID_ARGUMENT,
                 "GroupNormalization: num_groups 4 does not divide the 6 channels");
    p.groups = 3;
    p.scale = shp(1, 5, 0, 0, 0);
    expect_error(&p, CLINFER_ERR_SHAPE, "GroupNormalization: scale has shape [5]");
    p = norm_params_default(NORM_INSTANCE);
    p.shape = shp(2, 2, 3, 0, 0);
    expect_error(&p, CLINFER_ERR_SHAPE, "InstanceNormalization: input [2, 3] has rank 2");
    p.shape = shp(3, 2, 3, 4, 0);
    p.epsilon = -1;
    expect_error(&p, CLINFER_ERR_INVALID_ARGUMENT, "epsilon -1 must be finite and >= 0");
    p = norm_params_default(NORM_MVN);
    p.shape = shp(4, 2, 3, 4, 5);
    p.axes = 2u; /* keeps 0, 2 and 3 */
    expect_error(&p, CLINFER_ERR_UNSUPPORTED, "the dims not in axes must be consecutive");
}

/* ------------------------------------------------------------ the fusion pass */

/* LayerNormalization as PyTorch exports it below opset 17, written with
 * the builder: ReduceMean -> Sub -> Pow 2 (or Mul(d, d)) -> ReduceMean ->
 * Add eps -> Sqrt -> Div [-> Mul scale] [-> Add bias]. */
typedef struct ln_pattern {
    clinfer_shape shape;
    int32_t axis;      /* the first normalised dim (>= 0) */
    int square_by_mul; /* Mul(d, d) instead of Pow(d, 2) */
    int affine;        /* 0: none, 1: Mul scale and Add bias (scale first
                        * in the Mul), 2: the Add's constant is one value
                        * broadcast along every element (not fusable) */
    int mean_axis;     /* >= 0: the first ReduceMean is over this dim alone */
    float eps;
    const float *scale, *bias;
} ln_pattern;

static clinfer_status constant(clinfer_graph *g, const char *name, int32_t rank,
                               const int64_t *dims, const float *data, clinfer_value *out)
{
    const clinfer_shape s = shape_make(rank, dims);
    return clinfer_graph_constant(g, name, &s, data, out);
}

static clinfer_status add_ln_pattern(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                     clinfer_value *out)
{
    const ln_pattern *p = ctx;
    const int32_t r = p->shape.rank;
    int64_t axes[8], row_dims[8];
    int32_t naxes = 0;
    for (int32_t d = p->axis; d < r; d++)
        row_dims[naxes] = p->shape.dims[d], axes[naxes++] = d - r; /* negative, as exported */
    const float two = 2.0f, one_bias = 0.25f;
    clinfer_value m, d, sq, var, ve, sd, y, k2, keps, ks, kb;
    clinfer_status st = constant(g, "two", 0, NULL, &two, &k2);
    if (st == CLINFER_OK)
        st = constant(g, "eps", 0, NULL, &p->eps, &keps);
    if (st == CLINFER_OK && p->mean_axis >= 0) {
        const int64_t ax = p->mean_axis;
        st = clinfer_graph_reduce(g, "mean", CLINFER_REDUCE_MEAN, in[0], &ax, 1, 1, &m);
    } else if (st == CLINFER_OK) {
        st = clinfer_graph_reduce(g, "mean", CLINFER_REDUCE_MEAN, in[0], axes, naxes, 1, &m);
    }
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, "sub", CLINFER_BINARY_SUB, in[0], m, &d);
    if (st == CLINFER_OK)
        st = p->square_by_mul ? clinfer_graph_binary(g, "sq", CLINFER_BINARY_MUL, d, d, &sq)
                              : clinfer_graph_binary(g, "sq", CLINFER_BINARY_POW, d, k2, &sq);
    if (st == CLINFER_OK)
        st = clinfer_graph_reduce(g, "var", CLINFER_REDUCE_MEAN, sq, axes, naxes, 1, &var);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, "add_eps", CLINFER_BINARY_ADD, var, keps, &ve);
    if (st == CLINFER_OK)
        st = clinfer_graph_unary(g, "sqrt", CLINFER_UNARY_SQRT, ve, 0, 0, &sd);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, "div", CLINFER_BINARY_DIV, d, sd, &y);
    if (st != CLINFER_OK || !p->affine) {
        *out = y;
        return st;
    }
    st = constant(g, "scale", naxes, row_dims, p->scale, &ks);
    if (st == CLINFER_OK)
        st = p->affine == 1 ? constant(g, "bias", naxes, row_dims, p->bias, &kb)
                            : constant(g, "bias", 0, NULL, &one_bias, &kb);
    if (st == CLINFER_OK)
        st = clinfer_graph_binary(g, "mul", CLINFER_BINARY_MUL, ks, y, &y);
    return st == CLINFER_OK ? clinfer_graph_binary(g, "add", CLINFER_BINARY_ADD, y, kb, out) : st;
}

/* The kernel nodes left once the pattern's graph is compiled. */
static size_t kernel_nodes(const ln_pattern *p)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_value x, y;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &p->shape, &x), CLINFER_OK);
    cr_assert_eq(add_ln_pattern(g, &x, p, &y), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    const size_t n = clinfer_model_kernel_node_count(m);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
    return n;
}

/* Fused into `want_nodes` kernel nodes, and the result of the reference. */
static void check_pattern(ln_pattern *p, size_t want_nodes, uint32_t seed)
{
    char what[160], sb[128];
    snprintf(what, sizeof what, "LayerNorm pattern over %s from dim %d (mul %d, affine %d)",
             shape_str(&p->shape, sb, sizeof sb), (int)p->axis, p->square_by_mul, p->affine);
    size_t n = ref_numel(&p->shape), row = 1;
    for (int32_t d = p->axis; d < p->shape.rank; d++)
        row *= (size_t)p->shape.dims[d];
    float *x = test_alloc(n * 4), *want = test_alloc(n * 4), *sc = test_alloc(row * 4),
          *b = test_alloc(row * 4);
    fill_uniform(x, n, -2, 5, &seed);
    fill_uniform(sc, row, 0.5f, 2, &seed);
    fill_uniform(b, row, -1, 1, &seed);
    p->scale = sc, p->bias = b;
    ref_layer_norm(&p->shape, p->axis, x, p->affine ? sc : NULL, p->affine == 1 ? b : NULL,
                   p->eps, want);
    for (size_t i = 0; p->affine == 2 && i < n; i++)
        want[i] += 0.25f; /* the broadcast bias, added by its own node */
    const size_t got_nodes = kernel_nodes(p);
    cr_assert_eq(got_nodes, want_nodes, "%s: %zu kernel nodes after compiling, expected %zu",
                 what, got_nodes, want_nodes);
    const op_input in = {p->shape, x, 0};
    const op_test t = {what, &in, 1, add_ln_pattern, p, want, p->shape, 3e-5f, 2e-4f, {{0}}};
    test_op(&t);
    free(x), free(want), free(sc), free(b);
}

Test(norm, layernorm_pattern_is_fused)
{
    ln_pattern p;
    memset(&p, 0, sizeof p);
    p.shape = shp(3, 2, 5, 37, 0), p.axis = 2, p.eps = 1e-5f, p.mean_axis = -1;
    check_pattern(&p, 1, 80); /* no Mul or Add */
    p.affine = 1;
    check_pattern(&p, 1, 81); /* Mul(scale, y) and Add(y, bias) absorbed */
    p.square_by_mul = 1, p.shape = shp(4, 2, 3, 4, 5), p.axis = 2, p.eps = 0.1f;
    check_pattern(&p, 1, 82); /* two trailing dims, Mul(d, d) */
    p.square_by_mul = 0, p.affine = 2, p.axis = 3;
    check_pattern(&p, 2, 83); /* the scalar bias stays an Add of its own */
}

Test(norm, other_reductions_are_not_fused)
{
    ln_pattern p;
    memset(&p, 0, sizeof p);
    /* the first mean over dim 1 alone: a different computation, left as
     * the nine nodes it is (plus the Mul and Add) */
    p.shape = shp(3, 2, 5, 7, 0), p.axis = 2, p.eps = 1e-5f, p.mean_axis = 1, p.affine = 1;
    float sc[21], b[21] = {0}; /* rows of 7, then of 7 * 3 */
    for (int i = 0; i < 21; i++)
        sc[i] = 1;
    p.scale = sc, p.bias = b;
    cr_assert_eq(kernel_nodes(&p), 9);
    /* the same over every dim is LayerNormalization with axis 0: fused */
    p.mean_axis = -1;
    p.shape = shp(2, 7, 3, 0, 0), p.axis = 0;
    cr_assert_eq(kernel_nodes(&p), 1);
}

/* ------------------------------------------------------------ ONNX */

/* x [2, 6, 5, 3] -> GroupNormalization (num_groups 3 unless < 0: absent,
 * epsilon 1e-3) with scale and bias initializers of `affine` values -> y. */
static uint8_t *group_norm_model(int64_t groups, int64_t affine, const float *sc, const float *b,
                                 int64_t opset, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t d[4] = {2, 6, 5, 3};
    pb t = onnx_value_info("x", OT_FLOAT, 4, d);
    onnx_input(&g, &t);
    t = onnx_tensor_f("s", 1, &affine, sc, 1);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("b", 1, &affine, b, 0);
    onnx_initializer(&g, &t);
    pb attrs[2] = {onnx_attr_float("epsilon", 1e-3f), {0}};
    if (groups >= 0)
        attrs[1] = onnx_attr_int("num_groups", groups);
    onnx_node(&g, "GroupNormalization", "gn", "x,s,b", "y", groups < 0 ? 1 : 2, attrs);
    t = onnx_value_info("y", OT_FLOAT, 4, d);
    onnx_output(&g, &t);
    return onnx_model(&g, opset, size);
}

Test(norm, onnx_group_normalization_opset_18)
{
    const float sc[6] = {0.5f, 1.5f, -2, 1, 1, 1}, b[6] = {0.25f, -1, 3, 0, 0, 0};
    size_t size;
    uint8_t *model = group_norm_model(3, 3, sc, b, 18, &size);
    float x[180], y[180], want[180];
    uint32_t seed = 90;
    fill_uniform(x, 180, -2, 4, &seed);
    const float *in[1] = {x};
    const size_t count = 180;
    test_onnx_run(model, size, in, &count, 1, y, 180);
    const clinfer_shape xs = shp(4, 2, 6, 5, 3);
    ref_group_norm(&xs, 3, 0, x, sc, b, 1e-3f, want);
    assert_close(y, want, 180, 3e-5f, 2e-4f, "GroupNormalization opset 18 (per-group scale)");
    free(model);
}

/* x [dims] -> one node `op` with `na` attributes -> y of x's shape. */
static uint8_t *one_node_model(const char *op, int rank, const int64_t *dims, pb *attrs, int na,
                               size_t *size)
{
    onnx_graph g = {{0}};
    pb t = onnx_value_info("x", OT_FLOAT, rank, dims);
    onnx_input(&g, &t);
    onnx_node(&g, op, "n", "x", "y", na, attrs);
    t = onnx_value_info("y", OT_FLOAT, rank, dims);
    onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

/* LRN (built from a square, a pool down the channels and element-wise
 * ops) against ref_lrn: odd and even sizes, a size over C, rank 3 and 4,
 * alpha large enough that the denominator matters. */
Test(norm, onnx_lrn)
{
    const struct {
        int rank;
        int64_t dims[4], size;
        float alpha, beta, bias;
    } cases[] = {{4, {2, 7, 5, 6}, 5, 0.5f, 0.75f, 1.5f},
                 {4, {1, 9, 3, 4}, 4, 2.0f, 0.5f, 1.0f},
                 {3, {2, 5, 11, 0}, 3, 1.0f, 1.25f, 2.0f},
                 {4, {1, 3, 2, 5}, 7, 0.3f, 0.75f, 1.0f}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        clinfer_shape s = {cases[k].rank, {0}};
        size_t n = 1;
        for (int d = 0; d < cases[k].rank; d++)
            s.dims[d] = cases[k].dims[d], n *= (size_t)cases[k].dims[d];
        pb attrs[4] = {onnx_attr_int("size", cases[k].size), onnx_attr_float("alpha", cases[k].alpha),
                       onnx_attr_float("beta", cases[k].beta), onnx_attr_float("bias", cases[k].bias)};
        size_t size;
        uint8_t *model = one_node_model("LRN", cases[k].rank, cases[k].dims, attrs, 4, &size);
        float *x = test_alloc(n * 4), *y = test_alloc(n * 4), *want = test_alloc(n * 4);
        uint32_t seed = 70u + (uint32_t)k;
        fill_uniform(x, n, -3, 3, &seed);
        test_onnx_run(model, size, (const float *const[]){x}, &n, 1, y, n);
        ref_lrn(&s, cases[k].size, cases[k].alpha, cases[k].beta, cases[k].bias, x, want);
        char what[64];
        snprintf(what, sizeof what, "LRN case %zu (size %lld)", k, (long long)cases[k].size);
        assert_close(y, want, n, 1e-5f, 1e-4f, what);
        free(model), free(x), free(y), free(want);
    }
    /* Half storage, AlexNet's parameters (size 5, alpha 1e-4, beta 0.75,
     * bias 1) and inputs to 3000, as a Caffe-era first layer gives: the
     * squares (9e6) must not overflow half. */
    const int64_t dims[4] = {1, 11, 6, 7};
    const clinfer_shape s = {4, {1, 11, 6, 7}};
    const size_t n = 462;
    pb attrs[4] = {onnx_attr_int("size", 5), onnx_attr_float("alpha", 1e-4f),
                   onnx_attr_float("beta", 0.75f), onnx_attr_float("bias", 1.0f)};
    size_t size;
    uint8_t *model = one_node_model("LRN", 4, dims, attrs, 4, &size);
    float x[462], y[462], want[462];
    uint32_t seed = 75u;
    fill_uniform(x, n, -3000, 3000, &seed);
    ref_lrn(&s, 5, 1e-4f, 0.75f, 1.0f, x, want);
    setenv("CLINFER_PRECISION", "fp16", 1);
    test_onnx_run(model, size, (const float *const[]){x}, &n, 1, y, n);
    unsetenv("CLINFER_PRECISION");
    float top = 0;
    for (size_t i = 0; i < n; i++)
        top = fabsf(want[i]) > top ? fabsf(want[i]) : top;
    assert_close(y, want, n, 0.01f * top, 0.01f, "LRN in half, inputs to 3000");
    free(model);
}

/* LpNormalization (a ReduceL1 or ReduceL2 and a Div) against ref_lp_norm,
 * zero vectors included. */
Test(norm, onnx_lp_normalization)
{
    const int64_t dims[3] = {3, 5, 7};
    const clinfer_shape s = shp(3, 3, 5, 7, 0);
    const size_t n = 105;
    float x[105], y[105], want[105];
    uint32_t seed = 80u;
    fill_uniform(x, n, -2, 2, &seed);
    for (int k = 0; k < 5; k++) /* a zero vector along each axis: stays zero */
        x[k * 7] = 0;                 /* x[0, :, 0] */
    for (int k = 0; k < 7; k++)
        x[35 + 2 * 7 + k] = 0;        /* x[1, 2, :] */
    for (int k = 0; k < 3; k++)
        x[k * 35 + 4 * 7 + 6] = 0;    /* x[:, 4, 6] */
    const int64_t axes[3] = {1, -1, 0};
    for (int p = 1; p <= 2; p++)
        for (int a = 0; a < 3; a++) {
            pb attrs[2] = {onnx_attr_int("axis", axes[a]), onnx_attr_int("p", p)};
            size_t size;
            uint8_t *model = one_node_model("LpNormalization", 3, dims, attrs, 2, &size);
            test_onnx_run(model, size, (const float *const[]){x}, &n, 1, y, n);
            ref_lp_norm(&s, axes[a], p, x, want);
            char what[64];
            snprintf(what, sizeof what, "LpNormalization p %d axis %lld", p, (long long)axes[a]);
            assert_close(y, want, n, 1e-6f, 1e-5f, what);
            free(model);
        }
    pb bad[1] = {onnx_attr_int("p", 3)};
    size_t size;
    clinfer_graph *g = NULL;
    uint8_t *model = one_node_model("LpNormalization", 3, dims, bad, 1, &size);
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "p is 3, ONNX allows 1 or 2"), "message: %s",
              clinfer_last_errmsg());
    free(model);
}

Test(norm, onnx_errors_name_the_problem)
{
    const float v[6] = {1, 1, 1, 1, 1, 1};
    size_t size;
    clinfer_graph *g = NULL;
    uint8_t *model = group_norm_model(3, 6, v, v, 18, &size); /* per channel in opset 18 */
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "input 1 (scale) has shape [6], expected [3] (one "
                                            "per group in opset 18)"),
              "message: %s", clinfer_last_errmsg());
    free(model);
    model = group_norm_model(-1, 3, v, v, 18, &size);
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "attribute \"num_groups\" is required"),
              "message: %s", clinfer_last_errmsg());
    free(model);
    /* LayerNormalization with its statistics in half precision */
    onnx_graph og = {{0}};
    const int64_t d[2] = {3, 4};
    pb t = onnx_value_info("x", OT_FLOAT, 2, d);
    onnx_input(&og, &t);
    t = onnx_tensor_f("s", 1, &d[1], v, 1);
    onnx_initializer(&og, &t);
    pb attrs[1] = {onnx_attr_int("stash_type", 10)};
    onnx_node(&og, "LayerNormalization", "ln", "x,s", "y", 1, attrs);
    t = onnx_value_info("y", OT_FLOAT, 2, d);
    onnx_output(&og, &t);
    model = onnx_model(&og, 17, &size);
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "\"stash_type\" = 10: only 1 (float)"),
              "message: %s", clinfer_last_errmsg());
    free(model);
}

Test(norm, onnx_pytorch_layernorm_pattern_is_fused)
{
    /* torch.onnx at opset 13: ReduceMean(axes [-1]) -> Sub -> Pow 2.0 ->
     * ReduceMean -> Add eps -> Sqrt -> Div -> Mul weight -> Add bias */
    onnx_graph g = {{0}};
    const int64_t d[3] = {2, 5, 19}, row = 19, last = -1;
    float w[19], b[19], two = 2.0f, eps = 1e-5f;
    uint32_t seed = 95;
    fill_uniform(w, 19, 0.5f, 2, &seed);
    fill_uniform(b, 19, -1, 1, &seed);
    pb t = onnx_value_info("x", OT_FLOAT, 3, d);
    onnx_input(&g, &t);
    t = onnx_tensor_f("w", 1, &row, w, 1);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("b", 1, &row, b, 0);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("two", 0, NULL, &two, 1);
    onnx_initializer(&g, &t);
    t = onnx_tensor_f("eps", 0, NULL, &eps, 1);
    onnx_initializer(&g, &t);
    pb a1[1] = {onnx_attr_ints("axes", 1, &last)}, a2[1] = {onnx_attr_ints("axes", 1, &last)};
    onnx_node(&g, "ReduceMean", "m", "x", "mean", 1, a1);
    onnx_node(&g, "Sub", "s", "x,mean", "d", 0, NULL);
    onnx_node(&g, "Pow", "p", "d,two", "dd", 0, NULL);
    onnx_node(&g, "ReduceMean", "v", "dd", "var", 1, a2);
    onnx_node(&g, "Add", "ae", "var,eps", "ve", 0, NULL);
    onnx_node(&g, "Sqrt", "sq", "ve", "sd", 0, NULL);
    onnx_node(&g, "Div", "dv", "d,sd", "n", 0, NULL);
    onnx_node(&g, "Mul", "mw", "n,w", "nw", 0, NULL);
    onnx_node(&g, "Add", "ab", "nw,b", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 3, d);
    onnx_output(&g, &t);
    size_t size;
    uint8_t *model = onnx_model(&g, 13, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(model, size, &gr), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_model_compile(rt, gr, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_model_kernel_node_count(m), 1, "%zu kernel nodes: not fused",
                 clinfer_model_kernel_node_count(m));
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    float x[190], y[190], want[190];
    fill_uniform(x, 190, -3, 6, &seed);
    cr_assert_eq(clinfer_session_set_input(s, 0, x, 190), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, y, 190), CLINFER_OK);
    const clinfer_shape xs = shp(3, 2, 5, 19, 0);
    ref_layer_norm(&xs, -1, x, w, b, eps, want);
    assert_close(y, want, 190, 3e-5f, 2e-4f, "the ONNX LayerNorm pattern, fused");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(gr);
    clinfer_runtime_free(rt);
    free(model);
}
