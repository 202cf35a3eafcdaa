/*
 * ref_conv_transpose.c — the ConvTranspose reference (ref_conv_transpose.h).
 */
#include "ref_conv_transpose.h"

#include <math.h>
#include <stdlib.h>

#include "reference.h"

int32_t ref_convt_out(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                      int32_t out_pad, int32_t dil)
{
    return stride * (in - 1) + out_pad + dil * (k - 1) + 1 - pad0 - pad1;
}

void ref_convt_pads(int same_upper, int32_t in, int32_t k, int32_t stride, int32_t dil,
                    int32_t out_pad, int32_t out, int32_t *pad0, int32_t *pad1)
{
    const int32_t total = stride * (in - 1) + out_pad + dil * (k - 1) + 1 - out;
    const int32_t half = (int32_t)floor(total / 2.0);
    *pad0 = same_upper ? half : total - half;
    *pad1 = total - *pad0;
}

void ref_conv_transpose2d(const convt_params *p, const float *in, const float *w,
                          const float *bias, float *out)
{
    const int32_t oh = ref_convt_out(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom,
                                     p->out_pad_h, p->dil_h);
    const int32_t ow = ref_convt_out(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right,
                                     p->out_pad_w, p->dil_w);
    const int32_t cpg = p->c / p->groups, ocpg = p->oc / p->groups;
    const size_t plane = (size_t)oh * ow, total = (size_t)p->n * p->oc * plane;
    double *acc = calloc(total, sizeof *acc);
    if (!acc)
        abort();
    for (int32_t n = 0; n < p->n; n++)
        for (int32_t c = 0; c < p->c; c++)
            for (int32_t iy = 0; iy < p->h; iy++)
                for (int32_t ix = 0; ix < p->w; ix++) {
                    const double x = in[(((size_t)n * p->c + c) * p->h + iy) * p->w + ix];
                    for (int32_t o = 0; o < ocpg; o++) {
                        const int32_t oc = c / cpg * ocpg + o;
                        for (int32_t ky = 0; ky < p->kh; ky++) {
                            const int32_t oy = iy * p->stride_h - p->pad_top + ky * p->dil_h;
                            if (oy < 0 || oy >= oh)
                                continue;
                            for (int32_t kx = 0; kx < p->kw; kx++) {
                                const int32_t ox =
                                    ix * p->stride_w - p->pad_left + kx * p->dil_w;
                                if (ox < 0 || ox >= ow)
                                    continue;
                                const double wv =
                                    w[(((size_t)c * ocpg + o) * p->kh + ky) * p->kw + kx];
                                acc[((size_t)n * p->oc + oc) * plane + (size_t)oy * ow + ox] +=
                                    x * wv;
                            }
                        }
                    }
                }
    for (size_t i = 0; i < total; i++) {
        const int32_t oc = (int32_t)(i / plane % (size_t)p->oc);
        const double v = acc[i] + (bias ? bias[oc] : 0.0);
        out[i] = ref_activation(p->act, (float)v);
    }
    free(acc);
}

void ref_conv_transpose3d(const ref_convt3d *p, const float *in, const float *w,
                          const float *bias, float *out)
{
    int32_t o[3];
    for (int a = 0; a < 3; a++)
        o[a] = ref_convt_out(p->in[a], p->k[a], p->stride[a], p->pad0[a], p->pad1[a],
                             p->out_pad[a], p->dil[a]);
    const int32_t cg = p->c / p->groups, og = p->oc / p->groups;
    const size_t plane = (size_t)o[0] * o[1] * o[2];
    double *acc = calloc((size_t)p->n * p->oc * plane, sizeof *acc);
    for (int32_t n = 0; n < p->n; n++)
        for (int32_t ci = 0; ci < p->c; ci++)
            for (int32_t i0 = 0; i0 < p->in[0]; i0++)
                for (int32_t i1 = 0; i1 < p->in[1]; i1++)
                    for (int32_t i2 = 0; i2 < p->in[2]; i2++) {
                        const double x =
                            in[(((size_t)n * p->c + ci) * p->in[0] + i0) * p->in[1] * p->in[2] +
                               (size_t)i1 * p->in[2] + i2];
                        for (int32_t j = 0; j < og; j++)
                            for (int32_t k0 = 0; k0 < p->k[0]; k0++)
                                for (int32_t k1 = 0; k1 < p->k[1]; k1++)
                                    for (int32_t k2 = 0; k2 < p->k[2]; k2++) {
                                        const int32_t y0 = i0 * p->stride[0] - p->pad0[0] +
                                                           k0 * p->dil[0],
                                                      y1 = i1 * p->stride[1] - p->pad0[1] +
                                                           k1 * p->dil[1],
                                                      y2 = i2 * p->stride[2] - p->pad0[2] +
                                                           k2 * p->dil[2];
                                        if (y0 < 0 || y0 >= o[0] || y1 < 0 || y1 >= o[1] ||
                                            y2 < 0 || y2 >= o[2])
                                            continue;
                                        const int32_t oc = ci / cg * og + j;
                                        const size_t wi =
                                            (((size_t)ci * og + j) * p->k[0] + k0) * p->k[1] *
                                                p->k[2] +
                                            (size_t)k1 * p->k[2] + k2;
                                        acc[((size_t)n * p->oc + oc) * plane +
                                            ((size_t)y0 * o[1] + y1) * o[2] + y2] += x * w[wi];
                                    }
                    }
    for (size_t e = 0; e < (size_t)p->n * p->oc * plane; e++)
        out[e] = (float)(acc[e] + (bias ? bias[e / plane % (size_t)p->oc] : 0));
    free(acc);
}
