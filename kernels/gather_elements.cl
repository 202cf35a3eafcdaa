/*
 * gather_elements.cl — GatherElements (ONNX; torch.gather) over contiguous
 * row-major tensors.
 *
 * gather_elements_nd: the output (= indices) dims arrive innermost first
 * (slot 0 innermost, 1 <= rank <= 8; unused slots have size 1 and stride
 * 0): output dim d has size OD[d], and data steps DS[d] elements along
 * it. Slot `axis` holds the gathered axis, of `dim` elements in data.
 * Work-item (x, y, z) computes the output element with coordinate x in
 * dim 0, y in dim 1 and the coordinates of dims 2.. taken from z (items
 * past OD[0] return): its index, read from `indices` at the same flat
 * place, replaces the axis coordinate. The index is a float holding an
 * integer (a fraction is floored); negative counts from the end; outside
 * [-dim, dim) the element is NaN and data is not read. Tunables: none.
 */
__kernel void gather_elements_nd(__global const store_t *restrict data, long data_off,
                                 __global const store_t *restrict indices, long indices_off,
                                 __global store_t *restrict output, long output_off, int rank,
                                 int axis, int dim, INT8_ARGS(od), INT8_ARGS(ds))
{
    data += data_off;
    indices += indices_off;
    output += output_off;
    ND_ITEM(od0);
    const size_t at = (z * (size_t)od1 + (size_t)y) * (size_t)od0 + (size_t)x;
    const float f = LD(indices, at);
    if (!(f >= (float)-dim && f < (float)dim)) { /* NaN fails both */
        ST(output, at, NAN);
        return;
    }
    /* floor: a fraction (never a valid index) still lands inside the axis */
    long idx = (long)floor(f);
    idx += idx < 0 ? dim : 0;
    /* every coordinate but the axis', which the index replaces */
    long src = (axis == 0 ? 0 : (long)x * ds0) + (axis == 1 ? 0 : (long)y * ds1);
    uint rem = (uint)z;
#define GATHER_OUTER_DIM(k)                                  \
    if (k < rank) {                                          \
        if (k != axis)                                       \
            src += (long)(rem % (uint)od##k) * ds##k;        \
        rem /= (uint)od##k;                                  \
    }
    GATHER_OUTER_DIM(2) GATHER_OUTER_DIM(3) GATHER_OUTER_DIM(4)
    GATHER_OUTER_DIM(5) GATHER_OUTER_DIM(6) GATHER_OUTER_DIM(7)
    const int ds_axis = axis == 0 ? ds0 : axis == 1 ? ds1 : axis == 2 ? ds2 : axis == 3 ? ds3
                      : axis == 4 ? ds4 : axis == 5 ? ds5 : axis == 6 ? ds6 : ds7;
    ST(output, at, LD(data, src + idx * ds_axis));
}
