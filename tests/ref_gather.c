/*
 * ref_gather.c — naive Gather: for every output element, its data
 * multi-index built coordinate by coordinate (the index replacing the
 * axis'), then data's flat position from its dims. Independent of the
 * kernel's [outer, dim, inner] view.
 */
#include "ref_gather.h"

#include <math.h>

void ref_gather(const clinfer_shape *ds, const float *data, const float *indices, int64_t ni,
                int32_t axis, float *out)
{
    const int32_t r = ds->rank, ax = axis < 0 ? axis + r : axis;
    /* the output's coordinates: data's before the axis, the index's
     * position k, data's after the axis */
    int64_t before[CLINFER_MAX_RANK] = {0}, after[CLINFER_MAX_RANK] = {0}, k = 0;
    int64_t n = ni;
    for (int32_t d = 0; d < r; d++)
        n *= d == ax ? 1 : ds->dims[d];
    for (int64_t e = 0; e < n; e++) {
        const float f = indices[k], dim = (float)ds->dims[ax];
        if (!(f >= -dim && f < dim)) { /* NaN too */
            out[e] = NAN;
        } else {
            int64_t i = (int64_t)floorf(f), flat = 0;
            if (i < 0)
                i += ds->dims[ax];
            for (int32_t d = 0; d < r; d++)
                flat = flat * ds->dims[d] + (d < ax ? before[d] : d == ax ? i : after[d]);
            out[e] = data[flat];
        }
        /* next output element: the innermost of data's trailing dims first */
        int32_t d = r - 1;
        for (; d > ax; d--) {
            if (++after[d] < ds->dims[d])
                break;
            after[d] = 0;
        }
        if (d > ax)
            continue;
        if (++k < ni)
            continue;
        k = 0;
        for (d = ax - 1; d >= 0; d--) {
            if (++before[d] < ds->dims[d])
                break;
            before[d] = 0;
        }
    }
}
