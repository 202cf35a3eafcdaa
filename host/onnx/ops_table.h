/*
 * ops_table.h — the ONNX operators the importer knows, one row each:
 *   KERNEL(op_type, translator, folder, constant inputs, attributes)
 *     an op that runs on the device: translator(c) (ops_conv_pool.c,
 *     ops_math.c, ops_shape.c, ops_tensor.c, ...) turns the node into builder
 *     calls; folder (fold.c, or NULL) evaluates it on the host when every
 *     input is known at load time;
 *   FOLD_ONLY(op_type, folder, constant inputs, attributes)
 *     shapes and constants, evaluated at load time only.
 * Constant inputs: a bit mask (IN(k)) of the inputs that must be known at
 * load time. Attributes: the names the op understands, space-separated;
 * any other is an error naming it.
 *
 * The table generates both the lookup table (ops.c) and the translators'
 * declarations (ops_internal.h), so a row naming a translator nobody
 * defines fails at link time. Adding an ONNX op: one row here and its
 * translator.
 */
#ifndef CLINFER_ONNX_OPS_TABLE_H
#define CLINFER_ONNX_OPS_TABLE_H

#define WINDOW "auto_pad kernel_shape pads strides dilations"
#define OLD_ELTWISE "consumed_inputs"
#define BROADCAST "broadcast axis consumed_inputs"
#define RECURRENT                                                                                  \
    "activation_alpha activation_beta activations clip direction hidden_size layout"

/* Input bit masks of the inputs that must be known at load time. */
#define IN(k) (1u << (k))

#define ONNX_OP_TABLE(KERNEL, FOLD_ONLY)                                                           \
    KERNEL("If", op_if, NULL, IN(0), "then_branch else_branch")                                    \
    KERNEL("Conv", op_conv, NULL, IN(1) | IN(2), WINDOW " group")                                  \
    KERNEL("MaxPool", op_maxpool, NULL, 0, WINDOW " ceil_mode storage_order")                      \
    KERNEL("MaxUnpool", op_max_unpool, NULL, IN(2), "kernel_shape pads strides")                   \
    KERNEL("AveragePool", op_avgpool, NULL, 0, WINDOW " ceil_mode count_include_pad")              \
    KERNEL("GlobalAveragePool", op_global_avg, NULL, 0, "")                                        \
    KERNEL("GlobalMaxPool", op_global_max, NULL, 0, "")                                            \
    KERNEL("Gemm", op_gemm, NULL, 0, "alpha beta transA transB broadcast")                         \
    KERNEL("MatMul", op_matmul, NULL, 0, "")                                                       \
    KERNEL("Relu", op_relu, NULL, 0, OLD_ELTWISE)                                                  \
    KERNEL("LeakyRelu", op_leaky_relu, NULL, 0, "alpha " OLD_ELTWISE)                              \
    KERNEL("Clip", op_clip, NULL, IN(1) | IN(2), "min max " OLD_ELTWISE)                           \
    KERNEL("Sigmoid", op_sigmoid, NULL, 0, OLD_ELTWISE)                                            \
    KERNEL("Tanh", op_tanh, NULL, 0, OLD_ELTWISE)                                                  \
    KERNEL("HardSigmoid", op_hard_sigmoid, NULL, 0, "alpha beta " OLD_ELTWISE)                     \
    KERNEL("HardSwish", op_hard_swish, NULL, 0, "")                                                \
    KERNEL("Gelu", op_gelu, NULL, 0, "approximate")                                                \
    KERNEL("Elu", op_elu, NULL, 0, "alpha " OLD_ELTWISE)                                           \
    KERNEL("Selu", op_selu, NULL, 0, "alpha gamma " OLD_ELTWISE)                                   \
    KERNEL("Celu", op_celu, NULL, 0, "alpha")                                                      \
    KERNEL("Softplus", op_softplus, NULL, 0, "")                                                   \
    KERNEL("Softsign", op_softsign, NULL, 0, "")                                                   \
    KERNEL("Mish", op_mish, NULL, 0, "")                                                           \
    KERNEL("ThresholdedRelu", op_thresholded_relu, NULL, 0, "alpha")                               \
    KERNEL("PRelu", op_prelu, NULL, 0, OLD_ELTWISE)                                                \
    KERNEL("Erf", op_erf, NULL, 0, "")                                                             \
    KERNEL("Floor", op_floor, fold_unary, 0, "")                                                   \
    KERNEL("Ceil", op_ceil, fold_unary, 0, "")                                                     \
    KERNEL("Round", op_round, fold_unary, 0, "")                                                   \
    KERNEL("Sign", op_sign, fold_unary, 0, "")                                                     \
    KERNEL("Sin", op_sin, NULL, 0, "")                                                             \
    KERNEL("Cos", op_cos, NULL, 0, "")                                                             \
    KERNEL("Tan", op_tan, NULL, 0, "")                                                             \
    KERNEL("Asin", op_asin, NULL, 0, "")                                                           \
    KERNEL("Acos", op_acos, NULL, 0, "")                                                           \
    KERNEL("Atan", op_atan, NULL, 0, "")                                                           \
    KERNEL("Sinh", op_sinh, NULL, 0, "")                                                           \
    KERNEL("Cosh", op_cosh, NULL, 0, "")                                                           \
    KERNEL("Asinh", op_asinh, NULL, 0, "")                                                         \
    KERNEL("Acosh", op_acosh, NULL, 0, "")                                                         \
    KERNEL("Atanh", op_atanh, NULL, 0, "")                                                         \
    KERNEL("Exp", op_exp, NULL, 0, OLD_ELTWISE)                                                    \
    KERNEL("Log", op_log, NULL, 0, OLD_ELTWISE)                                                    \
    KERNEL("Sqrt", op_sqrt, NULL, 0, OLD_ELTWISE)                                                  \
    KERNEL("Neg", op_neg, fold_unary, 0, OLD_ELTWISE)                                              \
    KERNEL("Abs", op_abs, NULL, 0, OLD_ELTWISE)                                                    \
    KERNEL("Reciprocal", op_reciprocal, NULL, 0, OLD_ELTWISE)                                      \
    KERNEL("CumSum", op_cumsum, NULL, IN(1), "exclusive reverse")                                  \
    KERNEL("Softmax", op_softmax, NULL, 0, "axis")                                                 \
    KERNEL("LogSoftmax", op_log_softmax, NULL, 0, "axis")                                          \
    KERNEL("Add", op_add, fold_binary, 0, BROADCAST)                                               \
    KERNEL("Sub", op_sub, fold_binary, 0, BROADCAST)                                               \
    KERNEL("Mul", op_mul, fold_binary, 0, BROADCAST)                                               \
    KERNEL("Div", op_div, fold_binary, 0, BROADCAST)                                               \
    KERNEL("Pow", op_pow, NULL, 0, BROADCAST)                                                      \
    KERNEL("Sum", op_sum, NULL, 0, OLD_ELTWISE)                                                    \
    KERNEL("Mean", op_mean, NULL, 0, OLD_ELTWISE)                                                  \
    KERNEL("Max", op_max, NULL, 0, OLD_ELTWISE)                                                    \
    KERNEL("Min", op_min, NULL, 0, OLD_ELTWISE)                                                    \
    KERNEL("Concat", op_concat, fold_concat, 0, "axis")                                            \
    KERNEL("BatchNormalization", op_batchnorm, NULL, IN(1) | IN(2) | IN(3) | IN(4),                \
           "epsilon momentum spatial training_mode is_test consumed_inputs")                       \
    KERNEL("Pad", op_pad, NULL, IN(1) | IN(2) | IN(3), "mode pads paddings value")                 \
    KERNEL("Transpose", op_transpose, fold_transpose, 0, "perm")                                   \
    KERNEL("Flatten", op_flatten, fold_flatten, 0, "axis")                                         \
    KERNEL("Reshape", op_reshape, fold_reshape, IN(1), "shape allowzero consumed_inputs")          \
    KERNEL("Identity", op_identity, fold_identity, 0, "")                                          \
    KERNEL("Dropout", op_dropout, NULL, IN(1) | IN(2), "ratio seed is_test consumed_inputs")       \
    KERNEL("LpNormalization", op_lp_normalization, NULL, 0, "axis p")                              \
    KERNEL("LRN", op_lrn, NULL, 0, "alpha beta bias size")                                         \
    KERNEL("ReduceMean", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")             \
    KERNEL("ReduceMax", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")              \
    KERNEL("ReduceMin", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")              \
    KERNEL("ReduceSum", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")              \
    KERNEL("ReduceProd", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")             \
    KERNEL("ReduceSumSquare", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")        \
    KERNEL("ReduceL1", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")               \
    KERNEL("ReduceL2", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")               \
    KERNEL("ReduceLogSum", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")           \
    KERNEL("ReduceLogSumExp", op_reduce, NULL, IN(1), "axes keepdims noop_with_empty_axes")        \
    KERNEL("ArgMax", op_arg_reduce, NULL, 0, "axis keepdims select_last_index")                    \
    KERNEL("Hardmax", op_hardmax, NULL, 0, "axis")                                                 \
    KERNEL("TopK", op_topk, NULL, IN(1), "axis k largest sorted")                                  \
    KERNEL("ArgMin", op_arg_reduce, NULL, 0, "axis keepdims select_last_index")                    \
    KERNEL("Squeeze", op_squeeze, fold_squeeze, IN(1), "axes")                                     \
    KERNEL("Unsqueeze", op_unsqueeze, fold_unsqueeze, IN(1), "axes")                               \
    KERNEL("Slice", op_slice, fold_slice, IN(1) | IN(2) | IN(3) | IN(4), "starts ends axes")       \
    KERNEL("Cast", op_cast, fold_cast, 0, "to saturate")                                           \
    KERNEL("Expand", op_expand, fold_expand, IN(1), "")                                            \
    KERNEL("Tile", op_tile, NULL, IN(1), "")                                                       \
    KERNEL("Split", op_split, NULL, IN(1), "axis split num_outputs")                               \
    KERNEL("Gather", op_gather, fold_gather, 0, "axis")                                            \
    KERNEL("Where", op_where, fold_where, 0, "")                                                   \
    KERNEL("GatherElements", op_gather_elements, NULL, 0, "axis")                                  \
    KERNEL("Trilu", op_trilu, NULL, IN(1), "upper")                                                \
    KERNEL("Equal", op_compare, fold_compare, 0, "")                                               \
    KERNEL("Less", op_compare, fold_compare, 0, "")                                                \
    KERNEL("Greater", op_compare, fold_compare, 0, "")                                             \
    KERNEL("LessOrEqual", op_compare, fold_compare, 0, "")                                         \
    KERNEL("GreaterOrEqual", op_compare, fold_compare, 0, "")                                      \
    KERNEL("And", op_compare, fold_logic, 0, "")                                                   \
    KERNEL("Or", op_compare, fold_logic, 0, "")                                                    \
    KERNEL("Xor", op_compare, fold_logic, 0, "")                                                   \
    KERNEL("Not", op_not, fold_not, 0, "")                                                         \
    KERNEL("Einsum", op_einsum, NULL, 0, "equation")                                               \
    KERNEL("Resize", op_resize, NULL, IN(1) | IN(2) | IN(3),                                       \
           "mode coordinate_transformation_mode cubic_coeff_a exclude_outside "                    \
           "extrapolation_value nearest_mode antialias axes keep_aspect_ratio_policy")             \
    KERNEL("Upsample", op_upsample, NULL, IN(1), "mode scales height_scale width_scale")           \
    KERNEL("GridSample", op_grid_sample, NULL, 0, "mode padding_mode align_corners")               \
    KERNEL("QuantizeLinear", op_quantize_linear, fold_quantize_linear, IN(1) | IN(2),          \
           "axis saturate block_size output_dtype")                                                 \
    KERNEL("DequantizeLinear", op_dequantize_linear, fold_dequantize_linear, IN(1) | IN(2),    \
           "axis block_size")                                                                       \
    KERNEL("RNN", op_rnn, NULL, IN(1) | IN(3) | IN(4), RECURRENT)                                  \
    KERNEL("GRU", op_gru, NULL, IN(1) | IN(3) | IN(4), RECURRENT " linear_before_reset")           \
    KERNEL("LSTM", op_lstm, NULL, IN(1) | IN(3) | IN(4), RECURRENT " input_forget")                \
    KERNEL("DepthToSpace", op_depth_to_space, NULL, 0, "blocksize mode")                           \
    KERNEL("SpaceToDepth", op_space_to_depth, NULL, 0, "blocksize")                                \
    KERNEL("InstanceNormalization", op_instancenorm, NULL, 0, "epsilon")                          \
    KERNEL("LayerNormalization", op_layernorm, NULL, 0, "axis epsilon stash_type")                \
    KERNEL("GroupNormalization", op_groupnorm, NULL, 0, "num_groups epsilon stash_type")          \
    KERNEL("MeanVarianceNormalization", op_mvn, NULL, 0, "axes")                                  \
    KERNEL("ConvTranspose", op_conv_transpose, NULL, IN(1) | IN(2),                                \
           WINDOW " group output_padding output_shape")                                            \
    FOLD_ONLY("Constant", fold_constant, 0,                                                        \
              "value value_float value_floats value_int value_ints sparse_value value_string "     \
              "value_strings")                                                                     \
    FOLD_ONLY("Shape", fold_shape, 0, "start end")                                                 \
    FOLD_ONLY("Size", fold_size, 0, "")                                                            \
    FOLD_ONLY("ConstantOfShape", fold_constant_of_shape, IN(0), "value")                           \
    FOLD_ONLY("Range", fold_range, IN(0) | IN(1) | IN(2), "")                                     \
    FOLD_ONLY("Mod", fold_mod, 0, "fmod")                                                          \
    FOLD_ONLY("ScatterND", fold_scatter_nd, IN(0) | IN(1) | IN(2), "reduction")

#endif
