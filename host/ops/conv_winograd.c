/*
 * conv_winograd.c — the Winograd convolution (conv_winograd.h): plan,
 * weight transform, and the launches of kernels/conv_winograd.cl around
 * the GEMM core of ops/gemm.c.
 *
 * Scratch of a chunk (floats): the GEMM results M, (m + 2)^2 planes of
 * [OC, ncols] (the GEMM kernels write their output contiguously from the
 * start of the buffer), then V from voff (64-byte aligned) on, (m + 2)^2
 * planes of vstride floats. The GEMM reaches V through a second batch dim
 * of size 2 whose stride is voff and whose index is 1 for every B (bz0 =
 * (m + 2)^2), while A and M use index 0. Fused (wino_fused), there is no
 * M: V starts at 0.
 */
#include "conv_winograd.h"

#include <stdio.h>
#include <string.h>

/* Channels per work-item of the input and output transforms (WCB). */
#ifndef WINO_CB
#define WINO_CB 4
#endif
/* Input channels per item of the weight transform (kernels/conv_winograd.cl). */
#define WINO_WCB 16

/* V's planes on CPUs: a pitch of a multiple of 1024 floats plus 16, so
 * that the input transform's stores to the (m + 2)^2 planes fall in
 * different cache sets (ResNet-18's 64-channel layers at 56x56 had planes
 * of exactly 14 x 4 KiB: each store evicted the last; their input
 * transform took 170 -> 140 us) */
#define WINO_PLANE_PAD 16
static int64_t wino_plane_pitch(int64_t floats)
{
    return (floats + 1023) / 1024 * 1024 + WINO_PLANE_PAD;
}

/* Where the matrices of one chunk of `count` images live. */
typedef struct wino_layout {
    int32_t wm, wa2;        /* output tile size; (wm + 2)^2 GEMMs */
    int32_t tiles_w, tiles; /* tiles per output row and per image */
    int32_t ncols;          /* GEMM columns: count * tiles */
    int32_t pw;             /* V's panel width (ncols: row-major) */
    int32_t tmu;            /* U's panel height (OC: column-major) */
    int64_t ustride;        /* floats per plane of U */
    int64_t vstride, voff;  /* floats per plane of V; V's offset in scratch */
} wino_layout;

/* Output tiles of wm x wm per image. */
static int32_t tiles_of(int32_t oh, int32_t ow, int32_t wm)
{
    return ((oh + wm - 1) / wm) * ((ow + wm - 1) / wm);
}

static int cpu_gemm(const conv2d_plan *pl) { return pl->gemm.variant == GEMM_VARIANT_CPU; }

/* The most bytes of U and V one item of conv2d_winograd_fused may read:
 * (m + 2)^2 planes of C x (TM + TW) floats. An item's V panel serves the
 * next items (the other row panels) only while it stays in L2 beside the
 * U panels streaming through: ResNet-18's 56x56 layers (C 64, 368 KB)
 * went 0.96 -> 0.84 ms fused, its 28x28 (C 128, 737 KB) 0.70 -> 0.89 and
 * 14x14 (C 256, 885 KB) 0.65 -> 1.35 ms (one PoCL thread, 1 MB of L2). */
#define WINO_FUSED_MAX_BYTES ((int64_t)400 << 10)

/* Whether the GEMMs and the output transform run as one kernel
 * (conv2d_winograd_fused): with the cpu GEMM, whose packed U and V panels
 * it reads, in panels of 32 columns (the kernel's; layers of 16 or fewer
 * columns keep panels of 16 and three launches), where an item's panels
 * are small enough; M then has no place in scratch. */
static int wino_fused(const conv2d_params *p, const conv2d_plan *pl)
{
    const int64_t wa = pl->wm + 2, tw = gemm_panel_width(&pl->gemm);
    return cpu_gemm(pl) && tw == 32 &&
           wa * wa * p->c * (pl->gemm.tm + tw) * (int64_t)sizeof(float) <= WINO_FUSED_MAX_BYTES;
}

/* The convolution's output size of a fitting layer (3x3, stride 1,
 * dilation 1), before a fused max pool (the plan's oh and ow are after). */
static void out_size(const conv2d_params *p, int32_t *oh, int32_t *ow)
{
    *oh = p->h + p->pad_top + p->pad_bottom - 2;
    *ow = p->w + p->pad_left + p->pad_right - 2;
}

static wino_layout layout_of(const conv2d_params *p, const conv2d_plan *pl, int32_t count)
{
    wino_layout L;
    L.wm = pl->wm;
    L.wa2 = (pl->wm + 2) * (pl->wm + 2);
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    L.tiles_w = (ow + pl->wm - 1) / pl->wm;
    L.tiles = tiles_of(oh, ow, pl->wm);
    L.ncols = count * L.tiles;
    const int cpu = cpu_gemm(pl);
    L.pw = cpu ? gemm_panel_width(&pl->gemm) : L.ncols;
    L.tmu = cpu ? pl->gemm.tm : p->oc;
    L.ustride = cpu ? (int64_t)gemm_packed_a_floats(&pl->gemm, p->oc, p->c)
                    : (int64_t)p->oc * p->c;
    L.vstride = cpu ? wino_plane_pitch((int64_t)gemm_packed_floats(&pl->gemm, L.ncols, p->c))
                    : (int64_t)p->c * L.ncols;
    L.voff = wino_fused(p, pl) ? 0 : ((int64_t)L.wa2 * p->oc * L.ncols + 15) / 16 * 16;
    return L;
}

const char *conv_winograd_unfit(const conv2d_params *p)
{
    if (p->kh != 3 || p->kw != 3 || p->stride_h != 1 || p->stride_w != 1 || p->dil_h != 1 ||
        p->dil_w != 1 || p->groups != 1)
        return "needs a 3x3 kernel, stride 1, dilation 1 and groups 1";
    /* the input transform addresses its 16 patches (at most 17 images'
     * planes apart) with int offsets */
    if ((int64_t)p->c * p->h * p->w * 17 > INT32_MAX)
        return "needs C * H * W below 2^31 / 17";
    if (p->pool > 2)
        return "computes only a fused 2x2 max pool";
    return NULL;
}

/* GEMM columns (tiles of all images) below which F(4x4, 3x3) is not worth
 * it: each of its 36 GEMMs reads all of U (OC x C) for few columns, so it
 * runs at the speed of memory; F(2x2, 3x3) reads 16 planes for 4x the
 * columns. */
#define WINO_MIN_COLS 16

/* Measured with tests/bench/bench_kernels --conv on the ResNet-18 layers
 * (PoCL, 2 cores, cpu GEMM, batch 1; median ms, direct vs winograd in the
 * same run): 56x56 64->64 about 1.5x faster, 28x28 128->128 1.5-2x,
 * 14x14 256->256 about 1.7x, 7x7 512->512 (4 tiles of 4x4) slower with
 * F(4x4) and no faster with F(2x2) (AVX-512). With narrow vectors (AVX2,
 * one float16 per tile row) the direct 7x7 512->512 layers ran at 64-76
 * GFLOP/s and F(2x2)'s 16 tiles about 2x faster (2-core EPYC, ResNet-18
 * profile). The transforms cost per channel and tile what the GEMMs save
 * per pair of channels, so both channel counts must be large (32, or 16
 * in where the fused kernel runs the layer: below), and the GEMMs need
 * enough columns (WINO_MIN_COLS). */
int conv_winograd_preferred(const conv2d_params *p, int narrow_vectors)
{
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    const int64_t cols4 = (int64_t)p->n * tiles_of(oh, ow, 4);
    /* 16 input channels suffice where conv2d_winograd_fused runs the layer
     * (wide vectors, panels of 32 columns: more than 16 of them), which
     * spares the GEMMs' round trip through memory: SqueezeNet's 16 -> 64
     * 3x3 layers at 55x55 took 0.27 ms direct and 0.23 ms so (one PoCL
     * thread) */
    const int min_c = !narrow_vectors && cols4 > 16 ? 16 : 32;
    return p->c >= min_c && p->oc >= 32 &&
           (cols4 >= WINO_MIN_COLS ||
            (narrow_vectors && (int64_t)p->n * tiles_of(oh, ow, 2) >= WINO_MIN_COLS));
}

/* The output tile size: F(4x4, 3x3) does 4x fewer multiplications than
 * direct against 2.25x for F(2x2, 3x3); the smaller tile where the larger
 * gives too few GEMM columns (tiny images). */
static int32_t tile_size(const conv2d_params *p, int32_t oh, int32_t ow)
{
    return (int64_t)p->n * tiles_of(oh, ow, 4) >= WINO_MIN_COLS ? 4 : 2;
}

clinfer_status conv_winograd_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl)
{
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    pl->wm = tile_size(p, oh, ow);
    /* panels of 32 columns (measured faster than 48 on 56x56 layers), of
     * 16 where there are no more columns than that or where the tuned
     * tiles have one vector per row (narrow vectors: two would spill) */
    const int32_t tuned_nv = pl->gemm.nv;
    pl->gemm.nv = (int64_t)p->n * tiles_of(oh, ow, pl->wm) <= 16 || tuned_nv == 1 ? 1 : 2;
    const wino_layout one = layout_of(p, pl, 1);
    const int cpu = cpu_gemm(pl);
    /* per image: M and V; once: the panel rounding of V, its planes' pitch
     * (wino_plane_pitch) and voff's alignment */
    /* (floats in every precision: kernels/conv_winograd.cl) */
    const uint64_t m_channels = wino_fused(p, pl) ? 0 : (uint64_t)p->oc;
    const uint64_t per_image = (uint64_t)one.wa2 * (m_channels + (uint64_t)p->c) * one.tiles * 4;
    const uint64_t extra =
        (16 + (cpu ? (uint64_t)one.wa2 * (p->c * one.pw + 1023 + WINO_PLANE_PAD) : 0)) * 4;
    conv2d_plan_chunks(rt, p, pl, per_image, extra, wino_fused(p, pl) ? 2 : 3);
    /* the kernels index columns (and the GEMM its matrices) with ints */
    const int64_t cols = (int64_t)pl->chunk * one.tiles + one.pw;
    if (cols * (p->oc > p->c ? p->oc : p->c) > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv2d: winograd: %lld tiles of %d channels per chunk is too many",
                       (long long)cols, p->oc > p->c ? p->oc : p->c);
    pl->prep_count = 1;
    pl->persist_bytes = (uint64_t)one.wa2 * (uint64_t)one.ustride * sizeof(float);
    return CLINFER_OK;
}

/* Begins kernel `name` with its arguments from 0; launch_finish ends it.
 * One program per tile size and activation holds all three kernels
 * (kernels/conv_winograd.cl says why). */
static void wino_kernel(clinfer_runtime *rt, const conv2d_params *p, const conv2d_plan *pl,
                        const char *name, op_launch *out, karg *args)
{
    opts o = opts_none();
    opts_add(&o, "-DWM=%d -DWCB=%d -DACT=%d", (int)pl->wm, WINO_CB,
             (int)act_program(p->act).kind);
    if (p->pool > 1) /* the output transform stores 2x2 maxima (fused max pool) */
        opts_add(&o, "-DWPOOL=%d", (int)p->pool);
    /* rolled transform loops on CPUs: PoCL compiles them in a fraction of
     * the time, at the same speed (kernels/conv_winograd.cl) */
    opts_add(&o, "-DWINO_ROLLED=%d", rt->info.type == CLINFER_DEVICE_CPU ? 1 : 0);
    /* conv2d_winograd_fused's rows: U's panels (with the cpu GEMM, fused
     * or not, so that its layers share one program) */
    if (cpu_gemm(pl))
        opts_add(&o, "-DWINO_FUSED_TM=%d", (int)pl->gemm.tm);
    launch_begin(rt, out, "conv_winograd", &o, name, 0, args);
}

clinfer_status conv_winograd_prep(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, dev_tensor weight, cl_mem persist,
                                  op_launch *out)
{
    const wino_layout L = layout_of(p, pl, 1);
    karg a;
    wino_kernel(rt, p, pl, "conv2d_winograd_weights", out, &a);
    karg_tensor(&a, weight);
    karg_buffer(&a, persist);
    karg_int(&a, p->c);
    karg_int(&a, p->oc);
    karg_int(&a, L.tmu);
    karg_long(&a, L.ustride);
    /* output channels per item: a panel's rows on CPUs (one work-item per
     * work-group there), one on GPUs (tmu = OC: one panel) */
    const int32_t ocb = cpu_gemm(pl) ? L.tmu : 1;
    karg_int(&a, ocb);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK) /* rows up to the end of the last panel: zeros past OC */
        launch_grid3(out, (size_t)(p->c + WINO_WCB - 1) / WINO_WCB,
                     (size_t)((p->oc + L.tmu - 1) / L.tmu * L.tmu / ocb), 1, conv2d_local_x(rt));
    return st;
}

static clinfer_status wino_input(clinfer_runtime *rt, const conv2d_params *p,
                                 const conv2d_plan *pl, const wino_layout *L, int32_t n0,
                                 dev_tensor input, cl_mem scratch, op_launch *out)
{
    karg a;
    wino_kernel(rt, p, pl, "conv2d_winograd_input", out, &a);
    karg_tensor(&a, input);
    karg_buffer(&a, scratch);
    const int32_t v[] = {p->c,       p->h,     p->w,     p->pad_top, p->pad_left,
                         L->tiles_w, L->tiles, L->ncols, L->pw};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_long(&a, L->vstride);
    karg_long(&a, L->voff);
    karg_int(&a, n0);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK) {
        const size_t cols = (size_t)(L->ncols + L->pw - 1) / (size_t)L->pw * (size_t)L->pw;
        launch_grid3(out, (cols + 15) / 16, ((size_t)p->c + WINO_CB - 1) / WINO_CB, 1,
                     conv2d_local_x(rt));
    }
    return st;
}

static clinfer_status wino_gemm(clinfer_runtime *rt, const conv2d_params *p,
                                const conv2d_plan *pl, const wino_layout *L, cl_mem scratch,
                                cl_mem persist, op_launch *out)
{
    gemm_geometry g = gemm_geometry_plain(p->oc, L->ncols, p->c);
    if (cpu_gemm(pl))
        g.a_packed = 1;
    else /* U column-major, V row-major */
        g.a_rs = 1, g.a_ks = p->oc;
    g.nbatch = 2;
    g.bd[0] = L->wa2, g.as[0] = L->ustride, g.bs[0] = L->vstride;
    g.bd[1] = 2, g.as[1] = 0, g.bs[1] = L->voff; /* index 1 (bz0) for B only */
    g.batch = (size_t)L->wa2;
    g.bz0 = L->wa2;
    g.float_storage = 1; /* U, V and M: floats in every precision */
    act_params none;
    memset(&none, 0, sizeof none);
    clinfer_status st = gemm_core_prepare(rt, &pl->gemm, &g, 0, 1.0f, 0.0f, none, out);
    if (st == CLINFER_OK)
        st = gemm_core_bind(rt, out, dev_whole(persist), dev_whole(scratch), dev_whole(NULL),
                            dev_whole(scratch), dev_whole(NULL));
    return st;
}

/* The arguments the output transform's kernels end with: bias, Y, R, the
 * convolution's size and the stored one (pooled with a fused pool), the
 * tiles, the activation's parameters and has_bias, has_res. */
static void karg_output_tail(karg *a, const conv2d_params *p, const conv2d_plan *pl,
                             const wino_layout *L, int32_t n0, const conv2d_buffers *b)
{
    karg_tensor(a, p->has_bias ? b->bias : dev_whole(NULL));
    karg_tensor(a, b->output);
    karg_tensor(a, p->has_residual ? b->residual : dev_whole(NULL));
    int32_t oh, ow;
    out_size(p, &oh, &ow);
    const int32_t v[] = {p->oc, oh, ow, L->tiles_w, L->tiles, L->ncols, n0, pl->oh, pl->ow};
    karg_ints(a, v, (int)(sizeof v / sizeof v[0]));
    const act_params act = act_program(p->act); /* as wino_kernel built it */
    karg_float(a, act.a);
    karg_float(a, act.b);
    karg_int(a, p->has_bias ? 1 : 0); /* arguments, not options: one program */
    karg_int(a, p->has_residual ? 1 : 0);
}

static clinfer_status wino_output(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, const wino_layout *L, int32_t n0,
                                  const conv2d_buffers *b, op_launch *out)
{
    karg a;
    wino_kernel(rt, p, pl, "conv2d_winograd_output", out, &a);
    karg_buffer(&a, b->scratch);
    karg_output_tail(&a, p, pl, L, n0, b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid3(out, ((size_t)L->ncols + 15) / 16, ((size_t)p->oc + WINO_CB - 1) / WINO_CB,
                     1, conv2d_local_x(rt));
    return st;
}

/* The GEMMs and the output transform in one launch (wino_fused): a grid
 * of U's row panels (x) by V's column panels. */
static clinfer_status wino_gemm_output(clinfer_runtime *rt, const conv2d_params *p,
                                       const conv2d_plan *pl, const wino_layout *L, int32_t n0,
                                       const conv2d_buffers *b, op_launch *out)
{
    karg a;
    wino_kernel(rt, p, pl, "conv2d_winograd_fused", out, &a);
    karg_buffer(&a, b->persist);
    karg_long(&a, L->ustride);
    karg_buffer(&a, b->scratch);
    karg_long(&a, L->vstride);
    karg_int(&a, p->c);
    karg_output_tail(&a, p, pl, L, n0, b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid3(out, ((size_t)p->oc + L->tmu - 1) / L->tmu,
                     ((size_t)L->ncols + L->pw - 1) / L->pw, 1, conv2d_local_x(rt));
    return st;
}

clinfer_status conv_winograd_launch(clinfer_runtime *rt, const conv2d_params *p,
                                    const conv2d_plan *pl, int32_t step, int32_t n0,
                                    int32_t count, const conv2d_buffers *b, op_launch *out)
{
    const wino_layout L = layout_of(p, pl, count);
    switch (step) {
    case 0:
        return wino_input(rt, p, pl, &L, n0, b->input, b->scratch, out);
    case 1:
        return wino_fused(p, pl) ? wino_gemm_output(rt, p, pl, &L, n0, b, out)
                              : wino_gemm(rt, p, pl, &L, b->scratch, b->persist, out);
    default:
        return wino_output(rt, p, pl, &L, n0, b, out);
    }
}
