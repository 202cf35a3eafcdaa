/*
 * conv_pooled.cl - the "pooled" convolution algorithm (host/ops/conv_pooled.c):
 * NCHW, weights [OC, C, KH, KW], groups, stride and dilation 1, its
 * max pool fused.
 *
 * conv2d_pooled (algorithm "pooled": a fused max pool of P x P windows with
 *   stride P after a conv with groups, stride and dilation 1): work-item
 *   (x, y) computes pooled rows [x * rows, x * rows + rows) of channel
 *   blocks y, y + global size 1, .. (block = image * blocks + b: output
 *   channels b * OCB.., OCB = PK_OCB), 16 pooled columns at a time. For
 *   each input channel and each of the P + KH - 1 input rows of a block,
 *   the P + KW - 1 column offsets are loaded once as strided vectors (lanes
 *   P apart, lanes outside the image masked to zero) and feed all P x P
 *   conv outputs of the 16 windows of every channel of the block in
 *   registers; bias, activation, then the maximum. Built per (PK_P, PK_KH,
 *   PK_KW, PK_OCB) so the loops unroll. Each conv output is computed
 *   once (the windows tile the output); the rows and columns the floor mode
 *   drops are not computed.
 *
 * Tunables: ACT (see prelude.cl), PK_P, PK_KH, PK_KW, PK_OCB, PK_C.
 */
#ifndef PK_P
#define PK_P 2
#endif
#ifndef PK_KH
#define PK_KH 3
#endif
#ifndef PK_KW
#define PK_KW 3
#endif
/* PK_C, where the host builds for the input's channel count (short
 * reductions): the channel loop then has a known length, and the weights'
 * loads leave the row loops */
#ifdef PK_C
#define PK_CHANNELS PK_C
#else
#define PK_CHANNELS C
#endif
#ifndef PK_OCB
#define PK_OCB 1 /* output channels per item: they share every input load */
#endif
#define PK_NR (PK_P + PK_KH - 1) /* input rows of a block of P conv rows */
#define PK_NS (PK_P + PK_KW - 1) /* input column offsets of P conv columns */

/* Channel block `item` (image * blocks + block) of pooled rows py0.. (at
 * most `rows`). */
inline void pooled_block(__global const store_t *input,
                         __global const store_t *weight,
                         __global const store_t *bias, __global store_t *output,
                         int C, int H, int W, int OC, int PH, int PW, int pad_top, int pad_left,
                         int rows, long in_floats, float act_a, float act_b, int has_bias, int py0,
                         int blocks, long item)
{
    const int oc0 = (int)(item % blocks) * PK_OCB, noc = min(PK_OCB, OC - oc0);
    const long n = item / blocks, image = n * C * (long)H * W;
    /* the block's channels past OC repeat its last one and are not stored */
    int woff[PK_OCB];
    float16 b[PK_OCB];
#pragma unroll
    for (int o = 0; o < PK_OCB; o++) {
        const int oc = min(oc0 + o, OC - 1);
        woff[o] = oc * C * PK_KH * PK_KW;
        b[o] = (float16)(has_bias ? LD(bias, oc) : 0.0f);
    }
    const int16 lanes = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * PK_P;
    for (int py = py0; py < min(PH, py0 + rows); py++) {
        const int iy0 = py * PK_P - pad_top; /* input row of tap row 0 of conv row 0 */
        for (int px0 = 0; px0 < PW; px0 += 16) {
            const int ix0 = px0 * PK_P - pad_left;
            int16 inside[PK_NS]; /* lanes whose column for offset s is in the image */
#pragma unroll
            for (int s = 0; s < PK_NS; s++) {
                const int16 col = lanes + (ix0 + s);
                inside[s] = col >= 0 && col < W;
            }
            const int next_later = py + 1 < min(PH, py0 + rows); /* row py + 1 is ours */
            float16 acc[PK_OCB][PK_P][PK_P];
#pragma unroll
            for (int o = 0; o < PK_OCB; o++)
#pragma unroll
                for (int dy = 0; dy < PK_P; dy++)
#pragma unroll
                    for (int dx = 0; dx < PK_P; dx++)
                        acc[o][dy][dx] = b[o];
            for (int c = 0; c < PK_CHANNELS; c++) {
                float wc[PK_OCB][PK_KH * PK_KW]; /* converted once, used by every row */
#pragma unroll
                for (int o = 0; o < PK_OCB; o++)
#pragma unroll
                    for (int i = 0; i < PK_KH * PK_KW; i++)
                        wc[o][i] = LD(weight, woff[o] + c * PK_KH * PK_KW + i);
#pragma unroll
                for (int r = 0; r < PK_NR; r++) { /* input row r feeds conv row dy at ky = r - dy */
                    const int iy = iy0 + r;
                    if (iy < 0 || iy >= H)
                        continue;
                    const long at = image + ((long)c * H + iy) * W + ix0;
                    float16 v[PK_NS];
                    if (at >= 0 && at + (PK_NS - 1) + STRIDED16_REACH(PK_P) < in_floats) {
#pragma unroll
                        for (int s = 0; s < PK_NS; s++)
                            v[s] = select((float16)(0.0f), strided16(input + at + s, PK_P),
                                          inside[s]);
                    } else {
                        /* near the buffer's ends: lane by lane, in one rolled loop
                         * (strided16_masked unrolled PK_NS times per row put
                         * PK_NR * PK_NS copies of its lane loop in the kernel, and
                         * PoCL's code generation at first launch grows with them) */
                        gather_t t[PK_NS * 16];
                        for (int i = 0; i < PK_NS * 16; i++) {
                            const long x = at + i / 16 + (long)(i % 16) * PK_P;
                            t[i] = x >= 0 && x < in_floats ? GATHER_AT(input, x) : GATHER_ZERO;
                        }
#pragma unroll
                        for (int s = 0; s < PK_NS; s++)
                            v[s] = select((float16)(0.0f), GATHERED16(t + s * 16), inside[s]);
                    }
#pragma unroll
                    for (int dy = 0; dy < PK_P; dy++) {
                        const int ky = r - dy;
                        if (ky < 0 || ky >= PK_KH)
                            continue;
#pragma unroll
                        for (int kx = 0; kx < PK_KW; kx++)
#pragma unroll
                            for (int o = 0; o < PK_OCB; o++) {
                                const float16 wk = (float16)(wc[o][ky * PK_KW + kx]);
#pragma unroll
                                for (int dx = 0; dx < PK_P; dx++)
                                    acc[o][dy][dx] = fma(v[dx + kx], wk, acc[o][dy][dx]);
                            }
                    }
                }
            }
#pragma unroll
            for (int o = 0; o < PK_OCB; o++) {
                float16 best = (float16)(-INFINITY);
#pragma unroll
                for (int dy = 0; dy < PK_P; dy++)
#pragma unroll
                    for (int dx = 0; dx < PK_P; dx++)
                        best = MAX_NAN(best, ACT_ANY(acc[o][dy][dx]));
                if (o < noc)
                    st16_row(best, output + ((n * OC + oc0 + o) * PH + py) * (long)PW + px0,
                             PW - px0, PW, next_later);
            }
        }
    }
}

__kernel void conv2d_pooled(__global const store_t *restrict input, long input_off,
                            __global const store_t *restrict weight, long weight_off,
                            __global const store_t *restrict bias, long bias_off,
                            __global store_t *restrict output, long output_off, int C, int H, int W,
                            int OC, int PH, int PW, int pad_top, int pad_left, int rows,
                            int images, long in_floats, float act_a, float act_b, int has_bias)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const int py0 = get_global_id(0) * rows;
    const int blocks = (OC + PK_OCB - 1) / PK_OCB; /* channel blocks per image */
    if (py0 >= PH)
        return;
    /* blocks get_global_id(1), + get_global_size(1), ..: the host shrinks
     * the grid where whole planes are less work than an item should do */
    for (long item = get_global_id(1); item < (long)images * blocks; item += get_global_size(1))
        pooled_block(input, weight, bias, output, C, H, W, OC, PH, PW, pad_top, pad_left, rows,
                     in_floats, act_a, act_b, has_bias, py0, blocks, item);
}

