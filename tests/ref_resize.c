/*
 * ref_resize.c — Resize reference: for each output element, the source
 * coordinate of its row and of its column by the formulas of the ONNX
 * operator (computed in double, scale given or out / in, the unrounded
 * resized length scale * in where the formulas use it), then the
 * interpolation as a 2-D sum over the taps of both axes, each tap read
 * from the edge-padded input (indices clamped).
 */
#include "ref_resize.h"

#include <math.h>

static int64_t out_size(int64_t in, float scale, int64_t size)
{
    return size > 0 ? size : (int64_t)floor((double)in * (double)scale);
}

clinfer_shape ref_resize_shape(const clinfer_shape *in, const clinfer_resize_desc *d)
{
    clinfer_shape s = *in;
    s.dims[2] = out_size(in->dims[2], d->scale_h, d->out_h);
    s.dims[3] = out_size(in->dims[3], d->scale_w, d->out_w);
    return s;
}

/* The ONNX coordinate transformation of one axis; *extrapolate is set when
 * tf_crop_and_resize lands outside [0, in - 1]. */
static double original(const clinfer_resize_desc *d, double x, int64_t in, int64_t out,
                       double scale, double r0, double r1, int *extrapolate)
{
    double len = scale * (double)in;
    *extrapolate = 0;
    if (d->coord == CLINFER_COORD_HALF_PIXEL)
        return (x + 0.5) / scale - 0.5;
    if (d->coord == CLINFER_COORD_HALF_PIXEL_SYMMETRIC) {
        double adjustment = (double)out / len, center = (double)in / 2;
        return center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    }
    if (d->coord == CLINFER_COORD_PYTORCH_HALF_PIXEL)
        return out > 1 ? (x + 0.5) / scale - 0.5 : 0;
    if (d->coord == CLINFER_COORD_ALIGN_CORNERS)
        return len == 1 ? 0 : x * (double)(in - 1) / (len - 1);
    if (d->coord == CLINFER_COORD_ASYMMETRIC)
        return x / scale;
    if (d->coord == CLINFER_COORD_TF_HALF_PIXEL_FOR_NN)
        return (x + 0.5) / scale;
    /* tf_crop_and_resize */
    double v = len != 1 ? r0 * (double)(in - 1) + x * (r1 - r0) * (double)(in - 1) / (len - 1)
                       : r0 * (double)(in - 1) + 0.5 * (r1 - r0) * (double)(in - 1);
    *extrapolate = v < 0 || v > (double)(in - 1);
    return v;
}

/* Keys' cubic convolution kernel with coefficient a at distance t. */
static double cubic_kernel(double a, double t)
{
    t = fabs(t);
    if (t <= 1)
        return (a + 2) * t * t * t - (a + 3) * t * t + 1;
    if (t < 2)
        return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a;
    return 0;
}

/* floor(v) as an index, saturated far beyond any input (a huge source
 * coordinate, from a tiny scale with a given size, stays defined). */
static int64_t index_of(double v)
{
    v = floor(v);
    return v < -1e12 ? (int64_t)-1e12 : v > 1e12 ? (int64_t)1e12 : (int64_t)v;
}

/* The taps (input indices before clamping) and weights of one source
 * coordinate s; returns their count. */
static int taps_of(const clinfer_resize_desc *d, double s, double scale, int64_t in,
                   int64_t *idx, double *w)
{
    double f = floor(s);
    if (d->mode == CLINFER_RESIZE_NEAREST) {
        int half = s - f == 0.5, whole = s == f;
        double r = f;
        switch (d->nearest) {
        case CLINFER_NEAREST_ROUND_PREFER_FLOOR: r = half ? f : floor(s + 0.5); break;
        case CLINFER_NEAREST_ROUND_PREFER_CEIL: r = half ? f + 1 : floor(s + 0.5); break;
        case CLINFER_NEAREST_FLOOR: r = f; break;
        case CLINFER_NEAREST_CEIL: r = ceil(s); break;
        case CLINFER_NEAREST_SIMPLE: r = whole ? s : scale < 1 ? ceil(s) : f; break;
        }
        idx[0] = index_of(r);
        w[0] = 1;
        return 1;
    }
    if (d->mode == CLINFER_RESIZE_LINEAR) {
        idx[0] = index_of(f), idx[1] = index_of(f) + 1;
        w[0] = 1 - (s - f), w[1] = s - f;
        return 2;
    }
    double sum = 0;
    for (int k = 0; k < 4; k++) {
        idx[k] = index_of(f) - 1 + k;
        w[k] = cubic_kernel(d->cubic_coeff_a, (s - f) + 1 - k); /* distance to tap k */
        if (d->exclude_outside && (idx[k] < 0 || idx[k] >= in))
            w[k] = 0;
        sum += w[k];
    }
    if (d->exclude_outside)
        for (int k = 0; k < 4; k++)
            w[k] /= sum;
    return 4;
}

/* The most taps ref_antialias_taps_of gives (reach 2 / scale each side). */
#define REF_MAX_TAPS 160

/* Antialiased: every integer j within the stretched filter's reach of s,
 * weighed by the filter at distance |j - s| * min(scale, 1). */
static int antialias_taps_of(const clinfer_resize_desc *d, double s, double scale, int64_t in,
                             int64_t *idx, double *w)
{
    const double k = scale < 1 ? scale : 1;
    const double reach = (d->mode == CLINFER_RESIZE_CUBIC ? 2.0 : 1.0) / k;
    double sum = 0;
    int n = 0;
    for (int64_t j = index_of(s - reach); j <= index_of(s + reach) + 1 && n < REF_MAX_TAPS; j++) {
        double t = fabs((double)j - s) * k;
        double v = d->mode == CLINFER_RESIZE_CUBIC ? cubic_kernel(d->cubic_coeff_a, t)
                                                   : (t < 1 ? 1 - t : 0);
        if (d->exclude_outside && (j < 0 || j >= in))
            v = 0;
        idx[n] = j, w[n++] = v;
        sum += v;
    }
    for (int k2 = 0; k2 < n; k2++)
        w[k2] /= sum;
    return n;
}

static int64_t clamp(int64_t i, int64_t n)
{
    return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

static void resize_any(const clinfer_shape *in, const clinfer_resize_desc *d, int antialias,
                       const float *x, float *out)
{
    clinfer_shape os = ref_resize_shape(in, d);
    const int64_t planes = in->dims[0] * in->dims[1], ih = in->dims[2], iw = in->dims[3];
    const int64_t oh = os.dims[2], ow = os.dims[3];
    const double sh = d->scale_h > 0 ? d->scale_h : (double)oh / (double)ih;
    const double sw = d->scale_w > 0 ? d->scale_w : (double)ow / (double)iw;
    for (int64_t p = 0; p < planes; p++)
        for (int64_t oy = 0; oy < oh; oy++)
            for (int64_t ox = 0; ox < ow; ox++) {
                int ey = 0, ex = 0;
                double sy = original(d, (double)oy, ih, oh, sh, d->roi[0], d->roi[2], &ey);
                double sx = original(d, (double)ox, iw, ow, sw, d->roi[1], d->roi[3], &ex);
                float *o = &out[(p * oh + oy) * ow + ox];
                if (d->coord == CLINFER_COORD_TF_CROP_AND_RESIZE && (ey || ex)) {
                    *o = d->extrapolation_value;
                    continue;
                }
                int64_t yi[REF_MAX_TAPS], xi[REF_MAX_TAPS];
                double yw[REF_MAX_TAPS], xw[REF_MAX_TAPS], acc = 0;
                int ny = antialias ? antialias_taps_of(d, sy, sh, ih, yi, yw)
                                   : taps_of(d, sy, sh, ih, yi, yw);
                int nx = antialias ? antialias_taps_of(d, sx, sw, iw, xi, xw)
                                   : taps_of(d, sx, sw, iw, xi, xw);
                for (int a = 0; a < ny; a++)
                    for (int b = 0; b < nx; b++)
                        acc += yw[a] * xw[b] *
                               (double)x[(p * ih + clamp(yi[a], ih)) * iw + clamp(xi[b], iw)];
                *o = (float)acc;
            }
}

void ref_resize(const clinfer_shape *in, const clinfer_resize_desc *d, const float *x, float *out)
{
    resize_any(in, d, 0, x, out);
}

void ref_resize_antialias(const clinfer_shape *in, const clinfer_resize_desc *d, const float *x,
                          float *out)
{
    resize_any(in, d, 1, x, out);
}
