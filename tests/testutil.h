/*
 * testutil.h — helpers shared by the Criterion tests: a runtime on the
 * device chosen by CLINFER_DEVICE (PoCL in CI), seeded random data, and
 * closeness checks that report the largest absolute and relative error.
 */
#ifndef CLINFER_TESTUTIL_H
#define CLINFER_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "clinfer.h"

/* Creates a runtime or fails the current test with the library's message. */
clinfer_runtime *test_runtime(void);

/* Creates a runtime with `options` or fails the current test. */
clinfer_runtime *test_runtime_with(const clinfer_runtime_options *options);

/* Sets the field of `o` that stands for the environment variable
 * `variable` (CLINFER_GEMM_VARIANT, CLINFER_CONV_ALGO,
 * CLINFER_DEPTHWISE_VARIANT or CLINFER_POOL_VARIANT) to `value`. */
void test_options_force(clinfer_runtime_options *o, const char *variable, const char *value);

/* A runtime made from `base` (NULL: the defaults) with `variable` forced
 * to `value` (test_options_force), made on first use and returned again
 * for the same variable and value, so a test that runs each variant on
 * many cases makes one runtime per variant; `base` must be the same for
 * every call of one test. test_forced_free frees them all. */
clinfer_runtime *test_forced_runtime(const clinfer_runtime_options *base, const char *variable,
                                     const char *value);
void test_forced_free(void);

/* Fills x with uniform values in [lo, hi) from a xorshift generator. */
void fill_uniform(float *x, size_t n, float lo, float hi, uint32_t *state);

/* Rounds each x[i] to the nearest IEEE half (ties to even), kept as a
 * float: data that half storage (CLINFER_PRECISION_FP16) holds exactly, for
 * cases whose reference must not depend on how the inputs were rounded.
 * Written apart from the library's conversion (host/half.c); no value
 * here is past the half range. */
void round_to_half(float *x, size_t n);

/* Number of elements of s (no overflow checks: test shapes are small). */
size_t ref_numel(const clinfer_shape *s);

/* malloc that fails the test instead of returning NULL. */
void *test_alloc(size_t bytes);

/* Asserts |got - want| <= atol + rtol * |want| element-wise; on failure names
 * `what`, the first bad index and the largest errors. */
void assert_close(const float *got, const float *want, size_t n, float atol, float rtol,
                  const char *what);

/* assert_close for data with NaN and infinities: where want is NaN, got
 * must be NaN; where want is +-inf, got must equal it; elsewhere close. */
void assert_close_nonfinite(const float *got, const float *want, size_t n, float atol,
                            float rtol, const char *what);

/* Runs an ONNX model held in memory once: loads it, compiles it on a new
 * runtime, sets input k to in[k] (counts[k] floats) for k < nin, runs, and
 * copies output 0 (n floats) into out; returns output 0's declared type.
 * Any failing step fails the test with the library's message. */
clinfer_dtype test_onnx_run(const uint8_t *model, size_t size, const float *const *in,
                            const size_t *counts, int nin, float *out, size_t n);
/* The same in a session of batch size `batch` (0: the default). */
clinfer_dtype test_onnx_run_batch(const uint8_t *model, size_t size, int64_t batch,
                                  const float *const *in, const size_t *counts, int nin,
                                  float *out, size_t n);
/* The same reading outputs 0 .. nout - 1 (out_counts[k] floats each). */
clinfer_dtype test_onnx_run_outputs(const uint8_t *model, size_t size, int64_t batch,
                                    const float *const *in, const size_t *counts, int nin,
                                    float *const *out, const size_t *out_counts, int nout);

/* Runs the one-input model in fp32 and again in half storage
 * (CLINFER_PRECISION=fp16), each output equal to want (NaN where it is
 * NaN): for ops that move or select values (inputs exact in half). */
void test_onnx_check_exact(const uint8_t *model, size_t size, int64_t batch, const float *x,
                           size_t n, const float *want, const char *what);
/* The same for a model whose output 0 has n elements, x nx. */
void test_onnx_check_exact_n(const uint8_t *model, size_t size, int64_t batch, const float *x,
                             size_t nx, const float *want, size_t n, const char *what);

/* The model fails to load, the library's message holding `message`. */
void test_onnx_refused(const uint8_t *model, size_t size, const char *message);

/* Asserts exact equality (for the lecture's integer examples). */
void assert_equal(const float *got, const float *want, size_t n, const char *what);

/* Runs `cmd` in the shell, its stderr joined to its stdout; returns its
 * exit status (-1 if it did not exit) and its output in out (at most
 * cap - 1 bytes, NUL-terminated). */
int test_shell(const char *cmd, char *out, size_t cap);

/* Makes a new folder /tmp/PREFIX_XXXXXX into dir (cap >= 64), or fails
 * the test; test_tmpdir_remove deletes it with everything in it. */
void test_tmpdir_make(char *dir, size_t cap, const char *prefix);
void test_tmpdir_remove(const char *dir);

/* Runs a small max pooling on rt and checks its result: a program loaded
 * from a (possibly damaged) cache is proven to work, not just to load. */
void check_maxpool_runs(clinfer_runtime *rt);

#ifdef CLINFER_TEST_MODELS
#include <stdio.h>
#include <stdlib.h>
/* The path of tests/models/FILE: under $CLINFER_TEST_MODELS_DIR when set
 * (binaries carried to another machine, as tests/gpu/ does), else in the
 * source tree the build came from. Returns a static buffer. */
static inline const char *test_model_path(const char *file)
{
    static char path[1024];
    const char *dir = getenv("CLINFER_TEST_MODELS_DIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : CLINFER_TEST_MODELS, file);
    return path;
}
#endif

#endif
