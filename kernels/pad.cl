/*
 * pad.cl - Pad (ONNX), any rank up to 8, contiguous row-major tensors.
 *
 * pad_nd: work-item i computes output element i (items past n return). It
 * splits i into per-dim coordinates o[d] (innermost dim last), and maps
 * each to c = o[d] - LO[d] in the cropped input, whose length is LEN[d].
 * Inside [0, LEN[d]) the element is input[base + sum c * stride[d]], with
 * strides from the input dims ID[d]; outside, the mode decides:
 *   PAD_MODE 0 constant: the element is `value`
 *   PAD_MODE 1 reflect:  c mirrored about 0 and LEN-1, periodically
 *   PAD_MODE 2 edge:     c clamped to [0, LEN-1]
 *   PAD_MODE 3 wrap:     c modulo LEN
 * `base` is the offset of the first element kept after cropping. Only the
 * first `rank` dims of each array are used. Sizes fit 31 bits; the host
 * guarantees LEN >= 1 on any dim a non-constant mode has to fill.
 */
#ifndef PAD_MODE
#define PAD_MODE 0
#endif

#define INT8_ARGS(p) int p##0, int p##1, int p##2, int p##3, \
                     int p##4, int p##5, int p##6, int p##7
#define INT8_ARRAY(p) { p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7 }

__kernel void pad_nd(__global const float *restrict input,
                     __global float *restrict output,
                     int n, int rank, int base, float value,
                     INT8_ARGS(od), INT8_ARGS(lo), INT8_ARGS(len), INT8_ARGS(id))
{
    const size_t i = get_global_id(0);
    if (i >= (size_t)n)
        return;
    const int OD[8] = INT8_ARRAY(od), LO[8] = INT8_ARRAY(lo);
    const int LEN[8] = INT8_ARRAY(len), ID[8] = INT8_ARRAY(id);
    uint rem = (uint)i;
    size_t src = (size_t)base, stride = 1;
    for (int d = rank - 1; d >= 0; d--) {
        const uint o = rem % (uint)OD[d];
        rem /= (uint)OD[d];
        int c = (int)o - LO[d];
        if (c < 0 || c >= LEN[d]) {
#if PAD_MODE == 0
            output[i] = value;
            return;
#elif PAD_MODE == 1
            const long period = 2 * ((long)LEN[d] - 1);
            long r = period > 0 ? (long)c % period : 0;
            if (r < 0)
                r += period;
            c = (int)(r < LEN[d] ? r : period - r);
#elif PAD_MODE == 2
            c = clamp(c, 0, LEN[d] - 1);
#else
            c %= LEN[d];
            if (c < 0)
                c += LEN[d];
#endif
        }
        src += (size_t)c * stride;
        stride *= (size_t)ID[d];
    }
    output[i] = input[src];
}
