/*
 * ref_unpool.h — naive C references for MaxPool's Indices and MaxUnpool,
 * written from the ONNX definitions (and ONNX Runtime's choice among
 * equal maxima) without looking at the kernels.
 */
#ifndef CLINFER_REF_UNPOOL_H
#define CLINFER_REF_UNPOOL_H

#include "ops/pool2d.h"

/* out: [N, C, OH, OW] (ref_pool_out's extents): the flat index in the
 * input of the first element of each window, in row-then-column order,
 * that no later element exceeds; the plane's part row-major, or
 * column-major (w * H + h) when storage_order is 1. */
void ref_max_pool_indices(const pool2d_params *p, int storage_order, const float *in,
                          float *out);

/* x and idx: [n, c, h, w] (xs); out: [n, c, oh, ow], zeros but for
 * x[k] at the position idx[k] names in a tensor of [n, c, h0, w0] (the
 * default size), the top left of out; elements in order, so the last of
 * equal indices stays; indices outside [0, n * c * h0 * w0) skipped. */
void ref_max_unpool(const clinfer_shape *xs, const float *x, const float *idx, int64_t h0,
                    int64_t w0, int64_t oh, int64_t ow, float *out);

#endif
