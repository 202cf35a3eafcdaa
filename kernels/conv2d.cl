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
 *   one_phase = 1 (a strided 1x1, which reads only phase (0, 0)) writes
 *   that phase only, [chunk, C, Hq, Wq]; conv2d_direct then runs over it
 *   at stride 1.
 * conv2d_direct (algorithm "direct"): an implicit GEMM over the phase planes
 *   in "padded-width" coordinates: output position q = oy * Wq + ox (ox <
 *   Wq; the columns from OW on are computed and dropped). Tap (c, ky, kx)
 *   of the TW positions of a tile are then TW consecutive floats of phase
 *   ((ky * dil_h) % sh, (kx * dil_w) % sw) of channel c, at q + row
 *   (ky * dil_h) / sh and column (kx * dil_w) / sw: vector loads, no bounds
 *   checks. Work-item (x, y, z) computes TM output channels (of the group)
 *   x * TM.. by TW positions (y * per + j) * TW.. for j < per (per =
 *   ceil(tiles / global size 1): several for a short K) for batch z =
 *   image * groups + group,
 *   like gemm_packed (gemm.cl), with the weights packed by gemm_pack_a
 *   (per group, panels of TM output channels, [K, TM] each, K = C/groups *
 *   KH * KW). Tunables TM, NV (TW = 16 * NV).
 * conv2d_direct_t (algorithm "direct", plan.transposed: small images with
 *   the cpu GEMM): the same product transposed, TM positions of an output
 *   row by TW output channels per work-item, W^T packed (see the kernel).
 *
 * The pooled and stem algorithms' kernels are in conv_pooled.cl and
 * conv_stem.cl, the depthwise algorithm's in conv_depthwise.cl.
 *
 * Arguments has_bias (0/1) and has_res (0/1: naive and direct add a
 * residual of the output's layout before the activation): arguments, not
 * build options, so that layers with and without them share one program
 * and one code generation (PoCL compiles each kernel of each program at
 * its first launch: ResNet-18's two direct programs cost a cold start
 * 0.4 and 0.6 s); the branches are uniform and once per stored tile.
 * Tunables: ACT (see prelude.cl), TM and NV (prelude.cl). CONV2D_KERNELS = one of the sets
 * below keeps one algorithm's kernels in the program (cheaper to build);
 * unset, all. The host passes the name (-DCONV2D_KERNELS=CONV2D_DIRECT).
 */
#define CONV2D_ALL 0    /* every kernel of this file */
#define CONV2D_NAIVE 1  /* conv2d_naive */
#define CONV2D_IM2COL 2 /* conv2d_im2col */
#define CONV2D_DIRECT 3 /* conv2d_pad and conv2d_direct */
#define CONV2D_DIRECT_T 7 /* conv2d_pad and conv2d_direct_t */
#ifndef CONV2D_KERNELS
#define CONV2D_KERNELS CONV2D_ALL
#endif
#define CONV2D_HAS(k) (CONV2D_KERNELS == CONV2D_ALL || CONV2D_KERNELS == (k))

#if CONV2D_HAS(CONV2D_NAIVE)
__kernel void conv2d_naive(__global const store_t *restrict input, long input_off,
                            __global const store_t *restrict weight, long weight_off,
                            __global const store_t *restrict bias, long bias_off,
                            __global store_t *restrict output, long output_off,
                            __global const store_t *restrict residual, long residual_off,
                            int C, int H, int W, int OC, int OH, int OW,
                            int KH, int KW, int stride_h, int stride_w,
                            int pad_top, int pad_left, int dil_h, int dil_w,
                            int groups, float act_a, float act_b, int has_bias, int has_res)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    residual += residual_off;
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
    __global const store_t *w = weight + (size_t)oc * cpg * KH * KW;
    for (int ci = 0; ci < cpg; ci++) {
        __global const store_t *in = input + ((size_t)n * C + c0 + ci) * H * W;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky * dil_h;
            if (iy < 0 || iy >= H)
                continue;
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ix0 + kx * dil_w;
                if (ix >= 0 && ix < W)
                    acc = fma(LD(in, iy * W + ix), LD(w, (ci * KH + ky) * KW + kx), acc);
            }
        }
    }
    if (has_bias)
        acc += LD(bias, oc);
    const size_t at = (((size_t)n * OC + oc) * OH + oy) * OW + ox;
    if (has_res)
        acc += LD(residual, at);
    ST(output, at, apply_act(acc, act_a, act_b));
}

#endif

/* ---------------------------------------------------------------- im2col */
#if CONV2D_HAS(CONV2D_IM2COL)

__kernel void conv2d_im2col(__global const store_t *restrict input, long input_off,
                            __global store_t *restrict cols, long cols_off, int C, int H, int W,
                            int OH, int OW, int KH, int KW, int stride_h, int stride_w, int pad_top,
                            int pad_left, int dil_h, int dil_w, int groups, int pw, int z0)
{
    input += input_off;
    cols += cols_off;
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
    __global const store_t *in = input + ((long)n * C + (long)g * cpg + c) * H * W;
    __global store_t *dst = cols + z * (long)npanels * K * pw + (long)(q0 / pw) * K * pw +
                          (long)k * pw + q0 % pw;
    int oy = q0 / OW, ox = q0 % OW;
    const int iy = oy * stride_h - pad_top + ky * dil_h;
    const int ix = ox * stride_w - pad_left + kx * dil_w;
    float16 v;
    if (ox + 16 <= OW && q0 + 16 <= OHW && iy >= 0 && iy < H && ix >= 0 &&
        ix + 16 * stride_w <= W && stride_w <= 2) {
        /* 16 outputs of one row whose inputs are all inside the image */
        __global const store_t *src = in + (long)iy * W + ix;
        v = stride_w == 1 ? LD16(0, src)
                          : (float16)(LD16(0, src).even, LD16(0, src + 16).even);
    } else {
        float t[16];
        for (int j = 0; j < 16; j++) {
            const int yy = oy * stride_h - pad_top + ky * dil_h;
            const int xx = ox * stride_w - pad_left + kx * dil_w;
            t[j] = q0 + j < OHW && yy >= 0 && yy < H && xx >= 0 && xx < W ? LD(in, yy * W + xx)
                                                                         : 0.0f;
            if (++ox == OW) {
                ox = 0;
                oy++;
            }
        }
        v = vload16(0, t);
    }
    if (q0 + 16 <= npanels * pw && (pw % 16 == 0 || q0 + 16 <= OHW)) {
        ST16(v, 0, dst);
    } else {
        float t[16];
        vstore16(v, 0, t);
        for (int j = 0; j < 16 && q0 + j < npanels * pw; j++)
            ST(dst, j, t[j]);
    }
}

#endif

/* ---------------------------------------------------------------- direct */
#if CONV2D_HAS(CONV2D_DIRECT) || CONV2D_HAS(CONV2D_DIRECT_T)

__kernel void conv2d_pad(__global const store_t *restrict input, long input_off,
                         __global store_t *restrict xp, long xp_off, int C, int H, int W,
                         int pad_top, int pad_left, int stride_h, int stride_w, int Hq, int Wq,
                         int slack, int z0, int rows, long in_floats, int one_phase)
{
    input += input_off;
    xp += xp_off;
    const int yq0 = get_global_id(0) * rows;
    /* ((image in chunk * C + c) * sh + py) * sw + px; with one_phase only
     * phase (0, 0) is written: image in chunk * C + c */
    const long plane = get_global_id(1);
    if (yq0 >= Hq)
        return;
    const int px = one_phase ? 0 : (int)(plane % stride_w);
    const int py = one_phase ? 0 : (int)(plane / stride_w % stride_h);
    const long phases = one_phase ? 1 : (long)stride_w * stride_h;
    const long in0 = ((long)z0 * C + plane / phases) * H * W;
    const int16 lane_col = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * stride_w;
    for (int yq = yq0; yq < min(Hq, yq0 + rows); yq++) {
        __global store_t *dst = xp + (plane * Hq + yq) * (long)Wq;
        const int iy = yq * stride_h + py - pad_top;
        const long row = in0 + (long)iy * W; /* flat offset of input row iy */
        for (int x0 = 0; x0 < Wq; x0 += 16) {
            const int ix0 = x0 * stride_w + px - pad_left;
            float16 v = 0.0f;
            if (iy >= 0 && iy < H) {
                const int16 ix = lane_col + ix0;
                v = strided16_masked(input, row + ix0, stride_w, ix >= 0 && ix < W, in_floats);
            }
            st16_row(v, dst + x0, Wq - x0, Wq, yq + 1 < min(Hq, yq0 + rows));
        }
    }
    if (plane == 0 && yq0 == 0) { /* the slack after the last plane */
        __global store_t *end = xp + (long)get_global_size(1) * Hq * Wq;
        for (int i = 0; i < slack; i++)
            ST(end, i, 0.0f);
    }
}
#endif

/* The taps k = (c, ky, kx) of conv2d_direct and conv2d_direct_t over
 * `channels` input channels from position pointer x: runs the statements
 * given after `channels` with `k` and `src` (the tap's first position) set.
 * A tap (ky, kx) reads phase ((ky * dil_h) % sh, (kx * dil_w) % sw) at row
 * (ky * dil_h) / sh, column (kx * dil_w) / sw, stepped incrementally:
 * moving one tap right is dwq columns and dwr phases on, and when the
 * phase wraps, back sw phases and one column on (alike for rows). Uses the
 * kernels' KH, KW, stride_h, stride_w, dil_h, dil_w, Wq, and phase and
 * cstride (a phase plane's and a channel's floats). */
#define DIRECT_FOR_EACH_TAP(x, channels, ...)                                             \
    do {                                                                                  \
        const int dhq_ = dil_h / stride_h, dhr_ = dil_h % stride_h;                       \
        const int dwq_ = dil_w / stride_w, dwr_ = dil_w % stride_w;                       \
        const long col_step_ = dwq_ + dwr_ * phase, col_wrap_ = 1 - stride_w * phase;     \
        const long row_step_ = (long)dhq_ * Wq + (long)dhr_ * stride_w * phase;           \
        const long row_wrap_ = Wq - (long)stride_h * stride_w * phase;                    \
        int k = 0;                                                                        \
        for (int c_ = 0; c_ < (channels); c_++) {                                         \
            __global const store_t *row_ = (x) + c_ * cstride;                            \
            int py_ = 0;                                                                  \
            for (int ky_ = 0; ky_ < KH; ky_++) {                                          \
                __global const store_t *src = row_;                                       \
                int px_ = 0;                                                              \
                for (int kx_ = 0; kx_ < KW; kx_++, k++) {                                 \
                    __VA_ARGS__                                                           \
                    src += col_step_;                                                     \
                    px_ += dwr_;                                                          \
                    if (px_ >= stride_w)                                                  \
                        px_ -= stride_w, src += col_wrap_;                                \
                }                                                                         \
                row_ += row_step_;                                                        \
                py_ += dhr_;                                                              \
                if (py_ >= stride_h)                                                      \
                    py_ -= stride_h, row_ += row_wrap_;                                   \
            }                                                                             \
        }                                                                                 \
    } while (0)

#if CONV2D_HAS(CONV2D_DIRECT)

__kernel void conv2d_direct(__global const store_t *restrict xp, long xp_off,
                            __global const store_t *restrict wpacked, long wpacked_off,
                            __global const store_t *restrict bias, long bias_off,
                            __global store_t *restrict output, long output_off,
                            __global const store_t *restrict residual, long residual_off, int C,
                            int OC, int OH, int OW, int KH, int KW, int stride_h, int stride_w,
                            int dil_h, int dil_w, int Hq, int Wq, int groups, int z0, float act_a,
                            float act_b, int has_bias, int has_res)
{
    xp += xp_off;
    wpacked += wpacked_off;
    bias += bias_off;
    output += output_off;
    residual += residual_off;
    const int cpg = C / groups, ocpg = OC / groups;
    const int m0 = get_global_id(0) * TM; /* output channel within the group */
    /* position tiles get_global_id(1) * per ..: the host shrinks dimension
     * 1 of the grid to give items of a short K several tiles */
    const int qtiles = (OH * Wq + TW - 1) / TW, gs = (int)get_global_size(1);
    const int per = (qtiles + gs - 1) / gs, qt0 = (int)get_global_id(1) * per;
    if (m0 >= ocpg || qt0 >= qtiles)
        return;
    const long z = get_global_id(2), za = z0 + z;
    const int n = (int)(za / groups), g = (int)(za % groups);
    const int K = cpg * KH * KW;
    const long phase = (long)Hq * Wq, cstride = phase * stride_h * stride_w;
    __global const store_t *x0 = xp + (z / groups * C + (long)g * cpg) * cstride;
    const long mtiles = (ocpg + TM - 1) / TM; /* weight panels per group */
    __global const store_t *w = wpacked + ((long)g * mtiles + get_global_id(0)) * K * TM;
    for (int qt = qt0; qt < min(qt0 + per, qtiles); qt++) {
        const int q0 = qt * TW; /* position oy * Wq + ox */
        __global const store_t *x = x0 + q0;
        float16 acc[TM][NV];
#pragma unroll
        for (int i = 0; i < TM; i++)
#pragma unroll
            for (int v = 0; v < NV; v++)
                acc[i][v] = (float16)(0.0f);

        DIRECT_FOR_EACH_TAP(x, cpg, {
            float16 bv[NV];
            _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = LD16(v, src);
            float aw[TM];
            LOAD_TM(aw, w + k * TM);
            _Pragma("unroll") for (int i = 0; i < TM; i++) {
                const float16 av = (float16)(aw[i]);
                _Pragma("unroll") for (int v = 0; v < NV; v++)
                    acc[i][v] = fma(av, bv[v], acc[i][v]);
            }
        });

        /* Bias (and the activation when no residual follows) on the whole
         * tile in registers, then the stores in a rolled loop over the
         * rows: unrolled TM times with both residual forms, the stores made
         * most of the kernel's code, and PoCL's code generation at its
         * first launch grows with it (ResNet-18's, on a 2-core EPYC: 0.92 s
         * unrolled, 0.30 s rolled). */
        float r[TM][TW];
#pragma unroll
        for (int i = 0; i < TM; i++) {
            const int oc = g * ocpg + min(m0 + i, ocpg - 1);
            const float16 b = (float16)(has_bias ? LD(bias, oc) : 0.0f);
#pragma unroll
            for (int v = 0; v < NV; v++) {
                const float16 t = acc[i][v] + b;
                PST16(has_res ? t : ACT_ANY(t), r[i] + v * 16);
            }
        }
        const int OHW = OH * OW;
        for (int i = 0; i < min(TM, ocpg - m0); i++) {
            const long plane = ((long)n * OC + g * ocpg + m0 + i) * OHW;
            __global store_t *y = output + plane;
            /* the tile's positions, row by row of the padded width: the first
             * OW of each row are outputs (a residual is added, and then the
             * activation applied, per output) */
            int oy = q0 / Wq, ox = q0 % Wq;
            for (int j = 0; j < TW && oy < OH; oy++) {
                const int run = min(TW - j, Wq - ox);
                const int valid = min(run, OW - ox);
                __global store_t *yr = y + oy * OW + ox;
                const float *ri = r[i] + j;
                /* one loop pair for both forms (the residual a uniform
                 * branch): a pair per form doubled the stores' code */
                __global const store_t *rr = residual + plane + oy * OW + ox;
                int t = 0;
                for (; t + 16 <= valid; t += 16) {
                    float16 v = PLD16(ri + t);
                    if (has_res)
                        v = ACT_ANY(v + LD16(0, rr + t));
                    ST16_ONE(v, yr + t);
                }
                for (; t < valid; t++) {
                    float v = ri[t];
                    if (has_res)
                        v = ACT_ANY(v + LD(rr, t));
                    ST(yr, t, v);
                }
                j += run;
                ox = 0;
            }
        }
    }
}

#endif

#if CONV2D_HAS(CONV2D_DIRECT_T)
/* 1x1 layers read each channel's TM positions once, a scalar load each
 * (the strided ones at stride_w apart) with little work between channels:
 * they ask for channel k + DT_AHEAD's line at channel k. ResNet-18's
 * 64 -> 128 downsampling alone, in a slow spell: 101-106 -> 63-97 us. */
#define DT_AHEAD 8
#ifdef DT_POOL /* TM = DT_POOL rows of DT_PC = DT_POOL * DT_PQ positions */
#define DT_PC (TM / DT_POOL)
#define DT_PQ (DT_PC / DT_POOL)
#endif
/* conv2d_direct_t: direct's implicit GEMM transposed, for small images
 * (groups 1). Rows are TM output positions of one output row, columns TW
 * output channels, so that a 7x7 image computes 49 positions in 7 tiles of
 * 7 instead of direct's 63 padded-width positions in 64 lanes. Work-item
 * (x, y, z): positions ox0 = (x % tpr) * TM .. of output row x / tpr (tpr
 * = ceil(OW / TM) tiles per row; positions past OW are computed from the
 * phase planes' next columns and dropped), output channels y * TW .., image
 * z of the chunk (z0 + z of the batch). Per tap k = (c, ky, kx): NV vector
 * loads of W^T packed in panels of TW output channels ([K, TW] per panel,
 * gemm_pack_bt) and TM scalars of the phase plane at that tap, adjacent.
 * x is fastest so that the items of one panel follow each other and share
 * it in cache. The tile is stored transposed (NCHW: a channel's positions
 * adjacent), one value at a time: TM * TW stores against K * TM * NV FMAs.
 * Position (oy, ox) of channel c lies at c * cstride + oy * row_pitch + ox
 * * col_stride: in the phase planes (cstride a channel's phases, row_pitch
 * Wq, col_stride 1), or, for a strided 1x1 or a stride-1 layer without
 * padding, in the input itself (H * W, stride_h * W, stride_w: no padded
 * copy; a row's last tile then reads no position past OW).
 * DT_POOL = P (a fused P x P max pool whose windows tile the output, stride
 * 1, no residual): OH x OW is then the pooled output, and an item's TM
 * positions are the P x P windows of DT_PQ adjacent pooled outputs (P conv
 * rows of DT_PC columns), whose maxima of act(conv + bias) it stores: the
 * conv's output is never written, and the pool needs no launch of its own
 * (the lecture CNN's second layer, whose reduction of 288 is too long for
 * "pooled"). */
__kernel void conv2d_direct_t(__global const store_t *restrict xp, long xp_off,
                              __global const store_t *restrict wpacked, long wpacked_off,
                              __global const store_t *restrict bias, long bias_off,
                              __global store_t *restrict output, long output_off,
                              __global const store_t *restrict residual, long residual_off,
                              int C, int OC, int OH, int OW, int KH, int KW, int stride_h,
                              int stride_w, int dil_h, int dil_w, int Hq, int Wq, int z0,
                              long cstride, int row_pitch, int col_stride, float act_a,
                              float act_b, int has_bias, int has_res)
{
    xp += xp_off;
    wpacked += wpacked_off;
    bias += bias_off;
    output += output_off;
    residual += residual_off;
#ifdef DT_POOL
    /* a fused DT_POOL x DT_POOL max pool: OH x OW is the pooled output; the
     * TM positions are DT_POOL conv rows of DT_PC columns, DT_PQ windows */
    const int tpr = (OW + DT_PQ - 1) / DT_PQ;
    const int py = (int)get_global_id(0) / tpr, qx0 = (int)get_global_id(0) % tpr * DT_PQ;
    const int oy = py * DT_POOL, ox0 = qx0 * DT_POOL, last_col = OW * DT_POOL - 1;
    if (py >= OH)
        return;
#else
    const int tpr = (OW + TM - 1) / TM;
    const int oy = (int)get_global_id(0) / tpr, ox0 = (int)get_global_id(0) % tpr * TM;
    if (oy >= OH)
        return;
#endif
    const int oc0 = (int)get_global_id(1) * TW;
    if (oc0 >= OC)
        return;
    const long z = get_global_id(2);
    const int K = C * KH * KW;
    const long phase = (long)Hq * Wq;
    __global const store_t *x = xp + z * C * cstride + (long)oy * row_pitch + ox0 * col_stride;
    __global const store_t *w = wpacked + get_global_id(1) * (long)K * TW;

    float16 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = (float16)(0.0f);
    /* one tap's multiply-adds: NV vectors of W^T times the TM positions in av */
    float av[TM];
#define DIRECT_T_FMAS(k)                                                                      \
    do {                                                                                      \
        float16 bv[NV];                                                                       \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = LD16(v, w + (k) * TW);         \
        _Pragma("unroll") for (int i = 0; i < TM; i++) {                                      \
            const float16 a = (float16)(av[i]);                                               \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[i][v] = fma(a, bv[v], acc[i][v]); \
        }                                                                                     \
    } while (0)
    /* where the TM positions lie from a tap's address, a row's last tile
     * reading its last position for those past OW (an input read in place
     * is then never read past its end) */
    int off[TM];
#ifdef DT_POOL /* the windows' positions, a last tile's past the pooled columns clamped */
    _Pragma("unroll") for (int i = 0; i < TM; i++) off[i] =
        (i / DT_PC) * row_pitch + min(i % DT_PC, last_col - ox0) * col_stride;
    DIRECT_FOR_EACH_TAP(x, C, _Pragma("unroll") for (int i = 0; i < TM; i++)
                                  av[i] = LD(src, off[i]);
                        DIRECT_T_FMAS(k););
#else
    _Pragma("unroll") for (int i = 0; i < TM; i++) off[i] = min(i, OW - 1 - ox0) * col_stride;
    if (KH * KW > 1 && ox0 + TM <= OW) {
        DIRECT_FOR_EACH_TAP(x, C, LOAD_TM(av, src); DIRECT_T_FMAS(k););
    } else if (KH * KW > 1) { /* a row's last tile (col_stride 1) */
        DIRECT_FOR_EACH_TAP(x, C, _Pragma("unroll") for (int i = 0; i < TM; i++)
                                      av[i] = LD(src, off[i]);
                            DIRECT_T_FMAS(k););
    } else if (col_stride == 1) { /* a channel per tap: no tap walk */
        for (int k = 0; k < C; k++) {
            PREFETCH_LINE(x + (k + DT_AHEAD) * cstride);
            LOAD_TM(av, x + k * cstride);
            DIRECT_T_FMAS(k);
        }
    } else { /* a strided 1x1 read in place (ResNets' downsampling) */
        for (int k = 0; k < C; k++) {
            __global const store_t *src = x + k * cstride;
            PREFETCH_LINE(src + DT_AHEAD * cstride);
            PREFETCH_LINE(src + DT_AHEAD * cstride + off[TM - 1]);
            _Pragma("unroll") for (int i = 0; i < TM; i++) av[i] = LD(src, off[i]);
            DIRECT_T_FMAS(k);
        }
    }
#endif
#undef DIRECT_T_FMAS

    /* bias on the tile in registers (a vector of output channels), the
     * activation too when no residual follows (per element, a
     * transcendental one would cost more than the product on short K);
     * then per output channel its positions, in rolled loops (small code,
     * as direct) */
#ifdef DT_POOL
    /* each window's maximum of act(conv + bias) in registers, DT_PQ rows
     * of r: the conv's output is never stored */
    float r[DT_PQ][TW];
#pragma unroll
    for (int v = 0; v < NV; v++) {
        const float16 b = has_bias ? ld16_clamped(bias, oc0 + v * 16, OC, 1) : (float16)(0.0f);
#pragma unroll
        for (int q = 0; q < DT_PQ; q++) {
            float16 m = ACT_ANY(acc[q * DT_POOL][v] + b);
#pragma unroll
            for (int i = 1; i < DT_POOL * DT_POOL; i++) {
                const int at = i / DT_POOL * DT_PC + q * DT_POOL + i % DT_POOL;
                m = MAX_NAN(m, ACT_ANY(acc[at][v] + b));
            }
            PST16(m, r[q] + v * 16);
        }
    }
    const int row = py, col0 = qx0, valid = min(DT_PQ, OW - qx0);
#else
    float r[TM][TW];
#pragma unroll
    for (int v = 0; v < NV; v++) {
        const float16 b = has_bias ? ld16_clamped(bias, oc0 + v * 16, OC, 1) : (float16)(0.0f);
#pragma unroll
        for (int i = 0; i < TM; i++) {
            const float16 y = acc[i][v] + b;
            PST16(has_res ? y : ACT_ANY(y), r[i] + v * 16);
        }
    }
    const int row = oy, col0 = ox0, valid = min(TM, OW - ox0);
#endif
    const int OHW = OH * OW;
    const long n = z0 + z;
    for (int j = 0; j < min(TW, OC - oc0); j++) {
        const long at = (n * OC + oc0 + j) * OHW + (long)row * OW + col0;
        if (has_res)
            for (int i = 0; i < valid; i++)
                ST(output, at + i, ACT_ANY(r[i][j] + LD(residual, at + i)));
        else
            for (int i = 0; i < valid; i++)
                ST(output, at + i, r[i][j]);
    }
}
#endif
