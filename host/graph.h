/*
 * graph.h — the layer graph shared by the builder, the compile passes, the
 * memory planner and the executor.
 *
 * Values are tensors (inputs, constants, node outputs); nodes are layers
 * with one output value. Node order is a topological order: the builder can
 * only consume values that already exist. Passes never reorder nodes; they
 * mark a node `removed` and redirect its output instead.
 */
#ifndef CLINFER_GRAPH_H
#define CLINFER_GRAPH_H

#include "clinfer.h"
#include "error.h"
#include "op_list.h"

typedef enum value_kind { VALUE_INPUT, VALUE_CONSTANT, VALUE_NODE } value_kind;

typedef struct graph_value {
    char *name;
    value_kind kind;
    clinfer_shape shape; /* inputs: dims[0] may be CLINFER_BATCH_DIM */
    float *data;         /* constants: host copy, numel(shape) floats */
    int32_t producer;    /* VALUE_NODE: index of the node; else -1 */
    clinfer_dtype io_dtype; /* inputs: the type declared (0: float32), computed as float32 */
} graph_value;

#define OP_KIND_ENUM_ENTRY(kind, name, impl, view) OP_##kind,
typedef enum op_kind { CLINFER_OP_LIST(OP_KIND_ENUM_ENTRY) OP_KIND_COUNT } op_kind;
_Static_assert(OP_KIND_COUNT == CLINFER_OP_COUNT, "op_list.h: CLINFER_OP_COUNT is stale");

typedef struct gemm_attrs {
    int trans_a, trans_b;
    float alpha, beta;
    clinfer_activation activation;
    float act_alpha, act_beta;
} gemm_attrs;

typedef union node_attrs {
    clinfer_conv2d_desc conv;
    clinfer_pool2d_desc pool;
    clinfer_pool_kind global_pool;
    gemm_attrs gemm;
    struct { clinfer_unary_op op; float alpha, beta; } unary;
    struct { clinfer_binary_op op; } binary;
    struct { int32_t axis; int log; int legacy; } softmax; /* legacy: opset < 13 */
    struct { int32_t axis; } concat;
    /* coefficients: inputs are [x, mul, add] (set by the fold pass) rather
     * than [x, scale, bias, mean, var] */
    struct { float epsilon; int coefficients; } batchnorm;
    struct { int64_t pads[2 * CLINFER_MAX_RANK]; float value; int mode; } pad; /* mode: pad_mode */
    struct { int32_t perm[CLINFER_MAX_RANK]; } transpose;
    struct { clinfer_reduce_op op; int32_t naxes; int64_t axes[CLINFER_MAX_RANK]; int keepdims; } reduce;
    struct { int64_t axis; int min; int keepdims; int last; } arg_reduce; /* ArgMax, ArgMin */
    struct { int64_t axis; } gather_elements;
    struct { int64_t axis; } gather;
    struct { clinfer_compare_op op; } compare;
    struct { int32_t axis; } flatten;
    struct { clinfer_shape target; } reshape;
    /* per input dim, as given (clamped against the shape by inference):
     * dims the caller did not list are start 0, end INT64_MAX, step 1 */
    struct { int64_t starts[CLINFER_MAX_RANK], ends[CLINFER_MAX_RANK], steps[CLINFER_MAX_RANK]; } slice;
    struct { clinfer_shape shape; } expand; /* the shape broadcast against */
    struct { int64_t repeats[CLINFER_MAX_RANK]; } tile; /* one per input dim */
    struct { clinfer_resize_desc d; int antialias; } resize;
    struct { int32_t blocksize; int mode; } depth_space; /* mode: ops/depth_space.h */
    struct { clinfer_grid_sample_mode mode; clinfer_grid_padding padding; int align_corners; } grid_sample;
    /* rnn (made by clinfer_graph_rnn, graph_rnn.c): inputs as ops/rnn.h's
     * rnn_input; extra: the state rows after the steps (Y_h, Y_c) */
    struct rnn_attrs {
        clinfer_rnn_cell cell;
        int32_t directions, hidden, extra;
        int reverse, linear_before_reset, input_forget;
        float clip;
        clinfer_activation acts[2][3];
    } rnn;
    struct { int64_t axis; int exclusive; int reverse; } cumsum;
    /* MaxPool's Indices (ops/unpool.h): the pooling, and ONNX's storage_order */
    struct { clinfer_pool2d_desc d; int storage_order; } pool_indices;
    clinfer_unpool2d_desc unpool;
    /* topk (made by clinfer_graph_topk, graph_topk.c): the output holds
     * the values and the indices in two slabs (ops/topk.h) */
    struct { int64_t axis, k; int largest; } topk;
    /* the normalisations (ops/norm.h); inputs [x, scale, bias], either of
     * the last two CLINFER_NO_VALUE when absent. axis: layernorm; groups:
     * groupnorm; axes: mvn, bit d set for a normalised dim */
    struct { float epsilon; int32_t axis; int32_t groups; uint32_t axes; } norm;
    clinfer_conv_transpose2d_desc conv_transpose;
    /* squeeze_excite (made by passes/excite.c; inputs [x, W1, b1, W2, b2],
     * the biases CLINFER_NO_VALUE when absent): the activations of its two
     * products */
    struct excite_attrs {
        clinfer_activation act, gate;
        float act_alpha, act_beta, gate_alpha, gate_beta;
    } excite;
} node_attrs;

typedef struct graph_node {
    char *name;
    op_kind op;
    int32_t *inputs; /* value indices; CLINFER_NO_VALUE for an absent optional one */
    int32_t input_count;
    int32_t output;  /* value index */
    node_attrs attrs;
    int removed;     /* fused away by a pass */
    int32_t fused_pool; /* conv2d: the window (= stride) of a max pool fused
                         * into it by passes/pool.c; 0: none */
    /* conv2d: a max pool whose windows overlap or are padded, fused into
     * it by passes/pool.c (the MaxPool's attributes; kernel_h 0: none) */
    clinfer_pool2d_desc window_pool;
    /* conv2d: input or output in the channel-blocked layout NCHW16c
     * (passes/layout.c, ops/conv2d.h) */
    int in_blocked, out_blocked;
} graph_node;

typedef struct graph_output {
    char *name;
    int32_t value;
    clinfer_dtype dtype; /* the type declared (0: float32), computed as float32 */
} graph_output;

struct clinfer_graph {
    graph_value *values;
    int32_t value_count, value_capacity;
    graph_node *nodes;
    int32_t node_count, node_capacity;
    graph_output *outputs;
    int32_t output_count;
    int32_t *inputs; /* value indices of the declared inputs, in order */
    int32_t input_count, input_capacity;
    char errmsg[CLINFER_ERRMSG_MAX];
};

/* Records an error on the graph (and the thread) and returns status. */
clinfer_status graph_fail(clinfer_graph *g, clinfer_status status, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

/* Appends a node reading `inputs` and producing a new value; checks the
 * inputs exist, then infers the output shape (rolling back on failure).
 * The step every builder call (graph.c, graph_ops.c) ends with. */
clinfer_status graph_add_node(clinfer_graph *g, const char *name, op_kind op,
                              const clinfer_value *inputs, int32_t count, const node_attrs *attrs,
                              clinfer_value *out);

/* `name`, or, when it is NULL or empty, "<prefix>_<node count>" written
 * into buf (the names the builder gives unnamed nodes and layers). */
const char *graph_default_name(const clinfer_graph *g, const char *name, const char *prefix,
                               char *buf, size_t cap);

/* Removes the nodes and values added after the graph had node_count nodes
 * and value_count values: a builder call made of several nodes
 * (clinfer_graph_rnn) leaves nothing behind when a later step fails. */
void graph_roll_back(clinfer_graph *g, int32_t node_count, int32_t value_count);

/* v is a value of g. */
int graph_valid_value(const clinfer_graph *g, clinfer_value v);

/* A view of v ([1, ...] or [1, 1, ...], a slab sliced from a node's
 * output) as its dims from `from` on, the one open dimension, if any,
 * inferred; `op` names the layer in the refusal of a second open one. */
clinfer_status graph_drop_lead(clinfer_graph *g, const char *op, const char *name,
                               clinfer_value v, int32_t from, clinfer_value *out);

/* A deep copy of `src` (the model keeps its own graph to rewrite). */
clinfer_status graph_clone(const clinfer_graph *src, clinfer_graph **out);

/* Adds a constant owning `data` (taken over, freed with the graph, also on
 * failure). Used by passes that make new weights. */
clinfer_status graph_add_owned_constant(clinfer_graph *g, const char *name,
                                        const clinfer_shape *shape, float *data,
                                        int32_t *out);

/* Number of live (not removed) nodes that read value v, and whether v is a
 * graph output. */
int32_t graph_consumer_count(const clinfer_graph *g, int32_t v);
int graph_is_output(const clinfer_graph *g, int32_t v);

/* The short name of an op ("conv2d"). */
const char *op_kind_name(op_kind op);

/* 1 for views: nodes that cost no kernel and share their input's memory. */
int op_is_view(op_kind op);

/* Builder calls with the options that only the ONNX importer needs:
 * clinfer_graph_softmax with the opset < 13 2-D coercion (`legacy`),
 * clinfer_graph_pad with a pad mode (ops/pad.h: 0 constant, 1 reflect,
 * 2 edge, 3 wrap), and graph_resize_ex below. */
clinfer_status graph_softmax_ex(clinfer_graph *g, const char *name, clinfer_value x, int32_t axis,
                                int log, int legacy, clinfer_value *out);
clinfer_status graph_pad_ex(clinfer_graph *g, const char *name, clinfer_value x,
                            const int64_t *pads, int32_t pads_count, float value, int mode,
                            clinfer_value *out);
/* clinfer_graph_resize with ONNX's antialias (linear and cubic modes: the
 * filter stretched when downscaling). */
clinfer_status graph_resize_ex(clinfer_graph *g, const char *name, clinfer_value x,
                               const clinfer_resize_desc *desc, int antialias,
                               clinfer_value *out);

#endif
