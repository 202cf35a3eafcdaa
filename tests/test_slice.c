/*
 * test_slice.c — Slice against the naive reference: one and several axes,
 * negative and out-of-range starts/ends, positive and negative steps, the
 * INT64_MAX/INT64_MIN "to the end" markers, ranks 1 to 6 with size-1 dims;
 * the graph builder call; and the validation (bad axis, repeated axis,
 * step 0, empty result).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ref_slice.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

static void check_slice(clinfer_runtime *rt, const slice_params *p, uint32_t seed)
{
    char what[256], b1[128], b2[128];
    int w = snprintf(what, sizeof what, "input %s", shape_str(&p->input, b1, sizeof b1));
    for (int32_t i = 0; i < p->naxes && w > 0 && (size_t)w < sizeof what; i++)
        w += snprintf(what + w, sizeof what - (size_t)w, " [axis %lld: %lld:%lld:%lld]",
                      (long long)p->axes[i], (long long)p->starts[i], (long long)p->ends[i],
                      (long long)p->steps[i]);
    size_t n = ref_numel(&p->input);
    clinfer_shape want_shape = ref_slice_shape(p), os;
    size_t m = ref_numel(&want_shape);
    cr_assert_gt(m, 0, "%s: the test wants a non-empty slice", what);
    float *in = test_alloc(n * sizeof(float)), *want = test_alloc(m * sizeof(float));
    float *got = test_alloc(m * sizeof(float));
    fill_uniform(in, n, -1, 1, &seed);
    cr_assert_eq(slice_output_shape(rt, p, &os), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    cr_assert(shape_equal(&os, &want_shape), "%s: shape %s, expected %s", what,
              shape_str(&os, b1, sizeof b1), shape_str(&want_shape, b2, sizeof b2));
    ref_slice(p, in, want);
    for (size_t i = 0; i < m; i++)
        got[i] = NAN;
    cl_mem in_m = NULL, out_m = NULL;
    op_launch l;
    cr_assert_eq(slice_prepare(rt, p, &l), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    cr_assert_eq(buffer_create(rt, n * sizeof(float), in, &in_m), CLINFER_OK);
    cr_assert_eq(buffer_create(rt, m * sizeof(float), got, &out_m), CLINFER_OK);
    cr_assert_eq(slice_bind(rt, &l, dev_whole(in_m), dev_whole(out_m)), CLINFER_OK);
    cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    cr_assert_eq(buffer_read(rt, out_m, m * sizeof(float), got), CLINFER_OK);
    assert_equal(got, want, m, what);
    launch_release(&l);
    clReleaseMemObject(in_m);
    clReleaseMemObject(out_m);
    free(in);
    free(want);
    free(got);
}

/* One slice on `naxes` axes: rows of {axis, start, end, step}. */
static slice_params make(int32_t rank, const int64_t *dims, int32_t naxes, const int64_t (*a)[4])
{
    slice_params p = slice_params_default();
    p.input = shape_make(rank, dims);
    p.naxes = naxes;
    for (int32_t i = 0; i < naxes; i++) {
        p.axes[i] = a[i][0];
        p.starts[i] = a[i][1];
        p.ends[i] = a[i][2];
        p.steps[i] = a[i][3];
    }
    return p;
}

Test(slice, one_axis_every_position_and_step)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t dims[4] = {2, 5, 7, 3};
    const int64_t cases[][4] = {
        {1, 1, 4, 1},  {2, 0, 7, 2},       {2, -3, INT64_MAX, 1}, {3, 1, 2, 1},
        {0, 1, 2, 1},  {2, 6, -8, -1},     {2, -1, INT64_MIN, -2}, {1, 100, -100, -3},
        {-1, 0, 1, 1}, {-4, -100, 100, 1}, {2, 5, 1, -1},           {1, -2, -1, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        slice_params p = make(4, dims, 1, &cases[k]);
        check_slice(rt, &p, 7u + (uint32_t)k);
    }
    clinfer_runtime_free(rt);
}

Test(slice, several_axes_and_ranks)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d1[1] = {37}, d3[3] = {4, 1, 9}, d6[6] = {3, 2, 1, 4, 5, 2};
    const int64_t a1[1][4] = {{0, 3, 30, 4}};
    const int64_t a3[3][4] = {{2, 8, 0, -3}, {0, 1, 4, 2}, {1, 0, 1, 1}};
    const int64_t a6[3][4] = {{4, 1, 5, 2}, {0, -1, -4, -1}, {3, 1, 3, 1}};
    slice_params p = make(1, d1, 1, a1);
    check_slice(rt, &p, 1u);
    p = make(3, d3, 3, a3);
    check_slice(rt, &p, 2u);
    p = make(6, d6, 3, a6);
    check_slice(rt, &p, 3u);
    p = make(6, d6, 0, NULL); /* a copy */
    check_slice(rt, &p, 4u);
    clinfer_runtime_free(rt);
}

Test(slice, validation_names_the_problem)
{
    const int64_t dims[3] = {2, 5, 7};
    const int64_t bad_axis[1][4] = {{3, 0, 1, 1}}, step0[1][4] = {{1, 0, 1, 0}};
    const int64_t repeat[2][4] = {{1, 0, 2, 1}, {-2, 0, 1, 1}}, empty[1][4] = {{2, 4, 4, 1}};
    clinfer_shape out;
    slice_params p = make(3, dims, 1, bad_axis);
    cr_assert_eq(slice_output_shape(NULL, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "axes[0] = 3"), "%s", clinfer_last_errmsg());
    p = make(3, dims, 1, step0);
    cr_assert_eq(slice_output_shape(NULL, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "steps[0] = 0"), "%s", clinfer_last_errmsg());
    p = make(3, dims, 2, repeat);
    cr_assert_eq(slice_output_shape(NULL, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "repeats"), "%s", clinfer_last_errmsg());
    p = make(3, dims, 1, empty);
    cr_assert_eq(slice_output_shape(NULL, &p, &out), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "selects no element"), "%s", clinfer_last_errmsg());
}

Test(slice, graph_node_with_open_batch)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape s = {3, {CLINFER_BATCH_DIM, 6, 5}};
    clinfer_value x, y;
    cr_assert_eq(clinfer_graph_input(g, "x", &s, &x), CLINFER_OK);
    const int64_t starts[2] = {-1, 1}, ends[2] = {INT64_MIN, 4}, axes[2] = {2, 1},
                  steps[2] = {-2, 2};
    cr_assert_eq(clinfer_graph_slice(g, "sl", x, starts, ends, axes, steps, 2, &y), CLINFER_OK,
                 "%s", clinfer_last_errmsg());
    clinfer_shape ys;
    cr_assert_eq(clinfer_graph_value_shape(g, y, &ys), CLINFER_OK);
    cr_assert_eq(ys.rank, 3);
    cr_assert_eq(ys.dims[0], CLINFER_BATCH_DIM);
    cr_assert_eq(ys.dims[1], 2);
    cr_assert_eq(ys.dims[2], 3);
    const int64_t zero_step[1] = {0};
    cr_assert_eq(clinfer_graph_slice(g, "bad", x, starts, ends, axes, zero_step, 1, &y),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_graph_output(g, 1, "y"), CLINFER_OK);
    clinfer_model *m = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = 2;
    clinfer_session *ss = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &ss), CLINFER_OK, "%s", clinfer_last_errmsg());
    float in[60], got[12], want[12];
    for (int i = 0; i < 60; i++)
        in[i] = (float)i;
    slice_params p = slice_params_default();
    p.input = shape_make(3, (const int64_t[]){2, 6, 5});
    p.naxes = 2;
    for (int i = 0; i < 2; i++)
        p.axes[i] = axes[i], p.starts[i] = starts[i], p.ends[i] = ends[i], p.steps[i] = steps[i];
    ref_slice(&p, in, want);
    cr_assert_eq(clinfer_session_set_input(ss, 0, in, 60), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(ss), CLINFER_OK, "%s", clinfer_session_errmsg(ss));
    cr_assert_eq(clinfer_session_get_output(ss, 0, got, 12), CLINFER_OK);
    assert_equal(got, want, 12, "slice node, batch 2");
    clinfer_session_free(ss);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
}
