/*
 * plan.c — greedy-by-size arena planning (the approach of TensorFlow
 * Lite's and MNN's planners): take tensors from the largest down, and put
 * each at the lowest aligned offset where it overlaps no already placed
 * tensor that is live at the same time. Large tensors settle first, small
 * ones fill the gaps between them.
 */
#include "plan.h"

#include <stdlib.h>

static uint64_t round_up(uint64_t x, uint64_t align) { return (x + align - 1) / align * align; }

static int live_together(const plan_tensor *a, const plan_tensor *b)
{
    return a->first <= b->last && b->first <= a->last;
}

static int by_size_desc(const void *pa, const void *pb, void *ctx)
{
    const plan_tensor *t = ctx;
    uint64_t a = t[*(const int32_t *)pa].bytes, b = t[*(const int32_t *)pb].bytes;
    if (a != b)
        return a < b ? 1 : -1;
    return *(const int32_t *)pa - *(const int32_t *)pb;
}

/* Insertion sort with a context (qsort_r is not C11); counts are small. */
static void sort_indices(int32_t *idx, int32_t n, const plan_tensor *t)
{
    for (int32_t i = 1; i < n; i++) {
        int32_t v = idx[i], j = i;
        while (j > 0 && by_size_desc(&idx[j - 1], &v, (void *)t) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

/* Lowest aligned offset for t that clears every placed, overlapping tensor. */
static uint64_t lowest_free_offset(const plan_tensor *all, const int32_t *placed, int32_t n_placed,
                                   const plan_tensor *t, uint64_t align)
{
    uint64_t offset = 0;
    for (int moved = 1; moved;) {
        moved = 0;
        for (int32_t k = 0; k < n_placed; k++) {
            const plan_tensor *p = &all[placed[k]];
            if (!live_together(p, t))
                continue;
            if (offset < p->offset + p->bytes && p->offset < offset + t->bytes) {
                offset = round_up(p->offset + p->bytes, align);
                moved = 1;
            }
        }
    }
    return offset;
}

uint64_t plan_assign(plan_tensor *t, int32_t count, uint64_t align)
{
    if (count <= 0)
        return 0;
    if (align == 0)
        align = 1;
    int32_t *order = malloc((size_t)count * sizeof *order);
    if (!order)
        return UINT64_MAX;
    for (int32_t i = 0; i < count; i++)
        order[i] = i;
    sort_indices(order, count, t);
    uint64_t arena = 0;
    for (int32_t k = 0; k < count; k++) {
        plan_tensor *cur = &t[order[k]];
        cur->offset = lowest_free_offset(t, order, k, cur, align);
        if (cur->offset + cur->bytes > arena)
            arena = cur->offset + cur->bytes;
    }
    free(order);
    return round_up(arena, align);
}
