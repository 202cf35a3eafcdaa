/*
 * concat.c — Concat: validation, output shape and one launch of
 * kernels/concat.cl per input. Input `index` is seen as `outer` blocks of
 * dims[axis] * inner contiguous elements; block o goes to the output at
 * o * out_block + offset, where offset counts the axis slices of the inputs
 * before it. A 2-D grid (element, block) needs no division per element.
 * Arguments 0-1 are buffers, the rest scalars.
 */
#include "concat.h"

#include <stdint.h>
#include <string.h>

#include "../shape.h"

clinfer_status concat_output_shape(clinfer_runtime *rt, const concat_params *p,
                                   clinfer_shape *out)
{
    char buf[160], buf0[160];
    if (p->count < 1 || !p->inputs)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "concat: needs at least one input, got %d",
                       (int)p->count);
    const clinfer_shape *first = &p->inputs[0];
    if (first->rank < 1 || first->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "concat: input 0 has rank %d, expected 1 to %d",
                       (int)first->rank, CLINFER_MAX_RANK);
    int32_t axis = 0;
    if (!shape_axis(p->axis, first->rank, &axis))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "concat: axis %lld is out of range for rank %d (expected %d to %d)",
                       (long long)p->axis, (int)first->rank, -(int)first->rank,
                       (int)first->rank - 1);
    clinfer_shape r = *first;
    r.dims[axis] = 0;
    for (int32_t i = 0; i < p->count; i++) {
        const clinfer_shape *s = &p->inputs[i];
        if (s->rank != first->rank)
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "concat: input %d has rank %d (shape %s), expected %d as input 0",
                           (int)i, (int)s->rank, shape_str(s, buf, sizeof buf), (int)first->rank);
        int64_t numel = shape_numel(s);
        if (numel < 0 || numel > INT32_MAX)
            return err_set(rt, numel < 0 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                           "concat: input %d shape %s is %s", (int)i, shape_str(s, buf, sizeof buf),
                           numel < 0 ? "invalid (a negative dim or too many elements)"
                                     : "larger than 2^31-1 elements");
        for (int32_t d = 0; d < s->rank; d++)
            if (d != axis && s->dims[d] != first->dims[d])
                return err_set(rt, CLINFER_ERR_SHAPE,
                               "concat: input %d dim %d is %lld, expected %lld as input 0 "
                               "(shapes %s and %s, axis %d)",
                               (int)i, (int)d, (long long)s->dims[d], (long long)first->dims[d],
                               shape_str(s, buf, sizeof buf), shape_str(first, buf0, sizeof buf0),
                               (int)axis);
        r.dims[axis] += s->dims[axis]; /* each < 2^31, count < 2^31: no overflow */
    }
    int64_t numel = shape_numel(&r);
    if (numel < 0 || numel > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "concat: output shape %s is larger than 2^31-1 elements",
                       shape_str(&r, buf, sizeof buf));
    *out = r;
    return CLINFER_OK;
}

clinfer_status concat_prepare(clinfer_runtime *rt, const concat_params *p, int32_t index,
                              op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = concat_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    if (index < 0 || index >= p->count)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "concat: input index %d is out of range (%d inputs)", (int)index,
                       (int)p->count);
    int32_t axis = 0;
    shape_axis(p->axis, os.rank, &axis);
    const clinfer_shape *in = &p->inputs[index];
    int64_t outer = 1, inner = 1, before = 0;
    for (int32_t d = 0; d < axis; d++)
        outer *= os.dims[d];
    for (int32_t d = axis + 1; d < os.rank; d++)
        inner *= os.dims[d];
    for (int32_t i = 0; i < index; i++)
        before += p->inputs[i].dims[axis];
    /* All of these are bounded by the output's element count (< 2^31). */
    int64_t block = in->dims[axis] * inner;
    int64_t out_block = os.dims[axis] * inner;

    karg a;
    launch_begin(rt, out, "concat", NULL, "concat_copy", KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, (int32_t)block);
    karg_int(&a, (int32_t)out_block);
    karg_int(&a, (int32_t)(before * inner));
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    /* x: the element in a block, y: the block. */
    if (outer * block > 0)
        launch_grid3(out, (size_t)block, (size_t)outer, 1, block >= 64 ? 64 : 8);
    else
        launch_grid1(out, 0);
    return CLINFER_OK;
}

