/*
 * test_concat.c — Concat against the naive reference: pieces of [2,3,5,7]
 * joined on every axis (and -1) from 1 to 4 inputs of different axis
 * sizes, rank 1 and rank 5, an empty input; and the validation messages.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "op_test.h"
#include "ref_movement.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

#define MAX_INPUTS 4

typedef struct concat_case {
    int32_t count;
    int64_t axis;
} concat_case;

static clinfer_status add_concat(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    const concat_case *k = ctx;
    return clinfer_graph_concat(g, "concat", in, k->count, (int32_t)k->axis, out);
}

/* The op alone on the device, one launch per input (an empty input
 * launches nothing): for cases with empty tensors, which a graph cannot
 * hold. */
static void run_concat(clinfer_runtime *rt, const concat_params *p, const float *const *in,
                       float *got, size_t out_n, const char *what)
{
    cl_mem in_m[MAX_INPUTS] = {0}, out_m = NULL; /* none when empty: OpenCL has no empty buffers */
    for (int32_t i = 0; i < p->count; i++)
        if (ref_numel(&p->inputs[i]) > 0)
            cr_assert_eq(buffer_create(rt, ref_numel(&p->inputs[i]) * sizeof(float), in[i],
                                       &in_m[i]),
                         CLINFER_OK);
    if (out_n > 0)
        cr_assert_eq(buffer_create(rt, out_n * sizeof(float), got, &out_m), CLINFER_OK);
    for (int32_t i = 0; i < p->count; i++) {
        op_launch l;
        cr_assert_eq(concat_prepare(rt, p, i, &l), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        cr_assert_eq(launch_bind_io(rt, &l, dev_whole(in_m[i]), dev_whole(out_m)), CLINFER_OK);
        if (l.global[0] > 0)
            cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK, "%s: %s", what,
                         clinfer_last_errmsg());
        else
            cr_assert_eq(ref_numel(&p->inputs[i]), 0, "%s: input %d skipped", what, (int)i);
        launch_release(&l);
        if (in_m[i])
            clReleaseMemObject(in_m[i]);
    }
    if (out_n > 0) {
        cr_assert_eq(buffer_read(rt, out_m, out_n * sizeof(float), got), CLINFER_OK);
        clReleaseMemObject(out_m);
    }
}

/* Concat through a one-node graph (test_op), or, with an empty input, the
 * op alone; compared with the reference element for element. */
static void check_concat(clinfer_runtime *rt, const clinfer_shape *shapes, int32_t count,
                         int64_t axis, uint32_t seed, const char *what)
{
    float *in[MAX_INPUTS] = {0};
    op_input x[MAX_INPUTS];
    int any_empty = 0;
    for (int32_t i = 0; i < count; i++) {
        size_t n = ref_numel(&shapes[i]);
        in[i] = test_alloc(n * sizeof(float));
        fill_uniform(in[i], n, -1, 1, &seed);
        x[i] = (op_input){shapes[i], in[i], 0};
        any_empty |= n == 0;
    }
    concat_params p = {count, shapes, axis};
    clinfer_shape os, want_shape;
    cr_assert_eq(concat_output_shape(rt, &p, &os), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    size_t out_n = ref_numel(&os);
    float *want = test_alloc(out_n * sizeof(float)), *got = test_alloc(out_n * sizeof(float));
    ref_concat(shapes, count, axis, (const float *const *)in, want, &want_shape);
    char b1[128], b2[128];
    cr_assert(shape_equal(&os, &want_shape), "%s: shape %s, expected %s", what,
              shape_str(&os, b1, sizeof b1), shape_str(&want_shape, b2, sizeof b2));
    if (any_empty) {
        for (size_t i = 0; i < out_n; i++) /* a marker that no copy writes */
            got[i] = NAN;
        run_concat(rt, &p, (const float *const *)in, got, out_n, what);
        assert_equal(got, want, out_n, what);
    } else {
        const concat_case k = {count, axis};
        const op_test t = {what, x, count, add_concat, &k, want, os, 0, 0, {{0}}};
        test_op(&t);
    }
    for (int32_t i = 0; i < count; i++)
        free(in[i]);
    free(want);
    free(got);
}

Test(concat, pieces_of_2x3x5x7_on_every_axis)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t base[4] = {2, 3, 5, 7};
    const int64_t axis_sizes[MAX_INPUTS] = {0, 1, 3, 2}; /* added to the base dim */
    const int64_t axes[] = {0, 1, 2, 3, -1, -4};
    for (size_t a = 0; a < sizeof axes / sizeof axes[0]; a++) {
        int32_t ax = (int32_t)(axes[a] < 0 ? axes[a] + 4 : axes[a]);
        for (int32_t count = 1; count <= MAX_INPUTS; count++) {
            clinfer_shape shapes[MAX_INPUTS];
            for (int32_t i = 0; i < count; i++) {
                shapes[i] = shape_make(4, base);
                shapes[i].dims[ax] = base[ax] + axis_sizes[i];
            }
            char what[64];
            snprintf(what, sizeof what, "axis %lld, %d inputs", (long long)axes[a], (int)count);
            check_concat(rt, shapes, count, axes[a], 100u + (uint32_t)(a * 10 + count), what);
        }
    }
    clinfer_runtime_free(rt);
}

Test(concat, rank_1_and_rank_5)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t r1[3][1] = {{5}, {1}, {11}};
    clinfer_shape s1[3] = {shape_make(1, r1[0]), shape_make(1, r1[1]), shape_make(1, r1[2])};
    check_concat(rt, s1, 3, 0, 7u, "rank 1");
    check_concat(rt, s1, 2, -1, 8u, "rank 1 axis -1");

    const int64_t r5[3][5] = {{2, 1, 3, 2, 3}, {2, 1, 4, 2, 3}, {2, 1, 1, 2, 3}};
    clinfer_shape s5[3] = {shape_make(5, r5[0]), shape_make(5, r5[1]), shape_make(5, r5[2])};
    check_concat(rt, s5, 3, 2, 9u, "rank 5 axis 2");
    const int64_t r5b[2][5] = {{2, 1, 3, 2, 3}, {2, 1, 3, 2, 6}};
    clinfer_shape s5b[2] = {shape_make(5, r5b[0]), shape_make(5, r5b[1])};
    check_concat(rt, s5b, 2, -1, 10u, "rank 5 axis -1");
    clinfer_runtime_free(rt);
}

Test(concat, empty_input_in_the_middle)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[3][3] = {{2, 3, 5}, {2, 0, 5}, {2, 4, 5}};
    clinfer_shape s[3] = {shape_make(3, d[0]), shape_make(3, d[1]), shape_make(3, d[2])};
    check_concat(rt, s, 3, 1, 11u, "empty middle input");
    const int64_t e[2][2] = {{0, 3}, {0, 2}};
    clinfer_shape se[2] = {shape_make(2, e[0]), shape_make(2, e[1])};
    check_concat(rt, se, 2, 1, 12u, "all empty");
    clinfer_runtime_free(rt);
}

static void expect_error(clinfer_runtime *rt, const concat_params *p, clinfer_status want,
                         const char *needle)
{
    clinfer_shape os;
    cr_assert_eq(concat_output_shape(rt, p, &os), want, "expected %s for '%s', got message: %s",
                 clinfer_status_str(want), needle, clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), needle), "message '%s' lacks '%s'",
              clinfer_last_errmsg(), needle);
    op_launch l;
    cr_assert_eq(concat_prepare(rt, p, 0, &l), want);
    cr_assert_null(l.kernel);
}

Test(concat, rejects_bad_inputs_and_axes)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[3][4] = {{2, 3, 5, 7}, {2, 3, 4, 7}, {2, 3, 5}};
    clinfer_shape s[3] = {shape_make(4, d[0]), shape_make(4, d[1]), shape_make(4, d[0])};
    concat_params p = {3, s, 1}; /* input 1 differs in dim 2 */
    expect_error(rt, &p, CLINFER_ERR_SHAPE, "input 1 dim 2 is 4, expected 5");
    p.axis = 2; /* now dim 2 is the axis: fine */
    clinfer_shape os;
    cr_assert_eq(concat_output_shape(rt, &p, &os), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(os.dims[2], 14);

    p.axis = 4;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "axis 4 is out of range for rank 4");
    p.axis = -5;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "axis -5 is out of range");

    s[1] = s[0];
    s[2] = shape_make(3, d[2]);
    p.axis = 0;
    expect_error(rt, &p, CLINFER_ERR_SHAPE, "input 2 has rank 3");

    p.count = 0;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "at least one input");

    clinfer_shape scalar = shape_make(0, NULL);
    concat_params ps = {1, &scalar, 0};
    expect_error(rt, &ps, CLINFER_ERR_SHAPE, "rank 0");

    /* An index past the inputs. */
    concat_params ok = {2, s, 0};
    op_launch l;
    cr_assert_eq(concat_prepare(rt, &ok, 2, &l), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "index 2"), "%s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}
