/*
 * ops_internal.h — what the operator translators (ops_conv_pool.c,
 * ops_math.c, ops_shape.c) share with each other and with the table in
 * ops.c: the helpers defined in ops.c and each translator the table names.
 */
#ifndef CLINFER_ONNX_OPS_INTERNAL_H
#define CLINFER_ONNX_OPS_INTERNAL_H

#include "import.h"

#define MAX_INTS 64

/* Sets output 0 to *y after a builder call; y is read after the call wrote
 * it (hence the pointer). */
clinfer_status node_out_of(onnx_node *c, clinfer_status st, const clinfer_value *y);
/* The name of output 0. */
const char *node_oname(const onnx_node *c);
/* An int attribute or list value that must fit [lo, hi]. */
clinfer_status node_check_range(onnx_node *c, const char *attr, int64_t v, int64_t lo,
                                int64_t hi);

/* ops_conv_pool.c */
clinfer_status op_conv(onnx_node *c);
clinfer_status op_maxpool(onnx_node *c);
clinfer_status op_avgpool(onnx_node *c);
clinfer_status op_global_avg(onnx_node *c);
clinfer_status op_global_max(onnx_node *c);

/* ops_math.c */
clinfer_status op_gemm(onnx_node *c);
clinfer_status op_matmul(onnx_node *c);
clinfer_status op_relu(onnx_node *c);
clinfer_status op_sigmoid(onnx_node *c);
clinfer_status op_tanh(onnx_node *c);
clinfer_status op_exp(onnx_node *c);
clinfer_status op_log(onnx_node *c);
clinfer_status op_sqrt(onnx_node *c);
clinfer_status op_neg(onnx_node *c);
clinfer_status op_abs(onnx_node *c);
clinfer_status op_reciprocal(onnx_node *c);
clinfer_status op_leaky_relu(onnx_node *c);
clinfer_status op_clip(onnx_node *c);
clinfer_status op_softmax(onnx_node *c);
clinfer_status op_log_softmax(onnx_node *c);
clinfer_status op_add(onnx_node *c);
clinfer_status op_sub(onnx_node *c);
clinfer_status op_mul(onnx_node *c);
clinfer_status op_div(onnx_node *c);
clinfer_status op_pow(onnx_node *c);
clinfer_status op_batchnorm(onnx_node *c);

/* ops_shape.c */
clinfer_status op_concat(onnx_node *c);
clinfer_status op_pad(onnx_node *c);
clinfer_status op_transpose(onnx_node *c);
clinfer_status op_flatten(onnx_node *c);
clinfer_status op_reshape(onnx_node *c);
clinfer_status op_identity(onnx_node *c);
clinfer_status op_dropout(onnx_node *c);
clinfer_status op_squeeze(onnx_node *c);
clinfer_status op_unsqueeze(onnx_node *c);
clinfer_status op_slice(onnx_node *c);
clinfer_status op_reduce(onnx_node *c);
clinfer_status op_cast(onnx_node *c);

#endif
