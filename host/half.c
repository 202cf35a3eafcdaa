/*
 * half.c — float <-> half by bit manipulation (no F16C or _Float16
 * needed, so every C11 compiler builds it).
 */
#include "half.h"

#include <string.h>

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

void half_from_floats(const float *src, uint16_t *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = half_from_float(src[i]);
}

void half_to_floats(const uint16_t *src, float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = half_to_float(src[i]);
}
