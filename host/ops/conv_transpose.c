/*
 * conv_transpose.c — 2-D transposed convolution: validation, output shape,
 * the choice of algorithm and the launches of kernels/conv_transpose.cl
 * (plus the GEMM core of ops/gemm.c for the gemm algorithm).
 */
#include "conv_transpose.h"
#include "conv2d.h" /* the CONV2D_ALGO_* values CLINFER_CONV_ALGO is parsed to */

#include <string.h>

convt_params convt_params_default(void)
{
    convt_params p;
    memset(&p, 0, sizeof p);
    p.stride_h = p.stride_w = 1;
    p.dil_h = p.dil_w = 1;
    p.groups = 1;
    return p;
}

/* The output extent along one axis, in 64 bits so that nothing overflows. */
static int64_t convt_extent(int32_t in, int32_t k, int32_t stride, int32_t pad0, int32_t pad1,
                            int32_t out_pad, int32_t dil)
{
    return (int64_t)stride * (in - 1) + out_pad + (int64_t)dil * (k - 1) + 1 - pad0 - pad1;
}

clinfer_status convt_output_size(clinfer_runtime *rt, const convt_params *p, int32_t *oh,
                                 int32_t *ow)
{
    if (p->n < 1 || p->c < 1 || p->h < 1 || p->w < 1 || p->oc < 1 || p->kh < 1 || p->kw < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv_transpose: sizes must be positive (N=%d C=%d H=%d W=%d OC=%d KH=%d "
                       "KW=%d)",
                       p->n, p->c, p->h, p->w, p->oc, p->kh, p->kw);
    if (p->stride_h < 1 || p->stride_w < 1 || p->dil_h < 1 || p->dil_w < 1)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv_transpose: strides (%d, %d) and dilations (%d, %d) must be >= 1",
                       p->stride_h, p->stride_w, p->dil_h, p->dil_w);
    /* ONNX: each output_padding is less than its stride or its dilation. */
    if (p->out_pad_h < 0 || p->out_pad_w < 0 ||
        (p->out_pad_h >= p->stride_h && p->out_pad_h >= p->dil_h) ||
        (p->out_pad_w >= p->stride_w && p->out_pad_w >= p->dil_w))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv_transpose: output_padding (%d, %d) must be >= 0 and less than the "
                       "stride (%d, %d) or the dilation (%d, %d)",
                       p->out_pad_h, p->out_pad_w, p->stride_h, p->stride_w, p->dil_h, p->dil_w);
    if (p->groups < 1 || p->c % p->groups != 0 || p->oc % p->groups != 0)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv_transpose: groups=%d must divide input channels %d and output "
                       "channels %d",
                       p->groups, p->c, p->oc);
    const int64_t h = convt_extent(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom,
                                   p->out_pad_h, p->dil_h);
    const int64_t w = convt_extent(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right,
                                   p->out_pad_w, p->dil_w);
    if (h < 1 || w < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "conv_transpose: padding (%d, %d, %d, %d) leaves an output of %lldx%lld",
                       p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, (long long)h,
                       (long long)w);
    if (h > INT32_MAX || w > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv_transpose: an output of %lldx%lld is too large", (long long)h,
                       (long long)w);
    *oh = (int32_t)h;
    *ow = (int32_t)w;
    return CLINFER_OK;
}

static const char *const algo_names[] = {"auto", "naive", "gemm", "direct"};

const char *convt_algo_name(convt_algo a)
{
    return a >= CONVT_ALGO_AUTO && a <= CONVT_ALGO_DIRECT ? algo_names[a] : "unknown";
}

/* Input channels per group up to which the automatic choice is direct. */
#define CONVT_DIRECT_MAX_CPG 4

/* Images of fewer pixels than this take the transposed product: a GEMM
 * panel is 32 or 64 columns wide, so a product of N = H * W columns would
 * compute mostly padding (DCGAN's first layers: 1 and 16 pixels). */
#define CONVT_TRANSPOSED_BELOW 32

/* Images per pass through scratch for `per_image` bytes each. */
static void plan_chunks(const clinfer_runtime *rt, const convt_params *p, convt_plan *pl,
                        uint64_t per_image, int32_t per_chunk)
{
    const uint64_t fit = rt->config.conv_scratch_cap / per_image;
    pl->chunk = fit < 1 ? 1 : fit > (uint64_t)p->n ? p->n : (int32_t)fit;
    pl->per_chunk = per_chunk;
    pl->launch_count = (p->n + pl->chunk - 1) / pl->chunk * per_chunk;
    pl->scratch_bytes = per_image * (uint64_t)pl->chunk;
}

/* The gemm algorithm's memory. Plain: W^T packed (cpu GEMM), X packed
 * unless read in place, col per image and group; transposed: W packed
 * (cpu GEMM, unless read in place), col^T. Images chunked to the cap. */
static clinfer_status plan_gemm(clinfer_runtime *rt, const convt_params *p, convt_plan *pl)
{
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int64_t m = (int64_t)ocpg * p->kh * p->kw, hw = (int64_t)p->h * p->w;
    if (m * hw > INT32_MAX || m * cpg > INT32_MAX || hw * cpg > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv_transpose: the column matrix of %lld x %lld is too large for gemm",
                       (long long)m, (long long)hw);
    pl->transposed = hw < CONVT_TRANSPOSED_BELOW;
    clinfer_status st = gemm_config_for_product(rt, pl->transposed ? hw : m, pl->transposed ? m : hw,
                                                cpg, (int64_t)p->n * groups, 0, &pl->gemm);
    if (st != CLINFER_OK)
        return st;
    const int cpu = pl->gemm.variant == GEMM_VARIANT_CPU;
    const uint64_t col = (uint64_t)groups * (uint64_t)m * hw * rt_elem_bytes(rt); /* per image */
    if (pl->transposed) {
        pl->b_in_place = !cpu || gemm_b_in_place_ok(&pl->gemm, (int32_t)m, m);
        pl->prep_count = pl->b_in_place ? 0 : 1;
        pl->persist_bytes =
            pl->b_in_place
                ? 0
                : (uint64_t)groups * gemm_packed_floats(&pl->gemm, m, cpg) * rt_elem_bytes(rt);
        plan_chunks(rt, p, pl, col, 2);
        /* col2im's strided loads of pixels 2 floats apart read one float
         * past their last lane (prelude.cl, STRIDED16_REACH) */
        pl->scratch_bytes += 32 * rt_elem_bytes(rt);
        return CLINFER_OK;
    }
    if (cpu) {
        pl->prep_count = 1;
        pl->persist_bytes =
            (uint64_t)groups * gemm_packed_a_floats(&pl->gemm, m, cpg) * rt_elem_bytes(rt);
    }
    pl->b_in_place = !cpu || gemm_b_in_place_ok(&pl->gemm, (int32_t)hw, hw);
    const uint64_t packed = pl->b_in_place ? 0 : gemm_packed_floats(&pl->gemm, hw, cpg);
    plan_chunks(rt, p, pl, (uint64_t)groups * packed * rt_elem_bytes(rt) + col,
                pl->b_in_place ? 2 : 3);
    pl->col_offset = (uint64_t)pl->chunk * groups * packed;
    return CLINFER_OK;
}

clinfer_status convt_plan_algo(clinfer_runtime *rt, const convt_params *p, convt_algo algo,
                               convt_plan *out)
{
    memset(out, 0, sizeof *out);
    clinfer_status st = convt_output_size(rt, p, &out->oh, &out->ow);
    if (st != CLINFER_OK)
        return st;
    if (!act_kind_valid(p->act.kind))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv_transpose: act.kind %d is not a known activation", (int)p->act.kind);
    /* Automatic: direct for few channels per group, else gemm (naive was
     * slower everywhere on PoCL: 64 channels 32x32 -> 64x64, 4x4 stride 2,
     * depthwise: 18 ms against 1.7 for gemm); naive only where gemm's
     * column matrix does not fit. */
    const int automatic = algo == CONVT_ALGO_AUTO;
    if (automatic)
        algo = p->c / p->groups <= CONVT_DIRECT_MAX_CPG ? CONVT_ALGO_DIRECT : CONVT_ALGO_GEMM;
    out->algo = algo;
    out->chunk = p->n;
    out->per_chunk = 1;
    out->launch_count = 1;
    switch (algo) {
    case CONVT_ALGO_NAIVE:
    case CONVT_ALGO_DIRECT:
        return CLINFER_OK;
    case CONVT_ALGO_GEMM:
        st = plan_gemm(rt, p, out);
        if (st == CLINFER_ERR_UNSUPPORTED && automatic)
            return convt_plan_algo(rt, p, CONVT_ALGO_NAIVE, out);
        return st;
    default:
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv_transpose: algorithm %d",
                       (int)algo);
    }
}

clinfer_status convt_plan_make(clinfer_runtime *rt, const convt_params *p, convt_plan *out)
{
    const int forced = rt->config.conv_algo; /* a conv2d_algo (config.h) */
    const convt_algo algo = forced == CONV2D_ALGO_NAIVE    ? CONVT_ALGO_NAIVE
                            : forced == CONV2D_ALGO_IM2COL ? CONVT_ALGO_GEMM
                            : forced == CONV2D_ALGO_DIRECT ? CONVT_ALGO_DIRECT
                                                           : CONVT_ALGO_AUTO;
    return convt_plan_algo(rt, p, algo, out);
}

/* ------------------------------------------------------------ launches */

/* Build options of conv_transpose.cl: the epilogue. */
static opts epilogue_options(const convt_params *p)
{
    opts o = opts_none();
    opts_add(&o, "-DACT=%d -DHAS_BIAS=%d", (int)p->act.kind, p->has_bias ? 1 : 0);
    return o;
}

/* The window scalars every kernel of the file takes, in its order. */
static void window_args(karg *a, const convt_params *p)
{
    const int32_t v[] = {p->kh,      p->kw,       p->stride_h, p->stride_w, p->pad_top,
                         p->pad_left, p->dil_h,   p->dil_w,    p->groups};
    karg_ints(a, v, (int)(sizeof v / sizeof v[0]));
}

static clinfer_status launch_naive(clinfer_runtime *rt, const convt_params *p,
                                   const convt_plan *pl, const convt_buffers *b, op_launch *out)
{
    const opts o = epilogue_options(p);
    karg a;
    launch_begin(rt, out, "conv_transpose", &o, "convt_naive", 0, &a);
    const dev_tensor t[] = {b->input, b->weight, b->bias, b->output};
    karg_tensors(&a, t, 4);
    const int32_t sizes[] = {p->c, p->h, p->w, p->oc, pl->oh, pl->ow};
    karg_ints(&a, sizes, 6);
    window_args(&a, p);
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st == CLINFER_OK)
        launch_grid3(out, (size_t)pl->ow, (size_t)pl->oh, (size_t)p->n * (size_t)p->oc, 8);
    return st;
}

/* gemm, first step when X is not read in place: X of images [n0, n0 +
 * count) per group packed to the start of scratch. */
static clinfer_status launch_pack_x(clinfer_runtime *rt, const convt_params *p,
                                    const convt_plan *pl, int32_t n0, int32_t count,
                                    const convt_buffers *b, op_launch *out)
{
    const int64_t hw = (int64_t)p->h * p->w, cpg = p->c / p->groups;
    const int64_t bd[2] = {p->groups, p->n}, bs[2] = {cpg * hw, p->c * hw};
    clinfer_status st = gemm_pack_prepare(rt, &pl->gemm, (int32_t)hw, (int32_t)cpg, (int32_t)hw,
                                          1, 2, bd, bs, (size_t)count * (size_t)p->groups,
                                          n0 * p->groups, out);
    return st == CLINFER_OK ? gemm_pack_bind(rt, out, b->input, b->scratch) : st;
}

/* gemm: col[z] = W^T[group] x X[image, group] for z = image * groups +
 * group over the chunk, col at plan->col_offset of scratch. */
static clinfer_status launch_gemm(clinfer_runtime *rt, const convt_params *p,
                                  const convt_plan *pl, int32_t n0, int32_t count,
                                  const convt_buffers *b, op_launch *out)
{
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int32_t m = ocpg * p->kh * p->kw, hw = p->h * p->w;
    gemm_geometry g = gemm_geometry_plain(m, hw, cpg);
    g.a_rs = 1, g.a_ks = m; /* A' = W^T: W[group] is [C/g, M] row-major */
    g.nbatch = 2;
    g.bd[0] = groups, g.bd[1] = p->n; /* all images: B is indexed from bz0 */
    g.as[0] = (int64_t)cpg * m;
    dev_tensor a = b->weight;
    if (pl->prep_count > 0) { /* packed by convt_prep_launch */
        g.a_packed = 1;
        g.as[0] = (int64_t)gemm_packed_a_floats(&pl->gemm, m, cpg);
        a = dev_whole(b->persist);
    }
    g.batch = (size_t)count * (size_t)groups;
    g.z0 = 0; /* col holds the chunk only; A depends on the group alone */
    dev_tensor x = b->input;
    if (pl->b_in_place) { /* X [N, C, H * W]: B'[z] rows of stride H * W */
        g.b_ks = hw, g.b_ns = 1;
        g.bs[0] = (int64_t)cpg * hw, g.bs[1] = (int64_t)p->c * hw;
        g.bz0 = n0 * groups;
        g.b_in_place = 1;
    } else { /* packed by launch_pack_x at the start of scratch */
        const int64_t per = (int64_t)gemm_packed_floats(&pl->gemm, hw, cpg);
        g.bs[0] = per, g.bs[1] = per * groups;
        x = dev_whole(b->scratch);
    }
    const act_params none = {ACT_KIND_NONE, 0.0f, 0.0f}; /* applied after col2im */
    clinfer_status st = gemm_core_prepare(rt, &pl->gemm, &g, 0, 1.0f, 1.0f, none, out);
    if (st == CLINFER_OK) {
        const dev_tensor col = {b->scratch, pl->col_offset};
        st = gemm_core_bind(rt, out, a, x, dev_whole(NULL), col, dev_whole(NULL));
    }
    return st;
}

/* gemm, transposed: col^T[z] = X^T[image, group] x W[group], [H * W,
 * OC/g * KH * KW] for z = image * groups + group over the chunk, at the
 * start of scratch. X is read where it is (from image n0 on), W packed
 * once by convt_prep_launch or read in place. */
static clinfer_status launch_gemm_t(clinfer_runtime *rt, const convt_params *p,
                                    const convt_plan *pl, int32_t n0, int32_t count,
                                    const convt_buffers *b, op_launch *out)
{
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int32_t m = ocpg * p->kh * p->kw, hw = p->h * p->w;
    gemm_geometry g = gemm_geometry_plain(hw, m, cpg);
    g.a_rs = 1, g.a_ks = hw; /* A' = X^T: X[image, group] is [C/g, H * W] */
    g.nbatch = 2;
    g.bd[0] = groups, g.bd[1] = count;
    g.as[0] = (int64_t)cpg * hw, g.as[1] = (int64_t)p->c * hw;
    g.batch = (size_t)count * (size_t)groups;
    dev_tensor x = b->input; /* A and Y share z0: image n0 through the offset */
    x.offset += (uint64_t)n0 * (uint64_t)p->c * (uint64_t)hw;
    dev_tensor w = b->weight; /* B' = W[group]: [C/g, M] row-major */
    g.b_ks = m, g.b_ns = 1;
    g.bs[0] = (int64_t)cpg * m;
    g.b_in_place = pl->b_in_place;
    if (!pl->b_in_place) {
        g.bs[0] = (int64_t)gemm_packed_floats(&pl->gemm, m, cpg);
        w = dev_whole(b->persist);
    }
    const act_params none = {ACT_KIND_NONE, 0.0f, 0.0f}; /* applied after col2im */
    clinfer_status st = gemm_core_prepare(rt, &pl->gemm, &g, 0, 1.0f, 1.0f, none, out);
    return st == CLINFER_OK
               ? gemm_core_bind(rt, out, x, w, dev_whole(NULL), dev_whole(b->scratch),
                                dev_whole(NULL))
               : st;
}

/* The gather of convt_col2im (gemm's last step: images [n0, n0 + count)
 * from col in scratch) or convt_direct (every image from X and W). */
static clinfer_status launch_rows(clinfer_runtime *rt, const convt_params *p,
                                  const convt_plan *pl, int32_t n0, int32_t count,
                                  const convt_buffers *b, op_launch *out)
{
    const int direct = pl->algo == CONVT_ALGO_DIRECT;
    opts o = epilogue_options(p);
    opts_add(&o, "-DCONVT_DIRECT=%d", direct);
    karg a;
    launch_begin(rt, out, "conv_transpose", &o, direct ? "convt_direct" : "convt_col2im", 0, &a);
    const dev_tensor src = direct ? b->input : (dev_tensor){b->scratch, pl->col_offset};
    const dev_tensor t[] = {src, direct ? b->weight : dev_whole(NULL), b->bias, b->output};
    karg_tensors(&a, t, 4);
    const int32_t m = p->oc / p->groups * p->kh * p->kw, hw = p->h * p->w;
    /* where the row of a tap starts and how far apart its pixels are:
     * X (direct: every tap reads the same rows), col [M, H * W], col^T
     * [H * W, M] */
    const int32_t ts = direct ? 0 : pl->transposed ? 1 : hw;
    const int32_t ps = pl->transposed ? m : 1;
    const int32_t sizes[] = {p->c, p->h, p->w, p->oc, pl->oh, pl->ow, n0, ts, ps};
    karg_ints(&a, sizes, 9);
    window_args(&a, p);
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    /* x: 16 outputs of one column phase (ox % stride) per item, of both
     * phases for stride 2 (the kernel's banner) */
    const size_t sw = (size_t)p->stride_w, per_item = sw == 2 ? 2 : 1;
    const size_t per_phase = ((size_t)pl->ow + sw - 1) / sw;
    launch_grid3(out, sw / per_item * ((per_phase + 15) / 16), (size_t)pl->oh,
                 (size_t)count * (size_t)p->oc, 1);
    return CLINFER_OK;
}

/* How the preparation packs the weights, per group [C/g, M] with M =
 * OC/g * KH * KW: as the product's B (transposed plans), else W^T as A. */
static gemm_operand_packing weight_packing(const convt_params *p, const convt_plan *plan)
{
    gemm_operand_packing w = {0};
    w.b = plan->transposed;
    w.lines = p->oc / p->groups * p->kh * p->kw, w.k = p->c / p->groups;
    w.line_stride = 1, w.k_stride = w.lines;
    w.nbatch = 1, w.bd[0] = p->groups, w.bs[0] = (int64_t)w.k * w.lines;
    w.batch = (size_t)p->groups;
    return w;
}

void convt_pack_on_host(const convt_params *p, const convt_plan *plan, const float *weight,
                        float *packed)
{
    const gemm_operand_packing w = weight_packing(p, plan);
    gemm_operand_pack_host(&plan->gemm, &w, weight, packed);
}

clinfer_status convt_prep_launch(clinfer_runtime *rt, const convt_params *p,
                                 const convt_plan *plan, int32_t i, dev_tensor weight,
                                 cl_mem persist, op_launch *out)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= plan->prep_count || !persist)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv_transpose: preparation launch %d of %d (packed weights %s)", (int)i,
                       (int)plan->prep_count, persist ? "given" : "missing");
    const gemm_operand_packing w = weight_packing(p, plan);
    clinfer_status st = gemm_operand_pack_prepare(rt, &plan->gemm, &w, out);
    return st == CLINFER_OK ? gemm_pack_bind(rt, out, weight, persist) : st;
}

clinfer_status convt_launch(clinfer_runtime *rt, const convt_params *p, const convt_plan *plan,
                            int32_t i, const convt_buffers *b, op_launch *out)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= plan->launch_count)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "conv_transpose: launch %d of %d",
                       (int)i, (int)plan->launch_count);
    if ((plan->scratch_bytes > 0 && !b->scratch) || (plan->persist_bytes > 0 && !b->persist))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "conv_transpose: algorithm %s needs %llu bytes of scratch and %llu of "
                       "packed weights",
                       convt_algo_name(plan->algo), (unsigned long long)plan->scratch_bytes,
                       (unsigned long long)plan->persist_bytes);
    if (plan->algo == CONVT_ALGO_NAIVE)
        return launch_naive(rt, p, plan, b, out);
    if (plan->algo == CONVT_ALGO_DIRECT)
        return launch_rows(rt, p, plan, 0, p->n, b, out);
    const int32_t n0 = i / plan->per_chunk * plan->chunk;
    const int32_t count = p->n - n0 < plan->chunk ? p->n - n0 : plan->chunk;
    if (plan->transposed)
        return i % plan->per_chunk == 0 ? launch_gemm_t(rt, p, plan, n0, count, b, out)
                                        : launch_rows(rt, p, plan, n0, count, b, out);
    const int32_t step = i % plan->per_chunk + (plan->b_in_place ? 1 : 0);
    switch (step) {
    case 0:
        return launch_pack_x(rt, p, plan, n0, count, b, out);
    case 1:
        return launch_gemm(rt, p, plan, n0, count, b, out);
    default:
        return launch_rows(rt, p, plan, n0, count, b, out);
    }
}
