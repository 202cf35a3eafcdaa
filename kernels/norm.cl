/*
 * norm.cl - InstanceNormalization, LayerNormalization, GroupNormalization
 * and MeanVarianceNormalization (host: ops/norm.c, which describes the
 * views).
 *
 * Layout: the input (and the output, same shape) is row-major [A, R, B];
 * row r is the A * B elements x[a, r, b] (A spans of B contiguous floats,
 * R * B apart). Two kernels, the same steps:
 * norm_rows (GPUs): one work-group of LS items per row, the items sharing
 *   the row's vectors (v = lid, lid + LS, ..) and summing their partials
 *   in a local-memory tree;
 * norm_items (CPUs, where PoCL runs a work-group's items one after the
 *   other and every barrier spills them to memory): one work-item per
 *   `rows_per_item` rows, local size 1, no local memory and no barrier.
 * The steps, per row:
 *   1. mean: the sum of x - pivot (the row's first element) over VW-wide
 *      vectors and a scalar tail, into dm = mean - pivot;
 *   2. variance: the same over ((x - pivot) - dm)^2 - two passes, not
 *      E[x^2] - E[x]^2, which cancels catastrophically when |mean| >> std;
 *   3. y = ((x - pivot) - dm) * inv * scale + bias, vectorised the same way, with
 *      inv = 1 / sqrt(var + eps) (EPS_ON_STD: 1 / (sqrt(var) + eps), ONNX's
 *      MeanVarianceNormalization).
 * Scale and bias: PER_ELEMENT 1: scale[b] (LayerNorm, A == 1); else each
 *   row is `segs` segments of B / segs floats, segment q of row r using
 *   scale[(r % rmod) * segs + q] (InstanceNorm: segs 1, rmod C; GroupNorm:
 *   segs C/G per channel or 1 per group, rmod G).
 * Accumulation is in float, in VW lanes (norm_rows: VW * LS partial sums
 * and the tree), relative to the pivot.
 * NaN anywhere in a row makes the whole row NaN. Output may alias input:
 * every read of a row ends with step 2 (norm_rows: at the tree's last
 * barrier), and in step 3 an item writes only the elements it reads.
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

/* Item lid's share (of nth sharing the span) of sum(d) (square 0) or
 * sum(d^2) (square 1) over x[0..len), d = (x - pivot) - dm. */
inline float span_partial(__global const store_t *x, size_t len, size_t lid, size_t nth,
                          float pivot, float dm, int square)
{
    const size_t nv = len / VW;
    floatV acc = (floatV)(0.0f);
    for (size_t v = lid; v < nv; v += nth) {
        const floatV d = (LDV(v, x) - pivot) - dm;
        acc += square ? d * d : d;
    }
    float s = hsum(acc);
    for (size_t t = nv * VW + lid; t < len; t += nth) {
        const float d = (LD(x, t) - pivot) - dm;
        s += square ? d * d : d;
    }
    return s;
}

/* The same over a whole row: A spans of B floats, `step` apart. */
inline float row_partial(__global const store_t *x, long A, size_t nb, size_t step, size_t lid,
                         size_t nth, float pivot, float dm, int square)
{
    float s = 0.0f;
    for (long a = 0; a < A; a++)
        s += span_partial(x + a * step, nb, lid, nth, pivot, dm, square);
    return s;
}

/* y = ((x - pivot) - dm) * mul + add over a span of len floats, item lid's
 * share. */
inline void span_write(__global const store_t *x, __global store_t *y, size_t len, size_t lid,
                       size_t nth, float pivot, float dm, float mul, float add)
{
    const size_t nv = len / VW;
    for (size_t v = lid; v < nv; v += nth)
        STV(((LDV(v, x) - pivot) - dm) * mul + add, v, y);
    for (size_t t = nv * VW + lid; t < len; t += nth)
        ST(y, t, ((LD(x, t) - pivot) - dm) * mul + add);
}

inline float inv_std(float var, float eps)
{
#if EPS_ON_STD
    return 1.0f / (sqrt(var) + eps);
#else
    return 1.0f / sqrt(var + eps);
#endif
}

/* Step 3 for row r, item lid's share. scale and bias already at their
 * offsets (unused when absent). */
inline void row_write(__global const store_t *x, __global store_t *y, __global const store_t *scale,
                      __global const store_t *bias, long A, size_t nb, size_t step, size_t r,
                      long rmod, long segs, size_t lid, size_t nth, float pivot, float dm,
                      float inv)
{
#if PER_ELEMENT
    /* LayerNorm: A == 1, scale and bias have B floats each */
    const size_t nv = nb / VW;
    for (size_t v = lid; v < nv; v += nth) {
        floatV d = ((LDV(v, x) - pivot) - dm) * inv;
#if HAS_SCALE
        d *= LDV(v, scale);
#endif
#if HAS_BIAS
        d += LDV(v, bias);
#endif
        STV(d, v, y);
    }
    for (size_t t = nv * VW + lid; t < nb; t += nth) {
        float d = ((LD(x, t) - pivot) - dm) * inv;
#if HAS_SCALE
        d *= LD(scale, t);
#endif
#if HAS_BIAS
        d += LD(bias, t);
#endif
        ST(y, t, d);
    }
#else
    const size_t seg = nb / (size_t)segs, k0 = r % (size_t)rmod * (size_t)segs;
    for (long a = 0; a < A; a++)
        for (size_t q = 0; q < (size_t)segs; q++) {
#if HAS_SCALE
            const float mul = inv * LD(scale, k0 + q);
#else
            const float mul = inv;
#endif
#if HAS_BIAS
            const float add = LD(bias, k0 + q);
#else
            const float add = 0.0f;
#endif
            const size_t at = a * step + q * seg;
            span_write(x + at, y + at, seg, lid, nth, pivot, dm, mul, add);
        }
#endif
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

/* Everything is computed relative to the row's first element (the pivot):
 * with |mean| >> std, a float mean (and float sums of x) would round away
 * the digits x - mean keeps (1000 +- 1: 3e-5 of 0.6 lost), while x - pivot
 * is exact there and the small dm = mean - pivot is precise. */
#define PIVOT(x) (A > 0 && B > 0 ? LD((x), 0) : 0.0f)

__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void norm_rows(__global const store_t *input, long input_off, __global const store_t *scale,
               long scale_off, __global const store_t *bias, long bias_off,
               __global store_t *output, long output_off, long A, long R, long B, long rmod,
               long segs, float eps, int rows_per_item)
{
    __local float red_mean[LS], red_var[LS];
    const size_t r = get_group_id(0), lid = get_local_id(0);
    const size_t nb = (size_t)B, step = (size_t)R * nb; /* between spans */
    __global const store_t *x = input + input_off + r * nb;
    __global store_t *y = output + output_off + r * nb;
    const float n = (float)A * (float)B, pivot = PIVOT(x);
    (void)rows_per_item;

    TREE_SUM(red_mean, row_partial(x, A, nb, step, lid, LS, pivot, 0.0f, 0))
    const float dm = red_mean[0] / n;
    TREE_SUM(red_var, row_partial(x, A, nb, step, lid, LS, pivot, dm, 1))
    const float inv = inv_std(red_var[0] / n, eps);
    row_write(x, y, scale + scale_off, bias + bias_off, A, nb, step, r, rmod, segs, lid, LS,
              pivot, dm, inv);
}

__kernel void norm_items(__global const store_t *input, long input_off,
                         __global const store_t *scale, long scale_off,
                         __global const store_t *bias, long bias_off, __global store_t *output,
                         long output_off, long A, long R, long B, long rmod, long segs,
                         float eps, int rows_per_item)
{
    const size_t nb = (size_t)B, step = (size_t)R * nb;
    const float n = (float)A * (float)B;
    const size_t r0 = get_global_id(0) * (size_t)rows_per_item;
    for (size_t r = r0; r < r0 + (size_t)rows_per_item && r < (size_t)R; r++) {
        __global const store_t *x = input + input_off + r * nb;
        __global store_t *y = output + output_off + r * nb;
        const float pivot = PIVOT(x);
        const float dm = row_partial(x, A, nb, step, 0, 1, pivot, 0.0f, 0) / n;
        const float var = row_partial(x, A, nb, step, 0, 1, pivot, dm, 1) / n;
        row_write(x, y, scale + scale_off, bias + bias_off, A, nb, step, r, rmod, segs, 0, 1,
                  pivot, dm, inv_std(var, eps));
    }
}
