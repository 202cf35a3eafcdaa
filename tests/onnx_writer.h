/*
 * onnx_writer.h — a tiny protobuf encoder for writing ONNX models in C, for
 * the loader tests and the fuzzer's seeds. It writes the wire format
 * directly (field numbers from the ONNX specification), so the tests do not
 * use the code under test to make their inputs, and can write malformed
 * files on purpose.
 */
#ifndef CLINFER_ONNX_WRITER_H
#define CLINFER_ONNX_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* A growing byte buffer holding one encoded message. */
typedef struct pb {
    uint8_t *b;
    size_t n, cap;
} pb;

void pb_free(pb *p);
void pb_varint(pb *p, uint64_t v);
void pb_tag(pb *p, uint32_t field, uint32_t wire_type);
void pb_int(pb *p, uint32_t field, int64_t v);              /* varint field */
void pb_fixed32(pb *p, uint32_t field, float v);            /* float field */
void pb_bytes(pb *p, uint32_t field, const void *data, size_t n); /* length-delimited */
void pb_str(pb *p, uint32_t field, const char *s);
void pb_msg(pb *p, uint32_t field, const pb *sub);          /* sub-message (copied) */
void pb_append(pb *p, const pb *sub);                       /* raw bytes */

/* ONNX TensorProto.DataType codes used by the tests. */
enum { OT_FLOAT = 1, OT_UINT8 = 2, OT_INT32 = 6, OT_INT64 = 7, OT_BOOL = 9, OT_FLOAT16 = 10,
       OT_DOUBLE = 11 };

/* TensorProto: float32 data in raw_data (raw) or float_data. */
pb onnx_tensor_f(const char *name, int rank, const int64_t *dims, const float *data, int raw);
/* TensorProto: int64 data in raw_data (raw) or int64_data. */
pb onnx_tensor_i(const char *name, int rank, const int64_t *dims, const int64_t *data, int raw);
/* An integer tensor of ONNX element type elem_type (uint8 2, int8 3,
 * uint16 4, int16 5, int32 6, int64 7) in raw_data. */
pb onnx_tensor_int(const char *name, int elem_type, int rank, const int64_t *dims,
                   const int64_t *data);

/* AttributeProto of each kind. */
pb onnx_attr_int(const char *name, int64_t v);
pb onnx_attr_float(const char *name, float v);
pb onnx_attr_ints(const char *name, int n, const int64_t *v);
pb onnx_attr_string(const char *name, const char *v);
pb onnx_attr_strings(const char *name, int n, const char *const *v);
pb onnx_attr_tensor(const char *name, const pb *tensor);

/* ValueInfoProto of a tensor; a dim < 0 is symbolic ("N"), except
 * OW_DIM_MINUS_ONE, written as dim_value -1 (as paddle2onnx writes "any
 * size"). rank < 0: no shape at all. */
#define OW_DIM_MINUS_ONE INT64_MIN
pb onnx_value_info(const char *name, int elem_type, int rank, const int64_t *dims);

/* A graph under construction; the model is finished by onnx_model(). */
typedef struct onnx_graph {
    pb g;
} onnx_graph;

/* Adds a node: inputs and outputs are comma-separated names ("x,,w": an
 * empty name is an absent optional input); attrs (may be NULL) are
 * freed. */
void onnx_node(onnx_graph *g, const char *op, const char *name, const char *inputs,
               const char *outputs, int nattrs, pb *attrs);
void onnx_initializer(onnx_graph *g, pb *tensor);      /* freed */
void onnx_input(onnx_graph *g, pb *value_info);        /* freed */
void onnx_output(onnx_graph *g, pb *value_info);       /* freed */
void onnx_value_info_decl(onnx_graph *g, pb *value_info); /* graph.value_info; freed */
/* AttributeProto of kind GRAPH (an If's then_branch or else_branch): the
 * graph `branch` (nodes, initializers, outputs), which is freed. */
pb onnx_attr_graph(const char *name, onnx_graph *branch);

/* ModelProto (ir_version 8, then the graph, then the opset import — so
 * that every strict prefix of the file misses something): *size bytes,
 * malloc'd; the graph is freed. opset 0: no opset_import. */
uint8_t *onnx_model(onnx_graph *g, int64_t opset, size_t *size);

/* ------------------------------------------------------------ test models */

/* A small CNN as PyTorch exports it, batch dimension symbolic ("N"):
 * x [N, 2, 7, 6] -> Conv 3x3 (3 ch, pads 1, raw_data weights, float_data
 * bias) -> Relu -> MaxPool 2 -> Shape/Gather/Unsqueeze/Concat/Reshape to
 * [N, 27] -> Gemm (transB, 4 units) -> Softmax (opset 13) -> "probs".
 * The weights are filled from `seed`; *w, *b, *fw, *fb (may be NULL) get
 * malloc'd copies for references. */
uint8_t *onnx_model_cnn(uint32_t seed, size_t *size, float **w, float **b, float **fw,
                        float **fb);

/* Fixed shapes, many small ops: x [2, 3, 4, 5] -> Slice -> Pad (reflect,
 * input form) -> Unsqueeze/Squeeze -> Clip (inputs) -> BatchNormalization
 * -> Transpose -> ReduceMean (opset 18 axes input) -> Mul by a Constant ->
 * "y" [2, 4, 3]... see the test for the reference. */
uint8_t *onnx_model_ops(size_t *size);

/* Opset 18, for clinfer_onnx_inspect and `clinfer info`: img [N, 3, 8, 8]
 * -> Conv "conv" -> "c" [N, 4, 6, 6], then nodes clinfer cannot run, of
 * three kinds, with supported nodes after them:
 *   unknown op Swoosh: "s1" (output shape unknown: Relu "after_s1" is not
 *     checked; Swoosh "s4" after it is still an unknown op), "s2" (output
 *     declared [N, 4, 6, 6] in value_info: Relu
 *     "after_s2" is checked and imports), "s3" (GlobalAveragePool
 *     "after_s3" not checked);
 *   opset: AveragePool "dilated_pool" (dilations before opset 19; output
 *     declared [N, 4, 4, 4]) feeding "s3" and
 *   unsupported attribute: Relu "bad_relu" (attribute "bogus"; Relu keeps
 *     its input's shape, so Flatten "after_bad_relu" is checked and
 *     imports). Outputs "r1", "gap", "out1", "s4_out". */
uint8_t *onnx_model_unsupported(size_t *size);

/* Ifs with conditions known while loading (test_onnx_if.c, and the
 * fuzzer's seed for the branch import): x [N, 3, 4, 5] -> If on
 * Shape(x)[1] == 3 -> "r" -> Mul x -> "y". Its then branch multiplies by
 * 2 (a branch initializer) a nested If on `flag` (an initializer) whose
 * branches read z = Relu(x), listed after the outer If in the file (an
 * implicit input: the sort must put Relu first): |z| or z - x; its else
 * branch outputs x as it is. y = 2 |z| x (flag 1) or 2 (z - x) x. */
uint8_t *onnx_model_if(int64_t flag, size_t *size);

#endif
