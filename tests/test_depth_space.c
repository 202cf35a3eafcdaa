/*
 * test_depth_space.c — DepthToSpace (DCR, CRD) and SpaceToDepth against
 * their naive reference (tests/ref_depth_space.c) through test_op: block
 * sizes 1, 2 and 3, odd sizes, rows long enough for the block-2 vector
 * paths and their tails; the open batch and validation messages.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "op_test.h"
#include "ref_depth_space.h"
#include "shape.h"
#include "testutil.h"

typedef struct block_case {
    int b, crd, to_depth;
} block_case;

static clinfer_status add_block(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                clinfer_value *out)
{
    const block_case *k = ctx;
    return k->to_depth ? clinfer_graph_space_to_depth(g, "s2d", in[0], k->b, out)
                       : clinfer_graph_depth_to_space(g, "d2s", in[0], k->b, k->crd, out);
}

static void check_block(const clinfer_shape *in, block_case k, uint32_t seed)
{
    clinfer_shape os = *in;
    int64_t bb = (int64_t)k.b * k.b;
    if (k.to_depth)
        os.dims[1] *= bb, os.dims[2] /= k.b, os.dims[3] /= k.b;
    else
        os.dims[1] /= bb, os.dims[2] *= k.b, os.dims[3] *= k.b;
    size_t n = ref_numel(in);
    float *x = test_alloc(n * sizeof *x), *want = test_alloc(n * sizeof *want);
    fill_uniform(x, n, -1, 1, &seed);
    if (k.to_depth)
        ref_space_to_depth(in, k.b, x, want);
    else
        ref_depth_to_space(in, k.b, k.crd, x, want);
    char what[128], b1[64];
    snprintf(what, sizeof what, "%s %s b %d", k.to_depth ? "space_to_depth" : "depth_to_space",
             shape_str(in, b1, sizeof b1), k.b);
    const op_input xi = {*in, x, 0};
    const op_test t = {what, &xi, 1, add_block, &k, want, os, 0, 0, {{0}}};
    test_op(&t);
    free(x);
    free(want);
}

Test(depth_space, dcr_crd_and_inverse)
{
    const clinfer_shape a = {4, {2, 12, 3, 5}}, b = {4, {1, 18, 5, 7}}, c = {4, {2, 3, 6, 9}};
    check_block(&a, (block_case){2, 0, 0}, 1u);
    check_block(&a, (block_case){2, 1, 0}, 2u);
    check_block(&b, (block_case){3, 0, 0}, 3u);
    check_block(&b, (block_case){3, 1, 0}, 4u);
    check_block(&c, (block_case){3, 0, 1}, 5u);
    check_block(&a, (block_case){1, 0, 1}, 6u);
    /* block size 2 on rows of 19 columns: the vector paths and their tails */
    const clinfer_shape d = {4, {1, 8, 3, 19}}, e = {4, {2, 3, 4, 38}};
    check_block(&d, (block_case){2, 0, 0}, 7u);
    check_block(&d, (block_case){2, 1, 0}, 8u);
    check_block(&e, (block_case){2, 0, 1}, 9u);
}

Test(depth_space, validation)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape s = {4, {CLINFER_BATCH_DIM, 8, 3, 5}};
    clinfer_value x, y;
    cr_assert_eq(clinfer_graph_input(g, "x", &s, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_depth_to_space(g, "d", x, 3, 0, &y), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "blocksize 3 does not fit C = 8"), "%s",
              clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_space_to_depth(g, "s", x, 2, &y), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "does not divide H = 3"), "%s",
              clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_depth_to_space(g, "d0", x, 0, 0, &y),
                 CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(clinfer_graph_depth_to_space(g, "ok", x, 2, 1, &y), CLINFER_OK, "%s",
                 clinfer_graph_errmsg(g));
    clinfer_shape ys;
    cr_assert_eq(clinfer_graph_value_shape(g, y, &ys), CLINFER_OK);
    cr_assert(ys.dims[0] == CLINFER_BATCH_DIM && ys.dims[1] == 2 && ys.dims[2] == 6 &&
              ys.dims[3] == 10);
    clinfer_graph_free(g);
}


/* DepthToSpace then SpaceToDepth: the second reads its input inside the
 * session's arena; the result is checked against both references in turn. */
static clinfer_status add_round_trip(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                     clinfer_value *out)
{
    (void)ctx;
    clinfer_value mid;
    clinfer_status st = clinfer_graph_depth_to_space(g, "d2s", in[0], 2, 1, &mid);
    return st == CLINFER_OK ? clinfer_graph_space_to_depth(g, "s2d", mid, 2, out) : st;
}

Test(depth_space, chain_inside_the_arena)
{
    const clinfer_shape in = {4, {2, 8, 5, 9}}, ms = {4, {2, 2, 10, 18}};
    size_t n = ref_numel(&in);
    float *x = test_alloc(n * sizeof *x), *mid = test_alloc(n * sizeof *mid);
    float *want = test_alloc(n * sizeof *want);
    uint32_t seed = 11u;
    fill_uniform(x, n, -1, 1, &seed);
    ref_depth_to_space(&in, 2, 1, x, mid);
    ref_space_to_depth(&ms, 2, mid, want);
    const op_input xi = {in, x, 0};
    const op_test t = {"CRD then SpaceToDepth", &xi, 1, add_round_trip, NULL, want, in, 0, 0,
                       {{0}}};
    test_op(&t);
    free(x), free(mid), free(want);
}
