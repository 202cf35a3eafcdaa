/*
 * maxpool2d.c — 2-D max pooling: validation, output shape and the launch of
 * kernels/maxpool2d.cl. Arguments 0-1 are buffers, the rest shape scalars.
 */
#include "maxpool2d.h"

#include <string.h>

pool2d_params pool2d_params_default(void)
{
    pool2d_params p;
    memset(&p, 0, sizeof p);
    p.stride_h = p.stride_w = 1;
    p.dil_h = p.dil_w = 1;
    return p;
}

clinfer_status maxpool2d_output_size(clinfer_runtime *rt, const pool2d_params *p, int32_t *oh,
                                     int32_t *ow)
{
    if (p->n < 1 || p->c < 1 || p->h < 1 || p->w < 1 || p->kh < 1 || p->kw < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "maxpool2d: sizes must be positive (N=%d C=%d H=%d W=%d KH=%d KW=%d)", p->n,
                       p->c, p->h, p->w, p->kh, p->kw);
    if (p->stride_h < 1 || p->stride_w < 1 || p->dil_h < 1 || p->dil_w < 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "maxpool2d: strides and dilations must be >= 1");
    if (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0 ||
        p->pad_top >= p->kh || p->pad_bottom >= p->kh || p->pad_left >= p->kw ||
        p->pad_right >= p->kw)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "maxpool2d: padding (%d, %d, %d, %d) must be >= 0 and smaller than the "
                       "window %dx%d",
                       p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, p->kh, p->kw);
    int64_t span_h = (int64_t)p->dil_h * (p->kh - 1) + 1;
    int64_t span_w = (int64_t)p->dil_w * (p->kw - 1) + 1;
    int64_t ph = (int64_t)p->h + p->pad_top + p->pad_bottom;
    int64_t pw = (int64_t)p->w + p->pad_left + p->pad_right;
    if (ph < span_h || pw < span_w)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "maxpool2d: window %dx%d is larger than the padded input %lldx%lld", p->kh,
                       p->kw, (long long)ph, (long long)pw);
    *oh = (int32_t)((ph - span_h) / p->stride_h + 1);
    *ow = (int32_t)((pw - span_w) / p->stride_w + 1);
    return CLINFER_OK;
}

clinfer_status maxpool2d_prepare(clinfer_runtime *rt, const pool2d_params *p, op_launch *out)
{
    int32_t oh = 0, ow = 0;
    clinfer_status st = maxpool2d_output_size(rt, p, &oh, &ow);
    if (st == CLINFER_OK)
        st = launch_create(rt, "maxpool2d", "", "maxpool2d", out);
    if (st != CLINFER_OK)
        return st;
    karg a = karg_begin(out->kernel, 2);
    karg_int(&a, p->h);
    karg_int(&a, p->w);
    karg_int(&a, oh);
    karg_int(&a, ow);
    karg_int(&a, p->kh);
    karg_int(&a, p->kw);
    karg_int(&a, p->stride_h);
    karg_int(&a, p->stride_w);
    karg_int(&a, p->pad_top);
    karg_int(&a, p->pad_left);
    karg_int(&a, p->dil_h);
    karg_int(&a, p->dil_w);
    st = karg_done(rt, &a, out->name);
    if (st != CLINFER_OK) {
        launch_release(out);
        return st;
    }
    launch_grid3(out, (size_t)ow, (size_t)oh, (size_t)p->n * (size_t)p->c, 8);
    return CLINFER_OK;
}

clinfer_status maxpool2d_bind(clinfer_runtime *rt, op_launch *l, cl_mem input, cl_mem output)
{
    karg a = karg_begin(l->kernel, 0);
    karg_mem(&a, input);
    karg_mem(&a, output);
    return karg_done(rt, &a, l->name);
}
