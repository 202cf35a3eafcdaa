/*
 * conv2d.cl - 2-D convolution, NCHW.
 *
 * conv2d_direct: input [N, C, H, W], weight [OC, C/groups, KH, KW] (ONNX
 * order), optional bias [OC], output [N, OC, OH, OW]. Work-item (x, y, z)
 * computes output column x of row y for image z / OC, channel z % OC. The
 * global size is rounded up to the local size, so items past OW return.
 * Any kernel size, stride, padding (top/left given; bottom/right are implied
 * by OH, OW), dilation and group count.
 * Tunables: HAS_BIAS (0/1), ACT (see prelude.cl).
 */
__kernel void conv2d_direct(__global const float *restrict input,
                            __global const float *restrict weight,
                            __global const float *restrict bias,
                            __global float *restrict output,
                            int C, int H, int W, int OC, int OH, int OW,
                            int KH, int KW, int stride_h, int stride_w,
                            int pad_top, int pad_left, int dil_h, int dil_w,
                            int groups, float act_a, float act_b)
{
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int z = get_global_id(2);
    if (ox >= OW)
        return;
    const int n = z / OC;
    const int oc = z % OC;
    const int cpg = C / groups;          /* input channels per group */
    const int c0 = (oc / (OC / groups)) * cpg;
    const int iy0 = oy * stride_h - pad_top;
    const int ix0 = ox * stride_w - pad_left;

    float acc = 0.0f;
    __global const float *w = weight + (size_t)oc * cpg * KH * KW;
    for (int ci = 0; ci < cpg; ci++) {
        __global const float *in = input + ((size_t)n * C + c0 + ci) * H * W;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky * dil_h;
            if (iy < 0 || iy >= H)
                continue;
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ix0 + kx * dil_w;
                if (ix >= 0 && ix < W)
                    acc = fma(in[iy * W + ix], w[(ci * KH + ky) * KW + kx], acc);
            }
        }
    }
#if HAS_BIAS
    acc += bias[oc];
#endif
    output[(((size_t)n * OC + oc) * OH + oy) * OW + ox] = apply_act(acc, act_a, act_b);
}
