/*
 * ref_movement.h — naive references for the data-movement ops (Concat,
 * Pad, Transpose), written from the ONNX operator definitions: one loop
 * over every output element with its full multi-index. They compute their
 * own output shapes and never call the code under test.
 */
#ifndef CLINFER_REF_MOVEMENT_H
#define CLINFER_REF_MOVEMENT_H

#include "ops/concat.h"
#include "ops/pad.h"
#include "ops/transpose.h"
#include "testutil.h"


/* Concat of `count` inputs along `axis` (negative counts from the end);
 * the shapes are assumed valid. Writes the output shape to *out_shape. */
void ref_concat(const clinfer_shape *shapes, int32_t count, int64_t axis,
                const float *const *inputs, float *out, clinfer_shape *out_shape);

/* Output shape of Pad (pads expanded over p->axes); the pads are assumed
 * valid. */
clinfer_shape ref_pad_shape(const pad_params *p);

/* Pad: negative pads crop the input first, then the mode fills the added
 * positions from the cropped input (constant value, edge clamp, reflection
 * without repeating the border, periodic wrap). */
void ref_pad(const pad_params *p, const float *in, float *out);

/* Transpose with p->perm (or reversed dims when p->nperm is 0). */
clinfer_shape ref_transpose_shape(const transpose_params *p);
void ref_transpose(const transpose_params *p, const float *in, float *out);

#endif
