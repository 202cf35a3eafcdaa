/*
 * test_resize.c — Resize against the naive reference (tests/ref_resize.c)
 * through test_op: nearest with every rounding, linear and cubic (two
 * coefficients, exclude_outside) under every coordinate transformation, on
 * odd sizes given as sizes (7x5 -> 17x11, 13x9 -> 4x6), integer scales (the
 * nearest 2x kernel), non-integer scales and a wide row (vector and tail
 * paths); tf_crop_and_resize with a roi reaching outside the input; NaN;
 * the open batch; validation; two resizes in a row; and the ONNX import
 * (Resize-18 axes and keep_aspect_ratio_policy, Upsample, Resize-10,
 * unsupported attributes named).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "onnx_writer.h"
#include "op_test.h"
#include "ref_resize.h"
#include "shape.h"
#include "testutil.h"

static const char *const COORD[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                    "align_corners", "asymmetric", "tf_crop_and_resize",
                                    "tf_half_pixel_for_nn"};

static clinfer_status add_resize(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    return clinfer_graph_resize(g, "resize", in[0], ctx, out);
}

/* The same with ONNX's antialias (the importer's builder call). */
static clinfer_status add_antialiased(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                      clinfer_value *out)
{
    return graph_resize_ex(g, "resize", in[0], ctx, 1, out);
}

/* One input shape and its output: sizes (out_*) or scales. */
typedef struct geometry {
    int64_t n, c, h, w;
    float scale_h, scale_w;
    int64_t out_h, out_w;
} geometry;

static const geometry GEOMETRIES[] = {
    {2, 3, 7, 5, 0, 0, 17, 11},    /* sizes, up */
    {1, 2, 13, 9, 0, 0, 4, 6},     /* sizes, down */
    {2, 2, 6, 5, 2.0f, 2.0f, 0, 0}, /* scale 2 */
    {1, 3, 5, 7, 1.7f, 0.6f, 0, 0}, /* non-integer scales, up and down */
    {1, 2, 3, 37, 3.0f, 2.5f, 0, 0}, /* wide rows: vector chunks and a tail */
    {1, 2, 3, 19, 2.0f, 2.0f, 0, 0}, /* nearest 2x: vector chunks and a tail */
    {1, 1, 4, 16, 3.0f, 2.0f, 0, 0}, /* nearest: columns 2x, rows 3x */
    {1, 2, 1, 6, 0, 0, 3, 1},      /* a 1-row input, a 1-column output */
};

static void check_resize_aa(const clinfer_resize_desc *base, const geometry *gm, int antialias,
                            uint32_t seed)
{
    clinfer_resize_desc d = *base;
    d.scale_h = gm->scale_h, d.scale_w = gm->scale_w;
    d.out_h = gm->out_h, d.out_w = gm->out_w;
    const clinfer_shape in = {4, {gm->n, gm->c, gm->h, gm->w}};
    clinfer_shape os = ref_resize_shape(&in, &d);
    char what[256], b1[64], b2[64];
    snprintf(what, sizeof what, "resize %s -> %s mode %d %s nearest %d a %g exclude %d%s",
             shape_str(&in, b1, sizeof b1), shape_str(&os, b2, sizeof b2), (int)d.mode,
             COORD[d.coord], (int)d.nearest, (double)d.cubic_coeff_a, d.exclude_outside,
             antialias ? " antialias" : "");
    size_t n = ref_numel(&in), m = ref_numel(&os);
    float *x = test_alloc(n * sizeof *x), *want = test_alloc(m * sizeof *want);
    fill_uniform(x, n, -1, 1, &seed);
    if (antialias)
        ref_resize_antialias(&in, &d, x, want);
    else
        ref_resize(&in, &d, x, want);
    const op_input xi = {in, x, 0};
    const op_test t = {what, &xi, 1, antialias ? add_antialiased : add_resize, &d, want, os,
                       1e-5f, 1e-5f, {{0}}};
    test_op(&t);
    free(x);
    free(want);
}

static void check_resize(const clinfer_resize_desc *base, const geometry *gm, uint32_t seed)
{
    check_resize_aa(base, gm, 0, seed);
}

/* Every geometry under every coordinate mode for one interpolation. */
static void check_all_coords(clinfer_resize_desc d, uint32_t seed)
{
    d.roi[0] = 0.1f, d.roi[1] = -0.2f, d.roi[2] = 0.8f, d.roi[3] = 1.3f; /* tf_crop_and_resize */
    d.extrapolation_value = 7.5f;
    for (int coord = 0; coord <= CLINFER_COORD_TF_HALF_PIXEL_FOR_NN; coord++)
        for (size_t g = 0; g < sizeof GEOMETRIES / sizeof GEOMETRIES[0]; g++) {
            d.coord = (clinfer_resize_coord)coord;
            check_resize(&d, &GEOMETRIES[g], seed++);
        }
}

Test(resize, nearest_every_rounding_and_coordinate_mode)
{
    for (int r = 0; r <= CLINFER_NEAREST_SIMPLE; r++) {
        clinfer_resize_desc d = clinfer_resize_desc_default();
        d.nearest = (clinfer_resize_nearest)r;
        check_all_coords(d, 100u * (uint32_t)r);
    }
}

Test(resize, linear_every_coordinate_mode)
{
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_LINEAR;
    check_all_coords(d, 1000u);
}

Test(resize, antialias_linear_and_cubic_downscales)
{
    /* downscales by 2, 3.5, 1/0.3, sizes and one axis up; odd sizes */
    static const geometry aa[] = {
        {1, 2, 14, 10, 0.5f, 0.5f, 0, 0},  {2, 1, 21, 17, 0, 0, 6, 5},
        {1, 2, 20, 23, 0.3f, 0.7f, 0, 0},  {1, 1, 9, 40, 1.5f, 0.25f, 0, 0},
        {1, 1, 7, 8, 0, 0, 7, 3},
    };
    const clinfer_resize_coord coords[3] = {CLINFER_COORD_HALF_PIXEL,
                                            CLINFER_COORD_PYTORCH_HALF_PIXEL,
                                            CLINFER_COORD_ALIGN_CORNERS};
    uint32_t seed = 4000u;
    for (int mode = CLINFER_RESIZE_LINEAR; mode <= CLINFER_RESIZE_CUBIC; mode++)
        for (int c = 0; c < 3; c++)
            for (size_t g = 0; g < sizeof aa / sizeof aa[0]; g++) {
                clinfer_resize_desc d = clinfer_resize_desc_default();
                d.mode = (clinfer_resize_mode)mode;
                d.coord = coords[c];
                d.exclude_outside = mode == CLINFER_RESIZE_CUBIC && g % 2 == 1;
                check_resize_aa(&d, &aa[g], 1, seed++);
            }
    /* nearest ignores antialias */
    clinfer_resize_desc d = clinfer_resize_desc_default();
    const clinfer_shape in = {4, {1, 1, 8, 8}};
    d.scale_h = d.scale_w = 0.5f;
    float x[64], want[16];
    uint32_t s2 = 1u;
    fill_uniform(x, 64, -1, 1, &s2);
    ref_resize(&in, &d, x, want);
    const op_input xi = {in, x, 0};
    const op_test t = {"nearest, antialias", &xi, 1, add_antialiased, &d, want,
                       ref_resize_shape(&in, &d), 0, 0, {{0}}};
    test_op(&t);
}

Test(resize, antialias_beyond_the_taps_is_refused)
{
    /* linear by 1/40: 82 taps per output pixel, past RESIZE_MAX_TAPS */
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    const clinfer_shape s = {4, {1, 1, 80, 80}};
    clinfer_value x, y;
    cr_assert_eq(clinfer_graph_input(g, "x", &s, &x), CLINFER_OK);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_LINEAR;
    d.out_h = d.out_w = 2;
    cr_assert_eq(graph_resize_ex(g, "aa", x, &d, 1, &y), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_graph_errmsg(g), "\"aa\"") &&
                  strstr(clinfer_graph_errmsg(g), "needs more than 64 taps"),
              "%s", clinfer_graph_errmsg(g));
    cr_assert_eq(graph_resize_ex(g, "plain", x, &d, 0, &y), CLINFER_OK, "%s",
                 clinfer_graph_errmsg(g));
    clinfer_graph_free(g);
}

Test(resize, cubic_every_coordinate_mode)
{
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_CUBIC;
    check_all_coords(d, 2000u);
    d.cubic_coeff_a = -0.5f;
    d.exclude_outside = 1;
    check_all_coords(d, 3000u);
}

Test(resize, tiny_scale_with_given_sizes)
{
    /* coordinates ~1e30 outside the input: every tap at the edge */
    const geometry gm = {1, 2, 5, 6, 1e-30f, 3e-30f, 4, 9};
    for (int mode = 0; mode <= CLINFER_RESIZE_CUBIC; mode++)
        for (int coord = 0; coord <= CLINFER_COORD_ASYMMETRIC; coord++) {
            clinfer_resize_desc d = clinfer_resize_desc_default();
            d.mode = (clinfer_resize_mode)mode, d.coord = (clinfer_resize_coord)coord;
            check_resize(&d, &gm, 50u + (uint32_t)coord);
        }
}

Test(resize, nan_propagates)
{
    const clinfer_shape in = {4, {1, 1, 4, 5}};
    float x[20];
    for (int i = 0; i < 20; i++)
        x[i] = (float)i;
    x[7] = NAN;
    for (int mode = 0; mode <= CLINFER_RESIZE_CUBIC; mode++) {
        clinfer_resize_desc d = clinfer_resize_desc_default();
        d.mode = (clinfer_resize_mode)mode;
        d.scale_h = d.scale_w = 2.0f;
        clinfer_shape os = ref_resize_shape(&in, &d);
        float want[80], got[80];
        ref_resize(&in, &d, x, want);
        int nans = 0;
        for (int i = 0; i < 80; i++)
            nans += isnan(want[i]);
        cr_assert_gt(nans, 0, "the reference has NaN outputs");
        const op_input xi = {in, x, 0};
        const op_test t = {"resize NaN", &xi, 1, add_resize, &d, want, os, 1e-5f, 1e-5f, {{0}}};
        test_op_run(&t, got);
        assert_close_nonfinite(got, want, 80, 1e-5f, 1e-5f, "resize NaN");
    }
}

Test(resize, open_batch_and_builder_validation)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_shape s = {4, {CLINFER_BATCH_DIM, 2, 3, 5}}, ys;
    clinfer_value x, y;
    cr_assert_eq(clinfer_graph_input(g, "x", &s, &x), CLINFER_OK);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.scale_h = 2.0f, d.out_w = 9;
    cr_assert_eq(clinfer_graph_resize(g, "r", x, &d, &y), CLINFER_OK, "%s",
                 clinfer_graph_errmsg(g));
    cr_assert_eq(clinfer_graph_value_shape(g, y, &ys), CLINFER_OK);
    cr_assert(ys.rank == 4 && ys.dims[0] == CLINFER_BATCH_DIM && ys.dims[1] == 2 &&
              ys.dims[2] == 6 && ys.dims[3] == 9);
    d.scale_w = -1.0f;
    cr_assert_eq(clinfer_graph_resize(g, "bad", x, &d, &y), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_graph_errmsg(g), "W: scale -1"), "%s", clinfer_graph_errmsg(g));
    d = clinfer_resize_desc_default();
    d.scale_h = 1.0f; /* W has neither */
    cr_assert_eq(clinfer_graph_resize(g, "bad2", x, &d, &y), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_graph_errmsg(g), "expected a scale > 0 or a size > 0"), "%s",
              clinfer_graph_errmsg(g));
    d.scale_w = 0.1f; /* floor(5 * 0.1) = 0 */
    cr_assert_eq(clinfer_graph_resize(g, "empty", x, &d, &y), CLINFER_ERR_UNSUPPORTED);
    d.scale_w = 1.0f;
    d.mode = (clinfer_resize_mode)9;
    cr_assert_eq(clinfer_graph_resize(g, "mode", x, &d, &y), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_graph_errmsg(g), "unknown mode 9"), "%s", clinfer_graph_errmsg(g));
    /* a tiny scale with a given size: coordinates far outside the input */
    d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_CUBIC, d.scale_h = 1e-30f, d.out_h = 4, d.out_w = 7;
    cr_assert_eq(clinfer_graph_resize(g, "tiny", x, &d, &y), CLINFER_OK, "%s",
                 clinfer_graph_errmsg(g));
    clinfer_shape s3 = {3, {2, 3, 5}};
    clinfer_value x3;
    cr_assert_eq(clinfer_graph_input(g, "x3", &s3, &x3), CLINFER_OK);
    d = clinfer_resize_desc_default();
    d.scale_h = d.scale_w = 2.0f;
    cr_assert_eq(clinfer_graph_resize(g, "rank3", x3, &d, &y), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_graph_errmsg(g), "[N, C, H, W]"), "%s", clinfer_graph_errmsg(g));
    clinfer_graph_free(g);
}

/* ---------------------------------------------------------- ONNX import */

/* x [N, 2, 4, 6] (N symbolic) -> op -> y; `inputs` names the node's inputs
 * after x (initializers f0 = floats, i0 = int64s, given when count > 0). */
static uint8_t *resize_model(const char *op, int64_t opset, const char *inputs, const float *f,
                             int nf, const int64_t *iv, int ni, int nattrs, pb *attrs,
                             size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {-1, 2, 4, 6};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, xd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    if (nf > 0)
        onnx_initializer(&g, (pb[]){onnx_tensor_f("f0", 1, (const int64_t[]){nf}, f, 1)});
    if (ni > 0)
        onnx_initializer(&g, (pb[]){onnx_tensor_i("i0", 1, (const int64_t[]){ni}, iv, 1)});
    onnx_node(&g, op, "rs", inputs, "y", nattrs, attrs);
    return onnx_model(&g, opset, size);
}

/* Loads the model, runs it at batch 2 and compares with ref_resize(d)
 * (ref_resize_antialias when antialias). */
static void check_onnx_aa(uint8_t *model, size_t size, const clinfer_resize_desc *d,
                          int antialias, const char *what)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    const clinfer_shape in = {4, {2, 2, 4, 6}};
    clinfer_shape os = ref_resize_shape(&in, d);
    size_t n = ref_numel(&in), m = ref_numel(&os);
    float *x = test_alloc(n * sizeof *x), *want = test_alloc(m * sizeof *want);
    float *got = test_alloc(m * sizeof *got);
    uint32_t seed = 9u;
    fill_uniform(x, n, -1, 1, &seed);
    if (antialias)
        ref_resize_antialias(&in, d, x, want);
    else
        ref_resize(&in, d, x, want);
    clinfer_model *mo = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &mo), CLINFER_OK, "%s: %s", what,
                 clinfer_last_errmsg());
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = 2;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_session_create(mo, &o, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, x, n), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, got, m), CLINFER_OK, "%s: output size",
                 what);
    assert_close(got, want, m, 1e-5f, 1e-5f, what);
    clinfer_session_free(s);
    clinfer_model_free(mo);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
    free(x), free(want), free(got), free(model);
}

static void check_onnx(uint8_t *model, size_t size, const clinfer_resize_desc *d, const char *what)
{
    check_onnx_aa(model, size, d, 0, what);
}

Test(resize_onnx, opset18_antialias)
{
    /* 4x6 to 2x2 (sizes) linear and 2x3 (scales 0.5) cubic, antialiased */
    size_t size = 0;
    pb lin[3] = {onnx_attr_string("mode", "linear"), onnx_attr_int("antialias", 1),
                 onnx_attr_ints("axes", 2, (const int64_t[]){2, 3})};
    uint8_t *m = resize_model("Resize", 18, "x,,,i0", NULL, 0, (const int64_t[]){2, 2}, 2, 3, lin,
                              &size);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_LINEAR, d.out_h = 2, d.out_w = 2;
    check_onnx_aa(m, size, &d, 1, "Resize-18 linear antialias, sizes");
    pb cub[2] = {onnx_attr_string("mode", "cubic"), onnx_attr_int("antialias", 1)};
    m = resize_model("Resize", 18, "x,,f0", (const float[]){1, 1, 0.5f, 0.5f}, 4, NULL, 0, 2, cub,
                     &size);
    d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_CUBIC, d.scale_h = d.scale_w = 0.5f;
    check_onnx_aa(m, size, &d, 1, "Resize-18 cubic antialias, scales");
}

Test(resize_onnx, opset18_axes_and_keep_aspect_ratio)
{
    /* sizes 8x9 on H, W of 4x6, not_larger: scale min(2, 1.5) = 1.5, 6x9 */
    const int64_t sizes[2] = {8, 9}, axes[2] = {2, 3};
    size_t size = 0;
    pb attrs[3] = {onnx_attr_string("mode", "linear"), onnx_attr_ints("axes", 2, axes),
                   onnx_attr_string("keep_aspect_ratio_policy", "not_larger")};
    uint8_t *m = resize_model("Resize", 18, "x,,,i0", NULL, 0, sizes, 2, 3, attrs, &size);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_LINEAR;
    d.scale_h = d.scale_w = 1.5f, d.out_h = 6, d.out_w = 9;
    check_onnx(m, size, &d, "Resize-18 axes, not_larger");
    pb a2[2] = {onnx_attr_ints("axes", 2, (const int64_t[]){-1, -2}),
                onnx_attr_string("keep_aspect_ratio_policy", "not_smaller")};
    /* axes W, H: sizes (W 9, H 8), not_smaller: scale max(1.5, 2) = 2, 8x12 */
    m = resize_model("Resize", 18, "x,,,i0", NULL, 0, (const int64_t[]){9, 8}, 2, 2, a2, &size);
    d = clinfer_resize_desc_default();
    d.scale_h = d.scale_w = 2.0f, d.out_h = 8, d.out_w = 12;
    check_onnx(m, size, &d, "Resize-18 axes W, H, not_smaller");
}

Test(resize_onnx, upsample_and_resize10)
{
    const float scales[4] = {1, 1, 2.5f, 1.5f};
    size_t size = 0;
    pb a9[1] = {onnx_attr_string("mode", "nearest")};
    uint8_t *m = resize_model("Upsample", 9, "x,f0", scales, 4, NULL, 0, 1, a9, &size);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.coord = CLINFER_COORD_ASYMMETRIC, d.nearest = CLINFER_NEAREST_SIMPLE;
    d.scale_h = 2.5f, d.scale_w = 1.5f;
    check_onnx(m, size, &d, "Upsample-9 nearest");
    pb a10[1] = {onnx_attr_string("mode", "linear")};
    m = resize_model("Resize", 10, "x,f0", (const float[]){1, 1, 0.6f, 1.5f}, 4, NULL, 0, 1, a10,
                     &size);
    d.mode = CLINFER_RESIZE_LINEAR, d.scale_h = 0.6f, d.scale_w = 1.5f;
    check_onnx(m, size, &d, "Resize-10 linear");
}

Test(resize_onnx, sizes_from_the_shape_of_an_open_batch)
{
    /* sizes = Concat(Shape(x)[0:2], [8, 9]): N is the open batch, folded at
     * load time like PyTorch's exported interpolate(size=...) */
    onnx_graph g = {{0}};
    const int64_t xd[4] = {-1, 2, 4, 6}, hw[2] = {8, 9}, zero[1] = {0}, two[1] = {2};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, xd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("hw", 1, (const int64_t[]){2}, hw, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("s0", 1, (const int64_t[]){1}, zero, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("e2", 1, (const int64_t[]){1}, two, 1)});
    onnx_node(&g, "Shape", "shape", "x", "xs", 0, NULL);
    onnx_node(&g, "Slice", "nc", "xs,s0,e2", "nc", 0, NULL);
    onnx_node(&g, "Concat", "sizes", "nc,hw", "sizes", 1,
              (pb[]){onnx_attr_int("axis", 0)});
    onnx_node(&g, "Resize", "rs", "x,,,sizes", "y", 1,
              (pb[]){onnx_attr_string("mode", "linear")});
    size_t size = 0;
    uint8_t *m = onnx_model(&g, 13, &size);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.mode = CLINFER_RESIZE_LINEAR, d.out_h = 8, d.out_w = 9;
    check_onnx(m, size, &d, "Resize-13 sizes from Shape");
}

/* sizes = Concat(Shape(x)[0:2], Cast(ROUNDING(Cast(Shape(x)[2:4]) * [1.7,
 * 1.4]))), as older exports compute an upsampled size: the rounding
 * (Floor, Ceil, Round) folded on the host, 4x6 -> 6.8 x 8.4. */
static void check_rounded_sizes(const char *rounding, int32_t out_h, int32_t out_w)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {-1, 2, 4, 6}, zero[1] = {0}, two[1] = {2}, four[1] = {4};
    const float f[2] = {1.7f, 1.4f};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, xd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("s0", 1, (const int64_t[]){1}, zero, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("e2", 1, (const int64_t[]){1}, two, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_i("e4", 1, (const int64_t[]){1}, four, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("f", 1, (const int64_t[]){2}, f, 1)});
    onnx_node(&g, "Shape", "shape", "x", "xs", 0, NULL);
    onnx_node(&g, "Slice", "nc", "xs,s0,e2", "nc", 0, NULL);
    onnx_node(&g, "Slice", "hw", "xs,e2,e4", "hw", 0, NULL);
    onnx_node(&g, "Cast", "hwf", "hw", "hwf", 1, (pb[]){onnx_attr_int("to", OT_FLOAT)});
    onnx_node(&g, "Mul", "scaled", "hwf,f", "scaled", 0, NULL);
    onnx_node(&g, rounding, "rounded", "scaled", "rounded", 0, NULL);
    onnx_node(&g, "Cast", "hwi", "rounded", "hwi", 1, (pb[]){onnx_attr_int("to", OT_INT64)});
    onnx_node(&g, "Concat", "sizes", "nc,hwi", "sizes", 1, (pb[]){onnx_attr_int("axis", 0)});
    onnx_node(&g, "Resize", "rs", "x,,,sizes", "y", 1, (pb[]){onnx_attr_string("mode", "nearest")});
    size_t size = 0;
    uint8_t *m = onnx_model(&g, 13, &size);
    clinfer_resize_desc d = clinfer_resize_desc_default();
    d.out_h = out_h, d.out_w = out_w;
    check_onnx(m, size, &d, rounding);
}

Test(resize_onnx, sizes_from_rounded_shape_arithmetic)
{
    check_rounded_sizes("Floor", 6, 8);
    check_rounded_sizes("Ceil", 7, 9);
    check_rounded_sizes("Round", 7, 8);
}

/* The load fails with `want` and a message containing `part`. */
static void expect_load_error(uint8_t *model, size_t size, clinfer_status want, const char *part)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(model, size, &g), want, "%s",
                 clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), part), "\"%s\" lacks \"%s\"", clinfer_last_errmsg(),
              part);
    free(model);
}

Test(resize_onnx, unsupported_is_named)
{
    size_t size = 0;
    pb aa[1] = {onnx_attr_int("antialias", 1)};
    const float up[4] = {1, 1, 2, 2}, chan[4] = {1, 2, 2, 2};
    uint8_t *m = resize_model("Resize", 13, "x,,f0", up, 4, NULL, 0, 1, aa, &size);
    expect_load_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"antialias\" is Resize's from opset 18");
    aa[0] = onnx_attr_int("antialias", 2);
    m = resize_model("Resize", 18, "x,,f0", up, 4, NULL, 0, 1, aa, &size);
    expect_load_error(m, size, CLINFER_ERR_INVALID_MODEL, "\"antialias\" = 2 (0 or 1)");
    m = resize_model("Resize", 13, "x,,f0", chan, 4, NULL, 0, 0, NULL, &size);
    expect_load_error(m, size, CLINFER_ERR_UNSUPPORTED, "resizing C (axis 1)");
    pb am[1] = {onnx_attr_string("coordinate_transformation_mode", "diagonal")};
    m = resize_model("Resize", 13, "x,,f0", up, 4, NULL, 0, 1, am, &size);
    expect_load_error(m, size, CLINFER_ERR_UNSUPPORTED, "\"diagonal\"");
    m = resize_model("Resize", 13, "x,,f0,i0", up, 4, (const int64_t[]){2, 2, 8, 12}, 4, 0, NULL,
                     &size);
    expect_load_error(m, size, CLINFER_ERR_INVALID_MODEL, "exactly one of the scales and sizes");
    m = resize_model("Upsample", 9, "x,f0", (const float[]){1, 1, 2, 0.5f}, 4, NULL, 0, 0, NULL,
                     &size);
    expect_load_error(m, size, CLINFER_ERR_INVALID_MODEL, "scales[3] = 0.5: Upsample scales");
}

/* Two resizes in a row: the second reads its input inside the session's
 * arena (not at offset 0 of a buffer of its own). */
static clinfer_status add_two(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                              clinfer_value *out)
{
    const clinfer_resize_desc *d = ctx;
    clinfer_value mid;
    clinfer_status st = clinfer_graph_resize(g, "first", in[0], &d[0], &mid);
    return st == CLINFER_OK ? clinfer_graph_resize(g, "second", mid, &d[1], out) : st;
}

Test(resize, chain_inside_the_arena)
{
    clinfer_resize_desc d[2] = {clinfer_resize_desc_default(), clinfer_resize_desc_default()};
    d[0].mode = CLINFER_RESIZE_LINEAR, d[0].out_h = 5, d[0].out_w = 11;
    d[1].scale_h = 3.0f, d[1].scale_w = 2.0f; /* nearest 2x columns, 3x rows */
    const clinfer_shape in = {4, {2, 3, 4, 9}};
    clinfer_shape ms = ref_resize_shape(&in, &d[0]), os = ref_resize_shape(&ms, &d[1]);
    size_t n = ref_numel(&in), k = ref_numel(&ms), m = ref_numel(&os);
    float *x = test_alloc(n * sizeof *x), *mid = test_alloc(k * sizeof *mid);
    float *want = test_alloc(m * sizeof *want);
    uint32_t seed = 4u;
    fill_uniform(x, n, -1, 1, &seed);
    ref_resize(&in, &d[0], x, mid);
    ref_resize(&ms, &d[1], mid, want);
    const op_input xi = {in, x, 0};
    const op_test t = {"two resizes", &xi, 1, add_two, d, want, os, 1e-5f, 1e-5f, {{0}}};
    test_op(&t);
    free(x), free(mid), free(want);
}
