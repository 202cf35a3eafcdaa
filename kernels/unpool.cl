/*
 * unpool.cl — MaxPool's Indices and MaxUnpool, NCHW: every tensor is
 * N*C planes, row-major. Indices are flat positions in the whole tensor
 * held as floats (exact up to 2^24; the host refuses larger tensors).
 *
 * maxpool2d_indices: work-item (x, y, z) finds the maximum of output
 *   (x, y)'s window in plane z, exactly as maxpool2d does (taps outside
 *   the input skipped, KH x KW with strides, dilations and top/left
 *   padding; OH, OW imply the rest), and writes where it is: the first
 *   maximum in the window's scan order (rows, then columns), a later
 *   element taking over only when strictly greater (ONNX Runtime's rule);
 *   a NaN is taken only when nothing else has been. The plane's part is
 *   y * W + x, or x * H + y when storage_order is 1.
 * unpool_zero: work-item i writes 0 to output element i.
 * max_unpool: work-item p walks input plane p in order and writes each
 *   value to the element its index names in a tensor of planes H0 x W0
 *   (ONNX's default size), which is the top left of the output's OH x OW
 *   planes (OH >= H0, OW >= W0: output_shape pads it), so where a plane
 *   repeats an index the later value stays. An index that is not in
 *   [0, planes * H0 * W0) (negative, too large, NaN) is skipped: nothing
 *   outside the output is ever written. Launched after unpool_zero on the
 *   same in-order queue.
 * Tunables: none; no build options.
 */
__kernel void maxpool2d_indices(__global const store_t *restrict input, long input_off,
                                __global store_t *restrict output, long output_off, int H,
                                int W, int OH, int OW, int KH, int KW, int stride_h,
                                int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                                int storage_order)
{
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const long plane = get_global_id(2);
    if (ox >= OW)
        return;
    input += input_off + plane * H * W;
    float best = -INFINITY;
    int at = -1; /* in the plane, row-major */
    for (int ky = 0; ky < KH; ky++) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy < 0 || iy >= H)
            continue;
        for (int kx = 0; kx < KW; kx++) {
            const int ix = ox * stride_w - pad_left + kx * dil_w;
            if (ix < 0 || ix >= W)
                continue;
            const float v = LD(input, iy * W + ix);
            if (at < 0 || v > best || isnan(best)) {
                best = v;
                at = iy * W + ix;
            }
        }
    }
    /* at stays -1 only for a window with no tap in the input (dilation):
     * its maxpool2d value is -inf; the index is that of the plane's start */
    const int y = at < 0 ? 0 : at / W, x = at < 0 ? 0 : at % W;
    const long in_plane = storage_order ? (long)x * H + y : (long)y * W + x;
    ST(output + output_off, (plane * OH + oy) * OW + ox, (float)(plane * H * W + in_plane));
}

__kernel void unpool_zero(__global store_t *output, long output_off, long total)
{
    const long i = get_global_id(0);
    if (i < total)
        ST(output + output_off, i, 0.0f);
}

__kernel void max_unpool(__global const store_t *restrict input, long input_off,
                         __global const store_t *restrict indices, long indices_off,
                         __global store_t *output, long output_off, int plane_size,
                         int planes, int H0, int W0, int OH, int OW)
{
    const int p = get_global_id(0);
    if (p >= planes)
        return;
    const long first = (long)p * plane_size;
    input += input_off + first;
    indices += indices_off + first;
    output += output_off;
    const int plane0 = H0 * W0;
    const float total = (float)planes * (float)plane0; /* exact: at most 2^24 */
    for (int k = 0; k < plane_size; k++) {
        const float f = LD(indices, k);
        if (!(f >= 0.0f && f < total)) /* NaN fails both */
            continue;
        const int at = (int)f, q = at / plane0, r = at % plane0;
        ST(output, ((long)q * OH + r / W0) * OW + r % W0, LD(input, k));
    }
}
