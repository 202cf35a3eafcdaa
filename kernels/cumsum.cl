/*
 * cumsum.cl — ONNX CumSum of a contiguous tensor seen as [outer, len,
 * inner] around the axis.
 *
 * Work-item l (of outer * inner) walks line l: elements (l / inner, k,
 * l % inner) for k from 0 to len - 1 (from len - 1 down when reverse),
 * stride inner, keeping the running sum in a float (half storage rounds
 * only what is stored) and writing it after the element is added, or
 * before when exclusive. Each element is read before its output is
 * written, so the sum is right even where output and input share memory.
 * Consecutive items take consecutive inner positions: their reads are
 * adjacent. Tunables: none.
 */
__kernel void cumsum(__global const store_t *input, long input_off, __global store_t *output,
                     long output_off, int inner, int len, int lines, int exclusive, int reverse)
{
    const int l = get_global_id(0);
    if (l >= lines)
        return;
    const long first = (long)(l / inner) * len * inner + l % inner;
    const long step = reverse ? -(long)inner : (long)inner;
    long at = first + (reverse ? (long)(len - 1) * inner : 0);
    input += input_off;
    output += output_off;
    float sum = 0.0f;
    for (int k = 0; k < len; k++, at += step) {
        const float x = LD(input, at);
        if (exclusive) {
            ST(output, at, sum);
            sum += x;
        } else {
            sum += x;
            ST(output, at, sum);
        }
    }
}
