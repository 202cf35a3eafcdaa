/*
 * ref_gather.h — a naive Gather (ONNX), from the operator's definition:
 * out[a.., k.., b..] = data[a.., indices[k..], b..].
 */
#ifndef CLINFER_REF_GATHER_H
#define CLINFER_REF_GATHER_H

#include "clinfer.h"

/* indices (ni of them, any shape: only their count matters here) as
 * floats holding integers (negative: from the end); one out of range
 * gives NaN, as the kernel does. axis may be negative. */
void ref_gather(const clinfer_shape *ds, const float *data, const float *indices, int64_t ni,
                int32_t axis, float *out);

#endif
