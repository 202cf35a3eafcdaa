/*
 * chain.h — a small network's run as one launch (chain.c, kernels/chain.cl):
 * where every kernel node of a session can be described as a chained layer
 * (node_impl.chain: a convolution with a fused max pool, a dense layer, a
 * softmax) and the whole run is small, the session packs the layers'
 * weights once and runs them in one persistent kernel instead of a launch
 * per node. On PoCL each launch that two threads share costs 10-20 us
 * beyond its work; the lecture CNN at batch 1 spent half its 0.15 ms so.
 * In fp32 and fp16 storage alike (chain.cl reads and writes store_t).
 */
#ifndef CLINFER_CHAIN_H
#define CLINFER_CHAIN_H

#include <stdint.h>

#include "cl.h"
#include "ops/activation.h"
#include "ops/conv2d.h"

typedef enum chain_kind { CHAIN_CONV = 1, CHAIN_DENSE, CHAIN_SOFTMAX } chain_kind;

/* One node as a chained layer. It reads the node's input 0 and writes its
 * output, both float NCHW / row-major in the session's arena. */
typedef struct chain_layer {
    chain_kind kind;
    act_params act; /* conv, dense: the fused activation */
    /* conv: the convolution (groups and dilation 1, no residual or scale,
     * plain layout) and its fused max pool (conv.pool > 1); the output is
     * oh x ow, pooled */
    conv2d_params conv;
    int32_t oh, ow;
    /* host copies of the constants: conv weights [OC, C, KH, KW]; dense B,
     * [K, N] ([N, K] with trans_b) */
    const float *weight;
    /* conv: [OC]; dense: C, bias_count N values (one per column) or 1 (all
     * columns); NULL: none */
    const float *bias;
    int64_t bias_count;
    /* dense: Y [m, n] = act(alpha X B + beta C), X [m, k] */
    int32_t m, k, n;
    int trans_b;
    float alpha, beta;
    /* softmax: `rows` rows of `cols` along the last axis; log: LogSoftmax */
    int64_t rows, cols;
    int log;
} chain_layer;

/* The activations the chain kernel applies (chain_act in chain.cl). */
int chain_act_supported(act_kind kind);

struct clinfer_session;
typedef struct session_chain session_chain; /* chain.c */

/* Builds the session's chain when every kernel node describes itself as a
 * chained layer and the run is small (or CLINFER_CHAIN=on); otherwise
 * leaves none, which is no error. Where building one fails, the session
 * keeps its launches per node, except out of host memory and under
 * CLINFER_CHAIN=on, which fail. */
clinfer_status session_chain_build(struct clinfer_session *s);

/* Whether the next run can be the chain: it exists and every layer's
 * input and output are still in the arena (no caller buffer bound). */
int session_chain_ready(const struct clinfer_session *s);

/* Enqueues the chain's launch (event: its profiling event, or NULL). */
clinfer_status session_chain_enqueue(struct clinfer_session *s, cl_event *event);

/* Frees the chain (NULL: nothing). */
void session_chain_free(struct clinfer_session *s);

#endif
