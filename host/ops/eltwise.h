/*
 * eltwise.h — element-wise ops (ONNX semantics): unary math and activations,
 * and binary arithmetic with NumPy/ONNX multidirectional broadcasting and an
 * optional fused activation. Parameter checks, output shape, and the device
 * launch of kernels/eltwise.cl.
 *
 * Both ops are one launch each: <op>_prepare, then the buffers (unary:
 * launch_bind_io; binary: binary_bind), then launch_enqueue. Tensors are
 * contiguous, row-major, fp32, each at its dev_tensor's offset (launch.h).
 * Empty tensors (a dimension of 0) are allowed: the launch writes nothing.
 */
#ifndef CLINFER_OPS_ELTWISE_H
#define CLINFER_OPS_ELTWISE_H

#include "../shape.h"
#include "activation.h"
#include "launch.h"

/* ------------------------------------------------------------------ unary */

/* Unary ops beyond the activations. UNARY_ACT applies `act` (ONNX Relu,
 * LeakyRelu(alpha = act.a), Clip(min = act.a, max = act.b), Sigmoid, Tanh,
 * ... : CLINFER_ACTIVATION_TABLE; ACT_KIND_NONE copies, i.e. Identity). The
 * others ignore `act` but for the (de)quantizations, whose scale and zero
 * point are act.a and act.b. */
typedef enum unary_kind {
    UNARY_ACT = 0,
    UNARY_EXP = 1,
    UNARY_LOG = 2,
    UNARY_SQRT = 3,
    UNARY_NEG = 4,
    UNARY_ABS = 5,
    UNARY_RECIPROCAL = 6,
    UNARY_ERF = 7,
    UNARY_FLOOR = 8,
    UNARY_CEIL = 9,
    UNARY_ROUND = 10, /* halves to even */
    UNARY_SIGN = 11,  /* NaN stays NaN */
    UNARY_SIN = 12,
    UNARY_COS = 13,
    UNARY_TAN = 14,
    UNARY_ASIN = 15,
    UNARY_ACOS = 16,
    UNARY_ATAN = 17,
    UNARY_SINH = 18,
    UNARY_COSH = 19,
    UNARY_ASINH = 20,
    UNARY_ACOSH = 21,
    UNARY_ATANH = 22,
    UNARY_QUANTIZE_U8 = 23, /* act.a the scale, act.b the zero point */
    UNARY_QUANTIZE_S8 = 24,
    UNARY_DEQUANTIZE = 25,
    UNARY_LAST = UNARY_DEQUANTIZE
} unary_kind;

typedef struct unary_params {
    clinfer_shape shape; /* input shape = output shape, any rank 0..8 */
    unary_kind kind;
    act_params act; /* the op when kind == UNARY_ACT */
} unary_params;

/* A unary_params of kind UNARY_ACT with ACT_KIND_NONE and a rank-0 shape. */
unary_params unary_params_default(void);

/* A printable ONNX name of the op ("Exp", "Relu", ...). */
const char *unary_name(const unary_params *p);

/* Checks the parameters and writes the output shape (the input shape). */
clinfer_status unary_output_shape(clinfer_runtime *rt, const unary_params *p,
                                  clinfer_shape *out);

/* Creates the kernel (one program per kind, and per activation for UNARY_ACT)
 * and sets its scalar arguments. */
clinfer_status unary_prepare(clinfer_runtime *rt, const unary_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output), each numel(shape) floats; they
 * may be the same tensor (in place). */

/* ----------------------------------------------------------------- binary */

typedef enum binary_op {
    BINARY_ADD = 0,
    BINARY_SUB = 1,
    BINARY_MUL = 2,
    BINARY_DIV = 3,
    BINARY_POW = 4, /* C pow(): a negative base needs an integral exponent */
    BINARY_MAX = 5, /* NaN if either operand is NaN */
    BINARY_MIN = 6,
    BINARY_PRELU = 7, /* a < 0 ? a * b : a, b the slope (ONNX PRelu) */
    BINARY_LAST = BINARY_PRELU
} binary_op;

/* How the operands are read. BINARY_AUTO picks the fastest that applies;
 * the others force a variant (for tests and benchmarks) and fail with
 * CLINFER_ERR_INVALID_ARGUMENT if the shapes do not fit it. Every variant
 * gives bit-identical results on the shapes it accepts.
 *   SAME       a and b have the same number of elements as the output
 *   SCALAR_A/B a (b) has one element
 *   CHANNEL_A/B a (b) varies along one block of consecutive output dims and
 *              is broadcast along the others, the other operand is full:
 *              [C,1,1] or [1,C,1,1] against [N,C,H,W], [H,W] or [W] against
 *              [N,C,H,W], [N,1,1,1] against [N,C,H,W]
 *   GENERAL    any broadcast, up to CLINFER_MAX_RANK dims, both sides */
typedef enum binary_variant {
    BINARY_AUTO = 0,
    BINARY_SAME = 1,
    BINARY_SCALAR_A = 2,
    BINARY_SCALAR_B = 3,
    BINARY_CHANNEL_A = 4,
    BINARY_CHANNEL_B = 5,
    BINARY_GENERAL = 6
} binary_variant;

typedef struct binary_params {
    binary_op op;
    clinfer_shape a, b; /* operand shapes, ranks 0..8 */
    act_params act;     /* fused activation on the result */
    binary_variant variant;
} binary_params;

/* A binary_params for Add of two rank-0 shapes, no activation, AUTO. */
binary_params binary_params_default(void);

/* The ONNX name of the op ("Add", ...). */
const char *binary_op_name(binary_op op);

/* Checks the parameters and writes the broadcast output shape; incompatible
 * shapes give CLINFER_ERR_SHAPE naming both shapes and the dim. */
clinfer_status binary_output_shape(clinfer_runtime *rt, const binary_params *p,
                                   clinfer_shape *out);

/* The variant that BINARY_AUTO resolves to for p (p->variant is ignored);
 * CLINFER_ERR_* if the shapes are invalid. */
clinfer_status binary_choose_variant(clinfer_runtime *rt, const binary_params *p,
                                     binary_variant *out);

/* Creates the kernel for p (programs: one per op, variant and activation)
 * and sets its scalar arguments. */
clinfer_status binary_prepare(clinfer_runtime *rt, const binary_params *p, op_launch *out);

/* Sets the buffers: a and b hold numel(p->a) and numel(p->b) floats, output
 * numel(output shape). The output may alias an operand of the output's
 * shape (in place), but not a broadcast one. */
clinfer_status binary_bind(clinfer_runtime *rt, op_launch *l,
                           dev_tensor a, dev_tensor b, dev_tensor output);

/* -------------------------------------------------------------- shared */

/* Sets a 64-bit OpenCL `long` kernel argument (launch.h has only 32-bit
 * karg_int); used by the eltwise, softmax and batchnorm families. */

/* Checks that `s` (the tensor `what` of op `op`, for messages) has a rank in
 * 0..CLINFER_MAX_RANK, no negative dim and fewer than 2^62 elements; writes
 * the element count to *numel. CLINFER_ERR_SHAPE otherwise. */
clinfer_status eltwise_check_shape(clinfer_runtime *rt, const char *op, const char *what,
                                   const clinfer_shape *s, int64_t *numel);

/* Sets a 1-D launch of ceil(n / vw) items (at least one, so that an empty
 * tensor still makes a valid launch whose items all return). */
void eltwise_grid(op_launch *l, int64_t n, int64_t vw);

#endif
