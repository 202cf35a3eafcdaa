/*
 * norm.cl - InstanceNormalization, LayerNormalization, GroupNormalization
 * and MeanVarianceNormalization (host: ops/norm.c, which describes the
 * views).
 *
 * Layout: the input (and the output, same shape) is row-major [A, R, B];
 * row r is the A * B elements x[a, r, b] (A spans of B contiguous floats,
 * R * B apart). One work-group of LS items per row:
 *   1. mean: each item sums x - pivot (the row's first element) over its
 *      VW-wide vectors (v = lid, lid + LS, ..) and one tail element, then
 *      a local-memory tree sums the LS partials into dm = mean - pivot;
 *   2. variance: the same over ((x - pivot) - dm)^2 - two passes, not
 *      E[x^2] - E[x]^2, which cancels catastrophically when |mean| >> std;
 *   3. y = ((x - pivot) - dm) * inv * scale + bias, vectorised the same way, with
 *      inv = 1 / sqrt(var + eps) (EPS_ON_STD: 1 / (sqrt(var) + eps), ONNX's
 *      MeanVarianceNormalization).
 * Scale and bias: PER_ELEMENT 1: scale[b] (LayerNorm, A == 1); else each
 *   row is `segs` segments of B / segs floats, segment q of row r using
 *   scale[(r % rmod) * segs + q] (InstanceNorm: segs 1, rmod C; GroupNorm:
 *   segs C/G per channel or 1 per group, rmod G).
 * Accumulation is in float: VW * LS partial sums per row, then the tree,
 * so rounding error grows with (row length / (VW * LS)), not the length.
 * NaN anywhere in a row makes the whole row NaN. Output may alias input:
 * every read of a row ends at the second reduction's last barrier, and in
 * step 3 an item writes only the elements it has just read.
 *
 * Tunables: VW (vector width, 4/8/16), LS (work-group size, a power of two
 * from 2 to 256), HAS_SCALE, HAS_BIAS, PER_ELEMENT, EPS_ON_STD (0/1).
 */
#ifndef LS
#define LS 64
#endif
#ifndef HAS_SCALE
#define HAS_SCALE 0
#endif
#ifndef PER_ELEMENT
#define PER_ELEMENT 0
#endif
#ifndef EPS_ON_STD
#define EPS_ON_STD 0
#endif

inline float hsum(floatV v)
{
    float t[VW];
    vstoreV(v, 0, t);
    float s = 0.0f;
    for (int k = 0; k < VW; k++)
        s += t[k];
    return s;
}

/* This item's share of sum(d) (square 0) or sum(d^2) (square 1) over
 * x[0..len), d = (x - pivot) - dm. */
inline float span_partial(__global const float *x, size_t len, size_t lid, float pivot,
                          float dm, int square)
{
    const size_t nv = len / VW;
    floatV acc = (floatV)(0.0f);
    for (size_t v = lid; v < nv; v += LS) {
        const floatV d = (vloadV(v, x) - pivot) - dm;
        acc += square ? d * d : d;
    }
    float s = hsum(acc);
    const size_t t = nv * VW + lid;
    if (t < len) {
        const float d = (x[t] - pivot) - dm;
        s += square ? d * d : d;
    }
    return s;
}

/* y = ((x - pivot) - dm) * mul + add over a span of len floats, this
 * item's share. */
inline void span_write(__global const float *x, __global float *y, size_t len, size_t lid,
                       float pivot, float dm, float mul, float add)
{
    const size_t nv = len / VW;
    for (size_t v = lid; v < nv; v += LS)
        vstoreV(((vloadV(v, x) - pivot) - dm) * mul + add, v, y);
    const size_t t = nv * VW + lid;
    if (t < len)
        y[t] = ((x[t] - pivot) - dm) * mul + add;
}

/* One step of the tree: unrolled at compile time (LS is a constant), so no
 * barrier sits in a loop (PoCL bugs #1167, #553). */
#define TREE_STEP(red, s)                                     \
    if (LS > (s)) {                                           \
        if (lid < (s))                                        \
            red[lid] += red[lid + (s)];                       \
        barrier(CLK_LOCAL_MEM_FENCE);                         \
    }
/* red[0] = the sum of every item's v. */
#define TREE_SUM(red, v)                                      \
    red[lid] = (v);                                           \
    barrier(CLK_LOCAL_MEM_FENCE);                             \
    TREE_STEP(red, 128) TREE_STEP(red, 64) TREE_STEP(red, 32) \
    TREE_STEP(red, 16) TREE_STEP(red, 8) TREE_STEP(red, 4)    \
    TREE_STEP(red, 2) TREE_STEP(red, 1)

__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void norm_rows(__global const float *input, long input_off, __global const float *scale,
               long scale_off, __global const float *bias, long bias_off,
               __global float *output, long output_off, long A, long R, long B, long rmod,
               long segs, float eps)
{
    __local float red_mean[LS], red_var[LS];
    const size_t r = get_group_id(0), lid = get_local_id(0);
    const size_t nb = (size_t)B, step = (size_t)R * nb; /* between spans */
    __global const float *x = input + input_off + r * nb;
    __global float *y = output + output_off + r * nb;
    const float n = (float)A * (float)B;

    /* Everything is computed relative to the row's first element: with
     * |mean| >> std, a float mean (and float sums of x) would round away
     * the digits x - mean keeps (1000 +- 1: 3e-5 of 0.6 lost), while
     * x - pivot is exact there and the small dm = mean - pivot is precise. */
    const float pivot = A > 0 && B > 0 ? x[0] : 0.0f;
    float part = 0.0f;
    for (long a = 0; a < A; a++)
        part += span_partial(x + a * step, nb, lid, pivot, 0.0f, 0);
    TREE_SUM(red_mean, part)
    const float dm = red_mean[0] / n;

    part = 0.0f;
    for (long a = 0; a < A; a++)
        part += span_partial(x + a * step, nb, lid, pivot, dm, 1);
    TREE_SUM(red_var, part)
    const float var = red_var[0] / n;
#if EPS_ON_STD
    const float inv = 1.0f / (sqrt(var) + eps);
#else
    const float inv = 1.0f / sqrt(var + eps);
#endif

#if PER_ELEMENT
    /* LayerNorm: A == 1, scale and bias have B floats each */
    scale += scale_off;
    bias += bias_off;
    const size_t nv = nb / VW;
    for (size_t v = lid; v < nv; v += LS) {
        floatV d = ((vloadV(v, x) - pivot) - dm) * inv;
#if HAS_SCALE
        d *= vloadV(v, scale);
#endif
#if HAS_BIAS
        d += vloadV(v, bias);
#endif
        vstoreV(d, v, y);
    }
    const size_t t = nv * VW + lid;
    if (t < nb) {
        float d = ((x[t] - pivot) - dm) * inv;
#if HAS_SCALE
        d *= scale[t];
#endif
#if HAS_BIAS
        d += bias[t];
#endif
        y[t] = d;
    }
#else
    const size_t seg = nb / (size_t)segs, k0 = r % (size_t)rmod * (size_t)segs;
    for (long a = 0; a < A; a++)
        for (size_t q = 0; q < (size_t)segs; q++) {
#if HAS_SCALE
            const float mul = inv * scale[scale_off + k0 + q];
#else
            const float mul = inv;
#endif
#if HAS_BIAS
            const float add = bias[bias_off + k0 + q];
#else
            const float add = 0.0f;
#endif
            const size_t at = a * step + q * seg;
            span_write(x + at, y + at, seg, lid, pivot, dm, mul, add);
        }
#endif
}
