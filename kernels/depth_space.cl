/*
 * depth_space.cl — DepthToSpace (ONNX, DCR and CRD) and SpaceToDepth of
 * contiguous NCHW tensors with block size b.
 *
 * DepthToSpace's work-item (oy, plane) writes output row oy of output
 * plane n * out_channels + c, contiguously. DepthToSpace: output column
 * w * b + j of row h * b + i is input (n, channel(c, i, j), h, w), where
 * the channel is (i * b + j) * C' + c (DCR) or c * b * b + i * b + j (CRD);
 * the b input rows are read in order. SpaceToDepth: output channel
 * (i * b + j) * C + c, row y, column x is input (n, c, y * b + i, x * b + j);
 * its work-item (y, (n * b + i) * C + c) reads one input row and writes
 * the b output rows of its j's, so every input row is read once.
 * Block size 2 (the common one) moves float8/float16 vectors with shuffles;
 * others go element by element. Tunables: none.
 */
__kernel void depth_to_space(__global const store_t *restrict input, long input_off,
                             __global store_t *restrict output, long output_off,
                             int oc, int crd, int oh, int ow, int b, int planes)
{
    const int oy = get_global_id(0), po = get_global_id(1);
    if (oy >= oh || po >= planes)
        return;
    const int n = po / oc, c = po % oc, h = oy / b, i = oy % b;
    const int ih = oh / b, iw = ow / b;
    const size_t plane = (size_t)ih * iw;
    const int c0 = crd ? (c * b + i) * b : i * b * oc + c; /* channel of j = 0 */
    const size_t jstride = (crd ? 1 : (size_t)oc) * plane; /* between the j rows */
    __global const store_t *src =
        input + input_off + ((size_t)n * oc * b * b + (size_t)c0) * plane + (size_t)h * iw;
    output += output_off + ((size_t)po * oh + oy) * (size_t)ow;
    int w = 0;
    if (b == 2)
        for (; w + 8 <= iw; w += 8) {
            const float8 v0 = LD8(0, src + w), v1 = LD8(0, src + jstride + w);
            ST16(shuffle2(v0, v1, (uint16)(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7,
                                               15)),
                     0, output + 2 * w);
        }
    for (; w < iw; w++)
        for (int j = 0; j < b; j++)
            ST(output, w * b + j, LD(src, j * jstride + w));
}

__kernel void space_to_depth(__global const store_t *restrict input, long input_off,
                             __global store_t *restrict output, long output_off,
                             int ic, int oh, int ow, int b, int rows_planes)
{
    /* item (oy, q), q = (n * b + i) * ic + c: input row oy * b + i of
     * channel c, written to the b output rows of its j's */
    const int oy = get_global_id(0), q = get_global_id(1);
    if (oy >= oh || q >= rows_planes)
        return;
    const int c = q % ic, i = q / ic % b, n = q / ic / b;
    const size_t iw = (size_t)ow * b, oplane = (size_t)oh * ow;
    __global const store_t *row =
        input + input_off + (((size_t)n * ic + c) * oh * b + (size_t)oy * b + i) * iw;
    /* output channel (i * b + j) * ic + c of image n; j steps by ic planes */
    output += output_off + ((size_t)n * ic * b * b + (size_t)i * b * ic + c) * oplane +
              (size_t)oy * ow;
    const size_t jstride = (size_t)ic * oplane;
    int x = 0;
    if (b == 2)
        for (; x + 8 <= ow; x += 8) {
            const float16 v = LD16(0, row + 2 * x);
            ST8(v.even, 0, output + x);
            ST8(v.odd, 0, output + jstride + x);
        }
    for (; x < ow; x++)
        for (int j = 0; j < b; j++)
            ST(output, j * jstride + x, LD(row, (size_t)x * b + j));
}
