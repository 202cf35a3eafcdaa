/*
 * resize.c — Resize: validation, the output shape, the coordinate table
 * (per output row and column, the taps' input indices and weights, in
 * double precision as the ONNX reference computes them) and the choice of
 * kernel: resize_nearest_x2 when a nearest resize is a plain 2x column
 * repeat (and an integer row repeat), resize_linear_strips for 2 taps
 * (bilinear), else resize_taps with 1 or 4 taps (more when antialiased:
 * the ONNX reference's stretched filter, whose weights are normalised to
 * sum to 1).
 * Arguments 0-1 are buffers (input, output), 2 the table, the rest scalars.
 */
#include "resize.h"

#include <math.h>
#include <string.h>

#include "../shape.h"

/* Work-items per work-group, along the rows (resize_taps: each item one
 * row) or the column strips (resize_linear_strips): one local size for
 * every launch, so PoCL builds few work-group functions. */
#define RESIZE_LOCAL 8

/* The scale of one axis: the given one, else out / in. */
static double axis_scale(float given, int64_t in, int64_t out)
{
    return given > 0 ? (double)given : (double)out / (double)in;
}

/* Whether the antialias filter applies (linear or cubic, asked for). */
static int antialiased(const resize_params *p)
{
    return p->antialias && p->d.mode != CLINFER_RESIZE_NEAREST;
}

/* The first tap's offset from the pixel left of the source coordinate for
 * an antialiased axis of `scale` (the ONNX reference's start: the filter
 * support, 1 for linear and 2 for cubic, stretched by 1 / min(scale, 1));
 * the footprint is 2 - 2 * start taps. */
static int64_t aa_start(const resize_params *p, double scale)
{
    const double support = p->d.mode == CLINFER_RESIZE_CUBIC ? 2.0 : 1.0;
    return (int64_t)floor(-support / (scale < 1 ? scale : 1)) + 1;
}

static int32_t axis_taps(const resize_params *p, double scale)
{
    if (antialiased(p)) {
        int64_t n = 2 - 2 * aa_start(p, scale);
        return n > RESIZE_MAX_TAPS ? RESIZE_MAX_TAPS + 1 : (int32_t)n;
    }
    return p->d.mode == CLINFER_RESIZE_CUBIC ? 4 : p->d.mode == CLINFER_RESIZE_LINEAR ? 2 : 1;
}

int32_t resize_taps(const resize_params *p, const clinfer_shape *os)
{
    const int32_t th = axis_taps(p, axis_scale(p->d.scale_h, p->input.dims[2], os->dims[2]));
    const int32_t tw = axis_taps(p, axis_scale(p->d.scale_w, p->input.dims[3], os->dims[3]));
    return th > tw ? th : tw;
}

/* One axis: output size from the size or floor(in * scale). */
static clinfer_status axis_size(clinfer_runtime *rt, const char *axis, int64_t in, float scale,
                                int64_t size, int64_t *out)
{
    if (!(scale >= 0.0f) || isinf(scale) || size < 0 || (scale == 0.0f && size == 0))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "resize: %s: scale %g and size %lld; expected a scale > 0 or a size > 0",
                       axis, (double)scale, (long long)size);
    double n = size > 0 ? (double)size : floor((double)in * (double)scale);
    if (n < 1 || n > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "resize: %s: %lld * scale %g gives %.0f elements (empty tensors and sizes "
                       "from 2^31 are not supported)",
                       axis, (long long)in, (double)scale, n);
    *out = (int64_t)n;
    return CLINFER_OK;
}

clinfer_status resize_output_shape(clinfer_runtime *rt, const resize_params *p,
                                   clinfer_shape *out)
{
    char buf[160];
    const clinfer_shape *x = &p->input;
    const clinfer_resize_desc *d = &p->d;
    if (x->rank != 4 || shape_numel(x) < 1 || shape_numel(x) > INT32_MAX)
        return err_set(rt, x->rank != 4 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                       "resize: input shape %s, expected [N, C, H, W] of 1 to 2^31-1 elements",
                       shape_str(x, buf, sizeof buf));
    if ((unsigned)d->mode > CLINFER_RESIZE_CUBIC ||
        (unsigned)d->coord > CLINFER_COORD_TF_HALF_PIXEL_FOR_NN ||
        (unsigned)d->nearest > CLINFER_NEAREST_SIMPLE)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "resize: unknown mode %d, coordinate mode %d or nearest mode %d",
                       (int)d->mode, (int)d->coord, (int)d->nearest);
    if (!isfinite(d->cubic_coeff_a) ||
        (d->coord == CLINFER_COORD_TF_CROP_AND_RESIZE &&
         !(isfinite(d->roi[0]) && isfinite(d->roi[1]) && isfinite(d->roi[2]) &&
           isfinite(d->roi[3]))))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "resize: cubic_coeff_a %g or a roi value is not finite",
                       (double)d->cubic_coeff_a);
    clinfer_shape r = *x;
    clinfer_status st = axis_size(rt, "H", x->dims[2], d->scale_h, d->out_h, &r.dims[2]);
    if (st == CLINFER_OK)
        st = axis_size(rt, "W", x->dims[3], d->scale_w, d->out_w, &r.dims[3]);
    if (st != CLINFER_OK)
        return st;
    if (shape_numel(&r) > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED, "resize: output %s has 2^31 elements or more",
                       shape_str(&r, buf, sizeof buf));
    if (resize_taps(p, &r) > RESIZE_MAX_TAPS)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "resize: an antialiased downscale of %s to %s needs more than %d taps "
                       "per output pixel",
                       shape_str(x, buf, sizeof buf), shape_str(&r, buf + 80, sizeof buf - 80),
                       RESIZE_MAX_TAPS);
    *out = r;
    return CLINFER_OK;
}

size_t resize_table_words(const resize_params *p, const clinfer_shape *os)
{
    return (2 * (size_t)resize_taps(p, os) + 1) * (size_t)(os->dims[2] + os->dims[3]);
}

/* The input coordinate of output coordinate x along one axis (ONNX's
 * coordinate transformations). Sets *outside for tf_crop_and_resize
 * outside [0, in - 1]. */
static double source_coord(const clinfer_resize_desc *d, int64_t x, int64_t in, int64_t out,
                           double scale, float roi0, float roi1, int *outside)
{
    const double xf = (double)x, len = scale * (double)in; /* the resized length, unrounded */
    double s;
    *outside = 0;
    switch (d->coord) {
    case CLINFER_COORD_HALF_PIXEL_SYMMETRIC: {
        double offset = (double)in / 2 * (1 - (double)out / len);
        return offset + (xf + 0.5) / scale - 0.5;
    }
    case CLINFER_COORD_PYTORCH_HALF_PIXEL:
        return out > 1 ? (xf + 0.5) / scale - 0.5 : 0.0;
    case CLINFER_COORD_ALIGN_CORNERS:
        return len == 1 ? 0.0 : xf * (double)(in - 1) / (len - 1);
    case CLINFER_COORD_ASYMMETRIC:
        return xf / scale;
    case CLINFER_COORD_TF_HALF_PIXEL_FOR_NN:
        return (xf + 0.5) / scale;
    case CLINFER_COORD_TF_CROP_AND_RESIZE:
        s = len == 1 ? ((double)roi1 - (double)roi0) * (double)(in - 1) / 2
                     : xf * ((double)roi1 - (double)roi0) * (double)(in - 1) / (len - 1);
        s += (double)roi0 * (double)(in - 1);
        *outside = s < 0 || s > (double)(in - 1);
        return s;
    case CLINFER_COORD_HALF_PIXEL:
    default:
        return (xf + 0.5) / scale - 0.5;
    }
}

static int64_t clamp_index(int64_t i, int64_t in)
{
    return i < 0 ? 0 : i >= in ? in - 1 : i;
}

/* The nearest input index of source coordinate s. */
static int64_t nearest_index(clinfer_resize_nearest mode, double s, double scale)
{
    double f = floor(s), frac = s - f;
    if (frac == 0)
        return (int64_t)f;
    switch (mode) {
    case CLINFER_NEAREST_ROUND_PREFER_CEIL:
        return (int64_t)(frac < 0.5 ? f : f + 1);
    case CLINFER_NEAREST_FLOOR:
        return (int64_t)f;
    case CLINFER_NEAREST_CEIL:
        return (int64_t)f + 1;
    case CLINFER_NEAREST_SIMPLE:
        return (int64_t)(scale < 1 ? f + 1 : f);
    case CLINFER_NEAREST_ROUND_PREFER_FLOOR:
    default:
        return (int64_t)(frac <= 0.5 ? f : f + 1);
    }
}

/* The 4 weights of cubic convolution (coefficient a) at fraction r of the
 * taps floor(s) - 1 .. floor(s) + 2. */
static void cubic_weights(double a, double r, double w[4])
{
    const double t[4] = {1 + r, r, 1 - r, 2 - r}; /* distances to the taps */
    for (int k = 0; k < 4; k++) {
        double x = t[k];
        w[k] = x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1
                      : ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
}

/* The antialiased taps of source coordinate s (ONNX reference: the pixel
 * left of s, `base`, at ratio s - base in (0, 1]; the stretched linear or
 * cubic filter sampled at each tap's distance times min(scale, 1); the
 * weights normalised, after exclude_outside's zeros). Returns the first
 * tap's index; wt gets axis_taps weights. */
static int64_t aa_weights(const resize_params *p, double s, double scale, int64_t in, double *wt)
{
    const double base = ceil(s) - 1, ratio = s - base, k = scale < 1 ? scale : 1;
    const double a = p->d.cubic_coeff_a;
    const int64_t start = aa_start(p, scale), n = 2 - 2 * start, first = (int64_t)base + start;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = fabs(((double)(start + i) - ratio) * k);
        if (p->d.mode == CLINFER_RESIZE_LINEAR)
            wt[i] = x < 1 ? 1 - x : 0;
        else
            wt[i] = x <= 1   ? ((a + 2) * x - (a + 3)) * x * x + 1
                    : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
                            : 0;
        if (p->d.exclude_outside && (first + i < 0 || first + i >= in))
            wt[i] = 0;
        sum += wt[i];
    }
    for (int64_t i = 0; i < n; i++)
        wt[i] = sum != 0 ? wt[i] / sum : 0;
    return first;
}

/* Fills the taps of one axis: idx[k * out + x], w[k * out + x] for the
 * table's `taps` (those past the axis's own have weight 0), and
 * outside[x]. */
static void fill_axis(const resize_params *p, int32_t taps, int64_t in, int64_t out,
                      float scale_given, float roi0, float roi1, int32_t *idx, float *w,
                      int32_t *outside_at)
{
    const clinfer_resize_desc *d = &p->d;
    double scale = axis_scale(scale_given, in, out);
    const int32_t own = axis_taps(p, scale);
    for (int64_t x = 0; x < out; x++) {
        int outside = 0;
        double s = source_coord(d, x, in, out, scale, roi0, roi1, &outside);
        /* Far outside the input every tap clamps to the edge: a bounded s
         * gives the same taps and keeps the conversions below defined
         * (a tiny scale with a given size sends s towards infinity). */
        s = !(s > -8) ? -8 : s > (double)in + 8 ? (double)in + 8 : s;
        double wt[RESIZE_MAX_TAPS] = {1, 0, 0, 0};
        int64_t first = 0;
        if (antialiased(p)) {
            first = aa_weights(p, s, scale, in, wt);
        } else if (own == 1) {
            first = nearest_index(d->nearest, s, scale);
        } else if (own == 2) {
            first = (int64_t)floor(s);
            wt[1] = s - floor(s);
            wt[0] = 1 - wt[1];
        } else {
            first = (int64_t)floor(s) - 1;
            cubic_weights(d->cubic_coeff_a, s - floor(s), wt);
            if (d->exclude_outside) {
                double sum = 0;
                for (int k = 0; k < 4; k++) {
                    if (first + k < 0 || first + k >= in)
                        wt[k] = 0;
                    sum += wt[k];
                }
                for (int k = 0; k < 4; k++)
                    wt[k] = sum != 0 ? wt[k] / sum : 0;
            }
        }
        for (int32_t k = 0; k < taps; k++) {
            idx[k * out + x] = (int32_t)clamp_index(first + k, in);
            w[k * out + x] = k < own ? (float)wt[k] : 0.0f;
        }
        outside_at[x] = outside ? -1 : 0;
    }
}

void resize_fill_table(const resize_params *p, const clinfer_shape *os, int32_t *table)
{
    const int32_t taps = resize_taps(p, os);
    const int64_t ih = p->input.dims[2], iw = p->input.dims[3];
    const int64_t oh = os->dims[2], ow = os->dims[3];
    int32_t *xi = table, *yi = xi + taps * ow;
    float *xw = (float *)(void *)(yi + taps * oh), *yw = xw + taps * ow;
    int32_t *xo = (int32_t *)(void *)(yw + taps * oh), *yo = xo + ow;
    fill_axis(p, taps, iw, ow, p->d.scale_w, p->d.roi[1], p->d.roi[3], xi, xw, xo);
    fill_axis(p, taps, ih, oh, p->d.scale_h, p->d.roi[0], p->d.roi[2], yi, yw, yo);
}

/* The row repeat factor when a nearest resize maps output column x to
 * input column x / 2 and output row y to input row y / sy (checked on the
 * table itself, so every coordinate mode and rounding that comes to that
 * qualifies); 0 otherwise. */
static int32_t nearest_x2_rows(const resize_params *p, const clinfer_shape *os,
                               const int32_t *table)
{
    const int64_t ih = p->input.dims[2], iw = p->input.dims[3];
    const int64_t oh = os->dims[2], ow = os->dims[3];
    if (resize_taps(p, os) != 1 || ow != 2 * iw || oh % ih != 0)
        return 0;
    const int32_t *xi = table, *yi = table + ow, *xo = table + 2 * (ow + oh);
    int64_t sy = oh / ih;
    for (int64_t k = 0; k < ow + oh; k++)
        if (xo[k] != 0) /* extrapolated */
            return 0;
    for (int64_t x = 0; x < ow; x++)
        if (xi[x] != x / 2)
            return 0;
    for (int64_t y = 0; y < oh; y++)
        if (yi[y] != y / sy)
            return 0;
    return (int32_t)sy;
}

clinfer_status resize_prepare(clinfer_runtime *rt, const resize_params *p, const int32_t *host,
                              dev_tensor table, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = resize_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    int32_t sy = nearest_x2_rows(p, &os, host);
    const int32_t planes = (int32_t)(p->input.dims[0] * p->input.dims[1]);
    const int32_t ih = (int32_t)p->input.dims[2], iw = (int32_t)p->input.dims[3];
    const int32_t oh = (int32_t)os.dims[2], ow = (int32_t)os.dims[3];
    karg a;
    if (sy > 0) {
        launch_begin(rt, out, "resize", NULL, "resize_nearest_x2", KARG_AFTER_TENSORS(2), &a);
        karg_int(&a, ih);
        karg_int(&a, iw);
        karg_int(&a, sy);
        karg_int(&a, planes);
        st = launch_finish(rt, out, &a);
        if (st == CLINFER_OK)
            launch_grid3(out, (size_t)ih, (size_t)planes, 1, RESIZE_LOCAL);
        return st;
    }
    /* bilinear: column strips that keep each input row's horizontal pass
     * for the next output row (kernels/resize.cl) */
    const int32_t taps = resize_taps(p, &os);
    opts o = opts_none();
    opts_add(&o, "-DTAPS=%d", (int)taps);
    launch_begin(rt, out, "resize", &o, taps == 2 ? "resize_linear_strips" : "resize_taps",
                 KARG_AFTER_TENSORS(2), &a);
    karg_tensor(&a, table);
    karg_int(&a, ih);
    karg_int(&a, iw);
    karg_int(&a, oh);
    karg_int(&a, ow);
    karg_int(&a, planes);
    karg_float(&a, p->d.extrapolation_value);
    st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid3(out, taps == 2 ? ((size_t)ow + 7) / 8 : (size_t)oh, (size_t)planes, 1,
                     RESIZE_LOCAL);
    return st;
}
