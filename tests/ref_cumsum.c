/*
 * ref_cumsum.c — naive CumSum: for every element, a fresh sum in double
 * over the elements of its line that the definition includes (no running
 * sum, so nothing is shared with the kernel's walk).
 */
#include "ref_cumsum.h"

void ref_cumsum(const clinfer_shape *s, const float *x, int32_t axis, int exclusive, int reverse,
                float *out)
{
    const int32_t r = s->rank, ax = axis < 0 ? axis + r : axis;
    int64_t n = 1, stride = 1, idx[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < r; d++)
        n *= s->dims[d];
    for (int32_t d = ax + 1; d < r; d++)
        stride *= s->dims[d];
    for (int64_t e = 0; e < n; e++) {
        const int64_t k = idx[ax], len = s->dims[ax], first = e - k * stride;
        double sum = 0;
        for (int64_t j = 0; j < len; j++) {
            const int in = reverse ? (exclusive ? j > k : j >= k) : (exclusive ? j < k : j <= k);
            if (in)
                sum += x[first + j * stride];
        }
        out[e] = (float)sum;
        for (int32_t d = r - 1; d >= 0; d--) {
            if (++idx[d] < s->dims[d])
                break;
            idx[d] = 0;
        }
    }
}
