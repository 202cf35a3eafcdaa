/*
 * expand.h — Expand and Tile (ONNX): copies that repeat their input. Both
 * are strided gathers with stride 0 along the repeated dims, so both run
 * slice_nd (kernels/slice.cl) through slice_nd_prepare.
 */
#ifndef CLINFER_OPS_EXPAND_H
#define CLINFER_OPS_EXPAND_H

#include "launch.h"

typedef struct expand_params {
    clinfer_shape input;
    /* The output is input broadcast against shape (multidirectional, as
     * ONNX Expand: ranks align at the end, a 1 on either side takes the
     * other's extent). */
    clinfer_shape shape;
} expand_params;

typedef struct tile_params {
    clinfer_shape input;
    int64_t repeats[CLINFER_MAX_RANK]; /* one per input dim, >= 1 */
} tile_params;

clinfer_status expand_output_shape(clinfer_runtime *rt, const expand_params *p,
                                   clinfer_shape *out);
clinfer_status expand_prepare(clinfer_runtime *rt, const expand_params *p, op_launch *out);

clinfer_status tile_output_shape(clinfer_runtime *rt, const tile_params *p, clinfer_shape *out);
clinfer_status tile_prepare(clinfer_runtime *rt, const tile_params *p, op_launch *out);

/* Buffers of both: launch_bind_io(input, output). */

#endif
