/*
 * slice.h — Slice (ONNX opsets 1-13 semantics, any rank up to
 * CLINFER_MAX_RANK): starts, ends, axes and steps (negative steps walk
 * backwards), clamped as the operator defines. One launch of
 * kernels/slice.cl.
 */
#ifndef CLINFER_OPS_SLICE_H
#define CLINFER_OPS_SLICE_H

#include "launch.h"

typedef struct slice_params {
    clinfer_shape input;
    /* For each i < naxes: axis axes[i] (negative counts from the end, no
     * repeats) keeps starts[i], starts[i] + steps[i], ... before ends[i].
     * Negative starts/ends count from the end; then starts are clamped to
     * [0, dim] (step > 0) or [0, dim - 1] (step < 0), ends to [0, dim] or
     * [-1, dim - 1]. Axes not listed are kept whole. */
    int32_t naxes;
    int64_t starts[CLINFER_MAX_RANK], ends[CLINFER_MAX_RANK];
    int64_t axes[CLINFER_MAX_RANK], steps[CLINFER_MAX_RANK];
} slice_params;

/* ONNX clamping of one axis of size dim: writes the first index taken and
 * returns how many are taken (0 for an empty result). step != 0 and
 * step != INT64_MIN. */
int64_t slice_clamp_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t *first);

/* No axes listed: a copy. */
slice_params slice_params_default(void);

/* Checks the parameters (axis range and repeats, steps != 0, sizes below
 * 2^31 elements) and computes the output shape; with `first`/`step` not NULL
 * also the first index taken and the step of every input dim. An empty
 * result is CLINFER_ERR_UNSUPPORTED (clinfer tensors are never empty). */
clinfer_status slice_geometry(clinfer_runtime *rt, const slice_params *p, clinfer_shape *out,
                              int64_t *first, int64_t *step);

clinfer_status slice_output_shape(clinfer_runtime *rt, const slice_params *p, clinfer_shape *out);

/* Creates the launch of slice_nd and sets its scalar arguments. */
clinfer_status slice_prepare(clinfer_runtime *rt, const slice_params *p, op_launch *out);

/* The launch of slice_nd for any strided gather (also Expand and Tile,
 * ops/expand.c): k <= 8 output dims, innermost first, of sizes od[] that
 * step through the input by ss[] elements (0 repeats the element), from
 * input offset base. Slots k.. of od/ss are filled with 1/0 here. */
clinfer_status slice_nd_prepare(clinfer_runtime *rt, int32_t k, int64_t base, int32_t *od,
                                int32_t *ss, op_launch *out);

/* Buffers: launch_bind_io(input, output). */

#endif
