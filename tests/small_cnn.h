/*
 * small_cnn.h — a small CNN built with the graph builder, and the same
 * network computed by plain C loops (double accumulation), for the thread
 * and interop tests:
 *
 *   image [N, 3, 12, 10]
 *   -> conv 3x3, 8 filters, SAME padding, bias, activation (ReLU or leaky)
 *   -> max pool 2x2
 *   -> conv 3x3, 6 filters, no padding, bias
 *   -> global average pool -> flatten           = output 1 "features" [N, 6]
 *   -> dense 6 -> 5 with bias -> softmax       = output 0 "probs"    [N, 5]
 *
 * "features" is a view (flatten) of a value that the dense layer also
 * reads, which the interop tests rely on.
 */
#ifndef CLINFER_SMALL_CNN_H
#define CLINFER_SMALL_CNN_H

#include <stdint.h>

#include "clinfer.h"

#define SMALL_CNN_C 3
#define SMALL_CNN_H 12
#define SMALL_CNN_W 10
#define SMALL_CNN_IN (SMALL_CNN_C * SMALL_CNN_H * SMALL_CNN_W) /* floats per image */
#define SMALL_CNN_FEATURES 6
#define SMALL_CNN_CLASSES 5

typedef struct small_cnn {
    float c1w[8 * 3 * 3 * 3], c1b[8];
    float c2w[6 * 8 * 3 * 3], c2b[6];
    float dw[6 * 5], db[5]; /* dense kernel [in, units] */
    int leaky;              /* first activation: leaky ReLU (alpha 0.1) instead of ReLU */
} small_cnn;

/* Seeded weights, uniform in [-0.5, 0.5). */
void small_cnn_init(small_cnn *w, uint32_t seed, int leaky);

/* The graph, with an open batch dimension. */
clinfer_status small_cnn_graph(const small_cnn *w, clinfer_graph **out);

/* probs [batch, 5] and features [batch, 6] of `batch` images. */
void small_cnn_reference(const small_cnn *w, const float *in, int64_t batch, float *probs,
                         float *features);

/* Uniform values in [lo, hi) from a xorshift generator (as fill_uniform). */
void small_cnn_fill(float *x, size_t n, float lo, float hi, uint32_t *state);

/* Largest |a - b| - (atol + rtol * |b|) over n values; <= 0 means close. */
double small_cnn_excess(const float *a, const float *b, size_t n, double atol, double rtol);

#endif
