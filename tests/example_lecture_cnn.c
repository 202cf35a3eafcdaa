/*
 * example_lecture_cnn.c — the lecture's Keras model written with clinfer's
 * builder API (shared/lecture-cnn.txt):
 *
 *   Conv2D(32, 3, relu) -> MaxPool2D(2) -> Conv2D(64, 3, relu) ->
 *   MaxPool2D(2) -> Flatten -> Dense(1024, relu) -> Dense(10, softmax)
 *
 * on a 28x28x1 input (NCHW here), with seeded random weights. It runs the
 * model on the device for batch 1 and batch 8, checks every probability
 * against the same network computed by the naive C references, and prints
 * the planned activation memory next to the sum of all activations.
 * Exit status 0 only if everything matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clinfer.h"
#include "ref_gemm.h"
#include "ref_pool2d.h"
#include "ref_softmax.h"
#include "reference.h"
#include "testutil.h"

typedef struct lecture_weights {
    float c1w[32 * 1 * 3 * 3], c1b[32];
    float c2w[64 * 32 * 3 * 3], c2b[64];
    float d1w[1600 * 1024], d1b[1024]; /* Keras Dense kernel layout: [in, units] */
    float d2w[1024 * 10], d2b[10];
} lecture_weights;

/* Uniform weights scaled by 1/sqrt(fan-in), so activations stay O(1). */
static void init_weights(lecture_weights *w, uint32_t seed)
{
    struct { float *x; size_t n; size_t fan_in; } all[] = {
        {w->c1w, 32 * 9, 9},          {w->c1b, 32, 9},   {w->c2w, 64 * 32 * 9, 288},
        {w->c2b, 64, 288},            {w->d1w, 1600 * 1024, 1600}, {w->d1b, 1024, 1600},
        {w->d2w, 1024 * 10, 1024},    {w->d2b, 10, 1024},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        float r = sqrtf(3.0f / (float)all[i].fan_in);
        fill_uniform(all[i].x, all[i].n, -r, r, &seed);
    }
}

#define CHECK(call)                                                                  \
    do {                                                                             \
        clinfer_status st_ = (call);                                                 \
        if (st_ != CLINFER_OK) {                                                     \
            fprintf(stderr, "%s failed: %s: %s\n", #call, clinfer_status_str(st_),   \
                    clinfer_last_errmsg());                                          \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

static clinfer_value constant(clinfer_graph *g, const char *name, clinfer_shape s,
                              const float *data)
{
    clinfer_value v;
    CHECK(clinfer_graph_constant(g, name, &s, data, &v));
    return v;
}

/* The model, as the lecture's Keras Sequential lists it. */
static clinfer_graph *build_lecture_model(const lecture_weights *w)
{
    clinfer_graph *g = NULL;
    CHECK(clinfer_graph_create(&g));
    clinfer_shape image = {4, {CLINFER_BATCH_DIM, 1, 28, 28}};
    clinfer_value x, h;
    CHECK(clinfer_graph_input(g, "image", &image, &x));
    clinfer_conv2d_desc relu_conv = clinfer_conv2d_desc_default();
    relu_conv.activation = CLINFER_ACT_RELU;
    clinfer_pool2d_desc pool = clinfer_pool2d_desc_default(2);
    CHECK(clinfer_graph_conv2d(g, "conv1", x, constant(g, "conv1.w", (clinfer_shape){4, {32, 1, 3, 3}}, w->c1w),
                               constant(g, "conv1.b", (clinfer_shape){1, {32}}, w->c1b), &relu_conv, &h));
    CHECK(clinfer_graph_pool2d(g, "pool1", h, &pool, &h));
    CHECK(clinfer_graph_conv2d(g, "conv2", h, constant(g, "conv2.w", (clinfer_shape){4, {64, 32, 3, 3}}, w->c2w),
                               constant(g, "conv2.b", (clinfer_shape){1, {64}}, w->c2b), &relu_conv, &h));
    CHECK(clinfer_graph_pool2d(g, "pool2", h, &pool, &h));
    CHECK(clinfer_graph_flatten(g, "flatten", h, 1, &h));
    CHECK(clinfer_graph_dense(g, "dense1", h, constant(g, "dense1.w", (clinfer_shape){2, {1600, 1024}}, w->d1w),
                              constant(g, "dense1.b", (clinfer_shape){1, {1024}}, w->d1b), CLINFER_ACT_RELU, &h));
    CHECK(clinfer_graph_dense(g, "dense2", h, constant(g, "dense2.w", (clinfer_shape){2, {1024, 10}}, w->d2w),
                              constant(g, "dense2.b", (clinfer_shape){1, {10}}, w->d2b), CLINFER_ACT_NONE, &h));
    CHECK(clinfer_graph_softmax(g, "softmax", h, -1, 0, &h));
    CHECK(clinfer_graph_output(g, h, "probabilities"));
    return g;
}

/* The same network with the naive references, layer by layer. */
static void reference_forward(const lecture_weights *w, int32_t n, const float *in, float *probs)
{
    float *a = malloc((size_t)n * 32 * 26 * 26 * 4), *b = malloc((size_t)n * 32 * 13 * 13 * 4);
    float *c = malloc((size_t)n * 64 * 11 * 11 * 4), *d = malloc((size_t)n * 1600 * 4);
    float *e = malloc((size_t)n * 1024 * 4), *f = malloc((size_t)n * 10 * 4);
    conv2d_params c1 = conv2d_params_default();
    c1.n = n, c1.c = 1, c1.h = c1.w = 28, c1.oc = 32, c1.kh = c1.kw = 3, c1.act.kind = ACT_KIND_RELU;
    ref_conv2d(&c1, in, w->c1w, w->c1b, a);
    pool2d_params p1 = pool2d_params_default();
    p1.n = n, p1.c = 32, p1.h = p1.w = 26, p1.kh = p1.kw = p1.stride_h = p1.stride_w = 2;
    ref_maxpool2d(&p1, a, b);
    conv2d_params c2 = c1;
    c2.c = 32, c2.h = c2.w = 13, c2.oc = 64;
    ref_conv2d(&c2, b, w->c2w, w->c2b, c);
    pool2d_params p2 = p1;
    p2.c = 64, p2.h = p2.w = 11;
    ref_maxpool2d(&p2, c, d); /* [n, 64, 5, 5] is already the flattened [n, 1600] */
    gemm_params g1 = gemm_params_default();
    g1.m = n, g1.k = 1600, g1.n = 1024, g1.has_c = 1, g1.c_shape = (clinfer_shape){1, {1024}};
    g1.act.kind = ACT_KIND_RELU;
    ref_gemm(&g1, d, w->d1w, w->d1b, e);
    gemm_params g2 = gemm_params_default();
    g2.m = n, g2.k = 1024, g2.n = 10, g2.has_c = 1, g2.c_shape = (clinfer_shape){1, {10}};
    ref_gemm(&g2, e, w->d2w, w->d2b, f);
    clinfer_shape logits = {2, {n, 10}};
    ref_softmax(&logits, -1, 0, 0, f, probs);
    free(a), free(b), free(c), free(d), free(e), free(f);
}

/* Runs batch `n`; returns the number of probabilities off by more than the
 * tolerance. */
static int run_batch(clinfer_model *m, const lecture_weights *w, int32_t n, uint32_t seed)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = n;
    clinfer_session *s = NULL;
    CHECK(clinfer_session_create(m, &o, &s));
    size_t in_n = (size_t)n * 28 * 28, out_n = (size_t)n * 10;
    float *in = malloc(in_n * 4), *got = malloc(out_n * 4), *want = malloc(out_n * 4);
    fill_uniform(in, in_n, 0, 1, &seed);
    CHECK(clinfer_session_set_input(s, 0, in, in_n));
    CHECK(clinfer_session_run(s));
    CHECK(clinfer_session_get_output(s, 0, got, out_n));
    reference_forward(w, n, in, want);
    int bad = 0;
    double max_err = 0;
    for (size_t i = 0; i < out_n; i++) {
        double err = fabs((double)got[i] - want[i]);
        max_err = err > max_err ? err : max_err;
        bad += err > 1e-5 + 1e-4 * fabs(want[i]);
    }
    clinfer_memory_stats mem = clinfer_session_memory(s);
    clinfer_transfer_stats t = clinfer_session_transfers(s);
    printf("batch %2d: max abs error %.2e, %d mismatches; activations planned %.1f KiB vs "
           "%.1f KiB if every tensor had its own buffer (%.0f%%); weights %.1f MiB; "
           "%llu upload, %llu download\n",
           (int)n, max_err, bad, mem.activation_bytes / 1024.0,
           mem.activation_bytes_unshared / 1024.0,
           100.0 * (double)mem.activation_bytes / (double)mem.activation_bytes_unshared,
           mem.weight_bytes / 1048576.0, (unsigned long long)t.uploads,
           (unsigned long long)t.downloads);
    free(in), free(got), free(want);
    clinfer_session_free(s);
    return bad + (t.uploads != 1) + (t.downloads != 1);
}

int main(void)
{
    lecture_weights *w = malloc(sizeof *w);
    if (!w)
        return 1;
    init_weights(w, 12345u);
    clinfer_runtime *rt = NULL;
    CHECK(clinfer_runtime_create(NULL, &rt));
    printf("device: %s\n", clinfer_runtime_device(rt)->name);
    clinfer_graph *g = build_lecture_model(w);
    clinfer_model *m = NULL;
    CHECK(clinfer_model_compile(rt, g, &m));
    clinfer_graph_free(g);
    int bad = run_batch(m, w, 1, 1u) + run_batch(m, w, 8, 8u);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    free(w);
    printf(bad ? "MISMATCH\n" : "lecture CNN matches the reference for batch 1 and 8\n");
    return bad ? 1 : 0;
}
