/*
 * ref_grid_sample.c — naive GridSample (see ref_grid_sample.h): per output
 * point and channel, the steps of ONNX's reference (onnx/reference/ops/
 * op_grid_sample.py): denormalise, round for nearest, fold a point outside
 * the borders back for border and reflection padding, then the taps, each
 * read through the padding. Bicubic with border padding does not clamp the
 * point, only its taps: so PyTorch's grid_sample and ONNX Runtime 1.32
 * compute it (checked against both; clamping the point first, as this
 * file did at first, differed from them by up to 0.3, and ONNX's node
 * tests do not cover that form).
 */
#include "ref_grid_sample.h"

#include <math.h>

static double denormalize(double n, int64_t len, int align)
{
    return align ? (n + 1) / 2 * (double)(len - 1) : ((n + 1) * (double)len - 1) / 2;
}

static double reflect(double x, double lo, double hi)
{
    const double range = hi - lo;
    if (range <= 0)
        return lo;
    if (x < lo) {
        const double d = lo - x, k = floor(d / range), r = d - k * range;
        return fmod(k, 2) == 0 ? lo + r : hi - r;
    }
    if (x > hi) {
        const double d = x - hi, k = floor(d / range), r = d - k * range;
        return fmod(k, 2) == 0 ? hi - r : lo + r;
    }
    return x;
}

/* Pixel (y, x) of the plane through the padding; border = {xlo, ylo, xhi, yhi}. */
static double pixel(const float *plane, int64_t H, int64_t W, int64_t y, int64_t x,
                    clinfer_grid_padding padding, const double *border)
{
    if (padding == CLINFER_GRID_PAD_ZEROS) {
        if (x < 0 || x >= W || y < 0 || y >= H)
            return 0;
    } else if (padding == CLINFER_GRID_PAD_BORDER) {
        x = x < 0 ? 0 : x >= W ? W - 1 : x;
        y = y < 0 ? 0 : y >= H ? H - 1 : y;
    } else {
        x = (int64_t)reflect((double)x, border[0], border[2]);
        y = (int64_t)reflect((double)y, border[1], border[3]);
    }
    return plane[y * W + x];
}

static void cubic_coeffs(double t, double *c)
{
    const double a = -0.75;
    c[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
    c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    c[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
    c[3] = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
}

void ref_grid_sample(const clinfer_shape *xs, const clinfer_shape *gs, clinfer_grid_sample_mode mode,
                     clinfer_grid_padding padding, int align, const float *x, const float *grid,
                     float *out)
{
    const int64_t N = xs->dims[0], C = xs->dims[1], H = xs->dims[2], W = xs->dims[3];
    const int64_t OH = gs->dims[1], OW = gs->dims[2];
    const double border[4] = {align ? 0 : -0.5, align ? 0 : -0.5, align ? W - 1 : W - 0.5,
                              align ? H - 1 : H - 0.5};
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++) {
            const float *plane = x + (n * C + c) * H * W;
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    const float *g = grid + ((n * OH + oy) * OW + ox) * 2;
                    double fx = denormalize(g[0], W, align), fy = denormalize(g[1], H, align);
                    if (mode == CLINFER_GRID_SAMPLE_NEAREST)
                        fx = nearbyint(fx), fy = nearbyint(fy);
                    if (fx < border[0] || fx > border[2] || fy < border[1] || fy > border[3]) {
                        if (padding == CLINFER_GRID_PAD_BORDER &&
                            mode != CLINFER_GRID_SAMPLE_BICUBIC) {
                            fx = fx < 0 ? 0 : fx > W - 1 ? (double)(W - 1) : fx;
                            fy = fy < 0 ? 0 : fy > H - 1 ? (double)(H - 1) : fy;
                        } else if (padding == CLINFER_GRID_PAD_REFLECTION) {
                            fx = reflect(fx, border[0], border[2]);
                            fy = reflect(fy, border[1], border[3]);
                        }
                    }
                    double v;
                    if (mode == CLINFER_GRID_SAMPLE_NEAREST) {
                        v = pixel(plane, H, W, (int64_t)fy, (int64_t)fx, padding, border);
                    } else if (mode == CLINFER_GRID_SAMPLE_BILINEAR) {
                        const int64_t x1 = (int64_t)floor(fx), y1 = (int64_t)floor(fy);
                        const double dx1 = fx - (double)x1, dy1 = fy - (double)y1;
                        v = (1 - dy1) * ((1 - dx1) * pixel(plane, H, W, y1, x1, padding, border) +
                                         dx1 * pixel(plane, H, W, y1, x1 + 1, padding, border)) +
                            dy1 * ((1 - dx1) * pixel(plane, H, W, y1 + 1, x1, padding, border) +
                                   dx1 * pixel(plane, H, W, y1 + 1, x1 + 1, padding, border));
                    } else {
                        const int64_t x0 = (int64_t)floor(fx) - 1, y0 = (int64_t)floor(fy) - 1;
                        double cx[4], cy[4], rows[4];
                        cubic_coeffs(fx - (double)x0 - 1, cx);
                        cubic_coeffs(fy - (double)y0 - 1, cy);
                        v = 0;
                        for (int i = 0; i < 4; i++) {
                            rows[i] = 0;
                            for (int j = 0; j < 4; j++)
                                rows[i] += cx[j] * pixel(plane, H, W, y0 + i, x0 + j, padding,
                                                         border);
                            v += cy[i] * rows[i];
                        }
                    }
                    out[((n * C + c) * OH + oy) * OW + ox] = (float)v;
                }
        }
}
