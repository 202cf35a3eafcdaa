/*
 * gemm.c — Gemm and MatMul: validation, output shapes, and the launches of
 * kernels/gemm.cl. Both ops describe their operands as strided matrices plus
 * batch dims (a gemm_geometry) and share the core launch that the GEMM-based
 * convolutions use too; arguments 0-3 of a product kernel are buffers (A, B,
 * C, Y; bound per run), the rest are scalars set once in the prepare step.
 */
#include "gemm.h"

#include <stdio.h>
#include <string.h>

/* shape_str that also survives a rank outside [0, CLINFER_MAX_RANK]. */
static const char *safe_shape_str(const clinfer_shape *s, char *buf, size_t cap)
{
    if (s->rank >= 0 && s->rank <= CLINFER_MAX_RANK)
        return shape_str(s, buf, cap);
    snprintf(buf, cap, "(invalid rank %d)", (int)s->rank);
    return buf;
}

/* Elements of a shape if it holds at most INT32_MAX of them, else -1. */
static int64_t small_numel(const clinfer_shape *s)
{
    int64_t n = shape_numel(s);
    return n >= 0 && n <= INT32_MAX ? n : -1;
}

/* Rejects dims below 1 (0 as unsupported, negative as a shape error) and
 * tensors over INT32_MAX elements; `what` names the operand. */
static clinfer_status check_dims(clinfer_runtime *rt, const char *op, const char *what,
                                 const clinfer_shape *s)
{
    char buf[160];
    if (s->rank < 0 || s->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: %s has rank %d, expected 0 to %d", op, what,
                       (int)s->rank, CLINFER_MAX_RANK);
    for (int32_t i = 0; i < s->rank; i++) {
        if (s->dims[i] < 0)
            return err_set(rt, CLINFER_ERR_SHAPE, "%s: %s has a negative dim: %s", op, what,
                           shape_str(s, buf, sizeof buf));
        if (s->dims[i] == 0)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "%s: %s %s is empty; empty tensors are not supported", op, what,
                           shape_str(s, buf, sizeof buf));
    }
    if (small_numel(s) < 0)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: %s %s has more than %d elements", op, what,
                       shape_str(s, buf, sizeof buf), INT32_MAX);
    return CLINFER_OK;
}

static clinfer_status check_act(clinfer_runtime *rt, const char *op, act_params act)
{
    if (!act_kind_valid(act.kind))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: act.kind %d is not a known activation (0 to %d)", op, (int)act.kind,
                       (int)ACT_KIND_COUNT - 1);
    return CLINFER_OK;
}

/* ----------------------------------------------------------------- core */

gemm_geometry gemm_geometry_plain(int32_t m, int32_t n, int32_t k)
{
    gemm_geometry g;
    memset(&g, 0, sizeof g);
    g.m = m, g.n = n, g.k = k;
    g.a_rs = k, g.a_ks = 1, g.b_ks = n, g.b_ns = 1;
    g.batch = 1;
    return g;
}

int gemm_b_in_place_ok(const gemm_config *cfg, int32_t n, int64_t ld)
{
    return cfg->variant == GEMM_VARIANT_CPU && n >= gemm_panel_width(cfg) && ld % 512 != 0;
}

/* The batch dims as the kernels' long8 arguments: unused dims size 1. */
static void batch_args(const gemm_geometry *g, int64_t bd[8], int64_t as[8], int64_t bs[8],
                       int64_t cs[8])
{
    for (int d = 0; d < 8; d++) {
        int used = d < g->nbatch && d < GEMM_BATCH_DIMS;
        bd[d] = used ? g->bd[d] : 1;
        as[d] = used ? g->as[d] : 0;
        bs[d] = used ? g->bs[d] : 0;
        cs[d] = used ? g->cs[d] : 0;
    }
}

/* Build options of a variant: its kernel set (named in gemm.cl), the
 * tunables and the activation. The bias and the residual are kernel
 * arguments (product_args). STORE_FLOAT only where storage is half: in a
 * float runtime it changes nothing but would make a second program. */
static opts variant_options(clinfer_runtime *rt, const gemm_config *cfg, const gemm_geometry *g,
                            act_kind act)
{
    opts o = opts_none();
    if (g->float_storage && rt_is_half(rt))
        opts_add(&o, "-DSTORE_FLOAT");
    const int split = cfg->splits > 1;
    const char *gpu_set = g->conv_gather ? (split ? "GEMM_IMPLICIT_SPLIT" : "GEMM_IMPLICIT")
                          : split        ? "GEMM_SPLIT"
                                         : "GEMM_LOCAL";
    opts_add(&o, "-DGEMM_KERNELS=%s -DACT=%d",
             cfg->variant == GEMM_VARIANT_CPU   ? "GEMM_PACKED"
             : cfg->variant == GEMM_VARIANT_GPU ? gpu_set
                                                : "GEMM_NAIVE",
             (int)act);
    if (cfg->variant == GEMM_VARIANT_CPU)
        opts_add(&o, "-DTM=%d -DNV=%d", cfg->tm, cfg->nv);
    else if (cfg->variant == GEMM_VARIANT_GPU)
        opts_add(&o, "-DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d -DGEMM_PREFETCH=%d",
                 cfg->tsm, cfg->tsn, cfg->tsk, cfg->wptm, cfg->wptn, cfg->pf ? 1 : 0);
    if (g->b_scaled) /* a program of its own: the other products keep their inner loop */
        opts_add(&o, "-DB_SCALE=1");
    return o;
}

static const char *variant_kernel(gemm_variant v)
{
    return v == GEMM_VARIANT_CPU ? "gemm_packed" : v == GEMM_VARIANT_GPU ? "gemm_local"
                                                                          : "gemm_naive";
}

/* Sets the scalar arguments of a product or split kernel (GEMM_PRODUCT_ARGS
 * after the five tensors) and, for the split kernels, a placeholder for P
 * and the split count and step (GEMM_SPLIT_ARGS). */
#define GEMM_ARG_PARTIAL (KARG_AFTER_TENSORS(5) + 22) /* P, in GEMM_SPLIT_ARGS */
#define GEMM_ARG_SCALE GEMM_ARG_PARTIAL                /* S (gemm_packed with B_SCALE) */
static clinfer_status product_args(clinfer_runtime *rt, const gemm_config *cfg,
                                   const gemm_geometry *g, int has_c, float alpha, float beta,
                                   act_params act, const char *kernel, op_launch *out)
{
    act = act_program(act); /* fewer programs */
    const opts o = variant_options(rt, cfg, g, act.kind);
    int64_t bd[8], as[8], bs[8], cs[8];
    batch_args(g, bd, as, bs, cs);
    karg a;
    launch_begin(rt, out, "gemm", &o, kernel, KARG_AFTER_TENSORS(5), &a);
    karg_int(&a, g->m);
    karg_int(&a, g->n);
    karg_int(&a, g->k);
    karg_int(&a, g->a_rs);
    karg_int(&a, cfg->variant == GEMM_VARIANT_CPU && g->a_packed ? 0 : g->a_ks);
    const int packed = cfg->variant == GEMM_VARIANT_CPU && !g->b_in_place;
    karg_int(&a, packed ? 0 : g->b_ks); /* gemm_packed: 0 means packed */
    karg_int(&a, g->b_ns);
    karg_int(&a, g->c_rs);
    karg_int(&a, g->c_cs);
    karg_float(&a, alpha);
    karg_float(&a, beta);
    karg_long8(&a, bd);
    karg_long8(&a, as);
    karg_long8(&a, bs);
    karg_long8(&a, cs);
    karg_int(&a, g->z0);
    karg_int(&a, g->bz0);
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    karg_int(&a, has_c ? 1 : 0);
    karg_int(&a, g->has_residual ? 1 : 0);
    /* gemm.cl's y_t: GEMM_Y_TRANSPOSED 1, GEMM_Y_BLOCKED 2 */
    karg_int(&a, g->y_blocked16 ? 2 : g->y_transposed ? 1 : 0);
    if (g->b_scaled)
        karg_tensor(&a, dev_whole(NULL)); /* S: gemm_scale_bind */
    if (cfg->splits > 1) {
        karg_tensor(&a, dev_whole(NULL)); /* P: gemm_partial_bind */
        karg_int(&a, cfg->splits);
        karg_int(&a, cfg->k_step);
    }
    if (g->conv_gather)
        karg_ints(&a, g->conv_window, GEMM_CONV_WINDOW_INTS);
    return launch_finish(rt, out, &a);
}

/* gemm_packed: about this many k steps per work-item, in panels of
 * columns when K is short (a 1x1 convolution over 16-32 channels): each
 * work-group costs PoCL a few hundred cycles on top of the product, and an
 * item computes its batch offsets once for all its panels (1x1 24->144 at
 * 56x56 on a 2-core EPYC: 0.38-0.61 ms with one panel per item, 0.22-0.40
 * with 8 and the offsets at batch 1 cheap). */
#define GEMM_CPU_ITEM_K 256

/* gemm.cl's GEMM_FLOAT_PANEL_K: the longest K whose B panel gemm_packed
 * copies to float in half storage */
#define GEMM_FLOAT_PANEL_K 1024

/* Why every panel when m > n: the item then streams its A panel (TM rows
 * of A', the weights of TM output channels) from memory once and re-reads
 * it from its core's cache for its next panels, instead of one item per
 * panel each streaming it. A late layer with many channels and few
 * positions has more weights than activations: ResNet-18's 512-channel
 * 3x3 convolutions at 7x7 read 9.4 MB of weights for 0.2 MB of input, and
 * with one item per panel read them twice per run (their 63 positions
 * are two panels). */
int32_t gemm_cpu_item_panels(const clinfer_runtime *rt, int64_t items, int32_t panels,
                             int32_t short_k_aim, int64_t m, int64_t n)
{
    const int32_t aim = m > n ? panels : short_k_aim;
    return launch_rows_per_item(rt, items, panels, aim);
}

static int split_k(const gemm_config *cfg)
{
    return cfg->variant == GEMM_VARIANT_GPU && cfg->splits > 1;
}

clinfer_status gemm_core_prepare(clinfer_runtime *rt, const gemm_config *cfg,
                                 const gemm_geometry *g, int has_c, float alpha, float beta,
                                 act_params act, op_launch *out)
{
    const char *kernel = g->conv_gather ? (split_k(cfg) ? "conv_implicit_split" : "conv_implicit")
                         : split_k(cfg) ? "gemm_local_split"
                                        : variant_kernel(cfg->variant);
    if ((g->b_scaled || g->y_transposed || g->y_blocked16) &&
        (cfg->variant != GEMM_VARIANT_CPU || cfg->splits > 1))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "gemm: a scaled B or a transposed or blocked Y needs the cpu variant");
    if (g->conv_gather && cfg->variant != GEMM_VARIANT_GPU)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "gemm: a gathered convolution input needs the gpu variant");
    clinfer_status st = product_args(rt, cfg, g, has_c, alpha, beta, act, kernel, out);
    if (st != CLINFER_OK)
        return st;
    const size_t m = (size_t)g->m, n = (size_t)g->n;
    switch (cfg->variant) {
    case GEMM_VARIANT_CPU: {
        const size_t tw = (size_t)gemm_panel_width(cfg);
        size_t tiles = (m + (size_t)cfg->tm - 1) / (size_t)cfg->tm;
        /* A transposed Y, panels enough for 4 items per compute unit: one
         * item per panel takes every row tile (gemm.cl), reading its panel
         * of B (the weights) once and storing whole rows of the output. So
         * too, in half storage on a CPU, a plain Y with A' packed (a 1x1
         * convolution) and K the kernel's float copy of a panel holds:
         * then B (the input) is converted to float once per panel, not
         * once per row tile (GEMM_FLOAT_PANEL, TM 8 only). */
        const size_t units = (size_t)(rt->info.compute_units > 0 ? rt->info.compute_units : 1);
        const int float_panel = rt_is_half(rt) && rt->info.type == CLINFER_DEVICE_CPU &&
                                g->a_packed && !g->y_transposed && !g->y_blocked16 &&
                                cfg->tm == 8 && g->k <= GEMM_FLOAT_PANEL_K && tiles > 1;
        if ((g->y_transposed || float_panel) && (n + tw - 1) / tw * g->batch >= 4 * units)
            tiles = 1;
        const int32_t panels = (int32_t)((n + tw - 1) / tw);
        const int32_t per =
            gemm_cpu_item_panels(rt, (int64_t)(tiles * g->batch), panels,
                                 GEMM_CPU_ITEM_K / (g->k > 0 ? g->k : 1), g->m, g->n);
        launch_grid3(out, tiles, (size_t)((panels + per - 1) / per), g->batch, 1);
        break;
    }
    case GEMM_VARIANT_GPU: {
        const size_t rtsm = (size_t)(cfg->tsm / cfg->wptm), rtsn = (size_t)(cfg->tsn / cfg->wptn);
        launch_grid3(out, (n + (size_t)cfg->tsn - 1) / (size_t)cfg->tsn * rtsn,
                     (m + (size_t)cfg->tsm - 1) / (size_t)cfg->tsm * rtsm,
                     g->batch * (size_t)(split_k(cfg) ? cfg->splits : 1), rtsn);
        out->local[1] = rtsm;
        break;
    }
    case GEMM_VARIANT_NAIVE:
        launch_grid3(out, n, m, g->batch, 8);
        break;
    }
    return CLINFER_OK;
}

clinfer_status gemm_reduce_prepare(clinfer_runtime *rt, const gemm_config *cfg,
                                   const gemm_geometry *g, int has_c, float alpha, float beta,
                                   act_params act, op_launch *out)
{
    if (!split_k(cfg))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "gemm: a reduce launch without split K");
    /* the sum reads the partials, C and R only: a gathered product's too is
     * the GEMM_SPLIT program's, without the window's arguments */
    gemm_geometry sum = *g;
    sum.conv_gather = 0;
    clinfer_status st =
        product_args(rt, cfg, &sum, has_c, alpha, beta, act, "gemm_split_reduce", out);
    if (st == CLINFER_OK)
        launch_grid3(out, (size_t)g->n, (size_t)g->m, g->batch, 32);
    return st;
}

size_t gemm_partial_floats(const gemm_config *cfg, const gemm_geometry *g)
{
    return split_k(cfg) ? (size_t)cfg->splits * g->batch * (size_t)g->m * (size_t)g->n : 0;
}

clinfer_status gemm_scale_bind(clinfer_runtime *rt, op_launch *l, dev_tensor scale)
{
    karg k = launch_args(l, GEMM_ARG_SCALE);
    karg_tensor(&k, scale);
    return launch_finish(rt, l, &k);
}

clinfer_status gemm_partial_bind(clinfer_runtime *rt, op_launch *l, dev_tensor partial)
{
    karg k = launch_args(l, GEMM_ARG_PARTIAL);
    karg_tensor(&k, partial);
    return launch_finish(rt, l, &k);
}

/* The batch dimensions and strides of a pack kernel as its two long8
 * arguments: unused dimensions have size 1 and stride 0. */
static void batch_args8(int32_t nbatch, const int64_t *dims, const int64_t *strides,
                        int64_t d[8], int64_t s[8])
{
    for (int i = 0; i < 8; i++) {
        d[i] = i < nbatch ? dims[i] : 1;
        s[i] = i < nbatch ? strides[i] : 0;
    }
}

clinfer_status gemm_core_bind(clinfer_runtime *rt, op_launch *l,
                              dev_tensor a, dev_tensor b, dev_tensor c, dev_tensor y,
                              dev_tensor r)
{
    const dev_tensor t[] = {a, b, c, y, r};
    karg k = launch_args(l, 0);
    karg_tensors(&k, t, 5);
    return launch_finish(rt, l, &k);
}

/* The packing kernels' options (kernels/gemm_pack.cl, a program of its
 * own): pack_a reads TM, pack_b and pack_bt NV.
 * Both are given, the one a kernel does not read from the device's GEMM
 * tiles, so that A and B packings of the common tiles share one program
 * (a cold start compiles each program). Constant weights are packed on
 * the host (gemm_pack.c); these kernels pack operands that change. */
static opts packing_options(clinfer_runtime *rt, int32_t tm, int32_t nv)
{
    gemm_config tiles;
    if (gemm_config_get(rt, &tiles) == CLINFER_OK && tiles.variant == GEMM_VARIANT_CPU) {
        tm = tm > 0 ? tm : tiles.tm;
        nv = nv > 0 ? nv : tiles.nv;
    }
    opts o = opts_none();
    if (tm > 0) /* else prelude.cl's default, unread by this kernel */
        opts_add(&o, "-DTM=%d", tm);
    if (nv > 0)
        opts_add(&o, "-DNV=%d", nv);
    return o;
}

clinfer_status gemm_pack_prepare(clinfer_runtime *rt, const gemm_config *cfg, int32_t n,
                                 int32_t k, int32_t b_ks, int32_t b_ns, int32_t nbatch,
                                 const int64_t *bd, const int64_t *bs, size_t batch, int32_t z0,
                                 op_launch *out)
{
    opts o = packing_options(rt, 0, cfg->nv);
    const int transposed = b_ks == 1 && b_ns != 1; /* columns of B' are contiguous */
    int64_t d[8], s[8];
    batch_args8(nbatch, bd, bs, d, s);
    karg a;
    launch_begin(rt, out, "gemm_pack", &o, transposed ? "gemm_pack_bt" : "gemm_pack_b",
                 KARG_AFTER_TENSORS(2), &a);
    const int32_t sizes[4] = {n, k, b_ks, b_ns}; /* B' is k x n, strides b_ks and b_ns */
    karg_ints(&a, sizes, 4);
    karg_long8(&a, d);
    karg_long8(&a, s);
    karg_int(&a, z0);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t tw = (size_t)gemm_panel_width(cfg);
    launch_grid3(out, transposed ? ((size_t)k + 15) / 16 : (size_t)k, ((size_t)n + tw - 1) / tw,
                 batch, transposed ? 1 : 8);
    return CLINFER_OK;
}

size_t gemm_packed_a_floats(const gemm_config *cfg, int64_t m, int64_t k)
{
    const int64_t tm = cfg->tm > 0 ? cfg->tm : 1;
    return (size_t)((m + tm - 1) / tm) * (size_t)tm * (size_t)k;
}

clinfer_status gemm_pack_a_prepare(clinfer_runtime *rt, const gemm_config *cfg, int32_t m,
                                   int32_t k, int32_t a_rs, int32_t a_ks, int32_t nbatch,
                                   const int64_t *bd, const int64_t *as, size_t batch,
                                   op_launch *out)
{
    opts o = packing_options(rt, cfg->tm, 0);
    int64_t d[8], s[8];
    batch_args8(nbatch, bd, as, d, s);
    karg a;
    launch_begin(rt, out, "gemm_pack", &o, "gemm_pack_a", KARG_AFTER_TENSORS(2), &a);
    const int32_t sizes[4] = {m, k, a_rs, a_ks}; /* A' is m x k, strides a_rs and a_ks */
    karg_ints(&a, sizes, 4);
    karg_long8(&a, d);
    karg_long8(&a, s);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t tm = (size_t)(cfg->tm > 0 ? cfg->tm : 1);
    launch_grid3(out, (size_t)k, ((size_t)m + tm - 1) / tm, batch, 8);
    return CLINFER_OK;
}

clinfer_status gemm_operand_pack_prepare(clinfer_runtime *rt, const gemm_config *cfg,
                                         const gemm_operand_packing *p, op_launch *out)
{
    if (p->b)
        return gemm_pack_prepare(rt, cfg, p->lines, p->k, p->k_stride, p->line_stride, p->nbatch,
                                 p->bd, p->bs, p->batch, 0, out);
    gemm_config cpu_tiles = *cfg;
    cpu_tiles.variant = GEMM_VARIANT_CPU;
    return gemm_pack_a_prepare(rt, &cpu_tiles, p->lines, p->k, p->line_stride, p->k_stride,
                               p->nbatch, p->bd, p->bs, p->batch, out);
}

clinfer_status gemm_pack_bind(clinfer_runtime *rt, op_launch *l, dev_tensor b, cl_mem packed)
{
    karg k = launch_args(l, 0);
    karg_tensor(&k, b);
    karg_buffer(&k, packed);
    return launch_finish(rt, l, &k);
}

/* ------------------------------------------------------------------ Gemm */

gemm_params gemm_params_default(void)
{
    gemm_params p;
    memset(&p, 0, sizeof p);
    p.alpha = p.beta = 1.0f;
    return p;
}

clinfer_status gemm_dims_from_shapes(clinfer_runtime *rt, const clinfer_shape *a,
                                     const clinfer_shape *b, gemm_params *p)
{
    char sa[160], sb[160];
    if (a->rank != 2 || b->rank != 2)
        return err_set(rt, CLINFER_ERR_SHAPE, "Gemm: %s has shape %s, expected rank 2",
                       a->rank != 2 ? "A" : "B",
                       safe_shape_str(a->rank != 2 ? a : b, sa, sizeof sa));
    clinfer_status st = check_dims(rt, "Gemm", "A", a);
    if (st == CLINFER_OK)
        st = check_dims(rt, "Gemm", "B", b);
    if (st != CLINFER_OK)
        return st;
    int64_t m = p->trans_a ? a->dims[1] : a->dims[0];
    int64_t ka = p->trans_a ? a->dims[0] : a->dims[1];
    int64_t kb = p->trans_b ? b->dims[1] : b->dims[0];
    int64_t n = p->trans_b ? b->dims[0] : b->dims[1];
    if (ka != kb)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "Gemm: K mismatch: A %s (transA=%d) has K=%lld but B %s (transB=%d) "
                       "has K=%lld",
                       shape_str(a, sa, sizeof sa), p->trans_a ? 1 : 0, (long long)ka,
                       shape_str(b, sb, sizeof sb), p->trans_b ? 1 : 0, (long long)kb);
    p->m = (int32_t)m;
    p->n = (int32_t)n;
    p->k = (int32_t)ka;
    return CLINFER_OK;
}

/* Strides of C over [M, N] (0 along broadcast axes) after checking that its
 * shape broadcasts unidirectionally to [M, N]. */
static clinfer_status gemm_c_strides(clinfer_runtime *rt, const gemm_params *p, int32_t *rs,
                                     int32_t *cs)
{
    char buf[160];
    const clinfer_shape *c = &p->c_shape;
    if (c->rank < 0 || c->rank > 2)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "Gemm: C has shape %s, expected rank 0 to 2 broadcastable to [M, N] = "
                       "[%d, %d]",
                       safe_shape_str(c, buf, sizeof buf), p->m, p->n);
    int64_t rows = c->rank == 2 ? c->dims[0] : 1;
    int64_t cols = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
    if ((rows != 1 && rows != p->m) || (cols != 1 && cols != p->n))
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "Gemm: C has shape %s, which does not broadcast to [M, N] = [%d, %d]",
                       shape_str(c, buf, sizeof buf), p->m, p->n);
    *cs = cols == 1 ? 0 : 1;
    *rs = rows == 1 ? 0 : (int32_t)cols;
    return CLINFER_OK;
}

clinfer_status gemm_output_shape(clinfer_runtime *rt, const gemm_params *p, clinfer_shape *out)
{
    if (p->m < 1 || p->n < 1 || p->k < 1)
        return err_set(rt, p->m < 0 || p->n < 0 || p->k < 0 ? CLINFER_ERR_SHAPE
                                                            : CLINFER_ERR_UNSUPPORTED,
                       "Gemm: M=%d, N=%d, K=%d: every dim must be >= 1", p->m, p->n, p->k);
    if ((int64_t)p->m * p->k > INT32_MAX || (int64_t)p->k * p->n > INT32_MAX ||
        (int64_t)p->m * p->n > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "Gemm: M=%d, N=%d, K=%d: an operand has more than %d elements", p->m,
                       p->n, p->k, INT32_MAX);
    if (p->has_c) {
        int32_t rs, cs;
        clinfer_status st = gemm_c_strides(rt, p, &rs, &cs);
        if (st != CLINFER_OK)
            return st;
    }
    clinfer_status st = check_act(rt, "Gemm", p->act);
    if (st != CLINFER_OK)
        return st;
    const int64_t dims[2] = {p->m, p->n};
    *out = shape_make(2, dims);
    return CLINFER_OK;
}

/* The geometry of a Gemm with A', B' through strides (trans_a, trans_b). */
static gemm_geometry gemm_geometry_of(clinfer_runtime *rt, const gemm_params *p)
{
    gemm_geometry g = gemm_geometry_plain(p->m, p->n, p->k);
    g.a_rs = p->trans_a ? 1 : p->k;
    g.a_ks = p->trans_a ? p->m : 1;
    g.b_ks = p->trans_b ? 1 : p->n;
    g.b_ns = p->trans_b ? p->k : 1;
    if (p->has_c)
        gemm_c_strides(rt, p, &g.c_rs, &g.c_cs);
    return g;
}

clinfer_status gemm_plan_make(clinfer_runtime *rt, const gemm_params *p, int split_ok,
                              gemm_plan *out)
{
    clinfer_shape y;
    clinfer_status st = gemm_output_shape(rt, p, &y);
    if (st == CLINFER_OK)
        st = gemm_config_for_product(rt, p->m, p->n, p->k, 1, split_ok, &out->cfg);
    if (st != CLINFER_OK)
        return st;
    gemm_geometry g = gemm_geometry_of(rt, p);
    out->partial_bytes = gemm_partial_floats(&out->cfg, &g) * sizeof(float);
    out->packed_bytes = out->cfg.variant == GEMM_VARIANT_CPU
                            ? gemm_packed_floats(&out->cfg, p->n, p->k) * rt_elem_bytes(rt)
                            : 0;
    return CLINFER_OK;
}

clinfer_status gemm_pack_b_prepare(clinfer_runtime *rt, const gemm_params *p,
                                   const gemm_plan *plan, op_launch *out)
{
    clinfer_shape y;
    clinfer_status st = gemm_output_shape(rt, p, &y);
    if (st != CLINFER_OK)
        return st;
    gemm_geometry g = gemm_geometry_of(rt, p);
    return gemm_pack_prepare(rt, &plan->cfg, g.n, g.k, g.b_ks, g.b_ns, 0, NULL, NULL, 1, 0, out);
}

clinfer_status gemm_pack_b_bind(clinfer_runtime *rt, op_launch *l, dev_tensor b, cl_mem packed)
{
    return gemm_pack_bind(rt, l, b, packed);
}

clinfer_status gemm_pack_b_on_host(clinfer_runtime *rt, const gemm_params *p,
                                   const gemm_plan *plan, const float *b, float *packed)
{
    clinfer_shape y;
    clinfer_status st = gemm_output_shape(rt, p, &y);
    if (st != CLINFER_OK)
        return st;
    gemm_geometry g = gemm_geometry_of(rt, p);
    gemm_pack_b_host(&plan->cfg, g.n, g.k, g.b_ks, g.b_ns, 0, NULL, NULL, 1, b, packed);
    return CLINFER_OK;
}

clinfer_status gemm_prepare(clinfer_runtime *rt, const gemm_params *p, const gemm_plan *plan,
                            op_launch *out)
{
    clinfer_shape y;
    clinfer_status st = gemm_output_shape(rt, p, &y);
    if (st != CLINFER_OK)
        return st;
    gemm_geometry g = gemm_geometry_of(rt, p);
    return gemm_core_prepare(rt, &plan->cfg, &g, p->has_c, p->alpha, p->has_c ? p->beta : 0.0f,
                             p->act, out);
}

clinfer_status gemm_reduce_launch_prepare(clinfer_runtime *rt, const gemm_params *p,
                                          const gemm_plan *plan, op_launch *out)
{
    gemm_geometry g = gemm_geometry_of(rt, p);
    return gemm_reduce_prepare(rt, &plan->cfg, &g, p->has_c, p->alpha,
                               p->has_c ? p->beta : 0.0f, p->act, out);
}

clinfer_status gemm_bind(clinfer_runtime *rt, op_launch *l,
                         dev_tensor a, dev_tensor b, dev_tensor c, dev_tensor y)
{
    return gemm_core_bind(rt, l, a, b, c, y, dev_whole(NULL));
}

/* ---------------------------------------------------------------- MatMul */

/* The product as matrices: A' [M, K] and B' [K, N] after 1-D promotion, and
 * the batch dims of A and B (outermost first, without the last two). */
typedef struct matmul_dims {
    int64_t m, n, k;
    int32_t a_batch_rank, b_batch_rank;
} matmul_dims;

/* Checks the shapes into *d and the output shape into *out (NULL: not
 * wanted). */
static clinfer_status matmul_check(clinfer_runtime *rt, const matmul_params *p, matmul_dims *d,
                                   clinfer_shape *out)
{
    const clinfer_shape *a = &p->a, *b = &p->b;
    char sa[160], sb[160];
    if (a->rank < 1 || b->rank < 1)
        return err_set(rt, CLINFER_ERR_SHAPE, "MatMul: %s has rank %d, expected rank >= 1",
                       a->rank < 1 ? "A" : "B", (int)(a->rank < 1 ? a->rank : b->rank));
    clinfer_status st = check_dims(rt, "MatMul", "A", a);
    if (st == CLINFER_OK)
        st = check_dims(rt, "MatMul", "B", b);
    if (st == CLINFER_OK)
        st = check_act(rt, "MatMul", p->act);
    if (st != CLINFER_OK)
        return st;
    d->m = a->rank == 1 ? 1 : a->dims[a->rank - 2];
    d->k = a->dims[a->rank - 1];
    int64_t kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    d->n = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if (d->k != kb)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "MatMul: K mismatch: A %s has K=%lld (last dim) but B %s has K=%lld (%s)",
                       shape_str(a, sa, sizeof sa), (long long)d->k, shape_str(b, sb, sizeof sb),
                       (long long)kb, b->rank == 1 ? "its only dim" : "second-to-last dim");
    d->a_batch_rank = a->rank > 2 ? a->rank - 2 : 0;
    d->b_batch_rank = b->rank > 2 ? b->rank - 2 : 0;
    clinfer_shape ab = shape_make(d->a_batch_rank, a->dims);
    clinfer_shape bb = shape_make(d->b_batch_rank, b->dims);
    clinfer_shape y;
    if (!shape_broadcast(&ab, &bb, &y))
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "MatMul: batch dims of A %s and B %s do not broadcast",
                       shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb));
    if (a->rank > 1)
        y.dims[y.rank++] = d->m;
    if (b->rank > 1)
        y.dims[y.rank++] = d->n;
    if (small_numel(&y) < 0)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "MatMul: output of A %s and B %s has more than %d elements",
                       shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb), INT32_MAX);
    if (out)
        *out = y;
    return CLINFER_OK;
}

clinfer_status matmul_output_shape(clinfer_runtime *rt, const matmul_params *p,
                                   clinfer_shape *out)
{
    matmul_dims d;
    return matmul_check(rt, p, &d, out);
}

/* Fills the batch dims of g from the batch shapes of A and B: output dims of
 * size 1 are dropped and neighbours that both operands step through alike
 * are merged, so that at most GEMM_BATCH_DIMS remain. */
static void matmul_batch(const matmul_params *p, const matmul_dims *d, gemm_geometry *g)
{
    const int32_t ra = d->a_batch_rank, rb = d->b_batch_rank;
    const int32_t rank = ra > rb ? ra : rb;
    int64_t a_step = d->m * d->k, b_step = d->k * d->n; /* stride of the innermost batch dim */
    g->nbatch = 0;
    g->batch = 1;
    for (int32_t i = rank - 1; i >= 0; i--) { /* innermost first */
        int32_t ia = i - (rank - ra), ib = i - (rank - rb);
        int64_t da = ia >= 0 ? p->a.dims[ia] : 1, db = ib >= 0 ? p->b.dims[ib] : 1;
        int64_t size = da > db ? da : db;
        int64_t sa = da == 1 ? 0 : a_step, sb = db == 1 ? 0 : b_step;
        a_step *= da;
        b_step *= db;
        if (size == 1)
            continue;
        g->batch *= (size_t)size;
        int32_t last = g->nbatch - 1;
        if (last >= 0 && sa == g->as[last] * g->bd[last] && sb == g->bs[last] * g->bd[last]) {
            g->bd[last] *= size; /* merge into the inner dim */
            continue;
        }
        g->bd[g->nbatch] = size;
        g->as[g->nbatch] = sa;
        g->bs[g->nbatch] = sb;
        g->nbatch++;
    }
}

/* The launch geometry of a checked MatMul, B read through strides. */
static gemm_geometry matmul_geometry(const matmul_params *p, const matmul_dims *d)
{
    gemm_geometry g = gemm_geometry_plain((int32_t)d->m, (int32_t)d->n, (int32_t)d->k);
    matmul_batch(p, d, &g);
    if (g.nbatch == 1 && g.bs[0] == 0 && g.as[0] == (int64_t)g.m * g.k) {
        /* B is shared by every batch and A is dense: one [batch * M, K] product */
        g.m = (int32_t)(g.m * g.bd[0]);
        g.nbatch = 0;
        g.batch = 1;
    }
    return g;
}

/* Matrices in B: the product of its batch dims. */
static size_t matmul_b_count(const matmul_params *p, const matmul_dims *d)
{
    size_t count = 1;
    for (int32_t i = 0; i < d->b_batch_rank; i++)
        count *= (size_t)p->b.dims[i];
    return count;
}

clinfer_status matmul_plan_make(clinfer_runtime *rt, const matmul_params *p, gemm_plan *out)
{
    matmul_dims d;
    clinfer_status st = matmul_check(rt, p, &d, NULL);
    if (st != CLINFER_OK)
        return st;
    gemm_geometry g = matmul_geometry(p, &d);
    st = gemm_config_for_product(rt, g.m, g.n, g.k, (int64_t)g.batch, 0, &out->cfg);
    if (st != CLINFER_OK)
        return st;
    out->partial_bytes = 0;
    out->packed_bytes = out->cfg.variant == GEMM_VARIANT_CPU
                            ? matmul_b_count(p, &d) * gemm_packed_floats(&out->cfg, d.n, d.k) *
                                  rt_elem_bytes(rt)
                            : 0;
    return CLINFER_OK;
}

clinfer_status matmul_pack_b_prepare(clinfer_runtime *rt, const matmul_params *p,
                                     const gemm_plan *plan, op_launch *out)
{
    matmul_dims d;
    clinfer_status st = matmul_check(rt, p, &d, NULL);
    if (st != CLINFER_OK)
        return st;
    const int64_t count = (int64_t)matmul_b_count(p, &d), step = d.k * d.n;
    return gemm_pack_prepare(rt, &plan->cfg, (int32_t)d.n, (int32_t)d.k, (int32_t)d.n, 1, 1,
                             &count, &step, (size_t)count, 0, out);
}

clinfer_status matmul_pack_b_on_host(clinfer_runtime *rt, const matmul_params *p,
                                     const gemm_plan *plan, const float *b, float *packed)
{
    matmul_dims d;
    clinfer_status st = matmul_check(rt, p, &d, NULL);
    if (st != CLINFER_OK)
        return st;
    const int64_t count = (int64_t)matmul_b_count(p, &d), step = d.k * d.n;
    gemm_pack_b_host(&plan->cfg, (int32_t)d.n, (int32_t)d.k, d.n, 1, 1, &count, &step,
                     (size_t)count, b, packed);
    return CLINFER_OK;
}

clinfer_status matmul_prepare(clinfer_runtime *rt, const matmul_params *p, const gemm_plan *plan,
                              op_launch *out)
{
    matmul_dims d;
    clinfer_status st = matmul_check(rt, p, &d, NULL);
    if (st != CLINFER_OK)
        return st;
    gemm_geometry g = matmul_geometry(p, &d);
    if (plan->packed_bytes > 0) { /* B batch strides in packed matrices */
        const int64_t packed = (int64_t)gemm_packed_floats(&plan->cfg, d.n, d.k);
        for (int32_t i = 0; i < g.nbatch; i++)
            g.bs[i] = g.bs[i] / (d.k * d.n) * packed;
    }
    return gemm_core_prepare(rt, &plan->cfg, &g, 0, 1.0f, 0.0f, p->act, out);
}

clinfer_status matmul_bind(clinfer_runtime *rt, op_launch *l,
                           dev_tensor a, dev_tensor b, dev_tensor y)
{
    return gemm_core_bind(rt, l, a, b, dev_whole(NULL), y, dev_whole(NULL));
}
