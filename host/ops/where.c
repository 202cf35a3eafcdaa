/*
 * where.c — Where and the conditions (comparisons, And, Or, Xor):
 * validation, output shape and the launch of kernels/where.cl. Each
 * operand gets a stride per output dim (0 where it is broadcast);
 * neighbouring dims merge when every operand walks them as one (all
 * contiguous there, or all broadcast), so equal shapes are one long dim.
 * A condition is the Where kernel built with WHERE_OP, its cond a scalar
 * that is never read. Arguments 0-7 are buffers, the rest scalars.
 */
#include "where.h"

#include <string.h>

#include "../shape.h"

#define WHERE_OPERANDS 3

/* The broadcast of the operands in[first..WHERE_OPERANDS) of op `op`
 * (names: theirs in messages), each checked. */
static clinfer_status broadcast_shape(clinfer_runtime *rt, const char *op,
                                      const char *const *operand_names,
                                      const clinfer_shape *const *in, int first,
                                      clinfer_shape *out)
{
    char b1[160], b2[160];
    clinfer_shape s = shape_make(0, NULL), next;
    for (int k = first; k < WHERE_OPERANDS; k++) {
        int64_t n = shape_numel(in[k]);
        if (in[k]->rank < 0 || in[k]->rank > CLINFER_MAX_RANK || n < 0 || n > INT32_MAX)
            return err_set(rt, n > INT32_MAX ? CLINFER_ERR_UNSUPPORTED : CLINFER_ERR_SHAPE,
                           "%s: %s has shape %s (rank 0 to %d, at most 2^31-1 elements)", op,
                           operand_names[k], shape_str(in[k], b1, sizeof b1), CLINFER_MAX_RANK);
        if (!shape_broadcast(&s, in[k], &next))
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "%s: %s %s does not broadcast with the other operands' %s", op,
                           operand_names[k], shape_str(in[k], b1, sizeof b1),
                           shape_str(&s, b2, sizeof b2));
        s = next;
    }
    if (shape_numel(&s) > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED, "%s: the output %s has more than 2^31-1 "
                       "elements", op, shape_str(&s, b1, sizeof b1));
    *out = s;
    return CLINFER_OK;
}

clinfer_status where_output_shape(clinfer_runtime *rt, const where_params *p, clinfer_shape *out)
{
    static const char *const names[WHERE_OPERANDS] = {"condition", "X", "Y"};
    const clinfer_shape *in[WHERE_OPERANDS] = {&p->cond, &p->x, &p->y};
    return broadcast_shape(rt, "Where", names, in, 0, out);
}

/* The stride of operand `in` along output dim d of `os` (0: broadcast). */
static int64_t operand_stride(const clinfer_shape *in, const clinfer_shape *os, int32_t d)
{
    int32_t k = d - (os->rank - in->rank); /* the operand's dim aligned with d */
    if (k < 0 || in->dims[k] == 1)
        return 0;
    int64_t stride = 1;
    for (int32_t j = k + 1; j < in->rank; j++)
        stride *= in->dims[j];
    return stride;
}

/* The launch of where_nd built with WHERE_OP `op` over p's shapes. */
static clinfer_status where_launch(clinfer_runtime *rt, const where_params *p, int op,
                                   op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = where_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *in[WHERE_OPERANDS] = {&p->cond, &p->x, &p->y};
    /* innermost first: output size od, operand strides ss[operand] */
    int32_t od[CLINFER_MAX_RANK], ss[WHERE_OPERANDS][CLINFER_MAX_RANK], k = 0;
    for (int32_t d = os.rank - 1; d >= 0; d--) {
        int64_t s[WHERE_OPERANDS];
        int merge = k > 0;
        for (int o = 0; o < WHERE_OPERANDS; o++) {
            s[o] = operand_stride(in[o], &os, d);
            merge = merge && s[o] == (int64_t)ss[o][k - 1] * od[k - 1];
        }
        if (os.dims[d] == 1)
            continue; /* a size-1 dim adds nothing */
        if (merge) {
            od[k - 1] = (int32_t)(od[k - 1] * os.dims[d]);
            continue;
        }
        od[k] = (int32_t)os.dims[d];
        for (int o = 0; o < WHERE_OPERANDS; o++)
            ss[o][k] = (int32_t)s[o];
        k++;
    }
    size_t n = 1;
    for (int32_t d = 0; d < CLINFER_MAX_RANK; d++) {
        if (d >= k) { /* unused slots: size 1 */
            od[d] = 1;
            for (int o = 0; o < WHERE_OPERANDS; o++)
                ss[o][d] = 0;
        }
        n *= (size_t)od[d];
    }
    opts o = opts_none();
    opts_add(&o, "-DWHERE_OP=%d", op);
    karg a;
    launch_begin(rt, out, "where", &o, "where_nd", KARG_AFTER_TENSORS(4), &a);
    karg_int(&a, k);
    karg_ints(&a, od, CLINFER_MAX_RANK);
    for (int o = 0; o < WHERE_OPERANDS; o++)
        karg_ints(&a, ss[o], CLINFER_MAX_RANK);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, (size_t)od[0], (size_t)od[1], n / ((size_t)od[0] * (size_t)od[1]), 8);
    return CLINFER_OK;
}

clinfer_status where_prepare(clinfer_runtime *rt, const where_params *p, op_launch *out)
{
    return where_launch(rt, p, 0, out);
}

clinfer_status where_bind(clinfer_runtime *rt, op_launch *l, dev_tensor cond, dev_tensor x,
                          dev_tensor y, dev_tensor out)
{
    karg a = launch_args(l, 0);
    const dev_tensor t[4] = {cond, x, y, out};
    karg_tensors(&a, t, 4);
    return launch_finish(rt, l, &a);
}

/* ------------------------------------------------------- conditions */

const char *compare_name(compare_kind kind)
{
    static const char *const names[] = {"Equal",   "Less",           "LessOrEqual", "Greater",
                                        "GreaterOrEqual", "And", "Or",          "Xor"};
    _Static_assert(sizeof names / sizeof names[0] == COMPARE_LAST + 1, "a name per kind");
    return kind >= COMPARE_EQUAL && kind <= COMPARE_LAST ? names[kind] : "compare";
}

/* p as a Where whose condition is a scalar (never read). */
static clinfer_status compare_as_where(clinfer_runtime *rt, const compare_params *p,
                                       where_params *w)
{
    if (p->kind < COMPARE_EQUAL || p->kind > COMPARE_LAST)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "compare: kind %d (0 to %d)",
                       (int)p->kind, (int)COMPARE_LAST);
    w->cond = shape_make(0, NULL);
    w->x = p->a;
    w->y = p->b;
    return CLINFER_OK;
}

clinfer_status compare_output_shape(clinfer_runtime *rt, const compare_params *p,
                                    clinfer_shape *out)
{
    static const char *const names[WHERE_OPERANDS] = {"", "A", "B"};
    where_params w;
    clinfer_status st = compare_as_where(rt, p, &w);
    const clinfer_shape *in[WHERE_OPERANDS] = {&w.cond, &w.x, &w.y};
    return st == CLINFER_OK ? broadcast_shape(rt, compare_name(p->kind), names, in, 1, out) : st;
}

clinfer_status compare_prepare(clinfer_runtime *rt, const compare_params *p, op_launch *out)
{
    where_params w;
    memset(out, 0, sizeof *out);
    clinfer_status st = compare_as_where(rt, p, &w);
    return st == CLINFER_OK ? where_launch(rt, &w, (int)p->kind + 1, out) : st;
}

clinfer_status compare_bind(clinfer_runtime *rt, op_launch *l, dev_tensor a, dev_tensor b,
                            dev_tensor out)
{
    return where_bind(rt, l, a, a, b, out); /* cond: a, never read */
}
