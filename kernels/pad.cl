/*
 * pad.cl - Pad (ONNX), any rank up to 8, contiguous row-major tensors.
 *
 * pad_nd: one work-item per output element. The dims arrive innermost
 * first (slot 0 is the innermost dim, rank >= 2, unused slots ignored):
 * per dim the output size OD, the begin pad LO, the length LEN of the
 * input left after cropping and the input size ID (for the strides).
 * Work-item (x, y, z) computes the output element with coordinate x in
 * dim 0, y in dim 1, and the coordinates of dims 2.. taken from z; items
 * past OD[0] return. A coordinate o maps to c = o - LO in the cropped
 * input; inside [0, LEN) the element is input[base + sum c * stride],
 * where `base` is the offset of the first element kept after cropping;
 * outside, the mode decides:
 *   PAD_MODE 0 constant: the element is `value`
 *   PAD_MODE 1 reflect:  c mirrored about 0 and LEN-1, periodically
 *   PAD_MODE 2 edge:     c clamped to [0, LEN-1]
 *   PAD_MODE 3 wrap:     c modulo LEN
 * Sizes fit 31 bits; the host guarantees LEN >= 1 on any dim a mode other
 * than constant has to fill.
 */
#ifndef PAD_MODE
#define PAD_MODE 0
#endif

/* The input coordinate for output coordinate o, or -1 for `value`. */
inline int pad_source(int o, int lo, int len)
{
    int c = o - lo;
    if (c >= 0 && c < len)
        return c;
#if PAD_MODE == 0
    return -1;
#elif PAD_MODE == 1
    if (c < 0 && -c < len) /* one reflection, the usual case */
        return -c;
    if (c >= len && c - len < len - 1)
        return (len - 1) - (c - (len - 1)); /* 2 (len - 1) - c */
    if (len == 1)
        return 0;
    const uint period = 2u * (uint)(len - 1); /* < 2^32 */
    const uint r = c >= 0 ? (uint)c % period : (period - (uint)(-c) % period) % period;
    return (int)(r < (uint)len ? r : period - r);
#elif PAD_MODE == 2
    return clamp(c, 0, len - 1);
#else
    c %= len;
    return c < 0 ? c + len : c;
#endif
}

__kernel void pad_nd(__global const store_t *restrict input, long input_off,
                     __global store_t *restrict output, long output_off,
                     int rank, int base, float value,
                     INT8_ARGS(od), INT8_ARGS(lo), INT8_ARGS(len), INT8_ARGS(id))
{
    input += input_off;
    output += output_off;
    ND_ITEM(od0);
    const size_t o = (z * (size_t)od1 + (size_t)y) * (size_t)od0 + (size_t)x;
    const int c0 = pad_source(x, lo0, len0), c1 = pad_source(y, lo1, len1);
    if (c0 < 0 || c1 < 0) {
        ST(output, o, value);
        return;
    }
    size_t src = (size_t)base + (size_t)c0 + (size_t)c1 * (size_t)id0;
    size_t stride = (size_t)id0 * (size_t)id1;
    uint rem = (uint)z;
    /* Dims 2..rank-1, unrolled so that every size stays a scalar. */
#define PAD_OUTER_DIM(k)                                                   \
    if (k < rank) {                                                        \
        const int c = pad_source((int)(rem % (uint)od##k), lo##k, len##k); \
        if (c < 0) {                                                       \
            ST(output, o, value);                                          \
            return;                                                        \
        }                                                                  \
        rem /= (uint)od##k;                                                \
        src += (size_t)c * stride;                                         \
        stride *= (size_t)id##k;                                           \
    }
    PAD_OUTER_DIM(2) PAD_OUTER_DIM(3) PAD_OUTER_DIM(4)
    PAD_OUTER_DIM(5) PAD_OUTER_DIM(6) PAD_OUTER_DIM(7)
    ST(output, o, LD(input, src));
}
