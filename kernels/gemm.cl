/*
 * gemm.cl - matrix products for Gemm and MatMul.
 *
 * gemm_tile: Y[b] = act(alpha * A'[b] * B'[b] + beta * C), fp32.
 *   A'[b] is [M, K] with element (m, k) at A[a_off(b) + m * a_rs + k * a_ks];
 *   B'[b] is [K, N] with element (k, n) at B[b_off(b) + k * b_ks + n * b_ns];
 *   so transposes are just strides. Y is contiguous [batch, M, N].
 *   C (only with HAS_BIAS=1) is [M, N] seen through strides c_rs, c_cs, which
 *   are 0 along a broadcast axis; it is not batched.
 *   Batch b is decomposed over up to 6 dims bd0 (innermost) .. bd5, with
 *   per-operand strides as*, bs* (0 where that operand is broadcast); unused
 *   dims have size 1.
 * Work-item (x, y, z) computes the TM x TN tile of Y[z] at rows y * TM and
 * columns x * TN, holding TM accumulators of type floatTN. Items past the
 * last tile return. Rows past M are computed from a clamped row and not
 * stored. Full-width tiles with b_ns == 1 load B as vectors; edge tiles and
 * strided B gather (clamped columns).
 * Tunables: TM (rows per item, >= 1), TN (columns per item: 2, 4, 8 or 16),
 * HAS_BIAS (C present), ACT (see prelude.cl).
 * Assumes every offset fits a size_t and every stride an int.
 */
#ifndef TM
#define TM 8
#endif
#ifndef TN
#define TN 16
#endif

#define GEMM_CAT_(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
#define floatTN GEMM_CAT(float, TN)
#define vloadTN GEMM_CAT(vload, TN)
#define vstoreTN GEMM_CAT(vstore, TN)

/* Adds batch dim d's share of index `rem` to the A and B offsets. */
#define GEMM_BATCH_DIM(d)                                                      \
    {                                                                          \
        const size_t i = rem % (size_t)bd##d;                                  \
        rem /= (size_t)bd##d;                                                  \
        a_off += i * (size_t)as##d;                                            \
        b_off += i * (size_t)bs##d;                                            \
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
    const int n0 = get_global_id(0) * TN;
    const int m0 = get_global_id(1) * TM;
    if (n0 >= N || m0 >= M)
        return;
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

    floatTN acc[TM];
#pragma unroll
    for (int i = 0; i < TM; i++)
        acc[i] = (floatTN)(0.0f);

    if (b_ns == 1 && n0 + TN <= N) {
        /* full tile, B' rows contiguous: one vector load per k */
        for (int k = 0; k < K; k++) {
            const floatTN bv = vloadTN(0, b + (size_t)k * (size_t)b_ks + (size_t)n0);
            const size_t ak = (size_t)k * (size_t)a_ks;
#pragma unroll
            for (int i = 0; i < TM; i++)
                acc[i] = fma((floatTN)(a[arow[i] + ak]), bv, acc[i]);
        }
    } else {
        /* edge tile or strided B': gather TN columns (clamped) per k */
        size_t bcol[TN];
#pragma unroll
        for (int j = 0; j < TN; j++)
            bcol[j] = (size_t)min(n0 + j, N - 1) * (size_t)b_ns;
        for (int k = 0; k < K; k++) {
            __global const float *bk = b + (size_t)k * (size_t)b_ks;
            float t[TN];
#pragma unroll
            for (int j = 0; j < TN; j++)
                t[j] = bk[bcol[j]];
            const floatTN bv = vloadTN(0, t);
            const size_t ak = (size_t)k * (size_t)a_ks;
#pragma unroll
            for (int i = 0; i < TM; i++)
                acc[i] = fma((floatTN)(a[arow[i] + ak]), bv, acc[i]);
        }
    }

    /* epilogue: alpha, C, activation; store the part of the tile inside Y */
    for (int i = 0; i < TM && m0 + i < M; i++) {
        const size_t m = (size_t)(m0 + i);
        float r[TN];
        vstoreTN(acc[i], 0, r);
        for (int j = 0; j < TN && n0 + j < N; j++) {
            const size_t n = (size_t)(n0 + j);
            float v = alpha * r[j];
#if HAS_BIAS
            v = fma(beta, C[m * (size_t)c_rs + n * (size_t)c_cs], v);
#endif
            y[m * (size_t)N + n] = apply_act(v, act_a, act_b);
        }
    }
}
