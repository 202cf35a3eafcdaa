/*
 * conv2d.c — 2-D convolution: validation, output shape, the choice of
 * algorithm per layer and the launches of kernels/conv2d.cl (plus the GEMM
 * core of ops/gemm.c); the direct, depthwise, pooled, stem and Winograd
 * algorithms have files of their own (conv_direct.c, ...). In every kernel
 * the buffers come first (bound per run), then the shape scalars (set
 * once).
 */
#include "conv2d.h"
#include "conv_depthwise.h"
#include "conv_direct.h"
#include "conv_implicit.h"
#include "conv_pooled.h"
#include "conv_stem.h"
#include "conv_winograd.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The output size after p's window pool over an h x w conv output. */
static clinfer_status window_pool_size(clinfer_runtime *rt, const conv2d_params *p, int64_t h,
                                       int64_t w, int32_t *oh, int32_t *ow)
{
    if (p->pool > 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: a fused pool of %dx%d windows and a window pool both", p->pool,
                       p->pool);
    if (h > INT32_MAX || w > INT32_MAX)
        return err_set(rt, CLINFER_ERR_SHAPE, "conv2d: a conv output of %lldx%lld is too large",
                       (long long)h, (long long)w);
    pool2d_params pp = p->window_pool;
    pp.n = p->n, pp.c = p->oc, pp.h = (int32_t)h, pp.w = (int32_t)w;
    clinfer_shape pooled;
    clinfer_status st = pool2d_output_shape(rt, &pp, &pooled);
    if (st != CLINFER_OK)
        return st;
    *oh = (int32_t)pooled.dims[2];
    *ow = (int32_t)pooled.dims[3];
    return CLINFER_OK;
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
    if (p->has_residual && p->groups != 1)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv2d: a fused residual needs groups 1, found groups=%d", p->groups);
    int64_t h = conv_extent(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, p->dil_h);
    int64_t w = conv_extent(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, p->dil_w);
    if (h < 1 || w < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv2d: kernel %dx%d (dilation %d, %d) is larger than the padded input "
                       "%dx%d",
                       p->kh, p->kw, p->dil_h, p->dil_w, p->h + p->pad_top + p->pad_bottom,
                       p->w + p->pad_left + p->pad_right);
    if (p->window_pool.kh > 0)
        return window_pool_size(rt, p, h, w, oh, ow);
    if (p->pool > 1 && (h < p->pool || w < p->pool))
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv2d: a fused %dx%d max pool needs a conv output of at least that "
                       "size, found %lldx%lld",
                       p->pool, p->pool, (long long)h, (long long)w);
    *oh = (int32_t)(p->pool > 1 ? h / p->pool : h);
    *ow = (int32_t)(p->pool > 1 ? w / p->pool : w);
    return CLINFER_OK;
}

clinfer_status conv2d_naive_prepare(clinfer_runtime *rt, const conv2d_params *p, op_launch *out)
{
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv2d_output_size(rt, p, &oh, &ow);
    if (st != CLINFER_OK)
        return st;
    opts o = opts_none();
    opts_add(&o, "-DCONV2D_KERNELS=CONV2D_NAIVE -DACT=%d", (int)p->act.kind);
    karg a;
    launch_begin(rt, out, "conv2d", &o, "conv2d_naive", KARG_AFTER_TENSORS(5), &a);
    karg_int(&a, p->c);
    karg_int(&a, p->h);
    karg_int(&a, p->w);
    karg_int(&a, p->oc);
    karg_int(&a, oh);
    karg_int(&a, ow);
    const int32_t window[8] = {p->kh,      p->kw,       p->stride_h, p->stride_w,
                               p->pad_top, p->pad_left, p->dil_h,    p->dil_w};
    karg_ints(&a, window, 8);
    karg_int(&a, p->groups);
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    karg_int(&a, p->has_bias ? 1 : 0);
    karg_int(&a, p->has_residual ? 1 : 0);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)ow, (size_t)oh, (size_t)p->n * (size_t)p->oc, 8);
    return CLINFER_OK;
}

clinfer_status conv2d_naive_bind(clinfer_runtime *rt, op_launch *l, dev_tensor input,
                                 dev_tensor weight, dev_tensor bias, dev_tensor residual,
                                 dev_tensor output)
{
    const dev_tensor t[] = {input, weight, bias, output, residual}; /* the kernel's order */
    karg a = launch_args(l, 0);
    karg_tensors(&a, t, 5);
    return launch_finish(rt, l, &a);
}

/* ------------------------------------------------------------ algorithms */

static const char *const algo_names[CONV2D_ALGO_COUNT] = {
    "auto",      "naive",  "direct", "im2col", "gemm1x1", "winograd",
    "depthwise", "pooled", "fc",     "stem",    "implicit"};

const char *conv2d_algo_name(conv2d_algo a)
{
    return a >= 0 && a < CONV2D_ALGO_COUNT ? algo_names[a] : "unknown";
}

/* Whether the runtime's GEMM is variant v: the forced one, else cpu on
 * CPUs and gpu elsewhere. */
static int gemm_chosen(const clinfer_runtime *rt, gemm_variant v)
{
    if (rt->config.gemm_variant >= 0)
        return rt->config.gemm_variant == (int)v;
    return v == (rt->info.type == CLINFER_DEVICE_CPU ? GEMM_VARIANT_CPU : GEMM_VARIANT_GPU);
}

int conv2d_blocked_layout_ok(const clinfer_runtime *rt)
{
    const int cpu_gemm = gemm_chosen(rt, GEMM_VARIANT_CPU);
    const int cpu_depthwise = rt->config.depthwise_variant == CONFIG_AUTO
                                  ? rt->info.type == CLINFER_DEVICE_CPU
                                  : rt->config.depthwise_variant == CONFIG_DEPTHWISE_CPU;
    return cpu_gemm && cpu_depthwise && !gemm_cpu_vectors_narrow(rt) &&
           rt->config.conv_algo == CONV2D_ALGO_AUTO;
}

int conv2d_window_pool_fused(const clinfer_runtime *rt, const conv2d_params *p)
{
    const conv2d_algo a = rt->config.conv_algo;
    return p->window_pool.kh > 0 && gemm_chosen(rt, GEMM_VARIANT_CPU) &&
           (a == CONV2D_ALGO_AUTO || a == CONV2D_ALGO_STEM) && !conv_stem_unfit(p);
}

int conv2d_pooled_too_long(const conv2d_params *p)
{
    return (int64_t)(p->c / p->groups) * p->kh * p->kw > CONV2D_POOLED_MAX_K;
}

/* Why a cannot read or write the channel-blocked layout p asks for; NULL
 * where it can. */
static const char *blocked_unfit(const conv2d_params *p, conv2d_algo a)
{
    if (!p->in_blocked && !p->out_blocked)
        return NULL;
    if ((p->in_blocked && p->c % 16) || (p->out_blocked && p->oc % 16))
        return "needs channel counts that are multiples of 16 for the blocked layout";
    /* gemm1x1 transposed writes it: rows = pixels, at least a tile of them */
    if (a == CONV2D_ALGO_GEMM1X1 && !p->in_blocked && !p->has_scale && !p->has_residual &&
        (int64_t)p->h * p->w >= 16)
        return NULL;
    /* depthwise reads it (conv2d_depthwise_c16), writing NCHW */
    if (a == CONV2D_ALGO_DEPTHWISE && !p->out_blocked && p->kh == p->kw &&
        (p->kh == 3 || p->kh == 5) && p->stride_h == p->stride_w && p->stride_h <= 2 &&
        p->dil_h == 1 && p->dil_w == 1)
        return NULL;
    return "does not read or write the channel-blocked layout this way";
}

const char *conv2d_algo_unfit(const conv2d_params *p, conv2d_algo a)
{
    const char *blocked = a == CONV2D_ALGO_AUTO ? NULL : blocked_unfit(p, a);
    if (blocked)
        return blocked;
    if (p->window_pool.kh > 0 && a != CONV2D_ALGO_AUTO && a != CONV2D_ALGO_STEM)
        return "does not compute a fused max pool of overlapping or padded windows";
    if (p->pool > 1 && a != CONV2D_ALGO_AUTO && a != CONV2D_ALGO_POOLED &&
        a != CONV2D_ALGO_WINOGRAD && a != CONV2D_ALGO_DIRECT)
        return "does not compute a fused max pool";
    if (p->pool > 1 && a == CONV2D_ALGO_DIRECT)
        return p->groups == 1 && p->stride_h == 1 && p->stride_w == 1 && !p->has_residual
                   ? NULL
                   : "computes a fused max pool only with groups and stride 1 and no residual";
    switch (a) {
    case CONV2D_ALGO_AUTO:
    case CONV2D_ALGO_NAIVE:
    case CONV2D_ALGO_IM2COL:
    case CONV2D_ALGO_DIRECT:
    case CONV2D_ALGO_IMPLICIT: /* the gpu GEMM variant: conv_implicit_plan */
        return NULL;
    case CONV2D_ALGO_GEMM1X1:
        return p->kh == 1 && p->kw == 1 && p->stride_h == 1 && p->stride_w == 1 &&
                       p->pad_top == 0 && p->pad_left == 0 && p->pad_bottom == 0 &&
                       p->pad_right == 0
                   ? NULL
                   : "needs a 1x1 kernel, stride 1 and no padding";
    case CONV2D_ALGO_POOLED:
        if (p->pool != 2 && p->pool != 3)
            return "needs a fused 2x2 or 3x3 max pool";
        return p->groups == 1 && p->stride_h == 1 && p->stride_w == 1 && p->dil_h == 1 &&
                       p->dil_w == 1 && p->kh <= 5 && p->kw <= 5 && !p->has_residual
                   ? NULL
                   : "needs groups, stride and dilation 1, a kernel up to 5x5 and no residual";
    case CONV2D_ALGO_DEPTHWISE:
        if (p->has_residual)
            return "has no residual epilogue";
        return p->groups == p->c && p->oc == p->c ? NULL : "needs groups == C == OC";
    case CONV2D_ALGO_WINOGRAD:
        return conv_winograd_unfit(p);
    case CONV2D_ALGO_FC:
        return p->groups == 1 && p->h == p->kh && p->w == p->kw && p->dil_h == 1 &&
                       p->dil_w == 1 && p->pad_top == 0 && p->pad_left == 0 &&
                       p->pad_bottom == 0 && p->pad_right == 0
                   ? NULL
                   : "needs groups 1, no padding and a kernel the size of the input";
    case CONV2D_ALGO_STEM:
        return conv_stem_unfit(p);
    case CONV2D_ALGO_COUNT:
        break;
    }
    return "is not an algorithm";
}

/* Fills the chunking of `pl` for `per_image` scratch bytes per image plus
 * `extra` once, with `per_chunk` launches per chunk. */
static void plan_chunks(const clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl,
                        uint64_t per_image, uint64_t extra, int32_t per_chunk)
{
    uint64_t cap = rt->config.conv_scratch_cap;
    uint64_t fit = per_image > 0 ? cap / per_image : (uint64_t)p->n;
    pl->chunk = fit < 1 ? 1 : fit > (uint64_t)p->n ? p->n : (int32_t)fit;
    pl->per_chunk = per_chunk;
    pl->launch_count = (p->n + pl->chunk - 1) / pl->chunk * per_chunk;
    pl->scratch_bytes = per_image > 0 ? per_image * (uint64_t)pl->chunk + extra : 0;
}

void conv2d_plan_chunks(const clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *pl,
                        uint64_t per_image, uint64_t extra, int32_t per_chunk)
{
    plan_chunks(rt, p, pl, per_image, extra, per_chunk);
}

/* The GEMM of im2col and gemm1x1 on GPUs: K split when the product's tiles
 * would leave compute units idle (gemm_config_for_product); one more launch
 * per chunk then adds the partial sums. */
static clinfer_status plan_split(clinfer_runtime *rt, const conv2d_params *p, int32_t ocpg,
                                 int64_t ohw, int64_t k, conv2d_plan *out)
{
    if (out->gemm.variant != GEMM_VARIANT_GPU)
        return CLINFER_OK;
    clinfer_status st = gemm_config_for_product(rt, ocpg, ohw, k, (int64_t)p->n * p->groups, 1,
                                                &out->gemm);
    out->split = st == CLINFER_OK && out->gemm.splits > 1;
    return st;
}

/* Floats of partial sums per image (split K), else 0. */
static uint64_t partial_per_image(const conv2d_params *p, const conv2d_plan *pl, int32_t ocpg,
                                  int64_t ohw)
{
    return pl->split ? (uint64_t)pl->gemm.splits * (uint64_t)p->groups * (uint64_t)ocpg *
                           (uint64_t)ohw
                     : 0;
}

/* fc: one product of M = N images, N = OC, K = C * KH * KW, tiled for
 * that shape; with the cpu GEMM the weights are read packed as B' (their
 * transpose) from persist, the others read them in place. */
static clinfer_status plan_fc(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out)
{
    const int64_t k = (int64_t)p->c * p->kh * p->kw;
    clinfer_status st = gemm_config_for_product(rt, p->n, p->oc, k, 1, 0, &out->gemm);
    if (st == CLINFER_OK && out->gemm.variant == GEMM_VARIANT_CPU) {
        out->prep_count = 1;
        out->persist_bytes = gemm_packed_floats(&out->gemm, p->oc, k) * rt_elem_bytes(rt);
    }
    return st;
}

/* Whether gemm1x1 with the cpu GEMM should compute X^T W^T: its rows
 * (pixels, TM at a time) and columns (output channels in panels) waste at
 * least 5% fewer lanes than the panels over OH * OW of W X (7x7: 49 of 49
 * rows against 49 of 64 columns; 14x14: 196 of 200 against 196 of 224),
 * and K is long enough to pay for the transposed epilogue, which reads
 * the tile across its rows (with K 80-192, EfficientNet-B0's expansions
 * at 7x7 and 14x14 ran up to 1.6x slower transposed; 320 -> 1280 at 7x7
 * went 0.134 -> 0.122 ms, ResNet-50's 1x1 layers at 7x7 gained 3%); from
 * POINTWISE_TRANSPOSED_EXACT_K where the rows fill whole tiles (7x7 in
 * tiles of 7: MobileNetV2's 160 -> 960 0.074 -> 0.064 ms; its 96 -> 576
 * at 14x14, 196 rows in 200, went 0.074 -> 0.085 and stay as they are).
 * An input scale goes along: B_SCALE scales row k of W^T, channel k's
 * weights (EfficientNet-B0's projections after its squeeze-excitation
 * gates, which ran untransposed before). */
#define POINTWISE_TRANSPOSED_MIN_K 256
#define POINTWISE_TRANSPOSED_EXACT_K 128

/* The transposed product's rows per tile: the GEMM's TM, or one or two
 * fewer where that computes at least 10% fewer rows (7x7 images: exact
 * tiles of 7, 49 rows instead of 56; ResNet-50's three 512 -> 2048 at 7x7
 * 1.20 -> 1.03 ms, bench --profile). A smaller tile is slower per row:
 * SqueezeNet's classifier (169 rows, 176 in tiles of 8, 175 of 7) took
 * 0.44 ms with 8, 0.48 with 7, 0.49 with 6. */
static int32_t pointwise_rows_tile(const gemm_config *cfg, int64_t ohw)
{
    const int64_t rows = (ohw + cfg->tm - 1) / cfg->tm * cfg->tm;
    int32_t best = cfg->tm;
    int64_t best_rows = rows;
    for (int32_t tm = cfg->tm - 1; tm >= cfg->tm - 2 && tm >= 1; tm--) {
        const int64_t r = (ohw + tm - 1) / tm * tm;
        if (r < best_rows && r * 10 <= rows * 9)
            best = tm, best_rows = r;
    }
    return best;
}

static int pointwise_transposed_pays(const conv2d_params *p, const gemm_config *cfg, int64_t ohw)
{
    const int64_t tw = gemm_panel_width(cfg), tm = pointwise_rows_tile(cfg, ohw);
    const int64_t min_k =
        ohw % tm == 0 ? POINTWISE_TRANSPOSED_EXACT_K : POINTWISE_TRANSPOSED_MIN_K;
    if (p->groups != 1 || ohw < tm || p->c < min_k)
        return 0;
    const double plain = (double)ohw / (double)((ohw + tw - 1) / tw * tw);
    const double rows = (double)ohw / (double)((ohw + tm - 1) / tm * tm);
    const double cols = (double)p->oc / (double)((p->oc + tw - 1) / tw * tw);
    return rows * cols > plain * 1.05;
}

clinfer_status conv2d_plan_algo(clinfer_runtime *rt, const conv2d_params *p, conv2d_algo algo,
                                conv2d_plan *out)
{
    memset(out, 0, sizeof *out);
    clinfer_status st = conv2d_output_size(rt, p, &out->oh, &out->ow);
    if (st != CLINFER_OK)
        return st;
    if (!act_kind_valid(p->act.kind))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: act.kind %d is not a known activation", (int)p->act.kind);
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int64_t ohw = (int64_t)out->oh * out->ow;
    if (algo == CONV2D_ALGO_AUTO || algo == CONV2D_ALGO_IM2COL || algo == CONV2D_ALGO_GEMM1X1 ||
        algo == CONV2D_ALGO_DIRECT || algo == CONV2D_ALGO_WINOGRAD) { /* fc: plan_fc */
        st = gemm_config_for_product(rt, ocpg, ohw, (int64_t)cpg * p->kh * p->kw,
                                     (int64_t)p->n * groups, 0, &out->gemm);
        if (st != CLINFER_OK)
            return st;
    }
    if (algo == CONV2D_ALGO_AUTO && (p->in_blocked || p->out_blocked))
        algo = p->groups > 1 ? CONV2D_ALGO_DEPTHWISE : CONV2D_ALGO_GEMM1X1;
    if (algo == CONV2D_ALGO_AUTO) {
        if (p->window_pool.kh > 0) /* only the stem computes it */
            algo = CONV2D_ALGO_STEM;
        else if (p->pool > 1) /* winograd where it pays (a fused 2x2 pool), else pooled */
            algo = out->gemm.variant == GEMM_VARIANT_CPU &&
                           !conv2d_algo_unfit(p, CONV2D_ALGO_WINOGRAD) &&
                           conv_winograd_preferred(p, gemm_cpu_vectors_narrow(rt))
                       ? CONV2D_ALGO_WINOGRAD
                   : conv2d_pooled_too_long(p) && out->gemm.variant == GEMM_VARIANT_CPU &&
                           !conv2d_algo_unfit(p, CONV2D_ALGO_DIRECT)
                       ? CONV2D_ALGO_DIRECT /* direct_t's DT_POOL */
                       : CONV2D_ALGO_POOLED;
        else if (out->gemm.variant == GEMM_VARIANT_CPU && !conv2d_algo_unfit(p, CONV2D_ALGO_FC))
            algo = CONV2D_ALGO_FC;
        else if (!conv2d_algo_unfit(p, CONV2D_ALGO_DEPTHWISE))
            algo = CONV2D_ALGO_DEPTHWISE;
        else if (!conv2d_algo_unfit(p, CONV2D_ALGO_GEMM1X1))
            algo = CONV2D_ALGO_GEMM1X1;
        else if (out->gemm.variant == GEMM_VARIANT_CPU && !conv2d_algo_unfit(p, CONV2D_ALGO_STEM))
            algo = CONV2D_ALGO_STEM; /* beats direct wherever it fits (conv_stem.h) */
        else if (out->gemm.variant == GEMM_VARIANT_CPU &&
                 !conv2d_algo_unfit(p, CONV2D_ALGO_WINOGRAD) &&
                 conv_winograd_preferred(p, gemm_cpu_vectors_narrow(rt)))
            algo = CONV2D_ALGO_WINOGRAD;
        else if (out->gemm.variant == GEMM_VARIANT_CPU)
            algo = CONV2D_ALGO_DIRECT; /* a strided 1x1 too: one_phase */
        else
            algo = CONV2D_ALGO_IM2COL;
    }
    const char *why = conv2d_algo_unfit(p, algo);
    if (why)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv2d: algorithm %s %s (kernel %dx%d, stride %d,%d, padding %d,%d,%d,%d, "
                       "groups %d, C %d, OC %d)",
                       conv2d_algo_name(algo), why, p->kh, p->kw, p->stride_h, p->stride_w,
                       p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, groups, p->c, p->oc);
    out->algo = algo;
    out->per_chunk = 1;
    out->launch_count = 1;
    out->chunk = p->n;
    const int cpu = out->gemm.variant == GEMM_VARIANT_CPU;
    if (algo == CONV2D_ALGO_DIRECT && !cpu) { /* forced beside another GEMM variant */
        out->gemm.tm = 8;
        out->gemm.nv = 2;
    }
    if (algo == CONV2D_ALGO_DIRECT ||
        (cpu && (algo == CONV2D_ALGO_IM2COL || algo == CONV2D_ALGO_GEMM1X1))) {
        const int64_t k = (int64_t)cpg * p->kh * p->kw;
        out->prep_count = 1;
        out->persist_bytes =
            (uint64_t)groups * gemm_packed_a_floats(&out->gemm, ocpg, k) * rt_elem_bytes(rt);
    }
    switch (algo) {
    case CONV2D_ALGO_IM2COL: {
        const int64_t k = (int64_t)cpg * p->kh * p->kw;
        st = plan_split(rt, p, ocpg, ohw, k, out);
        if (st != CLINFER_OK)
            return st;
        out->pw = cpu ? gemm_panel_width(&out->gemm) : (int32_t)ohw;
        const int64_t cols = (ohw + out->pw - 1) / out->pw * out->pw;
        if (k * cols > INT32_MAX)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "conv2d: im2col matrix of %lld x %lld is too large", (long long)k,
                           (long long)cols);
        /* the lowered chunk (storage elements), then the split K partial sums
         * (float in every precision) from the next 16-byte boundary */
        const uint64_t lowered = (uint64_t)(groups * k * cols) * rt_elem_bytes(rt);
        plan_chunks(rt, p, out, lowered + partial_per_image(p, out, ocpg, ohw) * sizeof(float),
                    out->split ? 16 : 0, 2 + out->split);
        out->partial_offset = (lowered * (uint64_t)out->chunk + 15) / 16 * 4;
        break;
    }
    case CONV2D_ALGO_GEMM1X1:
        if (!cpu && p->out_blocked)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "conv2d: the channel-blocked layout needs the cpu GEMM");
        if (cpu && (p->out_blocked || /* X read in place */
                    pointwise_transposed_pays(p, &out->gemm, ohw))) {
            out->transposed = 1;
            out->gemm.tm = pointwise_rows_tile(&out->gemm, ohw);
            out->persist_bytes = gemm_packed_floats(&out->gemm, p->oc, p->c) * rt_elem_bytes(rt);
            out->scale_fused = p->has_scale; /* B = W^T: row k is input channel k */
            break;
        }
        st = plan_split(rt, p, ocpg, ohw, cpg, out);
        if (st != CLINFER_OK)
            return st;
        out->b_in_place = !cpu || gemm_b_in_place_ok(&out->gemm, (int32_t)ohw, ohw);
        if (!out->b_in_place)
            plan_chunks(rt, p, out,
                        (uint64_t)groups * gemm_packed_floats(&out->gemm, ohw, cpg) *
                            rt_elem_bytes(rt),
                        0, 2);
        else if (out->split) /* the partial sums only */
            plan_chunks(rt, p, out, partial_per_image(p, out, ocpg, ohw) * sizeof(float), 0, 2);
        out->scale_fused =
            p->has_scale && cpu && out->b_in_place && groups == 1 && !out->split;
        break;
    case CONV2D_ALGO_DIRECT:
        return conv_direct_plan(rt, p, out);
    case CONV2D_ALGO_WINOGRAD:
        return conv_winograd_plan(rt, p, out);
    case CONV2D_ALGO_DEPTHWISE:
        return conv_depthwise_plan(rt, p, out);
    case CONV2D_ALGO_FC:
        return plan_fc(rt, p, out);
    case CONV2D_ALGO_IMPLICIT:
        return conv_implicit_plan(rt, p, out);
    default:
        break;
    }
    return CLINFER_OK;
}

clinfer_status conv2d_plan_make(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out)
{
    conv2d_algo algo = (conv2d_algo)rt->config.conv_algo; /* forced, or auto (config.h) */
    const char *why = conv2d_algo_unfit(p, algo);
    if (!why && algo == CONV2D_ALGO_IMPLICIT && !gemm_chosen(rt, GEMM_VARIANT_GPU))
        why = "needs the gpu GEMM variant"; /* conv_implicit_plan */
    if (why) {
        rt_log(rt, CLINFER_LOG_WARNING,
               "conv2d: CLINFER_CONV_ALGO=%s %s for a %dx%d stride %d,%d layer (groups %d); "
               "choosing automatically",
               algo_names[algo], why, p->kh, p->kw, p->stride_h, p->stride_w, p->groups);
        algo = CONV2D_ALGO_AUTO;
    }
    return conv2d_plan_algo(rt, p, algo, out);
}

/* ------------------------------------------------------------ launches */

size_t conv2d_local_x(const clinfer_runtime *rt)
{
    return rt->info.type == CLINFER_DEVICE_CPU ? 1 : 32;
}

/* gemm1x1 transposed: Y[n]^T [OH * OW, OC] = X[n]^T W^T per image, X^T
 * read in place (element (pixel, c) at c * OH * OW + pixel), W^T packed in
 * persist, bias per column, Y and the residual stored transposed (NCHW). */
static clinfer_status conv_gemm_transposed(clinfer_runtime *rt, const conv2d_params *p,
                                           const conv2d_plan *pl, const conv2d_buffers *buf,
                                           op_launch *out)
{
    const int32_t ohw = pl->oh * pl->ow;
    gemm_geometry g = gemm_geometry_plain(ohw, p->oc, p->c);
    g.a_rs = 1, g.a_ks = ohw;
    g.b_ks = 1, g.b_ns = p->c; /* W^T: read packed */
    g.c_rs = 0, g.c_cs = 1;
    g.nbatch = 1, g.bd[0] = p->n, g.as[0] = (int64_t)p->c * ohw;
    g.batch = (size_t)p->n;
    g.has_residual = p->has_residual;
    g.y_transposed = !p->out_blocked;
    g.y_blocked16 = p->out_blocked;
    g.b_scaled = pl->scale_fused; /* row k of W^T scaled by the image's s[k] */
    clinfer_status st = gemm_core_prepare(rt, &pl->gemm, &g, p->has_bias, 1.0f, 1.0f, p->act, out);
    if (st == CLINFER_OK)
        st = gemm_core_bind(rt, out, buf->input, dev_whole(buf->persist),
                            p->has_bias ? buf->bias : dev_whole(NULL), buf->output,
                            p->has_residual ? buf->residual : dev_whole(NULL));
    if (st == CLINFER_OK && g.b_scaled)
        st = gemm_scale_bind(rt, out, buf->scale);
    return st;
}

/* The GEMM of images [n0, n0 + count) for im2col, gemm1x1 and implicit: W
 * [OC/g, K] times B [K, OH * OW] per image and group, bias per row; with
 * split K, the product into partial sums (reduce 0) or their sum (reduce
 * 1); the transposed gemm1x1 above. */
static clinfer_status conv_gemm(clinfer_runtime *rt, const conv2d_params *p,
                                const conv2d_plan *pl, int32_t n0, int32_t count,
                                const conv2d_buffers *buf, int reduce, op_launch *out)
{
    if (pl->transposed)
        return conv_gemm_transposed(rt, p, pl, buf, out);
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int32_t ohw = pl->oh * pl->ow;
    const int32_t k = pl->algo == CONV2D_ALGO_GEMM1X1 ? cpg : cpg * p->kh * p->kw;
    gemm_geometry g = gemm_geometry_plain(ocpg, ohw, k);
    g.c_rs = 1, g.c_cs = 0;
    g.nbatch = 2;
    g.bd[0] = groups, g.as[0] = (int64_t)ocpg * k, g.cs[0] = ocpg;
    dev_tensor a = buf->weight;
    if (pl->prep_count > 0) { /* the weights packed by conv2d_prep_launch */
        g.a_packed = 1;
        g.as[0] = (int64_t)gemm_packed_a_floats(&pl->gemm, ocpg, k);
        a = dev_whole(buf->persist);
    }
    g.has_residual = p->has_residual; /* in Y's layout: [N * groups, OC / groups, OH * OW] */
    g.bd[1] = p->n, g.as[1] = 0, g.cs[1] = 0;
    g.batch = (size_t)count * (size_t)groups;
    g.z0 = n0 * groups;
    dev_tensor b = dev_whole(buf->scratch);
    if ((pl->algo == CONV2D_ALGO_GEMM1X1 && pl->b_in_place) || pl->algo == CONV2D_ALGO_IMPLICIT) {
        /* X [N, C, H * W] itself: B' (gemm1x1), or B' gathered from it (implicit) */
        const int64_t hw = (int64_t)p->h * p->w;
        g.bs[0] = (int64_t)cpg * hw, g.bs[1] = (int64_t)p->c * hw;
        g.bz0 = g.z0;
        if (pl->algo == CONV2D_ALGO_IMPLICIT) {
            conv_implicit_gather(p, pl, &g);
        } else {
            g.b_ks = (int32_t)hw, g.b_ns = 1;
            g.b_in_place = 1;
            g.b_scaled = pl->scale_fused; /* groups 1: batch index = image */
        }
        b = buf->input;
    } else { /* the chunk in scratch: packed (cpu) or row-major [K, OHW] */
        const int64_t per = pl->gemm.variant == GEMM_VARIANT_CPU
                                ? (int64_t)gemm_packed_floats(&pl->gemm, ohw, k)
                                : (int64_t)k * ohw;
        g.b_ks = ohw, g.b_ns = 1;
        g.bs[0] = per, g.bs[1] = per * groups;
    }
    act_params act = p->act;
    clinfer_status st =
        reduce ? gemm_reduce_prepare(rt, &pl->gemm, &g, p->has_bias, 1.0f, 1.0f, act, out)
               : gemm_core_prepare(rt, &pl->gemm, &g, p->has_bias, 1.0f, 1.0f, act, out);
    if (st == CLINFER_OK)
        st = gemm_core_bind(rt, out, a, b, p->has_bias ? buf->bias : dev_whole(NULL),
                            buf->output, p->has_residual ? buf->residual : dev_whole(NULL));
    if (st == CLINFER_OK && pl->split) {
        const dev_tensor partial = {buf->scratch, pl->partial_offset};
        st = gemm_partial_bind(rt, out, partial);
    }
    if (st == CLINFER_OK && g.b_scaled)
        st = gemm_scale_bind(rt, out, buf->scale);
    return st;
}


static clinfer_status conv_im2col(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *pl, int32_t n0, int32_t count,
                                  dev_tensor input, cl_mem scratch, op_launch *out)
{
    opts o = opts_none();
    opts_add(&o, "-DCONV2D_KERNELS=CONV2D_IM2COL"); /* no epilogue, no tiles */
    karg a;
    launch_begin(rt, out, "conv2d", &o, "conv2d_im2col", 0, &a);
    karg_tensor(&a, input);
    karg_buffer(&a, scratch);
    const int32_t v[] = {p->c,        p->h,        p->w,          pl->oh,      pl->ow,
                         p->kh,       p->kw,       p->stride_h,   p->stride_w, p->pad_top,
                         p->pad_left, p->dil_h,    p->dil_w,      p->groups,   pl->pw,
                         n0 * p->groups};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t ohw = (size_t)pl->oh * (size_t)pl->ow, pw = (size_t)pl->pw;
    const size_t cols = (ohw + pw - 1) / pw * pw;
    const size_t k = (size_t)(p->c / p->groups) * (size_t)p->kh * (size_t)p->kw;
    launch_grid3(out, (cols + 15) / 16, k, (size_t)count * (size_t)p->groups, conv2d_local_x(rt));
    return CLINFER_OK;
}

/* fc: Y[N, OC] = X[N, K] x W'[K, OC] (+ bias per column, + residual, in
 * Y's layout, which is [N, OC, 1, 1]), W' packed (cpu GEMM) or W read
 * transposed in place. */
static clinfer_status conv_fc(clinfer_runtime *rt, const conv2d_params *p, const conv2d_plan *pl,
                              const conv2d_buffers *buf, op_launch *out)
{
    const int32_t k = p->c * p->kh * p->kw;
    gemm_geometry g = gemm_geometry_plain(p->n, p->oc, k);
    g.b_ks = 1, g.b_ns = k;
    g.c_rs = 0, g.c_cs = 1;
    g.has_residual = p->has_residual;
    const dev_tensor w = pl->prep_count > 0 ? dev_whole(buf->persist) : buf->weight;
    clinfer_status st = gemm_core_prepare(rt, &pl->gemm, &g, p->has_bias, 1.0f, 1.0f, p->act, out);
    if (st == CLINFER_OK)
        st = gemm_core_bind(rt, out, buf->input, w, p->has_bias ? buf->bias : dev_whole(NULL),
                            buf->output, p->has_residual ? buf->residual : dev_whole(NULL));
    return st;
}

/* How the packing preparation lays out the weights [OC, C/groups, KH,
 * KW]: fc and gemm1x1 transposed, B' = W^T (element (k, oc) at oc * K + k)
 * in column panels; the others, per group, A' = the group's [OC / groups,
 * K] rows in panels of TM output channels. */
static gemm_operand_packing weight_packing(const conv2d_params *p, const conv2d_plan *plan)
{
    gemm_operand_packing w = {0};
    if (plan->dw_blocked) { /* [C, KH * KW] in panels of 16 channels: [C / 16][KH * KW][16] */
        w.b = 1, w.lines = p->oc, w.k = p->kh * p->kw;
        w.line_stride = w.k, w.k_stride = 1;
        w.batch = 1;
        return w;
    }
    if (plan->algo == CONV2D_ALGO_FC || plan->transposed) {
        w.b = 1, w.lines = p->oc, w.k = p->c * p->kh * p->kw;
        w.line_stride = w.k, w.k_stride = 1;
        w.batch = 1;
        return w;
    }
    w.lines = p->oc / p->groups, w.k = p->c / p->groups * p->kh * p->kw;
    w.line_stride = w.k, w.k_stride = 1;
    w.nbatch = 1, w.bd[0] = p->groups, w.bs[0] = (int64_t)w.lines * w.k;
    w.batch = (size_t)p->groups;
    return w;
}

clinfer_status conv2d_prep_launch(clinfer_runtime *rt, const conv2d_params *p,
                                  const conv2d_plan *plan, int32_t i, dev_tensor weight,
                                  cl_mem persist, op_launch *out)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= plan->prep_count)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv2d: preparation launch %d of %d",
                       (int)i, (int)plan->prep_count);
    if (!persist)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: algorithm %s needs %llu bytes for its packed weights",
                       conv2d_algo_name(plan->algo), (unsigned long long)plan->persist_bytes);
    if (plan->algo == CONV2D_ALGO_WINOGRAD)
        return conv_winograd_prep(rt, p, plan, weight, persist, out);
    const gemm_operand_packing w = weight_packing(p, plan);
    clinfer_status st = gemm_operand_pack_prepare(rt, &plan->gemm, &w, out);
    return st == CLINFER_OK ? gemm_pack_bind(rt, out, weight, persist) : st;
}

int conv2d_packs_on_host(const conv2d_plan *plan)
{
    return plan->prep_count == 1 && plan->algo != CONV2D_ALGO_WINOGRAD;
}

/* As conv2d_prep_launch writes it (weight_packing). */
void conv2d_pack_on_host(const conv2d_params *p, const conv2d_plan *plan, const float *weight,
                         float *packed)
{
    const gemm_operand_packing w = weight_packing(p, plan);
    gemm_operand_pack_host(&plan->gemm, &w, weight, packed);
}

/* Launch i of a chunk of im2col or gemm1x1: the lowering or packing of B
 * (when there is one), the product, the sum of the split K partials; of
 * implicit: the product alone. */
static clinfer_status conv_gemm_step(clinfer_runtime *rt, const conv2d_params *p,
                                     const conv2d_plan *plan, int32_t i, int32_t n0,
                                     int32_t count, const conv2d_buffers *b, op_launch *out)
{
    const int32_t step = i % plan->per_chunk, lowering = plan->per_chunk - 1 - plan->split;
    if (step > lowering)
        return conv_gemm(rt, p, plan, n0, count, b, step - lowering, out);
    if (step == lowering)
        return conv_gemm(rt, p, plan, n0, count, b, 0, out);
    if (plan->algo == CONV2D_ALGO_IM2COL)
        return conv_im2col(rt, p, plan, n0, count, b->input, b->scratch, out);
    const int64_t hw = (int64_t)p->h * p->w, cpg = p->c / p->groups;
    const int64_t bd[2] = {p->groups, p->n}, bs[2] = {cpg * hw, p->c * hw};
    clinfer_status st =
        gemm_pack_prepare(rt, &plan->gemm, plan->oh * plan->ow, (int32_t)cpg, (int32_t)hw, 1, 2,
                          bd, bs, (size_t)count * (size_t)p->groups, n0 * p->groups, out);
    return st == CLINFER_OK ? gemm_pack_bind(rt, out, b->input, b->scratch) : st;
}

clinfer_status conv2d_launch(clinfer_runtime *rt, const conv2d_params *p,
                             const conv2d_plan *plan, int32_t i, const conv2d_buffers *b,
                             op_launch *out)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= plan->launch_count)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv2d: launch %d of %d", (int)i,
                       (int)plan->launch_count);
    if (p->has_scale && !plan->scale_fused)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: algorithm %s does not apply an input scale (multiply first)",
                       conv2d_algo_name(plan->algo));
    if (plan->scratch_bytes > 0 && !b->scratch)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: algorithm %s needs %llu bytes of scratch memory",
                       conv2d_algo_name(plan->algo), (unsigned long long)plan->scratch_bytes);
    if (plan->persist_bytes > 0 && !b->persist)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv2d: algorithm %s needs its packed weights",
                       conv2d_algo_name(plan->algo));
    if (p->has_residual && !b->residual.mem)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv2d: the residual buffer is missing");
    if (p->has_scale && !b->scale.mem)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv2d: the scale buffer is missing");
    const int32_t n0 = i / plan->per_chunk * plan->chunk;
    const int32_t count = p->n - n0 < plan->chunk ? p->n - n0 : plan->chunk;
    clinfer_status st;
    switch (plan->algo) {
    case CONV2D_ALGO_NAIVE:
        st = conv2d_naive_prepare(rt, p, out);
        return st == CLINFER_OK
                   ? conv2d_naive_bind(rt, out, b->input, b->weight, b->bias, b->residual,
                                       b->output)
                   : st;
    case CONV2D_ALGO_DEPTHWISE:
        return conv_depthwise_launch(rt, p, plan, b, out);
    case CONV2D_ALGO_POOLED:
        return conv_pooled_launch(rt, p, plan, b, out);
    case CONV2D_ALGO_DIRECT:
        return conv_direct_launch(rt, p, plan, i, n0, count, b, out);
    case CONV2D_ALGO_IM2COL:
    case CONV2D_ALGO_GEMM1X1:
    case CONV2D_ALGO_IMPLICIT:
        return conv_gemm_step(rt, p, plan, i, n0, count, b, out);
    case CONV2D_ALGO_WINOGRAD:
        return conv_winograd_launch(rt, p, plan, i % plan->per_chunk, n0, count, b, out);
    case CONV2D_ALGO_FC:
        return conv_fc(rt, p, plan, b, out);
    case CONV2D_ALGO_STEM:
        return conv_stem_launch(rt, p, plan, b, out);
    default:
        return err_set(rt, CLINFER_ERR_UNSUPPORTED, "conv2d: algorithm %s is not implemented",
                       conv2d_algo_name(plan->algo));
    }
}
