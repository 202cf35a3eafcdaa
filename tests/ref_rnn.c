/*
 * ref_rnn.c — naive RNN, GRU and LSTM (see ref_rnn.h): per direction,
 * batch item and step, each gate as ONNX's documentation writes it
 * (gate order: RNN i; GRU z, r, h; LSTM i, o, f, c; peepholes i, o, f),
 * the products summed in double.
 */
#include "ref_rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double act(clinfer_activation a, double x)
{
    switch (a) {
    case CLINFER_ACT_RELU:
        return x > 0 ? x : 0;
    case CLINFER_ACT_SIGMOID:
        return 1 / (1 + exp(-x));
    case CLINFER_ACT_SOFTSIGN:
        return x / (1 + fabs(x));
    case CLINFER_ACT_SOFTPLUS:
        return log(1 + exp(x));
    default:
        return tanh(x);
    }
}

static double clip_to(double x, float clip)
{
    return clip > 0 ? fmin(fmax(x, -clip), clip) : x;
}

/* row . v over n values */
static double dot(const float *row, const double *v, int n)
{
    double s = 0;
    for (int k = 0; k < n; k++)
        s += (double)row[k] * v[k];
    return s;
}

static double dotf(const float *row, const float *v, int n)
{
    double s = 0;
    for (int k = 0; k < n; k++)
        s += (double)row[k] * v[k];
    return s;
}

void ref_rnn(const clinfer_rnn_desc *desc, ref_rnn_sizes s, const float *x, const float *w,
             const float *r, const float *b, const float *h0, const float *c0, const float *p,
             float *y, float *yh, float *yc)
{
    const int D = desc->direction == CLINFER_RNN_BIDIRECTIONAL ? 2 : 1, H = s.H, I = s.I;
    const int G = desc->cell == CLINFER_RNN_CELL_RNN ? 1 : desc->cell == CLINFER_RNN_CELL_GRU ? 3 : 4;
    double *h = malloc(sizeof(double) * (size_t)H), *c = malloc(sizeof(double) * (size_t)H);
    double *hn = malloc(sizeof(double) * (size_t)H), *rh = malloc(sizeof(double) * (size_t)H);
    double *g = malloc(sizeof(double) * (size_t)(G * H));
    for (int d = 0; d < D; d++) {
        clinfer_activation a[3];
        for (int k = 0; k < 3; k++) {
            a[k] = desc->activations[d][k];
            if (a[k] == CLINFER_ACT_NONE)
                a[k] = desc->cell == CLINFER_RNN_CELL_RNN || k > 0 ? CLINFER_ACT_TANH
                                                                   : CLINFER_ACT_SIGMOID;
        }
        const int reverse = d == 1 || desc->direction == CLINFER_RNN_REVERSE;
        const float *wd = w + (size_t)d * G * H * I, *rd = r + (size_t)d * G * H * H;
        const float *wb = b ? b + (size_t)d * 2 * G * H : NULL, *rb = wb ? wb + G * H : NULL;
        for (int n = 0; n < s.B; n++) {
            for (int j = 0; j < H; j++) {
                h[j] = h0 ? h0[((size_t)d * s.B + n) * H + j] : 0;
                c[j] = c0 ? c0[((size_t)d * s.B + n) * H + j] : 0;
            }
            for (int step = 0; step < s.T; step++) {
                const int t = reverse ? s.T - 1 - step : step;
                const float *xt = x + ((size_t)t * s.B + n) * I;
                /* g = X_t W^T + Wb (+ Rb, + H R^T but for GRU's candidate) */
                for (int q = 0; q < G * H; q++) {
                    g[q] = dotf(wd + (size_t)q * I, xt, I) + (wb ? wb[q] : 0);
                    const int gru_candidate = desc->cell == CLINFER_RNN_CELL_GRU && q >= 2 * H;
                    if (!gru_candidate)
                        g[q] += dot(rd + (size_t)q * H, h, H) + (rb ? rb[q] : 0);
                }
                for (int j = 0; j < H; j++) {
                    if (desc->cell == CLINFER_RNN_CELL_RNN) {
                        hn[j] = act(a[0], clip_to(g[j], desc->clip));
                    } else if (desc->cell == CLINFER_RNN_CELL_GRU) {
                        rh[j] = act(a[0], clip_to(g[H + j], desc->clip)); /* reset gate */
                    } else {
                        const float *pd = p ? p + (size_t)d * 3 * H : NULL;
                        const double i = act(a[0], clip_to(g[j] + (pd ? pd[j] * c[j] : 0), desc->clip));
                        const double f = desc->input_forget
                                             ? 1 - i
                                             : act(a[0], clip_to(g[2 * H + j] +
                                                                     (pd ? pd[2 * H + j] * c[j] : 0),
                                                                 desc->clip));
                        const double cn = f * c[j] + i * act(a[1], clip_to(g[3 * H + j], desc->clip));
                        const double o =
                            act(a[0], clip_to(g[H + j] + (pd ? pd[H + j] * cn : 0), desc->clip));
                        c[j] = cn;
                        hn[j] = o * act(a[2], cn);
                    }
                }
                if (desc->cell == CLINFER_RNN_CELL_GRU) {
                    /* the candidate needs the reset gate of every unit */
                    double *reset_h = malloc(sizeof(double) * (size_t)H);
                    for (int k = 0; k < H; k++)
                        reset_h[k] = rh[k] * h[k];
                    for (int j = 0; j < H; j++) {
                        const float *row = rd + (size_t)(2 * H + j) * H;
                        const double rbh = rb ? rb[2 * H + j] : 0;
                        const double lin = desc->linear_before_reset
                                               ? rh[j] * (dot(row, h, H) + rbh)
                                               : dot(row, reset_h, H) + rbh;
                        const double z = act(a[0], clip_to(g[j], desc->clip));
                        const double cand = act(a[1], clip_to(g[2 * H + j] + lin, desc->clip));
                        hn[j] = (1 - z) * cand + z * h[j];
                    }
                    free(reset_h);
                }
                memcpy(h, hn, sizeof(double) * (size_t)H);
                for (int j = 0; y && j < H; j++)
                    y[(((size_t)t * D + d) * s.B + n) * H + j] = (float)h[j];
            }
            for (int j = 0; j < H; j++) {
                if (yh)
                    yh[((size_t)d * s.B + n) * H + j] = (float)h[j];
                if (yc)
                    yc[((size_t)d * s.B + n) * H + j] = (float)c[j];
            }
        }
    }
    free(h), free(c), free(hn), free(rh), free(g);
}
