/*
 * ref_expand.h — naive references for Expand and Tile, from the ONNX
 * operator definitions: an output coordinate maps to the input coordinate
 * (Expand: 0 where the input's extent is 1; Tile: modulo the input's
 * extent).
 */
#ifndef CLINFER_REF_EXPAND_H
#define CLINFER_REF_EXPAND_H

#include "ops/expand.h"

/* The broadcast shape; rank -1 if the shapes do not broadcast. */
clinfer_shape ref_expand_shape(const clinfer_shape *x, const clinfer_shape *shape);
/* out: numel(ref_expand_shape) floats. */
void ref_expand(const clinfer_shape *x, const float *in, const clinfer_shape *shape, float *out);

clinfer_shape ref_tile_shape(const clinfer_shape *x, const int64_t *repeats);
void ref_tile(const clinfer_shape *x, const float *in, const int64_t *repeats, float *out);

#endif
