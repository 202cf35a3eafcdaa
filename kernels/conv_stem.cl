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
 * Tunables: ACT (see prelude.cl); STEM_C, STEM_KH, STEM_KW, STEM_SH,
 * STEM_SW, STEM_DH, STEM_DW (the layer's sizes, built in).
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
    const int K = C * KH * KW, nc = min(STEM_OC, OC - oc0);
    /* the item's weights, tap k's 16 at wt[k * 16] (each FMA's operand is
     * then a constant offset; the channels past OC repeat the last one and
     * are not stored) */
    float wt[STEM_MAX_K * STEM_OC];
    for (int k = 0; k < K; k++)
        for (int i = 0; i < STEM_OC; i++)
            wt[k * STEM_OC + i] = LD(weight, (long)(oc0 + min(i, nc - 1)) * K + k);
    float b[STEM_OC];
    for (int i = 0; i < STEM_OC; i++)
        b[i] = has_bias && i < nc ? LD(bias, oc0 + i) : 0.0f;
    const int16 lanes = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int oy = oy0; oy < min(OH, oy0 + rows); oy++) {
        for (int ox0 = 0; ox0 < OW; ox0 += 16) {
            const int16 col = (lanes + ox0) * STEM_FIXED(stride_w, STEM_SW) - pad_left; /* kx 0 */
            float16 acc[STEM_OC];
#pragma unroll
            for (int i = 0; i < STEM_OC; i++)
                acc[i] = (float16)(b[i]);
#ifdef STEM_KH
            /* built for this layer's C, KH, KW, strides and dilations: a
             * row's taps unrolled (KW constant), its bounds tested once, the
             * strided loads of a known stride. Unrolled over c and ky as
             * well, MobileNetV2's 3 -> 32 took 0.21 ms instead of 0.14 (one
             * PoCL thread) */
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
            /* the taps in one flat loop (c, ky, kx stepped along): nested
             * loops spilled the 16 sums at every row of taps */
            int c = 0, ky = 0, kx = 0;
            for (int k = 0; k < K; k++) {
                const int iy = oy * stride_h - pad_top + ky * dil_h;
                if (iy >= 0 && iy < H)
                    stem_tap(input, ((n * C + c) * H + iy) * (long)W, col + kx * dil_w, stride_w,
                             W, in_floats, wt + k * STEM_OC, acc);
                if (++kx == KW) {
                    kx = 0;
                    if (++ky == KH)
                        ky = 0, c++;
                }
            }
#endif
            __global store_t *y = output + ((n * OC + oc0) * OH + oy) * (long)OW + ox0;
            const int next_later = oy + 1 < min(OH, oy0 + rows); /* row oy + 1 is ours */
            for (int i = 0; i < nc; i++) /* rolled: the stores' code once */
                st16_row(ACT_ANY(acc[i]), y + (long)i * OH * OW, OW - ox0, OW, next_later);
        }
    }
}
