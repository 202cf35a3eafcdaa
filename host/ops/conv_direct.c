/*
 * conv_direct.c — the "direct" convolution algorithm of conv2d.h (see
 * conv_direct.h): its plan (stride phases, scratch, the transposed form
 * for small images) and its launches (kernels/conv2d.cl: conv2d_pad, then
 * conv2d_direct or conv2d_direct_t).
 */
#include "conv_direct.h"

#include "../runtime.h"

/* Direct transposed (conv2d_direct_t) with the cpu GEMM: positions in tiles
 * of at most DIRECT_T_MAX_TM along an output row, output channels in
 * panels of 16 * nv. Planned where it fills at least 5% more lanes than
 * direct's panels over the padded-width positions OH * Wq (7x7 3x3 layers:
 * 49 of 49 positions against 49 of 64), groups 1; a strided 1x1 without
 * padding is read in place (direct_t_in_place). */
#define DIRECT_T_MAX_TM 8
static int32_t direct_t_rows(int32_t ow)
{
    const int32_t tiles = (ow + DIRECT_T_MAX_TM - 1) / DIRECT_T_MAX_TM;
    return (ow + tiles - 1) / tiles;
}

/* With a fused P x P max pool, a tile of P conv rows: two 2x2 windows (8
 * positions, as the tiles above) or one 3x3 window (9). */
static int32_t direct_t_pool_rows(int32_t pool) { return pool * pool * (pool == 2 ? 2 : 1); }

/* Panels of 32 output channels (16 on narrow-vector CPUs: 2 x TM float16
 * accumulators would spill), of 48 where that wastes no more lanes. */
static int32_t direct_t_nv(const clinfer_runtime *rt, int32_t oc)
{
    if (gemm_cpu_vectors_narrow(rt))
        return 1;
    return (oc + 47) / 48 * 48 <= (oc + 31) / 32 * 32 ? 3 : 2;
}

/* Whether direct transposed would read the input in place: a strided 1x1
 * (one phase) or a stride-1 layer of a larger kernel (whose tap walk
 * clamps a row's last tile), without padding (the lecture CNN's second
 * layer: its padded copy was a launch of its own at batch 1). A stride-1
 * 1x1 (gemm1x1's, unless direct is forced) keeps the copy: its channel
 * loop reads whole tiles. */
static int direct_t_in_place(const conv2d_params *p, const conv2d_plan *pl)
{
    const int stride1_kxk = p->stride_h == 1 && p->stride_w == 1 && p->kh * p->kw > 1;
    return (pl->one_phase || stride1_kxk) &&
           !(p->pad_top | p->pad_left | p->pad_bottom | p->pad_right);
}

/* Read in place, it saves the padded copy too: planned wherever it fills
 * as many lanes (ResNet-50's 256 -> 512 downsampling to 28x28: 0.69 ->
 * 0.53 ms). */
static int direct_transposed_pays(const clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl)
{
    if (p->groups != 1)
        return 0;
    const int64_t tw = gemm_panel_width(&pl->gemm), q = (int64_t)pl->oh * pl->wq;
    const double plain = (double)pl->oh * pl->ow / (double)((q + tw - 1) / tw * tw);
    const int32_t tm = direct_t_rows(pl->ow), tw_t = 16 * direct_t_nv(rt, p->oc);
    const double rows = (double)pl->ow / ((pl->ow + tm - 1) / tm * tm);
    const double cols = (double)p->oc / ((p->oc + tw_t - 1) / tw_t * tw_t);
    return direct_t_in_place(p, pl) ? rows * cols >= plain : rows * cols > plain * 1.05;
}

clinfer_status conv_direct_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out)
{
    const int32_t tw = gemm_panel_width(&out->gemm);
    const int64_t hp = (int64_t)p->h + p->pad_top + p->pad_bottom;
    const int64_t wp = (int64_t)p->w + p->pad_left + p->pad_right;
    out->hq = (int32_t)((hp + p->stride_h - 1) / p->stride_h);
    out->wq = (int32_t)((wp + p->stride_w - 1) / p->stride_w);
    out->slack = tw + (p->kw - 1) * p->dil_w;
    /* A strided 1x1 reads one stride phase (padded rows and columns 0,
     * sh, ..): only that one is written, as im2col would lower it, and
     * the product runs at stride 1 over it (its output is that phase:
     * OH = Hq, OW = Wq). No im2col program for ResNets' downsampling. */
    out->one_phase = p->kh == 1 && p->kw == 1 && (p->stride_h > 1 || p->stride_w > 1);
    const uint64_t phases = out->one_phase ? 1 : (uint64_t)p->stride_h * p->stride_w;
    const uint64_t per_image = (uint64_t)p->c * phases * (uint64_t)out->hq * out->wq;
    if ((int64_t)out->oh * out->wq > INT32_MAX || per_image > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED, "conv2d: image too large for direct");
    conv2d_plan_chunks(rt, p, out, per_image * rt_elem_bytes(rt),
                       (uint64_t)out->slack * rt_elem_bytes(rt), 2);
    /* the transposed form reads within the same slack; only it computes a
     * fused pool (out->oh x out->ow are then the pooled sizes) */
    const int pooled = p->pool > 1;
    if (pooled || (out->gemm.variant == GEMM_VARIANT_CPU && direct_transposed_pays(rt, p, out))) {
        const int64_t k = (int64_t)p->c * p->kh * p->kw;
        out->transposed = 1;
        out->gemm.tm = pooled ? direct_t_pool_rows(p->pool) : direct_t_rows(out->ow);
        out->gemm.nv = direct_t_nv(rt, p->oc);
        out->persist_bytes = gemm_packed_floats(&out->gemm, p->oc, k) * rt_elem_bytes(rt);
        /* a strided 1x1 or a stride-1 layer without padding reads the
         * input in place: one launch over the batch, no padded copy
         * (ResNet-50's 1024 -> 2048 downsampling: 83 us of copy before
         * 530 us of product) */
        if (direct_t_in_place(p, out)) {
            out->b_in_place = 1;
            out->chunk = p->n, out->per_chunk = 1, out->launch_count = 1;
            out->scratch_bytes = 0;
        }
    }
    return CLINFER_OK;
}

/* Options of the direct program (conv2d_pad and conv2d_direct): the
 * activation and the GEMM tiles (bias and residual are arguments). */
static opts direct_options(const conv2d_params *p, const conv2d_plan *pl)
{
    opts o = opts_none();
    opts_add(&o, "-DCONV2D_KERNELS=%s -DACT=%d",
             pl->transposed ? "CONV2D_DIRECT_T" : "CONV2D_DIRECT", (int)act_program(p->act).kind);
    opts_add(&o, "-DTM=%d -DNV=%d", pl->gemm.tm, pl->gemm.nv);
    if (p->pool > 1)
        opts_add(&o, "-DDT_POOL=%d", p->pool);
    return o;
}

static clinfer_status conv_pad(clinfer_runtime *rt, const conv2d_params *p,
                               const conv2d_plan *pl, int32_t n0, int32_t count, dev_tensor input,
                               cl_mem scratch, op_launch *out)
{
    const opts o = direct_options(p, pl);
    karg a;
    launch_begin(rt, out, "conv2d", &o, "conv2d_pad", 0, &a);
    karg_tensor(&a, input);
    karg_buffer(&a, scratch);
    karg_int(&a, p->c);
    karg_int(&a, p->h);
    karg_int(&a, p->w);
    karg_int(&a, p->pad_top);
    karg_int(&a, p->pad_left);
    karg_int(&a, p->stride_h);
    karg_int(&a, p->stride_w);
    karg_int(&a, pl->hq);
    karg_int(&a, pl->wq);
    karg_int(&a, pl->slack);
    karg_int(&a, n0);
    /* about 2048 floats per work-item, but a few items per compute unit */
    const size_t phases = pl->one_phase ? 1 : (size_t)p->stride_h * (size_t)p->stride_w;
    const size_t planes = (size_t)count * (size_t)p->c * phases;
    const int32_t rows = launch_rows_per_item(rt, (int64_t)planes, pl->hq, 2048 / pl->wq);
    karg_int(&a, rows);
    karg_long(&a, (int64_t)p->n * p->c * p->h * p->w);
    karg_int(&a, pl->one_phase);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)((pl->hq + rows - 1) / rows), planes, 1, 1);
    return CLINFER_OK;
}

/* conv2d_direct: about this many k steps per work-item, in tiles of
 * positions when K is short (as GEMM_CPU_ITEM_K in gemm.c: PoCL's cost per
 * work-group and the item's set-up then spread over several tiles).
 * ResNet-18's first layer (K 147, 3224 single tiles at 256): 0.67 -> 0.62
 * ms with 6 tiles per item at 1024 (2-core Zen 5 EPYC, bench_kernels). */
#define DIRECT_ITEM_K 1024

/* The last arguments of conv2d_direct and conv2d_direct_t: the
 * activation's parameters (as direct_options built it), has_bias, has_res. */
static void karg_direct_epilogue(karg *a, const conv2d_params *p)
{
    const act_params act = act_program(p->act);
    karg_float(a, act.a);
    karg_float(a, act.b);
    karg_int(a, p->has_bias ? 1 : 0);
    karg_int(a, p->has_residual ? 1 : 0);
}

/* conv2d_direct_t over the chunk's phase planes: a grid (OH * tiles per
 * row, panels of output channels, images), local size 1. */
static clinfer_status conv_direct_t(clinfer_runtime *rt, const conv2d_params *p,
                                    const conv2d_plan *pl, int32_t n0, int32_t count,
                                    const conv2d_buffers *buf, op_launch *out)
{
    const opts o = direct_options(p, pl);
    karg a;
    launch_begin(rt, out, "conv2d", &o, "conv2d_direct_t", 0, &a);
    const dev_tensor x = pl->b_in_place ? buf->input : dev_whole(buf->scratch);
    karg_tensors(&a, (dev_tensor[]){x, dev_whole(buf->persist), buf->bias, buf->output,
                                    buf->residual},
                 5);
    const int32_t sh = pl->one_phase ? 1 : p->stride_h, sw = pl->one_phase ? 1 : p->stride_w;
    const int32_t v[] = {p->c,    p->oc,    pl->oh, pl->ow, p->kh,  p->kw, sh,
                         sw,      p->dil_h, p->dil_w, pl->hq, pl->wq, n0};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    /* where position (oy, ox) of a channel lies (conv2d_direct_t) */
    if (pl->b_in_place) {
        karg_long(&a, (int64_t)p->h * p->w);
        karg_int(&a, p->stride_h * p->w);
        karg_int(&a, p->stride_w);
    } else {
        karg_long(&a, (int64_t)pl->hq * pl->wq * sh * sw);
        karg_int(&a, pl->wq);
        karg_int(&a, 1);
    }
    karg_direct_epilogue(&a, p);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t tw = (size_t)gemm_panel_width(&pl->gemm);
    /* positions, or with a fused pool whole windows, per tile along a row */
    const size_t across = (size_t)(p->pool > 1 ? pl->gemm.tm / p->pool / p->pool : pl->gemm.tm);
    const size_t tiles = (size_t)pl->oh * (((size_t)pl->ow + across - 1) / across);
    launch_grid3(out, tiles, ((size_t)p->oc + tw - 1) / tw, (size_t)count, 1);
    return CLINFER_OK;
}

static clinfer_status conv_direct(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, int32_t n0, int32_t count,
                                  const conv2d_buffers *buf, op_launch *out)
{
    if (pl->transposed)
        return conv_direct_t(rt, p, pl, n0, count, buf, out);
    const opts o = direct_options(p, pl);
    karg a;
    launch_begin(rt, out, "conv2d", &o, "conv2d_direct", 0, &a);
    karg_buffer(&a, buf->scratch);
    karg_buffer(&a, buf->persist); /* the packed weights */
    karg_tensor(&a, buf->bias);
    karg_tensor(&a, buf->output);
    karg_tensor(&a, buf->residual);
    const int32_t sh = pl->one_phase ? 1 : p->stride_h, sw = pl->one_phase ? 1 : p->stride_w;
    const int32_t v[] = {p->c,   p->oc,   pl->oh,    pl->ow,  p->kh,     p->kw,
                         sh,     sw,      p->dil_h,  p->dil_w, pl->hq,   pl->wq,
                         p->groups, n0 * p->groups};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_direct_epilogue(&a, p);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t tm = (size_t)pl->gemm.tm, tw = (size_t)gemm_panel_width(&pl->gemm);
    const size_t ocpg = (size_t)(p->oc / p->groups), q = (size_t)pl->oh * (size_t)pl->wq;
    const size_t mtiles = (ocpg + tm - 1) / tm, items = mtiles * (size_t)count * (size_t)p->groups;
    /* items of a short K (a first layer over 3 channels) take several tiles */
    const int32_t qtiles = (int32_t)((q + tw - 1) / tw);
    const int32_t k = p->c / p->groups * p->kh * p->kw;
    const int32_t per = gemm_cpu_item_panels(rt, (int64_t)items, qtiles, DIRECT_ITEM_K / k,
                                             (int64_t)ocpg, (int64_t)q);
    launch_grid3(out, mtiles, (size_t)((qtiles + per - 1) / per),
                 (size_t)count * (size_t)p->groups, 1);
    return CLINFER_OK;
}

clinfer_status conv_direct_launch(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, int32_t i, int32_t n0, int32_t count,
                                  const conv2d_buffers *b, op_launch *out)
{
    if (i % pl->per_chunk == 0 && pl->per_chunk == 2) /* the chunk's padded copy first */
        return conv_pad(rt, p, pl, n0, count, b->input, b->scratch, out);
    return conv_direct(rt, p, pl, n0, count, b, out);
}
