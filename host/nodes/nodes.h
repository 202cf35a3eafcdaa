/*
 * nodes.h — what the graph needs from each kind of node: its output shape
 * for given input shapes, the kernel launches that compute it over given
 * buffers, and its floating-point operation count for profiles.
 *
 * host/ops/ holds the kernels' host side (parameters -> launch); the files
 * here translate a graph node (attributes + shapes) into those parameters,
 * one file per op family.
 */
#ifndef CLINFER_NODES_H
#define CLINFER_NODES_H

#include "../graph.h"
#include "../ops/launch.h"

typedef struct node_ctx {
    clinfer_runtime *rt; /* NULL while the graph is being built */
    const clinfer_graph *g;
    const graph_node *node;
    const clinfer_shape *const *in; /* per input; NULL for an absent optional input */
    /* Device memory the executor gives prepare, as node_impl.memory asked
     * (NULL when none was asked for): */
    cl_mem scratch; /* shared by every node of the session: valid only while
                     * this node's launches run */
    cl_mem persist; /* this node's own for the session's lifetime (e.g.
                     * packed weights written once during prepare) */
    /* Per input, 1 where the executor placed the input inside this node's
     * output (a Concat's slice, see inplace.c), so there is nothing to
     * copy; NULL: none. */
    const unsigned char *in_place;
} node_ctx;

/* Device memory a node needs besides its inputs and output. */
typedef struct node_memory {
    uint64_t scratch_bytes;
    uint64_t persist_bytes;
} node_memory;

/* The kernel launches of one node, in order. */
typedef struct node_launches {
    op_launch *items;
    int32_t count;
} node_launches;

typedef struct node_impl {
    /* Checks the node against its input shapes and computes its output. */
    clinfer_status (*infer)(const node_ctx *c, clinfer_shape *out);
    /* Creates and binds the launches over in_mem (per input, NULL when
     * absent) and out_mem. NULL for views, which launch nothing. */
    clinfer_status (*prepare)(const node_ctx *c, const cl_mem *in_mem, cl_mem out_mem,
                              node_launches *out);
    /* Floating-point operations of one run; NULL when not counted. */
    double (*flops)(const node_ctx *c, const clinfer_shape *out);
    /* The scratch and persistent memory prepare will need (called before
     * prepare, with the same shapes); NULL: none. */
    clinfer_status (*memory)(const node_ctx *c, node_memory *out);
} node_impl;

const node_impl *node_impl_of(op_kind op);

/* The output shape of node n where every open batch dimension of the
 * graph's stored shapes is `batch` (used by the builder to check a node the
 * moment it is added). */
clinfer_status nodes_infer_with_batch(const clinfer_graph *g, const graph_node *n, int64_t batch,
                                      clinfer_shape *out);

/* Node inference over concrete shapes, one per value of the graph. */
clinfer_status nodes_infer(clinfer_runtime *rt, const clinfer_graph *g, const graph_node *n,
                           const clinfer_shape *value_shapes, clinfer_shape *out);

/* Allocates `count` zeroed launches; releases them all. */
clinfer_status node_launches_alloc(clinfer_runtime *rt, node_launches *l, int32_t count);
void node_launches_release(node_launches *l);

/* Fails with a message naming the node. */
clinfer_status node_fail(const node_ctx *c, clinfer_status status, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

/* Requires input i to have the given rank. */
clinfer_status node_need_rank(const node_ctx *c, int32_t i, int32_t rank);

/* Requires every dimension of input i to fit an int32 (kernel arguments). */
clinfer_status node_need_int32_dims(const node_ctx *c, int32_t i);

/* Padding for CLINFER_PAD_SAME_* / VALID along one axis (ONNX auto_pad). */
void node_auto_pad(clinfer_pad_mode mode, int64_t in, int64_t k, int64_t stride, int64_t dil,
                   int32_t *pad0, int32_t *pad1);

/* The per-family tables (nodes/<family>.c). */
extern const node_impl node_conv2d_impl, node_pool2d_impl, node_global_pool_impl;
extern const node_impl node_view_impl, node_unary_impl, node_binary_impl, node_softmax_impl;
extern const node_impl node_batchnorm_impl, node_gemm_impl, node_matmul_impl;
extern const node_impl node_concat_impl, node_pad_impl, node_transpose_impl, node_reduce_impl;
extern const node_impl node_slice_impl;

#endif
