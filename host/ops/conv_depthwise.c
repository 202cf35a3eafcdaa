/*
 * conv_depthwise.c — the "depthwise" convolution algorithm of conv2d.h
 * (groups == C == OC): its plan (the variant and how work is split) and its
 * one launch per run (kernels/conv_depthwise.cl; conv2d_depthwise_c16 in
 * kernels/conv_blocked.cl, built into the same program).
 */
#include "conv_depthwise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime.h"

const char *depthwise_fused_unfit(const conv2d_params *d)
{
    if (d->kh != d->kw || (d->kh != 3 && d->kh != 5))
        return "needs a 3x3 or 5x5 window";
    if (d->stride_h != d->stride_w || d->stride_h < 1 || d->stride_h > 2)
        return "needs stride 1 or 2 along both axes";
    if (d->dil_h != 1 || d->dil_w != 1)
        return "needs dilation 1";
    if (d->groups != d->c || d->oc != d->c || d->has_residual || d->has_scale || d->pool > 1 ||
        d->in_blocked || d->out_blocked)
        return "needs a plain depthwise convolution (groups == C == OC)";
    return NULL;
}

opts depthwise_program_options(const conv2d_params *p, int window5, act_params *act)
{
    opts o = opts_none();
    *act = act_program(p->act); /* fewer programs */
    opts_add(&o, "-DACT=%d -DHAS_BIAS=%d", (int)act->kind, p->has_bias ? 1 : 0);
    if (window5)
        opts_add(&o, "-DDW_K=5");
    return o;
}

/* Width of one stride phase of a conv2d_depthwise_rows tile row (see
 * kernels/conv_depthwise.cl), a multiple of 16: room for the 16-wide steps over
 * every output column from each tap's column, and for the padded row
 * copied in 16-float steps. */
int64_t depthwise_tile_phase(const conv2d_params *p, int32_t ow)
{
    const int64_t need =
        ((int64_t)ow + 15) / 16 * 16 + (int64_t)(p->kw - 1) * p->dil_w / p->stride_w;
    const int64_t row = ((int64_t)p->pad_left + ((int64_t)p->w + 15) / 16 * 16 + p->stride_w) /
                        p->stride_w;
    return ((need > row ? need : row) + 15) / 16 * 16;
}

/* Floats of conv2d_depthwise_rows's tile for `rows` output rows (computed
 * 4 at a time: DW_ROWS in kernels/conv_depthwise.cl), plus 16 spare. */
int64_t depthwise_tile_floats(const conv2d_params *p, int32_t ow, int32_t rows)
{
    const int64_t rows4 = ((int64_t)rows + 3) / 4 * 4;
    const int64_t th = (rows4 - 1) * p->stride_h + (int64_t)(p->kh - 1) * p->dil_h + 1;
    return th * p->stride_w * depthwise_tile_phase(p, ow) + 16;
}

/* About this many outputs per work-item of conv2d_depthwise_rows: enough
 * to hide PoCL's cost per work-group, small enough for a few items per core
 * on small planes. */
#define DEPTHWISE_ITEM_OUTPUTS 2048
/* Fewest items when planes are grouped: a few per core. */
#define DEPTHWISE_MIN_ITEMS 32
/* Tile bytes to aim for when a block has more than 4 rows: inside a CPU
 * core's L1 data cache beside the rows streaming in and out (16 KB measured
 * a little faster than 128 KB on MobileNetV2, PoCL on AVX-512). */
#define DEPTHWISE_TILE_AIM ((int64_t)16 << 10)
/* Largest tile, bytes (and at most half the local memory); wider rows take
 * conv2d_depthwise. */
#define DEPTHWISE_TILE_CAP ((int64_t)1 << 20)

/* Floats of conv2d_depthwise_flat's local memory for pitch P
 * (kernels/conv_depthwise.cl): the flat tile, the sums' buffer after it,
 * 16 spare. */
static int64_t depthwise_flat_floats(const conv2d_params *p, int32_t oh, int64_t P)
{
    const int64_t th = oh + (int64_t)(p->kh - 1) * p->dil_h, nvec = (oh * P + 15) / 16;
    const int64_t reach = nvec * 16 + (int64_t)(p->kh - 1) * p->dil_h * P +
                          (int64_t)(p->kw - 1) * p->dil_w;
    const int64_t flat = ((th * P + 16 > reach ? th * P + 16 : reach) + 15) / 16 * 16;
    return flat + nvec * 16 + 16;
}

/* The flat form's pitch for whole planes at stride 1 and windows larger
 * than 3x3, when its vectors fill at least DEPTHWISE_FLAT_GAIN times the
 * lanes that rows of 16 (4 at a time) fill: 7x7 outputs of 5x5 windows (49
 * of 80 lanes against 49 of 128: MobileNetV3's 960-channel layers 0.114 ->
 * 0.085 ms for two), not 14x14 (5x5: 196 of 256 either way); else 0.
 * A 3x3 window (49 of 64 lanes at 7x7) computes too little per plane for
 * the flattening's fixed costs: MobileNetV2's three 960-channel 7x7 layers
 * ran 4% slower flat. */
#define DEPTHWISE_FLAT_GAIN 1.5
static int32_t depthwise_flat_pitch(const conv2d_params *p, const conv2d_plan *pl)
{
    if (p->stride_h != 1 || p->stride_w != 1 || pl->dw_rows < pl->oh || p->kh * p->kw <= 9)
        return 0;
    const int64_t P = (int64_t)p->pad_left + p->w + p->pad_right; /* = OW + (KW - 1) * dil_w */
    const int64_t outputs = (int64_t)pl->oh * pl->ow, nvec = (pl->oh * P + 15) / 16;
    const double flat = (double)outputs / (double)(nvec * 16);
    const double rows = (double)outputs / (double)(((int64_t)pl->ow + 15) / 16 * 16 *
                                                   (((int64_t)pl->oh + 3) / 4 * 4));
    if (flat < DEPTHWISE_FLAT_GAIN * rows ||
        depthwise_flat_floats(p, pl->oh, P) * (int64_t)sizeof(float) > DEPTHWISE_TILE_AIM)
        return 0;
    return (int32_t)P;
}

/* The depthwise variant: conv2d_depthwise_rows on a CPU (or forced by
 * CLINFER_DEPTHWISE_VARIANT=cpu) with rows per item splitting each plane
 * into equal blocks of about DEPTHWISE_ITEM_OUTPUTS outputs, halved down to
 * 4 rows for DEPTHWISE_TILE_AIM and further until the tile fits
 * DEPTHWISE_TILE_CAP (and half the local memory); whole small planes go
 * several to an item. conv2d_depthwise (dw_rows 0) on other
 * devices, when forced (=gpu), or when not even one row fits. */
/* conv2d_depthwise_c16 (the channel-blocked layout): rows per item for
 * about DEPTHWISE_ITEM_OUTPUTS positions, fewer while the items are fewer
 * than 8 per compute unit; the weights packed in blocks of 16 channels
 * (conv2d.c's weight_packing, through a cpu GEMM config of 16-column
 * panels). */
static clinfer_status depthwise_blocked_plan(clinfer_runtime *rt, const conv2d_params *p,
                                             conv2d_plan *pl)
{
    pl->dw_blocked = 1;
    pl->dw_rows = launch_rows_per_item(rt, (int64_t)p->n * (p->c / 16), pl->oh,
                                       DEPTHWISE_ITEM_OUTPUTS / (pl->ow > 0 ? pl->ow : 1));
    pl->gemm.variant = GEMM_VARIANT_CPU;
    pl->gemm.tm = 1, pl->gemm.nv = 1;
    pl->prep_count = 1;
    pl->persist_bytes =
        gemm_packed_floats(&pl->gemm, p->oc, (int64_t)p->kh * p->kw) * rt_elem_bytes(rt);
    return CLINFER_OK;
}

clinfer_status conv_depthwise_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl)
{
    if (p->in_blocked)
        return depthwise_blocked_plan(rt, p, pl);
    int cpu = rt->info.type == CLINFER_DEVICE_CPU;
    if (rt->config.depthwise_variant != CONFIG_AUTO) /* forced (config.h) */
        cpu = rt->config.depthwise_variant == CONFIG_DEPTHWISE_CPU;
    pl->dw_rows = 0;
    if (!cpu)
        return CLINFER_OK;
    int64_t cap = DEPTHWISE_TILE_CAP;
    if (rt->info.local_mem_bytes > 0 && (int64_t)(rt->info.local_mem_bytes / 2) < cap)
        cap = (int64_t)(rt->info.local_mem_bytes / 2);
    const int64_t outputs = (int64_t)pl->oh * pl->ow;
    const int64_t blocks = (outputs + DEPTHWISE_ITEM_OUTPUTS - 1) / DEPTHWISE_ITEM_OUTPUTS;
    int32_t rows = (int32_t)((pl->oh + blocks - 1) / blocks);
    while (rows > 4 && depthwise_tile_floats(p, pl->ow, rows) * (int64_t)sizeof(float) >
                           DEPTHWISE_TILE_AIM)
        rows /= 2;
    while (rows > 0 && depthwise_tile_floats(p, pl->ow, rows) * (int64_t)sizeof(float) > cap)
        rows /= 2;
    /* The kernel computes rows four at a time (DW_ROWS): a block of 7 rows
     * computes 8 and drops one. Rounded up to whole fours, blocks use the
     * same tile and waste nothing but at the plane's end (MobileNetV2's
     * 56-row stride-2 layer: 7 blocks of 8 instead of 8 of 7). */
    if (rows > 4 && rows < pl->oh)
        rows = (rows + 3) / 4 * 4;
    pl->dw_rows = rows;
    /* Small planes: several per item, keeping DEPTHWISE_MIN_ITEMS items. */
    const int64_t total = (int64_t)p->n * p->c;
    int64_t planes = DEPTHWISE_ITEM_OUTPUTS / (outputs > 0 ? outputs : 1);
    if (planes > (total + DEPTHWISE_MIN_ITEMS - 1) / DEPTHWISE_MIN_ITEMS)
        planes = (total + DEPTHWISE_MIN_ITEMS - 1) / DEPTHWISE_MIN_ITEMS;
    pl->dw_planes = planes < 1 || rows < pl->oh ? 1 : (int32_t)planes;
    pl->dw_flat = depthwise_flat_pitch(p, pl);
    return CLINFER_OK;
}

/* conv2d_depthwise_flat (plan dw_flat > 0): the local tile after the
 * buffers, one item per dw_planes planes. */
static clinfer_status depthwise_flat_launch(clinfer_runtime *rt, const conv2d_params *p,
                                            const conv2d_plan *pl, const conv2d_buffers *buf,
                                            const opts *o, act_params act, op_launch *out)
{
    karg a;
    launch_begin(rt, out, "conv_depthwise", o, "conv2d_depthwise_flat", 0, &a);
    const dev_tensor t[] = {buf->input, buf->weight, buf->bias, buf->output};
    karg_tensors(&a, t, 4);
    karg_local(&a, (size_t)depthwise_flat_floats(p, pl->oh, pl->dw_flat) * sizeof(float));
    const int32_t v[] = {p->c,       p->h,        p->w,     pl->oh,   pl->ow,
                         p->kh,      p->kw,       p->pad_top, p->pad_left, p->dil_h,
                         p->dil_w,   pl->dw_planes, p->n * p->c, pl->dw_flat};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t planes = (size_t)p->n * (size_t)p->c;
    launch_grid3(out, 1, 1, (planes + pl->dw_planes - 1) / pl->dw_planes, 1);
    return CLINFER_OK;
}

/* Depthwise: conv2d_depthwise_flat (plan dw_flat > 0),
 * conv2d_depthwise_rows (dw_rows > 0; its tile is a local memory argument
 * after the buffers) or conv2d_depthwise. */
/* conv2d_depthwise_c16 (plan dw_blocked): the packed weights from
 * persist, a grid (output rows / dw_rows, N * C/16), the output NCHW. */
static clinfer_status depthwise_blocked_launch(clinfer_runtime *rt, const conv2d_params *p,
                                               const conv2d_plan *pl, const conv2d_buffers *buf,
                                               opts *o, act_params act, op_launch *out)
{
    karg a;
    launch_begin(rt, out, "conv_depthwise", o, "conv2d_depthwise_c16", 0, &a);
    const dev_tensor t[] = {buf->input, dev_whole(buf->persist), buf->bias, buf->output};
    karg_tensors(&a, t, 4);
    const int32_t v[] = {p->c,        p->h,       p->w,        pl->oh,      pl->ow,
                         p->stride_h, p->pad_top, p->pad_left, pl->dw_rows};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, ((size_t)pl->oh + pl->dw_rows - 1) / pl->dw_rows,
                 (size_t)p->n * (size_t)(p->c / 16), 1, 1);
    return CLINFER_OK;
}

clinfer_status conv_depthwise_launch(clinfer_runtime *rt, const conv2d_params *p,
                                     const conv2d_plan *pl, const conv2d_buffers *buf,
                                     op_launch *out)
{
    const int rows = pl->dw_rows > 0;
    act_params act;
    opts o = depthwise_program_options(p, pl->dw_blocked && p->kh == 5, &act);
    if (pl->dw_blocked)
        return depthwise_blocked_launch(rt, p, pl, buf, &o, act, out);
    if (pl->dw_flat > 0)
        return depthwise_flat_launch(rt, p, pl, buf, &o, act, out);
    /* 5x5 windows (dilation 1, stride_h 1 or 2) in rows: the fast path, in
     * a program of its own (-DDW_K=5 keeps only that path;
     * kernels/conv_depthwise.cl). Its unrolled code costs a cold start
     * about 0.5 s per program (MobileNetV3-Large: 4.1 -> 5.1 s with the
     * stride-2 layers; their time 0.144 -> 0.122 ms). */
    if (rows && p->kh == 5 && p->kw == 5 && p->dil_h == 1 && p->dil_w == 1 && p->stride_h <= 2)
        opts_add(&o, "-DDW_K=5");
    karg a;
    launch_begin(rt, out, "conv_depthwise", &o,
                 rows ? "conv2d_depthwise_rows" : "conv2d_depthwise", 0, &a);
    const dev_tensor t[] = {buf->input, buf->weight, buf->bias, buf->output};
    karg_tensors(&a, t, 4);
    if (rows)
        karg_local(&a, (size_t)depthwise_tile_floats(p, pl->ow, pl->dw_rows) * sizeof(float));
    const int32_t v[] = {p->c,        p->h,        p->w,       pl->oh,     pl->ow,   p->kh,
                         p->kw,       p->stride_h, p->stride_w, p->pad_top, p->pad_left,
                         p->dil_h,    p->dil_w};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    if (rows) {
        karg_int(&a, pl->dw_rows);
        karg_int(&a, pl->dw_planes);
        karg_int(&a, p->n * p->c);
        karg_int(&a, (int32_t)depthwise_tile_phase(p, pl->ow));
    }
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t planes = (size_t)p->n * (size_t)p->c;
    if (rows)
        launch_grid3(out, 1, ((size_t)pl->oh + pl->dw_rows - 1) / pl->dw_rows,
                     (planes + pl->dw_planes - 1) / pl->dw_planes, 1);
    else
        launch_grid3(out, ((size_t)pl->ow + 15) / 16, (size_t)pl->oh, planes, conv2d_local_x(rt));
    return CLINFER_OK;
}
