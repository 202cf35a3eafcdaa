/*
 * ref_topk.c — the naive TopK of ref_topk.h: qsort of each line's
 * (value, index) pairs under ONNX Runtime's order.
 */
#include "ref_topk.h"

#include <math.h>
#include <stdlib.h>

typedef struct topk_pair {
    float v;
    int64_t i;
} topk_pair;

/* By value (ascending, or descending when largest), a NaN the largest,
 * then by (ascending) index. */
static int order(const topk_pair *a, const topk_pair *b, int largest)
{
    const int an = isnan(a->v), bn = isnan(b->v);
    if (an != bn)
        return largest ? bn - an : an - bn;
    if (!an && a->v != b->v)
        return (a->v < b->v) != largest ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int ascending(const void *a, const void *b) { return order(a, b, 0); }
static int descending(const void *a, const void *b) { return order(a, b, 1); }

void ref_topk(const clinfer_shape *s, const float *x, int32_t axis, int64_t k, int largest,
              float *values, float *indices)
{
    const int32_t ax = axis < 0 ? axis + s->rank : axis;
    int64_t outer = 1, inner = 1;
    for (int32_t d = 0; d < s->rank; d++)
        if (d < ax)
            outer *= s->dims[d];
        else if (d > ax)
            inner *= s->dims[d];
    const int64_t len = s->dims[ax];
    topk_pair *line = malloc((size_t)len * sizeof *line);
    if (!line)
        abort();
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            for (int64_t j = 0; j < len; j++)
                line[j] = (topk_pair){x[(o * len + j) * inner + i], j};
            qsort(line, (size_t)len, sizeof *line, largest ? descending : ascending);
            for (int64_t j = 0; j < k; j++) {
                values[(o * k + j) * inner + i] = line[j].v;
                indices[(o * k + j) * inner + i] = (float)line[j].i;
            }
        }
    free(line);
}
