/*
 * ref_resize.h — naive references for Resize (ONNX) and for DepthToSpace /
 * SpaceToDepth, written from the operator definitions: every output
 * element computed on its own, no tables.
 */
#ifndef CLINFER_REF_RESIZE_H
#define CLINFER_REF_RESIZE_H

#include "clinfer.h"

/* Output shape of Resize of `in` ([N, C, H, W]) by d. */
clinfer_shape ref_resize_shape(const clinfer_shape *in, const clinfer_resize_desc *d);

/* out: numel(ref_resize_shape) floats. */
void ref_resize(const clinfer_shape *in, const clinfer_resize_desc *d, const float *x,
                float *out);

/* DepthToSpace (crd 0: DCR, 1: CRD) and SpaceToDepth of [N, C, H, W]. */
void ref_depth_to_space(const clinfer_shape *in, int b, int crd, const float *x, float *out);
void ref_space_to_depth(const clinfer_shape *in, int b, const float *x, float *out);

#endif
