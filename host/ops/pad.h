/*
 * pad.h — Pad (ONNX Pad, opsets 2-19 and later): constant, reflect, edge
 * and wrap modes, negative pads that crop, optional axes (opset 18), any
 * rank up to CLINFER_MAX_RANK. One launch of kernels/pad.cl.
 */
#ifndef CLINFER_OPS_PAD_H
#define CLINFER_OPS_PAD_H

#include "launch.h"

typedef enum pad_mode {
    PAD_MODE_CONSTANT = 0, /* added positions hold `value` */
    PAD_MODE_REFLECT = 1,  /* mirrored without repeating the border: 2 1 | 0 1 2 | 1 0 */
    PAD_MODE_EDGE = 2,     /* the border element repeated: 0 0 | 0 1 2 | 2 2 */
    PAD_MODE_WRAP = 3      /* periodic: 1 2 | 0 1 2 | 0 1 */
} pad_mode;

typedef struct pad_params {
    clinfer_shape input;
    /* ONNX order: the begin pads of every padded axis, then their end pads
     * ([x1_begin, x2_begin, ..., x1_end, x2_end, ...]). A negative pad
     * removes elements. npads must be 2 * naxes (2 * rank when naxes is 0). */
    int32_t npads;
    int64_t pads[2 * CLINFER_MAX_RANK];
    /* The axes the pads apply to (opset 18 `axes`, negative counts from the
     * end, no repeats); naxes 0 means every axis in order. */
    int32_t naxes;
    int64_t axes[CLINFER_MAX_RANK];
    pad_mode mode;
    float value; /* constant mode only */
} pad_params;

/* Constant mode, value 0, no axes, no pads. */
pad_params pad_params_default(void);

/* Parses an ONNX mode attribute ("constant", "reflect", "edge", "wrap");
 * returns 0 for any other string. */
int pad_mode_parse(const char *name, pad_mode *out);

/* Checks the parameters and computes the output shape. Negative pads crop
 * first; the mode then fills from the cropped input, as ONNX Runtime does.
 * Reflect and wrap repeat as often as the pads need (NumPy's behaviour),
 * so pads may exceed the input size. Errors: a pads length that is not
 * twice the axes, a bad or repeated axis, a crop larger than the dim, a
 * non-constant mode on an axis left empty, sizes past 2^31-1 elements. */
clinfer_status pad_output_shape(clinfer_runtime *rt, const pad_params *p, clinfer_shape *out);

/* Creates the launch (build option -DPAD_MODE=<mode>). An output with no
 * elements gives global[0] == 0: nothing to enqueue. */
clinfer_status pad_prepare(clinfer_runtime *rt, const pad_params *p, op_launch *out);

/* Buffers: launch_bind_io(input, output); input's buffer may be NULL when
 * the input has no elements. */

#endif
