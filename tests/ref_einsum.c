/*
 * ref_einsum.c — naive Einsum by the definition: one loop over every
 * combination of the letters' values.
 */
#include "ref_einsum.h"

#include <stdlib.h>
#include <string.h>

void ref_einsum(int n, const char *const *terms, const clinfer_shape *shapes,
                const float *const *x, const char *out, float *y)
{
    char letters[64] = "";
    int64_t size[128] = {0};
    size_t nl = 0;
    for (int k = 0; k < n; k++)
        for (int32_t d = 0; terms[k][d]; d++) {
            unsigned char l = (unsigned char)terms[k][d];
            if (!strchr(letters, l))
                letters[nl++] = (char)l;
            if (shapes[k].dims[d] > size[l])
                size[l] = shapes[k].dims[d];
        }
    int64_t ny = 1, combos = 1, value[128] = {0};
    for (const char *p = out; *p; p++)
        ny *= size[(unsigned char)*p];
    for (size_t i = 0; i < nl; i++)
        combos *= size[(unsigned char)letters[i]];
    double *acc = calloc((size_t)ny, sizeof *acc);
    for (int64_t c = 0; c < combos; c++) {
        int64_t rem = c; /* the letters' values, the last letter fastest */
        for (size_t i = nl; i-- > 0;) {
            unsigned char l = (unsigned char)letters[i];
            value[l] = rem % size[l];
            rem /= size[l];
        }
        double prod = 1;
        for (int k = 0; k < n; k++) {
            int64_t flat = 0;
            for (int32_t d = 0; terms[k][d]; d++)
                flat = flat * shapes[k].dims[d] +
                       (shapes[k].dims[d] == 1 ? 0 : value[(unsigned char)terms[k][d]]);
            prod *= x[k][flat];
        }
        int64_t o = 0;
        for (const char *p = out; *p; p++)
            o = o * size[(unsigned char)*p] + value[(unsigned char)*p];
        acc[o] += prod;
    }
    for (int64_t i = 0; i < ny; i++)
        y[i] = (float)acc[i];
    free(acc);
}
