/*
 * test_chain.c — a small network run as one chained launch (host/chain.c,
 * kernels/chain.cl) against naive C references: a strided, unevenly padded
 * convolution with LeakyReLU, a convolution with bias, ReLU and a fused
 * 2x2 max pool, a dense layer with sigmoid, a Gemm with transposed B,
 * alpha, beta and a per-column C, and (Log)Softmax; channel and output
 * counts that are not multiples of 16, batch 1 and 3. The same graph with
 * CLINFER_CHAIN=off (a launch per node) agrees, and a session whose output
 * is bound to a caller's buffer falls back to a launch per node.
 * The other way a run can reach the device in one call, the command-buffer
 * replay (host/replay.c), is tested on the same network at the end.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer_cl.h"
#include "ref_gemm.h"
#include "ref_pool2d.h"
#include "ref_softmax.h"
#include "reference.h"
#include "testutil.h"

#define IN_C 3
#define IN_H 19
#define IN_W 13
#define C1 20 /* conv A: 3x3 stride 2, pads top 1 left 1 bottom 2 right 0 -> 10 x 6 */
#define H1 10
#define W1 6
#define C2 24 /* conv B: 3x3 -> 8 x 4, 2x2 max pool -> 4 x 2 */
#define H2 4
#define W2 2
#define K3 (C2 * H2 * W2)
#define N3 37 /* dense, sigmoid */
#define N4 10 /* Gemm, transposed B */

typedef struct chain_net {
    float wa[C1 * IN_C * 9], wb[C2 * C1 * 9], bb[C2], w3[K3 * N3], b3[N3], w4[N4 * N3], c4[N4];
} chain_net;

static clinfer_value constant(clinfer_graph *g, const char *name, clinfer_shape s, float *data,
                              uint32_t *seed)
{
    fill_uniform(data, ref_numel(&s), -0.5f, 0.5f, seed);
    clinfer_value v = CLINFER_NO_VALUE;
    cr_assert_eq(clinfer_graph_constant(g, name, &s, data, &v), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    return v;
}

static clinfer_model *build(clinfer_runtime *rt, chain_net *w, int log)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    uint32_t seed = 11;
    clinfer_shape in_shape = {4, {CLINFER_BATCH_DIM, IN_C, IN_H, IN_W}};
    clinfer_value x, a, b, p, f, d, y, prob;
    cr_assert_eq(clinfer_graph_input(g, "image", &in_shape, &x), CLINFER_OK);
    clinfer_conv2d_desc da = clinfer_conv2d_desc_default();
    da.stride_h = da.stride_w = 2;
    da.pad_top = 1, da.pad_left = 1, da.pad_bottom = 2, da.pad_right = 0;
    da.activation = CLINFER_ACT_LEAKY_RELU, da.act_alpha = 0.1f;
    clinfer_value wa = constant(g, "wa", (clinfer_shape){4, {C1, IN_C, 3, 3}}, w->wa, &seed);
    cr_assert_eq(clinfer_graph_conv2d(g, "a", x, wa, CLINFER_NO_VALUE, &da, &a), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    clinfer_conv2d_desc db = clinfer_conv2d_desc_default();
    db.activation = CLINFER_ACT_RELU;
    clinfer_value wb = constant(g, "wb", (clinfer_shape){4, {C2, C1, 3, 3}}, w->wb, &seed);
    clinfer_value bb = constant(g, "bb", (clinfer_shape){1, {C2}}, w->bb, &seed);
    cr_assert_eq(clinfer_graph_conv2d(g, "b", a, wb, bb, &db, &b), CLINFER_OK);
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    cr_assert_eq(clinfer_graph_pool2d(g, "p", b, &pd, &p), CLINFER_OK);
    cr_assert_eq(clinfer_graph_flatten(g, "f", p, 1, &f), CLINFER_OK);
    clinfer_value w3 = constant(g, "w3", (clinfer_shape){2, {K3, N3}}, w->w3, &seed);
    clinfer_value b3 = constant(g, "b3", (clinfer_shape){1, {N3}}, w->b3, &seed);
    cr_assert_eq(clinfer_graph_dense(g, "d", f, w3, b3, CLINFER_ACT_SIGMOID, &d), CLINFER_OK);
    clinfer_value w4 = constant(g, "w4", (clinfer_shape){2, {N4, N3}}, w->w4, &seed);
    clinfer_value c4 = constant(g, "c4", (clinfer_shape){1, {N4}}, w->c4, &seed);
    cr_assert_eq(clinfer_graph_gemm(g, "y", d, w4, c4, 0, 1, 0.5f, 2.0f, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_softmax(g, "prob", y, -1, log, &prob), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, prob, "prob"), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    cr_assert_eq(clinfer_model_kernel_node_count(m), 5, "the pool fused into conv b");
    return m;
}

/* The network in naive C, every layer from its definition. */
static void reference(const chain_net *w, int64_t n, int log, const float *x, float *out)
{
    float *a = test_alloc((size_t)n * C1 * H1 * W1 * 4), *b = test_alloc((size_t)n * C2 * 8 * 4 * 4);
    float *p = test_alloc((size_t)n * K3 * 4), *d = test_alloc((size_t)n * N3 * 4);
    float *y = test_alloc((size_t)n * N4 * 4);
    conv2d_params ca = conv2d_params_default();
    ca.n = (int32_t)n, ca.c = IN_C, ca.h = IN_H, ca.w = IN_W, ca.oc = C1, ca.kh = ca.kw = 3;
    ca.stride_h = ca.stride_w = 2;
    ca.pad_top = 1, ca.pad_left = 1, ca.pad_bottom = 2, ca.pad_right = 0;
    ca.act = (act_params){ACT_KIND_LEAKY_RELU, 0.1f, 0};
    ref_conv2d(&ca, x, w->wa, NULL, a);
    conv2d_params cb = conv2d_params_default();
    cb.n = (int32_t)n, cb.c = C1, cb.h = H1, cb.w = W1, cb.oc = C2, cb.kh = cb.kw = 3;
    cb.act.kind = ACT_KIND_RELU;
    ref_conv2d(&cb, a, w->wb, w->bb, b);
    pool2d_params pp = pool2d_params_default();
    pp.n = (int32_t)n, pp.c = C2, pp.h = 8, pp.w = 4, pp.kh = pp.kw = 2;
    pp.stride_h = pp.stride_w = 2;
    ref_maxpool2d(&pp, b, p);
    gemm_params g3 = gemm_params_default();
    g3.m = (int32_t)n, g3.k = K3, g3.n = N3, g3.has_c = 1;
    g3.c_shape = (clinfer_shape){1, {N3}};
    g3.act.kind = ACT_KIND_SIGMOID;
    ref_gemm(&g3, p, w->w3, w->b3, d);
    gemm_params g4 = gemm_params_default();
    g4.m = (int32_t)n, g4.k = N3, g4.n = N4, g4.trans_b = 1, g4.alpha = 0.5f, g4.beta = 2.0f;
    g4.has_c = 1, g4.c_shape = (clinfer_shape){1, {N4}};
    ref_gemm(&g4, d, w->w4, w->c4, y);
    clinfer_shape ys = {2, {n, N4}};
    ref_softmax(&ys, -1, 0, log, y, out);
    free(a), free(b), free(p), free(d), free(y);
}

/* Runs a profiled session of batch n on x into out; returns whether every
 * node's kernel was the chain's. */
static int run(clinfer_model *m, int64_t n, const float *x, float *out, cl_mem bound_output)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = n;
    o.profile = 1;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    if (bound_output)
        cr_assert_eq(clinfer_session_set_output_buffer(s, 0, bound_output, 0), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
    int chained = 1;
    for (int r = 0; r < 2; r++) { /* the second run: the counters were reset */
        const size_t count = (size_t)n * IN_C * IN_H * IN_W;
        cr_assert_eq(clinfer_session_set_input(s, 0, x, count), CLINFER_OK);
        cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_get_output(s, 0, out, (size_t)n * N4), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
        size_t np = 0;
        const clinfer_node_profile *prof = clinfer_session_profile(s, &np);
        cr_assert_eq(np, 5);
        for (size_t i = 0; i < np; i++)
            chained &= strcmp(prof[i].kernel, "chain_run") == 0;
        clinfer_run_timeline tl;
        cr_assert_eq(clinfer_session_timeline(s, &tl), CLINFER_OK);
        cr_assert_eq(tl.launches == 1, chained, "%d launches, chained %d", (int)tl.launches,
                     chained);
    }
    clinfer_session_free(s);
    return chained;
}

/* The network under CLINFER_CHAIN=chain_setting in `precision` storage
 * (fp16: the tensors and the chain's packed weights stored as half, the
 * sums in float; the reference in float, so half's rounding of the
 * weights, the input and each layer's output sets the tolerance). */
static void check_in(const char *chain_setting, int expect_chained, const char *precision)
{
    const int half = strcmp(precision, "fp16") == 0;
    setenv("CLINFER_CHAIN", chain_setting, 1);
    setenv("CLINFER_PRECISION", precision, 1);
    clinfer_runtime *rt = test_runtime();
    unsetenv("CLINFER_CHAIN");
    unsetenv("CLINFER_PRECISION");
    static chain_net w;
    for (int log = 0; log <= 1; log++) {
        clinfer_model *m = build(rt, &w, log);
        for (int64_t n = 1; n <= 3; n += 2) {
            const size_t in_n = (size_t)n * IN_C * IN_H * IN_W, out_n = (size_t)n * N4;
            float *x = test_alloc(in_n * 4), *got = test_alloc(out_n * 4);
            float *want = test_alloc(out_n * 4);
            uint32_t seed = 5 + (uint32_t)n;
            fill_uniform(x, in_n, -1, 1, &seed);
            reference(&w, n, log, x, want);
            cr_assert_eq(run(m, n, x, got, NULL), expect_chained,
                         "CLINFER_CHAIN=%s, batch %lld, %s", chain_setting, (long long)n,
                         precision);
            assert_close(got, want, out_n, half ? 4e-3f : 1e-5f, half ? 1e-2f : 1e-4f,
                         log ? "log-softmax net" : "softmax net");
            free(x), free(got), free(want);
        }
        clinfer_model_free(m);
    }
    clinfer_runtime_free(rt);
}

Test(chain, small_network_in_one_launch_matches_reference) { check_in("auto", 1, "fp32"); }

Test(chain, off_launches_per_node_with_the_same_results) { check_in("off", 0, "fp32"); }

Test(chain, half_storage_in_one_launch_matches_reference) { check_in("auto", 1, "fp16"); }

Test(chain, half_storage_launches_per_node_with_the_same_results)
{
    check_in("off", 0, "fp16");
}

/* An output bound to a caller's buffer is written in place by its node's
 * kernel, outside the arena: that session launches per node. */
Test(chain, bound_output_falls_back_to_launches_per_node)
{
    clinfer_runtime *rt = test_runtime();
    static chain_net w;
    clinfer_model *m = build(rt, &w, 0);
    cl_int err = CL_SUCCESS;
    cl_mem buf = clCreateBuffer(clinfer_runtime_cl_context(rt), CL_MEM_READ_WRITE, N4 * 4, NULL,
                                &err);
    cr_assert_eq(err, CL_SUCCESS);
    float x[IN_C * IN_H * IN_W], got[N4], want[N4];
    uint32_t seed = 3;
    fill_uniform(x, IN_C * IN_H * IN_W, -1, 1, &seed);
    reference(&w, 1, 0, x, want);
    cr_assert_eq(run(m, 1, x, got, buf), 0, "the bound output takes the per-node path");
    assert_close(got, want, N4, 1e-5f, 1e-4f, "bound output");
    clReleaseMemObject(buf);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* A second network, chained with CLINFER_CHAIN=on (any size): a padded
 * 1-channel conv with Clip and a fused 3x3 max pool (17 x 40 -> 5 x 13:
 * 9 positions a pooled output, rows in tiles of 2 whose last overlaps), a
 * MatMul with a constant B, a dense layer with Tanh, LogSoftmax;
 * batch 11, so that the dense layers take 8 rows and then the last 3. */
#define P_H 17
#define P_W 40
#define P_C 7
#define P_K (P_C * 5 * 13)
#define P_N1 19
#define P_N2 23

Test(chain, pool3_matmul_and_partial_row_blocks_match_reference)
{
    setenv("CLINFER_CHAIN", "on", 1);
    clinfer_runtime *rt = test_runtime();
    unsetenv("CLINFER_CHAIN");
    static float wc[P_C * 9], bc[P_C], b1[P_K * P_N1], w2[P_N1 * P_N2], b2[P_N2];
    uint32_t seed = 21;
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape in_shape = {4, {CLINFER_BATCH_DIM, 1, P_H, P_W}};
    clinfer_value x, c, p, f, m, d, y;
    cr_assert_eq(clinfer_graph_input(g, "x", &in_shape, &x), CLINFER_OK);
    clinfer_conv2d_desc dc = clinfer_conv2d_desc_default();
    dc.pad_top = dc.pad_left = dc.pad_bottom = dc.pad_right = 1;
    dc.activation = CLINFER_ACT_CLIP, dc.act_alpha = -0.2f, dc.act_beta = 0.4f;
    clinfer_value vwc = constant(g, "wc", (clinfer_shape){4, {P_C, 1, 3, 3}}, wc, &seed);
    clinfer_value vbc = constant(g, "bc", (clinfer_shape){1, {P_C}}, bc, &seed);
    cr_assert_eq(clinfer_graph_conv2d(g, "c", x, vwc, vbc, &dc, &c), CLINFER_OK);
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(3);
    cr_assert_eq(clinfer_graph_pool2d(g, "p", c, &pd, &p), CLINFER_OK);
    cr_assert_eq(clinfer_graph_flatten(g, "f", p, 1, &f), CLINFER_OK);
    clinfer_value vb1 = constant(g, "b1", (clinfer_shape){2, {P_K, P_N1}}, b1, &seed);
    cr_assert_eq(clinfer_graph_matmul(g, "m", f, vb1, &m), CLINFER_OK);
    clinfer_value vw2 = constant(g, "w2", (clinfer_shape){2, {P_N1, P_N2}}, w2, &seed);
    clinfer_value vb2 = constant(g, "b2", (clinfer_shape){1, {P_N2}}, b2, &seed);
    cr_assert_eq(clinfer_graph_dense(g, "d", m, vw2, vb2, CLINFER_ACT_TANH, &d), CLINFER_OK);
    cr_assert_eq(clinfer_graph_softmax(g, "y", d, 1, 1, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
    clinfer_model *model = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &model), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    cr_assert_eq(clinfer_model_kernel_node_count(model), 4, "the pool fused into the conv");

    const int64_t n = 11;
    const size_t in_n = (size_t)n * P_H * P_W, out_n = (size_t)n * P_N2;
    float *in = test_alloc(in_n * 4), *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
    float *conv_out = test_alloc((size_t)n * P_C * P_H * P_W * 4);
    float *pooled = test_alloc((size_t)n * P_K * 4), *mm = test_alloc((size_t)n * P_N1 * 4);
    float *dd = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    conv2d_params cp = conv2d_params_default();
    cp.n = (int32_t)n, cp.c = 1, cp.h = P_H, cp.w = P_W, cp.oc = P_C, cp.kh = cp.kw = 3;
    cp.pad_top = cp.pad_left = cp.pad_bottom = cp.pad_right = 1;
    cp.act = (act_params){ACT_KIND_CLIP, -0.2f, 0.4f};
    ref_conv2d(&cp, in, wc, bc, conv_out);
    pool2d_params pp = pool2d_params_default();
    pp.n = (int32_t)n, pp.c = P_C, pp.h = P_H, pp.w = P_W, pp.kh = pp.kw = 3;
    pp.stride_h = pp.stride_w = 3;
    ref_maxpool2d(&pp, conv_out, pooled);
    const clinfer_shape as = {2, {n, P_K}}, bs = {2, {P_K, P_N1}};
    clinfer_shape ms;
    ref_matmul(&as, &bs, pooled, b1, &ms, mm);
    gemm_params gp = gemm_params_default();
    gp.m = (int32_t)n, gp.k = P_N1, gp.n = P_N2, gp.has_c = 1;
    gp.c_shape = (clinfer_shape){1, {P_N2}};
    gp.act.kind = ACT_KIND_TANH;
    ref_gemm(&gp, mm, w2, b2, dd);
    const clinfer_shape ys = {2, {n, P_N2}};
    ref_softmax(&ys, 1, 0, 1, dd, want);

    clinfer_session_options o = clinfer_session_options_default();
    o.batch = n;
    o.profile = 1;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(model, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, in, in_n), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, got, out_n), CLINFER_OK);
    size_t np = 0;
    const clinfer_node_profile *prof = clinfer_session_profile(s, &np);
    for (size_t i = 0; i < np; i++)
        cr_assert_str_eq(prof[i].kernel, "chain_run", "node %zu", i);
    assert_close(got, want, out_n, 1e-5f, 1e-4f, "pool3 / matmul / log-softmax net");
    clinfer_session_free(s);
    free(in), free(got), free(want), free(conv_out), free(pooled), free(mm), free(dd);
    clinfer_model_free(model);
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ replay */

/* The chain network's runs replayed from a command buffer (host/replay.c,
 * CLINFER_REPLAY=on with CLINFER_CHAIN=off): every run with new inputs
 * must match the reference for those inputs (a stale or partial recording
 * would not), and equal the per-node launches' output bit for bit (the
 * same kernels). Skipped where the device has no cl_khr_command_buffer. */

/* A runtime with CLINFER_CHAIN=off and CLINFER_REPLAY=`replay`. */
static clinfer_runtime *replay_runtime(const char *replay)
{
    setenv("CLINFER_CHAIN", "off", 1);
    setenv("CLINFER_REPLAY", replay, 1);
    clinfer_runtime *rt = test_runtime();
    unsetenv("CLINFER_CHAIN");
    unsetenv("CLINFER_REPLAY");
    return rt;
}

/* A batch-n session of m (profiled or not); NULL where the device cannot
 * replay (CLINFER_ERR_UNSUPPORTED under CLINFER_REPLAY=on). */
static clinfer_session *replay_session(clinfer_model *m, int64_t n, int profile)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = n;
    o.profile = profile;
    clinfer_session *s = NULL;
    clinfer_status st = clinfer_session_create(m, &o, &s);
    if (st == CLINFER_ERR_UNSUPPORTED && strstr(clinfer_last_errmsg(), "CLINFER_REPLAY=on"))
        return NULL;
    cr_assert_eq(st, CLINFER_OK, "%s", clinfer_last_errmsg());
    return s;
}

/* Inputs x[r] for runs r = 0..2 of batch n and their reference outputs. */
typedef struct replay_data {
    float *x[3], *want[3];
    size_t in_n, out_n;
} replay_data;

static replay_data replay_data_make(const chain_net *w, int64_t n)
{
    replay_data d;
    d.in_n = (size_t)n * IN_C * IN_H * IN_W, d.out_n = (size_t)n * N4;
    for (int r = 0; r < 3; r++) {
        uint32_t seed = 101 + (uint32_t)r;
        d.x[r] = test_alloc(d.in_n * 4), d.want[r] = test_alloc(d.out_n * 4);
        fill_uniform(d.x[r], d.in_n, -1, 1, &seed);
        reference(w, n, 0, d.x[r], d.want[r]);
    }
    return d;
}

static void replay_data_free(replay_data *d)
{
    for (int r = 0; r < 3; r++)
        free(d->x[r]), free(d->want[r]);
}

static void run_and_read(clinfer_session *s, const float *x, const replay_data *d, float *out)
{
    cr_assert_eq(clinfer_session_set_input(s, 0, x, d->in_n), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, out, d->out_n), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
}

/* Under `gemm_variant` (NULL: the device's), batch 3: three replayed runs
 * against the reference and against a launch-per-node session. */
static void replay_matches_launches(const char *gemm_variant)
{
    if (gemm_variant)
        setenv("CLINFER_GEMM_VARIANT", gemm_variant, 1);
    clinfer_runtime *rt = replay_runtime("on"), *plain = replay_runtime("off");
    unsetenv("CLINFER_GEMM_VARIANT");
    static chain_net w;
    clinfer_model *m = build(rt, &w, 0), *pm = build(plain, &w, 0);
    const int64_t n = 3;
    replay_data d = replay_data_make(&w, n);
    clinfer_session *s = replay_session(m, n, 0), *ps = replay_session(pm, n, 0);
    if (!s)
        cr_skip_test("the device offers no cl_khr_command_buffer: %s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_run_mode(s), CLINFER_RUN_NONE);
    float *got = test_alloc(d.out_n * 4), *per_node = test_alloc(d.out_n * 4);
    for (int r = 0; r < 3; r++) {
        run_and_read(s, d.x[r], &d, got);
        cr_assert_eq(clinfer_session_run_mode(s), CLINFER_RUN_REPLAY, "run %d: %s", r,
                     clinfer_run_mode_name(clinfer_session_run_mode(s)));
        assert_close(got, d.want[r], d.out_n, 1e-5f, 1e-4f, "replayed run");
        run_and_read(ps, d.x[r], &d, per_node);
        cr_assert_eq(clinfer_session_run_mode(ps), CLINFER_RUN_LAUNCHES);
        assert_equal(got, per_node, d.out_n, "replayed against per-node launches");
    }
    free(got), free(per_node);
    replay_data_free(&d);
    clinfer_session_free(s), clinfer_session_free(ps);
    clinfer_model_free(m), clinfer_model_free(pm);
    clinfer_runtime_free(rt), clinfer_runtime_free(plain);
}

Test(replay, runs_match_reference_and_per_node_launches) { replay_matches_launches(NULL); }

/* The gpu GEMM variant: convolutions as im2col + tiled GEMM, more than one
 * launch per node, as on GPUs. */
Test(replay, gpu_variant_runs_match_reference_and_per_node_launches, .timeout = 120)
{
    replay_matches_launches("gpu");
}

static cl_mem buffer_with(clinfer_runtime *rt, const float *x, size_t n)
{
    cl_int err = CL_SUCCESS;
    cl_mem b = clCreateBuffer(clinfer_runtime_cl_context(rt), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                              n * 4, (void *)x, &err);
    cr_assert_eq(err, CL_SUCCESS);
    return b;
}

/* The network's model, batch-n data and a session under CLINFER_REPLAY=on
 * (the test is skipped where the device cannot replay). */
typedef struct replay_fixture {
    clinfer_runtime *rt;
    clinfer_model *m;
    replay_data d;
    clinfer_session *s;
} replay_fixture;

static replay_fixture replay_open(int64_t n)
{
    static chain_net w;
    replay_fixture f;
    f.rt = replay_runtime("on");
    f.m = build(f.rt, &w, 0);
    f.d = replay_data_make(&w, n);
    f.s = replay_session(f.m, n, 0);
    if (!f.s)
        cr_skip_test("the device offers no cl_khr_command_buffer: %s", clinfer_last_errmsg());
    return f;
}

static void replay_close(replay_fixture *f)
{
    replay_data_free(&f->d);
    clinfer_session_free(f->s);
    clinfer_model_free(f->m);
    clinfer_runtime_free(f->rt);
}

/* Binding a caller's buffer in place re-prepares the kernels that read it:
 * the next run records again and reads the new buffer (a recording kept
 * from before would read the old one); then back to host input. */
Test(replay, rebinding_buffers_records_again)
{
    replay_fixture f = replay_open(1);
    clinfer_runtime *rt = f.rt;
    clinfer_session *s = f.s;
    const replay_data d = f.d;
    cl_mem in0 = buffer_with(rt, d.x[0], d.in_n), in1 = buffer_with(rt, d.x[1], d.in_n);
    float zeros[N4] = {0}, got[N4];
    cl_mem out = buffer_with(rt, zeros, d.out_n);
    cl_command_queue q = clinfer_session_cl_queue(s);
    cr_assert_eq(clinfer_session_set_output_buffer(s, 0, out, 0), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    for (int r = 0; r < 2; r++) {
        cr_assert_eq(clinfer_session_set_input_buffer(s, 0, r ? in1 : in0, 0), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_run_mode(s), CLINFER_RUN_REPLAY);
        cr_assert_eq(clEnqueueReadBuffer(q, out, CL_TRUE, 0, d.out_n * 4, got, 0, NULL, NULL),
                     CL_SUCCESS);
        assert_close(got, d.want[r], d.out_n, 1e-5f, 1e-4f, "bound input and output");
    }
    cr_assert_eq(clinfer_session_set_output_buffer(s, 0, NULL, 0), CLINFER_OK);
    run_and_read(s, d.x[2], &d, got);
    cr_assert_eq(clinfer_session_run_mode(s), CLINFER_RUN_REPLAY);
    assert_close(got, d.want[2], d.out_n, 1e-5f, 1e-4f, "host input after the bindings");
    clReleaseMemObject(in0), clReleaseMemObject(in1), clReleaseMemObject(out);
    replay_close(&f);
}

/* Runs enqueued back to back without waiting (the command buffer pending
 * more than once, or per-node launches where the device does not allow
 * that): each output read after its run's event. */
Test(replay, runs_enqueued_without_waiting)
{
    replay_fixture f = replay_open(2);
    clinfer_runtime *rt = f.rt;
    clinfer_session *s = f.s;
    const replay_data d = f.d;
    cl_mem out[3];
    cl_event done[3];
    float zeros[2 * N4] = {0}, got[2 * N4];
    for (int r = 0; r < 3; r++)
        out[r] = buffer_with(rt, zeros, d.out_n);
    int replays = 0;
    for (int r = 0; r < 3; r++) {
        cr_assert_eq(clinfer_session_set_output_buffer(s, 0, out[r], 0), CLINFER_OK);
        cr_assert_eq(clinfer_session_set_input(s, 0, d.x[r], d.in_n), CLINFER_OK);
        cr_assert_eq(clinfer_session_run_async(s, 0, NULL, &done[r]), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
        replays += clinfer_session_run_mode(s) == CLINFER_RUN_REPLAY;
    }
    cr_assert_gt(replays, 0, "no run replayed");
    for (int r = 0; r < 3; r++) {
        cr_assert_eq(clEnqueueReadBuffer(clinfer_session_cl_queue(s), out[r], CL_TRUE, 0,
                                         d.out_n * 4, got, 1, &done[r], NULL),
                     CL_SUCCESS);
        assert_close(got, d.want[r], d.out_n, 1e-5f, 1e-4f, "run enqueued without waiting");
        clReleaseEvent(done[r]);
    }
    cr_assert_eq(clinfer_session_set_output_buffer(s, 0, NULL, 0), CLINFER_OK);
    for (int r = 0; r < 3; r++)
        clReleaseMemObject(out[r]);
    replay_close(&f);
}

/* A profiled session times each kernel, so it launches per node even
 * under CLINFER_REPLAY=on; off launches per node; auto replays on devices
 * that are not CPUs only. A value that is no choice fails the runtime. */
Test(replay, profile_off_and_auto_launch_per_node)
{
    static chain_net w;
    const char *const settings[] = {"on", "off", "auto"};
    for (int i = 0; i < 3; i++) {
        clinfer_runtime *rt = replay_runtime(settings[i]);
        clinfer_model *m = build(rt, &w, 0);
        replay_data d = replay_data_make(&w, 1);
        float got[N4];
        for (int profile = 0; profile <= 1; profile++) {
            clinfer_session *s = replay_session(m, 1, profile);
            if (!s)
                cr_skip_test("the device offers no cl_khr_command_buffer");
            run_and_read(s, d.x[0], &d, got);
            assert_close(got, d.want[0], d.out_n, 1e-5f, 1e-4f, settings[i]);
            const int replays = strcmp(settings[i], "on") == 0 ||
                                (strcmp(settings[i], "auto") == 0 &&
                                 clinfer_runtime_device(rt)->type != CLINFER_DEVICE_CPU);
            cr_assert_eq(clinfer_session_run_mode(s),
                         replays && !profile ? CLINFER_RUN_REPLAY : CLINFER_RUN_LAUNCHES,
                         "CLINFER_REPLAY=%s, profile %d: %s", settings[i], profile,
                         clinfer_run_mode_name(clinfer_session_run_mode(s)));
            clinfer_session_free(s);
        }
        replay_data_free(&d);
        clinfer_model_free(m);
        clinfer_runtime_free(rt);
    }
    setenv("CLINFER_REPLAY", "always", 1);
    clinfer_runtime *bad = NULL;
    clinfer_status st = clinfer_runtime_create(NULL, &bad);
    unsetenv("CLINFER_REPLAY");
    cr_assert_eq(st, CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "CLINFER_REPLAY=\"always\""), "%s",
              clinfer_last_errmsg());
    cr_assert_null(bad);
}
