/*
 * ref_rnn.h — a naive reference for ONNX's RNN, GRU and LSTM (layout 0),
 * written from the operators' equations in ONNX's documentation, in
 * double precision.
 */
#ifndef CLINFER_REF_RNN_H
#define CLINFER_REF_RNN_H

#include "clinfer.h"

typedef struct ref_rnn_sizes {
    int T, B, I, H;
} ref_rnn_sizes;

/* x [T, B, I], w [D, G*H, I], r [D, G*H, H], b [D, 2*G*H] or NULL, h0 and
 * c0 [D, B, H] or NULL, p [D, 3H] or NULL -> y [T, D, B, H], yh and yc
 * [D, B, H] (yc LSTM only; any output may be NULL). desc's activations
 * CLINFER_ACT_NONE take ONNX's defaults. */
void ref_rnn(const clinfer_rnn_desc *desc, ref_rnn_sizes s, const float *x, const float *w,
             const float *r, const float *b, const float *h0, const float *c0, const float *p,
             float *y, float *yh, float *yc);

#endif
