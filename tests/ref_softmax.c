/*
 * ref_softmax.c — naive Softmax / LogSoftmax (see ref_softmax.h).
 */
#include "ref_softmax.h"

#include <math.h>

void ref_softmax(const clinfer_shape *s, int64_t axis, int legacy, int log_, const float *in,
                 float *out)
{
    int32_t r = s->rank, ax = (int32_t)(axis < 0 ? axis + r : axis);
    /* the elements normalised together: index = (o * len + k) * inner + i */
    size_t outer = 1, len = 1, inner = 1;
    for (int32_t d = 0; d < r; d++) {
        size_t e = (size_t)s->dims[d];
        if (d < ax)
            outer *= e;
        else if (d == ax || legacy)
            len *= e;
        else
            inner *= e;
    }
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            double m = -INFINITY, sum = 0;
            for (size_t k = 0; k < len; k++) { /* NaN wins, as in PyTorch */
                const double x = in[(o * len + k) * inner + i];
                if (x > m || isnan(x))
                    m = isnan(m) ? m : x;
            }
            for (size_t k = 0; k < len; k++)
                sum += exp(in[(o * len + k) * inner + i] - m);
            for (size_t k = 0; k < len; k++) {
                double x = in[(o * len + k) * inner + i];
                out[(o * len + k) * inner + i] =
                    (float)(log_ ? x - m - log(sum) : exp(x - m) / sum);
            }
        }
}
