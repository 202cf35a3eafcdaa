/*
 * conv_exdw.c — the expansion + depthwise op's checks, weight packing and
 * its one launch (kernels/conv_blocked.cl, conv2d_expand_c16).
 */
#include "conv_exdw.h"

#include <string.h>

#include "../runtime.h"
#include "conv_depthwise.h"
#include "../shape.h"

const char *exdw_unfit(const exdw_params *p)
{
    const char *why = depthwise_fused_unfit(&p->dw);
    if (why)
        return why;
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
    /* kernel arguments and offsets are ints: the scratch in elements too */
    if (shape_numel(&s) < 0 || shape_numel(&s) > INT32_MAX ||
        exdw_scratch_bytes(p, oh, 1) > INT32_MAX || exdw_band_of(p, oh).floats > INT32_MAX)
        return err_set(rt, CLINFER_ERR_SHAPE, "exdw: a tensor has too many elements");
    *out = s;
    return CLINFER_OK;
}

/* Channels rounded up to whole blocks of 16. */
static size_t padded_channels(const exdw_params *p)
{
    return ((size_t)p->dw.c + 15) / 16 * 16;
}

exdw_packing exdw_packing_of(const exdw_params *p)
{
    const size_t c = padded_channels(p), taps = (size_t)p->dw.kh * (size_t)p->dw.kw;
    const exdw_packing k = {c * (size_t)p->k, c * ((size_t)p->k + taps),
                            c * ((size_t)p->k + taps + 1), c * ((size_t)p->k + taps + 2)};
    return k;
}

/* src [C, inner] (NULL: zeros) into dst [ceil(C/16)][inner][16], channels
 * past C zero. */
static void pack_blocks_of_16(size_t c, size_t inner, const float *src, float *dst)
{
    const size_t padded = (c + 15) / 16 * 16;
    for (size_t ch = 0; ch < padded; ch++)
        for (size_t i = 0; i < inner; i++)
            dst[((ch / 16) * inner + i) * 16 + ch % 16] =
                src && ch < c ? src[ch * inner + i] : 0.0f;
}

void exdw_pack(const exdw_params *p, const float *we, const float *be, const float *wd,
               const float *bd, float *dst)
{
    const exdw_packing k = exdw_packing_of(p);
    const size_t c = (size_t)p->dw.c;
    pack_blocks_of_16(c, (size_t)p->k, we, dst);
    pack_blocks_of_16(c, (size_t)p->dw.kh * (size_t)p->dw.kw, wd, dst + k.dw_weights);
    pack_blocks_of_16(c, 1, be, dst + k.ex_bias);
    pack_blocks_of_16(c, 1, bd, dst + k.dw_bias);
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
    return (uint64_t)p->dw.n * (uint64_t)(padded_channels(p) / 16) * (uint64_t)b.bands *
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
                         (int32_t)b.floats};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)b.bands, (size_t)p->dw.n * (padded_channels(p) / 16), 1, 1);
    return CLINFER_OK;
}

clinfer_status exdw_bind(clinfer_runtime *rt, const exdw_params *p, op_launch *l, dev_tensor x,
                         cl_mem packed, cl_mem scratch, dev_tensor out)
{
    /* the kernel's order: x, the expansion's weights and bias, the
     * depthwise layer's, all in `packed`, then the scratch */
    const exdw_packing k = exdw_packing_of(p);
    const dev_tensor in[6] = {x,
                              dev_whole(packed),
                              {packed, (uint64_t)k.ex_bias},
                              {packed, (uint64_t)k.dw_weights},
                              {packed, (uint64_t)k.dw_bias},
                              dev_whole(scratch)};
    return launch_bind_inputs(rt, l, in, 6, out);
}
