/*
 * expand.c — Expand and Tile: the output shape, and the output described
 * as at most 8 (size, input stride) slots, innermost first, for slice_nd.
 * A repeated dim reads with stride 0; neighbouring slots that continue each
 * other (stride * size of the inner one = stride of the outer) merge, so
 * the usual cases (a per-channel tensor broadcast over H x W, a whole-image
 * tile) reach the kernel with rank 2-3.
 */
#include "expand.h"

#include <stdint.h>
#include <string.h>

#include "../shape.h"
#include "slice.h"

/* The slots being built; fails when a ninth would be needed. */
typedef struct slots {
    int32_t k;
    int32_t od[CLINFER_MAX_RANK], ss[CLINFER_MAX_RANK];
} slots;

/* Appends an outer dim of `size` elements `stride` apart in the input. */
static int slots_push(slots *s, int64_t size, int64_t stride)
{
    if (size == 1)
        return 1;
    if (s->k > 0 && (int64_t)s->ss[s->k - 1] * s->od[s->k - 1] == stride) {
        s->od[s->k - 1] = (int32_t)(s->od[s->k - 1] * size);
        return 1;
    }
    if (s->k == CLINFER_MAX_RANK)
        return 0;
    s->od[s->k] = (int32_t)size;
    s->ss[s->k] = (int32_t)stride;
    s->k++;
    return 1;
}

/* Output element counts and input sizes must fit the kernel's 31 bits. */
static clinfer_status check_sizes(clinfer_runtime *rt, const char *op, const clinfer_shape *x,
                                  const clinfer_shape *out)
{
    char a[96], b[96];
    if (x->rank < 0 || x->rank > CLINFER_MAX_RANK || shape_numel(x) <= 0)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input shape %s is not a tensor of rank 0..%d",
                       op, shape_str(x, a, sizeof a), CLINFER_MAX_RANK);
    if (shape_numel(out) <= 0 || shape_numel(out) > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: the output %s of input %s has more than 2^31 - 1 elements", op,
                       shape_str(out, a, sizeof a), shape_str(x, b, sizeof b));
    return CLINFER_OK;
}

clinfer_status expand_output_shape(clinfer_runtime *rt, const expand_params *p,
                                   clinfer_shape *out)
{
    const clinfer_shape *x = &p->input, *s = &p->shape;
    char a[96], b[96];
    if (s->rank < 0 || s->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "Expand: the shape has rank %d (0..%d)",
                       (int)s->rank, CLINFER_MAX_RANK);
    memset(out, 0, sizeof *out);
    out->rank = x->rank > s->rank ? x->rank : s->rank;
    for (int32_t d = 0; d < out->rank; d++) {
        int32_t dx = d - (out->rank - x->rank), ds = d - (out->rank - s->rank);
        int64_t ex = dx >= 0 ? x->dims[dx] : 1, es = ds >= 0 ? s->dims[ds] : 1;
        if (es < 0 || (ex != es && ex != 1 && es != 1))
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "Expand: input %s does not broadcast to shape %s (dim %d: %lld vs %lld)",
                           shape_str(x, a, sizeof a), shape_str(s, b, sizeof b), (int)d,
                           (long long)ex, (long long)es);
        out->dims[d] = ex == 1 ? es : ex;
    }
    return check_sizes(rt, "Expand", x, out);
}

clinfer_status expand_prepare(clinfer_runtime *rt, const expand_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = expand_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = &p->input;
    slots s = {0};
    int64_t stride = 1;
    for (int32_t d = os.rank - 1; d >= 0; d--) {
        int32_t dx = d - (os.rank - x->rank);
        int64_t ex = dx >= 0 ? x->dims[dx] : 1;
        /* at most 8 output dims, so the slots always suffice */
        slots_push(&s, os.dims[d], ex == 1 ? 0 : stride);
        stride *= ex;
    }
    return slice_nd_prepare(rt, s.k, 0, s.od, s.ss, out);
}

clinfer_status tile_output_shape(clinfer_runtime *rt, const tile_params *p, clinfer_shape *out)
{
    *out = p->input;
    for (int32_t d = 0; d < p->input.rank; d++) {
        if (p->repeats[d] < 1 || p->repeats[d] > INT32_MAX)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "Tile: repeats[%d] is %lld; clinfer needs 1..2^31-1 (tensors are "
                           "never empty)",
                           (int)d, (long long)p->repeats[d]);
        if (p->input.dims[d] > INT32_MAX / p->repeats[d])
            return err_set(rt, CLINFER_ERR_UNSUPPORTED, "Tile: dim %d (%lld x %lld) is too large",
                           (int)d, (long long)p->input.dims[d], (long long)p->repeats[d]);
        out->dims[d] = p->input.dims[d] * p->repeats[d];
    }
    return check_sizes(rt, "Tile", &p->input, out);
}

/* Each tiled dim becomes two slots: the input's extent (its own stride),
 * then the repeats (stride 0). */
clinfer_status tile_prepare(clinfer_runtime *rt, const tile_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = tile_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = &p->input;
    slots s = {0};
    int64_t stride = 1;
    int fits = 1;
    for (int32_t d = x->rank - 1; d >= 0 && fits; d--) {
        fits = slots_push(&s, x->dims[d], stride) && slots_push(&s, p->repeats[d], 0);
        stride *= x->dims[d];
    }
    if (!fits) {
        char a[96];
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "Tile: input %s with these repeats needs more than %d strided dims",
                       shape_str(x, a, sizeof a), CLINFER_MAX_RANK);
    }
    return slice_nd_prepare(rt, s.k, 0, s.od, s.ss, out);
}
