/*
 * ref_norm.c — naive normalisations (see ref_norm.h). Each op names, per
 * element, the group it is normalised with (key) and the scale/bias index
 * it uses; normalise() does the rest.
 */
#include "ref_norm.h"

#include <math.h>
#include <stdlib.h>

static size_t numel(const clinfer_shape *s)
{
    size_t n = 1;
    for (int32_t d = 0; d < s->rank; d++)
        n *= (size_t)s->dims[d];
    return n;
}

/* y[i] = (x[i] - mean[key[i]]) / den * scale[aff[i]] + bias[aff[i]] with
 * den = sqrt(var + eps), or sqrt(var) + eps when eps_on_std. */
static void normalise(size_t n, size_t groups, const size_t *key, const size_t *aff,
                      const float *x, const float *scale, const float *bias, double eps,
                      int eps_on_std, float *y)
{
    double *sum = calloc(groups, sizeof *sum), *sq = calloc(groups, sizeof *sq);
    size_t *cnt = calloc(groups, sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        sum[key[i]] += x[i], cnt[key[i]]++;
    for (size_t k = 0; k < groups; k++)
        sum[k] /= (double)cnt[k]; /* now the mean */
    for (size_t i = 0; i < n; i++)
        sq[key[i]] += (x[i] - sum[key[i]]) * (x[i] - sum[key[i]]);
    for (size_t i = 0; i < n; i++) {
        const double var = sq[key[i]] / (double)cnt[key[i]];
        const double den = eps_on_std ? sqrt(var) + eps : sqrt(var + eps);
        double v = (x[i] - sum[key[i]]) / den;
        if (scale)
            v *= scale[aff[i]];
        if (bias)
            v += bias[aff[i]];
        y[i] = (float)v;
    }
    free(sum), free(sq), free(cnt);
}

static size_t *index_array(size_t n)
{
    return calloc(n ? n : 1, sizeof(size_t));
}

void ref_instance_norm(const clinfer_shape *s, const float *x, const float *scale,
                       const float *bias, float eps, float *y)
{
    const size_t n = numel(s), C = (size_t)s->dims[1], S = n / ((size_t)s->dims[0] * C);
    size_t *key = index_array(n), *aff = index_array(n);
    for (size_t i = 0; i < n; i++)
        key[i] = i / S, aff[i] = (i / S) % C; /* (n, c) and c */
    normalise(n, n / S, key, aff, x, scale, bias, eps, 0, y);
    free(key), free(aff);
}

void ref_layer_norm(const clinfer_shape *s, int64_t axis, const float *x, const float *scale,
                    const float *bias, float eps, float *y)
{
    const int32_t ax = (int32_t)(axis < 0 ? axis + s->rank : axis);
    size_t n = numel(s), inner = 1;
    for (int32_t d = ax; d < s->rank; d++)
        inner *= (size_t)s->dims[d];
    size_t *key = index_array(n), *aff = index_array(n);
    for (size_t i = 0; i < n; i++)
        key[i] = i / inner, aff[i] = i % inner;
    normalise(n, n / inner, key, aff, x, scale, bias, eps, 0, y);
    free(key), free(aff);
}

void ref_group_norm(const clinfer_shape *s, int64_t groups, int per_channel, const float *x,
                    const float *scale, const float *bias, float eps, float *y)
{
    const size_t n = numel(s), N = (size_t)s->dims[0], C = (size_t)s->dims[1];
    const size_t S = n / (N * C), G = (size_t)groups, per = C / G;
    size_t *key = index_array(n), *aff = index_array(n);
    for (size_t i = 0; i < n; i++) {
        const size_t b = i / (C * S), c = (i / S) % C;
        key[i] = b * G + c / per;
        aff[i] = per_channel ? c : c / per;
    }
    normalise(n, N * G, key, aff, x, scale, bias, eps, 0, y);
    free(key), free(aff);
}

void ref_mvn(const clinfer_shape *s, uint32_t axes, const float *x, float *y)
{
    const size_t n = numel(s);
    size_t *key = index_array(n), groups = 1;
    for (int32_t d = 0; d < s->rank; d++)
        if (!(axes >> d & 1u))
            groups *= (size_t)s->dims[d];
    for (size_t i = 0; i < n; i++) {
        /* the coordinates of the kept dims, as one row-major number */
        size_t rest = i, k = 0, mul = 1;
        for (int32_t d = s->rank - 1; d >= 0; d--) {
            const size_t dim = (size_t)s->dims[d], coord = rest % dim;
            rest /= dim;
            if (!(axes >> d & 1u))
                k += coord * mul, mul *= dim;
        }
        key[i] = k;
    }
    normalise(n, groups, key, key, x, NULL, NULL, 1e-9, 1, y);
    free(key);
}

void ref_lrn(const clinfer_shape *s, int64_t size, float alpha, float beta, float bias,
             const float *x, float *y)
{
    const int64_t n = s->dims[0], c = s->dims[1];
    int64_t inner = 1;
    for (int32_t d = 2; d < s->rank; d++)
        inner *= s->dims[d];
    const int64_t before = (size - 1) / 2, after = size / 2; /* floor and ceil of (size-1)/2 */
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t i = 0; i < inner; i++) {
                double sum = 0;
                for (int64_t k = ch - before; k <= ch + after; k++)
                    if (k >= 0 && k < c) {
                        const double v = x[(b * c + k) * inner + i];
                        sum += v * v;
                    }
                const int64_t at = (b * c + ch) * inner + i;
                y[at] = (float)(x[at] / pow(bias + alpha / (double)size * sum, beta));
            }
}

void ref_lp_norm(const clinfer_shape *s, int64_t axis, int p, const float *x, float *y)
{
    const int32_t a = (int32_t)(axis < 0 ? axis + s->rank : axis);
    int64_t outer = 1, inner = 1;
    for (int32_t d = 0; d < a; d++)
        outer *= s->dims[d];
    for (int32_t d = a + 1; d < s->rank; d++)
        inner *= s->dims[d];
    const int64_t len = s->dims[a];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double norm = 0;
            for (int64_t k = 0; k < len; k++) {
                const double v = x[(o * len + k) * inner + i];
                norm += p == 1 ? fabs(v) : v * v;
            }
            if (p == 2)
                norm = sqrt(norm);
            for (int64_t k = 0; k < len; k++) /* a zero vector stays zero */
                y[(o * len + k) * inner + i] =
                    norm == 0 ? 0.0f : (float)(x[(o * len + k) * inner + i] / norm);
        }
}
