/*
 * test_topk.c — TopK (ONNX opsets 1, 10, 11) against its naive reference
 * (tests/ref_topk.c), every output compared exactly in fp32 and in half
 * storage (the inputs multiples of 1/64 in [-2, 2], exact in half, so the
 * order is the same in both): every axis of [2, 3, 5, 7], positive and
 * negative, largest and smallest, K 1, between and the axis' size, the
 * values, the indices and both at once; ties, infinities and NaN in
 * ONNX Runtime's order; long lines (2049: the last index exact in half)
 * and ranks 1 and 5; the ONNX node at opsets 1, 10 and 11 (int64
 * indices, an open batch) and the refusals, half storage's of an axis of
 * 2050 among them (an index past 2048).
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ref_topk.h"
#include "shape.h"
#include "testutil.h"

/* Which outputs the graph gives: the values, the indices, or both
 * concatenated along axis 0 (both wanted from one node). */
enum { TK_VALUES, TK_INDICES, TK_BOTH };

typedef struct tk_case {
    int64_t axis, k;
    int largest, outputs;
} tk_case;

static clinfer_status add_topk(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                               clinfer_value *out)
{
    const tk_case *c = ctx;
    clinfer_value vi[2];
    clinfer_status st = clinfer_graph_topk(g, "tk", in[0], c->axis, c->k, c->largest,
                                           c->outputs != TK_INDICES ? &vi[0] : NULL,
                                           c->outputs != TK_VALUES ? &vi[1] : NULL);
    if (st != CLINFER_OK || c->outputs == TK_BOTH)
        return st != CLINFER_OK ? st : clinfer_graph_concat(g, "both", vi, 2, 0, out);
    *out = vi[c->outputs == TK_INDICES];
    return CLINFER_OK;
}

/* Multiples of 1/64 in [-2, 2]: exact in half, with some ties. */
static void fill_sixty_fourths(float *x, size_t n, uint32_t seed)
{
    fill_uniform(x, n, -2, 2, &seed);
    for (size_t i = 0; i < n; i++)
        x[i] = nearbyintf(x[i] * 64) / 64;
}

/* TopK of x [xs] under k run through the builder in fp32 and in half
 * storage, the output equal to the reference (NaN where it is NaN). */
static void check_case(const clinfer_shape *xs, const float *x, tk_case k)
{
    const int32_t ax = (int32_t)(k.axis < 0 ? k.axis + xs->rank : k.axis);
    clinfer_shape os = *xs;
    os.dims[ax] = k.k;
    const size_t n = ref_numel(&os);
    float *want = test_alloc(2 * n * 4);
    ref_topk(xs, x, (int32_t)k.axis, k.k, k.largest, want, want + n);
    if (k.outputs == TK_BOTH)
        os.dims[0] *= 2;
    const float *w = k.outputs == TK_INDICES ? want + n : want;
    char what[200], b[64];
    snprintf(what, sizeof what, "topk of %s along %lld, k %lld, largest %d, outputs %d",
             shape_str(xs, b, sizeof b), (long long)k.axis, (long long)k.k, k.largest,
             k.outputs);
    const op_input in = {*xs, x, 0};
    const op_test t = {what, &in, 1, add_topk, &k, w, os, 0, 0, {{0}}};
    test_op_exact(&t);
    free(want);
}

Test(topk, every_axis_largest_and_smallest)
{
    const clinfer_shape xs = {4, {2, 3, 5, 7}};
    float x[210];
    fill_sixty_fourths(x, 210, 80);
    int outputs = 0;
    for (int64_t axis = -4; axis < 4; axis++) {
        const int64_t len = xs.dims[axis < 0 ? axis + 4 : axis], ks[3] = {1, (len + 1) / 2, len};
        for (int largest = 0; largest < 2; largest++)
            for (int j = 0; j < 3; j++)
                check_case(&xs, x, (tk_case){axis, ks[j], largest, outputs++ % 3});
    }
}

/* ONNX Runtime 1.32's own output for this line (checked): a NaN above
 * every number, equal values and NaNs by lower index. */
Test(topk, onnx_runtime_order_of_nan_and_ties)
{
    const clinfer_shape xs = {1, {8}};
    const float x[8] = {1, NAN, 3, NAN, -INFINITY, INFINITY, 3, 0};
    const float want_largest[16] = {NAN, NAN, INFINITY, 3, 3, 1, 0, -INFINITY,
                                    1,   3,   5,        2, 6, 0, 7, 4};
    const float want_smallest[16] = {-INFINITY, 0, 1, 3, 3, INFINITY, NAN, NAN,
                                     4,         7, 0, 2, 6, 5,        1,   3};
    float v[8], i[8];
    for (int largest = 0; largest < 2; largest++) {
        const float *w = largest ? want_largest : want_smallest;
        ref_topk(&xs, x, 0, 8, largest, v, i);
        assert_close_nonfinite(v, w, 8, 0, 0, "the reference's values");
        assert_close_nonfinite(i, w + 8, 8, 0, 0, "the reference's indices");
        for (int64_t k = 1; k <= 8; k += 3)
            check_case(&xs, x, (tk_case){0, k, largest, TK_BOTH});
    }
}

/* Lines of equal values, of infinities, with NaNs at either end, along
 * both axes of [4, 6]. */
Test(topk, ties_infinities_and_nan)
{
    const clinfer_shape xs = {2, {4, 6}};
    const float x[24] = {2,        2,         2,    2, 2, 2, -INFINITY, 1, INFINITY, -INFINITY,
                         INFINITY, 1,         NAN,  0, 0, -1, 0,        NAN,
                         -0.5f,    -INFINITY, -0.5f, NAN, 1, -0.5f};
    for (int axis = -2; axis < 2; axis++)
        for (int largest = 0; largest < 2; largest++)
            for (int64_t k = 1; k <= 4; k += 3)
                check_case(&xs, x, (tk_case){axis, k, largest, TK_BOTH});
}

Test(topk, long_lines_and_other_ranks)
{
    const clinfer_shape line = {1, {300}}, tall = {3, {3, 129, 1}}, five = {5, {2, 1, 3, 2, 5}};
    const clinfer_shape widest = {2, {1, 2049}}; /* index 2048: the last exact in half */
    static float x[2049];
    fill_sixty_fourths(x, 2049, 81);
    for (int largest = 0; largest < 2; largest++) {
        check_case(&line, x, (tk_case){0, 17, largest, TK_BOTH});
        check_case(&widest, x, (tk_case){1, 2049, largest, TK_INDICES});
        check_case(&tall, x, (tk_case){1, 129, largest, TK_INDICES});
        check_case(&five, x, (tk_case){-3, 2, largest, TK_VALUES});
    }
}

/* How a model gives K: opset 1's attribute, an int64 initializer [1], or a
 * graph input (computed at run time). */
enum { K_ATTRIBUTE, K_INITIALIZER, K_RUN_TIME };

typedef struct tk_model {
    int64_t opset;
    const int64_t *dims; /* rank 3 */
    int64_t axis, k;
    int k_from;
    int64_t largest, sorted; /* -1: absent */
    int indices_first;       /* the graph's output 0 is the indices */
} tk_model;

static uint8_t *topk_model(const tk_model *p, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t one = 1;
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 3, p->dims)});
    if (p->k_from == K_RUN_TIME)
        onnx_input(&g, (pb[]){onnx_value_info("K", OT_INT64, 1, &one)});
    else if (p->k_from == K_INITIALIZER)
        onnx_initializer(&g, (pb[]){onnx_tensor_i("K", 1, &one, &p->k, 1)});
    pb v = onnx_value_info("values", OT_FLOAT, -1, NULL);
    pb i = onnx_value_info("indices", OT_INT64, -1, NULL);
    onnx_output(&g, p->indices_first ? &i : &v);
    onnx_output(&g, p->indices_first ? &v : &i);
    pb a[4];
    int na = 0;
    a[na++] = onnx_attr_int("axis", p->axis);
    if (p->k_from == K_ATTRIBUTE)
        a[na++] = onnx_attr_int("k", p->k);
    if (p->largest >= 0)
        a[na++] = onnx_attr_int("largest", p->largest);
    if (p->sorted >= 0)
        a[na++] = onnx_attr_int("sorted", p->sorted);
    onnx_node(&g, "TopK", "tk", p->k_from == K_ATTRIBUTE ? "x" : "x,K", "values,indices", na, a);
    return onnx_model(&g, p->opset, size);
}

/* Both outputs of the model p (x's batch `batch` when open) equal the
 * reference, in fp32 and half storage; the indices declared int64. */
static void check_model(tk_model p, const clinfer_shape *xs, const float *x, int64_t batch,
                        const char *what)
{
    const int32_t ax = (int32_t)(p.axis < 0 ? p.axis + 3 : p.axis);
    clinfer_shape os = *xs;
    os.dims[ax] = p.k;
    const size_t n = ref_numel(&os), nx = ref_numel(xs);
    float *want = test_alloc(2 * n * 4), *got = test_alloc(n * 4);
    ref_topk(xs, x, ax, p.k, p.largest != 0, want, want + n);
    char label[160];
    for (int first = 0; first < 2; first++) {
        p.indices_first = first;
        size_t size;
        uint8_t *m = topk_model(&p, &size);
        snprintf(label, sizeof label, "%s, %s", what, first ? "indices" : "values");
        test_onnx_check_exact_n(m, size, batch, x, nx, first ? want + n : want, n, label);
        if (first)
            cr_assert_eq(test_onnx_run_batch(m, size, batch, (const float *const[]){x}, &nx, 1,
                                             got, n),
                         CLINFER_DTYPE_INT64, "%s: the indices are not declared int64", label);
        free(m);
    }
    free(want), free(got);
}

Test(topk, onnx_node_at_opsets_1_10_11)
{
    const int64_t dims[3] = {2, 5, 7};
    const clinfer_shape xs = {3, {2, 5, 7}};
    float x[70];
    fill_sixty_fourths(x, 70, 82);
    x[3] = NAN, x[12] = INFINITY, x[40] = -INFINITY;
    check_model((tk_model){1, dims, 1, 3, K_ATTRIBUTE, -1, -1, 0}, &xs, x, 0, "opset 1");
    check_model((tk_model){1, dims, -1, 7, K_ATTRIBUTE, -1, -1, 0}, &xs, x, 0, "opset 1 axis -1");
    check_model((tk_model){10, dims, 0, 2, K_INITIALIZER, -1, -1, 0}, &xs, x, 0, "opset 10");
    check_model((tk_model){11, dims, -2, 4, K_INITIALIZER, 0, 0, 0}, &xs, x, 0,
                "opset 11 smallest unsorted");
    check_model((tk_model){11, dims, 2, 1, K_INITIALIZER, 1, 1, 0}, &xs, x, 0, "opset 11");
}

/* The batch open in the model, given by the session (2, then 3). */
Test(topk, open_batch)
{
    const int64_t dims[3] = {-1, 3, 5};
    float x[45];
    fill_sixty_fourths(x, 45, 83);
    for (int64_t batch = 2; batch < 4; batch++) {
        const clinfer_shape xs = {3, {batch, 3, 5}};
        check_model((tk_model){11, dims, -1, 2, K_INITIALIZER, 1, -1, 0}, &xs, x, batch,
                    "open batch, last axis");
        check_model((tk_model){11, dims, 1, 3, K_INITIALIZER, 0, -1, 0}, &xs, x, batch,
                    "open batch, axis 1");
    }
}

Test(topk, onnx_refusals)
{
    const int64_t dims[3] = {2, 5, 7}, open[3] = {-1, 5, 7};
    const struct {
        tk_model p;
        const char *message;
    } bad[] = {
        {{11, dims, 1, 3, K_RUN_TIME, -1, -1, 0}, "input 1 (K, \"K\") must be known"},
        {{11, dims, 1, 6, K_INITIALIZER, -1, -1, 0},
         "K 6 is outside [1, 5], the size of axis 1 of input [2, 5, 7]"},
        {{1, dims, -1, 8, K_ATTRIBUTE, -1, -1, 0}, "K 8 is outside [1, 7]"},
        {{11, dims, 1, 0, K_INITIALIZER, -1, -1, 0}, "K is 0: the outputs would be empty"},
        {{11, dims, 1, -2, K_INITIALIZER, -1, -1, 0}, "K is -2: it must not be negative"},
        {{11, dims, 1, 2, K_ATTRIBUTE, -1, -1, 0}, "the attribute k exists before opset 10 only"},
        {{10, dims, 1, 2, K_INITIALIZER, 0, -1, 0}, "largest and sorted exist from opset 11"},
        {{11, dims, 1, 2, K_INITIALIZER, 2, -1, 0}, "attribute \"largest\": 2 is outside"},
        {{11, dims, 3, 2, K_INITIALIZER, -1, -1, 0}, "axis 3 is out of range for input [2, 5, 7]"},
        {{11, open, 0, 1, K_INITIALIZER, -1, -1, 0}, "axis 0 is the open batch dimension"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t size;
        uint8_t *m = topk_model(&bad[i].p, &size);
        test_onnx_refused(m, size, bad[i].message);
        free(m);
    }
}

/* The builder refuses what the node cannot run, naming it. */
Test(topk, builder_refusals)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value x, v, i;
    const clinfer_shape xs = {3, {2, 3, 5}};
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_neq(clinfer_graph_topk(g, "tk", x, 1, 2, 1, NULL, NULL), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "no output wanted"), "message: %s",
              clinfer_last_errmsg());
    cr_assert_neq(clinfer_graph_topk(g, "tk", x, -4, 1, 1, &v, &i), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "axis -4 is out of range for input [2, 3, 5] "
                                            "(expected -3 to 2)"),
              "message: %s", clinfer_last_errmsg());
    cr_assert_neq(clinfer_graph_topk(g, "tk", x, 2, 6, 1, &v, &i), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "K 6 is outside [1, 5]"), "message: %s",
              clinfer_last_errmsg());
    cr_assert_neq(clinfer_graph_topk(g, "tk", x, 2, 0, 1, &v, NULL), CLINFER_OK);
    cr_assert_eq(clinfer_graph_topk(g, "tk", x, 2, 5, 0, &v, &i), CLINFER_OK);
    /* the values named as the input: the node and the slice made before
     * the failing view go, so the name's node is free for the next call */
    cr_assert_neq(clinfer_graph_topk(g, "x", x, 2, 2, 1, &v, &i), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "a value named \"x\" already exists"),
              "message: %s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_topk(g, "x", x, 2, 2, 1, NULL, &i), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    clinfer_graph_free(g);
}

/* In half storage an index above 2048 is not exact: an axis of 2050 is
 * refused when the model is compiled or its session made, naming it; in
 * fp32 the same graph runs. */
Test(topk, half_storage_refuses_an_index_past_2048)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value x, i;
    const clinfer_shape xs = {2, {2, 2050}};
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_topk(g, "tk", x, 1, 3, 1, NULL, &i), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_output(g, i, "i"), CLINFER_OK);
    for (int half = 1; half >= 0; half--) {
        if (half)
            setenv("CLINFER_PRECISION", "fp16", 1);
        clinfer_runtime *rt = test_runtime();
        unsetenv("CLINFER_PRECISION");
        clinfer_model *m = NULL;
        clinfer_session *s = NULL;
        clinfer_status st = clinfer_model_compile(rt, g, &m);
        if (st == CLINFER_OK)
            st = clinfer_session_create(m, NULL, &s);
        if (half) {
            cr_assert_neq(st, CLINFER_OK, "an axis of 2050 ran in half storage");
            cr_assert(strstr(clinfer_last_errmsg(), "axis 1 of input [2, 2050] has 2050 "
                                                    "elements; indices above 2048"),
                      "message: %s", clinfer_last_errmsg());
        } else {
            cr_assert_eq(st, CLINFER_OK, "%s", clinfer_last_errmsg());
        }
        clinfer_session_free(s);
        clinfer_model_free(m);
        clinfer_runtime_free(rt);
    }
    clinfer_graph_free(g);
}
