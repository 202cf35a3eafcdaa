/*
 * ref_unpool.c — MaxPool's Indices and MaxUnpool as plain loops
 * (ref_unpool.h says what each computes).
 */
#include "ref_unpool.h"

#include <math.h>
#include <string.h>

#include "ref_pool2d.h"

void ref_max_pool_indices(const pool2d_params *p, int storage_order, const float *in,
                          float *out)
{
    const int32_t oh = ref_pool_out(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom,
                                    p->dil_h, p->ceil_mode);
    const int32_t ow = ref_pool_out(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right,
                                    p->dil_w, p->ceil_mode);
    for (int64_t pl = 0; pl < (int64_t)p->n * p->c; pl++) {
        const float *x = in + pl * p->h * p->w;
        for (int32_t y = 0; y < oh; y++)
            for (int32_t xo = 0; xo < ow; xo++) {
                int64_t bh = 0, bw = 0;
                int found = 0;
                float best = 0;
                for (int32_t ky = 0; ky < p->kh; ky++)
                    for (int32_t kx = 0; kx < p->kw; kx++) {
                        const int32_t ih = y * p->stride_h - p->pad_top + ky * p->dil_h;
                        const int32_t iw = xo * p->stride_w - p->pad_left + kx * p->dil_w;
                        if (ih < 0 || ih >= p->h || iw < 0 || iw >= p->w)
                            continue;
                        const float v = x[ih * p->w + iw];
                        if (!found || v > best || isnan(best))
                            best = v, bh = ih, bw = iw, found = 1;
                    }
                const int64_t part = storage_order ? bw * p->h + bh : bh * p->w + bw;
                out[(pl * oh + y) * ow + xo] = (float)(pl * p->h * p->w + part);
            }
    }
}

void ref_max_unpool(const clinfer_shape *xs, const float *x, const float *idx, int64_t h0,
                    int64_t w0, int64_t oh, int64_t ow, float *out)
{
    const int64_t planes = xs->dims[0] * xs->dims[1];
    const int64_t n = planes * xs->dims[2] * xs->dims[3];
    memset(out, 0, (size_t)(planes * oh * ow) * sizeof *out);
    for (int64_t k = 0; k < n; k++) {
        const double f = idx[k];
        if (!(f >= 0 && f < (double)(planes * h0 * w0)))
            continue;
        const int64_t at = (int64_t)f, q = at / (h0 * w0), r = at % (h0 * w0);
        out[(q * oh + r / w0) * ow + r % w0] = x[k];
    }
}
