/*
 * test_grid_sample.c — GridSample (ONNX opset 16) against its naive
 * reference (tests/ref_grid_sample.c) through test_op: every mode
 * (bilinear, nearest, bicubic) under every padding (zeros, border,
 * reflection) with and without align_corners, on non-square sizes at
 * batch 2, the grid's points inside and outside the image (up to 4.6
 * widths out: several reflections), exact on half's grid (multiples of
 * 1/256) so that the half-storage run samples the same pixels; then the
 * ONNX attributes (opset 20's names) and the refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ref_grid_sample.h"
#include "shape.h"
#include "testutil.h"

typedef struct gs_case {
    clinfer_grid_sample_mode mode;
    clinfer_grid_padding padding;
    int align;
} gs_case;

static const char *const mode_name[] = {"bilinear", "nearest", "bicubic"};
static const char *const pad_name[] = {"zeros", "border", "reflection"};

static clinfer_status add_grid_sample(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                      clinfer_value *out)
{
    const gs_case *k = ctx;
    return clinfer_graph_grid_sample(g, "gs", in[0], in[1], k->mode, k->padding, k->align, out);
}

/* A grid of points in [-lim, lim], multiples of 1/256, with the corners
 * and the centre exactly. */
static void fill_grid(float *grid, size_t points, float lim, uint32_t *seed)
{
    fill_uniform(grid, 2 * points, -lim, lim, seed);
    for (size_t i = 0; i < 2 * points; i++)
        grid[i] = floorf(grid[i] * 256) / 256;
    const float exact[6] = {-1, -1, 1, 1, 0, 0};
    for (size_t i = 0; i < 6 && i < 2 * points; i++)
        grid[i] = exact[i];
}

static void check_case(const clinfer_shape *xs, const clinfer_shape *gs, gs_case k, float lim,
                       uint32_t seed)
{
    const clinfer_shape os = {4, {xs->dims[0], xs->dims[1], gs->dims[1], gs->dims[2]}};
    const size_t nx = ref_numel(xs), ng = ref_numel(gs), no = ref_numel(&os);
    float *x = test_alloc(nx * 4), *grid = test_alloc(ng * 4), *want = test_alloc(no * 4);
    fill_uniform(x, nx, -1, 1, &seed);
    fill_grid(grid, ng / 2, lim, &seed);
    ref_grid_sample(xs, gs, k.mode, k.padding, k.align, x, grid, want);
    char what[160], b1[64], b2[64];
    snprintf(what, sizeof what, "grid_sample %s %s align %d: x %s grid %s (points to %g)",
             mode_name[k.mode], pad_name[k.padding], k.align, shape_str(xs, b1, sizeof b1),
             shape_str(gs, b2, sizeof b2), (double)lim);
    const op_input in[2] = {{*xs, x, 0}, {*gs, grid, 0}};
    const op_test t = {what, in, 2, add_grid_sample, &k, want, os, 2e-6f, 1e-5f, {{0}}};
    test_op(&t);
    free(x), free(grid), free(want);
}

Test(grid_sample, every_mode_padding_and_alignment)
{
    const clinfer_shape xs = {4, {2, 3, 5, 7}}, gs = {4, {2, 4, 6, 2}};
    const clinfer_shape wide = {4, {1, 2, 4, 19}}, far = {4, {1, 9, 5, 2}};
    uint32_t seed = 30;
    for (int m = 0; m < 3; m++)
        for (int p = 0; p < 3; p++)
            for (int a = 0; a < 2; a++) {
                const gs_case k = {(clinfer_grid_sample_mode)m, (clinfer_grid_padding)p, a};
                check_case(&xs, &gs, k, 1.3f, seed++);
                check_case(&wide, &far, k, 4.6f, seed++); /* reflected several times */
            }
}

/* Points far outside the image, infinite or NaN: zeros padding reads 0,
 * border padding the corner pixel the point lies beyond (bilinear,
 * bicubic), reflection something finite; nothing is read outside x. */
Test(grid_sample, points_far_outside)
{
    const clinfer_shape xs = {4, {1, 1, 3, 4}}, gs = {4, {1, 1, 3, 2}};
    const float x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const float grid[6] = {1e30f, -1e30f, -INFINITY, INFINITY, 1e9f, -3e8f};
    const float corner[3] = {4, 9, 4}; /* (x past the right, y above): top right, etc. */
    float y[3];
    const op_input in[2] = {{xs, x, 0}, {gs, grid, 0}};
    const clinfer_shape os = {4, {1, 1, 1, 3}};
    for (int m = 0; m < 3; m += 2) /* bilinear, bicubic */
        for (int p = 0; p < 3; p++) {
            const gs_case k = {(clinfer_grid_sample_mode)m, (clinfer_grid_padding)p, 0};
            const op_test t = {"far points", in, 2, add_grid_sample, &k, x, os, 0, 0, {{0}}};
            test_op_run(&t, y);
            for (int i = 0; i < 3; i++) {
                const float want = p == 0 ? 0 : corner[i];
                if (p == 2)
                    cr_assert(isfinite(y[i]), "%s reflection: point %d gave %g", mode_name[m], i,
                              (double)y[i]);
                else
                    cr_assert(fabsf(y[i] - want) < 1e-5f, "%s %s: point %d gave %g, expected %g",
                              mode_name[m], pad_name[p], i, (double)y[i], (double)want);
            }
        }
}

/* ONNX: opset 16's names, opset 20's linear and cubic; refusals. */
static uint8_t *grid_model(int64_t opset, const char *mode, const char *padding, int64_t align,
                           const int64_t *gd, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {2, 3, 5, 7};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, xd)});
    onnx_input(&g, (pb[]){onnx_value_info("grid", OT_FLOAT, 4, gd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    pb a[3] = {onnx_attr_string("mode", mode), onnx_attr_string("padding_mode", padding),
               onnx_attr_int("align_corners", align)};
    onnx_node(&g, "GridSample", "gs", "x,grid", "y", 3, a);
    return onnx_model(&g, opset, size);
}

Test(grid_sample, onnx_attributes_and_refusals)
{
    const clinfer_shape xs = {4, {2, 3, 5, 7}}, gs = {4, {2, 4, 6, 2}};
    const int64_t gd[4] = {2, 4, 6, 2};
    float x[210], grid[96], y[144], want[144];
    uint32_t seed = 31;
    fill_uniform(x, 210, -1, 1, &seed);
    fill_grid(grid, 48, 1.2f, &seed);
    const size_t counts[2] = {210, 96};
    const struct {
        int64_t opset;
        const char *mode;
        clinfer_grid_sample_mode want;
    } forms[] = {{16, "bicubic", CLINFER_GRID_SAMPLE_BICUBIC},
                 {20, "cubic", CLINFER_GRID_SAMPLE_BICUBIC},
                 {20, "linear", CLINFER_GRID_SAMPLE_BILINEAR},
                 {16, "nearest", CLINFER_GRID_SAMPLE_NEAREST}};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t size;
        uint8_t *m = grid_model(forms[i].opset, forms[i].mode, "reflection", 1, gd, &size);
        test_onnx_run(m, size, (const float *const[]){x, grid}, counts, 2, y, 144);
        ref_grid_sample(&xs, &gs, forms[i].want, CLINFER_GRID_PAD_REFLECTION, 1, x, grid, want);
        assert_close(y, want, 144, 2e-6f, 1e-5f, forms[i].mode);
        free(m);
    }
    clinfer_graph *g = NULL;
    size_t size;
    uint8_t *m = grid_model(16, "bilinear", "mirror", 0, gd, &size);
    cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "attribute \"padding_mode\" is \"mirror\""),
              "message: %s", clinfer_last_errmsg());
    free(m);
    const int64_t bad[4] = {2, 4, 6, 3};
    m = grid_model(16, "bilinear", "zeros", 0, bad, &size);
    cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "must be [N, C, H, W] and [N, OH, OW, 2]"),
              "message: %s", clinfer_last_errmsg());
    free(m);
}
