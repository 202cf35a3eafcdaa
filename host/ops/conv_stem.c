/*
 * conv_stem.c — the "stem" convolution algorithm of conv2d.h (see
 * conv_stem.h): its fit and its one launch per run (kernels/conv_stem.cl,
 * conv2d_stem).
 */
#include "conv_stem.h"

#include "../runtime.h"

/* The conv output's size before p's window pool, and the pooled width
 * (0 for sizes that conv2d_output_size refuses). */
static void pool_sizes(const conv2d_params *p, int32_t *conv_h, int32_t *conv_w,
                       int32_t *pooled_w)
{
    conv2d_params conv = *p;
    conv.window_pool.kh = 0;
    int32_t pooled_h = 0;
    if (conv2d_output_size(NULL, &conv, conv_h, conv_w) != CLINFER_OK ||
        conv2d_output_size(NULL, p, &pooled_h, pooled_w) != CLINFER_OK)
        *conv_h = *conv_w = *pooled_w = 0;
}

/* The floats of conv2d_stem_pool's private row (SP_ROW): the pool's left
 * padding and the conv row rounded up to 16, or as far as the last
 * pooled vector's windows reach. */
static int64_t pool_row_floats(const pool2d_params *wp, int64_t conv_w, int64_t pooled_w)
{
    const int64_t row = wp->pad_left + (conv_w + 15) / 16 * 16;
    const int64_t reach = (pooled_w + 15) / 16 * 16 * wp->stride_w + wp->kw;
    return row > reach ? row : reach;
}

/* conv2d_stem_pool's private floats beyond the weights: its row and the
 * running maxima of ceil(KH / SH) pooled rows, of 16 channels each. */
static int64_t pool_private_floats(const conv2d_params *p)
{
    int32_t conv_h, conv_w, pooled_w;
    pool_sizes(p, &conv_h, &conv_w, &pooled_w);
    const pool2d_params *wp = &p->window_pool;
    const int64_t slots = (wp->kh + wp->stride_h - 1) / wp->stride_h;
    const int64_t row = pool_row_floats(wp, conv_w, pooled_w) + 2 * 16; /* and its phases' tails */
    return STEM_OC_BLOCK * (row + slots * ((pooled_w + 15) / 16 * 16));
}

const char *conv_stem_unfit(const conv2d_params *p)
{
    if (p->groups != 1 || p->has_residual || (int64_t)p->c * p->kh * p->kw > STEM_MAX_K)
        return "needs groups 1, no residual and C * KH * KW at most 32";
    if (p->window_pool.kh <= 0)
        return NULL;
    const pool2d_params *wp = &p->window_pool;
    if (wp->dil_h != 1 || wp->dil_w != 1 || wp->stride_h < 1 || wp->stride_w < 1 ||
        wp->stride_w > 2)
        return "computes a fused max pool only without dilation and with a stride across of 1 "
               "or 2";
    return pool_private_floats(p) <= STEM_POOL_PRIVATE_FLOATS
               ? NULL
               : "computes a fused max pool only over conv rows of at most a few hundred "
                 "columns";
}

/* The stem algorithm: conv2d_stem over a grid (OC / 16 channel blocks,
 * output rows / rows, N), local size 1, rows per item for about 2^18
 * multiply-adds (each item first gathers its weights: with 2^16, a tenth
 * of the time) but at least 8 items per compute unit; with a window pool,
 * conv2d_stem_pool over pooled rows, about 2^20 multiply-adds an item
 * (its first window's shared conv row, which the item before computes as
 * well: SqueezeNet's 10 pooled rows of a 3x3 stride-2 pool take 21 conv
 * rows for 20; with 2^19, 11 for 10: 0.74-0.75 against 0.66-0.68 ms on
 * one thread, measured minutes apart). */
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
    const pool2d_params *wp = &p->window_pool;
    const int pooled = wp->kh > 0;
    int32_t oh = pl->oh, ow = pl->ow, pooled_w = 0; /* the conv output */
    if (pooled) {
        pool_sizes(p, &oh, &ow, &pooled_w);
        opts_add(&o, "-DSP_KH=%d -DSP_KW=%d -DSP_SH=%d -DSP_SW=%d -DSP_PT=%d -DSP_PL=%d", wp->kh,
                 wp->kw, wp->stride_h, wp->stride_w, wp->pad_top, wp->pad_left);
        opts_add(&o, "-DSP_OW=%d -DSP_ROW=%lld", pooled_w,
                 (long long)pool_row_floats(wp, ow, pooled_w));
    }
    /* rows per item: output rows, or pooled rows (pl->oh either way) */
    const int64_t blocks = ((int64_t)p->oc + STEM_OC_BLOCK - 1) / STEM_OC_BLOCK;
    const int64_t conv_row = ((int64_t)ow + 15) / 16 * 16 * STEM_OC_BLOCK * p->c * p->kh * p->kw;
    const int64_t per_row = pooled ? conv_row * wp->stride_h : conv_row;
    const int64_t aim = ((int64_t)1 << (pooled ? 20 : 18)) / (per_row > 0 ? per_row : 1);
    const int32_t rows = launch_rows_per_item(rt, blocks * p->n, pl->oh, aim);
    karg a;
    launch_begin(rt, out, "conv_stem", &o, pooled ? "conv2d_stem_pool" : "conv2d_stem", 0, &a);
    const dev_tensor t[] = {buf->input, buf->weight, buf->bias, buf->output};
    karg_tensors(&a, t, 4);
    const int32_t v[] = {p->c,        p->h,       p->w,          p->oc,       oh,
                         ow,          p->kh,      p->kw,         p->stride_h, p->stride_w,
                         p->pad_top,  p->pad_left, p->dil_h,     p->dil_w,    rows};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_long(&a, (int64_t)p->n * p->c * p->h * p->w);
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    karg_int(&a, p->has_bias ? 1 : 0);
    if (pooled)
        karg_int(&a, pl->oh); /* POH */
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)blocks, (size_t)((pl->oh + rows - 1) / rows), (size_t)p->n, 1);
    return CLINFER_OK;
}
