/*
 * test_api_io.c — the C API at a session's edges: inputs and outputs looked
 * up by name (model and session), NULL data pointers reported as bad
 * arguments (not as a shape mismatch), file errors carrying the
 * system's reason, and inputs copied when set (the caller's memory is free
 * at once, although the write to the device is not waited for).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* sum = a + b, diff = a - b; a and b [1, len]. */
static clinfer_model *two_in_two_out_of(clinfer_runtime *rt, int64_t len)
{
    clinfer_graph *g = NULL;
    clinfer_value a, b, sum, diff;
    clinfer_shape s = {2, {1, len}};
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "a", &s, &a), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "b", &s, &b), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "add", CLINFER_BINARY_ADD, a, b, &sum), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "sub", CLINFER_BINARY_SUB, a, b, &diff), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, sum, "sum"), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, diff, "diff"), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    return m;
}

static clinfer_model *two_in_two_out(clinfer_runtime *rt) { return two_in_two_out_of(rt, 4); }

Test(api_io, inputs_and_outputs_by_name)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = two_in_two_out(rt);
    size_t i = 99;
    cr_assert_eq(clinfer_model_input_index(m, "b", &i), CLINFER_OK);
    cr_assert_eq(i, 1);
    cr_assert_eq(clinfer_model_input_index(m, "a", &i), CLINFER_OK);
    cr_assert_eq(i, 0);
    cr_assert_eq(clinfer_model_output_index(m, "diff", &i), CLINFER_OK);
    cr_assert_eq(i, 1);
    i = 99;
    cr_assert_eq(clinfer_model_input_index(m, "sum", &i), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(i, 99, "left alone on failure");
    cr_assert(strstr(clinfer_last_errmsg(), "no input named \"sum\"; its inputs: \"a\", \"b\""),
              "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_model_output_index(m, NULL, &i), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_model_output_index(m, "sum", NULL), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_model_output_index(NULL, "sum", &i), CLINFER_ERR_INVALID_ARGUMENT);

    /* The session's indices drive its calls: b by name gets b's values. */
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    size_t ia, ib, idiff;
    cr_assert_eq(clinfer_session_input_index(s, "b", &ib), CLINFER_OK);
    cr_assert_eq(clinfer_session_input_index(s, "a", &ia), CLINFER_OK);
    cr_assert_eq(clinfer_session_output_index(s, "diff", &idiff), CLINFER_OK);
    const float va[4] = {10, 20, 30, 40}, vb[4] = {1, 2, 3, 4};
    float d[4];
    cr_assert_eq(clinfer_session_set_input(s, ib, vb, 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_set_input(s, ia, va, 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, idiff, d, 4), CLINFER_OK);
    const float want[4] = {9, 18, 27, 36};
    assert_equal(d, want, 4, "diff by name");
    cr_assert_eq(clinfer_session_output_index(s, "product", &i), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s), "its outputs: \"sum\", \"diff\""), "%s",
              clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_input_index(NULL, "a", &i), CLINFER_ERR_INVALID_ARGUMENT);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

Test(api_io, null_data_is_a_bad_argument)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = two_in_two_out(rt);
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, NULL, 4), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s), "\"a\": the data pointer is NULL"), "%s",
              clinfer_session_errmsg(s));
    float y[4];
    const float x[4] = {0};
    cr_assert_eq(clinfer_session_set_input(s, 0, x, 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_set_input(s, 1, x, 4), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 1, NULL, 4), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s), "\"diff\": the data pointer is NULL"), "%s",
              clinfer_session_errmsg(s));
    /* a wrong count with a real pointer is still a shape mismatch */
    cr_assert_eq(clinfer_session_get_output(s, 1, y, 3), CLINFER_ERR_SHAPE);
    cr_assert_eq(clinfer_session_get_output(s, 1, y, 4), CLINFER_OK);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

Test(api_io, file_errors_say_why)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_load(rt, "/nonexistent-dir/model.onnx", &m), CLINFER_ERR_IO);
    cr_assert(strstr(clinfer_last_errmsg(), strerror(ENOENT)), "%s", clinfer_last_errmsg());
    /* a folder opens but cannot be read */
    cr_assert_eq(clinfer_model_load(rt, "/", &m), CLINFER_ERR_IO);
    cr_assert(strstr(clinfer_last_errmsg(), strerror(EISDIR)), "%s", clinfer_last_errmsg());
    cr_assert_null(m);
    clinfer_runtime_free(rt);
}

/* One input set, changed by the caller right after the call, set again
 * before any run (the first write may still be pending), in fp32 and fp16,
 * as floats and typed, for a small input (written without waiting, from a
 * copy) and one over 256 KB (written blocking): every run sees the values
 * of the call that set them. */
static void check_inputs_copied(clinfer_precision precision, int64_t len)
{
    clinfer_runtime_options ro = clinfer_runtime_options_default();
    ro.precision = precision;
    clinfer_runtime *rt = test_runtime_with(&ro);
    clinfer_model *m = two_in_two_out_of(rt, len);
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    const size_t n = (size_t)len;
    float *a = test_alloc(n * 4), *b = test_alloc(n * 4), *got = test_alloc(n * 4);
    float *want = test_alloc(n * 4);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < n; i++) /* small integers: exact in half */
            a[i] = (float)((i * 7 + (size_t)round) % 61), b[i] = (float)((i * 3) % 17) - 8;
        for (size_t i = 0; i < n; i++)
            want[i] = a[i] + b[i];
        if (round == 2) { /* typed, in the storage type's peer: float32 */
            cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_FLOAT32, a, n * 4),
                         CLINFER_OK, "%s", clinfer_session_errmsg(s));
        } else {
            for (size_t i = 0; i < n; i++) /* a first value, replaced below */
                got[i] = -100.0f;
            cr_assert_eq(clinfer_session_set_input(s, 0, got, n), CLINFER_OK);
            cr_assert_eq(clinfer_session_set_input(s, 0, a, n), CLINFER_OK);
        }
        cr_assert_eq(clinfer_session_set_input(s, 1, b, n), CLINFER_OK);
        for (size_t i = 0; i < n; i++) /* the caller reuses its memory at once */
            a[i] = b[i] = 1e4f, got[i] = 0.0f;
        cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
        cr_assert_eq(clinfer_session_get_output(s, 0, got, n), CLINFER_OK);
        char what[80];
        snprintf(what, sizeof what, "%s, %lld values, round %d", clinfer_precision_name(precision),
                 (long long)len, round);
        assert_equal(got, want, n, what);
    }
    free(a), free(b), free(got), free(want);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

Test(api_io, inputs_are_copied_when_set)
{
    check_inputs_copied(CLINFER_PRECISION_FP32, 37);
    check_inputs_copied(CLINFER_PRECISION_FP16, 37);
    check_inputs_copied(CLINFER_PRECISION_FP32, 70001); /* 280 KB: blocking */
    check_inputs_copied(CLINFER_PRECISION_FP16, 140001);
}
