/*
 * gemm.cl - matrix products for Gemm and MatMul, fp32.
 *
 * gemm_tile: Y[b] = act(alpha * A'[b] * B'[b] + beta * C).
 *   A'[b] is [M, K] with element (m, k) at A[a_off(b) + m * a_rs + k * a_ks];
 *   B'[b] is [K, N] with element (k, n) at B[b_off(b) + k * b_ks + n * b_ns];
 *   so transposes are just strides. Y is contiguous [batch, M, N].
 *   C (only with HAS_BIAS=1) is [M, N] seen through strides c_rs, c_cs, which
 *   are 0 along a broadcast axis; it is not batched.
 *   Batch b is decomposed over up to 6 dims bd0 (innermost) .. bd5 with
 *   per-operand strides as*, bs* (0 where that operand is broadcast); unused
 *   dims have size 1.
 * Work-item (x, y, z) computes a TM x TW tile of Y[z] (TW = NV * VW columns)
 * at rows x * TM and columns y * TW, in TM * NV accumulators of type floatVW.
 * Rows are in x so that the items of a work-group, which PoCL runs one after
 * another on one core, share one panel of B'. Items past the last tile
 * return. Rows past M are computed from a clamped row and not stored. When
 * B' rows are contiguous (b_ns == 1) B' is read as vectors, and a last tile
 * that sticks out of N is moved left to end at N (its columns shared with
 * the previous tile are computed twice and stored once); otherwise (strided
 * B', or N < TW) TW columns are gathered per k, clamped to the last column.
 * Tunables: TM (rows per item, >= 1), VW (vector width: 2, 4, 8 or 16), NV
 * (vectors per row), HAS_BIAS (C present), ACT (see prelude.cl).
 * Assumes every offset fits a size_t and every stride an int.
 */
#ifndef TM
#define TM 8
#endif
#ifndef VW
#define VW 16
#endif
#ifndef NV
#define NV 2
#endif
#define TW (NV * VW)

#define GEMM_CAT_(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
#define floatVW GEMM_CAT(float, VW)
#define vloadVW GEMM_CAT(vload, VW)
#define vstoreVW GEMM_CAT(vstore, VW)

/* Adds batch dim d's share of index `rem` to the A and B offsets. */
#define GEMM_BATCH_DIM(d)                                                      \
    {                                                                          \
        const size_t i = rem % (size_t)bd##d;                                  \
        rem /= (size_t)bd##d;                                                  \
        a_off += i * (size_t)as##d;                                            \
        b_off += i * (size_t)bs##d;                                            \
    }

/* acc[i][v] += A'(row i of the tile, k) * bv[v]; ak is k * a_ks. */
inline void gemm_rank1(floatVW acc[TM][NV], __global const float *a, const size_t arow[TM],
                       size_t ak, const floatVW bv[NV])
{
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const floatVW av = (floatVW)(a[arow[i] + ak]);
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = fma(av, bv[v], acc[i][v]);
    }
}

__kernel void gemm_tile(__global const float *restrict A,
                        __global const float *restrict B,
                        __global const float *restrict C,
                        __global float *restrict Y,
                        int M, int N, int K,
                        int a_rs, int a_ks, int b_ks, int b_ns,
                        int c_rs, int c_cs, float alpha, float beta,
                        int bd0, int bd1, int bd2, int bd3, int bd4, int bd5,
                        int as0, int as1, int as2, int as3, int as4, int as5,
                        int bs0, int bs1, int bs2, int bs3, int bs4, int bs5,
                        float act_a, float act_b)
{
    const int m0 = get_global_id(0) * TM;
    const int n_own = get_global_id(1) * TW; /* first column this item stores */
    if (m0 >= M || n_own >= N)
        return;
    const int vector_b = b_ns == 1 && N >= TW;
    const int n0 = vector_b && n_own + TW > N ? N - TW : n_own; /* first column computed */

    const size_t batch = get_global_id(2);
    size_t rem = batch, a_off = 0, b_off = 0;
    GEMM_BATCH_DIM(0)
    GEMM_BATCH_DIM(1)
    GEMM_BATCH_DIM(2)
    GEMM_BATCH_DIM(3)
    GEMM_BATCH_DIM(4)
    GEMM_BATCH_DIM(5)
    __global const float *a = A + a_off;
    __global const float *b = B + b_off;
    __global float *y = Y + batch * (size_t)M * (size_t)N;

    size_t arow[TM]; /* offset of each row of A' (clamped to the last row) */
#pragma unroll
    for (int i = 0; i < TM; i++)
        arow[i] = (size_t)min(m0 + i, M - 1) * (size_t)a_rs;

    floatVW acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int v = 0; v < NV; v++)
            acc[i][v] = (floatVW)(0.0f);

    if (vector_b) {
        for (int k = 0; k < K; k++) {
            __global const float *bk = b + (size_t)k * (size_t)b_ks + (size_t)n0;
            floatVW bv[NV];
#pragma unroll
            for (int v = 0; v < NV; v++)
                bv[v] = vloadVW(v, bk);
            gemm_rank1(acc, a, arow, (size_t)k * (size_t)a_ks, bv);
        }
    } else {
        size_t bcol[TW]; /* offset of each column of B' (clamped to the last one) */
#pragma unroll
        for (int j = 0; j < TW; j++)
            bcol[j] = (size_t)min(n0 + j, N - 1) * (size_t)b_ns;
        for (int k = 0; k < K; k++) {
            __global const float *bk = b + (size_t)k * (size_t)b_ks;
            float t[TW];
#pragma unroll
            for (int j = 0; j < TW; j++)
                t[j] = bk[bcol[j]];
            floatVW bv[NV];
#pragma unroll
            for (int v = 0; v < NV; v++)
                bv[v] = vloadVW(v, t);
            gemm_rank1(acc, a, arow, (size_t)k * (size_t)a_ks, bv);
        }
    }

    /* epilogue: alpha, C, activation; store this item's part of the tile */
    for (int i = 0; i < TM && m0 + i < M; i++) {
        const size_t m = (size_t)(m0 + i);
        float r[TW];
#pragma unroll
        for (int v = 0; v < NV; v++)
            vstoreVW(acc[i][v], v, r);
        for (int j = n_own - n0; j < TW && n0 + j < N; j++) {
            const size_t n = (size_t)(n0 + j);
            float v = alpha * r[j];
#if HAS_BIAS
            v = fma(beta, C[m * (size_t)c_rs + n * (size_t)c_cs], v);
#endif
            y[m * (size_t)N + n] = apply_act(v, act_a, act_b);
        }
    }
}
