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
 *   zero padding, split into stride phases, to Xp [chunk, C, sh, sw, Hq, Wq]:
 *   phase (py, px) holds padded rows py, py + sh, .. and columns px, px +
 *   sw, .. (Hq = ceil(Hp / sh), Wq = ceil(Wp / sw), Hp and Wp the padded
 *   sizes; one phase when the stride is 1), followed by `slack` zeros.
 *   Work-item (x, y) writes rows [x * rows, x * rows + rows) of phase plane
 *   y, 16 columns at a time: one strided vector load (prelude.cl) with the
 *   lanes outside the image masked to zero; the reads may pass the row but
 *   stay inside the input (in_floats floats; near its ends lanes are read
 *   one by one). Local size 1 along y: get_global_size(1) is the plane
 *   count. The item of plane 0, rows from 0, also writes the slack.
 * conv2d_direct (algorithm "direct"): an implicit GEMM over the phase planes
 *   in "padded-width" coordinates: output position q = oy * Wq + ox (ox <
 *   Wq; the columns from OW on are computed and dropped). Tap (c, ky, kx)
 *   of the TW positions of a tile are then TW consecutive floats of phase
 *   ((ky * dil_h) % sh, (kx * dil_w) % sw) of channel c, at q + row
 *   (ky * dil_h) / sh and column (kx * dil_w) / sw: vector loads, no bounds
 *   checks. Work-item (x, y, z) computes TM output channels (of the group)
 *   x * TM.. by TW positions y * TW.. for batch z = image * groups + group,
 *   like gemm_packed (gemm.cl), with the weights packed by gemm_pack_a
 *   (per group, panels of TM output channels, [K, TM] each, K = C/groups *
 *   KH * KW). Tunables TM, NV (TW = 16 * NV).
 *
 * conv2d_depthwise (algorithm "depthwise", groups == C == OC; the variant
 *   for GPUs and the fallback for images too wide for the CPU one): work-item
 *   (x, y, z) computes 16 outputs, columns 16x.. of row y, of plane z =
 *   image * C + channel, as a float16; interior windows load vectors
 *   (stride 1 or 2), the rest gather.
 * conv2d_depthwise_rows (algorithm "depthwise", the variant for CPUs):
 *   work-item (0, y, z) computes output rows y * rows.. (at most `rows`) of
 *   planes z * planes.. (at most `planes`, below `total` = N * C; several
 *   only when each is whole and small, to spread PoCL's cost per
 *   work-group). Per plane it first copies the input rows those outputs
 *   read, with their zero padding, into a tile in local memory (work-group
 *   size 1: the tile is the item's own, and a CPU keeps it in cache), each
 *   row split into stride_w phases of `twp` floats (padded column X at
 *   phase X % stride_w, index X / stride_w; zeros after the row). Every tap
 *   of 16 outputs is then one unguarded vector load, for any stride and
 *   dilation. Rows go DW_ROWS (4) at a time, one accumulator each; 3x3
 *   windows with dilation 1 and stride_h 1 or 2 load each tile row once
 *   for all the output rows that read it. Input rows are read 16 floats at
 *   a time, past the row end but never past the tensor's; a row's last
 *   16 outputs are stored whole when the floats past the row belong to
 *   outputs the item writes later (rows and planes in order, columns right
 *   to left). The host sizes the tile: twp (a multiple of 16) holds the
 *   16-float steps over the output columns from every tap and the padded
 *   row copied in 16-float steps; (4 * ceil(rows / 4) - 1) * stride_h +
 *   (KH - 1) * dil_h + 1 rows; 16 spare floats.
 *
 * Tunables: HAS_BIAS (0/1), HAS_RESIDUAL (0/1: naive and direct add a
 * residual of the output's layout before the activation), ACT (see
 * prelude.cl). CONV2D_KERNELS = 1
 * (naive), 2 (im2col), 3 (pad and direct) or 4 (depthwise) keeps one
 * algorithm's kernels in the program (cheaper to build); unset, all.
 */
#ifndef CONV2D_KERNELS
#define CONV2D_KERNELS 0
#endif
#define CONV2D_HAS(k) (CONV2D_KERNELS == 0 || CONV2D_KERNELS == (k))
#ifndef TM
#define TM 8
#endif
#ifndef NV
#define NV 2
#endif
#define TW (NV * 16)
#define DW_ROWS 4 /* conv2d_depthwise_rows: output rows computed together */

#if CONV2D_HAS(1)
__kernel void conv2d_naive(__global const float *restrict input,
                            __global const float *restrict weight,
                            __global const float *restrict bias,
                            __global float *restrict output,
                            __global const float *restrict residual,
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
    const size_t at = (((size_t)n * OC + oc) * OH + oy) * OW + ox;
#if HAS_RESIDUAL
    acc += residual[at];
#endif
    output[at] = apply_act(acc, act_a, act_b);
}

#endif

/* ---------------------------------------------------------------- im2col */
#if CONV2D_HAS(2)

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
    const int iy = oy * stride_h - pad_top + ky * dil_h;
    const int ix = ox * stride_w - pad_left + kx * dil_w;
    float16 v;
    if (ox + 16 <= OW && q0 + 16 <= OHW && iy >= 0 && iy < H && ix >= 0 &&
        ix + 16 * stride_w <= W && stride_w <= 2) {
        /* 16 outputs of one row whose inputs are all inside the image */
        __global const float *src = in + (long)iy * W + ix;
        v = stride_w == 1 ? vload16(0, src)
                          : (float16)(vload16(0, src).even, vload16(0, src + 16).even);
    } else {
        float t[16];
        for (int j = 0; j < 16; j++) {
            const int yy = oy * stride_h - pad_top + ky * dil_h;
            const int xx = ox * stride_w - pad_left + kx * dil_w;
            t[j] = q0 + j < OHW && yy >= 0 && yy < H && xx >= 0 && xx < W ? in[yy * W + xx]
                                                                         : 0.0f;
            if (++ox == OW) {
                ox = 0;
                oy++;
            }
        }
        v = vload16(0, t);
    }
    if (q0 + 16 <= npanels * pw && (pw % 16 == 0 || q0 + 16 <= OHW)) {
        vstore16(v, 0, dst);
    } else {
        float t[16];
        vstore16(v, 0, t);
        for (int j = 0; j < 16 && q0 + j < npanels * pw; j++)
            dst[j] = t[j];
    }
}

#endif

/* ---------------------------------------------------------------- direct */
#if CONV2D_HAS(3)

__kernel void conv2d_pad(__global const float *restrict input, __global float *restrict xp,
                         int C, int H, int W, int pad_top, int pad_left, int stride_h,
                         int stride_w, int Hq, int Wq, int slack, int z0, int rows,
                         long in_floats)
{
    const int yq0 = get_global_id(0) * rows;
    const long plane = get_global_id(1); /* ((image in chunk * C + c) * sh + py) * sw + px */
    if (yq0 >= Hq)
        return;
    const int px = (int)(plane % stride_w), py = (int)(plane / stride_w % stride_h);
    const long in0 = ((long)z0 * C + plane / ((long)stride_w * stride_h)) * H * W;
    const int reach = STRIDED16_REACH(stride_w);
    const int16 lane_col = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * stride_w;
    for (int yq = yq0; yq < min(Hq, yq0 + rows); yq++) {
        __global float *dst = xp + (plane * Hq + yq) * (long)Wq;
        const int iy = yq * stride_h + py - pad_top;
        const long row = in0 + (long)iy * W; /* flat offset of input row iy */
        for (int x0 = 0; x0 < Wq; x0 += 16) {
            const int ix0 = x0 * stride_w + px - pad_left;
            float16 v = 0.0f;
            if (iy >= 0 && iy < H) {
                const int16 ix = lane_col + ix0;
                const int16 inside = ix >= 0 && ix < W;
                if (row + ix0 >= 0 && row + ix0 + reach < in_floats) {
                    v = select((float16)(0.0f), strided16(input + row + ix0, stride_w), inside);
                } else { /* the first or last floats of the input */
                    float t[16];
                    for (int j = 0; j < 16; j++) {
                        const int x = ix0 + j * stride_w;
                        t[j] = x >= 0 && x < W ? input[row + x] : 0.0f;
                    }
                    v = vload16(0, t);
                }
            }
            if (x0 + 16 <= Wq) {
                vstore16(v, 0, dst + x0);
            } else {
                float t[16];
                vstore16(v, 0, t);
                for (int j = 0; x0 + j < Wq; j++)
                    dst[x0 + j] = t[j];
            }
        }
    }
    if (plane == 0 && yq0 == 0) { /* the slack after the last plane */
        __global float *end = xp + (long)get_global_size(1) * Hq * Wq;
        for (int i = 0; i < slack; i++)
            end[i] = 0.0f;
    }
}

__kernel void conv2d_direct(__global const float *restrict xp,
                            __global const float *restrict wpacked,
                            __global const float *restrict bias, __global float *restrict output,
                            __global const float *restrict residual, int C, int OC, int OH, int OW, int KH, int KW, int stride_h,
                            int stride_w, int dil_h, int dil_w, int Hq, int Wq, int groups,
                            int z0, float act_a, float act_b)
{
    const int cpg = C / groups, ocpg = OC / groups;
    const int m0 = get_global_id(0) * TM; /* output channel within the group */
    const int q0 = get_global_id(1) * TW; /* position oy * Wq + ox */
    if (m0 >= ocpg || q0 >= OH * Wq)
        return;
    const long z = get_global_id(2), za = z0 + z;
    const int n = (int)(za / groups), g = (int)(za % groups);
    const int K = cpg * KH * KW;
    const long phase = (long)Hq * Wq, cstride = phase * stride_h * stride_w;
    __global const float *x = xp + (z / groups * C + (long)g * cpg) * cstride + q0;
    const long mtiles = (ocpg + TM - 1) / TM; /* weight panels per group */
    __global const float *w = wpacked + ((long)g * mtiles + get_global_id(0)) * K * TM;
    /* a tap (ky, kx) reads phase ((ky * dil_h) % sh, (kx * dil_w) % sw) at
     * row (ky * dil_h) / sh, column (kx * dil_w) / sw: stepped incrementally */
    const int dhq = dil_h / stride_h, dhr = dil_h % stride_h;
    const int dwq = dil_w / stride_w, dwr = dil_w % stride_w;

    float16 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = (float16)(0.0f);

    /* moving one tap right: dwq columns and dwr phases on, and when the
     * phase wraps, back sw phases and one column on (alike for rows) */
    const long col_step = dwq + dwr * phase, col_wrap = 1 - stride_w * phase;
    const long row_step = (long)dhq * Wq + (long)dhr * stride_w * phase;
    const long row_wrap = Wq - (long)stride_h * stride_w * phase;
    int k = 0;
    for (int c = 0; c < cpg; c++) {
        __global const float *row = x + c * cstride;
        int py = 0;
        for (int ky = 0; ky < KH; ky++) {
            __global const float *src = row;
            int px = 0;
            for (int kx = 0; kx < KW; kx++, k++) {
                float16 bv[NV];
#pragma unroll
                for (int v = 0; v < NV; v++)
                    bv[v] = vload16(v, src);
#pragma unroll
                for (int i = 0; i < TM; i++) {
                    const float16 av = (float16)(w[k * TM + i]);
#pragma unroll
                    for (int v = 0; v < NV; v++)
                        acc[i][v] = fma(av, bv[v], acc[i][v]);
                }
                src += col_step;
                px += dwr;
                if (px >= stride_w)
                    px -= stride_w, src += col_wrap;
            }
            row += row_step;
            py += dhr;
            if (py >= stride_h)
                py -= stride_h, row += row_wrap;
        }
    }

    const int OHW = OH * OW;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int m = m0 + i;
        if (m >= ocpg)
            break;
        const int oc = g * ocpg + m;
        const long plane = ((long)n * OC + oc) * OHW;
        __global float *y = output + plane;
        float r[TW];
#pragma unroll
        for (int v = 0; v < NV; v++) {
            float16 t = acc[i][v];
#if HAS_BIAS
            t += (float16)(bias[oc]);
#endif
#if !HAS_RESIDUAL
            t = ACT_ANY(t);
#endif
            vstore16(t, v, r);
        }
        /* the tile's positions, row by row of the padded width: the first
         * OW of each row are outputs (a residual is added, and then the
         * activation applied, per output) */
        int oy = q0 / Wq, ox = q0 % Wq;
        for (int j = 0; j < TW && oy < OH; oy++) {
            const int run = min(TW - j, Wq - ox);
            const int valid = min(run, OW - ox);
            __global float *yr = y + oy * OW + ox;
            int t = 0;
#if HAS_RESIDUAL
            __global const float *rr = residual + plane + oy * OW + ox;
            for (; t + 16 <= valid; t += 16)
                vstore16(ACT_ANY(vload16(0, r + j + t) + vload16(0, rr + t)), 0, yr + t);
            for (; t < valid; t++)
                yr[t] = ACT_ANY(r[j + t] + rr[t]);
#else
            for (; t + 16 <= valid; t += 16)
                vstore16(vload16(0, r + j + t), 0, yr + t);
            for (; t < valid; t++)
                yr[t] = r[j + t];
#endif
            j += run;
            ox = 0;
        }
    }
}

#endif

/* ------------------------------------------------------------- depthwise */
#if CONV2D_HAS(4)

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

#define DW_LANES ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))

/* 16 floats of `src` from x, those from W on zero. Reads past the row
 * (up to 15 floats): the caller checks they are in the tensor. */
static float16 depthwise_load_row(__global const float *src, int x, int W)
{
    const float16 v = vload16(0, src + x);
    return x + 16 <= W ? v : select((float16)(0.0f), v, DW_LANES < W - x);
}

/* Copies input row `src` (W floats, `room` floats readable from it) into
 * tile row `dst` for stride_w 1: pad_left zeros, the inputs, zeros up to
 * tw (the host leaves room in tw for the 16-float steps). */
static void depthwise_copy_row(__local float *dst, __global const float *src, int W, long room,
                               int pad_left, int tw)
{
    for (int t = 0; t < pad_left; t++)
        dst[t] = 0.0f;
    __local float *row = dst + pad_left;
    int x = 0;
    for (; x < W && x + 16 <= room; x += 16)
        vstore16(depthwise_load_row(src, x, W), 0, row + x);
    for (; x < W; x++) /* the end of the tensor */
        row[x] = src[x];
    for (int t = pad_left + x; t < tw; t += 16) /* may run 15 floats into the next row */
        vstore16((float16)(0.0f), 0, dst + t);
}

/* The same for stride_w > 1: the row split into stride_w phases of twp
 * floats (padded column X at phase X % stride_w, index X / stride_w). */
static void depthwise_split_row(__local float *dst, __global const float *src, int W, long room,
                                int pad_left, int stride_w, int twp)
{
    for (int t = 0; t < stride_w * twp; t += 16)
        vstore16((float16)(0.0f), 0, dst + t);
    int x = 0;
    if (stride_w == 2) { /* even inputs to one phase, odd ones to the other */
        __local float *ev = dst + (pad_left & 1) * twp + (pad_left >> 1);
        __local float *od = dst + ((pad_left + 1) & 1) * twp + ((pad_left + 1) >> 1);
        for (; x + 32 <= W; x += 32) {
            const float16 a = vload16(0, src + x), b = vload16(0, src + x + 16);
            vstore16((float16)(a.even, b.even), 0, ev + x / 2);
            vstore16((float16)(a.odd, b.odd), 0, od + x / 2);
        }
        for (; x < W && x + 16 <= room; x += 16) {
            const float16 a = depthwise_load_row(src, x, W);
            vstore8(a.even, 0, ev + x / 2);
            vstore8(a.odd, 0, od + x / 2);
        }
        for (; x + 2 <= W; x += 2) { /* the end of the tensor */
            ev[x / 2] = src[x];
            od[x / 2] = src[x + 1];
        }
        if (x < W)
            ev[x / 2] = src[x];
        return;
    }
    for (; x < W; x++) {
        const int X = pad_left + x;
        dst[X % stride_w * twp + X / stride_w] = src[x];
    }
}

/* Copies input rows iy0 .. iy0 + th - 1 of plane `in` (`room` floats
 * readable from its start) into `tile`, row r at r * stride_w * twp (rows
 * outside the image all zeros). */
static void depthwise_fill(__local float *tile, __global const float *in, long room, int H,
                           int W, int iy0, int th, int pad_left, int stride_w, int twp)
{
    const int tw = stride_w * twp;
    for (int r = 0; r < th; r++) {
        __local float *dst = tile + r * tw;
        const int iy = iy0 + r;
        const long at = (long)iy * W;
        if (iy < 0 || iy >= H) {
            for (int t = 0; t < tw; t += 16)
                vstore16((float16)(0.0f), 0, dst + t);
        } else if (stride_w == 1) {
            depthwise_copy_row(dst, in + at, W, room - at, pad_left, tw);
        } else {
            depthwise_split_row(dst, in + at, W, room - at, pad_left, stride_w, twp);
        }
    }
}

/* Stores the first min(16, OW - ox0) lanes of `v` (activated) at y + ox0,
 * or all 16 when `spill`: the floats past the row then land on outputs this
 * item writes later (it goes through its rows and planes in order). */
static void depthwise_store(float16 v, __global float *y, int ox0, int OW, int spill,
                            float act_a, float act_b)
{
    v = ACT_ANY(v);
    if (ox0 + 16 <= OW || spill) {
        vstore16(v, 0, y + ox0);
    } else {
        float t[16];
        vstore16(v, 0, t);
        for (int j = 0; ox0 + j < OW; j++)
            y[ox0 + j] = t[j];
    }
}

/* 3x3, dilation 1, stride_h 1 or 2: the taps of one tile row (kx = 0, 1, 2
 * at s, s + o1, s + o2) loaded once and added to every output row that
 * reads them, weights in registers. */
#define DW_LOAD3(i)                                                                             \
    v0 = vload16(0, s + (i) * tw);                                                              \
    v1 = vload16(0, s + (i) * tw + o1);                                                         \
    v2 = vload16(0, s + (i) * tw + o2)
#define DW_ACC(acc, ky) acc = fma(v2, w##ky##2, fma(v1, w##ky##1, fma(v0, w##ky##0, acc)))

/* Output rows oy0 .. oy0 + n - 1 of `plane` (see conv2d_depthwise_rows;
 * the item writes `more` rows right after them later), DW_ROWS rows at a
 * time: four independent accumulators keep the FMA pipeline busy (one
 * accumulator waits on each FMA's latency). */
static void depthwise_block(__global const float *restrict input,
                            __global const float *restrict weight,
                            __global const float *restrict bias, __global float *restrict output,
                            __local float *tile, long plane, int oy0, int n, int C, int H, int W,
                            int OH, int OW, int KH, int KW, int stride_h, int stride_w,
                            int pad_top, int pad_left, int dil_h, int dil_w, int twp, int more,
                            long total, float act_a, float act_b)
{
    const int c = (int)(plane % C);
    __global const float *w = weight + (long)c * KH * KW;
    const int n4 = (n + DW_ROWS - 1) / DW_ROWS * DW_ROWS;
    depthwise_fill(tile, input + plane * H * W, (total - plane) * H * W, H, W,
                   oy0 * stride_h - pad_top,
                   (n4 - 1) * stride_h + (KH - 1) * dil_h + 1, pad_left, stride_w, twp);
#if HAS_BIAS
    const float16 b = (float16)(bias[c]);
#else
    const float16 b = (float16)(0.0f);
#endif
    const int tw = stride_w * twp, rs = stride_h * tw; /* tile floats per row, per output row */
    const int fast = KH == 3 && KW == 3 && dil_h == 1 && dil_w == 1 && stride_h <= 2;
    /* tap kx of the 3x3 path: phase kx % stride_w, column kx / stride_w */
    const int o1 = 1 % stride_w * twp + 1 / stride_w, o2 = 2 % stride_w * twp + 2 / stride_w;
    float16 w00 = 0.0f, w01 = 0.0f, w02 = 0.0f, w10 = 0.0f, w11 = 0.0f, w12 = 0.0f;
    float16 w20 = 0.0f, w21 = 0.0f, w22 = 0.0f;
    if (fast) {
        w00 = w[0], w01 = w[1], w02 = w[2], w10 = w[3], w11 = w[4], w12 = w[5];
        w20 = w[6], w21 = w[7], w22 = w[8];
    }
    for (int r = 0; r < n; r += DW_ROWS) {
        __global float *y = output + (plane * OH + oy0 + r) * (long)OW;
        for (int ox0 = (OW - 1) / 16 * 16; ox0 >= 0; ox0 -= 16) {
            float16 a0 = b, a1 = b, a2 = b, a3 = b, v0, v1, v2;
            __local const float *s = tile + r * rs + ox0;
            if (fast && stride_h == 1) {
                DW_LOAD3(0); DW_ACC(a0, 0);
                DW_LOAD3(1); DW_ACC(a0, 1); DW_ACC(a1, 0);
                DW_LOAD3(2); DW_ACC(a0, 2); DW_ACC(a1, 1); DW_ACC(a2, 0);
                DW_LOAD3(3); DW_ACC(a1, 2); DW_ACC(a2, 1); DW_ACC(a3, 0);
                DW_LOAD3(4); DW_ACC(a2, 2); DW_ACC(a3, 1);
                DW_LOAD3(5); DW_ACC(a3, 2);
            } else if (fast) { /* stride_h 2 */
                DW_LOAD3(0); DW_ACC(a0, 0);
                DW_LOAD3(1); DW_ACC(a0, 1);
                DW_LOAD3(2); DW_ACC(a0, 2); DW_ACC(a1, 0);
                DW_LOAD3(3); DW_ACC(a1, 1);
                DW_LOAD3(4); DW_ACC(a1, 2); DW_ACC(a2, 0);
                DW_LOAD3(5); DW_ACC(a2, 1);
                DW_LOAD3(6); DW_ACC(a2, 2); DW_ACC(a3, 0);
                DW_LOAD3(7); DW_ACC(a3, 1);
                DW_LOAD3(8); DW_ACC(a3, 2);
            } else {
                for (int ky = 0; ky < KH; ky++)
                    for (int kx = 0; kx < KW; kx++) {
                        const int X = kx * dil_w;
                        __local const float *t =
                            s + ky * dil_h * tw + X % stride_w * twp + X / stride_w;
                        const float16 wk = (float16)(w[ky * KW + kx]);
                        a0 = fma(vload16(0, t), wk, a0);
                        a1 = fma(vload16(0, t + rs), wk, a1);
                        a2 = fma(vload16(0, t + 2 * rs), wk, a2);
                        a3 = fma(vload16(0, t + 3 * rs), wk, a3);
                    }
            }
            /* A row's last step may spill up to 15 floats into the next
             * row when this item writes at least 16 outputs after the row,
             * all later: the next row's first step comes after (steps go
             * right to left, rows top to bottom). */
            const int after = n - r - 1 + more; /* rows of this item after row r */
            depthwise_store(a0, y, ox0, OW, after * OW >= 16, act_a, act_b);
            if (r + 1 < n)
                depthwise_store(a1, y + OW, ox0, OW, (after - 1) * OW >= 16, act_a, act_b);
            if (r + 2 < n)
                depthwise_store(a2, y + 2 * OW, ox0, OW, (after - 2) * OW >= 16, act_a, act_b);
            if (r + 3 < n)
                depthwise_store(a3, y + 3 * OW, ox0, OW, (after - 3) * OW >= 16, act_a, act_b);
        }
    }
}

__kernel void conv2d_depthwise_rows(__global const float *restrict input,
                                    __global const float *restrict weight,
                                    __global const float *restrict bias,
                                    __global float *restrict output, __local float *tile, int C,
                                    int H, int W, int OH, int OW, int KH, int KW, int stride_h,
                                    int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                                    int rows, int planes, int total, int twp, float act_a,
                                    float act_b)
{
    const int oy0 = get_global_id(1) * rows;
    const long plane0 = get_global_id(2) * (long)planes;
    if (oy0 >= OH)
        return;
    const long end = min(plane0 + planes, (long)total);
    const int n = min(rows, OH - oy0);
    for (long plane = plane0; plane < end; plane++) /* rows after the block: whole planes */
        depthwise_block(input, weight, bias, output, tile, plane, oy0, n, C, H, W, OH, OW, KH, KW,
                        stride_h, stride_w, pad_top, pad_left, dil_h, dil_w, twp,
                        n == OH ? (int)(end - plane - 1) * OH : 0, total, act_a, act_b);
}
#endif
