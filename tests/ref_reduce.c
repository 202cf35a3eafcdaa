/*
 * ref_reduce.c — naive reductions: one pass over the input with its full
 * multi-index, accumulating into per-output doubles.
 */
#include "ref_reduce.h"

#include <math.h>
#include <stdlib.h>

static void reduced_axes(const reduce_params *p, int *reduced)
{
    int32_t rank = p->input.rank;
    for (int32_t d = 0; d < rank; d++)
        reduced[d] = p->naxes == 0 && !p->noop_with_empty_axes;
    for (int32_t i = 0; i < p->naxes; i++)
        reduced[p->axes[i] < 0 ? p->axes[i] + rank : p->axes[i]] = 1;
}

clinfer_shape ref_reduce_shape(const reduce_params *p)
{
    int reduced[CLINFER_MAX_RANK];
    reduced_axes(p, reduced);
    clinfer_shape s;
    s.rank = 0;
    for (int32_t d = 0; d < p->input.rank; d++)
        if (!reduced[d] || p->keepdims)
            s.dims[s.rank++] = reduced[d] ? 1 : p->input.dims[d];
    for (int32_t d = s.rank; d < CLINFER_MAX_RANK; d++)
        s.dims[d] = 0;
    return s;
}

void ref_reduce(const reduce_params *p, const float *in, float *out)
{
    int reduced[CLINFER_MAX_RANK];
    reduced_axes(p, reduced);
    const clinfer_shape *s = &p->input;
    size_t n_in = 1, n_out = 1;
    for (int32_t d = 0; d < s->rank; d++) {
        n_in *= (size_t)s->dims[d];
        n_out *= reduced[d] ? 1 : (size_t)s->dims[d];
    }
    double *acc = calloc(n_out ? n_out : 1, sizeof *acc);
    size_t *count = calloc(n_out ? n_out : 1, sizeof *count);
    if (!acc || !count)
        abort();
    for (size_t o = 0; o < n_out; o++)
        acc[o] = p->kind == REDUCE_MAX ? -INFINITY : p->kind == REDUCE_MIN ? INFINITY
               : p->kind == REDUCE_PROD ? 1.0 : 0.0;
    int64_t idx[CLINFER_MAX_RANK] = {0};
    for (size_t i = 0; i < n_in; i++) {
        size_t o = 0; /* row-major index over the kept dims */
        for (int32_t d = 0; d < s->rank; d++)
            if (!reduced[d])
                o = o * (size_t)s->dims[d] + (size_t)idx[d];
        double x = in[i];
        switch (p->kind) {
        case REDUCE_SUM:
        case REDUCE_MEAN:
        case REDUCE_LOG_SUM:
            acc[o] += x;
            break;
        case REDUCE_PROD:
            acc[o] *= x;
            break;
        case REDUCE_SUM_SQUARE:
        case REDUCE_L2:
            acc[o] += x * x;
            break;
        case REDUCE_L1:
            acc[o] += fabs(x);
            break;
        case REDUCE_LOG_SUM_EXP: /* in double: no overflow for float inputs */
            acc[o] += exp(x);
            break;
        case REDUCE_KIND_COUNT:
            abort();
        case REDUCE_MAX:
            if (isnan(x) || x > acc[o])
                acc[o] = isnan(acc[o]) ? acc[o] : x;
            break;
        case REDUCE_MIN:
            if (isnan(x) || x < acc[o])
                acc[o] = isnan(acc[o]) ? acc[o] : x;
            break;
        }
        count[o]++;
        for (int32_t d = s->rank - 1; d >= 0; d--) { /* next multi-index */
            if (++idx[d] < s->dims[d])
                break;
            idx[d] = 0;
        }
    }
    for (size_t o = 0; o < n_out; o++) {
        double r = acc[o];
        if (p->kind == REDUCE_MEAN)
            r = count[o] ? r / (double)count[o] : NAN;
        else if (p->kind == REDUCE_L2)
            r = sqrt(r);
        else if (p->kind == REDUCE_LOG_SUM || p->kind == REDUCE_LOG_SUM_EXP)
            r = log(r);
        out[o] = (float)r;
    }
    free(acc);
    free(count);
}

/* ------------------------------------------------------ ArgMax, ArgMin */

clinfer_shape ref_arg_reduce_shape(const arg_reduce_params *p)
{
    int32_t ax = (int32_t)(p->axis < 0 ? p->axis + p->input.rank : p->axis);
    clinfer_shape s;
    s.rank = 0;
    for (int32_t d = 0; d < p->input.rank; d++)
        if (d != ax || p->keepdims)
            s.dims[s.rank++] = d == ax ? 1 : p->input.dims[d];
    for (int32_t d = s.rank; d < CLINFER_MAX_RANK; d++)
        s.dims[d] = 0;
    return s;
}

/* Whether v is at least as extreme as best (NaN the most extreme). */
static int ref_beats(float v, float best, int min)
{
    if (isnan(best))
        return 0;
    return isnan(v) || (min ? v < best : v > best);
}

void ref_arg_reduce(const arg_reduce_params *p, const float *in, float *out)
{
    const int32_t rank = p->input.rank;
    const int32_t ax = (int32_t)(p->axis < 0 ? p->axis + rank : p->axis);
    int64_t stride[CLINFER_MAX_RANK], acc = 1, idx[CLINFER_MAX_RANK] = {0};
    for (int32_t d = rank - 1; d >= 0; d--) {
        stride[d] = acc;
        acc *= p->input.dims[d];
    }
    const int64_t dim = p->input.dims[ax];
    int64_t n = acc / dim, o = 0;
    for (; o < n; o++) {
        /* idx: the output element's coordinates, the axis at 0 */
        int64_t base = 0;
        for (int32_t d = 0; d < rank; d++)
            base += idx[d] * stride[d];
        float best = in[base];
        for (int64_t k = 1; k < dim; k++)
            if (ref_beats(in[base + k * stride[ax]], best, p->min))
                best = in[base + k * stride[ax]];
        int64_t at = -1;
        for (int64_t k = 0; k < dim; k++) {
            float v = in[base + k * stride[ax]];
            if (v == best || (isnan(v) && isnan(best))) {
                at = k;
                if (!p->select_last_index)
                    break;
            }
        }
        out[o] = (float)at;
        for (int32_t d = rank - 1; d >= 0; d--) { /* the next output element */
            if (d == ax)
                continue;
            if (++idx[d] < p->input.dims[d])
                break;
            idx[d] = 0;
        }
    }
}
