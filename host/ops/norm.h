/*
 * norm.h — the normalisations of modern CNNs (ONNX InstanceNormalization,
 * LayerNormalization, GroupNormalization, MeanVarianceNormalization):
 * parameter checks, output shape, and the launch of kernels/norm.cl.
 *
 * Every one of them is the same computation over a different view of the
 * input. The input is seen as [A, R, B] (row-major); row r (one of R) is
 * the A * B elements x[a, r, b], normalised together:
 *   y = (x - mean) / sqrt(var + epsilon) * scale + bias
 *   (MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9), as ONNX's
 *   function body has it, no scale or bias)
 * with mean and var (population variance) over the row.
 *   InstanceNorm [N, C, S...]: A 1, R N*C, B prod(S); scale[r % C]
 *   LayerNorm, axis k:         A 1, R prod(dims[:k]), B prod(dims[k:]);
 *                              scale[b] (one per normalised element)
 *   GroupNorm, G groups:       A 1, R N*G, B (C/G)*prod(S); scale per
 *                              channel (C values: scale[(r % G) * C/G +
 *                              b / prod(S)]) or per group (G values)
 *   MVN, axes:                 the kept axes must be one contiguous run
 *                              (default [0, 2, 3] of NCHW: A N, R C, B H*W)
 * The output has the input's shape. One launch: prepare, bind, enqueue.
 */
#ifndef CLINFER_OPS_NORM_H
#define CLINFER_OPS_NORM_H

#include "../shape.h"
#include "launch.h"

typedef enum norm_kind { NORM_INSTANCE, NORM_LAYER, NORM_GROUP, NORM_MVN } norm_kind;

/* ONNX MeanVarianceNormalization's epsilon, added to the standard deviation. */
#define NORM_MVN_EPSILON 1e-9f

typedef struct norm_params {
    norm_kind kind;
    clinfer_shape shape;        /* X; the output has the same shape */
    clinfer_shape scale, bias;  /* rank -1: absent (1 and 0) */
    float epsilon;              /* >= 0, finite; ONNX default 1e-5 */
    int64_t axis;               /* LayerNorm: in [-rank, rank - 1], default -1 */
    int64_t groups;             /* GroupNorm: divides C */
    uint32_t axes;              /* MVN: bit d set when dim d is normalised over */
    int variant;                /* norm_variant; NORM_AUTO by default */
} norm_params;

/* The kernel: norm_rows (a work-group per row, GPUs) or norm_items (a
 * work-item per block of rows, CPUs); AUTO picks by the device's type. */
typedef enum norm_variant { NORM_AUTO, NORM_WORKGROUP, NORM_ITEMS } norm_variant;

/* kind with the ONNX defaults (epsilon 1e-5, axis -1, MVN axes [0, 2, 3]),
 * no scale or bias; the shape must be set. */
norm_params norm_params_default(norm_kind kind);

/* The ONNX name of the op ("LayerNormalization"), for messages. */
const char *norm_name(norm_kind kind);

/* The [A, R, B] view and how scale and bias are indexed. */
typedef struct norm_geometry {
    int64_t a, r, b;
    int per_element; /* scale[b]: LayerNorm */
    int64_t rmod;    /* otherwise scale[(r % rmod) * segs + b / (b_len / segs)] */
    int64_t segs;    /* segments of a row with a scale of their own */
} norm_geometry;

/* Checks the parameters (messages name the op, the attribute or input and
 * the value) and writes the view. */
clinfer_status norm_geometry_of(clinfer_runtime *rt, const norm_params *p, norm_geometry *out);

/* Checks the parameters and writes the output shape (X's). */
clinfer_status norm_output_shape(clinfer_runtime *rt, const norm_params *p, clinfer_shape *out);

/* Creates the kernel and sets its scalar arguments: one work-group of
 * LAUNCH_LOCAL_1D items per row (norm_rows), or work-items of local size
 * 1 each taking a block of rows (norm_items). */
clinfer_status norm_prepare(clinfer_runtime *rt, const norm_params *p, op_launch *out);

/* Sets the buffers; scale and bias have mem NULL when absent. Input and
 * output may be the same tensor (every row is read before it is written). */
clinfer_status norm_bind(clinfer_runtime *rt, op_launch *l, dev_tensor input, dev_tensor scale,
                         dev_tensor bias, dev_tensor output);

#endif
