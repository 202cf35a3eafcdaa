/*
 * conv_exdw.c — the expansion + depthwise op's checks, weight packing and
 * its one launch (kernels/conv_depthwise.cl, conv2d_expand_c16).
 */
#include "conv_exdw.h"

#include <string.h>

#include "../runtime.h"
#include "conv_depthwise.h"
#include "../shape.h"

const char *exdw_unfit(const exdw_params *p)
{
    const conv2d_params *d = &p->dw;
    const char *window = depthwise_window_unfit(d);
    if (window)
        return window;
    if (d->groups != d->c || d->oc != d->c || d->c % 16 != 0 || d->has_residual ||
        d->has_scale || d->pool > 1)
        return "needs a plain depthwise convolution over a multiple of 16 channels";
    if (p->k < 1)
        return "needs an expansion of at least one input channel";
    return NULL;
}

clinfer_status exdw_output_shape(clinfer_runtime *rt, const exdw_params *p, clinfer_shape *out)
{
    const char *why = exdw_unfit(p);
    if (why)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "exdw: %s (window %dx%d, stride %d,%d, %d channels)", why, p->dw.kh,
                       p->dw.kw, p->dw.stride_h, p->dw.stride_w, p->dw.c);
    if (!act_kind_valid(p->dw.act.kind))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "exdw: act.kind %d is not a known activation", (int)p->dw.act.kind);
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv2d_output_size(rt, &p->dw, &oh, &ow);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape s = shape_4d(p->dw.n, p->dw.c, oh, ow);
    const exdw_band b = exdw_band_of(p, oh);
    const int64_t scratch = (int64_t)p->dw.n * (p->dw.c / 16) * b.bands * b.floats;
    if (shape_numel(&s) < 0 || shape_numel(&s) > INT32_MAX || scratch > INT32_MAX ||
        b.floats > INT32_MAX)
        return err_set(rt, CLINFER_ERR_SHAPE, "exdw: a tensor has too many elements");
    *out = s;
    return CLINFER_OK;
}

size_t exdw_packed_floats(const exdw_params *p)
{
    return (size_t)p->dw.c * ((size_t)p->k + (size_t)p->dw.kh * (size_t)p->dw.kw);
}

/* src [C, inner] into dst [C/16][inner][16]. */
static void pack_blocks_of_16(size_t c, size_t inner, const float *src, float *dst)
{
    for (size_t ch = 0; ch < c; ch++)
        for (size_t i = 0; i < inner; i++)
            dst[((ch / 16) * inner + i) * 16 + ch % 16] = src[ch * inner + i];
}

void exdw_pack_expansion(const exdw_params *p, const float *we, float *dst)
{
    pack_blocks_of_16((size_t)p->dw.c, (size_t)p->k, we, dst);
}

void exdw_pack_depthwise(const exdw_params *p, const float *wd, float *dst)
{
    pack_blocks_of_16((size_t)p->dw.c, (size_t)p->dw.kh * (size_t)p->dw.kw, wd,
                      dst + (size_t)p->dw.c * (size_t)p->k);
}

/* Input rows a band of `rows` output rows reads at most. */
static int64_t band_input_rows(const exdw_params *p, int64_t rows)
{
    const int64_t th = (rows - 1) * p->dw.stride_h + p->dw.kh;
    return th < p->dw.h ? th : p->dw.h;
}

exdw_band exdw_band_of(const exdw_params *p, int32_t oh)
{
    const int64_t row_bytes = (int64_t)p->dw.w * 16 * (int64_t)sizeof(float);
    int64_t rows = oh > 0 ? oh : 1;
    while (rows > 1 && band_input_rows(p, rows) * row_bytes > EXDW_BAND_BYTES)
        rows--;
    const exdw_band b = {(int32_t)rows, (oh + rows - 1) / rows,
                         band_input_rows(p, rows) * p->dw.w * 16};
    return b;
}

uint64_t exdw_scratch_bytes(const exdw_params *p, int32_t oh, size_t elem_bytes)
{
    const exdw_band b = exdw_band_of(p, oh);
    return (uint64_t)p->dw.n * (uint64_t)(p->dw.c / 16) * (uint64_t)b.bands *
           (uint64_t)b.floats * elem_bytes;
}

clinfer_status exdw_prepare(clinfer_runtime *rt, const exdw_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape s;
    clinfer_status st = exdw_output_shape(rt, p, &s);
    if (st != CLINFER_OK)
        return st;
    act_params act;
    opts o = depthwise_program_options(&p->dw, p->dw.kh == 5, &act);
    karg a;
    const exdw_band b = exdw_band_of(p, (int32_t)s.dims[2]);
    launch_begin(rt, out, "conv_depthwise", &o, "conv2d_expand_c16", KARG_AFTER_TENSORS(7), &a);
    const int32_t v[] = {p->dw.c,
                         p->k,
                         p->dw.h,
                         p->dw.w,
                         (int32_t)s.dims[2],
                         (int32_t)s.dims[3],
                         p->dw.stride_h,
                         p->dw.pad_top,
                         p->dw.pad_left,
                         b.rows,
                         (int32_t)b.floats,
                         p->has_ex_bias ? 1 : 0};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)b.bands, (size_t)p->dw.n * (size_t)(p->dw.c / 16), 1, 1);
    return CLINFER_OK;
}

clinfer_status exdw_bind(clinfer_runtime *rt, const exdw_params *p, op_launch *l, dev_tensor x,
                         dev_tensor ex_bias, dev_tensor dw_bias, cl_mem packed, cl_mem scratch,
                         dev_tensor out)
{
    /* the kernel's order: x, the expansion's weights and bias, the
     * depthwise weights (after the expansion's in `packed`) and bias, the
     * scratch */
    const dev_tensor dw_weights = {packed, (uint64_t)p->dw.c * (uint64_t)p->k};
    const dev_tensor in[6] = {x, dev_whole(packed), ex_bias, dw_weights, dw_bias,
                              dev_whole(scratch)};
    return launch_bind_inputs(rt, l, in, 6, out);
}
