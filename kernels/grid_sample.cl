/*
 * grid_sample.cl — ONNX GridSample (opset 16) of x [N, C, H, W] at the
 * points of grid [N, OH, OW, 2] (x then y, normalised to [-1, 1]) into
 * [N, C, OH, OW], as ONNX's reference implementation defines it but for
 * bicubic with border padding (see below), where PyTorch and ONNX Runtime
 * agree with each other.
 *
 * Work-item (ox, oy, n) reads its grid point once, turns it into input
 * coordinates (align_corners: -1 and 1 are the corner pixels' centres,
 * else their outer edges), rounds them for nearest (halves to even), folds
 * a point outside [lo, hi] back in for border (clamped to the pixels; not
 * for bicubic, whose taps are clamped one by one, as PyTorch and ONNX
 * Runtime do) and reflection padding, then computes its taps (1, 2 x 2 or 4 x 4) and
 * weights once and applies them to every channel. A tap outside the image
 * reads 0 (zeros), the nearest pixel (border) or the reflected one.
 * Tunables: GS_MODE 0 bilinear, 1 nearest, 2 bicubic; GS_PADDING 0 zeros,
 * 1 border, 2 reflection; GS_ALIGN 0/1.
 */
#ifndef GS_MODE
#define GS_MODE 0
#endif
#ifndef GS_PADDING
#define GS_PADDING 0
#endif
#ifndef GS_ALIGN
#define GS_ALIGN 0
#endif

/* The input coordinate of normalised n along an axis of `len` pixels. */
static float gs_denormalize(float n, int len)
{
#if GS_ALIGN
    return (n + 1.0f) * 0.5f * (float)(len - 1);
#else
    return ((n + 1.0f) * (float)len - 1.0f) * 0.5f;
#endif
}

/* x folded into [lo, hi] by reflections at its ends. */
static float gs_reflect(float x, float lo, float hi)
{
    const float range = hi - lo;
    if (range <= 0.0f)
        return lo;
    if (x < lo || x > hi) {
        const float d = x < lo ? lo - x : x - hi;
        const float k = floor(d / range), r = d - k * range;
        const int even = fmod(k, 2.0f) == 0.0f; /* k may be past any int */
        x = x < lo ? (even ? lo + r : hi - r) : (even ? hi - r : lo + r);
    }
    return x;
}

/* Pixel (iy, ix) of the plane, or what the padding gives outside it. */
static float gs_pixel(__global const store_t *plane, int iy, int ix, int H, int W)
{
#if GS_PADDING == 0
    if (iy < 0 || iy >= H || ix < 0 || ix >= W)
        return 0.0f;
#elif GS_PADDING == 1
    iy = clamp(iy, 0, H - 1), ix = clamp(ix, 0, W - 1);
#else /* reflected about the same borders as the coordinates */
#if GS_ALIGN
    iy = (int)gs_reflect((float)iy, 0.0f, (float)(H - 1));
    ix = (int)gs_reflect((float)ix, 0.0f, (float)(W - 1));
#else
    iy = (int)gs_reflect((float)iy, -0.5f, (float)H - 0.5f);
    ix = (int)gs_reflect((float)ix, -0.5f, (float)W - 0.5f);
#endif
    iy = clamp(iy, 0, H - 1), ix = clamp(ix, 0, W - 1);
#endif
    return LD(plane, (long)iy * W + ix);
}

/* The cubic convolution weights (a = -0.75) of the 4 taps around t in [0, 1). */
static float4 gs_cubic(float t)
{
    const float a = -0.75f;
    const float x0 = t + 1.0f, x1 = t, x2 = 1.0f - t, x3 = 2.0f - t;
    return (float4)(((a * x0 - 5.0f * a) * x0 + 8.0f * a) * x0 - 4.0f * a,
                    ((a + 2.0f) * x1 - (a + 3.0f)) * x1 * x1 + 1.0f,
                    ((a + 2.0f) * x2 - (a + 3.0f)) * x2 * x2 + 1.0f,
                    ((a * x3 - 5.0f * a) * x3 + 8.0f * a) * x3 - 4.0f * a);
}

__kernel void grid_sample(__global const store_t *restrict x, long x_off,
                          __global const store_t *restrict grid, long grid_off,
                          __global store_t *restrict out, long out_off, int C, int H, int W,
                          int OH, int OW)
{
    x += x_off;
    grid += grid_off;
    out += out_off;
    const int ox = get_global_id(0), oy = get_global_id(1), n = get_global_id(2);
    if (ox >= OW)
        return;
    const long point = ((long)n * OH + oy) * OW + ox;
    float fx = gs_denormalize(LD(grid, 2 * point), W);
    float fy = gs_denormalize(LD(grid, 2 * point + 1), H);
#if GS_MODE == 1
    fx = rint(fx), fy = rint(fy);
#endif
#if GS_ALIGN
    const float xlo = 0.0f, xhi = (float)(W - 1), ylo = 0.0f, yhi = (float)(H - 1);
#else
    const float xlo = -0.5f, xhi = (float)W - 0.5f, ylo = -0.5f, yhi = (float)H - 0.5f;
#endif
#if GS_PADDING == 1 && GS_MODE != 2 /* bicubic clamps each tap instead (gs_pixel), as
                                       * PyTorch and ONNX Runtime do */
    if (fx < xlo || fx > xhi || fy < ylo || fy > yhi) /* the pixels' own borders */
        fx = clamp(fx, 0.0f, (float)(W - 1)), fy = clamp(fy, 0.0f, (float)(H - 1));
#elif GS_PADDING == 2
    fx = gs_reflect(fx, xlo, xhi), fy = gs_reflect(fy, ylo, yhi);
#endif
    /* A point far outside (or NaN) reads what one 8 pixels out reads
     * (zeros, or the edge pixel through every tap), and its taps' int
     * conversions stay in range. */
    fx = fmin(fmax(fx, -8.0f - (float)W), 8.0f + 2.0f * (float)W);
    fy = fmin(fmax(fy, -8.0f - (float)H), 8.0f + 2.0f * (float)H);
    __global const store_t *plane = x + (long)n * C * H * W;
    __global store_t *y = out + (long)n * C * OH * OW + (long)oy * OW + ox;
    const long in_plane = (long)H * W, out_plane = (long)OH * OW;
#if GS_MODE == 1
    const int ix = (int)fx, iy = (int)fy;
    for (int c = 0; c < C; c++, plane += in_plane)
        ST(y, c * out_plane, gs_pixel(plane, iy, ix, H, W));
#elif GS_MODE == 0
    const float x0f = floor(fx), y0f = floor(fy);
    const int x0 = (int)x0f, y0 = (int)y0f;
    const float dx = fx - x0f, dy = fy - y0f;
    for (int c = 0; c < C; c++, plane += in_plane) {
        const float top = (1.0f - dx) * gs_pixel(plane, y0, x0, H, W) +
                          dx * gs_pixel(plane, y0, x0 + 1, H, W);
        const float bottom = (1.0f - dx) * gs_pixel(plane, y0 + 1, x0, H, W) +
                             dx * gs_pixel(plane, y0 + 1, x0 + 1, H, W);
        ST(y, c * out_plane, (1.0f - dy) * top + dy * bottom);
    }
#else
    const float x0f = floor(fx), y0f = floor(fy);
    const int x0 = (int)x0f - 1, y0 = (int)y0f - 1;
    const float4 wx = gs_cubic(fx - x0f), wy = gs_cubic(fy - y0f);
    for (int c = 0; c < C; c++, plane += in_plane) {
        float rows[4]; /* each tap row weighed across, then the rows down */
        for (int i = 0; i < 4; i++)
            rows[i] = dot((float4)(gs_pixel(plane, y0 + i, x0, H, W),
                                   gs_pixel(plane, y0 + i, x0 + 1, H, W),
                                   gs_pixel(plane, y0 + i, x0 + 2, H, W),
                                   gs_pixel(plane, y0 + i, x0 + 3, H, W)),
                          wx);
        ST(y, c * out_plane, dot(vload4(0, rows), wy));
    }
#endif
}
