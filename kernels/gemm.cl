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
 * C (HAS_BIAS=1) element (m, n) at C[coff(z) + m * c_rs + n * c_cs]; the
 *   strides are 0 along a broadcast axis (a per-row conv bias has c_cs 0).
 * Y[z] is contiguous [M, N] at Y + (z0 + z) * M * N; R[z] (HAS_RESIDUAL=1,
 *   a fused residual Add) has Y's layout, at R + (z0 + z) * M * N.
 * The batch index is decomposed over up to six dims: bd.s0 (innermost) ..
 * bd.s5 (unused dims have size 1), with per-operand strides as, bs, cs (0
 * where that operand is broadcast). A, C and Y use z0 + z, B uses bz0 + z, so
 * that a launch can cover a chunk of a larger batch whose B lives in a
 * scratch buffer that holds only the chunk.
 *
 * Packed B (gemm_pack_b writes it, gemm_packed and the conv im2col kernels
 * read it): B'[z] cut into panels of TW = NV * 16 columns; panel p is [K, TW]
 * row-major, at p * K * TW; columns past N are zero. Batch z of the packed
 * buffer starts where bs says (the host keeps batches contiguous).
 *
 * gemm_packed (CPUs through PoCL): work-item (x, y, z) computes a TM x TW
 * tile of Y[z] at rows x * TM, columns y * TW, in TM * NV float16
 * accumulators, reading per k one row of its B panel (NV vector loads) and
 * TM scalars of A' (packed A when a_ks == 0: panels of TM rows, panel x
 * [K, TM] at x * K * TM, as gemm_pack_a writes them, so that the TM values
 * of a k are adjacent). B is packed when b_ks == 0; otherwise B' rows are
 * contiguous (b_ns == 1, N >= TW) with stride b_ks and are read in place, a
 * last tile that sticks out of N being moved left to end at N (the columns
 * it shares with the previous tile are computed twice, stored once). Work-group size 1: PoCL runs the items of a work-group
 * as a loop in one thread and vectorises only explicit vectors. Rows are in
 * x so that consecutive items share one B panel in cache. Rows past M are
 * computed from a clamped row and not stored. Tunables: TM (>= 1), NV (1..4).
 *
 * gemm_local (GPUs): a work-group of (TSN / WPTN, TSM / WPTM) items computes
 * a TSM x TSN tile of Y[z]; per step of TSK it stages the A' and B' tiles in
 * local memory (zero outside the matrix), then each item accumulates WPTM x
 * WPTN outputs in registers, at rows ly + i * RTSM and columns lx + j * RTSN
 * (x is the fastest local id, so neighbours store neighbouring columns).
 * Tunables: TSM, TSN, TSK, WPTM, WPTN (TSM % WPTM == TSN % WPTN == 0).
 *
 * gemm_naive: one output per work-item (x = column, y = row, z = batch),
 * any strides; the reference variant, forced with CLINFER_GEMM_VARIANT=naive.
 *
 * gemm_pack_b: work-item (x, y, z) copies row x of panel y of B'[z] (B' read
 * through strides and batch strides bs at z0 + z) into the packed buffer at
 * batch z (each batch npanels * K * TW floats).
 * gemm_pack_a: work-item (x, y, z) copies column x of row panel y (TM rows,
 * zero past M) of A'[z] (through strides, batch strides as at z) to packed
 * A at batch z (each batch ceil(M / TM) * K * TM floats).
 * gemm_pack_bt: the same for a transposed B' (b_ks == 1: columns of B' are
 * contiguous): work-item (x, y, z) reads 16 consecutive k of each of the TW
 * columns of panel y as vectors and writes rows 16x .. 16x + 15.
 *
 * Common tunables: HAS_BIAS, HAS_RESIDUAL, ACT, TM, NV (prelude.cl).
 * GEMM_KERNELS = one of the sets below keeps those kernels only in the
 * program, so that building it (and PoCL's code generation for the binary
 * cache) costs only what is used; unset, every kernel is built. The host
 * passes the name (-DGEMM_KERNELS=GEMM_PACKED).
 * Every offset fits a long, every in-matrix stride an int.
 */
#define GEMM_ALL 0     /* every kernel of this file */
#define GEMM_PACKED 1  /* gemm_packed */
#define GEMM_LOCAL 2   /* gemm_local */
#define GEMM_NAIVE 3   /* gemm_naive */
#define GEMM_PACKING 4 /* gemm_pack_b, gemm_pack_a, gemm_pack_bt */
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
        long8 as, long8 bs, long8 cs, int z0, int bz0, float act_a, float act_b
#define GEMM_PRODUCT_AT_OFFSETS()                                                               \
    do {                                                                                        \
        A += A_off, B += B_off, C += C_off, Y += Y_off, R += R_off;                             \
    } while (0)

/* Offset of batch index z over dims bd with strides st. */
inline long batch_offset(long z, long8 bd, long8 st)
{
    long off = 0, i;
    i = z % bd.s0, z /= bd.s0, off += i * st.s0;
    i = z % bd.s1, z /= bd.s1, off += i * st.s1;
    i = z % bd.s2, z /= bd.s2, off += i * st.s2;
    i = z % bd.s3, z /= bd.s3, off += i * st.s3;
    i = z % bd.s4, z /= bd.s4, off += i * st.s4;
    i = z % bd.s5, off += i * st.s5;
    return off;
}

/* The epilogue for one value: alpha, the C term, the activation. */
inline float gemm_out(float acc, __global const store_t *C, long coff, int m, int n, int c_rs,
                      int c_cs, float alpha, float beta, __global const store_t *r, float act_a,
                      float act_b)
{
    float v = alpha * acc;
#if HAS_BIAS
    v = fma(beta, LD(C, coff + (long)m * c_rs + (long)n * c_cs), v);
#endif
#if HAS_RESIDUAL
    v += LD(r, 0);
#endif
    return apply_act(v, act_a, act_b);
}

/* ---------------------------------------------------------------- packed */
#if GEMM_HAS(GEMM_PACKING)

__kernel void gemm_pack_b(__global const store_t *restrict B, long B_off,
                          __global store_t *restrict P, long P_off, int N, int K, int b_ks,
                          int b_ns, long8 bd, long8 bs, int z0)
{
    B += B_off;
    P += P_off;
    const int k = get_global_id(0);
    const int panel = get_global_id(1);
    if (k >= K)
        return;
    const long z = get_global_id(2);
    const int npanels = (N + TW - 1) / TW;
    const int n0 = panel * TW;
    __global const store_t *src = B + batch_offset(z0 + z, bd, bs) + (long)k * b_ks;
    __global store_t *dst = P + ((z * npanels + panel) * (long)K + k) * TW;
    if (b_ns == 1 && n0 + TW <= N) {
#pragma unroll
        for (int v = 0; v < NV; v++)
            ST16(LD16(v, src + n0), v, dst);
    } else {
        for (int j = 0; j < TW; j++)
            ST(dst, j, n0 + j < N ? LD(src, (long)(n0 + j) * b_ns) : 0.0f);
    }
}

__kernel void gemm_pack_a(__global const store_t *restrict A, long A_off,
                          __global store_t *restrict P, long P_off, int M, int K, int a_rs,
                          int a_ks, long8 bd, long8 as)
{
    A += A_off;
    P += P_off;
    const int k = get_global_id(0);
    const int panel = get_global_id(1);
    if (k >= K)
        return;
    const long z = get_global_id(2);
    const int npanels = (M + TM - 1) / TM;
    __global const store_t *src = A + batch_offset(z, bd, as) + (long)k * a_ks;
    __global store_t *dst = P + ((z * npanels + panel) * (long)K + k) * TM;
    for (int i = 0; i < TM; i++) {
        const int m = panel * TM + i;
        ST(dst, i, m < M ? LD(src, (long)m * a_rs) : 0.0f);
    }
}

__kernel void gemm_pack_bt(__global const store_t *restrict B, long B_off,
                           __global store_t *restrict P, long P_off, int N, int K, int b_ks,
                           int b_ns, long8 bd, long8 bs, int z0)
{
    B += B_off;
    P += P_off;
    const int k0 = get_global_id(0) * 16;
    const int panel = get_global_id(1);
    if (k0 >= K)
        return;
    const long z = get_global_id(2);
    const int npanels = (N + TW - 1) / TW;
    const int n0 = panel * TW;
    __global const store_t *src = B + batch_offset(z0 + z, bd, bs);
    __global store_t *dst = P + ((z * npanels + panel) * (long)K + k0) * TW;
    const int rows = min(16, K - k0);
    for (int j = 0; j < TW; j++) {
        const int n = n0 + j;
        __global const store_t *col = src + (long)n * b_ns + (long)k0 * b_ks;
        float t[16];
        if (n < N && rows == 16 && b_ks == 1) {
            vstore16(LD16(0, col), 0, t);
        } else {
            for (int r = 0; r < 16; r++)
                t[r] = n < N && r < rows ? LD(col, (long)r * b_ks) : 0.0f;
        }
        for (int r = 0; r < rows; r++)
            ST(dst, r * TW + j, t[r]);
    }
}

#endif
#if GEMM_HAS(GEMM_PACKED)

/* The TM x TW tile's epilogue and store: columns n0 + j for j >= skip (the
 * ones the tile owns), rows past M and columns past N dropped. */
inline void gemm_store_tile(float16 acc[TM][NV], __global store_t *y, __global const store_t *C,
                            long coff, __global const store_t *R, int m0, int n0, int skip, int M,
                            int N, int c_rs, int c_cs, float alpha, float beta, float act_a,
                            float act_b)
{
    const int full = skip == 0 && n0 + TW <= N;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int m = m0 + i;
        if (m >= M)
            break;
        __global store_t *yr = y + (long)m * N + n0;
#pragma unroll
        for (int v = 0; v < NV; v++) {
            float16 r = alpha * acc[i][v];
#if HAS_BIAS
            if (c_cs == 0) {
                r = fma((float16)(beta), (float16)(LD(C, coff + (long)m * c_rs)), r);
            } else {
                float t[16];
                for (int j = 0; j < 16; j++)
                    t[j] = LD(C, coff + (long)m * c_rs + (long)min(n0 + v * 16 + j, N - 1) * c_cs);
                r = fma((float16)(beta), vload16(0, t), r);
            }
#endif
#if HAS_RESIDUAL
            {
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
#endif
            r = ACT_ANY(r);
            if (full) {
                ST16(r, v, yr);
            } else {
                float t[16];
                vstore16(r, 0, t);
                for (int j = max(skip - v * 16, 0); j < 16 && n0 + v * 16 + j < N; j++)
                    ST(yr, v * 16 + j, t[j]);
            }
        }
    }
}

__kernel void gemm_packed(GEMM_PRODUCT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    const int m0 = get_global_id(0) * TM;
    const int panel = get_global_id(1);
    const int n_own = panel * TW; /* first column this item stores */
    if (m0 >= M || n_own >= N)
        return;
    const int raw = b_ks != 0;
    const int n0 = raw ? min(n_own, N - TW) : n_own; /* first column computed */
    const long bstep = raw ? b_ks : TW;
    const long z = get_global_id(2), za = z0 + z;
    __global const store_t *a = A + batch_offset(za, bd, as);
    __global const store_t *b =
        B + batch_offset(bz0 + z, bd, bs) + (raw ? (long)n0 : (long)panel * K * TW);

    float16 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = (float16)(0.0f);

/* one k: a row of the B panel times TM values of A' */
#define GEMM_PACKED_STEP(A_OF_I)                                                               \
    {                                                                                          \
        float16 bv[NV];                                                                        \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = LD16(v, b + k * bstep);      \
        _Pragma("unroll") for (int i = 0; i < TM; i++)                                         \
        {                                                                                      \
            const float16 av = (float16)(A_OF_I);                                              \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[i][v] =                         \
                fma(av, bv[v], acc[i][v]);                                                     \
        }                                                                                      \
    }
    if (a_ks == 0) { /* packed A: this tile's panel */
        __global const store_t *ap = a + (long)get_global_id(0) * K * TM;
        for (int k = 0; k < K; k++) {
            float ak[TM];
            LOAD_TM(ak, ap + k * TM);
            GEMM_PACKED_STEP(ak[i])
        }
    } else {
        long arow[TM]; /* offset of each row of A' (clamped to the last row) */
#pragma unroll
        for (int i = 0; i < TM; i++)
            arow[i] = (long)min(m0 + i, M - 1) * a_rs;
        if (a_ks == 1) { /* row-major A' */
            for (int k = 0; k < K; k++)
                GEMM_PACKED_STEP(LD(a, arow[i] + k))
        } else {
            for (int k = 0; k < K; k++)
                GEMM_PACKED_STEP(LD(a, arow[i] + (long)k * a_ks))
        }
    }
#undef GEMM_PACKED_STEP
    gemm_store_tile(acc, Y + za * (long)M * N, C, batch_offset(za, bd, cs), R + za * (long)M * N,
                    m0, n0, n_own - n0, M, N, c_rs, c_cs, alpha, beta, act_a, act_b);
}

#endif

/* ----------------------------------------------------------------- local */
#if GEMM_HAS(GEMM_LOCAL)

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
gemm_local(GEMM_PRODUCT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    __local float Asub[TSK][TSM];
    __local float Bsub[TSK][TSN];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int lid = ly * RTSN + lx;
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    const long z = get_global_id(2), za = z0 + z;
    __global const store_t *a = A + batch_offset(za, bd, as);
    __global const store_t *b = B + batch_offset(bz0 + z, bd, bs);
    /* Consecutive items load consecutive addresses: along k when A' rows
     * are contiguous, else along m (and alike for B'). */
    const int a_along_k = a_ks == 1, b_along_n = b_ns == 1 || b_ks != 1;

    float acc[WPTM][WPTN];
    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++)
            acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TSK) {
        for (int e = lid; e < TSM * TSK; e += RTSM * RTSN) {
            const int mm = a_along_k ? e / TSK : e % TSM;
            const int kk = a_along_k ? e % TSK : e / TSM;
            const int m = m_base + mm, k = k0 + kk;
            Asub[kk][mm] = m < M && k < K ? LD(a, (long)m * a_rs + (long)k * a_ks) : 0.0f;
        }
        for (int e = lid; e < TSN * TSK; e += RTSM * RTSN) {
            const int nn = b_along_n ? e % TSN : e / TSK;
            const int kk = b_along_n ? e / TSN : e % TSK;
            const int n = n_base + nn, k = k0 + kk;
            Bsub[kk][nn] = n < N && k < K ? LD(b, (long)k * b_ks + (long)n * b_ns) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TSK; kk++) {
            float areg[WPTM], breg[WPTN];
            for (int i = 0; i < WPTM; i++)
                areg[i] = Asub[kk][ly + i * RTSM];
            for (int j = 0; j < WPTN; j++)
                breg[j] = Bsub[kk][lx + j * RTSN];
            for (int i = 0; i < WPTM; i++)
                for (int j = 0; j < WPTN; j++)
                    acc[i][j] = fma(areg[i], breg[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    __global store_t *y = Y + za * (long)M * N;
    __global const store_t *r = R + za * (long)M * N;
    const long coff = batch_offset(za, bd, cs);
    for (int i = 0; i < WPTM; i++) {
        const int m = m_base + ly + i * RTSM;
        for (int j = 0; j < WPTN; j++) {
            const int n = n_base + lx + j * RTSN;
            if (m < M && n < N)
                ST(y, (long)m * N + n, gemm_out(acc[i][j], C, coff, m, n, c_rs, c_cs, alpha, beta,
                                              r + (long)m * N + n, act_a, act_b));
        }
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
                    act_b));
}
#endif
