/*
 * test_maxpool2d.c — the maxpool2d kernel against the naive reference on
 * random data (odd sizes, strides, padding, dilation, batch > 1), and the
 * parameter checks.
 */
#include <criterion/criterion.h>

#include "ops/eager.h"
#include "reference.h"
#include "testutil.h"

typedef struct pool_case {
    const char *name;
    int32_t n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
} pool_case;

static const pool_case cases[] = {
    {"2x2 s2", 1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
    {"2x2 s2 odd input", 2, 3, 7, 9, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
    {"3x3 s2 pad1", 3, 5, 13, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {"3x2 s1", 1, 4, 6, 10, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1},
    {"asym pad", 2, 2, 9, 8, 3, 3, 2, 3, 0, 2, 2, 0, 1, 1},
    {"dilation 2", 1, 3, 11, 12, 3, 2, 1, 2, 1, 0, 1, 1, 2, 2},
    {"global-like", 2, 7, 5, 6, 5, 6, 1, 1, 0, 0, 0, 0, 1, 1},
};

Test(maxpool2d, matches_reference_on_spread_of_shapes)
{
    clinfer_runtime *rt = test_runtime();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pool_case *k = &cases[i];
        pool2d_params p = pool2d_params_default();
        p.n = k->n, p.c = k->c, p.h = k->h, p.w = k->w, p.kh = k->kh, p.kw = k->kw;
        p.stride_h = k->sh, p.stride_w = k->sw, p.dil_h = k->dh, p.dil_w = k->dw;
        p.pad_top = k->pt, p.pad_left = k->pl, p.pad_bottom = k->pb, p.pad_right = k->pr;
        int32_t oh = ref_window_out(p.h, p.kh, p.stride_h, p.pad_top, p.pad_bottom, p.dil_h);
        int32_t ow = ref_window_out(p.w, p.kw, p.stride_w, p.pad_left, p.pad_right, p.dil_w);
        size_t in_n = (size_t)p.n * p.c * p.h * p.w, out_n = (size_t)p.n * p.c * oh * ow;
        float *in = test_alloc(in_n * 4), *got = test_alloc(out_n * 4), *want = test_alloc(out_n * 4);
        uint32_t seed = 99u + (uint32_t)i;
        fill_uniform(in, in_n, -5, 5, &seed);
        cr_assert_eq(maxpool2d_run_host(rt, &p, in, got), CLINFER_OK, "%s: %s", k->name,
                     clinfer_last_errmsg());
        ref_maxpool2d(&p, in, want);
        assert_equal(got, want, out_n, k->name);
        free(in), free(got), free(want);
    }
    clinfer_runtime_free(rt);
}

Test(maxpool2d, rejects_padding_not_smaller_than_window)
{
    clinfer_runtime *rt = test_runtime();
    pool2d_params p = pool2d_params_default();
    p.n = 1, p.c = 1, p.h = 5, p.w = 5, p.kh = 2, p.kw = 2, p.pad_left = 2;
    int32_t oh, ow;
    cr_assert_eq(maxpool2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "smaller than the window"), "message: %s",
              clinfer_last_errmsg());
    p.pad_left = 0;
    p.kh = 6;
    cr_assert_eq(maxpool2d_output_size(rt, &p, &oh, &ow), CLINFER_ERR_SHAPE);
    clinfer_runtime_free(rt);
}
