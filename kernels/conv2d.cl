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
 * The depthwise algorithm's kernels are in conv_depthwise.cl.
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
#define CONV2D_POOLED 5 /* conv2d_pooled */
#define CONV2D_STEM 6   /* conv2d_stem */
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

/* ---------------------------------------------------------------- pooled */
#if CONV2D_HAS(CONV2D_POOLED)
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

#endif

/* ------------------------------------------------------------------ stem */
#if CONV2D_HAS(CONV2D_STEM)
#define STEM_OC 16    /* output channels per item: their sums fill 16 registers */
#define STEM_MAX_K 32 /* taps C * KH * KW at most (host/ops/conv2d.c) */

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
#endif
