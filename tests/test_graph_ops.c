/*
 * test_graph_ops.c — every op family run through the graph (builder,
 * compile passes, planner, executor) against the naive references, on
 * small non-square shapes with batch > 1, including branching graphs where
 * liveness matters.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_batchnorm.h"
#include "ref_eltwise.h"
#include "ref_gemm.h"
#include "ref_movement.h"
#include "ref_pool2d.h"
#include "ref_reduce.h"
#include "ref_softmax.h"
#include "reference.h"
#include "session.h"
#include "testutil.h"

static uint32_t seed = 2024;

static clinfer_value add_const(clinfer_graph *g, const char *name, clinfer_shape s, float *data,
                               float lo, float hi)
{
    fill_uniform(data, ref_numel(&s), lo, hi, &seed);
    clinfer_value v;
    cr_assert_eq(clinfer_graph_constant(g, name, &s, data, &v), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    return v;
}

/* Compiles g and opens a session at `batch`; the caller frees all three. */
static clinfer_session *open_session(clinfer_graph *g, int64_t batch, clinfer_runtime **rt,
                                     clinfer_model **m)
{
    *rt = test_runtime();
    *m = NULL;
    cr_assert_eq(clinfer_model_compile(*rt, g, m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(*m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    return s;
}

/* Compiles g, runs it once at `batch` with one input, reads output 0 and
 * compares it with `want`. Returns the model's kernel node count. */
static size_t run_and_compare(clinfer_graph *g, int64_t batch, const float *in, size_t in_n,
                              const float *want, size_t out_n, float atol, const char *what)
{
    clinfer_runtime *rt;
    clinfer_model *m;
    clinfer_session *s = open_session(g, batch, &rt, &m);
    float *got = test_alloc(out_n * sizeof *got);
    cr_assert_eq(clinfer_session_set_input(s, 0, in, in_n), CLINFER_OK, "%s: %s", what,
                 clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s: %s", what, clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, got, out_n), CLINFER_OK, "%s: %s", what,
                 clinfer_session_errmsg(s));
    assert_close(got, want, out_n, atol, 1e-4f, what);
    size_t kernels = clinfer_model_kernel_node_count(m);
    free(got);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    return kernels;
}

/* run_and_compare with environment variable `force` set to `value` while
 * the runtime is made (none when force is NULL). */
static size_t run_forced(const char *force, const char *value, clinfer_graph *g, int64_t batch,
                         const float *in, size_t in_n, const float *want, size_t out_n,
                         float atol, const char *what)
{
    if (force)
        setenv(force, value, 1);
    const size_t kernels = run_and_compare(g, batch, in, in_n, want, out_n, atol, what);
    if (force)
        unsetenv(force);
    return kernels;
}

static clinfer_graph *new_graph(clinfer_shape in_shape, clinfer_value *x)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &in_shape, x), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    return g;
}

#define OK(call) cr_assert_eq((call), CLINFER_OK, "%s", clinfer_last_errmsg())

/* Compiles g on a runtime made with environment variable `force` set to
 * `value` (none when force is NULL), runs it once at `batch` with inputs
 * in[0..inputs-1] (in_n[i] floats each), compares output 0 with `want`
 * (out_n floats, atol and rtol 1e-4) and returns how many of the run's
 * profiled nodes ran `kernel`; *nodes gets their number. */
static size_t run_profiled(const char *force, const char *value, clinfer_graph *g, int64_t batch,
                           const float *const *in, const size_t *in_n, int inputs,
                           const float *want, size_t out_n, const char *kernel, size_t *nodes,
                           const char *what)
{
    if (force)
        setenv(force, value, 1);
    clinfer_runtime *rt = test_runtime();
    if (force)
        unsetenv(force);
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    OK(clinfer_model_compile(rt, g, &m));
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch, o.profile = 1;
    OK(clinfer_session_create(m, &o, &s));
    float *got = test_alloc(out_n * 4);
    for (int i = 0; i < inputs; i++)
        OK(clinfer_session_set_input(s, (size_t)i, in[i], in_n[i]));
    OK(clinfer_session_run(s));
    OK(clinfer_session_get_output(s, 0, got, out_n));
    /* fp16 storage (force CLINFER_PRECISION=fp16): the input, weights and
     * each node's output rounded to half (2^-11 of the value) against the
     * float reference */
    const float tol = force && strcmp(force, "CLINFER_PRECISION") == 0 ? 2e-2f : 1e-4f;
    assert_close(got, want, out_n, tol, tol, what);
    size_t count = 0, ran = 0;
    const clinfer_node_profile *prof = clinfer_session_profile(s, &count);
    for (size_t i = 0; i < count; i++)
        ran += strcmp(prof[i].kernel, kernel) == 0;
    *nodes = count;
    free(got);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    return ran;
}

/* conv -> BatchNorm (folded) -> avgpool ceil -> BatchNorm (standalone). */
Test(graph_ops, batchnorm_folded_and_standalone)
{
    const int64_t N = 2, C = 3, H = 11, W = 8, OC = 4;
    clinfer_value x, w, b, sc, sh, mu, va, sc2, sh2, mu2, va2, conv, bn, pool, bn2;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float wd[4 * 3 * 3 * 3], bd[4], p[4][4], q[4][4];
    w = add_const(g, "w", (clinfer_shape){4, {OC, C, 3, 3}}, wd, -1, 1);
    b = add_const(g, "b", (clinfer_shape){1, {OC}}, bd, -1, 1);
    clinfer_shape cs = {1, {OC}};
    sc = add_const(g, "s", cs, p[0], 0.5f, 2), sh = add_const(g, "t", cs, p[1], -1, 1);
    mu = add_const(g, "m", cs, p[2], -1, 1), va = add_const(g, "v", cs, p[3], 0.1f, 2);
    sc2 = add_const(g, "s2", cs, q[0], 0.5f, 2), sh2 = add_const(g, "t2", cs, q[1], -1, 1);
    mu2 = add_const(g, "m2", cs, q[2], -1, 1), va2 = add_const(g, "v2", cs, q[3], 0.1f, 2);
    OK(clinfer_graph_conv2d(g, "conv", x, w, b, NULL, &conv));
    OK(clinfer_graph_batchnorm(g, "bn", conv, sc, sh, mu, va, 1e-3f, &bn));
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    pd.kind = CLINFER_POOL_AVG, pd.ceil_mode = 1;
    OK(clinfer_graph_pool2d(g, "pool", bn, &pd, &pool));
    OK(clinfer_graph_batchnorm(g, "bn2", pool, sc2, sh2, mu2, va2, 1e-5f, &bn2));
    OK(clinfer_graph_output(g, bn2, NULL));

    size_t in_n = (size_t)(N * C * H * W);
    float in[2 * 3 * 11 * 8], c1[2 * 4 * 9 * 6], c2[2 * 4 * 9 * 6], p1[2 * 4 * 5 * 3],
        want[2 * 4 * 5 * 3];
    fill_uniform(in, in_n, -1, 1, &seed);
    conv2d_params cp = conv2d_params_default();
    cp.n = N, cp.c = C, cp.h = H, cp.w = W, cp.oc = OC, cp.kh = cp.kw = 3;
    ref_conv2d(&cp, in, wd, bd, c1);
    clinfer_shape s1 = {4, {N, OC, 9, 6}}, s2 = {4, {N, OC, 5, 3}};
    ref_batchnorm(&s1, c1, p[0], p[1], p[2], p[3], 1e-3f, c2);
    pool2d_params pp = pool2d_params_default();
    pp.n = N, pp.c = OC, pp.h = 9, pp.w = 6, pp.kh = pp.kw = 2, pp.stride_h = pp.stride_w = 2;
    pp.ceil_mode = 1;
    ref_avgpool2d(&pp, c2, p1);
    ref_batchnorm(&s2, p1, q[0], q[1], q[2], q[3], 1e-5f, want);
    size_t kernels = run_and_compare(g, N, in, in_n, want, ref_numel(&s2), 1e-4f, "bn graph");
    cr_assert_eq(kernels, 3, "the first BN is folded into the conv");
    clinfer_graph_free(g);
}

/* A diamond: x -> conv a, conv b (1x1, depthwise); concat; + per-channel
 * bias; * scalar; global average; branches keep x alive across nodes. */
Test(graph_ops, branches_concat_broadcast_and_global_pool)
{
    const int64_t N = 3, C = 4, H = 7, W = 5;
    clinfer_value x, wa, wb, bias, two, a, bb, cat, added, scaled, gap;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float wad[6 * 4], wbd[4 * 9], biasd[10], twod[1];
    wa = add_const(g, "wa", (clinfer_shape){4, {6, C, 1, 1}}, wad, -1, 1);
    wb = add_const(g, "wb", (clinfer_shape){4, {C, 1, 3, 3}}, wbd, -1, 1);
    bias = add_const(g, "bias", (clinfer_shape){3, {10, 1, 1}}, biasd, -1, 1);
    two = add_const(g, "two", (clinfer_shape){0, {0}}, twod, 1.5f, 2.5f);
    OK(clinfer_graph_conv2d(g, "a", x, wa, CLINFER_NO_VALUE, NULL, &a));
    clinfer_conv2d_desc dw = clinfer_conv2d_desc_default();
    dw.groups = (int32_t)C;
    dw.pad_mode = CLINFER_PAD_SAME_LOWER;
    OK(clinfer_graph_conv2d(g, "b", x, wb, CLINFER_NO_VALUE, &dw, &bb));
    const clinfer_value parts[2] = {a, bb};
    OK(clinfer_graph_concat(g, "cat", parts, 2, 1, &cat));
    OK(clinfer_graph_binary(g, "add", CLINFER_BINARY_ADD, cat, bias, &added));
    OK(clinfer_graph_binary(g, "mul", CLINFER_BINARY_MUL, two, added, &scaled));
    OK(clinfer_graph_global_pool(g, "gap", scaled, CLINFER_POOL_AVG, &gap));
    OK(clinfer_graph_output(g, gap, NULL));

    size_t in_n = (size_t)(N * C * H * W), plane = (size_t)(H * W);
    float in[3 * 4 * 35], ra[3 * 6 * 35], rb[3 * 4 * 35], cat_d[3 * 10 * 35], sum[3 * 10 * 35];
    float want[30];
    fill_uniform(in, in_n, -1, 1, &seed);
    conv2d_params pa = conv2d_params_default();
    pa.n = N, pa.c = C, pa.h = H, pa.w = W, pa.oc = 6, pa.kh = pa.kw = 1;
    ref_conv2d(&pa, in, wad, NULL, ra);
    conv2d_params pb = pa;
    pb.oc = C, pb.kh = pb.kw = 3, pb.groups = (int32_t)C;
    pb.pad_top = pb.pad_left = pb.pad_bottom = pb.pad_right = 1;
    ref_conv2d(&pb, in, wbd, NULL, rb);
    for (int64_t n = 0; n < N; n++) {
        memcpy(cat_d + (size_t)n * 10 * plane, ra + (size_t)n * 6 * plane, 6 * plane * 4);
        memcpy(cat_d + ((size_t)n * 10 + 6) * plane, rb + (size_t)n * 4 * plane, 4 * plane * 4);
    }
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < 10; c++) {
            double acc = 0;
            for (size_t i = 0; i < plane; i++) {
                size_t k = ((size_t)n * 10 + (size_t)c) * plane + i;
                sum[k] = twod[0] * (cat_d[k] + biasd[c]);
                acc += sum[k];
            }
            want[n * 10 + c] = (float)(acc / (double)plane);
        }
    run_and_compare(g, N, in, in_n, want, 30, 1e-5f, "diamond graph");
    clinfer_graph_free(g);
}

/* Flatten -> Gemm (transB, alpha, beta, C) with fused LeakyReLU -> MatMul
 * against a constant -> LogSoftmax; then Reshape/Transpose/Pad/Reduce. */
Test(graph_ops, gemm_matmul_softmax_and_movement)
{
    const int64_t N = 5, C = 2, H = 3, W = 4, K = 24, U = 7, V = 9;
    clinfer_value x, flat, wb, cb, wm, gm, act, mm, lsm, rs, tr, pd, red;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float wbd[7 * 24], cbd[7], wmd[7 * 9];
    wb = add_const(g, "wb", (clinfer_shape){2, {U, K}}, wbd, -1, 1);
    cb = add_const(g, "cb", (clinfer_shape){2, {1, U}}, cbd, -1, 1);
    wm = add_const(g, "wm", (clinfer_shape){2, {U, V}}, wmd, -1, 1);
    OK(clinfer_graph_flatten(g, "flat", x, 1, &flat));
    OK(clinfer_graph_gemm(g, "gemm", flat, wb, cb, 0, 1, 0.5f, 2.0f, &gm));
    OK(clinfer_graph_unary(g, "leaky", CLINFER_UNARY_LEAKY_RELU, gm, 0.1f, 0, &act));
    OK(clinfer_graph_matmul(g, "mm", act, wm, &mm));
    OK(clinfer_graph_softmax(g, "lsm", mm, -1, 1, &lsm));
    clinfer_shape r3 = {3, {0, 3, 3}};
    OK(clinfer_graph_reshape(g, "rs", lsm, &r3, &rs));
    const int32_t perm[3] = {2, 0, 1};
    OK(clinfer_graph_transpose(g, "tr", rs, perm, 3, &tr));
    const int64_t pads[6] = {0, 1, 0, 1, 0, 2};
    OK(clinfer_graph_pad(g, "pad", tr, pads, 6, -0.5f, &pd));
    const int64_t axes[1] = {1};
    OK(clinfer_graph_reduce(g, "sum", CLINFER_REDUCE_SUM, pd, axes, 1, 0, &red));
    OK(clinfer_graph_output(g, red, NULL));

    size_t in_n = (size_t)(N * K);
    float in[5 * 24], y1[5 * 7], y2[5 * 9], y3[5 * 9], y4[45], y5[4 * 6 * 5], want[4 * 5];
    fill_uniform(in, in_n, -1, 1, &seed);
    gemm_params gp = gemm_params_default();
    gp.m = (int32_t)N, gp.n = (int32_t)U, gp.k = (int32_t)K, gp.trans_b = 1;
    gp.alpha = 0.5f, gp.beta = 2.0f, gp.has_c = 1, gp.c_shape = (clinfer_shape){2, {1, U}};
    gp.act = (act_params){ACT_KIND_LEAKY_RELU, 0.1f, 0};
    ref_gemm(&gp, in, wbd, cbd, y1);
    clinfer_shape as = {2, {N, U}}, bs = {2, {U, V}}, ys;
    ref_matmul(&as, &bs, y1, wmd, &ys, y2);
    ref_softmax(&ys, -1, 0, 1, y2, y3);
    transpose_params tp = {{3, {N, 3, 3}}, 3, {2, 0, 1}};
    ref_transpose(&tp, y3, y4);
    pad_params pp = pad_params_default();
    pp.input = (clinfer_shape){3, {3, N, 3}}, pp.npads = 6, pp.value = -0.5f;
    memcpy(pp.pads, pads, sizeof pads);
    ref_pad(&pp, y4, y5);
    reduce_params rp = reduce_params_default();
    /* pads: starts (0, 1, 0), ends (1, 0, 2): [3, 5, 3] -> [4, 6, 5] */
    rp.input = (clinfer_shape){3, {4, N + 1, 5}}, rp.naxes = 1, rp.axes[0] = 1, rp.keepdims = 0;
    ref_reduce(&rp, y5, want);
    size_t kernels = run_and_compare(g, N, in, in_n, want, 4 * 5, 1e-4f, "gemm/movement graph");
    cr_assert_eq(kernels, 6, "leaky relu fused into gemm; flatten and reshape are views");
    clinfer_graph_free(g);
}

/* A graph output that another node also reads, and an unfused unary. */
Test(graph_ops, intermediate_output_stays_alive)
{
    const int64_t N = 2, C = 3, H = 5, W = 6;
    clinfer_value x, e, pool, out2;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    OK(clinfer_graph_unary(g, "exp", CLINFER_UNARY_EXP, x, 0, 0, &e));
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(3);
    pd.stride_h = pd.stride_w = 1, pd.pad_top = pd.pad_left = pd.pad_bottom = pd.pad_right = 1;
    OK(clinfer_graph_pool2d(g, "pool", e, &pd, &pool));
    OK(clinfer_graph_global_pool(g, "gmax", pool, CLINFER_POOL_MAX, &out2));
    OK(clinfer_graph_output(g, e, "exp"));
    OK(clinfer_graph_output(g, out2, "gmax"));
    clinfer_runtime *rt;
    clinfer_model *m;
    clinfer_session *s = open_session(g, N, &rt, &m);
    size_t n = (size_t)(N * C * H * W);
    float in[180], want_e[180], got_e[180], pooled[180], want_g[6], got_g[6];
    fill_uniform(in, n, -2, 2, &seed);
    OK(clinfer_session_set_input(s, 0, in, n));
    OK(clinfer_session_run(s));
    OK(clinfer_session_get_output(s, 0, got_e, n));
    OK(clinfer_session_get_output(s, 1, got_g, 6));
    ref_unary(UNARY_EXP, (act_params){ACT_KIND_NONE, 0, 0}, n, in, want_e);
    pool2d_params pp = pool2d_params_default();
    pp.n = N, pp.c = C, pp.h = H, pp.w = W, pp.kh = pp.kw = 3;
    pp.pad_top = pp.pad_left = pp.pad_bottom = pp.pad_right = 1;
    ref_maxpool2d(&pp, want_e, pooled);
    globalpool_params gp = {(int32_t)N, (int32_t)C, (int32_t)H, (int32_t)W};
    ref_globalmaxpool(&gp, pooled, want_g);
    assert_close(got_e, want_e, n, 1e-5f, 1e-5f, "exp output");
    assert_close(got_g, want_g, 6, 1e-5f, 1e-5f, "global max output");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
}

/* Concat in place (host/inplace.c): at batch 1 an input that only the
 * Concat reads is written by its producer straight into its slice of the
 * output, at any float offset (kernels take a buffer and an offset); graph
 * inputs and values with other readers are still copied. Inputs: a (1x1
 * conv), x (the graph input), c (3x3 conv, also read by d), d = relu(c),
 * e = exp(x); the graph's output is -concat (a graph output is never
 * placed: the caller may rebind it). Checked against the references at
 * batch 1 and 2, and the Concat's copies counted. */
static void check_concat_in_place(int64_t H, int64_t W, int64_t N, int32_t want_copies)
{
    const int64_t C = 3;
    clinfer_value x, wa, wc, a, c, d, e, cat, neg;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float wad[2 * 3], wcd[27];
    wa = add_const(g, "wa", (clinfer_shape){4, {2, C, 1, 1}}, wad, -1, 1);
    wc = add_const(g, "wc", (clinfer_shape){4, {1, C, 3, 3}}, wcd, -1, 1);
    clinfer_conv2d_desc pad1 = clinfer_conv2d_desc_default();
    pad1.pad_top = pad1.pad_left = pad1.pad_bottom = pad1.pad_right = 1;
    OK(clinfer_graph_conv2d(g, "a", x, wa, CLINFER_NO_VALUE, NULL, &a));
    OK(clinfer_graph_conv2d(g, "c", x, wc, CLINFER_NO_VALUE, &pad1, &c));
    OK(clinfer_graph_unary(g, "d", CLINFER_UNARY_RELU, c, 0, 0, &d));
    OK(clinfer_graph_unary(g, "e", CLINFER_UNARY_EXP, x, 0, 0, &e));
    const clinfer_value parts[5] = {a, x, c, d, e};
    OK(clinfer_graph_concat(g, "cat", parts, 5, 1, &cat));
    OK(clinfer_graph_unary(g, "neg", CLINFER_UNARY_NEG, cat, 0, 0, &neg));
    OK(clinfer_graph_output(g, neg, NULL));

    const size_t plane = (size_t)(H * W), in_n = (size_t)N * C * plane;
    const size_t out_n = (size_t)N * 10 * plane;
    float *in = test_alloc(in_n * 4), *ra = test_alloc((size_t)N * 2 * plane * 4);
    float *rc = test_alloc((size_t)N * plane * 4), *rd = test_alloc((size_t)N * plane * 4);
    float *re = test_alloc(in_n * 4), *want = test_alloc(out_n * 4), *got = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    conv2d_params pa = conv2d_params_default();
    pa.n = (int32_t)N, pa.c = (int32_t)C, pa.h = (int32_t)H, pa.w = (int32_t)W, pa.oc = 2;
    pa.kh = pa.kw = 1;
    ref_conv2d(&pa, in, wad, NULL, ra);
    conv2d_params pc = pa;
    pc.oc = 1, pc.kh = pc.kw = 3;
    pc.pad_top = pc.pad_left = pc.pad_bottom = pc.pad_right = 1;
    ref_conv2d(&pc, in, wcd, NULL, rc);
    ref_unary(UNARY_ACT, (act_params){ACT_KIND_RELU, 0, 0}, (size_t)N * plane, rc, rd);
    ref_unary(UNARY_EXP, (act_params){ACT_KIND_NONE, 0, 0}, in_n, in, re);
    const float *src[5] = {ra, in, rc, rd, re};
    const size_t chans[5] = {2, 3, 1, 1, 3};
    for (size_t n = 0, o = 0; n < (size_t)N; n++)
        for (size_t k = 0; k < 5; o += chans[k] * plane, k++)
            for (size_t i = 0; i < chans[k] * plane; i++)
                want[o + i] = -src[k][n * chans[k] * plane + i];

    clinfer_runtime *rt;
    clinfer_model *m;
    clinfer_session *s = open_session(g, N, &rt, &m);
    OK(clinfer_session_set_input(s, 0, in, in_n));
    OK(clinfer_session_run(s));
    OK(clinfer_session_get_output(s, 0, got, out_n));
    char what[64];
    snprintf(what, sizeof what, "concat of %lldx%lld planes at batch %lld", (long long)H,
             (long long)W, (long long)N);
    assert_close(got, want, out_n, 1e-5f, 1e-5f, what);
    const node_exec *cat_exec = &s->execs[s->exec_count - 2];
    cr_assert_eq(s->m->g->nodes[cat_exec->node].op, OP_CONCAT);
    cr_assert_eq(cat_exec->launches.count, want_copies, "%s: %d copies, expected %d", what,
                 (int)cat_exec->launches.count, (int)want_copies);
    free(in), free(ra), free(rc), free(rd), free(re), free(want), free(got);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
}

Test(graph_ops, concat_in_place_at_batch_1)
{
    /* 4x8 planes: a, d and e are placed, x (a graph input) and c (read by
     * d too) copied. */
    check_concat_in_place(4, 8, 1, 2);
    /* batch 2: the slices are not contiguous, everything is copied */
    check_concat_in_place(4, 8, 2, 5);
    /* 5x7 planes: the slices of d and e start at odd floats (35 * 6, 35 * 7)
     * and are placed all the same */
    check_concat_in_place(5, 7, 1, 2);
}

/* Residual fusion (passes/residual.c): relu(conv2(relu(conv1(x))) + x), the
 * shortcut of a ResNet block, becomes two convolutions, the second adding x
 * before its ReLU. An Add whose other operand is computed after the
 * convolution runs (conv3(r1) + exp(r1), exp created later) stays. */
Test(graph_ops, residual_add_and_relu_fused_into_the_conv)
{
    const int64_t N = 2, C = 5, H = 6, W = 9;
    clinfer_value x, w1, w2, b2, c1, r1, c2, sum, out, c3, e, late, total;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float w1d[5 * 5 * 9], w2d[5 * 5 * 9], b2d[5];
    w1 = add_const(g, "w1", (clinfer_shape){4, {C, C, 3, 3}}, w1d, -0.3f, 0.3f);
    w2 = add_const(g, "w2", (clinfer_shape){4, {C, C, 3, 3}}, w2d, -0.3f, 0.3f);
    b2 = add_const(g, "b2", (clinfer_shape){1, {C}}, b2d, -1, 1);
    clinfer_conv2d_desc pad1 = clinfer_conv2d_desc_default();
    pad1.pad_top = pad1.pad_left = pad1.pad_bottom = pad1.pad_right = 1;
    OK(clinfer_graph_conv2d(g, "c1", x, w1, CLINFER_NO_VALUE, &pad1, &c1));
    OK(clinfer_graph_unary(g, "r1", CLINFER_UNARY_RELU, c1, 0, 0, &r1));
    OK(clinfer_graph_conv2d(g, "c2", r1, w2, b2, &pad1, &c2));
    OK(clinfer_graph_binary(g, "add", CLINFER_BINARY_ADD, c2, x, &sum));
    OK(clinfer_graph_unary(g, "relu", CLINFER_UNARY_RELU, sum, 0, 0, &out));
    OK(clinfer_graph_conv2d(g, "c3", r1, w2, CLINFER_NO_VALUE, &pad1, &c3));
    OK(clinfer_graph_unary(g, "exp", CLINFER_UNARY_EXP, r1, 0, 0, &e));
    OK(clinfer_graph_binary(g, "late", CLINFER_BINARY_ADD, c3, e, &late));
    OK(clinfer_graph_binary(g, "total", CLINFER_BINARY_ADD, out, late, &total));
    OK(clinfer_graph_output(g, total, NULL));

    const size_t n = (size_t)(N * C * H * W);
    float in[2 * 5 * 54], t1[2 * 5 * 54], t2[2 * 5 * 54], t3[2 * 5 * 54], want[2 * 5 * 54];
    fill_uniform(in, n, -1, 1, &seed);
    conv2d_params p = conv2d_params_default();
    p.n = (int32_t)N, p.c = p.oc = (int32_t)C, p.h = (int32_t)H, p.w = (int32_t)W;
    p.kh = p.kw = 3;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.act.kind = ACT_KIND_RELU;
    ref_conv2d(&p, in, w1d, NULL, t1); /* r1 */
    p.act.kind = ACT_KIND_NONE;
    ref_conv2d(&p, t1, w2d, b2d, t2);
    ref_conv2d(&p, t1, w2d, NULL, t3);
    for (size_t i = 0; i < n; i++) {
        const float s = t2[i] + in[i];
        want[i] = (s > 0 ? s : 0) + (t3[i] + expf(t1[i]));
    }
    size_t kernels = run_and_compare(g, N, in, n, want, n, 1e-5f, "residual block");
    /* c1 (+relu), c2 (+add +relu), c3, exp, late, total */
    cr_assert_eq(kernels, 6, "%zu kernel nodes: only the first Add and its ReLU are fused",
                 kernels);
    clinfer_graph_free(g);
}

/* A squeeze-excitation block, GlobalAveragePool -> 1x1 conv + ReLU -> 1x1
 * conv + HardSigmoid (MobileNetV3's) or + Swish -> 1x1 conv + Sigmoid
 * (EfficientNet's, 37 channels: vector tails everywhere, and the second
 * conv without a bias) -> Mul(scale, x) -> 1x1 projection, against the
 * naive references: the pool and the two convs become one squeeze_excite
 * node (passes/excite.c) and the Mul is fused into the projection
 * (passes/scale.c), which applies it with the cpu GEMM, or multiplies into
 * scratch first with a forced naive convolution or the gpu GEMM; the gate
 * in groups of one item (CPUs) or 64 (GPUs, forced with
 * CLINFER_POOL_VARIANT=items). When the product is also a graph output the
 * Mul stays. The projection is C -> OC at H x W (squeeze_excite: 37 or
 * 12 -> 10 at 6 x 7), compared within `tol`. */
static void squeeze_excite_at(int product_is_output, int swish, int64_t C, int64_t OC, int64_t H,
                              int64_t W, const char *force, const char *value, float tol)
{
    const int64_t N = 2, R = swish ? 6 : 5;
    clinfer_value x, w1, b1, w2, b2 = CLINFER_NO_VALUE, w3, b3, pooled, f1, f2, prod, y;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float *w1d = test_alloc((size_t)(R * C) * 4), b1d[6], *w2d = test_alloc((size_t)(C * R) * 4);
    float *b2d = test_alloc((size_t)C * 4), *w3d = test_alloc((size_t)(OC * C) * 4);
    float *b3d = test_alloc((size_t)OC * 4);
    w1 = add_const(g, "w1", (clinfer_shape){4, {R, C, 1, 1}}, w1d, -0.5f, 0.5f);
    b1 = add_const(g, "b1", (clinfer_shape){1, {R}}, b1d, -0.5f, 0.5f);
    w2 = add_const(g, "w2", (clinfer_shape){4, {C, R, 1, 1}}, w2d, -1, 1);
    if (!swish)
        b2 = add_const(g, "b2", (clinfer_shape){1, {C}}, b2d, -1, 1);
    w3 = add_const(g, "w3", (clinfer_shape){4, {OC, C, 1, 1}}, w3d, -0.5f, 0.5f);
    b3 = add_const(g, "b3", (clinfer_shape){1, {OC}}, b3d, -0.5f, 0.5f);
    OK(clinfer_graph_global_pool(g, "pool", x, CLINFER_POOL_AVG, &pooled));
    OK(clinfer_graph_conv2d(g, "fc1", pooled, w1, b1, NULL, &f1));
    OK(clinfer_graph_unary(g, "act", swish ? CLINFER_UNARY_SWISH : CLINFER_UNARY_RELU, f1,
                           swish ? 1.0f : 0.0f, 0, &f1));
    OK(clinfer_graph_conv2d(g, "fc2", f1, w2, b2, NULL, &f2));
    if (swish)
        OK(clinfer_graph_unary(g, "gate", CLINFER_UNARY_SIGMOID, f2, 0, 0, &f2));
    else
        OK(clinfer_graph_unary(g, "gate", CLINFER_UNARY_HARD_SIGMOID, f2, 0.2f, 0.5f, &f2));
    OK(clinfer_graph_binary(g, "excite", CLINFER_BINARY_MUL, f2, x, &prod));
    OK(clinfer_graph_conv2d(g, "project", prod, w3, b3, NULL, &y));
    OK(clinfer_graph_output(g, y, NULL));
    if (product_is_output)
        OK(clinfer_graph_output(g, prod, NULL));

    const size_t hw = (size_t)(H * W), in_n = (size_t)(N * C) * hw, out_n = (size_t)(N * OC) * hw;
    float *in = test_alloc(in_n * 4), *scaled = test_alloc(in_n * 4);
    float *want = test_alloc(out_n * 4), *mean = test_alloc((size_t)(N * C) * 4), h1[2 * 6];
    float *gate = test_alloc((size_t)(N * C) * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    for (size_t p = 0; p < (size_t)(N * C); p++) { /* GlobalAveragePool */
        double s = 0;
        for (size_t e = 0; e < hw; e++)
            s += in[p * hw + e];
        mean[p] = (float)(s / (double)hw);
    }
    conv2d_params p = conv2d_params_default();
    p.n = (int32_t)N, p.c = (int32_t)C, p.oc = (int32_t)R, p.h = p.w = 1, p.has_bias = 1;
    p.kh = p.kw = 1;
    p.act = swish ? (act_params){ACT_KIND_SWISH, 1.0f, 0} : (act_params){ACT_KIND_RELU, 0, 0};
    ref_conv2d(&p, mean, w1d, b1d, h1);
    p.c = (int32_t)R, p.oc = (int32_t)C, p.has_bias = !swish;
    p.act = swish ? (act_params){ACT_KIND_SIGMOID, 0, 0}
                  : (act_params){ACT_KIND_HARD_SIGMOID, 0.2f, 0.5f};
    ref_conv2d(&p, h1, w2d, swish ? NULL : b2d, gate);
    for (size_t e = 0; e < in_n; e++)
        scaled[e] = in[e] * gate[e / hw];
    p.c = (int32_t)C, p.oc = (int32_t)OC, p.h = (int32_t)H, p.w = (int32_t)W, p.has_bias = 1;
    p.act.kind = ACT_KIND_NONE;
    ref_conv2d(&p, scaled, w3d, b3d, want);

    char what[160];
    snprintf(what, sizeof what, "squeeze-excitation (%s)%s, %lld -> %lld at %lldx%lld, %s=%s",
             swish ? "Swish, Sigmoid" : "ReLU, HardSigmoid",
             product_is_output ? " (product an output)" : "", (long long)C, (long long)OC,
             (long long)H, (long long)W, force ? force : "-", value ? value : "-");
    size_t kernels = run_forced(force, value, g, N, in, in_n, want, out_n, tol, what);
    /* squeeze_excite (pool, fc1 + act, fc2 + gate), [Mul,] project */
    cr_assert_eq(kernels, product_is_output ? 3 : 2, "%s: %zu kernel nodes", what, kernels);
    free(w1d), free(w2d), free(b2d), free(w3d), free(b3d), free(in), free(scaled), free(want);
    free(mean), free(gate);
    clinfer_graph_free(g);
}

static void squeeze_excite(int product_is_output, int swish, const char *force,
                           const char *value)
{
    squeeze_excite_at(product_is_output, swish, swish ? 37 : 12, 10, 6, 7, force, value, 1e-5f);
}

Test(graph_ops, squeeze_excitation_gate_one_node_and_mul_fused_into_the_projection)
{
    for (int swish = 0; swish < 2; swish++) {
        squeeze_excite(1, swish, NULL, NULL);
        squeeze_excite(0, swish, "CLINFER_CONV_ALGO", "naive");
        squeeze_excite(0, swish, "CLINFER_GEMM_VARIANT", "gpu");
        squeeze_excite(0, swish, "CLINFER_POOL_VARIANT", "items"); /* 64 items a group */
        squeeze_excite(0, swish, NULL, NULL);
    }
    /* One item per panel of 32 columns taking every row tile of 8, where
     * gemm_packed in half storage converts the panel to float once,
     * scaling it by the gate as it goes (GEMM_FLOAT_PANEL): a projection
     * the cpu GEMM computes transposed (X^T W^T, 13x13 in 22 row tiles, K
     * 300, 10 panels of W^T an image), and a plain one (W X, 32 output
     * channels in 4 row tiles, K 64, 25 panels of X an image); panels
     * enough for 4 items per compute unit on up to 5 units; in fp32 too */
    for (int half = 0; half < 2; half++) {
        const char *force = half ? "CLINFER_PRECISION" : NULL, *value = half ? "fp16" : NULL;
        squeeze_excite_at(0, 1, 300, 320, 13, 13, force, value, half ? 1e-2f : 1e-4f);
        squeeze_excite_at(0, 1, 64, 32, 28, 28, force, value, half ? 1e-2f : 1e-4f);
    }
}

/* A 3x3 convolution over 32 channels, ReLU, then a 2x2 max pool: the pool
 * is fused into the convolution (passes/pool.c) and computed by winograd's
 * output transform where winograd is chosen (16 tiles of 4x4 per image),
 * else the node runs the convolution into scratch and the pool after it
 * (few tiles, and a forced naive convolution); against the references,
 * with a 13x11 output that the floor-mode pool trims. */
static void conv_then_pool(int64_t batch, int64_t h, int64_t w, const char *force,
                           const char *value)
{
    const int64_t C = 32, OC = 34;
    clinfer_value x, wv, bv, c1, r1, pooled;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, h, w}}, &x);
    float *wd = test_alloc((size_t)(OC * C * 9) * sizeof(float)), bd[34];
    wv = add_const(g, "w", (clinfer_shape){4, {OC, C, 3, 3}}, wd, -0.2f, 0.2f);
    bv = add_const(g, "b", (clinfer_shape){1, {OC}}, bd, -0.5f, 0.5f);
    clinfer_conv2d_desc pad1 = clinfer_conv2d_desc_default();
    pad1.pad_top = pad1.pad_left = pad1.pad_bottom = pad1.pad_right = 1;
    OK(clinfer_graph_conv2d(g, "conv", x, wv, bv, &pad1, &c1));
    OK(clinfer_graph_unary(g, "relu", CLINFER_UNARY_RELU, c1, 0, 0, &r1));
    const clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    OK(clinfer_graph_pool2d(g, "pool", r1, &pd, &pooled));
    OK(clinfer_graph_output(g, pooled, NULL));

    const size_t in_n = (size_t)(batch * C * h * w), conv_n = (size_t)(batch * OC * h * w);
    const size_t out_n = (size_t)(batch * OC * (h / 2) * (w / 2));
    float *in = test_alloc(in_n * sizeof(float)), *conv = test_alloc(conv_n * sizeof(float));
    float *want = test_alloc(out_n * sizeof(float));
    fill_uniform(in, in_n, -1, 1, &seed);
    conv2d_params p = conv2d_params_default();
    p.n = (int32_t)batch, p.c = (int32_t)C, p.oc = (int32_t)OC, p.h = (int32_t)h, p.w = (int32_t)w;
    p.kh = p.kw = 3, p.has_bias = 1;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.act.kind = ACT_KIND_RELU;
    ref_conv2d(&p, in, wd, bd, conv);
    pool2d_params pp = pool2d_params_default();
    pp.n = p.n, pp.c = p.oc, pp.h = p.h, pp.w = p.w, pp.kh = pp.kw = 2;
    pp.stride_h = pp.stride_w = 2;
    ref_maxpool2d(&pp, conv, want);

    char what[96];
    snprintf(what, sizeof what, "conv + pool, batch %lld, %lldx%lld, %s=%s", (long long)batch,
             (long long)h, (long long)w, force ? force : "-", value ? value : "-");
    size_t kernels = run_forced(force, value, g, batch, in, in_n, want, out_n, 1e-4f, what);
    cr_assert_eq(kernels, 1, "%s: %zu kernel nodes (the pool and the ReLU fused)", what, kernels);
    free(in), free(conv), free(want), free(wd);
    clinfer_graph_free(g);
}

Test(graph_ops, max_pool_fused_after_a_wide_3x3_conv)
{
    conv_then_pool(3, 13, 11, NULL, NULL);                   /* winograd, pooled in it */
    conv_then_pool(1, 9, 9, NULL, NULL);                     /* the conv, then the pool */
    conv_then_pool(3, 13, 11, "CLINFER_CONV_ALGO", "naive"); /* forced: apart as well */
}

/* A network's first layer as SqueezeNet has it: a 3 -> 20 convolution,
 * 3x3 at stride 2, ReLU, then a max pool whose windows overlap (3x3 at
 * stride 2; ceil mode, or padding 1 given by auto_pad SAME_UPPER): the
 * pool is fused into the convolution (passes/pool.c's window pools) and
 * computed by conv2d_stem_pool, or, with a forced algorithm other than
 * the stem, the node runs the convolution into scratch and the pool
 * after it. Against ref_conv2d and ref_maxpool2d, batch 2. */
static void stem_then_pool(int ceil_mode, int same_upper, const char *force, const char *value)
{
    const int64_t N = 2, C = 3, OC = 20, H = 31, W = 45;
    clinfer_value x, wv, bv, c1, r1, pooled;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float *wd = test_alloc((size_t)(OC * C * 9) * sizeof(float)), bd[20];
    wv = add_const(g, "w", (clinfer_shape){4, {OC, C, 3, 3}}, wd, -0.5f, 0.5f);
    bv = add_const(g, "b", (clinfer_shape){1, {OC}}, bd, -0.5f, 0.5f);
    clinfer_conv2d_desc cd = clinfer_conv2d_desc_default();
    cd.stride_h = cd.stride_w = 2;
    OK(clinfer_graph_conv2d(g, "conv", x, wv, bv, &cd, &c1));
    OK(clinfer_graph_unary(g, "relu", CLINFER_UNARY_RELU, c1, 0, 0, &r1));
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(3);
    pd.stride_h = pd.stride_w = 2;
    pd.ceil_mode = ceil_mode;
    if (same_upper)
        pd.pad_mode = CLINFER_PAD_SAME_UPPER;
    OK(clinfer_graph_pool2d(g, "pool", r1, &pd, &pooled));
    OK(clinfer_graph_output(g, pooled, NULL));

    conv2d_params p = conv2d_params_default();
    p.n = (int32_t)N, p.c = (int32_t)C, p.oc = (int32_t)OC, p.h = (int32_t)H, p.w = (int32_t)W;
    p.kh = p.kw = 3, p.stride_h = p.stride_w = 2, p.has_bias = 1;
    p.act.kind = ACT_KIND_RELU;
    const int32_t oh = (int32_t)(H - 3) / 2 + 1, ow = (int32_t)(W - 3) / 2 + 1; /* 15 x 22 */
    pool2d_params pp = pool2d_params_default();
    pp.n = p.n, pp.c = p.oc, pp.h = oh, pp.w = ow, pp.kh = pp.kw = 3;
    pp.stride_h = pp.stride_w = 2, pp.ceil_mode = ceil_mode;
    if (same_upper) { /* ONNX SAME_UPPER: out = ceil(in / 2), the odd pad at the end */
        const int32_t th = ((oh + 1) / 2 - 1) * 2 + 3 - oh, tw = ((ow + 1) / 2 - 1) * 2 + 3 - ow;
        pp.pad_top = th / 2, pp.pad_bottom = th - th / 2;
        pp.pad_left = tw / 2, pp.pad_right = tw - tw / 2;
    }
    const int32_t ph = ref_pool_out(oh, 3, 2, pp.pad_top, pp.pad_bottom, 1, ceil_mode);
    const int32_t pw = ref_pool_out(ow, 3, 2, pp.pad_left, pp.pad_right, 1, ceil_mode);
    const size_t in_n = (size_t)(N * C * H * W), conv_n = (size_t)(N * OC * oh * ow);
    const size_t out_n = (size_t)(N * OC * ph * pw);
    float *in = test_alloc(in_n * sizeof(float)), *conv = test_alloc(conv_n * sizeof(float));
    float *want = test_alloc(out_n * sizeof(float));
    fill_uniform(in, in_n, -1, 1, &seed);
    ref_conv2d(&p, in, wd, bd, conv);
    ref_maxpool2d(&pp, conv, want);

    char what[96];
    snprintf(what, sizeof what, "stem + pool, ceil %d, same_upper %d, %s=%s", ceil_mode,
             same_upper, force ? force : "-", value ? value : "-");
    size_t kernels = run_forced(force, value, g, N, in, in_n, want, out_n, 1e-4f, what);
    cr_assert_eq(kernels, 1, "%s: %zu kernel nodes (the pool and the ReLU fused)", what, kernels);
    free(in), free(conv), free(want), free(wd);
    clinfer_graph_free(g);
}

Test(graph_ops, overlapping_max_pool_fused_after_a_stem)
{
    stem_then_pool(1, 0, NULL, NULL);                     /* conv2d_stem_pool */
    stem_then_pool(0, 1, NULL, NULL);                     /* padded by auto_pad */
    stem_then_pool(1, 0, "CLINFER_CONV_ALGO", "direct");  /* forced: the pool apart */
    stem_then_pool(0, 1, "CLINFER_CONV_ALGO", "stem");    /* forced stem: fused */
}

/* An inverted residual block (MobileNetV2's): 1x1 expansion C -> E with
 * its activation, depthwise KxK (stride 1 or 2) with its own, 1x1
 * projection E -> C, and at stride 1 the residual Add. Where the runtime
 * computes it, the tensor between the expansion and the depthwise layer
 * is channel-blocked (passes/layout.c): with one activation for both the
 * pair is one exdw node (passes/exdw.c, conv2d_expand_c16), else the
 * depthwise layer reads the layout (conv2d_depthwise_c16); a forced
 * convolution algorithm or depthwise variant turns both off. Against
 * ref_conv2d, batch 2. */
typedef struct inverted_case {
    int stride, k, biases;
    int64_t C, E, H, W;
    clinfer_activation act_ex, act_dw;
    int no_projection; /* 1: the depthwise output is the graph's */
} inverted_case;

static act_params act_of(clinfer_activation a)
{
    return (act_params){(act_kind)a, a == CLINFER_ACT_CLIP ? 0.0f : 0.0f,
                        a == CLINFER_ACT_CLIP ? 6.0f : 0.0f};
}

static clinfer_conv2d_desc conv_with_act(clinfer_activation a)
{
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.activation = a, d.act_alpha = act_of(a).a, d.act_beta = act_of(a).b;
    return d;
}

/* The references of the block t for input `in` into want. */
static void inverted_reference(const inverted_case *t, int64_t N, const float *in,
                               const float *we_d, const float *be_d, const float *wd_d,
                               const float *bd_d, const float *wp_d, const float *bp_d,
                               float *want)
{
    const int64_t OH = (t->H - 1) / t->stride + 1, OW = (t->W - 1) / t->stride + 1;
    float *t1 = test_alloc((size_t)(N * t->E * t->H * t->W) * 4);
    float *t2 = test_alloc((size_t)(N * t->E * OH * OW) * 4);
    conv2d_params pe = conv2d_params_default();
    pe.n = (int32_t)N, pe.c = (int32_t)t->C, pe.h = (int32_t)t->H, pe.w = (int32_t)t->W;
    pe.oc = (int32_t)t->E, pe.kh = pe.kw = 1, pe.has_bias = t->biases;
    pe.act = act_of(t->act_ex);
    ref_conv2d(&pe, in, we_d, be_d, t1);
    conv2d_params pd = pe;
    pd.c = (int32_t)t->E, pd.kh = pd.kw = t->k, pd.groups = (int32_t)t->E;
    pd.stride_h = pd.stride_w = t->stride;
    pd.pad_top = pd.pad_left = pd.pad_bottom = pd.pad_right = t->k / 2;
    pd.act = act_of(t->act_dw);
    ref_conv2d(&pd, t1, wd_d, bd_d, t->no_projection ? want : t2);
    if (t->no_projection) {
        free(t1), free(t2);
        return;
    }
    conv2d_params pp = conv2d_params_default();
    pp.n = (int32_t)N, pp.c = (int32_t)t->E, pp.h = (int32_t)OH, pp.w = (int32_t)OW;
    pp.oc = (int32_t)t->C, pp.kh = pp.kw = 1, pp.has_bias = 1;
    ref_conv2d(&pp, t2, wp_d, bp_d, want);
    const size_t out_n = (size_t)(N * t->C * OH * OW);
    for (size_t i = 0; t->stride == 1 && i < out_n; i++)
        want[i] += in[i];
    free(t1), free(t2);
}

/* Runs t (forced knob `force` = value, or none) and checks that `kernel`
 * computed `expected` of its nodes. */
static void inverted_residual(const inverted_case *t, const char *force, const char *value,
                              const char *kernel, size_t expected)
{
    const int64_t N = 2, C = t->C, E = t->E, H = t->H, W = t->W, K = t->k;
    clinfer_value x, we, be = CLINFER_NO_VALUE, wd, bd = CLINFER_NO_VALUE, wp, bp, e, d, p, y;
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, C, H, W}}, &x);
    float *we_d = test_alloc((size_t)(E * C) * 4), *be_d = test_alloc((size_t)E * 4);
    float *wd_d = test_alloc((size_t)(E * K * K) * 4), *bd_d = test_alloc((size_t)E * 4);
    float *wp_d = test_alloc((size_t)(C * E) * 4), *bp_d = test_alloc((size_t)C * 4);
    we = add_const(g, "we", (clinfer_shape){4, {E, C, 1, 1}}, we_d, -0.4f, 0.4f);
    wd = add_const(g, "wd", (clinfer_shape){4, {E, 1, K, K}}, wd_d, -0.5f, 0.5f);
    if (t->biases) {
        be = add_const(g, "be", (clinfer_shape){1, {E}}, be_d, -0.5f, 0.5f);
        bd = add_const(g, "bd", (clinfer_shape){1, {E}}, bd_d, -0.5f, 0.5f);
    }
    wp = add_const(g, "wp", (clinfer_shape){4, {C, E, 1, 1}}, wp_d, -0.3f, 0.3f);
    bp = add_const(g, "bp", (clinfer_shape){1, {C}}, bp_d, -0.5f, 0.5f);
    const clinfer_conv2d_desc ex = conv_with_act(t->act_ex);
    clinfer_conv2d_desc dw = conv_with_act(t->act_dw);
    dw.groups = E, dw.stride_h = dw.stride_w = t->stride;
    dw.pad_top = dw.pad_left = dw.pad_bottom = dw.pad_right = t->k / 2;
    OK(clinfer_graph_conv2d(g, "expand", x, we, be, &ex, &e));
    OK(clinfer_graph_conv2d(g, "dw", e, wd, bd, &dw, &d));
    OK(clinfer_graph_conv2d(g, "project", d, wp, bp, NULL, &p));
    if (t->stride == 1)
        OK(clinfer_graph_binary(g, "add", CLINFER_BINARY_ADD, p, x, &y));
    OK(clinfer_graph_output(g, t->no_projection ? d : t->stride == 1 ? y : p, NULL));

    const int64_t OH = (H - 1) / t->stride + 1, OW = (W - 1) / t->stride + 1;
    const size_t in_n = (size_t)(N * C * H * W);
    const size_t out_n = (size_t)(N * (t->no_projection ? E : C) * OH * OW);
    float *in = test_alloc(in_n * 4), *want = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    inverted_reference(t, N, in, we_d, be_d, wd_d, bd_d, wp_d, bp_d, want);

    char what[160];
    snprintf(what, sizeof what,
             "inverted residual %lld -> %lld, %lldx%lld, %lldx%lld stride %d%s%s, %s=%s",
             (long long)C, (long long)E, (long long)H, (long long)W, (long long)K,
             (long long)K, t->stride, t->biases ? "" : " no biases",
             t->no_projection ? " no projection" : "", force ? force : "-", value ? value : "-");
    const float *ins[] = {in};
    size_t nodes = 0;
    const size_t ran = run_profiled(force, value, g, N, ins, &in_n, 1, want, out_n, kernel,
                                    &nodes, what);
    cr_assert_eq(ran, expected, "%s: %zu nodes ran %s, expected %zu", what, ran, kernel,
                 expected);
    free(in), free(want), free(we_d), free(be_d), free(wd_d), free(bd_d), free(wp_d), free(bp_d);
    clinfer_graph_free(g);
}

Test(graph_ops, inverted_residual_block_in_the_channel_blocked_layout)
{
    clinfer_runtime *rt = test_runtime();
    const size_t cpu = (size_t)conv2d_blocked_layout_ok(rt);
    clinfer_runtime_free(rt);
    const clinfer_activation clip = CLINFER_ACT_CLIP, swish = CLINFER_ACT_SWISH;
    /* 13x11: 143 pixels, a last partial step of 8; 7x5 and 2x3 (fewer
     * pixels than a step), 5x5 windows with Swish and no biases, 3 and 5
     * input channels, 48 and 80 expanded (3 and 5 blocks of 16), 40 and
     * 24 (a last partial block) */
    const inverted_case fused[] = {
        {1, 3, 1, 24, 48, 13, 11, clip, clip, 0}, {2, 3, 1, 24, 48, 13, 11, clip, clip, 0},
        {2, 5, 0, 5, 80, 7, 5, swish, swish, 0},  {1, 5, 1, 3, 32, 7, 5, swish, swish, 0},
        {1, 3, 1, 24, 48, 2, 3, clip, clip, 0},   {2, 3, 0, 16, 32, 1, 1, clip, clip, 0},
        {1, 3, 1, 8, 40, 9, 7, clip, clip, 0},    {2, 5, 0, 6, 24, 11, 13, swish, swish, 0},
    };
    for (size_t i = 0; i < sizeof fused / sizeof fused[0]; i++)
        inverted_residual(&fused[i], NULL, NULL, "conv2d_expand_c16", cpu);
    /* images over 1024 pixels whose depthwise output no lone projection
     * reads (dwpw.c takes those): bands of rows, 37 output rows in 2 (3x3,
     * stride 1, rows of 41), 35 in 3 (5x5, stride 2, rows of 33), and 72
     * channels (4.5 blocks) over 40x30 */
    const inverted_case wide[] = {
        {1, 3, 1, 3, 32, 37, 41, clip, clip, 1},
        {2, 5, 0, 5, 16, 70, 33, swish, swish, 1},
        {2, 5, 1, 4, 72, 40, 30, swish, swish, 1},
    };
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        inverted_residual(&wide[i], NULL, NULL, "conv2d_expand_c16", cpu);
    /* over 1024 pixels with a lone projection: dwpw.c's */
    const inverted_case dwpw = {1, 3, 1, 24, 48, 37, 41, clip, clip, 0};
    inverted_residual(&dwpw, NULL, NULL, "conv2d_expand_c16", 0);
    inverted_residual(&dwpw, NULL, NULL, "conv2d_dwpw", cpu);
    /* two activations: the depthwise layer reads the blocked layout */
    const inverted_case apart = {1, 3, 1, 24, 48, 13, 11, clip, CLINFER_ACT_NONE, 0};
    inverted_residual(&apart, NULL, NULL, "conv2d_depthwise_c16", cpu);
    inverted_residual(&apart, NULL, NULL, "conv2d_expand_c16", 0);
    inverted_residual(&fused[0], "CLINFER_CONV_ALGO", "naive", "conv2d_expand_c16", 0);
    inverted_residual(&fused[1], "CLINFER_DEPTHWISE_VARIANT", "gpu", "conv2d_expand_c16", 0);
    inverted_residual(&fused[1], "CLINFER_DEPTHWISE_VARIANT", "gpu", "conv2d_depthwise_c16", 0);
    /* fp16 storage takes the same kernels (their half paths convert a
     * step's pixels at once): a partial last step, clamped steps of a
     * 2x3 image, bands, the blocked layout */
    const inverted_case *halves[] = {&fused[0], &fused[3], &fused[4], &wide[1]};
    for (size_t i = 0; i < sizeof halves / sizeof halves[0]; i++)
        inverted_residual(halves[i], "CLINFER_PRECISION", "fp16", "conv2d_expand_c16", cpu);
    inverted_residual(&apart, "CLINFER_PRECISION", "fp16", "conv2d_depthwise_c16", cpu);
}

/* A depthwise convolution and the 1x1 convolution after it (an inverted
 * residual block's depthwise layer and projection), with or without the
 * biases, a residual (a second graph input), and before a stride-2
 * depthwise layer the block's 1x1 expansion, against ref_conv2d. Where
 * the runtime computes it, the pair (or the three) is one conv2d_dwpw node
 * (passes/dwpw.c): its rows of 4 (a last partial block), output rows that
 * end inside a vector and the 5x5 window. A forced convolution algorithm
 * keeps the layers apart. */
typedef struct dwpw_case {
    int64_t n, c, h, w, oc;
    int64_t ek; /* > 0: a 1x1 expansion ek -> c with the same activation first */
    int32_t k, stride, pad[4]; /* top, left, bottom, right */
    int dw_bias, pw_bias, residual;
    clinfer_unary_op act; /* after the depthwise layer (RELU or CLIP 0..6) */
} dwpw_case;

static void depthwise_pointwise(const dwpw_case *t, const char *force, const char *value,
                                int fused)
{
    const int64_t OH = (t->h + t->pad[0] + t->pad[2] - t->k) / t->stride + 1;
    const int64_t OW = (t->w + t->pad[1] + t->pad[3] - t->k) / t->stride + 1;
    clinfer_value x, r = 0, wd, bd = 0, wp = 0, bp = 0, d, da, p, y, e = 0;
    const int64_t cin = t->ek > 0 ? t->ek : t->c; /* the graph input's channels */
    clinfer_graph *g = new_graph((clinfer_shape){4, {CLINFER_BATCH_DIM, cin, t->h, t->w}}, &x);
    float *we_d = test_alloc((size_t)(t->c * cin) * 4), *be_d = test_alloc((size_t)t->c * 4);
    if (t->ek > 0) {
        clinfer_value we = add_const(g, "we", (clinfer_shape){4, {t->c, t->ek, 1, 1}}, we_d, -0.4f,
                                     0.4f);
        clinfer_value be = add_const(g, "be", (clinfer_shape){1, {t->c}}, be_d, -0.5f, 0.5f);
        clinfer_value ec;
        OK(clinfer_graph_conv2d(g, "expand", x, we, be, NULL, &ec));
        OK(clinfer_graph_unary(g, "eact", t->act, ec, 0, 6, &e));
    }
    if (t->residual) {
        clinfer_shape rs = {4, {CLINFER_BATCH_DIM, t->oc > 0 ? t->oc : t->c, OH, OW}};
        OK(clinfer_graph_input(g, "r", &rs, &r));
    }
    float *wd_d = test_alloc((size_t)(t->c * t->k * t->k) * 4);
    float *bd_d = test_alloc((size_t)t->c * 4);
    float *wp_d = test_alloc((size_t)((t->oc + 1) * t->c) * 4);
    float *bp_d = test_alloc((size_t)(t->oc + 1) * 4);
    wd = add_const(g, "wd", (clinfer_shape){4, {t->c, 1, t->k, t->k}}, wd_d, -0.5f, 0.5f);
    if (t->dw_bias)
        bd = add_const(g, "bd", (clinfer_shape){1, {t->c}}, bd_d, -0.5f, 0.5f);
    const int project = t->oc > 0; /* else the output is the depthwise layer's */
    const int64_t oc = project ? t->oc : t->c;
    if (project)
        wp = add_const(g, "wp", (clinfer_shape){4, {t->oc, t->c, 1, 1}}, wp_d, -0.3f, 0.3f);
    if (t->pw_bias)
        bp = add_const(g, "bp", (clinfer_shape){1, {t->oc}}, bp_d, -0.5f, 0.5f);
    clinfer_conv2d_desc dw = clinfer_conv2d_desc_default();
    dw.groups = (int32_t)t->c, dw.stride_h = dw.stride_w = t->stride;
    dw.pad_top = t->pad[0], dw.pad_left = t->pad[1], dw.pad_bottom = t->pad[2];
    dw.pad_right = t->pad[3];
    OK(clinfer_graph_conv2d(g, "dw", t->ek > 0 ? e : x, wd, t->dw_bias ? bd : CLINFER_NO_VALUE, &dw,
                            &d));
    OK(clinfer_graph_unary(g, "act", t->act, d, 0, 6, &da));
    if (project)
        OK(clinfer_graph_conv2d(g, "project", da, wp, t->pw_bias ? bp : CLINFER_NO_VALUE, NULL,
                                &p));
    else
        p = da;
    if (t->residual)
        OK(clinfer_graph_binary(g, "add", CLINFER_BINARY_ADD, p, r, &y));
    OK(clinfer_graph_output(g, t->residual ? y : p, NULL));

    const size_t in_n = (size_t)(t->n * cin * t->h * t->w);
    const size_t out_n = (size_t)(t->n * oc * OH * OW);
    float *in = test_alloc(in_n * 4), *res = test_alloc(out_n * 4);
    float *ex = test_alloc((size_t)(t->n * t->c * t->h * t->w) * 4);
    float *mid = test_alloc((size_t)(t->n * t->c * OH * OW) * 4), *want = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    fill_uniform(res, out_n, -1, 1, &seed);
    const act_params act = t->act == CLINFER_UNARY_CLIP ? (act_params){ACT_KIND_CLIP, 0, 6}
                                                        : (act_params){ACT_KIND_RELU, 0, 0};
    if (t->ek > 0) {
        conv2d_params pe = conv2d_params_default();
        pe.n = (int32_t)t->n, pe.c = (int32_t)t->ek, pe.h = (int32_t)t->h, pe.w = (int32_t)t->w;
        pe.oc = (int32_t)t->c, pe.kh = pe.kw = 1, pe.has_bias = 1, pe.act = act;
        ref_conv2d(&pe, in, we_d, be_d, ex);
    } else {
        memcpy(ex, in, in_n * 4);
    }
    conv2d_params pd = conv2d_params_default();
    pd.n = (int32_t)t->n, pd.c = pd.oc = pd.groups = (int32_t)t->c;
    pd.h = (int32_t)t->h, pd.w = (int32_t)t->w, pd.kh = pd.kw = t->k;
    pd.stride_h = pd.stride_w = t->stride, pd.has_bias = t->dw_bias;
    pd.pad_top = t->pad[0], pd.pad_left = t->pad[1], pd.pad_bottom = t->pad[2];
    pd.pad_right = t->pad[3];
    pd.act = act;
    ref_conv2d(&pd, ex, wd_d, bd_d, mid);
    conv2d_params pp = conv2d_params_default();
    pp.n = (int32_t)t->n, pp.c = (int32_t)t->c, pp.h = (int32_t)OH, pp.w = (int32_t)OW;
    pp.oc = (int32_t)t->oc, pp.kh = pp.kw = 1, pp.has_bias = t->pw_bias;
    if (project)
        ref_conv2d(&pp, mid, wp_d, bp_d, want);
    else
        memcpy(want, mid, out_n * 4);
    for (size_t i = 0; t->residual && i < out_n; i++)
        want[i] += res[i];

    char what[128];
    snprintf(what, sizeof what, "1x1 %lld -> dw %dx%d /%d %lldx%lld C %lld -> 1x1 %lld, %s=%s",
             (long long)t->ek, t->k, t->k, t->stride, (long long)t->h, (long long)t->w,
             (long long)t->c, (long long)t->oc, force ? force : "-", value ? value : "-");
    const float *ins[] = {in, res};
    const size_t ins_n[] = {in_n, out_n};
    size_t count = 0;
    const size_t dwpw = run_profiled(force, value, g, t->n, ins, ins_n, t->residual ? 2 : 1, want,
                                     out_n, "conv2d_dwpw", &count, what);
    /* fused (passes/dwpw.c): a depthwise layer with the projection after
     * it, and the expansion before it too before a 3x3 stride-2 layer; a
     * depthwise layer without a projection stays apart, or with the
     * expansion before it (the same activation) makes one exdw node
     * (passes/exdw.c); else one node per layer */
    const int with_expansion = t->ek > 0 && t->k == 3 && t->stride == 2;
    const size_t want_dwpw = fused && project;
    const int exdw = fused && !project && t->ek > 0;
    const size_t layers = (t->ek > 0) + 1 + project;
    const size_t want_nodes = want_dwpw ? layers - 1 - (size_t)with_expansion
                              : exdw    ? 1
                                        : layers;
    cr_assert_eq(dwpw, want_dwpw, "%s: %zu conv2d_dwpw nodes, expected %zu", what, dwpw,
                 want_dwpw);
    cr_assert_eq(count, want_nodes, "%s: %zu kernel nodes, expected %zu", what, count,
                 want_nodes);
    free(in), free(res), free(ex), free(mid), free(want);
    free(wd_d), free(bd_d), free(wp_d), free(bp_d), free(we_d), free(be_d);
    clinfer_graph_free(g);
}

Test(graph_ops, depthwise_then_pointwise_fused)
{
    clinfer_runtime *rt = test_runtime();
    const int cpu = conv2d_blocked_layout_ok(rt);
    clinfer_runtime_free(rt);
    const dwpw_case cases[] = {
        /* stride 2, odd sizes, both biases, ReLU6, batch 2: rows of 31 */
        {2, 20, 23, 61, 13, 0, 3, 2, {1, 1, 1, 1}, 1, 1, 0, CLINFER_UNARY_CLIP},
        /* 5x5, stride 1, residual, no biases, 9 rows (a block of 1) */
        {1, 24, 9, 30, 7, 0, 5, 1, {2, 2, 2, 2}, 0, 0, 1, CLINFER_UNARY_RELU},
        /* 113 columns (a last vector of 1), residual, asymmetric padding */
        {1, 17, 14, 113, 16, 0, 3, 1, {0, 1, 2, 1}, 1, 1, 1, CLINFER_UNARY_CLIP},
        /* stride 2 with padding on the bottom right only (TF's SAME) */
        {2, 9, 12, 58, 6, 0, 3, 2, {0, 0, 1, 1}, 1, 0, 0, CLINFER_UNARY_RELU},
        /* with the expansion before it (stride 2): 7 -> 18 channels (4 at
         * a time: a last partial group), rows of 57 (a last step of 25) */
        {2, 18, 13, 57, 11, 7, 3, 2, {1, 1, 1, 1}, 1, 1, 0, CLINFER_UNARY_CLIP},
        /* 5x5, 64 columns (whole steps), a residual, padding bottom right:
         * only the depthwise layer and projection fused (5x5 windows) */
        {1, 8, 10, 64, 8, 5, 5, 2, {1, 1, 2, 2}, 0, 1, 1, CLINFER_UNARY_RELU},
        /* the expansion and the depthwise layer, no projection after it
         * (as before EfficientNet's squeeze-excitation): not fused */
        {2, 10, 15, 70, 0, 6, 3, 2, {1, 1, 1, 1}, 1, 0, 0, CLINFER_UNARY_CLIP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        depthwise_pointwise(&cases[i], NULL, NULL, cpu);
        depthwise_pointwise(&cases[i], "CLINFER_CONV_ALGO", "naive", 0);
    }
    /* fp16 storage: the same kernel (its projection's weights converted
     * by vectors) */
    for (size_t i = 0; i < 5; i++)
        depthwise_pointwise(&cases[i], "CLINFER_PRECISION", "fp16", cpu);
}
