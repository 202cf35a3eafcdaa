/*
 * ref_expand.c — Expand and Tile, one output element at a time: the output
 * index is split into coordinates and each mapped back to the input.
 */
#include "ref_expand.h"

#include <string.h>

#include "testutil.h"

clinfer_shape ref_expand_shape(const clinfer_shape *x, const clinfer_shape *shape)
{
    clinfer_shape o;
    memset(&o, 0, sizeof o);
    o.rank = x->rank > shape->rank ? x->rank : shape->rank;
    for (int32_t d = 0; d < o.rank; d++) {
        int32_t dx = d - (o.rank - x->rank), ds = d - (o.rank - shape->rank);
        int64_t a = dx >= 0 ? x->dims[dx] : 1, b = ds >= 0 ? shape->dims[ds] : 1;
        if (a != b && a != 1 && b != 1) {
            o.rank = -1;
            return o;
        }
        o.dims[d] = a > b ? a : b;
    }
    return o;
}

/* The input's flat index for output coordinate co (rank of the output),
 * each input coordinate taken from the aligned output one (Tile: modulo
 * the input extent; Expand: 0 along a broadcast dim). */
static size_t input_index(const clinfer_shape *x, const int64_t *co, int32_t orank,
                          int tile)
{
    size_t idx = 0;
    for (int32_t d = 0; d < x->rank; d++) {
        int64_t c = co[d + orank - x->rank];
        int64_t cx = tile ? c % x->dims[d] : (x->dims[d] == 1 ? 0 : c);
        idx = idx * (size_t)x->dims[d] + (size_t)cx;
    }
    return idx;
}

static void gather_all(const clinfer_shape *x, const float *in, const clinfer_shape *o, int tile,
                       float *out)
{
    size_t n = ref_numel(o);
    for (size_t i = 0; i < n; i++) {
        int64_t co[CLINFER_MAX_RANK];
        size_t rem = i;
        for (int32_t d = o->rank - 1; d >= 0; d--) {
            co[d] = (int64_t)(rem % (size_t)o->dims[d]);
            rem /= (size_t)o->dims[d];
        }
        out[i] = in[input_index(x, co, o->rank, tile)];
    }
}

void ref_expand(const clinfer_shape *x, const float *in, const clinfer_shape *shape, float *out)
{
    clinfer_shape o = ref_expand_shape(x, shape);
    gather_all(x, in, &o, 0, out);
}

clinfer_shape ref_tile_shape(const clinfer_shape *x, const int64_t *repeats)
{
    clinfer_shape o = *x;
    for (int32_t d = 0; d < x->rank; d++)
        o.dims[d] = x->dims[d] * repeats[d];
    return o;
}

void ref_tile(const clinfer_shape *x, const float *in, const int64_t *repeats, float *out)
{
    clinfer_shape o = ref_tile_shape(x, repeats);
    gather_all(x, in, &o, 1, out);
}
