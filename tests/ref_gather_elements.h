/*
 * ref_gather_elements.h — a naive GatherElements (ONNX), from the
 * operator's definition: out[i] = data[i with its axis coordinate replaced
 * by indices[i]].
 */
#ifndef CLINFER_REF_GATHER_ELEMENTS_H
#define CLINFER_REF_GATHER_ELEMENTS_H

#include "clinfer.h"

/* indices as floats holding integers (negative: from the end); one out of
 * range gives NaN, as the kernel does. */
void ref_gather_elements(const clinfer_shape *ds, const float *data, const clinfer_shape *is,
                         const float *indices, int32_t axis, float *out);

#endif
