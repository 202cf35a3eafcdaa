/*
 * topk.cl — ONNX TopK of a contiguous tensor seen as [outer, len, inner]
 * around the axis, into [2, outer, k, inner]: slab 0 the values, slab 1
 * their indices along the axis (floats holding integers).
 *
 * The order is a total one on (value, index), ONNX Runtime's: by value
 * (descending when largest, ascending otherwise) with a NaN above every
 * number, then by lower index. Work-item l (of outer * inner) walks line l
 * (stride inner) k times: pick j is the first element in that order among
 * those after pick j - 1, so the picks come out sorted with no scratch
 * memory (O(k * len) reads, all of them from the line, which a CPU's
 * cache holds). Consecutive items take consecutive inner positions: their
 * reads are adjacent. Tunables: none.
 */

/* (a, ia) comes before (b, ib) in the output order. */
static inline bool topk_before(float a, int ia, float b, int ib, int largest)
{
    const bool an = isnan(a), bn = isnan(b);
    if (an || bn) {
        if (an && bn)
            return ia < ib;
        return largest ? an : bn; /* a NaN is above every number */
    }
    if (a != b)
        return largest ? a > b : a < b;
    return ia < ib;
}

__kernel void topk(__global const store_t *input, long input_off, __global store_t *output,
                   long output_off, int inner, int len, int k, int lines, int largest)
{
    const int l = get_global_id(0);
    if (l >= lines)
        return;
    const long first = (long)(l / inner) * len * inner + l % inner;
    const long out_first = (long)(l / inner) * k * inner + l % inner;
    const long slab = (long)lines * k; /* the indices' offset */
    input += input_off;
    output += output_off;
    float prev = 0.0f;
    int prev_i = -1;
    for (int j = 0; j < k; j++) {
        float best = 0.0f;
        int best_i = -1;
        for (int q = 0; q < len; q++) {
            const float x = LD(input, first + (long)q * inner);
            if ((prev_i < 0 || topk_before(prev, prev_i, x, q, largest)) &&
                (best_i < 0 || topk_before(x, q, best, best_i, largest))) {
                best = x;
                best_i = q;
            }
        }
        const long at = out_first + (long)j * inner;
        ST(output, at, best);
        ST(output, slab + at, (float)best_i);
        prev = best;
        prev_i = best_i;
    }
}
