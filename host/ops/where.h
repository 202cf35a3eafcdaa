/*
 * where.h — ONNX Where: out = cond ? x : y, element by element, the three
 * operands broadcast together (NumPy rules, ranks 0 to CLINFER_MAX_RANK).
 * cond is a float tensor: nonzero (NaN included) is true. And the ops that
 * compute such conditions on run-time tensors: Equal, Less, LessOrEqual,
 * Greater, GreaterOrEqual, And, Or, Xor (two operands broadcast, 1 or 0).
 * One launch of kernels/where.cl each, a work-item per output element.
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

/* ------------------------------------------------------- conditions */

/* The values of clinfer_compare_op, and the kernel's WHERE_OP - 1. */
typedef enum compare_kind {
    COMPARE_EQUAL = 0,
    COMPARE_LESS,
    COMPARE_LESS_EQUAL,
    COMPARE_GREATER,
    COMPARE_GREATER_EQUAL,
    COMPARE_AND,
    COMPARE_OR,
    COMPARE_XOR,
    COMPARE_LAST = COMPARE_XOR
} compare_kind;

typedef struct compare_params {
    compare_kind kind;
    clinfer_shape a, b;
} compare_params;

/* The ONNX name of the op ("Equal", ...). */
const char *compare_name(compare_kind kind);

/* Checks the kind and shapes and writes the broadcast shape. */
clinfer_status compare_output_shape(clinfer_runtime *rt, const compare_params *p,
                                    clinfer_shape *out);

clinfer_status compare_prepare(clinfer_runtime *rt, const compare_params *p, op_launch *out);

/* Buffers: a, b, then the output. */
clinfer_status compare_bind(clinfer_runtime *rt, op_launch *l, dev_tensor a, dev_tensor b,
                            dev_tensor out);

#endif
