/*
 * gather.cl — Gather (ONNX) over contiguous row-major tensors, with the
 * indices a tensor computed at run time or a constant.
 *
 * gather_rows: data seen as [outer, dim, inner] (the axis in the middle),
 * the output as [outer, count, inner] where count is the number of
 * indices (their own shape flattened): output row r = o * count + k is
 * data row o * dim + indices[k], `inner` contiguous elements. Work-item
 * (x, c) copies elements c * chunk .. + chunk - 1 (fewer in the last
 * chunk) of rows x * rpi .. + rpi - 1, 8 at a time: the index is read,
 * checked and turned into a row once per row, not per element, and k and
 * o are stepped rather than divided out per row (a division per element
 * cost more than the copy). The host sets rpi so that an item of short
 * rows still copies a few hundred elements (PoCL's cost per item is
 * larger than a short row's), and chunk so that a long row is shared out
 * among items. Items past the rows return. The index is a float holding
 * an integer (a fraction is floored); negative counts from the end;
 * outside [-dim, dim) the row is NaN and data is not read, as in
 * gather_elements.cl. Tunables: rpi and chunk, set by the host.
 */

/* n elements of one output row: those of data row o * dim + f (data
 * already at the item's chunk), or NaN when the index f is outside
 * [-dim, dim). */
inline void gather_row(__global const store_t *data, long inner, int dim, long o, float f,
                       __global store_t *out, int n)
{
    if (!(f >= (float)-dim && f < (float)dim)) { /* NaN fails both */
        for (int i = 0; i < n; i++)
            ST(out, i, NAN);
        return;
    }
    /* floor: a fraction (never a valid index) still lands inside the axis */
    long idx = (long)floor(f);
    idx += idx < 0 ? dim : 0;
    data += (o * dim + idx) * inner;
    int i = 0;
    for (; i + 8 <= n; i += 8)
        ST8(LD8(0, data + i), 0, out + i);
    for (; i < n; i++)
        ST(out, i, LD(data, i));
}

__kernel void gather_rows(__global const store_t *restrict data, long data_off,
                          __global const store_t *restrict indices, long indices_off,
                          __global store_t *restrict output, long output_off, int rows,
                          int inner, int count, int dim, int rpi, int chunk)
{
    const size_t x = get_global_id(0);
    if (x * (size_t)rpi >= (size_t)rows) /* the launch rounds up */
        return;
    const int r0 = (int)(x * (size_t)rpi), r1 = rows - r0 < rpi ? rows : r0 + rpi;
    const int c0 = (int)get_global_id(1) * chunk, n = min(chunk, inner - c0);
    data += data_off + c0;
    indices += indices_off;
    output += output_off + (long)r0 * inner + c0;
    int k = r0 % count;
    long o = r0 / count;
    for (int r = r0; r < r1; r++, output += inner) {
        gather_row(data, inner, dim, o, LD(indices, k), output, n);
        if (++k == count)
            k = 0, o++;
    }
}
