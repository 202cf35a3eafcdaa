/*
 * eager.h — run one op from host arrays to host arrays (upload, launch,
 * read back). For the demo and the op tests; the graph executor keeps
 * tensors on the device instead.
 */
#ifndef CLINFER_OPS_EAGER_H
#define CLINFER_OPS_EAGER_H

#include "conv2d.h"
#include "pool2d.h"

/* out must hold N * OC * OH * OW floats; bias is read only if p->has_bias. */
clinfer_status conv2d_run_host(clinfer_runtime *rt, const conv2d_params *p, const float *input,
                               const float *weight, const float *bias, float *out);

/* Max pooling (any pool2d_params, ceil mode included); out must hold
 * N * C * OH * OW floats. */
clinfer_status maxpool2d_run_host(clinfer_runtime *rt, const pool2d_params *p,
                                  const float *input, float *out);

#endif
