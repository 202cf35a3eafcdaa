/*
 * batchnorm.c — BatchNormalization (inference): validation, coefficient
 * folding and the launch of kernels/batchnorm.cl. Arguments 0-3 are the
 * buffers, the sizes after them are set once in batchnorm_prepare.
 */
#include "batchnorm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eltwise.h"

/* Elements per work-item (the kernel's VW); passed as -DVW. */
#define BATCHNORM_VW 16

batchnorm_params batchnorm_params_default(void)
{
    batchnorm_params p;
    memset(&p, 0, sizeof p);
    p.epsilon = 1e-5f;
    return p;
}

void batchnorm_fold_coefficients(int64_t C, const float *scale, const float *bias,
                                 const float *mean, const float *var, float epsilon, float *mul,
                                 float *add)
{
    for (int64_t c = 0; c < C; c++) {
        double m = (double)scale[c] / sqrt((double)var[c] + (double)epsilon);
        mul[c] = (float)m;
        add[c] = (float)((double)bias[c] - (double)mean[c] * m);
    }
}

clinfer_status batchnorm_output_shape(clinfer_runtime *rt, const batchnorm_params *p,
                                      clinfer_shape *out)
{
    static const char op[] = "BatchNormalization";
    int64_t n;
    clinfer_status st = eltwise_check_shape(rt, op, "input X", &p->shape, &n);
    if (st != CLINFER_OK)
        return st;
    char sx[256], sp[256];
    if (p->shape.rank < 2)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "BatchNormalization: input X %s has rank %d, expected rank >= 2 "
                       "([N, C, ...])",
                       shape_str(&p->shape, sx, sizeof sx), (int)p->shape.rank);
    const int64_t c = p->shape.dims[1];
    const struct {
        const char *name;
        const clinfer_shape *s;
    } params[] = {{"scale", &p->scale}, {"B", &p->bias}, {"input_mean", &p->mean},
                  {"input_var", &p->var}};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        const clinfer_shape *s = params[i].s;
        if (s->rank != 1 || s->dims[0] != c)
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "BatchNormalization: %s has shape %s, expected [%lld] (the channel "
                           "count, dim 1 of X %s)",
                           params[i].name,
                           s->rank >= 0 && s->rank <= CLINFER_MAX_RANK
                               ? shape_str(s, sp, sizeof sp)
                               : "(bad rank)",
                           (long long)c, shape_str(&p->shape, sx, sizeof sx));
    }
    if (!isfinite(p->epsilon) || p->epsilon < 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "BatchNormalization: epsilon is %g, expected a finite value >= 0",
                       (double)p->epsilon);
    if (p->training_mode != 0)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "BatchNormalization: training_mode=%d is not supported (inference only)",
                       p->training_mode);
    *out = p->shape;
    return CLINFER_OK;
}

clinfer_status batchnorm_prepare(clinfer_runtime *rt, const batchnorm_params *p,
                                 op_launch *out)
{
    clinfer_shape s;
    clinfer_status st = batchnorm_output_shape(rt, p, &s);
    if (st != CLINFER_OK)
        return st;
    int64_t n = shape_numel(&s), inner = 1;
    for (int32_t d = 2; d < s.rank; d++)
        inner *= s.dims[d];
    opts o = opts_none();
    opts_add(&o, "-DVW=%d", BATCHNORM_VW);
    karg a;
    launch_begin(rt, out, "batchnorm", &o, "batchnorm", KARG_AFTER_TENSORS(4), &a);
    karg_long(&a, n);
    karg_long(&a, s.dims[1]);
    karg_long(&a, inner);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    eltwise_grid(out, n, BATCHNORM_VW);
    return CLINFER_OK;
}

clinfer_status batchnorm_bind(clinfer_runtime *rt, op_launch *l, dev_tensor input, dev_tensor mul,
                              dev_tensor add, dev_tensor output)
{
    const dev_tensor t[] = {input, mul, add, output};
    karg a = launch_args(l, 0);
    karg_tensors(&a, t, 4);
    return launch_finish(rt, l, &a);
}
