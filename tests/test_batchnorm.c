/*
 * test_batchnorm.c — BatchNormalization (inference) against the naive
 * reference on random data: ranks 2, 3, 4 and 5, channel counts below and
 * above the vector width, inner sizes that do and do not divide it, two
 * epsilons, in place; the fold coefficients; and the error paths (rank,
 * channel count mismatch, epsilon, training mode).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/batchnorm.h"
#include "op_test.h"
#include "ref_batchnorm.h"
#include "tensor.h"
#include "testutil.h"

static clinfer_shape shp(int32_t rank, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                         int64_t d4)
{
    const int64_t d[5] = {d0, d1, d2, d3, d4};
    return shape_make(rank, d);
}

static batchnorm_params params_for(clinfer_shape s, float eps)
{
    batchnorm_params p = batchnorm_params_default();
    p.shape = s;
    p.epsilon = eps;
    p.scale = p.bias = p.mean = p.var = shp(1, s.dims[1], 0, 0, 0, 0);
    return p;
}

typedef struct bn_data {
    size_t n, c;
    float *x, *scale, *b, *mean, *var;
} bn_data;

static bn_data make_data(const clinfer_shape *s, uint32_t seed)
{
    bn_data d;
    d.n = 1;
    for (int32_t i = 0; i < s->rank; i++)
        d.n *= (size_t)s->dims[i];
    d.c = (size_t)s->dims[1];
    d.x = test_alloc(d.n * 4);
    d.scale = test_alloc(d.c * 4), d.b = test_alloc(d.c * 4);
    d.mean = test_alloc(d.c * 4), d.var = test_alloc(d.c * 4);
    fill_uniform(d.x, d.n, -3, 3, &seed);
    fill_uniform(d.scale, d.c, -2, 2, &seed);
    fill_uniform(d.b, d.c, -1, 1, &seed);
    fill_uniform(d.mean, d.c, -1, 1, &seed);
    fill_uniform(d.var, d.c, 0.05f, 3, &seed);
    return d;
}

static void free_data(bn_data *d)
{
    free(d->x), free(d->scale), free(d->b), free(d->mean), free(d->var);
}

/* Folds the coefficients, uploads, runs, reads back into out. */
static clinfer_status run_batchnorm(clinfer_runtime *rt, const batchnorm_params *p,
                                    const bn_data *d, float *out, int in_place)
{
    float *mul = test_alloc(d->c * 4), *add = test_alloc(d->c * 4);
    batchnorm_fold_coefficients((int64_t)d->c, d->scale, d->b, d->mean, d->var, p->epsilon, mul,
                                add);
    cl_mem mx = NULL, mm = NULL, ma = NULL, my = NULL;
    cr_assert_eq(buffer_create(rt, d->n * 4, d->x, &mx), CLINFER_OK);
    cr_assert_eq(buffer_create(rt, d->c * 4, mul, &mm), CLINFER_OK);
    cr_assert_eq(buffer_create(rt, d->c * 4, add, &ma), CLINFER_OK);
    if (!in_place)
        cr_assert_eq(buffer_create(rt, d->n * 4, NULL, &my), CLINFER_OK);
    op_launch l = {0};
    clinfer_status st;
    if ((st = batchnorm_prepare(rt, p, &l)) == CLINFER_OK &&
        (st = batchnorm_bind(rt, &l, dev_whole(mx), dev_whole(mm), dev_whole(ma),
                             dev_whole(in_place ? mx : my))) == CLINFER_OK &&
        (st = launch_enqueue(rt, &l, NULL)) == CLINFER_OK)
        st = buffer_read(rt, in_place ? mx : my, d->n * 4, out);
    launch_release(&l);
    clReleaseMemObject(mx), clReleaseMemObject(mm), clReleaseMemObject(ma);
    if (my)
        clReleaseMemObject(my);
    free(mul), free(add);
    return st;
}

/* The statistics as graph constants; the compiled model folds them into
 * coefficients (passes/fold.c) before the kernel sees them. */
static clinfer_status add_batchnorm(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                    clinfer_value *out)
{
    return clinfer_graph_batchnorm(g, "bn", in[0], in[1], in[2], in[3], in[4],
                                   *(const float *)ctx, out);
}

static void check_graph(const bn_data *d, const clinfer_shape *s, float eps, const float *want,
                        const char *what)
{
    const clinfer_shape c = shp(1, s->dims[1], 0, 0, 0, 0);
    const op_input x[5] = {{*s, d->x, 0},       {c, d->scale, 1}, {c, d->b, 1},
                           {c, d->mean, 1},     {c, d->var, 1}};
    const op_test t = {what, x, 5, add_batchnorm, &eps, want, *s, 1e-5f, 1e-4f, {{0}}};
    test_op(&t);
}

Test(batchnorm, matches_reference_on_ranks_2_to_5)
{
    clinfer_runtime *rt = test_runtime();
    const clinfer_shape shapes[] = {
        shp(2, 5, 37, 0, 0, 0),    /* [N,C]: C > VW, coefficients loaded as vectors */
        shp(2, 9, 3, 0, 0, 0),     /* [N,C]: C < VW, gathered */
        shp(3, 3, 6, 29, 0, 0),    /* [N,C,L] */
        shp(3, 2, 4, 5, 0, 0),     /* [N,C,L] with L < VW */
        shp(4, 2, 5, 7, 9, 0),     /* [N,C,H,W] */
        shp(4, 2, 16, 33, 17, 0),  /* long channels */
        shp(4, 1, 1, 1, 1, 0),     /* one element */
        shp(5, 2, 3, 2, 3, 5),     /* rank 5 */
    };
    const float eps[] = {1e-5f, 1e-3f};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (size_t e = 0; e < 2; e++) {
            char what[128], sb[96];
            snprintf(what, sizeof what, "BN %s eps %g", shape_str(&shapes[i], sb, sizeof sb),
                     (double)eps[e]);
            batchnorm_params p = params_for(shapes[i], eps[e]);
            bn_data d = make_data(&shapes[i], 17u + (uint32_t)(i * 2 + e));
            float *got = test_alloc(d.n * 4), *want = test_alloc(d.n * 4);
            ref_batchnorm(&shapes[i], d.x, d.scale, d.b, d.mean, d.var, eps[e], want);
            if (i % 2) { /* in place: the op alone, a graph never does it */
                cr_assert_eq(run_batchnorm(rt, &p, &d, got, 1), CLINFER_OK, "%s: %s", what,
                             clinfer_last_errmsg());
                assert_close(got, want, d.n, 1e-5f, 1e-4f, what);
            } else {
                check_graph(&d, &shapes[i], eps[e], want, what);
            }
            free(got), free(want);
            free_data(&d);
        }
    clinfer_runtime_free(rt);
}

Test(batchnorm, fold_coefficients)
{
    enum { C = 23 };
    clinfer_shape s = shp(2, 4, C, 0, 0, 0);
    bn_data d = make_data(&s, 3);
    float mul[C], add[C];
    const float eps = 1e-3f;
    batchnorm_fold_coefficients(C, d.scale, d.b, d.mean, d.var, eps, mul, add);
    for (int c = 0; c < C; c++) {
        double m = d.scale[c] / sqrt((double)d.var[c] + eps), a = d.b[c] - d.mean[c] * m;
        cr_assert(fabs(mul[c] - m) <= 1e-6 * fabs(m), "mul[%d] = %.9g, expected %.9g", c,
                  mul[c], m);
        cr_assert(fabs(add[c] - a) <= 1e-6 * fabs(a) + 1e-7, "add[%d] = %.9g, expected %.9g",
                  c, add[c], a);
    }
    /* x * mul + add is BatchNormalization */
    float got[4 * C], want[4 * C];
    for (int i = 0; i < 4 * C; i++)
        got[i] = d.x[i] * mul[i % C] + add[i % C];
    ref_batchnorm(&s, d.x, d.scale, d.b, d.mean, d.var, eps, want);
    assert_close(got, want, 4 * C, 1e-5f, 1e-4f, "host x * mul + add");
    /* the identity: scale 1, bias 0, mean 0, var 1 - eps */
    float one = 1, zero = 0, v = 1 - 1e-5f, m1, a1;
    batchnorm_fold_coefficients(1, &one, &zero, &zero, &v, 1e-5f, &m1, &a1);
    cr_assert(fabsf(m1 - 1) < 1e-6f && a1 == 0, "identity: mul %g add %g", m1, a1);
    free_data(&d);
}

Test(batchnorm, rejects_bad_shapes_and_attributes)
{
    clinfer_runtime *rt = test_runtime();
    clinfer_shape out;
    batchnorm_params p = params_for(shp(4, 2, 8, 5, 5, 0), 1e-5f);
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_OK);
    cr_assert(shape_equal(&out, &p.shape));

    p.mean = shp(1, 7, 0, 0, 0, 0);
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(),
                     "BatchNormalization: input_mean has shape [7], expected [8] (the channel "
                     "count, dim 1 of X [2, 8, 5, 5])"),
              "message: %s", clinfer_last_errmsg());
    op_launch l = {0};
    cr_assert_eq(batchnorm_prepare(rt, &p, &l), CLINFER_ERR_SHAPE);
    cr_assert_null(l.kernel);
    p.mean = p.scale;
    p.var = shp(2, 1, 8, 0, 0, 0);
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "input_var has shape [1, 8]"), "message: %s",
              clinfer_last_errmsg());
    p.var = p.scale;
    p.bias = shp(0, 0, 0, 0, 0, 0);
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "B has shape []"), "message: %s",
              clinfer_last_errmsg());
    p.bias = p.scale;

    p.epsilon = -1e-5f;
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(clinfer_last_errmsg(), "epsilon"), "message: %s", clinfer_last_errmsg());
    p.epsilon = NAN;
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_INVALID_ARGUMENT);
    p.epsilon = 1e-5f;
    p.training_mode = 1;
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_UNSUPPORTED);
    cr_assert(strstr(clinfer_last_errmsg(), "training_mode=1"), "message: %s",
              clinfer_last_errmsg());
    p.training_mode = 0;

    p.shape = shp(1, 8, 0, 0, 0, 0);
    cr_assert_eq(batchnorm_output_shape(rt, &p, &out), CLINFER_ERR_SHAPE);
    cr_assert(strstr(clinfer_last_errmsg(), "X [8] has rank 1, expected rank >= 2"),
              "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
}
