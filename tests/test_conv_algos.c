/*
 * test_conv_algos.c — every convolution algorithm (naive, direct, im2col,
 * gemm1x1, winograd, depthwise, pooled, fc, stem, implicit), the GEMM-based
 * ones under every GEMM variant (cpu, gpu, naive; implicit under gpu, the
 * one it takes), against the naive reference on random data: odd and
 * non-square sizes, strides, asymmetric padding, dilation, groups,
 * depthwise, bias, fused activations, batch > 1, batches split into
 * scratch chunks; the automatic choice, forcing through CLINFER_CONV_ALGO
 * and the reasons an algorithm does not apply; convolution nodes of a graph
 * through the public API under every forced algorithm (test_op); and the
 * parameter checks.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_test.h"
#include "ops/conv2d.h"
#include "ref_eltwise.h"
#include "ref_pool2d.h"
#include "reference.h"
#include "tensor.h"
#include "testutil.h"

typedef struct conv_case {
    const char *name;
    int32_t n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups, bias;
    act_kind act;
} conv_case;

static const conv_case cases[] = {
    {"1x1 single", 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, ACT_KIND_NONE},
    {"3x3 odd", 1, 3, 7, 9, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_GELU},
    {"3x3 pad1 relu", 2, 4, 13, 11, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
    {"3x3 pad1 wide", 2, 5, 9, 45, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_CLIP},
    {"5x3 stride2", 3, 2, 17, 10, 4, 5, 3, 2, 2, 2, 1, 2, 1, 1, 1, 1, 1, ACT_KIND_NONE},
    {"asym pad stride(2,3)", 1, 3, 12, 15, 7, 3, 4, 2, 3, 0, 2, 1, 0, 1, 1, 1, 0, ACT_KIND_RELU},
    {"asym pad stride 1", 2, 3, 12, 15, 7, 3, 4, 1, 1, 0, 2, 1, 0, 1, 1, 1, 1, ACT_KIND_ELU},
    {"dilation 2", 2, 3, 14, 13, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, ACT_KIND_NONE},
    {"dilation (2,3) stride 2", 1, 2, 15, 17, 3, 3, 2, 2, 2, 1, 0, 2, 1, 2, 3, 1, 1,
     ACT_KIND_LEAKY_RELU},
    {"groups 3", 2, 6, 9, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, ACT_KIND_RELU},
    {"groups 2 stride 2", 3, 4, 11, 10, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2, 1, ACT_KIND_NONE},
    {"depthwise s2", 1, 8, 10, 11, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8, 1, ACT_KIND_HARD_SWISH},
    {"depthwise s1 wide", 2, 5, 7, 41, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1, ACT_KIND_CLIP},
    {"depthwise s2 wide", 2, 3, 9, 70, 3, 3, 3, 2, 2, 1, 1, 0, 1, 1, 1, 3, 0, ACT_KIND_RELU},
    {"depthwise 5x5 dil 2", 1, 4, 12, 37, 4, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, 4, 1, ACT_KIND_CELU},
    {"1x1 many channels", 2, 37, 5, 6, 19, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_SOFTPLUS},
    {"1x1 in place", 3, 13, 9, 7, 21, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_RELU},
    {"1x1 groups 2", 2, 10, 8, 9, 14, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2, 1, ACT_KIND_NONE},
    {"1x1 stride 2", 2, 6, 9, 9, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    {"3x3 stride 3 dil 2", 2, 3, 19, 23, 5, 3, 3, 3, 3, 1, 2, 0, 1, 2, 2, 1, 1, ACT_KIND_NONE},
    {"2x2 stride (3,2) dil (1,3)", 1, 4, 14, 17, 6, 2, 2, 3, 2, 1, 1, 1, 1, 1, 3, 2, 1,
     ACT_KIND_RELU},
    {"kernel = input", 1, 2, 4, 5, 3, 4, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    {"7x7 stride2 pad3", 1, 3, 23, 21, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, ACT_KIND_RELU},
    {"3x3 many out channels", 1, 16, 10, 12, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
     ACT_KIND_SIGMOID},
    {"3x3 13x17 pad1", 2, 19, 13, 17, 23, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
    {"3x3 13x17 pad0", 2, 21, 13, 17, 9, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
     ACT_KIND_LEAKY_RELU},
    {"3x3 asym pad", 1, 17, 10, 9, 33, 3, 3, 1, 1, 2, 0, 1, 2, 1, 1, 1, 1, ACT_KIND_CLIP},
    {"3x3 many tiles", 1, 35, 30, 41, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_TANH},
    /* one tile of a long K: the gpu GEMM splits K (gemm_config_for_product) */
    {"3x3 deep few tiles", 1, 40, 6, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
    {"1x1 deep few tiles", 1, 300, 5, 6, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    /* depthwise: the 3x3 path (stride_h 1 or 2, any stride_w), the general
     * one, several small planes per item, planes split into row blocks */
    {"dw 3x3 7x7 many planes", 1, 70, 7, 7, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 70, 1,
     ACT_KIND_RELU},
    {"dw 3x3 s2 odd batch 2", 2, 9, 15, 13, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 9, 1, ACT_KIND_CLIP},
    {"dw 3x3 s2 pad 0", 1, 3, 9, 50, 3, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 3, 0, ACT_KIND_NONE},
    {"dw 3x3 stride (1,2)", 1, 5, 12, 37, 5, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 5, 1, ACT_KIND_RELU},
    {"dw 3x3 stride (2,1) tall", 2, 3, 40, 9, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 3, 1,
     ACT_KIND_HARD_SWISH},
    {"dw 3x3 stride 3 asym pad", 1, 6, 19, 22, 6, 3, 3, 3, 3, 1, 0, 2, 1, 1, 1, 6, 0,
     ACT_KIND_NONE},
    {"dw 3x3 stride (2,3)", 1, 4, 13, 40, 4, 3, 3, 2, 3, 1, 2, 0, 1, 1, 1, 4, 1, ACT_KIND_RELU},
    {"dw 3x5 asym pad", 2, 5, 11, 34, 5, 3, 5, 1, 1, 0, 2, 2, 1, 1, 1, 5, 1,
     ACT_KIND_LEAKY_RELU},
    {"dw 5x5 s2 dil 2", 1, 4, 23, 29, 4, 5, 5, 2, 2, 3, 4, 4, 3, 2, 2, 4, 1, ACT_KIND_NONE},
    {"dw 3x3 dil 2 pad 2", 2, 7, 9, 10, 7, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 7, 1, ACT_KIND_NONE},
    {"dw 3x3 row blocks", 1, 2, 70, 50, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, ACT_KIND_RELU},
    {"dw 5x5 small planes batch 3", 3, 24, 4, 5, 24, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 24, 1,
     ACT_KIND_NONE},
    /* the 5x5 fast path (its own program, -DDW_K=5): row blocks of rows
     * wider than 16, stride 2, stride (1,2), small planes */
    {"dw 5x5 s1 row blocks", 1, 3, 45, 37, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 3, 1,
     ACT_KIND_HARD_SWISH},
    {"dw 5x5 s2 batch 2", 2, 5, 19, 23, 5, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 5, 1, ACT_KIND_RELU},
    {"dw 5x5 stride (1,2) asym pad", 1, 4, 13, 29, 4, 5, 5, 1, 2, 1, 2, 3, 1, 1, 1, 4, 0,
     ACT_KIND_NONE},
    {"dw 5x5 7x7 many planes", 1, 40, 7, 7, 40, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 40, 1,
     ACT_KIND_CLIP},
    /* the flat form (conv2d_depthwise_flat): whole small planes at stride
     * 1, windows over 3x3 (the 7x7 case above too); asymmetric padding, a
     * 7x7 window over a 6x5 plane, batch 2; dilation 2 */
    {"dw 7x7 flat asym pad batch 2", 2, 9, 6, 5, 9, 7, 7, 1, 1, 3, 2, 3, 4, 1, 1, 9, 1,
     ACT_KIND_HARD_SWISH},
    {"dw 5x5 flat dil 2", 1, 6, 5, 6, 6, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, 6, 0, ACT_KIND_RELU},
    /* output rows wider than one 16-float store (17 and 35 columns) */
    {"dw 7x7 flat 17 wide", 1, 19, 29, 17, 19, 7, 7, 1, 1, 3, 3, 3, 3, 1, 1, 19, 1,
     ACT_KIND_RELU},
    {"dw 5x5 flat 35 wide batch 2", 2, 5, 9, 35, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 5, 0,
     ACT_KIND_NONE},
    /* 1x1 over few channels: the cpu GEMM gives each item several column
     * panels (gemm_core_prepare), the last item fewer; read in place (1073
     * columns) and packed (512, two images) */
    {"1x1 short K many panels", 1, 3, 37, 29, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_CLIP},
    {"1x1 short K packed batch 2", 2, 7, 16, 32, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_RELU},
    /* 1x1 over small images with K >= 256: the cpu GEMM computes X^T W^T
     * (plan.transposed): 49 rows in tiles of 8 (the last one moved up),
     * items over row tiles (2 panels) or one item per panel (8 panels), a
     * 45-pixel image without bias */
    {"1x1 7x7 K 270 transposed", 2, 270, 7, 7, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_RELU},
    {"1x1 13x11 K 256 transposed", 1, 256, 13, 11, 256, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_SWISH},
    {"1x1 5x9 K 300 transposed", 3, 300, 5, 9, 96, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
     ACT_KIND_SIGMOID},
    /* tails of at most half a tile computed alone (gemm.cl's gemm_rows):
     * 169 rows = 21 tiles of 8 and 1, 196 = 24 and 4 */
    {"1x1 13x13 K 260 transposed tail 1", 2, 260, 13, 13, 96, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1,
     1, ACT_KIND_RELU},
    {"1x1 14x14 K 256 transposed tail 4", 1, 256, 14, 14, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1,
     0, ACT_KIND_NONE},
    /* stem (groups 1, C * KH * KW <= 32): a first layer (3 channels, 3x3,
     * stride 2) with 21 output channels (blocks of 16 and 5) and a row end
     * inside a vector; 40 channels over a 1-channel 7x7 stride 3 dilated
     * window; an input smaller than one vector's reach (masked lanes read
     * near the buffer's ends) */
    {"stem 3ch 3x3 s2 batch 2", 2, 3, 37, 45, 21, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1,
     ACT_KIND_HARD_SWISH},
    {"stem 1ch 3x3 s3 dil 2", 1, 1, 29, 41, 40, 3, 3, 3, 3, 2, 1, 2, 1, 2, 2, 1, 1,
     ACT_KIND_RELU},
    {"stem tiny input", 3, 2, 3, 4, 17, 2, 3, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, ACT_KIND_NONE},
    /* direct over small images, with the cpu GEMM transposed (plan.transposed,
     * conv2d_direct_t: positions as rows, output channels as lanes): a 7x7
     * image of 64 channels (tiles of 7, panels of 32), batch 2; stride 2
     * over a 13x11 input (a 7x6 output, 48 channels: one panel of 48);
     * dilation 2 with asymmetric padding (an 8x11 output: two tiles of 6
     * per row, the last position past the row computed and dropped; 40
     * channels: a panel's last 8 lanes unused) */
    {"3x3 7x7 64ch direct_t batch 2", 2, 20, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
     ACT_KIND_RELU},
    {"3x3 s2 48ch direct_t", 1, 9, 13, 11, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1,
     ACT_KIND_NONE},
    {"3x3 dil 2 asym pad 40ch direct_t", 1, 6, 9, 12, 40, 3, 3, 1, 1, 2, 1, 1, 2, 2, 2, 1, 0,
     ACT_KIND_HARD_SWISH},
    /* strided 1x1s, read in place (no padded copy): 13x11 -> 7x6; 9x25 ->
     * 5x13 in two tiles of 7 per row (the position past the row reads
     * the row's last one) */
    {"1x1 s2 40ch direct_t batch 2", 2, 24, 13, 11, 40, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_RELU},
    {"1x1 s2 13 wide direct_t", 1, 17, 9, 25, 40, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0,
     ACT_KIND_NONE},
    /* a 1x1 output from a kernel the size of the input (fc): squeeze-
     * excitation's 1x1 over a pooled input, at batch 1 (fewer rows than the
     * cpu GEMM's tile) and at a batch of more rows than one tile; a 3x2
     * kernel over a 3x2 input, stride 2 (which changes nothing) */
    {"fc 1x1 input batch 1", 1, 150, 1, 1, 37, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_HARD_SWISH},
    {"fc 1x1 input batch 11", 11, 19, 1, 1, 70, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     ACT_KIND_HARD_SIGMOID},
    {"fc 3x2 kernel = input", 3, 5, 3, 2, 45, 3, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0,
     ACT_KIND_RELU},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const conv2d_algo algos[] = {CONV2D_ALGO_NAIVE,    CONV2D_ALGO_DIRECT,
                                    CONV2D_ALGO_IM2COL,   CONV2D_ALGO_GEMM1X1,
                                    CONV2D_ALGO_WINOGRAD, CONV2D_ALGO_DEPTHWISE,
                                    CONV2D_ALGO_POOLED,   CONV2D_ALGO_FC,
                                    CONV2D_ALGO_STEM,     CONV2D_ALGO_IMPLICIT};
#define N_ALGOS (sizeof algos / sizeof algos[0])
static const char *const gemm_variants[] = {"cpu", "gpu", "naive"};

static conv2d_params params_of(const conv_case *k)
{
    conv2d_params p = conv2d_params_default();
    p.n = k->n, p.c = k->c, p.h = k->h, p.w = k->w, p.oc = k->oc, p.kh = k->kh, p.kw = k->kw;
    p.stride_h = k->sh, p.stride_w = k->sw;
    p.pad_top = k->pt, p.pad_left = k->pl, p.pad_bottom = k->pb, p.pad_right = k->pr;
    p.dil_h = k->dh, p.dil_w = k->dw, p.groups = k->groups, p.has_bias = k->bias;
    p.act.kind = k->act;
    p.act.a = k->act == ACT_KIND_CLIP ? -0.25f : 0.1f;
    p.act.b = 0.5f;
    return p;
}

static int uses_gemm(conv2d_algo a)
{
    return a == CONV2D_ALGO_IM2COL || a == CONV2D_ALGO_GEMM1X1 || a == CONV2D_ALGO_DIRECT ||
           a == CONV2D_ALGO_WINOGRAD || a == CONV2D_ALGO_FC;
}

/* The variants algorithm `a` runs under, and the variable that forces them:
 * the GEMM variants, the depthwise kernels, or none. */
static const char *const depthwise_variants[] = {"cpu", "gpu"};
static int variants_of(conv2d_algo a, const char *const **names, const char **env)
{
    *names = gemm_variants, *env = "CLINFER_GEMM_VARIANT";
    if (uses_gemm(a))
        return 3;
    if (a == CONV2D_ALGO_IMPLICIT) { /* gemm_local's tiles only */
        *names = gemm_variants + 1;
        return 1;
    }
    if (a == CONV2D_ALGO_DEPTHWISE) {
        *names = depthwise_variants, *env = "CLINFER_DEPTHWISE_VARIANT";
        return 2;
    }
    return 1;
}

/* Runs every launch of `plan` on the device: in, w, b (and the residual r
 * with p->has_residual, the input scale sc [N, C] with p->has_scale) to
 * got. */
static void run_plan_scaled(clinfer_runtime *rt, const conv2d_params *p,
                            const conv2d_plan *plan, const float *in, const float *w,
                            const float *b, const float *r, const float *sc, float *got,
                            size_t out_n, const char *what)
{
    size_t in_n = (size_t)p->n * p->c * p->h * p->w;
    size_t w_n = (size_t)p->oc * (p->c / p->groups) * p->kh * p->kw;
    cl_mem m[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    clinfer_status st = buffer_create(rt, in_n * 4, in, &m[0]);
    if (st == CLINFER_OK)
        st = buffer_create(rt, w_n * 4, w, &m[1]);
    if (st == CLINFER_OK && p->has_bias)
        st = buffer_create(rt, (size_t)p->oc * 4, b, &m[2]);
    if (st == CLINFER_OK)
        st = buffer_create(rt, out_n * 4, NULL, &m[3]);
    if (st == CLINFER_OK && plan->scratch_bytes > 0)
        st = buffer_create(rt, (size_t)plan->scratch_bytes, NULL, &m[4]);
    if (st == CLINFER_OK && plan->persist_bytes > 0)
        st = buffer_create(rt, (size_t)plan->persist_bytes, NULL, &m[5]);
    if (st == CLINFER_OK && p->has_residual)
        st = buffer_create(rt, out_n * 4, r, &m[6]);
    if (st == CLINFER_OK && p->has_scale)
        st = buffer_create(rt, (size_t)p->n * p->c * 4, sc, &m[7]);
    cr_assert_eq(st, CLINFER_OK, "%s: buffers: %s", what, clinfer_last_errmsg());
    for (int32_t i = 0; i < plan->prep_count; i++) {
        op_launch l;
        st = conv2d_prep_launch(rt, p, plan, i, dev_whole(m[1]), m[5], &l);
        cr_assert_eq(st, CLINFER_OK, "%s: conv2d_prep_launch %d: %s", what, (int)i,
                     clinfer_last_errmsg());
        st = launch_enqueue(rt, &l, NULL);
        cr_assert_eq(st, CLINFER_OK, "%s: enqueue %s: %s", what, l.name, clinfer_last_errmsg());
        launch_release(&l);
    }
    const conv2d_buffers bufs = {dev_whole(m[0]), dev_whole(m[1]), dev_whole(m[2]),
                                 dev_whole(m[6]), dev_whole(m[3]), m[4],
                                 m[5],            dev_whole(m[7])};
    for (int32_t i = 0; i < plan->launch_count; i++) {
        op_launch l;
        st = conv2d_launch(rt, p, plan, i, &bufs, &l);
        cr_assert_eq(st, CLINFER_OK, "%s: conv2d_launch %d: %s", what, (int)i,
                     clinfer_last_errmsg());
        st = launch_enqueue(rt, &l, NULL);
        cr_assert_eq(st, CLINFER_OK, "%s: enqueue %s: %s", what, l.name, clinfer_last_errmsg());
        launch_release(&l);
    }
    st = buffer_read(rt, m[3], out_n * 4, got);
    cr_assert_eq(st, CLINFER_OK, "%s: read: %s", what, clinfer_last_errmsg());
    for (int i = 0; i < 8; i++)
        if (m[i])
            clReleaseMemObject(m[i]);
}

static void run_plan(clinfer_runtime *rt, const conv2d_params *p, const conv2d_plan *plan,
                     const float *in, const float *w, const float *b, const float *r, float *got,
                     size_t out_n, const char *what)
{
    run_plan_scaled(rt, p, plan, in, w, b, r, NULL, got, out_n, what);
}

/* Every algorithm that applies to case k, under every GEMM variant where it
 * uses one, against ref_conv2d; the others must refuse, saying why. With
 * `residual`, a random tensor is added before the activation. Each variant
 * runs on a runtime made from `base` (NULL: the defaults) that forces it;
 * the test frees them with test_forced_free. */
static void check_case(const clinfer_runtime_options *base, const conv_case *k, uint32_t seed,
                       int residual)
{
    conv2d_params p = params_of(k);
    p.has_residual = residual;
    int32_t oh = ref_window_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, p.dil_h);
    int32_t ow = ref_window_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, p.dil_w);
    size_t in_n = (size_t)p.n * p.c * p.h * p.w;
    size_t w_n = (size_t)p.oc * (p.c / p.groups) * p.kh * p.kw;
    size_t out_n = (size_t)p.n * p.oc * oh * ow;
    float *in = test_alloc(in_n * 4), *w = test_alloc(w_n * 4), *b = test_alloc((size_t)p.oc * 4);
    float *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
    float *r = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    fill_uniform(w, w_n, -1, 1, &seed);
    fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
    fill_uniform(r, out_n, -1, 1, &seed);
    if (residual) { /* act(conv + bias + r) */
        conv2d_params linear = p;
        linear.act.kind = ACT_KIND_NONE;
        ref_conv2d(&linear, in, w, p.has_bias ? b : NULL, want);
        for (size_t i = 0; i < out_n; i++)
            want[i] += r[i];
        ref_unary(UNARY_ACT, p.act, out_n, want, want);
    } else {
        ref_conv2d(&p, in, w, p.has_bias ? b : NULL, want);
    }
    const float atol = 1e-5f + 2e-7f * (float)((p.c / p.groups) * p.kh * p.kw);
    for (size_t a = 0; a < N_ALGOS; a++) {
        const char *why = conv2d_algo_unfit(&p, algos[a]);
        const char *const *names, *env;
        const int count = variants_of(algos[a], &names, &env);
        for (int v = 0; v < count; v++) {
            char what[200];
            snprintf(what, sizeof what, "%s [%s, %s=%s]", k->name, conv2d_algo_name(algos[a]),
                     env, names[v]);
            clinfer_runtime *rt = test_forced_runtime(base, env, names[v]);
            conv2d_plan plan;
            clinfer_status st = conv2d_plan_algo(rt, &p, algos[a], &plan);
            if (why) {
                cr_assert_eq(st, CLINFER_ERR_UNSUPPORTED, "%s: planned although %s", what, why);
                cr_assert(strstr(clinfer_last_errmsg(), why), "%s: message \"%s\" lacks \"%s\"",
                          what, clinfer_last_errmsg(), why);
                continue;
            }
            cr_assert_eq(st, CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
            cr_assert_eq(plan.algo, algos[a], "%s: planned %s", what,
                         conv2d_algo_name(plan.algo));
            if (algos[a] == CONV2D_ALGO_DEPTHWISE && v == 1) /* the general kernel */
                cr_assert_eq(plan.dw_rows, 0, "%s: %d rows per item", what, (int)plan.dw_rows);
            memset(got, 0, out_n * 4);
            run_plan(rt, &p, &plan, in, w, b, r, got, out_n, what);
            assert_close(got, want, out_n, atol, 1e-4f, what);
        }
    }
    free(in), free(w), free(b), free(r), free(got), free(want);
}

static void setup(void) { setenv("CLINFER_TUNE", "0", 1); }

Test(conv_algos, every_algorithm_matches_reference, .init = setup)
{
    for (size_t i = 0; i < N_CASES; i++)
        check_case(NULL, &cases[i], 4321u + (uint32_t)i, 0);
    test_forced_free();
}

/* A fused residual Add (groups 1 only: the others refuse it) in every
 * algorithm and GEMM variant, with each activation applied after it. */
Test(conv_algos, residual_added_before_the_activation, .init = setup)
{
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < N_CASES; i++)
        if (cases[i].groups == 1)
            check_case(NULL, &cases[i], 1234u + (uint32_t)i, 1);
    test_forced_free();
    conv2d_params p = params_of(&cases[11]); /* depthwise */
    p.has_residual = 1;
    conv2d_plan plan;
    cr_assert_eq(conv2d_plan_make(rt, &p, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "residual needs groups 1"), "%s",
              clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

/* Which 1x1 layers the cpu GEMM computes transposed (X^T W^T): small
 * images with K >= 256 (the cases above, which every_algorithm_ and
 * residual_ check against the reference), not short K, not the other GEMM
 * variants; with an input scale too, which the plan then applies. */
Test(conv_algos, pointwise_transposed_for_small_images, .init = setup)
{
    clinfer_runtime *cpu = test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", "cpu");
    clinfer_runtime *gpu = test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", "gpu");
    int transposed = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        conv2d_params p = params_of(&cases[i]);
        conv2d_plan plan;
        if (conv2d_algo_unfit(&p, CONV2D_ALGO_GEMM1X1))
            continue;
        cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_GEMM1X1, &plan), CLINFER_OK);
        const int want = strstr(cases[i].name, "transposed") != NULL;
        cr_assert_eq(plan.transposed, want, "%s: transposed %d", cases[i].name, plan.transposed);
        transposed += plan.transposed;
        if (!want)
            continue;
        cr_assert_eq(conv2d_plan_algo(gpu, &p, CONV2D_ALGO_GEMM1X1, &plan), CLINFER_OK);
        cr_assert_eq(plan.transposed, 0, "%s: gpu GEMM", cases[i].name);
        p.has_scale = 1;
        cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_GEMM1X1, &plan), CLINFER_OK);
        cr_assert(plan.transposed && plan.scale_fused, "%s: input scale", cases[i].name);
    }
    cr_assert_eq(transposed, 5);
    test_forced_free();
}

/* Which direct layers the cpu GEMM computes transposed (conv2d_direct_t):
 * the small-image cases above (every_algorithm_ and residual_ check them
 * against the reference), ResNet's 7x7 and 14x14 layers of many channels
 * and its strided 1x1s (read in place where unpadded), not its 56x56 3x3
 * ones (direct's panels are full there), not groups, not the other GEMM
 * variants. */
Test(conv_algos, direct_transposed_for_small_images, .init = setup)
{
    clinfer_runtime *cpu = test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", "cpu");
    clinfer_runtime *gpu = test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", "gpu");
    const conv_case resnet[] = {
        {"7x7 512", 1, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
        {"14x14 s2 512", 1, 256, 14, 14, 512, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
        {"56x56 64", 1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
        {"7x7 groups 2", 1, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, ACT_KIND_RELU},
        {"1x1 s2 7x7", 1, 256, 14, 14, 512, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
        /* read in place: taken at equal lanes (28 of 28, 512 of 512 against
         * 784 of 800), not with padding (a copy then) */
        {"1x1 s2 28x28", 1, 256, 56, 56, 512, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
        {"1x1 s2 pad 28x28", 1, 256, 55, 55, 512, 1, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1,
         ACT_KIND_NONE}};
    const int want_resnet[] = {1, 1, 0, 0, 1, 1, 0};
    const size_t n_resnet = sizeof resnet / sizeof resnet[0];
    for (size_t i = 0; i < N_CASES + n_resnet; i++) {
        const conv_case *k = i < N_CASES ? &cases[i] : &resnet[i - N_CASES];
        const conv2d_params p = params_of(k);
        conv2d_plan plan;
        const int marked = strstr(k->name, "direct_t") != NULL;
        if (i >= N_CASES || marked) {
            const int want = i < N_CASES ? 1 : want_resnet[i - N_CASES];
            cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_DIRECT, &plan), CLINFER_OK);
            cr_assert_eq(plan.transposed, want, "%s: transposed %d", k->name, plan.transposed);
            cr_assert_eq(plan.b_in_place, want && plan.one_phase && k->pt + k->pl + k->pb + k->pr == 0,
                         "%s: in place %d", k->name, plan.b_in_place);
            cr_assert_eq(plan.scratch_bytes == 0, plan.b_in_place, "%s: scratch", k->name);
        }
        if (!conv2d_algo_unfit(&p, CONV2D_ALGO_DIRECT)) {
            cr_assert_eq(conv2d_plan_algo(gpu, &p, CONV2D_ALGO_DIRECT, &plan), CLINFER_OK);
            cr_assert_eq(plan.transposed, 0, "%s: gpu GEMM", k->name);
        }
    }
    test_forced_free();
}

/* An input scale [N, C] (a squeeze-excitation Mul, passes/scale.c):
 * gemm1x1 with the cpu GEMM reading X in place or computing X^T W^T (the
 * 7x7 case) applies it, with and without a residual, against ref_conv2d of
 * the scaled input; every other plan leaves it to the caller (scale_fused
 * 0), and conv2d_launch refuses a scale such a plan cannot apply. */
Test(conv_algos, input_scale_applied_by_gemm1x1, .init = setup)
{
    static const conv_case scaled_cases[] = {
        {"in place, batch 3", 3, 13, 9, 7, 21, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_RELU},
        {"deep K", 2, 300, 6, 7, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, ACT_KIND_NONE},
        {"fewer rows than a tile", 2, 24, 5, 8, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_HARD_SWISH},
        {"short K many panels", 1, 3, 37, 29, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_CLIP},
        {"too narrow to read in place", 2, 7, 3, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_NONE},
        {"transposed 7x7", 3, 150, 7, 7, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_RELU},
    };
    int fused = 0;
    for (size_t i = 0; i < sizeof scaled_cases / sizeof scaled_cases[0]; i++) {
        const conv_case *k = &scaled_cases[i];
        for (int residual = 0; residual < 2; residual++) {
            conv2d_params p = params_of(k);
            p.has_scale = 1, p.has_residual = residual;
            const size_t in_n = (size_t)p.n * p.c * p.h * p.w, hw = (size_t)p.h * p.w;
            const size_t w_n = (size_t)p.oc * p.c, out_n = (size_t)p.n * p.oc * hw;
            float *in = test_alloc(in_n * 4), *scaled = test_alloc(in_n * 4);
            float *w = test_alloc(w_n * 4), *b = test_alloc((size_t)p.oc * 4);
            float *sc = test_alloc((size_t)p.n * p.c * 4), *r = test_alloc(out_n * 4);
            float *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
            uint32_t seed = 99u + (uint32_t)i;
            fill_uniform(in, in_n, -1, 1, &seed);
            fill_uniform(w, w_n, -1, 1, &seed);
            fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
            fill_uniform(sc, (size_t)p.n * p.c, 0, 1, &seed);
            fill_uniform(r, out_n, -1, 1, &seed);
            for (size_t e = 0; e < in_n; e++) /* element e is of image e / (C hw), channel */
                scaled[e] = in[e] * sc[e / hw];  /* (e / hw) % C: sc[n * C + c] = sc[e / hw] */
            conv2d_params linear = p;
            linear.has_scale = linear.has_residual = 0;
            linear.act.kind = residual ? ACT_KIND_NONE : p.act.kind;
            ref_conv2d(&linear, scaled, w, p.has_bias ? b : NULL, want);
            if (residual) {
                for (size_t e = 0; e < out_n; e++)
                    want[e] += r[e];
                ref_unary(UNARY_ACT, p.act, out_n, want, want);
            }
            for (int v = 0; v < 3; v++) {
                char what[160];
                snprintf(what, sizeof what, "%s scaled%s [gemm1x1, CLINFER_GEMM_VARIANT=%s]",
                         k->name, residual ? " + residual" : "", gemm_variants[v]);
                clinfer_runtime *rt =
                    test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", gemm_variants[v]);
                conv2d_plan plan;
                cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_GEMM1X1, &plan), CLINFER_OK,
                             "%s: %s", what, clinfer_last_errmsg());
                cr_assert_eq(plan.scale_fused, v == 0 && (plan.b_in_place || plan.transposed),
                             "%s", what);
                cr_assert_eq(plan.transposed, v == 0 && strstr(k->name, "transposed") != NULL,
                             "%s", what);
                if (!plan.scale_fused) {
                    op_launch l;
                    const conv2d_buffers none = {dev_whole(NULL), dev_whole(NULL),
                                                 dev_whole(NULL), dev_whole(NULL),
                                                 dev_whole(NULL), NULL,
                                                 NULL,            dev_whole(NULL)};
                    cr_assert_eq(conv2d_launch(rt, &p, &plan, 0, &none, &l),
                                 CLINFER_ERR_INVALID_ARGUMENT, "%s", what);
                    cr_assert(strstr(clinfer_last_errmsg(), "does not apply an input scale"),
                              "%s: %s", what, clinfer_last_errmsg());
                    continue;
                }
                fused++;
                memset(got, 0, out_n * 4);
                run_plan_scaled(rt, &p, &plan, in, w, b, r, sc, got, out_n, what);
                assert_close(got, want, out_n, 1e-5f + 2e-7f * (float)p.c, 1e-4f, what);
            }
            free(in), free(scaled), free(w), free(b), free(sc), free(r), free(got), free(want);
        }
    }
    cr_assert_eq(fused, 10, "%d scaled products ran on the cpu GEMM, not 10", fused);
    test_forced_free();
}

/* A fused max pool (graph_node.fused_pool, passes/pool.c): "pooled" and
 * direct (conv2d_direct_t's DT_POOL) compute it, and winograd a 2x2 one,
 * against ref_conv2d then ref_maxpool2d; the other algorithms refuse.
 * Shapes: one channel as in the lecture CNN, pool 3, a 5x3 kernel with
 * asymmetric padding, pooled rows wider than 16 lanes, a conv output the
 * floor mode trims, batches, winograd's F(4x4) and F(2x2) tiles, and the
 * reductions longer than CONV2D_POOLED_MAX_K that direct takes
 * automatically: the lecture CNN's second layer (read in place, 5 pooled
 * columns: a last tile of one window), a padded 3x3 pool over 40 output
 * channels (a partial panel), a 1x1 over 70 channels. */
Test(conv_algos, fused_max_pool, .init = setup)
{
    static const conv_case pooled[] = {
        {"lecture conv1 + pool 2", 3, 1, 28, 28, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_RELU},
        {"pool 3, pad 1, trimmed", 2, 3, 13, 17, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
         ACT_KIND_MISH}, /* not monotonic: the pool must take max(act(conv)) */
        {"5x3 asym pad, wide rows", 1, 2, 9, 75, 3, 5, 3, 1, 1, 2, 0, 1, 2, 1, 1, 1, 1,
         ACT_KIND_LEAKY_RELU},
        {"1x1, pool 2, odd sizes", 2, 7, 7, 11, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_SIGMOID},
        /* 2x2 pools winograd computes in its output transform: F(4x4) tiles
         * over a 13x11 output (the pool drops its last row and column),
         * chosen automatically; F(2x2) over 4x5, where direct is */
        {"winograd F(4x4), pool 2, odd", 2, 32, 13, 11, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
         ACT_KIND_RELU},
        {"winograd F(2x2), pool 2", 1, 33, 6, 7, 35, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
         ACT_KIND_MISH},
        {"lecture conv2 + pool 2", 1, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1,
         ACT_KIND_RELU},
        {"pool 3, pad 1, long K", 3, 9, 11, 16, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
         ACT_KIND_MISH},
        {"1x1 over 70, pool 2", 1, 70, 9, 7, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
         ACT_KIND_LEAKY_RELU},
    };
    const int32_t pools[] = {2, 3, 2, 2, 2, 2, 2, 3, 2};
    const conv2d_algo chosen[] = {CONV2D_ALGO_POOLED, CONV2D_ALGO_POOLED,   CONV2D_ALGO_POOLED,
                                  CONV2D_ALGO_POOLED, CONV2D_ALGO_WINOGRAD, CONV2D_ALGO_DIRECT,
                                  CONV2D_ALGO_DIRECT, CONV2D_ALGO_DIRECT,   CONV2D_ALGO_DIRECT};
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof pooled / sizeof pooled[0]; i++) {
        conv2d_params p = params_of(&pooled[i]);
        int32_t oh = ref_window_out(p.h, p.kh, 1, p.pad_top, p.pad_bottom, 1);
        int32_t ow = ref_window_out(p.w, p.kw, 1, p.pad_left, p.pad_right, 1);
        size_t in_n = (size_t)p.n * p.c * p.h * p.w, w_n = (size_t)p.oc * p.c * p.kh * p.kw;
        size_t conv_n = (size_t)p.n * p.oc * oh * ow;
        const int32_t P = pools[i], ph = oh / P, pw = ow / P;
        size_t out_n = (size_t)p.n * p.oc * ph * pw;
        float *in = test_alloc(in_n * 4), *w = test_alloc(w_n * 4), *b = test_alloc((size_t)p.oc * 4);
        float *conv = test_alloc(conv_n * 4), *want = test_alloc(out_n * 4);
        float *got = test_alloc(out_n * 4);
        uint32_t seed = 77u + (uint32_t)i;
        fill_uniform(in, in_n, -1, 1, &seed);
        fill_uniform(w, w_n, -1, 1, &seed);
        fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
        ref_conv2d(&p, in, w, p.has_bias ? b : NULL, conv);
        pool2d_params pp = pool2d_params_default();
        pp.n = p.n, pp.c = p.oc, pp.h = oh, pp.w = ow, pp.kh = pp.kw = P;
        pp.stride_h = pp.stride_w = P;
        ref_maxpool2d(&pp, conv, want);
        p.pool = P;
        for (size_t a = 0; a < N_ALGOS; a++) {
            conv2d_plan plan;
            clinfer_status st = conv2d_plan_algo(rt, &p, algos[a], &plan);
            const int winograd = algos[a] == CONV2D_ALGO_WINOGRAD && P == 2 && p.kh == 3 &&
                                 p.kw == 3 && p.dil_h == 1 && p.dil_w == 1;
            if (algos[a] != CONV2D_ALGO_POOLED && algos[a] != CONV2D_ALGO_DIRECT && !winograd) {
                cr_assert_eq(st, CLINFER_ERR_UNSUPPORTED, "%s: %s planned a fused pool",
                             pooled[i].name, conv2d_algo_name(algos[a]));
                continue;
            }
            cr_assert_eq(st, CLINFER_OK, "%s: %s", pooled[i].name, clinfer_last_errmsg());
            cr_assert(plan.oh == ph && plan.ow == pw, "%s: pooled %dx%d, expected %dx%d",
                      pooled[i].name, (int)plan.oh, (int)plan.ow, (int)ph, (int)pw);
            run_plan(rt, &p, &plan, in, w, b, NULL, got, out_n, pooled[i].name);
            assert_close(got, want, out_n, 1e-5f + 2e-7f * (float)(p.c * p.kh * p.kw), 1e-4f,
                         pooled[i].name);
        }
        conv2d_plan plan;
        cr_assert_eq(conv2d_plan_make(rt, &p, &plan), CLINFER_OK);
        cr_assert_eq(plan.algo, chosen[i], "%s: the automatic choice %s", pooled[i].name,
                     conv2d_algo_name(plan.algo));
        free(in), free(w), free(b), free(conv), free(want), free(got);
    }
    clinfer_runtime_free(rt);
}

/* A fused max pool of any window (conv2d_params.window_pool: windows that
 * overlap, padding, ceil mode; passes/pool.c's window pools): only the
 * stem computes it (conv2d_stem_pool), and the automatic choice takes it;
 * the other algorithms refuse. Against ref_conv2d then ref_maxpool2d:
 * SqueezeNet's 3x3 stride-2 ceil-mode pool after a strided 3 -> 20 stem
 * (a partial channel block) at batch 2, a padded pool over 70-wide rows
 * (pooled rows of 3 vectors), an odd left padding with a 2x3 window at
 * strides (1, 2) and a non-monotonic activation, a pool at stride 1
 * across after a 5x5, and a 3x3 pool at stride 3 down (one pooled row in
 * flight) after a dilated stride-3 stem over 40 channels. A pool stride
 * across of 3 does not fit the stem. */
Test(conv_algos, fused_window_max_pool, .init = setup)
{
    typedef struct window_case {
        conv_case conv;
        int32_t kh, kw, sh, sw, pt, pl, pb, pr, ceil_mode;
    } window_case;
    static const window_case cases_w[] = {
        {{"squeezenet stem, 3x3/2 ceil", 2, 3, 29, 41, 20, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1,
          ACT_KIND_RELU},
         3, 3, 2, 2, 0, 0, 0, 0, 1},
        {{"3x3/2 pad 1, wide", 1, 3, 23, 70, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
          ACT_KIND_LEAKY_RELU},
         3, 3, 2, 2, 1, 1, 1, 1, 0},
        {{"2x3/(1,2), odd left pad, mish", 1, 2, 9, 19, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
          ACT_KIND_MISH},
         2, 3, 1, 2, 1, 1, 0, 1, 1},
        {{"5x5, pool 3x3/1 pad 1", 1, 1, 12, 17, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0,
          ACT_KIND_SIGMOID},
         3, 3, 1, 1, 1, 1, 1, 1, 0},
        {{"dilated stride-3 stem, pool 3x3/(3,2)", 1, 1, 29, 41, 40, 3, 3, 3, 3, 2, 1, 2, 1, 2,
          2, 1, 1, ACT_KIND_CLIP},
         3, 3, 3, 2, 0, 1, 0, 1, 1},
    };
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof cases_w / sizeof cases_w[0]; i++) {
        const window_case *k = &cases_w[i];
        conv2d_params p = params_of(&k->conv);
        const int32_t oh = ref_window_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, p.dil_h);
        const int32_t ow = ref_window_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, p.dil_w);
        pool2d_params pp = pool2d_params_default();
        pp.n = p.n, pp.c = p.oc, pp.h = oh, pp.w = ow, pp.kh = k->kh, pp.kw = k->kw;
        pp.stride_h = k->sh, pp.stride_w = k->sw, pp.ceil_mode = k->ceil_mode;
        pp.pad_top = k->pt, pp.pad_left = k->pl, pp.pad_bottom = k->pb, pp.pad_right = k->pr;
        const int32_t ph = ref_pool_out(oh, k->kh, k->sh, k->pt, k->pb, 1, k->ceil_mode);
        const int32_t pw = ref_pool_out(ow, k->kw, k->sw, k->pl, k->pr, 1, k->ceil_mode);
        size_t in_n = (size_t)p.n * p.c * p.h * p.w, w_n = (size_t)p.oc * p.c * p.kh * p.kw;
        size_t conv_n = (size_t)p.n * p.oc * oh * ow, out_n = (size_t)p.n * p.oc * ph * pw;
        float *in = test_alloc(in_n * 4), *w = test_alloc(w_n * 4), *b = test_alloc((size_t)p.oc * 4);
        float *conv = test_alloc(conv_n * 4), *want = test_alloc(out_n * 4);
        float *got = test_alloc(out_n * 4);
        uint32_t seed = 177u + (uint32_t)i;
        fill_uniform(in, in_n, -1, 1, &seed);
        fill_uniform(w, w_n, -1, 1, &seed);
        fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
        ref_conv2d(&p, in, w, p.has_bias ? b : NULL, conv);
        ref_maxpool2d(&pp, conv, want);
        p.window_pool = pp;
        cr_assert(conv2d_window_pool_fused(rt, &p), "%s: not computed by the stem", k->conv.name);
        for (size_t a = 0; a < N_ALGOS; a++) {
            conv2d_plan plan;
            clinfer_status st = conv2d_plan_algo(rt, &p, algos[a], &plan);
            if (algos[a] != CONV2D_ALGO_STEM) {
                cr_assert_eq(st, CLINFER_ERR_UNSUPPORTED, "%s: %s planned a window pool",
                             k->conv.name, conv2d_algo_name(algos[a]));
                continue;
            }
            cr_assert_eq(st, CLINFER_OK, "%s: %s", k->conv.name, clinfer_last_errmsg());
            cr_assert(plan.oh == ph && plan.ow == pw, "%s: pooled %dx%d, expected %dx%d",
                      k->conv.name, (int)plan.oh, (int)plan.ow, (int)ph, (int)pw);
            run_plan(rt, &p, &plan, in, w, b, NULL, got, out_n, k->conv.name);
            assert_close(got, want, out_n, 1e-5f + 2e-7f * (float)(p.c * p.kh * p.kw), 1e-4f,
                         k->conv.name);
        }
        conv2d_plan plan;
        cr_assert_eq(conv2d_plan_make(rt, &p, &plan), CLINFER_OK);
        cr_assert_eq(plan.algo, CONV2D_ALGO_STEM, "%s: the automatic choice %s", k->conv.name,
                     conv2d_algo_name(plan.algo));
        free(in), free(w), free(b), free(conv), free(want), free(got);
    }
    /* a stride across of 3: no stem, so the node would run the pool apart */
    conv2d_params p = params_of(&cases_w[0].conv);
    p.window_pool = pool2d_params_default();
    p.window_pool.kh = p.window_pool.kw = 3;
    p.window_pool.stride_h = p.window_pool.stride_w = 3;
    cr_assert(!conv2d_window_pool_fused(rt, &p));
    conv2d_plan plan;
    cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_STEM, &plan), CLINFER_ERR_UNSUPPORTED);
    clinfer_runtime_free(rt);
}

/* x [N, C, H, W] in the channel-blocked layout [N, C/16, H, W, 16]. */
static void to_blocked(const float *x, float *y, const conv2d_params *p, int32_t c, int32_t h,
                       int32_t w)
{
    const size_t hw = (size_t)h * w;
    for (size_t i = 0; i < (size_t)p->n; i++)
        for (size_t ch = 0; ch < (size_t)c; ch++)
            for (size_t q = 0; q < hw; q++)
                y[((i * (c / 16) + ch / 16) * hw + q) * 16 + ch % 16] = x[(i * c + ch) * hw + q];
}

/* The channel-blocked layout (ops/conv2d.h in_blocked, out_blocked), the
 * automatic plan on the default device, against ref_conv2d with the input
 * or the expected output permuted: a 1x1 writing it (gemm1x1 transposed,
 * the tile's rows past the image dropped: 143 and 49 pixels), and
 * depthwise layers reading it (conv2d_depthwise_c16) at stride 1 and 2,
 * 3x3 and 5x5, odd sizes, batches, rows narrower than a step of 4 outputs
 * (the 5x5 over 9x10 at stride 2: 5 outputs a row). The other algorithms
 * refuse the layout. */
Test(conv_algos, channel_blocked_layout, .init = setup)
{
    static const conv_case cases[] = {
        {"1x1 to blocked", 2, 24, 13, 11, 48, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_CLIP},
        {"1x1 to blocked, 7x7", 1, 16, 7, 7, 32, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
         ACT_KIND_NONE},
        {"dw 3x3 from blocked", 2, 32, 13, 11, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32, 1,
         ACT_KIND_CLIP},
        {"dw 3x3 s2 from blocked", 1, 48, 14, 15, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 48, 1,
         ACT_KIND_RELU},
        {"dw 5x5 s2 from blocked", 2, 16, 9, 10, 16, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 16, 0,
         ACT_KIND_SWISH},
        {"dw 5x5 from blocked, 7x7", 1, 32, 7, 7, 32, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 32, 1,
         ACT_KIND_SWISH},
    };
    clinfer_runtime *rt = test_runtime();
    if (!conv2d_blocked_layout_ok(rt)) {
        clinfer_runtime_free(rt);
        cr_skip_test("the default device does not compute the blocked layout (a CPU with "
                     "16-float vectors does)");
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conv2d_params p = params_of(&cases[i]);
        const int dw = p.groups > 1;
        p.in_blocked = dw, p.out_blocked = !dw;
        const int32_t oh = ref_window_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, 1);
        const int32_t ow = ref_window_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, 1);
        const size_t in_n = (size_t)p.n * p.c * p.h * p.w, out_n = (size_t)p.n * p.oc * oh * ow;
        const size_t w_n = (size_t)p.oc * (p.c / p.groups) * p.kh * p.kw;
        float *in = test_alloc(in_n * 4), *in_b = test_alloc(in_n * 4);
        float *w = test_alloc(w_n * 4), *b = test_alloc((size_t)p.oc * 4);
        float *want = test_alloc(out_n * 4), *want_b = test_alloc(out_n * 4);
        float *got = test_alloc(out_n * 4);
        uint32_t seed = 901u + (uint32_t)i;
        fill_uniform(in, in_n, -1, 1, &seed);
        fill_uniform(w, w_n, -1, 1, &seed);
        fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
        ref_conv2d(&p, in, w, p.has_bias ? b : NULL, want);
        to_blocked(in, in_b, &p, p.c, p.h, p.w);
        to_blocked(want, want_b, &p, p.oc, oh, ow);
        conv2d_plan plan;
        cr_assert_eq(conv2d_plan_make(rt, &p, &plan), CLINFER_OK, "%s: %s", cases[i].name,
                     clinfer_last_errmsg());
        cr_assert_eq(plan.algo, dw ? CONV2D_ALGO_DEPTHWISE : CONV2D_ALGO_GEMM1X1, "%s: %s",
                     cases[i].name, conv2d_algo_name(plan.algo));
        run_plan(rt, &p, &plan, dw ? in_b : in, w, b, NULL, got, out_n, cases[i].name);
        assert_close(got, dw ? want : want_b, out_n, 1e-5f + 2e-7f * (float)(p.kh * p.kw * p.c),
                     1e-4f, cases[i].name);
        for (size_t a = 0; a < N_ALGOS; a++)
            if (algos[a] != plan.algo)
                cr_assert(conv2d_algo_unfit(&p, algos[a]) != NULL,
                          "%s: %s takes the blocked layout", cases[i].name,
                          conv2d_algo_name(algos[a]));
        free(in), free(in_b), free(w), free(b), free(want), free(want_b), free(got);
    }
    clinfer_runtime_free(rt);
}

/* A scratch bound of one image: every image its own chunk (two launches
 * each), including the last, partial one. */
Test(conv_algos, batches_in_chunks, .init = setup)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.conv_scratch_cap = 1;
    o.gemm_variant = "cpu";
    clinfer_runtime *rt = test_runtime_with(&o);
    const conv_case chunked[] = {
        {"chunks 3x3", 5, 3, 8, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
        {"chunks 3x3 s2 groups", 3, 4, 9, 8, 6, 3, 3, 2, 2, 1, 0, 1, 0, 1, 1, 2, 1, ACT_KIND_NONE},
        {"chunks 1x1 packed", 4, 6, 4, 5, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    };
    for (size_t i = 0; i < sizeof chunked / sizeof chunked[0]; i++) {
        conv2d_params p = params_of(&chunked[i]);
        conv2d_plan plan;
        cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_IM2COL, &plan), CLINFER_OK);
        cr_assert_eq(plan.chunk, 1, "%s: chunk %d", chunked[i].name, (int)plan.chunk);
        cr_assert_eq(plan.launch_count, 2 * p.n);
        check_case(&o, &chunked[i], 99u + (uint32_t)i, 0);
        if (chunked[i].groups == 1) /* the residual of each chunk's images */
            check_case(&o, &chunked[i], 199u + (uint32_t)i, 1);
    }
    test_forced_free();
    clinfer_runtime_free(rt);
}

/* The algorithm planned for k on a runtime made from `o` with the GEMM
 * variant `variant`. */
static conv2d_algo auto_algo(const clinfer_runtime_options *o, const conv_case *k,
                             const char *variant)
{
    conv2d_params p = params_of(k);
    clinfer_runtime_options forced = *o;
    forced.gemm_variant = variant;
    clinfer_runtime *rt = test_runtime_with(&forced);
    conv2d_plan plan;
    clinfer_status st = conv2d_plan_make(rt, &p, &plan);
    cr_assert_eq(st, CLINFER_OK, "%s: %s", k->name, clinfer_last_errmsg());
    clinfer_runtime_free(rt);
    return plan.algo;
}

Test(conv_algos, automatic_choice_and_forcing, .init = setup)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_runtime_options o = clinfer_runtime_options_default();
    const conv_case *dw = &cases[11], *one = &cases[16], *s1 = &cases[2], *s2 = &cases[4];
    cr_assert_eq(auto_algo(&o, dw, "cpu"), CONV2D_ALGO_DEPTHWISE);
    cr_assert_eq(auto_algo(&o, one, "cpu"), CONV2D_ALGO_GEMM1X1);
    cr_assert_eq(auto_algo(&o, s1, "cpu"), CONV2D_ALGO_DIRECT); /* 36 taps: direct */
    cr_assert_eq(auto_algo(&o, s2, "cpu"), CONV2D_ALGO_STEM);   /* 2 channels, 5x3: 30 taps */
    cr_assert_eq(auto_algo(&o, s1, "gpu"), CONV2D_ALGO_IM2COL);
    cr_assert_eq(auto_algo(&o, s2, "naive"), CONV2D_ALGO_IM2COL);
    cr_assert_eq(auto_algo(&o, one, "gpu"), CONV2D_ALGO_GEMM1X1);
    /* a 1x1 output (kernel = input): the fully connected product with the
     * cpu GEMM; the GEMM-per-image forms elsewhere */
    const conv_case *se = &cases[N_CASES - 2], *full = &cases[N_CASES - 1];
    cr_assert_eq(auto_algo(&o, se, "cpu"), CONV2D_ALGO_FC);
    cr_assert_eq(auto_algo(&o, full, "cpu"), CONV2D_ALGO_FC);
    cr_assert_eq(auto_algo(&o, se, "gpu"), CONV2D_ALGO_GEMM1X1);
    cr_assert_eq(auto_algo(&o, full, "gpu"), CONV2D_ALGO_IM2COL);
    /* 3x3 stride 1 with many channels and tiles: winograd with the cpu GEMM;
     * too few tiles (a 7x7 output of 4 tiles of 4x4): direct, except with
     * narrow vectors (AVX2), where its 16 tiles of 2x2 win; a 5x5 output
     * (9 tiles of 2x2): direct everywhere */
    const conv_case wide = {"wide 3x3", 1, 32, 16, 18, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            ACT_KIND_RELU};
    const conv_case small = {"small 3x3", 1, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                             ACT_KIND_NONE};
    cr_assert_eq(auto_algo(&o, &wide, "cpu"), CONV2D_ALGO_WINOGRAD);
    cr_assert_eq(auto_algo(&o, &wide, "gpu"), CONV2D_ALGO_IM2COL);
    cr_assert_eq(auto_algo(&o, &small, "cpu"),
                 gemm_cpu_vectors_narrow(rt) ? CONV2D_ALGO_WINOGRAD : CONV2D_ALGO_DIRECT);
    const conv_case tiny = {"tiny 3x3", 1, 64, 5, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            ACT_KIND_NONE};
    cr_assert_eq(auto_algo(&o, &tiny, "cpu"), CONV2D_ALGO_DIRECT);

    o.conv_algo = "im2col"; /* forced */
    cr_assert_eq(auto_algo(&o, s1, "cpu"), CONV2D_ALGO_IM2COL);
    cr_assert_eq(auto_algo(&o, dw, "cpu"), CONV2D_ALGO_IM2COL);
    o.conv_algo = "gemm1x1"; /* does not apply: the automatic choice */
    cr_assert_eq(auto_algo(&o, s1, "cpu"), CONV2D_ALGO_DIRECT);
    o.conv_algo = "winograd";
    cr_assert_eq(auto_algo(&o, s2, "cpu"), CONV2D_ALGO_STEM);
    o.conv_algo = "stem"; /* forced; 36 taps do not fit it */
    cr_assert_eq(auto_algo(&o, s2, "gpu"), CONV2D_ALGO_STEM);
    cr_assert_eq(auto_algo(&o, s1, "cpu"), CONV2D_ALGO_DIRECT);
    setenv("CLINFER_CONV_ALGO", "winograd", 1); /* the option wins */
    o.conv_algo = "im2col";
    cr_assert_eq(auto_algo(&o, s1, "cpu"), CONV2D_ALGO_IM2COL);
    o.conv_algo = NULL; /* else the variable */
    cr_assert_eq(auto_algo(&o, s1, "cpu"), CONV2D_ALGO_WINOGRAD);
    setenv("CLINFER_CONV_ALGO", "fastest", 1); /* refused by the runtime */
    clinfer_runtime *bad = NULL;
    cr_assert_eq(clinfer_runtime_create(NULL, &bad), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(bad);
    cr_assert(strstr(clinfer_last_errmsg(), "CLINFER_CONV_ALGO=\"fastest\""), "message: %s",
              clinfer_last_errmsg());
    unsetenv("CLINFER_CONV_ALGO");

    conv2d_params p = params_of(s2);
    conv2d_plan plan;
    cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_WINOGRAD, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "winograd needs a 3x3 kernel, stride 1"),
              "message: %s", clinfer_last_errmsg());
    cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_GEMM1X1, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "gemm1x1 needs a 1x1 kernel, stride 1"), "message: %s",
              clinfer_last_errmsg());
    cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "depthwise needs groups == C == OC"), "message: %s",
              clinfer_last_errmsg());
    cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_FC, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(),
                     "fc needs groups 1, no padding and a kernel the size of the input"),
              "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

#define OK(call) cr_assert_eq((call), CLINFER_OK, "%s", clinfer_last_errmsg())

/* The depthwise kernels: conv2d_depthwise_rows on a CPU device, else
 * conv2d_depthwise; CLINFER_DEPTHWISE_VARIANT forces one, a bad value is
 * refused; rows too wide for the tile fall back to the general kernel. */
Test(conv_algos, depthwise_variants, .init = setup)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_runtime *gpu = test_forced_runtime(NULL, "CLINFER_DEPTHWISE_VARIANT", "gpu");
    clinfer_runtime *cpu = test_forced_runtime(NULL, "CLINFER_DEPTHWISE_VARIANT", "cpu");
    conv2d_params p = params_of(&cases[11]);
    conv2d_plan plan;
    cr_assert_eq(conv2d_plan_algo(rt, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_eq(plan.dw_rows > 0, rt->info.type == CLINFER_DEVICE_CPU);
    cr_assert_eq(conv2d_plan_algo(gpu, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_eq(plan.dw_rows, 0);
    cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_eq(plan.dw_rows, plan.oh, "rows %d", (int)plan.dw_rows); /* a small plane */
    cr_assert_eq(plan.dw_planes, 1, "planes %d", (int)plan.dw_planes); /* 8 planes: 1 each */
    for (size_t i = 0; i < N_CASES; i++) { /* the flat form's cases take it */
        if (!strstr(cases[i].name, "flat"))
            continue;
        conv2d_params q = params_of(&cases[i]);
        cr_assert_eq(conv2d_plan_algo(cpu, &q, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
        cr_assert_gt(plan.dw_flat, 0, "%s: not flat", cases[i].name);
    }
    setenv("CLINFER_DEPTHWISE_VARIANT", "fast", 1);
    clinfer_runtime *bad = NULL;
    cr_assert_eq(clinfer_runtime_create(NULL, &bad), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "CLINFER_DEPTHWISE_VARIANT=\"fast\""), "message: %s",
              clinfer_last_errmsg());
    unsetenv("CLINFER_DEPTHWISE_VARIANT");

    const conv_case many = {"dw many planes", 1, 200, 6, 6, 200, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1,
                            200, 1, ACT_KIND_NONE};
    p = params_of(&many);
    cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_gt(plan.dw_planes, 1, "planes %d", (int)plan.dw_planes);

    /* Full-width stores spill past a row only onto rows the item writes
     * later: never past the last row of the output (the end of the
     * buffer here, 16 sentinels after it). */
    const conv_case last = {"dw spill", 2, 40, 7, 7, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 40, 1,
                            ACT_KIND_NONE};
    p = params_of(&last);
    cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_gt(plan.dw_planes, 1, "planes %d", (int)plan.dw_planes);
    const size_t in_n = (size_t)2 * 40 * 7 * 7, out_n = in_n, w_n = (size_t)40 * 9;
    float *buf = test_alloc((in_n + 16) * 4);
    uint32_t seed = 3;
    fill_uniform(buf, in_n, -1, 1, &seed);
    cl_mem m[3] = {NULL, NULL, NULL};
    OK(buffer_create(cpu, in_n * 4, buf, &m[0]));
    OK(buffer_create(cpu, w_n * 4, buf, &m[1]));
    for (size_t i = 0; i < out_n + 16; i++)
        buf[i] = 1234.5f;
    OK(buffer_create(cpu, (out_n + 16) * 4, buf, &m[2]));
    op_launch l;
    const conv2d_buffers bufs = {dev_whole(m[0]), dev_whole(m[1]), dev_whole(m[1]),
                                 dev_whole(NULL),  dev_whole(m[2]), NULL, NULL, dev_whole(NULL)};
    OK(conv2d_launch(cpu, &p, &plan, 0, &bufs, &l));
    OK(launch_enqueue(cpu, &l, NULL));
    launch_release(&l);
    OK(buffer_read(cpu, m[2], (out_n + 16) * 4, buf));
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(buf[out_n + i], 1234.5f, "sentinel %zu overwritten", i);
    for (int i = 0; i < 3; i++)
        clReleaseMemObject(m[i]);
    free(buf);

    const conv_case wide = {"dw row wider than the tile", 1, 2, 3, 90000, 2, 3, 3, 1, 1, 1, 1,
                            1, 1, 1, 1, 2, 1, ACT_KIND_NONE};
    p = params_of(&wide);
    cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_eq(plan.dw_rows, 0, "rows %d", (int)plan.dw_rows);
    p.w = 300; /* wide, but a few rows fit (in half of the 48 KiB of NVIDIA's local memory too) */
    cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_DEPTHWISE, &plan), CLINFER_OK);
    cr_assert_gt(plan.dw_rows, 0, "rows %d", (int)plan.dw_rows);
    check_case(NULL, &wide, 5u, 0);
    test_forced_free();
    clinfer_runtime_free(rt);
}

/* ---------------------------------------------------------------- graph */

#include "ref_gemm.h"

/* A session whose nodes ask for scratch of different sizes (a strided 3x3
 * direct conv, a 1x1 conv, a MatMul whose B is a graph input and is packed
 * on every run) and persistent memory (a Dense layer's packed weights): two
 * runs with new inputs, under each GEMM variant, against the references. */
Test(conv_algos, graph_session_scratch_and_packed_weights, .init = setup)
{
    const int64_t N = 2, C = 3, H = 11, W = 9, OC1 = 6, OC2 = 8, P = 7, D = 5;
    const int32_t OH = 6, OW = 5, F = (int32_t)(OC2 * OH * OW);
    uint32_t seed = 77;
    float w1[6 * 3 * 3 * 3], b1[6], w2[8 * 6], wd[7 * 5], bd[5];
    fill_uniform(w1, sizeof w1 / 4, -1, 1, &seed);
    fill_uniform(b1, 6, -1, 1, &seed);
    fill_uniform(w2, sizeof w2 / 4, -1, 1, &seed);
    fill_uniform(wd, sizeof wd / 4, -1, 1, &seed);
    fill_uniform(bd, 5, -1, 1, &seed);
    for (int v = 0; v < 3; v++) {
        setenv("CLINFER_GEMM_VARIANT", gemm_variants[v], 1);
        clinfer_graph *g = NULL;
        OK(clinfer_graph_create(&g));
        clinfer_value x, m, cw1, cb1, cw2, cwd, cbd, c1, c2, flat, mm, dense;
        clinfer_shape xs = {4, {CLINFER_BATCH_DIM, C, H, W}}, ms = {2, {F, P}};
        OK(clinfer_graph_input(g, "x", &xs, &x));
        OK(clinfer_graph_input(g, "m", &ms, &m));
        clinfer_shape s1 = {4, {OC1, C, 3, 3}}, sb1 = {1, {OC1}}, s2 = {4, {OC2, OC1, 1, 1}};
        clinfer_shape sd = {2, {P, D}}, sbd = {1, {D}};
        OK(clinfer_graph_constant(g, "w1", &s1, w1, &cw1));
        OK(clinfer_graph_constant(g, "b1", &sb1, b1, &cb1));
        OK(clinfer_graph_constant(g, "w2", &s2, w2, &cw2));
        OK(clinfer_graph_constant(g, "wd", &sd, wd, &cwd));
        OK(clinfer_graph_constant(g, "bd", &sbd, bd, &cbd));
        clinfer_conv2d_desc d1 = clinfer_conv2d_desc_default();
        d1.stride_h = d1.stride_w = 2;
        d1.pad_top = d1.pad_left = d1.pad_bottom = d1.pad_right = 1;
        d1.activation = CLINFER_ACT_RELU;
        OK(clinfer_graph_conv2d(g, "c1", x, cw1, cb1, &d1, &c1));
        OK(clinfer_graph_conv2d(g, "c2", c1, cw2, CLINFER_NO_VALUE, NULL, &c2));
        OK(clinfer_graph_flatten(g, "flat", c2, 1, &flat));
        OK(clinfer_graph_matmul(g, "mm", flat, m, &mm));
        OK(clinfer_graph_dense(g, "dense", mm, cwd, cbd, CLINFER_ACT_NONE, &dense));
        OK(clinfer_graph_output(g, dense, NULL));

        clinfer_runtime *rt = test_runtime();
        clinfer_model *model = NULL;
        OK(clinfer_model_compile(rt, g, &model));
        clinfer_session_options o = clinfer_session_options_default();
        o.batch = N;
        clinfer_session *s = NULL;
        OK(clinfer_session_create(model, &o, &s));
        for (int run = 0; run < 2; run++) {
            float *xin = test_alloc((size_t)(N * C * H * W) * 4);
            float *min = test_alloc((size_t)F * P * 4);
            fill_uniform(xin, (size_t)(N * C * H * W), -1, 1, &seed);
            fill_uniform(min, (size_t)F * P, -1, 1, &seed);
            OK(clinfer_session_set_input(s, 0, xin, (size_t)(N * C * H * W)));
            OK(clinfer_session_set_input(s, 1, min, (size_t)F * P));
            OK(clinfer_session_run(s));
            float got[2 * 5], want[2 * 5];
            OK(clinfer_session_get_output(s, 0, got, (size_t)(N * D)));

            conv2d_params p1 = conv2d_params_default();
            p1.n = (int32_t)N, p1.c = (int32_t)C, p1.h = (int32_t)H, p1.w = (int32_t)W;
            p1.oc = (int32_t)OC1, p1.kh = p1.kw = 3, p1.stride_h = p1.stride_w = 2;
            p1.pad_top = p1.pad_left = p1.pad_bottom = p1.pad_right = 1;
            p1.has_bias = 1, p1.act.kind = ACT_KIND_RELU;
            conv2d_params p2 = conv2d_params_default();
            p2.n = (int32_t)N, p2.c = (int32_t)OC1, p2.h = OH, p2.w = OW, p2.oc = (int32_t)OC2;
            p2.kh = p2.kw = 1;
            float *r1 = test_alloc((size_t)(N * OC1 * OH * OW) * 4);
            float *r2 = test_alloc((size_t)(N * F) * 4), r3[2 * 7];
            ref_conv2d(&p1, xin, w1, b1, r1);
            ref_conv2d(&p2, r1, w2, NULL, r2);
            clinfer_shape fa = {2, {N, F}}, fb = {2, {F, P}}, ys;
            ref_matmul(&fa, &fb, r2, min, &ys, r3);
            gemm_params gp = gemm_params_default();
            gp.m = (int32_t)N, gp.n = (int32_t)D, gp.k = (int32_t)P;
            gp.has_c = 1, gp.c_shape = (clinfer_shape){1, {D}};
            ref_gemm(&gp, r3, wd, bd, want);
            char what[64];
            snprintf(what, sizeof what, "graph [gemm %s] run %d", gemm_variants[v], run);
            assert_close(got, want, (size_t)(N * D), 1e-4f, 1e-4f, what);
            free(xin), free(min), free(r1), free(r2);
        }
        clinfer_session_free(s);
        clinfer_model_free(model);
        clinfer_runtime_free(rt);
        clinfer_graph_free(g);
    }
    unsetenv("CLINFER_GEMM_VARIANT");
}

/* ------------------------------------------------ graph nodes, checks */

static clinfer_status add_conv(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                               clinfer_value *out)
{
    const conv_case *k = ctx;
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = k->sh, d.stride_w = k->sw, d.dilation_h = k->dh, d.dilation_w = k->dw;
    d.groups = k->groups;
    d.pad_top = k->pt, d.pad_left = k->pl, d.pad_bottom = k->pb, d.pad_right = k->pr;
    d.activation = (clinfer_activation)k->act;
    d.act_alpha = k->act == ACT_KIND_CLIP ? -0.25f : 0.1f;
    d.act_beta = 0.5f;
    return clinfer_graph_conv2d(g, "conv", in[0], in[1], k->bias ? in[2] : CLINFER_NO_VALUE, &d,
                                out);
}

/* Case k as a conv node of a one-node graph (weights and bias as
 * constants) through test_op, in fp32 and half storage, under every
 * combination of the variants v[0], v[1], against ref_conv2d. */
static void check_graph_node(const conv_case *k, uint32_t seed, const op_variants v[2])
{
    conv2d_params p = params_of(k);
    int32_t oh = ref_window_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, p.dil_h);
    int32_t ow = ref_window_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, p.dil_w);
    size_t in_n = (size_t)p.n * p.c * p.h * p.w;
    size_t w_n = (size_t)p.oc * (p.c / p.groups) * p.kh * p.kw;
    size_t out_n = (size_t)p.n * p.oc * oh * ow;
    float *in = test_alloc(in_n * 4), *w = test_alloc(w_n * 4);
    float *b = test_alloc((size_t)p.oc * 4), *want = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    fill_uniform(w, w_n, -1, 1, &seed);
    fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
    ref_conv2d(&p, in, w, p.has_bias ? b : NULL, want);
    const int64_t xd[4] = {p.n, p.c, p.h, p.w}, wd[4] = {p.oc, p.c / p.groups, p.kh, p.kw};
    const int64_t bd[1] = {p.oc}, yd[4] = {p.n, p.oc, oh, ow};
    const op_input x[3] = {{shape_make(4, xd), in, 0},
                           {shape_make(4, wd), w, 1},
                           {shape_make(1, bd), b, 1}};
    const float atol = 1e-5f + 2e-7f * (float)((p.c / p.groups) * p.kh * p.kw);
    const op_test t = {k->name, x, p.has_bias ? 3 : 2, add_conv, k, want,
                       shape_make(4, yd), atol, 1e-4f, {v[0], v[1]}};
    test_op(&t);
    free(in), free(w), free(b), free(want);
}

/* A conv node under every value of CLINFER_CONV_ALGO: those that do not
 * apply fall back to the automatic choice, so every case runs under each. */
Test(conv_algos, graph_node_under_every_forced_algorithm, .init = setup)
{
    static const char *const algo_values[] = {"auto",     "naive",    "direct",
                                              "im2col",   "gemm1x1",  "winograd",
                                              "depthwise", "fc",      "stem"};
    const size_t picks[] = {0, 1, 2, 3, 4, 5, 7, 9, 11, 12, 15,
                            21, 22, 23, 27, 30, 42, 48, 49, 51, 52, 53, 46, 56, 57};
    const op_variants v[2] = {{"CLINFER_CONV_ALGO", algo_values, 7}};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
        check_graph_node(&cases[picks[i]], 1234u + (uint32_t)i, v);
}

/* The implicit GEMM (conv_implicit.cl): one launch of conv_implicit, no
 * scratch and no packed weights (split K for one tile of a long K: the
 * product into partial sums, then their sum), on the gpu GEMM only
 * (forced with another variant it falls back to the automatic choice); a
 * fused pool and the blocked layout refused; as a graph node forced by CLINFER_CONV_ALGO, in
 * fp32 and half storage, on odd sizes, strides, dilations, asymmetric
 * padding, windows up to 7x7, groups, channel counts off the tile and K
 * off TSK (every_algorithm_, residual_ and batches_in_chunks check it
 * against the reference with every case above too). */
Test(conv_algos, implicit_gemm_gathers_the_input, .init = setup)
{
    clinfer_runtime *gpu = test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", "gpu");
    clinfer_runtime *cpu = test_forced_runtime(NULL, "CLINFER_GEMM_VARIANT", "cpu");
    const conv_case *k = &cases[4]; /* 5x3 stride 2, batch 3 */
    conv2d_params p = params_of(k);
    conv2d_plan plan;
    cr_assert_eq(conv2d_plan_algo(gpu, &p, CONV2D_ALGO_IMPLICIT, &plan), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert(plan.launch_count == 1 && plan.scratch_bytes == 0 && plan.persist_bytes == 0 &&
                  plan.prep_count == 0,
              "%d launches, %llu bytes of scratch", (int)plan.launch_count,
              (unsigned long long)plan.scratch_bytes);
    cl_mem m[5] = {NULL, NULL, NULL, NULL, NULL}; /* the launches are made, not run */
    for (int i = 0; i < 5; i++)
        OK(buffer_create(gpu, 1 << 16, NULL, &m[i]));
    conv2d_buffers bufs = {dev_whole(m[0]), dev_whole(m[1]),  dev_whole(m[2]),
                           dev_whole(NULL), dev_whole(m[3]), NULL,
                           NULL,            dev_whole(NULL)};
    op_launch l;
    OK(conv2d_launch(gpu, &p, &plan, 0, &bufs, &l));
    cr_assert_str_eq(l.name, "conv_implicit");
    launch_release(&l);
    /* one tile of a long K: split K, the product into partial sums in
     * scratch, then their sum (every_algorithm_ checks the values) */
    conv2d_params deep = params_of(&cases[28]);
    OK(conv2d_plan_algo(gpu, &deep, CONV2D_ALGO_IMPLICIT, &plan));
    cr_assert(plan.split && plan.launch_count == 2 && plan.scratch_bytes > 0 &&
                  plan.scratch_bytes <= 1 << 16,
              "split %d, %d launches", plan.split, (int)plan.launch_count);
    bufs.scratch = m[4];
    static const char *const split_kernels[] = {"conv_implicit_split", "gemm_split_reduce"};
    for (int32_t i = 0; i < 2; i++) {
        OK(conv2d_launch(gpu, &deep, &plan, i, &bufs, &l));
        cr_assert_str_eq(l.name, split_kernels[i]);
        launch_release(&l);
    }
    for (int i = 0; i < 5; i++)
        clReleaseMemObject(m[i]);

    cr_assert_eq(conv2d_plan_algo(cpu, &p, CONV2D_ALGO_IMPLICIT, &plan), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "implicit needs the gpu GEMM variant"), "message: %s",
              clinfer_last_errmsg());
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.conv_algo = "implicit";
    cr_assert_eq(auto_algo(&o, k, "gpu"), CONV2D_ALGO_IMPLICIT);
    cr_assert_eq(auto_algo(&o, k, "cpu"), CONV2D_ALGO_STEM); /* falls back */
    conv2d_params pooled = p;
    pooled.pool = 2;
    cr_assert_str_eq(conv2d_algo_unfit(&pooled, CONV2D_ALGO_IMPLICIT),
                     "does not compute a fused max pool");
    conv2d_params blocked = params_of(&cases[16]);
    blocked.c = blocked.oc = 16, blocked.out_blocked = 1;
    cr_assert_not_null(conv2d_algo_unfit(&blocked, CONV2D_ALGO_IMPLICIT));
    test_forced_free();

    static const char *const implicit[] = {"implicit"}, *const gpu_gemm[] = {"gpu"};
    const op_variants v[2] = {{"CLINFER_CONV_ALGO", implicit, 1},
                              {"CLINFER_GEMM_VARIANT", gpu_gemm, 1}};
    const conv_case more[] = {
        {"13x11 3->17 3x3 pad 1 batch 2", 2, 3, 13, 11, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
         ACT_KIND_RELU},
        {"7x5 40->40 5x5 s2 asym pad", 3, 40, 7, 5, 40, 5, 5, 2, 2, 2, 1, 0, 2, 1, 1, 1, 1,
         ACT_KIND_LEAKY_RELU},
        {"1x1 s2 17->3", 2, 17, 13, 11, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, ACT_KIND_NONE},
        {"7x7 s2 pad 3 3->40", 1, 3, 23, 19, 40, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1,
         ACT_KIND_HARD_SWISH},
        {"dil 2 groups 4 40->40", 2, 40, 13, 11, 40, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4, 1,
         ACT_KIND_CLIP},
        {"3x2 stride (3,1) dil (1,2) 17->33", 1, 17, 14, 9, 33, 3, 2, 3, 1, 0, 1, 2, 0, 1, 2, 1,
         1, ACT_KIND_SIGMOID},
        {"3x3 130 out many tiles", 1, 9, 21, 23, 130, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
         ACT_KIND_NONE},
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        check_case(NULL, &more[i], 77u + (uint32_t)i, 0); /* the other algorithms too */
        if (more[i].groups == 1)
            check_case(NULL, &more[i], 88u + (uint32_t)i, 1);
        check_graph_node(&more[i], 99u + (uint32_t)i, v);
    }
    const size_t picks[] = {1, 2, 4, 5, 7, 9, 10, 18, 19, 20, 22, 27, 28};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
        check_graph_node(&cases[picks[i]], 555u + (uint32_t)i, v);
    test_forced_free();
}

Test(conv_algos, rejects_kernel_larger_than_padded_input)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 1, p.h = 4, p.w = 4, p.oc = 1, p.kh = 5, p.kw = 3;
    int32_t oh, ow;
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "larger than the padded input"), "message: %s",
              clinfer_last_errmsg());
    p.pad_top = p.pad_bottom = 1; /* 6 rows now fit the 5-row kernel */
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_OK);
    cr_assert_eq(oh, 2);
    cr_assert_eq(ow, 2);
    clinfer_runtime_free(rt);
}

Test(conv_algos, rejects_groups_that_do_not_divide_channels)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 6, p.h = 4, p.w = 4, p.oc = 4, p.kh = 1, p.kw = 1, p.groups = 3;
    int32_t oh, ow;
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "groups=3"), "message: %s", clinfer_last_errmsg());
    p.stride_h = 0;
    p.groups = 1;
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_INVALID_ARGUMENT);
    clinfer_runtime_free(rt);
}
