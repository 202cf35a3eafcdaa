/*
 * conv2d.cl - 2-D convolution, NCHW: input [N, C, H, W], weight [OC,
 * C/groups, KH, KW] (ONNX order), optional bias [OC], output [N, OC, OH, OW].
 * Padding is given as top/left (bottom/right are implied by OH, OW). The
 * host (host/ops/conv2d.c) picks one algorithm per layer:
 *
 * conv2d_naive (algorithm "naive"): work-item (x, y, z) computes output
 *   column x of row y for image z / OC, channel z % OC; items past OW
 *   return. Any kernel size, stride, padding, dilation and group count.
 *
 * conv2d_im2col (with a GEMM, algorithm "im2col"): lowers the images of a
 *   chunk to B'[k][q], k = (c, ky, kx) over the group's C/groups * KH * KW
 *   rows, q = oy * OW + ox over the output pixels, for batch z = image *
 *   groups + group (images from z0 / groups on). Layout: panels of pw
 *   columns (pw = the cpu GEMM's panel width: its packed B; pw = OH * OW:
 *   plain row-major), batch z at z * npanels * K * pw, columns past OH * OW
 *   zero. Work-item (x, y, z) writes 16 columns 16x.. of row y.
 *
 * conv2d_pad (algorithm "direct"): copies the images of a chunk with their
 *   zero padding to Xp [chunk, C, Hp, Wp] (Hp = H + top + bottom, Wp = W +
 *   left + right) followed by `slack` zeros; work-item (x, y, z) writes 16
 *   columns 16x.. of padded row y of plane z (the slack is written by the
 *   items of plane 0 row 0 too).
 * conv2d_direct (algorithm "direct", stride 1): an implicit GEMM over the
 *   padded input in "padded-width" coordinates: output position q = oy * Wp
 *   + ox (ox < Wp, the columns from OW on are computed and dropped), whose
 *   input window starts at q in the padded plane, so that for every k =
 *   (c, ky, kx) the TW positions of a tile are TW consecutive floats at q +
 *   c * Hp * Wp + ky * dil_h * Wp + kx * dil_w: vector loads, no bounds
 *   checks. Work-item (x, y, z) computes TM output channels (of the group)
 *   x * TM.. by TW positions y * TW.. for batch z = image * groups + group,
 *   like gemm_packed (gemm.cl). Tunables TM, NV (TW = 16 * NV).
 *
 * conv2d_depthwise (groups == C == OC): work-item (x, y, z) computes 16
 *   outputs, columns 16x.. of row y, of plane z = image * C + channel, as a
 *   float16; interior windows load vectors (stride 1 or 2), the rest gather.
 *
 * Tunables: HAS_BIAS (0/1), ACT (see prelude.cl).
 */
#ifndef TM
#define TM 8
#endif
#ifndef NV
#define NV 2
#endif
#define TW (NV * 16)

__kernel void conv2d_naive(__global const float *restrict input,
                            __global const float *restrict weight,
                            __global const float *restrict bias,
                            __global float *restrict output,
                            int C, int H, int W, int OC, int OH, int OW,
                            int KH, int KW, int stride_h, int stride_w,
                            int pad_top, int pad_left, int dil_h, int dil_w,
                            int groups, float act_a, float act_b)
{
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int z = get_global_id(2);
    if (ox >= OW)
        return;
    const int n = z / OC;
    const int oc = z % OC;
    const int cpg = C / groups;          /* input channels per group */
    const int c0 = (oc / (OC / groups)) * cpg;
    const int iy0 = oy * stride_h - pad_top;
    const int ix0 = ox * stride_w - pad_left;

    float acc = 0.0f;
    __global const float *w = weight + (size_t)oc * cpg * KH * KW;
    for (int ci = 0; ci < cpg; ci++) {
        __global const float *in = input + ((size_t)n * C + c0 + ci) * H * W;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky * dil_h;
            if (iy < 0 || iy >= H)
                continue;
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ix0 + kx * dil_w;
                if (ix >= 0 && ix < W)
                    acc = fma(in[iy * W + ix], w[(ci * KH + ky) * KW + kx], acc);
            }
        }
    }
#if HAS_BIAS
    acc += bias[oc];
#endif
    output[(((size_t)n * OC + oc) * OH + oy) * OW + ox] = apply_act(acc, act_a, act_b);
}

/* ---------------------------------------------------------------- im2col */

__kernel void conv2d_im2col(__global const float *restrict input, __global float *restrict cols,
                            int C, int H, int W, int OH, int OW, int KH, int KW, int stride_h,
                            int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                            int groups, int pw, int z0)
{
    const int cpg = C / groups;
    const int K = cpg * KH * KW;
    const int k = get_global_id(1);
    const int q0 = get_global_id(0) * 16;
    const int OHW = OH * OW;
    const int npanels = (OHW + pw - 1) / pw;
    if (q0 >= npanels * pw || k >= K)
        return;
    const long z = get_global_id(2), za = z0 + z;
    const int n = (int)(za / groups), g = (int)(za % groups);
    const int kx = k % KW, ky = (k / KW) % KH, c = k / (KW * KH);
    __global const float *in = input + ((long)n * C + (long)g * cpg + c) * H * W;
    __global float *dst = cols + z * (long)npanels * K * pw + (long)(q0 / pw) * K * pw +
                          (long)k * pw + q0 % pw;
    int oy = q0 / OW, ox = q0 % OW;
    float t[16];
    for (int j = 0; j < 16; j++) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        const int ix = ox * stride_w - pad_left + kx * dil_w;
        t[j] = q0 + j < OHW && iy >= 0 && iy < H && ix >= 0 && ix < W ? in[iy * W + ix] : 0.0f;
        if (++ox == OW) {
            ox = 0;
            oy++;
        }
    }
    if (q0 + 16 <= npanels * pw && (pw % 16 == 0 || q0 + 16 <= OHW)) {
        vstore16(vload16(0, t), 0, dst);
    } else {
        for (int j = 0; j < 16 && q0 + j < npanels * pw; j++)
            dst[j] = t[j];
    }
}

/* ---------------------------------------------------------------- direct */

__kernel void conv2d_pad(__global const float *restrict input, __global float *restrict xp,
                         int C, int H, int W, int pad_top, int pad_left, int Hp, int Wp,
                         int slack, int z0)
{
    const int x0 = get_global_id(0) * 16;
    const int yp = get_global_id(1);
    const long plane = get_global_id(2); /* image in chunk * C + channel */
    if (x0 >= Wp)
        return;
    __global const float *in = input + ((long)z0 * C + plane) * H * W;
    __global float *dst = xp + (plane * Hp + yp) * (long)Wp;
    const int iy = yp - pad_top;
    for (int j = 0; j < 16 && x0 + j < Wp; j++) {
        const int ix = x0 + j - pad_left;
        dst[x0 + j] = iy >= 0 && iy < H && ix >= 0 && ix < W ? in[iy * W + ix] : 0.0f;
    }
    if (plane == 0 && yp == 0) { /* the slack after the last plane, in 16-float pieces */
        __global float *end = xp + (long)get_global_size(2) * Hp * Wp;
        const int step = (Wp + 15) / 16 * 16;
        for (int i = x0; i < slack; i += step)
            for (int j = i; j < min(i + 16, slack); j++)
                end[j] = 0.0f;
    }
}

__kernel void conv2d_direct(__global const float *restrict xp, __global const float *restrict weight,
                          __global const float *restrict bias, __global float *restrict output,
                          int C, int OC, int OH, int OW, int KH, int KW, int dil_h, int dil_w,
                          int Hp, int Wp, int groups, int z0, float act_a, float act_b)
{
    const int cpg = C / groups, ocpg = OC / groups;
    const int m0 = get_global_id(0) * TM; /* output channel within the group */
    const int q0 = get_global_id(1) * TW; /* padded-width position */
    if (m0 >= ocpg || q0 >= OH * Wp)
        return;
    const long z = get_global_id(2), za = z0 + z;
    const int n = (int)(za / groups), g = (int)(za % groups);
    const int K = cpg * KH * KW;
    const long plane = (long)Hp * Wp;
    __global const float *x = xp + (z / groups * C + (long)g * cpg) * plane + q0;
    __global const float *w = weight + (long)g * ocpg * K;

    long wrow[TM];
#pragma unroll
    for (int i = 0; i < TM; i++)
        wrow[i] = (long)min(m0 + i, ocpg - 1) * K;

    float16 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = (float16)(0.0f);

    int k = 0;
    for (int c = 0; c < cpg; c++) {
        for (int ky = 0; ky < KH; ky++) {
            __global const float *row = x + c * plane + (long)ky * dil_h * Wp;
            for (int kx = 0; kx < KW; kx++, k++) {
                float16 bv[NV];
#pragma unroll
                for (int v = 0; v < NV; v++)
                    bv[v] = vload16(v, row + kx * dil_w);
#pragma unroll
                for (int i = 0; i < TM; i++) {
                    const float16 av = (float16)(w[wrow[i] + k]);
#pragma unroll
                    for (int v = 0; v < NV; v++)
                        acc[i][v] = fma(av, bv[v], acc[i][v]);
                }
            }
        }
    }

    const int OHW = OH * OW;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int m = m0 + i;
        if (m >= ocpg)
            break;
        const int oc = g * ocpg + m;
        __global float *y = output + ((long)n * OC + oc) * OHW;
        float r[TW];
#pragma unroll
        for (int v = 0; v < NV; v++) {
            float16 t = acc[i][v];
#if HAS_BIAS
            t += (float16)(bias[oc]);
#endif
            t = ACT_ANY(t);
            vstore16(t, v, r);
        }
        int oy = q0 / Wp, ox = q0 % Wp;
        for (int j = 0; j < TW && oy < OH; j++) {
            if (ox < OW)
                y[oy * OW + ox] = r[j];
            if (++ox == Wp) {
                ox = 0;
                oy++;
            }
        }
    }
}

/* ------------------------------------------------------------- depthwise */

__kernel void conv2d_depthwise(__global const float *restrict input,
                               __global const float *restrict weight,
                               __global const float *restrict bias,
                               __global float *restrict output, int C, int H, int W, int OH,
                               int OW, int KH, int KW, int stride_h, int stride_w, int pad_top,
                               int pad_left, int dil_h, int dil_w, float act_a, float act_b)
{
    const int ox0 = get_global_id(0) * 16;
    const int oy = get_global_id(1);
    const long plane = get_global_id(2);
    if (ox0 >= OW)
        return;
    const int c = (int)(plane % C);
    __global const float *in = input + plane * H * W;
    __global const float *w = weight + (long)c * KH * KW;
    const int ix0 = ox0 * stride_w - pad_left;
    float16 acc = (float16)(0.0f);
    for (int ky = 0; ky < KH; ky++) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy < 0 || iy >= H)
            continue;
        __global const float *row = in + (long)iy * W;
        for (int kx = 0; kx < KW; kx++) {
            const int ix = ix0 + kx * dil_w; /* input column of output ox0 */
            const int last = ix + 15 * stride_w;
            float16 v;
            if (ix >= 0 && last < W && stride_w == 1) {
                v = vload16(0, row + ix);
            } else if (ix >= 0 && last + 1 < W && stride_w == 2) {
                v = (float16)(vload16(0, row + ix).even, vload16(0, row + ix + 16).even);
            } else {
                float t[16];
                for (int j = 0; j < 16; j++) {
                    const int xj = ix + j * stride_w;
                    t[j] = xj >= 0 && xj < W ? row[xj] : 0.0f;
                }
                v = vload16(0, t);
            }
            acc = fma(v, (float16)(w[ky * KW + kx]), acc);
        }
    }
#if HAS_BIAS
    acc += (float16)(bias[c]);
#endif
    acc = ACT_ANY(acc);
    __global float *y = output + (plane * OH + oy) * (long)OW + ox0;
    if (ox0 + 16 <= OW) {
        vstore16(acc, 0, y);
    } else {
        float t[16];
        vstore16(acc, 0, t);
        for (int j = 0; ox0 + j < OW; j++)
            y[j] = t[j];
    }
}
