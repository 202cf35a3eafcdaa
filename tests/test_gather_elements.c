/*
 * test_gather_elements.c — GatherElements against its naive reference
 * (tests/ref_gather_elements.c) through test_op (both precisions): every
 * axis of ranks 1 to 4 (negative ones too), indices smaller than data
 * along the other dims, negative indices, indices as a run-time input and
 * as a constant; run-time indices out of range give NaN; constant ones, a
 * bad axis or rank, and half storage of a long axis are errors; the ONNX
 * path with int64 initializer and graph-input indices.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ops/gather_elements.h"
#include "ref_gather_elements.h"
#include "shape.h"
#include "testutil.h"

#define SHP(r, ...) ((clinfer_shape){r, {__VA_ARGS__}})

static clinfer_status add_gather(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    return clinfer_graph_gather_elements(g, "gather", in[0], in[1], *(const int64_t *)ctx, out);
}

/* Random data and indices in [-dim, dim) along `axis`; indices constant
 * when idx_const. */
static void check_gather(clinfer_shape ds, clinfer_shape is, int64_t axis, int idx_const,
                         uint32_t seed)
{
    const int32_t ax = (int32_t)(axis < 0 ? axis + ds.rank : axis);
    const int64_t dim = ds.dims[ax];
    size_t nd = ref_numel(&ds), ni = ref_numel(&is);
    float *data = test_alloc(nd * sizeof *data), *idx = test_alloc(ni * sizeof *idx),
          *want = test_alloc(ni * sizeof *want);
    fill_uniform(data, nd, -3, 3, &seed);
    fill_uniform(idx, ni, (float)-dim, (float)dim, &seed);
    for (size_t k = 0; k < ni; k++)
        idx[k] = floorf(idx[k]);
    ref_gather_elements(&ds, data, &is, idx, (int32_t)axis, want);
    char what[160], b1[64], b2[64];
    snprintf(what, sizeof what, "gather_elements data %s indices %s%s axis %lld",
             shape_str(&ds, b1, sizeof b1), shape_str(&is, b2, sizeof b2),
             idx_const ? " (constant)" : "", (long long)axis);
    const op_input in[2] = {{ds, data, 0}, {is, idx, idx_const}};
    const op_test t = {what, in, 2, add_gather, &axis, want, is, 0, 0, {{0}}};
    test_op(&t);
    free(data);
    free(idx);
    free(want);
}

Test(gather_elements, every_axis_and_smaller_indices)
{
    uint32_t seed = 40u;
    check_gather(SHP(1, 11), SHP(1, 7), 0, 0, seed++);
    check_gather(SHP(1, 5), SHP(1, 9), -1, 1, seed++); /* more indices than data */
    for (int64_t axis = -2; axis < 2; axis++) {
        check_gather(SHP(2, 3, 5), SHP(2, 3, 5), axis, 0, seed++);
        check_gather(SHP(2, 5, 7), SHP(2, 4, 3), axis, axis & 1, seed++);
    }
    for (int64_t axis = 0; axis < 4; axis++)
        check_gather(SHP(4, 2, 3, 5, 7), SHP(4, 2, 2, 5, 6), axis, 0, seed++);
    check_gather(SHP(4, 2, 3, 5, 7), SHP(4, 1, 3, 9, 7), -2, 1, seed++);
    check_gather(SHP(3, 3, 37, 5), SHP(3, 3, 37, 5), 1, 0, seed++);
    check_gather(SHP(6, 2, 1, 3, 1, 2, 5), SHP(6, 2, 1, 2, 1, 2, 4), 4, 0, seed++);
}

Test(gather_elements, run_time_indices_out_of_range_give_nan)
{
    const clinfer_shape ds = SHP(2, 2, 3), is = SHP(2, 2, 2);
    const float data[6] = {1, 2, 3, 4, 5, 6}, idx[4] = {0, 3, -4, -1};
    const float want[4] = {1, NAN, NAN, 6};
    const int64_t axis = 1;
    const op_input in[2] = {{ds, data, 0}, {is, idx, 0}};
    const op_test t = {"out of range", in, 2, add_gather, &axis, want, is, 0, 0, {{0}}};
    float got[4];
    test_op_run(&t, got);
    assert_close_nonfinite(got, want, 4, 0, 0, "run-time indices out of range");
}

/* Adding the node to a graph of data [2, 3] fails with `want` and `needle`. */
static void expect_build_error(const clinfer_shape *is, const float *constant, int64_t axis,
                               clinfer_status want, const char *needle)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    const clinfer_shape ds = SHP(2, 2, 3);
    clinfer_value d, i, out;
    cr_assert_eq(clinfer_graph_input(g, "d", &ds, &d), CLINFER_OK);
    cr_assert_eq(constant ? clinfer_graph_constant(g, "i", is, constant, &i)
                          : clinfer_graph_input(g, "i", is, &i),
                 CLINFER_OK);
    cr_assert_eq(clinfer_graph_gather_elements(g, "ge", d, i, axis, &out), want, "%s",
                 clinfer_graph_errmsg(g));
    cr_assert(strstr(clinfer_graph_errmsg(g), "\"ge\"") &&
                  strstr(clinfer_graph_errmsg(g), needle),
              "message '%s' lacks the node or '%s'", clinfer_graph_errmsg(g), needle);
    clinfer_graph_free(g);
}

Test(gather_elements, refusals_name_the_node)
{
    const float bad[4] = {0, 1, 2, 3}, frac[2] = {0.5f, 1};
    expect_build_error(&SHP(2, 2, 2), bad, 0, CLINFER_ERR_INVALID_ARGUMENT,
                       "index 2 (element 2) is not an integer in [-2, 2)");
    expect_build_error(&SHP(2, 1, 2), frac, 1, CLINFER_ERR_INVALID_ARGUMENT, "index 0.5");
    expect_build_error(&SHP(2, 2, 2), NULL, 2, CLINFER_ERR_INVALID_ARGUMENT,
                       "axis 2 is out of range for rank 2");
    expect_build_error(&SHP(1, 2), NULL, 0, CLINFER_ERR_SHAPE, "of one rank");
    expect_build_error(&SHP(2, 3, 2), NULL, 1, CLINFER_ERR_SHAPE,
                       "exceed data [2, 3] along dim 0");
    /* an axis of 3000: exact in float32, not in half storage */
    gather_elements_params p = {SHP(2, 2, 3000), SHP(2, 2, 5), 1};
    clinfer_shape os;
    cr_assert_eq(gather_elements_output_shape(NULL, &p, &os), CLINFER_OK);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = CLINFER_PRECISION_FP16;
    clinfer_runtime *rt = test_runtime_with(&o);
    cr_assert_eq(gather_elements_output_shape(rt, &p, &os), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "half storage"), "%s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ ONNX */

/* data x [3, 4] float input; indices [3, 2] an int64 initializer (given)
 * or an int64 graph input (NULL); GatherElements axis 1 -> y. */
static uint8_t *gather_model(const int64_t *idx, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[2] = {3, 4}, id[2] = {3, 2};
    pb t = onnx_value_info("x", OT_FLOAT, 2, xd);
    onnx_input(&g, &t);
    if (idx)
        t = onnx_tensor_i("i", 2, id, idx, 1), onnx_initializer(&g, &t);
    else
        t = onnx_value_info("i", OT_INT64, 2, id), onnx_input(&g, &t);
    pb a = onnx_attr_int("axis", 1);
    onnx_node(&g, "GatherElements", "ge", "x,i", "y", 1, &a);
    t = onnx_value_info("y", OT_FLOAT, 2, id), onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

Test(gather_elements, onnx_known_and_run_time_indices)
{
    const int64_t idx[6] = {0, 3, -1, 2, 1, 1};
    const float fidx[6] = {0, 3, -1, 2, 1, 1};
    float x[12], y[6], want[6];
    uint32_t seed = 50u;
    fill_uniform(x, 12, -1, 1, &seed);
    const clinfer_shape xs = SHP(2, 3, 4), is = SHP(2, 3, 2);
    ref_gather_elements(&xs, x, &is, fidx, 1, want);
    for (int known = 1; known >= 0; known--) {
        size_t size;
        uint8_t *model = gather_model(known ? idx : NULL, &size);
        const float *in[2] = {x, fidx};
        const size_t counts[2] = {12, 6};
        test_onnx_run(model, size, in, counts, known ? 1 : 2, y, 6);
        assert_equal(y, want, 6, known ? "ONNX, known indices" : "ONNX, run-time indices");
        free(model);
    }
    /* a known index past the axis: the node is named */
    const int64_t bad[6] = {0, 4, 0, 0, 0, 0};
    size_t size;
    uint8_t *model = gather_model(bad, &size);
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "\"ge\"") &&
                  strstr(clinfer_last_errmsg(), "index 4 (element 1)"),
              "%s", clinfer_last_errmsg());
    free(model);
}
