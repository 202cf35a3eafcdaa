/*
 * conv_winograd.cl - Winograd convolution F(WM x WM, 3 x 3) for 3x3, stride
 * 1, dilation 1, groups 1 convolutions, NCHW, fp32 (algorithm "winograd";
 * host: host/ops/conv_winograd.c). With A = WM + 2 (the tile of input each
 * WM x WM output tile reads), the output is
 *   Y[n, oc, tile] = A^T (sum over c of U[oc, c] .* V[c, tile]) A
 *   U = G g G^T (the weights, A x A per (oc, c)), V = B^T d B (d: the A x A
 *   input patch of the tile, zero outside the image),
 * i.e. A * A independent GEMMs [OC, C] x [C, tiles] (gemm.cl does them,
 * built with -DSTORE_FLOAT, between three kernels here; on CPUs, where an
 * item's panels are small, conv2d_winograd_fused does them and the output
 * transform in one). U, V and M are
 * float buffers (wide_t) in every precision: F(4x4)'s transforms scale
 * values by up to 25 and cancel them again, and in half they lost 2% of
 * the output's scale; X, W, the bias, R and Y are store_t tensors.
 *
 * conv2d_winograd_weights (once per session): work-item (x, y) transforms
 *   the 3x3 weights of input channels 16x..16x+15, output channels
 *   ocb*y..ocb*y+ocb-1 into U. Layout of
 *   U: plane xi = i * A + j (the element of the A x A matrix) at xi *
 *   ustride, each plane the GEMM's A' [OC, C] in panels of `tmu` rows: (oc,
 *   c) at (oc / tmu) * C * tmu + c * tmu + oc % tmu (gemm_pack_a's layout;
 *   tmu = OC makes it a column-major [OC, C] for the GEMMs that read
 *   strides). Rows past OC (items y up to the panel end) are zero.
 * conv2d_winograd_input: work-item (x, y) transforms the patches of 16
 *   columns 16x.. of input channel y into V. A column is one tile of one
 *   image: col = image * tiles_img + ty * tiles_w + tx (images from n0 on),
 *   its patch rows ty * WM - pad_top .., columns tx * WM - pad_left ...
 *   Layout of V: plane xi at voff + xi * vstride, each the GEMM's B' [C, ncols]
 *   in panels of pw columns: (c, col) at (col / pw) * C * pw + c * pw + col
 *   % pw (gemm_packed's packed B; pw = ncols: row-major). Columns past
 *   ncols that the grid covers are written as zeros (the tail of the last
 *   packed panel).
 * conv2d_winograd_output: work-item (x, y) computes the WM x WM outputs of
 *   16 columns 16x.. for output channel y from the GEMM results M (plane xi
 *   [OC, ncols] row-major at xi * OC * ncols), adds the bias (and the
 *   residual R, Y's layout, with has_res), applies the activation and
 *   stores the outputs inside OH x OW. With WPOOL=2 (a fused 2x2 max pool,
 *   stride 2, floor mode; no residual) it stores instead the maximum of
 *   each 2x2 block of its tile (tiles are whole blocks: WM is even) into
 *   Y of PH x PW = floor(OH / 2) x floor(OW / 2): the convolution's output
 *   is never written.
 * conv2d_winograd_fused (CPUs): the GEMMs and conv2d_winograd_output in
 *   one kernel (see it, at the end of this file).
 *
 * Vectors: the 16 columns of an item are the lanes of float16 values, so
 * the transforms are A * A-element float16 arithmetic; an element of the 16
 * input patches is one gather (lanes outside the image masked to zero),
 * and outputs are scattered lane by lane (with the bounds checks).
 * Tunables: WM (2 or 4), ACT (prelude.cl), WPOOL, WINO_FUSED_TM (CPUs: the
 * fused kernel's rows, U's panel height); the bias and the residual are the
 * output transforms' arguments has_bias and has_res.
 * One program per tile size and activation holds the kernels (the
 * activation is a build option of the output transform only, so layers of
 * another activation build the transforms again; the models seen use one
 * activation in their Winograd layers). PoCL compiles a kernel at its
 * first launch, per program, and charges each program a build (about
 * 0.1 s on a 2-core EPYC) and each later start a rebuild from its cache
 * (about 20 ms): a program for the transforms and one for the output
 * transform cost ResNet-18 one build and one rebuild more.
 */
#ifndef WM
#define WM 4
#endif
#ifndef WCB
#define WCB 4
#endif
#define WA (WM + 2)
/* input channels per item of conv2d_winograd_weights (the host's grid) */
#define WINO_WCB 16

/* The transforms' loops: unrolled, their private arrays stay in registers
 * (GPUs need that), but PoCL's work-group compile of the unrolled input
 * and output transforms took 18-38 s and 3-6 s per program on a 2-core CPU
 * (issue 11) for no measurable speed: the host passes -DWINO_ROLLED=1 for
 * CPUs. */
#ifndef WINO_ROLLED
#define WINO_ROLLED 0
#endif
#if WINO_ROLLED
#define WINO_UNROLL _Pragma("unroll 1")
#else
#define WINO_UNROLL _Pragma("unroll")
#endif

#if WM == 4
/* B^T x: o = B^T d over six values */
#define WINO_BT(o, d)                                                                          \
    {                                                                                          \
        const float16 a_ = d[4] - 4.0f * d[2], b_ = d[3] - 4.0f * d[1];                        \
        const float16 c_ = d[4] - d[2], e_ = 2.0f * (d[3] - d[1]);                             \
        o[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];                                               \
        o[1] = a_ + b_;                                                                        \
        o[2] = a_ - b_;                                                                        \
        o[3] = c_ + e_;                                                                        \
        o[4] = c_ - e_;                                                                        \
        o[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];                                               \
    }
/* o = G g over three values (products by the reciprocals, not divisions:
 * the weight transform runs at every session's creation) */
#define WINO_G(o, g)                                                                           \
    {                                                                                          \
        o[0] = g[0] * 0.25f;                                                                   \
        o[1] = -(g[0] + g[1] + g[2]) * (1.0f / 6.0f);                                          \
        o[2] = -(g[0] - g[1] + g[2]) * (1.0f / 6.0f);                                          \
        o[3] = g[0] * (1.0f / 24.0f) + g[1] * (1.0f / 12.0f) + g[2] * (1.0f / 6.0f);           \
        o[4] = g[0] * (1.0f / 24.0f) - g[1] * (1.0f / 12.0f) + g[2] * (1.0f / 6.0f);           \
        o[5] = g[2];                                                                           \
    }
/* o = A^T m over six values */
#define WINO_AT(o, m)                                                                          \
    {                                                                                          \
        const float16 s12_ = m[1] + m[2], d12_ = m[1] - m[2];                                  \
        const float16 s34_ = m[3] + m[4], d34_ = m[3] - m[4];                                  \
        o[0] = m[0] + s12_ + s34_;                                                             \
        o[1] = d12_ + 2.0f * d34_;                                                             \
        o[2] = s12_ + 4.0f * s34_;                                                             \
        o[3] = d12_ + 8.0f * d34_ + m[5];                                                      \
    }
#elif WM == 2
#define WINO_BT(o, d)                                                                          \
    {                                                                                          \
        o[0] = d[0] - d[2];                                                                    \
        o[1] = d[1] + d[2];                                                                    \
        o[2] = d[2] - d[1];                                                                    \
        o[3] = d[1] - d[3];                                                                    \
    }
#define WINO_G(o, g)                                                                           \
    {                                                                                          \
        o[0] = g[0];                                                                           \
        o[1] = (g[0] + g[1] + g[2]) * 0.5f;                                                    \
        o[2] = (g[0] - g[1] + g[2]) * 0.5f;                                                    \
        o[3] = g[2];                                                                           \
    }
#define WINO_AT(o, m)                                                                          \
    {                                                                                          \
        o[0] = m[0] + m[1] + m[2];                                                             \
        o[1] = m[1] - m[2] - m[3];                                                             \
    }
#else
#error "conv_winograd.cl: WM must be 2 or 4"
#endif

__kernel void conv2d_winograd_weights(__global const store_t *restrict weight, long weight_off,
                                      __global wide_t *restrict U, long U_off, int C, int OC,
                                      int tmu, long ustride, int ocb)
{
    weight += weight_off;
    U += U_off;
    /* WINO_WCB input channels by `ocb` output channels per item: with one
     * item per work-group on CPUs, an item per filter spent most of a
     * session's creation in PoCL's work-group dispatch (ResNet-18: a
     * million work-groups); with ocb = tmu (CPUs) an item writes runs of
     * WINO_WCB * tmu consecutive values into each plane */
    const int c0 = get_global_id(0) * WINO_WCB, c1 = min(c0 + WINO_WCB, C);
    const int oc0 = get_global_id(1) * ocb;
    for (int c = c0; c < c1; c++)
        for (int oc = oc0; oc < oc0 + ocb; oc++) {
            float g[3][3], t[WA][3], u[WA][WA];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    g[i][j] = oc < OC ? LD(weight, ((long)oc * C + c) * 9 + i * 3 + j) : 0.0f;
            for (int j = 0; j < 3; j++) { /* t = G g, column by column */
                float col[3] = {g[0][j], g[1][j], g[2][j]}, o[WA];
                WINO_G(o, col);
                for (int i = 0; i < WA; i++)
                    t[i][j] = o[i];
            }
            for (int i = 0; i < WA; i++) /* u = t G^T, row by row */
                WINO_G(u[i], t[i]);
            const long off = (long)(oc / tmu) * C * tmu + (long)c * tmu + oc % tmu;
            for (int i = 0; i < WA; i++)
                for (int j = 0; j < WA; j++)
                    U[(i * WA + j) * ustride + off] = u[i][j];
        }
}

/* Per lane of 16 columns from col0: where its tile lies. kind 0: past
 * ncols (zeros, nothing stored); 1: the whole WA x WA patch (or WM x WM
 * output) inside the image; 2: partly outside. org: offset of the tile's
 * corner (row y0, column x0) in the first channel of the block. */
#define WINO_LANES(org, y0, x0, kind, span, off_y, off_x, ch0, NCH, HH, WW)                      \
    for (int l = 0; l < 16; l++) {                                                             \
        const int col = col0 + l;                                                              \
        const int n = col / tiles_img, t = col - n * tiles_img;                                \
        const int ty = t / tiles_w, tx = t - ty * tiles_w;                                     \
        y0[l] = ty * WM - (off_y), x0[l] = tx * WM - (off_x);                                  \
        org[l] = ((long)(n0 + n) * (NCH) + (ch0)) * (HH) * (WW) + (long)y0[l] * (WW) + x0[l];  \
        kind[l] = col >= ncols ? 0                                                             \
                  : y0[l] >= 0 && y0[l] + (span) <= (HH) && x0[l] >= 0 &&                      \
                          x0[l] + (span) <= (WW)                                               \
                      ? 1                                                                      \
                      : 2;                                                                     \
    }

/* Asks for the cache lines of the input rows the item's patches read (of
 * lane 0's image, rows of all its lanes), in each of its `nch` channels
 * from `plane`, before its gathers: a gather waits for its slowest lane,
 * and when the rows were last written by the other core (or are in
 * memory) each waited for a line in turn. */
static void wino_prefetch_rows(__global const store_t *plane, const int *kind, const int *iy0,
                               int H, int W, int nch, long hw)
{
    if (!kind[0])
        return;
    int ylo = H, yhi = 0;
    for (int l = 0; l < 16; l++)
        if (kind[l]) {
            ylo = min(ylo, iy0[l]);
            yhi = max(yhi, iy0[l] + WA);
        }
    ylo = max(ylo, 0);
    yhi = min(yhi, H);
    for (int cb = 0; cb < nch; cb++)
        for (long o = (long)ylo * W; o < (long)yhi * W; o += 16)
            PREFETCH_LINE(plane + cb * hw + o);
}

__kernel void conv2d_winograd_input(__global const store_t *restrict X, long X_off,
                                    __global wide_t *restrict V, long V_off, int C, int H, int W,
                                    int pad_top, int pad_left, int tiles_w, int tiles_img,
                                    int ncols, int pw, long vstride, long voff, int n0)
{
    X += X_off;
    V += V_off;
    const int col0 = get_global_id(0) * 16, c0 = get_global_id(1) * WCB;
    /* items past the last panel (a grid rounded up to the local size) own
     * no part of V */
    if (c0 >= C || col0 >= (ncols + pw - 1) / pw * pw)
        return;
    long org[16];
    int iy0[16], ix0[16], kind[16];
    WINO_LANES(org, iy0, ix0, kind, WA, pad_top, pad_left, c0, C, H, W);
    const long hw = (long)H * W;
    const int within = col0 % pw;
    /* Each lane's patch corner as an offset from the start of lane 0's
     * plane (an address inside X, read by lanes masked off), and bit masks
     * of the patch rows and columns inside the image (all for kind 1, none
     * for kind 0): the 16 values of one patch element are then one gather.
     * An item whose columns all lie past ncols (it writes the zeros of the
     * last panel) has no lane 0 image (col0 / tiles_img can be past the
     * batch): its masked loads read the chunk's first image instead. */
    const long start0 =
        kind[0] ? org[0] - (long)iy0[0] * W - ix0[0] : ((long)n0 * C + c0) * hw;
    int rel[16], rmask[16], cmask[16];
    for (int l = 0; l < 16; l++) {
        rel[l] = kind[l] ? (int)(org[l] - start0) : 0;
        rmask[l] = cmask[l] = 0;
        for (int r = 0; r < WA; r++) {
            const int iy = iy0[l] + r, ix = ix0[l] + r;
            rmask[l] |= (kind[l] == 1 || (kind[l] == 2 && iy >= 0 && iy < H)) << r;
            cmask[l] |= (kind[l] == 1 || (kind[l] == 2 && ix >= 0 && ix < W)) << r;
        }
    }
    const int16 relv = vload16(0, rel), rmv = vload16(0, rmask), cmv = vload16(0, cmask);
    const int nch = min(WCB, C - c0);
    /* the item's 16 columns in each plane of V, channel 0's (c * pw on) */
    const long vcols = (long)(col0 / pw) * C * pw + within;
    wino_prefetch_rows(X + start0, kind, iy0, H, W, nch, hw);
    if (within + 16 <= pw)
        for (int cb = 0; cb < nch; cb++)
            for (int xi = 0; xi < WA * WA; xi++)
                PREFETCH_LINE_W(V + voff + xi * vstride + vcols + (long)(c0 + cb) * pw);
    for (int cb = 0; cb < nch; cb++) {
        __global const store_t *x0 = X + start0 + cb * hw;
        float16 t[WA][WA];
WINO_UNROLL
        for (int s = 0; s < WA; s++) { /* t = B^T d, column by column */
            float16 d[WA], o[WA];
WINO_UNROLL
            for (int r = 0; r < WA; r++) { /* element (r, s) of the 16 patches */
                const int16 ok = ((rmv >> r) & (cmv >> s) & 1) != 0;
                const int16 i = select((int16)(0), relv + (r * W + s), ok);
                const float16 g = (float16)(LD(x0, i.s0), LD(x0, i.s1), LD(x0, i.s2), LD(x0, i.s3),
                                            LD(x0, i.s4), LD(x0, i.s5), LD(x0, i.s6), LD(x0, i.s7),
                                            LD(x0, i.s8), LD(x0, i.s9), LD(x0, i.sa), LD(x0, i.sb),
                                            LD(x0, i.sc), LD(x0, i.sd), LD(x0, i.se), LD(x0, i.sf));
                d[r] = select((float16)(0.0f), g, ok);
            }
            WINO_BT(o, d);
WINO_UNROLL
            for (int r = 0; r < WA; r++)
                t[r][s] = o[r];
        }
        const int c = c0 + cb;
        const long off = vcols + (long)c * pw;
WINO_UNROLL
        for (int i = 0; i < WA; i++) { /* v = t B, row by row, stored */
            float16 v[WA];
            WINO_BT(v, t[i]);
WINO_UNROLL
            for (int j = 0; j < WA; j++) {
                __global wide_t *dst = V + voff + (i * WA + j) * vstride;
                if (within + 16 <= pw) {
                    VST16_GLOBAL(v[j], dst + off);
                } else { /* the columns straddle the end of a row (pw = ncols) */
                    float lane[16];
                    PST16(v[j], lane);
                    for (int l = 0; l < 16 && col0 + l < ncols; l++) {
                        const int col = col0 + l;
                        dst[(long)(col / pw) * C * pw + (long)c * pw + col % pw] = lane[l];
                    }
                }
            }
        }
    }
}


/* The activation follows the bias in the transform, or with a residual
 * (has_res) the residual at the store; r is read only with a residual.
 * has_bias and has_res are arguments, not build options, so that layers
 * with and without them share a program (each program's kernels are
 * compiled on a cold start); the branches are uniform. */
#define WINO_BEFORE_STORE(v) (has_res ? (v) : ACT_ANY(v))
#define WINO_AT_STORE(v, r) (has_res ? ACT_ANY((v) + (r)) : (v))

#ifdef WPOOL
/* The fused 2x2 max pool. Lane l's tile (image n0 + n, tile ty, tx) covers
 * pooled rows ty * WM / 2.., columns tx * WM / 2.. (WM / 2 of each); where
 * they start in Y's channel oc0 and how many of them are inside PH x PW
 * (the conv rows and columns a floor-mode pool drops, the tile's part past
 * the image, and lanes past ncols are not stored), computed once per item:
 * per channel, the lanes' divisions cost more than the transform. */
static void wino_pooled_lanes(long *base, int *rows, int *cols, int col0, int ncols,
                              int tiles_img, int tiles_w, int n0, int oc0, int OC, int PH, int PW)
{
    for (int l = 0; l < 16; l++) {
        const int col = col0 + l, n = col / tiles_img, t = col - n * tiles_img;
        const int py0 = t / tiles_w * (WM / 2), px0 = t % tiles_w * (WM / 2);
        base[l] = ((long)(n0 + n) * OC + oc0) * PH * PW + (long)py0 * PW + px0;
        rows[l] = col < ncols ? clamp(PH - py0, 0, WM / 2) : 0;
        cols[l] = clamp(PW - px0, 0, WM / 2);
    }
}

/* Block (i, j) of each lane's tile, the maximum of out[(2i + a) * WM + 2j +
 * b] (activated; the 16 lanes at once), stored lane by lane at its pooled
 * row and column of channel oc0 + ob. */
static void wino_store_pooled(float out[WM * WM][16], __global store_t *Y, const long *base,
                              const int *rows, const int *cols, int ob, int PH, int PW)
{
    float pooled[WM / 2 * WM / 2][16];
    for (int i = 0; i < WM / 2; i++)
        for (int j = 0; j < WM / 2; j++) {
            const int o = 2 * i * WM + 2 * j;
            const float16 v =
                MAX_NAN(MAX_NAN(PLD16(out[o]), PLD16(out[o + 1])),
                        MAX_NAN(PLD16(out[o + WM]), PLD16(out[o + WM + 1])));
            PST16(v, pooled[i * (WM / 2) + j]);
        }
    const long plane = (long)ob * PH * PW;
    for (int l = 0; l < 16; l++)
        for (int i = 0; i < rows[l]; i++)
            for (int j = 0; j < cols[l]; j++)
                ST(Y, base[l] + plane + (long)i * PW + j, pooled[i * (WM / 2) + j][l]);
}
#endif

/* Asks for the lines of 16 columns from p in each of the WA * WA planes
 * of M (`plane` floats apart): the GEMM wrote them on both cores. */
static void wino_prefetch_planes(__global const wide_t *p, long plane)
{
    for (int xi = 0; xi < WA * WA; xi++) {
        PREFETCH_LINE(p + xi * plane);
        PREFETCH_LINE(p + xi * plane + 15);
    }
}

/* The WM x WM outputs of 16 tiles (lanes) of one output channel from its
 * A x A GEMM results m (element xi = i * A + j at m[xi]): A^T m A, the
 * bias b, and the activation where no residual follows; output (i, j) of
 * lane l at out[i * WM + j][l]. */
static void wino_out_tile(const float16 *m, float16 b, float out[WM * WM][16], float act_a,
                          float act_b, int has_res)
{
    float16 q[WM][WA];
WINO_UNROLL
    for (int j = 0; j < WA; j++) { /* q = A^T m, column by column */
        float16 c[WA], o[WM];
WINO_UNROLL
        for (int i = 0; i < WA; i++)
            c[i] = m[i * WA + j];
        WINO_AT(o, c);
WINO_UNROLL
        for (int i = 0; i < WM; i++)
            q[i][j] = o[i];
    }
WINO_UNROLL
    for (int i = 0; i < WM; i++) { /* y = q A, row by row */
        float16 y[WM];
        WINO_AT(y, q[i]);
WINO_UNROLL
        for (int j = 0; j < WM; j++)
            PST16(WINO_BEFORE_STORE(y[j] + b), out[i * WM + j]);
    }
}

/* The 16 lanes' tiles stored into Y at org[l] + off (Y's layout; the
 * residual R at the same place added with has_res, then the activation),
 * inside OH x OW (WINO_LANES's kind and corners). */
static void wino_store_out(float out[WM * WM][16], __global store_t *Y,
                           __global const store_t *R, const long *org, const int *oy0,
                           const int *ox0, const int *kind, long off, int OH, int OW,
                           float act_a, float act_b, int has_res)
{
    for (int l = 0; l < 16; l++) {
        const long at = org[l] + off;
        __global store_t *dst = Y + at;
        __global const store_t *res = R + at; /* read only with has_res */
        if (kind[l] == 1) { /* the whole tile inside: rows as vectors */
            for (int i = 0; i < WM; i++, dst += OW, res += OW) {
#if WM == 4
                float4 row = (float4)(out[i * 4][l], out[i * 4 + 1][l], out[i * 4 + 2][l],
                                      out[i * 4 + 3][l]);
                ST4(WINO_AT_STORE(row, LD4(0, res)), 0, dst);
#else
                float2 row = (float2)(out[i * 2][l], out[i * 2 + 1][l]);
                ST2(WINO_AT_STORE(row, LD2(0, res)), 0, dst);
#endif
            }
        } else if (kind[l] == 2) {
            for (int i = 0; i < WM && oy0[l] + i < OH; i++)
                for (int j = 0; j < WM && ox0[l] + j < OW; j++) {
                    const long o = (long)i * OW + j;
                    ST(dst, o, WINO_AT_STORE(out[i * WM + j][l], LD(res, o)));
                }
        }
    }
}

__kernel void conv2d_winograd_output(__global const wide_t *restrict M, long M_off,
                                     __global const store_t *restrict bias, long bias_off,
                                     __global store_t *restrict Y, long Y_off,
                                     __global const store_t *restrict R, long R_off, int OC, int OH,
                                     int OW, int tiles_w, int tiles_img, int ncols, int n0, int PH,
                                     int PW, float act_a, float act_b, int has_bias, int has_res)
{
    M += M_off;
    bias += bias_off;
    Y += Y_off;
    R += R_off;
    const int col0 = get_global_id(0) * 16, oc0 = get_global_id(1) * WCB;
    if (oc0 >= OC || col0 >= ncols)
        return;
    long org[16];
    int oy0[16], ox0[16], kind[16];
    WINO_LANES(org, oy0, ox0, kind, WM, 0, 0, oc0, OC, OH, OW);
    const long plane = (long)OC * ncols, ohw = (long)OH * OW;
    const int full = col0 + 16 <= ncols;
    wino_prefetch_planes(M + (long)oc0 * ncols + col0, plane);
#ifdef WPOOL
    long pbase[16];
    int prows[16], pcols[16];
    wino_pooled_lanes(pbase, prows, pcols, col0, ncols, tiles_img, tiles_w, n0, oc0, OC, PH, PW);
#endif
    for (int ob = 0; ob < WCB && oc0 + ob < OC; ob++) {
        const int oc = oc0 + ob;
        __global const wide_t *src = M + (long)oc * ncols + col0;
        if (ob + 1 < WCB && oc + 1 < OC) /* the next channel's, while this one computes */
            wino_prefetch_planes(src + ncols, plane);
        float16 m[WA * WA];
WINO_UNROLL
        for (int xi = 0; xi < WA * WA; xi++) {
            __global const wide_t *p = src + xi * plane;
            if (full) {
                m[xi] = vload16(0, p);
            } else {
                float lane[16];
                for (int l = 0; l < 16; l++)
                    lane[l] = col0 + l < ncols ? p[l] : 0.0f;
                m[xi] = vload16(0, lane);
            }
        }
        float out[WM * WM][16];
        wino_out_tile(m, (float16)(has_bias ? LD(bias, oc) : 0.0f), out, act_a, act_b, has_res);
#ifdef WPOOL
        wino_store_pooled(out, Y, pbase, prows, pcols, ob, PH, PW);
#else
        wino_store_out(out, Y, R, org, oy0, ox0, kind, ob * ohw, OH, OW, act_a, act_b, has_res);
#endif
    }
}

#ifdef WINO_FUSED_TM
/* conv2d_winograd_fused (CPUs, the cpu GEMM's packed U and V): the A * A
 * GEMMs and the output transform in one kernel, so that M never reaches
 * memory. Work-item (x, y) computes output channels x * FTM.. (FTM =
 * WINO_FUSED_TM: U's panel height) of the tiles in V's column panel y
 * (FTW = 32 columns: V's panel width, the host's condition; x fastest, so
 * that the items reading one V panel follow each other): per plane xi the
 * FTM x FTW product of U's panel by V's over the C input channels, in
 * registers as gemm.cl's gemm_packed tiles it, kept in a private array
 * (A * A planes, 36 KB for F(4x4) with 8 x 32 tiles: L1); then per channel
 * and 16 columns the output transform and the stores of
 * conv2d_winograd_output. Without it, the GEMM wrote M (A * A [OC, ncols]
 * floats: 1.8 MB for a 64-channel 56x56 layer) and the output transform
 * read it back, often on the other core. */
#define FTM WINO_FUSED_TM
#define FNV 2 /* one width, so that a model's Winograd layers share a program */
#define FTW (16 * FNV)

/* The A * A products of U's panel u (plane xi at u + xi * ustride, [C,
 * FTM] each) by V's panel v (plane xi at v + xi * vstride, [C, FTW]) into
 * mt[xi] ([FTM][FTW]). */
static void wino_fused_products(__global const wide_t *u, long ustride,
                                __global const wide_t *v, long vstride, int C,
                                float mt[WA * WA][FTM][FTW])
{
    for (int xi = 0; xi < WA * WA; xi++) {
        __global const wide_t *a = u + xi * ustride, *b = v + xi * vstride;
        float16 acc[FTM][FNV];
#pragma unroll
        for (int i = 0; i < FTM; i++)
#pragma unroll
            for (int n = 0; n < FNV; n++)
                acc[i][n] = (float16)(0.0f);
        for (int k = 0; k < C; k++) {
            float16 bv[FNV];
#pragma unroll
            for (int n = 0; n < FNV; n++)
                bv[n] = vload16(n, b + k * FTW);
#pragma unroll
            for (int i = 0; i < FTM; i++) {
                const float16 av = (float16)(a[k * FTM + i]);
#pragma unroll
                for (int n = 0; n < FNV; n++)
                    acc[i][n] = fma(av, bv[n], acc[i][n]);
            }
        }
#pragma unroll
        for (int i = 0; i < FTM; i++)
#pragma unroll
            for (int n = 0; n < FNV; n++)
                PST16(acc[i][n], mt[xi][i] + n * 16);
    }
}

__kernel void conv2d_winograd_fused(__global const wide_t *restrict U, long U_off, long ustride,
                                    __global const wide_t *restrict V, long V_off, long vstride,
                                    int C, __global const store_t *restrict bias, long bias_off,
                                    __global store_t *restrict Y, long Y_off,
                                    __global const store_t *restrict R, long R_off, int OC,
                                    int OH, int OW, int tiles_w, int tiles_img, int ncols, int n0,
                                    int PH, int PW, float act_a, float act_b, int has_bias,
                                    int has_res)
{
    U += U_off;
    V += V_off;
    bias += bias_off;
    Y += Y_off;
    R += R_off;
    const int oc0 = get_global_id(0) * FTM, panel = get_global_id(1);
    if (panel * FTW >= ncols || oc0 >= OC)
        return;
    float mt[WA * WA][FTM][FTW];
    wino_fused_products(U + (long)oc0 * C, ustride, V + (long)panel * C * FTW, vstride, C, mt);
    const long ohw = (long)OH * OW;
    for (int g = 0; g < FNV && panel * FTW + g * 16 < ncols; g++) {
        const int col0 = panel * FTW + g * 16;
        long org[16];
        int oy0[16], ox0[16], kind[16];
        WINO_LANES(org, oy0, ox0, kind, WM, 0, 0, oc0, OC, OH, OW);
#ifdef WPOOL
        long pbase[16];
        int prows[16], pcols[16];
        wino_pooled_lanes(pbase, prows, pcols, col0, ncols, tiles_img, tiles_w, n0, oc0, OC, PH,
                          PW);
#endif
        for (int i = 0; i < FTM && oc0 + i < OC; i++) {
            float16 m[WA * WA];
WINO_UNROLL
            for (int xi = 0; xi < WA * WA; xi++)
                m[xi] = PLD16(mt[xi][i] + g * 16);
            float out[WM * WM][16];
            wino_out_tile(m, (float16)(has_bias ? LD(bias, oc0 + i) : 0.0f), out, act_a, act_b,
                          has_res);
#ifdef WPOOL
            wino_store_pooled(out, Y, pbase, prows, pcols, i, PH, PW);
#else
            wino_store_out(out, Y, R, org, oy0, ox0, kind, i * ohw, OH, OW, act_a, act_b,
                           has_res);
#endif
        }
    }
}
#endif
