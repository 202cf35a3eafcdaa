/*
 * test_onnx_if.c — ONNX If nodes whose condition is known while loading
 * (host/onnx/import_if.c), on models written in C (onnx_writer.c): each
 * branch taken by a condition computed from a shape, a branch's own
 * initializer, a known tensor out of a branch, an If that the file lists
 * before the producer of a value its branch reads, nested Ifs, against
 * references computed here; then the refusals: a condition computed at
 * run time or on the open batch size, a branch with the wrong number of outputs, a branch that is
 * not a graph, a missing branch, Ifs nested too deep.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "testutil.h"

#define N 2
#define SIZE (N * 3 * 4 * 5)

static const int64_t x_dims[4] = {-1, 3, 4, 5}, one[1] = {1};

/* cond = Equal(Shape(x)[1], channels): x has 3 channels. */
static void shape_condition(onnx_graph *g, int64_t channels)
{
    onnx_initializer(g, (pb[]){onnx_tensor_i("axis1", 0, NULL, (const int64_t[]){1}, 1)});
    onnx_initializer(g, (pb[]){onnx_tensor_i("want_c", 0, NULL, &channels, 1)});
    onnx_node(g, "Shape", "shape", "x", "xs", 0, NULL);
    onnx_node(g, "Gather", "c", "xs,axis1", "c", 0, NULL);
    onnx_node(g, "Equal", "is_c", "c,want_c", "cond", 0, NULL);
}

/* then: x * 2 (2 a branch initializer); else: Sigmoid(x); y = If + x. */
static uint8_t *two_way_model(int64_t channels, size_t *size)
{
    onnx_graph g = {{0}}, then_b = {{0}}, else_b = {{0}};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, x_dims)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, 4, x_dims)});
    shape_condition(&g, channels);
    onnx_initializer(&then_b, (pb[]){onnx_tensor_f("two", 0, NULL, (const float[]){2}, 1)});
    onnx_node(&then_b, "Mul", "double", "x,two", "t_out", 0, NULL);
    onnx_output(&then_b, (pb[]){onnx_value_info("t_out", OT_FLOAT, -1, NULL)});
    onnx_node(&else_b, "Sigmoid", "squash", "x", "e_out", 0, NULL);
    onnx_output(&else_b, (pb[]){onnx_value_info("e_out", OT_FLOAT, -1, NULL)});
    pb a[2] = {onnx_attr_graph("then_branch", &then_b), onnx_attr_graph("else_branch", &else_b)};
    onnx_node(&g, "If", "branch", "cond", "r", 2, a);
    onnx_node(&g, "Add", "plus_x", "r,x", "y", 0, NULL);
    return onnx_model(&g, 13, size);
}

static void run(const uint8_t *model, size_t size, const float *x, float *y)
{
    const size_t n = SIZE;
    test_onnx_run_batch(model, size, N, (const float *const[]){x}, &n, 1, y, SIZE);
}

Test(onnx_if, a_shape_condition_takes_its_branch)
{
    float x[SIZE], y[SIZE], want[SIZE];
    uint32_t seed = 11;
    fill_uniform(x, SIZE, -3, 3, &seed);
    size_t size;
    uint8_t *m = two_way_model(3, &size); /* true: then */
    run(m, size, x, y);
    for (int i = 0; i < SIZE; i++)
        want[i] = 3 * x[i];
    assert_close(y, want, SIZE, 1e-6f, 1e-6f, "then branch");
    free(m);
    m = two_way_model(4, &size); /* false: else */
    run(m, size, x, y);
    for (int i = 0; i < SIZE; i++)
        want[i] = 1.0f / (1.0f + expf(-x[i])) + x[i];
    assert_close(y, want, SIZE, 1e-6f, 1e-5f, "else branch");
    free(m);
}

Test(onnx_if, nested_ifs_and_implicit_inputs_in_any_order)
{
    float x[SIZE], y[SIZE], want[SIZE];
    uint32_t seed = 12;
    fill_uniform(x, SIZE, -3, 3, &seed);
    for (int64_t flag = 0; flag <= 1; flag++) {
        size_t size;
        uint8_t *m = onnx_model_if(flag, &size); /* onnx_writer.h */
        run(m, size, x, y);
        for (int i = 0; i < SIZE; i++) {
            const float z = x[i] > 0 ? x[i] : 0;
            want[i] = 2 * (flag ? fabsf(z) : z - x[i]) * x[i];
        }
        assert_close(y, want, SIZE, 1e-6f, 1e-6f, flag ? "inner then" : "inner else");
        free(m);
    }
}

/* A branch whose output is a known tensor (a shape for the Reshape after
 * the If): then [0, -1] (flatten), else [0, 3, -1]. */
Test(onnx_if, a_known_tensor_out_of_a_branch)
{
    onnx_graph g = {{0}}, then_b = {{0}}, else_b = {{0}};
    const int64_t out_dims[2] = {-1, 60};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, x_dims)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, 2, out_dims)});
    shape_condition(&g, 3);
    onnx_initializer(&then_b, (pb[]){onnx_tensor_i("flat", 1, (const int64_t[]){2},
                                                   (const int64_t[]){0, -1}, 1)});
    onnx_output(&then_b, (pb[]){onnx_value_info("flat", OT_INT64, 1, one)});
    onnx_initializer(&else_b, (pb[]){onnx_tensor_i("rows", 1, (const int64_t[]){3},
                                                   (const int64_t[]){0, 3, -1}, 1)});
    onnx_output(&else_b, (pb[]){onnx_value_info("rows", OT_INT64, 1, one)});
    pb a[2] = {onnx_attr_graph("then_branch", &then_b), onnx_attr_graph("else_branch", &else_b)};
    onnx_node(&g, "If", "pick", "cond", "target", 2, a);
    onnx_node(&g, "Reshape", "flatten", "x,target", "y", 0, NULL);
    size_t size;
    uint8_t *m = onnx_model(&g, 13, &size);
    float x[SIZE], y[SIZE];
    uint32_t seed = 13;
    fill_uniform(x, SIZE, -3, 3, &seed);
    run(m, size, x, y);
    assert_close(y, x, SIZE, 0, 0, "flattened");
    free(m);
}

static void expect_refusal(uint8_t *m, size_t size, const char *part)
{
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK, "loaded; wanted \"%s\"",
                  part);
    cr_assert_null(g);
    cr_assert(strstr(clinfer_last_errmsg(), part), "message \"%s\" lacks \"%s\"",
              clinfer_last_errmsg(), part);
    free(m);
}

/* then: Relu(x); else: Neg(x) listed else_outputs times as an output;
 * `extra` adds what makes "cond". */
static uint8_t *relu_or_neg(const char *cond, int else_outputs, size_t *size,
                            void (*extra)(onnx_graph *))
{
    onnx_graph g = {{0}}, then_b = {{0}}, else_b = {{0}};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, x_dims)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, 4, x_dims)});
    if (extra)
        extra(&g);
    onnx_node(&then_b, "Relu", "r", "x", "t_out", 0, NULL);
    onnx_output(&then_b, (pb[]){onnx_value_info("t_out", OT_FLOAT, -1, NULL)});
    onnx_node(&else_b, "Neg", "n", "x", "e_out", 0, NULL);
    for (int k = 0; k < else_outputs; k++)
        onnx_output(&else_b, (pb[]){onnx_value_info("e_out", OT_FLOAT, -1, NULL)});
    pb a[2] = {onnx_attr_graph("then_branch", &then_b), onnx_attr_graph("else_branch", &else_b)};
    onnx_node(&g, "If", "choice", cond, "y", 2, a);
    return onnx_model(&g, 13, size);
}

static void run_time_condition(onnx_graph *g)
{
    onnx_node(g, "ReduceSum", "total", "x", "total", 1, (pb[]){onnx_attr_int("keepdims", 0)});
    onnx_initializer(g, (pb[]){onnx_tensor_f("zero", 0, NULL, (const float[]){0}, 1)});
    onnx_node(g, "Greater", "positive", "total,zero", "cond", 0, NULL);
}

static void known_false(onnx_graph *g)
{
    onnx_initializer(g, (pb[]){onnx_tensor_i("cond", 0, NULL, (const int64_t[]){0}, 1)});
}

/* cond = Cast(Shape(x)[0], bool): the open batch */
static void batch_condition(onnx_graph *g)
{
    onnx_initializer(g, (pb[]){onnx_tensor_i("axis0", 0, NULL, (const int64_t[]){0}, 1)});
    onnx_node(g, "Shape", "shape", "x", "xs", 0, NULL);
    onnx_node(g, "Gather", "n", "xs,axis0", "n", 0, NULL);
    onnx_node(g, "Cast", "any", "n", "cond", 1, (pb[]){onnx_attr_int("to", OT_BOOL)});
}

Test(onnx_if, refusals_name_the_problem)
{
    size_t size;
    uint8_t *m = relu_or_neg("cond", 1, &size, run_time_condition);
    expect_refusal(m, size, "its condition \"cond\" is computed at run time");
    m = relu_or_neg("cond", 1, &size, batch_condition);
    expect_refusal(m, size, "its condition \"cond\" depends on the batch size");
    m = relu_or_neg("cond", 2, &size, known_false);
    expect_refusal(m, size, "its else_branch has 2 outputs, the If 1");

    /* a branch whose bytes are not a GraphProto */
    onnx_graph g = {{0}}, then_b = {{0}};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, x_dims)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, 4, x_dims)});
    known_false(&g);
    onnx_output(&then_b, (pb[]){onnx_value_info("x", OT_FLOAT, -1, NULL)});
    pb bad = {0};
    pb_str(&bad, 1, "else_branch");
    pb_int(&bad, 20, 5);
    pb_bytes(&bad, 6, "\xff\xff\xff", 3);
    pb a[2] = {onnx_attr_graph("then_branch", &then_b), bad};
    onnx_node(&g, "If", "broken", "cond", "y", 2, a);
    m = onnx_model(&g, 13, &size);
    expect_refusal(m, size, "its else_branch is not a valid graph");

    /* no else_branch */
    onnx_graph h = {{0}}, only = {{0}};
    onnx_input(&h, (pb[]){onnx_value_info("x", OT_FLOAT, 4, x_dims)});
    onnx_output(&h, (pb[]){onnx_value_info("y", OT_FLOAT, 4, x_dims)});
    known_false(&h);
    onnx_output(&only, (pb[]){onnx_value_info("x", OT_FLOAT, -1, NULL)});
    pb one_branch[1] = {onnx_attr_graph("then_branch", &only)};
    onnx_node(&h, "If", "half", "cond", "y", 1, one_branch);
    m = onnx_model(&h, 13, &size);
    expect_refusal(m, size, "the else_branch attribute is missing");
}

/* Ifs nested `depth` deep, each taking its then branch down to Relu(x). */
static pb nested_then(int depth)
{
    onnx_graph b = {{0}}, e = {{0}};
    char out[32];
    snprintf(out, sizeof out, "out%d", depth);
    if (depth == 0) {
        onnx_node(&b, "Relu", "leaf", "x", out, 0, NULL);
    } else {
        char in[32];
        snprintf(in, sizeof in, "out%d", depth - 1);
        pb inner[2] = {nested_then(depth - 1), {0}};
        onnx_output(&e, (pb[]){onnx_value_info("x", OT_FLOAT, -1, NULL)});
        inner[1] = onnx_attr_graph("else_branch", &e);
        onnx_node(&b, "If", NULL, "cond", out, 2, inner);
    }
    onnx_output(&b, (pb[]){onnx_value_info(out, OT_FLOAT, -1, NULL)});
    return onnx_attr_graph("then_branch", &b);
}

static uint8_t *deep_model(int depth, size_t *size)
{
    onnx_graph g = {{0}}, e = {{0}};
    char out[32];
    snprintf(out, sizeof out, "out%d", depth);
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, x_dims)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, 4, x_dims)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("cond", 0, NULL, (const int64_t[]){1}, 1)});
    onnx_output(&e, (pb[]){onnx_value_info("x", OT_FLOAT, -1, NULL)});
    pb a[2] = {nested_then(depth - 1), onnx_attr_graph("else_branch", &e)};
    onnx_node(&g, "If", "top", "cond", out, 2, a);
    onnx_node(&g, "Identity", "last", out, "y", 0, NULL);
    return onnx_model(&g, 13, size);
}

Test(onnx_if, nesting_is_limited)
{
    size_t size;
    uint8_t *m = deep_model(16, &size); /* the limit: runs */
    float x[SIZE], y[SIZE], want[SIZE];
    uint32_t seed = 14;
    fill_uniform(x, SIZE, -3, 3, &seed);
    run(m, size, x, y);
    for (int i = 0; i < SIZE; i++)
        want[i] = x[i] > 0 ? x[i] : 0;
    assert_close(y, want, SIZE, 0, 0, "16 Ifs deep");
    free(m);
    m = deep_model(17, &size);
    expect_refusal(m, size, "Ifs nest more than 16 deep");
}
