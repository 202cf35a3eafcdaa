/*
 * ref_eltwise.h — naive C references for the element-wise ops, from the ONNX
 * operator definitions: one loop over the output, double-precision math,
 * broadcasting by explicit coordinates.
 */
#ifndef CLINFER_REF_ELTWISE_H
#define CLINFER_REF_ELTWISE_H

#include <stddef.h>

#include "ops/eltwise.h"
#include "testutil.h"

/* out[i] = f(in[i]) for the unary op (kind, act). */
void ref_unary(unary_kind kind, act_params act, size_t n, const float *in, float *out);

/* NumPy broadcasting of shapes a and b into *out; 0 if incompatible. */
int ref_broadcast_shape(const clinfer_shape *a, const clinfer_shape *b, clinfer_shape *out);

/* out = act(x op y) with x of shape sa and y of shape sb broadcast together;
 * returns 0 (writing nothing) if the shapes do not broadcast. */
int ref_binary(binary_op op, act_params act, const clinfer_shape *sa, const float *x,
               const clinfer_shape *sb, const float *y, float *out);


#endif
