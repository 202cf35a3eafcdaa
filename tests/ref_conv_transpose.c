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
