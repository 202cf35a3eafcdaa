/*
 * gather.cl — Gather (ONNX) over contiguous row-major tensors, with the
 * indices a tensor computed at run time or a constant.
 *
 * gather_rows: data seen as [outer, dim, inner] (the axis in the middle),
 * the output as [outer, count, inner] where count is the number of
 * indices (their own shape flattened). One work-item per output element,
 * a 1-D launch of n = outer * count * inner items (items past n return):
 * output (o, k, i) = data (o, indices[k], i). The index is a float
 * holding an integer (a fraction is floored); negative counts from the
 * end; outside [-dim, dim) the element is NaN and data is not read, as in
 * gather_elements.cl. Tunables: none (a copy bound by memory; the inner
 * run is contiguous, so neighbouring items read neighbouring elements).
 */
__kernel void gather_rows(__global const store_t *restrict data, long data_off,
                          __global const store_t *restrict indices, long indices_off,
                          __global store_t *restrict output, long output_off, int n, int inner,
                          int count, int dim)
{
    const size_t g = get_global_id(0);
    if (g >= (size_t)n) /* the launch rounds n up */
        return;
    const int at = (int)g;
    data += data_off;
    indices += indices_off;
    output += output_off;
    const int i = at % inner, rest = at / inner;
    const int k = rest % count, o = rest / count;
    const float f = LD(indices, k);
    if (!(f >= (float)-dim && f < (float)dim)) { /* NaN fails both */
        ST(output, at, NAN);
        return;
    }
    /* floor: a fraction (never a valid index) still lands inside the axis */
    long idx = (long)floor(f);
    idx += idx < 0 ? dim : 0;
    ST(output, at, LD(data, ((long)o * dim + idx) * inner + i));
}
