/*
 * prelude.cl - shared by every kernel file (prepended by the program cache).
 *
 * Fused activations: a kernel built with -DACT=ACT_<kind> applies
 * apply_act(x, act_a, act_b) (or ACT_ANY on vectors) to each output before
 * it is stored, where the two floats are kernel arguments (LeakyReLU slope;
 * Clip min and max; ...: CLINFER_ACTIVATION_TABLE in include/clinfer.h).
 *
 * Tensors: every __global buffer argument of a kernel is followed by a
 * `long` offset in elements (floats, or halves in half storage: host:
 * dev_tensor, host/ops/launch.h), which the kernel adds to the pointer at
 * entry; tensors then live anywhere in one arena. Offsets are only
 * element-aligned: vector accesses use vloadN/vstoreN (vload_halfN), which
 * need no more.
 *
 * NaN: every kernel propagates it, as PyTorch and ONNX Runtime do: NaN in,
 * NaN out of every activation and every maximum (max pooling, global max
 * pooling, the fused pool, softmax's line maximum, ReduceMax). fmax and
 * fmin drop NaN, so ReLU, LeakyReLU, Clip, ThresholdedReLU and MAX_NAN are
 * written as compares and selects whose false branch is the input: a NaN
 * fails every compare and comes out as itself. (That is also the cheapest form on x86: a
 * compare and a masked move, where fmax needs a NaN fix-up of its own.)
 */
/* Storage precision. Every global tensor of float data (activations,
 * weights, packed weights, scratch) is a `store_t` buffer: float, or with
 * -DCLINFER_HALF (the host's CLINFER_PRECISION_FP16) half, read and written
 * only through the macros below, which convert to and from float. Half
 * storage needs no cl_khr_fp16: vload_half/vstore_half are core OpenCL,
 * and a half pointer is legal as long as it is never dereferenced, so a
 * kernel that reads p[i] directly fails to build in half, by design.
 * Arithmetic, private arrays and __local tiles stay float. Offsets are in
 * elements; vload_halfN/vstore_halfN need only a half's alignment.
 * Buffers that stay float in every precision are `wide_t` (Winograd's
 * transformed tiles, whose transforms would amplify half's rounding), and
 * a program whose buffers all are such (Winograd's GEMM) is built with
 * -DSTORE_FLOAT, which keeps store_t float in a half runtime.
 *   LD(p, i)        p[i] as a float
 *   ST(p, i, v)     p[i] = v (rounded to nearest even in half)
 *   LDN(o, p)       vloadN(o, p) as a floatN (N = 2, 4, 8, 16, or V: VW)
 *   STN(v, o, p)    vstoreN(v, o, p)
 * -DHALF_MATH (the host's CLINFER_PRECISION_FP16_MATH, always with
 * CLINFER_HALF, only on devices that report cl_khr_fp16) lets a kernel
 * compute in half; gemm_local.cl's tiles do. PoCL's kernel library has no
 * half builtins even where the extension is on, so half code uses the
 * operators and scalar casts only (a * b + c, not fma or convert_half4). */
#ifdef HALF_MATH
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#ifdef STORE_FLOAT /* float buffers (Winograd's GEMM) keep float arithmetic too */
#undef HALF_MATH
#endif
#endif
#define wide_t float
#if defined(CLINFER_HALF) && !defined(STORE_FLOAT)
#define STORE_HALF 1
#define store_t half
#define ST(p, i, v) vstore_half((v), (i), (p))
/* vload_halfN/vstore_halfN through a private copy: the OpenCL spec needs
 * only a half's alignment, but PoCL 3.1 loads and stores the N halves with
 * an aligned vector move (vmovdqa: a fault at an offset that is not a
 * multiple of N). vloadN/vstoreN of ushort take any ushort alignment; the
 * private vector is aligned, and the compiler folds the copy away. */
#ifdef HALF_VLOAD_DIRECT /* the host's choice: drivers without PoCL's fault */
#define HALF_GLOBAL_IO(N)                                                        \
    inline float##N ld_half##N(size_t o, __global const half *p)               \
    {                                                                          \
        return vload_half##N(o, p);                                            \
    }                                                                          \
    inline void st_half##N(float##N v, size_t o, __global half *p)             \
    {                                                                          \
        vstore_half##N(v, o, p);                                               \
    }
#else
/* The stores through a ushortN typedef'd to a half's alignment: PoCL 3.1's
 * vstoreN of ushort stores the N values one by one (16 16-bit moves for a
 * half16, most of a depthwise kernel's time in half); an under-aligned
 * vector store is one unaligned vector move. (Its vloadN of ushort is one
 * load, folded into vcvtph2ps.) */
#define HALF_GLOBAL_IO(N)                                                        \
    typedef ushort##N ushort##N##_any_align __attribute__((aligned(2)));         \
    inline float##N ld_half##N(size_t o, __global const half *p)               \
    {                                                                          \
        return half_bits##N(vload##N(o, (__global const ushort *)p));          \
    }                                                                          \
    inline void st_half##N(float##N v, size_t o, __global half *p)             \
    {                                                                          \
        *(__global ushort##N##_any_align *)((__global ushort *)p + o * N) =      \
            float_bits##N(v);                                                  \
    }
#endif
/* half_bitsN: N halves given as their bits (gathered in private memory);
 * ld_halfN/st_halfN: LDN/STN */
#if defined(__F16C__) && defined(__x86_64__) && !defined(HALF_VLOAD_DIRECT)
/* PoCL on an x86 CPU with F16C: its vload_half converts with integer
 * operations (no vcvtph2ps); the instruction itself, also for LD's single
 * values (the GEMM's A operand: 1024^3 in half went from 42-51 to 69-78
 * GFLOP/s on an AVX2 EPYC, fp32 131-182). Exact for every half. */
inline float8 half_bits8(ushort8 bits) { return __builtin_ia32_vcvtph2ps256(as_short8(bits)); }
#ifdef __AVX512F__ /* one 512-bit conversion instead of two 256-bit ones */
inline float16 half_bits16(ushort16 bits)
{
    return __builtin_ia32_vcvtph2ps512_mask(as_short16(bits), (float16)(0.0f), (ushort)0xffff, 4);
}
#else
inline float16 half_bits16(ushort16 bits)
{
    return (float16)(half_bits8(bits.lo), half_bits8(bits.hi));
}
#endif
inline float4 half_bits4(ushort4 bits)
{
    return __builtin_ia32_vcvtph2ps(as_short8((ushort8)(bits, (ushort4)(0))));
}
inline float2 half_bits2(ushort2 bits) { return half_bits4((ushort4)(bits, (ushort2)(0))).lo; }
inline float half_bits1(ushort bits) { return half_bits4((ushort4)(bits, 0, 0, 0)).s0; }
#define LD(p, i) half_bits1(((__global const ushort *)(p))[i])
#define HALF_BITS_FN(N)
/* and the other way, vcvtps2ph rounding to nearest even (immediate 0), as
 * vstore_half does (PoCL's again with integer operations: the stores of
 * half outputs, per element, cost the kernels more than their loads) */
inline ushort8 float_bits8(float8 v) { return as_ushort8(__builtin_ia32_vcvtps2ph256(v, 0)); }
inline ushort16 float_bits16(float16 v)
{
    return (ushort16)(float_bits8(v.lo), float_bits8(v.hi));
}
inline ushort4 float_bits4(float4 v) { return as_ushort8(__builtin_ia32_vcvtps2ph(v, 0)).lo; }
inline ushort2 float_bits2(float2 v) { return float_bits4((float4)(v, 0.0f, 0.0f)).lo; }
#undef ST
#define ST(p, i, v) (((__global ushort *)(p))[i] = float_bits4((float4)((v), 0.0f, 0.0f, 0.0f)).s0)
#define FLOAT_BITS_FN(N)
#else
#define LD(p, i) vload_half((i), (p))
#define HALF_BITS_FN(N)                                                             \
    inline float##N half_bits##N(ushort##N bits)                               \
    {                                                                          \
        return vload_half##N(0, (__private const half *)&bits);                \
    }
#define FLOAT_BITS_FN(N)                                                            \
    inline ushort##N float_bits##N(float##N v)                                 \
    {                                                                          \
        ushort##N bits;                                                        \
        vstore_half##N(v, 0, (__private half *)&bits);                         \
        return bits;                                                           \
    }
#endif
#define HALF_VECTOR_IO(N)                                                        \
    HALF_BITS_FN(N)                                                            \
    FLOAT_BITS_FN(N)                                                           \
    HALF_GLOBAL_IO(N)
HALF_VECTOR_IO(2)
HALF_VECTOR_IO(4)
HALF_VECTOR_IO(8)
HALF_VECTOR_IO(16)
#define LD2(o, p) ld_half2((o), (p))
#define LD4(o, p) ld_half4((o), (p))
#define LD8(o, p) ld_half8((o), (p))
#define LD16(o, p) ld_half16((o), (p))
#define ST2(v, o, p) st_half2((v), (o), (p))
#define ST4(v, o, p) st_half4((v), (o), (p))
#define ST8(v, o, p) st_half8((v), (o), (p))
#define ST16(v, o, p) st_half16((v), (o), (p))
#else
#define STORE_HALF 0
#define store_t float
#define LD(p, i) ((p)[i])
#define ST(p, i, v) ((p)[i] = (v))
#define LD2(o, p) vload2((o), (p))
#define LD4(o, p) vload4((o), (p))
#define LD8(o, p) vload8((o), (p))
#define LD16(o, p) vload16((o), (p))
#define ST2(v, o, p) vstore2((v), (o), (p))
#define ST4(v, o, p) vstore4((v), (o), (p))
#define ST8(v, o, p) vstore8((v), (o), (p))
#define ST16(v, o, p) vstore16((v), (o), (p))
#endif

/* 16 floats stored with one vector move, at any float's alignment:
 * VST16_GLOBAL and VST16_LOCAL to float pointers, ST16_ONE to store_t ones
 * (ST16 in half). PoCL 3.1 (x86-64) compiles a vstore16 of floats into
 * 128-bit and 256-bit moves through the stack or extracts, which cost the
 * depthwise and Winograd transform kernels much of their time; a store
 * through a float16 typedef'd to a float's alignment is one unaligned
 * move. On gemm_packed's output rows that measured slower than vstore16
 * on a Zen 5 EPYC but faster on a Zen 4 one (its 1x1 layers 3-6% faster
 * one-threaded: split stores cost more where 512-bit moves are two
 * 256-bit ones), and they use it. Other compilers keep vstore16. */
#if defined(__x86_64__)
typedef float16 float16_any_align __attribute__((aligned(4)));
#define VST16_GLOBAL(v, p) (*(__global float16_any_align *)(p) = (v))
#define VST16_LOCAL(v, p) (*(__local float16_any_align *)(p) = (v))
/* The same for a kernel's private float arrays (tiles kept between a
 * product and its epilogue), and the matching load: a 512-bit load of
 * floats that split stores wrote waits for them (store forwarding fails),
 * which cost Winograd's fused kernel and output transform most of their
 * epilogue. */
#define PST16(v, p) (*(float16_any_align *)(p) = (v))
#define PLD16(p) (*(const float16_any_align *)(p))
#else
#define VST16_GLOBAL(v, p) vstore16((v), 0, (p))
#define VST16_LOCAL(v, p) vstore16((v), 0, (p))
#define PST16(v, p) vstore16((v), 0, (p))
#define PLD16(p) vload16(0, (p))
#endif
/* A hint to fetch the cache line holding p (x86-64 CPUs: clang's
 * __builtin_prefetch; elsewhere nothing, OpenCL's prefetch() being a no-op
 * in PoCL); PREFETCH_LINE_W for a line about to be written. For values a
 * kernel reads only at the end of a long loop (a tile's residual), and for
 * lines the other core last wrote, which on a 2-vCPU cloud machine may
 * sit in a cache it does not share (tests/bench/core_pingpong.c): asked
 * for early, they arrive while the kernel computes instead of stalling
 * it. */
#if defined(__x86_64__)
#define PREFETCH_LINE(p) __builtin_prefetch((const __global void *)(p))
#define PREFETCH_LINE_W(p) __builtin_prefetch((const __global void *)(p), 1)
#else
#define PREFETCH_LINE(p) ((void)(p))
#define PREFETCH_LINE_W(p) ((void)(p))
#endif
#if STORE_HALF
#define ST16_ONE(v, p) ST16((v), 0, (p))
#else
#define ST16_ONE(v, p) VST16_GLOBAL((v), (p))
#endif

/* Stores the first n lanes of v at p (all 16, one vector move, when n >=
 * 16: the end of an output row, or floats past it that are written again
 * later). Always inlined: a float16 argument of a call PoCL leaves goes
 * through memory (strided16_masked below). */
__attribute__((always_inline)) inline void st16_first(float16 v, __global store_t *p, int n)
{
    if (n >= 16) {
        ST16_ONE(v, p);
        return;
    }
    float t[16];
    vstore16(v, 0, t);
    for (int j = 0; j < n; j++)
        ST(p, j, t[j]);
}

/* v's first n lanes to p, the end of a row of a plane whose next row (of
 * `pitch` values) follows it: one vector store when n >= 16, or when the
 * lanes past the row land in that next row and the caller stores that row
 * afterwards (`next_later`: it overwrites them), else st16_first. Partial
 * vectors stored value by value cost the lecture CNN's fused conv + pool
 * (13-wide rows) a sixth of its time. */
__attribute__((always_inline)) inline void st16_row(float16 v, __global store_t *p, int n,
                                                    int pitch, int next_later)
{
    if (n >= 16 || (next_later && 16 - n <= pitch))
        ST16_ONE(v, p);
    else
        st16_first(v, p, n);
}

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY_RELU 2
#define ACT_CLIP 3
#define ACT_SIGMOID 4
#define ACT_TANH 5
#define ACT_HARD_SIGMOID 6
#define ACT_HARD_SWISH 7
#define ACT_GELU 8
#define ACT_ELU 9
#define ACT_SELU 10
#define ACT_CELU 11
#define ACT_SOFTPLUS 12
#define ACT_SOFTSIGN 13
#define ACT_MISH 14
#define ACT_THRESHOLDED_RELU 15
#define ACT_SWISH 16
#define ACT_QDQ_U8 17
#define ACT_QDQ_S8 18

#ifndef ACT
#define ACT ACT_NONE
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
/* 1: a tensor of the output's layout is added before the activation (a
 * fused residual Add). */
#ifndef HAS_RESIDUAL
#define HAS_RESIDUAL 0
#endif

/* Register tiles of the GEMM-shaped kernels (gemm.cl, conv2d.cl's
 * conv2d_direct); the host passes its tuned values. */
#ifndef TM
#define TM 8 /* output rows (channels) per work-item */
#endif
#ifndef NV
#define NV 2 /* float16 vectors per row of a tile */
#endif
#define TW (NV * 16) /* output columns per work-item, and the width of a packed B panel */

/* Offset of batch index z over dims bd with strides st (gemm.cl's and
 * gemm_pack.cl's batch dims: unused ones of size 1). */
inline long batch_offset(long z, long8 bd, long8 st)
{
    long off = 0, i;
    if (z == 0) /* batch 1: no 64-bit divisions (each item computes three offsets) */
        return 0;
    i = z % bd.s0, z /= bd.s0, off += i * st.s0;
    i = z % bd.s1, z /= bd.s1, off += i * st.s1;
    i = z % bd.s2, z /= bd.s2, off += i * st.s2;
    i = z % bd.s3, z /= bd.s3, off += i * st.s3;
    i = z % bd.s4, z /= bd.s4, off += i * st.s4;
    i = z % bd.s5, off += i * st.s5;
    return off;
}

/* a[0 .. TM-1] = p[0 .. TM-1] into a private float array: the TM values
 * of one k of a packed A panel. In half storage one vector conversion per
 * 8, 4 or 2 values (LOAD_TM_VEC: the widest that divides TM) instead of TM
 * scalar ones, which cost the GEMM-shaped kernels' inner loops more than
 * their FMAs; an odd TM (conv2d_direct_t's rows of 7, 5 or 3 positions)
 * takes 4s, then a 2, then a 1 (7: 3 conversions a tap instead of 7). In
 * float the plain loads, which the compiler keeps as broadcasts from
 * memory. */
#if STORE_HALF && TM % 8 == 0
#define LOAD_TM_VEC 8
#elif STORE_HALF && TM % 4 == 0
#define LOAD_TM_VEC 4
#elif STORE_HALF && TM % 2 == 0 /* the 6-row tiles of 8-float-vector CPUs */
#define LOAD_TM_VEC 2
#endif
#ifdef LOAD_TM_VEC
#define LOAD_TM_BY(N, a, p)                                                    \
    do {                                                                       \
        _Pragma("unroll") for (int q_ = 0; q_ < TM / N; q_++)                  \
            vstore##N(LD##N(q_, (p)), q_, (a));                                \
    } while (0)
#define LOAD_TM_BY_(N, a, p) LOAD_TM_BY(N, a, p) /* expands LOAD_TM_VEC first */
#define LOAD_TM(a, p) LOAD_TM_BY_(LOAD_TM_VEC, a, p)
#elif STORE_HALF && TM > 1
#define LOAD_TM(a, p)                                                          \
    do {                                                                       \
        _Pragma("unroll") for (int q_ = 0; q_ < TM / 4; q_++)                  \
            vstore4(LD4(q_, (p)), q_, (a));                                    \
        if (TM % 4 == 3)                                                       \
            vstore2(LD2(0, (p) + TM / 4 * 4), 0, (a) + TM / 4 * 4);            \
        (a)[TM - 1] = LD((p), TM - 1);                                         \
    } while (0)
#else
#define LOAD_TM(a, p)                                                          \
    do {                                                                       \
        _Pragma("unroll") for (int q_ = 0; q_ < TM; q_++)(a)[q_] = LD((p), q_); \
    } while (0)
#endif

/* NaN test for a float or floatN, true (-1 per lane) where x is NaN. Not
 * isnan(): on PoCL it made the fused ReLU of conv2d_direct 45% slower
 * (ResNet-18 layer4: 7.8 vs 5.4 ms a conv); a self-compare is the same test
 * while no -cl-finite-math-only is given (none is). */
#define IS_NAN(x) ((x) != (x))

#if defined(__x86_64__)
/* e^-y for SiLU's gate 1 / (1 + e^-y), y = alpha x: y clamped to
 * [-89, 87] (below -88.4 the result is infinity, the gate 0, as exp
 * overflowing gives; NaN becomes a bound, and x times the gate is NaN
 * through x), y = -(n ln2 + r) with n whole and |r| <= ln2 / 2, e^r by a
 * degree-5 polynomial (relative error 1.4e-7, fitted on that interval), 2^n
 * put in the exponent bits of a float. PoCL's exp() costs twice the
 * instructions: EfficientNet-B0 computes SiLU on about 6 million outputs
 * per image. x86-64 CPUs (PoCL) only: it overloads a function per vector
 * width (clang's overloadable), and GPUs have a fast exp of their own. */
#define SWISH_EXPNEG_DEF(T, IT)                                                \
    inline __attribute__((overloadable)) T swish_expneg(T y)                   \
    {                                                                          \
        y = fmin(fmax(y, (T)(-89.0f)), (T)(87.0f));                            \
        /* n = round(-y log2 e) in the low bits of a float near 1.5 * 2^23 */  \
        const T big = fma(y, (T)(-1.44269504f), (T)(12582912.0f));           \
        const T n = big - (T)(12582912.0f);                                    \
        const T r = fma(n, (T)(-0.693147182f), -y);                            \
        T p = fma((T)(0.00830129999667406f), r, (T)(0.04191559553146362f));   \
        p = fma(p, r, (T)(0.16667520999908447f));                              \
        p = fma(p, r, (T)(0.4999889135360718f));                               \
        p = fma(p, r, (T)(0.9999997019767761f));                               \
        p = fma(p, r, (T)(1.0000001192092896f));                               \
        /* (big's bits << 23) is n << 23: 2^n once 127 << 23 is added */       \
        return p * as_##T((as_##IT(big) << 23) + (IT)(0x3f800000));            \
    }
SWISH_EXPNEG_DEF(float, int)
SWISH_EXPNEG_DEF(float2, int2)
SWISH_EXPNEG_DEF(float4, int4)
SWISH_EXPNEG_DEF(float8, int8)
SWISH_EXPNEG_DEF(float16, int16)
#define SWISH_GATE(y) (1.0f / (1.0f + swish_expneg(y)))
#else
#define SWISH_GATE(y) (1.0f / (1.0f + exp(-(y))))
#endif

/* ONNX QuantizeLinear of a float or floatN x to [lo, hi] (act_a the
 * scale, act_b the zero point): the division ONNX writes, rounded halves
 * to even, saturated; NaN stays NaN. fmin/fmax rather than clamp, which a
 * kernel's parameter may shadow. */
#define QUANTIZE_TO(x, lo, hi)                                                 \
    select(fmin(fmax(rint((x) / act_a) + act_b, (lo)), (hi)), (x), IS_NAN(x))

/* t limited to [0, 1], NaN stays NaN. */
#define CLAMP01_NAN(t) ((t) < 0.0f ? 0.0f : (t) > 1.0f ? 1.0f : (t))

/* The fused activation for a float or any floatN `x`; reads act_a and
 * act_b from the enclosing scope. */
#if ACT == ACT_NONE
#define ACT_ANY(x) (x)
#elif ACT == ACT_RELU
#define ACT_ANY(x) ((x) < 0.0f ? 0.0f : (x))
#elif ACT == ACT_LEAKY_RELU
#define ACT_ANY(x) select((x) * act_a, (x), (x) >= 0.0f)
#elif ACT == ACT_CLIP
#define ACT_ANY(x) ((x) < act_a ? act_a : (x) > act_b ? act_b : (x))
#elif ACT == ACT_SIGMOID
#define ACT_ANY(x) (1.0f / (1.0f + exp(-(x))))
#elif ACT == ACT_TANH
#define ACT_ANY(x) tanh(x)
#elif ACT == ACT_HARD_SIGMOID /* act_a: alpha, act_b: beta; NaN stays NaN */
#define ACT_ANY(x) CLAMP01_NAN(act_a * (x) + act_b)
#elif ACT == ACT_HARD_SWISH /* x * HardSigmoid(x); act_a: alpha, act_b: beta */
#define ACT_ANY(x) ((x) * CLAMP01_NAN(act_a * (x) + act_b))
#elif ACT == ACT_GELU /* act_a 0: exact, else the tanh approximation */
/* 0.5 x (1 + erf(x / sqrt 2)) as 0.5 x erfc(-x / sqrt 2), and
 * 0.5 x (1 + tanh(u)) as x / (1 + exp(-2u)): no 1 + (a number near -1),
 * so the result keeps its relative precision for negative x. */
#define GELU_ERF(x) (0.5f * (x) * erfc((x) * -M_SQRT1_2_F))
#define GELU_TANH(x) \
    ((x) / (1.0f + exp((x) * (-1.5957691216057308f - 0.0713548162726009f * (x) * (x)))))
#define ACT_ANY(x) (act_a != 0.0f ? GELU_TANH(x) : GELU_ERF(x))
#elif ACT == ACT_ELU /* act_a: alpha; expm1 keeps small negative x precise */
#define ACT_ANY(x) ((x) > 0.0f ? (x) : act_a * expm1(x))
#elif ACT == ACT_SELU /* act_a: alpha, act_b: gamma */
#define ACT_ANY(x) (act_b * ((x) > 0.0f ? (x) : act_a * expm1(x)))
#elif ACT == ACT_CELU /* act_a: alpha */
#define ACT_ANY(x) ((x) > 0.0f ? (x) : act_a * expm1((x) / act_a))
#elif ACT == ACT_SOFTPLUS /* max(x, 0) + log(1 + exp(-|x|)): no overflow for large x */
#define ACT_ANY(x) (((x) > 0.0f ? (x) : 0.0f) + log1p(exp(-fabs(x))))
#elif ACT == ACT_SOFTSIGN
#define ACT_ANY(x) ((x) / (1.0f + fabs(x)))
#elif ACT == ACT_MISH
/* tanh(log(1 + e)) with e = exp(x) is e (e + 2) / (e (e + 2) + 2): one exp,
 * exact for negative x; past x = 20 it is 1 in float (and e^2 overflows). */
#define MISH_N(e) ((e) * ((e) + 2.0f))
#define ACT_ANY(x) ((x) > 20.0f ? (x) : (x) * MISH_N(exp(x)) / (MISH_N(exp(x)) + 2.0f))
#elif ACT == ACT_THRESHOLDED_RELU /* act_a: alpha; NaN fails the compare */
#define ACT_ANY(x) ((x) <= act_a ? 0.0f : (x))
#elif ACT == ACT_SWISH /* act_a: alpha; x times 1 / (1 + e^(-alpha x)) */
#define ACT_ANY(x) ((x) * SWISH_GATE(act_a * (x)))
#elif ACT == ACT_QDQ_U8 /* act_a: scale, act_b: zero point (a QDQ pair) */
#define ACT_ANY(x) ((QUANTIZE_TO(x, 0.0f, 255.0f) - act_b) * act_a)
#elif ACT == ACT_QDQ_S8
#define ACT_ANY(x) ((QUANTIZE_TO(x, -128.0f, 127.0f) - act_b) * act_a)
#else
#error "prelude.cl: unknown ACT"
#endif

/* The larger of a and b (floats or floatN), NaN if either is NaN. */
#define MAX_NAN(a, b) ((((a) > (b)) | IS_NAN(a)) ? (a) : (b))

inline float apply_act(float x, float act_a, float act_b)
{
    return ACT_ANY(x);
}

/* Four rows of 16 values a[0..3] as 16 columns of 4: q[c / 4] lanes
 * 4 * (c % 4) .. 4 * (c % 4) + 3 = column c (a[0..3] lane c). Two rounds of
 * lane interleaving (constant shuffles, one instruction each on AVX-512). */
static inline __attribute__((always_inline)) void transpose4x16(const float16 *a, float16 *q)
{
    const uint16 lo = (uint16)(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const uint16 hi = lo + (uint16)(8);
    const float16 a01l = shuffle2(a[0], a[1], lo), a01h = shuffle2(a[0], a[1], hi);
    const float16 a23l = shuffle2(a[2], a[3], lo), a23h = shuffle2(a[2], a[3], hi);
    const uint16 p0 = (uint16)(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    const uint16 p1 = p0 + (uint16)(8);
    q[0] = shuffle2(a01l, a23l, p0), q[1] = shuffle2(a01l, a23l, p1);
    q[2] = shuffle2(a01h, a23h, p0), q[3] = shuffle2(a01h, a23h, p1);
}

/* p[min(i0 + j, n - 1) * stride] for lanes j = 0..15: 16 per-channel values
 * (a bias along a tile's output channels), the lanes past the last channel
 * repeating it (they are computed and dropped). */
__attribute__((always_inline)) inline float16 ld16_clamped(__global const store_t *p, int i0,
                                                           int n, long stride)
{
    float t[16];
    for (int j = 0; j < 16; j++)
        t[j] = LD(p, (long)min(i0 + j, n - 1) * stride);
    return vload16(0, t);
}

/* The 16 floats p[0], p[sw], .., p[15 * sw]: reads p[0 .. STRIDED16_REACH].
 * This and strided16_masked are always inlined: PoCL left strided16_masked
 * a call in 118 kernels, its float16 result returned through memory
 * (ResNet-18's padded copies 240 -> 227 us a run inlined). */
#define STRIDED16_REACH(sw) ((sw) == 2 ? 31 : 15 * (sw))
/* Gathers of 16 halves: the raw bits element by element, then one vector
 * conversion (PoCL converts a scalar vload_half at twice the cost of a
 * float load, a vload_half16 at the cost of a vload16). `bits` is the
 * store_t pointer read as ushort: a half is never dereferenced. */
#if STORE_HALF
#define HALF_BITS(p) ((__global const ushort *)(p))
#define GATHERED16(t) half_bits16(vload16(0, (t)))
typedef ushort gather_t;
#define GATHER_AT(p, i) (HALF_BITS(p)[i])
#define GATHER_ZERO ((ushort)0)
#else
#define GATHERED16(t) vload16(0, (t))
typedef float gather_t;
#define GATHER_AT(p, i) ((p)[i])
#define GATHER_ZERO 0.0f
#endif

__attribute__((always_inline)) inline float16 strided16(__global const store_t *p, int sw)
{
    if (sw == 1)
        return LD16(0, p);
    if (sw == 2)
        return (float16)(LD16(0, p).even, LD16(0, p + 16).even);
    gather_t t[16];
    for (int j = 0; j < 16; j++)
        t[j] = GATHER_AT(p, j * sw);
    return GATHERED16(t);
}

/* base[at], base[at + sw], .. (16 floats) with the lanes outside `inside`
 * zero, for a tensor of `limit` floats at base: one strided16 where its
 * reads stay in the tensor, else float by float (reads past a row are
 * fine, past the tensor are not). */
__attribute__((always_inline)) inline float16
strided16_masked(__global const store_t *base, long at, int sw, int16 inside, long limit)
{
    if (at >= 0 && at + STRIDED16_REACH(sw) < limit)
        return select((float16)(0.0f), strided16(base + at, sw), inside);
    gather_t t[16];
    for (int j = 0; j < 16; j++) {
        const long x = at + (long)j * sw;
        t[j] = x >= 0 && x < limit ? GATHER_AT(base, x) : GATHER_ZERO;
    }
    return select((float16)(0.0f), GATHERED16(t), inside);
}

/* Vector helpers for kernels that process VW floats per step. VW is a
 * tunable of those kernels (4, 8 or 16); the host passes -DVW when it sizes
 * grids by it. */
#ifndef VW
#define VW 16
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define floatV CAT(float, VW)
#define vloadV CAT(vload, VW)
#define vstoreV CAT(vstore, VW)
#define LDV CAT(LD, VW)   /* VW elements of a store_t buffer as a floatV */
#define STV CAT(ST, VW)
/* The sum of a floatV's lanes, in lane order (softmax and the
 * normalisations). */
inline float hsum(floatV v)
{
    float t[VW];
    vstoreV(v, 0, t);
    float s = 0.0f;
    for (int k = 0; k < VW; k++)
        s += t[k];
    return s;
}

/* N-d movement kernels (pad, slice, transpose): up to 8 dims arrive as
 * separate int arguments p0..p7, innermost first, so every size stays a
 * scalar the kernel can unroll over. */
#define INT8_ARGS(p) int p##0, int p##1, int p##2, int p##3, \
                     int p##4, int p##5, int p##6, int p##7

/* Their work-item: x along the innermost output dim (size `inner`), y
 * along the next, z over all the others; items past `inner` return. */
#define ND_ITEM(inner)                                          \
    const int x = get_global_id(0), y = get_global_id(1);      \
    const size_t z = get_global_id(2);                          \
    if (x >= (inner))                                           \
        return

/* The average of the n values of a plane (globalavgpool, and the
 * squeeze-excitation gate's pool, which then give the same float): eight
 * running sums, added pairwise, then the tail. */
inline float plane_average(__global const store_t *in, long n)
{
    float8 acc8 = 0.0f;
    long i = 0;
    for (; i + 8 <= n; i += 8)
        acc8 += LD8(0, in + i);
    float4 acc4 = acc8.lo + acc8.hi;
    float sum = (acc4.x + acc4.y) + (acc4.z + acc4.w);
    for (; i < n; i++)
        sum += LD(in, i);
    return sum / (float)n;
}
