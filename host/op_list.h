/*
 * op_list.h — the one list of graph operations. Each line generates the
 * op_kind enum value (graph.h), the short name (op_kind_name), the node
 * implementation in the node table (nodes/nodes.c) and whether the op is a
 * view (costs no kernel and shares its input's memory).
 *
 * Adding an op: one line here, its node adapter (nodes/<family>.c, which
 * defines the node_impl named here), its host side (ops/<family>.c), its
 * kernels (kernels/<family>.cl), its test (tests/test_<family>.c) and the
 * ONNX rows that build it (onnx/ops.c). A line whose node_impl nobody
 * defines fails at link time, not at run time.
 *
 * X(KIND, "name", node_impl, is_view)
 */
#ifndef CLINFER_OP_LIST_H
#define CLINFER_OP_LIST_H

#define CLINFER_OP_LIST(X)                                    \
    X(CONV2D, "conv2d", node_conv2d_impl, 0)                  \
    X(POOL2D, "pool2d", node_pool2d_impl, 0)                  \
    X(GLOBAL_POOL, "global_pool", node_global_pool_impl, 0)   \
    X(GEMM, "gemm", node_gemm_impl, 0)                        \
    X(MATMUL, "matmul", node_matmul_impl, 0)                  \
    X(UNARY, "unary", node_unary_impl, 0)                     \
    X(BINARY, "binary", node_binary_impl, 0)                  \
    X(SOFTMAX, "softmax", node_softmax_impl, 0)               \
    X(CONCAT, "concat", node_concat_impl, 0)                  \
    X(BATCHNORM, "batchnorm", node_batchnorm_impl, 0)         \
    X(PAD, "pad", node_pad_impl, 0)                           \
    X(TRANSPOSE, "transpose", node_transpose_impl, 0)         \
    X(REDUCE, "reduce", node_reduce_impl, 0)                  \
    X(SLICE, "slice", node_slice_impl, 0)                     \
    X(EXPAND, "expand", node_expand_impl, 0)                  \
    X(TILE, "tile", node_tile_impl, 0)                        \
    X(FLATTEN, "flatten", node_view_impl, 1)                  \
    X(RESHAPE, "reshape", node_view_impl, 1)                  \
    X(IDENTITY, "identity", node_view_impl, 1)                \
    X(RESIZE, "resize", node_resize_impl, 0)                  \
    X(DEPTH_SPACE, "depth_space", node_depth_space_impl, 0)   \
    X(INSTANCENORM, "instancenorm", node_norm_impl, 0)        \
    X(LAYERNORM, "layernorm", node_norm_impl, 0)              \
    X(GROUPNORM, "groupnorm", node_norm_impl, 0)              \
    X(MVN, "mvn", node_norm_impl, 0)                          \
    X(CONV_TRANSPOSE, "conv_transpose", node_conv_transpose_impl, 0) \
    X(ARG_REDUCE, "arg_reduce", node_arg_reduce_impl, 0)      \
    X(WHERE, "where", node_where_impl, 0)                      \
    X(GATHER_ELEMENTS, "gather_elements", node_gather_elements_impl, 0) \
    X(GATHER, "gather", node_gather_impl, 0)                  \
    X(COMPARE, "compare", node_compare_impl, 0)                \
    X(SQUEEZE_EXCITE, "squeeze_excite", node_excite_impl, 0) \
    X(DWPW, "dwpw", node_dwpw_impl, 0)                        \
    X(EXDW, "exdw", node_exdw_impl, 0)                        \
    X(GRID_SAMPLE, "grid_sample", node_grid_sample_impl, 0)   \
    X(RNN, "rnn", node_rnn_impl, 0)                           \
    X(CUMSUM, "cumsum", node_cumsum_impl, 0)                  \
    X(POOL_INDICES, "pool_indices", node_pool_indices_impl, 0) \
    X(MAX_UNPOOL, "max_unpool", node_max_unpool_impl, 0)     \
    X(TOPK, "topk", node_topk_impl, 0)

/* The number of lines above, checked against the generated tables. */
#define CLINFER_OP_COUNT 40

#endif
