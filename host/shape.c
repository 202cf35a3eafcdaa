/*
 * shape.c — shape arithmetic shared by the ops and the graph.
 */
#include "shape.h"

#include <stdio.h>
#include <string.h>

clinfer_shape shape_make(int32_t rank, const int64_t *dims)
{
    clinfer_shape s;
    memset(&s, 0, sizeof s);
    s.rank = rank;
    for (int32_t i = 0; i < rank && dims; i++)
        s.dims[i] = dims[i];
    return s;
}

clinfer_shape shape_4d(int64_t n, int64_t c, int64_t h, int64_t w)
{
    const int64_t d[4] = {n, c, h, w};
    return shape_make(4, d);
}

int64_t shape_numel(const clinfer_shape *s)
{
    const int64_t limit = (int64_t)1 << 62;
    int64_t n = 1;
    if (s->rank < 0 || s->rank > CLINFER_MAX_RANK)
        return -1;
    for (int32_t i = 0; i < s->rank; i++) {
        if (s->dims[i] < 0)
            return -1;
        if (s->dims[i] != 0 && n > limit / s->dims[i])
            return -1;
        n *= s->dims[i];
    }
    return n;
}

int shape_equal(const clinfer_shape *a, const clinfer_shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int32_t i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

int shape_broadcast(const clinfer_shape *a, const clinfer_shape *b, clinfer_shape *out)
{
    int32_t rank = a->rank > b->rank ? a->rank : b->rank;
    clinfer_shape r = shape_make(rank, NULL);
    for (int32_t i = 0; i < rank; i++) {
        int32_t ia = i - (rank - a->rank), ib = i - (rank - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return 0;
        r.dims[i] = da == 1 ? db : da;
    }
    *out = r;
    return 1;
}

const char *shape_str(const clinfer_shape *s, char *buf, size_t cap)
{
    size_t used = 0;
    int w = snprintf(buf, cap, "[");
    used = w > 0 ? (size_t)w : 0;
    for (int32_t i = 0; i < s->rank && used < cap; i++) {
        w = snprintf(buf + used, cap - used, i ? ", %lld" : "%lld", (long long)s->dims[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
    return buf;
}

int shape_axis(int64_t axis, int32_t rank, int32_t *out)
{
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return 0;
    *out = (int32_t)axis;
    return 1;
}
