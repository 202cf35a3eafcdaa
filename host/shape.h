/*
 * shape.h — helpers on clinfer_shape: element counts with overflow checks,
 * comparison, NumPy-style broadcasting, and formatting for messages.
 */
#ifndef CLINFER_SHAPE_H
#define CLINFER_SHAPE_H

#include <stddef.h>

#include "clinfer.h"

/* A shape of the given rank and dims (dims may be NULL for rank 0). */
clinfer_shape shape_make(int32_t rank, const int64_t *dims);
clinfer_shape shape_4d(int64_t n, int64_t c, int64_t h, int64_t w);

/* Number of elements, or -1 if a dim is negative or the product overflows
 * 2^62 (so that byte counts still fit an int64). Rank 0 has 1 element. */
int64_t shape_numel(const clinfer_shape *s);

int shape_equal(const clinfer_shape *a, const clinfer_shape *b);

/* NumPy broadcasting of a and b into *out; returns 0 if incompatible. */
int shape_broadcast(const clinfer_shape *a, const clinfer_shape *b, clinfer_shape *out);

/* Writes "[2, 3, 4]" into buf and returns buf. */
const char *shape_str(const clinfer_shape *s, char *buf, size_t cap);

/* Normalises an ONNX axis (negative counts from the end) into [0, rank);
 * returns 0 if out of range. */
int shape_axis(int64_t axis, int32_t rank, int32_t *out);

#endif
