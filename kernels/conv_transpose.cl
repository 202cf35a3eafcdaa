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
 *   the taps that reach it; items past OW return. Any parameters.
 * convt_col2im: the last step of the gemm algorithm. A GEMM wrote, per z =
 *   image * G + group of the chunk,
 *   col[z][(ocg * KH + ky) * KW + kx][iy * W + ix] = sum_c W[c, ocg, ky, kx] X[c, iy, ix].
 *   Work-item (x, y, z) writes 16 outputs of row y of plane z = image * OC +
 *   oc (image from n0 in Y), all of column phase px = x % SW:
 *   ox = px + SW * (16 * (x / SW) + l), l = 0..15. Within a phase the taps
 *   kx that reach it are fixed and their input columns consecutive, so each
 *   tap is one float16 load of a col row (lane by lane where it leaves the
 *   row); stores are 16 floats SW apart.
 * Local size 1 along x on CPUs (the host's choice), so that PoCL compiles
 * one work-group function per kernel.
 */

/* The sum of the taps (ky, kx) reaching output (oy, ox) of X's channel `x`
 * with weights `w` (KH * KW of them). */
inline float convt_taps(__global const float *x, __global const float *w, int oy, int ox, int H,
                        int W, int KH, int KW, int SH, int SW, int PT, int PL, int DH, int DW,
                        float acc)
{
    for (int ky = 0; ky < KH; ky++) {
        const int ty = oy + PT - ky * DH;
        if (ty < 0 || ty % SH != 0 || ty / SH >= H)
            continue;
        __global const float *row = x + (ty / SH) * W;
        for (int kx = 0; kx < KW; kx++) {
            const int tx = ox + PL - kx * DW;
            if (tx >= 0 && tx % SW == 0 && tx / SW < W)
                acc = fma(row[tx / SW], w[ky * KW + kx], acc);
        }
    }
    return acc;
}

__kernel void convt_naive(__global const float *restrict X, long X_off,
                          __global const float *restrict Wt, long Wt_off,
                          __global const float *restrict bias, long bias_off,
                          __global float *restrict Y, long Y_off, int C, int H, int W, int OC,
                          int OH, int OW, int KH, int KW, int SH, int SW, int PT, int PL, int DH,
                          int DW, int G, float act_a, float act_b)
{
    X += X_off, Wt += Wt_off, bias += bias_off, Y += Y_off;
    const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
    if (ox >= OW)
        return;
    const int n = z / OC, oc = z % OC;
    const int cpg = C / G, ocpg = OC / G;
    const int c0 = oc / ocpg * cpg, ocl = oc % ocpg;
    float acc = 0.0f;
    for (int c = c0; c < c0 + cpg; c++)
        acc = convt_taps(X + ((long)n * C + c) * H * W, Wt + ((long)c * ocpg + ocl) * KH * KW,
                         oy, ox, H, W, KH, KW, SH, SW, PT, PL, DH, DW, acc);
#if HAS_BIAS
    acc += bias[oc];
#endif
    Y[((long)z * OH + oy) * OW + ox] = apply_act(acc, act_a, act_b);
}

/* row[ix0 .. ix0 + 15], lanes outside [0, W) zero. */
inline float16 convt_row16(__global const float *row, int ix0, int W)
{
    if (ix0 >= 0 && ix0 + 16 <= W)
        return vload16(0, row + ix0);
    float t[16];
    for (int l = 0; l < 16; l++)
        t[l] = ix0 + l >= 0 && ix0 + l < W ? row[ix0 + l] : 0.0f;
    return vload16(0, t);
}

__kernel void convt_col2im(__global const float *restrict col, long col_off,
                           __global const float *restrict bias, long bias_off,
                           __global float *restrict Y, long Y_off, int H, int W, int OC, int OH,
                           int OW, int n0, int KH, int KW, int SH, int SW, int PT, int PL, int DH,
                           int DW, int G, float act_a, float act_b)
{
    col += col_off, bias += bias_off, Y += Y_off;
    const int x = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
    const int px = x % SW, t0 = x / SW * 16;
    const int per_phase = (OW - px + SW - 1) / SW; /* outputs of this column phase */
    if (t0 >= per_phase)
        return;
    const int img = z / OC, oc = z % OC, ocpg = OC / G;
    const long hw = (long)H * W;
    __global const float *cz =
        col + ((long)img * G + oc / ocpg) * ocpg * KH * KW * hw + (long)(oc % ocpg) * KH * KW * hw;
    float16 acc = 0.0f;
    for (int ky = 0; ky < KH; ky++) {
        const int ty = oy + PT - ky * DH;
        if (ty < 0 || ty % SH != 0 || ty / SH >= H)
            continue;
        for (int kx = 0; kx < KW; kx++) {
            const int q = px + PL - kx * DW; /* ix * SW for lane 0 of phase t = 0 */
            if (q % SW != 0)                 /* this tap reaches other phases */
                continue;
            acc += convt_row16(cz + (ky * KW + kx) * hw + (long)(ty / SH) * W, q / SW + t0, W);
        }
    }
#if HAS_BIAS
    acc += bias[oc];
#endif
    acc = ACT_ANY(acc);
    __global float *y = Y + (((long)n0 * OC + z) * OH + oy) * OW + px + (long)SW * t0;
    const int lanes = min(16, per_phase - t0);
    if (SW == 1 && lanes == 16) {
        vstore16(acc, 0, y);
        return;
    }
    float t[16];
    vstore16(acc, 0, t);
    for (int l = 0; l < lanes; l++)
        y[(long)l * SW] = t[l];
}
