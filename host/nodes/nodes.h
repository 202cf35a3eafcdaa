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
#include "../ops/conv2d.h"
#include "../ops/launch.h"

struct chain_layer; /* chain.h */

typedef struct node_ctx {
    clinfer_runtime *rt; /* NULL while the graph is being built */
    const clinfer_graph *g;
    const graph_node *node;
    const clinfer_shape *const *in; /* per input; NULL for an absent optional input */
    /* The node's plan: node_impl.plan_size zeroed bytes that infer fills
     * with the op's parameters and plan completes (algorithm, chunks,
     * memory); prepare and flops only read it. A session keeps one per node,
     * so nothing is computed twice. */
    void *plan;
    /* Device memory the executor gives prepare, as node_impl.plan asked
     * (NULL when none was asked for): */
    cl_mem scratch; /* shared by every node of the session: valid only while
                     * this node's launches run */
    cl_mem persist; /* this node's own for the session's lifetime (e.g.
                     * packed weights written once during prepare) */
    /* 1: persist already holds what prepare writes into it (another
     * session of the same model packed it: node_impl.shares_persist), so
     * prepare only binds it */
    int persist_ready;
    /* Per input, 1 where the executor placed the input inside this node's
     * output (a Concat's slice, see inplace.c), so there is nothing to
     * copy; NULL: none. */
    const unsigned char *in_place;
} node_ctx;

/* Device memory a node needs besides its inputs and output. */
typedef struct node_memory {
    uint64_t scratch_bytes;
    uint64_t persist_bytes;
    /* 1: what prepare writes into persist depends only on the model and
     * the plan (constant weights packed once), so sessions with the same
     * plan share one copy through the model (model_shared_persist_*), and
     * prepare skips the writing when c->persist_ready */
    int persist_shared;
} node_memory;

/* The kernel launches of one node, in order. */
typedef struct node_launches {
    op_launch *items;
    int32_t count;
    /* the launch whose kernel names the node in profiles and verify's
     * table, counted from the end: 0 the last (the usual computing one) */
    int32_t named_from_end;
} node_launches;

/* A session takes every node through three steps, in order: infer (all
 * nodes, in graph order), plan (kernel nodes: choose and size), prepare
 * (kernel nodes, once memory is placed: create and bind the launches). The
 * builder and the model's compile-time check call infer alone, with a
 * throw-away plan. */
typedef struct node_impl {
    size_t plan_size; /* bytes of the family's plan struct; 0: none */
    /* Checks the node against its input shapes, computes its output shape
     * and fills c->plan with the op's parameters. */
    clinfer_status (*infer)(const node_ctx *c, clinfer_shape *out);
    /* Chooses the algorithm and everything that depends on the device,
     * into c->plan, and says what memory it needs; NULL: nothing to choose,
     * no memory. */
    clinfer_status (*plan)(const node_ctx *c, node_memory *out);
    /* Creates and binds the launches over in_mem (per input, NULL when
     * absent) and out_mem. NULL for views, which launch nothing. */
    clinfer_status (*prepare)(const node_ctx *c, const dev_tensor *in_mem, dev_tensor out_mem,
                              node_launches *out);
    /* Floating-point operations of one run; NULL when not counted. */
    double (*flops)(const node_ctx *c, const clinfer_shape *out);
    /* Frees what infer allocated inside the plan; NULL: nothing. */
    void (*release)(void *plan);
    /* Describes the planned node as a layer of a chained run (chain.h)
     * and returns 1, or returns 0 where it cannot be one; NULL: never. */
    int (*chain)(const node_ctx *c, struct chain_layer *out);
} node_impl;

/* A constant input's host copy (its data), or NULL when input i is absent,
 * not a constant, or has none. */
const float *node_constant_data(const node_ctx *c, int32_t i);

const node_impl *node_impl_of(op_kind op);

/* The output shape of node n where every open batch dimension of the
 * graph's stored shapes is `batch` (used by the builder to check a node the
 * moment it is added). */
clinfer_status nodes_infer_with_batch(const clinfer_graph *g, const graph_node *n, int64_t batch,
                                      clinfer_shape *out);

/* Node inference over concrete shapes, one per value of the graph, into
 * `plan` (node_plan_alloc), or, when plan is NULL, into a plan thrown away
 * afterwards (the model's compile-time check). */
clinfer_status nodes_infer(clinfer_runtime *rt, const clinfer_graph *g, const graph_node *n,
                           const clinfer_shape *value_shapes, void *plan, clinfer_shape *out);

/* Allocates `count` zeroed launches; releases them all. */
clinfer_status node_launches_alloc(clinfer_runtime *rt, node_launches *l, int32_t count);
void node_launches_release(node_launches *l);

/* Allocates the zeroed plan of node n (NULL when its op has none) and frees
 * it with what infer put inside. */
clinfer_status node_plan_alloc(clinfer_runtime *rt, const graph_node *n, void **out);
void node_plan_free(const graph_node *n, void *plan);

/* Fails with a message naming the node. */
clinfer_status node_fail(const node_ctx *c, clinfer_status status, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

/* st, or, when it is an error, st with the message of the op's host side
 * prefixed by the node's name. */
clinfer_status node_wrap(const node_ctx *c, clinfer_status st);

/* Requires inputs 0..count-1 to be present. */
clinfer_status node_need_inputs(const node_ctx *c, int32_t count);

/* Requires input i to have the given rank. */
clinfer_status node_need_rank(const node_ctx *c, int32_t i, int32_t rank);

/* Requires every dimension of input i to fit an int32 (kernel arguments). */
clinfer_status node_need_int32_dims(const node_ctx *c, int32_t i);

/* A bias input's shape b: absent (NULL) or [n]. */
int node_bias_or_absent(const clinfer_shape *b, int64_t n);

/* Input i is a constant of the graph (weights). */
int node_input_is_constant(const node_ctx *c, int32_t i);

/* When input i is a constant: every element an integer in [-dim, dim),
 * dim the size of `data` along `axis` (valid; negative counts from the
 * end), else an error naming the node and the element. The indices of
 * Gather and GatherElements, which the device can only turn into NaN.
 * Defined in nodes/gather.c. */
clinfer_status node_check_constant_indices(const node_ctx *c, int32_t i,
                                           const clinfer_shape *data, int64_t axis);

/* Packs constant input i into the node's persist memory on the host:
 * `pack` turns the input's host copy into `count` floats, which are then
 * written to persist from offset 0 in the runtime's storage precision
 * (a blocking write on the runtime's queue, so before any run). For
 * layouts the host can write as fast as a kernel: a kernel costs a cold
 * start its program's build and code generation. */
typedef clinfer_status (*node_host_pack)(const node_ctx *c, const float *src, float *dst);
clinfer_status node_pack_on_host(const node_ctx *c, int32_t i, size_t count,
                                 node_host_pack pack);

/* Fills the node's persist memory once from constant input i (packed
 * weights): on the host (node_pack_on_host, `count` elements) when `pack`
 * is not NULL and the constant has a host copy, else by the node's
 * preparation launches 0 .. prep_count - 1, made by `prep` and enqueued
 * now. */
typedef clinfer_status (*node_prep_launch)(const node_ctx *c, int32_t k, dev_tensor w,
                                           op_launch *out);
clinfer_status node_pack_constant(const node_ctx *c, int32_t i, dev_tensor w, size_t count,
                                  node_host_pack pack, int32_t prep_count,
                                  node_prep_launch prep);

/* Enqueues l on the runtime's queue now (one-time work while a session
 * is prepared, e.g. packing constant weights), then releases it: the
 * enqueued command keeps the kernel alive. */
clinfer_status node_enqueue_once(const node_ctx *c, op_launch *l);

/* Convolutions' inputs: X (input 0) and W (input 1) of rank 4 with every
 * dimension within int32. */
clinfer_status node_need_image_and_filter(const node_ctx *c);

/* Padding for CLINFER_PAD_SAME_* / VALID along one axis (ONNX auto_pad). */
void node_auto_pad(clinfer_pad_mode mode, int64_t in, int64_t k, int64_t stride, int64_t dil,
                   int32_t *pad0, int32_t *pad1);

/* The pads of a 2-D window over an input of h x w: `given` (top, left,
 * bottom, right) when mode is CLINFER_PAD_EXPLICIT, else ONNX auto_pad's
 * for the window {kh, kw, stride_h, stride_w, dil_h, dil_w}. */
void node_window_pads(clinfer_pad_mode mode, const int32_t given[4], int64_t h, int64_t w,
                      const int32_t window[6], int32_t *top, int32_t *left, int32_t *bottom,
                      int32_t *right);

/* The parameters of pooling d over an [n, c, h, w] input, its pads from
 * d (pool nodes, and a max pool fused into a conv node). */
pool2d_params node_pool2d_params(const clinfer_pool2d_desc *d, int32_t n, int32_t c, int32_t h,
                                 int32_t w);

/* The parameters of a fused node's depthwise layer (dwpw, exdw): attrs d
 * over c channels of an [n, c, h, w] input, weights wd [c, 1, KH, KW],
 * its bias when has_bias, its activation and pads from d. */
conv2d_params node_depthwise_params(const clinfer_conv2d_desc *d, const int64_t x_dims[4],
                                    int64_t c, const clinfer_shape *wd, int has_bias);

/* Defines the node_impl `impl` of an op computed by one launch, whose plan
 * is just its parameters (params_t):
 *   inputs                         how many inputs must be present
 *   params_fn(c, &p)               the parameters from the node and its shapes
 *   shape_fn(rt, &p, &out)         ops/: checks them, writes the output shape
 *   launch_fn(c, &launch, in, out) creates the kernel and binds its buffers
 * The family file writes the node-side functions; this writes the steps
 * between them, which every such op shares. */
#define NODE_ONE_LAUNCH(impl, params_t, inputs, params_fn, shape_fn, launch_fn)        \
    NODE_ONE_LAUNCH_CHAIN(impl, params_t, inputs, params_fn, shape_fn, launch_fn, NULL)
/* The same for an op that can be a chained layer (node_impl.chain). */
#define NODE_ONE_LAUNCH_CHAIN(impl, params_t, inputs, params_fn, shape_fn, launch_fn,     \
                              chain_fn)                                                 \
    static clinfer_status impl##_infer(const node_ctx *c, clinfer_shape *out)           \
    {                                                                                   \
        params_t *p = c->plan;                                                          \
        clinfer_status st = node_need_inputs(c, inputs);                                \
        if (st == CLINFER_OK)                                                           \
            st = params_fn(c, p);                                                       \
        return st == CLINFER_OK ? node_wrap(c, shape_fn(c->rt, p, out)) : st;           \
    }                                                                                   \
    static clinfer_status impl##_prepare(const node_ctx *c, const dev_tensor *in,       \
                                         dev_tensor out, node_launches *l)              \
    {                                                                                   \
        clinfer_status st = node_launches_alloc(c->rt, l, 1);                           \
        return st == CLINFER_OK ? launch_fn(c, &l->items[0], in, out) : st;             \
    }                                                                                   \
    const node_impl impl = {sizeof(params_t), impl##_infer, NULL, impl##_prepare, NULL, NULL, \
                            chain_fn}

/* NODE_ONE_LAUNCH for the common case of one input: the launch is the op's
 * prepare_fn(rt, &p, &launch) then bind_fn(rt, &launch, in[0], out). */
#define NODE_ONE_INPUT_LAUNCH(impl, params_t, params_fn, shape_fn, prepare_fn, bind_fn)   \
    NODE_ONE_INPUT_LAUNCH_CHAIN(impl, params_t, params_fn, shape_fn, prepare_fn, bind_fn, NULL)
#define NODE_ONE_INPUT_LAUNCH_CHAIN(impl, params_t, params_fn, shape_fn, prepare_fn, bind_fn, \
                                    chain_fn)                                           \
    static clinfer_status impl##_launch(const node_ctx *c, op_launch *l, const dev_tensor *in, \
                                        dev_tensor out)                                 \
    {                                                                                   \
        clinfer_status st = prepare_fn(c->rt, c->plan, l);                              \
        return st == CLINFER_OK ? bind_fn(c->rt, l, in[0], out) : st;                   \
    }                                                                                   \
    NODE_ONE_LAUNCH_CHAIN(impl, params_t, 1, params_fn, shape_fn, impl##_launch, chain_fn)

/* The node implementations that op_list.h names, one per op (views share
 * one), each defined in its family's file nodes/<family>.c. */
#define NODE_IMPL_DECLARE(kind, name, impl, view) extern const node_impl impl;
CLINFER_OP_LIST(NODE_IMPL_DECLARE)

#endif
