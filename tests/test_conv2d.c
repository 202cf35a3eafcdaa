/*
 * test_conv2d.c — the conv2d_naive kernel (eager path) against the naive reference on
 * random data: odd and non-square sizes, strides, asymmetric padding,
 * dilation, groups, depthwise, bias, fused ReLU, batch > 1; and the
 * parameter checks.
 */
#include <criterion/criterion.h>

#include "ops/eager.h"
#include "reference.h"
#include "testutil.h"

typedef struct conv_case {
    const char *name;
    int32_t n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups, bias;
    act_kind act;
} conv_case;

static const conv_case cases[] = {
    {"1x1 single", 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, ACT_KIND_NONE},
    {"3x3 odd", 1, 3, 7, 9, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    {"3x3 pad1 relu", 2, 4, 13, 11, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ACT_KIND_RELU},
    {"5x3 stride2", 3, 2, 17, 10, 4, 5, 3, 2, 2, 2, 1, 2, 1, 1, 1, 1, 1, ACT_KIND_NONE},
    {"asym pad stride(2,3)", 1, 3, 12, 15, 7, 3, 4, 2, 3, 0, 2, 1, 0, 1, 1, 1, 0, ACT_KIND_RELU},
    {"dilation 2", 2, 3, 14, 13, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, ACT_KIND_NONE},
    {"groups 3", 2, 6, 9, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, ACT_KIND_RELU},
    {"depthwise", 1, 8, 10, 11, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8, 1, ACT_KIND_NONE},
    {"1x1 many channels", 2, 37, 5, 6, 19, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    {"kernel = input", 1, 2, 4, 5, 3, 4, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, ACT_KIND_NONE},
    {"7x7 stride2 pad3", 1, 3, 23, 21, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, ACT_KIND_RELU},
};

static conv2d_params params_of(const conv_case *k)
{
    conv2d_params p = conv2d_params_default();
    p.n = k->n, p.c = k->c, p.h = k->h, p.w = k->w, p.oc = k->oc, p.kh = k->kh, p.kw = k->kw;
    p.stride_h = k->sh, p.stride_w = k->sw;
    p.pad_top = k->pt, p.pad_left = k->pl, p.pad_bottom = k->pb, p.pad_right = k->pr;
    p.dil_h = k->dh, p.dil_w = k->dw, p.groups = k->groups, p.has_bias = k->bias;
    p.act.kind = k->act;
    return p;
}

static void check_case(clinfer_runtime *rt, const conv_case *k, uint32_t seed)
{
    conv2d_params p = params_of(k);
    int32_t oh = ref_window_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, p.dil_h);
    int32_t ow = ref_window_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, p.dil_w);
    size_t in_n = (size_t)p.n * p.c * p.h * p.w, w_n = (size_t)p.oc * (p.c / p.groups) * p.kh * p.kw;
    size_t out_n = (size_t)p.n * p.oc * oh * ow;
    float *in = test_alloc(in_n * 4), *w = test_alloc(w_n * 4), *b = test_alloc((size_t)p.oc * 4);
    float *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
    fill_uniform(in, in_n, -1, 1, &seed);
    fill_uniform(w, w_n, -1, 1, &seed);
    fill_uniform(b, (size_t)p.oc, -1, 1, &seed);
    clinfer_status st = conv2d_run_host(rt, &p, in, w, b, got);
    cr_assert_eq(st, CLINFER_OK, "%s: %s", k->name, clinfer_last_errmsg());
    ref_conv2d(&p, in, w, p.has_bias ? b : NULL, want);
    assert_close(got, want, out_n, 1e-5f, 1e-4f, k->name);
    free(in), free(w), free(b), free(got), free(want);
}

Test(conv2d, matches_reference_on_spread_of_shapes)
{
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(rt, &cases[i], 1234u + (uint32_t)i);
    clinfer_runtime_free(rt);
}

Test(conv2d, rejects_kernel_larger_than_padded_input)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 1, p.h = 4, p.w = 4, p.oc = 1, p.kh = 5, p.kw = 3;
    int32_t oh, ow;
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "larger than the padded input"), "message: %s",
              clinfer_last_errmsg());
    p.pad_top = p.pad_bottom = 1; /* 6 rows now fit the 5-row kernel */
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_OK);
    cr_assert_eq(oh, 2);
    cr_assert_eq(ow, 2);
    clinfer_runtime_free(rt);
}

Test(conv2d, rejects_groups_that_do_not_divide_channels)
{
    clinfer_runtime *rt = test_runtime();
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 6, p.h = 4, p.w = 4, p.oc = 4, p.kh = 1, p.kw = 1, p.groups = 3;
    int32_t oh, ow;
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "groups=3"), "message: %s", clinfer_last_errmsg());
    p.stride_h = 0;
    p.groups = 1;
    cr_assert_eq(conv2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_INVALID_ARGUMENT);
    clinfer_runtime_free(rt);
}
