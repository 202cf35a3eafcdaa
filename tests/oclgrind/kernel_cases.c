/*
 * kernel_cases.c - one small case per kernel and variant, for Oclgrind's
 * memory checker (tests/oclgrind/run.sh runs this program under
 * `oclgrind --check-api --data-races` and fails on any report). Shapes are
 * tiny (Oclgrind interprets every work-item) but odd: partial vectors,
 * grids padded past the data (Oclgrind is a GPU-type device to clinfer, so
 * the GPU variants run with their local sizes), batches that leave a
 * Winograd panel half empty, chunk tails.
 *
 * Each case is a small graph run with the kernel variants forced through
 * CLINFER_CONV_ALGO, CLINFER_GEMM_VARIANT, CLINFER_POOL_VARIANT,
 * CLINFER_DEPTHWISE_VARIANT and CLINFER_CHAIN; its outputs must match the same graph run with
 * the naive kernels (CLINFER_CONV_ALGO=naive, CLINFER_GEMM_VARIANT=naive,
 * CLINFER_POOL_VARIANT=items; the unit tests check those against C
 * references), and the profile must show the kernel the case is about.
 * Ops with one kernel (softmax, reduce, movement, ...) run once.
 *
 *   kernel_cases [FILTER]   only the cases whose name contains FILTER
 * Plain C (check.h), no Criterion: one process, nothing forked.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_IO 8

/* A graph under test: its inputs' and outputs' sizes. */
typedef struct built {
    clinfer_graph *g;
    size_t inputs, outputs;
    size_t in_n[MAX_IO], out_n[MAX_IO];
} built;

typedef void (*build_fn)(built *b);

/* One run of a graph: the variables to force, and a kernel name (part of
 * one) the profile must show. */
typedef struct variant {
    const char *env; /* "NAME=value NAME=value" */
    const char *kernel;
} variant;

#define MAX_VARIANTS 8
typedef struct kcase {
    const char *name;
    build_fn build;
    variant v[MAX_VARIANTS]; /* up to the first with env NULL */
    int no_reference;        /* one kernel only: no naive run to compare with */
} kcase;

static uint32_t rng = 2024;

static float uniform(float lo, float hi)
{
    rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
    return lo + (hi - lo) * (float)(rng >> 8) / 16777216.0f;
}

static int serial;

static size_t numel(const clinfer_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    return n;
}

static clinfer_value input(built *b, clinfer_shape s)
{
    char name[16];
    snprintf(name, sizeof name, "in%zu", b->inputs);
    clinfer_value v;
    CHECK(b->inputs < MAX_IO, "more than %d inputs", MAX_IO);
    CHECK_OK(clinfer_graph_input(b->g, name, &s, &v));
    b->in_n[b->inputs++] = numel(&s);
    return v;
}

static clinfer_value constant(built *b, clinfer_shape s)
{
    const size_t n = numel(&s);
    float *data = malloc(n * sizeof *data);
    CHECK(data, "out of memory");
    for (size_t i = 0; i < n; i++)
        data[i] = uniform(-0.5f, 0.5f);
    char name[16];
    snprintf(name, sizeof name, "c%d", serial++);
    clinfer_value v;
    CHECK_OK(clinfer_graph_constant(b->g, name, &s, data, &v));
    free(data);
    return v;
}

static void output(built *b, clinfer_value v)
{
    clinfer_shape s;
    CHECK_OK(clinfer_graph_value_shape(b->g, v, &s));
    char name[16];
    CHECK(b->outputs < MAX_IO, "more than %d outputs", MAX_IO);
    snprintf(name, sizeof name, "out%zu", b->outputs);
    CHECK_OK(clinfer_graph_output(b->g, v, name));
    b->out_n[b->outputs++] = numel(&s);
}

static clinfer_value conv(built *b, clinfer_value x, int32_t c, int32_t oc, int32_t k,
                          int32_t stride, int32_t pad, int32_t dil, int32_t groups,
                          clinfer_activation act)
{
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = d.stride_w = stride;
    d.dilation_h = d.dilation_w = dil;
    d.groups = groups;
    d.pad_top = d.pad_left = pad;
    d.pad_bottom = d.pad_right = pad > 0 ? pad - (stride > 1) : 0; /* asymmetric when strided */
    d.activation = act;
    d.act_alpha = act == CLINFER_ACT_CLIP ? -0.1f : 0.1f;
    d.act_beta = 0.3f;
    const clinfer_shape ws = {4, {oc, c / groups, k, k}}, bs = {1, {oc}};
    clinfer_value y;
    CHECK_OK(clinfer_graph_conv2d(b->g, NULL, x, constant(b, ws), constant(b, bs), &d, &y));
    return y;
}

/* ------------------------------------------------------------- graphs */

static void g_conv3x3(built *b) /* direct, im2col, naive */
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 5, 9, 11}});
    output(b, conv(b, x, 5, 6, 3, 1, 1, 1, 1, CLINFER_ACT_RELU));
}

static void g_conv_strided(built *b) /* stride phases of direct, strided im2col */
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 13, 10}});
    output(b, conv(b, x, 3, 5, 3, 2, 1, 2, 1, CLINFER_ACT_LEAKY_RELU));
}

/* direct transposed (conv2d_direct_t, cpu GEMM): a 5x6 image, 20 output
 * channels (a panel of 32 half used), stride 1 then 2 (phases), two
 * images, the residual Add of the second fused; strided 1x1s (read in
 * place) */
static void g_conv_direct_t(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 5, 6}}), y, r;
    y = conv(b, x, 3, 20, 3, 1, 1, 1, 1, CLINFER_ACT_RELU);
    output(b, y);
    r = conv(b, y, 20, 20, 3, 2, 1, 1, 1, CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, r,
                                  input(b, (clinfer_shape){4, {2, 20, 2, 3}}), &r));
    output(b, r);
    output(b, conv(b, x, 3, 20, 1, 2, 0, 1, 1, CLINFER_ACT_NONE));
    /* read in place, the last tile of each row past it (9 positions in
     * tiles of 5), at the end of the input */
    output(b, conv(b, input(b, (clinfer_shape){4, {1, 3, 5, 17}}), 3, 32, 1, 2, 0, 1, 1,
                   CLINFER_ACT_RELU));
    /* a stride-1 3x3 without padding, read in place too: 11 positions per
     * row in tiles of 6 and 5, the last one at the end of the input */
    output(b, conv(b, input(b, (clinfer_shape){4, {2, 5, 13, 13}}), 5, 32, 3, 1, 0, 1, 1,
                   CLINFER_ACT_NONE));
}

/* 3x3 convs with a residual Add and ReLU fused: F(4x4) on 3 images of 9
 * tiles (27 columns, a panel of 32 half empty) and F(2x2) on one image. */
static void g_winograd(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {3, 4, 10, 9}}), y, r;
    y = conv(b, x, 4, 4, 3, 1, 1, 1, 1, CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, y, x, &r));
    CHECK_OK(clinfer_graph_unary(b->g, NULL, CLINFER_UNARY_RELU, r, 0, 0, &r));
    output(b, r);
}

static void g_winograd_small(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {1, 3, 7, 6}});
    output(b, conv(b, x, 3, 5, 3, 1, 1, 1, 1, CLINFER_ACT_CLIP));
}

/* the implicit GEMM (conv_implicit, gpu GEMM): the B' tile gathered from
 * the image, with windows reaching into the padding on every side: a
 * 3x3 with a residual Add and ReLU (K 45, not a whole number of k
 * steps), a grouped strided dilated 3x3 over asymmetric padding, a
 * strided 1x1; tiles far past the 6-7 output channels and 24-99
 * positions */
static void g_conv_implicit(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 5, 9, 11}}), y;
    y = conv(b, x, 5, 6, 3, 1, 1, 1, 1, CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, y,
                                  input(b, (clinfer_shape){4, {2, 6, 9, 11}}), &y));
    CHECK_OK(clinfer_graph_unary(b->g, NULL, CLINFER_UNARY_RELU, y, 0, 0, &y));
    output(b, y);
    output(b, conv(b, input(b, (clinfer_shape){4, {1, 6, 13, 10}}), 6, 4, 3, 2, 1, 2, 2,
                   CLINFER_ACT_LEAKY_RELU));
    output(b, conv(b, x, 5, 7, 1, 2, 0, 1, 1, CLINFER_ACT_NONE));
}

/* 1x1 convolutions with a residual Add: 10 channels over 63 positions
 * (row-major: one whole 8 x 32 tile, whose epilogue runs from the
 * accumulators, beside partial ones), 128 -> 20 channels over 16
 * positions (transposed, rows = positions: whole tiles of 8 rows
 * transposed in registers, 20 of a panel's 32 columns stored), 256 -> 32
 * over 9 positions (transposed in tiles of 6 rows: a tail of 3 rows
 * computed alone) */
static void g_conv1x1(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 7, 5, 6}}), y;
    output(b, conv(b, x, 7, 9, 1, 1, 0, 1, 1, CLINFER_ACT_NONE));
    y = conv(b, input(b, (clinfer_shape){4, {1, 6, 7, 9}}), 6, 10, 1, 1, 0, 1, 1,
             CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, y,
                                  input(b, (clinfer_shape){4, {1, 10, 7, 9}}), &y));
    CHECK_OK(clinfer_graph_unary(b->g, NULL, CLINFER_UNARY_RELU, y, 0, 0, &y));
    output(b, y);
    y = conv(b, input(b, (clinfer_shape){4, {1, 128, 4, 4}}), 128, 20, 1, 1, 0, 1, 1,
             CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, y,
                                  input(b, (clinfer_shape){4, {1, 20, 4, 4}}), &y));
    output(b, y);
    y = conv(b, input(b, (clinfer_shape){4, {1, 256, 3, 3}}), 256, 32, 1, 1, 0, 1, 1,
             CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, y,
                                  input(b, (clinfer_shape){4, {1, 32, 3, 3}}), &y));
    output(b, y);
}

static void g_depthwise(built *b) /* the 3x3 paths (stride 1, 2), the general one */
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 9, 21}});
    output(b, conv(b, x, 3, 3, 3, 1, 1, 1, 3, CLINFER_ACT_CLIP));
    output(b, conv(b, x, 3, 3, 3, 2, 1, 1, 3, CLINFER_ACT_RELU));
    output(b, conv(b, x, 3, 3, 5, 1, 4, 2, 3, CLINFER_ACT_NONE));
}

/* The flat form (whole small planes at stride 1, windows over 3x3): a
 * 5x5 window over rows of 19 outputs (two 16-float stores a row, the
 * second spilling onto the next row) at batch 2, a 7x7 over a 6x5 plane */
static void g_depthwise_flat(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 6, 19}});
    output(b, conv(b, x, 3, 3, 5, 1, 2, 1, 3, CLINFER_ACT_RELU));
    clinfer_value y = input(b, (clinfer_shape){4, {1, 2, 6, 5}});
    output(b, conv(b, y, 2, 2, 7, 1, 3, 1, 2, CLINFER_ACT_NONE));
}

/* conv + ReLU + 2x2 max pool: one kernel (direct reads the input in
 * place, 5 windows a row: a last tile of one) */
static void g_pooled(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 1, 12, 13}}), y;
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, conv(b, x, 1, 4, 3, 1, 0, 1, 1, CLINFER_ACT_RELU),
                                  &pd, &y));
    output(b, y);
}

/* A 1x1 expansion 8 -> 32 into the channel-blocked layout, then
 * depthwise layers reading it: 3x3 at stride 2 over 9x7 (rows of 4
 * outputs: a partial step of DWB_OX) and, on another expansion, 5x5 at
 * stride 1 over 5x6 (every window clipped) */
static void g_blocked(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 8, 9, 7}});
    clinfer_value e = conv(b, x, 8, 32, 1, 1, 0, 1, 1, CLINFER_ACT_CLIP);
    output(b, conv(b, e, 32, 32, 3, 2, 1, 1, 32, CLINFER_ACT_RELU));
    clinfer_value y = input(b, (clinfer_shape){4, {1, 4, 5, 6}});
    clinfer_value f = conv(b, y, 4, 16, 1, 1, 0, 1, 1, CLINFER_ACT_NONE);
    output(b, conv(b, f, 16, 16, 5, 1, 2, 1, 16, CLINFER_ACT_SWISH));
}

/* A 1x1 expansion and the depthwise layer after it with the same
 * activation, fused into conv2d_expand_c16 where the runtime computes it:
 * 8 -> 32 then 3x3 at stride 2 over 9x7 (63 pixels: a last step of 8
 * moved left; two blocks of 16), 3 -> 16 then 5x5 at stride 1 over 5x6
 * with Swish, 5 -> 16 over 2x3 (fewer pixels than a step), and 2 -> 24
 * over 40x30 (1200 pixels, read by no projection: 2 bands of rows; a
 * last partial block of 8 channels) */
static void g_exdw(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 8, 9, 7}});
    clinfer_value e = conv(b, x, 8, 32, 1, 1, 0, 1, 1, CLINFER_ACT_CLIP);
    output(b, conv(b, e, 32, 32, 3, 2, 1, 1, 32, CLINFER_ACT_CLIP));
    clinfer_value y = input(b, (clinfer_shape){4, {1, 3, 5, 6}});
    clinfer_value f = conv(b, y, 3, 16, 1, 1, 0, 1, 1, CLINFER_ACT_SWISH);
    output(b, conv(b, f, 16, 16, 5, 1, 2, 1, 16, CLINFER_ACT_SWISH));
    clinfer_value z = input(b, (clinfer_shape){4, {1, 5, 2, 3}});
    clinfer_value h = conv(b, z, 5, 16, 1, 1, 0, 1, 1, CLINFER_ACT_RELU);
    output(b, conv(b, h, 16, 16, 3, 1, 1, 1, 16, CLINFER_ACT_RELU));
    clinfer_value u = input(b, (clinfer_shape){4, {1, 2, 40, 30}});
    clinfer_value v = conv(b, u, 2, 24, 1, 1, 0, 1, 1, CLINFER_ACT_CLIP);
    output(b, conv(b, v, 24, 24, 3, 1, 1, 1, 24, CLINFER_ACT_CLIP));
}

/* Depthwise layers and the 1x1 convolutions after them, fused into
 * conv2d_dwpw where the runtime computes it: 3x3 at stride 1 over 7x29
 * (rows of 29: a partial vector; 7 rows: a partial block of 4) with a
 * residual, 5x5 at stride 2 over 9x57 (padding bottom right one less),
 * and one with the expansion before it */
static void g_dwpw(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 5, 7, 29}}), y;
    clinfer_value r = input(b, (clinfer_shape){4, {2, 7, 7, 29}});
    clinfer_value p = conv(b, conv(b, x, 5, 5, 3, 1, 1, 1, 5, CLINFER_ACT_CLIP), 5, 7, 1, 1, 0,
                           1, 1, CLINFER_ACT_NONE);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, p, r, &y));
    output(b, y);
    clinfer_value z = input(b, (clinfer_shape){4, {1, 6, 9, 57}});
    output(b, conv(b, conv(b, z, 6, 6, 5, 2, 2, 1, 6, CLINFER_ACT_RELU), 6, 4, 1, 1, 0, 1, 1,
                   CLINFER_ACT_NONE));
    /* the expansion 3 -> 6 before a stride-2 layer, fused too: rows of 61
     * (a last step of 29 columns), 11 rows (the last block past the image) */
    clinfer_value u = input(b, (clinfer_shape){4, {2, 3, 11, 61}});
    clinfer_value e = conv(b, u, 3, 6, 1, 1, 0, 1, 1, CLINFER_ACT_CLIP);
    output(b, conv(b, conv(b, e, 6, 6, 3, 2, 1, 1, 6, CLINFER_ACT_CLIP), 6, 5, 1, 1, 0, 1, 1,
                   CLINFER_ACT_NONE));
}

/* A first layer: 3 channels, 3x3, stride 2 (10x19 outputs: rows of a
 * whole and a partial vector; 20 channels: a whole and a partial block of
 * 16) */
static void g_stem(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 19, 37}});
    output(b, conv(b, x, 3, 20, 3, 2, 1, 1, 1, CLINFER_ACT_CLIP));
}

/* A first layer with an overlapping max pool fused after it
 * (conv2d_stem_pool): 3 -> 20 channels, 3x3 at stride 2 (10x19 conv
 * outputs), then 3x3 windows at stride 2 in ceil mode (5x10, the last
 * windows clipped); and 2 -> 17 over 9x40 with 2x3 windows at strides (1, 2)
 * and an odd left padding (the private row split the other way round) */
static void g_stem_pooled(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 19, 37}}), y;
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(3);
    pd.stride_h = pd.stride_w = 2;
    pd.ceil_mode = 1;
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, conv(b, x, 3, 20, 3, 2, 1, 1, 1, CLINFER_ACT_CLIP),
                                  &pd, &y));
    output(b, y);
    clinfer_value z = input(b, (clinfer_shape){4, {1, 2, 9, 40}});
    clinfer_pool2d_desc odd = clinfer_pool2d_desc_default(2);
    odd.kernel_w = 3, odd.stride_h = 1, odd.stride_w = 2, odd.ceil_mode = 1;
    odd.pad_top = odd.pad_left = odd.pad_right = 1;
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, conv(b, z, 2, 17, 3, 1, 1, 1, 1, CLINFER_ACT_RELU),
                                  &odd, &y));
    output(b, y);
}

/* A 3x3 conv + ReLU + 2x2 max pool fused: F(4x4) tiles whose pooled
 * blocks the floor mode trims (13x11 -> 6x5), 5 input channels (winograd's
 * transforms; "pooled" built for its channel count; direct over the padded
 * copy) */
static void g_pooled_wide(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 5, 13, 11}}), y;
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, conv(b, x, 5, 6, 3, 1, 1, 1, 1, CLINFER_ACT_RELU),
                                  &pd, &y));
    output(b, y);
}

static void g_pool(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 9, 19}}), y;
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(3);
    pd.stride_h = pd.stride_w = 2;
    pd.pad_top = pd.pad_left = pd.pad_bottom = pd.pad_right = 1;
    pd.ceil_mode = 1;
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, x, &pd, &y));
    output(b, y);
    pd.kind = CLINFER_POOL_AVG;
    pd.count_include_pad = 1;
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, x, &pd, &y));
    output(b, y);
    pd = clinfer_pool2d_desc_default(2);
    pd.kind = CLINFER_POOL_AVG;
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, x, &pd, &y));
    output(b, y);
}

static void g_global_pool(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 5, 7}}), y;
    CHECK_OK(clinfer_graph_global_pool(b->g, NULL, x, CLINFER_POOL_AVG, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_global_pool(b->g, NULL, x, CLINFER_POOL_MAX, &y));
    output(b, y);
}

/* a squeeze-excitation gate: the pool and both 1x1 convs one kernel
 * (passes/excite.c); 19 channels and 5x7 planes leave vector tails */
static void g_excite(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 19, 5, 7}}), y;
    CHECK_OK(clinfer_graph_global_pool(b->g, NULL, x, CLINFER_POOL_AVG, &y));
    y = conv(b, y, 19, 4, 1, 1, 0, 1, 1, CLINFER_ACT_SWISH);
    y = conv(b, y, 4, 19, 1, 1, 0, 1, 1, CLINFER_ACT_SIGMOID);
    output(b, y);
}

static void g_dense(built *b) /* constant B: packed at compile time */
{
    clinfer_value x = input(b, (clinfer_shape){2, {3, 37}}), y;
    CHECK_OK(clinfer_graph_dense(b->g, NULL, x, constant(b, (clinfer_shape){2, {37, 20}}),
                                 constant(b, (clinfer_shape){1, {20}}), CLINFER_ACT_RELU, &y));
    output(b, y);
}

static void g_matmul(built *b) /* both operands inputs: B packed (or transposed) per run */
{
    clinfer_value a = input(b, (clinfer_shape){3, {2, 5, 19}});
    clinfer_value m = input(b, (clinfer_shape){3, {2, 19, 35}});
    clinfer_value bt = input(b, (clinfer_shape){2, {35, 19}}), y;
    CHECK_OK(clinfer_graph_matmul(b->g, NULL, a, m, &y));
    output(b, y);
    clinfer_value a2 = input(b, (clinfer_shape){2, {6, 19}});
    CHECK_OK(clinfer_graph_gemm(b->g, NULL, a2, bt, constant(b, (clinfer_shape){2, {6, 35}}), 0,
                                1, 0.5f, 2.0f, &y));
    output(b, y);
}

/* A small network chained into one launch (host/chain.c): a strided,
 * padded conv, a conv with a fused 2x2 max pool (5 x 29 -> 2 x 14: the
 * pool's floor; rows of 14 pooled columns in 3 tiles of 5, the last moved
 * left over the one before), a dense layer, a Gemm with transposed B and
 * C, softmax. */
static void g_chain(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 15, 63}}), y;
    clinfer_value c1 = conv(b, x, 3, 5, 3, 2, 1, 1, 1, CLINFER_ACT_LEAKY_RELU);
    clinfer_value c2 = conv(b, c1, 5, 18, 3, 1, 0, 1, 1, CLINFER_ACT_RELU);
    clinfer_pool2d_desc pd = clinfer_pool2d_desc_default(2);
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, c2, &pd, &y));
    CHECK_OK(clinfer_graph_flatten(b->g, NULL, y, 1, &y));
    CHECK_OK(clinfer_graph_dense(b->g, NULL, y, constant(b, (clinfer_shape){2, {504, 21}}),
                                 constant(b, (clinfer_shape){1, {21}}), CLINFER_ACT_RELU, &y));
    CHECK_OK(clinfer_graph_gemm(b->g, NULL, y, constant(b, (clinfer_shape){2, {10, 21}}),
                                constant(b, (clinfer_shape){1, {10}}), 0, 1, 0.5f, 2.0f, &y));
    CHECK_OK(clinfer_graph_softmax(b->g, NULL, y, -1, 0, &y));
    output(b, y);
}

static void g_eltwise(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 5, 7}});
    clinfer_value s = input(b, (clinfer_shape){1, {1}});
    clinfer_value ch = input(b, (clinfer_shape){4, {1, 3, 1, 1}}), y;
    CHECK_OK(clinfer_graph_unary(b->g, NULL, CLINFER_UNARY_LEAKY_RELU, x, 0.2f, 0, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_MUL, x, x, &y));
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_SUB, s, y, &y));
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_ADD, y, ch, &y));
    output(b, y);
}

static void g_eltwise_general(built *b)
{
    clinfer_value a = input(b, (clinfer_shape){3, {2, 1, 21}});
    clinfer_value c = input(b, (clinfer_shape){2, {3, 1}}), y;
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_DIV, a, c, &y));
    output(b, y);
}

static void g_softmax(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){2, {3, 37}});
    clinfer_value z = input(b, (clinfer_shape){3, {2, 19, 21}}), y;
    CHECK_OK(clinfer_graph_softmax(b->g, NULL, x, -1, 0, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_softmax(b->g, NULL, z, 1, 1, &y));
    output(b, y);
}

static void g_reduce(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){3, {2, 3, 19}}), y;
    const int64_t last[] = {-1}, outer[] = {0, 1};
    CHECK_OK(clinfer_graph_reduce(b->g, NULL, CLINFER_REDUCE_MAX, x, last, 1, 1, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_reduce(b->g, NULL, CLINFER_REDUCE_MEAN, x, outer, 2, 0, &y));
    output(b, y);
    /* two passes (the maximum, then the sum past it) */
    CHECK_OK(clinfer_graph_reduce(b->g, NULL, CLINFER_REDUCE_LOG_SUM_EXP, x, last, 1, 0, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_reduce(b->g, NULL, CLINFER_REDUCE_L2, x, outer, 2, 1, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_arg_reduce(b->g, NULL, 0, x, 1, 0, 1, &y));
    output(b, y);
}

/* Where with every operand broadcast, a comparison; GatherElements and
 * Gather with run-time indices (random fractions, floored: never a read
 * outside data) and constant ones (within range, as the node requires). */
static void g_select(built *b)
{
    clinfer_value c = input(b, (clinfer_shape){3, {2, 1, 7}});
    clinfer_value x = input(b, (clinfer_shape){2, {3, 1}}), y;
    CHECK_OK(clinfer_graph_where(b->g, NULL, c, x, constant(b, (clinfer_shape){1, {7}}), &y));
    output(b, y);
    CHECK_OK(clinfer_graph_compare(b->g, NULL, CLINFER_COMPARE_LESS_EQUAL, c, x, &y));
    output(b, y);
    clinfer_value data = input(b, (clinfer_shape){3, {2, 3, 5}});
    clinfer_value idx = input(b, (clinfer_shape){3, {2, 3, 4}});
    CHECK_OK(clinfer_graph_gather_elements(b->g, NULL, data, idx, 1, &y));
    output(b, y);
    const float known[6] = {0, 4, -1, 2, -5, 3};
    const clinfer_shape ks = {3, {1, 2, 3}};
    clinfer_value k;
    CHECK_OK(clinfer_graph_constant(b->g, "known", &ks, known, &k));
    CHECK_OK(clinfer_graph_gather_elements(b->g, NULL, data, k, -1, &y));
    output(b, y);
    clinfer_value rows = input(b, (clinfer_shape){2, {2, 3}});
    CHECK_OK(clinfer_graph_gather(b->g, NULL, data, rows, -1, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_gather(b->g, NULL, data, k, 2, &y));
    output(b, y);
}

static void g_batchnorm(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 5, 7}}), y;
    const clinfer_shape cs = {1, {3}};
    CHECK_OK(clinfer_graph_batchnorm(b->g, NULL, x, constant(b, cs), constant(b, cs),
                                     constant(b, cs), constant(b, cs), 1.0f, &y));
    output(b, y);
}

static void g_movement(built *b) /* concat, pad, slice, transpose */
{
    clinfer_value x = input(b, (clinfer_shape){3, {2, 19, 23}});
    clinfer_value z = input(b, (clinfer_shape){3, {2, 5, 23}}), y;
    const clinfer_value parts[] = {x, z};
    CHECK_OK(clinfer_graph_concat(b->g, NULL, parts, 2, 1, &y));
    output(b, y);
    const int64_t pads[] = {0, 1, 2, 0, 2, 1};
    CHECK_OK(clinfer_graph_pad(b->g, NULL, x, pads, 6, 0.5f, &y));
    output(b, y);
    const int64_t starts[] = {17, 1}, ends[] = {0, 22}, axes[] = {1, 2}, steps[] = {-3, 2};
    CHECK_OK(clinfer_graph_slice(b->g, NULL, x, starts, ends, axes, steps, 2, &y));
    output(b, y);
    const int32_t swap[] = {0, 2, 1}, outer[] = {1, 0, 2};
    CHECK_OK(clinfer_graph_transpose(b->g, NULL, x, swap, 3, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_transpose(b->g, NULL, z, outer, 3, &y));
    output(b, y);
}

static void g_resize(built *b) /* nearest 2x, taps 1/2/4 with vector chunks and tails */
{
    clinfer_value x = input(b, (clinfer_shape){4, {1, 2, 5, 11}}), y;
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.scale_h = 2.0f, d.scale_w = 2.0f; /* resize_nearest_x2 */
    CHECK_OK(clinfer_graph_resize(b->g, NULL, x, &d, &y));
    output(b, y);
    d.nearest = CLINFER_NEAREST_CEIL, d.scale_w = 1.7f;
    CHECK_OK(clinfer_graph_resize(b->g, NULL, x, &d, &y));
    output(b, y);
    d.mode = CLINFER_RESIZE_LINEAR, d.scale_h = 0.5f, d.scale_w = 0, d.out_w = 19;
    CHECK_OK(clinfer_graph_resize(b->g, NULL, x, &d, &y));
    output(b, y);
    d.mode = CLINFER_RESIZE_CUBIC, d.coord = CLINFER_COORD_TF_CROP_AND_RESIZE;
    d.roi[0] = -0.2f, d.roi[1] = 0.1f, d.roi[2] = 1.1f, d.roi[3] = 0.9f;
    CHECK_OK(clinfer_graph_resize(b->g, NULL, x, &d, &y));
    output(b, y);
}

/* bilinear 2x (strips and a tail strip of 6), align_corners to 9x21 */
static void g_resize_linear(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {1, 2, 5, 11}}), y;
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_LINEAR, d.scale_h = 2.0f, d.scale_w = 2.0f;
    CHECK_OK(clinfer_graph_resize(b->g, NULL, x, &d, &y));
    output(b, y);
    d.coord = CLINFER_COORD_ALIGN_CORNERS, d.scale_h = d.scale_w = 0, d.out_h = 9, d.out_w = 21;
    CHECK_OK(clinfer_graph_resize(b->g, NULL, x, &d, &y));
    output(b, y);
}

/* GridSample: each mode and padding, points outside the image (the grid
 * input's random values, scaled by the graph's Mul to [-1.5, 1.5)) */
static void g_grid_sample(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 5, 7}}), y;
    clinfer_value grid = input(b, (clinfer_shape){4, {2, 3, 4, 2}}), k;
    const clinfer_shape one = {1, {1}};
    const float f = 1.5f;
    CHECK_OK(clinfer_graph_constant(b->g, "spread", &one, &f, &k));
    CHECK_OK(clinfer_graph_binary(b->g, NULL, CLINFER_BINARY_MUL, grid, k, &grid));
    for (int m = 0; m < 3; m++) {
        CHECK_OK(clinfer_graph_grid_sample(b->g, NULL, x, grid, (clinfer_grid_sample_mode)m,
                                           (clinfer_grid_padding)m, m == 1, &y));
        output(b, y);
    }
}

/* RNN, GRU (both resets) and LSTM with every optional input: H 19 (a
 * 16-float piece and a tail), bidirectional, batch 2, the Y_h and Y_c
 * slabs */
static void g_rnn(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){3, {3, 2, 5}}), y, yh, yc, v[6];
    static float wts[4 * 19 * 19 * 2 * 2 + 64];
    for (size_t i = 0; i < sizeof wts / sizeof wts[0]; i++)
        wts[i] = (float)((int)(i * 37 % 19) - 9) / 40.0f;
    for (int cell = 0; cell < 4; cell++) {
        const int kind = cell == 3 ? 1 : cell, gates = kind == 0 ? 1 : kind == 1 ? 3 : 4;
        const clinfer_shape ws = {3, {2, gates * 19, 5}}, rs = {3, {2, gates * 19, 19}},
                            bs = {2, {2, 2 * gates * 19}}, hs = {3, {2, 2, 19}},
                            ps = {2, {2, 57}};
        const clinfer_shape shapes[6] = {ws, rs, bs, hs, hs, ps};
        char name[32];
        for (int i = 0; i < 6; i++) {
            snprintf(name, sizeof name, "rnn%d_%d", cell, i);
            CHECK_OK(clinfer_graph_constant(b->g, name, &shapes[i], wts, &v[i]));
        }
        clinfer_rnn_desc d;
        memset(&d, 0, sizeof d);
        d.cell = (clinfer_rnn_cell)kind, d.direction = CLINFER_RNN_BIDIRECTIONAL;
        d.hidden_size = 19, d.linear_before_reset = cell == 3, d.clip = 2.0f;
        const int lstm = kind == 2;
        CHECK_OK(clinfer_graph_rnn(b->g, NULL, &d, x, v[0], v[1], v[2], v[3],
                                   lstm ? v[4] : CLINFER_NO_VALUE, lstm ? v[5] : CLINFER_NO_VALUE,
                                   &y, &yh, lstm ? &yc : NULL));
        output(b, y);
        if (kind) /* at most 8 outputs: the RNN's Y_h row is written, not read back */
            output(b, yh);
        if (lstm)
            output(b, yc);
    }
}

/* CumSum: the middle axis reversed and exclusive (lines of stride 7, a
 * partial work-group), the last axis forward */
static void g_cumsum(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){3, {2, 5, 7}}), y;
    CHECK_OK(clinfer_graph_cumsum(b->g, NULL, x, 1, 1, 1, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_cumsum(b->g, NULL, x, -1, 0, 0, &y));
    output(b, y);
}

/* MaxPool's Indices (kernel 3 stride 2 padded, both storage orders: edge
 * windows) feeding MaxUnpool into a padded output_shape (the zero launch,
 * the scatter's plane walk and its row remapping) */
static void g_unpool(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){4, {2, 3, 7, 9}}), p, i, y;
    clinfer_pool2d_desc d = clinfer_pool2d_desc_default(3);
    d.stride_h = d.stride_w = 2;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    CHECK_OK(clinfer_graph_pool2d(b->g, NULL, x, &d, &p));
    CHECK_OK(clinfer_graph_max_pool_indices(b->g, NULL, x, &d, 1, &i));
    output(b, i);
    CHECK_OK(clinfer_graph_max_pool_indices(b->g, NULL, x, &d, 0, &i));
    const clinfer_unpool2d_desc u = {3, 3, 2, 2, 1, 1, 1, 1, 8, 10};
    CHECK_OK(clinfer_graph_max_unpool(b->g, NULL, p, i, &u, &y));
    output(b, y);
}

/* TopK: the middle axis smallest first (lines of stride 7, a partial
 * work-group), both outputs; the last axis largest first, K the whole
 * line, the indices alone */
static void g_topk(built *b)
{
    clinfer_value x = input(b, (clinfer_shape){3, {2, 5, 7}}), v, i;
    CHECK_OK(clinfer_graph_topk(b->g, NULL, x, 1, 3, 0, &v, &i));
    output(b, v);
    output(b, i);
    CHECK_OK(clinfer_graph_topk(b->g, NULL, x, -1, 7, 1, NULL, &i));
    output(b, i);
}

static void g_depth_space(built *b) /* block 2 (vector paths and tails), block 3 */
{
    clinfer_value x = input(b, (clinfer_shape){4, {1, 8, 3, 11}}), y;
    CHECK_OK(clinfer_graph_depth_to_space(b->g, NULL, x, 2, 0, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_depth_to_space(b->g, NULL, x, 2, 1, &y));
    output(b, y);
    clinfer_value z = input(b, (clinfer_shape){4, {2, 3, 6, 18}});
    CHECK_OK(clinfer_graph_space_to_depth(b->g, NULL, z, 2, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_space_to_depth(b->g, NULL, z, 3, &y));
    output(b, y);
}

static void g_norm(built *b) /* the four normalisations, one kernel */
{
    clinfer_value x = input(b, (clinfer_shape){2, {3, 37}});
    clinfer_value z = input(b, (clinfer_shape){4, {2, 6, 1, 7}}), y;
    const clinfer_shape row = {1, {37}}, ch = {1, {6}};
    CHECK_OK(clinfer_graph_layer_norm(b->g, NULL, x, constant(b, row), constant(b, row), -1,
                                      1e-5f, &y));
    output(b, y);
    CHECK_OK(clinfer_graph_instance_norm(b->g, NULL, z, constant(b, ch), constant(b, ch), 1e-5f,
                                         &y));
    output(b, y);
    CHECK_OK(clinfer_graph_group_norm(b->g, NULL, z, constant(b, ch), constant(b, ch), 2, 1e-5f,
                                      &y));
    output(b, y);
    CHECK_OK(clinfer_graph_mean_variance_norm(b->g, NULL, z, NULL, 0, &y));
    output(b, y);
}

/* ------------------------------------------------------------- the cases */

#define GEMMS(algo, k1, k2, k3)                                                                \
    {"CLINFER_CONV_ALGO=" algo " CLINFER_GEMM_VARIANT=cpu", k1},                               \
        {"CLINFER_CONV_ALGO=" algo " CLINFER_GEMM_VARIANT=gpu", k2},                           \
        {"CLINFER_CONV_ALGO=" algo " CLINFER_GEMM_VARIANT=naive", k3}

static const kcase cases[] = {
    {"conv 3x3",
     g_conv3x3,
     {{"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=cpu", "conv2d_direct"},
      {"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=gpu", "conv2d_direct"},
      GEMMS("im2col", "gemm_packed", "gemm_local", "gemm_naive")}, 0},
    {"conv strided dilated",
     g_conv_strided,
     {{"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=cpu", "conv2d_direct"},
      GEMMS("im2col", "gemm_packed", "gemm_local", "gemm_naive")}, 0},
    {"conv direct transposed",
     g_conv_direct_t,
     {{"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=cpu", "conv2d_direct_t"}}, 0},
    {"conv winograd residual",
     g_winograd,
     {{"CLINFER_CONV_ALGO=winograd CLINFER_GEMM_VARIANT=cpu", "winograd"},
      {"CLINFER_CONV_ALGO=winograd CLINFER_GEMM_VARIANT=gpu", "winograd"},
      {"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=cpu", "conv2d_direct"}}, 0},
    {"conv winograd F(2x2)",
     g_winograd_small,
     {{"CLINFER_CONV_ALGO=winograd CLINFER_GEMM_VARIANT=cpu", "winograd"},
      {"CLINFER_CONV_ALGO=winograd CLINFER_GEMM_VARIANT=gpu", "winograd"}}, 0},
    {"conv implicit",
     g_conv_implicit,
     {{"CLINFER_CONV_ALGO=implicit CLINFER_GEMM_VARIANT=gpu", "conv_implicit"}}, 0},
    {"conv 1x1", g_conv1x1, {GEMMS("gemm1x1", "gemm_packed", "gemm_local", "gemm_naive")}, 0},
    {"conv depthwise",
     g_depthwise,
     {{"CLINFER_CONV_ALGO=depthwise CLINFER_DEPTHWISE_VARIANT=cpu", "conv2d_depthwise_rows"},
      {"CLINFER_CONV_ALGO=depthwise CLINFER_DEPTHWISE_VARIANT=gpu", "conv2d_depthwise"}}, 0},
    {"conv depthwise flat",
     g_depthwise_flat,
     {{"CLINFER_CONV_ALGO=depthwise CLINFER_DEPTHWISE_VARIANT=cpu", "conv2d_depthwise_flat"}}, 0},
    {"conv pooled",
     g_pooled,
     {{"CLINFER_CONV_ALGO=pooled", "conv2d_pooled"},
      {"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=cpu", "conv2d_direct_t"}}, 0},
    {"conv stem", g_stem, {{"CLINFER_CONV_ALGO=stem", "conv2d_stem"}}, 0},
    {"conv stem pooled", g_stem_pooled,
     {{"CLINFER_CONV_ALGO=stem CLINFER_GEMM_VARIANT=cpu", "conv2d_stem_pool"}}, 0},
    {"conv channel-blocked",
     g_blocked,
     {{"CLINFER_GEMM_VARIANT=cpu CLINFER_DEPTHWISE_VARIANT=cpu", "conv2d_depthwise_c16"}}, 0},
    {"conv expansion + depthwise",
     g_exdw,
     {{"CLINFER_GEMM_VARIANT=cpu CLINFER_DEPTHWISE_VARIANT=cpu", "conv2d_expand_c16"}}, 0},
    {"conv depthwise + 1x1",
     g_dwpw,
     {{"CLINFER_GEMM_VARIANT=cpu CLINFER_DEPTHWISE_VARIANT=cpu", "conv2d_dwpw"}}, 0},
    {"conv pooled, 5 channels",
     g_pooled_wide,
     {{"CLINFER_CONV_ALGO=pooled", "conv2d_pooled"},
      {"CLINFER_CONV_ALGO=direct CLINFER_GEMM_VARIANT=cpu", "conv2d_direct_t"},
      {"CLINFER_CONV_ALGO=winograd CLINFER_GEMM_VARIANT=cpu", "winograd_fused"},
      {"CLINFER_CONV_ALGO=winograd CLINFER_GEMM_VARIANT=gpu", "winograd_output"}}, 0},
    {"pool",
     g_pool,
     {{"CLINFER_POOL_VARIANT=rows", "pool2d_rows"}, {"CLINFER_POOL_VARIANT=items", "pool2d"}}, 0},
    {"global pool", g_global_pool, {{"", "global"}}, 1},
    {"squeeze-excitation gate",
     g_excite,
     {{"CLINFER_POOL_VARIANT=rows", "squeeze_excite"},
      {"CLINFER_POOL_VARIANT=items", "squeeze_excite"}}, 0},
    {"dense",
     g_dense,
     {{"CLINFER_GEMM_VARIANT=cpu", "gemm_packed"}, {"CLINFER_GEMM_VARIANT=gpu", "gemm_local"}}, 0},
    {"matmul and gemm",
     g_matmul,
     {{"CLINFER_GEMM_VARIANT=cpu", "gemm_packed"}, {"CLINFER_GEMM_VARIANT=gpu", "gemm_local"}}, 0},
    {"eltwise", g_eltwise, {{"", "binary"}}, 1},
    {"eltwise general", g_eltwise_general, {{"", "binary_general"}}, 1},
    {"chain", g_chain, {{"CLINFER_CHAIN=on", "chain_run"}}, 0},
    {"softmax", g_softmax, {{"", "softmax"}}, 1},
    {"reduce", g_reduce, {{"", "reduce"}}, 1},
    {"select", g_select, {{"", "gather_elements_nd"}}, 1},
    {"batchnorm", g_batchnorm, {{"", "batchnorm"}}, 1},
    {"movement", g_movement, {{"", "transpose"}}, 1},
    {"resize", g_resize, {{"", "resize_taps"}}, 1},
    {"resize linear", g_resize_linear, {{"", "resize_linear_strips"}}, 1},
    {"grid sample", g_grid_sample, {{"", "grid_sample"}}, 1},
    {"rnn",
     g_rnn,
     {{"CLINFER_POOL_VARIANT=rows", "rnn_sequence"}, {"CLINFER_POOL_VARIANT=items", "rnn_sequence"}},
     0},
    {"cumsum", g_cumsum, {{"", "cumsum"}}, 1},
    {"unpool", g_unpool, {{"", "max_unpool"}}, 1},
    {"topk", g_topk, {{"", "topk"}}, 1},
    {"depth space", g_depth_space, {{"", "space_to_depth"}}, 1},
    {"norm", g_norm, {{"", "norm_"}}, 1}, /* norm_rows or norm_items, by device type */
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const char *const knobs[] = {"CLINFER_CONV_ALGO", "CLINFER_GEMM_VARIANT",
                                    "CLINFER_POOL_VARIANT", "CLINFER_DEPTHWISE_VARIANT",
                                    "CLINFER_CHAIN"};

/* Clears the knobs, then sets those named in `env` ("A=x B=y"), and
 * returns a runtime created under them (a runtime reads its configuration
 * once, when it is created). */
static clinfer_runtime *forced_runtime(const char *env)
{
    for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++)
        unsetenv(knobs[i]);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", env);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        CHECK(eq, "bad setting \"%s\"", tok);
        *eq = '\0';
        setenv(tok, eq + 1, 1);
    }
    clinfer_runtime *rt = NULL;
    CHECK_OK(clinfer_runtime_create(NULL, &rt));
    return rt;
}

/* Compiles b's graph on a runtime forced as `env` says, runs it on `in`,
 * writes the outputs to out; the kernels the profile lists (joined by
 * spaces) to kernels. */
static void run_graph(const char *env, const built *b, float *const *in, float **out,
                      char *kernels, size_t cap)
{
    clinfer_runtime *rt = forced_runtime(env);
    clinfer_model *model = NULL;
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    o.profile = 1;
    CHECK_OK(clinfer_model_compile(rt, b->g, &model));
    CHECK_OK(clinfer_session_create(model, &o, &s));
    CHECK(clinfer_model_input_count(model) == b->inputs, "%zu model inputs, %zu declared",
          clinfer_model_input_count(model), b->inputs);
    for (size_t i = 0; i < b->inputs; i++) { /* by name: "in<k>" */
        const size_t k = strtoul(clinfer_model_input_name(model, i) + 2, NULL, 10);
        CHECK_OK(clinfer_session_set_input(s, i, in[k], b->in_n[k]));
    }
    CHECK_OK(clinfer_session_run(s));
    for (size_t i = 0; i < b->outputs; i++) { /* "out<k>" */
        const size_t k = strtoul(clinfer_model_output_name(model, i) + 3, NULL, 10);
        CHECK_OK(clinfer_session_get_output(s, i, out[k], b->out_n[k]));
    }
    size_t count = 0;
    const clinfer_node_profile *prof = clinfer_session_profile(s, &count);
    kernels[0] = '\0';
    for (size_t i = 0; prof && i < count; i++) {
        const size_t used = strlen(kernels);
        snprintf(kernels + used, cap - used, "%s%s", used ? " " : "",
                 prof[i].kernel ? prof[i].kernel : "?");
    }
    clinfer_session_free(s);
    clinfer_model_free(model);
    clinfer_runtime_free(rt);
}

static float **alloc_all(size_t count, const size_t *n)
{
    float **p = calloc(MAX_IO, sizeof *p);
    CHECK(p, "out of memory");
    for (size_t i = 0; i < count; i++) {
        p[i] = malloc(n[i] * sizeof(float));
        CHECK(p[i], "out of memory");
    }
    return p;
}

static void free_all(float **p)
{
    for (size_t i = 0; i < MAX_IO; i++)
        free(p[i]);
    free(p);
}

static void run_case(const kcase *k)
{
    built b;
    memset(&b, 0, sizeof b);
    CHECK_OK(clinfer_graph_create(&b.g));
    k->build(&b);
    float **in = alloc_all(b.inputs, b.in_n);
    float **want = alloc_all(b.outputs, b.out_n), **got = alloc_all(b.outputs, b.out_n);
    for (size_t i = 0; i < b.inputs; i++)
        for (size_t j = 0; j < b.in_n[i]; j++)
            in[i][j] = uniform(-1.0f, 1.0f) + (i == 2 ? 2.0f : 0.0f); /* divisors away from 0 */
    /* In half storage (CLINFER_PRECISION=fp16 runs every case so) both
     * sides round their output to half, a step of 2^-10 of the value, and
     * the im2col, packing and pooling scratch rounds on the way. */
    const char *precision = getenv("CLINFER_PRECISION");
    const int half = precision && strcmp(precision, "fp16") == 0;
    const float atol = half ? 2e-3f : 1e-4f, rtol = half ? 8e-3f : 1e-3f;
    char kernels[1024];
    if (!k->no_reference) {
        run_graph("CLINFER_CONV_ALGO=naive CLINFER_GEMM_VARIANT=naive CLINFER_POOL_VARIANT=items",
                  &b, in, want, kernels, sizeof kernels);
    }
    for (int v = 0; v < MAX_VARIANTS && k->v[v].env; v++) {
        run_graph(k->v[v].env, &b, in, got, kernels, sizeof kernels);
        printf("  %-60s %s\n", k->v[v].env[0] ? k->v[v].env : "(default)", kernels);
        fflush(stdout);
        CHECK(strstr(kernels, k->v[v].kernel), "%s, %s: no %s kernel ran (%s)", k->name,
              k->v[v].env, k->v[v].kernel, kernels);
        for (size_t o = 0; !k->no_reference && o < b.outputs; o++)
            for (size_t j = 0; j < b.out_n[o]; j++)
                CHECK(fabsf(got[o][j] - want[o][j]) <= atol + rtol * fabsf(want[o][j]),
                      "%s, %s, output %zu[%zu]: %g, naive kernels %g", k->name, k->v[v].env, o,
                      j, got[o][j], want[o][j]);
    }
    free_all(in);
    free_all(want);
    free_all(got);
    clinfer_graph_free(b.g);
}

/* convert.cl (typed inputs and outputs, not a graph node): y = x * 0.5 on
 * 37 elements (a grid padded past the data), each caller type in and out,
 * against the float32 path of the same session. */
static void run_typed_case(void)
{
    enum { n = 37 };
    const clinfer_shape shape = {2, {1, n}}, ks = {1, {1}};
    const float half = 0.5f;
    clinfer_graph *g = NULL;
    clinfer_value x, k, y;
    CHECK_OK(clinfer_graph_create(&g));
    CHECK_OK(clinfer_graph_input(g, "x", &shape, &x));
    CHECK_OK(clinfer_graph_constant(g, "k", &ks, &half, &k));
    CHECK_OK(clinfer_graph_binary(g, "mul", CLINFER_BINARY_MUL, x, k, &y));
    CHECK_OK(clinfer_graph_output(g, y, "y"));
    clinfer_runtime *rt = forced_runtime("");
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    CHECK_OK(clinfer_model_compile(rt, g, &m));
    CHECK_OK(clinfer_session_create(m, &o, &s));
    static const clinfer_dtype types[] = {CLINFER_DTYPE_UINT8, CLINFER_DTYPE_INT64,
                                          CLINFER_DTYPE_FLOAT16, CLINFER_DTYPE_FLOAT32};
    static const size_t sizes[] = {1, 8, 2, 4};
    unsigned char in[n * 8], out[n * 8];
    float want[n], got[n];
    for (int t = 0; t < 4; t++) {
        for (int i = 0; i < n; i++) { /* small integers: exact in every type */
            const int v = (i * 7) % 50;
            want[i] = (float)v * 0.5f;
            if (types[t] == CLINFER_DTYPE_UINT8)
                in[i] = (unsigned char)v;
            else if (types[t] == CLINFER_DTYPE_INT64)
                memcpy(in + 8 * i, &(int64_t){v}, 8);
            else if (types[t] == CLINFER_DTYPE_FLOAT16) /* v < 64: exponent 15 + e */
                memcpy(in + 2 * i, &(uint16_t){v ? (uint16_t)(((15 + ilogb(v)) << 10) |
                                                   ((v << (10 - ilogb(v))) & 1023)) : 0}, 2);
            else
                memcpy(in + 4 * i, &(float){(float)v}, 4);
        }
        CHECK_OK(clinfer_session_set_input_typed(s, 0, types[t], in, n * sizes[t]));
        CHECK_OK(clinfer_session_run(s));
        CHECK_OK(clinfer_session_get_output(s, 0, got, n));
        CHECK_OK(clinfer_session_get_output_typed(s, 0, types[t], out, n * sizes[t]));
        for (int i = 0; i < n; i++)
            CHECK(got[i] == want[i], "typed io, dtype %d in: y[%d] = %g, want %g", (int)types[t],
                  i, got[i], want[i]);
        if (types[t] == CLINFER_DTYPE_UINT8) /* out: rounded to even */
            for (int i = 0; i < n; i++)
                CHECK(out[i] == (unsigned char)nearbyintf(want[i]), "typed io, uint8 y[%d]: %d",
                      i, out[i]);
    }
    printf("  %-60s convert_in convert_out\n", "(uint8, int64, float16, float32)");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : "";
    setenv("CLINFER_TUNE", "0", 1); /* no tile search: it runs big GEMMs */
    clinfer_runtime *rt = forced_runtime("");
    printf("device: %s\n", clinfer_runtime_device(rt)->name);
    clinfer_runtime_free(rt);
    int ran = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        if (!strstr(cases[i].name, filter))
            continue;
        printf("[ RUN  ] %s\n", cases[i].name);
        fflush(stdout);
        run_case(&cases[i]);
        printf("[  OK  ] %s\n", cases[i].name);
        ran++;
    }
    if (strstr("typed io", filter)) {
        printf("[ RUN  ] typed io\n");
        fflush(stdout);
        run_typed_case();
        printf("[  OK  ] typed io\n");
        ran++;
    }
    CHECK(ran > 0, "no case matches \"%s\"", filter);
    printf("%d cases passed\n", ran);
    return 0;
}
