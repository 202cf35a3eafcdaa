/*
 * test_hardmax.c — Hardmax (ONNX opsets 1-13; the importer builds it from
 * ArgMax and Equal against an index ramp) against a naive reference: every
 * axis of [2, 3, 5, 7], positive and negative, at opset 13 (one axis) and
 * at opset 11 (the input coerced to 2-D at the axis), the default axes,
 * small integer inputs so that lines have ties (the first maximum wins),
 * a NaN (the line's first NaN wins, as ArgMax's rule has it) and
 * infinities, an open batch; fp32 and half storage (the inputs exact in
 * half, so both give the reference exactly); then the refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_writer.h"
#include "testutil.h"

/* Naive Hardmax: lines of `len` elements `inner` apart, where len is
 * dims[ax] (or, coerced, the product of dims[ax..] with inner 1); the first
 * NaN, else the first maximum of each line gets 1. */
static void ref_hardmax(const clinfer_shape *s, const float *x, int32_t ax, int coerced,
                        float *out)
{
    int64_t outer = 1, len = 1, inner = 1;
    for (int32_t d = 0; d < s->rank; d++) {
        if (d < ax)
            outer *= s->dims[d];
        else if (d == ax || coerced)
            len *= s->dims[d];
        else
            inner *= s->dims[d];
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *line = x + o * len * inner + i;
            int64_t best = 0;
            for (int64_t j = 1; j < len && !isnan(line[best * inner]); j++)
                if (isnan(line[j * inner]) || line[j * inner] > line[best * inner])
                    best = j;
            for (int64_t j = 0; j < len; j++)
                out[o * len * inner + i + j * inner] = j == best ? 1.0f : 0.0f;
        }
}

/* Hardmax of x [dims] at `opset`; has_axis 0: the default axis. */
static uint8_t *hardmax_model(int64_t opset, int rank, const int64_t *dims, int has_axis,
                              int64_t axis, size_t *size)
{
    onnx_graph g = {{0}};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, rank, dims)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    if (has_axis) /* onnx_node frees the attributes it is given */
        onnx_node(&g, "Hardmax", "hm", "x", "y", 1, (pb[]){onnx_attr_int("axis", axis)});
    else
        onnx_node(&g, "Hardmax", "hm", "x", "y", 0, NULL);
    return onnx_model(&g, opset, size);
}

/* Integers from -3 to 3: ties in most lines. */
static void fill_ties(float *x, size_t n, uint32_t seed)
{
    fill_uniform(x, n, -3.5f, 3.5f, &seed);
    for (size_t i = 0; i < n; i++)
        x[i] = nearbyintf(x[i]);
}

Test(hardmax, every_axis_at_opsets_13_and_11)
{
    const int64_t dims[4] = {2, 3, 5, 7};
    const clinfer_shape xs = {4, {2, 3, 5, 7}};
    enum { N = 210 };
    float x[N], want[N];
    fill_ties(x, N, 70);
    x[3] = INFINITY, x[40] = -INFINITY, x[100] = NAN;
    char what[80];
    for (int coerced = 0; coerced < 2; coerced++)
        for (int64_t axis = -4; axis < 4; axis++) {
            size_t size;
            uint8_t *m = hardmax_model(coerced ? 11 : 13, 4, dims, 1, axis, &size);
            ref_hardmax(&xs, x, (int32_t)(axis < 0 ? axis + 4 : axis), coerced, want);
            snprintf(what, sizeof what, "Hardmax opset %d axis %lld", coerced ? 11 : 13,
                     (long long)axis);
            test_onnx_check_exact(m, size, 0, x, N, want, what);
            free(m);
        }
    for (int coerced = 0; coerced < 2; coerced++) { /* the defaults: 1 before 13, -1 from 13 */
        size_t size;
        uint8_t *m = hardmax_model(coerced ? 1 : 13, 4, dims, 0, 0, &size);
        ref_hardmax(&xs, x, coerced ? 1 : 3, coerced, want);
        test_onnx_check_exact(m, size, 0, x, N, want,
                              coerced ? "opset 1 default" : "opset 13 default");
        free(m);
    }
}

/* Lines of equal values, a NaN after the maximum, -inf only. */
Test(hardmax, ties_nan_and_infinities)
{
    const int64_t dims[2] = {4, 5};
    const float x[20] = {2, 2, 2, 2, 2, 1, 7, 3, NAN, 7, -INFINITY, -INFINITY, -INFINITY,
                         -INFINITY, -INFINITY, -1, 0, 0, -2, 0};
    const float want[20] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    size_t size;
    uint8_t *m = hardmax_model(13, 2, dims, 1, 1, &size);
    test_onnx_check_exact(m, size, 0, x, 20, want, "Hardmax ties");
    free(m);
}

/* The batch open in the model, given by the session. */
Test(hardmax, open_batch)
{
    const int64_t dims[3] = {-1, 3, 5};
    const clinfer_shape xs = {3, {2, 3, 5}};
    float x[30], want[30];
    fill_ties(x, 30, 71);
    for (int coerced = 0; coerced < 2; coerced++) {
        size_t size;
        uint8_t *m = hardmax_model(coerced ? 11 : 13, 3, dims, 1, 1, &size);
        ref_hardmax(&xs, x, 1, coerced, want);
        test_onnx_check_exact(m, size, 2, x, 30, want,
                              coerced ? "open batch, opset 11" : "open batch");
        free(m);
    }
}

Test(hardmax, refusals)
{
    const int64_t dims[3] = {-1, 3, 5}, fixed[3] = {2, 3, 5};
    const struct {
        const int64_t *dims;
        int64_t axis;
        const char *message;
    } bad[] = {{fixed, 3, "axis 3 is out of range for an input of rank 3"},
               {fixed, -4, "axis -4 is out of range"},
               {dims, 0, "a line along the open batch dimension (axis 0) is not supported"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t size;
        uint8_t *m = hardmax_model(13, 3, bad[i].dims, 1, bad[i].axis, &size);
        clinfer_graph *g = NULL;
        cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK);
        cr_assert(strstr(clinfer_last_errmsg(), bad[i].message), "message: %s",
                  clinfer_last_errmsg());
        cr_assert(strstr(clinfer_last_errmsg(), "Hardmax"), "message: %s", clinfer_last_errmsg());
        free(m);
    }
}
