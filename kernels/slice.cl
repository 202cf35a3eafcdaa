/*
 * slice.cl — Slice (ONNX), contiguous row-major tensors.
 *
 * slice_nd: the output dims arrive innermost first (slot 0 is the
 * innermost, 1 <= rank <= 8; unused slots have size 1): output dim d has
 * size OD[d] and steps through the input by SS[d] elements (the slice step
 * times the input stride; negative when walking backwards). The first
 * element taken is at input offset BASE. Work-item (x, y, z) computes the
 * output element with coordinate x in dim 0, y in dim 1 and the coordinates
 * of dims 2.. taken from z; items past OD[0] return. Sizes fit 31 bits.
 * Tunables: none (the host merges whole dims, so most slices are rank 2-3).
 */
__kernel void slice_nd(__global const store_t *restrict input, long input_off,
                       __global store_t *restrict output, long output_off,
                       int rank, long base, INT8_ARGS(od), INT8_ARGS(ss))
{
    input += input_off;
    output += output_off;
    ND_ITEM(od0);
    long src = base + (long)x * ss0 + (long)y * ss1;
    uint rem = (uint)z;
#define SLICE_OUTER_DIM(k)                          \
    if (k < rank) {                                 \
        src += (long)(rem % (uint)od##k) * ss##k;   \
        rem /= (uint)od##k;                         \
    }
    SLICE_OUTER_DIM(2) SLICE_OUTER_DIM(3) SLICE_OUTER_DIM(4)
    SLICE_OUTER_DIM(5) SLICE_OUTER_DIM(6) SLICE_OUTER_DIM(7)
    ST(output, (z * (size_t)od1 + (size_t)y) * (size_t)od0 + (size_t)x, LD(input, src));
}
