/*
 * test_trilu.c — Trilu (ONNX opset 14; the importer builds it as a Where
 * against a constant mask) against a naive reference on float tensors
 * (ONNX's own node tests hold int64 data): upper and lower, k negative,
 * zero, positive and past the matrix either way, k absent, square and
 * non-square matrices, batched (rank 3 and 4, an open batch), infinities
 * and NaN both kept and dropped (dropped ones become 0); fp32 and half
 * storage (inputs exact in half); then the refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_writer.h"
#include "shape.h"
#include "testutil.h"

/* Naive Trilu: the last two dims a matrix, the rest a batch. */
static void ref_trilu(const clinfer_shape *s, const float *x, int upper, int64_t k, float *out)
{
    const int64_t rows = s->dims[s->rank - 2], cols = s->dims[s->rank - 1];
    int64_t n = 1;
    for (int32_t d = 0; d < s->rank; d++)
        n *= s->dims[d];
    for (int64_t e = 0; e < n; e++) {
        const int64_t r = e / cols % rows, c = e % cols;
        const int keep = upper ? c >= r + k : c <= r + k;
        out[e] = keep ? x[e] : 0.0f;
    }
}

/* Trilu of x [dims]; k_mode 0: no k, 1: k an initializer, 2: k a graph
 * input (computed at run time for the loader). */
static uint8_t *trilu_model(int rank, const int64_t *dims, int64_t upper, int k_mode, int64_t k,
                            int64_t k_count, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t kk[2] = {k, k};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, rank, dims)});
    if (k_mode == 1)
        onnx_initializer(&g, (pb[]){onnx_tensor_i("k", k_count > 1, &k_count, kk, 1)});
    if (k_mode == 2)
        onnx_input(&g, (pb[]){onnx_value_info("k", OT_INT64, 0, NULL)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    pb a[1] = {onnx_attr_int("upper", upper)};
    onnx_node(&g, "Trilu", "tr", k_mode ? "x,k" : "x", "y", 1, a);
    return onnx_model(&g, 14, size);
}

/* Values exact in half (multiples of 1/64), with inf, -inf and NaN. */
static void fill_half_exact(float *x, size_t n, uint32_t seed)
{
    fill_uniform(x, n, -4, 4, &seed);
    for (size_t i = 0; i < n; i++)
        x[i] = floorf(x[i] * 64) / 64;
    const float odd[3] = {INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < n; i += 7)
        x[i] = odd[i / 7 % 3];
}

Test(trilu, upper_lower_every_k_and_shape)
{
    static const clinfer_shape shapes[] = {
        {2, {5, 3}}, {2, {4, 4}}, {2, {3, 6}}, {3, {2, 4, 6}}, {4, {2, 3, 5, 4}}, {2, {1, 5}}};
    static const int64_t ks[] = {-7, -2, -1, 0, 1, 3, 9};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const clinfer_shape *xs = &shapes[s];
        const size_t n = ref_numel(xs);
        float *x = test_alloc(n * 4), *want = test_alloc(n * 4);
        fill_half_exact(x, n, 80 + (uint32_t)s);
        for (int upper = 0; upper < 2; upper++)
            for (size_t i = 0; i <= sizeof ks / sizeof ks[0]; i++) {
                const int has_k = i < sizeof ks / sizeof ks[0];
                const int64_t k = has_k ? ks[i] : 0;
                size_t size;
                uint8_t *m = trilu_model(xs->rank, xs->dims, upper, has_k, k, 1, &size);
                ref_trilu(xs, x, upper, k, want);
                char what[120], b[64];
                snprintf(what, sizeof what, "Trilu %s of %s, k %lld%s",
                         upper ? "upper" : "lower", shape_str(xs, b, sizeof b), (long long)k,
                         has_k ? "" : " (absent)");
                test_onnx_check_exact(m, size, 0, x, n, want, what);
                free(m);
            }
        free(x), free(want);
    }
}

/* A batch of matrices whose count is open in the model; k a
 * one-element vector. */
Test(trilu, open_batch)
{
    const int64_t dims[3] = {-1, 4, 3};
    const clinfer_shape xs = {3, {3, 4, 3}};
    float x[36], want[36];
    fill_half_exact(x, 36, 90);
    size_t size;
    uint8_t *m = trilu_model(3, dims, 0, 1, -1, 1, &size);
    ref_trilu(&xs, x, 0, -1, want);
    test_onnx_check_exact(m, size, 3, x, 36, want, "Trilu lower, open batch");
    free(m);
}

Test(trilu, refusals)
{
    const int64_t vec[1] = {5}, mat[2] = {3, 4}, open[2] = {-1, 4};
    const struct {
        int rank;
        const int64_t *dims;
        int64_t upper;
        int k_mode;
        int64_t k_count;
        const char *message;
    } bad[] = {
        {1, vec, 1, 0, 1, "input of rank 1: Trilu takes matrices (rank 2 or more)"},
        {2, mat, 2, 0, 1, "attribute \"upper\": 2 is outside [0, 1]"},
        {2, mat, 1, 2, 1, "input 1 (k, \"k\") must be known when the model is loaded"},
        {2, mat, 1, 1, 2, "k has 2 values, at most 1 supported"},
        {2, open, 1, 0, 1, "matrices whose rows are the open batch dimension are not supported"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t size;
        uint8_t *m = trilu_model(bad[i].rank, bad[i].dims, bad[i].upper, bad[i].k_mode, 1,
                                 bad[i].k_count, &size);
        test_onnx_refused(m, size, bad[i].message);
        free(m);
    }
}
