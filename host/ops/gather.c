/*
 * gather.c — Gather: validation, output shape and the launch of
 * kernels/gather.cl. The kernel sees data as [outer, dim, inner] and the
 * output as [outer, count, inner], so any axis and any rank of indices is
 * the same three numbers; a work-item copies a chunk of one row or a few
 * short rows. Also the check of how long an axis float indices can
 * address, which GatherElements shares.
 */
#include "gather.h"

#include <string.h>

#include "../shape.h"

/* Elements of an output row one work-item copies: long rows are shared
 * out among items. Short rows are grouped instead, GATHER_ITEM_ELEMS
 * elements' worth per item (at least one row). */
#define GATHER_CHUNK 2048
#define GATHER_ITEM_ELEMS 256

/* Work-items per work-group (the launch's local size along the rows). */
#define GATHER_LOCAL 8

/* The largest axis whose indices a float (half) holds exactly. */
#define GATHER_MAX_DIM_FLOAT (1 << 24)
#define GATHER_MAX_DIM_HALF 2048

clinfer_status gather_check_axis_size(clinfer_runtime *rt, const char *op, int32_t axis,
                                      int64_t dim)
{
    /* Indices are stored in the tensors' element type: an inexact one
     * would silently read the wrong element. */
    if (dim > GATHER_MAX_DIM_FLOAT || (rt && rt_is_half(rt) && dim > GATHER_MAX_DIM_HALF))
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: axis %d has %lld elements; indices up to %d are exact in %s", op,
                       (int)axis, (long long)dim,
                       dim > GATHER_MAX_DIM_FLOAT ? GATHER_MAX_DIM_FLOAT : GATHER_MAX_DIM_HALF,
                       dim > GATHER_MAX_DIM_FLOAT ? "float32" : "half storage (fp16 precision)");
    return CLINFER_OK;
}

/* Validates p and writes the output shape; *ax gets the axis in [0, rank). */
static clinfer_status gather_check(clinfer_runtime *rt, const gather_params *p, int32_t *ax,
                                   clinfer_shape *out)
{
    char b1[160], b2[160];
    const clinfer_shape *d = &p->data, *i = &p->indices;
    int64_t nd = shape_numel(d), ni = shape_numel(i);
    if (d->rank < 1 || d->rank > CLINFER_MAX_RANK || i->rank < 0 || nd < 1 || ni < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "Gather: data %s must be a non-empty tensor of rank 1 to %d and indices "
                       "%s non-empty",
                       shape_str(d, b1, sizeof b1), CLINFER_MAX_RANK, shape_str(i, b2, sizeof b2));
    if (!shape_axis(p->axis, d->rank, ax))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "Gather: axis %lld is out of range for rank %d (expected %d to %d)",
                       (long long)p->axis, (int)d->rank, -(int)d->rank, (int)d->rank - 1);
    if (d->rank - 1 + i->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "Gather: data %s and indices %s give a result of rank %d, at most %d",
                       shape_str(d, b1, sizeof b1), shape_str(i, b2, sizeof b2),
                       (int)(d->rank - 1 + i->rank), CLINFER_MAX_RANK);
    memset(out, 0, sizeof *out);
    for (int32_t k = 0; k < *ax; k++)
        out->dims[out->rank++] = d->dims[k];
    for (int32_t k = 0; k < i->rank; k++)
        out->dims[out->rank++] = i->dims[k];
    for (int32_t k = *ax + 1; k < d->rank; k++)
        out->dims[out->rank++] = d->dims[k];
    const int64_t no = shape_numel(out);
    if (nd > INT32_MAX || no < 1 || no > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "Gather: data %s or the result %s has more than 2^31-1 elements",
                       shape_str(d, b1, sizeof b1), shape_str(out, b2, sizeof b2));
    return gather_check_axis_size(rt, "Gather", *ax, d->dims[*ax]);
}

clinfer_status gather_output_shape(clinfer_runtime *rt, const gather_params *p,
                                   clinfer_shape *out)
{
    int32_t ax = 0;
    return gather_check(rt, p, &ax, out);
}

clinfer_status gather_prepare(clinfer_runtime *rt, const gather_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    int32_t ax = 0;
    clinfer_shape os;
    clinfer_status st = gather_check(rt, p, &ax, &os);
    if (st != CLINFER_OK)
        return st;
    int64_t inner = 1;
    for (int32_t k = ax + 1; k < p->data.rank; k++)
        inner *= p->data.dims[k];
    const int64_t rows = shape_numel(&os) / inner;
    const int64_t rpi = inner >= GATHER_ITEM_ELEMS ? 1 : GATHER_ITEM_ELEMS / inner;
    karg a;
    launch_begin(rt, out, "gather", NULL, "gather_rows", KARG_AFTER_TENSORS(3), &a);
    karg_int(&a, (int32_t)rows);
    karg_int(&a, (int32_t)inner);
    karg_int(&a, (int32_t)shape_numel(&p->indices));
    karg_int(&a, (int32_t)p->data.dims[ax]);
    karg_int(&a, (int32_t)rpi);
    karg_int(&a, GATHER_CHUNK);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)((rows + rpi - 1) / rpi),
                 (size_t)((inner + GATHER_CHUNK - 1) / GATHER_CHUNK), 1, GATHER_LOCAL);
    return CLINFER_OK;
}

clinfer_status gather_bind(clinfer_runtime *rt, op_launch *l, dev_tensor data, dev_tensor indices,
                           dev_tensor out)
{
    karg a = launch_args(l, 0);
    const dev_tensor t[3] = {data, indices, out};
    karg_tensors(&a, t, 3);
    return launch_finish(rt, l, &a);
}
