/*
 * transpose.cl - Transpose (ONNX), contiguous row-major tensors. The host
 * first drops size-1 dims and merges dims that stay adjacent, so most real
 * permutations reach these kernels with rank 2 or 3.
 *
 * transpose_nd: output dim d (outermost first, d < rank <= 8) has size
 * OD[d] and reads the input with stride SS[d]. Work-item i computes output
 * element i (items past n return): it splits i into coordinates and sums
 * coordinate * stride. n < 2^31.
 *
 * transpose_2d: a batch of R x C matrices to C x R (input [B, R, C], output
 * [B, C, R]). Work-item (x, y, b) moves the TILE x TILE block whose input
 * rows start at y * TILE and columns at x * TILE; reads and writes run
 * along rows of TILE floats. Partial blocks at the right and bottom edges
 * are clipped.
 * Tunables: TILE (8).
 */
#ifndef TILE
#define TILE 8
#endif

#define INT8_ARGS(p) int p##0, int p##1, int p##2, int p##3, \
                     int p##4, int p##5, int p##6, int p##7
#define INT8_ARRAY(p) { p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7 }

__kernel void transpose_nd(__global const float *restrict input,
                           __global float *restrict output,
                           int n, int rank, INT8_ARGS(od), INT8_ARGS(ss))
{
    const size_t i = get_global_id(0);
    if (i >= (size_t)n)
        return;
    const int OD[8] = INT8_ARRAY(od), SS[8] = INT8_ARRAY(ss);
    uint rem = (uint)i;
    size_t src = 0;
    for (int d = rank - 1; d >= 0; d--) {
        const uint o = rem % (uint)OD[d];
        rem /= (uint)OD[d];
        src += (size_t)o * (size_t)SS[d];
    }
    output[i] = input[src];
}

__kernel void transpose_2d(__global const float *restrict input,
                           __global float *restrict output, int R, int C)
{
    const int c0 = get_global_id(0) * TILE;
    const int r0 = get_global_id(1) * TILE;
    const size_t plane = (size_t)get_global_id(2) * (size_t)R * (size_t)C;
    if (c0 >= C || r0 >= R)
        return;
    __global const float *in = input + plane + (size_t)r0 * C + c0;
    __global float *out = output + plane + (size_t)c0 * R + r0;
    if (r0 + TILE <= R && c0 + TILE <= C) {
        float t[TILE][TILE];
        for (int r = 0; r < TILE; r++)
            for (int c = 0; c < TILE; c++)
                t[c][r] = in[(size_t)r * C + c];
        for (int c = 0; c < TILE; c++)
            for (int r = 0; r < TILE; r++)
                out[(size_t)c * R + r] = t[c][r];
    } else {
        const int rn = min(TILE, R - r0), cn = min(TILE, C - c0);
        for (int c = 0; c < cn; c++)
            for (int r = 0; r < rn; r++)
                out[(size_t)c * R + r] = in[(size_t)r * C + c];
    }
}
