/*
 * conv_stem.cl - the "stem" convolution algorithm (host/ops/conv_stem.c):
 * NCHW, weights [OC, C, KH, KW], groups 1.
 *
 * conv2d_stem (algorithm "stem": groups 1 over few input channels, the
 *   first layer of image networks, where direct's padding copy and short
 *   K cost more than its product): work-item (x, y, z) computes output
 *   channels 16x.. (at most 16) of output rows y * rows.. (at most `rows`)
 *   of image z, 16 columns at a time, the 16 channels' sums in registers.
 *   Per tap (c, ky, kx) one strided vector load of the input (lanes
 *   outside the image masked to zero) feeds 16 FMAs, one per channel,
 *   with the weights read in place (W [OC, C * KH * KW]: a few KB, in
 *   cache); input rows outside the image skip their taps. Reads the input
 *   where it is: no padded copy, no packing.
 *
 * conv2d_stem_pool (built with SP_KH: the stem with a max pool of any
 *   window fused after its activation, passes/pool.c): work-item (x, y, z)
 *   computes pooled rows y * rows.. of the 16 channels. Each conv row it
 *   needs is computed as conv2d_stem computes it, into a private row
 *   (-inf outside the conv output: max pooling skips padding), pooled
 *   across (SP_KW columns at stride SP_SW) and folded into the running
 *   maxima of the pooled rows it belongs to; a pooled row is stored when
 *   its last conv row is in. Why: SqueezeNet's 3 -> 64 stem wrote 3 MB of
 *   conv output that its 3x3 stride-2 pool read back, both at memory
 *   speed (0.49 + 0.14 ms in the model against 0.30 for the stem alone,
 *   two threads); items recompute the conv rows their windows share.
 *
 * Tunables: ACT (see prelude.cl); STEM_C, STEM_KH, STEM_KW, STEM_SH,
 * STEM_SW, STEM_DH, STEM_DW (the layer's sizes, built in); the pool's
 * SP_KH, SP_KW, SP_SH, SP_SW, SP_PT, SP_PL (window, stride, top and left
 * padding), SP_OW (pooled columns) and SP_ROW (a private row's floats:
 * SP_PL + the conv row rounded up to 16, or as far as the last pooled
 * vector's window reaches).
 */
#define STEM_OC 16    /* output channels per item: their sums fill 16 registers */
#define STEM_MAX_K 32 /* taps C * KH * KW at most (host/ops/conv_stem.h) */

/* The host builds the stem for the layer's C, KH, KW, strides and
 * dilations (STEM_C, STEM_KH, .. STEM_DW; one first layer per model, so no
 * more programs): STEM_FIXED(argument, constant) is then the constant. */
#ifdef STEM_KH
#define STEM_FIXED(arg, fixed) (fixed)
#else
#define STEM_FIXED(arg, fixed) (arg)
#endif

/* One tap: the 16 input columns ix (stride sw apart, from input row `row`;
 * lanes outside the row are zero) times the tap's weights of the 16
 * channels, wk[0..15], into acc. */
__attribute__((always_inline)) inline void stem_tap(__global const store_t *input,
                                                    long row, int16 ix, int sw, int W,
                                                    long in_floats, const float *wk,
                                                    float16 acc[STEM_OC])
{
    const long at = row + ix.s0;
    const int16 inside = ix >= 0 && ix < W;
    float16 v;
    if (at >= 0 && at + STRIDED16_REACH(sw) < in_floats)
        v = select((float16)(0.0f), strided16(input + at, sw), inside);
    else
        v = strided16_masked(input, at, sw, inside, in_floats);
#pragma unroll
    for (int i = 0; i < STEM_OC; i++)
        acc[i] = fma(v, (float16)(wk[i]), acc[i]);
}

/* The item's weights, tap k's 16 at wt[k * 16] (each FMA's operand is
 * then a constant offset; the channels past OC repeat the last one and
 * are not stored), and its biases (0 past OC or without one). */
__attribute__((always_inline)) inline void stem_weights(__global const store_t *weight,
                                                        __global const store_t *bias,
                                                        int has_bias, int oc0, int nc, int K,
                                                        float *wt, float *b)
{
    for (int k = 0; k < K; k++)
        for (int i = 0; i < STEM_OC; i++)
            wt[k * STEM_OC + i] = LD(weight, (long)(oc0 + min(i, nc - 1)) * K + k);
    for (int i = 0; i < STEM_OC; i++)
        b[i] = has_bias && i < nc ? LD(bias, oc0 + i) : 0.0f;
}

/* The sums (bias included) of conv output row oy, columns ox0..ox0 + 15,
 * of the item's 16 channels of image n into acc. */
__attribute__((always_inline)) inline void stem_chunk(
    __global const store_t *input, long n, int C, int H, int W, int KH, int KW, int stride_h,
    int stride_w, int pad_top, int pad_left, int dil_h, int dil_w, long in_floats, int oy,
    int ox0, const float *wt, const float *b, float16 acc[STEM_OC])
{
    const int16 lanes = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const int16 col = (lanes + ox0) * STEM_FIXED(stride_w, STEM_SW) - pad_left; /* kx 0 */
#pragma unroll
    for (int i = 0; i < STEM_OC; i++)
        acc[i] = (float16)(b[i]);
#ifdef STEM_KH
    /* built for this layer's C, KH, KW, strides and dilations: a row's taps
     * unrolled (KW constant), its bounds tested once, the strided loads of
     * a known stride. Unrolled over c and ky as well, MobileNetV2's 3 -> 32
     * took 0.21 ms instead of 0.14 (one PoCL thread) */
#pragma unroll 1
    for (int c = 0; c < STEM_C; c++)
#pragma unroll 1
        for (int ky = 0; ky < STEM_KH; ky++) {
            const int iy = oy * STEM_SH - pad_top + ky * STEM_DH;
            if (iy < 0 || iy >= H)
                continue;
            const long row = ((n * C + c) * H + iy) * (long)W;
#pragma unroll
            for (int kx = 0; kx < STEM_KW; kx++)
                stem_tap(input, row, col + kx * STEM_DW, STEM_SW, W, in_floats,
                         wt + ((c * STEM_KH + ky) * STEM_KW + kx) * STEM_OC, acc);
        }
#else
    /* the taps in one flat loop (c, ky, kx stepped along): nested loops
     * spilled the 16 sums at every row of taps */
    int c = 0, ky = 0, kx = 0;
    for (int k = 0; k < C * KH * KW; k++) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy >= 0 && iy < H)
            stem_tap(input, ((n * C + c) * H + iy) * (long)W, col + kx * dil_w, stride_w, W,
                     in_floats, wt + k * STEM_OC, acc);
        if (++kx == KW) {
            kx = 0;
            if (++ky == KH)
                ky = 0, c++;
        }
    }
#endif
}

__kernel void conv2d_stem(__global const store_t *restrict input, long input_off,
                          __global const store_t *restrict weight, long weight_off,
                          __global const store_t *restrict bias, long bias_off,
                          __global store_t *restrict output, long output_off, int C, int H,
                          int W, int OC, int OH, int OW, int KH, int KW, int stride_h,
                          int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                          int rows, long in_floats, float act_a, float act_b, int has_bias)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const int oc0 = get_global_id(0) * STEM_OC, oy0 = get_global_id(1) * rows;
    const long n = get_global_id(2);
    if (oc0 >= OC || oy0 >= OH)
        return;
    const int nc = min(STEM_OC, OC - oc0);
    float wt[STEM_MAX_K * STEM_OC], b[STEM_OC];
    stem_weights(weight, bias, has_bias, oc0, nc, C * KH * KW, wt, b);
    for (int oy = oy0; oy < min(OH, oy0 + rows); oy++) {
        for (int ox0 = 0; ox0 < OW; ox0 += 16) {
            float16 acc[STEM_OC];
            stem_chunk(input, n, C, H, W, KH, KW, stride_h, stride_w, pad_top, pad_left, dil_h,
                       dil_w, in_floats, oy, ox0, wt, b, acc);
            __global store_t *y = output + ((n * OC + oc0) * OH + oy) * (long)OW + ox0;
            const int next_later = oy + 1 < min(OH, oy0 + rows); /* row oy + 1 is ours */
            for (int i = 0; i < nc; i++) /* rolled: the stores' code once */
                st16_row(ACT_ANY(acc[i]), y + (long)i * OH * OW, OW - ox0, OW, next_later);
        }
    }
}

#ifdef SP_KH
/* The private row of a channel: conv column x at SP_PL + x. At stride 1 as
 * it is; at stride 2 split into its even and odd floats (row[0][j] and
 * row[1][j]: floats 2j and 2j + 1), so that a window tap of 16 pooled
 * columns is one contiguous load (the same taps gathered from the whole
 * row by shuffles compiled lane by lane: the fused layer took 1.7 times
 * the stem and the pool apart). */
#if SP_SW == 1
#define SP_PHASES 1
#elif SP_SW == 2
#define SP_PHASES 2
#else
#error "conv2d_stem_pool: pool stride across 1 or 2 (host/ops/conv_stem.c)"
#endif
#define SP_PHASE_FLOATS ((SP_ROW + SP_PHASES - 1) / SP_PHASES + 16)

/* Stores conv columns ox0..ox0 + 15 (v, lanes past the row already -inf)
 * in channel row `row`. */
__attribute__((always_inline)) inline void stem_pool_keep(float16 v, int ox0,
                                                          float row[SP_PHASES][SP_PHASE_FLOATS])
{
#if SP_PHASES == 1
    vstore16(v, 0, &row[0][SP_PL + ox0]);
#elif SP_PL % 2 == 0 /* lane parity = float parity */
    vstore8(v.even, 0, &row[0][(SP_PL + ox0) / 2]);
    vstore8(v.odd, 0, &row[1][(SP_PL + ox0) / 2]);
#else
    vstore8(v.odd, 0, &row[0][(SP_PL + ox0 + 1) / 2]);
    vstore8(v.even, 0, &row[1][(SP_PL + ox0 - 1) / 2]);
#endif
}

/* A conv row's pooled maxima across, pooled columns px0..px0 + 15: the
 * largest of SP_KW columns from each window's first (float SP_SW * px). */
__attribute__((always_inline)) inline float16
stem_pool_across(const float row[SP_PHASES][SP_PHASE_FLOATS], int px0)
{
    float16 m = (float16)(-INFINITY);
#pragma unroll
    for (int kx = 0; kx < SP_KW; kx++)
        m = MAX_NAN(m, vload16(0, &row[kx % SP_PHASES][px0 + kx / SP_PHASES]));
    return m;
}

/* Rows of pooled maxima in flight at once: a conv row belongs to at most
 * ceil(SP_KH / SP_SH) pooled rows. */
#define SP_SLOTS ((SP_KH + SP_SH - 1) / SP_SH)
#define SP_OW16 ((SP_OW + 15) / 16 * 16)

__kernel void conv2d_stem_pool(__global const store_t *restrict input, long input_off,
                               __global const store_t *restrict weight, long weight_off,
                               __global const store_t *restrict bias, long bias_off,
                               __global store_t *restrict output, long output_off, int C, int H,
                               int W, int OC, int OH, int OW, int KH, int KW, int stride_h,
                               int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                               int rows, long in_floats, float act_a, float act_b, int has_bias,
                               int POH)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const int oc0 = get_global_id(0) * STEM_OC, py0 = get_global_id(1) * rows;
    const long n = get_global_id(2);
    if (oc0 >= OC || py0 >= POH)
        return;
    const int py1 = min(POH, py0 + rows), nc = min(STEM_OC, OC - oc0);
    float wt[STEM_MAX_K * STEM_OC], b[STEM_OC];
    stem_weights(weight, bias, has_bias, oc0, nc, C * KH * KW, wt, b);
    /* row[i]: channel i's conv row (stem_pool_keep); -inf where no conv
     * output is (the padding, and past the row: only the stores of the
     * row's columns overwrite it) */
    float row[STEM_OC][SP_PHASES][SP_PHASE_FLOATS];
    for (int i = 0; i < STEM_OC; i++)
        for (int f = 0; f < SP_PHASES; f++)
            for (int x = 0; x < SP_PHASE_FLOATS; x++)
                row[i][f][x] = -INFINITY;
    float pooled[SP_SLOTS][STEM_OC][SP_OW16];
    const int16 lanes = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    /* the conv rows of the item's windows (each window clipped to the conv
     * output: ceil mode's last window may reach past it) */
    const int r0 = max(0, py0 * SP_SH - SP_PT), r1 = min(OH, (py1 - 1) * SP_SH - SP_PT + SP_KH);
    for (int r = r0; r < r1; r++) {
        for (int ox0 = 0; ox0 < OW; ox0 += 16) {
            float16 acc[STEM_OC];
            stem_chunk(input, n, C, H, W, KH, KW, stride_h, stride_w, pad_top, pad_left, dil_h,
                       dil_w, in_floats, r, ox0, wt, b, acc);
            const int16 past = lanes >= OW - ox0; /* columns past the row stay -inf */
            for (int i = 0; i < STEM_OC; i++) /* rolled: the stores' code once */
                stem_pool_keep(select(ACT_ANY(acc[i]), (float16)(-INFINITY), past), ox0,
                               row[i]);
        }
        /* the pooled rows whose windows hold conv row r */
        const int first = max(py0, (r + SP_PT - SP_KH + SP_SH) / SP_SH);
        const int last = min(py1 - 1, (r + SP_PT) / SP_SH);
        for (int py = first; py <= last; py++) {
            const int slot = py % SP_SLOTS;
            const int opens = r == max(0, py * SP_SH - SP_PT);
            const int closes = r == min(OH, py * SP_SH - SP_PT + SP_KH) - 1;
            __global store_t *y = output + ((n * OC + oc0) * POH + py) * (long)SP_OW;
            for (int i = 0; i < STEM_OC; i++)
                for (int px0 = 0; px0 < SP_OW; px0 += 16) {
                    float16 m = stem_pool_across(row[i], px0);
                    if (!opens)
                        m = MAX_NAN(vload16(0, &pooled[slot][i][px0]), m);
                    if (!closes)
                        vstore16(m, 0, &pooled[slot][i][px0]);
                    else if (i < nc)
                        st16_row(m, y + (long)i * POH * SP_OW + px0, SP_OW - px0, SP_OW,
                                 py + 1 < py1);
                }
        }
    }
}
#endif
