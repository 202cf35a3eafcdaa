/*
 * gemm_local.cl - the GPU-class matrix products of gemm.cl's family:
 * gemm_local (local-memory tiles) and the split-K pair gemm_local_split /
 * gemm_split_reduce. Not a program of its own: host/program_cache.c builds
 * it after gemm.cl into the "gemm" program, and it uses that file's
 * argument lists (GEMM_PRODUCT_ARGS, GEMM_SPLIT_ARGS), epilogue (gemm_out),
 * kernel sets (GEMM_HAS) and tile tunables (TSM, TSN, TSK, WPTM, WPTN);
 * gemm.cl's banner describes the products. A file of its own only so that
 * neither passes 800 lines. conv_implicit.cl, built after this file,
 * reuses its tile loop with B' gathered from an image (GEMM_CONV_GATHER).
 */
#if GEMM_HAS(GEMM_LOCAL) || GEMM_HAS(GEMM_SPLIT) || GEMM_CONV_GATHER

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
/* The tiles' values in local memory and registers: float, or half under
 * HALF_MATH (fp16-math), where one k step's products are summed in half
 * (half the local-memory bytes, and the device's half-rate FMAs) and then
 * added to the float accumulators, so that half's rounding accumulates
 * over TSK terms, not over all of K. step_t is the type of those sums.
 * MAC(a, b, c) is a * b + c: fma in float; in half the contracted
 * operators, since PoCL's kernel library has no half fma. */
#ifndef HALF_MATH
#define HALF_MATH 0
#endif
#if HALF_MATH
typedef half tile_t;
typedef half4 tile4_t;
typedef half step_t;
#define TILE_OF(x) ((half)(x))
#define MAC(a, b, c) ((a) * (b) + (c))
#else
typedef float tile_t;
typedef float4 tile4_t;
typedef float step_t;
#define TILE_OF(x) (x)
#define MAC(a, b, c) fma((a), (b), (c))
#endif
inline tile4_t tile4_of(float4 v)
{
    return (tile4_t)(TILE_OF(v.s0), TILE_OF(v.s1), TILE_OF(v.s2), TILE_OF(v.s3));
}

/* Local rows are padded by 4 values: the staging stores of one warp then
 * spread over the banks (a row of 64 or 128 floats puts every k of one
 * column in one bank) and rows stay 4-vector-aligned. */
#define LROW_A (TSM + 4)
#define LROW_B (TSN + 4)

#ifndef GEMM_PREFETCH
#define GEMM_PREFETCH 0
#endif
/* Local buffers per operand: two with GEMM_PREFETCH (double buffering). */
#define LOCAL_BUFS (GEMM_PREFETCH ? 2 : 1)

/* Where gemm_local_tile reads B' from: B_GROUP (4 values, prefetching) and
 * B_ONE (one value). Usually the strided matrix b_ks, b_ns. With
 * GEMM_CONV_GATHER (the implicit-GEMM convolution) `b` is one image's
 * channels of one group, NCHW, and conv_implicit.cl's gathers read B'(k,
 * n) of its im2col matrix straight from it through the window `win`
 * (declared here, defined there: that file is built after this one); the
 * tile loop, and so its tuning, stays the one gemm_local runs. */
#if GEMM_CONV_GATHER
typedef struct conv_window conv_window;
float4 conv_gather_group(__global const store_t *x, const conv_window *win, int N, int k_end,
                         int n_base, int k0, int e4);
float conv_gather_one(__global const store_t *x, const conv_window *win, int N, int k_end, int n,
                      int k);
#define B_GROUP(b, N, b_ks, b_ns, k_end, n_base, k0, e4, vec)                                   \
    conv_gather_group(b, win, N, k_end, n_base, k0, e4)
#define B_ONE(b, N, b_ks, b_ns, k_end, n, k) conv_gather_one(b, win, N, k_end, n, k)
#else
typedef int conv_window; /* unused: gemm_local and the split pair pass 0 */
#define B_GROUP load_b_group
#define B_ONE(b, N, b_ks, b_ns, k_end, n, k)                                                     \
    ((n) < (N) && (k) < (k_end) ? LD(b, (long)(k) * (b_ks) + (long)(n) * (b_ns)) : 0.0f)
#endif

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

inline void store_a_group(__local tile_t *As, float4 v, int a_ks, int e4)
{
    if (a_ks == 1) {
        const int mm = e4 / (TSK / 4), kk = e4 % (TSK / 4) * 4;
        As[kk * LROW_A + mm] = TILE_OF(v.s0), As[(kk + 1) * LROW_A + mm] = TILE_OF(v.s1);
        As[(kk + 2) * LROW_A + mm] = TILE_OF(v.s2), As[(kk + 3) * LROW_A + mm] = TILE_OF(v.s3);
    } else {
        *(__local tile4_t *)(As + e4 / (TSM / 4) * LROW_A + e4 % (TSM / 4) * 4) = tile4_of(v);
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

inline void store_b_group(__local tile_t *Bs, float4 v, int b_ks, int b_ns, int e4)
{
    if (b_ns == 1 || b_ks != 1) {
        *(__local tile4_t *)(Bs + e4 / (TSN / 4) * LROW_B + e4 % (TSN / 4) * 4) = tile4_of(v);
    } else {
        const int nn = e4 / (TSK / 4), kk = e4 % (TSK / 4) * 4;
        Bs[kk * LROW_B + nn] = TILE_OF(v.s0), Bs[(kk + 1) * LROW_B + nn] = TILE_OF(v.s1);
        Bs[(kk + 2) * LROW_B + nn] = TILE_OF(v.s2), Bs[(kk + 3) * LROW_B + nn] = TILE_OF(v.s3);
    }
}
#endif /* GEMM_PREFETCH */

/* The products of one k step from the local tiles As, Bs, added to sum. */
inline void gemm_local_products(__local const tile4_t *As4, __local const tile4_t *Bs4,
                                step_t sum[WPTM][WPTN])
{
    const int lx = get_local_id(0), ly = get_local_id(1);
    for (int kk = 0; kk < TSK; kk++) {
        tile_t areg[WPTM], breg[WPTN];
#if GEMM_VEC4
        for (int i = 0; i < WPTM; i += 4) {
            const tile4_t v = As4[(kk * LROW_A + TILE_ROW(i)) / 4];
            areg[i] = v.s0, areg[i + 1] = v.s1, areg[i + 2] = v.s2, areg[i + 3] = v.s3;
        }
        for (int j = 0; j < WPTN; j += 4) {
            const tile4_t v = Bs4[(kk * LROW_B + TILE_COL(j)) / 4];
            breg[j] = v.s0, breg[j + 1] = v.s1, breg[j + 2] = v.s2, breg[j + 3] = v.s3;
        }
#else
        __local const tile_t *As = (__local const tile_t *)As4, *Bs = (__local const tile_t *)Bs4;
        for (int i = 0; i < WPTM; i++)
            areg[i] = As[kk * LROW_A + TILE_ROW(i)];
        for (int j = 0; j < WPTN; j++)
            breg[j] = Bs[kk * LROW_B + TILE_COL(j)];
#endif
        for (int i = 0; i < WPTM; i++)
            for (int j = 0; j < WPTN; j++)
                sum[i][j] = MAC(areg[i], breg[j], sum[i][j]);
    }
}

/* acc += one k step's products: directly in float, or under HALF_MATH
 * summed in half over the step, then widened into acc: with 4-column
 * blocks (GEMM_VEC4) as half4 vectors, a row's A' value times a block's
 * four B' values, so that GPUs with packed half arithmetic do two or four
 * FMAs per instruction; otherwise one half at a time. */
inline void gemm_local_step(__local const tile4_t *As4, __local const tile4_t *Bs4,
                            float acc[WPTM][WPTN])
{
#if HALF_MATH && GEMM_VEC4
    const int lx = get_local_id(0), ly = get_local_id(1);
    half4 sum[WPTM][WPTN / 4];
    for (int i = 0; i < WPTM; i++)
        for (int j4 = 0; j4 < WPTN / 4; j4++)
            sum[i][j4] = (half4)(0);
    for (int kk = 0; kk < TSK; kk++) {
        half4 b[WPTN / 4];
        for (int j4 = 0; j4 < WPTN / 4; j4++)
            b[j4] = Bs4[(kk * LROW_B + TILE_COL(4 * j4)) / 4];
        for (int i = 0; i < WPTM; i += 4) {
            const half4 a = As4[(kk * LROW_A + TILE_ROW(i)) / 4];
            for (int j4 = 0; j4 < WPTN / 4; j4++) {
                sum[i][j4] = a.s0 * b[j4] + sum[i][j4];
                sum[i + 1][j4] = a.s1 * b[j4] + sum[i + 1][j4];
                sum[i + 2][j4] = a.s2 * b[j4] + sum[i + 2][j4];
                sum[i + 3][j4] = a.s3 * b[j4] + sum[i + 3][j4];
            }
        }
    }
    for (int i = 0; i < WPTM; i++)
        for (int j4 = 0; j4 < WPTN / 4; j4++) {
            acc[i][4 * j4] += (float)sum[i][j4].s0, acc[i][4 * j4 + 1] += (float)sum[i][j4].s1;
            acc[i][4 * j4 + 2] += (float)sum[i][j4].s2, acc[i][4 * j4 + 3] += (float)sum[i][j4].s3;
        }
#elif HALF_MATH
    half sum[WPTM][WPTN];
    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++)
            sum[i][j] = 0;
    gemm_local_products(As4, Bs4, sum);
    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++)
            acc[i][j] += (float)sum[i][j];
#else
    gemm_local_products(As4, Bs4, acc);
#endif
}

#if GEMM_PREFETCH

inline void gemm_local_tile(__global const store_t *a, __global const store_t *b, int M, int N,
                            int K, int a_rs, int a_ks, int b_ks, int b_ns, int k_begin,
                            int k_end, __local tile4_t *Asub4, __local tile4_t *Bsub4,
                            float acc[WPTM][WPTN], const conv_window *win)
{
    const int lid = get_local_id(1) * RTSN + get_local_id(0);
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    const int vec_a = (a_ks == 1 ? (a_rs & 3) == 0 : a_rs == 1 && (a_ks & 3) == 0) &&
                      ((size_t)a & 15) == 0;
    const int vec_b = (b_ns == 1 ? (b_ks & 3) == 0 : b_ks == 1 && (b_ns & 3) == 0) &&
                      ((size_t)b & 15) == 0;
    const int a_buf = TSK * LROW_A / 4, b_buf = TSK * LROW_B / 4; /* 4-vectors per buffer */
    float4 ra[A_GROUPS], rb[B_GROUPS];

    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++)
            acc[i][j] = 0.0f;
    if (k_begin >= k_end)
        return;
    for (int g = 0; g < A_GROUPS; g++)
        ra[g] = load_a_group(a, M, a_rs, a_ks, k_end, m_base, k_begin, lid + g * NT, vec_a);
    for (int g = 0; g < B_GROUPS; g++)
        rb[g] = B_GROUP(b, N, b_ks, b_ns, k_end, n_base, k_begin, lid + g * NT, vec_b);
    for (int g = 0; g < A_GROUPS; g++)
        store_a_group((__local tile_t *)Asub4, ra[g], a_ks, lid + g * NT);
    for (int g = 0; g < B_GROUPS; g++)
        store_b_group((__local tile_t *)Bsub4, rb[g], b_ks, b_ns, lid + g * NT);
    barrier(CLK_LOCAL_MEM_FENCE);

    int cur = 0;
    for (int k0 = k_begin; k0 < k_end; k0 += TSK) {
        const int next = k0 + TSK;
        if (next < k_end) {
            for (int g = 0; g < A_GROUPS; g++)
                ra[g] = load_a_group(a, M, a_rs, a_ks, k_end, m_base, next, lid + g * NT, vec_a);
            for (int g = 0; g < B_GROUPS; g++)
                rb[g] = B_GROUP(b, N, b_ks, b_ns, k_end, n_base, next, lid + g * NT, vec_b);
        }
        gemm_local_step(Asub4 + cur * a_buf, Bsub4 + cur * b_buf, acc);
        if (next < k_end) {
            __local tile_t *As = (__local tile_t *)(Asub4 + (1 - cur) * a_buf);
            __local tile_t *Bs = (__local tile_t *)(Bsub4 + (1 - cur) * b_buf);
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
                            int k_end, __local tile4_t *Asub4, __local tile4_t *Bsub4,
                            float acc[WPTM][WPTN], const conv_window *win)
{
    __local tile_t *Asub = (__local tile_t *)Asub4, *Bsub = (__local tile_t *)Bsub4;
    const int lid = get_local_id(1) * RTSN + get_local_id(0);
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
                TILE_OF(m < M && k < k_end ? LD(a, (long)m * a_rs + (long)k * a_ks) : 0.0f);
        }
        for (int e = lid; e < TSN * TSK; e += RTSM * RTSN) {
            const int nn = b_along_n ? e % TSN : e / TSK;
            const int kk = b_along_n ? e / TSN : e % TSK;
            const int n = n_base + nn, k = k0 + kk;
            Bsub[kk * LROW_B + nn] = TILE_OF(B_ONE(b, N, b_ks, b_ns, k_end, n, k));
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        gemm_local_step(Asub4, Bsub4, acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

#endif /* GEMM_PREFETCH */

#if GEMM_HAS(GEMM_LOCAL) || GEMM_KERNELS == GEMM_IMPLICIT
/* The epilogue of a work-group's tile in acc, batch za (Y and R at za * M
 * * N, C at its batch offset), as gemm_out writes one value; in a kernel
 * of GEMM_PRODUCT_ARGS (gemm_local, conv_implicit), whose names it uses. */
#define GEMM_LOCAL_STORE(acc, za)                                                               \
    do {                                                                                        \
        const int lx = get_local_id(0), ly = get_local_id(1);                                   \
        const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;               \
        __global store_t *y = Y + (za) * (long)M * N;                                           \
        __global const store_t *r = R + (za) * (long)M * N;                                     \
        const long coff = batch_offset((za), bd, cs);                                           \
        for (int i = 0; i < WPTM; i++) {                                                        \
            const int m = m_base + TILE_ROW(i);                                                 \
            for (int j = 0; j < WPTN; j++) {                                                    \
                const int n = n_base + TILE_COL(j);                                             \
                if (m < M && n < N)                                                             \
                    ST(y, (long)m * N + n,                                                      \
                       gemm_out(acc[i][j], C, coff, m, n, c_rs, c_cs, alpha, beta,              \
                                r + (long)m * N + n, act_a, act_b, has_bias, has_res));         \
            }                                                                                   \
        }                                                                                       \
    } while (0)
#endif

#if GEMM_HAS(GEMM_LOCAL)
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
gemm_local(GEMM_PRODUCT_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    __local tile4_t Asub4[LOCAL_BUFS * TSK * LROW_A / 4];
    __local tile4_t Bsub4[LOCAL_BUFS * TSK * LROW_B / 4];
    const long z = get_global_id(2), za = z0 + z;
    float acc[WPTM][WPTN];
    gemm_local_tile(A + batch_offset(za, bd, as), B + batch_offset(bz0 + z, bd, bs), M, N, K,
                    a_rs, a_ks, b_ks, b_ns, 0, K, Asub4, Bsub4, acc, 0);

    GEMM_LOCAL_STORE(acc, za);
}

#endif

#if GEMM_HAS(GEMM_SPLIT) || GEMM_KERNELS == GEMM_IMPLICIT_SPLIT
/* A work-group's tile of raw sums in acc to p, the [M][N] partials of its
 * split (gemm_local_split, conv_implicit_split). */
inline void gemm_split_store(float acc[WPTM][WPTN], __global wide_t *p, int M, int N)
{
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int n_base = get_group_id(0) * TSN, m_base = get_group_id(1) * TSM;
    for (int i = 0; i < WPTM; i++) {
        const int m = m_base + TILE_ROW(i);
        for (int j = 0; j < WPTN; j++) {
            const int n = n_base + TILE_COL(j);
            if (m < M && n < N)
                p[(long)m * N + n] = acc[i][j];
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
    __local tile4_t Asub4[LOCAL_BUFS * TSK * LROW_A / 4];
    __local tile4_t Bsub4[LOCAL_BUFS * TSK * LROW_B / 4];
    const long zs = get_global_id(2), z = zs / splits;
    const int s = (int)(zs % splits);
    const int k_begin = s * k_step, k_end = min(K, k_begin + k_step);
    float acc[WPTM][WPTN];
    gemm_local_tile(A + batch_offset(z0 + z, bd, as), B + batch_offset(bz0 + z, bd, bs), M, N,
                    K, a_rs, a_ks, b_ks, b_ns, k_begin, k_end, Asub4, Bsub4, acc, 0);

    gemm_split_store(acc, P + zs * (long)M * N, M, N);
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
