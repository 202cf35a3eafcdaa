/*
 * maxpool2d.cl - 2-D max pooling, NCHW.
 *
 * maxpool2d: input [N*C planes of H, W], output [N*C planes of OH, OW].
 * Work-item (x, y, z) computes output (x, y) of plane z; items past OW
 * return. Padded positions are skipped (they never win), as ONNX specifies.
 * Windows: KH x KW, strides, top/left padding, dilation.
 */
__kernel void maxpool2d(__global const float *restrict input,
                        __global float *restrict output,
                        int H, int W, int OH, int OW, int KH, int KW,
                        int stride_h, int stride_w, int pad_top, int pad_left,
                        int dil_h, int dil_w)
{
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int plane = get_global_id(2);
    if (ox >= OW)
        return;
    __global const float *in = input + (size_t)plane * H * W;
    const int iy0 = oy * stride_h - pad_top;
    const int ix0 = ox * stride_w - pad_left;
    float best = -INFINITY;
    for (int ky = 0; ky < KH; ky++) {
        const int iy = iy0 + ky * dil_h;
        if (iy < 0 || iy >= H)
            continue;
        for (int kx = 0; kx < KW; kx++) {
            const int ix = ix0 + kx * dil_w;
            if (ix >= 0 && ix < W)
                best = fmax(best, in[iy * W + ix]);
        }
    }
    output[((size_t)plane * OH + oy) * OW + ox] = best;
}
