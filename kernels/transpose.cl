/*
 * transpose.cl - Transpose (ONNX), contiguous row-major tensors. The host
 * first drops size-1 dims and merges dims that stay adjacent, so most real
 * permutations reach these kernels with rank 2 or 3.
 *
 * transpose_nd: the output dims arrive innermost first (slot 0 is the
 * innermost, 2 <= rank <= 8): output dim d has size OD[d] and reads the
 * input with stride SS[d]. Work-item (x, y, z) computes the output element
 * with coordinate x in dim 0, y in dim 1, and the coordinates of dims 2..
 * taken from z; items past OD[0] return. Its source is the sum of
 * coordinate * stride. Sizes fit 31 bits.
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

__kernel void transpose_nd(__global const store_t *restrict input, long input_off,
                           __global store_t *restrict output, long output_off,
                           int rank, INT8_ARGS(od), INT8_ARGS(ss))
{
    input += input_off;
    output += output_off;
    ND_ITEM(od0);
    size_t src = (size_t)x * (size_t)ss0 + (size_t)y * (size_t)ss1;
    uint rem = (uint)z;
    /* Dims 2..rank-1, unrolled so that every size stays a scalar. */
#define TRANSPOSE_OUTER_DIM(k)                                  \
    if (k < rank) {                                             \
        src += (size_t)(rem % (uint)od##k) * (size_t)ss##k;     \
        rem /= (uint)od##k;                                     \
    }
    TRANSPOSE_OUTER_DIM(2) TRANSPOSE_OUTER_DIM(3) TRANSPOSE_OUTER_DIM(4)
    TRANSPOSE_OUTER_DIM(5) TRANSPOSE_OUTER_DIM(6) TRANSPOSE_OUTER_DIM(7)
    ST(output, (z * (size_t)od1 + (size_t)y) * (size_t)od0 + (size_t)x, LD(input, src));
}

__kernel void transpose_2d(__global const store_t *restrict input, long input_off,
                           __global store_t *restrict output, long output_off, int R, int C)
{
    input += input_off;
    output += output_off;
    const int c0 = get_global_id(0) * TILE;
    const int r0 = get_global_id(1) * TILE;
    const size_t plane = (size_t)get_global_id(2) * (size_t)R * (size_t)C;
    if (c0 >= C || r0 >= R)
        return;
    __global const store_t *in = input + plane + (size_t)r0 * C + c0;
    __global store_t *out = output + plane + (size_t)c0 * R + r0;
    if (r0 + TILE <= R && c0 + TILE <= C) {
        float t[TILE][TILE];
        for (int r = 0; r < TILE; r++)
            for (int c = 0; c < TILE; c++)
                t[c][r] = LD(in, (size_t)r * C + c);
        for (int c = 0; c < TILE; c++)
            for (int r = 0; r < TILE; r++)
                ST(out, (size_t)c * R + r, t[c][r]);
    } else {
        const int rn = min(TILE, R - r0), cn = min(TILE, C - c0);
        for (int c = 0; c < cn; c++)
            for (int r = 0; r < rn; r++)
                ST(out, (size_t)c * R + r, LD(in, (size_t)r * C + c));
    }
}
