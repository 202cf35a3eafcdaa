/*
 * gemm.cl - matrix products for Gemm, MatMul and the GEMM-based
 * convolutions, fp32. Three device-class variants share one argument list
 * and one epilogue; the host (host/ops/gemm.c) picks one per device.
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
 * tiles of Y[z] at rows x * TM, columns (y * per + j) * TW for j < per
 * (per = ceil(panels / global size 1): the host gives items of a short K
 * several panels), each in TM * NV float16
 * accumulators, reading per k one row of its B panel (NV vector loads) and
 * TM scalars of A' (packed A when a_ks == 0: panels of TM rows, panel x
 * [K, TM] at x * K * TM, as gemm_pack_a writes them, so that the TM values
 * of a k are adjacent). B is packed when b_ks == 0; otherwise B' rows are
 * contiguous (b_ns == 1, N >= TW) with stride b_ks and are read in place, a
 * last tile that sticks out of N being moved left to end at N (the columns
 * it shares with the previous tile are computed twice, stored once). Work-group size 1: PoCL runs the items of a work-group
 * as a loop in one thread and vectorises only explicit vectors. Rows are in
 * x so that consecutive items share one B panel in cache. Rows past M are
 * computed from a clamped row and not stored; a product of fewer than TM
 * rows (M < TM) runs row by row instead (gemm_rows), so that every batch
 * size uses one build. Tunables: TM (>= 1), NV (1..4).
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
#ifndef GEMM_KERNELS
#define GEMM_KERNELS GEMM_ALL
#endif
#define GEMM_HAS(k) (GEMM_KERNELS == GEMM_ALL || GEMM_KERNELS == (k))

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
#if TM == 8
        /* with a residual, a whole tile of 8 rows: a column's rows (8
         * adjacent outputs, residuals) as one vector (ResNet-50's 14x14 1x1
         * layers with their Add) */
        if (rows == 8 && rskip == 0) {
            for (int j = skip; j < end; j++) {
                const long at = (long)(n0 + j) * M + m0;
                const float b = has_bias ? beta * LD(C, coff + (long)(n0 + j) * c_cs) : 0.0f;
                const float8 t = (float8)(tile[0][j], tile[1][j], tile[2][j], tile[3][j],
                                          tile[4][j], tile[5][j], tile[6][j], tile[7][j]);
                ST8(ACT_ANY(fma((float8)(alpha), t, (float8)(b)) + LD8(0, R + at)), 0, y + at);
            }
            return;
        }
#endif
        /* with a residual, per element (the residual's test stays outside
         * these loops: tested per element, the compiler made its loads
         * masked vector loads, and a masked-off load of an absent
         * residual's address cost a microcode assist each) */
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
 * of A', A_OF_I giving row i's. */
#define GEMM_PACKED_STEP(A_OF_I)                                                               \
    {                                                                                          \
        float16 bv[NV];                                                                        \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = GEMM_B_ROW(v, k);            \
        _Pragma("unroll") for (int i = 0; i < TM; i++)                                         \
        {                                                                                      \
            const float16 av = (float16)(A_OF_I);                                              \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[i][v] =                         \
                fma(av, bv[v], acc[i][v]);                                                     \
        }                                                                                      \
    }

/* A full tile: rows m0.. (rows past M computed from a clamped row) of A'
 * (packed when a_ks == 0: `a` is then the tile's panel [K, TM]) times the
 * B panel `b` (its rows scaled by s with B_SCALE), TM x NV float16
 * accumulators over K, into `tile`. */
inline void gemm_tile(__global const store_t *a, int a_rs, int a_ks, int m0, int M, int K,
                      __global const store_t *b, long bstep, __global const store_t *s,
                      float tile[TM][TW])
{
    float16 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = (float16)(0.0f);

    if (a_ks == 0) {
        for (int k = 0; k < K; k++) {
            float ak[TM];
            LOAD_TM(ak, a + k * TM);
            GEMM_PACKED_STEP(ak[i])
        }
    } else if (a_rs == 1 && m0 + TM <= M) { /* the TM rows of a k adjacent (A' = X^T) */
        for (int k = 0; k < K; k++) {
            float ak[TM];
            LOAD_TM(ak, a + m0 + (long)k * a_ks);
            GEMM_PACKED_STEP(ak[i])
        }
    } else {
        long arow[TM]; /* offset of each row of A' (clamped to the last row) */
#pragma unroll
        for (int i = 0; i < TM; i++)
            arow[i] = (long)min(m0 + i, M - 1) * a_rs;
        if (a_ks == 1) { /* row-major A' */
            int k = 0;
#if STORE_HALF
            /* 8 k values of each row converted at once (one vector
             * conversion instead of 8 scalar ones per row) */
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
#endif
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
#undef GEMM_PACKED_STEP

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
    for (int panel = p0; panel < min(p0 + per, npanels); panel++)
    for (int m_own = m_first; m_own < M; m_own += m_step) {
        /* y_t: a last tile that sticks out of M moved up to end at M (its
         * rows shared with the previous tile computed twice, stored once) */
        const int m0 = y_t == GEMM_Y_TRANSPOSED && M >= TM ? min(m_own, M - TM) : m_own;
        const int n_own = panel * TW; /* first column this item stores */
        const int n0 = raw ? min(n_own, N - TW) : n_own; /* first column computed */
        __global const store_t *b = b_z + (raw ? (long)n0 : (long)panel * K * TW);
        /* 64-byte aligned, written and read as whole float16 rows: PoCL
         * 3.1 splits a vstore16 to a private float array into 128- and
         * 256-bit moves, and the epilogue's 512-bit loads of them then
         * stalled on store forwarding */
        float tile[TM][TW] __attribute__((aligned(64)));
        if (has_res)
            gemm_prefetch_tile(R + za * (long)M * N, m0, M, N, n0, y_t);
        if (y_t != GEMM_Y_BLOCKED)
            gemm_prefetch_tile(Y + za * (long)M * N, m0, M, N, n0, y_t);
        if (M < TM) /* packed A': one panel, (m, k) at m + k * TM */
            gemm_rows(a, a_ks == 0 ? 1 : a_rs, a_ks == 0 ? TM : a_ks, M, K, b, bstep, s, tile);
        else
            gemm_tile(a_ks == 0 ? a + (long)(m0 / TM) * K * TM : a, a_rs, a_ks, m0, M, K,
                      b, bstep, s, tile);
        gemm_store_tile(tile, Y + za * (long)M * N, C, coff, R + za * (long)M * N, m0, n0,
                        n_own - n0, M, N, c_rs, c_cs, alpha, beta, act_a, act_b, has_bias,
                        has_res, y_t, m_own - m0);
    }
}

#endif

/* ----------------------------------------------------------------- local */
#if GEMM_HAS(GEMM_LOCAL) || GEMM_HAS(GEMM_SPLIT)

/* Which rows and columns of the tile an item accumulates. With WPTM and
 * WPTN multiples of 4 (GEMM_VEC4), an item owns blocks of 4 adjacent rows
 * (columns) spaced RTSM * 4 (RTSN * 4) apart, so that it reads its A' and
 * B' values of a k as float4 from local memory (one wide load instead of
 * four: on GPUs the local-memory loads, not the FMAs, bound the scalar
 * form); otherwise rows ly + i * RTSM, columns lx + j * RTSN. */
#define GEMM_VEC4 (WPTM % 4 == 0 && WPTN % 4 == 0)
#if GEMM_VEC4
#define TILE_ROW(i) (((i) / 4) * RTSM * 4 + ly * 4 + (i) % 4)
#define TILE_COL(j) (((j) / 4) * RTSN * 4 + lx * 4 + (j) % 4)
#else
#define TILE_ROW(i) (ly + (i) * RTSM)
#define TILE_COL(j) (lx + (j) * RTSN)
#endif
/* Local rows are padded by 4 floats: the staging stores of one warp then
 * spread over the banks (a row of 64 or 128 floats puts every k of one
 * column in one bank) and rows stay float4-aligned. */
#define LROW_A (TSM + 4)
#define LROW_B (TSN + 4)

#ifndef GEMM_PREFETCH
#define GEMM_PREFETCH 0
#endif
/* Local buffers per operand: two with GEMM_PREFETCH (double buffering). */
#define LOCAL_BUFS (GEMM_PREFETCH ? 2 : 1)

#if GEMM_PREFETCH
/* GEMM_PREFETCH: each item loads its share of the next k step's A' and B'
 * tiles into registers, as groups of 4 values along the contiguous axis
 * (one float4 load where the matrix allows it: contiguous, 16-byte
 * aligned rows), while it computes the current step from local memory;
 * the registers then go to the other local buffer, one barrier per step.
 * The global loads' latency hides behind the FMAs. */
#define NT (RTSM * RTSN)
/* Four values at p (16-byte aligned in float storage) as a float4: in
 * float storage one aligned vector load (vload4 assumes only a float's
 * alignment, and NVIDIA then loads four times). */
#if STORE_HALF
#define GLOAD4(p) LD4(0, (p))
#else
typedef float4 store4_t;
#define GLOAD4(p) (*(__global const store4_t *)(p))
#endif
#define A_GROUPS (TSM * TSK / 4 / NT) /* float4 groups per item per step */
#define B_GROUPS (TSN * TSK / 4 / NT)

/* Group e4 of A' step k0: 4 values along k (a_ks == 1) or along m. */
inline float4 load_a_group(__global const store_t *a, int M, int a_rs, int a_ks, int k_end,
                           int m_base, int k0, int e4, int vec)
{
    const int along_k = a_ks == 1, dm = along_k ? 0 : 1, dk = along_k ? 1 : 0;
    const int m = m_base + (along_k ? e4 / (TSK / 4) : e4 % (TSM / 4) * 4);
    const int k = k0 + (along_k ? e4 % (TSK / 4) * 4 : e4 / (TSM / 4));
    __global const store_t *p = a + (long)m * a_rs + (long)k * a_ks;
    if (vec && m + 3 * dm < M && k + 3 * dk < k_end)
        return GLOAD4(p);
    float4 v;
    v.s0 = m < M && k < k_end ? LD(p, 0) : 0.0f;
    v.s1 = m + dm < M && k + dk < k_end ? LD(a, (long)(m + dm) * a_rs + (long)(k + dk) * a_ks) : 0.0f;
    v.s2 = m + 2 * dm < M && k + 2 * dk < k_end
               ? LD(a, (long)(m + 2 * dm) * a_rs + (long)(k + 2 * dk) * a_ks)
               : 0.0f;
    v.s3 = m + 3 * dm < M && k + 3 * dk < k_end
               ? LD(a, (long)(m + 3 * dm) * a_rs + (long)(k + 3 * dk) * a_ks)
               : 0.0f;
    return v;
}

inline void store_a_group(__local float *As, float4 v, int a_ks, int e4)
{
    if (a_ks == 1) {
        const int mm = e4 / (TSK / 4), kk = e4 % (TSK / 4) * 4;
        As[kk * LROW_A + mm] = v.s0, As[(kk + 1) * LROW_A + mm] = v.s1;
        As[(kk + 2) * LROW_A + mm] = v.s2, As[(kk + 3) * LROW_A + mm] = v.s3;
    } else {
        *(__local float4 *)(As + e4 / (TSM / 4) * LROW_A + e4 % (TSM / 4) * 4) = v;
    }
}

/* Group e4 of B' step k0: 4 values along n (b_ns == 1, or b_ks != 1) or
 * along k. */
inline float4 load_b_group(__global const store_t *b, int N, int b_ks, int b_ns, int k_end,
                           int n_base, int k0, int e4, int vec)
{
    const int along_n = b_ns == 1 || b_ks != 1, dn = along_n ? 1 : 0, dk = along_n ? 0 : 1;
    const int n = n_base + (along_n ? e4 % (TSN / 4) * 4 : e4 / (TSK / 4));
    const int k = k0 + (along_n ? e4 / (TSN / 4) : e4 % (TSK / 4) * 4);
    __global const store_t *p = b + (long)k * b_ks + (long)n * b_ns;
    if (vec && n + 3 * dn < N && k + 3 * dk < k_end)
        return GLOAD4(p);
    float4 v;
    v.s0 = n < N && k < k_end ? LD(p, 0) : 0.0f;
    v.s1 = n + dn < N && k + dk < k_end ? LD(b, (long)(k + dk) * b_ks + (long)(n + dn) * b_ns) : 0.0f;
    v.s2 = n + 2 * dn < N && k + 2 * dk < k_end
               ? LD(b, (long)(k + 2 * dk) * b_ks + (long)(n + 2 * dn) * b_ns)
               : 0.0f;
    v.s3 = n + 3 * dn < N && k + 3 * dk < k_end
               ? LD(b, (long)(k + 3 * dk) * b_ks + (long)(n + 3 * dn) * b_ns)
               : 0.0f;
    return v;
}

inline void store_b_group(__local float *Bs, float4 v, int b_ks, int b_ns, int e4)
{
    if (b_ns == 1 || b_ks != 1) {
        *(__local float4 *)(Bs + e4 / (TSN / 4) * LROW_B + e4 % (TSN / 4) * 4) = v;
    } else {
        const int nn = e4 / (TSK / 4), kk = e4 % (TSK / 4) * 4;
        Bs[kk * LROW_B + nn] = v.s0, Bs[(kk + 1) * LROW_B + nn] = v.s1;
        Bs[(kk + 2) * LROW_B + nn] = v.s2, Bs[(kk + 3) * LROW_B + nn] = v.s3;
    }
}

/* The FMAs of one k step from local buffers As, Bs. */
inline void gemm_local_step(__local const float4 *As4, __local const float4 *Bs4,
                            float acc[WPTM][WPTN])
{
    const int lx = get_local_id(0), ly = get_local_id(1);
    for (int kk = 0; kk < TSK; kk++) {
        float areg[WPTM], breg[WPTN];
        for (int i = 0; i < WPTM; i += 4) {
            const float4 v = As4[(kk * LROW_A + TILE_ROW(i)) / 4];
            areg[i] = v.s0, areg[i + 1] = v.s1, areg[i + 2] = v.s2, areg[i + 3] = v.s3;
        }
        for (int j = 0; j < WPTN; j += 4) {
            const float4 v = Bs4[(kk * LROW_B + TILE_COL(j)) / 4];
            breg[j] = v.s0, breg[j + 1] = v.s1, breg[j + 2] = v.s2, breg[j + 3] = v.s3;
        }
        for (int i = 0; i < WPTM; i++)
            for (int j = 0; j < WPTN; j++)
                acc[i][j] = fma(areg[i], breg[j], acc[i][j]);
    }
}

inline void gemm_local_tile(__global const store_t *a, __global const store_t *b, int M, int N,
                            int K, int a_rs, int a_ks, int b_ks, int b_ns, int k_begin,
                            int k_end, __local float4 *Asub4, __local float4 *Bsub4,
                            float acc[WPTM][WPTN])
{
    const int lid = get_local_id(1) * RTSN + get_local_id(0);
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    const int vec_a = (a_ks == 1 ? (a_rs & 3) == 0 : a_rs == 1 && (a_ks & 3) == 0) &&
                      ((size_t)a & 15) == 0;
    const int vec_b = (b_ns == 1 ? (b_ks & 3) == 0 : b_ks == 1 && (b_ns & 3) == 0) &&
                      ((size_t)b & 15) == 0;
    const int a_buf = TSK * LROW_A / 4, b_buf = TSK * LROW_B / 4; /* float4s per buffer */
    float4 ra[A_GROUPS], rb[B_GROUPS];

    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++)
            acc[i][j] = 0.0f;
    if (k_begin >= k_end)
        return;
    for (int g = 0; g < A_GROUPS; g++)
        ra[g] = load_a_group(a, M, a_rs, a_ks, k_end, m_base, k_begin, lid + g * NT, vec_a);
    for (int g = 0; g < B_GROUPS; g++)
        rb[g] = load_b_group(b, N, b_ks, b_ns, k_end, n_base, k_begin, lid + g * NT, vec_b);
    for (int g = 0; g < A_GROUPS; g++)
        store_a_group((__local float *)Asub4, ra[g], a_ks, lid + g * NT);
    for (int g = 0; g < B_GROUPS; g++)
        store_b_group((__local float *)Bsub4, rb[g], b_ks, b_ns, lid + g * NT);
    barrier(CLK_LOCAL_MEM_FENCE);

    int cur = 0;
    for (int k0 = k_begin; k0 < k_end; k0 += TSK) {
        const int next = k0 + TSK;
        if (next < k_end) {
            for (int g = 0; g < A_GROUPS; g++)
                ra[g] = load_a_group(a, M, a_rs, a_ks, k_end, m_base, next, lid + g * NT, vec_a);
            for (int g = 0; g < B_GROUPS; g++)
                rb[g] = load_b_group(b, N, b_ks, b_ns, k_end, n_base, next, lid + g * NT, vec_b);
        }
        gemm_local_step(Asub4 + cur * a_buf, Bsub4 + cur * b_buf, acc);
        if (next < k_end) {
            __local float *As = (__local float *)(Asub4 + (1 - cur) * a_buf);
            __local float *Bs = (__local float *)(Bsub4 + (1 - cur) * b_buf);
            for (int g = 0; g < A_GROUPS; g++)
                store_a_group(As, ra[g], a_ks, lid + g * NT);
            for (int g = 0; g < B_GROUPS; g++)
                store_b_group(Bs, rb[g], b_ks, b_ns, lid + g * NT);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        cur = 1 - cur;
    }
}

#else

/* Accumulates the tile's products over k in [k_begin, k_end) into acc. */
inline void gemm_local_tile(__global const store_t *a, __global const store_t *b, int M, int N,
                            int K, int a_rs, int a_ks, int b_ks, int b_ns, int k_begin,
                            int k_end, __local float4 *Asub4, __local float4 *Bsub4,
                            float acc[WPTM][WPTN])
{
    __local float *Asub = (__local float *)Asub4, *Bsub = (__local float *)Bsub4;
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int lid = ly * RTSN + lx;
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    /* Consecutive items load consecutive addresses: along k when A' rows
     * are contiguous, else along m (and alike for B'). */
    const int a_along_k = a_ks == 1, b_along_n = b_ns == 1 || b_ks != 1;

    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++)
            acc[i][j] = 0.0f;

    for (int k0 = k_begin; k0 < k_end; k0 += TSK) {
        for (int e = lid; e < TSM * TSK; e += RTSM * RTSN) {
            const int mm = a_along_k ? e / TSK : e % TSM;
            const int kk = a_along_k ? e % TSK : e / TSM;
            const int m = m_base + mm, k = k0 + kk;
            Asub[kk * LROW_A + mm] =
                m < M && k < k_end ? LD(a, (long)m * a_rs + (long)k * a_ks) : 0.0f;
        }
        for (int e = lid; e < TSN * TSK; e += RTSM * RTSN) {
            const int nn = b_along_n ? e % TSN : e / TSK;
            const int kk = b_along_n ? e / TSN : e % TSK;
            const int n = n_base + nn, k = k0 + kk;
            Bsub[kk * LROW_B + nn] =
                n < N && k < k_end ? LD(b, (long)k * b_ks + (long)n * b_ns) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TSK; kk++) {
            float areg[WPTM], breg[WPTN];
#if GEMM_VEC4
            for (int i = 0; i < WPTM; i += 4) {
                const float4 v = Asub4[(kk * LROW_A + TILE_ROW(i)) / 4];
                areg[i] = v.s0, areg[i + 1] = v.s1, areg[i + 2] = v.s2, areg[i + 3] = v.s3;
            }
            for (int j = 0; j < WPTN; j += 4) {
                const float4 v = Bsub4[(kk * LROW_B + TILE_COL(j)) / 4];
                breg[j] = v.s0, breg[j + 1] = v.s1, breg[j + 2] = v.s2, breg[j + 3] = v.s3;
            }
#else
            for (int i = 0; i < WPTM; i++)
                areg[i] = Asub[kk * LROW_A + TILE_ROW(i)];
            for (int j = 0; j < WPTN; j++)
                breg[j] = Bsub[kk * LROW_B + TILE_COL(j)];
#endif
            for (int i = 0; i < WPTM; i++)
                for (int j = 0; j < WPTN; j++)
                    acc[i][j] = fma(areg[i], breg[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

#endif /* GEMM_PREFETCH */

#if GEMM_HAS(GEMM_LOCAL)
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
gemm_local(GEMM_PRODUCT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    __local float4 Asub4[LOCAL_BUFS * TSK * LROW_A / 4];
    __local float4 Bsub4[LOCAL_BUFS * TSK * LROW_B / 4];
    const long z = get_global_id(2), za = z0 + z;
    float acc[WPTM][WPTN];
    gemm_local_tile(A + batch_offset(za, bd, as), B + batch_offset(bz0 + z, bd, bs), M, N, K,
                    a_rs, a_ks, b_ks, b_ns, 0, K, Asub4, Bsub4, acc);

    const int lx = get_local_id(0), ly = get_local_id(1);
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    __global store_t *y = Y + za * (long)M * N;
    __global const store_t *r = R + za * (long)M * N;
    const long coff = batch_offset(za, bd, cs);
    for (int i = 0; i < WPTM; i++) {
        const int m = m_base + TILE_ROW(i);
        for (int j = 0; j < WPTN; j++) {
            const int n = n_base + TILE_COL(j);
            if (m < M && n < N)
                ST(y, (long)m * N + n, gemm_out(acc[i][j], C, coff, m, n, c_rs, c_cs, alpha, beta,
                                              r + (long)m * N + n, act_a, act_b, has_bias,
                                              has_res));
        }
    }
}

#endif

#if GEMM_HAS(GEMM_SPLIT)
/* Split K (GPUs, products with too few tiles to fill the device): item z
 * of the launch's third dimension computes split s = z % splits of batch
 * z / splits, over k in [s * k_step, (s + 1) * k_step) (k_step a multiple
 * of TSK), and stores its raw sums to P, [batch][splits][M][N];
 * gemm_split_reduce then adds the splits and applies the epilogue. */
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
gemm_local_split(GEMM_SPLIT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    P += P_off;
    __local float4 Asub4[LOCAL_BUFS * TSK * LROW_A / 4];
    __local float4 Bsub4[LOCAL_BUFS * TSK * LROW_B / 4];
    const long zs = get_global_id(2), z = zs / splits;
    const int s = (int)(zs % splits);
    const int k_begin = s * k_step, k_end = min(K, k_begin + k_step);
    float acc[WPTM][WPTN];
    gemm_local_tile(A + batch_offset(z0 + z, bd, as), B + batch_offset(bz0 + z, bd, bs), M, N,
                    K, a_rs, a_ks, b_ks, b_ns, k_begin, k_end, Asub4, Bsub4, acc);

    const int lx = get_local_id(0), ly = get_local_id(1);
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    __global wide_t *p = P + zs * (long)M * N;
    for (int i = 0; i < WPTM; i++) {
        const int m = m_base + TILE_ROW(i);
        for (int j = 0; j < WPTN; j++) {
            const int n = n_base + TILE_COL(j);
            if (m < M && n < N)
                p[(long)m * N + n] = acc[i][j];
        }
    }
}

/* Item (n, m, z): the sum of the splits of output (m, n) of batch z, then
 * the epilogue; Y and R of batch z0 + z as in gemm_local. */
__kernel void gemm_split_reduce(GEMM_SPLIT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    P += P_off;
    const int n = get_global_id(0), m = get_global_id(1);
    const long z = get_global_id(2), za = z0 + z;
    if (n >= N || m >= M)
        return;
    __global const wide_t *p = P + z * splits * (long)M * N + (long)m * N + n;
    float acc = 0.0f;
    for (int s = 0; s < splits; s++)
        acc += p[s * (long)M * N];
    ST(Y, za * (long)M * N + (long)m * N + n,
       gemm_out(acc, C, batch_offset(za, bd, cs), m, n, c_rs, c_cs, alpha, beta,
                R + za * (long)M * N + (long)m * N + n, act_a, act_b, has_bias, has_res));
}
#endif

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
