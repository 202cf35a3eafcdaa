/*
 * conv_pooled.c — the "pooled" convolution algorithm of conv2d.h (see
 * conv_pooled.h): its one launch per run (kernels/conv_pooled.cl,
 * conv2d_pooled).
 */
#include "conv_pooled.h"

#include "../runtime.h"
#include "gemm.h"

/* Output channels per conv2d_pooled item: on CPUs as many as keep the
 * block's P x P sums of each in 16 vector registers (AVX-512: 4 channels
 * of 2x2, 1 of 3x3; 8-float vectors half that), so that each strided input
 * load and its masking feed all of them. One channel per item, the loads
 * outnumbered the FMAs: the lecture CNN's first layer (1 -> 32, 3x3, 2x2
 * pool) ran at 99 GFLOP/s at batch 64. Elsewhere (GPUs) one channel: the
 * sums are a work-item's registers. */
static int32_t pooled_channels_per_item(const clinfer_runtime *rt, int32_t pool)
{
    if (rt->info.type != CLINFER_DEVICE_CPU)
        return 1;
    const int32_t registers = gemm_cpu_vectors_narrow(rt) ? 8 : 16, per_channel = pool * pool;
    return registers / per_channel > 1 ? registers / per_channel : 1;
}

/* The pooled algorithm: conv2d_pooled, built for this pool, kernel size and
 * channels per item (OCB), over a grid (pooled rows / rows, N * ceil(OC /
 * OCB), 1), local size 1, about 2^16 multiply-adds per item but at least 8
 * items per compute unit. */
clinfer_status conv_pooled_launch(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, const conv2d_buffers *buf,
                                  op_launch *out)
{
    const int32_t ocb = pooled_channels_per_item(rt, p->pool);
    opts o = opts_none();
    opts_add(&o, "-DACT=%d", (int)p->act.kind);
    opts_add(&o, "-DPK_P=%d -DPK_KH=%d -DPK_KW=%d -DPK_OCB=%d", p->pool, p->kh, p->kw, ocb);
    if ((int64_t)p->c * p->kh * p->kw <= CONV2D_POOLED_MAX_K)
        opts_add(&o, "-DPK_C=%d", p->c);
    const size_t planes = (size_t)p->n * (size_t)((p->oc + ocb - 1) / ocb);
    const int64_t per_row = ((int64_t)pl->ow + 15) / 16 * 16 * p->pool * p->pool *
                            (int64_t)p->c * p->kh * p->kw * ocb; /* multiply-adds per pooled row */
    const int64_t aim = ((int64_t)1 << 16) / (per_row > 0 ? per_row : 1); /* rows per item */
    const int32_t rows = launch_rows_per_item(rt, (int64_t)planes, pl->oh, aim);
    /* whole planes short of the aim: several per item (grid-stride in the
     * kernel), spread as launch_rows_per_item spreads rows (the planes as
     * the rows of one), so that both cores keep work. Per item, PoCL's
     * scheduling costs about what a lecture CNN plane (13 pooled rows of 4
     * channels) computes */
    size_t grid_planes = planes;
    if (rows == pl->oh && aim > pl->oh && planes <= INT32_MAX) {
        const int32_t per = launch_rows_per_item(rt, 1, (int32_t)planes, aim / pl->oh);
        grid_planes = (planes + (size_t)per - 1) / (size_t)per;
    }
    karg a;
    launch_begin(rt, out, "conv_pooled", &o, "conv2d_pooled", 0, &a);
    karg_tensor(&a, buf->input);
    karg_tensor(&a, buf->weight);
    karg_tensor(&a, buf->bias);
    karg_tensor(&a, buf->output);
    const int32_t v[] = {p->c,          p->h,        p->w, p->oc, pl->oh,
                         pl->ow,        p->pad_top,  p->pad_left, rows, p->n};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_long(&a, (int64_t)p->n * p->c * p->h * p->w);
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    karg_int(&a, p->has_bias ? 1 : 0);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)((pl->oh + rows - 1) / rows), grid_planes, 1, 1);
    return CLINFER_OK;
}
