/*
 * conv_blocked.cl - depthwise convolution over the channel-blocked layout
 * NCHW16c (host/ops/conv_depthwise.c's dw_blocked, host/ops/conv2d.h's
 * in_blocked) and the 1x1 expansion fused before it (host/ops/conv_exdw.c).
 * Not a program of its own: host/program_cache.c builds it after
 * conv_depthwise.cl into the "conv_depthwise" program, so that a model's
 * depthwise layers of one window size and activation, blocked, fused or
 * neither, share one build. It needs nothing of that file (it compiles
 * alone after prelude.cl: tests/half/check_kernels.sh).
 *
 * Tunables: HAS_BIAS (0/1), ACT (see prelude.cl), DW_K (3 or 5).
 */
#ifndef DW_K
#define DW_K 3
#endif

/* conv2d_depthwise_c16 (the "depthwise" algorithm over the channel-blocked
 * layout NCHW16c, host/ops/conv2d.h's in_blocked): input [N, C/16, H, W,
 * 16], output NCHW [N, C, OH, OW], weights [C/16, DW_K * DW_K, 16] (packed
 * once), DW_K x DW_K windows, stride 1 or 2, dilation 1.
 * Work-item (x, y): output rows x * rows .. of channel block y (of every
 * image's blocks). A position's 16 channels are one vector: every tap is
 * one vector load and one FMA with all lanes used, whatever the image's
 * width (NCHW rows of 7 filled 7 of 16 lanes), and no padded tile is
 * needed (rows outside the image are skipped, columns read as zeros).
 * DWB_OX outputs of a row at a time share the input vectors of a tile row
 * (DWB_OX + DW_K - 1 at stride 1). MobileNetV2's 960-channel 7x7 layer
 * after its expansion: 84-87 us in rows of NCHW (conv2d_depthwise_rows)
 * on one PoCL thread, 38-40 us here (2-core EPYC). Its output blocked too
 * took 18-23 us, but the projection reading that layout (transposed) lost
 * more than that, so the output is NCHW, 16 planes per step. */
#define DWB_OX 4 /* transpose4x16 (prelude.cl) takes 4 */

/* Output row oy of one channel block at stride S (a constant where it is
 * called): from the block's input ib to its first nch (of 16) NCHW
 * planes, row oy's start at orow, `plane` floats apart. */
static inline __attribute__((always_inline)) void
depthwise_c16_row(__global const store_t *ib, __global store_t *orow, const float16 *wk,
                  float16 bv, int oy, int H, int W, int OW, int pad_top, int pad_left,
                  long plane, int nch, float act_a, float act_b, const int S)
{
    const int span = (DWB_OX - 1) * S + DW_K; /* input columns of DWB_OX outputs */
    for (int ox0 = 0; ox0 < OW; ox0 += DWB_OX) {
        float16 acc[DWB_OX];
#pragma unroll
        for (int j = 0; j < DWB_OX; j++)
            acc[j] = bv;
        const int ix0 = ox0 * S - pad_left;
        const int inside = ix0 >= 0 && ix0 + span <= W;
#pragma unroll
        for (int ky = 0; ky < DW_K; ky++) {
            const int iy = oy * S - pad_top + ky;
            if (iy < 0 || iy >= H)
                continue;
            __global const store_t *row = ib + ((long)iy * W + ix0) * 16;
            float16 v[(DWB_OX - 1) * 2 + DW_K]; /* span at stride 2, the larger */
#pragma unroll
            for (int c = 0; c < span; c++)
                v[c] = inside || (ix0 + c >= 0 && ix0 + c < W) ? LD16(c, row) : (float16)(0.0f);
#pragma unroll
            for (int j = 0; j < DWB_OX; j++)
#pragma unroll
                for (int kx = 0; kx < DW_K; kx++)
                    acc[j] = fma(v[j * S + kx], wk[ky * DW_K + kx], acc[j]);
        }
        /* each channel's 4 outputs of the row adjacent, plane floats apart:
         * the 4 x 16 sums transposed in registers (through a private array
         * the stores cost more than the layer's FMAs) */
#pragma unroll
        for (int j = 0; j < DWB_OX; j++)
            acc[j] = ACT_ANY(acc[j]);
        if (ox0 + DWB_OX <= OW) {
            float16 q[4];
            transpose4x16(acc, q);
#pragma unroll
            for (int ch = 0; ch < 16; ch++) {
                const float16 v = q[ch / 4];
                const float4 c4 = ch % 4 == 0   ? v.s0123
                                  : ch % 4 == 1 ? v.s4567
                                  : ch % 4 == 2 ? v.s89ab
                                                : v.scdef;
                if (ch < nch)
                    ST4(c4, 0, orow + ch * plane + ox0);
            }
        } else {
            float t[DWB_OX][16] __attribute__((aligned(64)));
#pragma unroll
            for (int j = 0; j < DWB_OX; j++)
                PST16(acc[j], t[j]);
            for (int ch = 0; ch < nch; ch++)
                for (int j = 0; j < OW - ox0; j++)
                    ST(orow + ch * plane + ox0, j, t[j][ch]);
        }
    }
}

/* Output rows oy0 .. oy1 - 1 of channel block cb from the block's
 * NCHW16c input ib into the first nch of its output planes ob: the
 * weights of the block's 16 channels (packed [blocks][DW_K * DW_K][16])
 * and bias (16 readable from cb * 16), then the rows. */
static void depthwise_c16_rows(__global const store_t *ib, __global const store_t *weight,
                               __global const store_t *bias, __global store_t *ob, int cb,
                               int nch, int oy0, int oy1, int H, int W, int OH, int OW,
                               int stride, int pad_top, int pad_left, float act_a, float act_b)
{
    float16 wk[DW_K * DW_K];
#pragma unroll
    for (int t = 0; t < DW_K * DW_K; t++)
        wk[t] = LD16(0, weight + (long)(cb * DW_K * DW_K + t) * 16);
#if HAS_BIAS
    const float16 bv = LD16(0, bias + cb * 16);
#else
    const float16 bv = (float16)(0.0f);
#endif
    const long plane = (long)OH * OW;
    for (int oy = oy0; oy < oy1; oy++) {
        __global store_t *orow = ob + (long)oy * OW;
        if (stride == 1)
            depthwise_c16_row(ib, orow, wk, bv, oy, H, W, OW, pad_top, pad_left, plane, nch,
                              act_a, act_b, 1);
        else
            depthwise_c16_row(ib, orow, wk, bv, oy, H, W, OW, pad_top, pad_left, plane, nch,
                              act_a, act_b, 2);
    }
}

__kernel void conv2d_depthwise_c16(__global const store_t *restrict input, long input_off,
                                   __global const store_t *restrict weight, long weight_off,
                                   __global const store_t *restrict bias, long bias_off,
                                   __global store_t *restrict output, long output_off, int C,
                                   int H, int W, int OH, int OW, int stride, int pad_top,
                                   int pad_left, int rows, float act_a, float act_b)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const int oy0 = get_global_id(0) * rows;
    const long block = get_global_id(1); /* image * C/16 + channel block */
    if (oy0 >= OH)
        return;
    /* the block's input, and its 16 output planes (NCHW), adjacent */
    depthwise_c16_rows(input + block * H * W * 16, weight, bias, output + block * OH * OW * 16,
                       (int)(block % (C / 16)), 16, oy0, min(oy0 + rows, OH), H, W, OH, OW,
                       stride, pad_top, pad_left, act_a, act_b);
}

/* conv2d_expand_c16 (host/ops/conv_exdw.h): a 1x1 expansion K -> C (its
 * bias, the depthwise layer's activation ACT) and the depthwise layer
 * that alone reads it, in one launch: the inverted residual blocks, where
 * otherwise the expanded tensor (the block's largest) goes to memory
 * between two launches. Work-item (x, y) takes output rows x * rows ..
 * of block y (image * ceil(C/16) + channel block): it expands the input
 * rows those outputs read (all of them for a small image), 16 channels, into
 * its own part of `scratch` in the blocked layout ([rows][W][16]: one
 * vector a pixel), then runs conv2d_depthwise_c16's rows over them,
 * reading the values back from its own cache. A launch fewer per block,
 * and on small images the depthwise work no longer a launch of its own
 * (on two PoCL threads MobileNetV2's separate depthwise layers ran no
 * faster than on one: each launch starts its second thread late). Input
 * x NCHW [N, K, H, W]; the expansion's weights packed [C/16][K][16] and
 * the depthwise layer's as conv2d_depthwise_c16 takes them, both biases,
 * all padded to whole blocks (the host's packing: channels past C
 * weigh zero, computed and never stored, so C need not be a multiple of
 * 16); output NCHW; band_floats: each item's scratch. */
#define EXC_PX 8 /* pixels per expansion step: EXC_PX float16 sums */

/* One expansion step: pixels p .. p + P - 1 of x (with `clamp`, each
 * clamped to n - 1), stored from pixel `from` on. P independent sums keep
 * the FMA pipes busy from P = 4 on (4 cycles' latency). Without clamp the
 * pixels are read at constant offsets from one pointer (one register for
 * all P: with P clamped indices the loop ran about 20% slower). */
static inline __attribute__((always_inline)) void
expand_c16_step(__global const store_t *x, __global const store_t *w, float16 b,
                __global store_t *e, int K, int n, int plane, int p, int from, float act_a,
                float act_b, const int P, const int clamp)
{
    int at[EXC_PX];
    float16 acc[EXC_PX];
#pragma unroll
    for (int i = 0; i < P; i++)
        at[i] = clamp ? min(p + i, n - 1) - p : i, acc[i] = b;
    __global const store_t *xk = x + p;
    for (int k = 0; k < K; k++, xk += plane) {
        const float16 wk = LD16(0, w + (long)k * 16);
#if STORE_HALF
        /* half: the step's pixels of plane k converted in one instruction,
         * not one conversion per pixel (MobileNetV2's expansions at batch 1
         * took 1.45x their fp32 time so) */
        if (!clamp) {
            float xs[EXC_PX];
            if (P == 8)
                vstore8(LD8(0, xk), 0, xs);
            else
                vstore4(LD4(0, xk), 0, xs);
#pragma unroll
            for (int i = 0; i < P; i++)
                acc[i] = fma((float16)(xs[i]), wk, acc[i]);
            continue;
        }
#endif
#pragma unroll
        for (int i = 0; i < P; i++)
            acc[i] = fma((float16)(LD(xk, clamp ? at[i] : i)), wk, acc[i]);
    }
    for (int i = from - p; i < min(P, n - p); i++)
        ST16(ACT_ANY(acc[i]), 0, e + (long)(p + i) * 16);
}

/* The expansion of n pixels of x (K planes `plane` floats apart) to one
 * block's 16 channels (weights w [K][16], bias b) into e, one vector a
 * pixel: steps of EXC_PX pixels, then the rest as one step of 4 (up to 4
 * left) or EXC_PX ending at n, its pixels before the rest computed again
 * and not stored (a 7x7 image: 6 steps of 8 and one of 4, where a last
 * step of 8 cost the time of 8); a step longer than all n pixels repeats
 * the last one. (Two blocks an item, each pixel's value feeding two
 * FMAs, ran 3-8% slower on one PoCL thread.) */
static void expand_c16_block(__global const store_t *x, __global const store_t *w, float16 b,
                             __global store_t *e, int K, int n, int plane, float act_a,
                             float act_b)
{
    const int whole = n / EXC_PX * EXC_PX, rest = n - whole;
    for (int p = 0; p < whole; p += EXC_PX)
        expand_c16_step(x, w, b, e, K, n, plane, p, p, act_a, act_b, EXC_PX, 0);
    if (rest > 4) /* ending at n; clamped where n < EXC_PX */
        expand_c16_step(x, w, b, e, K, n, plane, max(0, n - EXC_PX), whole, act_a, act_b,
                        EXC_PX, n < EXC_PX);
    else if (rest > 0)
        expand_c16_step(x, w, b, e, K, n, plane, max(0, n - 4), whole, act_a, act_b, 4, n < 4);
}

__kernel void conv2d_expand_c16(__global const store_t *restrict input, long input_off,
                                __global const store_t *restrict ex_w, long ex_w_off,
                                __global const store_t *restrict ex_b, long ex_b_off,
                                __global const store_t *restrict weight, long weight_off,
                                __global const store_t *restrict bias, long bias_off,
                                __global store_t *restrict scratch, long scratch_off,
                                __global store_t *restrict output, long output_off, int C, int K,
                                int H, int W, int OH, int OW, int stride, int pad_top,
                                int pad_left, int rows, int band_floats, float act_a,
                                float act_b)
{
    input += input_off;
    ex_w += ex_w_off;
    ex_b += ex_b_off;
    weight += weight_off;
    bias += bias_off;
    scratch += scratch_off;
    output += output_off;
    const int oy0 = get_global_id(0) * rows, oy1 = min(oy0 + rows, OH);
    const int CB = (C + 15) / 16; /* the last block may be partial */
    const long block = get_global_id(1); /* image * CB + channel block */
    if (oy0 >= OH)
        return;
    const long image = block / CB;
    const int cb = (int)(block % CB), HW = H * W;
    /* the input rows the outputs read */
    const int iy0 = max(0, oy0 * stride - pad_top);
    const int iy1 = min(H, (oy1 - 1) * stride - pad_top + DW_K);
    __global store_t *e =
        scratch + (block * get_global_size(0) + get_global_id(0)) * (long)band_floats;
    expand_c16_block(input + image * K * HW + (long)iy0 * W, ex_w + (long)cb * K * 16,
                     LD16(0, ex_b + cb * 16), e, K, (iy1 - iy0) * W, HW, act_a, act_b);
    /* rows counted from iy0 in e: an input row iy is e's row iy - iy0, and
     * every row the outputs read is there */
    depthwise_c16_rows(e, weight, bias, output + (image * C + cb * 16) * OH * OW, cb,
                       min(16, C - cb * 16), oy0, oy1, H - iy0, W, OH, OW, stride, pad_top + iy0,
                       pad_left, act_a, act_b);
}
