/*
 * gather.h — ONNX Gather (opsets 1-13): out = data with its `axis`
 * replaced by the indices' shape, out[a.., k.., b..] = data[a..,
 * indices[k..], b..] (a negative index counts from the end of the axis).
 * The indices are a tensor of any rank (0 included) computed at run time
 * or a constant; they arrive as floats holding integers, as in
 * gather_elements.h. One launch of kernels/gather.cl.
 */
#ifndef CLINFER_OPS_GATHER_H
#define CLINFER_OPS_GATHER_H

#include "launch.h"

typedef struct gather_params {
    clinfer_shape data, indices;
    int64_t axis; /* negative counts from the end */
} gather_params;

/* Checks that indices into an axis of `dim` elements are exact in the
 * tensors' element type: at most 2^24 elements, 2048 in a
 * CLINFER_PRECISION_FP16 runtime (half holds integers exactly up to 2048);
 * rt may be NULL (the builder), which checks only the first. `op` and
 * `axis` name the op and the axis in the message. Shared by Gather and
 * GatherElements. */
clinfer_status gather_check_axis_size(clinfer_runtime *rt, const char *op, int32_t axis,
                                      int64_t dim);

/* Checks the ranks (data 1 to CLINFER_MAX_RANK, the result at most
 * CLINFER_MAX_RANK), the axis and the sizes, and writes the output shape:
 * data.dims[..axis], indices.dims, data.dims[axis + 1..]. */
clinfer_status gather_output_shape(clinfer_runtime *rt, const gather_params *p,
                                   clinfer_shape *out);

/* Creates the launch. An index outside [-dim, dim) gives NaN: the device
 * cannot report it, and it never reads outside data (the node checks
 * constant indices when the model is built). */
clinfer_status gather_prepare(clinfer_runtime *rt, const gather_params *p, op_launch *out);

/* Buffers: data, indices, then the output. */
clinfer_status gather_bind(clinfer_runtime *rt, op_launch *l, dev_tensor data, dev_tensor indices,
                           dev_tensor out);

#endif
