/*
 * model.h — a compiled graph: the rewritten graph plus its constants on the
 * device. Read-only after clinfer_model_compile, so sessions in several
 * threads can share it.
 *
 * A model loaded from ONNX also keeps the file, so that sessions may ask
 * for other input sizes: the graph is then built again for those sizes
 * (shape arithmetic folded for them) and compiled once into a variant,
 * which later sessions of the same sizes share (model_variants.c). A model
 * whose inputs have symbolic sizes other than the batch has no graph of its
 * own (g is NULL): every session names its input shapes.
 */
#ifndef CLINFER_MODEL_H
#define CLINFER_MODEL_H

#include <pthread.h>

#include "graph.h"
#include "runtime.h"

/* Inputs a model may have (the sessions' shape lists are this long). */
#define CLINFER_MAX_INPUTS 64

typedef struct model_variant {
    clinfer_shape *shapes; /* per input of the model, in order (dims[0]: the batch, unused) */
    clinfer_model *model;
} model_variant;

struct clinfer_model {
    clinfer_runtime *rt;
    clinfer_graph *g;  /* after the passes; NULL: sizes are given per session */
    cl_mem *constants; /* per value: the device copy of a used constant, else NULL */
    uint64_t weight_bytes;
    size_t kernel_nodes; /* live nodes that launch kernels */

    /* ONNX models: the file and the names of the graph's inputs/outputs */
    uint8_t *onnx;
    size_t onnx_size;
    char **input_names, **output_names;
    int32_t input_count, output_count;
    pthread_mutex_t variants_lock;
    int lock_ready;
    model_variant *variants;
    int32_t variant_count;
};

/* A model without a graph of its own, for an ONNX file whose inputs have
 * symbolic sizes: takes `onnx` (malloc'd) and copies the names. */
clinfer_status model_create_deferred(clinfer_runtime *rt, uint8_t *onnx, size_t size,
                                     char *const *inputs, int32_t input_count,
                                     char *const *outputs, int32_t output_count,
                                     clinfer_model **out);

/* Gives a compiled model its ONNX file (malloc'd; taken), so that sessions
 * may ask for other input sizes. */
clinfer_status model_keep_onnx(clinfer_model *m, uint8_t *onnx, size_t size);

/* The model a session of these input shapes runs (m itself or a variant,
 * compiled here the first time) and its batch size. count 0: m itself at
 * `default_batch`, which needs a graph. Thread-safe. */
clinfer_status model_for_shapes(clinfer_model *m, const clinfer_input_shape *shapes, size_t count,
                                int64_t default_batch, clinfer_model **use, int64_t *batch);

void model_variants_free(clinfer_model *m);

#endif
