/*
 * test_transpose.c — Transpose against the naive reference: ranks 0 to 8,
 * several permutations per rank (identity, the default reversal, NCHW <->
 * NHWC, random ones, with size-1 dims), the tiled matrix path with partial
 * tiles and a batch; and the validation of perm.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "op_test.h"
#include "ref_movement.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

/* Runs Transpose on the device and compares it with the reference. */
static clinfer_status add_transpose(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                    clinfer_value *out)
{
    const transpose_params *p = ctx;
    return clinfer_graph_transpose(g, "transpose", in[0], p->nperm ? p->perm : NULL, p->nperm,
                                   out);
}

/* The op alone on the device: in to got. */
static void run_transpose(clinfer_runtime *rt, const transpose_params *p, const float *in,
                          float *got)
{
    size_t n = ref_numel(&p->input);
    cl_mem in_m = NULL, out_m = NULL;
    op_launch l;
    cr_assert_eq(transpose_prepare(rt, p, &l), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(buffer_create(rt, n * sizeof(float), in, &in_m), CLINFER_OK);
    cr_assert_eq(buffer_create(rt, n * sizeof(float), NULL, &out_m), CLINFER_OK);
    cr_assert_eq(launch_bind_io(rt, &l, dev_whole(in_m), dev_whole(out_m)), CLINFER_OK);
    cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(buffer_read(rt, out_m, n * sizeof(float), got), CLINFER_OK);
    launch_release(&l);
    clReleaseMemObject(in_m);
    clReleaseMemObject(out_m);
}

static void check_transpose(clinfer_runtime *rt, const transpose_params *p, uint32_t seed,
                            const char *expect_kernel)
{
    char what[160], b1[128], b2[128];
    int w = snprintf(what, sizeof what, "input %s perm [", shape_str(&p->input, b1, sizeof b1));
    for (int32_t d = 0; d < p->nperm && w > 0 && (size_t)w < sizeof what; d++)
        w += snprintf(what + w, sizeof what - (size_t)w, d ? ", %d" : "%d", (int)p->perm[d]);
    if (w > 0 && (size_t)w < sizeof what)
        snprintf(what + w, sizeof what - (size_t)w, "%s]", p->nperm ? "" : "default");

    size_t n = ref_numel(&p->input);
    float *in = test_alloc(n * sizeof(float)), *want = test_alloc(n * sizeof(float));
    float *got = test_alloc(n * sizeof(float));
    fill_uniform(in, n, -1, 1, &seed);
    clinfer_shape os, want_shape = ref_transpose_shape(p);
    cr_assert_eq(transpose_output_shape(rt, p, &os), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    cr_assert(shape_equal(&os, &want_shape), "%s: shape %s, expected %s", what,
              shape_str(&os, b1, sizeof b1), shape_str(&want_shape, b2, sizeof b2));
    ref_transpose(p, in, want);
    if (expect_kernel) {
        op_launch l;
        cr_assert_eq(transpose_prepare(rt, p, &l), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        cr_assert_str_eq(l.name, expect_kernel, "%s", what);
        launch_release(&l);
    }
    if (p->input.rank == 0) { /* a graph has no rank-0 inputs: the op alone */
        run_transpose(rt, p, in, got);
        assert_equal(got, want, n, what);
    } else {
        const op_input x = {p->input, in, 0};
        const op_test t = {what, &x, 1, add_transpose, p, want, want_shape, 0, 0, {{0}}};
        test_op(&t);
    }
    free(in);
    free(want);
    free(got);
}

static transpose_params make(int32_t rank, const int64_t *dims, const int32_t *perm)
{
    transpose_params p;
    memset(&p, 0, sizeof p);
    p.input = shape_make(rank, dims);
    p.nperm = perm ? rank : 0;
    for (int32_t d = 0; perm && d < rank; d++)
        p.perm[d] = perm[d];
    return p;
}

/* A random permutation of 0..rank-1 (Fisher-Yates). */
static void random_perm(int32_t rank, int32_t *perm, uint32_t *state)
{
    for (int32_t d = 0; d < rank; d++)
        perm[d] = d;
    for (int32_t d = rank - 1; d > 0; d--) {
        *state ^= *state << 13, *state ^= *state >> 17, *state ^= *state << 5;
        int32_t j = (int32_t)(*state % (uint32_t)(d + 1)), t = perm[d];
        perm[d] = perm[j], perm[j] = t;
    }
}

Test(transpose, ranks_2_to_6_with_several_permutations)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t dims[6] = {2, 3, 5, 4, 1, 3};
    uint32_t state = 99u;
    for (int32_t rank = 2; rank <= 6; rank++) {
        int32_t perm[6];
        for (int32_t d = 0; d < rank; d++)
            perm[d] = d;
        transpose_params p = make(rank, dims, perm); /* identity */
        check_transpose(rt, &p, 10u, NULL);
        p = make(rank, dims, NULL); /* default: reversed */
        check_transpose(rt, &p, 11u, NULL);
        for (int k = 0; k < 4; k++) {
            random_perm(rank, perm, &state);
            p = make(rank, dims, perm);
            check_transpose(rt, &p, 12u + (uint32_t)k, NULL);
        }
    }
    clinfer_runtime_free(rt);
}

Test(transpose, layouts_and_the_tiled_path)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t nchw[4] = {2, 5, 7, 9}, nhwc[4] = {2, 7, 9, 5};
    const int32_t to_nhwc[4] = {0, 2, 3, 1}, to_nchw[4] = {0, 3, 1, 2};
    transpose_params p = make(4, nchw, to_nhwc);
    check_transpose(rt, &p, 1u, "transpose_2d"); /* [2, 5, 63] -> [2, 63, 5] */
    p = make(4, nhwc, to_nchw);
    check_transpose(rt, &p, 2u, "transpose_2d");

    const int64_t m[2] = {37, 53}, m8[2] = {16, 24}, b[3] = {3, 19, 45};
    const int32_t swap[2] = {1, 0}, bswap[3] = {0, 2, 1};
    p = make(2, m, swap);
    check_transpose(rt, &p, 3u, "transpose_2d");
    p = make(2, m8, NULL);
    check_transpose(rt, &p, 4u, "transpose_2d");
    p = make(3, b, bswap);
    check_transpose(rt, &p, 5u, "transpose_2d");
    /* Size-1 dims around a swap still reach the tiled kernel. */
    const int64_t s1[5] = {1, 6, 1, 11, 1};
    const int32_t ps1[5] = {4, 3, 2, 0, 1};
    p = make(5, s1, ps1);
    check_transpose(rt, &p, 6u, "transpose_2d");
    /* A permutation that does not reduce to a swap. */
    const int64_t d3[3] = {4, 6, 5};
    const int32_t p3[3] = {1, 0, 2};
    p = make(3, d3, p3);
    check_transpose(rt, &p, 7u, "transpose_nd");
    /* [4, 6, 5] with perm [2, 0, 1] is a swap of [24, 5]. */
    const int32_t p3s[3] = {2, 0, 1};
    p = make(3, d3, p3s);
    check_transpose(rt, &p, 8u, "transpose_2d");
    clinfer_runtime_free(rt);
}

Test(transpose, ranks_0_1_and_8)
{
    clinfer_runtime *rt = test_runtime();
    transpose_params p = make(0, NULL, NULL);
    check_transpose(rt, &p, 1u, NULL);
    const int64_t d1[1] = {17};
    p = make(1, d1, NULL);
    check_transpose(rt, &p, 2u, NULL);
    const int64_t d8[8] = {2, 3, 2, 1, 3, 2, 2, 3};
    const int32_t p8[8] = {7, 2, 5, 0, 3, 1, 6, 4};
    p = make(8, d8, p8);
    check_transpose(rt, &p, 3u, "transpose_nd");
    p = make(8, d8, NULL);
    check_transpose(rt, &p, 4u, "transpose_nd");
    clinfer_runtime_free(rt);
}

static void expect_error(clinfer_runtime *rt, const transpose_params *p, const char *needle)
{
    clinfer_shape os;
    cr_assert_eq(transpose_output_shape(rt, p, &os), CLINFER_ERR_INVALID_ARGUMENT,
                 "expected an error for '%s', got message: %s", needle, clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), needle), "message '%s' lacks '%s'",
              clinfer_last_errmsg(), needle);
    op_launch l;
    cr_assert_eq(transpose_prepare(rt, p, &l), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(l.kernel);
}

Test(transpose, rejects_bad_perms)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[4] = {2, 3, 5, 4};
    const int32_t repeat[4] = {0, 2, 2, 1}, range[4] = {0, 1, 4, 2}, neg[4] = {-1, 0, 1, 2};
    transpose_params p = make(4, d, repeat);
    expect_error(rt, &p, "perm[2] = 2 repeats");
    p = make(4, d, range);
    expect_error(rt, &p, "perm[2] = 4 is out of range, expected 0 to 3");
    p = make(4, d, neg);
    expect_error(rt, &p, "perm[0] = -1 is out of range");
    p = make(4, d, repeat);
    p.nperm = 3;
    expect_error(rt, &p, "perm has 3 entries, expected 4");
    clinfer_runtime_free(rt);
}
