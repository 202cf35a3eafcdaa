/*
 * test_pad.c — Pad against the naive reference: positive, zero and
 * negative pads on every axis including the batch, mixed crop-and-pad,
 * ranks 1 to 8, the opset-18 axes, every mode (constant, reflect, edge,
 * wrap) with pads larger than the input; and the validation messages.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "op_test.h"
#include "ref_movement.h"
#include "shape.h"
#include "tensor.h"
#include "testutil.h"

/* Runs Pad on the device and compares it with the reference exactly. */
static clinfer_status add_pad(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                              clinfer_value *out)
{
    const pad_params *p = ctx;
    const int32_t rank = p->input.rank;
    int64_t full[2 * CLINFER_MAX_RANK] = {0}; /* a graph node holds the pads of every axis */
    for (int32_t i = 0; i < (p->naxes ? p->naxes : rank); i++) {
        int64_t axis = p->naxes ? p->axes[i] : i;
        axis += axis < 0 ? rank : 0;
        full[axis] = p->pads[i];
        full[rank + axis] = p->pads[(p->naxes ? p->naxes : rank) + i];
    }
    return graph_pad_ex(g, "pad", in[0], full, 2 * rank, p->value, (int)p->mode, out);
}

static void check_pad(clinfer_runtime *rt, const pad_params *p, uint32_t seed, const char *what)
{
    size_t in_n = ref_numel(&p->input);
    float *in = test_alloc(in_n * sizeof(float));
    fill_uniform(in, in_n, -1, 1, &seed);
    clinfer_shape os, want_shape = ref_pad_shape(p);
    cr_assert_eq(pad_output_shape(rt, p, &os), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    char b1[128], b2[128];
    cr_assert(shape_equal(&os, &want_shape), "%s: shape %s, expected %s", what,
              shape_str(&os, b1, sizeof b1), shape_str(&want_shape, b2, sizeof b2));
    size_t out_n = ref_numel(&os);
    float *want = test_alloc(out_n * sizeof(float)), *got = test_alloc(out_n * sizeof(float));
    ref_pad(p, in, want);
    for (size_t i = 0; i < out_n; i++) /* a marker the kernel must overwrite */
        got[i] = NAN;
    if (in_n > 0 && out_n > 0) { /* graphs hold no empty tensors: those, the op alone */
        const op_input x = {p->input, in, 0};
        const op_test t = {what, &x, 1, add_pad, p, want, os, 0, 0, {{0}}};
        test_op(&t);
        free(in), free(want), free(got);
        return;
    }
    cl_mem in_m = NULL, out_m = NULL;
    op_launch l;
    cr_assert_eq(pad_prepare(rt, p, &l), CLINFER_OK, "%s: %s", what, clinfer_last_errmsg());
    if (out_n > 0) {
        if (in_n > 0)
            cr_assert_eq(buffer_create(rt, in_n * sizeof(float), in, &in_m), CLINFER_OK);
        cr_assert_eq(buffer_create(rt, out_n * sizeof(float), got, &out_m), CLINFER_OK);
        cr_assert_eq(launch_bind_io(rt, &l, dev_whole(in_m), dev_whole(out_m)), CLINFER_OK);
        cr_assert_eq(launch_enqueue(rt, &l, NULL), CLINFER_OK, "%s: %s", what,
                     clinfer_last_errmsg());
        cr_assert_eq(buffer_read(rt, out_m, out_n * sizeof(float), got), CLINFER_OK);
        assert_equal(got, want, out_n, what);
        if (in_m)
            clReleaseMemObject(in_m);
        clReleaseMemObject(out_m);
    } else {
        cr_assert_eq(l.global[0], 0, "%s: empty output, yet a launch of %zu", what, l.global[0]);
    }
    launch_release(&l);
    free(in);
    free(want);
    free(got);
}

static pad_params make(int32_t rank, const int64_t *dims, const int64_t *pads, pad_mode mode)
{
    pad_params p = pad_params_default();
    p.input = shape_make(rank, dims);
    p.npads = 2 * rank;
    for (int32_t i = 0; i < 2 * rank; i++)
        p.pads[i] = pads[i];
    p.mode = mode;
    return p;
}

static const char *const mode_name[] = {"constant", "reflect", "edge", "wrap"};

/* 4-D cases, every pad as [n0, c0, h0, w0, n1, c1, h1, w1]. */
static const int64_t dims4[4] = {2, 3, 5, 4};
static const int64_t pads4[][8] = {
    {0, 0, 0, 0, 0, 0, 0, 0},     /* identity */
    {0, 0, 1, 1, 0, 0, 1, 1},     /* the usual H, W padding */
    {1, 2, 0, 3, 2, 0, 1, 0},     /* every axis, batch included, asymmetric */
    {0, 0, -1, -2, 0, 0, -2, -1}, /* crop H and W */
    {-1, 0, 0, 0, 0, -1, 0, 0},   /* crop the batch and a channel */
    {1, -1, 2, -3, -1, 2, -2, 3}, /* crop one side, pad the other */
    {0, 1, 0, 0, 0, 0, 0, 0},     /* only an outer axis */
};

Test(pad, constant_mode_on_every_axis)
{
    clinfer_runtime *rt = test_runtime();
    for (size_t k = 0; k < sizeof pads4 / sizeof pads4[0]; k++) {
        pad_params p = make(4, dims4, pads4[k], PAD_MODE_CONSTANT);
        p.value = k % 2 ? -2.5f : 0.0f;
        char what[64];
        snprintf(what, sizeof what, "constant case %zu", k);
        check_pad(rt, &p, 300u + (uint32_t)k, what);
    }
    clinfer_runtime_free(rt);
}

Test(pad, reflect_edge_wrap_on_every_axis)
{
    clinfer_runtime *rt = test_runtime();
    for (int m = PAD_MODE_REFLECT; m <= PAD_MODE_WRAP; m++)
        for (size_t k = 0; k < sizeof pads4 / sizeof pads4[0]; k++) {
            pad_params p = make(4, dims4, pads4[k], (pad_mode)m);
            char what[64];
            snprintf(what, sizeof what, "%s case %zu", mode_name[m], k);
            check_pad(rt, &p, 400u + (uint32_t)k, what);
        }
    clinfer_runtime_free(rt);
}

Test(pad, pads_larger_than_the_input)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[2] = {3, 4}, pads[4] = {7, 1, 5, 9};
    for (int m = 0; m <= PAD_MODE_WRAP; m++) {
        pad_params p = make(2, d, pads, (pad_mode)m);
        check_pad(rt, &p, 5u, mode_name[m]);
    }
    /* A single-element axis: reflection repeats it. */
    const int64_t d1[2] = {1, 3}, pads1[4] = {2, 1, 3, 0};
    for (int m = 0; m <= PAD_MODE_WRAP; m++) {
        pad_params p = make(2, d1, pads1, (pad_mode)m);
        check_pad(rt, &p, 6u, mode_name[m]);
    }
    clinfer_runtime_free(rt);
}

Test(pad, ranks_1_to_8)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t d[8] = {3, 2, 4, 3, 3, 2, 2, 3};
    const int64_t pads[16] = {1, 0, 1, -1, 2, 0, 1, 1, 0, 1, 0, 1, -1, 1, 0, 2};
    for (int32_t rank = 1; rank <= 8; rank++) {
        const int64_t *dims = d + (8 - rank); /* the innermost `rank` dims */
        int64_t pr[16];
        for (int32_t i = 0; i < rank; i++) {
            pr[i] = pads[(8 - rank) + i];
            pr[rank + i] = pads[8 + (8 - rank) + i];
            if (dims[i] == 1 && pr[i] < 0) /* keep the crops legal */
                pr[i] = 0;
        }
        for (int m = 0; m <= PAD_MODE_WRAP; m++) {
            pad_params p = make(rank, dims, pr, (pad_mode)m);
            char what[64];
            snprintf(what, sizeof what, "rank %d %s", (int)rank, mode_name[m]);
            check_pad(rt, &p, 700u + (uint32_t)rank, what);
        }
    }
    clinfer_runtime_free(rt);
}

Test(pad, axes_input_and_empty_tensors)
{
    clinfer_runtime *rt = test_runtime();
    pad_params p = pad_params_default();
    const int64_t d[4] = {2, 3, 5, 4};
    p.input = shape_make(4, d);
    p.naxes = 2;
    p.axes[0] = -1, p.axes[1] = 1;
    p.npads = 4;
    p.pads[0] = 2, p.pads[1] = -1, p.pads[2] = 0, p.pads[3] = 3; /* W: (2, 0), C: (-1, 3) */
    p.value = 7.0f;
    check_pad(rt, &p, 1u, "axes [-1, 1]");
    p.mode = PAD_MODE_REFLECT;
    check_pad(rt, &p, 2u, "axes [-1, 1] reflect");

    /* An empty input padded with constants. */
    const int64_t e[3] = {2, 0, 3}, pe[6] = {0, 1, 0, 0, 2, 0};
    pad_params q = make(3, e, pe, PAD_MODE_CONSTANT);
    q.value = 1.5f;
    check_pad(rt, &q, 3u, "empty input");
    /* Cropping an axis to nothing gives an empty output. */
    const int64_t pz[6] = {0, -1, 0, 0, -2, 0};
    pad_params z = make(3, dims4, pz, PAD_MODE_CONSTANT);
    check_pad(rt, &z, 4u, "cropped to nothing");
    /* A scalar has no pads: a copy. */
    pad_params s = pad_params_default();
    check_pad(rt, &s, 5u, "scalar");
    clinfer_runtime_free(rt);
}

static void expect_error(clinfer_runtime *rt, const pad_params *p, clinfer_status want,
                         const char *needle)
{
    clinfer_shape os;
    cr_assert_eq(pad_output_shape(rt, p, &os), want, "expected %s for '%s', got message: %s",
                 clinfer_status_str(want), needle, clinfer_last_errmsg());
    cr_assert(strstr(clinfer_last_errmsg(), needle), "message '%s' lacks '%s'",
              clinfer_last_errmsg(), needle);
    op_launch l;
    cr_assert_eq(pad_prepare(rt, p, &l), want);
    cr_assert_null(l.kernel);
}

Test(pad, rejects_bad_pads_axes_and_modes)
{
    clinfer_runtime *rt = test_runtime();
    const int64_t pads[8] = {0, 0, -3, 0, 0, 0, -3, 0};
    pad_params p = make(4, dims4, pads, PAD_MODE_CONSTANT);
    expect_error(rt, &p, CLINFER_ERR_SHAPE, "on axis 2 crop 6 elements from a dim of 5");
    p.pads[6] = 0;
    p.pads[2] = -6; /* crops more than the dim, though the end pad would refill it */
    p.pads[6] = 4;
    expect_error(rt, &p, CLINFER_ERR_SHAPE, "crop 6 elements from a dim of 5");

    p = make(4, dims4, pads, PAD_MODE_CONSTANT);
    p.npads = 6;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "pads has 6 values, expected 8");
    p.npads = 8;
    p.naxes = 1;
    p.axes[0] = 0;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "pads has 8 values, expected 2");
    p.naxes = 2;
    p.npads = 4;
    p.axes[1] = 4;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "axes[1] = 4 is out of range");
    p.axes[1] = -4;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "axes[1] = -4 repeats axis 0");

    /* Edge mode on an axis cropped to nothing and padded again. */
    const int64_t pe[8] = {0, 0, -5, 0, 0, 0, 0, 2};
    p = make(4, dims4, pe, PAD_MODE_EDGE);
    p.pads[6] = 2;
    expect_error(rt, &p, CLINFER_ERR_SHAPE, "edge mode cannot fill axis 2");
    p.mode = (pad_mode)9;
    expect_error(rt, &p, CLINFER_ERR_INVALID_ARGUMENT, "mode 9");

    pad_mode m;
    cr_assert(pad_mode_parse("reflect", &m) && m == PAD_MODE_REFLECT);
    cr_assert(!pad_mode_parse("symmetric", &m));
    clinfer_runtime_free(rt);
}
