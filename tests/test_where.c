/*
 * test_where.c — Where against its naive reference (tests/ref_where.c)
 * through test_op (both precisions): equal shapes (one merged dim), every
 * operand broadcast in turn, scalars, rank 6, a constant mask over
 * attention-like scores, NaN conditions; -inf taken through; shapes that
 * do not broadcast; and the ONNX path with run-time operands, a bool mask
 * initializer and a bool graph input. The conditions (Equal, Less, ...,
 * And, Or, Xor; Not in ONNX) on run-time tensors with ties, NaN and
 * broadcasting, and a condition built from them in an ONNX model.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ref_where.h"
#include "shape.h"
#include "testutil.h"

static clinfer_status add_where(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                clinfer_value *out)
{
    (void)ctx;
    return clinfer_graph_where(g, "where", in[0], in[1], in[2], out);
}

/* A condition of about half zeros (some -0.0 and NaN when `odd`), x and y
 * random; cond a constant when cond_const. */
static void check_where(clinfer_shape cs, clinfer_shape xs, clinfer_shape ys, int cond_const,
                        int odd, uint32_t seed)
{
    size_t nc = ref_numel(&cs), nx = ref_numel(&xs), ny = ref_numel(&ys);
    float *c = test_alloc(nc * sizeof *c), *x = test_alloc(nx * sizeof *x),
          *y = test_alloc(ny * sizeof *y);
    fill_uniform(c, nc, -1, 1, &seed);
    for (size_t i = 0; i < nc; i++)
        c[i] = c[i] < 0 ? (odd && i % 3 == 0 ? -0.0f : 0.0f) : (odd && i % 5 == 1 ? NAN : 1.0f);
    fill_uniform(x, nx, -2, 2, &seed);
    fill_uniform(y, ny, 10, 20, &seed);
    clinfer_shape os = ref_where_shape(&cs, &xs, &ys);
    float *want = test_alloc(ref_numel(&os) * sizeof *want);
    ref_where(&cs, c, &xs, x, &ys, y, want);
    char what[200], b1[64], b2[64], b3[64];
    snprintf(what, sizeof what, "where cond %s%s x %s y %s", shape_str(&cs, b1, sizeof b1),
             cond_const ? " (constant)" : "", shape_str(&xs, b2, sizeof b2),
             shape_str(&ys, b3, sizeof b3));
    const op_input in[3] = {{cs, c, cond_const}, {xs, x, 0}, {ys, y, 0}};
    const op_test t = {what, in, 3, add_where, NULL, want, os, 0, 0, {{0}}};
    test_op(&t);
    free(c);
    free(x);
    free(y);
    free(want);
}

#define SHP(r, ...) ((clinfer_shape){r, {__VA_ARGS__}})

Test(where, broadcasts_of_each_operand)
{
    const clinfer_shape full = SHP(3, 2, 3, 7), scalar = SHP(0, 0);
    check_where(full, full, full, 0, 1, 1u);                    /* equal shapes: one dim */
    check_where(SHP(2, 3, 1), full, full, 0, 0, 2u);            /* cond broadcast */
    check_where(full, SHP(1, 7), full, 0, 0, 3u);               /* x a row */
    check_where(full, full, scalar, 0, 1, 4u);                  /* y a scalar */
    check_where(SHP(3, 2, 1, 7), SHP(2, 3, 1), SHP(1, 1), 0, 0, 5u); /* all three */
    check_where(scalar, full, SHP(3, 1, 3, 1), 0, 0, 6u);
    check_where(SHP(6, 2, 1, 3, 1, 2, 5), SHP(5, 4, 3, 1, 2, 1), SHP(1, 5), 0, 1, 7u);
    check_where(SHP(1, 301), SHP(2, 3, 301), SHP(3, 3, 1, 1), 0, 0, 8u);
}

Test(where, constant_mask_over_scores)
{
    /* a causal mask [1, 1, T, T] as a constant over scores [B, H, T, T],
     * masked with a large negative (finite, for the fp16 tolerance) */
    enum { B = 2, H = 3, T = 9 };
    float mask[T * T], fill = -3e4f;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++)
            mask[i * T + j] = j <= i;
    const clinfer_shape ms = SHP(4, 1, 1, T, T), ss = SHP(4, B, H, T, T), fs = SHP(0, 0);
    float *scores = test_alloc(B * H * T * T * sizeof *scores);
    float *want = test_alloc(B * H * T * T * sizeof *want);
    uint32_t seed = 11u;
    fill_uniform(scores, B * H * T * T, -3, 3, &seed);
    ref_where(&ms, mask, &ss, scores, &fs, &fill, want);
    const op_input in[3] = {{ms, mask, 1}, {ss, scores, 0}, {fs, &fill, 1}};
    const op_test t = {"causal mask", in, 3, add_where, NULL, want, ss, 0, 0, {{0}}};
    test_op(&t);
    /* -inf passes through unchanged (fp32 run, exact) */
    const float ninf = -INFINITY;
    const op_input in2[3] = {{ms, mask, 1}, {ss, scores, 0}, {fs, &ninf, 1}};
    ref_where(&ms, mask, &ss, scores, &fs, &ninf, want);
    const op_test t2 = {"causal mask -inf", in2, 3, add_where, NULL, want, ss, 0, 0, {{0}}};
    float *got = test_alloc(B * H * T * T * sizeof *got);
    test_op_run(&t2, got);
    assert_close_nonfinite(got, want, B * H * T * T, 0, 0, "causal mask -inf");
    free(got);
    free(scores);
    free(want);
}

Test(where, shapes_that_do_not_broadcast)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    const clinfer_shape a = SHP(2, 3, 4), b = SHP(1, 5);
    clinfer_value c, x, y, out;
    cr_assert_eq(clinfer_graph_input(g, "c", &a, &c), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &a, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "y", &b, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_where(g, "w", c, x, y, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "\"w\"") &&
                  strstr(clinfer_graph_errmsg(g), "Where: Y [5] does not broadcast"),
              "%s", clinfer_graph_errmsg(g));
    clinfer_graph_free(g);
}

/* ------------------------------------------------------------ ONNX */

/* A bool TensorProto (raw_data, one byte per value). */
static pb bool_tensor(const char *name, int rank, const int64_t *dims, const uint8_t *v, size_t n)
{
    pb t = {0};
    for (int d = 0; d < rank; d++)
        pb_int(&t, 1, dims[d]);
    pb_int(&t, 2, OT_BOOL);
    pb_str(&t, 8, name);
    pb_bytes(&t, 9, v, n);
    return t;
}

/* x [2, 3, 5] float and m [2, 1, 5] bool inputs; k [3, 1] bool, y [5]
 * and fill [] initializers: w = Where(m, x, y); out = Where(k, w, fill). */
static uint8_t *where_model(const uint8_t *k, const float *y, float fill, const int64_t *ydims,
                            size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[3] = {2, 3, 5}, md[3] = {2, 1, 5}, kd[2] = {3, 1};
    pb t = onnx_value_info("x", OT_FLOAT, 3, xd);
    onnx_input(&g, &t);
    t = onnx_value_info("m", OT_BOOL, 3, md), onnx_input(&g, &t);
    t = bool_tensor("k", 2, kd, k, 3), onnx_initializer(&g, &t);
    t = onnx_tensor_f("y", 1, ydims, y, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("fill", 0, NULL, &fill, 0), onnx_initializer(&g, &t);
    onnx_node(&g, "Where", "by_input", "m,x,y", "w", 0, NULL);
    onnx_node(&g, "Where", "by_mask", "k,w,fill", "out", 0, NULL);
    t = onnx_value_info("out", OT_FLOAT, 3, xd), onnx_output(&g, &t);
    return onnx_model(&g, 16, size);
}

Test(where, onnx_run_time_condition_and_bool_mask)
{
    const uint8_t k[3] = {1, 0, 1};
    const float y[5] = {-1, -2, -3, -4, -5}, fill = 7.5f;
    const int64_t yd = 5;
    size_t size;
    uint8_t *model = where_model(k, y, fill, &yd, &size);
    float x[30], mv[10], out[30], w[30], want[30], kf[3] = {1, 0, 1};
    uint32_t seed = 21u;
    fill_uniform(x, 30, -1, 1, &seed);
    for (int i = 0; i < 10; i++)
        mv[i] = (float)(i % 3 != 0);
    const float *in[2] = {x, mv};
    const size_t counts[2] = {30, 10};
    test_onnx_run(model, size, in, counts, 2, out, 30);
    const clinfer_shape xs = SHP(3, 2, 3, 5), ms = SHP(3, 2, 1, 5), ys = SHP(1, 5),
                        ks = SHP(2, 3, 1), fs = SHP(0, 0);
    ref_where(&ms, mv, &xs, x, &ys, y, w);
    ref_where(&ks, kf, &xs, w, &fs, &fill, want);
    assert_equal(out, want, 30, "two Where nodes from ONNX");
    free(model);

    /* Y of 4 values does not broadcast with [2, 3, 5]: the node is named */
    const int64_t bad = 4;
    model = where_model(k, y, fill, &bad, &size);
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "\"by_input\"") &&
                  strstr(clinfer_last_errmsg(), "does not broadcast"),
              "%s", clinfer_last_errmsg());
    free(model);
}

/* ------------------------------------------------------------ conditions */

static clinfer_status add_compare(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                  clinfer_value *out)
{
    return clinfer_graph_compare(g, "cmp", *(const clinfer_compare_op *)ctx, in[0], in[1], out);
}

/* Values from {-1.5, -1, ..., 1.5, 0} (ties between a and b are common,
 * half storage holds them exactly), a NaN now and then when `nan`. */
static void fill_steps(float *x, size_t n, int nan, uint32_t *seed)
{
    fill_uniform(x, n, -2, 2, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = nan && i % 7 == 3 ? NAN : floorf(x[i] * 2) / 2;
}

static void check_compare(clinfer_compare_op op, clinfer_shape as, clinfer_shape bs, uint32_t seed)
{
    size_t na = ref_numel(&as), nb = ref_numel(&bs);
    float *a = test_alloc(na * sizeof *a), *b = test_alloc(nb * sizeof *b);
    fill_steps(a, na, 1, &seed);
    fill_steps(b, nb, 0, &seed);
    const clinfer_shape none = SHP(0, 0);
    clinfer_shape os = ref_where_shape(&none, &as, &bs);
    float *want = test_alloc(ref_numel(&os) * sizeof *want);
    ref_compare((int)op, &as, a, &bs, b, want);
    char what[96];
    snprintf(what, sizeof what, "compare %d", (int)op);
    const op_input in[2] = {{as, a, 0}, {bs, b, op == CLINFER_COMPARE_XOR}};
    const op_test t = {what, in, 2, add_compare, &op, want, os, 0, 0, {{0}}};
    test_op(&t);
    free(a), free(b), free(want);
}

Test(where, conditions_on_run_time_tensors)
{
    for (int op = CLINFER_COMPARE_EQUAL; op <= CLINFER_COMPARE_XOR; op++) {
        check_compare((clinfer_compare_op)op, SHP(3, 2, 3, 5), SHP(3, 2, 3, 5), 30u + op);
        check_compare((clinfer_compare_op)op, SHP(3, 2, 3, 5), SHP(2, 3, 1), 40u + op);
        check_compare((clinfer_compare_op)op, SHP(0, 0), SHP(2, 4, 9), 50u + op);
    }
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    const clinfer_shape a = SHP(2, 3, 4), b = SHP(1, 5);
    clinfer_value x, y, out;
    cr_assert_eq(clinfer_graph_input(g, "x", &a, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "y", &b, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_compare(g, "c", CLINFER_COMPARE_LESS, x, y, &out),
                 CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "Less: B [5] does not broadcast"), "%s",
              clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_compare(g, "c", (clinfer_compare_op)9, x, x, &out),
                 CLINFER_ERR_INVALID_ARGUMENT);
    clinfer_graph_free(g);
}

Test(where, onnx_condition_from_run_time_comparisons)
{
    /* y = Where(And(Greater(x, 0), Not(Less(x, 0.5))), x, Neg(x)) */
    onnx_graph g = {{0}};
    const int64_t xd[3] = {2, 3, 5};
    const float zero = 0.0f, half = 0.5f;
    pb t = onnx_value_info("x", OT_FLOAT, 3, xd);
    onnx_input(&g, &t);
    t = onnx_tensor_f("zero", 0, NULL, &zero, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_f("half", 0, NULL, &half, 0), onnx_initializer(&g, &t);
    onnx_node(&g, "Greater", "gt", "x,zero", "pos", 0, NULL);
    onnx_node(&g, "Less", "lt", "x,half", "small", 0, NULL);
    onnx_node(&g, "Not", "not", "small", "big", 0, NULL);
    onnx_node(&g, "And", "and", "pos,big", "cond", 0, NULL);
    onnx_node(&g, "Neg", "neg", "x", "mx", 0, NULL);
    onnx_node(&g, "Where", "where", "cond,x,mx", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 3, xd), onnx_output(&g, &t);
    size_t size;
    uint8_t *model = onnx_model(&g, 13, &size);
    float x[30], y[30], want[30];
    uint32_t seed = 60u;
    fill_steps(x, 30, 0, &seed);
    for (int i = 0; i < 30; i++)
        want[i] = x[i] > 0 && !(x[i] < 0.5f) ? x[i] : -x[i];
    const float *in[1] = {x};
    const size_t count = 30;
    test_onnx_run(model, size, in, &count, 1, y, 30);
    assert_equal(y, want, 30, "Where of run-time comparisons");
    free(model);
}
