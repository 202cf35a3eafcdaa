/*
 * test_gemm.c — every GEMM variant (cpu: packed B; gpu: local-memory tiles;
 * naive), forced in turn with CLINFER_GEMM_VARIANT, through Gemm and MatMul
 * against the naive references on random data: all four transpose
 * combinations, every C shape, alpha and beta not 1, no C, fused
 * activations, odd and non-power-of-two M, N, K including M = 1 and K = 1600
 * and sizes past several tiles; MatMul 2-D, batched, broadcast batches and
 * 1-D operands; the shape and attribute checks; and the tuning store.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "op_test.h"
#include "ops/gemm.h"
#include "tuning.h"
#include "ref_gemm.h"
#include "reference.h"
#include "tensor.h"
#include "testutil.h"

/* ------------------------------------------------------------- harness */

/* Tolerance for sums of K products of values in [-1, 1] scaled by `scale`. */
static float atol_for(int64_t k, float scale)
{
    return (1e-5f + 2e-7f * (float)k) * fmaxf(1.0f, fabsf(scale));
}

static cl_mem upload(clinfer_runtime *rt, size_t floats, const float *host)
{
    cl_mem m = NULL;
    clinfer_status st = buffer_create(rt, floats * sizeof(float), host, &m);
    cr_assert_eq(st, CLINFER_OK, "buffer_create: %s", clinfer_last_errmsg());
    return m;
}

/* Enqueues `l` (already bound) and reads `floats` results from `y`. */
static void launch_read(clinfer_runtime *rt, op_launch *l, cl_mem y, size_t floats, float *out)
{
    clinfer_status st = launch_enqueue(rt, l, NULL);
    cr_assert_eq(st, CLINFER_OK, "launch_enqueue: %s", clinfer_last_errmsg());
    st = buffer_read(rt, y, floats * sizeof(float), out);
    cr_assert_eq(st, CLINFER_OK, "buffer_read: %s", clinfer_last_errmsg());
}

static const char *const variants[] = {"cpu", "gpu", "naive"};
#define N_VARIANTS 3

/* test_op's variables: every GEMM variant, without the tuning search. */
static const char *const no_tuning[] = {"0"};
#define GRAPH_VARIANTS {{"CLINFER_GEMM_VARIANT", variants, N_VARIANTS}, {"CLINFER_TUNE", no_tuning, 1}}

/* Every test runs without the tuning search (defaults), each variant
 * forced in turn on its own runtime (freed after each test). */
static clinfer_runtime *variant_runtime(const char *v)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.tuning = CLINFER_TUNING_OFF;
    return test_forced_runtime(&o, "CLINFER_GEMM_VARIANT", v);
}

TestSuite(gemm, .fini = test_forced_free);
TestSuite(matmul, .fini = test_forced_free);

/* Packs `b` into a new buffer when the plan asks for it (else returns b
 * retained), as the graph does for a B that is not constant. */
static cl_mem packed_b(clinfer_runtime *rt, const gemm_plan *plan, op_launch *pack, cl_mem b,
                       const char *what)
{
    if (plan->packed_bytes == 0) {
        clRetainMemObject(b);
        return b;
    }
    cl_mem packed = NULL;
    clinfer_status st = buffer_create(rt, (size_t)plan->packed_bytes, NULL, &packed);
    cr_assert_eq(st, CLINFER_OK, "%s: buffer_create: %s", what, clinfer_last_errmsg());
    st = gemm_pack_bind(rt, pack, dev_whole(b), packed);
    cr_assert_eq(st, CLINFER_OK, "%s: pack bind: %s", what, clinfer_last_errmsg());
    st = launch_enqueue(rt, pack, NULL);
    cr_assert_eq(st, CLINFER_OK, "%s: pack: %s", what, clinfer_last_errmsg());
    launch_release(pack);
    return packed;
}

/* Split K (the gpu variant on products of few tiles): binds the partial
 * sums to the product l, runs it, then the launch that adds them. */
static void run_split_sum(clinfer_runtime *rt, const gemm_params *p, const gemm_plan *plan,
                          op_launch *l, const cl_mem abcy[4], float *y, const char *what)
{
    cl_mem partial = upload(rt, plan->partial_bytes / sizeof(float), NULL);
    op_launch sum;
    clinfer_status st = gemm_reduce_launch_prepare(rt, p, plan, &sum);
    cr_assert_eq(st, CLINFER_OK, "%s: gemm_reduce_launch_prepare: %s", what,
                 clinfer_last_errmsg());
    st = gemm_bind(rt, &sum, dev_whole(abcy[0]), dev_whole(abcy[1]), dev_whole(abcy[2]),
                   dev_whole(abcy[3]));
    if (st == CLINFER_OK)
        st = gemm_partial_bind(rt, l, dev_whole(partial));
    if (st == CLINFER_OK)
        st = gemm_partial_bind(rt, &sum, dev_whole(partial));
    cr_assert_eq(st, CLINFER_OK, "%s: split K binds: %s", what, clinfer_last_errmsg());
    st = launch_enqueue(rt, l, NULL);
    cr_assert_eq(st, CLINFER_OK, "%s: split K product: %s", what, clinfer_last_errmsg());
    launch_read(rt, &sum, abcy[3], (size_t)p->m * p->n, y);
    launch_release(&sum);
    clReleaseMemObject(partial);
}

/* Runs Gemm on the device: a, b, c (c only if p->has_c) to y [M, N]. */
static void run_gemm(clinfer_runtime *rt, const gemm_params *p, const float *a, const float *b,
                     const float *c, float *y, const char *what)
{
    clinfer_shape ys;
    clinfer_status st = gemm_output_shape(rt, p, &ys);
    cr_assert_eq(st, CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    cr_assert(ys.rank == 2 && ys.dims[0] == p->m && ys.dims[1] == p->n, "%s: output shape",
              what);
    gemm_plan plan;
    st = gemm_plan_make(rt, p, 1, &plan);
    cr_assert_eq(st, CLINFER_OK, "%s: gemm_plan_make: %s", what, clinfer_last_errmsg());
    size_t mk = (size_t)p->m * p->k, kn = (size_t)p->k * p->n, mn = (size_t)p->m * p->n;
    cl_mem am = upload(rt, mk, a), bm = upload(rt, kn, b), ym = upload(rt, mn, NULL);
    cl_mem cm = p->has_c ? upload(rt, (size_t)shape_numel(&p->c_shape), c) : NULL;
    op_launch pack = {0}, l;
    if (plan.packed_bytes > 0) {
        st = gemm_pack_b_prepare(rt, p, &plan, &pack);
        cr_assert_eq(st, CLINFER_OK, "%s: gemm_pack_b_prepare: %s", what, clinfer_last_errmsg());
    }
    cl_mem bp = packed_b(rt, &plan, &pack, bm, what);
    st = gemm_prepare(rt, p, &plan, &l);
    cr_assert_eq(st, CLINFER_OK, "%s: gemm_prepare: %s", what, clinfer_last_errmsg());
    st = gemm_bind(rt, &l, dev_whole(am), dev_whole(bp), dev_whole(cm), dev_whole(ym));
    cr_assert_eq(st, CLINFER_OK, "%s: gemm_bind: %s", what, clinfer_last_errmsg());
    if (plan.partial_bytes > 0) /* split K: the product, then the sum of its splits */
        run_split_sum(rt, p, &plan, &l, (cl_mem[]){am, bp, cm, ym}, y, what);
    else
        launch_read(rt, &l, ym, mn, y);
    launch_release(&l);
    clReleaseMemObject(am);
    clReleaseMemObject(bm);
    clReleaseMemObject(bp);
    clReleaseMemObject(ym);
    if (cm)
        clReleaseMemObject(cm);
}

static clinfer_shape shape2(int64_t d0, int64_t d1)
{
    const int64_t d[2] = {d0, d1};
    return shape_make(2, d);
}

/* A Gemm node over A (an input), B and C (constants, as weights are). */
static clinfer_status add_gemm(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                               clinfer_value *out)
{
    const gemm_params *p = ctx;
    return clinfer_graph_gemm(g, "gemm", in[0], in[1], p->has_c ? in[2] : CLINFER_NO_VALUE,
                              p->trans_a, p->trans_b, p->alpha, p->beta, out);
}

static clinfer_status add_matmul(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    (void)ctx;
    return clinfer_graph_matmul(g, "matmul", in[0], in[1], out);
}

/* Random A, B, C for `p`, the device result of every variant against
 * ref_gemm. */
static void check_gemm(const gemm_params *p, uint32_t seed)
{
    char what[256], cs[64] = "none";
    if (p->has_c)
        shape_str(&p->c_shape, cs, sizeof cs);
    size_t mk = (size_t)p->m * p->k, kn = (size_t)p->k * p->n, mn = (size_t)p->m * p->n;
    size_t cn = p->has_c ? (size_t)shape_numel(&p->c_shape) : 1;
    float *a = test_alloc(mk * 4), *b = test_alloc(kn * 4), *c = test_alloc(cn * 4);
    float *got = test_alloc(mn * 4), *want = test_alloc(mn * 4);
    fill_uniform(a, mk, -1, 1, &seed);
    fill_uniform(b, kn, -1, 1, &seed);
    fill_uniform(c, cn, -1, 1, &seed);
    ref_gemm(p, a, b, p->has_c ? c : NULL, want);
    const float atol = atol_for(p->k, p->alpha) + fabsf(p->beta) * 1e-6f;
    if (p->act.kind == ACT_KIND_NONE) { /* a graph's Gemm node has no activation of its own */
        snprintf(what, sizeof what, "Gemm node M=%d N=%d K=%d transA=%d transB=%d alpha=%g "
                 "beta=%g C=%s", p->m, p->n, p->k, p->trans_a, p->trans_b, p->alpha, p->beta, cs);
        const op_input x[3] = {{p->trans_a ? shape2(p->k, p->m) : shape2(p->m, p->k), a, 0},
                               {p->trans_b ? shape2(p->n, p->k) : shape2(p->k, p->n), b, 1},
                               {p->c_shape, c, 1}};
        const op_test t = {what, x, p->has_c ? 3 : 2, add_gemm, p, want, shape2(p->m, p->n),
                           atol, 1e-4f, GRAPH_VARIANTS};
        test_op(&t);
        free(a), free(b), free(c), free(got), free(want);
        return;
    }
    for (int v = 0; v < N_VARIANTS; v++) {
        clinfer_runtime *vrt = variant_runtime(variants[v]);
        snprintf(what, sizeof what,
                 "Gemm[%s] M=%d N=%d K=%d transA=%d transB=%d alpha=%g beta=%g C=%s act=%d",
                 variants[v], p->m, p->n, p->k, p->trans_a, p->trans_b, p->alpha, p->beta, cs,
                 (int)p->act.kind);
        memset(got, 0, mn * 4);
        run_gemm(vrt, p, a, b, p->has_c ? c : NULL, got, what);
        assert_close(got, want, mn, atol, 1e-4f, what);
    }
    free(a), free(b), free(c), free(got), free(want);
}

static gemm_params gemm_of(int32_t m, int32_t n, int32_t k, int ta, int tb)
{
    gemm_params p = gemm_params_default();
    p.m = m, p.n = n, p.k = k, p.trans_a = ta, p.trans_b = tb;
    return p;
}


static clinfer_shape shape1(int64_t d0) { return shape_make(1, &d0); }

/* Runs MatMul on the device and checks shape and values against ref_matmul. */
static void check_matmul(clinfer_runtime *rt, clinfer_shape as, clinfer_shape bs, act_kind act,
                         uint32_t seed)
{
    char what[256], sa[64], sb[64];
    snprintf(what, sizeof what, "MatMul %s x %s act=%d", shape_str(&as, sa, sizeof sa),
             shape_str(&bs, sb, sizeof sb), (int)act);
    matmul_params p;
    memset(&p, 0, sizeof p);
    p.a = as, p.b = bs, p.act.kind = act;
    size_t an = (size_t)shape_numel(&as), bn = (size_t)shape_numel(&bs);
    size_t yn = ref_matmul_numel(&as, &bs);
    float *a = test_alloc(an * 4), *b = test_alloc(bn * 4);
    float *got = test_alloc(yn * 4), *want = test_alloc(yn * 4);
    fill_uniform(a, an, -1, 1, &seed);
    fill_uniform(b, bn, -1, 1, &seed);
    clinfer_shape want_shape, got_shape;
    ref_matmul(&as, &bs, a, b, &want_shape, want);
    for (size_t i = 0; i < yn; i++)
        want[i] = ref_activation(p.act, want[i]);

    clinfer_status st = matmul_output_shape(rt, &p, &got_shape);
    cr_assert_eq(st, CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    char sg[64], sw[64];
    cr_assert(shape_equal(&got_shape, &want_shape), "%s: output shape %s, expected %s", what,
              shape_str(&got_shape, sg, sizeof sg), shape_str(&want_shape, sw, sizeof sw));
    cr_assert_eq((size_t)shape_numel(&got_shape), yn, "%s: output size", what);

    int64_t k = as.dims[as.rank - 1];
    if (act == ACT_KIND_NONE) { /* a graph's MatMul node has no activation of its own */
        const op_input x[2] = {{as, a, 0}, {bs, b, 0}};
        const op_test t = {what, x, 2, add_matmul, NULL, want, want_shape, atol_for(k, 1.0f),
                           1e-4f, GRAPH_VARIANTS};
        test_op(&t);
        free(a), free(b), free(got), free(want);
        return;
    }
    for (int v = 0; v < N_VARIANTS; v++) {
        clinfer_runtime *vrt = variant_runtime(variants[v]);
        char vwhat[300];
        snprintf(vwhat, sizeof vwhat, "%s [%s]", what, variants[v]);
        gemm_plan plan;
        st = matmul_plan_make(vrt, &p, &plan);
        cr_assert_eq(st, CLINFER_OK, "%s: matmul_plan_make: %s", vwhat, clinfer_last_errmsg());
        cl_mem am = upload(vrt, an, a), bm = upload(vrt, bn, b), ym = upload(vrt, yn, NULL);
        op_launch pack = {0}, l;
        if (plan.packed_bytes > 0) {
            st = matmul_pack_b_prepare(vrt, &p, &plan, &pack);
            cr_assert_eq(st, CLINFER_OK, "%s: matmul_pack_b_prepare: %s", vwhat,
                         clinfer_last_errmsg());
        }
        cl_mem bp = packed_b(vrt, &plan, &pack, bm, vwhat);
        st = matmul_prepare(vrt, &p, &plan, &l);
        cr_assert_eq(st, CLINFER_OK, "%s: matmul_prepare: %s", vwhat, clinfer_last_errmsg());
        st = matmul_bind(vrt, &l, dev_whole(am), dev_whole(bp), dev_whole(ym));
        cr_assert_eq(st, CLINFER_OK, "%s: matmul_bind: %s", vwhat, clinfer_last_errmsg());
        memset(got, 0, yn * 4);
        launch_read(vrt, &l, ym, yn, got);
        launch_release(&l);
        clReleaseMemObject(am);
        clReleaseMemObject(bm);
        clReleaseMemObject(bp);
        clReleaseMemObject(ym);
        assert_close(got, want, yn, atol_for(k, 1.0f), 1e-4f, vwhat);
    }
    free(a), free(b), free(got), free(want);
}

/* ---------------------------------------------------------------- Gemm */

static const int32_t dims_mnk[][3] = {
    {1, 7, 33},  {7, 33, 65}, {33, 65, 7}, {65, 130, 33}, {16, 32, 16},
    {1, 1, 1},   {130, 1, 65}, {9, 17, 1}, {8, 48, 130},
};
#define N_DIMS (sizeof dims_mnk / sizeof dims_mnk[0])

Test(gemm, all_transposes_on_odd_sizes)
{
    for (size_t i = 0; i < N_DIMS; i++)
        for (int t = 0; t < 4; t++) {
            gemm_params p = gemm_of(dims_mnk[i][0], dims_mnk[i][1], dims_mnk[i][2], t & 1,
                                    t >> 1);
            p.has_c = 1;
            p.c_shape = shape1(p.n); /* Dense bias */
            check_gemm(&p, 100u + (uint32_t)(i * 4 + t));
        }
}

Test(gemm, every_c_shape_with_alpha_and_beta)
{
    const int32_t m = 13, n = 37, k = 29;
    const clinfer_shape shapes[] = {shape_make(0, NULL), shape1(1),       shape1(n),
                                    shape2(1, n),        shape2(m, 1),    shape2(m, n),
                                    shape2(1, 1)};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        gemm_params p = gemm_of(m, n, k, (int)(i & 1), (int)((i >> 1) & 1));
        p.alpha = 0.75f;
        p.beta = -1.5f;
        p.has_c = 1;
        p.c_shape = shapes[i];
        check_gemm(&p, 200u + (uint32_t)i);
    }
}

Test(gemm, no_c_ignores_beta)
{
    for (int t = 0; t < 4; t++) {
        gemm_params p = gemm_of(33, 65, 130, t & 1, t >> 1);
        p.alpha = 2.5f;
        p.beta = 3.0f; /* no C: must not matter */
        check_gemm(&p, 300u + (uint32_t)t);
    }
}

Test(gemm, fused_activations)
{
    gemm_params p = gemm_of(21, 50, 40, 0, 1);
    p.has_c = 1;
    p.c_shape = shape2(1, p.n);
    p.act.kind = ACT_KIND_RELU;
    check_gemm(&p, 400u);
    p.has_c = 0; /* ReLU without C */
    p.trans_b = 0;
    check_gemm(&p, 401u);
    p.has_c = 1;
    p.act.kind = ACT_KIND_LEAKY_RELU;
    p.act.a = 0.1f;
    check_gemm(&p, 402u);
    p.act.kind = ACT_KIND_CLIP;
    p.act.a = -0.5f;
    p.act.b = 0.75f;
    check_gemm(&p, 403u);
    /* the activations of modern CNNs (GELU both ways: a transformer's MLP) */
    const act_params modern[] = {
        {ACT_KIND_HARD_SWISH, 1.0f / 6, 0.5f},
        {ACT_KIND_GELU, 0, 0},
        {ACT_KIND_GELU, 1, 0},
        {ACT_KIND_ELU, 0.5f, 0},
        {ACT_KIND_SELU, 1.6732632f, 1.050701f},
        {ACT_KIND_CELU, 0.8f, 0},
        {ACT_KIND_SOFTPLUS, 0, 0},
        {ACT_KIND_SOFTSIGN, 0, 0},
        {ACT_KIND_MISH, 0, 0},
        {ACT_KIND_THRESHOLDED_RELU, 0.3f, 0},
        {ACT_KIND_SWISH, 0.8f, 0},
    };
    for (size_t i = 0; i < sizeof modern / sizeof modern[0]; i++) {
        p.act = modern[i];
        check_gemm(&p, 410u + (uint32_t)i);
    }
}

/* A batch-1 Dense layer: M = 1, long K, Keras (transB = 0) and PyTorch
 * (transB = 1) weight layouts, bias and ReLU. */
Test(gemm, dense_batch1_long_k)
{
    const int32_t ns[] = {10, 130};
    for (int i = 0; i < 2; i++)
        for (int tb = 0; tb < 2; tb++) {
            gemm_params p = gemm_of(1, ns[i], 1600, 0, tb);
            p.has_c = 1;
            p.c_shape = shape1(p.n);
            p.act.kind = ACT_KIND_RELU;
            check_gemm(&p, 500u + (uint32_t)(i * 2 + tb));
            p.m = 3; /* a small batch */
            check_gemm(&p, 510u + (uint32_t)(i * 2 + tb));
        }
}

/* Runs a packing launch over `src` and reads back `floats` packed values. */
static void pack_on_device(clinfer_runtime *rt, op_launch *l, const float *src, size_t src_floats,
                           size_t floats, float *out)
{
    cl_mem in = upload(rt, src_floats, src), packed = upload(rt, floats, NULL);
    clinfer_status st = gemm_pack_bind(rt, l, dev_whole(in), packed);
    cr_assert_eq(st, CLINFER_OK, "pack bind: %s", clinfer_last_errmsg());
    launch_read(rt, l, packed, floats, out);
    launch_release(l);
    clReleaseMemObject(in);
    clReleaseMemObject(packed);
}

/* The host's packing of constant weights (ops/gemm_pack.c) writes what the
 * packing kernels write, bit for bit: B' plain and transposed, A', with
 * batches, sizes off the tiles and a k that is not a multiple of 16. */
Test(gemm, host_packing_matches_the_packing_kernels)
{
    clinfer_runtime *rt = variant_runtime("cpu");
    gemm_config cfg;
    cr_assert_eq(gemm_config_get(rt, &cfg), CLINFER_OK, "%s", clinfer_last_errmsg());
    const int32_t sizes[][2] = {{37, 53}, {5, 100}, {130, 17}, {1, 1}}; /* (k, n or m) */
    uint32_t seed = 77u;
    for (int i = 0; i < 4; i++) {
        const int32_t k = sizes[i][0], n = sizes[i][1];
        const int64_t bd = 3, step = (int64_t)k * n + 5; /* 3 batches, a gap between them */
        const size_t src_floats = (size_t)(bd * step), per = gemm_packed_floats(&cfg, n, k);
        float *src = test_alloc(src_floats * 4), *dev = test_alloc(3 * per * 4);
        float *host = test_alloc(3 * per * 4);
        fill_uniform(src, src_floats, -1, 1, &seed);
        for (int t = 0; t < 2; t++) { /* B' [k, n] row-major, then stored [n, k] */
            const int32_t b_ks = t ? 1 : n, b_ns = t ? k : 1;
            op_launch l;
            clinfer_status st = gemm_pack_prepare(rt, &cfg, n, k, b_ks, b_ns, 1, &bd, &step, 3,
                                                  0, &l);
            cr_assert_eq(st, CLINFER_OK, "gemm_pack_prepare: %s", clinfer_last_errmsg());
            pack_on_device(rt, &l, src, src_floats, 3 * per, dev);
            gemm_pack_b_host(&cfg, n, k, b_ks, b_ns, 1, &bd, &step, 3, src, host);
            cr_assert_arr_eq(dev, host, 3 * per * sizeof(float),
                             "packed B' k=%d n=%d transposed=%d differs", k, n, t);
        }
        const int32_t m = n; /* A' [m, k], row-major */
        const size_t per_a = gemm_packed_a_floats(&cfg, m, k);
        float *dev_a = test_alloc(3 * per_a * 4), *host_a = test_alloc(3 * per_a * 4);
        op_launch l;
        clinfer_status st = gemm_pack_a_prepare(rt, &cfg, m, k, k, 1, 1, &bd, &step, 3, &l);
        cr_assert_eq(st, CLINFER_OK, "gemm_pack_a_prepare: %s", clinfer_last_errmsg());
        pack_on_device(rt, &l, src, src_floats, 3 * per_a, dev_a);
        gemm_pack_a_host(&cfg, m, k, k, 1, 1, &bd, &step, 3, src, host_a);
        cr_assert_arr_eq(dev_a, host_a, 3 * per_a * sizeof(float),
                         "packed A' m=%d k=%d differs", m, k);
        free(src), free(dev), free(host), free(dev_a), free(host_a);
    }
}

Test(gemm, dims_from_shapes)
{
    clinfer_runtime *rt = test_runtime();
    gemm_params p = gemm_params_default();
    clinfer_shape a = shape2(5, 7), b = shape2(7, 3);
    cr_assert_eq(gemm_dims_from_shapes(rt, &a, &b, &p), CLINFER_OK);
    cr_assert(p.m == 5 && p.n == 3 && p.k == 7);
    p.trans_a = p.trans_b = 1;
    a = shape2(7, 5), b = shape2(3, 7);
    cr_assert_eq(gemm_dims_from_shapes(rt, &a, &b, &p), CLINFER_OK);
    cr_assert(p.m == 5 && p.n == 3 && p.k == 7);
    clinfer_runtime_free(rt);
}

/* -------------------------------------------------------------- errors */

#define ASSERT_FAILS_WITH(call, status, text)                                             \
    do {                                                                                  \
        clinfer_status st_ = (call);                                                      \
        cr_assert_eq(st_, (status), "%s returned %s (%s)", #call, clinfer_status_str(st_), \
                     clinfer_last_errmsg());                                              \
        cr_assert(strstr(clinfer_last_errmsg(), (text)), "%s: message \"%s\" lacks \"%s\"", \
                  #call, clinfer_last_errmsg(), (text));                                  \
    } while (0)

Test(gemm, rejects_bad_shapes_and_attributes)
{
    clinfer_runtime *rt = test_runtime();
    gemm_params p = gemm_params_default();
    clinfer_shape a = shape2(5, 7), b = shape2(6, 3), y;
    ASSERT_FAILS_WITH(gemm_dims_from_shapes(rt, &a, &b, &p), CLINFER_ERR_SHAPE, "K mismatch");
    p.trans_b = 1; /* B [6, 3] transposed is [3, 6]: still K 7 vs 3 */
    ASSERT_FAILS_WITH(gemm_dims_from_shapes(rt, &a, &b, &p), CLINFER_ERR_SHAPE, "transB=1");
    const int64_t d3[3] = {2, 5, 7};
    a = shape_make(3, d3);
    ASSERT_FAILS_WITH(gemm_dims_from_shapes(rt, &a, &b, &p), CLINFER_ERR_SHAPE,
                      "A has shape [2, 5, 7], expected rank 2");
    a = shape2(5, 0);
    b = shape2(0, 3);
    p.trans_b = 0;
    ASSERT_FAILS_WITH(gemm_dims_from_shapes(rt, &a, &b, &p), CLINFER_ERR_UNSUPPORTED, "empty");

    /* C shapes that do not broadcast to [M, N] = [4, 6] */
    op_launch l;
    gemm_plan plan = {.packed_bytes = 0};
    p = gemm_of(4, 6, 5, 0, 0);
    p.has_c = 1;
    const clinfer_shape bad[] = {shape1(4), shape2(2, 6), shape2(4, 5), shape2(6, 4)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p.c_shape = bad[i];
        ASSERT_FAILS_WITH(gemm_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE,
                          "does not broadcast to [M, N] = [4, 6]");
        ASSERT_FAILS_WITH(gemm_prepare(rt, &p, &plan, &l), CLINFER_ERR_SHAPE,
                          "Gemm: C has shape");
        ASSERT_FAILS_WITH(gemm_plan_make(rt, &p, 1, &plan), CLINFER_ERR_SHAPE, "Gemm: C has shape");
    }
    const int64_t c3[3] = {1, 4, 6};
    p.c_shape = shape_make(3, c3);
    ASSERT_FAILS_WITH(gemm_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "expected rank 0 to 2");
    p.c_shape.rank = 99;
    ASSERT_FAILS_WITH(gemm_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "invalid rank 99");
    p.has_c = 0; /* C's shape no longer matters */
    cr_assert_eq(gemm_output_shape(rt, &p, &y), CLINFER_OK);

    p.k = 0;
    ASSERT_FAILS_WITH(gemm_output_shape(rt, &p, &y), CLINFER_ERR_UNSUPPORTED, "K=0");
    p.k = -2;
    ASSERT_FAILS_WITH(gemm_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "K=-2");
    p.k = 5;
    p.m = 70000, p.n = 70000;
    ASSERT_FAILS_WITH(gemm_output_shape(rt, &p, &y), CLINFER_ERR_UNSUPPORTED, "more than");
    p.m = 4, p.n = 6;
    p.act.kind = (act_kind)42;
    ASSERT_FAILS_WITH(gemm_prepare(rt, &p, &plan, &l), CLINFER_ERR_INVALID_ARGUMENT,
                      "act.kind 42");
    clinfer_runtime_free(rt);
}

/* -------------------------------------------------------------- MatMul */

static clinfer_shape shape_n(int32_t rank, const int64_t *d) { return shape_make(rank, d); }

Test(matmul, two_d)
{
    clinfer_runtime *rt = test_runtime();
    check_matmul(rt, shape2(7, 33), shape2(33, 65), ACT_KIND_NONE, 600u);
    check_matmul(rt, shape2(1, 1600), shape2(1600, 130), ACT_KIND_NONE, 601u);
    check_matmul(rt, shape2(65, 1), shape2(1, 130), ACT_KIND_RELU, 602u);
    check_matmul(rt, shape2(24, 16), shape2(16, 32), ACT_KIND_NONE, 603u);
    clinfer_runtime_free(rt);
}

Test(matmul, batched_and_broadcast)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t m = 7, k = 33, n = 19;
    /* [2, 3, M, K] x [K, N]: B shared (one [6M, K] product) */
    check_matmul(rt, shape_n(4, (int64_t[]){2, 3, m, k}), shape2(k, n), ACT_KIND_NONE, 700u);
    /* [2, 3, M, K] x [2, 3, K, N], with N < 32 (gathered B) and N > 32 */
    check_matmul(rt, shape_n(4, (int64_t[]){2, 3, m, k}), shape_n(4, (int64_t[]){2, 3, k, n}),
                 ACT_KIND_NONE, 701u);
    check_matmul(rt, shape_n(4, (int64_t[]){2, 3, m, k}), shape_n(4, (int64_t[]){2, 3, k, 45}),
                 ACT_KIND_NONE, 710u);
    /* [3, 1, M, K] x [2, K, N] -> [3, 2, M, N] */
    check_matmul(rt, shape_n(4, (int64_t[]){3, 1, m, k}), shape_n(3, (int64_t[]){2, k, n}),
                 ACT_KIND_NONE, 702u);
    /* [M, K] x [4, K, N]: A shared */
    check_matmul(rt, shape2(m, k), shape_n(3, (int64_t[]){4, k, n}), ACT_KIND_NONE, 703u);
    /* alternating broadcasts: four batch dims that cannot merge */
    check_matmul(rt, shape_n(6, (int64_t[]){2, 1, 3, 1, 5, 6}),
                 shape_n(6, (int64_t[]){1, 4, 1, 2, 6, 3}), ACT_KIND_NONE, 704u);
    /* six batch dims, rank 8, every other one broadcast */
    check_matmul(rt, shape_n(8, (int64_t[]){2, 1, 2, 1, 2, 1, 3, 5}),
                 shape_n(8, (int64_t[]){1, 2, 1, 2, 1, 3, 5, 4}), ACT_KIND_NONE, 705u);
    /* dims that merge for one operand but not the other */
    check_matmul(rt, shape_n(4, (int64_t[]){3, 2, m, k}), shape_n(3, (int64_t[]){2, k, n}),
                 ACT_KIND_NONE, 708u);
    check_matmul(rt, shape_n(3, (int64_t[]){2, m, k}), shape_n(4, (int64_t[]){3, 2, k, n}),
                 ACT_KIND_NONE, 709u);
    /* size-1 batch dims on both sides, and mergeable runs */
    check_matmul(rt, shape_n(5, (int64_t[]){1, 2, 3, m, k}),
                 shape_n(5, (int64_t[]){1, 2, 3, k, n}), ACT_KIND_RELU, 706u);
    check_matmul(rt, shape_n(5, (int64_t[]){2, 3, 1, m, k}), shape_n(3, (int64_t[]){1, k, n}),
                 ACT_KIND_NONE, 707u);
    clinfer_runtime_free(rt);
}

Test(matmul, one_d_operands)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t m = 9, k = 130, n = 17;
    check_matmul(rt, shape1(k), shape1(k), ACT_KIND_NONE, 800u);     /* -> [] */
    check_matmul(rt, shape1(k), shape2(k, n), ACT_KIND_NONE, 801u);  /* -> [N] */
    check_matmul(rt, shape2(m, k), shape1(k), ACT_KIND_NONE, 802u);  /* -> [M] */
    check_matmul(rt, shape1(k), shape_n(4, (int64_t[]){2, 3, k, n}), ACT_KIND_NONE, 803u);
    check_matmul(rt, shape_n(4, (int64_t[]){2, 3, m, k}), shape1(k), ACT_KIND_NONE, 804u);
    check_matmul(rt, shape1(1), shape2(1, n), ACT_KIND_NONE, 805u);
    clinfer_runtime_free(rt);
}

Test(matmul, rejects_bad_shapes)
{
    clinfer_runtime *rt = test_runtime();
    matmul_params p;
    memset(&p, 0, sizeof p);
    clinfer_shape y;
    op_launch l;
    gemm_plan plan = {.packed_bytes = 0};
    p.a = shape2(4, 5), p.b = shape2(6, 3);
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "K mismatch");
    ASSERT_FAILS_WITH(matmul_prepare(rt, &p, &plan, &l), CLINFER_ERR_SHAPE, "K=5");
    p.b = shape1(4);
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "its only dim");
    p.a = shape_make(0, NULL), p.b = shape2(1, 3);
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE,
                      "A has rank 0, expected rank >= 1");
    p.a = shape2(1, 3), p.b = shape_make(0, NULL);
    ASSERT_FAILS_WITH(matmul_prepare(rt, &p, &plan, &l), CLINFER_ERR_SHAPE, "B has rank 0");
    p.a = shape_n(3, (int64_t[]){2, 4, 5}), p.b = shape_n(3, (int64_t[]){3, 5, 6});
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE,
                      "batch dims of A [2, 4, 5] and B [3, 5, 6] do not broadcast");
    p.b = shape_n(3, (int64_t[]){2, 5, 0});
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_UNSUPPORTED, "B [2, 5, 0]");
    p.b = shape_n(3, (int64_t[]){2, 5, -1});
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "negative");
    p.b = shape2(5, 6);
    p.b.rank = 9;
    ASSERT_FAILS_WITH(matmul_output_shape(rt, &p, &y), CLINFER_ERR_SHAPE, "B has rank 9");
    p.b.rank = 2;
    p.act.kind = (act_kind)-1;
    ASSERT_FAILS_WITH(matmul_prepare(rt, &p, &plan, &l), CLINFER_ERR_INVALID_ARGUMENT, "act.kind");
    ASSERT_FAILS_WITH(matmul_plan_make(rt, &p, &plan), CLINFER_ERR_INVALID_ARGUMENT, "act.kind");
    p.act.kind = ACT_KIND_NONE;
    cr_assert_eq(matmul_output_shape(rt, &p, &y), CLINFER_OK);
    cr_assert(y.rank == 3 && y.dims[0] == 2 && y.dims[1] == 4 && y.dims[2] == 6);
    clinfer_runtime_free(rt);
}

/* -------------------------------------------------------------- tuning */

static char tune_dir[128];

static clinfer_runtime *runtime_tuning(const char *dir, clinfer_tuning tuning)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.cache_dir = dir;
    o.tuning = tuning;
    clinfer_runtime *rt = NULL;
    clinfer_status st = clinfer_runtime_create(&o, &rt);
    cr_assert_eq(st, CLINFER_OK, "%s", clinfer_last_errmsg());
    return rt;
}

/* The tests of the search ask for it: by default a CPU takes the
 * default tiles unmeasured (config.h, CONFIG_TUNE_AUTO). */
static clinfer_runtime *runtime_in(const char *dir) { return runtime_tuning(dir, CLINFER_TUNING_ON); }

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    char *buf = test_alloc(65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void fresh_tune_dir(void)
{
    snprintf(tune_dir, sizeof tune_dir, "/tmp/clinfer-tune-test-%ld", (long)getpid());
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tune_dir);
    cr_assert_eq(system(cmd), 0);
    unsetenv("CLINFER_TUNE");
    setenv("CLINFER_GEMM_VARIANT", "cpu", 1);
}

static void remove_tune_dir(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tune_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tune_dir);
}

/* The first use measures a few candidates (compiling them is most of it) and stores the
 * winner beside the program cache; a new runtime reads it back without
 * measuring; a stored value that does not fit is measured again. */
Test(gemm_tuning, measured_once_then_read_back, .init = fresh_tune_dir, .fini = remove_tune_dir)
{
    clinfer_runtime *rt = runtime_in(tune_dir);
    gemm_config first, again;
    double t0 = seconds_now();
    cr_assert_eq(gemm_config_get(rt, &first), CLINFER_OK, "%s", clinfer_last_errmsg());
    double search_s = seconds_now() - t0;
    cr_assert_eq(first.variant, GEMM_VARIANT_CPU);
    cr_assert(first.tm >= 1 && first.tm <= 16 && first.nv >= 1 && first.nv <= 4,
              "tm=%d nv=%d", first.tm, first.nv);
    /* a bound against a runaway search, not a speed test: compiling the
     * candidates cold on a loaded 2-core machine took 18.5 s once */
    cr_assert_lt(search_s, 120.0, "the search took %.2f s", search_s);
    const char *path = tuning_path(rt);
    cr_assert(path && strstr(path, tune_dir) && strstr(path, "tuning.txt"), "path %s", path);
    char *text = read_text(path);
    char want[512];
    snprintf(want, sizeof want, "gemm_cpu\t%s\t%s\ttm=%d nv=%d\n", clinfer_runtime_device(rt)->name,
             clinfer_runtime_device(rt)->driver_version, first.tm, first.nv);
    cr_assert(strstr(text, want), "tuning file:\n%s\nlacks\n%s", text, want);
    free(text);
    clinfer_runtime_free(rt);

    rt = runtime_in(tune_dir); /* read back: no measuring */
    t0 = seconds_now();
    cr_assert_eq(gemm_config_get(rt, &again), CLINFER_OK);
    cr_assert_lt(seconds_now() - t0, 0.05);
    cr_assert(again.tm == first.tm && again.nv == first.nv);
    clinfer_runtime_free(rt);

    /* a value that does not fit, a malformed line and another device's line */
    clinfer_runtime *probe = runtime_in(tune_dir);
    snprintf(want, sizeof want,
             "garbage without tabs\nconv_x\tsome other device\t1.0\tkeep me\n"
             "gemm_cpu\t%s\t%s\ttm=99 nv=2\n",
             clinfer_runtime_device(probe)->name, clinfer_runtime_device(probe)->driver_version);
    clinfer_runtime_free(probe);
    char file[256];
    snprintf(file, sizeof file, "%s/tuning.txt", tune_dir);
    write_text(file, want);
    rt = runtime_in(tune_dir);
    cr_assert_eq(gemm_config_get(rt, &again), CLINFER_OK);
    cr_assert(again.tm >= 1 && again.tm <= 16, "tm=%d taken from a bad line", again.tm);
    text = read_text(file);
    cr_assert(strstr(text, "conv_x\tsome other device\t1.0\tkeep me\n"), "file:\n%s", text);
    cr_assert(!strstr(text, "tm=99"), "file:\n%s", text);
    cr_assert(!strstr(text, "garbage"), "file:\n%s", text);
    free(text);
    clinfer_runtime_free(rt);
}

Test(gemm_tuning, env_variables, .init = fresh_tune_dir, .fini = remove_tune_dir)
{
    setenv("CLINFER_TUNE", "0", 1); /* defaults, nothing stored */
    clinfer_runtime *rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    gemm_config c;
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK);
    /* the first candidate: 8 x 2 float16 tiles where vectors are 16 floats
     * wide (AVX-512), 6 x 1 where they are narrower (AVX2: 16 registers) */
    cl_uint width = 0;
    cr_assert_eq(clGetDeviceInfo(rt->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT,
                                 sizeof width, &width, NULL),
                 CL_SUCCESS);
    const int want_tm = width > 8 ? 8 : 6, want_nv = width > 8 ? 2 : 1;
    cr_assert(c.variant == GEMM_VARIANT_CPU && c.tm == want_tm && c.nv == want_nv,
              "tm=%d nv=%d, want tm=%d nv=%d (float vectors of %u)", c.tm, c.nv, want_tm, want_nv,
              width);
    char value[64];
    cr_assert_eq(tuning_get(rt, "gemm_cpu", value, sizeof value), 0);
    clinfer_runtime_free(rt); /* the variables are read when a runtime is created */
    setenv("CLINFER_GEMM_VARIANT", "gpu", 1);
    rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK);
    cr_assert(c.variant == GEMM_VARIANT_GPU && c.tsm == 64 && c.tsn == 64 && c.wptm == 4);
    clinfer_runtime_free(rt);
    setenv("CLINFER_GEMM_VARIANT", "naive", 1);
    rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK);
    cr_assert_eq(c.variant, GEMM_VARIANT_NAIVE);
    clinfer_runtime_free(rt);
    setenv("CLINFER_GEMM_VARIANT", "fastest", 1);
    rt = NULL;
    ASSERT_FAILS_WITH(clinfer_runtime_create(NULL, &rt), CLINFER_ERR_INVALID_ARGUMENT,
                      "CLINFER_GEMM_VARIANT=\"fastest\": expected cpu, gpu, naive or auto");
    cr_assert_null(rt);
    setenv("CLINFER_GEMM_VARIANT", "cpu", 1);
    rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    gemm_params p = gemm_of(4, 5, 6, 0, 0);
    gemm_plan plan;
    p.m = 3; /* fewer rows than a tile: the same tiles (gemm.cl's gemm_rows), one program */
    cr_assert_eq(gemm_plan_make(rt, &p, 1, &plan), CLINFER_OK);
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK);
    cr_assert_eq(plan.cfg.tm, c.tm);
    cr_assert_eq(plan.packed_bytes, (size_t)16 * want_nv * 6 * sizeof(float)); /* one panel */

    tuning_put(rt, "x_test", "a=1"); /* the store itself */
    cr_assert_eq(tuning_get(rt, "x_test", value, sizeof value), 1);
    cr_assert_str_eq(value, "a=1");
    tuning_put(rt, "x_test", "a=2");
    clinfer_runtime_free(rt);
    rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    cr_assert_eq(tuning_get(rt, "x_test", value, sizeof value), 1);
    cr_assert_str_eq(value, "a=2");
    cr_assert_eq(tuning_get(rt, "x_test", value, 3), 0); /* does not fit */
    tuning_put(rt, "bad\tname", "v"); /* ignored */
    cr_assert_eq(tuning_get(rt, "bad\tname", value, sizeof value), 0);
    clinfer_runtime_free(rt);
}

/* Unset CLINFER_TUNE on a CPU: no search (it would cost a cold start
 * about 2 s of compiles), the default tiles, nothing stored; a stored
 * choice (from `clinfer compile` or CLINFER_TUNE=1) is used. */
Test(gemm_tuning, default_on_cpus_reads_but_never_searches, .init = fresh_tune_dir,
     .fini = remove_tune_dir)
{
    clinfer_runtime *rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    gemm_config c;
    double t0 = seconds_now();
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_lt(seconds_now() - t0, 0.05, "nothing compiled or measured");
    const int default_tm = c.tm;
    char value[64];
    cr_assert_eq(tuning_get(rt, "gemm_cpu", value, sizeof value), 0, "nothing stored");
    const char *other = default_tm == 4 ? "tm=6 nv=1" : "tm=4 nv=1";
    tuning_put(rt, "gemm_cpu", other);
    clinfer_runtime_free(rt);

    rt = runtime_tuning(tune_dir, CLINFER_TUNING_DEFAULT);
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK);
    cr_assert_eq(c.tm, default_tm == 4 ? 6 : 4, "the stored choice is used");
    clinfer_runtime_free(rt);

    rt = runtime_tuning(tune_dir, CLINFER_TUNING_OFF);
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK);
    cr_assert_eq(c.tm, default_tm, "off ignores what is stored");
    clinfer_runtime_free(rt);
}
