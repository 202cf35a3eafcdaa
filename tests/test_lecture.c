/*
 * test_lecture.c — the convolution and max-pooling example of the lecture
 * (shared/lecture-cnn.txt). Every expected value below is copied from the
 * lecture's slides, not produced by clinfer.
 */
#include <criterion/criterion.h>

#include "ops/eager.h"
#include "testutil.h"

static const float image[36] = {
    1, 0, 0, 0, 0, 1, /* the lecture's 6 x 6 image */
    0, 1, 0, 0, 1, 0, /**/
    0, 0, 1, 1, 0, 0, /**/
    1, 0, 0, 0, 1, 0, /**/
    0, 1, 0, 0, 1, 0, /**/
    0, 0, 1, 0, 1, 0,
};

static const float filters[18] = {
    1,  -1, -1, -1, 1, -1, -1, -1, 1, /* Filter 1 */
    -1, 1,  -1, -1, 1, -1, -1, 1,  -1, /* Filter 2 */
};

/* "Two 4 x 4 images, forming 2 x 4 x 4 matrix" (stride 1). */
static const float maps_stride1[32] = {
    3,  -1, -3, -1, -3, 1,  0,  -3, -3, -3, 0,  1,  3,  -2, -2, -1, /* Filter 1 */
    -1, -1, -1, -1, -1, -1, -2, 1,  -1, -1, -2, 1,  -1, 0,  -4, 3,  /* Filter 2 */
};

/* "If stride=2": the slide shows the first row, 3 -3. */
static const float filter1_stride2_first_row[2] = {3, -3};

/* Max pooling 2 x 2 of the two maps: "3 0 / 3 1" and "-1 1 / 0 3". */
static const float pooled[8] = {3, 0, 3, 1, -1, 1, 0, 3};

static conv2d_params lecture_conv(int32_t out_channels, int32_t stride)
{
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 1, p.h = 6, p.w = 6, p.oc = out_channels, p.kh = 3, p.kw = 3;
    p.stride_h = p.stride_w = stride;
    return p;
}

Test(lecture, two_filters_stride1_give_the_two_4x4_maps)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = lecture_conv(2, 1);
    float out[32];
    cr_assert_eq(conv2d_run_host(rt, &p, image, filters, NULL, out), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    assert_equal(out, maps_stride1, 32, "lecture stride-1 maps");
    clinfer_runtime_free(rt);
}

Test(lecture, filter1_stride2_starts_3_minus3)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = lecture_conv(1, 2);
    float out[4];
    cr_assert_eq(conv2d_run_host(rt, &p, image, filters, NULL, out), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    assert_equal(out, filter1_stride2_first_row, 2, "lecture stride-2 first row");
    /* The rest of the 2 x 2 map is every other entry of the lecture's
     * stride-1 map (rows 0 and 2, columns 0 and 2). */
    const float second_row[2] = {maps_stride1[8], maps_stride1[10]};
    assert_equal(out + 2, second_row, 2, "lecture stride-2 second row");
    clinfer_runtime_free(rt);
}

Test(lecture, max_pooling_2x2_of_the_maps)
{
    clinfer_runtime *rt = test_runtime();
    pool2d_params p = pool2d_params_default();
    p.n = 1, p.c = 2, p.h = 4, p.w = 4, p.kh = 2, p.kw = 2, p.stride_h = 2, p.stride_w = 2;
    float out[8];
    cr_assert_eq(maxpool2d_run_host(rt, &p, maps_stride1, out), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    assert_equal(out, pooled, 8, "lecture pooled maps");
    clinfer_runtime_free(rt);
}
