/*
 * reduce.cl - ReduceSum, ReduceMean, ReduceMax, ReduceMin (ONNX), over any
 * set of axes of a contiguous row-major tensor (reduce_nd), and ArgMax /
 * ArgMin along one axis (arg_reduce, at the end of the file).
 *
 * The host describes the input as kept dims KD[0..nk) with input strides
 * KS, and reduced dims RD[0..nr) with strides RS, both innermost first
 * (nk <= 4, 1 <= nr <= 4). Work-item i computes output element i (items
 * past n return): its coordinates over the kept dims give a base offset,
 * and it loops over every combination of the reduced dims, the innermost
 * one (RD[0]) as the inner loop, with float8 loads when its stride is 1.
 * `count` is the number of reduced elements, the divisor of the mean.
 * Tunables: REDUCE_OP 0 sum, 1 mean, 2 max, 3 min. Max and min propagate
 * NaN; an empty reduction gives 0, NaN (0/0), -inf and +inf.
 */
#ifndef REDUCE_OP
#define REDUCE_OP 0
#endif

#if REDUCE_OP == 2
#define INIT (-INFINITY)
#define COMBINE(a, x) ((x) > (a) || IS_NAN(x) ? (x) : (a))
#define COMBINE8(a, x) select((a), (x), ((x) > (a)) | IS_NAN(x))
#elif REDUCE_OP == 3
#define INIT INFINITY
#define COMBINE(a, x) ((x) < (a) || IS_NAN(x) ? (x) : (a))
#define COMBINE8(a, x) select((a), (x), ((x) < (a)) | IS_NAN(x))
#else
#define INIT 0.0f
#define COMBINE(a, x) ((a) + (x))
#define COMBINE8(a, x) ((a) + (x))
#endif

#define INT4_ARGS(p) int p##0, int p##1, int p##2, int p##3

__kernel void reduce_nd(__global const store_t *restrict input, long input_off,
                        __global store_t *restrict output, long output_off,
                        int n, int nk, int nr, float count,
                        INT4_ARGS(kd), INT4_ARGS(ks), INT4_ARGS(rd), INT4_ARGS(rs))
{
    input += input_off;
    output += output_off;
    const size_t i = get_global_id(0);
    if (i >= (size_t)n)
        return;
    /* The dims are unrolled so that every size stays a scalar. */
    uint rem = (uint)i;
    size_t base = 0;
#define KEPT_DIM(k)                                           \
    if (k < nk) {                                             \
        base += (size_t)(rem % (uint)kd##k) * (size_t)ks##k;  \
        rem /= (uint)kd##k;                                   \
    }
    KEPT_DIM(0) KEPT_DIM(1) KEPT_DIM(2) KEPT_DIM(3)
    uint outer = 1; /* combinations of the reduced dims but the innermost */
    if (nr > 1)
        outer *= (uint)rd1;
    if (nr > 2)
        outer *= (uint)rd2;
    if (nr > 3)
        outer *= (uint)rd3;

    float acc = INIT;
    float8 acc8 = (float8)(INIT);
    for (uint j = 0; j < outer; j++) {
        uint r = j;
        size_t off = base;
#define REDUCED_DIM(k)                                        \
    if (k < nr) {                                             \
        off += (size_t)(r % (uint)rd##k) * (size_t)rs##k;     \
        r /= (uint)rd##k;                                     \
    }
        REDUCED_DIM(1) REDUCED_DIM(2) REDUCED_DIM(3)
        __global const store_t *p = input + off;
        int k = 0;
        if (rs0 == 1) {
            for (; k + 8 <= rd0; k += 8) {
                const float8 val = LD8(0, p + k);
                acc8 = COMBINE8(acc8, val);
            }
            for (; k < rd0; k++) {
                const float val = LD(p, k);
                acc = COMBINE(acc, val);
            }
        } else {
            for (; k < rd0; k++) {
                const float val = LD(p, (size_t)k * (size_t)rs0);
                acc = COMBINE(acc, val);
            }
        }
    }
    acc = COMBINE(acc, acc8.s0);
    acc = COMBINE(acc, acc8.s1);
    acc = COMBINE(acc, acc8.s2);
    acc = COMBINE(acc, acc8.s3);
    acc = COMBINE(acc, acc8.s4);
    acc = COMBINE(acc, acc8.s5);
    acc = COMBINE(acc, acc8.s6);
    acc = COMBINE(acc, acc8.s7);
#if REDUCE_OP == 1
    acc /= count;
#endif
    ST(output, i, acc);
}

/*
 * arg_reduce: ArgMax (is_min 0) or ArgMin (is_min 1) of a contiguous
 * tensor seen as [outer, dim, inner], into [outer, inner]: work-item i
 * (items past n return) walks the dim elements of its column, stride
 * inner, so neighbouring items read neighbouring elements. The first
 * extreme wins, or the last with `last` (select_last_index); NaN beats
 * every number, as in NumPy. The index is written as a float. Tunables:
 * none (the flags are arguments: one program for the four forms).
 */
__kernel void arg_reduce(__global const store_t *restrict input, long input_off,
                         __global store_t *restrict output, long output_off,
                         int n, int dim, int inner, int is_min, int last)
{
    output += output_off;
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const int o = i / inner, j = i % inner;
    __global const store_t *p = input + input_off + (size_t)o * dim * inner + j;
    float best = LD(p, 0);
    int at = 0;
    for (int k = 1; k < dim; k++) {
        const float x = LD(p, (size_t)k * inner);
        /* minimum by the maximum of -x: one comparison for both ops */
        const float a = is_min ? -x : x, b = is_min ? -best : best;
        const int better = last ? (a >= b || isnan(x)) : (a > b || (isnan(x) && !isnan(best)));
        if (better) {
            best = x;
            at = k;
        }
    }
    ST(output, i, (float)at);
}
