/*
 * ref_reduce.h — naive ReduceSum/Mean/Max/Min from the ONNX definitions:
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

#endif
