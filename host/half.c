/*
 * half.c — float <-> half by bit manipulation (no F16C or _Float16
 * needed, so every C11 compiler builds it), and the array conversions of
 * inputs and outputs through x86's F16C instructions where the compiler
 * and the CPU have them (checked at run time), with the same results.
 */
#include "half.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <stdatomic.h>
#include <immintrin.h>
#define HAVE_F16C_PATH 1
#else
#define HAVE_F16C_PATH 0
#endif

static uint32_t float_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The magnitude bits of x (sign removed), rounded to nearest even at bit
 * `shift`: the bits shifted out decide, a tie goes to the even result. */
static uint32_t round_shift(uint32_t m, int shift)
{
    const uint32_t half_ulp = 1u << (shift - 1), rest = m & ((1u << shift) - 1);
    uint32_t r = m >> shift;
    if (rest > half_ulp || (rest == half_ulp && (r & 1u)))
        r++;
    return r;
}

uint16_t half_from_float(float x)
{
    const uint32_t u = float_bits(x);
    const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    const uint32_t abs = u & 0x7fffffffu;
    if (abs >= 0x7f800000u) /* inf, or NaN kept quiet with its top payload bits */
        return (uint16_t)(sign | 0x7c00u |
                          (abs > 0x7f800000u ? 0x200u | ((abs >> 13) & 0x3ffu) : 0));
    const int exp = (int)(abs >> 23) - 127;
    if (exp > 15) /* 65520 and above round to infinity; below rounds by the code after */
        return (uint16_t)(sign | 0x7c00u);
    if (exp >= -14) {
        /* normal: 10 mantissa bits; a carry out of the mantissa correctly
         * bumps the exponent (and 65504 < x < 65520 stays finite) */
        const uint32_t biased = ((uint32_t)(exp + 15) << 23) | (abs & 0x7fffffu);
        const uint32_t r = round_shift(biased, 13);
        return (uint16_t)(sign | (r >= 0x7c00u ? 0x7c00u : r));
    }
    if (exp < -25) /* below half the smallest subnormal: zero */
        return sign;
    /* subnormal: the value in units of 2^-24, with the implicit bit */
    const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    return (uint16_t)(sign | round_shift(m, -exp - 1));
}

float half_to_float(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0x1f)
        return bits_float(sign | 0x7f800000u | (mant << 13));
    if (exp != 0)
        return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
    /* zero or subnormal: mant * 2^-24, exact in float */
    const float v = (float)mant * (1.0f / 16777216.0f);
    return sign ? -v : v;
}

#if HAVE_F16C_PATH
/* Why: a batch-64 ResNet-50 input is 9.6 M values; converted one by one
 * (about 5 ns each) that took longer than the whole fp32 run on an H200.
 * vcvtps2ph rounds to nearest even (the immediate), turns NaN into a quiet
 * NaN keeping its top payload bits, and is not affected by MXCSR's DAZ, as
 * half_from_float does; vcvtph2ps is exact. */
__attribute__((target("avx,f16c"))) static void from_floats_f16c(const float *src, uint16_t *dst,
                                                                size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(void *)(dst + i), h);
    }
    for (; i < n; i++)
        dst[i] = half_from_float(src[i]);
}

__attribute__((target("avx,f16c"))) static void to_floats_f16c(const uint16_t *src, float *dst,
                                                              size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i,
                         _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(src + i))));
    for (; i < n; i++)
        dst[i] = half_to_float(src[i]);
}

/* CPUID leaf 1: F16C, AVX and OSXSAVE; XCR0: the OS saves the AVX
 * registers. (Clang's __builtin_cpu_supports knows no "f16c".) */
static int probe_f16c(void)
{
    unsigned a, b, c, d;
    const unsigned need = 1u << 27 | 1u << 28 | 1u << 29; /* OSXSAVE, AVX, F16C */
    if (!__get_cpuid(1, &a, &b, &c, &d) || (c & need) != need)
        return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    (void)xcr0_hi;
    return (xcr0_lo & 6u) == 6u; /* SSE and AVX state */
}

/* probe_f16c's answer, asked once per process: in a virtual machine
 * CPUID traps to the hypervisor, and asked per tensor converted it cost
 * the lecture CNN's batch-1 runs in fp16 about a quarter of their time
 * (an input and an output converted per run: clinfer bench 0.14 against
 * fp32's 0.11 ms, perf showing the time in the kernel). Threads that race
 * to the first answer store the same value. */
static int cpu_has_f16c(void)
{
    static _Atomic int known = -1;
    int has = atomic_load_explicit(&known, memory_order_relaxed);
    if (has < 0) {
        has = probe_f16c();
        atomic_store_explicit(&known, has, memory_order_relaxed);
    }
    return has;
}
#endif

void half_from_floats_portable(const float *src, uint16_t *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = half_from_float(src[i]);
}

void half_to_floats_portable(const uint16_t *src, float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = half_to_float(src[i]);
}

void half_from_floats(const float *src, uint16_t *dst, size_t n)
{
#if HAVE_F16C_PATH
    if (cpu_has_f16c()) {
        from_floats_f16c(src, dst, n);
        return;
    }
#endif
    half_from_floats_portable(src, dst, n);
}

void half_to_floats(const uint16_t *src, float *dst, size_t n)
{
#if HAVE_F16C_PATH
    if (cpu_has_f16c()) {
        to_floats_f16c(src, dst, n);
        return;
    }
#endif
    half_to_floats_portable(src, dst, n);
}
