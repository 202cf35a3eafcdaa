/*
 * gemm_pack.cl - the packing kernels of the cpu GEMM (gemm.cl's gemm_packed
 * and the convolutions built on it read what they write): operands that
 * change per run packed on the device (constant weights are packed on the
 * host, host/ops/gemm_pack.c, into the same layouts). Packed B: panels of
 * TW = NV * 16 columns, panel p [K, TW] row-major at p * K * TW, zero past
 * N; packed A: panels of TM rows, panel x [K, TM] at x * K * TM, zero past
 * M (gemm.cl describes how gemm_packed reads them).
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
 * Tunables: TM (gemm_pack_a), NV (gemm_pack_b, gemm_pack_bt), prelude.cl;
 * the host gives both, so that A and B packings share one program.
 */

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
