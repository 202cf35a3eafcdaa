/*
 * ref_pool2d.c — naive C references for the pooling family (see
 * ref_pool2d.h).
 */
#include "ref_pool2d.h"

#include <math.h>

int32_t ref_pool_out(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                     int32_t dil, int ceil_mode)
{
    int64_t span = (int64_t)dil * (k - 1) + 1;
    int64_t padded = (int64_t)in + pad0 + pad1;
    /* ONNX: floor or ceil of (padded - span) / stride, plus 1. */
    double q = (double)(padded - span) / stride;
    int64_t windows = (int64_t)(ceil_mode ? ceil(q) : floor(q)) + 1;
    int32_t n = 0;
    for (int64_t o = 0; o < windows; o++) {
        int64_t start = o * stride - pad0; /* in input coordinates */
        if (ceil_mode && start >= in)
            break; /* starts in the end padding: dropped */
        n++;
    }
    return n;
}

static void out_size(const pool2d_params *p, int32_t *oh, int32_t *ow)
{
    *oh = ref_pool_out(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, p->dil_h,
                       p->ceil_mode);
    *ow = ref_pool_out(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, p->dil_w,
                       p->ceil_mode);
}

void ref_maxpool2d(const pool2d_params *p, const float *in, float *out)
{
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    for (int64_t nc = 0; nc < (int64_t)p->n * p->c; nc++)
        for (int32_t y = 0; y < oh; y++)
            for (int32_t x = 0; x < ow; x++) {
                float m = -INFINITY;
                for (int32_t ky = 0; ky < p->kh; ky++)
                    for (int32_t kx = 0; kx < p->kw; kx++) {
                        int64_t iy = (int64_t)y * p->stride_h - p->pad_top + ky * p->dil_h;
                        int64_t ix = (int64_t)x * p->stride_w - p->pad_left + kx * p->dil_w;
                        if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w)
                            continue;
                        float v = in[(nc * p->h + iy) * p->w + ix];
                        if (v > m || isnan(v)) /* NaN wins, as in PyTorch */
                            m = isnan(m) ? m : v;
                    }
                out[(nc * oh + y) * ow + x] = m;
            }
}

void ref_avgpool2d(const pool2d_params *p, const float *in, float *out)
{
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    for (int64_t nc = 0; nc < (int64_t)p->n * p->c; nc++)
        for (int32_t y = 0; y < oh; y++)
            for (int32_t x = 0; x < ow; x++) {
                double sum = 0;
                int64_t inside = 0, inside_padded = 0;
                for (int32_t ky = 0; ky < p->kh; ky++)
                    for (int32_t kx = 0; kx < p->kw; kx++) {
                        int64_t iy = (int64_t)y * p->stride_h - p->pad_top + ky * p->dil_h;
                        int64_t ix = (int64_t)x * p->stride_w - p->pad_left + kx * p->dil_w;
                        if (iy >= -p->pad_top && iy < p->h + p->pad_bottom &&
                            ix >= -p->pad_left && ix < p->w + p->pad_right)
                            inside_padded++;
                        if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w)
                            continue;
                        sum += in[(nc * p->h + iy) * p->w + ix];
                        inside++;
                    }
                int64_t divisor = p->count_include_pad ? inside_padded : inside;
                out[(nc * oh + y) * ow + x] = divisor ? (float)(sum / (double)divisor) : 0.0f;
            }
}

void ref_globalavgpool(const globalpool_params *p, const float *in, float *out)
{
    int64_t hw = (int64_t)p->h * p->w;
    for (int64_t nc = 0; nc < (int64_t)p->n * p->c; nc++) {
        double sum = 0;
        for (int64_t i = 0; i < hw; i++)
            sum += in[nc * hw + i];
        out[nc] = (float)(sum / (double)hw);
    }
}

void ref_globalmaxpool(const globalpool_params *p, const float *in, float *out)
{
    int64_t hw = (int64_t)p->h * p->w;
    for (int64_t nc = 0; nc < (int64_t)p->n * p->c; nc++) {
        float m = -INFINITY;
        for (int64_t i = 0; i < hw; i++)
            if (in[nc * hw + i] > m || isnan(in[nc * hw + i]))
                m = isnan(m) ? m : in[nc * hw + i];
        out[nc] = m;
    }
}
