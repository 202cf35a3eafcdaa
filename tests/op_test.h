/*
 * op_test.h — test_op(): one op checked end to end through the public API.
 *
 * It builds a one-node graph (the inputs as graph inputs or constants, the
 * node added by the caller's builder call), compiles it, runs a session and
 * compares the output with the caller's reference (a naive C result), once
 * under every combination of the forced variants it is given (e.g.
 * CLINFER_CONV_ALGO x CLINFER_GEMM_VARIANT). Each combination gets a runtime
 * of its own, created after the variables are set, since a runtime reads
 * its configuration once when it is created. Each combination runs a
 * second time in half storage (CLINFER_PRECISION=fp16) against the same
 * reference, within 2% of the output's largest value plus 0.4% of each
 * value (on top of the case's own tolerance; op_test.c says why), or with
 * CLINFER_TEST_HALF=fp16-math in fp16-math, or with CLINFER_TEST_HALF=0
 * not at all.
 */
#ifndef CLINFER_OP_TEST_H
#define CLINFER_OP_TEST_H

#include "clinfer.h"

typedef struct op_input {
    clinfer_shape shape;
    const float *data;
    int constant; /* 1: a graph constant (weights); 0: an input set before the run */
} op_input;

/* Adds the node under test over `in` (one value per op_input, in order)
 * and sets *out to its output. */
typedef clinfer_status (*op_builder)(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                     clinfer_value *out);

/* The values of one variable to run under; env NULL: none. */
typedef struct op_variants {
    const char *env;
    const char *const *values;
    int count;
} op_variants;

#define OP_TEST_MAX_VARIANTS 2

typedef struct op_test {
    const char *what; /* names the case in failures */
    const op_input *inputs;
    int input_count;
    op_builder build;
    const void *ctx;
    const float *want;         /* the reference output */
    clinfer_shape want_shape;  /* its shape: the session's must equal it */
    float atol, rtol;
    op_variants variants[OP_TEST_MAX_VARIANTS]; /* every combination is run */
} op_test;

/* Runs t under every combination of its variants; fails the current
 * Criterion test with the case's name, the variants and the library's
 * message, or with the largest errors. */
void test_op(const op_test *t);

/* The output of t's graph under the variants as they are set now (the
 * first step of test_op, for tests that check more than closeness):
 * `out` holds numel(want_shape) floats. */
void test_op_run(const op_test *t, float *out);

/* got against t's reference within the half bound test_op applies to its
 * fp16 repetition (op_test.c: t's tolerance plus 2% of the reference's
 * largest finite value and 0.4% of each value). */
void assert_close_half(const float *got, const op_test *t, const char *what);

/* For ops that move or select values (inputs exact in half): t's graph,
 * with no variants, in fp32 and again in half storage, each output equal
 * to want (NaN where it is NaN, the same infinities). */
void test_op_exact(const op_test *t);

#endif
