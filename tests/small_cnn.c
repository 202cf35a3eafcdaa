/*
 * small_cnn.c — see small_cnn.h.
 */
#include "small_cnn.h"

#include <math.h>
#include <stdlib.h>

void small_cnn_fill(float *x, size_t n, float lo, float hi, uint32_t *state)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t s = *state;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        *state = s;
        x[i] = lo + (hi - lo) * (float)(s >> 8) / (float)(1u << 24);
    }
}

void small_cnn_init(small_cnn *w, uint32_t seed, int leaky)
{
    small_cnn_fill(w->c1w, sizeof w->c1w / sizeof(float), -0.5f, 0.5f, &seed);
    small_cnn_fill(w->c1b, sizeof w->c1b / sizeof(float), -0.5f, 0.5f, &seed);
    small_cnn_fill(w->c2w, sizeof w->c2w / sizeof(float), -0.5f, 0.5f, &seed);
    small_cnn_fill(w->c2b, sizeof w->c2b / sizeof(float), -0.5f, 0.5f, &seed);
    small_cnn_fill(w->dw, sizeof w->dw / sizeof(float), -0.5f, 0.5f, &seed);
    small_cnn_fill(w->db, sizeof w->db / sizeof(float), -0.5f, 0.5f, &seed);
    w->leaky = leaky;
}

#define TRY(call)                 \
    do {                          \
        st = (call);              \
        if (st != CLINFER_OK)     \
            goto fail;            \
    } while (0)

clinfer_status small_cnn_graph(const small_cnn *w, clinfer_graph **out)
{
    clinfer_graph *g = NULL;
    clinfer_status st = clinfer_graph_create(&g);
    if (st != CLINFER_OK)
        return st;
    clinfer_shape in = {4, {CLINFER_BATCH_DIM, SMALL_CNN_C, SMALL_CNN_H, SMALL_CNN_W}};
    clinfer_shape s_c1w = {4, {8, 3, 3, 3}}, s_c1b = {1, {8}};
    clinfer_shape s_c2w = {4, {6, 8, 3, 3}}, s_c2b = {1, {6}};
    clinfer_shape s_dw = {2, {6, 5}}, s_db = {1, {5}};
    clinfer_value x, c1w, c1b, c2w, c2b, dw, db, v, feat, dense, probs;
    clinfer_conv2d_desc d1 = clinfer_conv2d_desc_default();
    d1.pad_mode = CLINFER_PAD_SAME_UPPER;
    d1.activation = w->leaky ? CLINFER_ACT_LEAKY_RELU : CLINFER_ACT_RELU;
    d1.act_alpha = 0.1f;
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    TRY(clinfer_graph_input(g, "image", &in, &x));
    TRY(clinfer_graph_constant(g, "c1w", &s_c1w, w->c1w, &c1w));
    TRY(clinfer_graph_constant(g, "c1b", &s_c1b, w->c1b, &c1b));
    TRY(clinfer_graph_constant(g, "c2w", &s_c2w, w->c2w, &c2w));
    TRY(clinfer_graph_constant(g, "c2b", &s_c2b, w->c2b, &c2b));
    TRY(clinfer_graph_constant(g, "dw", &s_dw, w->dw, &dw));
    TRY(clinfer_graph_constant(g, "db", &s_db, w->db, &db));
    TRY(clinfer_graph_conv2d(g, "conv1", x, c1w, c1b, &d1, &v));
    TRY(clinfer_graph_pool2d(g, "pool1", v, &pd, &v));
    TRY(clinfer_graph_conv2d(g, "conv2", v, c2w, c2b, NULL, &v));
    TRY(clinfer_graph_global_pool(g, "gap", v, CLINFER_POOL_AVG, &v));
    TRY(clinfer_graph_flatten(g, "flat", v, 1, &feat));
    TRY(clinfer_graph_dense(g, "dense", feat, dw, db, CLINFER_ACT_NONE, &dense));
    TRY(clinfer_graph_softmax(g, "softmax", dense, -1, 0, &probs));
    TRY(clinfer_graph_output(g, probs, "probs"));
    TRY(clinfer_graph_output(g, feat, "features"));
    *out = g;
    return CLINFER_OK;
fail:
    clinfer_graph_free(g);
    return st;
}

/* Valid or SAME_UPPER 3x3 convolution of one image, stride 1. */
static void conv3x3(const float *in, int c, int h, int wd, const float *w, const float *b, int oc,
                    int pad, float *out, int *oh, int *ow)
{
    *oh = pad ? h : h - 2;
    *ow = pad ? wd : wd - 2;
    for (int o = 0; o < oc; o++)
        for (int y = 0; y < *oh; y++)
            for (int x = 0; x < *ow; x++) {
                double acc = b[o];
                for (int ci = 0; ci < c; ci++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y + ky - pad, ix = x + kx - pad;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                                continue;
                            acc += (double)in[(ci * h + iy) * wd + ix] *
                                   w[((o * c + ci) * 3 + ky) * 3 + kx];
                        }
                out[(o * *oh + y) * *ow + x] = (float)acc;
            }
}

void small_cnn_reference(const small_cnn *w, const float *in, int64_t batch, float *probs,
                         float *features)
{
    float a[8 * SMALL_CNN_H * SMALL_CNN_W], p[8 * 6 * 5], c2[6 * 4 * 3];
    for (int64_t n = 0; n < batch; n++) {
        int h, wd, h2, w2;
        conv3x3(in + n * SMALL_CNN_IN, 3, SMALL_CNN_H, SMALL_CNN_W, w->c1w, w->c1b, 8, 1, a, &h,
                &wd);
        for (int i = 0; i < 8 * h * wd; i++)
            a[i] = a[i] > 0 ? a[i] : w->leaky ? 0.1f * a[i] : 0.0f;
        int ph = h / 2, pw = wd / 2;
        for (int c = 0; c < 8; c++)
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < pw; x++) {
                    float m = -INFINITY;
                    for (int ky = 0; ky < 2; ky++)
                        for (int kx = 0; kx < 2; kx++) {
                            float v = a[(c * h + 2 * y + ky) * wd + 2 * x + kx];
                            m = v > m ? v : m;
                        }
                    p[(c * ph + y) * pw + x] = m;
                }
        conv3x3(p, 8, ph, pw, w->c2w, w->c2b, 6, 0, c2, &h2, &w2);
        float *f = features + n * SMALL_CNN_FEATURES;
        for (int c = 0; c < 6; c++) {
            double s = 0;
            for (int i = 0; i < h2 * w2; i++)
                s += c2[c * h2 * w2 + i];
            f[c] = (float)(s / (h2 * w2));
        }
        double logits[SMALL_CNN_CLASSES], mx = -INFINITY, sum = 0;
        for (int u = 0; u < SMALL_CNN_CLASSES; u++) {
            double acc = w->db[u];
            for (int k = 0; k < SMALL_CNN_FEATURES; k++)
                acc += (double)f[k] * w->dw[k * SMALL_CNN_CLASSES + u];
            logits[u] = acc;
            mx = acc > mx ? acc : mx;
        }
        for (int u = 0; u < SMALL_CNN_CLASSES; u++)
            sum += exp(logits[u] - mx);
        for (int u = 0; u < SMALL_CNN_CLASSES; u++)
            probs[n * SMALL_CNN_CLASSES + u] = (float)(exp(logits[u] - mx) / sum);
    }
}

double small_cnn_excess(const float *a, const float *b, size_t n, double atol, double rtol)
{
    double worst = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]) - (atol + rtol * fabs((double)b[i]));
        if (!(e <= worst)) /* NaN counts as worst */
            worst = isnan(e) ? INFINITY : e;
    }
    return n ? worst : -1;
}
