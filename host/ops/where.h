/*
 * where.h — ONNX Where: out = cond ? x : y, element by element, the three
 * operands broadcast together (NumPy rules, ranks 0 to CLINFER_MAX_RANK).
 * cond is a float tensor: nonzero (NaN included) is true. One launch of
 * kernels/where.cl, a work-item per output element.
 */
#ifndef CLINFER_OPS_WHERE_H
#define CLINFER_OPS_WHERE_H

#include "launch.h"

typedef struct where_params {
    clinfer_shape cond, x, y;
} where_params;

/* Checks the shapes (each at most 2^31-1 elements) and writes their
 * broadcast; shapes that do not broadcast give CLINFER_ERR_SHAPE naming
 * them. */
clinfer_status where_output_shape(clinfer_runtime *rt, const where_params *p, clinfer_shape *out);

clinfer_status where_prepare(clinfer_runtime *rt, const where_params *p, op_launch *out);

/* Buffers: cond, x, y, then the output (which must not alias an operand
 * that is broadcast). */
clinfer_status where_bind(clinfer_runtime *rt, op_launch *l, dev_tensor cond, dev_tensor x,
                          dev_tensor y, dev_tensor out);

#endif
