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

/* Persistent node memory shared by the sessions of a model: packed
 * constant weights depend on the model and the node's plan only, so the
 * first session that writes them offers them here and later sessions with
 * the same plan (key) take them instead of packing again. Thread-safe. */
typedef struct shared_persist {
    int32_t node;
    uint64_t key, bytes;
    cl_mem mem; /* retained by the model */
} shared_persist;

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
    clinfer_dtype *input_dtypes, *output_dtypes; /* as declared */
    int32_t input_count, output_count;
    pthread_mutex_t variants_lock;
    int lock_ready;
    model_variant *variants;
    int32_t variant_count;
    shared_persist *persist; /* under variants_lock */
    int32_t persist_count;
};

/* A model without a graph of its own, for an ONNX file whose inputs have
 * symbolic sizes: takes `onnx` (malloc'd) and copies the names. */
typedef struct model_io {
    char **names;          /* borrowed */
    clinfer_dtype *dtypes; /* declared element types */
    int32_t count;
} model_io;

clinfer_status model_create_deferred(clinfer_runtime *rt, uint8_t *onnx, size_t size,
                                     const model_io *inputs, const model_io *outputs,
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


/* A retained copy of the entry for (node, key, bytes), or NULL. */
cl_mem model_shared_persist_find(clinfer_model *m, int32_t node, uint64_t key, uint64_t bytes);
/* Offers mem (written, complete) as the entry for (node, key, bytes);
 * kept only if there is none yet (out of memory: not kept). */
void model_shared_persist_add(clinfer_model *m, int32_t node, uint64_t key, uint64_t bytes,
                              cl_mem mem);

#endif
