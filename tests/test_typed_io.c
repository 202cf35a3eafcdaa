/*
 * test_typed_io.c — clinfer_session_set_input_typed / _get_output_typed:
 * float32, float16, int64 and uint8 in and out, in fp32 and fp16 runtimes,
 * against host references written here (C casts for the way in; rounding to
 * nearest even with saturation, NaN to 0, for integers on the way out;
 * half bit patterns of values half holds exactly), and every error: NULL
 * session or data, a byte count that does not match, another dtype, an
 * index out of range, with the session usable afterwards.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "testutil.h"

#define N 42 /* [1, 2, 3, 7]: not a multiple of any vector width */

/* y = x * 0.5 on x [1, 2, 3, 7]: halves make the ties of integer rounding. */
static clinfer_model *half_of(clinfer_runtime *rt)
{
    clinfer_graph *g = NULL;
    clinfer_value x, k, y;
    const clinfer_shape s = {4, {1, 2, 3, 7}}, ks = {1, {1}};
    const float half = 0.5f;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &s, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "k", &ks, &half, &k), CLINFER_OK);
    cr_assert_eq(clinfer_graph_binary(g, "mul", CLINFER_BINARY_MUL, x, k, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    return m;
}

static clinfer_session *session_of(clinfer_model *m)
{
    clinfer_session *s = NULL;
    clinfer_session_options o = clinfer_session_options_default();
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    return s;
}

/* The references for integers out: nearest, ties to even, saturated, NaN 0. */
static int64_t ref_int64(float v)
{
    if (isnan(v))
        return 0;
    if (v >= 9.2233715e18f)
        return INT64_MAX;
    if (v <= -9.2233715e18f)
        return INT64_MIN;
    return (int64_t)nearbyintf(v); /* the default rounding mode: to nearest even */
}

static uint8_t ref_uint8(float v)
{
    int64_t i = ref_int64(v);
    return (uint8_t)(i < 0 ? 0 : i > 255 ? 255 : i);
}

/* Half bits of the values these tests use: 0, +-inf, NaN and numbers with
 * at most 11 significant bits inside half's normal range (exact). */
static uint16_t ref_half_bits(float v)
{
    if (isnan(v))
        return 0x7e00;
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    v = fabsf(v);
    if (v == 0)
        return sign;
    if (v > 65504)
        return sign | 0x7c00;
    int e = 0;
    float m = frexpf(v, &e); /* v = m * 2^e, m in [0.5, 1) */
    cr_assert(e - 1 >= -14, "test value %g is subnormal in half", (double)v);
    uint16_t mant = (uint16_t)lrintf((m * 2 - 1) * 1024);
    cr_assert_eq((m * 2 - 1) * 1024, (float)mant, "test value %g is not exact in half", (double)v);
    return sign | (uint16_t)((e - 1 + 15) << 10) | mant;
}

static float half_value(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 31 ? (m ? NAN : INFINITY) : e ? ldexpf(1024 + m, e - 25) : ldexpf(m, -24);
    return h & 0x8000 ? -v : v;
}

/* Reads y in all four types and checks each against its reference from
 * the float32 result `want`. */
static void check_outputs(clinfer_session *s, const float *want, const char *what)
{
    float f[N];
    uint16_t h[N];
    int64_t l[N];
    uint8_t u[N];
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_FLOAT32, f, sizeof f),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_FLOAT16, h, sizeof h),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_INT64, l, sizeof l),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_UINT8, u, sizeof u),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    for (int i = 0; i < N; i++) {
        cr_assert(f[i] == want[i] || (isnan(f[i]) && isnan(want[i])),
                  "%s: float32 y[%d] = %g, want %g", what, i, (double)f[i], (double)want[i]);
        if (isnan(want[i])) /* any NaN: the payload is the device's */
            cr_assert((h[i] & 0x7c00) == 0x7c00 && (h[i] & 0x3ff), "%s: y[%d] = 0x%04x, not NaN",
                      what, i, h[i]);
        else
            cr_assert_eq(h[i], ref_half_bits(want[i]),
                         "%s: float16 y[%d] = 0x%04x, want 0x%04x (%g)", what, i, h[i],
                         ref_half_bits(want[i]), (double)want[i]);
        cr_assert_eq(l[i], ref_int64(want[i]), "%s: int64 y[%d] = %lld, want %lld (%g)", what,
                     i, (long long)l[i], (long long)ref_int64(want[i]), (double)want[i]);
        cr_assert_eq(u[i], ref_uint8(want[i]), "%s: uint8 y[%d] = %d, want %d (%g)", what, i,
                     u[i], ref_uint8(want[i]), (double)want[i]);
    }
}

/* Each input type through y = x / 2, read back in each type; half_storage:
 * the runtime stores half (only values half holds are given). */
static void typed_round_trips(clinfer_runtime *rt, int half_storage)
{
    clinfer_model *m = half_of(rt);
    clinfer_session *s = session_of(m);
    float want[N];

    uint8_t u[N]; /* 0..255 with odd values: ties in both directions */
    for (int i = 0; i < N; i++) {
        u[i] = (uint8_t)(i * 37 % 256);
        want[i] = (float)u[i] * 0.5f;
    }
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_UINT8, u, sizeof u),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    check_outputs(s, want, "uint8 in");
    clinfer_transfer_stats t = clinfer_session_transfers(s);
    cr_assert_eq(t.upload_bytes, N, "a uint8 input moves one byte an element (%llu)",
                 (unsigned long long)t.upload_bytes);

    /* Negatives, past uint8, odd (ties); in fp32 also past half's range
     * (halves of 131073 and more: +-inf in float16, exact in int64). Half
     * storage would make those infinite already on the way in. */
    int64_t l[N];
    static const int64_t big[2][12] = {
        {-300, -7, -1, 0, 1, 3, 5, 255, 511, 131073, 200001, 1000001},
        {-300, -7, -1, 0, 1, 3, 5, 255, 511, 1023, 2047, 4094}};
    for (int i = 0; i < N; i++) {
        l[i] = big[half_storage][i % 12] * (i < 12 ? 1 : -1);
        want[i] = (float)l[i] * 0.5f;
    }
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_INT64, l, sizeof l),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    check_outputs(s, want, "int64 in");

    uint16_t h[N]; /* half bits: signs, fractions, the largest half, inf, NaN */
    static const float hv[] = {0, -0.0f, 1.5f, -2.25f, 3, 65504, -65504, 0.125f, 1000, 7};
    for (int i = 0; i < N; i++) {
        float v = i == 40 ? INFINITY : i == 41 ? NAN : hv[i % 10] * (i / 10 % 2 ? -1 : 1);
        h[i] = ref_half_bits(v);
        cr_assert(half_value(h[i]) == v || isnan(v), "half reference of %g", (double)v);
        want[i] = v * 0.5f;
    }
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_FLOAT16, h, sizeof h),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    check_outputs(s, want, "float16 in");

    float x[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i - 20) * 1.25f;
        want[i] = x[i] * 0.5f;
    }
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_FLOAT32, x, sizeof x),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    check_outputs(s, want, "float32 in");

    clinfer_session_free(s);
    clinfer_model_free(m);
}

Test(typed_io, every_type_in_and_out_fp32)
{
    clinfer_runtime *rt = test_runtime();
    typed_round_trips(rt, 0);
    clinfer_runtime_free(rt);
}

/* In half storage float16 is copied as it is and float32 is rounded on the
 * host; every test value is exact in half, so the references stay. */
Test(typed_io, every_type_in_and_out_fp16)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = CLINFER_PRECISION_FP16;
    clinfer_runtime *rt = test_runtime_with(&o);
    typed_round_trips(rt, 1);
    clinfer_runtime_free(rt);
}

Test(typed_io, errors)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = half_of(rt);
    clinfer_session *s = session_of(m);
    uint8_t u[N] = {0};
    int64_t l[N];
    double d[N] = {0};

    cr_assert_eq(clinfer_session_set_input_typed(NULL, 0, CLINFER_DTYPE_UINT8, u, N),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_get_output_typed(NULL, 0, CLINFER_DTYPE_UINT8, u, N),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_UINT8, NULL, N),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s), "\"x\": the data pointer is NULL"), "%s",
              clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_INT64, NULL, sizeof l),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_UINT8, u, N - 1),
                 CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_session_errmsg(s), "42 elements of uint8 are 42 bytes; got 41"),
              "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_INT64, l, N * 4),
                 CLINFER_ERR_SHAPE, "the count of floats is not the count of int64 bytes");
    cr_assert(strstr(clinfer_last_errmsg(), "336 bytes; got 168"), "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_UINT8, u, 0),
                 CLINFER_ERR_SHAPE);
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_FLOAT64, d, sizeof d),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s),
                     "element type 11 (double) is not one of float32, float16, int64, uint8"),
              "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, (clinfer_dtype)99, u, N),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_session_set_input_typed(s, 1, CLINFER_DTYPE_UINT8, u, N),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_session_errmsg(s), "input index 1 out of range"), "%s",
              clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 3, CLINFER_DTYPE_UINT8, u, N),
                 CLINFER_ERR_INVALID_ARGUMENT);

    /* Still usable: the errors changed nothing. */
    for (int i = 0; i < N; i++)
        u[i] = (uint8_t)(2 * i + 1);
    cr_assert_eq(clinfer_session_set_input_typed(s, 0, CLINFER_DTYPE_UINT8, u, N), CLINFER_OK,
                 "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output_typed(s, 0, CLINFER_DTYPE_INT64, l, sizeof l),
                 CLINFER_OK, "%s", clinfer_session_errmsg(s));
    for (int i = 0; i < N; i++)
        cr_assert_eq(l[i], ref_int64((float)(2 * i + 1) * 0.5f), "y[%d] = %lld", i,
                     (long long)l[i]);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}
