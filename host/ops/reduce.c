/*
 * reduce.c — ReduceSum/Mean/Max/Min/Prod/SumSquare/L1/L2/LogSum/LogSumExp
 * and ArgMax/ArgMin: validation, output shape and the launches of
 * kernels/reduce.cl.
 *
 * The input dims are split into kept and reduced ones; size-1 dims are
 * dropped and neighbours of the same kind merged (the input is contiguous),
 * so at most 4 kept and 4 reduced dims remain (they alternate), each with
 * its input stride. Reducing H and W of NCHW becomes one kept dim of N*C
 * and one contiguous reduced dim of H*W. Arguments 0-1 are buffers, the
 * rest scalars.
 */
#include "reduce.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../shape.h"

#define REDUCE_MAX_GROUPS 4 /* kept or reduced dims after merging */

/* The node passes the public op as the kind (nodes/reduce.c), and the ONNX
 * importer the kind as the public op (onnx/ops_shape.c). */
_Static_assert((int)REDUCE_KIND_COUNT == (int)CLINFER_REDUCE_LOG_SUM_EXP + 1 &&
                   (int)REDUCE_PROD == (int)CLINFER_REDUCE_PROD &&
                   (int)REDUCE_L2 == (int)CLINFER_REDUCE_L2,
               "reduce_kind and clinfer_reduce_op must have the same values");

static const char *const op_names[REDUCE_KIND_COUNT] = {
    "ReduceSum",       "ReduceMean", "ReduceMax", "ReduceMin",    "ReduceProd",
    "ReduceSumSquare", "ReduceL1",   "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp"};

reduce_params reduce_params_default(void)
{
    reduce_params p;
    memset(&p, 0, sizeof p);
    p.kind = REDUCE_SUM;
    p.keepdims = 1;
    return p;
}

int reduce_kind_parse(const char *op_type, reduce_kind *out)
{
    for (int k = 0; k < REDUCE_KIND_COUNT; k++)
        if (op_type && strcmp(op_type, op_names[k]) == 0) {
            *out = (reduce_kind)k;
            return 1;
        }
    return 0;
}

/* Validates p; sets reduced[d] for every input dim and the output shape. */
static clinfer_status reduce_check(clinfer_runtime *rt, const reduce_params *p, int *reduced,
                                   clinfer_shape *out)
{
    char buf[160];
    const clinfer_shape *in = &p->input;
    if (in->rank < 0 || in->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "reduce: input rank %d, expected 0 to %d",
                       (int)in->rank, CLINFER_MAX_RANK);
    if ((int)p->kind < 0 || (int)p->kind >= REDUCE_KIND_COUNT)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "reduce: kind %d, expected 0 (sum) to %d (log-sum-exp)", (int)p->kind,
                       REDUCE_KIND_COUNT - 1);
    const char *op = op_names[p->kind];
    int64_t numel = shape_numel(in);
    if (numel < 0 || numel > INT32_MAX)
        return err_set(rt, numel < 0 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                       "%s: input shape %s is %s", op, shape_str(in, buf, sizeof buf),
                       numel < 0 ? "invalid" : "larger than 2^31-1 elements");
    if (p->naxes < 0 || p->naxes > in->rank)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: %d axes given for rank %d, expected 0 to %d", op, (int)p->naxes,
                       (int)in->rank, (int)in->rank);
    for (int32_t d = 0; d < in->rank; d++)
        reduced[d] = p->naxes == 0 && !p->noop_with_empty_axes;
    for (int32_t i = 0; i < p->naxes; i++) {
        int32_t a = 0;
        if (!shape_axis(p->axes[i], in->rank, &a))
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "%s: axes[%d] = %lld is out of range for rank %d (expected %d to %d)",
                           op, (int)i, (long long)p->axes[i], (int)in->rank, -(int)in->rank,
                           (int)in->rank - 1);
        if (reduced[a])
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: axes[%d] = %lld repeats axis %d",
                           op, (int)i, (long long)p->axes[i], (int)a);
        reduced[a] = 1;
    }
    clinfer_shape s = shape_make(0, NULL);
    for (int32_t d = 0; d < in->rank; d++) {
        if (!reduced[d])
            s.dims[s.rank++] = in->dims[d];
        else if (p->keepdims)
            s.dims[s.rank++] = 1;
    }
    *out = s;
    return CLINFER_OK;
}

clinfer_status reduce_output_shape(clinfer_runtime *rt, const reduce_params *p,
                                   clinfer_shape *out)
{
    int reduced[CLINFER_MAX_RANK];
    return reduce_check(rt, p, reduced, out);
}

/* Kept or reduced dims after merging, outermost first. */
typedef struct dim_group {
    int32_t count;
    int32_t size[REDUCE_MAX_GROUPS];
    int32_t stride[REDUCE_MAX_GROUPS];
} dim_group;

clinfer_status reduce_prepare(clinfer_runtime *rt, const reduce_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    int reduced[CLINFER_MAX_RANK];
    clinfer_shape os;
    clinfer_status st = reduce_check(rt, p, reduced, &os);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *in = &p->input;
    int64_t n = shape_numel(&os);

    int64_t stride[CLINFER_MAX_RANK] = {0}, acc = 1;
    for (int32_t d = in->rank - 1; d >= 0; d--) {
        stride[d] = acc;
        acc *= in->dims[d];
    }
    dim_group g[2] = {{0, {0}, {0}}, {0, {0}, {0}}}; /* g[0] kept, g[1] reduced */
    int last = -1;                                    /* kind of the previous dim kept */
    int64_t count = 1;
    for (int32_t d = 0; d < in->rank; d++) {
        if (reduced[d])
            count *= in->dims[d];
        if (in->dims[d] == 1)
            continue;
        const int kind = reduced[d] != 0;
        dim_group *k = &g[kind];
        const int32_t j = k->count - 1; /* the group the previous dim of this kind went to */
        /* j >= 0 always holds when last matches: said for GCC's
         * -Wmaybe-uninitialized at -O2. */
        if (last == kind && j >= 0) { /* merge into the previous group of this kind */
            k->size[j] *= (int32_t)in->dims[d];
            k->stride[j] = (int32_t)stride[d];
        } else {
            k->size[k->count] = (int32_t)in->dims[d];
            k->stride[k->count] = (int32_t)stride[d];
            k->count++;
        }
        last = kind;
    }
    if (g[1].count == 0) { /* nothing reduced: one pass over a single element */
        g[1].size[0] = 1;
        g[1].stride[0] = 0;
        g[1].count = 1;
    }

    opts o = opts_none();
    opts_add(&o, "-DREDUCE_OP=%d", (int)p->kind);
    karg a;
    launch_begin(rt, out, "reduce", &o, "reduce_nd", KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, (int32_t)n);
    karg_int(&a, g[0].count);
    karg_int(&a, g[1].count);
    karg_float(&a, (float)count);
    for (int k = 0; k < 2; k++) { /* sizes, then strides; innermost first */
        for (int32_t d = 0; d < REDUCE_MAX_GROUPS; d++)
            karg_int(&a, d < g[k].count ? g[k].size[g[k].count - 1 - d] : 1);
        for (int32_t d = 0; d < REDUCE_MAX_GROUPS; d++)
            karg_int(&a, d < g[k].count ? g[k].stride[g[k].count - 1 - d] : 0);
    }
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid1(out, (size_t)n);
    return CLINFER_OK;
}

/* ------------------------------------------------------ ArgMax, ArgMin */

/* The largest index a float keeps exact: 2^24; half storage: 2048. */
#define ARG_MAX_INDEX_FLOAT (1 << 24)
#define ARG_MAX_INDEX_HALF 2048

/* Validates p; *ax gets the axis in [0, rank). */
static clinfer_status arg_reduce_check(clinfer_runtime *rt, const arg_reduce_params *p,
                                       int32_t *ax)
{
    char buf[160];
    const char *op = p->min ? "ArgMin" : "ArgMax";
    const clinfer_shape *in = &p->input;
    if (in->rank < 1 || in->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input rank %d, expected 1 to %d", op,
                       (int)in->rank, CLINFER_MAX_RANK);
    int64_t numel = shape_numel(in);
    if (numel < 0 || numel > INT32_MAX)
        return err_set(rt, numel < 0 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                       "%s: input shape %s is %s", op, shape_str(in, buf, sizeof buf),
                       numel < 0 ? "invalid" : "larger than 2^31-1 elements");
    if (!shape_axis(p->axis, in->rank, ax))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: axis %lld is out of range for rank %d (expected %d to %d)", op,
                       (long long)p->axis, (int)in->rank, -(int)in->rank, (int)in->rank - 1);
    const int64_t dim = in->dims[*ax];
    if (dim < 1)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: axis %d of %s is empty: no index to give",
                       op, (int)*ax, shape_str(in, buf, sizeof buf));
    /* The index is stored in the tensor's element type; an inexact one
     * would silently name the wrong element. */
    if (dim - 1 > ARG_MAX_INDEX_FLOAT)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: axis %d has %lld elements; indices above 2^24 are not exact in "
                       "float32",
                       op, (int)*ax, (long long)dim);
    if (rt && rt_is_half(rt) && dim - 1 > ARG_MAX_INDEX_HALF)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "%s: axis %d has %lld elements; indices above 2048 are not exact in "
                       "half storage (fp16 precision)",
                       op, (int)*ax, (long long)dim);
    return CLINFER_OK;
}

clinfer_status arg_reduce_output_shape(clinfer_runtime *rt, const arg_reduce_params *p,
                                       clinfer_shape *out)
{
    int32_t ax = 0;
    clinfer_status st = arg_reduce_check(rt, p, &ax);
    if (st != CLINFER_OK)
        return st;
    clinfer_shape s = shape_make(0, NULL);
    for (int32_t d = 0; d < p->input.rank; d++)
        if (d != ax)
            s.dims[s.rank++] = p->input.dims[d];
        else if (p->keepdims)
            s.dims[s.rank++] = 1;
    *out = s;
    return CLINFER_OK;
}

clinfer_status arg_reduce_prepare(clinfer_runtime *rt, const arg_reduce_params *p,
                                  op_launch *out)
{
    memset(out, 0, sizeof *out);
    int32_t ax = 0;
    clinfer_status st = arg_reduce_check(rt, p, &ax);
    if (st != CLINFER_OK)
        return st;
    /* the input as [outer, dim, inner]; the output as [outer, inner] */
    int64_t outer = 1, inner = 1;
    for (int32_t d = 0; d < ax; d++)
        outer *= p->input.dims[d];
    for (int32_t d = ax + 1; d < p->input.rank; d++)
        inner *= p->input.dims[d];
    karg a;
    launch_begin(rt, out, "reduce", NULL, "arg_reduce", KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, (int32_t)(outer * inner));
    karg_int(&a, (int32_t)p->input.dims[ax]);
    karg_int(&a, (int32_t)inner);
    karg_int(&a, p->min != 0);
    karg_int(&a, p->select_last_index != 0);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid1(out, (size_t)(outer * inner));
    return CLINFER_OK;
}
