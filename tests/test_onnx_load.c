/*
 * test_onnx_load.c — the ONNX loader on models written in C (onnx_writer.c):
 * a PyTorch-style CNN with a symbolic batch and a flatten done by shape
 * arithmetic, and a model of many small ops, both against naive references
 * and at several batch sizes; then bad input: every truncation of a model,
 * random byte flips, raw_data of the wrong size, unknown ops and
 * attributes, wrong attribute types, dangling names, cycles, nodes out of
 * order, duplicate names, huge dims, external data, symbolic dims, a wrong
 * input size at run time; the inspection API; bound input values; TensorProto
 * decoding; and loading from files.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "ref_pool2d.h"
#include "reference.h"
#include "testutil.h"

static void assert_contains(const char *msg, const char *part)
{
    cr_assert(strstr(msg, part), "message \"%s\" should mention \"%s\"", msg, part);
}

static clinfer_status load(const uint8_t *data, size_t size, clinfer_graph **g)
{
    *g = (clinfer_graph *)data; /* must be reset to NULL on failure */
    clinfer_status st = clinfer_graph_load_onnx_memory(data, size, g);
    if (st != CLINFER_OK)
        cr_assert_null(*g, "a failed load leaves *out NULL");
    return st;
}

/* Loads `data` expecting `want` and a message containing `part`. */
static void expect_error(const uint8_t *data, size_t size, clinfer_status want, const char *part)
{
    clinfer_graph *g = NULL;
    clinfer_status st = load(data, size, &g);
    cr_assert_eq(st, want, "status %s, expected %s: %s", clinfer_status_str(st),
                 clinfer_status_str(want), clinfer_last_errmsg());
    assert_contains(clinfer_last_errmsg(), part);
}

/* ------------------------------------------------------------ references */

/* The CNN of onnx_model_cnn: conv 3x3 pad 1 + relu, maxpool 2, flatten,
 * dense (W stored [4, 27]), softmax. */
static void ref_cnn(int n, const float *x, const float *w, const float *b, const float *fw,
                    const float *fb, float *probs)
{
    conv2d_params cp = conv2d_params_default();
    cp.n = n, cp.c = 2, cp.h = 7, cp.w = 6, cp.oc = 3, cp.kh = cp.kw = 3;
    cp.pad_top = cp.pad_left = cp.pad_bottom = cp.pad_right = 1;
    cp.act.kind = ACT_KIND_RELU;
    float *conv = test_alloc((size_t)n * 3 * 7 * 6 * sizeof(float));
    float *pool = test_alloc((size_t)n * 27 * sizeof(float));
    ref_conv2d(&cp, x, w, b, conv);
    pool2d_params pp = pool2d_params_default();
    pp.n = n, pp.c = 3, pp.h = 7, pp.w = 6, pp.kh = pp.kw = 2, pp.stride_h = pp.stride_w = 2;
    ref_maxpool2d(&pp, conv, pool);
    for (int i = 0; i < n; i++) {
        double logits[4], mx = -INFINITY, sum = 0;
        for (int u = 0; u < 4; u++) {
            logits[u] = fb[u];
            for (int k = 0; k < 27; k++)
                logits[u] += (double)pool[i * 27 + k] * fw[u * 27 + k];
            mx = fmax(mx, logits[u]);
        }
        for (int u = 0; u < 4; u++)
            sum += exp(logits[u] - mx);
        for (int u = 0; u < 4; u++)
            probs[i * 4 + u] = (float)(exp(logits[u] - mx) / sum);
    }
    free(conv);
    free(pool);
}

/* The ops model: x [2,3,4,5] -> x[..., 1::2] -> reflect pad H by (1, 0), W
 * by (0, 1) -> clip [-0.5, 0.5] -> batchnorm -> NHWC -> mean over W ->
 * times k [3]. */
static void ref_ops(const float *x, float *y)
{
    float s[2][3][4][2], p[2][3][5][3], bn[2][3][5][3];
    for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
            for (int h = 0; h < 4; h++)
                for (int w = 0; w < 2; w++)
                    s[n][c][h][w] = x[((n * 3 + c) * 4 + h) * 5 + 1 + 2 * w];
    const float scale[3] = {1.5f, -2.0f, 0.5f}, bias[3] = {0.1f, 0.2f, -0.3f},
                mean[3] = {0.05f, -0.1f, 0.2f}, var[3] = {0.9f, 1.1f, 0.25f};
    for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
            for (int h = 0; h < 5; h++)
                for (int w = 0; w < 3; w++) {
                    int sh = h - 1, sw = w;
                    sh = sh < 0 ? -sh : sh;        /* reflect: -1 -> 1 */
                    sw = sw > 1 ? 2 * 1 - sw : sw; /* reflect: 2 -> 0 */
                    float v = s[n][c][sh][sw];
                    v = v < -0.5f ? -0.5f : v > 0.5f ? 0.5f : v;
                    p[n][c][h][w] = v;
                    bn[n][c][h][w] = (float)((v - mean[c]) / sqrt(var[c] + 1e-3) * scale[c] +
                                             bias[c]);
                }
    const float k[3] = {2.0f, -1.0f, 0.25f};
    for (int n = 0; n < 2; n++) /* y[n][h][c] = mean_w bn[n][c][h][w] * k[c] */
        for (int h = 0; h < 5; h++)
            for (int c = 0; c < 3; c++) {
                double m = 0;
                for (int w = 0; w < 3; w++)
                    m += bn[n][c][h][w];
                y[(n * 5 + h) * 3 + c] = (float)(m / 3 * k[c]);
            }
    (void)p;
}

/* Compiles g, runs one batch, returns the output (malloc'd). */
static float *run_graph(clinfer_runtime *rt, clinfer_graph *g, int64_t batch, const float *x,
                        size_t nx, size_t ny)
{
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    float *y = test_alloc(ny * sizeof *y);
    cr_assert_eq(clinfer_session_set_input(s, 0, x, nx), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, y, ny), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    clinfer_session_free(s);
    clinfer_model_free(m);
    return y;
}

/* ------------------------------------------------------------ good models */

Test(onnx_load, pytorch_style_cnn_matches_reference_at_several_batches)
{
    clinfer_runtime *rt = test_runtime();
    size_t size = 0;
    float *w, *b, *fw, *fb;
    uint8_t *model = onnx_model_cnn(5u, &size, &w, &b, &fw, &fb);
    clinfer_graph *g = NULL;
    cr_assert_eq(load(model, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_shape in;
    cr_assert_eq(clinfer_graph_value_shape(g, 0, &in), CLINFER_OK);
    cr_assert_eq(in.rank, 4);
    cr_assert_eq(in.dims[0], CLINFER_BATCH_DIM, "a symbolic first dim is the batch");
    uint32_t seed = 77u;
    for (int batch = 1; batch <= 3; batch += 2) {
        size_t nx = (size_t)batch * 2 * 7 * 6, ny = (size_t)batch * 4;
        float *x = test_alloc(nx * sizeof *x), *want = test_alloc(ny * sizeof *want);
        fill_uniform(x, nx, -1, 1, &seed);
        float *got = run_graph(rt, g, batch, x, nx, ny);
        ref_cnn(batch, x, w, b, fw, fb, want);
        assert_close(got, want, ny, 1e-5f, 1e-4f, "cnn probabilities");
        free(x), free(want), free(got);
    }
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK);
    cr_assert_str_eq(clinfer_model_input_name(m, 0), "x");
    cr_assert_str_eq(clinfer_model_output_name(m, 0), "probs");
    /* conv (+ relu and the max pool fused), gemm, softmax; the reshape is a
     * view and the shape arithmetic was folded while loading */
    cr_assert_eq(clinfer_model_kernel_node_count(m), 3);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    free(model), free(w), free(b), free(fw), free(fb);
    clinfer_runtime_free(rt);
}

Test(onnx_load, many_small_ops_match_reference)
{
    clinfer_runtime *rt = test_runtime();
    size_t size = 0;
    uint8_t *model = onnx_model_ops(&size);
    clinfer_graph *g = NULL;
    cr_assert_eq(load(model, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
    float x[120], want[30];
    uint32_t seed = 3u;
    fill_uniform(x, 120, -1, 1, &seed);
    float *got = run_graph(rt, g, 1, x, 120, 30);
    ref_ops(x, want);
    assert_close(got, want, 30, 1e-5f, 1e-4f, "ops model");
    free(got);
    clinfer_graph_free(g);
    free(model);
    clinfer_runtime_free(rt);
}

/* One node on input x [2, 3, 4] with the given opset and attributes. */
static uint8_t *one_node(const char *op, int64_t opset, int nattrs, pb *attrs, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t d[3] = {2, 3, 4};
    pb t = onnx_value_info("x", OT_FLOAT, 3, d);
    onnx_input(&g, &t);
    onnx_node(&g, op, "the_node", "x", "y", nattrs, attrs);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL);
    onnx_output(&g, &t);
    return onnx_model(&g, opset, size);
}

Test(onnx_load, softmax_axis_and_clip_follow_the_opset)
{
    clinfer_runtime *rt = test_runtime();
    float x[24], got[24], want[24];
    uint32_t seed = 9u;
    fill_uniform(x, 24, -3, 3, &seed);
    for (int opset = 11; opset <= 13; opset += 2) {
        size_t size;
        uint8_t *model = one_node("Softmax", opset, 0, NULL, &size);
        clinfer_graph *g = NULL;
        cr_assert_eq(load(model, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
        float *y = run_graph(rt, g, 1, x, 24, 24);
        /* opset 11: default axis 1, rows of 12 (coerced to 2-D); 13: axis -1, rows of 4 */
        int row = opset < 13 ? 12 : 4;
        for (int r = 0; r < 24 / row; r++) {
            double mx = -INFINITY, sum = 0;
            for (int k = 0; k < row; k++)
                mx = fmax(mx, x[r * row + k]);
            for (int k = 0; k < row; k++)
                sum += exp(x[r * row + k] - mx);
            for (int k = 0; k < row; k++)
                want[r * row + k] = (float)(exp(x[r * row + k] - mx) / sum);
        }
        assert_close(y, want, 24, 1e-6f, 1e-4f, opset < 13 ? "softmax opset 11" : "softmax 13");
        free(y);
        clinfer_graph_free(g);
        free(model);
    }
    /* Pad before opset 11: pads, mode and value are attributes. */
    const int64_t pads[6] = {0, 1, 0, 0, 0, 2};
    pb pa[2] = {onnx_attr_ints("pads", 6, pads), onnx_attr_string("mode", "edge")};
    size_t psize;
    uint8_t *pmodel = one_node("Pad", 10, 2, pa, &psize);
    clinfer_graph *pg = NULL;
    cr_assert_eq(load(pmodel, psize, &pg), CLINFER_OK, "%s", clinfer_last_errmsg());
    float *py = run_graph(rt, pg, 1, x, 24, 2 * 4 * 6);
    float pw[48];
    for (int n = 0; n < 2; n++) /* [2, 3, 4] -> [2, 4, 6]: one row on top, two columns right */
        for (int h = 0; h < 4; h++)
            for (int w = 0; w < 6; w++) {
                int sh = h - 1 < 0 ? 0 : h - 1, sw = w > 3 ? 3 : w;
                pw[(n * 4 + h) * 6 + w] = x[(n * 3 + sh) * 4 + sw];
            }
    assert_equal(py, pw, 48, "pad opset 10 edge");
    free(py);
    clinfer_graph_free(pg);
    free(pmodel);
    /* Clip before opset 11: bounds are attributes. */
    pb a[2] = {onnx_attr_float("min", -1.0f), onnx_attr_float("max", 0.5f)};
    size_t size;
    uint8_t *model = one_node("Clip", 6, 2, a, &size);
    clinfer_graph *g = NULL;
    cr_assert_eq(load(model, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
    float *y = run_graph(rt, g, 1, x, 24, 24);
    for (int k = 0; k < 24; k++)
        got[k] = x[k] < -1 ? -1 : x[k] > 0.5f ? 0.5f : x[k];
    assert_close(y, got, 24, 0, 0, "clip opset 6");
    free(y);
    clinfer_graph_free(g);
    free(model);
    clinfer_runtime_free(rt);
}

/* 1-D Conv (stride 2, dilation 2, pads 1/2, bias) then 1-D MaxPool (2,
 * stride 1, end pad 1) on x [N, 3, 11], computed directly in 1-D. */
static void ref_conv1d_pool(int n, const float *x, const float *w, const float *b, float *y)
{
    float conv[4 * 5];
    for (int i = 0; i < n; i++) {
        for (int o = 0; o < 4; o++)
            for (int l = 0; l < 5; l++) {
                double acc = b[o];
                for (int c = 0; c < 3; c++)
                    for (int k = 0; k < 3; k++) {
                        int at = l * 2 - 1 + k * 2;
                        if (at >= 0 && at < 11)
                            acc += (double)w[(o * 3 + c) * 3 + k] * x[(i * 3 + c) * 11 + at];
                    }
                conv[o * 5 + l] = (float)acc;
            }
        for (int o = 0; o < 4; o++)
            for (int l = 0; l < 5; l++) {
                float m = conv[o * 5 + l];
                if (l + 1 < 5 && conv[o * 5 + l + 1] > m)
                    m = conv[o * 5 + l + 1];
                y[(i * 4 + o) * 5 + l] = m;
            }
    }
}

Test(onnx_load, one_d_conv_and_pooling_run_as_two_d)
{
    onnx_graph g = {{0}};
    const int64_t xd[3] = {-1, 3, 11}, wd[3] = {4, 3, 3}, bd[1] = {4}, yd[3] = {-1, 4, 5};
    float w[36], b[4], x[2 * 33];
    uint32_t seed = 77u;
    fill_uniform(w, 36, -1, 1, &seed);
    fill_uniform(b, 4, -1, 1, &seed);
    fill_uniform(x, 66, -1, 1, &seed);
    pb t = onnx_value_info("x", OT_FLOAT, 3, xd);
    onnx_input(&g, &t);
    pb wt = onnx_tensor_f("w", 3, wd, w, 1), bt = onnx_tensor_f("b", 1, bd, b, 0);
    onnx_initializer(&g, &wt);
    onnx_initializer(&g, &bt);
    const int64_t two = 2, cpads[2] = {1, 2}, ppads[2] = {0, 1}, k3 = 3, k2 = 2, one = 1;
    pb ca[4] = {onnx_attr_ints("strides", 1, &two), onnx_attr_ints("dilations", 1, &two),
                onnx_attr_ints("pads", 2, cpads), onnx_attr_ints("kernel_shape", 1, &k3)};
    onnx_node(&g, "Conv", "conv1d", "x,w,b", "c", 4, ca);
    pb pa[3] = {onnx_attr_ints("kernel_shape", 1, &k2), onnx_attr_ints("strides", 1, &one),
                onnx_attr_ints("pads", 2, ppads)};
    onnx_node(&g, "MaxPool", "pool1d", "c", "y", 3, pa);
    t = onnx_value_info("y", OT_FLOAT, 3, yd);
    onnx_output(&g, &t);
    size_t size;
    uint8_t *model = onnx_model(&g, 13, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    cr_assert_eq(load(model, size, &gr), CLINFER_OK, "%s", clinfer_last_errmsg());
    float want[2 * 20];
    ref_conv1d_pool(2, x, w, b, want);
    float *y = run_graph(rt, gr, 2, x, 66, 40);
    assert_close(y, want, 40, 1e-5f, 1e-4f, "conv1d + maxpool1d");
    free(y);
    clinfer_graph_free(gr);
    free(model);
    clinfer_runtime_free(rt);
}

/* ---- 3-D convolution (5-D NCDHW tensors), rewritten into 2-D ops ---- */

/* A Conv3d case: sizes, window (d, h, w order) and groups. */
typedef struct conv3d_case {
    int c, o, d, h, w, group;
    int k[3], stride[3], dil[3], pads[6]; /* pads: d, h, w begins then ends */
} conv3d_case;

static int conv3d_out(const conv3d_case *t, int a, int in)
{
    return (in + t->pads[a] + t->pads[a + 3] - t->dil[a] * (t->k[a] - 1) - 1) / t->stride[a] + 1;
}

/* Direct 5-D loop: y[n, o, z, i, j] = b[o] + sum over the group's
 * channels and the window of w * x (zero outside x). */
static void ref_conv3d(const conv3d_case *t, int n, const float *x, const float *w,
                       const float *b, float *y)
{
    const int od = conv3d_out(t, 0, t->d), oh = conv3d_out(t, 1, t->h),
              ow = conv3d_out(t, 2, t->w), cg = t->c / t->group, og = t->o / t->group;
    const int in[3] = {t->d, t->h, t->w};
    for (int i = 0; i < n * t->o * od * oh * ow; i++) {
        int r = i, pos[3];
        pos[2] = r % ow, r /= ow;
        pos[1] = r % oh, r /= oh;
        pos[0] = r % od, r /= od;
        const int o = r % t->o, bn = r / t->o;
        double acc = b[o];
        for (int ci = 0; ci < cg; ci++)
            for (int kz = 0; kz < t->k[0]; kz++)
                for (int ky = 0; ky < t->k[1]; ky++)
                    for (int kx = 0; kx < t->k[2]; kx++) {
                        const int kk[3] = {kz, ky, kx};
                        int at[3], inside = 1;
                        for (int a = 0; a < 3; a++) {
                            at[a] = pos[a] * t->stride[a] - t->pads[a] + kk[a] * t->dil[a];
                            inside &= at[a] >= 0 && at[a] < in[a];
                        }
                        if (!inside)
                            continue;
                        const int ch = (o / og) * cg + ci;
                        const float xv =
                            x[(((size_t)bn * t->c + ch) * t->d + at[0]) * t->h * t->w +
                              at[1] * t->w + at[2]];
                        const float wv =
                            w[(((o * cg + ci) * t->k[0] + kz) * t->k[1] + ky) * t->k[2] + kx];
                        acc += (double)wv * xv;
                    }
        y[i] = (float)acc;
    }
}

/* Writes the case as a one-Conv model with a symbolic batch, runs it at
 * batch 2 and compares with ref_conv3d. */
static void check_conv3d(const conv3d_case *t, uint32_t seed)
{
    const int od = conv3d_out(t, 0, t->d), oh = conv3d_out(t, 1, t->h),
              ow = conv3d_out(t, 2, t->w), cg = t->c / t->group;
    const int64_t xd[5] = {-1, t->c, t->d, t->h, t->w}, yd[5] = {-1, t->o, od, oh, ow};
    const int64_t wd[5] = {t->o, cg, t->k[0], t->k[1], t->k[2]}, bd[1] = {t->o};
    const size_t nx = 2u * t->c * t->d * t->h * t->w, ny = 2u * t->o * od * oh * ow;
    const size_t nw = (size_t)t->o * cg * t->k[0] * t->k[1] * t->k[2];
    float *x = test_alloc(nx * sizeof *x), *w = test_alloc(nw * sizeof *w);
    float *want = test_alloc(ny * sizeof *want), b[16];
    fill_uniform(x, nx, -1, 1, &seed);
    fill_uniform(w, nw, -1, 1, &seed);
    fill_uniform(b, (size_t)t->o, -1, 1, &seed);
    onnx_graph g = {{0}};
    pb vi = onnx_value_info("x", OT_FLOAT, 5, xd);
    onnx_input(&g, &vi);
    pb wt = onnx_tensor_f("w", 5, wd, w, 1), bt = onnx_tensor_f("b", 1, bd, b, 0);
    onnx_initializer(&g, &wt);
    onnx_initializer(&g, &bt);
    int64_t k[3], s[3], dl[3], p[6];
    for (int a = 0; a < 6; a++) {
        p[a] = t->pads[a];
        if (a < 3)
            k[a] = t->k[a], s[a] = t->stride[a], dl[a] = t->dil[a];
    }
    pb ca[5] = {onnx_attr_ints("kernel_shape", 3, k), onnx_attr_ints("strides", 3, s),
                onnx_attr_ints("dilations", 3, dl), onnx_attr_ints("pads", 6, p),
                onnx_attr_int("group", t->group)};
    onnx_node(&g, "Conv", "conv3d", "x,w,b", "y", 5, ca);
    vi = onnx_value_info("y", OT_FLOAT, 5, yd);
    onnx_output(&g, &vi);
    size_t size;
    uint8_t *model = onnx_model(&g, 17, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    cr_assert_eq(load(model, size, &gr), CLINFER_OK, "%s", clinfer_last_errmsg());
    ref_conv3d(t, 2, x, w, b, want);
    float *y = run_graph(rt, gr, 2, x, nx, ny);
    char what[96];
    snprintf(what, sizeof what, "conv3d k %dx%dx%d group %d", t->k[0], t->k[1], t->k[2],
             t->group);
    assert_close(y, want, ny, 1e-5f, 1e-4f, what);
    free(y);
    free(want);
    free(w);
    free(x);
    clinfer_graph_free(gr);
    free(model);
    clinfer_runtime_free(rt);
}

Test(onnx_load, three_d_conv_runs_as_two_d_over_frames)
{
    static const conv3d_case cases[] = {
        /* 3x3x3 padded, stride 2 in depth */
        {3, 4, 7, 5, 6, 1, {3, 3, 3}, {2, 1, 1}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}},
        /* dilation 2 in depth (and width), asymmetric pads, stride 2 in height */
        {3, 4, 7, 5, 6, 1, {3, 3, 3}, {1, 2, 1}, {2, 1, 2}, {2, 1, 0, 1, 1, 2}},
        /* r2plus1d's spatial 1x3x3 and temporal 3x1x1 kernels */
        {3, 4, 7, 5, 6, 1, {1, 3, 3}, {1, 2, 2}, {1, 1, 1}, {0, 1, 1, 0, 1, 1}},
        {3, 4, 7, 5, 6, 1, {3, 1, 1}, {2, 1, 1}, {1, 1, 1}, {1, 0, 0, 1, 0, 0}},
        /* r3d's 1x1x1 downsampling: a strided slice of frames, no taps */
        {3, 4, 7, 5, 6, 1, {1, 1, 1}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}},
        /* groups: channel blocks stay contiguous in the c*kd + z layout */
        {4, 6, 5, 5, 4, 2, {2, 2, 3}, {2, 1, 1}, {1, 1, 1}, {0, 1, 1, 1, 0, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_conv3d(&cases[i], 500u + (uint32_t)i);
}

/* A 3-D pooling case (d, h, w order) on x [N, 2, 7, 6, 5]. */
typedef struct pool3d_case {
    const char *op;
    int k[3], stride[3], dil[3], pads[6], ceil_mode, count_include_pad;
} pool3d_case;

static int pool3d_out(const pool3d_case *t, int a, int in)
{
    const int span = in + t->pads[a] + t->pads[a + 3] - t->dil[a] * (t->k[a] - 1) - 1;
    return (t->ceil_mode ? (span + t->stride[a] - 1) / t->stride[a] : span / t->stride[a]) + 1;
}

/* Direct loop over each output's box: max, or the mean over the elements
 * inside x (count_include_pad 0) or inside the padded x (1). */
static void ref_pool3d(const pool3d_case *t, const int in[3], int nc, const float *x, float *y)
{
    const int out[3] = {pool3d_out(t, 0, in[0]), pool3d_out(t, 1, in[1]),
                        pool3d_out(t, 2, in[2])};
    const int is_max = strcmp(t->op, "MaxPool") == 0;
    for (int i = 0; i < nc * out[0] * out[1] * out[2]; i++) {
        int r = i, pos[3];
        for (int a = 2; a >= 0; a--)
            pos[a] = r % out[a], r /= out[a];
        double acc = is_max ? -INFINITY : 0;
        int count = 0;
        for (int kz = 0; kz < t->k[0]; kz++)
            for (int ky = 0; ky < t->k[1]; ky++)
                for (int kx = 0; kx < t->k[2]; kx++) {
                    const int kk[3] = {kz, ky, kx};
                    int at[3], inside = 1, padded = 1;
                    for (int a = 0; a < 3; a++) {
                        at[a] = pos[a] * t->stride[a] - t->pads[a] + kk[a] * t->dil[a];
                        inside &= at[a] >= 0 && at[a] < in[a];
                        padded &= at[a] < in[a] + t->pads[a + 3];
                    }
                    count += t->count_include_pad ? padded : inside;
                    if (!inside)
                        continue;
                    const float v = x[(((size_t)r * in[0] + at[0]) * in[1] + at[1]) * in[2] +
                                      at[2]];
                    acc = is_max ? (v > acc ? v : acc) : acc + v;
                }
        y[i] = (float)(is_max ? acc : acc / count);
    }
}

static void check_pool3d(const pool3d_case *t, uint32_t seed)
{
    const int in[3] = {7, 6, 5};
    const int out[3] = {pool3d_out(t, 0, in[0]), pool3d_out(t, 1, in[1]),
                        pool3d_out(t, 2, in[2])};
    const int64_t xd[5] = {-1, 2, in[0], in[1], in[2]}, yd[5] = {-1, 2, out[0], out[1], out[2]};
    const size_t nx = 2u * 2 * 7 * 6 * 5, ny = 2u * 2 * out[0] * out[1] * out[2];
    float x[2 * 2 * 7 * 6 * 5], *want = test_alloc(ny * sizeof *want);
    fill_uniform(x, nx, -1, 1, &seed);
    int64_t k[3], s[3], dl[3], p[6];
    for (int a = 0; a < 6; a++) {
        p[a] = t->pads[a];
        if (a < 3)
            k[a] = t->k[a], s[a] = t->stride[a], dl[a] = t->dil[a];
    }
    onnx_graph g = {{0}};
    pb vi = onnx_value_info("x", OT_FLOAT, 5, xd);
    onnx_input(&g, &vi);
    const int is_max = strcmp(t->op, "MaxPool") == 0; /* AveragePool-17 has no dilations */
    pb pa[5] = {onnx_attr_ints("kernel_shape", 3, k), onnx_attr_ints("strides", 3, s),
                onnx_attr_ints("pads", 6, p), onnx_attr_int("ceil_mode", t->ceil_mode),
                is_max ? onnx_attr_ints("dilations", 3, dl)
                       : onnx_attr_int("count_include_pad", t->count_include_pad)};
    onnx_node(&g, t->op, "pool3d", "x", "y", 5, pa);
    vi = onnx_value_info("y", OT_FLOAT, 5, yd);
    onnx_output(&g, &vi);
    size_t size;
    uint8_t *model = onnx_model(&g, 17, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    cr_assert_eq(load(model, size, &gr), CLINFER_OK, "%s", clinfer_last_errmsg());
    ref_pool3d(t, in, 4, x, want);
    float *y = run_graph(rt, gr, 2, x, nx, ny);
    char what[96];
    snprintf(what, sizeof what, "%s 3-D k %dx%dx%d", t->op, t->k[0], t->k[1], t->k[2]);
    assert_close(y, want, ny, 1e-6f, 1e-5f, what);
    free(y);
    free(want);
    clinfer_graph_free(gr);
    free(model);
    clinfer_runtime_free(rt);
}

Test(onnx_load, three_d_pooling_runs_as_two_separable_two_d_pools)
{
    static const pool3d_case cases[] = {
        {"MaxPool", {3, 3, 2}, {2, 1, 2}, {1, 1, 1}, {1, 1, 0, 0, 0, 1}, 0, 0},
        {"MaxPool", {2, 2, 2}, {1, 2, 1}, {2, 1, 2}, {0, 0, 0, 0, 0, 0}, 0, 0},
        {"MaxPool", {2, 3, 2}, {2, 2, 2}, {1, 1, 1}, {0, 1, 0, 0, 1, 0}, 1, 0},
        /* the mean's count: inside x, or inside the padded x */
        {"AveragePool", {3, 3, 3}, {2, 2, 1}, {1, 1, 1}, {2, 1, 1, 1, 0, 1}, 0, 0},
        {"AveragePool", {3, 3, 3}, {2, 2, 1}, {1, 1, 1}, {2, 1, 1, 1, 0, 1}, 0, 1},
        {"AveragePool", {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_pool3d(&cases[i], 700u + (uint32_t)i);
}

/* GlobalAveragePool / GlobalMaxPool of x [N, 3, 4, 5, 2] against loops. */
static void check_global_pool_3d(const char *op, int is_max)
{
    const int64_t xd[5] = {-1, 3, 4, 5, 2}, yd[5] = {-1, 3, 1, 1, 1};
    float x[2 * 120], want[6];
    uint32_t seed = 91u;
    fill_uniform(x, 240, -1, 1, &seed);
    for (int nc = 0; nc < 6; nc++) {
        double acc = is_max ? x[nc * 40] : 0;
        for (int k = 0; k < 40; k++)
            acc = is_max ? (x[nc * 40 + k] > acc ? x[nc * 40 + k] : acc) : acc + x[nc * 40 + k];
        want[nc] = (float)(is_max ? acc : acc / 40);
    }
    onnx_graph g = {{0}};
    pb vi = onnx_value_info("x", OT_FLOAT, 5, xd);
    onnx_input(&g, &vi);
    onnx_node(&g, op, "gpool", "x", "y", 0, NULL);
    vi = onnx_value_info("y", OT_FLOAT, 5, yd);
    onnx_output(&g, &vi);
    size_t size;
    uint8_t *model = onnx_model(&g, 17, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    cr_assert_eq(load(model, size, &gr), CLINFER_OK, "%s", clinfer_last_errmsg());
    float *y = run_graph(rt, gr, 2, x, 240, 6);
    assert_close(y, want, 6, 1e-6f, 1e-5f, op);
    free(y);
    clinfer_graph_free(gr);
    free(model);
    clinfer_runtime_free(rt);
}

Test(onnx_load, three_d_global_pools_pool_a_view)
{
    check_global_pool_3d("GlobalAveragePool", 0);
    check_global_pool_3d("GlobalMaxPool", 1);
}

Test(onnx_load, three_d_conv_refusals_name_the_reason)
{
    const int64_t xd[5] = {1, 2, 3, 4, 4}, wd[5] = {2, 2, 3, 3, 3};
    float w[108] = {0};
    static const struct { const char *attr, *value, *part; } bad[] = {
        {"auto_pad", "SAME_UPPER", "SAME_UPPER/SAME_LOWER on a 3-D convolution"},
        {"kernel_shape", NULL, "does not match W's 3x3x3"},
        {"pads", NULL, "less than the kernel's dilated depth"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        onnx_graph g = {{0}};
        pb vi = onnx_value_info("x", OT_FLOAT, 5, xd);
        onnx_input(&g, &vi);
        pb wt = onnx_tensor_f("w", 5, wd, w, 1);
        onnx_initializer(&g, &wt);
        const int64_t k[3] = {3, 3, 2}, p[6] = {0, 1, 1, 0, 1, 1}, dl[3] = {2, 1, 1};
        pb a[2];
        int na = 1;
        if (i == 0)
            a[0] = onnx_attr_string(bad[i].attr, bad[i].value);
        else if (i == 1)
            a[0] = onnx_attr_ints("kernel_shape", 3, k);
        else /* depth 3, no depth pads, dilated kernel depth 5 */
            a[0] = onnx_attr_ints("pads", 6, p), a[1] = onnx_attr_ints("dilations", 3, dl),
            na = 2;
        onnx_node(&g, "Conv", "conv3d", "x,w", "y", na, a);
        vi = onnx_value_info("y", OT_FLOAT, 5, xd);
        onnx_output(&g, &vi);
        size_t size;
        uint8_t *model = onnx_model(&g, 17, &size);
        clinfer_graph *gr = NULL;
        cr_assert_neq(load(model, size, &gr), CLINFER_OK, "%s should be refused", bad[i].part);
        assert_contains(clinfer_last_errmsg(), bad[i].part);
        assert_contains(clinfer_last_errmsg(), "conv3d");
        free(model);
    }
}

/* x [3] + Cast(op(constants)): the loader folds op on int64 constants
 * (as exported shape subgraphs use it); the result shows in the output. */
static void check_folded(const char *op, int nin, const int64_t (*in)[3], const int64_t *dims,
                         pb *attr, const float *want_delta)
{
    onnx_graph g = {{0}};
    const int64_t d3 = 3;
    pb t = onnx_value_info("x", OT_FLOAT, 1, &d3);
    onnx_input(&g, &t);
    static const char *const names[3] = {"c0", "c1", "c2"};
    for (int i = 0; i < nin; i++) {
        pb c = onnx_tensor_i(names[i], 1, &dims[i], in[i], i % 2);
        onnx_initializer(&g, &c);
    }
    onnx_node(&g, op, "folded", nin == 1 ? "c0" : nin == 2 ? "c0,c1" : "c0,c1,c2", "m",
              attr ? 1 : 0, attr);
    pb to = onnx_attr_int("to", OT_FLOAT);
    onnx_node(&g, "Cast", "cast", "m", "mf", 1, &to);
    onnx_node(&g, "Add", "add", "x,mf", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 1, &d3);
    onnx_output(&g, &t);
    size_t size;
    uint8_t *model = onnx_model(&g, 13, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    cr_assert_eq(load(model, size, &gr), CLINFER_OK, "%s: %s", op, clinfer_last_errmsg());
    const float x[3] = {0.25f, -0.5f, 1.0f};
    float want[3];
    for (int k = 0; k < 3; k++)
        want[k] = x[k] + want_delta[k];
    float *y = run_graph(rt, gr, 1, x, 3, 3);
    assert_close(y, want, 3, 0, 0, op);
    free(y);
    clinfer_graph_free(gr);
    free(model);
    clinfer_runtime_free(rt);
}

Test(onnx_load, comparisons_logic_mod_and_where_fold_on_shapes)
{
    const int64_t three[3] = {3, 3, 3}, bcast[3] = {3, 1, 3};
    const int64_t ab[2][3] = {{2, 3, -5}, {3, 3, 3}};
    struct { const char *op; float want[3]; } cmp[] = {
        {"Equal", {0, 1, 0}}, {"Less", {1, 0, 1}}, {"Greater", {0, 0, 0}},
        {"LessOrEqual", {1, 1, 1}}, {"GreaterOrEqual", {0, 1, 0}},
    };
    for (size_t k = 0; k < sizeof cmp / sizeof cmp[0]; k++)
        check_folded(cmp[k].op, 2, ab, three, NULL, cmp[k].want);
    /* B broadcast from one element */
    const int64_t ab1[2][3] = {{2, 3, 4}, {3}};
    check_folded("Greater", 2, ab1, bcast, NULL, (const float[]){0, 0, 1});
    const int64_t bools[2][3] = {{1, 0, 1}, {1, 1, 0}};
    check_folded("And", 2, bools, three, NULL, (const float[]){1, 0, 0});
    check_folded("Or", 2, bools, three, NULL, (const float[]){1, 1, 1});
    check_folded("Xor", 2, bools, three, NULL, (const float[]){0, 1, 1});
    check_folded("Not", 1, bools, three, NULL, (const float[]){0, 1, 0});
    /* Mod: Python's sign (the divisor's) by default, C's with fmod=1 */
    const int64_t md[2][3] = {{7, -7, 7}, {3, 3, -3}};
    check_folded("Mod", 2, md, three, NULL, (const float[]){1, 2, -2});
    pb fm = onnx_attr_int("fmod", 1);
    check_folded("Mod", 2, md, three, &fm, (const float[]){1, -1, 1});
    /* Where(cond, X, Y): a shape with -1 entries replaced, as exports do */
    const int64_t wh[3][3] = {{0, 1, 0}, {1}, {4, -1, 5}};
    const int64_t wdims[3] = {3, 1, 3};
    check_folded("Where", 3, wh, wdims, NULL, (const float[]){4, 1, 5});
    /* Expand of a known tensor (Swin builds its attention mask so) */
    const int64_t ex[2][3] = {{7}, {3}}, exdims[2] = {1, 1};
    check_folded("Expand", 2, ex, exdims, NULL, (const float[]){7, 7, 7});
}

Test(onnx_load, nodes_out_of_order_are_sorted)
{
    onnx_graph g = {{0}};
    const int64_t d[2] = {2, 3};
    pb t = onnx_value_info("x", OT_FLOAT, 2, d);
    onnx_input(&g, &t);
    onnx_node(&g, "Sigmoid", "second", "a", "y", 0, NULL);
    onnx_node(&g, "Relu", "first", "x", "a", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d);
    onnx_output(&g, &t);
    size_t size;
    uint8_t *model = onnx_model(&g, 13, &size);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *gr = NULL;
    cr_assert_eq(load(model, size, &gr), CLINFER_OK, "%s", clinfer_last_errmsg());
    float x[6] = {-2, -1, 0, 1, 2, 3}, want[6];
    for (int k = 0; k < 6; k++)
        want[k] = (float)(1 / (1 + exp(-(x[k] > 0 ? x[k] : 0))));
    float *y = run_graph(rt, gr, 1, x, 6, 6);
    assert_close(y, want, 6, 1e-6f, 1e-5f, "relu then sigmoid");
    free(y);
    clinfer_graph_free(gr);
    free(model);
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ malformed files */

Test(onnx_load, every_truncation_fails_cleanly)
{
    size_t size = 0;
    uint8_t *model = onnx_model_cnn(1u, &size, NULL, NULL, NULL, NULL);
    int with_offset = 0;
    for (size_t n = 0; n < size; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any overread */
        memcpy(copy, model, n);
        clinfer_graph *g = NULL;
        clinfer_status st = load(copy, n, &g);
        cr_assert_neq(st, CLINFER_OK, "a model cut to %zu of %zu bytes must not load", n, size);
        cr_assert(st == CLINFER_ERR_INVALID_MODEL || st == CLINFER_ERR_UNSUPPORTED,
                  "cut to %zu: %s", n, clinfer_status_str(st));
        cr_assert_gt(strlen(clinfer_last_errmsg()), 10);
        with_offset += strstr(clinfer_last_errmsg(), "byte ") != NULL;
        free(copy);
    }
    cr_assert_gt(with_offset, (int)size / 2, "most truncations name the byte offset");
    /* A cut inside the graph names the field and the missing bytes. */
    expect_error(model, size / 2, CLINFER_ERR_INVALID_MODEL, "graph");
    expect_error(model, size / 2, CLINFER_ERR_INVALID_MODEL, "truncated");
    free(model);
}

/* 3000 copies of `model` with 1 to 4 bits flipped: load, inspect, and for
 * what loads, compile and run at batch 3. */
static void flip_bits(const uint8_t *model, size_t size, uint32_t s)
{
    uint8_t *m2 = malloc(size);
    int loaded = 0, refused = 0, ran = 0;
    clinfer_runtime *rt = test_runtime();
    float x[3 * 84];
    for (int k = 0; k < 3 * 84; k++)
        x[k] = (float)(k % 7) - 3;
    for (int trial = 0; trial < 3000; trial++) {
        memcpy(m2, model, size);
        int flips = 1 + trial % 4;
        for (int f = 0; f < flips; f++) {
            s ^= s << 13, s ^= s >> 17, s ^= s << 5;
            size_t at = s % size;
            s ^= s << 13, s ^= s >> 17, s ^= s << 5;
            m2[at] ^= (uint8_t)(1u << (s % 8));
        }
        clinfer_graph *g = NULL;
        clinfer_status st = load(m2, size, &g);
        if (st == CLINFER_OK) {
            /* What loads also compiles and runs: whatever the flips did,
             * compile, session and run report a status, never crash. */
            clinfer_model *m = NULL;
            clinfer_session *sess = NULL;
            clinfer_session_options o = clinfer_session_options_default();
            o.batch = 3;
            loaded++;
            if (clinfer_model_compile(rt, g, &m) == CLINFER_OK &&
                clinfer_session_create(m, &o, &sess) == CLINFER_OK) {
                clinfer_shape xs; /* flipped pads can make big tensors: not those */
                if (clinfer_session_memory(sess).activation_bytes < (1u << 22) &&
                    clinfer_session_input_shape(sess, 0, &xs) == CLINFER_OK &&
                    ref_numel(&xs) <= 3 * 84 &&
                    clinfer_session_set_input(sess, 0, x, ref_numel(&xs)) == CLINFER_OK)
                    ran += clinfer_session_run(sess) == CLINFER_OK;
            }
            clinfer_session_free(sess);
            clinfer_model_free(m);
            clinfer_graph_free(g);
        } else {
            refused++;
            cr_assert_gt(strlen(clinfer_last_errmsg()), 5);
        }
        clinfer_onnx_info *info = NULL;
        if (clinfer_onnx_inspect(m2, size, &info) == CLINFER_OK)
            clinfer_onnx_info_free(info);
    }
    cr_assert_gt(refused, 100, "corruption is noticed");
    cr_log_info("byte flips: %d loaded, %d refused, %d of the loaded run", loaded, refused, ran);
    clinfer_runtime_free(rt);
    free(m2);
}

Test(onnx_load, random_byte_flips_never_crash)
{
    size_t size = 0;
    uint8_t *model = onnx_model_cnn(2u, &size, NULL, NULL, NULL, NULL);
    flip_bits(model, size, 12345u);
    free(model);
    model = onnx_model_ops(&size);
    flip_bits(model, size, 777u);
    free(model);
}

Test(onnx_load, garbage_and_empty_input)
{
    expect_error((const uint8_t *)"", 0, CLINFER_ERR_INVALID_MODEL, "empty");
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    expect_error(junk, sizeof junk, CLINFER_ERR_INVALID_MODEL, "byte 0");
    const uint8_t group[] = {0x0b, 0x0c}; /* field 1 wire type 3 (a group) */
    expect_error(group, sizeof group, CLINFER_ERR_INVALID_MODEL, "wire type 3");
    const uint8_t wrong_type[] = {0x3d, 1, 2, 3, 4}; /* graph (7) as fixed32 */
    expect_error(wrong_type, sizeof wrong_type, CLINFER_ERR_INVALID_MODEL, "(graph)");
    const uint8_t only_ir[] = {0x08, 0x08}; /* ir_version 8, nothing else */
    expect_error(only_ir, sizeof only_ir, CLINFER_ERR_INVALID_MODEL, "no graph");
    clinfer_graph *g = (clinfer_graph *)junk;
    cr_assert_eq(clinfer_graph_load_onnx_memory(NULL, 5, &g), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(g);
    cr_assert_eq(clinfer_graph_load_onnx_memory(junk, 1, NULL), CLINFER_ERR_INVALID_ARGUMENT);
}

/* x [2, 3] -> Add(x, c) -> y with the initializer c given by the caller. */
static uint8_t *with_initializer(pb *c, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t d[2] = {2, 3};
    pb t = onnx_value_info("x", OT_FLOAT, 2, d);
    onnx_input(&g, &t);
    onnx_initializer(&g, c);
    onnx_node(&g, "Add", "add", "x,c", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d);
    onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

Test(onnx_load, initializer_sizes_and_types_are_checked)
{
    const int64_t d3[1] = {3};
    const float v[3] = {1, 2, 3};
    size_t size;
    /* raw_data of 8 bytes for 3 floats */
    pb c = {0};
    pb_int(&c, 1, 3), pb_int(&c, 2, OT_FLOAT), pb_str(&c, 8, "c"), pb_bytes(&c, 9, v, 8);
    uint8_t *m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "raw_data has 8 bytes");
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"c\"");
    free(m);
    /* float_data with 2 values for 3 */
    c = onnx_tensor_f("c", 1, (const int64_t[]){2}, v, 0);
    pb fix = {0};
    pb_int(&fix, 1, 3); /* one more dims entry: [2, 3] -> 6 needed */
    pb_append(&c, &fix);
    pb_free(&fix);
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "float_data has 2 values");
    free(m);
    /* dims whose product overflows: refused before any allocation */
    c = (pb){0};
    pb_int(&c, 1, (int64_t)1 << 40), pb_int(&c, 1, (int64_t)1 << 40), pb_int(&c, 2, OT_FLOAT);
    pb_str(&c, 8, "c");
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "more than 2^31-1 elements");
    free(m);
    /* a negative dim */
    c = (pb){0};
    pb_int(&c, 1, -3), pb_int(&c, 2, OT_FLOAT), pb_str(&c, 8, "c");
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "negative");
    free(m);
    /* external data */
    c = onnx_tensor_f("c", 1, d3, v, 1);
    pb_int(&c, 14, 1);
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "external data");
    free(m);
    /* a string tensor */
    c = (pb){0};
    pb_int(&c, 1, 1), pb_int(&c, 2, 8), pb_str(&c, 8, "c"), pb_str(&c, 6, "hello");
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "string");
    free(m);
    /* an int64 initializer used as float data */
    const int64_t iv[3] = {1, 2, 3};
    c = onnx_tensor_i("c", 1, d3, iv, 1);
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "integer tensor");
    free(m);
    /* an unnamed initializer; a repeated one */
    c = onnx_tensor_f(NULL, 1, d3, v, 1);
    m = with_initializer(&c, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "no name");
    free(m);
}

Test(onnx_load, unsupported_ops_and_attributes_name_the_node)
{
    size_t size;
    uint8_t *m = one_node("FancyOp", 13, 0, NULL, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "FancyOp");
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "the_node");
    free(m);
    pb a[1] = {onnx_attr_int("wobble", 3)};
    m = one_node("Relu", 13, 1, a, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "attribute \"wobble\"");
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "Relu");
    free(m);
    a[0] = onnx_attr_float("axis", 1.0f);
    m = one_node("Softmax", 13, 1, a, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"axis\" has type FLOAT, expected INT");
    free(m);
    a[0] = onnx_attr_int("axis", 7);
    m = one_node("Softmax", 13, 1, a, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_ARGUMENT, "the_node");
    free(m);
    a[0] = onnx_attr_string("auto_pad", "SIDEWAYS");
    m = one_node("MaxPool", 13, 1, a, &size);
    /* x is [2, 3, 4]: a 1-D pool, whose auto_pad is checked */
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"auto_pad\" is \"SIDEWAYS\"");
    free(m);
    m = one_node("Relu", 99, 0, NULL, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "opset 99");
    free(m);
    m = one_node("Relu", 23, 0, NULL, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "opsets 1 to 22");
    free(m);
    m = one_node("Relu", 0, 0, NULL, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "operator set");
    free(m);
}

Test(onnx_load, graph_structure_errors)
{
    const int64_t d[2] = {2, 3};
    size_t size;
    pb t;
    /* a dangling input name */
    onnx_graph g = {{0}};
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_input(&g, &t);
    onnx_node(&g, "Add", "adder", "x,nowhere", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d), onnx_output(&g, &t);
    uint8_t *m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"nowhere\"");
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "dangling");
    free(m);
    /* a cycle: a = Relu(b), b = Relu(a) */
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_input(&g, &t);
    onnx_node(&g, "Add", "n1", "x,b", "a", 0, NULL);
    onnx_node(&g, "Relu", "n2", "a", "b", 0, NULL);
    onnx_node(&g, "Relu", "n3", "b", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "cycle");
    free(m);
    /* a node reading its own output */
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_input(&g, &t);
    onnx_node(&g, "Add", "selfish", "x,y", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "selfish");
    free(m);
    /* two nodes writing the same tensor */
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r1", "x", "y", 0, NULL);
    onnx_node(&g, "Sigmoid", "r2", "x", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "already the output of node \"r1\"");
    free(m);
    /* a node writing over a graph input; an output nobody makes */
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r1", "x", "x", 0, NULL);
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "already a graph input");
    free(m);
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, 2, d), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r1", "x", "y", 0, NULL);
    t = onnx_value_info("z", OT_FLOAT, 2, d), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "graph output 0 \"z\"");
    free(m);
}

Test(onnx_load, input_declarations_are_checked)
{
    size_t size;
    pb t;
    /* a symbolic dimension other than the first */
    onnx_graph g = {{0}};
    const int64_t d[3] = {-1, 3, -1};
    t = onnx_value_info("x", OT_FLOAT, 3, d), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r", "x", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    uint8_t *m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "dimension 2 is symbolic (\"N\")");
    free(m);
    /* a string input; a rank-9 input; no shape at all */
    const int64_t d2[2] = {2, 2};
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", 8 /* string */, 2, d2), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r", "x", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "has type string");
    free(m);
    const int64_t d9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 2};
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, 9, d9), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r", "x", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "rank 9");
    free(m);
    g = (onnx_graph){{0}};
    t = onnx_value_info("x", OT_FLOAT, -1, NULL), onnx_input(&g, &t);
    onnx_node(&g, "Relu", "r", "x", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "has no shape");
    free(m);
}

/* x (elem_in) [2, 3] -> Cast to float -> Mul by 0.5 -> Cast to elem_out -> y */
static uint8_t *typed_model(int elem_in, int elem_out, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t d[2] = {2, 3}, one = 1;
    const float half = 0.5f;
    pb t = onnx_value_info("x", elem_in, 2, d);
    onnx_input(&g, &t);
    t = onnx_tensor_f("half", 1, &one, &half, 0), onnx_initializer(&g, &t);
    pb to = onnx_attr_int("to", OT_FLOAT);
    onnx_node(&g, "Cast", "to_float", "x", "xf", 1, &to);
    onnx_node(&g, "Mul", "scale", "xf,half", "h", 0, NULL);
    to = onnx_attr_int("to", elem_out);
    onnx_node(&g, "Cast", "to_out", "h", "y", 1, &to);
    t = onnx_value_info("y", elem_out, 2, d), onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

Test(onnx_load, numeric_inputs_and_outputs_of_other_types)
{
    /* uint8, int64 and float16 inputs are computed in float32 and keep
     * their declared type for the caller; float16/double outputs too */
    const int in_types[3] = {OT_UINT8, OT_INT64, OT_FLOAT16};
    const int out_types[3] = {OT_FLOAT, OT_FLOAT16, OT_DOUBLE};
    clinfer_runtime *rt = test_runtime();
    const float x[6] = {0, 1, 2, 3, 254, 255};
    float want[6];
    for (int k = 0; k < 6; k++)
        want[k] = x[k] * 0.5f;
    for (int i = 0; i < 3; i++) {
        size_t size;
        uint8_t *bytes = typed_model(in_types[i], out_types[i], &size);
        clinfer_graph *g = NULL;
        cr_assert_eq(load(bytes, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
        clinfer_model *m = NULL;
        cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
        cr_assert_eq((int)clinfer_model_input_dtype(m, 0), in_types[i]);
        cr_assert_eq((int)clinfer_model_output_dtype(m, 0), out_types[i]);
        clinfer_model_free(m);
        float *y = run_graph(rt, g, 1, x, 6, 6);
        assert_equal(y, want, 6, "typed input and output");
        free(y);
        clinfer_graph_free(g);
        free(bytes);
    }
    /* a cast of a run-time tensor to an integer type is still refused */
    size_t size;
    uint8_t *bytes = typed_model(OT_FLOAT, OT_INT32, &size);
    expect_error(bytes, size, CLINFER_ERR_UNSUPPORTED, "casting a run-time tensor to int32");
    free(bytes);
    clinfer_runtime_free(rt);
}

Test(onnx_load, dropout_in_training_mode_runs_only_with_ratio_zero)
{
    /* Exported attention blocks write F.dropout(x, p=0.0, training=True):
     * nothing is dropped, so it is a copy; a real ratio is refused. */
    const float ratios[2] = {0.0f, 0.5f};
    for (int r = 0; r < 2; r++) {
        onnx_graph g = {{0}};
        const int64_t d[2] = {2, 3};
        const int64_t yes = 1;
        pb t = onnx_value_info("x", OT_FLOAT, 2, d);
        onnx_input(&g, &t);
        t = onnx_tensor_f("ratio", 0, NULL, &ratios[r], 0), onnx_initializer(&g, &t);
        pb tm = onnx_tensor_i("training", 0, NULL, &yes, 0);
        pb a = onnx_attr_tensor("value", &tm);
        pb_free(&tm);
        onnx_node(&g, "Constant", "training_mode", "", "training", 1, &a);
        onnx_node(&g, "Dropout", "drop", "x,ratio,training", "y", 0, NULL);
        t = onnx_value_info("y", OT_FLOAT, 2, d), onnx_output(&g, &t);
        size_t size;
        uint8_t *m = onnx_model(&g, 13, &size);
        if (r == 1) {
            expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "ratio other than 0");
            free(m);
            continue;
        }
        clinfer_graph *gr = NULL;
        cr_assert_eq(load(m, size, &gr), CLINFER_OK, "%s", clinfer_last_errmsg());
        clinfer_runtime *rt = test_runtime();
        const float x[6] = {1, -2, 3, -4, 5, -6};
        float *y = run_graph(rt, gr, 1, x, 6, 6);
        assert_equal(y, x, 6, "dropout with ratio 0");
        free(y);
        clinfer_graph_free(gr);
        clinfer_runtime_free(rt);
        free(m);
    }
}

/* Einsum(eq) of a [dims_a] and b [dims_b] (both inputs) -> y */
static uint8_t *einsum_model(const char *eq, int ra, const int64_t *da, int rb, const int64_t *db,
                             size_t *size)
{
    onnx_graph g = {{0}};
    pb t = onnx_value_info("a", OT_FLOAT, ra, da);
    onnx_input(&g, &t);
    t = onnx_value_info("b", OT_FLOAT, rb, db), onnx_input(&g, &t);
    pb e = onnx_attr_string("equation", eq);
    onnx_node(&g, "Einsum", "einsum", "a,b", "y", 1, &e);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    return onnx_model(&g, 12, size);
}

/* y = a @ b as a session computes it (two inputs). */
static void run_two(clinfer_graph *g, const float *a, size_t na, const float *b, size_t nb,
                    float *y, size_t ny)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, a, na), CLINFER_OK);
    cr_assert_eq(clinfer_session_set_input(s, 1, b, nb), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, y, ny), CLINFER_OK, "%s",
                 clinfer_session_errmsg(s));
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

Test(onnx_load, einsum_of_attention_forms)
{
    /* MaxViT's "B G H I D, B G H J D -> B G H I J" (scores) and
     * "bhij,bhjd->bhdi" (values, output transposed), on odd sizes */
    enum { B = 2, H = 3, I = 5, J = 7, D = 4 };
    const int64_t da[5] = {B, 1, H, I, D}, db[5] = {B, 1, H, J, D};
    float a[B * H * I * D], b[B * H * J * D], y[B * H * I * J], want[B * H * I * J];
    uint32_t seed = 31u;
    fill_uniform(a, B * H * I * D, -1, 1, &seed);
    fill_uniform(b, B * H * J * D, -1, 1, &seed);
    size_t size;
    uint8_t *m = einsum_model("B G H I D, B G H J D -> B G H I J", 5, da, 5, db, &size);
    clinfer_graph *g = NULL;
    cr_assert_eq(load(m, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
    run_two(g, a, B * H * I * D, b, B * H * J * D, y, B * H * I * J);
    for (int n = 0; n < B * H; n++)
        for (int i = 0; i < I; i++)
            for (int j = 0; j < J; j++) {
                double acc = 0;
                for (int d = 0; d < D; d++)
                    acc += (double)a[(n * I + i) * D + d] * b[(n * J + j) * D + d];
                want[(n * I + i) * J + j] = (float)acc;
            }
    assert_close(y, want, B * H * I * J, 1e-5f, 1e-4f, "einsum scores");
    clinfer_graph_free(g);
    free(m);
    /* p [B, H, I, J] x v [B, H, J, D] -> [B, H, D, I] */
    const int64_t dp[4] = {B, H, I, J}, dv[4] = {B, H, J, D};
    float p[B * H * I * J], v[B * H * J * D], o[B * H * D * I], wo[B * H * D * I];
    fill_uniform(p, B * H * I * J, -1, 1, &seed);
    fill_uniform(v, B * H * J * D, -1, 1, &seed);
    m = einsum_model("bhij,bhjd->bhdi", 4, dp, 4, dv, &size);
    cr_assert_eq(load(m, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
    run_two(g, p, B * H * I * J, v, B * H * J * D, o, B * H * D * I);
    for (int n = 0; n < B * H; n++)
        for (int d = 0; d < D; d++)
            for (int i = 0; i < I; i++) {
                double acc = 0;
                for (int j = 0; j < J; j++)
                    acc += (double)p[(n * I + i) * J + j] * v[(n * J + j) * D + d];
                wo[(n * D + d) * I + i] = (float)acc;
            }
    assert_close(o, wo, B * H * D * I, 1e-5f, 1e-4f, "einsum values, transposed");
    clinfer_graph_free(g);
    free(m);
    /* an output letter twice is refused by name (the other forms:
     * tests/test_einsum.c) */
    m = einsum_model("ij,jk->ii", 2, (const int64_t[]){4, 4}, 2, (const int64_t[]){4, 5}, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "letter 'i' twice in the output");
    free(m);
}

Test(onnx_load, wrong_input_size_at_run_time)
{
    clinfer_runtime *rt = test_runtime();
    size_t size;
    uint8_t *model = onnx_model_cnn(4u, &size, NULL, NULL, NULL, NULL);
    clinfer_graph *g = NULL;
    cr_assert_eq(load(model, size, &g), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = 2;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    float x[2 * 2 * 7 * 6] = {0};
    cr_assert_eq(clinfer_session_set_input(s, 0, x, 84), CLINFER_ERR_SHAPE, "batch 1 data");
    assert_contains(clinfer_session_errmsg(s), "[2, 2, 7, 6]");
    cr_assert_eq(clinfer_session_run(s), CLINFER_ERR_INVALID_ARGUMENT, "input never set");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    free(model);
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ API */

/* The issue of node `name`; fails the test when there is none. */
static const clinfer_onnx_issue *find_issue(const clinfer_onnx_info *info, const char *name)
{
    for (size_t i = 0; i < info->issue_count; i++)
        if (strcmp(info->issues[i].node, name) == 0)
            return &info->issues[i];
    cr_assert_fail("no issue for node \"%s\"", name);
    return NULL;
}

static const clinfer_onnx_op_stat *find_op(const clinfer_onnx_info *info, const char *op)
{
    for (size_t i = 0; i < info->op_count; i++)
        if (strcmp(info->ops[i].op_type, op) == 0)
            return &info->ops[i];
    cr_assert_fail("no op %s", op);
    return NULL;
}

Test(onnx_load, inspect_lists_every_problem)
{
    onnx_graph g = {{0}};
    const int64_t d[4] = {-1, 3, 8, 8}, wd[4] = {4, 3, 3, 3};
    float w[108] = {0};
    pb t = onnx_value_info("img", OT_FLOAT, 4, d);
    onnx_input(&g, &t);
    t = onnx_tensor_f("w", 4, wd, w, 1), onnx_initializer(&g, &t);
    onnx_node(&g, "Conv", "conv", "img,w", "c", 0, NULL);
    onnx_node(&g, "Mystery", "m1", "c", "d", 0, NULL);
    onnx_node(&g, "Relu", "after_mystery", "d", "e", 0, NULL); /* not checked */
    pb a[1] = {onnx_attr_int("bogus", 1)};
    onnx_node(&g, "Relu", "bad_relu", "c", "f", 1, a);
    t = onnx_value_info("e", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    t = onnx_value_info("f", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    size_t size;
    uint8_t *m = onnx_model(&g, 13, &size);
    clinfer_onnx_info *info = NULL;
    cr_assert_eq(clinfer_onnx_inspect(m, size, &info), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(info->opset, 13);
    cr_assert_eq(info->input_count, 1);
    cr_assert_str_eq(info->inputs[0].name, "img");
    cr_assert_eq(info->inputs[0].shape.dims[0], CLINFER_BATCH_DIM);
    cr_assert_eq(info->output_count, 2);
    cr_assert_eq(info->parameter_count, 108);
    cr_assert_eq(info->node_count, 4);
    cr_assert_eq(info->imports, 0);
    cr_assert_eq(info->issue_count, 3, "Mystery, bad_relu and after_mystery (not checked)");
    const clinfer_onnx_issue *mystery = find_issue(info, "m1"), *bad = find_issue(info, "bad_relu"),
                             *after = find_issue(info, "after_mystery");
    assert_contains(mystery->message, "Mystery");
    cr_assert_eq(mystery->kind, CLINFER_ONNX_ISSUE_UNKNOWN_OP);
    assert_contains(bad->message, "bogus");
    cr_assert_eq(bad->kind, CLINFER_ONNX_ISSUE_UNSUPPORTED);
    cr_assert_eq(after->kind, CLINFER_ONNX_ISSUE_NOT_CHECKED);
    assert_contains(after->reason, "not checked: input \"d\"");
    cr_assert_str_eq(info->ops[0].op_type, "Relu");
    cr_assert_eq(info->ops[0].count, 2);
    cr_assert_eq(info->ops[0].failing, 1);
    cr_assert_eq(info->ops[0].unchecked, 1);
    clinfer_onnx_info_free(info);
    free(m);
    /* A good model: imports, with inferred output shapes. */
    m = onnx_model_cnn(1u, &size, NULL, NULL, NULL, NULL);
    cr_assert_eq(clinfer_onnx_inspect(m, size, &info), CLINFER_OK);
    cr_assert_eq(info->imports, 1);
    cr_assert_eq(info->issue_count, 0);
    cr_assert_eq(info->outputs[0].shape.rank, 2);
    cr_assert_eq(info->outputs[0].shape.dims[1], 4);
    cr_assert_eq(info->parameter_count, 54 + 3 + 108 + 4 + 1);
    clinfer_onnx_info_free(info);
    cr_assert_eq(clinfer_onnx_inspect(m, 10, &info), CLINFER_ERR_INVALID_MODEL);
    cr_assert_null(info);
    free(m);
    /* A graph-level problem (a cycle) is one issue. */
    g = (onnx_graph){{0}};
    const int64_t d2[2] = {2, 3};
    t = onnx_value_info("x", OT_FLOAT, 2, d2), onnx_input(&g, &t);
    onnx_node(&g, "Add", "n1", "x,b", "a", 0, NULL);
    onnx_node(&g, "Relu", "n2", "a", "b", 0, NULL);
    t = onnx_value_info("b", OT_FLOAT, 2, d2), onnx_output(&g, &t);
    m = onnx_model(&g, 13, &size);
    cr_assert_eq(clinfer_onnx_inspect(m, size, &info), CLINFER_OK);
    cr_assert_eq(info->imports, 0);
    cr_assert_eq(info->issue_count, 1);
    assert_contains(info->issues[0].message, "cycle");
    clinfer_onnx_info_free(info);
    free(m);
}

/* Nodes after one that cannot be run are still checked where the shape of
 * what they read is known (declared, or an element-wise op's input), and
 * reported as not checked where it is not (onnx_writer.h says which). */
Test(onnx_load, inspect_checks_nodes_after_unsupported_ones)
{
    size_t size;
    uint8_t *m = onnx_model_unsupported(&size);
    clinfer_onnx_info *info = NULL;
    cr_assert_eq(clinfer_onnx_inspect(m, size, &info), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(info->imports, 0);
    cr_assert_eq(info->issue_count, 8, "s1 s2 s3 s4 dilated_pool bad_relu after_s1 after_s3");
    const char *unknown[4] = {"s1", "s2", "s3", "s4"};
    for (int i = 0; i < 4; i++) {
        const clinfer_onnx_issue *it = find_issue(info, unknown[i]);
        cr_assert_eq(it->kind, CLINFER_ONNX_ISSUE_UNKNOWN_OP, "%s", unknown[i]);
        cr_assert_str_eq(it->reason, "operator Swoosh is not supported");
    }
    const clinfer_onnx_issue *pool = find_issue(info, "dilated_pool");
    cr_assert_eq(pool->kind, CLINFER_ONNX_ISSUE_OPSET);
    assert_contains(pool->reason, "opset 19");
    cr_assert_eq(find_issue(info, "bad_relu")->kind, CLINFER_ONNX_ISSUE_UNSUPPORTED);
    assert_contains(find_issue(info, "bad_relu")->reason, "bogus");
    cr_assert_eq(find_issue(info, "after_s1")->kind, CLINFER_ONNX_ISSUE_NOT_CHECKED);
    cr_assert_eq(find_issue(info, "after_s3")->kind, CLINFER_ONNX_ISSUE_NOT_CHECKED);
    for (size_t i = 0; i < info->issue_count; i++) {
        cr_assert_str_neq(info->issues[i].node, "after_s2", "checked with the declared shape");
        cr_assert_str_neq(info->issues[i].node, "after_bad_relu", "checked with Relu's shape");
        cr_assert_str_neq(info->issues[i].node, "conv");
    }
    const clinfer_onnx_op_stat *swoosh = find_op(info, "Swoosh"), *relu = find_op(info, "Relu");
    cr_assert_eq(swoosh->count, 4);
    cr_assert_eq(swoosh->failing, 4);
    cr_assert_eq(relu->count, 3);
    cr_assert_eq(relu->failing, 1);
    cr_assert_eq(relu->unchecked, 1);
    cr_assert_eq(find_op(info, "GlobalAveragePool")->unchecked, 1);
    cr_assert_eq(find_op(info, "Flatten")->failing + find_op(info, "Flatten")->unchecked, 0);
    cr_assert_str_eq(clinfer_onnx_issue_kind_name(CLINFER_ONNX_ISSUE_NOT_CHECKED), "not_checked");
    clinfer_onnx_info_free(info);
    free(m);
}

/* Opsets 19 to 22 load; AveragePool takes dilations from opset 19 on, and
 * before it they are an opset error. */
Test(onnx_load, average_pool_dilations_follow_the_opset)
{
    const int64_t d[4] = {1, 1, 5, 6}, two[2] = {2, 2};
    for (int opset = 18; opset <= 22; opset++) {
        onnx_graph g = {{0}};
        pb t = onnx_value_info("x", OT_FLOAT, 4, d);
        onnx_input(&g, &t);
        pb a[2] = {onnx_attr_ints("kernel_shape", 2, two), onnx_attr_ints("dilations", 2, two)};
        onnx_node(&g, "AveragePool", "pool", "x", "y", 2, a);
        t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
        size_t size;
        uint8_t *m = onnx_model(&g, opset, &size);
        if (opset == 18) {
            expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "from opset 19");
        } else {
            clinfer_onnx_info *info = NULL;
            cr_assert_eq(clinfer_onnx_inspect(m, size, &info), CLINFER_OK);
            cr_assert_eq(info->imports, 1, "opset %d: %s", opset,
                         info->issue_count ? info->issues[0].message : "");
            /* A 2x2 window dilated by 2 spans 3: 5x6 gives 3x4. */
            const clinfer_shape *s = &info->outputs[0].shape;
            cr_assert_eq(s->rank, 4);
            cr_assert_eq(s->dims[2], 3);
            cr_assert_eq(s->dims[3], 4);
            clinfer_onnx_info_free(info);
        }
        free(m);
    }
}

/* Pad's "wrap" mode and Cast's "saturate" exist from opset 19: before,
 * they are refused as opset errors (clinfer_onnx_inspect says so); from
 * 19 on they load, and wrap pads [2, 3, 4] by 1 on both sides of the last
 * axis to [2, 3, 6]. */
Test(onnx_load, pad_wrap_and_cast_saturate_need_opset_19)
{
    const int64_t d[3] = {2, 3, 4}, pd[1] = {6}, pads[6] = {0, 0, 1, 0, 0, 1};
    for (int opset = 18; opset <= 19; opset++) {
        onnx_graph g = {{0}};
        pb t = onnx_value_info("x", OT_FLOAT, 3, d);
        onnx_input(&g, &t);
        t = onnx_tensor_i("pads", 1, pd, pads, 1), onnx_initializer(&g, &t);
        pb a[1] = {onnx_attr_string("mode", "wrap")};
        onnx_node(&g, "Pad", "pad", "x,pads", "p", 1, a);
        pb c[2] = {onnx_attr_int("to", OT_FLOAT), onnx_attr_int("saturate", 1)};
        onnx_node(&g, "Cast", "cast", "p", "y", 2, c);
        t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
        size_t size;
        uint8_t *m = onnx_model(&g, opset, &size);
        clinfer_onnx_info *info = NULL;
        cr_assert_eq(clinfer_onnx_inspect(m, size, &info), CLINFER_OK);
        if (opset == 18) {
            cr_assert_eq(info->issue_count, 2);
            cr_assert_eq(find_issue(info, "pad")->kind, CLINFER_ONNX_ISSUE_OPSET);
            assert_contains(find_issue(info, "pad")->reason,
                            "\"wrap\", which Pad has from opset 19");
            /* Pad keeps no shape of its input: Cast is not checked. */
            cr_assert_eq(find_issue(info, "cast")->kind, CLINFER_ONNX_ISSUE_NOT_CHECKED);
        } else {
            cr_assert_eq(info->imports, 1, "%s", info->issue_count ? info->issues[0].message : "");
            cr_assert_eq(info->outputs[0].shape.rank, 3);
            cr_assert_eq(info->outputs[0].shape.dims[2], 6);
        }
        clinfer_onnx_info_free(info);
        free(m);
    }
    pb a[2] = {onnx_attr_int("to", OT_FLOAT), onnx_attr_int("saturate", 0)};
    size_t size;
    uint8_t *m = one_node("Cast", 18, 2, a, &size);
    expect_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"saturate\" is Cast's from opset 19");
    free(m);
    /* Resize's half_pixel_symmetric coordinates are also new in 19 (at 19
     * this one-input Resize fails later, for want of scales or sizes). */
    for (int opset = 18; opset <= 19; opset++) {
        onnx_graph gr = {{0}};
        const int64_t xd[4] = {1, 1, 2, 2};
        pb t = onnx_value_info("x", OT_FLOAT, 4, xd);
        onnx_input(&gr, &t);
        pb r[1] = {onnx_attr_string("coordinate_transformation_mode", "half_pixel_symmetric")};
        onnx_node(&gr, "Resize", "resize", "x", "y", 1, r);
        t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&gr, &t);
        m = onnx_model(&gr, opset, &size);
        clinfer_graph *g = NULL;
        cr_assert_neq(load(m, size, &g), CLINFER_OK);
        const char *msg = clinfer_last_errmsg();
        cr_assert_eq(strstr(msg, "Resize's from opset 19") != NULL, opset == 18, "%s", msg);
        free(m);
    }
}

Test(onnx_load, bound_inputs_become_constants_where_needed)
{
    /* Conv with its weights as a graph input (as in ONNX's node tests). */
    onnx_graph g = {{0}};
    const int64_t xd[4] = {1, 1, 4, 4}, wd[4] = {1, 1, 3, 3};
    pb t = onnx_value_info("x", OT_FLOAT, 4, xd);
    onnx_input(&g, &t);
    t = onnx_value_info("W", OT_FLOAT, 4, wd), onnx_input(&g, &t);
    onnx_node(&g, "Conv", "conv", "x,W", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    size_t size;
    uint8_t *m = onnx_model(&g, 11, &size);
    expect_error(m, size, CLINFER_ERR_UNSUPPORTED, "must be known when the model is loaded");
    float w[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    clinfer_tensor bind = {"W", CLINFER_DTYPE_FLOAT32, {4, {1, 1, 3, 3}}, w};
    clinfer_onnx_options o = clinfer_onnx_options_default();
    o.input_values = &bind;
    o.input_value_count = 1;
    clinfer_graph *gr = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_with(m, size, &o, &gr), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    clinfer_runtime *rt = test_runtime();
    float x[16], want[4];
    for (int k = 0; k < 16; k++)
        x[k] = (float)k;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            want[i * 2 + j] = x[i * 4 + j] + x[(i + 1) * 4 + j + 1] + x[(i + 2) * 4 + j + 2];
    float *y = run_graph(rt, gr, 1, x, 16, 4);
    assert_equal(y, want, 4, "conv with bound weights");
    free(y);
    clinfer_graph_free(gr);
    /* A value of the wrong shape is refused. */
    bind.shape.dims[3] = 2;
    cr_assert_eq(clinfer_graph_load_onnx_with(m, size, &o, &gr), CLINFER_ERR_SHAPE);
    assert_contains(clinfer_last_errmsg(), "[1, 1, 3, 2]");
    free(m);
    clinfer_runtime_free(rt);
}

Test(onnx_load, minus_one_dims_take_the_given_value)
{
    /* paddle2onnx declares "any size" as dim_value -1; a value given when
     * loading fixes those dims, as for symbolic ones, and a fixed dim that
     * disagrees is still refused. */
    onnx_graph g = {{0}};
    const int64_t m1 = OW_DIM_MINUS_ONE, xd[4] = {m1, 2, m1, m1};
    pb t = onnx_value_info("x", OT_FLOAT, 4, xd);
    onnx_input(&g, &t);
    onnx_node(&g, "Relu", "relu", "x", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    size_t size;
    uint8_t *m = onnx_model(&g, 11, &size);
    float x[45]; /* the refused binding below reads [1, 3, 3, 5] */
    uint32_t seed = 3u;
    fill_uniform(x, 30, -1, 1, &seed);
    clinfer_tensor bind = {"x", CLINFER_DTYPE_FLOAT32, {4, {1, 2, 3, 5}}, x};
    clinfer_onnx_options o = clinfer_onnx_options_default();
    o.input_values = &bind;
    o.input_value_count = 1;
    clinfer_graph *gr = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_with(m, size, &o, &gr), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    clinfer_runtime *rt = test_runtime();
    float want[30];
    for (int k = 0; k < 30; k++)
        want[k] = x[k] > 0 ? x[k] : 0;
    float *y = run_graph(rt, gr, 1, x, 30, 30);
    assert_equal(y, want, 30, "relu over a [-1, 2, -1, -1] input");
    free(y);
    clinfer_graph_free(gr);
    bind.shape.dims[1] = 3;
    cr_assert_eq(clinfer_graph_load_onnx_with(m, size, &o, &gr), CLINFER_ERR_SHAPE);
    assert_contains(clinfer_last_errmsg(), "[-1, 2, -1, -1]");
    free(m);
    clinfer_runtime_free(rt);
}

Test(onnx_load, tensor_proto_decoding)
{
    const int64_t d[2] = {2, 2};
    const float v[4] = {1.5f, -2, 0, 1e-3f};
    clinfer_tensor t;
    for (int raw = 0; raw < 2; raw++) {
        pb p = onnx_tensor_f("t", 2, d, v, raw);
        cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_OK, "%s",
                     clinfer_last_errmsg());
        cr_assert_str_eq(t.name, "t");
        cr_assert_eq(t.dtype, CLINFER_DTYPE_FLOAT32);
        cr_assert_eq(t.shape.rank, 2);
        assert_equal(t.data, v, 4, "decoded floats");
        clinfer_tensor_release(&t);
        cr_assert_null(t.data);
        pb_free(&p);
    }
    /* float16 in raw_data, int32 in int32_data, bool, uint8 raw, double */
    pb p = {0};
    const uint8_t half[4] = {0x00, 0x3c, 0x00, 0xc0}; /* 1.0, -2.0 */
    pb_int(&p, 1, 2), pb_int(&p, 2, OT_FLOAT16), pb_bytes(&p, 9, half, 4);
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(((float *)t.data)[0], 1.0f);
    cr_assert_eq(((float *)t.data)[1], -2.0f);
    clinfer_tensor_release(&t);
    pb_free(&p);
    pb_int(&p, 1, 3), pb_int(&p, 2, OT_INT32);
    pb_int(&p, 5, -7), pb_int(&p, 5, 0), pb_int(&p, 5, 2147483647); /* unpacked */
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(t.dtype, CLINFER_DTYPE_INT64);
    cr_assert_eq(((int64_t *)t.data)[0], -7);
    cr_assert_eq(((int64_t *)t.data)[2], 2147483647);
    clinfer_tensor_release(&t);
    pb_free(&p);
    const double dv[2] = {0.25, -1e300};
    pb_int(&p, 1, 2), pb_int(&p, 2, OT_DOUBLE), pb_bytes(&p, 9, dv, 16);
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(((float *)t.data)[0], 0.25f);
    cr_assert(isinf(((float *)t.data)[1]));
    clinfer_tensor_release(&t);
    pb_free(&p);
    /* a scalar with no dims; an empty tensor */
    pb_int(&p, 2, OT_FLOAT), pb_fixed32(&p, 4, 3.0f);
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(t.shape.rank, 0);
    cr_assert_eq(((float *)t.data)[0], 3.0f);
    clinfer_tensor_release(&t);
    pb_free(&p);
    pb_int(&p, 1, 0), pb_int(&p, 2, OT_FLOAT);
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_OK);
    cr_assert_null(t.data);
    clinfer_tensor_release(&t);
    pb_free(&p);
    /* errors: wrong byte count, truncated */
    pb_int(&p, 1, 3), pb_int(&p, 2, OT_FLOAT), pb_bytes(&p, 9, v, 11);
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n, &t), CLINFER_ERR_INVALID_MODEL);
    assert_contains(clinfer_last_errmsg(), "raw_data has 11 bytes");
    cr_assert_null(t.data);
    cr_assert_eq(clinfer_tensor_decode_onnx(p.b, p.n - 3, &t), CLINFER_ERR_INVALID_MODEL);
    assert_contains(clinfer_last_errmsg(), "byte ");
    pb_free(&p);
    clinfer_tensor_release(NULL);
}

Test(onnx_load, files_and_model_load)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = (clinfer_graph *)rt;
    cr_assert_eq(clinfer_graph_load_onnx("/nonexistent/model.onnx", &g), CLINFER_ERR_IO);
    cr_assert_null(g);
    assert_contains(clinfer_last_errmsg(), "/nonexistent/model.onnx");
    char path[] = "/tmp/clinfer_onnx_test_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t size;
    uint8_t *model = onnx_model_cnn(8u, &size, NULL, NULL, NULL, NULL);
    FILE *f = fdopen(fd, "wb");
    cr_assert_eq(fwrite(model, 1, size, f), size);
    fclose(f);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(rt, path, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_model_output_count(m), 1);
    clinfer_model_free(m);
    /* a truncated file names the path */
    f = fopen(path, "wb");
    cr_assert_eq(fwrite(model, 1, size - 7, f), size - 7);
    fclose(f);
    cr_assert_eq(clinfer_model_load(rt, path, &m), CLINFER_ERR_INVALID_MODEL);
    cr_assert_null(m);
    assert_contains(clinfer_last_errmsg(), path);
    remove(path);
    free(model);
    clinfer_runtime_free(rt);
}
