/*
 * ref_reduce.h — naive ReduceSum/Mean/Max/Min and ArgMax/ArgMin from the
 * ONNX definitions:
 * every input element is added into the output element its kept
 * coordinates name, in double precision. Never calls the code under test.
 */
#ifndef CLINFER_REF_REDUCE_H
#define CLINFER_REF_REDUCE_H

#include "ops/reduce.h"

/* Output shape (axes assumed valid). */
clinfer_shape ref_reduce_shape(const reduce_params *p);

/* Empty reductions give 0 (sum), NaN (mean), -inf (max), +inf (min); max
 * and min propagate NaN. */
void ref_reduce(const reduce_params *p, const float *in, float *out);

/* ArgMax/ArgMin as the ONNX reference computes it (NumPy's argmax/argmin,
 * select_last_index by searching from the end): per output element, the
 * extreme value first (any NaN is the extreme), then the first (or last)
 * position holding it. Output shape: arg_reduce's (axis assumed valid). */
clinfer_shape ref_arg_reduce_shape(const arg_reduce_params *p);
void ref_arg_reduce(const arg_reduce_params *p, const float *in, float *out);

#endif
