/*
 * rnn.h — the recurrence of ONNX's RNN, GRU and LSTM (kernels/rnn.cl):
 * given every step's input projection xw [T, B, D * G * H] (X_t W^T, one
 * MatMul before it: graph_rnn.c), the recurrence weights r [D, G * H, H]
 * and the optional biases (Wb + Rb, [D * G * H]), initial states,
 * peepholes and GRU's R_bh,
 * it walks the T steps and writes every step's hidden state, y
 * [T, D, B, H]; when the last states are wanted (extra 1: Y_h; 2: Y_h and
 * the LSTM's Y_c) y is [1 + extra, T, D, B, H]: the steps, then slabs
 * whose first step-row holds the last hidden state and the last cell
 * state. (Slabs, not rows after the steps: T may be the open batch
 * dimension, which the builder's shape checks stand the batch size for,
 * so it must not be T + extra.)
 */
#ifndef CLINFER_OPS_RNN_H
#define CLINFER_OPS_RNN_H

#include "launch.h"

/* The inputs, in order (bind and the node's input list). */
enum rnn_input { RNN_IN_XW, RNN_IN_R, RNN_IN_BIAS, RNN_IN_RB, RNN_IN_H0, RNN_IN_C0, RNN_IN_P, RNN_IN_COUNT };

typedef struct rnn_params {
    clinfer_rnn_cell cell;
    int32_t directions; /* D: 1 or 2 */
    int reverse;        /* D = 1: from the last step to the first */
    int32_t hidden;     /* H */
    int32_t extra;      /* state slabs after the steps: 0, 1 (Y_h) or 2 (Y_h, Y_c) */
    float clip;         /* 0: none */
    int linear_before_reset, input_forget;
    clinfer_activation acts[2][3]; /* resolved: no CLINFER_ACT_NONE */
    /* the shapes of the inputs; rank 0 where an optional one is absent */
    clinfer_shape in[RNN_IN_COUNT];
} rnn_params;

/* Gates per cell: 1, 3, 4. */
int32_t rnn_gates(clinfer_rnn_cell cell);

/* ONNX's default activation k (0 f, 1 g, 2 h) of a cell. */
clinfer_activation rnn_default_activation(clinfer_rnn_cell cell, int k);

/* Checks the shapes and attributes; out = [T, D, B, H], or with extra
 * state slabs [1 + extra, T, D, B, H]. rt may be
 * NULL (the graph builder). */
clinfer_status rnn_output_shape(clinfer_runtime *rt, const rnn_params *p, clinfer_shape *out);

clinfer_status rnn_prepare(clinfer_runtime *rt, const rnn_params *p, op_launch *out);

/* Buffers: the RNN_IN_COUNT inputs (mem NULL when absent), then y. */
clinfer_status rnn_bind(clinfer_runtime *rt, op_launch *l, const dev_tensor in[RNN_IN_COUNT],
                        dev_tensor out);

#endif
