/*
 * ref_where.h — a naive Where (ONNX): for every output multi-index, each
 * operand's element by NumPy broadcasting (a dim of 1 reads index 0).
 */
#ifndef CLINFER_REF_WHERE_H
#define CLINFER_REF_WHERE_H

#include "clinfer.h"

/* The broadcast shape of the three (assumed compatible). */
clinfer_shape ref_where_shape(const clinfer_shape *c, const clinfer_shape *x,
                              const clinfer_shape *y);

void ref_where(const clinfer_shape *cs, const float *c, const clinfer_shape *xs, const float *x,
               const clinfer_shape *ys, const float *y, float *out);

/* The conditions (clinfer_compare_op `op`) of a and b, broadcast: 1 or 0;
 * C's comparisons (false with NaN), nonzero true for And, Or, Xor. */
void ref_compare(int op, const clinfer_shape *as, const float *a, const clinfer_shape *bs,
                 const float *b, float *out);

#endif
