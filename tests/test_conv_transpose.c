/*
 * test_conv_transpose.c — 2-D transposed convolution against the naive
 * scatter reference (ref_conv_transpose.c) on random data: odd, non-square
 * sizes (C 3 -> OC 5 on 7x5 images and others), kernels 1x1 to 4x4,
 * strides 1, 2, 3 and mixed, asymmetric padding, output_padding, dilation
 * 2, groups 2 and depthwise groups, auto_pad SAME_UPPER / SAME_LOWER /
 * VALID and output sizes (ONNX output_shape) smaller and larger than the
 * full output, bias, fused activations, NaN. Each algorithm (naive, gemm, direct)
 * under each GEMM variant at the ops level, batches split into scratch
 * chunks, graph nodes through the public API under every forced algorithm
 * and GEMM variant (test_op), the activation fusion, the checks, and the
 * ONNX translator (a model written with onnx_writer: output_shape as the
 * whole shape, SAME_LOWER, groups; 1-D as 2-D of height 1; 3-D and bad
 * attributes refused).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "onnx_writer.h"
#include "op_test.h"
#include "passes/passes.h"
#include "ref_conv_transpose.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

typedef struct convt_case {
    const char *name;
    int32_t n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, oph, opw, dh, dw, groups, bias;
    act_kind act;
    clinfer_pad_mode mode; /* EXPLICIT: pt..pr; else the auto_pad rule */
    int32_t out_h, out_w;  /* > 0: the output size (ONNX output_shape) */
} convt_case;

#define E CLINFER_PAD_EXPLICIT
static const convt_case cases[] = {
    {"3->5 7x5 3x3", 1, 3, 7, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE, E, 0,
     0},
    {"3->5 4x4 s2 pad 1 (DCGAN)", 2, 3, 7, 5, 5, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1,
     ACT_KIND_RELU, E, 0, 0},
    {"3x3 stride (3,2) asym pad, output_padding", 1, 3, 7, 5, 5, 3, 3, 3, 2, 1, 0, 2, 1, 2, 1, 1,
     1, 1, 1, ACT_KIND_LEAKY_RELU, E, 0, 0},
    {"dilation 2 stride 2", 1, 3, 7, 5, 5, 3, 3, 2, 2, 1, 2, 0, 1, 1, 0, 2, 2, 1, 0, ACT_KIND_NONE,
     E, 0, 0},
    {"dilation (2,1) stride 3", 2, 3, 6, 7, 4, 3, 4, 3, 3, 2, 1, 1, 2, 0, 2, 2, 1, 1, 1,
     ACT_KIND_NONE, E, 0, 0},
    {"groups 2", 2, 4, 7, 5, 6, 3, 3, 2, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2, 1, ACT_KIND_CLIP, E, 0, 0},
    {"depthwise 4x4 s2", 1, 6, 7, 5, 6, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 6, 1, ACT_KIND_RELU, E,
     0, 0},
    {"depthwise multiplier 2", 1, 3, 7, 5, 6, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 3, 1,
     ACT_KIND_NONE, E, 0, 0},
    {"2x2 s2 (U-Net)", 2, 16, 9, 13, 8, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_RELU, E,
     0, 0},
    {"4x4 s2 p1 many channels", 1, 24, 5, 7, 10, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1,
     ACT_KIND_TANH, E, 0, 0},
    {"groups 2 gemm, output_padding", 2, 16, 6, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1,
     ACT_KIND_SIGMOID, E, 0, 0},
    {"wide rows 4x4 s2", 1, 9, 8, 40, 7, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE,
     E, 0, 0},
    {"1x1", 1, 8, 5, 6, 4, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE, E, 0, 0},
    {"stride larger than kernel", 1, 3, 4, 5, 2, 2, 3, 3, 4, 0, 1, 0, 0, 2, 0, 1, 1, 1, 1,
     ACT_KIND_NONE, E, 0, 0},
    {"output_shape smaller", 1, 3, 7, 5, 5, 3, 3, 3, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_NONE, E, 20, 9},
    {"output_shape larger", 1, 3, 7, 5, 5, 3, 3, 3, 2, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
     ACT_KIND_RELU, E, 23, 13},
    {"SAME_UPPER s2 3x3", 1, 3, 7, 5, 5, 3, 3, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE,
     CLINFER_PAD_SAME_UPPER, 0, 0},
    {"SAME_LOWER s3 4x4", 1, 3, 7, 5, 5, 4, 4, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, ACT_KIND_NONE,
     CLINFER_PAD_SAME_LOWER, 0, 0},
    {"1x2 depthwise: col^T pixels 2 floats apart", 2, 2, 3, 5, 2, 1, 2, 1, 2, 0, 0, 0, 0, 0, 1, 1,
     1, 2, 1, ACT_KIND_NONE, E, 0, 0},
    {"VALID stride (1,2) dilation 2", 1, 3, 7, 5, 5, 3, 3, 1, 2, 5, 5, 5, 5, 0, 1, 2, 2, 1, 1,
     ACT_KIND_NONE, CLINFER_PAD_VALID, 0, 0},
};
#undef E
#define N_CASES (sizeof cases / sizeof cases[0])

static const convt_algo algos[] = {CONVT_ALGO_NAIVE, CONVT_ALGO_GEMM, CONVT_ALGO_DIRECT};
static const char *const gemm_variants[] = {"cpu", "gpu", "naive"};

/* The ops-level parameters of case k, the pads resolved by the reference's
 * own ONNX rule where the case gives a mode or an output size. */
static convt_params params_of(const convt_case *k)
{
    convt_params p = convt_params_default();
    p.n = k->n, p.c = k->c, p.h = k->h, p.w = k->w, p.oc = k->oc, p.kh = k->kh, p.kw = k->kw;
    p.stride_h = k->sh, p.stride_w = k->sw;
    p.pad_top = k->pt, p.pad_left = k->pl, p.pad_bottom = k->pb, p.pad_right = k->pr;
    p.out_pad_h = k->oph, p.out_pad_w = k->opw;
    p.dil_h = k->dh, p.dil_w = k->dw, p.groups = k->groups, p.has_bias = k->bias;
    p.act.kind = k->act;
    p.act.a = k->act == ACT_KIND_CLIP ? -0.25f : 0.1f;
    p.act.b = 0.5f;
    if (k->mode == CLINFER_PAD_VALID)
        p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 0;
    if (k->out_h > 0 || k->mode == CLINFER_PAD_SAME_UPPER || k->mode == CLINFER_PAD_SAME_LOWER) {
        const int upper = k->mode == CLINFER_PAD_SAME_UPPER;
        const int32_t oh = k->out_h > 0 ? k->out_h : k->h * k->sh;
        const int32_t ow = k->out_w > 0 ? k->out_w : k->w * k->sw;
        ref_convt_pads(upper, p.h, p.kh, p.stride_h, p.dil_h, p.out_pad_h, oh, &p.pad_top,
                       &p.pad_bottom);
        ref_convt_pads(upper, p.w, p.kw, p.stride_w, p.dil_w, p.out_pad_w, ow, &p.pad_left,
                       &p.pad_right);
    }
    return p;
}

static void out_size(const convt_params *p, int32_t *oh, int32_t *ow)
{
    *oh = ref_convt_out(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, p->out_pad_h,
                        p->dil_h);
    *ow = ref_convt_out(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, p->out_pad_w,
                        p->dil_w);
}

/* Random data for case p: input, weights, bias (seeded). */
typedef struct convt_data {
    size_t in_n, w_n, out_n;
    float *in, *w, *b, *want;
} convt_data;

static convt_data data_make(const convt_params *p, uint32_t seed, int nan)
{
    convt_data d;
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    d.in_n = (size_t)p->n * p->c * p->h * p->w;
    d.w_n = (size_t)p->c * (p->oc / p->groups) * p->kh * p->kw;
    d.out_n = (size_t)p->n * p->oc * oh * ow;
    d.in = test_alloc(d.in_n * 4), d.w = test_alloc(d.w_n * 4);
    d.b = test_alloc((size_t)p->oc * 4), d.want = test_alloc(d.out_n * 4);
    fill_uniform(d.in, d.in_n, -1, 1, &seed);
    fill_uniform(d.w, d.w_n, -1, 1, &seed);
    fill_uniform(d.b, (size_t)p->oc, -1, 1, &seed);
    if (nan) /* a pixel of the last image: every output it reaches is NaN */
        d.in[d.in_n - 1 - (size_t)p->w - 1] = NAN;
    ref_conv_transpose2d(p, d.in, d.w, p->has_bias ? d.b : NULL, d.want);
    return d;
}

static void data_free(convt_data *d) { free(d->in), free(d->w), free(d->b), free(d->want); }

#define OK(call) cr_assert_eq((call), CLINFER_OK, "%s", clinfer_last_errmsg())

/* Enqueues every launch of `plan` and reads the output into got. */
static void run_plan(clinfer_runtime *rt, const convt_params *p, const convt_plan *plan,
                     const convt_data *d, float *got, const char *what)
{
    cl_mem m[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    OK(buffer_create(rt, d->in_n * 4, d->in, &m[0]));
    OK(buffer_create(rt, d->w_n * 4, d->w, &m[1]));
    OK(buffer_create(rt, (size_t)p->oc * 4, d->b, &m[2]));
    OK(buffer_create(rt, d->out_n * 4, NULL, &m[3]));
    if (plan->scratch_bytes > 0)
        OK(buffer_create(rt, (size_t)plan->scratch_bytes, NULL, &m[4]));
    if (plan->persist_bytes > 0)
        OK(buffer_create(rt, (size_t)plan->persist_bytes, NULL, &m[5]));
    for (int32_t i = 0; i < plan->prep_count; i++) {
        op_launch l;
        cr_assert_eq(convt_prep_launch(rt, p, plan, i, dev_whole(m[1]), m[5], &l), CLINFER_OK,
                     "%s: prep %d: %s", what, (int)i, clinfer_last_errmsg());
        OK(launch_enqueue(rt, &l, NULL));
        launch_release(&l);
    }
    const convt_buffers b = {dev_whole(m[0]), dev_whole(m[1]), dev_whole(m[2]),
                             dev_whole(m[3]), m[4],           m[5]};
    for (int32_t i = 0; i < plan->launch_count; i++) {
        op_launch l;
        cr_assert_eq(convt_launch(rt, p, plan, i, &b, &l), CLINFER_OK, "%s: launch %d: %s",
                     what, (int)i, clinfer_last_errmsg());
        cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK, "%s: enqueue %s: %s", what,
                     l.name, clinfer_last_errmsg());
        launch_release(&l);
    }
    OK(buffer_read(rt, m[3], d->out_n * 4, got));
    for (int i = 0; i < 6; i++)
        if (m[i])
            clReleaseMemObject(m[i]);
}

static float atol_of(const convt_params *p)
{
    return 1e-5f + 2e-7f * (float)((p->c / p->groups) * p->kh * p->kw);
}

/* Both algorithms, under every GEMM variant, on runtimes made from `base`. */
static void check_case(const clinfer_runtime_options *base, const convt_case *k, uint32_t seed,
                       int nan)
{
    const convt_params p = params_of(k);
    convt_data d = data_make(&p, seed, nan);
    float *got = test_alloc(d.out_n * 4);
    for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++)
        for (int v = 0; v < 3; v++) {
            char what[200];
            snprintf(what, sizeof what, "%s [%s, gemm %s]%s", k->name, convt_algo_name(algos[a]),
                     gemm_variants[v], nan ? " NaN" : "");
            clinfer_runtime *rt = test_forced_runtime(base, "CLINFER_GEMM_VARIANT",
                                                      gemm_variants[v]);
            convt_plan plan;
            cr_assert_eq(convt_plan_algo(rt, &p, algos[a], &plan), CLINFER_OK, "%s: %s", what,
                         clinfer_last_errmsg());
            cr_assert_eq(plan.algo, algos[a], "%s: planned %s", what,
                         convt_algo_name(plan.algo));
            memset(got, 0, d.out_n * 4);
            run_plan(rt, &p, &plan, &d, got, what);
            assert_close_nonfinite(got, d.want, d.out_n, atol_of(&p), 1e-4f, what);
        }
    free(got);
    data_free(&d);
}

static void setup(void) { setenv("CLINFER_TUNE", "0", 1); }

Test(conv_transpose, every_algorithm_matches_reference, .init = setup)
{
    for (size_t i = 0; i < N_CASES; i++)
        check_case(NULL, &cases[i], 4321u + (uint32_t)i, 0);
    test_forced_free();
}

/* A NaN input pixel makes exactly the outputs it reaches NaN. */
Test(conv_transpose, nan_propagates, .init = setup)
{
    const size_t picks[] = {1, 5, 8, 9};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
        check_case(NULL, &cases[picks[i]], 99u + (uint32_t)i, 1);
    test_forced_free();
}

/* A scratch bound of one byte: every image its own chunk, including the
 * last, in each form of gemm: transposed (12 pixels), X read in place (320
 * pixels), X packed (512 pixels: a row stride the cpu GEMM does not read
 * in place). */
Test(conv_transpose, batches_in_chunks, .init = setup)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.conv_scratch_cap = 1;
    const convt_case chunked[] = {
        {"chunks 4x4 s2, transposed", 3, 9, 4, 3, 4, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1,
         ACT_KIND_RELU, CLINFER_PAD_EXPLICIT, 0, 0},
        {"chunks groups 2, X in place", 3, 10, 8, 40, 6, 3, 3, 2, 2, 1, 0, 1, 0, 1, 0, 1, 1, 2,
         1, ACT_KIND_NONE, CLINFER_PAD_EXPLICIT, 0, 0},
        {"chunks X packed", 2, 5, 16, 32, 3, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_NONE, CLINFER_PAD_EXPLICIT, 0, 0},
    };
    for (size_t i = 0; i < sizeof chunked / sizeof chunked[0]; i++) {
        clinfer_runtime *rt = test_runtime_with(&o);
        const convt_params p = params_of(&chunked[i]);
        convt_plan plan;
        OK(convt_plan_algo(rt, &p, CONVT_ALGO_GEMM, &plan));
        cr_assert_eq(plan.chunk, 1, "%s: chunk %d", chunked[i].name, (int)plan.chunk);
        cr_assert_eq(plan.launch_count, plan.per_chunk * p.n);
        cr_assert_eq(plan.transposed, i == 0, "%s: transposed %d", chunked[i].name,
                     plan.transposed);
        if (plan.gemm.variant == GEMM_VARIANT_CPU && i > 0)
            cr_assert_eq(plan.b_in_place, i == 1, "%s: X read in place: %d", chunked[i].name,
                         plan.b_in_place);
        clinfer_runtime_free(rt);
        check_case(&o, &chunked[i], 7u + (uint32_t)i, 0);
    }
    test_forced_free();
}

/* The automatic choice: direct for at most 4 input channels per group,
 * else gemm, naive where gemm's column matrix would not fit;
 * CLINFER_CONV_ALGO=naive / im2col / direct force one. */
Test(conv_transpose, automatic_choice_and_forcing, .init = setup)
{
    clinfer_runtime *rt = test_runtime();
    convt_plan plan;
    convt_params p = params_of(&cases[6]); /* depthwise */
    OK(convt_plan_make(rt, &p, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_DIRECT);
    convt_params grouped = params_of(&cases[10]); /* 8 input channels per group */
    OK(convt_plan_make(rt, &grouped, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_GEMM);
    convt_params huge = p; /* 64 x 16 taps x 2^26 pixels: past INT32_MAX */
    huge.c = 16, huge.groups = 1, huge.oc = 64, huge.h = 1 << 13, huge.w = 1 << 13;
    OK(convt_plan_make(rt, &huge, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_NAIVE);
    cr_assert_eq(convt_plan_algo(rt, &huge, CONVT_ALGO_GEMM, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "too large for gemm"), "%s", clinfer_last_errmsg());
    p = params_of(&cases[9]); /* 24 input channels */
    OK(convt_plan_make(rt, &p, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_GEMM);
    clinfer_runtime *naive = test_forced_runtime(NULL, "CLINFER_CONV_ALGO", "naive");
    OK(convt_plan_make(naive, &p, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_NAIVE);
    clinfer_runtime *gemm = test_forced_runtime(NULL, "CLINFER_CONV_ALGO", "im2col");
    p = params_of(&cases[6]);
    OK(convt_plan_make(gemm, &p, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_GEMM);
    clinfer_runtime *direct = test_forced_runtime(NULL, "CLINFER_CONV_ALGO", "direct");
    OK(convt_plan_make(direct, &grouped, &plan));
    cr_assert_eq(plan.algo, CONVT_ALGO_DIRECT);
    clinfer_runtime *other = test_forced_runtime(NULL, "CLINFER_CONV_ALGO", "winograd");
    OK(convt_plan_make(other, &p, &plan)); /* not one of conv_transpose's: automatic */
    cr_assert_eq(plan.algo, CONVT_ALGO_DIRECT);
    test_forced_free();
    clinfer_runtime_free(rt);
}

/* ---------------------------------------------------------------- graph */

static clinfer_conv_transpose2d_desc desc_of(const convt_case *k)
{
    clinfer_conv_transpose2d_desc d = clinfer_conv_transpose2d_desc_default();
    d.stride_h = k->sh, d.stride_w = k->sw, d.dilation_h = k->dh, d.dilation_w = k->dw;
    d.groups = k->groups;
    d.pad_mode = k->mode;
    d.pad_top = k->pt, d.pad_left = k->pl, d.pad_bottom = k->pb, d.pad_right = k->pr;
    d.output_padding_h = k->oph, d.output_padding_w = k->opw;
    d.output_h = k->out_h, d.output_w = k->out_w;
    d.activation = (clinfer_activation)k->act;
    d.act_alpha = k->act == ACT_KIND_CLIP ? -0.25f : 0.1f;
    d.act_beta = 0.5f;
    return d;
}

static clinfer_status add_convt(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                clinfer_value *out)
{
    const convt_case *k = ctx;
    const clinfer_conv_transpose2d_desc d = desc_of(k);
    return clinfer_graph_conv_transpose2d(g, "convt", in[0], in[1],
                                          k->bias ? in[2] : CLINFER_NO_VALUE, &d, out);
}

/* The activation as a node of its own after the transposed convolution:
 * the compile's fusion pass folds it in. */
static clinfer_status add_convt_then_act(clinfer_graph *g, const clinfer_value *in,
                                         const void *ctx, clinfer_value *out)
{
    const convt_case *k = ctx;
    clinfer_conv_transpose2d_desc d = desc_of(k);
    d.activation = CLINFER_ACT_NONE;
    clinfer_value y;
    clinfer_status st = clinfer_graph_conv_transpose2d(g, "convt", in[0], in[1],
                                                       k->bias ? in[2] : CLINFER_NO_VALUE, &d, &y);
    return st == CLINFER_OK ? clinfer_graph_unary(g, "act", (clinfer_unary_op)k->act, y,
                                                  k->act == ACT_KIND_CLIP ? -0.25f : 0.1f, 0.5f,
                                                  out)
                            : st;
}

static void graph_case(const convt_case *k, uint32_t seed, op_builder build)
{
    static const char *const algo_values[] = {"auto", "naive", "im2col", "direct"};
    const convt_params p = params_of(k);
    convt_data d = data_make(&p, seed, 0);
    int32_t oh, ow;
    out_size(&p, &oh, &ow);
    const int64_t xd[4] = {p.n, p.c, p.h, p.w}, wd[4] = {p.c, p.oc / p.groups, p.kh, p.kw};
    const int64_t bd[1] = {p.oc}, yd[4] = {p.n, p.oc, oh, ow};
    const op_input x[3] = {{shape_make(4, xd), d.in, 0},
                           {shape_make(4, wd), d.w, 1},
                           {shape_make(1, bd), d.b, 1}};
    const op_test t = {k->name,
                       x,
                       p.has_bias ? 3 : 2,
                       build,
                       k,
                       d.want,
                       shape_make(4, yd),
                       atol_of(&p),
                       1e-4f,
                       {{"CLINFER_CONV_ALGO", algo_values, 4},
                        {"CLINFER_GEMM_VARIANT", gemm_variants, 3}}};
    test_op(&t);
    data_free(&d);
}

/* Every case as a graph node under every forced algorithm x GEMM variant
 * (auto, naive, im2col = gemm, direct). */
Test(conv_transpose, graph_node_under_every_variant, .init = setup)
{
    for (size_t i = 0; i < N_CASES; i++)
        graph_case(&cases[i], 1234u + (uint32_t)i, add_convt);
}

/* An activation node after a transposed convolution gives the fused
 * result, and the fusion pass does fold it into the node. */
Test(conv_transpose, activation_fused_by_the_pass, .init = setup)
{
    const size_t picks[] = {1, 5, 10};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
        graph_case(&cases[picks[i]], 55u + (uint32_t)i, add_convt_then_act);

    convt_case nobias = cases[1];
    nobias.bias = 0;
    const convt_case *k = &nobias;
    const convt_params p = params_of(k);
    convt_data d = data_make(&p, 5, 0);
    clinfer_graph *g = NULL;
    OK(clinfer_graph_create(&g));
    const int64_t xd[4] = {p.n, p.c, p.h, p.w}, wd[4] = {p.c, p.oc, p.kh, p.kw};
    clinfer_shape xs = shape_make(4, xd), ws = shape_make(4, wd);
    clinfer_value in[2], y;
    OK(clinfer_graph_input(g, "x", &xs, &in[0]));
    OK(clinfer_graph_constant(g, "w", &ws, d.w, &in[1]));
    OK(add_convt_then_act(g, in, k, &y));
    cr_assert_eq(pass_fuse_activations(g), 1);
    cr_assert_eq(g->nodes[0].op, OP_CONV_TRANSPOSE);
    cr_assert_eq(g->nodes[0].attrs.conv_transpose.activation, (clinfer_activation)k->act);
    cr_assert(g->nodes[1].removed, "the activation node is still there");
    clinfer_graph_free(g);
    data_free(&d);
}

/* BatchNormalization after a transposed convolution, then an activation:
 * the fold pass folds BN into the weights and bias (per output channel of
 * each weight, groups 2 here), the fusion pass the activation. */
static clinfer_status add_convt_bn_act(clinfer_graph *g, const clinfer_value *in,
                                       const void *ctx, clinfer_value *out)
{
    const convt_case *k = ctx;
    clinfer_conv_transpose2d_desc d = desc_of(k);
    d.activation = CLINFER_ACT_NONE;
    clinfer_value y, bn;
    clinfer_status st = clinfer_graph_conv_transpose2d(g, "convt", in[0], in[1], in[2], &d, &y);
    if (st == CLINFER_OK)
        st = clinfer_graph_batchnorm(g, "bn", y, in[3], in[4], in[5], in[6], 1e-3f, &bn);
    return st == CLINFER_OK ? clinfer_graph_unary(g, "act", CLINFER_UNARY_RELU, bn, 0, 0, out) : st;
}

Test(conv_transpose, batchnorm_folded_into_weights, .init = setup)
{
    const convt_case *k = &cases[10]; /* groups 2, 16 -> 10 channels */
    convt_params p = params_of(k);
    p.act.kind = ACT_KIND_NONE;
    convt_data d = data_make(&p, 77, 0);
    float st[4][10];
    uint32_t seed = 11;
    for (int i = 0; i < 4; i++)
        fill_uniform(st[i], 10, i == 3 ? 0.1f : -1.0f, 1.0f, &seed); /* var > 0 */
    int32_t oh, ow;
    out_size(&p, &oh, &ow);
    const size_t plane = (size_t)oh * ow;
    for (size_t i = 0; i < d.out_n; i++) { /* the ONNX BatchNormalization, then ReLU */
        const int32_t c = (int32_t)(i / plane % 10);
        const double v = (d.want[i] - st[2][c]) / sqrt(st[3][c] + 1e-3) * st[0][c] + st[1][c];
        d.want[i] = v < 0 ? 0.0f : (float)v;
    }
    const int64_t xd[4] = {p.n, p.c, p.h, p.w}, wd[4] = {p.c, p.oc / p.groups, p.kh, p.kw};
    const int64_t cd[1] = {p.oc}, yd[4] = {p.n, p.oc, oh, ow};
    const op_input x[7] = {{shape_make(4, xd), d.in, 0}, {shape_make(4, wd), d.w, 1},
                           {shape_make(1, cd), d.b, 1},  {shape_make(1, cd), st[0], 1},
                           {shape_make(1, cd), st[1], 1}, {shape_make(1, cd), st[2], 1},
                           {shape_make(1, cd), st[3], 1}};
    static const char *const algo_values[] = {"naive", "im2col", "direct"};
    const op_test t = {"convt + batchnorm + relu", x, 7, add_convt_bn_act, k, d.want,
                       shape_make(4, yd), 1e-4f, 1e-4f, {{"CLINFER_CONV_ALGO", algo_values, 3}}};
    test_op(&t);

    clinfer_graph *g = NULL;
    OK(clinfer_graph_create(&g));
    clinfer_value in[7], y;
    OK(clinfer_graph_input(g, "x", &x[0].shape, &in[0]));
    for (int i = 1; i < 7; i++) {
        char name[8];
        snprintf(name, sizeof name, "c%d", i);
        OK(clinfer_graph_constant(g, name, &x[i].shape, x[i].data, &in[i]));
    }
    OK(add_convt_bn_act(g, in, k, &y));
    cr_assert_eq(pass_fold_batchnorm(g), 1);
    cr_assert_eq(pass_fuse_activations(g), 1);
    cr_assert(g->nodes[1].removed && g->nodes[2].removed, "batchnorm or relu left");
    cr_assert_eq(g->nodes[0].attrs.conv_transpose.activation, CLINFER_ACT_RELU);
    clinfer_graph_free(g);
    data_free(&d);
}

/* Bad parameters fail the builder call with a message naming them. */
Test(conv_transpose, rejects_bad_parameters)
{
    clinfer_graph *g = NULL;
    OK(clinfer_graph_create(&g));
    const float w[4 * 2 * 3 * 3] = {0};
    clinfer_shape xs = {4, {1, 4, 5, 6}}, ws = {4, {4, 2, 3, 3}}, ws3 = {4, {3, 2, 3, 3}};
    clinfer_shape bs = {1, {5}};
    clinfer_value x, cw, cw3, cb, y;
    OK(clinfer_graph_input(g, "x", &xs, &x));
    OK(clinfer_graph_constant(g, "w", &ws, w, &cw));
    OK(clinfer_graph_constant(g, "w3", &ws3, w, &cw3));
    OK(clinfer_graph_constant(g, "b", &bs, w, &cb));
    struct {
        clinfer_conv_transpose2d_desc d;
        clinfer_value w, b;
        clinfer_status st;
        const char *says;
    } bad[8];
    for (int i = 0; i < 8; i++) {
        bad[i].d = clinfer_conv_transpose2d_desc_default();
        bad[i].w = cw, bad[i].b = CLINFER_NO_VALUE;
    }
    bad[0].d.stride_h = 2, bad[0].d.output_padding_h = 2;
    bad[0].st = CLINFER_ERR_INVALID_ARGUMENT, bad[0].says = "output_padding (2, 0)";
    bad[1].d.groups = 3;
    bad[1].st = CLINFER_ERR_SHAPE, bad[1].says = "groups=3";
    bad[2].w = cw3;
    bad[2].st = CLINFER_ERR_SHAPE, bad[2].says = "weight has 3 input channels, input has 4";
    bad[3].b = cb;
    bad[3].st = CLINFER_ERR_SHAPE, bad[3].says = "bias must have shape [2]";
    bad[4].d.pad_top = -1;
    bad[4].st = CLINFER_ERR_INVALID_ARGUMENT, bad[4].says = "negative padding";
    bad[5].d.pad_left = bad[5].d.pad_right = 4;
    bad[5].st = CLINFER_ERR_SHAPE, bad[5].says = "leaves an output of 7x0";
    bad[6].d.stride_w = 0;
    bad[6].st = CLINFER_ERR_INVALID_ARGUMENT, bad[6].says = "strides (1, 0)";
    bad[7].d.output_h = 9;
    bad[7].st = CLINFER_ERR_INVALID_ARGUMENT, bad[7].says = "give both";
    for (int i = 0; i < 8; i++) {
        clinfer_status st = clinfer_graph_conv_transpose2d(g, "ct", x, bad[i].w, bad[i].b,
                                                           &bad[i].d, &y);
        cr_assert_eq(st, bad[i].st, "case %d: status %d (%s)", i, (int)st, clinfer_last_errmsg());
        cr_assert(strstr(clinfer_graph_errmsg(g), bad[i].says), "case %d: \"%s\" lacks \"%s\"",
                  i, clinfer_graph_errmsg(g), bad[i].says);
        cr_assert(strstr(clinfer_graph_errmsg(g), "ct"), "case %d: \"%s\" does not name the node",
                  i, clinfer_graph_errmsg(g));
    }
    clinfer_graph_free(g);
}

/* ------------------------------------------------------------------ ONNX */

/* A one-node ConvTranspose model: x of rank `rank` ([1, C, spatial...]),
 * W an initializer of shape wd (rank `rank`), B [oc] when b is given. */
static uint8_t *convt_model(int rank, const int64_t *xd, const int64_t *wd, const float *w,
                            const float *b, int64_t oc, int nattrs, pb *attrs, size_t *size)
{
    onnx_graph g = {{0}};
    pb t = onnx_value_info("x", OT_FLOAT, rank, xd);
    onnx_input(&g, &t);
    t = onnx_tensor_f("W", rank, wd, w, 1);
    onnx_initializer(&g, &t);
    if (b) {
        const int64_t bd[1] = {oc};
        t = onnx_tensor_f("B", 1, bd, b, 0);
        onnx_initializer(&g, &t);
    }
    onnx_node(&g, "ConvTranspose", "up", b ? "x,W,B" : "x,W", "y", nattrs, attrs);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL);
    onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

/* groups 2, SAME_LOWER padding (odd totals: the extra row at the start),
 * output_shape given as the whole [N, OC, OH, OW], output_padding: the
 * loaded model against the reference with the ONNX rule's pads. */
Test(conv_transpose, onnx_model_matches_reference, .init = setup)
{
    const convt_case k = {"onnx", 1, 4, 5, 7, 6, 3, 4, 3, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 1,
                          ACT_KIND_NONE, CLINFER_PAD_SAME_LOWER, 15, 12};
    const convt_params p = params_of(&k);
    convt_data d = data_make(&p, 31, 0);
    const int64_t xd[4] = {1, 4, 5, 7}, wd[4] = {4, 3, 3, 4};
    const int64_t strides[2] = {3, 2}, out_pad[2] = {1, 1}, out_shape[4] = {1, 6, 15, 12};
    pb attrs[5] = {onnx_attr_ints("strides", 2, strides), onnx_attr_int("group", 2),
                   onnx_attr_ints("output_padding", 2, out_pad),
                   onnx_attr_ints("output_shape", 4, out_shape),
                   onnx_attr_string("auto_pad", "SAME_LOWER")};
    size_t size;
    uint8_t *model = convt_model(4, xd, wd, d.w, d.b, 6, 5, attrs, &size);
    clinfer_graph *g = NULL;
    OK(clinfer_graph_load_onnx_memory(model, size, &g));
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = NULL;
    OK(clinfer_model_compile(rt, g, &m));
    clinfer_session *s = NULL;
    OK(clinfer_session_create(m, NULL, &s));
    float *got = test_alloc(d.out_n * 4);
    cr_assert_eq(d.out_n, (size_t)6 * 15 * 12); /* odd totals 1 and 5 */
    OK(clinfer_session_set_input(s, 0, d.in, d.in_n));
    OK(clinfer_session_run(s));
    OK(clinfer_session_get_output(s, 0, got, d.out_n));
    assert_close(got, d.want, d.out_n, atol_of(&p), 1e-4f, "onnx model");
    free(got);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
    free(model);
    data_free(&d);
}

/* Loads `model` expecting `want` and a message containing `part`. */
static void expect_refused(uint8_t *model, size_t size, clinfer_status want, const char *part)
{
    clinfer_graph *g = NULL;
    clinfer_status st = clinfer_graph_load_onnx_memory(model, size, &g);
    cr_assert_eq(st, want, "status %d: %s", (int)st, clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), part), "\"%s\" lacks \"%s\"", clinfer_last_errmsg(),
              part);
    cr_assert_null(g);
    free(model);
}

/* A 1-D ConvTranspose (x [N, C, L]) runs as a 2-D one of height 1:
 * stride 3, pads, output_padding, groups 2, output_shape as [L'], at
 * batch 2. */
Test(conv_transpose, onnx_1d_as_2d_of_height_1, .init = setup)
{
    const convt_case k = {"onnx 1-D", 2, 4, 1, 9, 6, 1, 4, 1, 3, 0, 1, 0, 2, 0, 2, 1, 1, 2, 1,
                          ACT_KIND_NONE, CLINFER_PAD_EXPLICIT, 0, 0};
    const convt_params p = params_of(&k);
    convt_data d = data_make(&p, 41, 0);
    const int64_t xd[3] = {2, 4, 9}, wd[3] = {4, 3, 4};
    const int64_t strides[1] = {3}, pads[2] = {1, 2}, out_pad[1] = {2};
    pb attrs[4] = {onnx_attr_ints("strides", 1, strides), onnx_attr_int("group", 2),
                   onnx_attr_ints("pads", 2, pads), onnx_attr_ints("output_padding", 1, out_pad)};
    size_t size;
    uint8_t *model = convt_model(3, xd, wd, d.w, d.b, 6, 4, attrs, &size);
    clinfer_graph *g = NULL;
    OK(clinfer_graph_load_onnx_memory(model, size, &g));
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = NULL;
    OK(clinfer_model_compile(rt, g, &m));
    clinfer_session *s = NULL;
    OK(clinfer_session_create(m, NULL, &s));
    float *got = test_alloc(d.out_n * 4);
    OK(clinfer_session_set_input(s, 0, d.in, d.in_n));
    OK(clinfer_session_run(s));
    OK(clinfer_session_get_output(s, 0, got, d.out_n));
    clinfer_shape ys;
    OK(clinfer_session_output_shape(s, 0, &ys));
    cr_assert(ys.rank == 3 && ys.dims[0] == 2 && ys.dims[1] == 6 && ys.dims[2] == 3 * 8 + 2 + 4 - 3,
              "output rank %d", (int)ys.rank);
    assert_close(got, d.want, d.out_n, atol_of(&p), 1e-4f, "onnx 1-D");
    free(got);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
    free(model);
    data_free(&d);
}

Test(conv_transpose, onnx_refuses_other_ranks_and_bad_attributes)
{
    const float w[2 * 3 * 3 * 3] = {0};
    size_t size = 0;
    uint8_t *m;
    const int64_t x6[6] = {1, 2, 3, 4, 5, 2}, w6[6] = {2, 1, 1, 1, 1, 1};
    m = convt_model(6, x6, w6, w, NULL, 0, 0, NULL, &size);
    expect_refused(m, size, CLINFER_ERR_UNSUPPORTED,
                   "clinfer supports 1-D, 2-D and 3-D transposed convolutions");
    const int64_t x3[5] = {1, 2, 3, 4, 5}, w3[5] = {2, 1, 3, 3, 3};
    const int64_t os2[2] = {6, 7};
    pb os = onnx_attr_ints("output_shape", 2, os2);
    m = convt_model(5, x3, w3, w, NULL, 0, 1, &os, &size);
    expect_refused(m, size, CLINFER_ERR_UNSUPPORTED,
                   "\"output_shape\" has 2 values; a 3-D output has 3 (or 5");
    const int64_t ks3[3] = {2, 3, 3};
    pb k3 = onnx_attr_ints("kernel_shape", 3, ks3);
    m = convt_model(5, x3, w3, w, NULL, 0, 1, &k3, &size);
    expect_refused(m, size, CLINFER_ERR_INVALID_MODEL, "is [2, 3, 3] but W is 3x3x3");
    const int64_t op3[3] = {1, 0, 0};
    pb op = onnx_attr_ints("output_padding", 3, op3);
    m = convt_model(5, x3, w3, w, NULL, 0, 1, &op, &size);
    expect_refused(m, size, CLINFER_ERR_INVALID_MODEL,
                   "output_padding 1 along D is not below the stride (1)");
    const int64_t x2[4] = {1, 2, 5, 6}, w2[4] = {2, 3, 3, 3}, three[3] = {1, 1, 1};
    pb a = onnx_attr_ints("output_padding", 3, three);
    m = convt_model(4, x2, w2, w, NULL, 0, 1, &a, &size);
    expect_refused(m, size, CLINFER_ERR_UNSUPPORTED,
                   "\"output_padding\" has 3 values; a 2-D window has 2");
    a = onnx_attr_ints("output_shape", 3, three);
    m = convt_model(4, x2, w2, w, NULL, 0, 1, &a, &size);
    expect_refused(m, size, CLINFER_ERR_UNSUPPORTED,
                   "\"output_shape\" has 3 values; a 2-D output has 2 (or 4");
    const int64_t ks[2] = {2, 2};
    a = onnx_attr_ints("kernel_shape", 2, ks);
    m = convt_model(4, x2, w2, w, NULL, 0, 1, &a, &size);
    expect_refused(m, size,
                   CLINFER_ERR_INVALID_MODEL, "\"kernel_shape\" is [2, 2] but W is 3x3");
    const int64_t big[2] = {3, 0};
    a = onnx_attr_ints("output_padding", 2, big);
    m = convt_model(4, x2, w2, w, NULL, 0, 1, &a, &size);
    expect_refused(m, size,
                   CLINFER_ERR_INVALID_ARGUMENT, "output_padding (3, 0)");
}

/* ------------------------------------------------------------ 3-D (ONNX) */

/* How a 3-D case gives its padding. */
enum { PADS_EXPLICIT, PADS_VALID, PADS_SAME_UPPER, PADS_SAME_LOWER, PADS_OUTPUT_SHAPE };

/* A 3-D case: the reference's parameters (its pads are replaced by those
 * ONNX derives for SAME_* and output_shape: out_shape, per axis). */
static void check_convt3d(const ref_convt3d *given, int pads_by, const int32_t *out_shape,
                          uint32_t seed)
{
    ref_convt3d rr = *given, *r = &rr;
    for (int a = 0; a < 3 && pads_by >= PADS_SAME_UPPER; a++) {
        int32_t out = pads_by == PADS_OUTPUT_SHAPE ? out_shape[a] : r->in[a] * r->stride[a];
        ref_convt_pads(pads_by == PADS_SAME_UPPER, r->in[a], r->k[a], r->stride[a], r->dil[a],
                       r->out_pad[a], out, &r->pad0[a], &r->pad1[a]);
    }
    int32_t o[3];
    size_t in_n = (size_t)r->n * r->c, w_n = (size_t)r->c * (r->oc / r->groups), out_n =
        (size_t)r->n * r->oc;
    for (int a = 0; a < 3; a++) {
        o[a] = ref_convt_out(r->in[a], r->k[a], r->stride[a], r->pad0[a], r->pad1[a],
                             r->out_pad[a], r->dil[a]);
        in_n *= (size_t)r->in[a], w_n *= (size_t)r->k[a], out_n *= (size_t)o[a];
    }
    float *x = test_alloc(in_n * 4), *w = test_alloc(w_n * 4), *b = test_alloc((size_t)r->oc * 4);
    float *want = test_alloc(out_n * 4), *got = test_alloc(out_n * 4);
    fill_uniform(x, in_n, -1, 1, &seed);
    fill_uniform(w, w_n, -1, 1, &seed);
    fill_uniform(b, (size_t)r->oc, -1, 1, &seed);
    ref_conv_transpose3d(r, x, w, b, want);
    const int64_t xd[5] = {-1, r->c, r->in[0], r->in[1], r->in[2]};
    const int64_t wd[5] = {r->c, r->oc / r->groups, r->k[0], r->k[1], r->k[2]};
    const int64_t strides[3] = {r->stride[0], r->stride[1], r->stride[2]};
    const int64_t dil[3] = {r->dil[0], r->dil[1], r->dil[2]};
    const int64_t pads[6] = {r->pad0[0], r->pad0[1], r->pad0[2], r->pad1[0], r->pad1[1],
                             r->pad1[2]};
    const int64_t op[3] = {r->out_pad[0], r->out_pad[1], r->out_pad[2]};
    const int64_t os[5] = {r->n, r->oc, o[0], o[1], o[2]}; /* the whole shape */
    pb attrs[5] = {onnx_attr_ints("strides", 3, strides), onnx_attr_ints("dilations", 3, dil),
                   onnx_attr_int("group", r->groups), onnx_attr_ints("output_padding", 3, op),
                   pads_by == PADS_EXPLICIT      ? onnx_attr_ints("pads", 6, pads)
                   : pads_by == PADS_VALID       ? onnx_attr_string("auto_pad", "VALID")
                   : pads_by == PADS_SAME_UPPER  ? onnx_attr_string("auto_pad", "SAME_UPPER")
                   : pads_by == PADS_SAME_LOWER  ? onnx_attr_string("auto_pad", "SAME_LOWER")
                                                 : onnx_attr_ints("output_shape", 5, os)};
    size_t size;
    uint8_t *model = convt_model(5, xd, wd, w, b, r->oc, 5, attrs, &size);
    const float *in[1] = {x};
    test_onnx_run_batch(model, size, r->n, in, &in_n, 1, got, out_n);
    char what[96];
    snprintf(what, sizeof what, "3-D convT in %dx%dx%d k %dx%dx%d stride %d", r->in[0], r->in[1],
             r->in[2], r->k[0], r->k[1], r->k[2], r->stride[0]);
    assert_close(got, want, out_n, 1e-5f, 1e-4f, what);
    free(model);
    free(x);
    free(w);
    free(b);
    free(want);
    free(got);
}

Test(conv_transpose, onnx_3d_as_2d_per_output_frame)
{
    /* n, c, oc, groups; in, k, stride, dil, pad0, pad1, out_pad per axis */
    const ref_convt3d cases[] = {
        /* groups 2, pads, output padding, a dilated height */
        {2, 4, 6, 2, {3, 5, 4}, {3, 3, 2}, {2, 1, 2}, {1, 2, 1}, {1, 0, 1}, {1, 1, 0},
         {1, 0, 1}},
        /* stride = kernel depth: each output frame from one input frame */
        {1, 3, 4, 1, {4, 5, 6}, {2, 3, 3}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0},
         {0, 0, 0}},
        /* stride 3 > kernel 2: frames no input reaches (bias alone) */
        {1, 2, 3, 1, {3, 4, 5}, {2, 2, 2}, {3, 1, 1}, {1, 1, 1}, {0, 1, 0}, {0, 0, 1},
         {2, 0, 0}},
        /* dilation 2 and stride 3 along D: frames two apart */
        {2, 2, 2, 1, {5, 3, 4}, {3, 2, 2}, {3, 1, 1}, {2, 1, 1}, {2, 0, 0}, {1, 0, 0},
         {0, 0, 0}},
        /* PyTorch's upsampling block: k 3, stride 2, pads 1, output padding 1 */
        {1, 3, 2, 1, {4, 4, 3}, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1},
         {1, 1, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_convt3d(&cases[k], PADS_EXPLICIT, NULL, 500u + (uint32_t)k);
    /* auto_pad VALID, SAME_UPPER and SAME_LOWER (odd totals), output_shape
     * (explicit: the odd one at the start) */
    const ref_convt3d other = {1, 2, 3, 1, {3, 4, 5}, {2, 3, 2}, {2, 1, 2}, {1, 1, 1},
                               {0, 0, 0}, {0, 0, 0}, {1, 0, 1}};
    const int32_t out_shape[3] = {7, 5, 10};
    for (int by = PADS_VALID; by <= PADS_OUTPUT_SHAPE; by++)
        check_convt3d(&other, by, out_shape, 510u + (uint32_t)by);
    const ref_convt3d odd = {1, 2, 2, 1, {3, 3, 4}, {3, 2, 3}, {2, 1, 2}, {1, 1, 1},
                             {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    check_convt3d(&odd, PADS_SAME_UPPER, NULL, 520u);
    check_convt3d(&odd, PADS_SAME_LOWER, NULL, 521u);
}
