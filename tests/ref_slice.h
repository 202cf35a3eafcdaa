/*
 * ref_slice.h — naive reference for Slice, from the ONNX operator
 * definition: per axis, negative starts/ends count from the end, then are
 * clamped, and the kept indices are Python's range(start, end, step).
 */
#ifndef CLINFER_REF_SLICE_H
#define CLINFER_REF_SLICE_H

#include "ops/slice.h"

/* Output shape (a dim may be 0 for an empty result). */
clinfer_shape ref_slice_shape(const slice_params *p);

/* out: numel(ref_slice_shape(p)) floats. */
void ref_slice(const slice_params *p, const float *in, float *out);

#endif
