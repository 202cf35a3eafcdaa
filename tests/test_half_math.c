/*
 * test_half_math.c — fp16-math (CLINFER_PRECISION_FP16_MATH): its name and
 * parsing; on a device without cl_khr_fp16 (Debian's PoCL) the runtime is
 * refused with a message naming the extension; on one with it
 * (tests/half/pocl_fp16.sh gives this machine's PoCL the extension) the
 * GPU GEMM tiles compute in half: MatMuls and convolutions through
 * gemm_local, on shapes that take its prefetching tiles, its plain tiles,
 * its 1 x 1-per-item tiles and split K, come within the half bound of a
 * naive reference, and differ from fp16 storage with float arithmetic
 * (the same rounded operands), which they would not if the tiles summed
 * in float; Winograd's GEMM, whose buffers stay float, stays float
 * arithmetic too (equal to fp16 bit for bit).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"
#include "op_test.h"
#include "testutil.h"

/* Does the test device report cl_khr_fp16? */
static int device_has_fp16(void)
{
    clinfer_runtime *rt = test_runtime();
    const int has = clinfer_runtime_device(rt)->has_fp16;
    clinfer_runtime_free(rt);
    return has;
}

Test(half_math, name_and_parsing)
{
    clinfer_precision p = CLINFER_PRECISION_DEFAULT;
    cr_assert_str_eq(clinfer_precision_name(CLINFER_PRECISION_FP16_MATH), "fp16-math");
    cr_assert_eq(clinfer_precision_parse("fp16-math", &p), CLINFER_OK);
    cr_assert_eq(p, CLINFER_PRECISION_FP16_MATH);
    cr_assert_eq(clinfer_precision_parse("fp16_math", &p), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "fp32, fp16 or fp16-math"), "%s",
              clinfer_last_errmsg());
}

/* Refused where the device cannot compute in half, by the option and by
 * the variable; made, and reported as such, where it can. */
Test(half_math, needs_a_device_with_cl_khr_fp16)
{
    const int has = device_has_fp16();
    clinfer_runtime_options o = clinfer_runtime_options_default();
    clinfer_runtime *rt = NULL;
    for (int by_env = 0; by_env < 2; by_env++) {
        o.precision = by_env ? CLINFER_PRECISION_DEFAULT : CLINFER_PRECISION_FP16_MATH;
        if (by_env)
            setenv("CLINFER_PRECISION", "fp16-math", 1);
        clinfer_status st = clinfer_runtime_create(&o, &rt);
        if (has) {
            cr_assert_eq(st, CLINFER_OK, "%s", clinfer_last_errmsg());
            cr_assert_eq(clinfer_runtime_precision(rt), CLINFER_PRECISION_FP16_MATH);
            clinfer_runtime_free(rt);
        } else {
            cr_assert_eq(st, CLINFER_ERR_UNSUPPORTED, "fp16-math made on a device without "
                                                      "cl_khr_fp16");
            cr_assert_null(rt);
            cr_assert(strstr(clinfer_last_errmsg(), "cl_khr_fp16") &&
                          strstr(clinfer_last_errmsg(), "fp16-math"),
                      "%s", clinfer_last_errmsg());
        }
        unsetenv("CLINFER_PRECISION");
    }
}

/* ------------------------------------------------------------ the GEMM tiles */

static clinfer_status add_matmul(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    (void)ctx;
    return clinfer_graph_matmul(g, "matmul", in[0], in[1], out);
}

/* t's output under CLINFER_GEMM_VARIANT=gpu in `precision`, with
 * CLINFER_CONV_ALGO=algo unless algo is NULL. */
static void run_algo(const op_test *t, const char *precision, const char *algo, float *out)
{
    setenv("CLINFER_PRECISION", precision, 1);
    setenv("CLINFER_GEMM_VARIANT", "gpu", 1);
    setenv("CLINFER_TUNE", "0", 1);
    if (algo)
        setenv("CLINFER_CONV_ALGO", algo, 1);
    test_op_run(t, out);
    unsetenv("CLINFER_PRECISION");
    unsetenv("CLINFER_GEMM_VARIANT");
    unsetenv("CLINFER_TUNE");
    unsetenv("CLINFER_CONV_ALGO");
}

/* fp16-math's output within op_test's half bound of want, and, where
 * `must_differ` (enough long sums that half's rounding of the step sums
 * shows through the output's own rounding to half), not equal to fp16's
 * everywhere. */
static void check_half_math(const op_test *t, const char *algo, int must_differ)
{
    const size_t n = ref_numel(&t->want_shape);
    float *math = test_alloc(n * 4), *storage = test_alloc(n * 4);
    run_algo(t, "fp16-math", algo, math);
    run_algo(t, "fp16", algo, storage);
    char what[300];
    snprintf(what, sizeof what, "%s [gpu, %s, fp16-math]", t->what, algo ? algo : "-");
    assert_close_half(math, t, what);
    size_t differ = 0;
    for (size_t i = 0; i < n; i++)
        differ += math[i] != storage[i];
    cr_assert(differ > 0 || !must_differ,
              "%s: equal to fp16 storage everywhere: the tiles did not sum in half", what);
    free(math), free(storage);
}

/* M x K times K x N: 130 x 77 x 66 (64 x 64 prefetching tiles), 20 x 70 x
 * 24 (one tile, shrunk to 16 x 16 plain tiles for this 2-unit CPU), 9 x
 * 300 x 13 (split K over 128-value steps), 3 x 45 x 5 (too few outputs to
 * require a difference from fp16). */
Test(half_math, matmul_tiles_compute_in_half)
{
    if (!device_has_fp16())
        cr_skip_test("the device does not report cl_khr_fp16 (tests/half/pocl_fp16.sh runs "
                     "this test on a PoCL that does)");
    static const int mkn[][3] = {{130, 77, 66}, {20, 70, 24}, {9, 300, 13}, {3, 45, 5}};
    uint32_t seed = 77;
    for (size_t c = 0; c < sizeof mkn / sizeof mkn[0]; c++) {
        const int m = mkn[c][0], k = mkn[c][1], n = mkn[c][2];
        float *a = test_alloc((size_t)m * k * 4), *b = test_alloc((size_t)k * n * 4);
        float *want = test_alloc((size_t)m * n * 4);
        fill_uniform(a, (size_t)m * k, -1, 1, &seed);
        fill_uniform(b, (size_t)k * n, -1, 1, &seed);
        round_to_half(a, (size_t)m * k); /* what half storage holds: the same products */
        round_to_half(b, (size_t)k * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++)
                    s += (double)a[(size_t)i * k + q] * b[(size_t)q * n + j];
                want[(size_t)i * n + j] = (float)s;
            }
        const clinfer_shape as = {2, {m, k}}, bs = {2, {k, n}};
        const op_input x[2] = {{as, a, 0}, {bs, b, 1}};
        char what[128];
        snprintf(what, sizeof what, "MatMul %dx%d x %dx%d", m, k, k, n);
        const op_test t = {what, x, 2, add_matmul, NULL, want, {2, {m, n}}, 0, 0, {{0}}};
        check_half_math(&t, NULL, m * n >= 100);
        free(a), free(b), free(want);
    }
}

/* ------------------------------------------------------------ convolutions */

static clinfer_status add_conv3x3(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                  clinfer_value *out)
{
    (void)ctx;
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    return clinfer_graph_conv2d(g, "conv", in[0], in[1], CLINFER_NO_VALUE, &d, out);
}

/* A 3x3 convolution, 2 x 24 x 13 x 11 -> 20 channels, padding 1: through
 * the half tiles by im2col and by the implicit GEMM; and Winograd, whose
 * GEMM keeps its float buffers and so its float arithmetic
 * (prelude.cl), gives fp16's output bit for bit. */
Test(half_math, convolutions_in_half_tiles_winograd_in_float)
{
    if (!device_has_fp16())
        cr_skip_test("the device does not report cl_khr_fp16 (tests/half/pocl_fp16.sh runs "
                     "this test on a PoCL that does)");
    enum { N = 2, C = 24, H = 13, W = 11, OC = 20 };
    const size_t xn = (size_t)N * C * H * W, wn = (size_t)OC * C * 9, yn = (size_t)N * OC * H * W;
    float *x = test_alloc(xn * 4), *w = test_alloc(wn * 4), *want = test_alloc(yn * 4);
    uint32_t seed = 99;
    fill_uniform(x, xn, -1, 1, &seed);
    fill_uniform(w, wn, -1, 1, &seed);
    round_to_half(x, xn);
    round_to_half(w, wn);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++)
            for (int i = 0; i < H; i++)
                for (int j = 0; j < W; j++) {
                    double sum = 0;
                    for (int c = 0; c < C; c++)
                        for (int di = 0; di < 3; di++)
                            for (int dj = 0; dj < 3; dj++) {
                                const int y = i + di - 1, z = j + dj - 1;
                                if (y >= 0 && y < H && z >= 0 && z < W)
                                    sum += (double)x[((size_t)(n * C + c) * H + y) * W + z] *
                                           w[((size_t)(o * C + c) * 3 + di) * 3 + dj];
                            }
                    want[((size_t)(n * OC + o) * H + i) * W + j] = (float)sum;
                }
    const op_input in[2] = {{{4, {N, C, H, W}}, x, 0}, {{4, {OC, C, 3, 3}}, w, 1}};
    const op_test t = {"Conv 3x3 2x24x13x11 -> 20", in, 2, add_conv3x3, NULL, want,
                       {4, {N, OC, H, W}}, 0, 0, {{0}}};
    check_half_math(&t, "im2col", 1);
    check_half_math(&t, "implicit", 1);

    float *math = test_alloc(yn * 4), *storage = test_alloc(yn * 4);
    run_algo(&t, "fp16-math", "winograd", math);
    run_algo(&t, "fp16", "winograd", storage);
    for (size_t i = 0; i < yn; i++)
        cr_assert(math[i] == storage[i],
                  "Winograd in fp16-math: element %zu is %.9g, fp16 gives %.9g (its float GEMM "
                  "computed in half)",
                  i, math[i], storage[i]);
    assert_close_half(math, &t, "Winograd, fp16-math");
    free(x), free(w), free(want), free(math), free(storage);
}
