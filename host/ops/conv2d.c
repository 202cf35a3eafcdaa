/*
 * conv2d.c — 2-D convolution: validation, output shape and the launch of
 * kernels/conv2d.cl. Arguments 0-3 are buffers (bound per run), the rest
 * are shape scalars set once in conv2d_prepare.
 */
#include "conv2d.h"

#include <stdio.h>
#include <string.h>

conv2d_params conv2d_params_default(void)
{
    conv2d_params p;
    memset(&p, 0, sizeof p);
    p.stride_h = p.stride_w = 1;
    p.dil_h = p.dil_w = 1;
    p.groups = 1;
    return p;
}

/* Output extent along one axis, or a negative value if the window does not
 * fit the padded input. Computed in 64 bits so that no input overflows. */
static int64_t conv_extent(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                           int32_t dil)
{
    int64_t span = (int64_t)dil * (k - 1) + 1;
    int64_t padded = (int64_t)in + pad0 + pad1;
    if (padded < span)
        return -1;
    return (padded - span) / stride + 1;
}

clinfer_status conv2d_output_size(clinfer_runtime *rt, const conv2d_params *p, int32_t *oh,
                                  int32_t *ow)
{
    if (p->n < 1 || p->c < 1 || p->h < 1 || p->w < 1 || p->oc < 1 || p->kh < 1 || p->kw < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv2d: sizes must be positive (N=%d C=%d H=%d W=%d OC=%d KH=%d KW=%d)",
                       p->n, p->c, p->h, p->w, p->oc, p->kh, p->kw);
    if (p->stride_h < 1 || p->stride_w < 1 || p->dil_h < 1 || p->dil_w < 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: strides (%d, %d) and dilations (%d, %d) must be >= 1",
                       p->stride_h, p->stride_w, p->dil_h, p->dil_w);
    if (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv2d: negative padding");
    if (p->groups < 1 || p->c % p->groups != 0 || p->oc % p->groups != 0)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv2d: groups=%d must divide input channels %d and output channels %d",
                       p->groups, p->c, p->oc);
    int64_t h = conv_extent(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, p->dil_h);
    int64_t w = conv_extent(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, p->dil_w);
    if (h < 1 || w < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv2d: kernel %dx%d (dilation %d, %d) is larger than the padded input "
                       "%dx%d",
                       p->kh, p->kw, p->dil_h, p->dil_w, p->h + p->pad_top + p->pad_bottom,
                       p->w + p->pad_left + p->pad_right);
    *oh = (int32_t)h;
    *ow = (int32_t)w;
    return CLINFER_OK;
}

clinfer_status conv2d_prepare(clinfer_runtime *rt, const conv2d_params *p, op_launch *out)
{
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv2d_output_size(rt, p, &oh, &ow);
    if (st != CLINFER_OK)
        return st;
    char options[64];
    snprintf(options, sizeof options, "-DACT=%d -DHAS_BIAS=%d", (int)p->act.kind,
             p->has_bias ? 1 : 0);
    st = launch_create(rt, "conv2d", options, "conv2d_direct", out);
    if (st != CLINFER_OK)
        return st;
    karg a = karg_begin(out->kernel, 4);
    karg_int(&a, p->c);
    karg_int(&a, p->h);
    karg_int(&a, p->w);
    karg_int(&a, p->oc);
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
    karg_int(&a, p->groups);
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    st = karg_done(rt, &a, out->name);
    if (st != CLINFER_OK) {
        launch_release(out);
        return st;
    }
    launch_grid3(out, (size_t)ow, (size_t)oh, (size_t)p->n * (size_t)p->oc, 8);
    return CLINFER_OK;
}

clinfer_status conv2d_bind(clinfer_runtime *rt, op_launch *l, cl_mem input, cl_mem weight,
                           cl_mem bias, cl_mem output)
{
    karg a = karg_begin(l->kernel, 0);
    karg_mem(&a, input);
    karg_mem(&a, weight);
    karg_mem(&a, bias);
    karg_mem(&a, output);
    return karg_done(rt, &a, l->name);
}
