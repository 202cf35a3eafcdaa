/*
 * gather_elements.c — GatherElements: validation, output shape and the
 * launch of kernels/gather_elements.cl. The output (= indices) dims go to
 * the kernel innermost first with data's stride along each; the axis
 * keeps its slot, whose coordinate the kernel replaces by the index.
 * Arguments 0-5 are buffers, the rest scalars.
 */
#include "gather_elements.h"

#include <string.h>

#include "../shape.h"
#include "gather.h" /* gather_check_axis_size, gather_bind */

/* Validates p; *ax gets the axis in [0, rank). */
static clinfer_status gather_elements_check(clinfer_runtime *rt, const gather_elements_params *p,
                                            int32_t *ax)
{
    char b1[160], b2[160];
    const clinfer_shape *d = &p->data, *i = &p->indices;
    int64_t nd = shape_numel(d), ni = shape_numel(i);
    if (d->rank < 1 || d->rank > CLINFER_MAX_RANK || i->rank != d->rank || nd < 1 || ni < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "GatherElements: data %s and indices %s must be non-empty tensors of one "
                       "rank from 1 to %d",
                       shape_str(d, b1, sizeof b1), shape_str(i, b2, sizeof b2),
                       CLINFER_MAX_RANK);
    if (nd > INT32_MAX || ni > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "GatherElements: data %s or indices %s has more than 2^31-1 elements",
                       shape_str(d, b1, sizeof b1), shape_str(i, b2, sizeof b2));
    if (!shape_axis(p->axis, d->rank, ax))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "GatherElements: axis %lld is out of range for rank %d (expected %d to "
                       "%d)",
                       (long long)p->axis, (int)d->rank, -(int)d->rank, (int)d->rank - 1);
    for (int32_t k = 0; k < d->rank; k++)
        if (k != *ax && i->dims[k] > d->dims[k])
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "GatherElements: indices %s exceed data %s along dim %d (only the "
                           "axis, %d, may differ)",
                           shape_str(i, b1, sizeof b1), shape_str(d, b2, sizeof b2), (int)k,
                           (int)*ax);
    return gather_check_axis_size(rt, "GatherElements", *ax, d->dims[*ax]);
}

clinfer_status gather_elements_output_shape(clinfer_runtime *rt, const gather_elements_params *p,
                                            clinfer_shape *out)
{
    int32_t ax = 0;
    clinfer_status st = gather_elements_check(rt, p, &ax);
    if (st == CLINFER_OK)
        *out = p->indices;
    return st;
}

clinfer_status gather_elements_prepare(clinfer_runtime *rt, const gather_elements_params *p,
                                       op_launch *out)
{
    memset(out, 0, sizeof *out);
    int32_t ax = 0;
    clinfer_status st = gather_elements_check(rt, p, &ax);
    if (st != CLINFER_OK)
        return st;
    /* innermost first: output size od, data stride ds; unused slots 1, 0 */
    const int32_t rank = p->data.rank;
    int32_t od[CLINFER_MAX_RANK], ds[CLINFER_MAX_RANK];
    int64_t stride = 1;
    size_t n = 1;
    for (int32_t k = 0; k < CLINFER_MAX_RANK; k++) {
        const int32_t d = rank - 1 - k;
        od[k] = d >= 0 ? (int32_t)p->indices.dims[d] : 1;
        ds[k] = d >= 0 ? (int32_t)stride : 0;
        if (d >= 0)
            stride *= p->data.dims[d];
        n *= (size_t)od[k];
    }
    karg a;
    launch_begin(rt, out, "gather_elements", NULL, "gather_elements_nd", KARG_AFTER_TENSORS(3),
                 &a);
    karg_int(&a, rank);
    karg_int(&a, rank - 1 - ax);
    karg_int(&a, (int32_t)p->data.dims[ax]);
    karg_ints(&a, od, CLINFER_MAX_RANK);
    karg_ints(&a, ds, CLINFER_MAX_RANK);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)od[0], (size_t)od[1], n / ((size_t)od[0] * (size_t)od[1]), 8);
    return CLINFER_OK;
}

clinfer_status gather_elements_bind(clinfer_runtime *rt, op_launch *l, dev_tensor data,
                                    dev_tensor indices, dev_tensor out)
{
    return gather_bind(rt, l, data, indices, out); /* the same three buffers */
}
