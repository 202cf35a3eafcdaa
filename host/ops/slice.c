/*
 * slice.c — Slice: validation, the clamped start and step of every dim, and
 * the launch of kernels/slice.cl. Dims that are kept whole and adjacent to
 * each other merge, so a slice along one axis reaches the kernel with rank
 * 2 or 3. Arguments 0-1 are buffers, the rest scalars.
 */
#include "slice.h"

#include <stdint.h>
#include <string.h>

#include "../shape.h"

slice_params slice_params_default(void)
{
    slice_params p;
    memset(&p, 0, sizeof p);
    return p;
}

int64_t slice_clamp_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t *first)
{
    if (start < 0)
        start = start < -dim ? 0 : start + dim; /* INT64_MIN stays safe */
    if (end < 0)
        end = end < -dim ? (step > 0 ? 0 : -1) : end + dim;
    if (step > 0) {
        start = start > dim ? dim : start;
        end = end > dim ? dim : end;
        *first = start;
        return end > start ? (end - start - 1) / step + 1 : 0;
    }
    start = start > dim - 1 ? dim - 1 : start;
    end = end > dim - 1 ? dim - 1 : end;
    *first = start;
    /* step < 0: count of start, start + step, ... > end (step >= -INT64_MAX) */
    return start > end ? (start - end - 1) / (-step) + 1 : 0;
}

clinfer_status slice_geometry(clinfer_runtime *rt, const slice_params *p, clinfer_shape *out,
                              int64_t *first, int64_t *step)
{
    char buf[160];
    const clinfer_shape *x = &p->input;
    int64_t numel = shape_numel(x);
    if (x->rank < 1 || x->rank > CLINFER_MAX_RANK || numel < 1 || numel > INT32_MAX)
        return err_set(rt, numel > INT32_MAX ? CLINFER_ERR_UNSUPPORTED : CLINFER_ERR_SHAPE,
                       "slice: input shape %s, expected rank 1 to %d and 1 to 2^31-1 elements",
                       shape_str(x, buf, sizeof buf), CLINFER_MAX_RANK);
    if (p->naxes < 0 || p->naxes > x->rank)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "slice: %d axes for an input of rank %d", (int)p->naxes, (int)x->rank);
    int64_t f[CLINFER_MAX_RANK], s[CLINFER_MAX_RANK];
    clinfer_shape r = *x;
    int seen[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < x->rank; d++)
        f[d] = 0, s[d] = 1;
    for (int32_t i = 0; i < p->naxes; i++) {
        int32_t d = 0;
        if (!shape_axis(p->axes[i], x->rank, &d))
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "slice: axes[%d] = %lld is out of range for rank %d", (int)i,
                           (long long)p->axes[i], (int)x->rank);
        if (seen[d]++)
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "slice: axes[%d] = %lld repeats an earlier axis", (int)i,
                           (long long)p->axes[i]);
        if (p->steps[i] == 0 || p->steps[i] == INT64_MIN)
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "slice: steps[%d] = %lld", (int)i,
                           (long long)p->steps[i]);
        s[d] = p->steps[i];
        r.dims[d] = slice_clamp_axis(x->dims[d], p->starts[i], p->ends[i], s[d], &f[d]);
        if (r.dims[d] == 0)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "slice: axis %d of %s (starts %lld, ends %lld, step %lld) selects no "
                           "element; empty tensors are not supported",
                           (int)d, shape_str(x, buf, sizeof buf), (long long)p->starts[i],
                           (long long)p->ends[i], (long long)p->steps[i]);
    }
    if (out)
        *out = r;
    for (int32_t d = 0; d < x->rank; d++) {
        if (first)
            first[d] = f[d];
        if (step)
            step[d] = s[d];
    }
    return CLINFER_OK;
}

clinfer_status slice_output_shape(clinfer_runtime *rt, const slice_params *p, clinfer_shape *out)
{
    return slice_geometry(rt, p, out, NULL, NULL);
}

clinfer_status slice_prepare(clinfer_runtime *rt, const slice_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    int64_t first[CLINFER_MAX_RANK], step[CLINFER_MAX_RANK];
    clinfer_status st = slice_geometry(rt, p, &os, first, step);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = &p->input;
    /* Innermost first: output size od, input stride ss (step * stride).
     * A dim kept whole (first 0, step 1, full size) merges with the dim
     * inside it when that one is also whole or is the innermost slot. */
    int32_t od[CLINFER_MAX_RANK], ss[CLINFER_MAX_RANK], k = 0;
    int64_t stride = 1, base = 0;
    for (int32_t d = x->rank - 1; d >= 0; d--) {
        base += first[d] * stride;
        int whole = first[d] == 0 && step[d] == 1 && os.dims[d] == x->dims[d];
        if (k > 0 && whole && (int64_t)ss[k - 1] * od[k - 1] == stride) {
            od[k - 1] = (int32_t)(od[k - 1] * os.dims[d]);
        } else {
            od[k] = (int32_t)os.dims[d];
            ss[k] = (int32_t)(step[d] * stride); /* |step| * stride < 2 * numel */
            k++;
        }
        stride *= x->dims[d];
    }
    return slice_nd_prepare(rt, k, base, od, ss, out);
}

clinfer_status slice_nd_prepare(clinfer_runtime *rt, int32_t k, int64_t base, int32_t *od,
                                int32_t *ss, op_launch *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 1;
    for (int32_t d = 0; d < CLINFER_MAX_RANK; d++) {
        if (d >= k)
            od[d] = 1, ss[d] = 0;
        n *= (size_t)od[d];
    }
    karg a;
    launch_begin(rt, out, "slice", NULL, "slice_nd", KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, k);
    karg_long(&a, base);
    karg_ints(&a, od, CLINFER_MAX_RANK);
    karg_ints(&a, ss, CLINFER_MAX_RANK);
    clinfer_status st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)od[0], (size_t)od[1], n / ((size_t)od[0] * (size_t)od[1]), 8);
    return CLINFER_OK;
}

