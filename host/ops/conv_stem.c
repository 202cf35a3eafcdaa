/*
 * conv_stem.c — the "stem" convolution algorithm of conv2d.h (see
 * conv_stem.h): its fit and its one launch per run (kernels/conv_stem.cl,
 * conv2d_stem).
 */
#include "conv_stem.h"

#include "../runtime.h"

const char *conv_stem_unfit(const conv2d_params *p)
{
    return p->groups == 1 && !p->has_residual && (int64_t)p->c * p->kh * p->kw <= STEM_MAX_K
               ? NULL
               : "needs groups 1, no residual and C * KH * KW at most 32";
}

/* The stem algorithm: conv2d_stem over a grid (OC / 16 channel blocks,
 * output rows / rows, N), local size 1, rows per item for about 2^18
 * multiply-adds (each item first gathers its weights: with 2^16, a tenth
 * of the time) but at least 8 items per compute unit. */
clinfer_status conv_stem_launch(clinfer_runtime *rt, const conv2d_params *p,
                                const conv2d_plan *pl, const conv2d_buffers *buf,
                                op_launch *out)
{
    opts o = opts_none();
    const act_params act = act_program(p->act); /* fewer programs */
    opts_add(&o, "-DACT=%d", (int)act.kind);
    /* the taps unrolled at build time (kernels/conv_stem.cl, STEM_FIXED) */
    opts_add(&o, "-DSTEM_C=%d -DSTEM_KH=%d -DSTEM_KW=%d -DSTEM_SH=%d -DSTEM_SW=%d -DSTEM_DH=%d "
                 "-DSTEM_DW=%d",
             p->c, p->kh, p->kw, p->stride_h, p->stride_w, p->dil_h, p->dil_w);
    const int64_t blocks = ((int64_t)p->oc + 15) / 16;
    const int64_t per_row = ((int64_t)pl->ow + 15) / 16 * 16 * 16 * (int64_t)p->c * p->kh * p->kw;
    const int32_t rows = launch_rows_per_item(rt, blocks * p->n, pl->oh,
                                              ((int64_t)1 << 18) / (per_row > 0 ? per_row : 1));
    karg a;
    launch_begin(rt, out, "conv_stem", &o, "conv2d_stem", 0, &a);
    const dev_tensor t[] = {buf->input, buf->weight, buf->bias, buf->output};
    karg_tensors(&a, t, 4);
    const int32_t v[] = {p->c,        p->h,       p->w,          p->oc,       pl->oh,
                         pl->ow,      p->kh,      p->kw,         p->stride_h, p->stride_w,
                         p->pad_top,  p->pad_left, p->dil_h,     p->dil_w,    rows};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_long(&a, (int64_t)p->n * p->c * p->h * p->w);
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    karg_int(&a, p->has_bias ? 1 : 0);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)blocks, (size_t)((pl->oh + rows - 1) / rows), (size_t)p->n, 1);
    return CLINFER_OK;
}
