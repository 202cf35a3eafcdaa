/*
 * test_graph.c — the builder, compile passes, memory planner and executor
 * on small graphs: results against the naive references, one upload per
 * input and one download per output, profiling and the run's timeline,
 * views without kernels, BatchNorm folding and activation fusion, and
 * builder errors.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ref_pool2d.h"
#include "reference.h"
#include "testutil.h"

static clinfer_value constant(clinfer_graph *g, const char *name, clinfer_shape s, float *data,
                              float lo, float hi, uint32_t *seed)
{
    int64_t n = 1;
    for (int32_t i = 0; i < s.rank; i++)
        n *= s.dims[i];
    fill_uniform(data, (size_t)n, lo, hi, seed);
    clinfer_value v = CLINFER_NO_VALUE;
    cr_assert_eq(clinfer_graph_constant(g, name, &s, data, &v), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    return v;
}

static clinfer_shape shape4(int64_t a, int64_t b, int64_t c, int64_t d)
{
    clinfer_shape s = {4, {a, b, c, d}};
    return s;
}

static clinfer_shape shape1(int64_t a)
{
    clinfer_shape s = {1, {a}};
    return s;
}

/* conv 3x3 pad 1 (+ReLU as a separate node) -> maxpool 2 -> flatten, on
 * [N, 3, 9, 7]; checks values, fusion, views, transfers and profile. */
Test(graph, conv_relu_pool_flatten_matches_reference)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    uint32_t seed = 42;
    float w[5 * 3 * 3 * 3], b[5];
    clinfer_shape in_shape = shape4(CLINFER_BATCH_DIM, 3, 9, 7);
    clinfer_value x, cw, cb, conv, relu, pool, flat;
    cr_assert_eq(clinfer_graph_input(g, "image", &in_shape, &x), CLINFER_OK);
    cw = constant(g, "w", shape4(5, 3, 3, 3), w, -1, 1, &seed);
    cb = constant(g, "b", shape1(5), b, -1, 1, &seed);
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.pad_mode = CLINFER_PAD_SAME_UPPER;
    cr_assert_eq(clinfer_graph_conv2d(g, "conv", x, cw, cb, &d, &conv), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_unary(g, "relu", CLINFER_UNARY_RELU, conv, 0, 0, &relu),
                 CLINFER_OK);
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    cr_assert_eq(clinfer_graph_pool2d(g, "pool", relu, &pd, &pool), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_flatten(g, "flat", pool, 1, &flat), CLINFER_OK);
    clinfer_shape fs;
    cr_assert_eq(clinfer_graph_value_shape(g, flat, &fs), CLINFER_OK);
    cr_assert_eq(fs.rank, 2);
    cr_assert_eq(fs.dims[0], CLINFER_BATCH_DIM, "the batch stays open while building");
    cr_assert_eq(fs.dims[1], 5 * 4 * 3);
    cr_assert_eq(clinfer_graph_output(g, flat, "features"), CLINFER_OK);

    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    cr_assert_eq(clinfer_model_kernel_node_count(m), 1,
                 "relu and the 2x2 max pool fused into the conv, flatten is a view");
    cr_assert_eq(clinfer_model_weight_bytes(m), sizeof w + sizeof b);

    for (int64_t batch = 1; batch <= 3; batch += 2) {
        clinfer_session_options o = clinfer_session_options_default();
        o.batch = batch;
        o.profile = 1;
        clinfer_session *s = NULL;
        cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
        size_t in_n = (size_t)batch * 3 * 9 * 7, out_n = (size_t)batch * 60;
        float *in = test_alloc(in_n * 4), *got = test_alloc(out_n * 4);
        float *mid = test_alloc((size_t)batch * 5 * 9 * 7 * 4), *want = test_alloc(out_n * 4);
        fill_uniform(in, in_n, -1, 1, &seed);
        cr_assert_eq(clinfer_session_set_input(s, 0, in, in_n), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_get_output(s, 0, got, out_n), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));

        conv2d_params cp = conv2d_params_default();
        cp.n = (int32_t)batch, cp.c = 3, cp.h = 9, cp.w = 7, cp.oc = 5, cp.kh = cp.kw = 3;
        cp.pad_top = cp.pad_left = cp.pad_bottom = cp.pad_right = 1;
        cp.act.kind = ACT_KIND_RELU;
        ref_conv2d(&cp, in, w, b, mid);
        pool2d_params pp = pool2d_params_default();
        pp.n = (int32_t)batch, pp.c = 5, pp.h = 9, pp.w = 7, pp.kh = pp.kw = 2;
        pp.stride_h = pp.stride_w = 2;
        ref_maxpool2d(&pp, mid, want);
        assert_close(got, want, out_n, 1e-5f, 1e-4f, "conv-relu-pool-flatten");

        clinfer_transfer_stats t = clinfer_session_transfers(s);
        cr_assert_eq(t.uploads, 1);
        cr_assert_eq(t.downloads, 1);
        size_t np = 0;
        const clinfer_node_profile *prof = clinfer_session_profile(s, &np);
        cr_assert_eq(np, 1);
        cr_assert_str_eq(prof[0].node, "conv");
        /* The algorithm is chosen per device and shape: name only the family. */
        cr_assert(strncmp(prof[0].kernel, "conv2d_", 7) == 0 ||
                      strncmp(prof[0].kernel, "gemm_", 5) == 0,
                  "kernel %s", prof[0].kernel);
        cr_assert_gt(prof[0].flops, 0);
        cr_assert_geq(prof[0].ms, 0);
        free(in), free(got), free(mid), free(want);
        clinfer_session_free(s);
    }
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* conv -> flatten -> softmax, two kernel nodes launched one by one: the run's timeline
 * (clinfer_session_timeline) against the per-node profile of the same run,
 * and its errors without profiling or before a run. */
Test(graph, timeline_accounts_for_the_profiled_launches)
{
    setenv("CLINFER_CHAIN", "off", 1); /* a launch per node (test_chain: one for all) */
    clinfer_runtime *rt = test_runtime();
    unsetenv("CLINFER_CHAIN");
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    uint32_t seed = 7;
    float w[6 * 3 * 3 * 3];
    clinfer_shape in_shape = shape4(CLINFER_BATCH_DIM, 3, 11, 5);
    clinfer_value x, cw, conv, flat, prob;
    cr_assert_eq(clinfer_graph_input(g, "image", &in_shape, &x), CLINFER_OK);
    cw = constant(g, "w", shape4(6, 3, 3, 3), w, -1, 1, &seed);
    cr_assert_eq(clinfer_graph_conv2d(g, "conv", x, cw, CLINFER_NO_VALUE, NULL, &conv), CLINFER_OK,
                 "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_flatten(g, "flat", conv, 1, &flat), CLINFER_OK);
    cr_assert_eq(clinfer_graph_softmax(g, "prob", flat, 1, 0, &prob), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, prob, "prob"), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    cr_assert_eq(clinfer_model_kernel_node_count(m), 2);
    float in[2 * 3 * 11 * 5];
    fill_uniform(in, 2 * 3 * 11 * 5, -1, 1, &seed);
    clinfer_run_timeline tl;

    clinfer_session_options o = clinfer_session_options_default();
    o.batch = 2;
    clinfer_session *plain = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &plain), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(plain, 0, in, 2 * 3 * 11 * 5), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(plain), CLINFER_OK, "%s", clinfer_session_errmsg(plain));
    cr_assert_eq(clinfer_session_timeline(plain, &tl), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "profile"), "%s", clinfer_last_errmsg());
    clinfer_session_free(plain);

    o.profile = 1;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_timeline(s, &tl), CLINFER_ERR_INVALID_ARGUMENT, "no run yet");
    cr_assert_eq(clinfer_session_timeline(s, NULL), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_timeline(NULL, &tl), CLINFER_ERR_INVALID_ARGUMENT);
    for (int run = 0; run < 3; run++) {
        cr_assert_eq(clinfer_session_set_input(s, 0, in, 2 * 3 * 11 * 5), CLINFER_OK);
        cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_timeline(s, &tl), CLINFER_OK, "%s", clinfer_last_errmsg());
        size_t np = 0;
        const clinfer_node_profile *prof = clinfer_session_profile(s, &np);
        cr_assert_eq(np, 2);
        cr_assert_geq(tl.launches, 2, "at least one launch per kernel node");
        cr_assert_float_eq(tl.kernel_ms, prof[0].ms + prof[1].ms, 1e-9,
                           "kernels %g ms, the nodes' profile %g + %g", tl.kernel_ms, prof[0].ms,
                           prof[1].ms);
        /* an in-order queue: no kernel overlaps the next, so the span is
         * their times plus the gaps between them */
        cr_assert_float_eq(tl.span_ms, tl.kernel_ms + tl.idle_ms, 1e-9, "span %g, %g + %g",
                           tl.span_ms, tl.kernel_ms, tl.idle_ms);
        cr_assert(tl.kernel_ms > 0 && tl.idle_ms >= 0 && tl.lead_ms >= 0);
        cr_assert(tl.max_idle_ms >= 0 && tl.max_idle_ms <= tl.idle_ms);
    }
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

Test(graph, builder_errors_name_the_problem)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape in_shape = shape4(1, 3, 4, 4);
    float w[2 * 4 * 5 * 5] = {0};
    clinfer_value x, wv, wbig, out = 123;
    cr_assert_eq(clinfer_graph_input(g, "x", &in_shape, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &in_shape, &wv), CLINFER_ERR_INVALID_ARGUMENT,
                 "duplicate names are refused");
    clinfer_shape ws = shape4(2, 4, 3, 3);
    cr_assert_eq(clinfer_graph_constant(g, "w", &ws, w, &wv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_conv2d(g, "c", x, wv, CLINFER_NO_VALUE, NULL, &out),
                 CLINFER_ERR_SHAPE, "4 weight channels vs 3 input channels");
    cr_assert(strstr(clinfer_graph_errmsg(g), "input has 3 channels"), "%s",
              clinfer_graph_errmsg(g));
    ws = shape4(2, 3, 5, 5);
    cr_assert_eq(clinfer_graph_constant(g, "wbig", &ws, w, &wbig), CLINFER_OK);
    cr_assert_eq(clinfer_graph_conv2d(g, "c", x, wbig, CLINFER_NO_VALUE, NULL, &out),
                 CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "larger than the padded input"), "%s",
              clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_conv2d(g, "c", x, 99, CLINFER_NO_VALUE, NULL, &out),
                 CLINFER_ERR_UNSUPPORTED, "unknown weight value");
    clinfer_shape flat2 = {2, {1, 48}};
    clinfer_value f;
    cr_assert_eq(clinfer_graph_reshape(g, "r", x, &flat2, &f), CLINFER_OK);
    clinfer_shape bad = {2, {5, -1}};
    cr_assert_eq(clinfer_graph_reshape(g, "r2", x, &bad, &out), CLINFER_ERR_SHAPE,
                 "48 is not divisible by 5");
    cr_assert(strstr(clinfer_graph_errmsg(g), "cannot reshape"), "%s", clinfer_graph_errmsg(g));
    /* Failed calls left nothing behind: the same names are still free. */
    cr_assert_eq(clinfer_graph_identity(g, "c", x, &out), CLINFER_OK);
    clinfer_graph_free(g);
}

Test(graph, compile_and_session_errors)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape in_shape = shape4(CLINFER_BATCH_DIM, 1, 4, 4);
    clinfer_value x, y;
    cr_assert_eq(clinfer_graph_input(g, "x", &in_shape, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_identity(g, "id", x, &y), CLINFER_OK);
    clinfer_model *m = (clinfer_model *)g;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_ERR_INVALID_ARGUMENT, "no outputs");
    cr_assert_null(m);
    cr_assert_eq(clinfer_graph_output(g, y, NULL), CLINFER_OK);
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = 0;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_ERR_INVALID_ARGUMENT);
    o.batch = 2;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_run(s), CLINFER_ERR_INVALID_ARGUMENT, "input never set");
    cr_assert(strstr(clinfer_session_errmsg(s), "never set"), "%s", clinfer_session_errmsg(s));
    float in[32], out[32];
    for (int i = 0; i < 32; i++)
        in[i] = (float)i;
    cr_assert_eq(clinfer_session_set_input(s, 0, in, 16), CLINFER_ERR_SHAPE, "wrong count");
    cr_assert(strstr(clinfer_session_errmsg(s), "[2, 1, 4, 4]"), "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_set_input(s, 1, in, 32), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_set_input(s, 0, in, 32), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, out, 32), CLINFER_OK);
    assert_equal(out, in, 32, "identity of an input");
    cr_assert_eq(clinfer_session_memory(s).activation_bytes % 4, 0);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}

/* A chain of layers: the arena must not exceed the largest pair of
 * neighbouring tensors (plus alignment), far below the sum of all. (4
 * input channels: 36 taps, more than a stem's, so that no pool is fused
 * into a convolution and every tensor of the chain is the graph's.) */
Test(graph, chain_plan_needs_only_the_largest_adjacent_pair)
{
    clinfer_runtime *rt = test_runtime();
    if (strstr(clinfer_runtime_device(rt)->platform_name, "NVIDIA")) {
        clinfer_runtime_free(rt);
        cr_skip_test("memory reuse is off on NVIDIA's OpenCL (overlapping sub-buffers crash "
                     "its driver; see host/exec.c)");
    }
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    uint32_t seed = 5;
    clinfer_shape in_shape = shape4(2, 4, 31, 29);
    clinfer_value v;
    cr_assert_eq(clinfer_graph_input(g, "x", &in_shape, &v), CLINFER_OK);
    static float w1[16 * 4 * 9], w2[8 * 16 * 9], w3[24 * 8 * 9], w4[4 * 24];
    const int32_t chans[] = {16, 8, 24};
    float *ws[] = {w1, w2, w3};
    int64_t c = 4;
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        clinfer_value w = constant(g, name, shape4(chans[i], c, 3, 3), ws[i], -1, 1, &seed);
        cr_assert_eq(clinfer_graph_conv2d(g, NULL, v, w, CLINFER_NO_VALUE, NULL, &v), CLINFER_OK);
        clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
        pd.stride_h = pd.stride_w = 1;
        cr_assert_eq(clinfer_graph_pool2d(g, NULL, v, &pd, &v), CLINFER_OK);
        c = chans[i];
    }
    clinfer_value w = constant(g, "w4", shape4(4, 24, 1, 1), w4, -1, 1, &seed);
    cr_assert_eq(clinfer_graph_conv2d(g, NULL, v, w, CLINFER_NO_VALUE, NULL, &v), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, v, NULL), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());

    /* The tensors of the chain, input first: conv, pool, conv, pool, ... */
    int64_t h = 31, wd = 29, bytes[8], n = 0;
    bytes[n++] = 2 * 4 * h * wd * 4;
    for (int i = 0; i < 3; i++) {
        h -= 2, wd -= 2;
        bytes[n++] = 2 * chans[i] * h * wd * 4;
        h -= 1, wd -= 1;
        bytes[n++] = 2 * chans[i] * h * wd * 4;
    }
    bytes[n++] = 2 * 4 * h * wd * 4;
    int64_t pair = 0, sum = 0;
    for (int64_t i = 0; i < n; i++) {
        sum += bytes[i];
        if (i > 0 && bytes[i] + bytes[i - 1] > pair)
            pair = bytes[i] + bytes[i - 1];
    }
    clinfer_memory_stats mem = clinfer_session_memory(s);
    cr_assert_eq((int64_t)mem.activation_bytes_unshared, sum);
    cr_assert_leq((int64_t)mem.activation_bytes, pair + 2 * 4096,
                  "arena %llu vs largest adjacent pair %lld", (unsigned long long)mem.activation_bytes,
                  (long long)pair);
    cr_assert_lt(mem.activation_bytes * 2, mem.activation_bytes_unshared);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}
