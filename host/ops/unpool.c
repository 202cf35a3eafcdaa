/*
 * unpool.c — MaxPool's Indices and MaxUnpool: validation, output shapes
 * and the launches of kernels/unpool.cl (one program, no build options:
 * shapes are kernel arguments). Arguments 0-3 (0-5 for the scatter) are
 * the buffers, the rest scalars.
 */
#include "unpool.h"

#include <stdint.h>
#include <string.h>

#include "../runtime.h"
#include "../shape.h"

/* The most elements a tensor that indices point into may have: every
 * index below it is an integer the storage type holds exactly (an inexact
 * one would silently move a value). */
#define UNPOOL_MAX_FLOAT (1 << 24)
#define UNPOOL_MAX_HALF 2048

static clinfer_status check_index_range(clinfer_runtime *rt, const char *op, const char *what,
                                        const clinfer_shape *s)
{
    char buf[160];
    const int64_t n = shape_numel(s);
    const int half = rt && rt_is_half(rt);
    if (n > UNPOOL_MAX_FLOAT || (half && n > UNPOOL_MAX_HALF))
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: %s %s has %lld elements; indices are exact up to %d in %s", op, what,
                       shape_str(s, buf, sizeof buf), (long long)n,
                       half ? UNPOOL_MAX_HALF : UNPOOL_MAX_FLOAT,
                       half ? "half storage (fp16 precision)" : "float32");
    return CLINFER_OK;
}

clinfer_status pool_indices_output_shape(clinfer_runtime *rt, const pool_indices_params *p,
                                         clinfer_shape *out)
{
    static const char op[] = "MaxPool indices";
    clinfer_status st = pool2d_window_shape(rt, op, &p->pool, out);
    if (st != CLINFER_OK)
        return st;
    if (p->storage_order != 0 && p->storage_order != 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: storage_order must be 0 or 1, found %d", op, p->storage_order);
    const clinfer_shape x = shape_4d(p->pool.n, p->pool.c, p->pool.h, p->pool.w);
    return check_index_range(rt, op, "input", &x);
}

/* Grid (OW, OH, N * C): one output per work-item. */
clinfer_status pool_indices_prepare(clinfer_runtime *rt, const pool_indices_params *p,
                                    op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape s;
    clinfer_status st = pool_indices_output_shape(rt, p, &s);
    if (st != CLINFER_OK)
        return st;
    const pool2d_params *q = &p->pool;
    karg a;
    launch_begin(rt, out, "unpool", NULL, "maxpool2d_indices", KARG_AFTER_TENSORS(2), &a);
    const int32_t v[] = {q->h,       q->w,        (int32_t)s.dims[2], (int32_t)s.dims[3],
                         q->kh,      q->kw,       q->stride_h,        q->stride_w,
                         q->pad_top, q->pad_left, q->dil_h,           q->dil_w,
                         p->storage_order};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid3(out, (size_t)s.dims[3], (size_t)s.dims[2], (size_t)q->n * (size_t)q->c, 8);
    return st;
}

/* ONNX's default output size: (in - 1) * stride - pads + kernel per axis. */
static void default_size(const unpool_params *p, int64_t *h, int64_t *w)
{
    *h = ((int64_t)p->h - 1) * p->stride_h - p->pad_top - p->pad_bottom + p->kh;
    *w = ((int64_t)p->w - 1) * p->stride_w - p->pad_left - p->pad_right + p->kw;
}

clinfer_status unpool_output_shape(clinfer_runtime *rt, const unpool_params *p,
                                   clinfer_shape *out)
{
    static const char op[] = "MaxUnpool";
    pool2d_params w = pool2d_params_default();
    w.n = p->n, w.c = p->c, w.h = p->h, w.w = p->w, w.kh = p->kh, w.kw = p->kw;
    w.stride_h = p->stride_h, w.stride_w = p->stride_w;
    clinfer_status st = pool2d_check_sizes(rt, op, &w);
    if (st != CLINFER_OK)
        return st;
    if (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: pads must be >= 0, found (%d, %d, %d, %d)", op, p->pad_top,
                       p->pad_left, p->pad_bottom, p->pad_right);
    if ((p->out_h == 0) != (p->out_w == 0) || p->out_h < 0 || p->out_w < 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: the output size (%lld, %lld) must be both positive, or both 0 for "
                       "the default",
                       op, (long long)p->out_h, (long long)p->out_w);
    const clinfer_shape x = shape_4d(p->n, p->c, p->h, p->w);
    if (shape_numel(&x) > INT32_MAX) {
        char buf[160];
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input %s has more than 2^31-1 elements", op,
                       shape_str(&x, buf, sizeof buf));
    }
    int64_t h0, w0;
    default_size(p, &h0, &w0);
    if (h0 < 1 || w0 < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "%s: the default output size %lldx%lld of input %dx%d (kernel %dx%d, "
                       "strides %d, %d, pads %d, %d, %d, %d) is empty",
                       op, (long long)h0, (long long)w0, p->h, p->w, p->kh, p->kw, p->stride_h,
                       p->stride_w, p->pad_top, p->pad_left, p->pad_bottom, p->pad_right);
    const int64_t oh = p->out_h ? p->out_h : h0, ow = p->out_w ? p->out_w : w0;
    if (oh < h0 || ow < w0)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: output size %lldx%lld is smaller than the default %lldx%lld; ONNX "
                       "places the default-sized result at the output's top left, so it must "
                       "fit",
                       op, (long long)oh, (long long)ow, (long long)h0, (long long)w0);
    const clinfer_shape y = shape_4d(p->n, p->c, oh, ow);
    st = check_index_range(rt, op, "output", &y);
    if (st != CLINFER_OK)
        return st;
    *out = y;
    return CLINFER_OK;
}

/* out[0]: unpool_zero, a work-item per output element; out[1]:
 * max_unpool, a work-item per input plane. */
clinfer_status unpool_prepare(clinfer_runtime *rt, const unpool_params *p, op_launch out[2])
{
    memset(out, 0, 2 * sizeof out[0]);
    clinfer_shape s;
    clinfer_status st = unpool_output_shape(rt, p, &s);
    if (st != CLINFER_OK)
        return st;
    const int64_t total = shape_numel(&s), planes = (int64_t)p->n * p->c;
    int64_t h0, w0;
    default_size(p, &h0, &w0);
    karg a;
    launch_begin(rt, &out[0], "unpool", NULL, "unpool_zero", KARG_AFTER_TENSORS(1), &a);
    karg_long(&a, total);
    st = launch_finish(rt, &out[0], &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid1(&out[0], (size_t)total);
    launch_begin(rt, &out[1], "unpool", NULL, "max_unpool", KARG_AFTER_TENSORS(3), &a);
    /* every size within the index range, checked above */
    const int32_t v[] = {p->h * p->w, (int32_t)planes, (int32_t)h0, (int32_t)w0,
                         (int32_t)s.dims[2], (int32_t)s.dims[3]};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    st = launch_finish(rt, &out[1], &a);
    if (st != CLINFER_OK) {
        launch_release(&out[0]);
        return st;
    }
    launch_grid1(&out[1], (size_t)planes);
    return CLINFER_OK;
}

clinfer_status unpool_bind(clinfer_runtime *rt, op_launch l[2], dev_tensor x, dev_tensor indices,
                           dev_tensor output)
{
    karg a = launch_args(&l[0], 0);
    karg_tensor(&a, output);
    clinfer_status st = launch_finish(rt, &l[0], &a);
    const dev_tensor in[2] = {x, indices};
    return st == CLINFER_OK ? launch_bind_inputs(rt, &l[1], in, 2, output) : st;
}
