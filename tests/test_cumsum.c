/*
 * test_cumsum.c — CumSum (ONNX opsets 11 and 14) against its naive
 * reference (tests/ref_cumsum.c) through test_op: every axis of a rank-4
 * tensor of odd sizes, given as a positive and as a negative index, each
 * form (inclusive or exclusive, forward or reversed), a long line and
 * rank 1 and 5; then the ONNX node (the axis an int64 initializer, scalar
 * or one-element vector) and the refusals: an axis computed at run time,
 * an axis out of range, an unknown exclusive or reverse value, opset 10.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ref_cumsum.h"
#include "shape.h"
#include "testutil.h"

typedef struct cs_case {
    int64_t axis;
    int exclusive, reverse;
} cs_case;

static clinfer_status add_cumsum(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    const cs_case *k = ctx;
    return clinfer_graph_cumsum(g, "cs", in[0], k->axis, k->exclusive, k->reverse, out);
}

static void check_case(const clinfer_shape *xs, cs_case k, uint32_t seed)
{
    const size_t n = ref_numel(xs);
    float *x = test_alloc(n * 4), *want = test_alloc(n * 4);
    fill_uniform(x, n, -1, 1, &seed);
    ref_cumsum(xs, x, (int32_t)k.axis, k.exclusive, k.reverse, want);
    char what[160], b[64];
    snprintf(what, sizeof what, "cumsum of %s along %lld, exclusive %d, reverse %d",
             shape_str(xs, b, sizeof b), (long long)k.axis, k.exclusive, k.reverse);
    const op_input in = {*xs, x, 0};
    const op_test t = {what, &in, 1, add_cumsum, &k, want, *xs, 1e-5f, 1e-5f, {{0}}};
    test_op(&t);
    free(x), free(want);
}

Test(cumsum, every_axis_and_form)
{
    const clinfer_shape xs = {4, {2, 3, 5, 7}};
    uint32_t seed = 40;
    for (int64_t axis = 0; axis < 4; axis++)
        for (int f = 0; f < 4; f++) {
            check_case(&xs, (cs_case){axis, f & 1, f >> 1}, seed++);
            check_case(&xs, (cs_case){axis - 4, f & 1, f >> 1}, seed++);
        }
}

Test(cumsum, long_lines_and_other_ranks)
{
    const clinfer_shape line = {1, {37}}, tall = {3, {3, 129, 1}}, five = {5, {2, 1, 3, 2, 5}};
    uint32_t seed = 50;
    for (int f = 0; f < 4; f++) {
        check_case(&line, (cs_case){0, f & 1, f >> 1}, seed++);
        check_case(&tall, (cs_case){1, f & 1, f >> 1}, seed++);
        check_case(&five, (cs_case){-3, f & 1, f >> 1}, seed++);
    }
}

/* A model: CumSum of x [3, 4] along an axis given as `axis_input` (an
 * initializer of rank axis_rank, or a graph input when axis_rank < 0). */
static uint8_t *cumsum_model(int64_t opset, int64_t axis, int axis_rank, int64_t exclusive,
                             int64_t reverse, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[2] = {3, 4}, one = 1;
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 2, xd)});
    if (axis_rank < 0)
        onnx_input(&g, (pb[]){onnx_value_info("axis", OT_INT64, 0, NULL)});
    else
        onnx_initializer(&g, (pb[]){onnx_tensor_i("axis", axis_rank, &one, &axis, 1)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    pb a[2] = {onnx_attr_int("exclusive", exclusive), onnx_attr_int("reverse", reverse)};
    onnx_node(&g, "CumSum", "cs", "x,axis", "y", 2, a);
    return onnx_model(&g, opset, size);
}

/* The model of cumsum_model's arguments fails to load, saying `message`. */
static void assert_refused(int64_t opset, int64_t axis, int axis_rank, int64_t exclusive,
                           int64_t reverse, const char *message)
{
    size_t size;
    uint8_t *m = cumsum_model(opset, axis, axis_rank, exclusive, reverse, &size);
    test_onnx_refused(m, size, message);
    free(m);
}

Test(cumsum, onnx_node_and_refusals)
{
    const clinfer_shape xs = {2, {3, 4}};
    float x[12], y[12], want[12];
    uint32_t seed = 60;
    fill_uniform(x, 12, -2, 2, &seed);
    const size_t count = 12;
    for (int f = 0; f < 4; f++) {
        size_t size;
        const int64_t axis = f % 2 ? -1 : 0;
        uint8_t *m = cumsum_model(f < 2 ? 11 : 14, axis, f % 2, f & 1, f >> 1, &size);
        test_onnx_run(m, size, (const float *const[]){x}, &count, 1, y, 12);
        ref_cumsum(&xs, x, (int32_t)axis, f & 1, f >> 1, want);
        assert_close(y, want, 12, 1e-5f, 1e-5f, "CumSum node");
        free(m);
    }
    assert_refused(14, 0, -1, 0, 0, "input 1 (axis, \"axis\") must be known");
    assert_refused(14, 2, 0, 0, 0, "axis 2 is out of range for input [3, 4]");
    assert_refused(14, 0, 0, 2, 0, "attribute \"exclusive\": 2 is outside");
    assert_refused(14, 0, 0, 0, -1, "attribute \"reverse\": -1 is outside");
    assert_refused(10, 0, 0, 0, 0, "CumSum exists from opset 11");
}

/* The builder refuses what the node cannot run, naming it. */
Test(cumsum, builder_refusals)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value x, y;
    const clinfer_shape xs = {3, {2, 3, 5}};
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_neq(clinfer_graph_cumsum(g, "cs", x, 3, 0, 0, &y), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "axis 3 is out of range for input [2, 3, 5] "
                                            "(expected -3 to 2)"),
              "message: %s", clinfer_last_errmsg());
    cr_assert_neq(clinfer_graph_cumsum(g, "cs", x, -4, 0, 0, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_cumsum(g, "cs", x, -3, 1, 1, &y), CLINFER_OK);
    clinfer_graph_free(g);
}
