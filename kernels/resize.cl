/*
 * resize.cl — Resize / Upsample (ONNX) of contiguous NCHW planes along H
 * and W.
 *
 * resize_taps: work-item (oy, plane) writes output row oy of one plane,
 * 8 columns at a time (float8), the last few one by one. A row per item
 * rather than 8 outputs per item: with so little work per item, PoCL's
 * work-group overhead dominated (3.6 vs 1.6 ms for a 2x bilinear of
 * [1, 128, 40, 40]). The host's coordinate table (ops/resize.h) gives, per output column and row,
 * TAPS input indices (clamped) and weights, tap-major, then a mask per
 * column and row, -1 outside the input (tf_crop_and_resize), where the
 * output is `extrap`: every coordinate mode is already in the table, so
 * the kernel only gathers and weighs. Nearest (TAPS 1) copies without
 * arithmetic.
 *
 * resize_linear_strips (TAPS 2: bilinear): work-item (strip, plane)
 * writes columns 8 * strip .. + 7 of every output row of one plane,
 * walking down the rows. Its column taps and weights are read once, and
 * each input row's horizontal pass (its two column taps weighed) is kept
 * while the next output row reads that input row again, so that a 2x
 * upscale gathers every input row once per strip rather than twice (the
 * gathers are resize_taps' cost: 4 scalar loads per output there, about
 * 1 here). The same products and sums in the same order as resize_taps:
 * the same results. Lanes past the last column repeat it and are not
 * stored.
 *
 * resize_nearest_x2: a nearest resize that repeats every column twice and
 * every row sy times (the host proves it on the table: YOLO's and U-Net's
 * upsampling). Work-item (iy, plane) reads input row iy 16 floats at a
 * time and writes them doubled to its sy output rows: no table, no gather.
 *
 * Tunables: TAPS (1, 2, 4), set by the host.
 */
#ifndef TAPS
#define TAPS 2
#endif

/* row[i.s0], .., row[i.s7] */
inline float8 gather8(__global const store_t *row, int8 i)
{
    return (float8)(LD(row, i.s0), LD(row, i.s1), LD(row, i.s2), LD(row, i.s3), LD(row, i.s4),
                    LD(row, i.s5), LD(row, i.s6), LD(row, i.s7));
}

/* One output column of one input row: its column taps weighed. */
inline float resize_row1(__global const store_t *row, __global const int *xi,
                         __global const int *xw, int ow)
{
#if TAPS == 1
    return LD(row, xi[0]);
#else
    float acc = 0.0f;
    for (int t = 0; t < TAPS; t++)
        acc += as_float(xw[t * ow]) * LD(row, xi[t * ow]);
    return acc;
#endif
}

__kernel void resize_taps(__global const store_t *restrict input, long input_off,
                          __global store_t *restrict output, long output_off,
                          __global const int *restrict table, long table_off,
                          int ih, int iw, int oh, int ow, int planes, float extrap)
{
    const int oy = get_global_id(0);
    const size_t plane = get_global_id(1);
    if (oy >= oh || plane >= (size_t)planes)
        return;
    table += table_off;
    __global const int *xi = table, *yi = table + TAPS * ow;
    __global const int *xw = yi + TAPS * oh, *yw = xw + TAPS * ow;
    __global const int *xo = yw + TAPS * oh, *yo = xo + ow;
    input += input_off + plane * (size_t)ih * (size_t)iw;
    output += output_off + (plane * (size_t)oh + (size_t)oy) * (size_t)ow;
    const int y_out = yo[oy];
    /* this row's taps: input rows and weights */
    __global const store_t *rows[TAPS];
    float wy[TAPS];
    for (int t = 0; t < TAPS; t++) {
        rows[t] = input + (size_t)yi[t * oh + oy] * iw;
        wy[t] = as_float(yw[t * oh + oy]);
    }
    int x0 = 0;
    for (; x0 + 8 <= ow; x0 += 8) {
#if TAPS == 1
        float8 acc = gather8(rows[0], vload8(0, xi + x0));
#else
        /* the column taps once, for every row tap */
        int8 ix[TAPS];
        float8 wx[TAPS];
        for (int t = 0; t < TAPS; t++) {
            ix[t] = vload8(0, xi + t * ow + x0);
            wx[t] = as_float8(vload8(0, xw + t * ow + x0));
        }
        float8 acc = (float8)(0.0f);
        for (int r = 0; r < TAPS; r++) {
            float8 row = (float8)(0.0f);
            for (int t = 0; t < TAPS; t++)
                row += wx[t] * gather8(rows[r], ix[t]);
            acc += wy[r] * row;
        }
#endif
        const int8 out = vload8(0, xo + x0) | (int8)(y_out);
        ST8(select(acc, (float8)(extrap), out), 0, output + x0);
    }
    for (int x = x0; x < ow; x++) {
#if TAPS == 1
        float acc = resize_row1(rows[0], xi + x, xw + x, ow);
#else
        float acc = 0.0f;
        for (int t = 0; t < TAPS; t++)
            acc += wy[t] * resize_row1(rows[t], xi + x, xw + x, ow);
#endif
        ST(output, x, y_out || xo[x] ? extrap : acc);
    }
}

/* The horizontal pass of one input row for 8 columns: their two taps
 * weighed, summed as resize_taps does. */
inline float8 resize_hpass8(__global const store_t *row, int8 i0, int8 i1, float8 w0, float8 w1)
{
    float8 h = (float8)(0.0f);
    h += w0 * gather8(row, i0);
    h += w1 * gather8(row, i1);
    return h;
}

__kernel void resize_linear_strips(__global const store_t *restrict input, long input_off,
                                   __global store_t *restrict output, long output_off,
                                   __global const int *restrict table, long table_off, int ih,
                                   int iw, int oh, int ow, int planes, float extrap)
{
    const int x0 = 8 * get_global_id(0);
    const size_t plane = get_global_id(1);
    if (x0 >= ow || plane >= (size_t)planes)
        return;
    table += table_off;
    __global const int *xi = table, *yi = table + 2 * ow;
    __global const int *xw = yi + 2 * oh, *yw = xw + 2 * ow;
    __global const int *xo = yw + 2 * oh, *yo = xo + ow;
    input += input_off + plane * (size_t)ih * (size_t)iw;
    output += output_off + plane * (size_t)oh * (size_t)ow + x0;
    /* the strip's column taps, weights and masks; lanes past ow repeat the
     * last column (read, never stored) */
    int c0[8], c1[8], m[8];
    float v0[8], v1[8];
    for (int l = 0; l < 8; l++) {
        const int x = min(x0 + l, ow - 1);
        c0[l] = xi[x], c1[l] = xi[ow + x], m[l] = xo[x];
        v0[l] = as_float(xw[x]), v1[l] = as_float(xw[ow + x]);
    }
    const int8 i0 = vload8(0, c0), i1 = vload8(0, c1), xmask = vload8(0, m);
    const float8 w0 = vload8(0, v0), w1 = vload8(0, v1);
    const int lanes = min(8, ow - x0);
    /* the last two input rows passed: rows ra, rb and their passes */
    int ra = -1, rb = -1;
    float8 ha = (float8)(0.0f), hb = (float8)(0.0f);
    for (int oy = 0; oy < oh; oy++, output += ow) {
        const int r0 = yi[oy], r1 = yi[oh + oy];
        float8 h0, h1;
        if (r0 == ra)
            h0 = ha;
        else if (r0 == rb)
            h0 = hb;
        else
            h0 = resize_hpass8(input + (size_t)r0 * iw, i0, i1, w0, w1);
        if (r1 == r0)
            h1 = h0;
        else if (r1 == ra)
            h1 = ha;
        else if (r1 == rb)
            h1 = hb;
        else
            h1 = resize_hpass8(input + (size_t)r1 * iw, i0, i1, w0, w1);
        ra = r0, ha = h0, rb = r1, hb = h1;
        float8 acc = (float8)(0.0f);
        acc += as_float(yw[oy]) * h0;
        acc += as_float(yw[oh + oy]) * h1;
        acc = select(acc, (float8)(extrap), xmask | (int8)(yo[oy]));
        if (lanes == 8) {
            ST8(acc, 0, output);
        } else {
            float t[8];
            vstore8(acc, 0, t);
            for (int l = 0; l < lanes; l++)
                ST(output, l, t[l]);
        }
    }
}

__kernel void resize_nearest_x2(__global const store_t *restrict input, long input_off,
                                __global store_t *restrict output, long output_off,
                                int ih, int iw, int sy, int planes)
{
    const int iy = get_global_id(0);
    const size_t plane = get_global_id(1);
    if (iy >= ih || plane >= (size_t)planes)
        return;
    const size_t ow = 2 * (size_t)iw;
    input += input_off + (plane * (size_t)ih + (size_t)iy) * (size_t)iw;
    output += output_off + (plane * (size_t)ih + (size_t)iy) * (size_t)sy * ow;
    /* one output row at a time: the input row stays in cache for the next */
    for (int r = 0; r < sy; r++, output += ow) {
        int x0 = 0;
        for (; x0 + 16 <= iw; x0 += 16) {
            const float16 v = LD16(0, input + x0);
            ST16(shuffle(v, (uint16)(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)), 0,
                 output + 2 * x0);
            ST16(shuffle(v, (uint16)(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15,
                                     15)),
                 0, output + 2 * x0 + 16);
        }
        for (int x = x0; x < iw; x++) {
            const float v = LD(input, x);
            ST(output, 2 * x, v);
            ST(output, 2 * x + 1, v);
        }
    }
}
