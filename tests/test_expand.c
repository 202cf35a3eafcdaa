/*
 * test_expand.c — Expand and Tile against the naive references through the
 * public API: broadcasts along inner, outer and middle dims, a rank that
 * grows, a shape with 1s where the input is larger, tiles of one and of
 * several dims (odd sizes, up to rank 5); and the errors (shapes that do not broadcast, bad repeats).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "op_test.h"
#include "ref_expand.h"
#include "shape.h"
#include "testutil.h"

static clinfer_status add_expand(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    return clinfer_graph_expand(g, "expand", in[0], ctx, out);
}

static clinfer_status add_tile(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                               clinfer_value *out)
{
    const tile_params *p = ctx;
    return clinfer_graph_tile(g, "tile", in[0], p->repeats, p->input.rank, out);
}

/* Runs the op on `in` against the reference output `want` of shape ws. */
static void run_case(const char *what, const clinfer_shape *xs, const float *in, op_builder b,
                     const void *ctx, const float *want, clinfer_shape ws)
{
    const op_input x = {*xs, in, 0};
    const op_test t = {what, &x, 1, b, ctx, want, ws, 0, 0, {{0}}};
    test_op(&t);
}

static float *random_input(const clinfer_shape *xs, uint32_t seed)
{
    size_t n = ref_numel(xs);
    float *in = test_alloc(n * sizeof(float));
    fill_uniform(in, n, -1, 1, &seed);
    return in;
}

static void check_expand(clinfer_shape xs, clinfer_shape shape, uint32_t seed)
{
    char what[300], b1[128], b2[128];
    snprintf(what, sizeof what, "Expand %s to %s", shape_str(&xs, b1, sizeof b1),
             shape_str(&shape, b2, sizeof b2));
    clinfer_shape ws = ref_expand_shape(&xs, &shape);
    cr_assert_geq(ws.rank, 0, "%s: the test's shapes must broadcast", what);
    float *in = random_input(&xs, seed), *want = test_alloc(ref_numel(&ws) * sizeof(float));
    ref_expand(&xs, in, &shape, want);
    run_case(what, &xs, in, add_expand, &shape, want, ws);
    free(in);
    free(want);
}

static void check_tile(const tile_params *p, uint32_t seed)
{
    char what[300], b1[128];
    int w = snprintf(what, sizeof what, "Tile %s by", shape_str(&p->input, b1, sizeof b1));
    for (int32_t d = 0; d < p->input.rank && w > 0 && (size_t)w < sizeof what; d++)
        w += snprintf(what + w, sizeof what - (size_t)w, " %lld", (long long)p->repeats[d]);
    clinfer_shape ws = ref_tile_shape(&p->input, p->repeats);
    float *in = random_input(&p->input, seed), *want = test_alloc(ref_numel(&ws) * sizeof(float));
    ref_tile(&p->input, in, p->repeats, want);
    run_case(what, &p->input, in, add_tile, p, want, ws);
    free(in);
    free(want);
}

#define SHP(...) shape_make((int32_t)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), \
                            (int64_t[]){__VA_ARGS__})

Test(expand, broadcasts_along_every_kind_of_dim)
{
    check_expand(SHP(1, 5, 1, 1), SHP(2, 5, 7, 3), 1);  /* per-channel over H x W and batch */
    check_expand(SHP(3, 1), SHP(2, 3, 13), 2);          /* rank grows, inner broadcast */
    check_expand(SHP(7), SHP(3, 5, 7), 3);              /* a row over outer dims */
    check_expand(SHP(2, 1, 9), SHP(1, 4, 1), 4);        /* 1s on both sides */
    check_expand(SHP(3, 5, 7), SHP(1), 5);              /* nothing to repeat: a copy */
    check_expand(SHP(1), SHP(2, 3, 1, 5, 1, 3), 6);     /* one value everywhere, rank 6 */
    check_expand(SHP(4, 1, 6, 1, 2), SHP(4, 3, 6, 5, 2), 7);
}

Test(expand, tiles_one_and_several_dims)
{
    const struct { clinfer_shape x; int64_t r[CLINFER_MAX_RANK]; } cases[] = {
        {SHP(3, 5), {2, 3}},        {SHP(1, 3, 7, 5), {2, 1, 1, 3}},
        {SHP(2, 3, 4), {1, 1, 1}},  {SHP(1, 2, 3, 2, 3), {2, 2, 2, 2, 2}},
        {SHP(13), {4}},             {SHP(2, 1, 5), {3, 7, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tile_params p;
        memset(&p, 0, sizeof p);
        p.input = cases[k].x;
        memcpy(p.repeats, cases[k].r, sizeof p.repeats);
        check_tile(&p, 20u + (uint32_t)k);
    }
}

Test(expand, rejects_what_does_not_broadcast_or_repeat)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape out;
    expand_params e = {SHP(3, 5), SHP(4, 5)};
    cr_assert_eq(expand_output_shape(rt, &e, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "does not broadcast"), "message: %s",
              clinfer_last_errmsg());
    e.shape = SHP(3, -2);
    cr_assert_eq(expand_output_shape(rt, &e, &out), CLINFER_ERR_SHAPE);
    tile_params t;
    memset(&t, 0, sizeof t);
    t.input = SHP(3, 5);
    t.repeats[0] = 2;
    t.repeats[1] = 0;
    cr_assert_eq(tile_output_shape(rt, &t, &out), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "repeats[1] is 0"), "message: %s",
              clinfer_last_errmsg());
    /* every dim tiled at rank 5 needs 10 strided dims */
    t.input = SHP(2, 3, 5, 7, 11);
    for (int d = 0; d < 5; d++)
        t.repeats[d] = 2;
    op_launch l;
    cr_assert_eq(tile_prepare(rt, &t, &l), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "more than 8"), "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}
