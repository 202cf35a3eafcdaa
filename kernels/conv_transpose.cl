/*
 * conv_transpose.cl — 2-D transposed convolution (ONNX ConvTranspose), NCHW.
 * X [N, C, H, W], W [C, OC/G, KH, KW], Y [N, OC, OH, OW]. Input pixel
 * (iy, ix) reaches output (oy, ox) through tap (ky, kx) when
 * oy = iy * SH - PT + ky * DH and ox = ix * SW - PL + kx * DW; both kernels
 * gather: each output sums what reaches it (no atomics, no zeroing pass).
 * Bias (HAS_BIAS) and the activation (ACT) are applied to each output.
 *
 * convt_naive: work-item (x, y, z) computes output column x of row y of
 *   plane z = image * OC + oc, over the C/G input channels of its group and
 *   the taps that reach it (stepped to directly: only every S / gcd(S, D)-th
 *   tap can); items past OW return. Any parameters.
 * convt_col2im: the last step of the gemm algorithm. A GEMM wrote, per z =
 *   image * G + group of the chunk,
 *   col[z][(ocg * KH + ky) * KW + kx][iy * W + ix] = sum_c W[c, ocg, ky, kx] X[c, iy, ix]
 *   at tap * ts + pixel * ps: ts = H * W, ps = 1, or transposed (col^T,
 *   small images) ts = 1, ps = OC/G * KH * KW.
 *   Work-item (x, y, z) writes outputs of row y of plane z = image * OC +
 *   oc (image from n0 in Y) by column phase: phase px holds the columns
 *   ox = px + SW * t. Within a phase the taps kx that reach it are fixed and
 *   their input columns consecutive, so 16 outputs of a phase take one
 *   float16 load of a col row per tap (masked where it leaves the row).
 *   SW == 2 (the common upsampling): both phases of outputs 32x .. 32x +
 *   31, interleaved with shuffles into two contiguous stores; else
 *   16 outputs of phase x % SW, t from 16 * (x / SW), stored SW apart.
 * convt_direct (built with -DCONVT_DIRECT=1): the same items and stores
 *   as convt_col2im, gathering from X and W directly: per tap, the C/G
 *   channels' rows times their weights. For few channels per group
 *   (depthwise), where a GEMM over them would be mostly overhead.
 * Local size 1 along x on CPUs (the host's choice), so that PoCL compiles
 * one work-group function per kernel.
 */

/* Along one axis, the taps k that reach output o: k * D = o + P (mod S).
 * Returns the first (K if none) and sets *step, the distance between them
 * (S / gcd(S, D)); consecutive taps reach inputs *step * D / S apart. */
inline int convt_first_tap(int o, int P, int S, int D, int K, int *step)
{
    int a = S, b = D;
    while (b != 0) {
        const int r = a % b;
        a = b, b = r;
    }
    *step = S / a;
    for (int k = 0; k < K && k < *step; k++)
        if ((o + P - k * D) % S == 0)
            return k;
    return K;
}

__kernel void convt_naive(__global const store_t *restrict X, long X_off,
                          __global const store_t *restrict Wt, long Wt_off,
                          __global const store_t *restrict bias, long bias_off,
                          __global store_t *restrict Y, long Y_off, int C, int H, int W, int OC,
                          int OH, int OW, int KH, int KW, int SH, int SW, int PT, int PL, int DH,
                          int DW, int G, float act_a, float act_b)
{
    X += X_off, Wt += Wt_off, bias += bias_off, Y += Y_off;
    const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
    if (ox >= OW)
        return;
    const int n = z / OC, oc = z % OC;
    const int cpg = C / G, ocpg = OC / G;
    const long hw = (long)H * W, wstride = (long)ocpg * KH * KW; /* per input channel */
    __global const store_t *x = X + ((long)n * C + oc / ocpg * cpg) * hw;
    __global const store_t *w = Wt + ((long)(oc / ocpg * cpg) * ocpg + oc % ocpg) * KH * KW;
    int ystep, xstep;
    const int ky0 = convt_first_tap(oy, PT, SH, DH, KH, &ystep);
    const int kx0 = convt_first_tap(ox, PL, SW, DW, KW, &xstep);
    float acc = 0.0f;
    /* Only the taps that reach (oy, ox): no division in the loops. */
    for (int ky = ky0; ky < KH; ky += ystep) {
        const int ty = oy + PT - ky * DH;
        if (ty < 0) /* decreases with ky */
            break;
        if (ty >= H * SH)
            continue;
        for (int kx = kx0; kx < KW; kx += xstep) {
            const int tx = ox + PL - kx * DW;
            if (tx < 0)
                break;
            if (tx >= W * SW)
                continue;
            const long at = (long)(ty / SH) * W + tx / SW;
            __global const store_t *wk = w + ky * KW + kx;
            for (int c = 0; c < cpg; c++)
                acc = fma(LD(x, c * hw + at), LD(wk, c * wstride), acc);
        }
    }
#if HAS_BIAS
    acc += LD(bias, oc);
#endif
    ST(Y, ((long)z * OH + oy) * OW + ox, apply_act(acc, act_a, act_b));
}

/* Pixels iy * W + ix0 .. + 15 of a plane of hw pixels ps floats apart,
 * lanes outside the row (ix outside [0, W)) zero: one vector load where
 * the lanes stay in the plane (masked where they leave the row), lane by
 * lane only at the plane's first and last pixels. */
inline float16 convt_row16(__global const store_t *plane, long iy_w, int ix0, int W, long hw,
                           int ps)
{
    const long p0 = iy_w + ix0;
    if (ix0 >= 0 && ix0 + 16 <= W)
        return strided16(plane + p0 * ps, ps);
    if (p0 >= 0 && p0 + 16 <= hw) {
        const int16 ix = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + ix0;
        return select((float16)(0.0f), strided16(plane + p0 * ps, ps), ix >= 0 && ix < W);
    }
    float t[16];
    for (int l = 0; l < 16; l++)
        t[l] = ix0 + l >= 0 && ix0 + l < W ? LD(plane, (p0 + l) * ps) : 0.0f;
    return vload16(0, t);
}

/* Phase px of output row oy, outputs t0 .. t0 + 15 of the phase (column
 * px + SW * t): the sum over the taps that reach them of the rows they
 * read, at src + tap * ts + iy * W * ps. CONVT_DIRECT: over the `nch`
 * channels of src, cs apart, each row times its weight w[c * wstride +
 * tap]; else one row per tap, unweighted (col). */
inline float16 convt_phase16(__global const store_t *src, int ts, int ps, int cs, int nch,
                             __global const store_t *w, int wstride, int H, int W, int oy, int px,
                             int t0, int KH, int KW, int SH, int SW, int PT, int PL, int DH,
                             int DW)
{
    float16 acc = 0.0f;
    for (int ky = 0; ky < KH; ky++) {
        const int ty = oy + PT - ky * DH;
        if (ty < 0 || ty % SH != 0 || ty / SH >= H)
            continue;
        for (int kx = 0; kx < KW; kx++) {
            const int q = px + PL - kx * DW; /* ix * SW for lane 0 of phase t = 0 */
            if (q % SW != 0)                 /* this tap reaches other phases */
                continue;
            const int tap = ky * KW + kx, ix0 = q / SW + t0;
            __global const store_t *plane = src + (long)tap * ts;
            const long iy_w = (long)(ty / SH) * W;
#if CONVT_DIRECT
            for (int c = 0; c < nch; c++)
                acc += LD(w, c * wstride + tap) *
                       convt_row16(plane + (long)c * cs, iy_w, ix0, W, (long)H * W, ps);
#else
            acc += convt_row16(plane, iy_w, ix0, W, (long)H * W, ps);
#endif
        }
    }
    return acc;
}

/* One program holds convt_col2im, the other (-DCONVT_DIRECT=1)
 * convt_direct: the same gather over col or over X and W. */
#ifndef CONVT_DIRECT
#define CONVT_DIRECT 0
#endif
#if CONVT_DIRECT
#define CONVT_ROWS convt_direct
#else
#define CONVT_ROWS convt_col2im
#endif

__kernel void CONVT_ROWS(__global const store_t *restrict src, long src_off,
                         __global const store_t *restrict Wt, long Wt_off,
                         __global const store_t *restrict bias, long bias_off,
                         __global store_t *restrict Y, long Y_off, int C, int H, int W, int OC,
                         int OH, int OW, int n0, int ts, int ps, int KH, int KW, int SH, int SW,
                         int PT, int PL, int DH, int DW, int G, float act_a, float act_b)
{
    src += src_off, Wt += Wt_off, bias += bias_off, Y += Y_off;
    const int x = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
    const int img = z / OC, oc = z % OC, ocpg = OC / G, g = oc / ocpg, kk = KH * KW;
    const long hw = (long)H * W;
#if CONVT_DIRECT /* LD(X, img, group's channels), W[group's channels, oc % ocpg] */
    const int cpg = C / G;
    __global const store_t *s = src + ((long)img * C + (long)g * cpg) * hw;
    __global const store_t *w = Wt + ((long)g * cpg * ocpg + oc % ocpg) * kk;
    const int cs = (int)hw, nch = cpg, wstride = ocpg * kk;
#else /* col[img * G + g], rows of oc % ocpg */
    __global const store_t *s =
        src + ((long)img * G + g) * ocpg * kk * hw + (long)(oc % ocpg) * kk * ts;
    __global const store_t *w = Wt;
    const int cs = 0, nch = 1, wstride = 0;
#endif
    __global store_t *y = Y + (((long)n0 * OC + z) * OH + oy) * OW;
#if HAS_BIAS
    const float b = LD(bias, oc);
#else
    const float b = 0.0f;
#endif
    if (SW == 2) { /* both phases, interleaved: 32 consecutive outputs */
        const int t0 = x * 16, ox0 = 2 * t0;
        if (ox0 >= OW)
            return;
        float16 a0 = convt_phase16(s, ts, ps, cs, nch, w, wstride, H, W, oy, 0, t0, KH, KW, SH,
                                   SW, PT, PL, DH, DW) +
                     b;
        float16 a1 = convt_phase16(s, ts, ps, cs, nch, w, wstride, H, W, oy, 1, t0, KH, KW, SH,
                                   SW, PT, PL, DH, DW) +
                     b;
        a0 = ACT_ANY(a0);
        a1 = ACT_ANY(a1);
        const float16 lo = shuffle2(a0, a1, (uint16)(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21,
                                                     6, 22, 7, 23));
        const float16 hi = shuffle2(a0, a1, (uint16)(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13,
                                                     29, 14, 30, 15, 31));
        if (ox0 + 32 <= OW) {
            ST16(lo, 0, y + ox0);
            ST16(hi, 0, y + ox0 + 16);
            return;
        }
        float t[32];
        vstore16(lo, 0, t);
        vstore16(hi, 0, t + 16);
        for (int l = 0; ox0 + l < OW; l++)
            ST(y, ox0 + l, t[l]);
        return;
    }
    /* one phase px = x % SW: 16 outputs SW apart */
    const int px = x % SW, t0 = x / SW * 16;
    const int per_phase = (OW - px + SW - 1) / SW; /* outputs of this column phase */
    if (t0 >= per_phase)
        return;
    float16 acc = convt_phase16(s, ts, ps, cs, nch, w, wstride, H, W, oy, px, t0, KH, KW, SH, SW,
                                PT, PL, DH, DW) +
                  b;
    acc = ACT_ANY(acc);
    y += px + (long)SW * t0;
    const int lanes = min(16, per_phase - t0);
    if (SW == 1 && lanes == 16) {
        ST16(acc, 0, y);
        return;
    }
    float t[16];
    vstore16(acc, 0, t);
    for (int l = 0; l < lanes; l++)
        ST(y, (long)l * SW, t[l]);
}
