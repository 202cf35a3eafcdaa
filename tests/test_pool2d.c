/*
 * test_pool2d.c — the pooling family (maxpool2d, avgpool2d, globalavgpool,
 * globalmaxpool) against the naive references of ref_pool2d.c on random
 * data: odd and non-square sizes, batch > 1, strides 1-3, symmetric and
 * asymmetric padding, dilation, ceil mode on and off, count_include_pad on
 * and off. Plus output shapes and a few values fixed by ONNX's and PyTorch's
 * own examples, and the parameter checks.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/eager.h"
#include "ref_pool2d.h"
#include "tensor.h"
#include "testutil.h"

/* ------------------------------------------------------------ harness */

/* Guard regions around every buffer a kernel sees: the kernel gets a
 * sub-buffer of exactly the tensor (offset 0 from its point of view) inside
 * a larger buffer whose ends hold GUARD_VALUE. A read past either end of
 * the input pulls 1e30 into a max or a sum, and a write past the output
 * changes a guard; both fail the test. 4 KiB is a multiple of any device's
 * base-address alignment for sub-buffers. */
#define GUARD_FLOATS 1024
#define GUARD_VALUE 1e30f

static cl_mem guarded_buffer(clinfer_runtime *rt, const float *data, size_t n, cl_mem *whole,
                             const char *what)
{
    float *host = test_alloc((n + 2 * GUARD_FLOATS) * sizeof(float));
    for (size_t i = 0; i < n + 2 * GUARD_FLOATS; i++)
        host[i] = i >= GUARD_FLOATS && i < GUARD_FLOATS + n ? data[i - GUARD_FLOATS] : GUARD_VALUE;
    cr_assert_eq(buffer_create(rt, (n + 2 * GUARD_FLOATS) * sizeof(float), host, whole),
                 CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    free(host);
    cl_buffer_region region = {GUARD_FLOATS * sizeof(float), n * sizeof(float)};
    cl_int err = CL_SUCCESS;
    cl_mem sub = clCreateSubBuffer(*whole, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
                                   &region, &err);
    cr_assert_eq(err, CL_SUCCESS, "%s: clCreateSubBuffer: %d", what, (int)err);
    return sub;
}

/* Uploads `in`, binds and enqueues the prepared launch `l`, reads `out_n`
 * results into `out`, checks the guards, and releases everything. The
 * output starts as NaN so that an element the kernel never writes fails
 * the comparison. */
static void run_launch(clinfer_runtime *rt, op_launch *l, const float *in, size_t in_n,
                       float *out, size_t out_n, const char *what)
{
    for (size_t i = 0; i < out_n; i++)
        out[i] = NAN;
    cl_mem in_whole = NULL, out_whole = NULL;
    cl_mem in_m = guarded_buffer(rt, in, in_n, &in_whole, what);
    cl_mem out_m = guarded_buffer(rt, out, out_n, &out_whole, what);
    cr_assert_eq(launch_bind_io(rt, l, dev_whole(in_m), dev_whole(out_m)), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    cr_assert_eq(launch_enqueue(rt, l, NULL), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    size_t all_n = out_n + 2 * GUARD_FLOATS;
    float *all = test_alloc(all_n * sizeof(float));
    cr_assert_eq(buffer_read(rt, out_whole, all_n * sizeof(float), all), CLINFER_OK, "%s: %s",
                 what, clinfer_last_errmsg());
    for (size_t i = 0; i < GUARD_FLOATS; i++)
        cr_assert(all[i] == GUARD_VALUE && all[GUARD_FLOATS + out_n + i] == GUARD_VALUE,
                  "%s: the kernel wrote outside the output (guard %zu)", what, i);
    memcpy(out, all + GUARD_FLOATS, out_n * sizeof(float));
    free(all);
    clReleaseMemObject(in_m);
    clReleaseMemObject(in_whole);
    clReleaseMemObject(out_m);
    clReleaseMemObject(out_whole);
    launch_release(l);
}

typedef enum { KIND_MAX, KIND_AVG } window_kind;

/* Runs maxpool2d or avgpool2d for p on the device into `got` (which must
 * hold the output) and returns the output element count. */
static size_t run_window(clinfer_runtime *rt, window_kind kind, const pool2d_params *p,
                         const float *in, float *got, const char *what)
{
    clinfer_shape s;
    cr_assert_eq(pool2d_output_shape(rt, p, &s), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    op_launch l;
    clinfer_status st =
        kind == KIND_MAX ? maxpool2d_prepare(rt, p, &l) : avgpool2d_prepare(rt, p, &l);
    cr_assert_eq(st, CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    size_t out_n = (size_t)shape_numel(&s);
    run_launch(rt, &l, in, (size_t)p->n * p->c * p->h * p->w, got, out_n, what);
    return out_n;
}

/* ------------------------------------------------- windowed pooling */

typedef struct pool_case {
    const char *name;
    int32_t n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
} pool_case;

static const pool_case cases[] = {
    {"2x2 s2", 1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
    {"2x2 s2 odd input", 2, 3, 7, 9, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
    {"3x3 s2 pad1", 3, 5, 13, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {"3x2 s1", 1, 4, 6, 10, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1},
    {"asym pad", 2, 2, 9, 8, 3, 3, 2, 3, 0, 2, 2, 0, 1, 1},
    {"stride 3", 2, 3, 10, 11, 3, 2, 3, 3, 1, 1, 2, 1, 1, 1},
    {"5x4 s3x2 asym pad", 1, 2, 16, 14, 5, 4, 3, 2, 2, 3, 4, 1, 1, 1},
    {"1x1 s2", 2, 2, 7, 6, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1},
    {"tall thin", 3, 1, 17, 3, 4, 2, 3, 1, 1, 1, 2, 0, 1, 1},
    {"dilation 2", 1, 3, 11, 12, 3, 2, 1, 2, 1, 0, 1, 1, 2, 2},
    {"dilation 2x3 pad", 2, 2, 9, 7, 3, 2, 2, 3, 2, 1, 1, 1, 2, 3},
    {"ceil drops last", 1, 2, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1},
    {"global-like", 2, 7, 5, 6, 5, 6, 1, 1, 0, 0, 0, 0, 1, 1},
    /* rows wider than a work-group (8 items along x), partial last group */
    {"wide s1 pad", 2, 3, 5, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"wide s3 asym pad", 1, 2, 6, 53, 2, 3, 2, 3, 0, 1, 1, 2, 1, 1},
    {"wide dilation 3", 1, 2, 7, 41, 2, 3, 1, 2, 1, 2, 0, 1, 2, 3},
    /* maxpool2d_rows: several 16-wide chunks per row, stride 2 with padding
     * at both ends; one plane split over work-items by rows */
    {"wide 3x3 s2 pad", 2, 3, 9, 75, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {"one big plane", 1, 1, 61, 47, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
    /* 3x3 stride 2 (maxpool2d_rows' separable path): SqueezeNet-like,
     * unpadded over 55 columns (four chunks, the last partial); ResNet-like,
     * padded, one plane split over items by rows */
    {"3x3 s2 55 wide", 1, 2, 23, 55, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1},
    {"3x3 s2 pad one plane in rows", 1, 1, 71, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    /* padded 3x3, window taps at -1 and 1: no input element inside */
    {"dilated window all padding", 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2},
};

static pool2d_params case_params(const pool_case *k, int ceil_mode, int count_include_pad)
{
    pool2d_params p = pool2d_params_default();
    p.n = k->n, p.c = k->c, p.h = k->h, p.w = k->w, p.kh = k->kh, p.kw = k->kw;
    p.stride_h = k->sh, p.stride_w = k->sw, p.dil_h = k->dh, p.dil_w = k->dw;
    p.pad_top = k->pt, p.pad_left = k->pl, p.pad_bottom = k->pb, p.pad_right = k->pr;
    p.ceil_mode = ceil_mode;
    p.count_include_pad = count_include_pad;
    return p;
}

/* Every case in floor and ceil mode; avg also with both count_include_pad. */
static void check_all_cases(window_kind kind)
{
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int ceil_mode = 0; ceil_mode <= 1; ceil_mode++)
            for (int cip = 0; cip <= (kind == KIND_AVG); cip++) {
                const pool_case *k = &cases[i];
                pool2d_params p = case_params(k, ceil_mode, cip);
                char what[160];
                const char *variant = getenv("CLINFER_POOL_VARIANT");
                snprintf(what, sizeof what, "%s %s, ceil_mode %d, count_include_pad %d%s%s",
                         kind == KIND_MAX ? "maxpool2d" : "avgpool2d", k->name, ceil_mode, cip,
                         variant ? ", variant " : "", variant ? variant : "");
                int32_t oh = ref_pool_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom,
                                          p.dil_h, ceil_mode);
                int32_t ow = ref_pool_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right,
                                          p.dil_w, ceil_mode);
                clinfer_shape s;
                cr_assert_eq(pool2d_output_shape(rt, &p, &s), CLINFER_OK, "%s: %s", what,
                             clinfer_last_errmsg());
                cr_assert(s.rank == 4 && s.dims[0] == p.n && s.dims[1] == p.c &&
                              s.dims[2] == oh && s.dims[3] == ow,
                          "%s: output shape [%lld, %lld, %lld, %lld], expected OH %d OW %d", what,
                          (long long)s.dims[0], (long long)s.dims[1], (long long)s.dims[2],
                          (long long)s.dims[3], oh, ow);
                size_t in_n = (size_t)p.n * p.c * p.h * p.w, out_n = (size_t)p.n * p.c * oh * ow;
                float *in = test_alloc(in_n * 4), *got = test_alloc(out_n * 4),
                      *want = test_alloc(out_n * 4);
                uint32_t seed = 99u + (uint32_t)i;
                fill_uniform(in, in_n, -5, 5, &seed);
                run_window(rt, kind, &p, in, got, what);
                if (kind == KIND_MAX) {
                    ref_maxpool2d(&p, in, want);
                    assert_equal(got, want, out_n, what);
                } else {
                    ref_avgpool2d(&p, in, want);
                    assert_close(got, want, out_n, 1e-5f, 1e-5f, what);
                }
                free(in), free(got), free(want);
            }
    clinfer_runtime_free(rt);
}

/* Both kernels of a kind, whichever the device would choose. */
static void check_both_variants(window_kind kind)
{
    static const char *const variants[] = {"items", "rows"};
    for (size_t v = 0; v < 2; v++) {
        setenv("CLINFER_POOL_VARIANT", variants[v], 1);
        check_all_cases(kind);
    }
    unsetenv("CLINFER_POOL_VARIANT");
}

Test(pool2d, maxpool_matches_reference_on_spread_of_shapes) { check_both_variants(KIND_MAX); }
Test(pool2d, avgpool_matches_reference_on_spread_of_shapes) { check_both_variants(KIND_AVG); }


Test(pool2d, eager_maxpool_in_ceil_mode)
{
    clinfer_runtime *rt = test_runtime();
    pool2d_params p = case_params(&cases[5], 1, 0);
    int32_t oh = ref_pool_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, p.dil_h, 1);
    int32_t ow = ref_pool_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, p.dil_w, 1);
    size_t in_n = (size_t)p.n * p.c * p.h * p.w, out_n = (size_t)p.n * p.c * oh * ow;
    float *in = test_alloc(in_n * 4), *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
    uint32_t seed = 7;
    fill_uniform(in, in_n, -1, 1, &seed);
    cr_assert_eq(maxpool2d_run_host(rt, &p, in, got), CLINFER_OK, "%s", clinfer_last_errmsg());
    ref_maxpool2d(&p, in, want);
    assert_equal(got, want, out_n, "eager maxpool2d, ceil mode");
    free(in), free(got), free(want);
    clinfer_runtime_free(rt);
}

/* Output extents along one axis, worked out by hand from the ONNX formula
 * and PyTorch's rule (a last window starting in the end padding is
 * dropped); both the library and the reference must agree. */
Test(pool2d, output_extents_floor_and_ceil)
{
    static const struct {
        int32_t in, k, s, p0, p1, d, ceil_mode, want;
    } ext[] = {
        {5, 2, 2, 0, 0, 1, 0, 2}, /* floor(3/2)+1 */
        {5, 2, 2, 0, 0, 1, 1, 3}, /* ceil(3/2)+1, the last window starts at 4 < 5 */
        {4, 2, 2, 0, 1, 1, 0, 2},
        {4, 2, 2, 0, 1, 1, 1, 2}, /* ceil gives 3, but window 3 starts at 4: padding */
        {4, 3, 2, 1, 1, 1, 1, 3}, /* window 3 starts at 4 - 1 = 3 < 4: kept */
        {4, 3, 2, 1, 1, 1, 0, 2},
        {6, 3, 3, 1, 2, 1, 1, 3}, /* ceil(6/3)+1 = 3, starts at 5 < 6 */
        {7, 3, 3, 0, 2, 1, 1, 3}, /* ceil(6/3)+1 = 3 */
        {8, 3, 3, 0, 0, 1, 1, 3}, /* ceil(5/3)+1 = 3, starts at 6 */
        {8, 3, 3, 0, 0, 1, 0, 2},
        {9, 3, 2, 2, 1, 2, 1, 5}, /* span 5, ceil(7/2)+1 = 5, starts at 6 */
        {7, 2, 3, 1, 1, 3, 1, 3}, /* span 4, ceil(5/3)+1 = 3, starts at 5 */
        {1, 1, 3, 0, 0, 1, 1, 1},
    };
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        pool2d_params p = pool2d_params_default();
        p.n = 2, p.c = 3, p.h = ext[i].in, p.w = 5, p.kh = ext[i].k, p.kw = 1;
        p.stride_h = ext[i].s, p.pad_top = ext[i].p0, p.pad_bottom = ext[i].p1;
        p.dil_h = ext[i].d, p.ceil_mode = ext[i].ceil_mode;
        clinfer_shape s;
        cr_assert_eq(pool2d_output_shape(rt, &p, &s), CLINFER_OK, "case %zu: %s", i,
                     clinfer_last_errmsg());
        cr_assert_eq(s.dims[2], ext[i].want, "case %zu: OH %lld, expected %d", i,
                     (long long)s.dims[2], ext[i].want);
        cr_assert_eq(s.dims[3], 5, "case %zu: OW", i);
        cr_assert_eq(ref_pool_out(ext[i].in, ext[i].k, ext[i].s, ext[i].p0, ext[i].p1, ext[i].d,
                                  ext[i].ceil_mode),
                     ext[i].want, "case %zu: the reference disagrees", i);
    }
    clinfer_runtime_free(rt);
}

/* Expected values from ONNX's backend tests (test_maxpool_2d_ceil,
 * test_averagepool_2d_ceil: input 1..16 as 4x4, kernel 3, stride 2, ceil
 * mode) and from PyTorch's avg_pool2d(ones(4, 4), 3, 2, padding=1,
 * ceil_mode=True, count_include_pad=True), where the last window of each
 * axis reaches past the padded input and counts only 2 of its 3 rows. */
Test(pool2d, known_values_from_onnx_and_pytorch)
{
    clinfer_runtime *rt = test_runtime();
    float x[16], ones[16], got[9];
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1), ones[i] = 1.0f;
    pool2d_params p = pool2d_params_default();
    p.n = 1, p.c = 1, p.h = 4, p.w = 4, p.kh = p.kw = 3, p.stride_h = p.stride_w = 2;
    p.ceil_mode = 1;

    const float max_want[4] = {11, 12, 15, 16};
    cr_assert_eq(run_window(rt, KIND_MAX, &p, x, got, "onnx maxpool ceil"), 4);
    assert_equal(got, max_want, 4, "test_maxpool_2d_ceil");

    const float avg_want[4] = {6, 7.5f, 12, 13.5f};
    cr_assert_eq(run_window(rt, KIND_AVG, &p, x, got, "onnx avgpool ceil"), 4);
    assert_close(got, avg_want, 4, 1e-6f, 1e-6f, "test_averagepool_2d_ceil");

    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.count_include_pad = 1;
    const float torch_want[9] = {4.f / 9, 2.f / 3, 1.f / 3, 2.f / 3, 1, 0.5f,
                                 1.f / 3, 0.5f,    0.25f};
    cr_assert_eq(run_window(rt, KIND_AVG, &p, ones, got, "torch avgpool"), 9);
    assert_close(got, torch_want, 9, 1e-6f, 1e-6f, "avg_pool2d count_include_pad ceil_mode");

    p.count_include_pad = 0;
    const float all_ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    cr_assert_eq(run_window(rt, KIND_AVG, &p, ones, got, "torch avgpool exclude pad"), 9);
    assert_close(got, all_ones, 9, 1e-6f, 1e-6f, "avg_pool2d exclude pad, ceil_mode");
    clinfer_runtime_free(rt);
}

/* -------------------------------------------------------- global pools */

Test(pool2d, global_pools_match_reference)
{
    static const globalpool_params shapes[] = {
        {2, 5, 7, 3}, {1, 3, 1, 1}, {1, 2, 33, 35}, {3, 4, 16, 16}, {2, 3, 1, 9},
    };
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const globalpool_params *p = &shapes[i];
        clinfer_shape s;
        cr_assert_eq(globalpool_output_shape(rt, p, &s), CLINFER_OK, "%s",
                     clinfer_last_errmsg());
        cr_assert(s.rank == 4 && s.dims[0] == p->n && s.dims[1] == p->c && s.dims[2] == 1 &&
                  s.dims[3] == 1);
        size_t in_n = (size_t)p->n * p->c * p->h * p->w, out_n = (size_t)p->n * p->c;
        float *in = test_alloc(in_n * 4), *got = test_alloc(out_n * 4),
              *want = test_alloc(out_n * 4);
        uint32_t seed = 1234u + (uint32_t)i;
        fill_uniform(in, in_n, -5, 5, &seed);
        char what[96];
        op_launch l;

        snprintf(what, sizeof what, "globalavgpool [%d, %d, %d, %d]", p->n, p->c, p->h, p->w);
        cr_assert_eq(globalavgpool_prepare(rt, p, &l), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        run_launch(rt, &l, in, in_n, got, out_n, what);
        ref_globalavgpool(p, in, want);
        assert_close(got, want, out_n, 1e-5f, 1e-5f, what);

        snprintf(what, sizeof what, "globalmaxpool [%d, %d, %d, %d]", p->n, p->c, p->h, p->w);
        cr_assert_eq(globalmaxpool_prepare(rt, p, &l), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        run_launch(rt, &l, in, in_n, got, out_n, what);
        ref_globalmaxpool(p, in, want);
        assert_equal(got, want, out_n, what);
        free(in), free(got), free(want);
    }
    clinfer_runtime_free(rt);
}

/* -------------------------------------------------------------- errors */

/* Expects `st` to be `want` and the last message to contain each of the
 * (up to two) fragments. */
static void expect_error(clinfer_status st, clinfer_status want, const char *frag1,
                         const char *frag2)
{
    const char *msg = clinfer_last_errmsg();
    cr_assert_eq(st, want, "status %s, expected %s (%s)", clinfer_status_str(st),
                 clinfer_status_str(want), msg);
    cr_assert(strstr(msg, frag1), "message lacks \"%s\": %s", frag1, msg);
    cr_assert(!frag2 || strstr(msg, frag2), "message lacks \"%s\": %s", frag2, msg);
}

static pool2d_params small_params(void)
{
    pool2d_params p = pool2d_params_default();
    p.n = 1, p.c = 2, p.h = 5, p.w = 6, p.kh = 2, p.kw = 3;
    return p;
}

Test(pool2d, rejects_padding_not_smaller_than_window)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape s;
    pool2d_params p = small_params();
    p.pad_left = 3;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT, "pad_left",
                 "smaller than the window (kw=3)");
    p = small_params();
    p.pad_bottom = 2;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT, "pad_bottom",
                 "found 2");
    p = small_params();
    p.pad_top = -1;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT, "pad_top", ">= 0");
    p = small_params();
    p.pad_right = 1, p.pad_left = 2; /* both fine: smaller than kw = 3 */
    cr_assert_eq(pool2d_output_shape(rt, &p, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

Test(pool2d, rejects_window_larger_than_padded_input)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape s;
    for (int ceil_mode = 0; ceil_mode <= 1; ceil_mode++) {
        pool2d_params p = small_params();
        p.ceil_mode = ceil_mode;
        p.kh = 6;
        expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_SHAPE,
                     "larger than the padded input", "5x6");
        p.pad_top = 1; /* padded 6 rows: now it fits */
        cr_assert_eq(pool2d_output_shape(rt, &p, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
        cr_assert_eq(s.dims[2], 1);
        p = small_params();
        p.ceil_mode = ceil_mode;
        p.kw = 3, p.dil_w = 3; /* spans 7 > 6 columns */
        expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_SHAPE,
                     "larger than the padded input", "spans 2x7");
    }
    clinfer_runtime_free(rt);
}

Test(pool2d, rejects_bad_attributes)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape s;
    pool2d_params p = small_params();
    p.stride_w = 0;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT, "strides",
                 "(1, 0)");
    p = small_params();
    p.dil_h = -2;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT, "dilations",
                 "(-2, 1)");
    p = small_params();
    p.ceil_mode = 2;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT, "ceil_mode",
                 "found 2");
    p = small_params();
    p.count_include_pad = -1;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_INVALID_ARGUMENT,
                 "count_include_pad", "found -1");
    p = small_params();
    p.c = 0;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_SHAPE, "positive", "C=0");
    p = small_params();
    p.kw = 0;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_SHAPE, "positive", "kw=0");
    clinfer_runtime_free(rt);
}

Test(pool2d, rejects_sizes_too_large)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape s;
    pool2d_params p = small_params();
    p.n = p.c = p.h = p.w = 1 << 20; /* 2^80 elements */
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_SHAPE, "too many elements", NULL);
    p = small_params();
    p.h = INT32_MAX - 2;
    p.kh = 2, p.pad_bottom = 1;
    expect_error(pool2d_output_shape(rt, &p, &s), CLINFER_ERR_SHAPE, "32-bit", NULL);
    globalpool_params g = {1 << 20, 1 << 20, 1 << 20, 1 << 20};
    expect_error(globalpool_output_shape(rt, &g, &s), CLINFER_ERR_SHAPE, "too many elements",
                 NULL);
    clinfer_runtime_free(rt);
}

Test(pool2d, prepare_names_the_op_and_creates_nothing_on_error)
{
    clinfer_runtime *rt = test_runtime();
    pool2d_params p = small_params();
    p.stride_h = 0;
    op_launch l = {0};
    expect_error(maxpool2d_prepare(rt, &p, &l), CLINFER_ERR_INVALID_ARGUMENT, "maxpool2d:",
                 "strides");
    cr_assert_null(l.kernel);
    expect_error(avgpool2d_prepare(rt, &p, &l), CLINFER_ERR_INVALID_ARGUMENT, "avgpool2d:",
                 "strides");
    cr_assert_null(l.kernel);
    globalpool_params g = {2, 3, 0, 4};
    expect_error(globalavgpool_prepare(rt, &g, &l), CLINFER_ERR_SHAPE, "globalavgpool:",
                 "[2, 3, 0, 4]");
    cr_assert_null(l.kernel);
    expect_error(globalmaxpool_prepare(rt, &g, &l), CLINFER_ERR_SHAPE, "globalmaxpool:",
                 "positive");
    cr_assert_null(l.kernel);
    clinfer_runtime_free(rt);
}

/* Read when the runtime is created: a bad value fails the creation. */
Test(pool2d, unknown_pool_variant_is_refused)
{
    clinfer_runtime *rt = NULL;
    setenv("CLINFER_POOL_VARIANT", "fastest", 1);
    expect_error(clinfer_runtime_create(NULL, &rt), CLINFER_ERR_INVALID_ARGUMENT,
                 "CLINFER_POOL_VARIANT=\"fastest\"", "expected rows, items or auto");
    cr_assert_null(rt);
    unsetenv("CLINFER_POOL_VARIANT");
}
