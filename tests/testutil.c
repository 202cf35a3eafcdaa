/*
 * testutil.c — shared test helpers.
 */
#define _GNU_SOURCE /* popen, mkdtemp */
#include "testutil.h"

#include "ops/eager.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

clinfer_runtime *test_runtime(void)
{
    clinfer_runtime *rt = NULL;
    clinfer_status st = clinfer_runtime_create(NULL, &rt);
    cr_assert_eq(st, CLINFER_OK, "clinfer_runtime_create: %s: %s", clinfer_status_str(st),
                 clinfer_last_errmsg());
    return rt;
}

void fill_uniform(float *x, size_t n, float lo, float hi, uint32_t *state)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t s = *state;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        *state = s;
        x[i] = lo + (hi - lo) * (float)(s >> 8) / (float)(1u << 24);
    }
}

void round_to_half(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || x[i] == 0.0f)
            continue;
        /* a half has 11 significant bits, and steps of 2^-24 below 2^-14;
         * nearbyint rounds ties to even in the default rounding mode */
        int e = 0;
        frexpf(x[i], &e); /* |x| in [2^(e-1), 2^e) */
        const int step = e - 11 < -24 ? -24 : e - 11;
        x[i] = ldexpf(nearbyintf(ldexpf(x[i], -step)), step);
    }
}

size_t ref_numel(const clinfer_shape *s)
{
    size_t n = 1;
    for (int32_t i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    return n;
}

void *test_alloc(size_t bytes)
{
    void *p = calloc(1, bytes ? bytes : 1);
    cr_assert_not_null(p, "out of memory allocating %zu bytes", bytes);
    return p;
}

void assert_close(const float *got, const float *want, size_t n, float atol, float rtol,
                  const char *what)
{
    double max_abs = 0, max_rel = 0;
    size_t first_bad = n;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        double rel = d / fmax(fabs((double)want[i]), 1e-30);
        if (d > max_abs)
            max_abs = d;
        if (rel > max_rel && fabs((double)want[i]) > 1e-6)
            max_rel = rel;
        int ok = d <= atol + rtol * fabs((double)want[i]);
        if (!ok && first_bad == n)
            first_bad = i;
    }
    cr_assert(first_bad == n,
              "%s: element %zu of %zu is %.9g, expected %.9g (max abs err %.3g, max rel err %.3g)",
              what, first_bad, n, first_bad < n ? got[first_bad] : 0.0,
              first_bad < n ? want[first_bad] : 0.0, max_abs, max_rel);
}

void assert_close_nonfinite(const float *got, const float *want, size_t n, float atol,
                            float rtol, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(want[i]))
            cr_assert(isnan(got[i]), "%s: element %zu of %zu is %g, expected NaN", what, i, n,
                      got[i]);
        else if (isinf(want[i]))
            cr_assert(got[i] == want[i], "%s: element %zu of %zu is %g, expected %g", what, i, n,
                      got[i], want[i]);
        else
            cr_assert(fabs((double)got[i] - want[i]) <= atol + rtol * fabs((double)want[i]),
                      "%s: element %zu of %zu is %.9g, expected %.9g", what, i, n, got[i],
                      want[i]);
    }
}

void assert_equal(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        cr_assert(got[i] == want[i], "%s: element %zu is %g, expected %g", what, i, got[i],
                  want[i]);
}

void check_maxpool_runs(clinfer_runtime *rt)
{
    const float in[8] = {1, 5, 2, 0, -3, 4, 7, 6};
    const float want[2] = {5, 7};
    float out[2] = {0, 0};
    pool2d_params p = pool2d_params_default();
    p.n = 1, p.c = 1, p.h = 2, p.w = 4, p.kh = 2, p.kw = 2, p.stride_h = 2, p.stride_w = 2;
    cr_assert_eq(maxpool2d_run_host(rt, &p, in, out), CLINFER_OK, "%s", clinfer_last_errmsg());
    assert_equal(out, want, 2, "maxpool after a cache load");
}

int test_shell(const char *cmd, char *out, size_t cap)
{
    char full[8192];
    cr_assert_lt((size_t)snprintf(full, sizeof full, "%s 2>&1", cmd), sizeof full);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p, "popen: %s", cmd);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void test_tmpdir_make(char *dir, size_t cap, const char *prefix)
{
    cr_assert_lt((size_t)snprintf(dir, cap, "/tmp/%s_XXXXXX", prefix), cap);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
}

void test_tmpdir_remove(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

clinfer_dtype test_onnx_run(const uint8_t *model, size_t size, const float *const *in,
                            const size_t *counts, int nin, float *out, size_t n)
{
    return test_onnx_run_batch(model, size, 0, in, counts, nin, out, n);
}

clinfer_dtype test_onnx_run_batch(const uint8_t *model, size_t size, int64_t batch,
                                  const float *const *in, const size_t *counts, int nin,
                                  float *out, size_t n)
{
    return test_onnx_run_outputs(model, size, batch, in, counts, nin, &out, &n, 1);
}

clinfer_dtype test_onnx_run_outputs(const uint8_t *model, size_t size, int64_t batch,
                                    const float *const *in, const size_t *counts, int nin,
                                    float *const *out, const size_t *out_counts, int nout)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session_options so = clinfer_session_options_default();
    if (batch > 0)
        so.batch = batch;
    cr_assert_eq(clinfer_session_create(m, &so, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    for (int k = 0; k < nin; k++)
        cr_assert_eq(clinfer_session_set_input(s, (size_t)k, in[k], counts[k]), CLINFER_OK, "%s",
                     clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    for (int k = 0; k < nout; k++)
        cr_assert_eq(clinfer_session_get_output(s, (size_t)k, out[k], out_counts[k]), CLINFER_OK,
                     "%s", clinfer_session_errmsg(s));
    clinfer_dtype dtype = clinfer_model_output_dtype(m, 0);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
    return dtype;
}

void test_onnx_refused(const uint8_t *model, size_t size, const char *message)
{
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK, "%s: loaded",
                  message);
    cr_assert(strstr(clinfer_last_errmsg(), message), "message: %s", clinfer_last_errmsg());
}

void test_onnx_check_exact(const uint8_t *model, size_t size, int64_t batch, const float *x,
                           size_t n, const float *want, const char *what)
{
    test_onnx_check_exact_n(model, size, batch, x, n, want, n, what);
}

void test_onnx_check_exact_n(const uint8_t *model, size_t size, int64_t batch, const float *x,
                             size_t nx, const float *want, size_t n, const char *what)
{
    float *y = test_alloc(n * sizeof *y);
    char label[256];
    for (int half = 0; half < 2; half++) {
        if (half)
            setenv("CLINFER_PRECISION", "fp16", 1);
        test_onnx_run_batch(model, size, batch, (const float *const[]){x}, &nx, 1, y, n);
        unsetenv("CLINFER_PRECISION");
        snprintf(label, sizeof label, "%s%s", what, half ? " in half storage" : "");
        assert_close_nonfinite(y, want, n, 0, 0, label);
    }
    free(y);
}
