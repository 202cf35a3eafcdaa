/*
 * gather_elements.h — ONNX GatherElements (torch.gather): out has the
 * indices' shape, and out[i] is data at i's coordinates with the one along
 * `axis` replaced by indices[i] (negative: from the end of the axis). Data
 * and indices are tensors of the same rank 1 to CLINFER_MAX_RANK, both
 * computed at run time or either a constant; the indices arrive as floats
 * holding integers. One launch of kernels/gather_elements.cl.
 */
#ifndef CLINFER_OPS_GATHER_ELEMENTS_H
#define CLINFER_OPS_GATHER_ELEMENTS_H

#include "launch.h"

typedef struct gather_elements_params {
    clinfer_shape data, indices;
    int64_t axis; /* negative counts from the end */
} gather_elements_params;

/* Checks the ranks, the axis and that every other dim of indices fits
 * data's, and writes the output shape (the indices'). The axis may hold at
 * most 2^24 elements, and 2048 in a CLINFER_PRECISION_FP16 runtime (half
 * holds integers exactly up to 2048); rt may be NULL (the builder), which
 * checks only the first. */
clinfer_status gather_elements_output_shape(clinfer_runtime *rt, const gather_elements_params *p,
                                            clinfer_shape *out);

/* Creates the launch. An index outside [-dim, dim) gives NaN: the device
 * cannot report it, and it never reads outside data (the node checks
 * constant indices when the model is built). */
clinfer_status gather_elements_prepare(clinfer_runtime *rt, const gather_elements_params *p,
                                       op_launch *out);

/* Buffers: data, indices, then the output. */
clinfer_status gather_elements_bind(clinfer_runtime *rt, op_launch *l, dev_tensor data,
                                    dev_tensor indices, dev_tensor out);

#endif
