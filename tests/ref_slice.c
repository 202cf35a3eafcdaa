/*
 * ref_slice.c — Slice reference: the list of kept input indices of every
 * dim, then one loop over every output element with its multi-index.
 */
#include "ref_slice.h"

#include <stdlib.h>

#include "testutil.h"

/* Fills idx (capacity dim) with the kept indices of one dim; returns the count. */
static int64_t kept(int64_t dim, const slice_params *p, int32_t d, int64_t *idx)
{
    int64_t start = 0, end = dim, step = 1;
    for (int32_t i = 0; i < p->naxes; i++) {
        int64_t ax = p->axes[i] < 0 ? p->axes[i] + p->input.rank : p->axes[i];
        if (ax != d)
            continue;
        start = p->starts[i], end = p->ends[i], step = p->steps[i];
        if (start < 0)
            start = start < -dim ? 0 : start + dim;
        if (end < 0)
            end = end < -dim ? -1 : end + dim;
        if (step > 0) {
            start = start < 0 ? 0 : start > dim ? dim : start;
            end = end < 0 ? 0 : end > dim ? dim : end;
        } else {
            start = start < 0 ? 0 : start > dim - 1 ? dim - 1 : start;
            end = end < -1 ? -1 : end > dim - 1 ? dim - 1 : end;
        }
    }
    int64_t n = 0;
    for (int64_t k = start; step > 0 ? k < end : k > end; k += step)
        idx[n++] = k;
    return n;
}

clinfer_shape ref_slice_shape(const slice_params *p)
{
    clinfer_shape s = p->input;
    for (int32_t d = 0; d < s.rank; d++) {
        int64_t *idx = malloc((size_t)p->input.dims[d] * sizeof *idx + 8);
        s.dims[d] = kept(p->input.dims[d], p, d, idx);
        free(idx);
    }
    return s;
}

void ref_slice(const slice_params *p, const float *in, float *out)
{
    int32_t rank = p->input.rank;
    int64_t *idx[CLINFER_MAX_RANK], count[CLINFER_MAX_RANK], stride[CLINFER_MAX_RANK];
    int64_t s = 1, total = 1;
    for (int32_t d = rank - 1; d >= 0; d--) {
        idx[d] = malloc((size_t)p->input.dims[d] * sizeof **idx + 8);
        count[d] = kept(p->input.dims[d], p, d, idx[d]);
        stride[d] = s;
        s *= p->input.dims[d];
        total *= count[d];
    }
    for (int64_t o = 0; o < total; o++) {
        int64_t rem = o, src = 0;
        for (int32_t d = rank - 1; d >= 0; d--) {
            src += idx[d][rem % count[d]] * stride[d];
            rem /= count[d];
        }
        out[o] = in[src];
    }
    for (int32_t d = 0; d < rank; d++)
        free(idx[d]);
}
