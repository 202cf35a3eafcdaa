/*
 * guard_models.c - runs whole models at many batch sizes so that every
 * kernel meets grids padded past the batch, partial vectors and chunk
 * tails; meant to run under the guard allocator (guard_alloc.c, LD_PRELOAD),
 * where a read past a device buffer faults. Also checks that each image's
 * outputs at batch b equal its outputs at batch 1 (garbage from a lane past
 * the batch would show there).
 *
 *   guard_models lecture MODEL.onnx [MAXBATCH]   the lecture CNN, batches 1..16
 *   guard_models resnet [MAXBATCH]               a small ResNet-style graph
 *                                                (below), batches 1..5
 *
 * The small graph, input [N, 3, 32, 32], has what ResNet-18 and
 * MobileNetV2 have at a size that runs in seconds: a stem conv + BatchNorm
 * + ReLU and a 3x3/2 max pool; a basic block of two 3x3 32->32 convs with
 * the residual Add (Winograd F(4x4) on 16x16); a downsampling block (3x3/2
 * and 1x1/2 convs, 64->64 3x3 on 8x8: Winograd from batch 4, F(2x2) when
 * forced below it); a depthwise 3x3 with ReLU6, a 1x1 conv, an average
 * pool, a global average and a global max pool, a dense layer and a
 * softmax. Force kernels with CLINFER_CONV_ALGO, CLINFER_GEMM_VARIANT,
 * CLINFER_POOL_VARIANT, CLINFER_DEPTHWISE_VARIANT (tests/CMakeLists.txt
 * runs several combinations).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_OUTPUTS 4

typedef struct net {
    const char *what;
    clinfer_model *model;
    size_t in_floats;                /* per image */
    size_t out_floats[MAX_OUTPUTS]; /* per image */
    size_t outputs;
} net;

static uint32_t rng = 12345;

static float uniform(float lo, float hi)
{
    rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
    return lo + (hi - lo) * (float)(rng >> 8) / 16777216.0f;
}

/* ----------------------------------------------------- the small ResNet */

static int counter;

static clinfer_value constant(clinfer_graph *g, const clinfer_shape *s, float lo, float hi)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    float *data = malloc(n * sizeof *data);
    CHECK(data, "out of memory");
    for (size_t i = 0; i < n; i++)
        data[i] = uniform(lo, hi);
    char name[32];
    snprintf(name, sizeof name, "const%d", counter++);
    clinfer_value v;
    CHECK_OK(clinfer_graph_constant(g, name, s, data, &v));
    free(data);
    return v;
}

/* conv (He-scaled weights, bias) + BatchNorm, activation `act` fused. */
static clinfer_value conv_bn(clinfer_graph *g, clinfer_value x, int32_t c, int32_t oc,
                             int32_t k, int32_t stride, int32_t groups, clinfer_activation act)
{
    const clinfer_shape ws = {4, {oc, c / groups, k, k}}, vs = {1, {oc}};
    const float r = sqrtf(6.0f / (float)(c / groups * k * k));
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = d.stride_w = stride;
    d.groups = groups;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = k / 2;
    d.activation = act;
    d.act_alpha = 0.0f, d.act_beta = 6.0f; /* ReLU6 for CLIP */
    clinfer_value y, out;
    CHECK_OK(clinfer_graph_conv2d(g, NULL, x, constant(g, &ws, -r, r), constant(g, &vs, -0.1f, 0.1f),
                                  &d, &y));
    if (act != CLINFER_ACT_NONE)
        return y;
    CHECK_OK(clinfer_graph_batchnorm(g, NULL, y, constant(g, &vs, 0.5f, 1.5f),
                                     constant(g, &vs, -0.1f, 0.1f), constant(g, &vs, -0.1f, 0.1f),
                                     constant(g, &vs, 0.5f, 1.5f), 1e-5f, &out));
    return out;
}

static clinfer_value relu(clinfer_graph *g, clinfer_value x)
{
    clinfer_value y;
    CHECK_OK(clinfer_graph_unary(g, NULL, CLINFER_UNARY_RELU, x, 0, 0, &y));
    return y;
}

static clinfer_value add_relu(clinfer_graph *g, clinfer_value a, clinfer_value b)
{
    clinfer_value y;
    CHECK_OK(clinfer_graph_binary(g, NULL, CLINFER_BINARY_ADD, a, b, &y));
    return relu(g, y);
}

static void resnet_net(clinfer_runtime *rt, net *out)
{
    const clinfer_shape in = {4, {CLINFER_BATCH_DIM, 3, 32, 32}};
    clinfer_graph *g = NULL;
    clinfer_value x, y, z, w, p;
    CHECK_OK(clinfer_graph_create(&g));
    CHECK_OK(clinfer_graph_input(g, "image", &in, &x));
    y = relu(g, conv_bn(g, x, 3, 32, 3, 1, 1, CLINFER_ACT_NONE)); /* stem */
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(3);
    pd.stride_h = pd.stride_w = 2;
    pd.pad_top = pd.pad_left = pd.pad_bottom = pd.pad_right = 1;
    CHECK_OK(clinfer_graph_pool2d(g, NULL, y, &pd, &x)); /* [N, 32, 16, 16] */
    z = relu(g, conv_bn(g, x, 32, 32, 3, 1, 1, CLINFER_ACT_NONE));
    x = add_relu(g, conv_bn(g, z, 32, 32, 3, 1, 1, CLINFER_ACT_NONE), x);
    z = relu(g, conv_bn(g, x, 32, 64, 3, 2, 1, CLINFER_ACT_NONE)); /* [N, 64, 8, 8] */
    x = add_relu(g, conv_bn(g, z, 64, 64, 3, 1, 1, CLINFER_ACT_NONE),
                 conv_bn(g, x, 32, 64, 1, 2, 1, CLINFER_ACT_NONE));
    y = conv_bn(g, x, 64, 64, 3, 1, 64, CLINFER_ACT_CLIP); /* depthwise, ReLU6 */
    y = conv_bn(g, y, 64, 48, 1, 1, 1, CLINFER_ACT_NONE);  /* 1x1 */
    clinfer_pool2d_desc ad = clinfer_pool2d_desc_default(2);
    ad.kind = CLINFER_POOL_AVG;
    CHECK_OK(clinfer_graph_pool2d(g, NULL, y, &ad, &z)); /* [N, 48, 4, 4] */
    CHECK_OK(clinfer_graph_global_pool(g, NULL, z, CLINFER_POOL_AVG, &w));
    CHECK_OK(clinfer_graph_global_pool(g, NULL, x, CLINFER_POOL_MAX, &p));
    CHECK_OK(clinfer_graph_flatten(g, NULL, w, 1, &w));
    CHECK_OK(clinfer_graph_flatten(g, NULL, p, 1, &p));
    const clinfer_shape ks = {2, {48, 10}}, bs = {1, {10}};
    CHECK_OK(clinfer_graph_dense(g, NULL, w, constant(g, &ks, -0.3f, 0.3f),
                                 constant(g, &bs, -0.1f, 0.1f), CLINFER_ACT_NONE, &w));
    CHECK_OK(clinfer_graph_softmax(g, NULL, w, -1, 0, &w));
    CHECK_OK(clinfer_graph_output(g, w, "probs"));
    CHECK_OK(clinfer_graph_output(g, p, "maxima"));
    CHECK_OK(clinfer_model_compile(rt, g, &out->model));
    clinfer_graph_free(g);
    out->what = "small ResNet";
    out->in_floats = 3 * 32 * 32;
    out->outputs = 2;
    out->out_floats[0] = 10;
    out->out_floats[1] = 64;
}

static void lecture_net(clinfer_runtime *rt, const char *path, net *out)
{
    CHECK_OK(clinfer_model_load(rt, path, &out->model));
    out->what = "lecture CNN";
    out->in_floats = 28 * 28;
    out->outputs = clinfer_model_output_count(out->model);
    CHECK(out->outputs == 1, "%s: %zu outputs, expected 1", path, out->outputs);
    out->out_floats[0] = 10;
}

/* ------------------------------------------------------------ the runs */

/* Runs `batch` images of `in` and writes the outputs (per output, batch *
 * out_floats floats) to out[o]. */
static void run_batch(const net *n, int32_t batch, const float *in, float **out)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch;
    clinfer_session *s = NULL;
    CHECK_OK(clinfer_session_create(n->model, &o, &s));
    CHECK_OK(clinfer_session_set_input(s, 0, in, (size_t)batch * n->in_floats));
    CHECK_OK(clinfer_session_run(s));
    for (size_t k = 0; k < n->outputs; k++)
        CHECK_OK(clinfer_session_get_output(s, k, out[k], (size_t)batch * n->out_floats[k]));
    clinfer_session_free(s);
}

/* Batches 1..maxb over the same images: image i's outputs must be those it
 * got alone. */
static void check_batches(const net *n, int32_t maxb)
{
    float *in = malloc((size_t)maxb * n->in_floats * sizeof *in);
    float *alone[MAX_OUTPUTS], *got[MAX_OUTPUTS];
    CHECK(in, "out of memory");
    for (size_t i = 0; i < (size_t)maxb * n->in_floats; i++)
        in[i] = uniform(0.0f, 1.0f);
    for (size_t k = 0; k < n->outputs; k++) {
        alone[k] = malloc((size_t)maxb * n->out_floats[k] * sizeof(float));
        got[k] = malloc((size_t)maxb * n->out_floats[k] * sizeof(float));
        CHECK(alone[k] && got[k], "out of memory");
    }
    for (int32_t i = 0; i < maxb; i++) {
        float *one[MAX_OUTPUTS];
        for (size_t k = 0; k < n->outputs; k++)
            one[k] = alone[k] + (size_t)i * n->out_floats[k];
        run_batch(n, 1, in + (size_t)i * n->in_floats, one);
    }
    for (int32_t b = 2; b <= maxb; b++) {
        run_batch(n, b, in, got);
        for (size_t k = 0; k < n->outputs; k++)
            for (size_t j = 0; j < (size_t)b * n->out_floats[k]; j++) {
                const float a = alone[k][j], v = got[k][j];
                CHECK(fabsf(a - v) <= 1e-4f + 1e-4f * fabsf(a),
                      "%s, batch %d, output %zu, image %zu, element %zu: %g, alone %g", n->what,
                      (int)b, k, j / n->out_floats[k], j % n->out_floats[k], v, a);
            }
        printf("%s: batch %d ok\n", n->what, (int)b);
        fflush(stdout);
    }
    for (size_t k = 0; k < n->outputs; k++) {
        free(alone[k]);
        free(got[k]);
    }
    free(in);
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "lecture") == 0 && argc < 3)) {
        fprintf(stderr, "usage: guard_models lecture MODEL.onnx [MAXBATCH] | resnet [MAXBATCH]\n");
        return 2;
    }
    const int lecture = strcmp(argv[1], "lecture") == 0;
    const char *maxarg = argc > (lecture ? 3 : 2) ? argv[lecture ? 3 : 2] : NULL;
    const int32_t maxb = maxarg ? atoi(maxarg) : lecture ? 16 : 5;
    clinfer_runtime *rt = NULL;
    CHECK_OK(clinfer_runtime_create(NULL, &rt));
    net n;
    memset(&n, 0, sizeof n);
    if (lecture)
        lecture_net(rt, argv[2], &n);
    else
        resnet_net(rt, &n);
    check_batches(&n, maxb);
    clinfer_model_free(n.model);
    clinfer_runtime_free(rt);
    printf("%s: batches 1..%d agree\n", n.what, (int)maxb);
    return 0;
}
