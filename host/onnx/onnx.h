/*
 * onnx.h — ONNX import, inside the library.
 *
 * decode.c   protobuf-c decoding of the untrusted bytes (with the file offset
 *            of a malformed field), TensorProto -> host_tensor with every
 *            count checked, attribute accessors that check types.
 * fold.c     the load-time constant evaluator: Constant, Shape, Gather,
 *            Concat, Cast, Slice, Unsqueeze, ... over host tensors (int64 or
 *            float), never a device kernel.
 * import.c   model -> graph: bindings, inputs and outputs, dispatch of every
 *            node to fold.c or the ops*.c translators, inspect-mode issues.
 * import_graph.c  names registered and resolved, topological order.
 * import_node.c   error messages, the symbol table, node input/output
 *            accessors; import_attrs.c the attribute accessors and check.
 * load.c     the public clinfer_graph_load_onnx* and clinfer_model_load.
 * ops.c      the operator table and the helpers its translators share;
 *            ops_conv_pool.c, ops_math.c and ops_shape.c hold one
 *            translation per ONNX operator into the builder calls.
 * import_inspect.c  inspect mode: stand-in values for the outputs of a
 *            node that cannot be imported.
 * inspect.c  clinfer_onnx_inspect: what a model holds and what clinfer
 *            cannot run, without stopping at the first problem.
 */
#ifndef CLINFER_ONNX_H
#define CLINFER_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "../graph.h"
#include "onnx.pb-c.h"

/* Newest default-domain opset the loader knows. Opsets 19 to 22 changed
 * the ops clinfer imports only by new element types (bfloat16, float8,
 * int4), AveragePool's dilations (19), Cast's saturate (19) and Pad's wrap
 * mode (19): each is imported or refused by name (see ops_conv_pool.c,
 * fold.c, decode.c). */
#define ONNX_MAX_OPSET 22

/* ------------------------------------------------------------ host tensors */

/* A tensor known while loading: an initializer, a bound input, or the value
 * of a folded node. Integer and bool types are widened to int64, float16,
 * bfloat16 and double narrowed/widened to float32. */
typedef struct host_tensor {
    clinfer_dtype dtype; /* CLINFER_DTYPE_FLOAT32 or CLINFER_DTYPE_INT64 */
    clinfer_shape shape;
    int64_t numel;
    float *f;     /* FLOAT32 data, numel values (NULL when numel is 0) */
    int64_t *i;   /* INT64 data */
    uint8_t *sym; /* INT64 only, NULL unless some element depends on the
                     batch size: 0 known, SYM_DERIVED computed from a batch-
                     dependent value, 1 + d a copy of dimension d of an open
                     shape (the value in i[] is then -1) */
} host_tensor;

#define SYM_DERIVED 255

void host_tensor_free(host_tensor *t); /* frees the arrays, not t */
void host_tensor_destroy(host_tensor *t); /* frees the arrays and t */
/* Allocates zeroed data (and no sym) for dtype and shape; the shape must be
 * checked already. */
clinfer_status host_tensor_alloc(host_tensor *t, clinfer_dtype dtype, const clinfer_shape *shape,
                                 char *err, size_t errcap);
int host_tensor_has_sym(const host_tensor *t);
/* Element k as a double / int64 (either dtype). */
double host_tensor_get_f(const host_tensor *t, int64_t k);
int64_t host_tensor_get_i(const host_tensor *t, int64_t k);
/* A deep copy into *out. */
clinfer_status host_tensor_copy(const host_tensor *src, host_tensor *out, char *err,
                                size_t errcap);

/* Element count of dims[0..rank) with every dim >= 0, or -1 when a dim is
 * negative or the product exceeds INT32_MAX. */
int64_t onnx_numel(const int64_t *dims, int32_t rank);

/* ------------------------------------------------------------ decoding */

/* Unpacks a ModelProto; on failure writes a message naming the byte offset
 * and field when the wire format is broken. */
clinfer_status onnx_unpack_model(const uint8_t *data, size_t size, Onnx__ModelProto **out,
                                 char *err, size_t errcap);

/* TensorProto -> host tensor, checking rank, dims, element count, data type,
 * and that the bytes or typed values match the count exactly. `what` names
 * the tensor in messages. */
clinfer_status onnx_tensor_decode(const Onnx__TensorProto *tp, const char *what, host_tensor *out,
                                  char *err, size_t errcap);

/* A public clinfer_tensor -> host tensor (a copy), checked the same way. */
clinfer_status onnx_tensor_from_public(const clinfer_tensor *t, host_tensor *out, char *err,
                                       size_t errcap);

/* Name of an ONNX TensorProto.DataType ("float", "int64", ...). */
const char *onnx_dtype_name(int32_t data_type);
/* 1 for the element types clinfer holds (every numeric one, computed as
 * float32 or int64); 0 for strings, complex numbers and unknown codes. */
int onnx_dtype_is_numeric(int32_t data_type);

/* ------------------------------------------------------------ import */

/* One node that could not be imported (inspect mode collects them all). */
typedef struct onnx_issue {
    char *op_type; /* "domain:op" outside the default domain */
    char *node;
    char *message;
    char *reason; /* the message without its node prefix */
    clinfer_status status;
    clinfer_onnx_issue_kind kind;
} onnx_issue;

typedef struct onnx_issues {
    onnx_issue *items;
    int32_t count, capacity;
} onnx_issues;

void onnx_issues_free(onnx_issues *issues);

/* Imports a decoded model into a new graph. With `issues` non-NULL, a node
 * that cannot be imported is recorded there and the import goes on: its
 * outputs get stand-in values where their shapes are known (see
 * import_inspect.c), so the nodes after it are checked too; a node that
 * reads an output of unknown shape is recorded as not checked. The result
 * is then an error when anything was recorded. *out is NULL on failure. */
clinfer_status onnx_import(const Onnx__ModelProto *model, const clinfer_onnx_options *options,
                           onnx_issues *issues, clinfer_graph **out, char *err, size_t errcap);

/* The default-domain opset of a model, or 0 when it has none. */
int64_t onnx_model_opset(const Onnx__ModelProto *model);

/* A malloc'd copy of s ("" for NULL); NULL when out of memory. */
char *onnx_strdup(const char *s);

#endif
