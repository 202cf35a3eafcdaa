/*
 * test_gather.c — Gather against its naive reference (tests/ref_gather.c)
 * through test_op (both precisions): every axis of ranks 1 to 4 (negative
 * ones too), indices of rank 0 to 3, negative indices, repeated ones,
 * indices as a run-time input and as a constant; run-time indices out of
 * range give NaN and read nothing outside data; constant ones, a bad axis,
 * a result past the largest rank and half storage of a long axis are
 * errors naming the node; the ONNX path with int64 and int32 graph-input
 * indices, a constant table looked up by run-time indices, known indices
 * (evenly spaced: a Slice; others: the kernel) and indices declared float.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ops/gather.h"
#include "ref_gather.h"
#include "shape.h"
#include "testutil.h"

#define SHP(r, ...) ((clinfer_shape){r, {__VA_ARGS__}})
#define SCALAR ((clinfer_shape){0, {0}})

static clinfer_status add_gather(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    return clinfer_graph_gather(g, "gather", in[0], in[1], *(const int64_t *)ctx, out);
}

/* The output shape from the definition: data's dims with the axis
 * replaced by the indices'. */
static clinfer_shape gather_shape(const clinfer_shape *ds, const clinfer_shape *is, int32_t ax)
{
    clinfer_shape os = {0, {0}};
    for (int32_t d = 0; d < ds->rank; d++) {
        if (d != ax) {
            os.dims[os.rank++] = ds->dims[d];
            continue;
        }
        for (int32_t k = 0; k < is->rank; k++)
            os.dims[os.rank++] = is->dims[k];
    }
    return os;
}

/* Random data and integer indices in [-dim, dim) along `axis`; indices
 * constant when idx_const. */
static void check_gather(clinfer_shape ds, clinfer_shape is, int64_t axis, int idx_const,
                         uint32_t seed)
{
    const int32_t ax = (int32_t)(axis < 0 ? axis + ds.rank : axis);
    const int64_t dim = ds.dims[ax];
    const clinfer_shape os = gather_shape(&ds, &is, ax);
    size_t nd = ref_numel(&ds), ni = ref_numel(&is), no = ref_numel(&os);
    float *data = test_alloc(nd * sizeof *data), *idx = test_alloc(ni * sizeof *idx),
          *want = test_alloc(no * sizeof *want);
    fill_uniform(data, nd, -3, 3, &seed);
    fill_uniform(idx, ni, (float)-dim, (float)dim, &seed);
    for (size_t k = 0; k < ni; k++)
        idx[k] = floorf(idx[k]);
    ref_gather(&ds, data, idx, (int64_t)ni, (int32_t)axis, want);
    char what[160], b1[64], b2[64];
    snprintf(what, sizeof what, "gather data %s indices %s%s axis %lld",
             shape_str(&ds, b1, sizeof b1), shape_str(&is, b2, sizeof b2),
             idx_const ? " (constant)" : "", (long long)axis);
    const op_input in[2] = {{ds, data, 0}, {is, idx, idx_const}};
    const op_test t = {what, in, 2, add_gather, &axis, want, os, 0, 0, {{0}}};
    test_op(&t);
    free(data);
    free(idx);
    free(want);
}

Test(gather, every_axis_and_index_rank)
{
    uint32_t seed = 70u;
    check_gather(SHP(1, 11), SHP(1, 7), 0, 0, seed++);
    check_gather(SHP(1, 5), SCALAR, 0, 0, seed++); /* a scalar index: rank 0 out */
    check_gather(SHP(1, 5), SHP(2, 3, 4), -1, 1, seed++);
    for (int64_t axis = -2; axis < 2; axis++) {
        check_gather(SHP(2, 3, 5), SHP(1, 4), axis, 0, seed++);
        check_gather(SHP(2, 5, 7), SHP(2, 2, 3), axis, axis & 1, seed++);
        check_gather(SHP(2, 6, 9), SCALAR, axis, 0, seed++);
    }
    for (int64_t axis = 0; axis < 4; axis++)
        check_gather(SHP(4, 2, 3, 5, 7), SHP(3, 2, 1, 3), axis, 0, seed++);
    check_gather(SHP(4, 2, 3, 5, 7), SHP(1, 9), -3, 1, seed++);
    check_gather(SHP(3, 3, 37, 5), SHP(2, 13, 3), 1, 0, seed++);
    /* an embedding lookup: a long row per index; rows of 2250, longer
     * than one work-item's chunk (2048) */
    check_gather(SHP(2, 45, 61), SHP(2, 2, 5), 0, 0, seed++);
    check_gather(SHP(3, 3, 50, 45), SHP(1, 4), 0, 1, seed++);
    /* rank 7 data and rank 2 indices: a result of the largest rank, 8 */
    check_gather(SHP(7, 2, 1, 3, 1, 2, 5, 3), SHP(2, 2, 2), 4, 0, seed++);
}

Test(gather, repeated_and_negative_indices)
{
    const clinfer_shape ds = SHP(2, 4, 3), is = SHP(2, 2, 3);
    const float idx[6] = {-1, 3, 0, 0, -4, 2};
    float data[12], want[18];
    uint32_t seed = 90u;
    fill_uniform(data, 12, -1, 1, &seed);
    ref_gather(&ds, data, idx, 6, 0, want);
    /* row 3 twice, row 0 three times: compared with the rows themselves */
    for (int c = 0; c < 3; c++) {
        cr_assert_eq(want[c], data[9 + c]);
        cr_assert_eq(want[3 + c], data[9 + c]);
        cr_assert_eq(want[12 + c], data[c]);
    }
    const int64_t axis = 0;
    for (int known = 0; known < 2; known++) {
        const op_input in[2] = {{ds, data, 0}, {is, idx, known}};
        const op_test t = {known ? "repeated, constant" : "repeated, run time",
                           in, 2, add_gather, &axis, want, SHP(3, 2, 3, 3), 0, 0, {{0}}};
        test_op(&t);
    }
}

Test(gather, run_time_indices_out_of_range_give_nan)
{
    const clinfer_shape ds = SHP(2, 2, 3), is = SHP(1, 5);
    const float data[6] = {1, 2, 3, 4, 5, 6}, idx[5] = {0, 3, -4, -1, NAN};
    const float want[10] = {1, NAN, NAN, 3, NAN, 4, NAN, NAN, 6, NAN};
    const int64_t axis = 1;
    const op_input in[2] = {{ds, data, 0}, {is, idx, 0}};
    const op_test t = {"out of range", in, 2, add_gather, &axis, want, SHP(2, 2, 5), 0, 0, {{0}}};
    float got[10], ref[10];
    ref_gather(&ds, data, idx, 5, 1, ref);
    assert_close_nonfinite(ref, want, 10, 0, 0, "the reference, out of range");
    test_op_run(&t, got);
    assert_close_nonfinite(got, want, 10, 0, 0, "run-time indices out of range");
}

/* Adding the node to a graph of data [2, 3] fails with `want` and `needle`. */
static void expect_build_error(const clinfer_shape *ds, const clinfer_shape *is,
                               const float *constant, int64_t axis, clinfer_status want,
                               const char *needle)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value d, i, out;
    cr_assert_eq(clinfer_graph_input(g, "d", ds, &d), CLINFER_OK);
    cr_assert_eq(constant ? clinfer_graph_constant(g, "i", is, constant, &i)
                          : clinfer_graph_input(g, "i", is, &i),
                 CLINFER_OK);
    cr_assert_eq(clinfer_graph_gather(g, "ga", d, i, axis, &out), want, "%s",
                 clinfer_graph_errmsg(g));
    cr_assert(strstr(clinfer_graph_errmsg(g), "\"ga\"") &&
                  strstr(clinfer_graph_errmsg(g), needle),
              "message '%s' lacks the node or '%s'", clinfer_graph_errmsg(g), needle);
    clinfer_graph_free(g);
}

Test(gather, refusals_name_the_node)
{
    const float bad[3] = {0, 1, 3}, frac[2] = {0.5f, 1}, low[1] = {-4};
    const clinfer_shape ds = SHP(2, 2, 3);
    expect_build_error(&ds, &SHP(1, 3), bad, 1, CLINFER_ERR_INVALID_ARGUMENT,
                       "index 3 (element 2) is not an integer in [-3, 3)");
    expect_build_error(&ds, &SHP(1, 2), frac, 0, CLINFER_ERR_INVALID_ARGUMENT, "index 0.5");
    expect_build_error(&ds, &SCALAR, low, -1, CLINFER_ERR_INVALID_ARGUMENT, "index -4");
    expect_build_error(&ds, &SHP(1, 2), NULL, 2, CLINFER_ERR_INVALID_ARGUMENT,
                       "axis 2 is out of range for rank 2");
    expect_build_error(&ds, &SHP(1, 2), NULL, -3, CLINFER_ERR_INVALID_ARGUMENT,
                       "axis -3 is out of range");
    expect_build_error(&SHP(5, 2, 2, 2, 2, 2), &SHP(5, 1, 1, 1, 1, 2), NULL, 0,
                       CLINFER_ERR_UNSUPPORTED, "result of rank 9, at most 8");
    /* an axis of 3000: exact in float32, not in half storage */
    gather_params p = {SHP(2, 2, 3000), SHP(1, 5), 1};
    clinfer_shape os;
    cr_assert_eq(gather_output_shape(NULL, &p, &os), CLINFER_OK);
    cr_assert(os.rank == 2 && os.dims[0] == 2 && os.dims[1] == 5);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = CLINFER_PRECISION_FP16;
    clinfer_runtime *rt = test_runtime_with(&o);
    cr_assert_eq(gather_output_shape(rt, &p, &os), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "Gather: axis 1 has 3000 elements") &&
                  strstr(clinfer_last_errmsg(), "half storage"),
              "%s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ ONNX */

/* x [3, 4] float: a graph input, or an initializer (table) when `table`;
 * indices [2, 2]: an initializer when `known`, else a graph input of type
 * itype; Gather axis `axis` -> y. */
static uint8_t *gather_model(const float *table, const int64_t *known, int itype, int64_t axis,
                             size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[2] = {3, 4}, id[2] = {2, 2};
    pb t = table ? onnx_tensor_f("x", 2, xd, table, 1) : onnx_value_info("x", OT_FLOAT, 2, xd);
    table ? onnx_initializer(&g, &t) : onnx_input(&g, &t);
    if (known)
        t = onnx_tensor_i("i", 2, id, known, 1), onnx_initializer(&g, &t);
    else
        t = onnx_value_info("i", itype, 2, id), onnx_input(&g, &t);
    pb a = onnx_attr_int("axis", axis);
    onnx_node(&g, "Gather", "ga", "x,i", "y", 1, &a);
    const int64_t yd[3] = {axis ? 3 : 2, 2, axis ? 2 : 4};
    t = onnx_value_info("y", OT_FLOAT, 3, yd), onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

/* Runs model (inputs: x unless it is a table, then the indices unless
 * known) and compares with ref_gather; frees the model. */
static void check_onnx(uint8_t *model, size_t size, const float *x, int x_is_input,
                       const float *fidx, int idx_is_input, int64_t axis, const char *what)
{
    const clinfer_shape xs = SHP(2, 3, 4);
    const size_t n = axis ? 12 : 16; /* [3, 2, 2] or [2, 2, 4] */
    float y[16], want[16];
    ref_gather(&xs, x, fidx, 4, (int32_t)axis, want);
    const float *in[2];
    size_t counts[2];
    int nin = 0;
    if (x_is_input)
        in[nin] = x, counts[nin++] = 12;
    if (idx_is_input)
        in[nin] = fidx, counts[nin++] = 4;
    test_onnx_run(model, size, in, counts, nin, y, n);
    assert_equal(y, want, n, what);
    free(model);
}

Test(gather, onnx_run_time_and_known_indices)
{
    const int64_t idx[4] = {2, 0, -1, 1}, even[4] = {3, 2, 1, 0};
    const float fidx[4] = {2, 0, -1, 1}, feven[4] = {3, 2, 1, 0};
    float x[12];
    uint32_t seed = 95u;
    fill_uniform(x, 12, -1, 1, &seed);
    size_t size;
    uint8_t *m = gather_model(NULL, NULL, OT_INT64, 1, &size);
    check_onnx(m, size, x, 1, fidx, 1, 1, "ONNX, int64 run-time indices");
    m = gather_model(NULL, NULL, OT_INT32, 0, &size);
    check_onnx(m, size, x, 1, fidx, 1, 0, "ONNX, int32 run-time indices, axis 0");
    m = gather_model(NULL, idx, 0, 1, &size);
    check_onnx(m, size, x, 1, fidx, 0, 1, "ONNX, known indices (the kernel)");
    m = gather_model(NULL, even, 0, 1, &size);
    check_onnx(m, size, x, 1, feven, 0, 1, "ONNX, evenly spaced known indices (a Slice)");
    m = gather_model(x, NULL, OT_INT64, 0, &size);
    check_onnx(m, size, x, 0, fidx, 1, 0, "ONNX, a constant table, run-time indices");
}

/* Loading `model` fails with `want`, naming node "ga" and `needle`. */
static void expect_load_error(uint8_t *model, size_t size, clinfer_status want,
                              const char *needle)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(model, size, &g), want, "%s",
                 clinfer_last_errmsg());
    cr_assert(g == NULL);
    cr_assert(strstr(clinfer_last_errmsg(), "\"ga\"") && strstr(clinfer_last_errmsg(), needle),
              "%s", clinfer_last_errmsg());
    free(model);
}

Test(gather, onnx_bad_indices_name_the_node)
{
    const int64_t past[4] = {0, 1, 4, 0};
    size_t size;
    uint8_t *m = gather_model(NULL, NULL, OT_FLOAT, 1, &size);
    expect_load_error(m, size, CLINFER_ERR_INVALID_MODEL,
                      "indices \"i\" must be int32 or int64, the graph input is float");
    m = gather_model(NULL, past, 0, 1, &size);
    expect_load_error(m, size, CLINFER_ERR_INVALID_MODEL,
                      "index 4 is out of range for a dimension of 4");
}
