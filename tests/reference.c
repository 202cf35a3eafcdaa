/*
 * reference.c — naive C references for convolution (see reference.h).
 */
#include "reference.h"

#include <math.h>

#define PI 3.14159265358979323846

int32_t ref_window_out(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                       int32_t dil)
{
    return (in + pad0 + pad1 - dil * (k - 1) - 1) / stride + 1;
}

float ref_activation(act_params act, float x)
{
    const double d = x;
    switch (act.kind) {
    case ACT_KIND_RELU: /* NaN stays NaN, as in PyTorch */
        return x < 0 ? 0 : x;
    case ACT_KIND_LEAKY_RELU:
        return x >= 0 ? x : act.a * x;
    case ACT_KIND_CLIP:
        return x < act.a ? act.a : x > act.b ? act.b : x;
    case ACT_KIND_SIGMOID:
        return (float)(1.0 / (1.0 + exp(-(double)x)));
    case ACT_KIND_TANH:
        return (float)tanh((double)x);
    case ACT_KIND_HARD_SIGMOID: { /* NaN passes both comparisons and stays NaN */
        const float v = act.a * x + act.b;
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
    /* The others from their ONNX definitions, in double; NaN stays NaN
     * through the arithmetic, or (ThresholdedRelu) by failing the compare. */
    case ACT_KIND_HARD_SWISH: {
        const double v = (double)act.a * d + act.b;
        return (float)(d * (v < 0 ? 0 : v > 1 ? 1 : v));
    }
    case ACT_KIND_GELU:
        if (act.a != 0) /* approximate = "tanh" */
            return (float)(0.5 * d * (1.0 + tanh(sqrt(2.0 / PI) * (d + 0.044715 * d * d * d))));
        return (float)(0.5 * d * (1.0 + erf(d / sqrt(2.0))));
    case ACT_KIND_ELU:
        return (float)(d > 0 ? d : act.a * expm1(d));
    case ACT_KIND_SELU:
        return (float)(act.b * (d > 0 ? d : act.a * expm1(d)));
    case ACT_KIND_CELU: /* max(0, x) + min(0, alpha (exp(x / alpha) - 1)) */
        return (float)(d > 0 ? d : act.a * expm1(d / act.a));
    case ACT_KIND_SOFTPLUS: /* log(exp(x) + 1); exp overflows past 709 */
        return (float)(d > 700 ? d : log1p(exp(d)));
    case ACT_KIND_SOFTSIGN:
        return (float)(d / (1.0 + fabs(d)));
    case ACT_KIND_MISH:
        return (float)(d * tanh(log1p(exp(d))));
    case ACT_KIND_THRESHOLDED_RELU:
        return x <= act.a ? 0 : x;
    case ACT_KIND_SWISH: /* x sigmoid(alpha x) */
        return (float)(d / (1.0 + exp(-(double)act.a * d)));
    case ACT_KIND_QDQ_U8: /* the float division ONNX writes, halves to even */
    case ACT_KIND_QDQ_S8: {
        if (isnan(x))
            return x;
        const double q = nearbyint((double)(x / act.a)) + act.b;
        const double lo = act.kind == ACT_KIND_QDQ_U8 ? 0 : -128, hi = lo + 255;
        return (float)((fmin(fmax(q, lo), hi) - act.b) * act.a);
    }
    case ACT_KIND_NONE:
    case ACT_KIND_COUNT:
        break;
    }
    return x;
}

void ref_conv2d(const conv2d_params *p, const float *in, const float *w, const float *bias,
                float *out)
{
    int32_t oh = ref_window_out(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, p->dil_h);
    int32_t ow = ref_window_out(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, p->dil_w);
    int32_t cin_g = p->c / p->groups, cout_g = p->oc / p->groups;
    for (int32_t n = 0; n < p->n; n++)
        for (int32_t o = 0; o < p->oc; o++)
            for (int32_t y = 0; y < oh; y++)
                for (int32_t x = 0; x < ow; x++) {
                    double s = bias ? bias[o] : 0.0;
                    int32_t g = o / cout_g;
                    for (int32_t ci = 0; ci < cin_g; ci++)
                        for (int32_t ky = 0; ky < p->kh; ky++)
                            for (int32_t kx = 0; kx < p->kw; kx++) {
                                int32_t iy = y * p->stride_h - p->pad_top + ky * p->dil_h;
                                int32_t ix = x * p->stride_w - p->pad_left + kx * p->dil_w;
                                if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w)
                                    continue;
                                int32_t c = g * cin_g + ci;
                                s += (double)in[((n * p->c + c) * p->h + iy) * p->w + ix] *
                                     w[((o * cin_g + ci) * p->kh + ky) * p->kw + kx];
                            }
                    out[((n * p->oc + o) * oh + y) * ow + x] = ref_activation(p->act, (float)s);
                }
}
