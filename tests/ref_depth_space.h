/*
 * ref_depth_space.h — naive references for DepthToSpace and SpaceToDepth
 * (ONNX), from the operators' index formulas.
 */
#ifndef CLINFER_REF_DEPTH_SPACE_H
#define CLINFER_REF_DEPTH_SPACE_H

#include "clinfer.h"

/* DepthToSpace (crd 0: DCR, 1: CRD) and SpaceToDepth of [N, C, H, W]. */
void ref_depth_to_space(const clinfer_shape *in, int b, int crd, const float *x, float *out);
void ref_space_to_depth(const clinfer_shape *in, int b, const float *x, float *out);

#endif
