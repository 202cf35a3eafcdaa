/*
 * reduce.cl - ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
 * ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp
 * (ONNX), over any set of axes of a contiguous row-major tensor
 * (reduce_nd), and ArgMax / ArgMin along one axis (arg_reduce, at the end
 * of the file).
 *
 * The host describes the input as kept dims KD[0..nk) with input strides
 * KS, and reduced dims RD[0..nr) with strides RS, both innermost first
 * (nk <= 4, 1 <= nr <= 4). Work-item i computes output element i (items
 * past n return): its coordinates over the kept dims give a base offset,
 * and it loops over every combination of the reduced dims, the innermost
 * one (RD[0]) as the inner loop, with float8 loads when its stride is 1.
 * Each element contributes TERM(x) (x, |x|, x^2, exp(x - max)), the terms
 * COMBINE (add, multiply, max, min), and FINISH makes the result (divide
 * by `count`, the number of reduced elements, for the mean; sqrt; log).
 * Log-sum-exp takes two passes, the maximum first, so that no exp
 * overflows.
 * Tunables: REDUCE_OP, reduce_kind's value (host/ops/reduce.h). Max and
 * min propagate NaN; an empty reduction gives 0 (sum, sum of squares, L1,
 * L2), NaN (mean: 0/0), -inf (max, log-sum, log-sum-exp), +inf (min), 1
 * (prod).
 */
#ifndef REDUCE_OP
#define REDUCE_OP 0
#endif
#define REDUCE_MEAN 1
#define REDUCE_MAX 2
#define REDUCE_MIN 3
#define REDUCE_PROD 4
#define REDUCE_SUM_SQUARE 5
#define REDUCE_L1 6
#define REDUCE_L2 7
#define REDUCE_LOG_SUM 8
#define REDUCE_LOG_SUM_EXP 9

#define MAX_INIT (-INFINITY)
#define MAX_COMBINE(a, x) ((x) > (a) || IS_NAN(x) ? (x) : (a))
#define MAX_COMBINE8(a, x) select((a), (x), ((x) > (a)) | IS_NAN(x))
#define ADD(a, x) ((a) + (x))

#if REDUCE_OP == REDUCE_MAX
#define INIT MAX_INIT
#define COMBINE MAX_COMBINE
#define COMBINE8 MAX_COMBINE8
#elif REDUCE_OP == REDUCE_MIN
#define INIT INFINITY
#define COMBINE(a, x) ((x) < (a) || IS_NAN(x) ? (x) : (a))
#define COMBINE8(a, x) select((a), (x), ((x) < (a)) | IS_NAN(x))
#elif REDUCE_OP == REDUCE_PROD
#define INIT 1.0f
#define COMBINE(a, x) ((a) * (x))
#define COMBINE8 COMBINE
#else /* sums */
#define INIT 0.0f
#define COMBINE ADD
#define COMBINE8 ADD
#endif

#if REDUCE_OP == REDUCE_SUM_SQUARE || REDUCE_OP == REDUCE_L2
#define TERM(x) ((x) * (x))
#elif REDUCE_OP == REDUCE_L1
#define TERM(x) fabs(x)
#elif REDUCE_OP == REDUCE_LOG_SUM_EXP /* past the maximum `shift` */
#define TERM(x) exp((x) - shift)
#else
#define TERM(x) (x)
#endif

#define INT4_ARGS(p) int p##0, int p##1, int p##2, int p##3

/* One pass over the reduced elements from `base`: acc = COMBINE over
 * their TERMs (ACC_INIT, ACC_TERM, ACC_COMBINE and ACC_COMBINE8 name
 * the pass's forms). */
#define REDUCE_PASS(acc, ACC_INIT, ACC_TERM, ACC_COMBINE, ACC_COMBINE8)                \
    {                                                                                  \
        float a1 = ACC_INIT;                                                           \
        float8 a8 = (float8)(ACC_INIT);                                                \
        for (uint j = 0; j < outer; j++) {                                             \
            uint r = j;                                                                \
            size_t off = base;                                                         \
            REDUCED_DIM(1) REDUCED_DIM(2) REDUCED_DIM(3)                               \
            __global const store_t *p = input + off;                                   \
            int k = 0;                                                                 \
            if (rs0 == 1)                                                              \
                for (; k + 8 <= rd0; k += 8)                                           \
                    a8 = ACC_COMBINE8(a8, ACC_TERM(LD8(0, p + k)));                    \
            for (; k < rd0; k++)                                                       \
                a1 = ACC_COMBINE(a1, ACC_TERM(LD(p, (size_t)k * (size_t)rs0)));        \
        }                                                                              \
        a1 = ACC_COMBINE(a1, a8.s0), a1 = ACC_COMBINE(a1, a8.s1);                      \
        a1 = ACC_COMBINE(a1, a8.s2), a1 = ACC_COMBINE(a1, a8.s3);                      \
        a1 = ACC_COMBINE(a1, a8.s4), a1 = ACC_COMBINE(a1, a8.s5);                      \
        a1 = ACC_COMBINE(a1, a8.s6), a1 = ACC_COMBINE(a1, a8.s7);                      \
        acc = a1;                                                                      \
    }
#define REDUCED_DIM(k)                                        \
    if (k < nr) {                                             \
        off += (size_t)(r % (uint)rd##k) * (size_t)rs##k;     \
        r /= (uint)rd##k;                                     \
    }
#define IDENTITY_TERM(x) (x)

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

    float acc;
#if REDUCE_OP == REDUCE_LOG_SUM_EXP
    float shift;
    REDUCE_PASS(shift, MAX_INIT, IDENTITY_TERM, MAX_COMBINE, MAX_COMBINE8)
    if (isfinite(shift)) { /* else the result is the maximum: -inf (empty or all -inf), inf, NaN */
        REDUCE_PASS(acc, INIT, TERM, COMBINE, COMBINE8)
        acc = shift + log(acc);
    } else {
        acc = shift;
    }
#else
    REDUCE_PASS(acc, INIT, TERM, COMBINE, COMBINE8)
#endif
#if REDUCE_OP == REDUCE_MEAN
    acc /= count;
#elif REDUCE_OP == REDUCE_L2
    acc = sqrt(acc);
#elif REDUCE_OP == REDUCE_LOG_SUM
    acc = log(acc);
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
