/*
 * test_shapes.c — sessions for input shapes of the caller's choosing over
 * one model loaded from ONNX (host/model_variants.c).
 *
 * The model (written with tests/onnx_writer.c): x [N, 3, H, W] -> Conv 3x3
 * pads 1 (4 channels) -> Relu -> Reshape to [N, -1], the target computed
 * from Shape(x) -> Gather(0) -> Unsqueeze -> Concat, as PyTorch exports
 * flatten. With N, H and W symbolic, each session names its shape; the
 * result must equal a direct convolution and, bit for bit, the same model
 * exported with those H and W fixed. Also: sizes that contradict the
 * model, a Reshape that cannot hold at one size, a model compiled from a
 * builder graph, and the batch taken from the given shape.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnx_writer.h"
#include "testutil.h"

#define CIN 3
#define COUT 4

static float weights[COUT * CIN * 9], bias[COUT];

/* x [n, 3, h, w] (a negative size is symbolic) -> ... -> y; `tail`: the
 * Reshape target's last entry (-1: flatten; else a fixed width). */
static uint8_t *model_bytes(int64_t n, int64_t h, int64_t w, int64_t tail, size_t *size)
{
    uint32_t seed = 11u;
    fill_uniform(weights, COUT * CIN * 9, -1, 1, &seed);
    fill_uniform(bias, COUT, -1, 1, &seed);
    onnx_graph g = {{0}};
    const int64_t xd[4] = {n, CIN, h, w}, wd[4] = {COUT, CIN, 3, 3}, bd[1] = {COUT};
    const int64_t one = 1, zero = 0, pads[4] = {1, 1, 1, 1}, yd[2] = {-1, -1};
    pb t = onnx_value_info("x", OT_FLOAT, 4, xd);
    onnx_input(&g, &t);
    t = onnx_tensor_f("W", 4, wd, weights, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("B", 1, bd, bias, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_i("tail", 1, &one, &tail, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_i("zero", 1, &one, &zero, 0), onnx_initializer(&g, &t);
    pb a = onnx_attr_ints("pads", 4, pads);
    onnx_node(&g, "Conv", "conv", "x,W,B", "c", 1, &a);
    onnx_node(&g, "Relu", "relu", "c", "r", 0, NULL);
    onnx_node(&g, "Shape", "shape", "x", "s", 0, NULL);
    onnx_node(&g, "Gather", "gather", "s,zero", "n1", 0, NULL);
    a = onnx_attr_int("axis", 0);
    onnx_node(&g, "Concat", "concat", "n1,tail", "target", 1, &a);
    onnx_node(&g, "Reshape", "reshape", "r,target", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, yd);
    onnx_output(&g, &t);
    return onnx_model(&g, 13, size);
}

static clinfer_model *load_model(clinfer_runtime *rt, int64_t n, int64_t h, int64_t w,
                                 int64_t tail)
{
    size_t size;
    uint8_t *bytes = model_bytes(n, h, w, tail, &size);
    char path[] = "/tmp/clinfer_shapes_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "wb");
    cr_assert_eq(fwrite(bytes, 1, size, f), size);
    fclose(f);
    free(bytes);
    clinfer_model *m = NULL;
    clinfer_status st = clinfer_model_load(rt, path, &m);
    remove(path);
    cr_assert_eq(st, CLINFER_OK, "%s", clinfer_last_errmsg());
    return m;
}

/* relu(conv3x3(x, pads 1)) of x [n, 3, h, w], flattened per image. */
static void reference(int64_t n, int64_t h, int64_t w, const float *x, float *y)
{
    for (int64_t b = 0; b < n; b++)
        for (int64_t o = 0; o < COUT; o++)
            for (int64_t i = 0; i < h; i++)
                for (int64_t j = 0; j < w; j++) {
                    double acc = bias[o];
                    for (int64_t c = 0; c < CIN; c++)
                        for (int64_t ki = 0; ki < 3; ki++)
                            for (int64_t kj = 0; kj < 3; kj++) {
                                int64_t yi = i + ki - 1, xj = j + kj - 1;
                                if (yi >= 0 && yi < h && xj >= 0 && xj < w)
                                    acc += (double)weights[((o * CIN + c) * 3 + ki) * 3 + kj] *
                                           x[((b * CIN + c) * h + yi) * w + xj];
                            }
                    y[((b * COUT + o) * h + i) * w + j] = acc > 0 ? (float)acc : 0.0f;
                }
}

/* Runs m at input shape [n, 3, h, w] (named in the session options when
 * `named`, else at the model's own sizes with batch n) into a new array. */
static float *run_at(clinfer_model *m, int named, int64_t n, int64_t h, int64_t w, const float *x)
{
    clinfer_session_options o = clinfer_session_options_default();
    const clinfer_input_shape s = {"x", {4, {n, CIN, h, w}}};
    if (named) {
        o.input_shapes = &s;
        o.input_shape_count = 1;
    } else {
        o.batch = n;
    }
    clinfer_session *ses = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &ses), CLINFER_OK, "[%lld,3,%lld,%lld]: %s",
                 (long long)n, (long long)h, (long long)w, clinfer_last_errmsg());
    clinfer_shape ys;
    cr_assert_eq(clinfer_session_output_shape(ses, 0, &ys), CLINFER_OK);
    cr_assert(ys.rank == 2 && ys.dims[0] == n && ys.dims[1] == COUT * h * w,
              "output shape [%lld, %lld] for [%lld,3,%lld,%lld]", (long long)ys.dims[0],
              (long long)ys.dims[1], (long long)n, (long long)h, (long long)w);
    size_t ny = (size_t)(n * COUT * h * w), nx = (size_t)(n * CIN * h * w);
    float *y = test_alloc(ny * sizeof *y);
    cr_assert_eq(clinfer_session_set_input(ses, 0, x, nx), CLINFER_OK, "%s",
                 clinfer_session_errmsg(ses));
    cr_assert_eq(clinfer_session_run(ses), CLINFER_OK, "%s", clinfer_session_errmsg(ses));
    cr_assert_eq(clinfer_session_get_output(ses, 0, y, ny), CLINFER_OK);
    clinfer_session_free(ses);
    return y;
}

Test(shapes, one_model_many_sizes_match_fixed_exports)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *open = load_model(rt, -1, -1, -1, -1);
    cr_assert_eq(clinfer_model_input_count(open), 1);
    cr_assert_str_eq(clinfer_model_input_name(open, 0), "x");
    cr_assert_str_eq(clinfer_model_output_name(open, 0), "y");
    const int64_t sizes[][3] = {{1, 5, 7}, {2, 9, 4}, {1, 16, 16}, {3, 1, 2}, {1, 5, 7}, {2, 33, 3}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int64_t n = sizes[k][0], h = sizes[k][1], w = sizes[k][2];
        size_t nx = (size_t)(n * CIN * h * w), ny = (size_t)(n * COUT * h * w);
        float *x = test_alloc(nx * sizeof *x), *want = test_alloc(ny * sizeof *want);
        uint32_t seed = 100u + (uint32_t)k;
        fill_uniform(x, nx, -1, 1, &seed);
        reference(n, h, w, x, want);
        float *got = run_at(open, 1, n, h, w, x);
        char what[96];
        snprintf(what, sizeof what, "[%lld, 3, %lld, %lld]", (long long)n, (long long)h,
                 (long long)w);
        assert_close(got, want, ny, 1e-5f, 1e-4f, what);
        /* the same model exported with H and W fixed (batch open) */
        clinfer_model *fixed = load_model(rt, -1, h, w, -1);
        float *same = run_at(fixed, 0, n, h, w, x);
        cr_assert_eq(memcmp(same, got, ny * sizeof *got), 0,
                     "%s: differs from the fixed-size export", what);
        clinfer_model_free(fixed);
        free(same);
        free(got);
        free(x);
        free(want);
    }
    clinfer_model_free(open);
    clinfer_runtime_free(rt);
}

static void expect_session_error(clinfer_model *m, const clinfer_input_shape *s, size_t count,
                                 clinfer_status want, const char *part)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.input_shapes = s;
    o.input_shape_count = count;
    clinfer_session *ses = (clinfer_session *)m;
    clinfer_status st = clinfer_session_create(m, &o, &ses);
    cr_assert_eq(st, want, "status %d (%s), expected %d", (int)st, clinfer_last_errmsg(),
                 (int)want);
    cr_assert_null(ses);
    cr_assert(strstr(clinfer_last_errmsg(), part), "message \"%s\" lacks \"%s\"",
              clinfer_last_errmsg(), part);
}

Test(shapes, contradicting_shapes_are_refused_by_name)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_model *m = load_model(rt, -1, -1, -1, -1);
    /* a model with open sizes needs them */
    clinfer_session *ses = NULL;
    cr_assert_eq(clinfer_session_create(m, NULL, &ses), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "\"x\" has symbolic sizes"), "%s",
              clinfer_last_errmsg());
    const clinfer_input_shape rank3 = {"x", {3, {1, 3, 5}}};
    expect_session_error(m, &rank3, 1, CLINFER_ERR_SHAPE, "rank 3");
    const clinfer_input_shape chans = {"x", {4, {1, 4, 5, 5}}};
    expect_session_error(m, &chans, 1, CLINFER_ERR_SHAPE, "fixes to 3");
    const clinfer_input_shape zero = {"x", {4, {1, 3, 0, 5}}};
    expect_session_error(m, &zero, 1, CLINFER_ERR_SHAPE, "dimension 2");
    const clinfer_input_shape other = {"image", {4, {1, 3, 5, 5}}};
    expect_session_error(m, &other, 1, CLINFER_ERR_INVALID_ARGUMENT, "no input named \"image\"");
    const clinfer_input_shape twice[2] = {{"x", {4, {1, 3, 5, 5}}}, {"x", {4, {1, 3, 5, 5}}}};
    expect_session_error(m, twice, 2, CLINFER_ERR_INVALID_ARGUMENT, "given twice");
    clinfer_model_free(m);

    /* Reshape to [N, 12]: holds only where 4 * H * W is 12 */
    m = load_model(rt, -1, -1, -1, 12);
    const clinfer_input_shape bad = {"x", {4, {1, 3, 5, 7}}};
    expect_session_error(m, &bad, 1, CLINFER_ERR_SHAPE, "reshape");
    const clinfer_input_shape good = {"x", {4, {2, 3, 1, 3}}};
    clinfer_session_options o = clinfer_session_options_default();
    o.input_shapes = &good;
    o.input_shape_count = 1;
    cr_assert_eq(clinfer_session_create(m, &o, &ses), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_shape ys;
    cr_assert_eq(clinfer_session_output_shape(ses, 0, &ys), CLINFER_OK);
    cr_assert(ys.rank == 2 && ys.dims[0] == 2 && ys.dims[1] == 12, "[%lld, %lld]",
              (long long)ys.dims[0], (long long)ys.dims[1]);
    clinfer_session_free(ses);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

Test(shapes, a_fixed_model_changes_only_its_batch)
{
    clinfer_runtime *rt = test_runtime();
    /* H and W fixed in the file: the batch comes from the given shape, a
     * different H is refused by name */
    clinfer_model *m = load_model(rt, -1, 6, 5, -1);
    const int64_t n = 3;
    float x[3 * CIN * 30], want[3 * COUT * 30];
    uint32_t seed = 7u;
    fill_uniform(x, 3 * CIN * 30, -1, 1, &seed);
    reference(n, 6, 5, x, want);
    float *got = run_at(m, 1, n, 6, 5, x);
    assert_close(got, want, 3 * COUT * 30, 1e-5f, 1e-4f, "batch 3 from the shape");
    free(got);
    const clinfer_input_shape taller = {"x", {4, {1, 3, 7, 5}}};
    expect_session_error(m, &taller, 1, CLINFER_ERR_SHAPE, "fixes to 6");
    clinfer_model_free(m);

    /* a model compiled from a builder graph has no file to rebuild from */
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    const clinfer_shape xs = {4, {CLINFER_BATCH_DIM, CIN, 6, 5}};
    clinfer_value xv, yv;
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &xv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_unary(g, "relu", CLINFER_UNARY_RELU, xv, 0, 0, &yv), CLINFER_OK,
                 "%s", clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_output(g, yv, "y"), CLINFER_OK);
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_graph_free(g);
    expect_session_error(m, &taller, 1, CLINFER_ERR_SHAPE, "compiled from a graph");
    const clinfer_input_shape batch2 = {"x", {4, {2, 3, 6, 5}}};
    clinfer_session_options o = clinfer_session_options_default();
    o.input_shapes = &batch2;
    o.input_shape_count = 1;
    clinfer_session *ses = NULL;
    cr_assert_eq(clinfer_session_create(m, &o, &ses), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_shape ys;
    cr_assert_eq(clinfer_session_output_shape(ses, 0, &ys), CLINFER_OK);
    cr_assert_eq(ys.dims[0], 2);
    clinfer_session_free(ses);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}
