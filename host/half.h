/*
 * half.h — IEEE 754 binary16 on the host: the conversions between the
 * caller's floats and the half values a CLINFER_PRECISION_FP16 runtime
 * keeps on the device (inputs, outputs, constants).
 */
#ifndef CLINFER_HALF_H
#define CLINFER_HALF_H

#include <stddef.h>
#include <stdint.h>

/* x rounded to the nearest half, ties to even (vstore_half's default
 * rounding): overflow gives infinity, NaN stays NaN (quiet), tiny values
 * become subnormals or signed zero. */
uint16_t half_from_float(float x);

/* The float equal to half h (exact: every half is a float). */
float half_to_float(uint16_t h);

/* n values at once, with F16C instructions where the CPU has them (the
 * same results as the scalar functions above; the _portable forms never
 * use them, for tests that compare the two). */
void half_from_floats(const float *src, uint16_t *dst, size_t n);
void half_to_floats(const uint16_t *src, float *dst, size_t n);
void half_from_floats_portable(const float *src, uint16_t *dst, size_t n);
void half_to_floats_portable(const uint16_t *src, float *dst, size_t n);

#endif
