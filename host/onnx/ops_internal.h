/*
 * ops_internal.h — what the operator translators (ops_conv_pool.c,
 * ops_math.c, ops_shape.c, ops_tensor.c) share with each other and with the table in
 * ops.c: the helpers defined in ops.c and each translator the table names.
 */
#ifndef CLINFER_ONNX_OPS_INTERNAL_H
#define CLINFER_ONNX_OPS_INTERNAL_H

#include "import.h"
#include "ops_table.h"

#define MAX_INTS 64

/* Sets output 0 to *y after a builder call; y is read after the call wrote
 * it (hence the pointer). */
clinfer_status onnx_node_out_of(onnx_node *c, clinfer_status st, const clinfer_value *y);
/* The name of output 0. */
const char *onnx_node_oname(const onnx_node *c);
/* A name for a node the translator adds besides the output's: ":<suffix>"
 * appended to output 0's name, written into buf. */
const char *onnx_node_part_name(const onnx_node *c, const char *suffix, char *buf, size_t cap);
/* A scalar float constant named onnx_node_part_name(c, suffix) (a builder
 * status: pass it through onnx_node_build). */
clinfer_status onnx_node_scalar_constant(onnx_node *c, const char *suffix, float v,
                                         clinfer_value *out);
/* An int attribute or list value that must fit [lo, hi]. */
clinfer_status onnx_node_check_range(onnx_node *c, const char *attr, int64_t v, int64_t lo,
                                     int64_t hi);

/* The translators, one per KERNEL row of ops_table.h (several rows may
 * share one). */
#define DECLARE_TRANSLATOR(type, translator, folder, const_inputs, attrs)                          \
    clinfer_status translator(onnx_node *c);
#define DECLARE_NOTHING(type, folder, const_inputs, attrs)
ONNX_OP_TABLE(DECLARE_TRANSLATOR, DECLARE_NOTHING)

#endif
