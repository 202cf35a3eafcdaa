/*
 * pool2d.c — the pooling family: validation, output shapes and the launches
 * of kernels/pool2d.cl. Arguments 0-1 are the input and output buffers
 * (bound per run), the rest are shape scalars set once in the prepare
 * functions.
 */
#include "pool2d.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime.h"

pool2d_params pool2d_params_default(void)
{
    pool2d_params p;
    memset(&p, 0, sizeof p);
    p.stride_h = p.stride_w = 1;
    p.dil_h = p.dil_w = 1;
    return p;
}

/* Output extent along one axis (the window fits the padded input, checked
 * by the caller). In ceil mode a last window starting at or past
 * in + pad0, i.e. inside the end padding, is dropped (PyTorch's rule, which
 * ONNX adopted); at most one window is dropped and the extent stays >= 1. */
static int64_t pool_extent(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                           int32_t dil, int ceil_mode)
{
    int64_t span = (int64_t)dil * (k - 1) + 1;
    int64_t padded = (int64_t)in + pad0 + pad1;
    int64_t out = (padded - span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
    if (ceil_mode && (out - 1) * stride >= (int64_t)in + pad0)
        out--;
    return out;
}

clinfer_status pool2d_check_sizes(clinfer_runtime *rt, const char *op, const pool2d_params *p)
{
    if (p->n < 1 || p->c < 1 || p->h < 1 || p->w < 1 || p->kh < 1 || p->kw < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "%s: sizes must be positive (N=%d C=%d H=%d W=%d kh=%d kw=%d)", op, p->n,
                       p->c, p->h, p->w, p->kh, p->kw);
    if (p->stride_h < 1 || p->stride_w < 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: strides must be >= 1, found (%d, %d)", op, p->stride_h, p->stride_w);
    return CLINFER_OK;
}

/* Checks p for operation `op` (named in every message) and computes the
 * output shape. */
static clinfer_status check_window(clinfer_runtime *rt, const char *op, const pool2d_params *p,
                                   clinfer_shape *out)
{
    clinfer_status st = pool2d_check_sizes(rt, op, p);
    if (st != CLINFER_OK)
        return st;
    if (p->dil_h < 1 || p->dil_w < 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: dilations must be >= 1, found (%d, %d)", op, p->dil_h, p->dil_w);
    if (p->ceil_mode != 0 && p->ceil_mode != 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: ceil_mode must be 0 or 1, found %d",
                       op, p->ceil_mode);
    if (p->count_include_pad != 0 && p->count_include_pad != 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: count_include_pad must be 0 or 1, found %d", op,
                       p->count_include_pad);
    const struct {
        const char *name, *window;
        int32_t pad, k;
    } pads[4] = {{"pad_top", "kh", p->pad_top, p->kh},
                 {"pad_left", "kw", p->pad_left, p->kw},
                 {"pad_bottom", "kh", p->pad_bottom, p->kh},
                 {"pad_right", "kw", p->pad_right, p->kw}};
    for (int i = 0; i < 4; i++)
        if (pads[i].pad < 0 || pads[i].pad >= pads[i].k)
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "%s: %s must be >= 0 and smaller than the window (%s=%d), found %d",
                           op, pads[i].name, pads[i].window, pads[i].k, pads[i].pad);
    int64_t span_h = (int64_t)p->dil_h * (p->kh - 1) + 1;
    int64_t span_w = (int64_t)p->dil_w * (p->kw - 1) + 1;
    int64_t ph = (int64_t)p->h + p->pad_top + p->pad_bottom;
    int64_t pw = (int64_t)p->w + p->pad_left + p->pad_right;
    if (ph < span_h || pw < span_w)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "%s: window %dx%d with dilations (%d, %d) spans %lldx%lld, larger than "
                       "the padded input %lldx%lld",
                       op, p->kh, p->kw, p->dil_h, p->dil_w, (long long)span_h, (long long)span_w,
                       (long long)ph, (long long)pw);
    /* The kernels index within a plane in 32-bit ints; every coordinate they
     * form is below padded + span + stride + dilation. */
    if (ph + span_h + p->stride_h + p->dil_h > INT32_MAX ||
        pw + span_w + p->stride_w + p->dil_w > INT32_MAX)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "%s: padded input %lldx%lld with window span %lldx%lld is too large for "
                       "32-bit indexing",
                       op, (long long)ph, (long long)pw, (long long)span_h, (long long)span_w);
    int64_t oh = pool_extent(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, p->dil_h,
                             p->ceil_mode);
    int64_t ow = pool_extent(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, p->dil_w,
                             p->ceil_mode);
    clinfer_shape in_s = shape_4d(p->n, p->c, p->h, p->w);
    clinfer_shape out_s = shape_4d(p->n, p->c, oh, ow);
    if (shape_numel(&in_s) < 0 || shape_numel(&out_s) < 0) {
        char buf[96];
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input %s has too many elements", op,
                       shape_str(&in_s, buf, sizeof buf));
    }
    *out = out_s;
    return CLINFER_OK;
}

clinfer_status pool2d_output_shape(clinfer_runtime *rt, const pool2d_params *p,
                                   clinfer_shape *out)
{
    return check_window(rt, "pool2d", p, out);
}

clinfer_status pool2d_window_shape(clinfer_runtime *rt, const char *op, const pool2d_params *p,
                                   clinfer_shape *out)
{
    return check_window(rt, op, p, out);
}

/* maxpool2d and avgpool2d: grid (OW, OH, N * C), one output per item;
 * maxpool2d_rows and avgpool2d_rows: grid (OH / rows, N * C, 1), local
 * size 1. The rows kernels (rows of 16-wide vectors per work-item) run on
 * CPUs, one output per work-item (coalesced) elsewhere (launch_cpu_form:
 * CLINFER_POOL_VARIANT=rows|items|auto forces one, so the tests run both). */
static clinfer_status window_prepare(clinfer_runtime *rt, const char *op, const pool2d_params *p,
                                     int is_avg, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape s;
    const int rows = launch_cpu_form(rt);
    clinfer_status st = check_window(rt, op, p, &s);
    /* a literal: the launch keeps the name for profiles */
    const char *kernel = is_avg ? (rows ? "avgpool2d_rows" : "avgpool2d")
                                : (rows ? "maxpool2d_rows" : "maxpool2d");
    if (st != CLINFER_OK)
        return st;
    int32_t oh = (int32_t)s.dims[2], ow = (int32_t)s.dims[3];
    const int64_t planes = (int64_t)p->n * p->c;
    /* rows kernels: about 512 outputs per work-item */
    const int32_t per_item = launch_rows_per_item(rt, planes, oh, 512 / ow);
    karg a;
    launch_begin(rt, out, "pool2d", NULL, kernel, KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, p->h);
    karg_int(&a, p->w);
    karg_int(&a, oh);
    karg_int(&a, ow);
    const int32_t window[8] = {p->kh,      p->kw,       p->stride_h, p->stride_w,
                               p->pad_top, p->pad_left, p->dil_h,    p->dil_w};
    karg_ints(&a, window, 8);
    if (is_avg) {
        karg_int(&a, p->pad_bottom);
        karg_int(&a, p->pad_right);
        karg_int(&a, p->count_include_pad);
    }
    if (rows)
        karg_int(&a, per_item);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    if (rows) {
        launch_grid3(out, (size_t)((oh + per_item - 1) / per_item), (size_t)planes, 1, 1);
    } else {
        launch_grid3(out, (size_t)ow, (size_t)oh, (size_t)planes, 8);
    }
    return CLINFER_OK;
}

clinfer_status maxpool2d_prepare(clinfer_runtime *rt, const pool2d_params *p, op_launch *out)
{
    return window_prepare(rt, "maxpool2d", p, 0, out);
}

clinfer_status avgpool2d_prepare(clinfer_runtime *rt, const pool2d_params *p, op_launch *out)
{
    return window_prepare(rt, "avgpool2d", p, 1, out);
}

static clinfer_status check_global(clinfer_runtime *rt, const char *op,
                                   const globalpool_params *p, clinfer_shape *out)
{
    clinfer_shape in_s = shape_4d(p->n, p->c, p->h, p->w);
    char buf[96];
    if (p->n < 1 || p->c < 1 || p->h < 1 || p->w < 1)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input sizes must be positive, found %s", op,
                       shape_str(&in_s, buf, sizeof buf));
    if (shape_numel(&in_s) < 0)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input %s has too many elements", op,
                       shape_str(&in_s, buf, sizeof buf));
    *out = shape_4d(p->n, p->c, 1, 1);
    return CLINFER_OK;
}

clinfer_status globalpool_output_shape(clinfer_runtime *rt, const globalpool_params *p,
                                       clinfer_shape *out)
{
    return check_global(rt, "globalpool", p, out);
}

/* globalavgpool and globalmaxpool: 1-D grid of N * C items, one plane each. */
static clinfer_status global_prepare(clinfer_runtime *rt, const char *op,
                                     const globalpool_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape s;
    clinfer_status st = check_global(rt, op, p, &s);
    if (st != CLINFER_OK)
        return st;
    karg a;
    launch_begin(rt, out, "pool2d", NULL, op, KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, p->n);
    karg_int(&a, p->c);
    karg_int(&a, p->h);
    karg_int(&a, p->w);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid1(out, (size_t)p->n * (size_t)p->c);
    return CLINFER_OK;
}

clinfer_status globalavgpool_prepare(clinfer_runtime *rt, const globalpool_params *p,
                                     op_launch *out)
{
    return global_prepare(rt, "globalavgpool", p, out);
}

clinfer_status globalmaxpool_prepare(clinfer_runtime *rt, const globalpool_params *p,
                                     op_launch *out)
{
    return global_prepare(rt, "globalmaxpool", p, out);
}

