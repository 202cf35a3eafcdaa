/*
 * ref_softmax.h — naive C reference for Softmax / LogSoftmax from the ONNX
 * definitions, in double precision.
 */
#ifndef CLINFER_REF_SOFTMAX_H
#define CLINFER_REF_SOFTMAX_H

#include "clinfer.h"

/* in/out have shape s. legacy == 0 (opset 13): normalise along `axis`;
 * legacy != 0 (opset < 13): coerce to 2-D at `axis` and normalise each row.
 * axis may be negative. log != 0: LogSoftmax. */
void ref_softmax(const clinfer_shape *s, int64_t axis, int legacy, int log, const float *in,
                 float *out);

#endif
