/*
 * ref_gather_elements.c — naive GatherElements: a walk over the indices'
 * multi-index, each element's source found through data's strides.
 */
#include "ref_gather_elements.h"

#include <math.h>

void ref_gather_elements(const clinfer_shape *ds, const float *data, const clinfer_shape *is,
                         const float *indices, int32_t axis, float *out)
{
    const int32_t r = ds->rank, ax = axis < 0 ? axis + r : axis;
    int64_t n = 1, idx[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < r; d++)
        n *= is->dims[d];
    for (int64_t e = 0; e < n; e++) {
        int64_t i = (int64_t)indices[e];
        if (i < 0)
            i += ds->dims[ax];
        if (i < 0 || i >= ds->dims[ax]) {
            out[e] = NAN;
        } else {
            int64_t flat = 0;
            for (int32_t d = 0; d < r; d++)
                flat = flat * ds->dims[d] + (d == ax ? i : idx[d]);
            out[e] = data[flat];
        }
        for (int32_t d = r - 1; d >= 0; d--) {
            if (++idx[d] < is->dims[d])
                break;
            idx[d] = 0;
        }
    }
}
