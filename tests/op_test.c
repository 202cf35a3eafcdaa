/*
 * op_test.c — test_op(): a one-node graph through the public API, under
 * forced variants, against a reference (see op_test.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "op_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define OK(call, t)                                                                        \
    do {                                                                                   \
        clinfer_status st_ = (call);                                                       \
        cr_assert_eq(st_, CLINFER_OK, "%s: %s: %s: %s", (t)->what, #call,                  \
                     clinfer_status_str(st_), clinfer_last_errmsg());                      \
    } while (0)

/* The graph: inputs in0, in1, ... (graph inputs or constants), the node,
 * its output marked. */
static clinfer_graph *build_graph(const op_test *t)
{
    clinfer_graph *g = NULL;
    clinfer_value in[16], out = 0;
    cr_assert(t->input_count <= 16, "%s: too many inputs", t->what);
    OK(clinfer_graph_create(&g), t);
    for (int i = 0; i < t->input_count; i++) {
        char name[16];
        snprintf(name, sizeof name, "in%d", i);
        const op_input *x = &t->inputs[i];
        if (x->constant)
            OK(clinfer_graph_constant(g, name, &x->shape, x->data, &in[i]), t);
        else
            OK(clinfer_graph_input(g, name, &x->shape, &in[i]), t);
    }
    OK(t->build(g, in, t->ctx, &out), t);
    OK(clinfer_graph_output(g, out, "out"), t);
    return g;
}

/* Sets the graph inputs (the non-constant op inputs, in order). */
static void set_inputs(const op_test *t, clinfer_session *s)
{
    size_t index = 0;
    for (int i = 0; i < t->input_count; i++)
        if (!t->inputs[i].constant)
            OK(clinfer_session_set_input(s, index++, t->inputs[i].data,
                                         ref_numel(&t->inputs[i].shape)),
               t);
}

void test_op_run(const op_test *t, float *out)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = build_graph(t);
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    clinfer_shape shape;
    OK(clinfer_model_compile(rt, g, &m), t);
    OK(clinfer_session_create(m, NULL, &s), t);
    OK(clinfer_session_output_shape(s, 0, &shape), t);
    cr_assert(shape.rank == t->want_shape.rank &&
                  !memcmp(shape.dims, t->want_shape.dims, sizeof(int64_t) * (size_t)shape.rank),
              "%s: the output has another shape than the reference's", t->what);
    set_inputs(t, s);
    OK(clinfer_session_run(s), t);
    OK(clinfer_session_get_output(s, 0, out, ref_numel(&shape)), t);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}

/* The largest finite |x| of x[0..n-1] (0 if none). */
static float finite_scale(const float *x, size_t n)
{
    float m = 0.0f;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && fabsf(x[i]) > m)
            m = fabsf(x[i]);
    return m;
}

/* The same case in half storage (CLINFER_PRECISION=fp16, a runtime of its
 * own): every input, weight, intermediate (im2col columns, Winograd's
 * transformed tiles) and output is rounded to half (relative error up to
 * 2^-11 each) and the arithmetic stays float, so the output must come
 * within 2% of the output's scale, plus 0.4% of each value. (2%, not 1%:
 * a squashing activation, tanh on a 3x3 x 35-channel Winograd layer, gives
 * 1.3% of its output's scale from 0.2% of the scale before it.) A wrong
 * index or a float read of half data is off by the scale itself.
 * CLINFER_TEST_HALF=0 skips it (tests/CMakeLists.txt: sanitizer builds);
 * CLINFER_TEST_HALF=fp16-math runs it in fp16-math instead, where the GPU
 * GEMM tiles also sum each k step's products in half (TSK of them, at most
 * 64: within the same bounds for the cases' sizes; tests/half/pocl_fp16.sh
 * runs the GEMM and convolution tests so on a PoCL that reports
 * cl_khr_fp16). */
static const char *half_precision(void)
{
    const char *choice = getenv("CLINFER_TEST_HALF"); /* "0" in sanitizer builds */
    if (choice && strcmp(choice, "0") == 0)
        return NULL;
    return choice && strcmp(choice, "fp16-math") == 0 ? "fp16-math" : "fp16";
}

static int half_skipped(void) { return half_precision() == NULL; }

static void run_half(const op_test *t, float *out)
{
    const char *precision = half_precision();
    if (!precision)
        return;
    char what[600];
    snprintf(what, sizeof what, "%s CLINFER_PRECISION=%s", t->what, precision);
    op_test named = *t;
    named.what = what;
    setenv("CLINFER_PRECISION", precision, 1);
    test_op_run(&named, out);
    unsetenv("CLINFER_PRECISION");
    assert_close_half(out, t, what);
}

void assert_close_half(const float *got, const op_test *t, const char *what)
{
    const size_t n = ref_numel(&t->want_shape);
    assert_close(got, t->want, n, t->atol + 2e-2f * finite_scale(t->want, n), t->rtol + 4e-3f,
                 what);
}

/* Runs and compares under the variants from index v on, the earlier ones
 * set; `label` accumulates "NAME=value" for messages. */
static void run_variants(const op_test *t, int v, char *label, size_t cap, float *out)
{
    const op_variants *var = v < OP_TEST_MAX_VARIANTS ? &t->variants[v] : NULL;
    if (!var || !var->env) {
        char what[512];
        snprintf(what, sizeof what, "%s%s", t->what, label);
        op_test named = *t;
        named.what = what;
        test_op_run(&named, out);
        assert_close(out, t->want, ref_numel(&t->want_shape), t->atol, t->rtol, what);
        run_half(&named, out);
        return;
    }
    size_t len = strlen(label);
    for (int i = 0; i < var->count; i++) {
        setenv(var->env, var->values[i], 1);
        snprintf(label + len, cap - len, " %s=%s", var->env, var->values[i]);
        run_variants(t, v + 1, label, cap, out);
        label[len] = '\0';
        unsetenv(var->env);
    }
}

void test_op(const op_test *t)
{
    float *out = test_alloc(ref_numel(&t->want_shape) * sizeof(float));
    char label[256] = "";
    run_variants(t, 0, label, sizeof label, out);
    free(out);
}

void test_op_exact(const op_test *t)
{
    const size_t n = ref_numel(&t->want_shape);
    float *out = test_alloc(n * sizeof(float));
    char what[600];
    test_op_run(t, out);
    assert_close_nonfinite(out, t->want, n, 0, 0, t->what);
    if (!half_skipped()) {
        snprintf(what, sizeof what, "%s CLINFER_PRECISION=%s", t->what, half_precision());
        op_test named = *t;
        named.what = what;
        setenv("CLINFER_PRECISION", half_precision(), 1);
        test_op_run(&named, out);
        unsetenv("CLINFER_PRECISION");
        assert_close_nonfinite(out, t->want, n, 0, 0, what);
    }
    free(out);
}
