/*
 * test_reduce.c — ReduceSum/Mean/Max/Min against the naive reference: single
 * axes (negative ones too), several axes, all axes (empty axes),
 * noop_with_empty_axes, keepdims on and off, ranks 1 to 5 with odd sizes and
 * size-1 dims, long contiguous rows (the vector path and its tail); NaN,
 * empty reductions; and the validation of the axes. ArgMax/ArgMin: every
 * axis of ranks 1 to 5 with ties (first and last index), NaN, long axes,
 * both precisions, the ONNX path (int64 output) and its refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ref_reduce.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

static const char *const kind_name[REDUCE_KIND_COUNT] = {
    "sum", "mean", "max", "min", "prod", "sum of squares", "L1", "L2", "log-sum", "log-sum-exp"};

static size_t numel(const clinfer_shape *s)
{
    size_t n = 1;
    for (int32_t d = 0; d < s->rank; d++)
        n *= (size_t)s->dims[d];
    return n;
}

/* Runs the reduction on the device on `in` (random when NULL); compares
 * with the reference, NaN matching NaN. Sums get a tolerance that grows
 * with the number of terms (float accumulation against double). */
static clinfer_status add_reduce(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    const reduce_params *p = ctx;
    return clinfer_graph_reduce(g, "reduce", (clinfer_reduce_op)p->kind, in[0], p->axes,
                                p->naxes, p->keepdims, out);
}

/* The op alone on the device (empty inputs, noop_with_empty_axes). */
static void run_reduce(clinfer_runtime *rt, const reduce_params *p, const float *in, float *got,
                       const char *what)
{
    size_t in_n = numel(&p->input), out_n;
    clinfer_shape os;
    cr_assert_eq(reduce_output_shape(rt, p, &os), CLINFER_OK, "%s", clinfer_last_errmsg());
    out_n = numel(&os);
    cl_mem in_m = NULL, out_m = NULL;
    op_launch l;
    cr_assert_eq(reduce_prepare(rt, p, &l), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    if (in_n > 0)
        cr_assert_eq(buffer_create(rt, in_n * sizeof(float), in, &in_m), CLINFER_OK);
    cr_assert_eq(buffer_create(rt, out_n * sizeof(float), got, &out_m), CLINFER_OK);
    cr_assert_eq(launch_bind_io(rt, &l, dev_whole(in_m), dev_whole(out_m)), CLINFER_OK);
    cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    cr_assert_eq(buffer_read(rt, out_m, out_n * sizeof(float), got), CLINFER_OK);
    launch_release(&l);
    if (in_m)
        clReleaseMemObject(in_m);
    clReleaseMemObject(out_m);
}

static void check_reduce(clinfer_runtime *rt, const reduce_params *p, const float *data,
                         uint32_t seed, const char *label)
{
    char what[200], b1[128], b2[128];
    int w = snprintf(what, sizeof what, "%s %s: %s axes [", label, kind_name[p->kind],
                     shape_str(&p->input, b1, sizeof b1));
    for (int32_t i = 0; i < p->naxes && w > 0 && (size_t)w < sizeof what; i++)
        w += snprintf(what + w, sizeof what - (size_t)w, i ? ", %lld" : "%lld",
                      (long long)p->axes[i]);
    if (w > 0 && (size_t)w < sizeof what)
        snprintf(what + w, sizeof what - (size_t)w, "] keepdims %d noop %d", p->keepdims,
                 p->noop_with_empty_axes);

    size_t in_n = numel(&p->input);
    float *in = test_alloc(in_n * sizeof(float));
    if (data)
        memcpy(in, data, in_n * sizeof(float));
    else
        fill_uniform(in, in_n, -1, 1, &seed);
    for (size_t i = 0; i < in_n && !data; i++) /* products near 1, positive sums */
        in[i] = p->kind == REDUCE_PROD ? 1 + 0.4f * in[i] : p->kind == REDUCE_LOG_SUM ? 1.1f + in[i] : in[i];
    clinfer_shape os, want_shape = ref_reduce_shape(p);
    cr_assert_eq(reduce_output_shape(rt, p, &os), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    cr_assert(shape_equal(&os, &want_shape), "%s: shape %s, expected %s", what,
              shape_str(&os, b1, sizeof b1), shape_str(&want_shape, b2, sizeof b2));
    size_t out_n = numel(&os);
    float *want = test_alloc(out_n * sizeof(float)), *got = test_alloc(out_n * sizeof(float));
    ref_reduce(p, in, want);
    for (size_t i = 0; i < out_n; i++)
        got[i] = 12345.0f; /* a marker the kernel must overwrite */
    if (in_n > 0 && !p->noop_with_empty_axes) { /* what a graph can hold */
        const op_input x = {p->input, in, 0};
        const op_test t = {what, &x, 1, add_reduce, p, want, os, 0, 0, {{0}}};
        test_op_run(&t, got);
    } else {
        run_reduce(rt, p, in, got, what);
    }

    size_t terms = out_n ? in_n / out_n : 0;
    for (size_t i = 0; i < out_n; i++)
        if (isnan(want[i]))
            cr_assert(isnan(got[i]), "%s: element %zu is %g, expected NaN", what, i, got[i]);
        else if (isinf(want[i]))
            cr_assert(got[i] == want[i], "%s: element %zu is %g, expected %g", what, i, got[i],
                      want[i]);
    if (p->kind == REDUCE_MAX || p->kind == REDUCE_MIN) {
        for (size_t i = 0; i < out_n; i++)
            if (!isnan(want[i]))
                cr_assert(got[i] == want[i], "%s: element %zu is %g, expected %g", what, i,
                          got[i], want[i]);
    } else {
        const int sum = p->kind == REDUCE_SUM || p->kind == REDUCE_SUM_SQUARE || p->kind == REDUCE_L1;
        float atol = sum ? 1e-6f * (float)(terms + 4) : 1e-6f;
        for (size_t i = 0; i < out_n; i++) /* assert_close on the finite values */
            if (!isfinite(want[i]))
                got[i] = want[i] = 0;
        assert_close(got, want, out_n, atol, 1e-5f, what);
    }
    free(in);
    free(want);
    free(got);
}

typedef struct reduce_case {
    int32_t rank;
    int64_t dims[8];
    int32_t naxes;
    int64_t axes[8];
} reduce_case;

static const reduce_case cases[] = {
    {4, {2, 3, 5, 7}, 1, {0}},             /* single axes */
    {4, {2, 3, 5, 7}, 1, {1}},
    {4, {2, 3, 5, 7}, 1, {2}},
    {4, {2, 3, 5, 7}, 1, {-1}},
    {4, {2, 3, 5, 7}, 2, {2, 3}},          /* H and W: global pooling */
    {4, {2, 3, 5, 7}, 2, {0, 2}},          /* alternating kept and reduced dims */
    {4, {2, 3, 5, 7}, 2, {-3, 3}},
    {4, {2, 3, 5, 7}, 3, {3, 0, 1}},
    {4, {2, 3, 5, 7}, 4, {0, 1, 2, 3}},    /* all, given */
    {4, {2, 3, 5, 7}, 0, {0}},             /* all, by empty axes */
    {4, {3, 1, 4, 9}, 2, {1, 3}},          /* a size-1 axis reduced */
    {2, {5, 37}, 1, {1}},                  /* contiguous rows: float8 loads and a tail */
    {2, {3, 203}, 1, {-1}},
    {2, {37, 5}, 1, {0}},                  /* strided rows */
    {1, {100}, 1, {0}},                    /* rank 1 */
    {5, {2, 1, 3, 4, 5}, 3, {0, 2, 4}},    /* rank 5, four alternations */
    {6, {2, 3, 2, 3, 2, 3}, 3, {1, 3, 5}}, /* rank 6, many alternating dims */
    {6, {2, 3, 2, 3, 2, 3}, 3, {0, 2, 4}},
    {8, {2, 3, 2, 3, 2, 3, 2, 3}, 4, {0, 2, 4, 6}}, /* rank 8: 4 kept, 4 reduced */
    {8, {2, 3, 2, 3, 2, 3, 2, 3}, 4, {7, 5, 3, 1}},
};

Test(reduce, every_kind_axes_and_keepdims)
{
    clinfer_runtime *rt = test_runtime();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int kind = 0; kind < REDUCE_KIND_COUNT; kind++)
            for (int keep = 0; keep <= 1; keep++) {
                reduce_params p = reduce_params_default();
                p.input = shape_make(cases[c].rank, cases[c].dims);
                p.kind = (reduce_kind)kind;
                p.naxes = cases[c].naxes;
                for (int32_t i = 0; i < p.naxes; i++)
                    p.axes[i] = cases[c].axes[i];
                p.keepdims = keep;
                char label[32];
                snprintf(label, sizeof label, "case %zu", c);
                check_reduce(rt, &p, NULL, 500u + (uint32_t)c, label);
            }
    clinfer_runtime_free(rt);
}

Test(reduce, noop_with_empty_axes_and_scalars)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[3] = {3, 4, 5};
    for (int kind = 0; kind < REDUCE_KIND_COUNT; kind++) {
        reduce_params p = reduce_params_default();
        p.input = shape_make(3, d);
        p.kind = (reduce_kind)kind;
        p.noop_with_empty_axes = 1;
        check_reduce(rt, &p, NULL, 1u, "noop");
        p.keepdims = 0;
        check_reduce(rt, &p, NULL, 2u, "noop");
        p.input = shape_make(0, NULL);
        check_reduce(rt, &p, NULL, 3u, "scalar");
        p.noop_with_empty_axes = 0;
        check_reduce(rt, &p, NULL, 4u, "scalar");
    }
    clinfer_runtime_free(rt);
}

Test(reduce, nan_and_empty_reductions)
{
    clinfer_runtime *rt = test_runtime();
    /* Rows of 19 with a NaN early in row 0 (scalar and vector lanes) and
     * late in row 2 (the tail). */
    float data[3 * 19];
    uint32_t seed = 5u;
    fill_uniform(data, 3 * 19, -1, 1, &seed);
    data[2] = NAN;
    data[2 * 19 + 18] = NAN;
    const int64_t d[2] = {3, 19};
    for (int kind = 0; kind < REDUCE_KIND_COUNT; kind++) {
        reduce_params p = reduce_params_default();
        p.input = shape_make(2, d);
        p.kind = (reduce_kind)kind;
        p.naxes = 1;
        p.axes[0] = 1;
        check_reduce(rt, &p, data, 0u, "NaN rows");
        p.axes[0] = 0;
        check_reduce(rt, &p, data, 0u, "NaN columns");
    }
    /* Reducing an axis of size 0: 0, NaN, -inf, +inf, 1 (see reduce.h). */
    const int64_t e[3] = {2, 0, 3};
    for (int kind = 0; kind < REDUCE_KIND_COUNT; kind++) {
        reduce_params p = reduce_params_default();
        p.input = shape_make(3, e);
        p.kind = (reduce_kind)kind;
        p.naxes = 1;
        p.axes[0] = 1;
        check_reduce(rt, &p, NULL, 0u, "empty");
    }
    clinfer_runtime_free(rt);
}

static void expect_error(clinfer_runtime *rt, const reduce_params *p, const char *needle)
{
    clinfer_shape os;
    cr_assert_eq(reduce_output_shape(rt, p, &os), CLINFER_ERR_INVALID_ARGUMENT,
                 "expected an error for '%s', got message: %s", needle, clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), needle), "message '%s' lacks '%s'",
              clinfer_last_errmsg(), needle);
    op_launch l;
    cr_assert_eq(reduce_prepare(rt, p, &l), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(l.kernel);
}

Test(reduce, rejects_bad_axes)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[4] = {2, 3, 5, 7};
    reduce_params p = reduce_params_default();
    p.input = shape_make(4, d);
    p.kind = REDUCE_MEAN;
    p.naxes = 2;
    p.axes[0] = 1, p.axes[1] = 4;
    expect_error(rt, &p, "ReduceMean: axes[1] = 4 is out of range for rank 4");
    p.axes[1] = -5;
    expect_error(rt, &p, "axes[1] = -5 is out of range");
    p.axes[1] = -3;
    expect_error(rt, &p, "axes[1] = -3 repeats axis 1");
    p.naxes = 5;
    expect_error(rt, &p, "5 axes given for rank 4");
    p.naxes = 1;
    p.kind = (reduce_kind)42;
    expect_error(rt, &p, "kind 42");

    reduce_kind k;
    cr_assert(reduce_kind_parse("ReduceMax", &k) && k == REDUCE_MAX);
    cr_assert(reduce_kind_parse("ReduceLogSumExp", &k) && k == REDUCE_LOG_SUM_EXP);
    cr_assert(!reduce_kind_parse("ReduceVariance", &k));
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------ ArgMax, ArgMin */

static clinfer_status add_arg_reduce(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                     clinfer_value *out)
{
    const arg_reduce_params *p = ctx;
    return clinfer_graph_arg_reduce(g, "arg", p->min, in[0], p->axis, p->keepdims,
                                    p->select_last_index, out);
}

/* ArgMax/ArgMin of `in` (NULL: small integers, so that ties are common and
 * half storage holds every value exactly) against the reference, in both
 * precisions (test_op): indices must match exactly. */
static void check_arg_reduce(const arg_reduce_params *p, const float *data, uint32_t seed)
{
    char what[160], b1[64];
    snprintf(what, sizeof what, "%s %s axis %lld keepdims %d last %d", p->min ? "ArgMin" : "ArgMax",
             shape_str(&p->input, b1, sizeof b1), (long long)p->axis, p->keepdims,
             p->select_last_index);
    size_t n = numel(&p->input);
    float *x = test_alloc(n * sizeof *x);
    if (data) {
        memcpy(x, data, n * sizeof *x);
    } else {
        fill_uniform(x, n, -4, 4, &seed);
        for (size_t i = 0; i < n; i++)
            x[i] = floorf(x[i]);
    }
    clinfer_shape os = ref_arg_reduce_shape(p);
    float *want = test_alloc(numel(&os) * sizeof *want);
    ref_arg_reduce(p, x, want);
    const op_input xi = {p->input, x, 0};
    const op_test t = {what, &xi, 1, add_arg_reduce, p, want, os, 0, 0, {{0}}};
    test_op(&t);
    free(x);
    free(want);
}

Test(reduce, arg_max_min_every_axis_first_and_last)
{
    static const reduce_case shapes[] = {
        {1, {7}, 0, {0}}, {2, {3, 5}, 0, {0}}, {3, {2, 3, 7}, 0, {0}},
        {4, {2, 3, 5, 3}, 0, {0}}, {5, {2, 1, 3, 2, 5}, 0, {0}},
    };
    uint32_t seed = 700u;
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; c++)
        for (int32_t ax = -shapes[c].rank; ax < shapes[c].rank; ax++)
            for (int form = 0; form < 8; form++) {
                arg_reduce_params p;
                memset(&p, 0, sizeof p);
                p.input = shape_make(shapes[c].rank, shapes[c].dims);
                p.axis = ax;
                p.min = form & 1;
                p.keepdims = (form >> 1) & 1;
                p.select_last_index = (form >> 2) & 1;
                /* negative axes with one form each: the same kernel */
                if (ax < 0 && form != 5)
                    continue;
                check_arg_reduce(&p, NULL, seed++);
            }
}

Test(reduce, arg_max_min_long_axes_and_nan)
{
    /* long rows (inner 1), long columns (inner 13) */
    const int64_t rows[2] = {3, 301}, cols[3] = {2, 37, 13};
    for (int form = 0; form < 4; form++) {
        arg_reduce_params p;
        memset(&p, 0, sizeof p);
        p.min = form & 1;
        p.select_last_index = form >> 1;
        p.keepdims = 1;
        p.input = shape_make(2, rows), p.axis = 1;
        check_arg_reduce(&p, NULL, 800u + (uint32_t)form);
        p.input = shape_make(3, cols), p.axis = 1, p.keepdims = 0;
        check_arg_reduce(&p, NULL, 810u + (uint32_t)form);
    }
    /* NaN is the extreme of both: row 0 one NaN, row 1 two, row 2 none */
    float x[3 * 6] = {1, 2, NAN, 5, -3, 0, NAN, 4, 9, NAN, -9, 1, 2, 7, 7, -1, -1, 3};
    const int64_t d[2] = {3, 6};
    for (int form = 0; form < 4; form++) {
        arg_reduce_params p;
        memset(&p, 0, sizeof p);
        p.input = shape_make(2, d);
        p.axis = -1;
        p.min = form & 1;
        p.select_last_index = form >> 1;
        check_arg_reduce(&p, x, 0u);
        float want[3];
        ref_arg_reduce(&p, x, want);
        cr_assert(want[0] == 2 && want[1] == (p.select_last_index ? 3 : 0),
                  "the reference's NaN rule: %g %g", want[0], want[1]);
    }
}

Test(reduce, arg_max_min_refusals)
{
    clinfer_shape os;
    arg_reduce_params p;
    memset(&p, 0, sizeof p);
    const int64_t d[3] = {2, 3, 4}, longer[2] = {2, 3000}, empty[2] = {2, 0};
    p.input = shape_make(3, d);
    p.axis = 3;
    cr_assert_eq(arg_reduce_output_shape(NULL, &p, &os), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "ArgMax: axis 3 is out of range for rank 3"), "%s",
              clinfer_last_errmsg());
    p.axis = -4, p.min = 1;
    cr_assert_eq(arg_reduce_output_shape(NULL, &p, &os), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "ArgMin: axis -4"), "%s", clinfer_last_errmsg());
    p.input = shape_make(0, NULL), p.axis = 0;
    cr_assert_eq(arg_reduce_output_shape(NULL, &p, &os), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "input rank 0"), "%s", clinfer_last_errmsg());
    p.input = shape_make(2, empty), p.axis = 1;
    cr_assert_eq(arg_reduce_output_shape(NULL, &p, &os), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "is empty"), "%s", clinfer_last_errmsg());
    /* 3000 indices: exact in float32, not in half storage */
    p.input = shape_make(2, longer), p.axis = 1;
    cr_assert_eq(arg_reduce_output_shape(NULL, &p, &os), CLINFER_OK);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = CLINFER_PRECISION_FP16;
    clinfer_runtime *rt = test_runtime_with(&o);
    cr_assert_eq(arg_reduce_output_shape(rt, &p, &os), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "not exact in half storage"), "%s",
              clinfer_last_errmsg());
    op_launch l;
    cr_assert_eq(arg_reduce_prepare(rt, &p, &l), CLINFER_ERR_UNSUPPORTED);
    cr_assert_null(l.kernel);
    clinfer_runtime_free(rt);
}

/* x [2, 5, 3] -> ArgMax/ArgMin (attributes as given) -> y, declared int64 */
static uint8_t *arg_model(const char *op, int64_t opset, int nattrs, pb *attrs, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t d[3] = {2, 5, 3};
    pb t = onnx_value_info("x", OT_FLOAT, 3, d);
    onnx_input(&g, &t);
    onnx_node(&g, op, "arg", "x", "y", nattrs, attrs);
    t = onnx_value_info("y", OT_INT64, -1, NULL);
    onnx_output(&g, &t);
    return onnx_model(&g, opset, size);
}

Test(reduce, onnx_arg_max_min_give_int64)
{
    float x[30], y[30], want[30];
    uint32_t seed = 77u;
    fill_uniform(x, 30, -3, 3, &seed);
    for (int k = 0; k < 30; k++)
        x[k] = floorf(x[k]);
    for (int form = 0; form < 2; form++) {
        pb attrs[3] = {onnx_attr_int("axis", -2), onnx_attr_int("keepdims", 0),
                       onnx_attr_int("select_last_index", 1)};
        size_t size, count = 30;
        uint8_t *bytes = arg_model(form ? "ArgMin" : "ArgMax", 13, 3, attrs, &size);
        const float *in[1] = {x};
        cr_assert_eq(test_onnx_run(bytes, size, in, &count, 1, y, 6), CLINFER_DTYPE_INT64);
        arg_reduce_params p;
        memset(&p, 0, sizeof p);
        const int64_t d[3] = {2, 5, 3};
        p.input = shape_make(3, d), p.axis = 1, p.min = form, p.select_last_index = 1;
        ref_arg_reduce(&p, x, want);
        assert_equal(y, want, 6, form ? "ONNX ArgMin" : "ONNX ArgMax");
        free(bytes);
    }
}

/* Loading fails naming the node and `needle`. */
static void expect_onnx_error(uint8_t *bytes, size_t size, const char *needle)
{
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(bytes, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "\"arg\"") && strstr(clinfer_last_errmsg(), needle),
              "message '%s' lacks the node or '%s'", clinfer_last_errmsg(), needle);
    free(bytes);
}

Test(reduce, onnx_arg_max_min_refusals_name_the_node)
{
    static const struct {
        const char *op, *attr, *needle;
        int64_t opset, value;
    } cases[] = {
        {"ArgMax", "axis", "axis 3 is out of range", 13, 3},
        {"ArgMin", "select_last_index", "select_last_index exists from opset 12", 11, 1},
        {"ArgMax", "keepdims", "must be 0 or 1", 13, 2},
        {"ArgMax", "axis", "negative axis needs opset 11", 9, -1},
        {"ArgMin", NULL, "\"axis\" has type FLOAT, expected INT", 13, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t size;
        pb attr = cases[k].attr ? onnx_attr_int(cases[k].attr, cases[k].value)
                                : onnx_attr_float("axis", 1.0f);
        uint8_t *m = arg_model(cases[k].op, cases[k].opset, 1, &attr, &size);
        expect_onnx_error(m, size, cases[k].needle);
    }
}
