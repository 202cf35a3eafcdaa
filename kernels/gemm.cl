/*
 * gemm.cl - matrix products for Gemm, MatMul and the GEMM-based
 * convolutions, fp32. Three device-class variants share one argument list
 * and one epilogue; the host (host/ops/gemm.c) picks one per device. The
 * GPU ones (gemm_local and its split-K pair) are in gemm_local.cl, built
 * after this file into the same program.
 *
 * Every variant computes, for each batch index z of the launch,
 *   Y[z] = act(alpha * A'[z] * B'[z] + beta * C[z] + R[z])
 * A'[z] is [M, K]: element (m, k) at A[aoff(z) + m * a_rs + k * a_ks], so a
 *   transposed A is just strides.
 * B'[z] is [K, N]: gemm_local and gemm_naive read it through strides,
 *   B[boff(z) + k * b_ks + n * b_ns]; gemm_packed reads it packed (below).
 * C (has_bias != 0) element (m, n) at C[coff(z) + m * c_rs + n * c_cs]; the
 *   strides are 0 along a broadcast axis (a per-row conv bias has c_cs 0).
 * Y[z] is contiguous [M, N] at Y + (z0 + z) * M * N; R[z] (has_res != 0,
 *   a fused residual Add) has Y's layout, at R + (z0 + z) * M * N. With
 *   y_t (gemm_packed only; 0 or a GEMM_Y_* below): GEMM_Y_TRANSPOSED, Y[z]
 *   and R[z] stored transposed, element (m, n) at n * M + m: a 1x1
 *   convolution over a small image computed as X^T W^T, rows = pixels,
 *   writes its NCHW output so; GEMM_Y_BLOCKED, Y[z] stored in blocks of
 *   16 columns, element (m, n) at ((n / 16) * M + m) * 16 + n % 16 (a 1x1
 *   convolution X^T W^T writing NCHW16c: channels innermost in blocks of
 *   16, for the depthwise layer after it; N and the panels' first columns
 *   multiples of 16, no residual).
 * has_bias and has_res are kernel arguments, not build options: a branch
 *   per stored tile costs nothing measurable, while every extra program
 *   costs PoCL a build and a code generation per kernel at first use (a
 *   cold start compiled ResNet-18's GEMM three times for the three
 *   combinations).
 * The batch index is decomposed over up to six dims: bd.s0 (innermost) ..
 * bd.s5 (unused dims have size 1), with per-operand strides as, bs, cs (0
 * where that operand is broadcast). A, C and Y use z0 + z, B uses bz0 + z, so
 * that a launch can cover a chunk of a larger batch whose B lives in a
 * scratch buffer that holds only the chunk.
 *
 * Packed B (gemm_pack.cl's gemm_pack_b writes it, gemm_packed and the conv im2col kernels
 * read it): B'[z] cut into panels of TW = NV * 16 columns; panel p is [K, TW]
 * row-major, at p * K * TW; columns past N are zero. Batch z of the packed
 * buffer starts where bs says (the host keeps batches contiguous).
 *
 * gemm_packed (CPUs through PoCL): work-item (x, y, z) computes TM x TW
 * tiles of Y[z] at rows x * TM, columns (y * per + j) * TW for j < per (per
 * = ceil(panels / global size 1): the host gives items of a short K several
 * panels), each in TM * NV float16 accumulators, reading per k one row of
 * its B panel (NV vector loads) and TM scalars of A' (packed A when a_ks ==
 * 0: panels of TM rows, panel x [K, TM] at x * K * TM, as gemm_pack_a writes
 * them, so that the TM values of a k are adjacent). B is packed when b_ks ==
 * 0; otherwise B' rows are contiguous (b_ns == 1, N >= TW) with stride b_ks
 * and are read in place, a last tile that sticks out of N being moved left
 * to end at N (the columns it shares with the previous tile are computed
 * twice, stored once). Work-group size 1: PoCL runs the items of a
 * work-group as a loop in one thread and vectorises only explicit vectors.
 * Rows are in x so that consecutive items share one B panel in cache. Rows
 * past M are computed from a clamped row and not stored; a product of fewer
 * than TM rows (M < TM) runs row by row instead (gemm_rows), so that every
 * batch size uses one build, and so does the last row tile of a transposed Y
 * with at most TM / 2 rows left (more left: the tile moved up to end at M).
 * Where A' is packed and B read in place (a 1x1 convolution's input), each K
 * step also asks for the lines of the next panel (GEMM_PACKED_A_STEPS); a
 * row-major A' is staged 8 k values at a time (gemm_tile). A whole tile's
 * epilogue runs straight from the accumulators where Y is row-major and A'
 * packed (gemm_tile_stored) or Y transposed and A' = X^T with TM 8
 * (gemm_tile_transposed8); other tiles go through a private tile and
 * gemm_store_tile. In half storage on CPUs, an item that takes every row
 * tile of its panels (a transposed Y, or a plain one where the host
 * launches one item in x) converts each B panel to float once, not per
 * tile (GEMM_FLOAT_PANEL). Tunables: TM (>= 1), NV (1..4).
 *
 * gemm_local (GPUs): a work-group of (TSN / WPTN, TSM / WPTM) items computes
 * a TSM x TSN tile of Y[z]; per step of TSK it stages the A' and B' tiles in
 * local memory (zero outside the matrix), then each item accumulates WPTM x
 * WPTN outputs in registers, at rows ly + i * RTSM and columns lx + j * RTSN
 * (x is the fastest local id, so neighbours store neighbouring columns);
 * with WPTM and WPTN multiples of 4, in blocks of 4 rows and columns read
 * as float4 (TILE_ROW, TILE_COL below). GEMM_PREFETCH=1 loads the next
 * step's tiles into registers while computing the current one (below).
 * gemm_local_split and gemm_split_reduce (the GEMM_SPLIT set) split K over
 * more work-groups for products of few tiles, then add the partial sums.
 * conv_implicit and conv_implicit_split (the GEMM_IMPLICIT and
 * GEMM_IMPLICIT_SPLIT sets, conv_implicit.cl) are gemm_local and
 * gemm_local_split with B' gathered from a convolution's NCHW input instead
 * of read from a matrix.
 * Tunables: TSM, TSN, TSK, WPTM, WPTN (TSM % WPTM == TSN % WPTN == 0),
 * GEMM_PREFETCH.
 *
 * gemm_naive: one output per work-item (x = column, y = row, z = batch),
 * any strides; the reference variant, forced with CLINFER_GEMM_VARIANT=naive.
 *
 * B_SCALE=1 (gemm_packed only): a per-batch scale of B's rows, S and S_off
 *   after the common arguments: row k of B'[z] is multiplied by
 *   S[(z0 + z) * K + k] as it is read (a squeeze-excitation Mul fused into
 *   the 1x1 convolution that reads its product, one batch dim: images).
 *
 * Common tunables: ACT, TM, NV (prelude.cl).
 * GEMM_KERNELS = one of the sets below keeps those kernels only in the
 * program, so that building it (and PoCL's code generation for the binary
 * cache) costs only what is used; unset, every kernel is built. The host
 * passes the name (-DGEMM_KERNELS=GEMM_PACKED).
 * Every offset fits a long, every in-matrix stride an int.
 */
#define GEMM_Y_TRANSPOSED 1 /* y_t values */
#define GEMM_Y_BLOCKED 2
#define GEMM_ALL 0     /* every kernel of this file */
#define GEMM_PACKED 1  /* gemm_packed */
#define GEMM_LOCAL 2   /* gemm_local */
#define GEMM_NAIVE 3   /* gemm_naive */
#define GEMM_SPLIT 5   /* gemm_local_split, gemm_split_reduce */
#define GEMM_IMPLICIT 6 /* conv_implicit (conv_implicit.cl): only when named */
#define GEMM_IMPLICIT_SPLIT 7 /* conv_implicit_split: only when named */
#ifndef GEMM_KERNELS
#define GEMM_KERNELS GEMM_ALL
#endif
#define GEMM_HAS(k) (GEMM_KERNELS == GEMM_ALL || GEMM_KERNELS == (k))
/* The implicit-GEMM convolution's sets change how gemm_local_tile reads B'
 * (a gather from the image, gemm_local.cl), so no other set includes them. */
#define GEMM_CONV_GATHER (GEMM_KERNELS == GEMM_IMPLICIT || GEMM_KERNELS == GEMM_IMPLICIT_SPLIT)

#ifndef TSM
#define TSM 64
#endif
#ifndef TSN
#define TSN 64
#endif
#ifndef TSK
#define TSK 16
#endif
#ifndef WPTM
#define WPTM 4
#endif
#ifndef WPTN
#define WPTN 4
#endif
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)

/* The arguments of the three product kernels (the host binds them alike,
 * gemm_core_prepare and gemm_core_bind), and the pointer adjustment at
 * their entry (prelude.cl: tensors are buffer + offset). */
#define GEMM_PRODUCT_ARGS                                                                          \
    __global const store_t *restrict A, long A_off, __global const store_t *restrict B,            \
        long B_off, __global const store_t *restrict C, long C_off, __global store_t *restrict Y,  \
        long Y_off, __global const store_t *restrict R, long R_off, int M, int N, int K, int a_rs, \
        int a_ks, int b_ks, int b_ns, int c_rs, int c_cs, float alpha, float beta, long8 bd,       \
        long8 as, long8 bs, long8 cs, int z0, int bz0, float act_a, float act_b, int has_bias,   \
        int has_res, int y_t
/* The split-K kernels (gemm_local_split, gemm_split_reduce) add the
 * partial sums P and the split count and size. */
#define GEMM_SPLIT_ARGS                                                                         \
    GEMM_PRODUCT_ARGS, __global wide_t *restrict P, long P_off, int splits, int k_step
#define GEMM_PRODUCT_AT_OFFSETS()                                                               \
    do {                                                                                        \
        A += A_off, B += B_off, C += C_off, Y += Y_off, R += R_off;                             \
    } while (0)

/* The epilogue for one value: alpha, the C term, the activation. */
inline float gemm_out(float acc, __global const store_t *C, long coff, int m, int n, int c_rs,
                      int c_cs, float alpha, float beta, __global const store_t *r, float act_a,
                      float act_b, int has_bias, int has_res)
{
    float v = alpha * acc;
    if (has_bias)
        v = fma(beta, LD(C, coff + (long)m * c_rs + (long)n * c_cs), v);
    if (has_res)
        v += LD(r, 0);
    return apply_act(v, act_a, act_b);
}

/* ---------------------------------------------------------------- packed */
#if GEMM_HAS(GEMM_PACKED)

/* The TM x TW tile's epilogue and store: columns n0 + j for j >= skip (the
 * ones the tile owns), rows past M and columns past N dropped. The tile
 * comes in a private array and the epilogue runs in rolled loops over it:
 * unrolled TM x NV times with its bias, residual and partial-tile forms,
 * the epilogue was most of the kernel's code, and PoCL's code generation
 * at the kernel's first launch grows with the code (a cold start's largest
 * cost). Once per tile, the loops cost nothing measurable. */
inline void gemm_store_tile(float tile[TM][TW], __global store_t *y, __global const store_t *C,
                            long coff, __global const store_t *R, int m0, int n0, int skip, int M,
                            int N, int c_rs, int c_cs, float alpha, float beta, float act_a,
                            float act_b, int has_bias, int has_res, int y_t, int rskip)
{
    if (y_t == GEMM_Y_BLOCKED) { /* C per column; row m's 16 columns of a block adjacent */
        for (int v = 0; v < NV && n0 + v * 16 < N; v++) {
            const float16 bias = has_bias ? beta * ld16_clamped(C + coff, n0 + v * 16, N, c_cs)
                                          : (float16)(0.0f);
            __global store_t *block = y + (long)((n0 + v * 16) / 16) * M * 16;
            for (int i = rskip; i < min(TM, M - m0); i++) {
                const float16 t = *(const float16 *)(tile[i] + v * 16);
                ST16_ONE(ACT_ANY(fma((float16)(alpha), t, bias)), block + (long)(m0 + i) * 16);
            }
        }
        return;
    }
    if (y_t) { /* transposed, C per column (c_rs 0): the rows of a column adjacent */
        const int rows = min(TM, M - m0), end = min(TW, N - n0);
        if (!has_res) {
            /* bias and activation in vectors along the columns (output
             * channels), then the stores: per element, a transcendental
             * activation took most of the layer (EfficientNet-B0's 192 ->
             * 1152 at 7x7 with SiLU ran 2x slower transposed) */
            float16 bias[NV];
            for (int v = 0; v < NV; v++)
                bias[v] = has_bias ? beta * ld16_clamped(C + coff, n0 + v * 16, N, c_cs)
                                   : (float16)(0.0f);
            for (int i = rskip; i < rows; i++)
                for (int v = 0; v < NV; v++)
                {
                    float16 *row = (float16 *)(tile[i] + v * 16);
                    *row = ACT_ANY(fma((float16)(alpha), *row, bias[v]));
                }
            for (int j = skip; j < end; j++) {
                const long at = (long)(n0 + j) * M + m0;
                for (int i = rskip; i < rows; i++)
                    ST(y, at + i, tile[i][j]);
            }
            return;
        }
        /* with a residual, per element (whole tiles of 8 rows, the
         * transposed products' with TM 8, take gemm_tile_transposed8; the
         * residual's test stays outside these loops: tested per element,
         * the compiler made its loads masked vector loads, and a
         * masked-off load of an absent residual's address cost a microcode
         * assist each) */
        for (int j = skip; j < end; j++) {
            const long at = (long)(n0 + j) * M + m0;
            const float b = has_bias ? beta * LD(C, coff + (long)(n0 + j) * c_cs) : 0.0f;
            for (int i = rskip; i < rows; i++)
                ST(y, at + i, apply_act(fma(alpha, tile[i][j], b) + LD(R, at + i), act_a, act_b));
        }
        return;
    }
    const int full = skip == 0 && n0 + TW <= N;
    if (full && m0 + TM <= M && (c_cs == 0 || !has_bias)) {
        /* a whole tile with a bias per row (a convolution's): its rows
         * without a test between the vectors; the general loop below cost
         * a 16 -> 64 1x1 layer at 55x55 (K 16) 35 us of its 100 (one PoCL
         * thread), this one 20 */
        for (int i = 0; i < TM; i++) {
            const long m = m0 + i;
            const float b = has_bias ? beta * LD(C, coff + m * c_rs) : 0.0f;
            __global store_t *yr = y + m * N + n0;
            for (int v = 0; v < NV; v++) {
                const float16 t = *(const float16 *)(tile[i] + v * 16);
                float16 r = fma((float16)(alpha), t, (float16)(b));
                if (has_res)
                    r += LD16(0, R + m * N + n0 + v * 16);
                ST16_ONE(ACT_ANY(r), yr + v * 16);
            }
        }
        return;
    }
    for (int i = 0; i < min(TM, M - m0); i++) {
        const int m = m0 + i;
        __global store_t *yr = y + (long)m * N + n0;
        for (int v = 0; v < NV; v++) {
            float16 r = alpha * *(const float16 *)(tile[i] + v * 16);
            if (has_bias && c_cs == 0) {
                r = fma((float16)(beta), (float16)(LD(C, coff + (long)m * c_rs)), r);
            } else if (has_bias) {
                r = fma((float16)(beta),
                        ld16_clamped(C + coff + (long)m * c_rs, n0 + v * 16, N, c_cs), r);
            }
            if (has_res) {
                __global const store_t *rr = R + (long)m * N + n0 + v * 16;
                if (full) {
                    r += LD16(0, rr);
                } else {
                    float t[16];
                    for (int j = 0; j < 16; j++)
                        t[j] = n0 + v * 16 + j < N ? LD(rr, j) : 0.0f;
                    r += vload16(0, t);
                }
            }
            r = ACT_ANY(r);
            if (full) {
                ST16_ONE(r, yr + v * 16);
            } else {
                float t[16];
                vstore16(r, 0, t);
                for (int j = max(skip - v * 16, 0); j < 16 && n0 + v * 16 + j < N; j++)
                    ST(yr, v * 16 + j, t[j]);
            }
        }
    }
}

#ifndef B_SCALE
#define B_SCALE 0
#endif
#if B_SCALE /* row k of the B panel scaled by s[k] */
#define GEMM_B_ROW(v, k) (LD16((v), b + (k) * bstep) * (float16)(LD(s, (k))))
#define GEMM_SCALE_ARGS , __global const store_t *restrict S, long S_off
#else
#define GEMM_B_ROW(v, k) LD16((v), b + (k) * bstep)
#define GEMM_SCALE_ARGS
#endif

/* One k of a tile: a row of the B panel (at b + k * bstep) times TM values
 * of A', A_OF_I giving row i's; GEMM_PACKED_STEP_FROM with B's row from
 * B_ROW(v, k). */
#define GEMM_PACKED_STEP(A_OF_I) GEMM_PACKED_STEP_FROM(A_OF_I, GEMM_B_ROW)
#define GEMM_PACKED_STEP_FROM(A_OF_I, B_ROW)                                                   \
    {                                                                                          \
        float16 bv[NV];                                                                        \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = B_ROW(v, k);                 \
        _Pragma("unroll") for (int i = 0; i < TM; i++)                                         \
        {                                                                                      \
            const float16 av = (float16)(A_OF_I);                                              \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[i][v] =                         \
                fma(av, bv[v], acc[i][v]);                                                     \
        }                                                                                      \
    }

/* float16 acc[TM][NV], zero: a tile's accumulators */
#define GEMM_ZERO_ACCUMULATORS(acc)                                                            \
    float16 acc[TM][NV];                                                                       \
    _Pragma("unroll") for (int i_ = 0; i_ < TM; i_++)                                          \
        _Pragma("unroll") for (int v_ = 0; v_ < NV; v_++) acc[i_][v_] = (float16)(0.0f)

/* The K steps of a tile whose A' is packed (`a`: the tile's panel [K, TM])
 * times the B panel `b`, into the caller's acc (a macro: through a pointer
 * argument the accumulators left the registers, 1.4x slower). Where B is
 * read in place (bstep != TW: a 1x1 convolution's input rows, one row per
 * k, 32 floats of each per panel), each step also asks for the same row's
 * lines of the next panel: that many rows apart are more streams than the
 * hardware prefetcher follows (one PoCL thread, A/B over 5 rounds of 100
 * runs: SqueezeNet 1.1 device time 0.957x, ResNet-50 0.981x, a 16 -> 64
 * 1x1 at 55x55 0.959x). */
#define GEMM_PACKED_A_STEPS()                                                                  \
    for (int k = 0; k < K; k++) {                                                              \
        float ak[TM];                                                                          \
        if (bstep != TW) {                                                                     \
            _Pragma("unroll") for (int v = 0; v < NV; v++)                                     \
                PREFETCH_LINE(b + k * bstep + TW + v * 16);                                    \
        }                                                                                      \
        LOAD_TM(ak, a + k * TM);                                                               \
        GEMM_PACKED_STEP(ak[i])                                                                \
    }

/* The same with B's rows from B_ROW(v, k) (a private float copy: no
 * prefetching) */
#define GEMM_PACKED_A_STEPS_FROM(B_ROW)                                                        \
    for (int k = 0; k < K; k++) {                                                              \
        float ak[TM];                                                                          \
        LOAD_TM(ak, a + k * TM);                                                               \
        GEMM_PACKED_STEP_FROM(ak[i], B_ROW)                                                    \
    }

/* The same where A' = X^T (a_rs 1: the TM rows of a k adjacent, at
 * a + m0 + k * a_ks), rows m0 .. m0 + TM - 1 inside M; GEMM_XT_STEPS_FROM
 * with B's rows from B_ROW(v, k). */
#define GEMM_XT_STEPS() GEMM_XT_STEPS_FROM(GEMM_B_ROW)
#define GEMM_XT_STEPS_FROM(B_ROW)                                                              \
    for (int k = 0; k < K; k++) {                                                              \
        float ak[TM];                                                                          \
        LOAD_TM(ak, a + m0 + (long)k * a_ks);                                                  \
        GEMM_PACKED_STEP_FROM(ak[i], B_ROW)                                                    \
    }

/* Half storage, an item that takes every row tile of its B panels ([K,
 * TW]): a transposed Y whose A' is X^T (a 1x1 convolution over a small
 * image as X^T W^T, B = W^T), or, where the host launches so
 * (gemm_core_prepare), a plain Y with A' packed (a 1x1 convolution, B =
 * its input). Converting a panel's halves once per tile and k cost the
 * kernel 17% against float (SqueezeNet's 512 -> 1000 classifier at 13x13,
 * 22 tiles a panel: 1.75 ms in float, 2.05 in half, one PoCL thread); with
 * K up to GEMM_FLOAT_PANEL_K the panel is converted once into a private
 * float copy (scaled with B_SCALE), which the whole tiles read as float
 * does its panel (1.88 ms). 128 KB at most, on the PoCL worker's stack
 * (CPU devices only: a GPU would spill it). */
#if STORE_HALF && TM == 8 && (defined(__x86_64__) || defined(__aarch64__)) /* CPUs */
#define GEMM_FLOAT_PANEL 1
#define GEMM_FLOAT_PANEL_K 1024
#define GEMM_FLOAT_ROW(v, k) vload16((v), bf + (k) * TW)
#else
#define GEMM_FLOAT_PANEL 0
#endif

/* A full tile: rows m0.. (rows past M computed from a clamped row) of A'
 * (packed when a_ks == 0: `a` is then the tile's panel [K, TM]) times the
 * B panel `b` (its rows scaled by s with B_SCALE), TM x NV float16
 * accumulators over K, into `tile`. */
inline void gemm_tile(__global const store_t *a, int a_rs, int a_ks, int m0, int M, int K,
                      __global const store_t *b, long bstep, __global const store_t *s,
                      float tile[TM][TW])
{
    GEMM_ZERO_ACCUMULATORS(acc);

    if (a_ks == 0) {
        GEMM_PACKED_A_STEPS()
    } else if (a_rs == 1 && m0 + TM <= M) { /* the TM rows of a k adjacent (A' = X^T) */
        GEMM_XT_STEPS()
    } else {
        long arow[TM]; /* offset of each row of A' (clamped to the last row) */
#pragma unroll
        for (int i = 0; i < TM; i++)
            arow[i] = (long)min(m0 + i, M - 1) * a_rs;
        if (a_ks == 1) { /* row-major A' */
            int k = 0;
            /* 8 k values of each row staged in a private array, whose
             * values the steps then broadcast at constant offsets: read
             * one by one, the TM row offsets plus k were kept in a vector
             * register and extracted to address each load, 6 instructions
             * a k on the FMAs' path (the lecture CNN's fc1, 1600 -> 1024
             * at batch 64: 1.14-1.32 -> 1.09-1.16 ms on two PoCL threads,
             * five rounds alternating); in half, one vector conversion
             * instead of 8 scalar ones per row */
            for (int k8 = 0; k8 + 8 <= K; k8 += 8) {
                float a8[TM][8];
#pragma unroll
                for (int i = 0; i < TM; i++)
                    vstore8(LD8(0, a + arow[i] + k8), 0, a8[i]);
#pragma unroll
                for (int kk = 0; kk < 8; kk++) {
                    k = k8 + kk;
                    GEMM_PACKED_STEP(a8[i][kk])
                }
            }
            k = K / 8 * 8;
            for (; k < K; k++)
                GEMM_PACKED_STEP(LD(a, arow[i] + k))
        } else {
            for (int k = 0; k < K; k++)
                GEMM_PACKED_STEP(LD(a, arow[i] + (long)k * a_ks))
        }
    }
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            *(float16 *)(tile[i] + v * 16) = acc[i][v];
}

/* A whole TM x TW tile of a row-major Y (no transpose, no blocks) with a
 * per-row bias or none, packed A': the epilogue straight from the
 * accumulators, without gemm_tile's private tile and gemm_store_tile's
 * loops. Why: a 1x1 convolution over 16-32 channels does few K steps per
 * tile, and the tile's round trip through private memory was a tenth of
 * it (one PoCL thread on a 2-core EPYC: 16 -> 64 at 55x55 0.089 -> 0.080
 * ms, 24 -> 144 at 56x56 0.266 -> 0.240). Only whole tiles take an
 * unrolled epilogue (this one's TM x NV stores, gemm_tile_transposed8's
 * columns): partial tiles stay rolled in gemm_store_tile, for the code
 * size of the cold start (ResNet-18's grew 4.41 -> 4.58 s with both). */
inline void gemm_tile_stored(__global const store_t *a, int K, __global const store_t *b,
                             long bstep, __global const store_t *s, __private const float *bf,
                             __global store_t *y, __global const store_t *r, int N,
                             __global const store_t *C, long coff, int c_rs, float alpha,
                             float beta, float act_a, float act_b, int has_bias, int has_res)
{
    GEMM_ZERO_ACCUMULATORS(acc);
#if GEMM_FLOAT_PANEL
    if (bf) { /* the panel converted once (GEMM_FLOAT_PANEL) */
        GEMM_PACKED_A_STEPS_FROM(GEMM_FLOAT_ROW)
    } else
#endif
    {
        GEMM_PACKED_A_STEPS()
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const float bias = has_bias ? beta * LD(C, coff + (long)i * c_rs) : 0.0f;
#pragma unroll
        for (int v = 0; v < NV; v++) {
            float16 o = fma((float16)(alpha), acc[i][v], (float16)(bias));
            if (has_res)
                o += LD16(0, r + (long)i * N + v * 16);
            ST16_ONE(ACT_ANY(o), y + (long)i * N + v * 16);
        }
    }
}

#if TM == 8
/* A whole tile of a transposed Y (GEMM_Y_TRANSPOSED: a 1x1 convolution over
 * a small image as X^T W^T, rows = pixels) whose A' is X^T (a_rs 1: the 8
 * rows of a k adjacent), rows m0 .. m0 + 7 inside M: each column of the
 * tile (an output channel, 8 adjacent pixels in the output) transposed
 * out of the accumulators in registers and stored as one float8, with its
 * residual read as one. Why: gemm_store_tile's per-column loop became a
 * gather from the private tile per column, 7.5% of the samples of
 * SqueezeNet's 512 -> 1000 classifier at 13x13 (perf on one PoCL thread;
 * these stores 1-2% after). */
inline void gemm_tile_transposed8(__global const store_t *a, int a_ks, int m0, int M, int K,
                                  __global const store_t *b, long bstep,
                                  __global const store_t *s, __private const float *bf,
                                  __global store_t *y, __global const store_t *r, int n0, int N,
                                  __global const store_t *C, long coff, int c_cs, float alpha,
                                  float beta, float act_a, float act_b, int has_bias,
                                  int has_res)
{
    GEMM_ZERO_ACCUMULATORS(acc);
#if GEMM_FLOAT_PANEL
    if (bf) { /* the panel converted once (GEMM_FLOAT_PANEL) */
        GEMM_XT_STEPS_FROM(GEMM_FLOAT_ROW)
    } else
#endif
    {
        GEMM_XT_STEPS()
    }
    /* q[t] lanes: columns 4t..4t+3 of rows 0-3 (4 lanes each); then, with
     * rows 4-7's, a float16 of two whole columns */
    const uint16 cols01 = (uint16)(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const uint16 cols23 = cols01 + (uint16)(8);
#pragma unroll
    for (int v = 0; v < NV; v++) {
        const int nv = n0 + v * 16;
        if (nv >= N)
            break;
        const float16 bias = has_bias ? beta * ld16_clamped(C + coff, nv, N, c_cs)
                                      : (float16)(0.0f);
        float16 t[8], top[4], bottom[4];
#pragma unroll
        for (int i = 0; i < 8; i++)
            t[i] = fma((float16)(alpha), acc[i][v], bias);
        transpose4x16(t, top);
        transpose4x16(t + 4, bottom);
#pragma unroll
        for (int q = 0; q < 4; q++) {
            float16 pair[2] = {shuffle2(top[q], bottom[q], cols01),
                               shuffle2(top[q], bottom[q], cols23)};
#pragma unroll
            for (int h = 0; h < 4; h++) { /* column nv + 4q + h */
                const int n = nv + 4 * q + h;
                if (n >= N)
                    break;
                const long at = (long)n * M + m0;
                float8 o = h % 2 ? pair[h / 2].hi : pair[h / 2].lo;
                if (has_res)
                    o += LD8(0, r + at);
                ST8(ACT_ANY(o), 0, y + at);
            }
        }
    }
}
#endif

#undef GEMM_PACKED_A_STEPS
#undef GEMM_PACKED_A_STEPS_FROM
#undef GEMM_XT_STEPS
#undef GEMM_XT_STEPS_FROM
#undef GEMM_PACKED_STEP
#undef GEMM_PACKED_STEP_FROM
#undef GEMM_ZERO_ACCUMULATORS

/* A product of fewer than TM rows (M < TM: a fully connected layer at a
 * small batch): each row's k steps on their own, as a TM = 1 build would
 * run them, instead of TM rows most of which would be dropped; element
 * (m, k) of A' at a[m * rs + k * ks]. Rows past M are left unset. So one
 * program serves every batch size: a TM = 1 build for batch 1 cost a cold
 * start a program and a code generation, and each other small batch
 * another one. The k steps go to GEMM_ROWS_CHAINS independent sums per
 * vector, added at the end: with one sum per vector every FMA waits for
 * the one before (4 cycles), and a row of NV vectors could not keep up
 * with the weights streaming in (the lecture CNN's 1600 -> 1024 layer at
 * batch 1 took 0.071 ms, FMA latency bound). */
#define GEMM_ROWS_CHAINS 4
inline void gemm_rows(__global const store_t *a, int rs, int ks, int M, int K,
                      __global const store_t *b, long bstep, __global const store_t *s,
                      float tile[TM][TW])
{
    for (int i = 0; i < M; i++) {
        float16 acc[GEMM_ROWS_CHAINS][NV];
#pragma unroll
        for (int c = 0; c < GEMM_ROWS_CHAINS; c++)
#pragma unroll
            for (int v = 0; v < NV; v++)
                acc[c][v] = (float16)(0.0f);
        __global const store_t *ai = a + (long)i * rs;
        int k = 0;
        for (; k + GEMM_ROWS_CHAINS <= K; k += GEMM_ROWS_CHAINS)
#pragma unroll
            for (int c = 0; c < GEMM_ROWS_CHAINS; c++) {
                const float16 av = (float16)(LD(ai, (long)(k + c) * ks));
#pragma unroll
                for (int v = 0; v < NV; v++)
                    acc[c][v] = fma(av, GEMM_B_ROW(v, k + c), acc[c][v]);
            }
        for (; k < K; k++) {
            const float16 av = (float16)(LD(ai, (long)k * ks));
#pragma unroll
            for (int v = 0; v < NV; v++)
                acc[0][v] = fma(av, GEMM_B_ROW(v, k), acc[0][v]);
        }
#pragma unroll
        for (int v = 0; v < NV; v++)
            *(float16 *)(tile[i] + v * 16) = (acc[0][v] + acc[1][v]) + (acc[2][v] + acc[3][v]);
    }
}

/* Asks for the cache lines of the tile at rows m0.. (at most TM, below M),
 * columns n0.. (at most TW, below N) of the [M, N] matrix r, stored
 * transposed with y_t (a column's rows adjacent): the tile's residual and
 * output, which its epilogue reads and writes after the K steps. Without
 * it those accesses stalled on memory once the activations outgrew the
 * caches: at batch 8, ResNet-50's 64 -> 256 1x1 layers with their Add
 * took 5.2 ms, 3.3 with the residual fetched early, 2.8-2.9 with the
 * output too (bench --profile on the one layer, 2-core EPYC). */
inline void gemm_prefetch_tile(__global const store_t *r, int m0, int M, int N, int n0, int y_t)
{
    const int rows = min(TM, M - m0), cols = min(TW, N - n0);
    const int lines = y_t ? cols : rows, len = y_t ? rows : cols; /* runs of adjacent values */
    for (int i = 0; i < lines; i++) {
        __global const store_t *run = r + (y_t ? (long)(n0 + i) * M + m0 : (long)(m0 + i) * N + n0);
        for (int j = 0; j < len; j += 16)
            PREFETCH_LINE(run + j);
        PREFETCH_LINE(run + len - 1);
    }
}

__kernel void gemm_packed(GEMM_PRODUCT_ARGS GEMM_SCALE_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    /* row tiles get_global_id(0), + get_global_size(0), ..: with y_t and
     * panels enough the host launches one item in x, which then takes
     * every row tile of its panels and reads each B panel (the weights)
     * once */
    const int m_first = get_global_id(0) * TM, m_step = get_global_size(0) * TM;
    /* panels get_global_id(1) * per ..: the host shrinks dimension 1 of the
     * grid to give items of a short K several panels */
    const int npanels = (N + TW - 1) / TW, gs = (int)get_global_size(1);
    const int per = (npanels + gs - 1) / gs, p0 = (int)get_global_id(1) * per;
    if (m_first >= M || p0 >= npanels)
        return;
    const int raw = b_ks != 0;
    const long bstep = raw ? b_ks : TW;
    const long z = get_global_id(2), za = z0 + z;
    __global const store_t *a = A + batch_offset(za, bd, as);
    __global const store_t *b_z = B + batch_offset(bz0 + z, bd, bs);
    const long coff = batch_offset(za, bd, cs);
#if B_SCALE
    __global const store_t *s = S + S_off + za * K;
#else
    __global const store_t *s = A; /* unread */
#endif
#if GEMM_FLOAT_PANEL
    float bf_panel[GEMM_FLOAT_PANEL_K * TW] __attribute__((aligned(64)));
    const int float_panel =
        K <= GEMM_FLOAT_PANEL_K && M - m_first > m_step &&
        ((y_t == GEMM_Y_TRANSPOSED && !raw && a_rs == 1 && a_ks != 0) || (!y_t && a_ks == 0));
    __private const float *bf = float_panel ? bf_panel : 0;
#else
    __private const float *bf = 0;
#endif
    for (int panel = p0; panel < min(p0 + per, npanels); panel++)
    for (int m_own = m_first; m_own < M; m_own += m_step) {
        /* y_t: a last tile that sticks out of M moved up to end at M (its
         * rows shared with the previous tile computed twice, stored once),
         * or, where at most half of it is left, those rows alone
         * (gemm_rows: the moved-up tile recomputed up to TM - 1 rows) */
        const int can_move_up = y_t == GEMM_Y_TRANSPOSED && M >= TM;
        const int tail = can_move_up && a_ks != 0 && 2 * (M - m_own) <= TM;
        const int m0 = can_move_up && !tail ? min(m_own, M - TM) : m_own;
        const int n_own = panel * TW; /* first column this item stores */
        const int n0 = raw ? min(n_own, N - TW) : n_own; /* first column computed */
        __global const store_t *b = b_z + (raw ? (long)n0 : (long)panel * K * TW);
#if GEMM_FLOAT_PANEL
        if (float_panel && m_own == m_first) /* the panel's first tile: convert it */
            for (int k = 0; k < K; k++)
                _Pragma("unroll") for (int v = 0; v < NV; v++)
                    vstore16(GEMM_B_ROW(v, k), v, bf_panel + k * TW);
#endif
        /* 64-byte aligned, written and read as whole float16 rows: PoCL
         * 3.1 splits a vstore16 to a private float array into 128- and
         * 256-bit moves, and the epilogue's 512-bit loads of them then
         * stalled on store forwarding */
        float tile[TM][TW] __attribute__((aligned(64)));
        if (has_res)
            gemm_prefetch_tile(R + za * (long)M * N, m0, M, N, n0, y_t);
        if (y_t != GEMM_Y_BLOCKED)
            gemm_prefetch_tile(Y + za * (long)M * N, m0, M, N, n0, y_t);
        if (!y_t && a_ks == 0 && m0 + TM <= M && n0 == n_own && n0 + TW <= N &&
            (c_cs == 0 || !has_bias)) {
            const long at = za * (long)M * N + (long)m0 * N + n0;
            gemm_tile_stored(a + (long)(m0 / TM) * K * TM, K, b, bstep, s, bf, Y + at, R + at, N,
                             C, coff + (long)m0 * c_rs, c_rs, alpha, beta, act_a, act_b,
                             has_bias, has_res);
            continue;
        }
#if TM == 8
        if (y_t == GEMM_Y_TRANSPOSED && a_rs == 1 && a_ks != 0 && m0 == m_own && m0 + TM <= M &&
            n0 == n_own) {
            gemm_tile_transposed8(a, a_ks, m0, M, K, b, bstep, s, bf, Y + za * (long)M * N,
                                  R + za * (long)M * N, n0, N, C, coff, c_cs, alpha, beta, act_a,
                                  act_b, has_bias, has_res);
            continue;
        }
#endif
        if (M < TM) /* packed A': one panel, (m, k) at m + k * TM */
            gemm_rows(a, a_ks == 0 ? 1 : a_rs, a_ks == 0 ? TM : a_ks, M, K, b, bstep, s, tile);
        else if (tail)
            gemm_rows(a + (long)m0 * a_rs, a_rs, a_ks, M - m0, K, b, bstep, s, tile);
        else
            gemm_tile(a_ks == 0 ? a + (long)(m0 / TM) * K * TM : a, a_rs, a_ks, m0, M, K,
                      b, bstep, s, tile);
        gemm_store_tile(tile, Y + za * (long)M * N, C, coff, R + za * (long)M * N, m0, n0,
                        n_own - n0, M, N, c_rs, c_cs, alpha, beta, act_a, act_b, has_bias,
                        has_res, y_t, m_own - m0);
    }
}

#endif

/* ----------------------------------------------------------------- naive */
#if GEMM_HAS(GEMM_NAIVE)

__kernel void gemm_naive(GEMM_PRODUCT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M)
        return;
    const long z = get_global_id(2), za = z0 + z;
    __global const store_t *a = A + batch_offset(za, bd, as) + (long)m * a_rs;
    __global const store_t *b = B + batch_offset(bz0 + z, bd, bs) + (long)n * b_ns;
    float acc = 0.0f;
    for (int k = 0; k < K; k++)
        acc = fma(LD(a, (long)k * a_ks), LD(b, (long)k * b_ks), acc);
    const long y = za * (long)M * N + (long)m * N + n;
    ST(Y, y, gemm_out(acc, C, batch_offset(za, bd, cs), m, n, c_rs, c_cs, alpha, beta, R + y, act_a,
                    act_b, has_bias, has_res));
}
#endif
