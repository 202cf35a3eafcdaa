/*
 * test_softmax.c — Softmax and LogSoftmax against the naive reference on
 * random data: every axis (positive and negative) of odd rank-4 and rank-3
 * shapes (rows that are and are not multiples of the vector width, inner
 * sizes above and below it), rows of length 1, rank 1, magnitudes around
 * +-1000, the opset < 13 coercion to 2-D, in-place runs; and the error
 * paths.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "op_test.h"
#include "ops/softmax.h"
#include "ref_softmax.h"
#include "tensor.h"
#include "testutil.h"

static size_t numel(const clinfer_shape *s)
{
    size_t n = 1;
    for (int32_t i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    return n;
}

/* Runs p on in; in_place: one buffer for input and output. */
static clinfer_status run_softmax(clinfer_runtime *rt, const softmax_params *p, const float *in,
                                  float *out, int in_place)
{
    size_t n = numel(&p->shape), bytes = (n ? n : 1) * sizeof(float);
    cl_mem mi = NULL, mo = NULL;
    cr_assert_eq(buffer_create(rt, bytes, n ? in : NULL, &mi), CLINFER_OK);
    if (!in_place)
        cr_assert_eq(buffer_create(rt, bytes, NULL, &mo), CLINFER_OK);
    op_launch l = {0};
    clinfer_status st;
    if ((st = softmax_prepare(rt, p, &l)) == CLINFER_OK &&
        (st = launch_bind_io(rt, &l, dev_whole(mi), dev_whole(in_place ? mi : mo))) == CLINFER_OK &&
        (st = launch_enqueue(rt, &l, NULL)) == CLINFER_OK && n)
        st = buffer_read(rt, in_place ? mi : mo, n * sizeof(float), out);
    launch_release(&l);
    clReleaseMemObject(mi);
    if (mo)
        clReleaseMemObject(mo);
    return st;
}

/* The node under test (legacy: the opset < 13 coercion to 2-D). */
static clinfer_status add_softmax(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                  clinfer_value *out)
{
    const softmax_params *p = ctx;
    return graph_softmax_ex(g, "softmax", in[0], (int32_t)p->axis, p->log, p->legacy, out);
}

/* Through a one-node graph (test_op), or, in_place, through the op with
 * one buffer for input and output (which a graph never does). */
static void check(clinfer_runtime *rt, clinfer_shape s, int64_t axis, int legacy, int log,
                  float lo, float hi, uint32_t seed, int in_place)
{
    char what[160], sb[128];
    snprintf(what, sizeof what, "%s%s axis %lld of %s%s", log ? "LogSoftmax" : "Softmax",
             legacy ? " (legacy 2-D)" : "", (long long)axis, shape_str(&s, sb, sizeof sb),
             in_place ? " in place" : "");
    softmax_params p = softmax_params_default();
    p.shape = s, p.axis = axis, p.legacy = legacy, p.log = log;
    size_t n = numel(&s);
    float *in = test_alloc(n * 4), *got = test_alloc(n * 4), *want = test_alloc(n * 4);
    fill_uniform(in, n, lo, hi, &seed);
    if (fabsf(lo) >= 100 || fabsf(hi) >= 100)
        round_to_half(in, n); /* half storage holds them exactly (0.5 apart near 1000) */
    ref_softmax(&s, axis, legacy, log, in, want);
    if (in_place) {
        cr_assert_eq(run_softmax(rt, &p, in, got, in_place), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        assert_close(got, want, n, 1e-5f, 1e-4f, what);
    } else {
        const op_input x = {s, in, 0};
        const op_test t = {what, &x, 1, add_softmax, &p, want, s, 1e-5f, 1e-4f, {{0}}};
        test_op(&t);
    }
    free(in), free(got), free(want);
}

static clinfer_shape shp(int32_t rank, int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
    const int64_t d[4] = {d0, d1, d2, d3};
    return shape_make(rank, d);
}

Test(softmax, every_axis_both_ops)
{
    clinfer_runtime *rt = test_runtime();
    /* axis 3: rows of 37 (2 vectors + tail); axis 2: inner 37; axis 1:
     * inner 185; axis 0: outer 1, inner 740 */
    const clinfer_shape shapes[] = {shp(4, 3, 4, 5, 37), shp(3, 2, 9, 5, 0)};
    for (size_t s = 0; s < 2; s++)
        for (int log = 0; log <= 1; log++)
            for (int64_t axis = -shapes[s].rank; axis < shapes[s].rank; axis++)
                check(rt, shapes[s], axis, 0, log, -4, 4,
                      11u + (uint32_t)(s * 100 + (size_t)log * 10 + (size_t)(axis + 4)), 0);
    clinfer_runtime_free(rt);
}

Test(softmax, rows_of_length_one_and_rank_one)
{
    clinfer_runtime *rt = test_runtime();
    for (int log = 0; log <= 1; log++) {
        check(rt, shp(1, 1, 0, 0, 0), 0, 0, log, -3, 3, 1, 0);     /* one element */
        check(rt, shp(2, 7, 1, 0, 0), 1, 0, log, -3, 3, 2, 0);     /* rows of 1 */
        check(rt, shp(3, 2, 1, 21, 0), 1, 0, log, -3, 3, 3, 0);    /* len 1, inner 21 */
        check(rt, shp(1, 100, 0, 0, 0), -1, 0, log, -3, 3, 4, 0); /* rank 1 */
        check(rt, shp(1, 16, 0, 0, 0), 0, 0, log, -3, 3, 5, 0);   /* one whole vector */
    }
    /* Softmax over a length-1 axis is exactly 1, LogSoftmax exactly 0 */
    softmax_params p = softmax_params_default();
    p.shape = shp(2, 5, 1, 0, 0);
    float in[5] = {-1000, -1, 0, 3, 1000}, out[5];
    cr_assert_eq(run_softmax(rt, &p, in, out, 0), CLINFER_OK);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(out[i], 1.0f, "softmax of a row of 1: %g", out[i]);
    p.log = 1;
    cr_assert_eq(run_softmax(rt, &p, in, out, 0), CLINFER_OK);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(out[i], 0.0f, "logsoftmax of a row of 1: %g", out[i]);
    clinfer_runtime_free(rt);
}

Test(softmax, large_magnitudes_are_stable)
{
    clinfer_runtime *rt = test_runtime();
    for (int log = 0; log <= 1; log++) {
        /* around +1000, around -1000, and both in one row */
        check(rt, shp(2, 6, 45, 0, 0), -1, 0, log, 995, 1005, 21, 0);
        check(rt, shp(2, 6, 45, 0, 0), -1, 0, log, -1005, -995, 22, 0);
        check(rt, shp(3, 3, 20, 19, 0), 1, 0, log, -1000, 1000, 23, 0);
        check(rt, shp(3, 3, 20, 19, 0), 1, 0, log, 990, 1000, 24, 0);
    }
    /* a row holding +1000 and -1000 exactly */
    softmax_params p = softmax_params_default();
    p.shape = shp(1, 3, 0, 0, 0);
    float in[3] = {1000, -1000, 1000}, out[3];
    cr_assert_eq(run_softmax(rt, &p, in, out, 0), CLINFER_OK);
    cr_assert(out[0] == 0.5f && out[1] == 0.0f && out[2] == 0.5f, "got %g %g %g", out[0], out[1],
              out[2]);
    p.log = 1;
    cr_assert_eq(run_softmax(rt, &p, in, out, 0), CLINFER_OK);
    cr_assert(fabsf(out[0] + logf(2)) < 1e-6f && out[1] < -1999 && isfinite(out[1]),
              "got %g %g %g", out[0], out[1], out[2]);
    clinfer_runtime_free(rt);
}

Test(softmax, legacy_coercion_to_2d)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape s = shp(4, 2, 3, 4, 5);
    for (int log = 0; log <= 1; log++)
        for (int64_t axis = -4; axis < 4; axis++)
            check(rt, s, axis, 1, log, -3, 3, 31u + (uint32_t)(axis + 4 + log * 8), 0);
    /* opset < 13 with the axis last is the same as opset 13 */
    check(rt, shp(3, 4, 3, 33, 0), 2, 1, 0, -3, 3, 41, 0);
    clinfer_runtime_free(rt);
}

Test(softmax, in_place)
{
    clinfer_runtime *rt = test_runtime();
    check(rt, shp(3, 4, 6, 37, 0), -1, 0, 0, -3, 3, 51, 1);
    check(rt, shp(3, 4, 6, 37, 0), 1, 0, 1, -3, 3, 52, 1);
    clinfer_runtime_free(rt);
}

Test(softmax, rejects_bad_axis_and_rank)
{
    clinfer_runtime *rt = test_runtime();
    softmax_params p = softmax_params_default();
    clinfer_shape out;
    int64_t o, l, i;
    p.shape = shp(4, 2, 3, 4, 5);
    p.axis = 4;
    cr_assert_eq(softmax_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(),
                     "Softmax: axis 4 is out of range [-4, 3] for input [2, 3, 4, 5]"),
              "message: %s", clinfer_last_errmsg());
    p.axis = -5;
    p.log = 1;
    cr_assert_eq(softmax_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "LogSoftmax: axis -5"), "message: %s",
              clinfer_last_errmsg());
    op_launch lch = {0};
    cr_assert_eq(softmax_prepare(rt, &p, &lch), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(lch.kernel);
    p.axis = -3;
    cr_assert_eq(softmax_geometry(rt, &p, &o, &l, &i), CLINFER_OK);
    cr_assert(o == 2 && l == 3 && i == 20, "view %lld x %lld x %lld", (long long)o,
              (long long)l, (long long)i);
    p.legacy = 1;
    cr_assert_eq(softmax_geometry(rt, &p, &o, &l, &i), CLINFER_OK);
    cr_assert(o == 2 && l == 60 && i == 1, "legacy view %lld x %lld x %lld", (long long)o,
              (long long)l, (long long)i);
    p.shape = shp(0, 0, 0, 0, 0);
    p.axis = 0;
    cr_assert_eq(softmax_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "rank 0"), "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}
