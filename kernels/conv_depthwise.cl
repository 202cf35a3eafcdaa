/*
 * conv_depthwise.cl - depthwise convolution (algorithm "depthwise" of
 * host/ops/conv2d.h, host: host/ops/conv_depthwise.c), NCHW: input [N, C, H,
 * W], weight [C, 1, KH, KW], optional bias [C], output [N, C, OH, OW];
 * padding given as top/left (bottom/right implied by OH, OW).
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
 *   work-group). Per plane it first copies the input rows those outputs read
 *   into a tile in local memory (work-group size 1: the tile is the item's
 *   own, and a CPU keeps it in cache), each row split into stride_w phases of
 *   `twp` floats (padded column X at phase X % stride_w, index X / stride_w);
 *   the padding around them (zeros) is written once per item, the same for all
 *   its planes. Every tap of 16 outputs is then one unguarded vector load, for
 *   any stride and dilation. Rows go DW_ROWS (4) at a time, one accumulator
 *   each; DW_K x DW_K windows (3x3; 5x5 in a -DDW_K=5 program) with
 *   dilation 1 and stride_h 1 or 2 load each tile row once for all the
 *   output rows that read it. Input rows are read 16 floats at a time, past
 *   the row end but never past the tensor's; a row's last 16 outputs are
 *   stored whole when the floats past the row belong to outputs the item
 *   writes later (rows and planes in order, columns right to left). The host
 *   sizes the tile: twp (a multiple of 16) holds the 16-float steps over the
 *   output columns from every tap and the padded row copied in 16-float steps;
 *   (4 * ceil(rows / 4) - 1) * stride_h + (KH - 1) * dil_h + 1 rows; 16 spare
 *   floats.
 * conv2d_depthwise_flat (the CPU variant's form for whole small planes at
 *   stride 1, the host's choice; a kernel of its own, compiled only where
 *   launched): work-item (0, 0, z) computes planes z * planes.. (below
 *   `total`), each flattened into the tile with pitch P = pad_left + W +
 *   pad_right (padded row R at R * P: the zeros once per item, then per
 *   plane the values), so that output q = oy * P + ox reads tap (ky, kx)
 *   at q + ky * dil_h * P + kx * dil_w: 16 consecutive q are one vector
 *   load per tap, the padding columns computed and dropped. A 7x7 output
 *   of a 5x5 window (P = 11) fills 49 of 80 lanes this way, 49 of 128 in
 *   rows of 16, 4 at a time. The sums go through a buffer after the flat
 *   tile (`obuf`) to the output rows.
 *
 * conv2d_depthwise_c16 and conv2d_expand_c16 (the channel-blocked layout
 *   NCHW16c) are in conv_blocked.cl, which the host builds into this
 *   file's program after it (host/program_cache.c: one program, one
 *   build, for a model's depthwise layers of a window size and
 *   activation).
 * conv2d_dwpw (host/ops/conv_dwpw.h): the depthwise layer and the 1x1
 *   convolution after it in one launch, see its banner at the end of the
 *   file. It shares the program of the other kernels of the same window
 *   size and activation (one build per model for all its depthwise
 *   layers; PoCL generates each kernel's code at its first launch only).
 *
 * Tunables: HAS_BIAS (0/1), ACT (see prelude.cl), DW_K (3 or 5).
 */
#define DW_ROWS 4 /* conv2d_depthwise_rows: output rows computed together */

__kernel void conv2d_depthwise(__global const store_t *restrict input, long input_off,
                               __global const store_t *restrict weight, long weight_off,
                               __global const store_t *restrict bias, long bias_off,
                               __global store_t *restrict output, long output_off, int C, int H,
                               int W, int OH, int OW, int KH, int KW, int stride_h, int stride_w,
                               int pad_top, int pad_left, int dil_h, int dil_w, float act_a,
                               float act_b)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const int ox0 = get_global_id(0) * 16;
    const int oy = get_global_id(1);
    const long plane = get_global_id(2);
    if (ox0 >= OW)
        return;
    const int c = (int)(plane % C);
    __global const store_t *in = input + plane * H * W;
    __global const store_t *w = weight + (long)c * KH * KW;
    const int ix0 = ox0 * stride_w - pad_left;
    float16 acc = (float16)(0.0f);
    for (int ky = 0; ky < KH; ky++) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy < 0 || iy >= H)
            continue;
        __global const store_t *row = in + (long)iy * W;
        for (int kx = 0; kx < KW; kx++) {
            const int ix = ix0 + kx * dil_w; /* input column of output ox0 */
            const int last = ix + 15 * stride_w;
            float16 v;
            if (ix >= 0 && last < W && stride_w == 1) {
                v = LD16(0, row + ix);
            } else if (ix >= 0 && last + 1 < W && stride_w == 2) {
                v = (float16)(LD16(0, row + ix).even, LD16(0, row + ix + 16).even);
            } else {
                float t[16];
                for (int j = 0; j < 16; j++) {
                    const int xj = ix + j * stride_w;
                    t[j] = xj >= 0 && xj < W ? LD(row, xj) : 0.0f;
                }
                v = vload16(0, t);
            }
            acc = fma(v, (float16)(LD(w, ky * KW + kx)), acc);
        }
    }
#if HAS_BIAS
    acc += (float16)(LD(bias, c));
#endif
    acc = ACT_ANY(acc);
    __global store_t *y = output + (plane * OH + oy) * (long)OW + ox0;
    if (ox0 + 16 <= OW) {
        ST16_ONE(acc, y);
    } else {
        float t[16];
        vstore16(acc, 0, t);
        for (int j = 0; ox0 + j < OW; j++)
            ST(y, j, t[j]);
    }
}

#define DW_LANES ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))

/* 16 floats of `src` from x, those from W on zero. Reads past the row
 * (up to 15 floats): the caller checks they are in the tensor. */
static float16 depthwise_load_row(__global const store_t *src, int x, int W)
{
    const float16 v = LD16(0, src + x);
    return x + 16 <= W ? v : select((float16)(0.0f), v, DW_LANES < W - x);
}

/* Copies input row `src` (W floats, `room` floats readable from it) into
 * tile row `dst` for stride_w 1, after pad_left zeros (already there,
 * written once per item); the 16-float steps write zeros past W: inside
 * the row in conv2d_depthwise_rows (the host leaves room in tw for them),
 * over the next row's start in conv2d_depthwise_flat (copied after). */
static void depthwise_copy_row(__local float *dst, __global const store_t *src, int W, long room,
                               int pad_left)
{
    __local float *row = dst + pad_left;
    int x = 0;
    for (; x < W && x + 16 <= room; x += 16)
        VST16_LOCAL(depthwise_load_row(src, x, W), row + x);
    for (; x < W; x++) /* the end of the tensor */
        row[x] = LD(src, x);
}

/* The same for stride_w > 1: the row split into stride_w phases of twp
 * floats (padded column X at phase X % stride_w, index X / stride_w). */
static void depthwise_split_row(__local float *dst, __global const store_t *src, int W, long room,
                                int pad_left, int stride_w, int twp)
{
    int x = 0;
    if (stride_w == 2) { /* even inputs to one phase, odd ones to the other */
        __local float *ev = dst + (pad_left & 1) * twp + (pad_left >> 1);
        __local float *od = dst + ((pad_left + 1) & 1) * twp + ((pad_left + 1) >> 1);
        for (; x + 32 <= W; x += 32) {
            const float16 a = LD16(0, src + x), b = LD16(0, src + x + 16);
            VST16_LOCAL((float16)(a.even, b.even), ev + x / 2);
            VST16_LOCAL((float16)(a.odd, b.odd), od + x / 2);
        }
        for (; x < W && x + 16 <= room; x += 16) {
            const float16 a = depthwise_load_row(src, x, W);
            vstore8(a.even, 0, ev + x / 2);
            vstore8(a.odd, 0, od + x / 2);
        }
        for (; x + 2 <= W; x += 2) { /* the end of the tensor */
            ev[x / 2] = LD(src, x);
            od[x / 2] = LD(src, x + 1);
        }
        if (x < W)
            ev[x / 2] = LD(src, x);
        return;
    }
    for (; x < W; x++) {
        const int X = pad_left + x;
        dst[X % stride_w * twp + X / stride_w] = LD(src, x);
    }
}

/* Zeroes the padding of the tile of input rows iy0 .. iy0 + th - 1 (row r
 * at r * stride_w * twp): rows outside the image, split rows (stride_w >
 * 1: phases interleave values and padding) whole; in the others the
 * pad_left floats before the W values and the rest of the row after them
 * (the last 16-float step may run into the next row: zeros where that
 * row's values come later). Once per item: its planes put their values at
 * the same places, and depthwise_fill writes nothing but values and
 * zeros. */
static void depthwise_zero_padding(__local float *tile, int H, int W, int iy0, int th,
                                   int pad_left, int stride_w, int twp)
{
    const int tw = stride_w * twp;
    for (int r = 0; r < th; r++) {
        __local float *dst = tile + r * tw;
        const int iy = iy0 + r;
        int t = 0;
        if (iy >= 0 && iy < H && stride_w == 1) {
            for (; t < pad_left; t++)
                dst[t] = 0.0f;
            t = pad_left + W;
        }
        for (; t < tw; t += 16)
            VST16_LOCAL((float16)(0.0f), dst + t);
    }
}

/* Copies the image's values in input rows iy0 .. iy0 + th - 1 of plane
 * `in` (`room` floats readable from its start) into `tile`, row r at r *
 * stride_w * twp, the padding around them already zero
 * (depthwise_zero_padding). */
static void depthwise_fill(__local float *tile, __global const store_t *in, long room, int H,
                           int W, int iy0, int th, int pad_left, int stride_w, int twp)
{
    const int tw = stride_w * twp;
    for (int r = max(0, -iy0); r < min(th, H - iy0); r++) { /* the rows inside the image */
        __local float *dst = tile + r * tw;
        const long at = (long)(iy0 + r) * W;
        if (stride_w == 1) {
            depthwise_copy_row(dst, in + at, W, room - at, pad_left);
        } else {
            depthwise_split_row(dst, in + at, W, room - at, pad_left, stride_w, twp);
        }
    }
}

/* Stores the first min(16, OW - ox0) lanes of `v` (activated) at y + ox0,
 * or all 16 when `spill`: the floats past the row then land on outputs this
 * item writes later (it goes through its rows and planes in order). */
static void depthwise_store(float16 v, __global store_t *y, int ox0, int OW, int spill,
                            float act_a, float act_b)
{
    st16_first(ACT_ANY(v), y + ox0, spill ? 16 : OW - ox0);
}

/* The fast path: DW_K x DW_K windows (a build option, 3 unless the host
 * passes 5 for a layer of this path: a program of its own, without the
 * generic path, so that only models with such layers compile its code),
 * dilation 1, stride_h SH (1 or 2, a constant where it is
 * called): each tile row's DW_K column taps are loaded once and added to
 * every one of the DW_ROWS output rows that reads them, the DW_K * DW_K
 * weights in registers. One load serves up to DW_K FMAs where the generic
 * path loads once per FMA. */
#ifndef DW_K
#define DW_K 3
#endif

/* Channel c's bias in every lane (zero without HAS_BIAS). */
static inline __attribute__((always_inline)) float16 depthwise_bias(__global const store_t *bias,
                                                                    int c)
{
#if HAS_BIAS
    return (float16)(LD(bias, c));
#else
    return (float16)(0.0f);
#endif
}

/* Where tap kx of the fast path reads in a tile row split into stride
 * phases of twp floats: phase kx % stride, column kx / stride. */
static inline __attribute__((always_inline)) void depthwise_tap_offsets(int *off, int stride,
                                                                        int twp)
{
#pragma unroll
    for (int k = 0; k < DW_K; k++)
        off[k] = k % stride * twp + k / stride;
}

static inline __attribute__((always_inline)) void
depthwise_fast_taps(__local const float *s, int tw, const int *off, const float16 *wk,
                    float16 *acc, const int SH)
{
#pragma unroll
    for (int i = 0; i < (DW_ROWS - 1) * SH + DW_K; i++) /* tile rows */
#pragma unroll
        for (int kx = 0; kx < DW_K; kx++) {
            const float16 v = vload16(0, s + i * tw + off[kx]);
#pragma unroll
            for (int j = 0; j < DW_ROWS; j++) { /* output rows reading tile row i */
                const int ky = i - j * SH;
                if (ky >= 0 && ky < DW_K)
                    acc[j] = fma(v, wk[ky * DW_K + kx], acc[j]);
            }
        }
}

/* Output rows oy0 .. oy0 + n - 1 of `plane` (see conv2d_depthwise_rows;
 * the item writes `more` rows right after them later), DW_ROWS rows at a
 * time: four independent accumulators keep the FMA pipeline busy (one
 * accumulator waits on each FMA's latency). */
static void depthwise_block(__global const store_t *restrict input,
                            __global const store_t *restrict weight,
                            __global const store_t *restrict bias,
                            __global store_t *restrict output, __local float *tile, long plane,
                            int oy0, int n, int C, int H, int W, int OH, int OW, int KH, int KW,
                            int stride_h, int stride_w, int pad_top, int pad_left, int dil_h,
                            int dil_w, int twp, int more, long total, float act_a, float act_b)
{
    const int c = (int)(plane % C);
    __global const store_t *w = weight + (long)c * KH * KW;
    const int n4 = (n + DW_ROWS - 1) / DW_ROWS * DW_ROWS;
    depthwise_fill(tile, input + plane * H * W, (total - plane) * H * W, H, W,
                   oy0 * stride_h - pad_top,
                   (n4 - 1) * stride_h + (KH - 1) * dil_h + 1, pad_left, stride_w, twp);
    const float16 b = depthwise_bias(bias, c);
    const int tw = stride_w * twp, rs = stride_h * tw; /* tile floats per row, per output row */
    const int fast = KH == DW_K && KW == DW_K && dil_h == 1 && dil_w == 1 && stride_h <= 2;
    int off[DW_K];
    depthwise_tap_offsets(off, stride_w, twp);
    float16 wk[DW_K * DW_K];
#pragma unroll
    for (int k = 0; k < DW_K * DW_K; k++)
        wk[k] = fast ? (float16)(LD(w, k)) : (float16)(0.0f);
    for (int r = 0; r < n; r += DW_ROWS) {
        __global store_t *y = output + (plane * OH + oy0 + r) * (long)OW;
        for (int ox0 = (OW - 1) / 16 * 16; ox0 >= 0; ox0 -= 16) {
            float16 acc[DW_ROWS] = {b, b, b, b};
            __local const float *s = tile + r * rs + ox0;
            if (fast && stride_h == 1) {
                depthwise_fast_taps(s, tw, off, wk, acc, 1);
            } else if (fast) {
                depthwise_fast_taps(s, tw, off, wk, acc, 2);
            } else {
#if DW_K == 3 /* a DW_K = 5 program runs only layers of its fast path */
                for (int ky = 0; ky < KH; ky++)
                    for (int kx = 0; kx < KW; kx++) {
                        const int X = kx * dil_w;
                        __local const float *t =
                            s + ky * dil_h * tw + X % stride_w * twp + X / stride_w;
                        const float16 wt = (float16)(LD(w, ky * KW + kx));
#pragma unroll
                        for (int j = 0; j < DW_ROWS; j++)
                            acc[j] = fma(vload16(0, t + j * rs), wt, acc[j]);
                    }
#endif
            }
            /* A row's last step may spill up to 15 floats into the next
             * row when this item writes at least 16 outputs after the row,
             * all later: the next row's first step comes after (steps go
             * right to left, rows top to bottom). */
            const int after = n - r - 1 + more; /* rows of this item after row r */
            if (ox0 + 16 <= OW) { /* whole vectors, the rows unrolled */
                ST16_ONE(ACT_ANY(acc[0]), y + ox0);
                if (r + 1 < n)
                    ST16_ONE(ACT_ANY(acc[1]), y + OW + ox0);
                if (r + 2 < n)
                    ST16_ONE(ACT_ANY(acc[2]), y + 2 * OW + ox0);
                if (r + 3 < n)
                    ST16_ONE(ACT_ANY(acc[3]), y + 3 * OW + ox0);
            } else {
                /* a row's end in one rolled loop over the rows: four inlined
                 * partial stores were a good part of the kernel's code, which
                 * PoCL compiles at the kernel's first launch */
                for (int i = 0; i < min(DW_ROWS, n - r); i++)
                    depthwise_store(acc[i], y + i * OW, ox0, OW, (after - i) * OW >= 16,
                                    act_a, act_b);
            }
        }
    }
}

/* conv2d_depthwise_flat: see the file's banner. */
__kernel void conv2d_depthwise_flat(__global const store_t *restrict input, long input_off,
                                    __global const store_t *restrict weight, long weight_off,
                                    __global const store_t *restrict bias, long bias_off,
                                    __global store_t *restrict output, long output_off,
                                    __local float *tile, int C, int H, int W, int OH, int OW,
                                    int KH, int KW, int pad_top, int pad_left, int dil_h,
                                    int dil_w, int planes, int total, int P, float act_a,
                                    float act_b)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const long plane0 = get_global_id(2) * (long)planes;
    const long end = min(plane0 + planes, (long)total);
    const int th = OH + (KH - 1) * dil_h, nvec = (OH * P + 15) / 16;
    const int reach = nvec * 16 + (KH - 1) * dil_h * P + (KW - 1) * dil_w;
    const int flat = (max(th * P + 16, reach) + 15) / 16 * 16; /* floats of the flat tile */
    __local float *obuf = tile + flat;
    for (int t = 0; t < flat; t += 16)
        VST16_LOCAL((float16)(0.0f), tile + t);
    for (long plane = plane0; plane < end; plane++) {
        const long at = plane * H * W;
        for (int iy = 0; iy < H; iy++) /* rows in order: a row's last step writes zeros
                                         * over the next one's start, copied after */
            depthwise_copy_row(tile + (iy + pad_top) * P, input + at + (long)iy * W, W,
                               (total - plane) * H * W - (long)iy * W, pad_left);
        const int c = (int)(plane % C);
        __global const store_t *w = weight + (long)c * KH * KW;
        const float16 b = depthwise_bias(bias, c);
        for (int j0 = 0; j0 < nvec; j0 += DW_ROWS) {
            float16 acc[DW_ROWS] = {b, b, b, b};
            for (int ky = 0; ky < KH; ky++)
                for (int kx = 0; kx < KW; kx++) {
                    __local const float *t = tile + j0 * 16 + ky * dil_h * P + kx * dil_w;
                    const float16 wt = (float16)(LD(w, ky * KW + kx));
#pragma unroll
                    for (int j = 0; j < DW_ROWS; j++)
                        if (j0 + j < nvec)
                            acc[j] = fma(vload16(0, t + j * 16), wt, acc[j]);
                }
#pragma unroll
            for (int j = 0; j < DW_ROWS; j++)
                if (j0 + j < nvec)
                    VST16_LOCAL(acc[j], obuf + (j0 + j) * 16);
        }
        __global store_t *y = output + plane * OH * OW;
        const long after = (end - plane - 1) * OH * OW; /* outputs of later planes */
        for (int oy = 0; oy < OH; oy++) /* rows and columns in order: a step's 16 */
            for (int ox0 = 0; ox0 < OW; ox0 += 16) /* spill onto outputs stored later */
                depthwise_store(vload16(0, obuf + oy * P + ox0), y + oy * OW, ox0, OW,
                                (OW - ox0) + (OH - oy - 1) * OW + after >= 16, act_a, act_b);
    }
}

__kernel void conv2d_depthwise_rows(__global const store_t *restrict input, long input_off,
                                    __global const store_t *restrict weight, long weight_off,
                                    __global const store_t *restrict bias, long bias_off,
                                    __global store_t *restrict output, long output_off,
                                    __local float *tile, int C, int H, int W, int OH, int OW,
                                    int KH, int KW, int stride_h, int stride_w, int pad_top,
                                    int pad_left, int dil_h, int dil_w, int rows, int planes,
                                    int total, int twp, float act_a, float act_b)
{
    input += input_off;
    weight += weight_off;
    bias += bias_off;
    output += output_off;
    const int oy0 = get_global_id(1) * rows;
    const long plane0 = get_global_id(2) * (long)planes;
    if (oy0 >= OH)
        return;
    const long end = min(plane0 + planes, (long)total);
    const int n = min(rows, OH - oy0);
    /* the tile's padding, once; its rows as depthwise_block fills them */
    const int n4 = (n + DW_ROWS - 1) / DW_ROWS * DW_ROWS;
    depthwise_zero_padding(tile, H, W, oy0 * stride_h - pad_top,
                           (n4 - 1) * stride_h + (KH - 1) * dil_h + 1, pad_left, stride_w, twp);
    for (long plane = plane0; plane < end; plane++) /* rows after the block: whole planes */
        depthwise_block(input, weight, bias, output, tile, plane, oy0, n, C, H, W, OH, OW, KH, KW,
                        stride_h, stride_w, pad_top, pad_left, dil_h, dil_w, twp,
                        n == OH ? (int)(end - plane - 1) * OH : 0, total, act_a, act_b);
}

/* conv2d_dwpw (host/ops/conv_dwpw.h): a depthwise convolution (DW_K x
 * DW_K, stride 1 or 2, dilation 1, its bias and activation ACT) and the
 * 1x1 convolution that alone reads it (C -> OC, bias, residual, no
 * activation) in one launch: the inverted residual blocks' depthwise
 * layer and projection. Work-item (0, y, n) computes output rows 4y ..
 * 4y + 3 of image n, every output channel. First, per channel, the
 * depthwise rows as conv2d_depthwise_rows computes them (the input rows
 * copied into the padded tile `tile`, every tap a vector load) go to `d`,
 * [C][4 * OWP] (OWP: OW rounded up to 16; lanes past OW hold values of
 * the padding, computed and never stored); then the projection is a
 * product of the packed weights [OC / PW_TM][C][PW_TM] with d, PW_TM x
 * PW_NV vectors of sums per step, its columns the 4 rows' pixels. The
 * depthwise output never goes to global memory and the pair is one launch
 * fewer (PoCL starts each launch 6-15 us late on two threads).
 * K > 0: the block's 1x1 expansion too, before a stride-2 layer (input x
 * [N, K, H, W], ex_w [C][K], ex_b [C] or none, the depthwise layer's
 * activation after it): the tiles of EXP_CB channels at a time are
 * computed from x instead of copied (dwpw_expand_fill; `tile` holds
 * EXP_CB tiles of tile_floats), and the expanded tensor, the block's
 * largest, never goes to memory. K is an argument, not a build option:
 * one program per window size and activation serves every such layer of a
 * model, and the other depthwise kernels (each program costs a cold start
 * a build). */
#define PW_TM 6  /* = DWPW_PANEL_ROWS (host/ops/conv_dwpw.h: the packing; half reads 4 + 2) */
#define PW_NV 4
#define EXP_CB 4 /* = DWPW_EXPAND_CHANNELS (host/ops/conv_dwpw.h: the tiles) */

/* 16 values of a row from src (n of them in the row, `left` readable
 * from src): lanes past the row are whatever follows (the callers mask or
 * never store their results), or zero at the tensor's end. The
 * projection's residual and the expansion's input rows. */
static inline __attribute__((always_inline)) float16 dwpw_load16(__global const store_t *src,
                                                                 int n, long left)
{
    if (n <= 0)
        return (float16)(0.0f);
    if (left >= 16)
        return LD16(0, src);
    float t[16];
    for (int j = 0; j < 16; j++)
        t[j] = j < n && j < left ? LD(src, j) : 0.0f;
    return vload16(0, t);
}

/* Stage one: channel c's depthwise rows oy0 .. oy0 + 3 from its filled
 * tile (tile row r at r * stride * twp, the padding zero) into d_c (4
 * rows of OWP). */
static void dwpw_depthwise(__local const float *tile, __global const store_t *weight,
                           __global const store_t *bias, __local float *d_c, int c, int OW,
                           int OWP, int stride, int twp, float act_a, float act_b)
{
    float16 wk[DW_K * DW_K];
#pragma unroll
    for (int k = 0; k < DW_K * DW_K; k++)
        wk[k] = (float16)(LD(weight, (long)c * DW_K * DW_K + k));
    const float16 b = depthwise_bias(bias, c);
    int off[DW_K];
    depthwise_tap_offsets(off, stride, twp);
    const int tw = stride * twp;
    for (int ox0 = 0; ox0 < OW; ox0 += 16) {
        float16 acc[DW_ROWS] = {b, b, b, b};
        if (stride == 1)
            depthwise_fast_taps(tile + ox0, tw, off, wk, acc, 1);
        else
            depthwise_fast_taps(tile + ox0, tw, off, wk, acc, 2);
#pragma unroll
        for (int j = 0; j < DW_ROWS; j++)
            VST16_LOCAL(ACT_ANY(acc[j]), d_c + j * OWP + ox0);
    }
}

/* With an expansion (K > 0: the block's 1x1 expansion K -> C with
 * the depthwise layer's activation, weights [C][K]), the tiles are filled
 * from it instead of from memory: EXP_CB channels at a time, 32 columns
 * per step, so that each input vector feeds EXP_CB FMAs. */

/* Stores the expanded values of columns xv .. xv + 31 (a, b; lanes past
 * W already zero) into tile row dst as depthwise_split_row stores a row
 * at stride 2 (the host fuses the expansion only before stride-2 layers:
 * at stride 1 a work-item would compute 6 expanded rows for 4). */
static inline __attribute__((always_inline)) void
dwpw_tile_store(__local float *dst, float16 a, float16 b, int xv, int W, int pad_left, int twp)
{
    __local float *ev = dst + (pad_left & 1) * twp + (pad_left >> 1);
    __local float *od = dst + ((pad_left + 1) & 1) * twp + ((pad_left + 1) >> 1);
    if (xv + 32 <= W) {
        VST16_LOCAL((float16)(a.even, b.even), ev + xv / 2);
        VST16_LOCAL((float16)(a.odd, b.odd), od + xv / 2);
        return;
    }
    vstore8(a.even, 0, ev + xv / 2);
    vstore8(a.odd, 0, od + xv / 2);
    if (xv + 16 < W) {
        vstore8(b.even, 0, ev + xv / 2 + 8);
        vstore8(b.odd, 0, od + xv / 2 + 8);
    }
}

/* Fills the tiles of channels c0 .. c0 + EXP_CB - 1 (tile j at tile + j *
 * tile_floats, stride 2; channels past C repeat the last one) with the
 * expansion of input rows iy0 .. iy0 + th - 1 of image x (K planes of H x
 * W, `room` floats readable from x). */
static void dwpw_expand_fill(__local float *tile, int tile_floats, __global const store_t *x,
                             long room, __global const store_t *we, __global const store_t *eb,
                             int has_eb, int c0, int C, int K, int H, int W, int iy0, int th,
                             int pad_left, int twp, float act_a, float act_b)
{
    const long HW = (long)H * W;
    int cc[EXP_CB];
    float be[EXP_CB];
#pragma unroll
    for (int j = 0; j < EXP_CB; j++) {
        cc[j] = min(c0 + j, C - 1);
        be[j] = has_eb ? LD(eb, cc[j]) : 0.0f;
    }
    for (int r = max(0, -iy0); r < min(th, H - iy0); r++) {
        const long at = (long)(iy0 + r) * W;
        for (int xv = 0; xv < W; xv += 32) {
            float16 acc[EXP_CB][2];
#pragma unroll
            for (int j = 0; j < EXP_CB; j++)
                acc[j][0] = acc[j][1] = (float16)(be[j]);
            for (int k = 0; k < K; k++) {
                const long o = k * HW + at + xv;
                const float16 v0 = dwpw_load16(x + o, W - xv, room - o);
                const float16 v1 = dwpw_load16(x + o + 16, W - xv - 16, room - o - 16);
#pragma unroll
                for (int j = 0; j < EXP_CB; j++) {
                    const float16 w = (float16)(LD(we, (long)cc[j] * K + k));
                    acc[j][0] = fma(w, v0, acc[j][0]);
                    acc[j][1] = fma(w, v1, acc[j][1]);
                }
            }
#pragma unroll
            for (int j = 0; j < EXP_CB; j++) {
                const float16 a = select((float16)(0.0f), ACT_ANY(acc[j][0]), DW_LANES < W - xv);
                const float16 b =
                    select((float16)(0.0f), ACT_ANY(acc[j][1]), DW_LANES < W - xv - 16);
                dwpw_tile_store(tile + j * tile_floats + r * 2 * twp, a, b, xv, W, pad_left, twp);
            }
        }
    }
}

/* Stage two's epilogue for output channel o: bias, residual, the first
 * OW - x lanes of each vector stored (all 16 where the rest land on a
 * row this item writes later). No restrict on the helpers' pointers:
 * inlined, they leave llvm.experimental.noalias.scope.decl, which
 * Oclgrind cannot run (tests/oclgrind/run.sh). */
static inline __attribute__((always_inline)) void
dwpw_store(const float16 *acc, __global const store_t *residual, __global store_t *out, float bo,
           int has_res, long at, long total, int col0, int OW, int OWP, int OH, int oy0)
{
#pragma unroll
    for (int v = 0; v < PW_NV; v++) {
        const int col = col0 + v * 16, j = col / OWP, x = col % OWP, oy = oy0 + j;
        if (x >= OW || oy >= OH)
            continue;
        const long y = at + (long)oy * OW + x;
        float16 sum = acc[v] + (float16)(bo);
        if (has_res)
            sum += dwpw_load16(residual + y, OW - x, total - y);
        st16_row(sum, out + y, OW - x, OW, oy + 1 < min(OH, oy0 + DW_ROWS));
    }
}

__kernel void conv2d_dwpw(__global const store_t *restrict input, long input_off,
                          __global const store_t *restrict ex_w, long ex_w_off,
                          __global const store_t *restrict ex_b, long ex_b_off,
                          __global const store_t *restrict weight, long weight_off,
                          __global const store_t *restrict bias, long bias_off,
                          __global const store_t *restrict pw, long pw_off,
                          __global const store_t *restrict pw_bias, long pw_bias_off,
                          __global const store_t *restrict residual, long residual_off,
                          __global store_t *restrict output, long output_off,
                          __local float *tile, __local float *d, int C, int H, int W, int OH,
                          int OW, int OC, int stride, int pad_top, int pad_left, int twp,
                          int total_planes, int has_pw_bias, int has_res, int K,
                          int has_ex_bias, int tile_floats, float act_a, float act_b)
{
    input += input_off;
    ex_w += ex_w_off;
    ex_b += ex_b_off;
    weight += weight_off;
    bias += bias_off;
    pw += pw_off;
    pw_bias += pw_bias_off;
    residual += residual_off;
    output += output_off;
    const int oy0 = get_global_id(1) * DW_ROWS;
    const long n = get_global_id(2);
    if (oy0 >= OH)
        return;
    const int OWP = (OW + 15) / 16 * 16, cols = DW_ROWS * OWP; /* d's row: 4 output rows */
    const int iy0 = oy0 * stride - pad_top, th = (DW_ROWS - 1) * stride + DW_K;
    if (K > 0) { /* total_planes: the input's, N * K */
        for (int j = 0; j < EXP_CB; j++)
            depthwise_zero_padding(tile + j * tile_floats, H, W, iy0, th, pad_left, stride, twp);
        const long image = n * K * H * W;
        for (int c0 = 0; c0 < C; c0 += EXP_CB) {
            dwpw_expand_fill(tile, tile_floats, input + image,
                             (long)total_planes * H * W - image, ex_w, ex_b, has_ex_bias, c0, C,
                             K, H, W, iy0, th, pad_left, twp, act_a, act_b);
            for (int j = 0; j < min(EXP_CB, C - c0); j++)
                dwpw_depthwise(tile + j * tile_floats, weight, bias, d + (long)(c0 + j) * cols,
                               c0 + j, OW, OWP, stride, twp, act_a, act_b);
        }
    } else {
        depthwise_zero_padding(tile, H, W, iy0, th, pad_left, stride, twp);
        for (int c = 0; c < C; c++) {
            const long plane = n * C + c;
            depthwise_fill(tile, input + plane * H * W, (total_planes - plane) * H * W, H, W,
                           iy0, th, pad_left, stride, twp);
            dwpw_depthwise(tile, weight, bias, d + (long)c * cols, c, OW, OWP, stride, twp,
                           act_a, act_b);
        }
    }
    const long total = (long)get_global_size(2) * OC * OH * OW;
    for (int m0 = 0; m0 < OC; m0 += PW_TM) {
        __global const store_t *a = pw + (long)m0 * C; /* panel m0 / PW_TM: [C][PW_TM] */
        for (int col0 = 0; col0 < cols; col0 += 16 * PW_NV) {
            float16 acc[PW_TM][PW_NV];
#pragma unroll
            for (int i = 0; i < PW_TM; i++)
#pragma unroll
                for (int v = 0; v < PW_NV; v++)
                    acc[i][v] = (float16)(0.0f);
            __local const float *dk = d + col0;
            for (int k = 0; k < C; k++, dk += cols) {
                float16 bv[PW_NV];
#pragma unroll
                for (int v = 0; v < PW_NV; v++)
                    bv[v] = vload16(v, dk);
#if STORE_HALF
                /* half: the panel's PW_TM weights of k converted by two
                 * vector conversions, not one each */
                float as[8];
                vstore4(LD4(0, a + (long)k * PW_TM), 0, as);
                vstore2(LD2(0, a + (long)k * PW_TM + 4), 0, as + 4);
#endif
#pragma unroll
                for (int i = 0; i < PW_TM; i++) {
#if STORE_HALF
                    const float16 av = (float16)(as[i]);
#else
                    const float16 av = (float16)(LD(a, (long)k * PW_TM + i));
#endif
#pragma unroll
                    for (int v = 0; v < PW_NV; v++)
                        acc[i][v] = fma(av, bv[v], acc[i][v]);
                }
            }
            for (int i = 0; i < min(PW_TM, OC - m0); i++) /* rolled: the stores' code once */
                dwpw_store(acc[i], residual, output, has_pw_bias ? LD(pw_bias, m0 + i) : 0.0f,
                           has_res, (n * OC + m0 + i) * (long)OH * OW, total, col0, OW, OWP, OH,
                           oy0);
        }
    }
}
