/*
 * test_half.c — half-precision storage (CLINFER_PRECISION_FP16): the
 * host's float <-> half conversions against values written out here and
 * against testutil's own rounding; the precision option and its errors;
 * the lecture's CNN in fp16 against the same model in fp32 (predictions
 * and probabilities); half the weight and activation bytes; bound buffers
 * holding half values.
 */
#define _POSIX_C_SOURCE 200809L
#include "cl.h" /* the library's OpenCL target version, before clinfer_cl.h */

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer_cl.h"
#include "half.h"
#include "testutil.h"

#define CK(call)                                                                             \
    do {                                                                                     \
        clinfer_status st_ = (call);                                                         \
        cr_assert_eq(st_, CLINFER_OK, "%s: %s: %s", #call, clinfer_status_str(st_),          \
                     clinfer_last_errmsg());                                                 \
    } while (0)

/* ------------------------------------------------------------ conversions */

Test(half, known_values_both_ways)
{
    static const struct {
        uint16_t h;
        float f;
    } known[] = {
        {0x0000, 0.0f},          {0x8000, -0.0f},        {0x3c00, 1.0f},
        {0xc000, -2.0f},         {0x3555, 0.333251953125f}, {0x7bff, 65504.0f},
        {0x0400, 6.103515625e-05f}, /* smallest normal, 2^-14 */
        {0x0001, 5.9604644775390625e-08f}, /* smallest subnormal, 2^-24 */
        {0x03ff, 6.097555160522461e-05f},  /* largest subnormal */
        {0x7c00, INFINITY},      {0xfc00, -INFINITY},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const float f = half_to_float(known[i].h);
        cr_assert(f == known[i].f && signbit(f) == signbit(known[i].f),
                  "half 0x%04x: got %.10g, expected %.10g", known[i].h, f, known[i].f);
        cr_assert_eq(half_from_float(known[i].f), known[i].h, "%.10g: got 0x%04x, expected 0x%04x",
                     known[i].f, half_from_float(known[i].f), known[i].h);
    }
}

Test(half, rounds_to_nearest_even_and_saturates_to_infinity)
{
    static const struct {
        float f;
        uint16_t h;
    } cases[] = {
        {1.0f + 0x1p-11f, 0x3c00},          /* tie: to the even 1.0 */
        {1.0f + 3 * 0x1p-11f, 0x3c02},      /* tie: to the even 1 + 2^-9 */
        {1.0f + 0x1p-11f + 0x1p-20f, 0x3c01}, /* just past the tie: up */
        {65519.0f, 0x7bff},                 /* below the midpoint to 65536: 65504 */
        {65520.0f, 0x7c00},                 /* the midpoint: to infinity (even) */
        {1e10f, 0x7c00},
        {-1e10f, 0xfc00},
        {0x1p-25f, 0x0000},                 /* half the smallest subnormal: to even 0 */
        {0x1.8p-25f, 0x0001},               /* past it: the smallest subnormal */
        {3 * 0x1p-25f, 0x0002},             /* 1.5 subnormals: to the even 2 */
        {-0x1p-30f, 0x8000},                /* underflow keeps the sign */
        {0x1.ffcp-15f, 0x0400},             /* a subnormal rounding up to 2^-14 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(half_from_float(cases[i].f), cases[i].h, "%a: got 0x%04x, expected 0x%04x",
                     cases[i].f, half_from_float(cases[i].f), cases[i].h);
    cr_assert(isnan(half_to_float(half_from_float(NAN))), "NaN must stay NaN");
}

Test(half, every_half_survives_the_round_trip)
{
    for (uint32_t h = 0; h <= 0xffff; h++) {
        const float f = half_to_float((uint16_t)h);
        if (isnan(f)) {
            cr_assert((h & 0x7c00) == 0x7c00 && (h & 0x3ff), "0x%04x read as NaN", h);
            cr_assert(isnan(half_to_float(half_from_float(f))), "NaN 0x%04x", h);
            continue;
        }
        cr_assert_eq(half_from_float(f), (uint16_t)h, "0x%04x -> %a -> 0x%04x", h, f,
                     half_from_float(f));
    }
}

Test(half, random_floats_match_an_independent_rounding)
{
    uint32_t seed = 12345;
    float x[4096], want[4096];
    for (int scale = -20; scale <= 15; scale += 5) {
        fill_uniform(x, 4096, -ldexpf(1, scale), ldexpf(1, scale), &seed);
        memcpy(want, x, sizeof x);
        round_to_half(want, 4096);
        for (int i = 0; i < 4096; i++)
            cr_assert_eq(half_to_float(half_from_float(x[i])), want[i], "%a: got %a, expected %a",
                         x[i], half_to_float(half_from_float(x[i])), want[i]);
    }
}

/* The array conversions (F16C instructions where the CPU has them) give
 * the scalar functions' results bit for bit: every half, and floats around
 * every rounding boundary, subnormals, overflow, infinities and NaNs, in
 * lengths that leave a tail after the 8-wide blocks. */
Test(half, array_conversions_match_the_scalar_ones)
{
    enum { N = 65536 + 7 };
    uint16_t *h = malloc(N * sizeof *h), *back = malloc(N * sizeof *back);
    float *f = malloc(N * sizeof *f), *g = malloc(N * sizeof *g);
    cr_assert(h && back && f && g);
    for (uint32_t i = 0; i < N; i++)
        h[i] = (uint16_t)(i * 40503u); /* every half once (40503 is odd), then a few again */
    half_to_floats(h, f, N);
    for (uint32_t i = 0; i < N; i++) {
        const float want = half_to_float(h[i]);
        if (isnan(want)) /* F16C also quiets a signalling NaN; the sign stays */
            cr_assert(isnan(f[i]) && signbit(f[i]) == signbit(want), "0x%04x: %a", h[i], f[i]);
        else
            cr_assert(memcmp(&f[i], &want, sizeof want) == 0, "0x%04x: %a vs %a", h[i], f[i],
                      want);
    }
    /* floats: each half's value nudged by -2..+2 float ulps (ties and their
     * neighbours), and raw bit patterns of every exponent */
    uint32_t seed = 777;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t bits;
        if (i % 2) {
            seed = seed * 1664525u + 1013904223u;
            bits = seed;
        } else {
            float v = half_to_float((uint16_t)(i * 40503u));
            memcpy(&bits, &v, sizeof bits);
            bits += (i / 2) % 5 - 2;
        }
        memcpy(&g[i], &bits, sizeof bits);
    }
    half_from_floats(g, back, N);
    for (uint32_t i = 0; i < N; i++) {
        const uint16_t want = half_from_float(g[i]);
        if (isnan(g[i])) /* NaN: a quiet NaN with the float's sign either way */
            cr_assert((back[i] & 0xfe00) == (want & 0xfe00) && (back[i] & 0x3ff),
                      "%a: 0x%04x vs 0x%04x", g[i], back[i], want);
        else
            cr_assert_eq(back[i], want, "%a: got 0x%04x, expected 0x%04x", g[i], back[i], want);
    }
    /* the portable forms agree too (they are what non-x86 builds use) */
    half_from_floats_portable(g, h, N);
    for (uint32_t i = 0; i < N; i++)
        cr_assert(isnan(g[i]) || h[i] == back[i], "%a", g[i]);
    free(h);
    free(back);
    free(f);
    free(g);
}

/* ------------------------------------------------------------ the option */

Test(half, precision_names_and_parsing)
{
    clinfer_precision p = CLINFER_PRECISION_DEFAULT;
    cr_assert_str_eq(clinfer_precision_name(CLINFER_PRECISION_FP16), "fp16");
    cr_assert_str_eq(clinfer_precision_name(CLINFER_PRECISION_FP32), "fp32");
    cr_assert_null(clinfer_precision_name((clinfer_precision)7));
    CK(clinfer_precision_parse("fp16", &p));
    cr_assert_eq(p, CLINFER_PRECISION_FP16);
    cr_assert_eq(clinfer_precision_parse("half", &p), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "fp32, fp16 or fp16-math"), "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_precision_parse(NULL, &p), CLINFER_ERR_INVALID_ARGUMENT);
}

Test(half, bad_option_and_variable_fail_runtime_creation)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    clinfer_runtime *rt = NULL;
    o.precision = (clinfer_precision)9;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "precision=9"), "%s", clinfer_last_errmsg());
    o.precision = CLINFER_PRECISION_DEFAULT;
    setenv("CLINFER_PRECISION", "fp8", 1);
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "CLINFER_PRECISION=\"fp8\""), "%s",
              clinfer_last_errmsg());
    setenv("CLINFER_PRECISION", "fp16", 1);
    rt = test_runtime();
    cr_assert_eq(clinfer_runtime_precision(rt), CLINFER_PRECISION_FP16);
    clinfer_runtime_free(rt);
    o.precision = CLINFER_PRECISION_FP32; /* the option wins over the variable */
    rt = test_runtime_with(&o);
    cr_assert_eq(clinfer_runtime_precision(rt), CLINFER_PRECISION_FP32);
    clinfer_runtime_free(rt);
    unsetenv("CLINFER_PRECISION");
}

/* ------------------------------------------------------------ a whole CNN */

#define IMAGES 600
#define BATCH 50

typedef struct cnn_run {
    clinfer_runtime *rt;
    clinfer_model *m;
    clinfer_session *s;
} cnn_run;

static cnn_run cnn_open(clinfer_precision precision)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = precision;
    cnn_run r = {test_runtime_with(&o), NULL, NULL};
    clinfer_session_options so = clinfer_session_options_default();
    so.batch = BATCH;
    CK(clinfer_model_load(r.rt, test_model_path("lecture_cnn.onnx"), &r.m));
    CK(clinfer_session_create(r.m, &so, &r.s));
    return r;
}

static void cnn_close(cnn_run *r)
{
    clinfer_session_free(r->s);
    clinfer_model_free(r->m);
    clinfer_runtime_free(r->rt);
}

/* Images that look like Fashion-MNIST's: a bright blob of random shape on
 * a dark background, with noise (uniform noise alone gives near ties). */
static void make_images(float *x, int count, uint32_t seed)
{
    for (int n = 0; n < count; n++) {
        float p[6];
        fill_uniform(p, 6, 0.0f, 1.0f, &seed);
        const float cy = 8 + 12 * p[0], cx = 8 + 12 * p[1], ry = 3 + 9 * p[2], rx = 3 + 9 * p[3];
        float *img = x + (size_t)n * 28 * 28;
        fill_uniform(img, 28 * 28, 0.0f, 0.15f, &seed);
        for (int y = 0; y < 28; y++)
            for (int xx = 0; xx < 28; xx++) {
                const float dy = (y - cy) / ry, dx = (xx - cx) / rx;
                if (dy * dy + dx * dx < 1.0f)
                    img[y * 28 + xx] += 0.4f + 0.45f * p[4 + (xx + y) % 2];
            }
    }
}

static int argmax10(const float *p)
{
    int best = 0;
    for (int c = 1; c < 10; c++)
        if (p[c] > p[best])
            best = c;
    return best;
}

Test(half, lecture_cnn_agrees_with_fp32, .timeout = 600)
{
    float *images = test_alloc(sizeof(float) * IMAGES * 28 * 28);
    float *p32 = test_alloc(sizeof(float) * IMAGES * 10),
          *p16 = test_alloc(sizeof(float) * IMAGES * 10);
    make_images(images, IMAGES, 2024);
    cnn_run r32 = cnn_open(CLINFER_PRECISION_FP32), r16 = cnn_open(CLINFER_PRECISION_FP16);
    for (int b = 0; b < IMAGES; b += BATCH) {
        const float *in = images + (size_t)b * 28 * 28;
        CK(clinfer_session_set_input(r32.s, 0, in, BATCH * 28 * 28));
        CK(clinfer_session_set_input(r16.s, 0, in, BATCH * 28 * 28));
        CK(clinfer_session_run(r32.s));
        CK(clinfer_session_run(r16.s));
        CK(clinfer_session_get_output(r32.s, 0, p32 + (size_t)b * 10, BATCH * 10));
        CK(clinfer_session_get_output(r16.s, 0, p16 + (size_t)b * 10, BATCH * 10));
    }
    int agree = 0;
    float worst = 0;
    for (int i = 0; i < IMAGES; i++) {
        agree += argmax10(p32 + i * 10) == argmax10(p16 + i * 10);
        for (int c = 0; c < 10; c++)
            worst = fmaxf(worst, fabsf(p32[i * 10 + c] - p16[i * 10 + c]));
    }
    cr_log_info("lecture CNN fp16 vs fp32: %d / %d predictions agree, max |dp| %.3g", agree,
                IMAGES, worst);
    cr_assert(agree * 1000 >= IMAGES * 995, "only %d of %d predictions agree", agree, IMAGES);
    cr_assert(worst <= 1e-2f, "probabilities differ by up to %g", worst);

    /* half the bytes: the constants exactly, the arena about (64-byte starts) */
    const clinfer_memory_stats m32 = clinfer_session_memory(r32.s),
                               m16 = clinfer_session_memory(r16.s);
    cr_assert_eq(clinfer_model_weight_bytes(r16.m) * 2, clinfer_model_weight_bytes(r32.m));
    cr_assert_eq(m16.activation_bytes_unshared * 2, m32.activation_bytes_unshared);
    cr_assert(m16.activation_bytes * 100 <= m32.activation_bytes * 55, "arena %llu vs %llu",
              (unsigned long long)m16.activation_bytes, (unsigned long long)m32.activation_bytes);
    cnn_close(&r32);
    cnn_close(&r16);
    free(images), free(p32), free(p16);
}

/* ------------------------------------------------------------ bound buffers */

/* A one-node graph, out = relu(x) on 37 values, in fp16 with the input and
 * the output bound to caller buffers: they hold half values (2 bytes each),
 * and an offset must be a multiple of 2. */
Test(half, bound_buffers_hold_halves)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = CLINFER_PRECISION_FP16;
    clinfer_runtime *rt = test_runtime_with(&o);
    clinfer_graph *g = NULL;
    clinfer_value x = 0, y = 0;
    const int64_t dims[1] = {37};
    clinfer_shape s;
    memset(&s, 0, sizeof s);
    s.rank = 1, s.dims[0] = dims[0];
    CK(clinfer_graph_create(&g));
    CK(clinfer_graph_input(g, "x", &s, &x));
    CK(clinfer_graph_unary(g, "relu", CLINFER_UNARY_RELU, x, 0, 0, &y));
    CK(clinfer_graph_output(g, y, "y"));
    clinfer_model *m = NULL;
    clinfer_session *ses = NULL;
    CK(clinfer_model_compile(rt, g, &m));
    CK(clinfer_session_create(m, NULL, &ses));
    uint16_t in[38], out[38];
    float want[37];
    for (int i = 0; i < 37; i++) {
        const float v = (float)(i - 18) * 0.375f; /* exact in half */
        in[i + 1] = half_from_float(v);
        want[i] = v < 0 ? 0.0f : v;
    }
    cl_int err = CL_SUCCESS;
    cl_context ctx = clinfer_runtime_cl_context(rt);
    cl_mem bi = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof in, in, &err);
    cl_mem bo = clCreateBuffer(ctx, CL_MEM_READ_WRITE, sizeof out, NULL, &err);
    cr_assert(bi && bo, "clCreateBuffer: %d", err);
    cr_assert_eq(clinfer_session_set_input_buffer(ses, 0, bi, 1), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "multiple of 2"), "%s", clinfer_last_errmsg());
    CK(clinfer_session_set_input_buffer(ses, 0, bi, 2)); /* element 1 on */
    CK(clinfer_session_set_output_buffer(ses, 0, bo, 0));
    CK(clinfer_session_run(ses));
    cr_assert_eq(clEnqueueReadBuffer(clinfer_session_cl_queue(ses), bo, CL_TRUE, 0, 37 * 2, out,
                                     0, NULL, NULL),
                 CL_SUCCESS);
    for (int i = 0; i < 37; i++)
        cr_assert_eq(half_to_float(out[i]), want[i], "element %d: %g, expected %g", i,
                     half_to_float(out[i]), want[i]);
    clinfer_session_free(ses);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clReleaseMemObject(bi);
    clReleaseMemObject(bo);
    clinfer_runtime_free(rt);
}
