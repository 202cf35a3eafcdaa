/*
 * ref_resize.h — naive reference for Resize (ONNX), written from the
 * operator definition: every output element computed on its own, no
 * tables.
 */
#ifndef CLINFER_REF_RESIZE_H
#define CLINFER_REF_RESIZE_H

#include "clinfer.h"

/* Output shape of Resize of `in` ([N, C, H, W]) by d. */
clinfer_shape ref_resize_shape(const clinfer_shape *in, const clinfer_resize_desc *d);

/* out: numel(ref_resize_shape) floats. */
void ref_resize(const clinfer_shape *in, const clinfer_resize_desc *d, const float *x,
                float *out);

/* The same with ONNX's antialias (linear and cubic): the filter stretched
 * by 1 / min(scale, 1), every input pixel within its reach a tap, the
 * weights normalised to sum to 1 (after exclude_outside's zeros). */
void ref_resize_antialias(const clinfer_shape *in, const clinfer_resize_desc *d, const float *x,
                          float *out);

#endif
