/*
 * pool2d.cl - the pooling family, NCHW: every tensor is N*C planes, row-major.
 *
 * maxpool2d, avgpool2d: input planes of H x W, output planes of OH x OW.
 *   Work-item (x, y, z) computes output (x, y) of plane z; the global x size
 *   is rounded up to the local size, so items past OW return. Window KH x KW
 *   with strides, dilations and top/left padding; bottom/right padding and
 *   ceil mode are implied by OH, OW (the host computes them). The valid
 *   window range is computed once per item, so the inner loops have no
 *   bounds tests.
 *   maxpool2d: the max over the window elements inside the input (padding
 *   never wins, as ONNX specifies; NaN if any is NaN); -inf if there are none.
 *   avgpool2d: the sum over the elements inside the input divided by their
 *   count (count_include_pad = 0), or by the count of window positions
 *   inside the padded input [-pad_top, H + pad_bottom) x [-pad_left,
 *   W + pad_right) (count_include_pad = 1; positions past the padding, which
 *   ceil mode can create, are not counted). A count of 0 gives 0.
 * maxpool2d_rows, avgpool2d_rows: the same pooling for CPUs, where PoCL runs
 *   a work-group as a loop in one thread and a work-item per output leaves
 *   it nothing to vectorise. Work-item (x, y) computes output rows
 *   [x * rows, x * rows + rows) of plane y, 16 columns at a time as a
 *   float16: each window tap is one vector load (stride 1), two with the
 *   odd lanes dropped (stride 2) or 16 loads; lanes whose tap column lies
 *   outside [0, W) are masked out (-inf for max, 0 for the sum, not
 *   counted), so padding, ceil mode and the lanes past OW need no special
 *   case. A chunk reads past its row (into the next row, or the previous
 *   one at the left border) but never outside the buffer: a chunk whose
 *   reads would leave [0, planes * H * W) takes a scalar path. Launched
 *   with local size 1 along y, so get_global_size(1) is the plane count.
 *   Max pooling of 3 x 3 windows at stride 2 (ResNet's, SqueezeNet's) is
 *   separable there: each input row's three-column maxima once per chunk,
 *   two rows per output row (max3s2_rows).
 work-item i reduces plane i (of N * C) to
 *   one value, reading it with float8 vector loads plus a scalar tail.
 * Assumptions: every coordinate fits an int (checked by the host); flat
 *   offsets are size_t. No tunables, no build options: one program serves
 *   the whole family.
 */

/* Window taps k in [0, K) whose coordinate start + k * dil lies in
 * [0, limit), as the range [lo, hi) (empty: lo == hi). */
inline int2 window_taps(int start, int K, int dil, int limit)
{
    const int lo = start < 0 ? min(K, (-start + dil - 1) / dil) : 0;
    const int hi = limit > start ? min(K, (limit - start + dil - 1) / dil) : 0;
    return (int2)(lo, max(lo, hi));
}

/* Max over the window of output column ox (any position; -inf if empty). */
inline float max_window(__global const store_t *in, int W, int iy0, int2 ty, int dil_h, int ix0,
                        int KW, int dil_w)
{
    const int2 tx = window_taps(ix0, KW, dil_w, W);
    float best = -INFINITY;
    for (int ky = ty.x; ky < ty.y; ky++) {
        __global const store_t *row = in + (size_t)(iy0 + ky * dil_h) * W;
        for (int kx = tx.x; kx < tx.y; kx++) {
            const float val = LD(row, ix0 + kx * dil_w);
            best = MAX_NAN(best, val);
        }
    }
    return best;
}

__kernel void maxpool2d(__global const store_t *restrict input, long input_off,
                        __global store_t *restrict output, long output_off,
                        int H, int W, int OH, int OW, int KH, int KW,
                        int stride_h, int stride_w, int pad_top, int pad_left,
                        int dil_h, int dil_w)
{
    input += input_off;
    output += output_off;
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const size_t plane = get_global_id(2);
    if (ox >= OW)
        return;
    const int iy0 = oy * stride_h - pad_top;
    const int2 ty = window_taps(iy0, KH, dil_h, H);
    ST(output, (plane * OH + oy) * OW + ox, max_window(input + plane * H * W, W, iy0, ty, dil_h,
                                                     ox * stride_w - pad_left, KW, dil_w));
}

/* Average over the window of output column ox (see the banner for the
 * divisor); 0 when nothing is counted. */
inline float avg_window(__global const store_t *in, int H, int W, int iy0, int ix0, int KH, int KW,
                        int dil_h, int dil_w, int pad_top, int pad_left, int pad_bottom,
                        int pad_right, int count_include_pad)
{
    const int2 ty = window_taps(iy0, KH, dil_h, H);
    const int2 tx = window_taps(ix0, KW, dil_w, W);
    float sum = 0.0f;
    for (int ky = ty.x; ky < ty.y; ky++) {
        __global const store_t *row = in + (size_t)(iy0 + ky * dil_h) * W;
        for (int kx = tx.x; kx < tx.y; kx++)
            sum += LD(row, ix0 + kx * dil_w);
    }
    int count;
    if (count_include_pad) {
        /* Taps inside the padded input, in coordinates where it starts at
         * 0; windows never start before it. */
        const int2 py = window_taps(iy0 + pad_top, KH, dil_h, pad_top + H + pad_bottom);
        const int2 px = window_taps(ix0 + pad_left, KW, dil_w, pad_left + W + pad_right);
        count = (py.y - py.x) * (px.y - px.x);
    } else {
        count = (ty.y - ty.x) * (tx.y - tx.x);
    }
    return count > 0 ? sum / (float)count : 0.0f;
}

__kernel void avgpool2d(__global const store_t *restrict input, long input_off,
                        __global store_t *restrict output, long output_off,
                        int H, int W, int OH, int OW, int KH, int KW,
                        int stride_h, int stride_w, int pad_top, int pad_left,
                        int dil_h, int dil_w, int pad_bottom, int pad_right,
                        int count_include_pad)
{
    input += input_off;
    output += output_off;
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const size_t plane = get_global_id(2);
    if (ox >= OW)
        return;
    ST(output, (plane * OH + oy) * OW + ox,
       avg_window(input + plane * H * W, H, W, oy * stride_h - pad_top, ox * stride_w - pad_left,
                  KH, KW, dil_h, dil_w, pad_top, pad_left, pad_bottom, pad_right,
                  count_include_pad));
}

/* The rows kernels' body; is_avg is a constant at each call, so the
 * compiler keeps only one kind's code. Per tap column kx, `inside` marks
 * the lanes whose column is in the input and `counted` those whose
 * column the average's divisor counts. */
inline void pool_rows(const int is_avg, __global const store_t *restrict input,
                      __global store_t *restrict output, int H, int W, int OH, int OW, int KH,
                      int KW, int stride_h, int stride_w, int pad_top, int pad_left, int dil_h,
                      int dil_w, int pad_bottom, int pad_right, int count_include_pad, int rows)
{
    const int oy0 = get_global_id(0) * rows;
    const size_t plane = get_global_id(1);
    if (oy0 >= OH)
        return;
    const long plane_size = (long)H * W;
    const long total = (long)get_global_size(1) * plane_size;
    __global const store_t *in = input + plane * plane_size;
    const int reach = STRIDED16_REACH(stride_w) + (KW - 1) * dil_w;
    const int16 lane_col = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * stride_w;
    const int cip = is_avg && count_include_pad;
    const int oy1 = min(OH, oy0 + rows);
    for (int oy = oy0; oy < oy1; oy++) {
        const int iy0 = oy * stride_h - pad_top;
        const int2 ty = window_taps(iy0, KH, dil_h, H);
        const int2 py = window_taps(iy0 + pad_top, KH, dil_h, pad_top + H + pad_bottom);
        const float counted_rows = cip ? py.y - py.x : ty.y - ty.x;
        /* flat offsets of the first and last valid window rows */
        const long top = (long)plane * plane_size + (long)(iy0 + ty.x * dil_h) * W;
        const long bottom = (long)plane * plane_size + (long)(iy0 + (ty.y - 1) * dil_h) * W;
        __global store_t *out = output + (plane * OH + oy) * (size_t)OW;
        for (int ox = 0; ox < OW; ox += 16) {
            const int ix0 = ox * stride_w - pad_left;
            float16 acc = (float16)(is_avg ? 0.0f : -INFINITY);
            if (ty.x == ty.y || (top + ix0 >= 0 && bottom + ix0 + reach < total)) {
                float16 counted_cols = 0.0f;
                for (int kx = 0; kx < KW; kx++) {
                    const int col = ix0 + kx * dil_w;
                    const int16 c = lane_col + col;
                    const int16 inside = c >= 0 && c < W;
                    const int16 counted = cip ? c < W + pad_right : inside;
                    counted_cols += select((float16)(0.0f), (float16)(1.0f), counted);
                    for (int ky = ty.x; ky < ty.y; ky++) {
                        const float16 v =
                            strided16(in + (long)(iy0 + ky * dil_h) * W + col, stride_w);
                        acc = is_avg ? acc + select((float16)(0.0f), v, inside)
                                     : select(acc, MAX_NAN(acc, v), inside);
                    }
                }
                if (is_avg) {
                    const float16 count = counted_cols * counted_rows;
                    acc = select((float16)(0.0f), acc / count, count > 0.0f);
                }
            } else {
                float t[16];
                for (int j = 0; j < 16; j++) {
                    const int ix = ix0 + j * stride_w;
                    t[j] = ox + j >= OW ? 0.0f
                           : is_avg     ? avg_window(in, H, W, iy0, ix, KH, KW, dil_h, dil_w,
                                                     pad_top, pad_left, pad_bottom, pad_right,
                                                     count_include_pad)
                                        : max_window(in, W, iy0, ty, dil_h, ix, KW, dil_w);
                }
                acc = vload16(0, t);
            }
            st16_row(acc, out + ox, OW - ox, OW, oy + 1 < oy1);
        }
    }
}

/* m = the 3 x 3, stride 2 max of 16 columns from ix0 over input row iy
 * (-inf outside the image): the row's even, odd and next even columns are
 * the window's three taps (in0..in2: their lanes inside [0, W)). A macro:
 * a float16 returned from a function that PoCL does not inline goes
 * through memory. */
#define MAX3_ROW(m, in, H, W, iy, ix0, in0, in1, in2)                                        \
    do {                                                                                     \
        if ((iy) < 0 || (iy) >= (H)) {                                                       \
            m = (float16)(-INFINITY);                                                        \
        } else {                                                                             \
            __global const store_t *p_ = (in) + (long)(iy) * (W) + (ix0);                    \
            const float16 a_ = LD16(0, p_), b_ = LD16(1, p_);                                \
            const float16 ninf_ = (float16)(-INFINITY);                                      \
            const float16 even_ = select(ninf_, (float16)(a_.even, b_.even), in0);           \
            const float16 odd_ = select(ninf_, (float16)(a_.odd, b_.odd), in1);              \
            const float16 next_ = select(ninf_, strided16(p_ + 2, 2), in2);                  \
            m = MAX_NAN(MAX_NAN(even_, odd_), next_);                                        \
        }                                                                                    \
    } while (0)

/* maxpool2d_rows for 3 x 3 windows at stride 2 (ResNet's, SqueezeNet's):
 * separable, each input row's horizontal maxima once per 16 columns and
 * the last one kept for the next output row (2 rows per output row
 * instead of 9 taps); 0 where an item's reads would leave the tensor
 * (total floats), which then takes pool_rows. */
inline int max3s2_rows(__global const store_t *restrict input, __global store_t *restrict output,
                       int H, int W, int OH, int OW, int pad_top, int pad_left, int rows)
{
    const int oy0 = get_global_id(0) * rows, oy1 = min(OH, oy0 + rows);
    const size_t plane = get_global_id(1);
    const long total = (long)get_global_size(1) * H * W, at = (long)plane * H * W;
    const int first = max(0, 2 * oy0 - pad_top), last = min(H - 1, 2 * (oy1 - 1) - pad_top + 2);
    /* the last chunk's furthest read: strided16(p_ + 2, 2), 2 + 31 past
     * its first column (MAX3_ROW) */
    if (at + (long)first * W - pad_left < 0 ||
        at + (long)last * W + 2 * ((OW + 15) / 16 * 16 - 16) - pad_left + 2 +
                STRIDED16_REACH(2) >=
            total)
        return 0;
    __global const store_t *in = input + at;
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * 2;
    for (int ox = 0; ox < OW; ox += 16) {
        const int ix0 = 2 * ox - pad_left;
        const int16 c = lane + ix0;
        const int16 in0 = c >= 0 && c < W, in1 = c + 1 >= 0 && c + 1 < W;
        const int16 in2 = c + 2 >= 0 && c + 2 < W;
        float16 top, middle, bottom;
        MAX3_ROW(top, in, H, W, 2 * oy0 - pad_top, ix0, in0, in1, in2);
        for (int oy = oy0; oy < oy1; oy++) {
            const int iy = 2 * oy - pad_top;
            MAX3_ROW(middle, in, H, W, iy + 1, ix0, in0, in1, in2);
            MAX3_ROW(bottom, in, H, W, iy + 2, ix0, in0, in1, in2);
            const float16 m = MAX_NAN(MAX_NAN(top, middle), bottom);
            top = bottom; /* the next output row's first input row */
            __global store_t *out = output + (plane * OH + oy) * (size_t)OW;
            st16_first(m, out + ox, OW - ox);
        }
    }
    return 1;
}

__kernel void maxpool2d_rows(__global const store_t *restrict input, long input_off,
                             __global store_t *restrict output, long output_off,
                             int H, int W, int OH, int OW, int KH, int KW,
                             int stride_h, int stride_w, int pad_top, int pad_left,
                             int dil_h, int dil_w, int rows)
{
    input += input_off;
    output += output_off;
    if (KH == 3 && KW == 3 && stride_h == 2 && stride_w == 2 && dil_h == 1 && dil_w == 1 &&
        get_global_id(0) * rows < OH &&
        max3s2_rows(input, output, H, W, OH, OW, pad_top, pad_left, rows))
        return;
    pool_rows(0, input, output, H, W, OH, OW, KH, KW, stride_h, stride_w, pad_top, pad_left,
              dil_h, dil_w, 0, 0, 0, rows);
}

__kernel void avgpool2d_rows(__global const store_t *restrict input, long input_off,
                             __global store_t *restrict output, long output_off,
                             int H, int W, int OH, int OW, int KH, int KW,
                             int stride_h, int stride_w, int pad_top, int pad_left,
                             int dil_h, int dil_w, int pad_bottom, int pad_right,
                             int count_include_pad, int rows)
{
    input += input_off;
    output += output_off;
    pool_rows(1, input, output, H, W, OH, OW, KH, KW, stride_h, stride_w, pad_top, pad_left,
              dil_h, dil_w, pad_bottom, pad_right, count_include_pad, rows);
}

__kernel void globalavgpool(__global const store_t *restrict input, long input_off,
                            __global store_t *restrict output, long output_off,
                            int N, int C, int H, int W)
{
    input += input_off;
    output += output_off;
    const size_t plane = get_global_id(0);
    if (plane >= (size_t)N * C)
        return;
    const size_t hw = (size_t)H * W;
    ST(output, plane, plane_average(input + plane * hw, (long)hw));
}

__kernel void globalmaxpool(__global const store_t *restrict input, long input_off,
                            __global store_t *restrict output, long output_off,
                            int N, int C, int H, int W)
{
    input += input_off;
    output += output_off;
    const size_t plane = get_global_id(0);
    if (plane >= (size_t)N * C)
        return;
    const size_t hw = (size_t)H * W;
    __global const store_t *in = input + plane * hw;
    float8 best8 = -INFINITY;
    size_t i = 0;
    for (; i + 8 <= hw; i += 8) {
        const float8 val = LD8(0, in + i);
        best8 = MAX_NAN(best8, val);
    }
    float4 best4 = MAX_NAN(best8.lo, best8.hi);
    float best = MAX_NAN(MAX_NAN(best4.x, best4.y), MAX_NAN(best4.z, best4.w));
    for (; i < hw; i++) {
        const float val = LD(in, i);
        best = MAX_NAN(best, val);
    }
    ST(output, plane, best);
}
