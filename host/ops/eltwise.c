/*
 * eltwise.c — element-wise unary and binary ops: validation, broadcasting
 * analysis (collapsing dims, picking a fast variant) and the launch of
 * kernels/eltwise.cl. Buffers are arguments 0-1 (unary) or 0-2 (binary),
 * bound per run; the scalars after them are set once in the prepare calls.
 */
#include "eltwise.h"

#include <stdio.h>
#include <string.h>

/* Elements per work-item (the kernels' VW); passed as -DVW. */
#define ELTWISE_VW 16

/* ----------------------------------------------------------------- shared */

clinfer_status eltwise_check_shape(clinfer_runtime *rt, const char *op, const char *what,
                                   const clinfer_shape *s, int64_t *numel)
{
    if (s->rank < 0 || s->rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: %s has rank %d, expected 0..%d", op, what,
                       (int)s->rank, CLINFER_MAX_RANK);
    char buf[256];
    for (int32_t i = 0; i < s->rank; i++)
        if (s->dims[i] < 0)
            return err_set(rt, CLINFER_ERR_SHAPE, "%s: %s %s has negative dim %d", op, what,
                           shape_str(s, buf, sizeof buf), (int)i);
    int64_t n = shape_numel(s);
    if (n < 0)
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: %s %s has 2^62 or more elements", op, what,
                       shape_str(s, buf, sizeof buf));
    *numel = n;
    return CLINFER_OK;
}

void eltwise_grid(op_launch *l, int64_t n, int64_t vw)
{
    int64_t items = (n + vw - 1) / vw;
    launch_grid1(l, (size_t)(items > 0 ? items : 1));
}

static int act_valid(const act_params *act) { return act_kind_valid(act->kind); }

/* ------------------------------------------------------------------ unary */

unary_params unary_params_default(void)
{
    unary_params p;
    memset(&p, 0, sizeof p);
    p.kind = UNARY_ACT;
    p.act.kind = ACT_KIND_NONE;
    return p;
}

const char *unary_name(const unary_params *p)
{
    static const char *const kinds[] = {"",    "Exp",  "Log",        "Sqrt",
                                        "Neg", "Abs",  "Reciprocal", "Erf",
                                        "Floor", "Ceil", "Round",   "Sign",
                                        "Sin", "Cos", "Tan",   "Asin",
                                        "Acos", "Atan", "Sinh", "Cosh",
                                        "Asinh", "Acosh", "Atanh", "QuantizeLinear",
                                        "QuantizeLinear", "DequantizeLinear"};
    _Static_assert(sizeof kinds / sizeof kinds[0] == UNARY_LAST + 1, "a name per unary_kind");
    if (p->kind == UNARY_ACT)
        return act_valid(&p->act) ? act_kind_name(p->act.kind) : "unary";
    if (p->kind > UNARY_ACT && p->kind <= UNARY_LAST)
        return kinds[p->kind];
    return "unary";
}

clinfer_status unary_output_shape(clinfer_runtime *rt, const unary_params *p,
                                  clinfer_shape *out)
{
    if (p->kind < UNARY_ACT || p->kind > UNARY_LAST)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "unary: kind %d is not a unary_kind (0..%d)", (int)p->kind, (int)UNARY_LAST);
    if (p->kind == UNARY_ACT && !act_valid(&p->act))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "unary: activation kind %d is not an act_kind (0..%d)", (int)p->act.kind,
                       (int)ACT_KIND_COUNT - 1);
    int64_t n;
    clinfer_status st = eltwise_check_shape(rt, unary_name(p), "input", &p->shape, &n);
    if (st == CLINFER_OK)
        *out = p->shape;
    return st;
}

clinfer_status unary_prepare(clinfer_runtime *rt, const unary_params *p, op_launch *out)
{
    clinfer_shape shape;
    clinfer_status st = unary_output_shape(rt, p, &shape);
    if (st != CLINFER_OK)
        return st;
    int64_t n = shape_numel(&shape);
    int act = p->kind == UNARY_ACT ? (int)p->act.kind : 0;
    opts o = opts_none();
    opts_add(&o, "-DVW=%d -DUNARY=%d -DACT=%d", ELTWISE_VW, (int)p->kind, act);
    karg a;
    launch_begin(rt, out, "eltwise", &o, "eltwise_unary", KARG_AFTER_TENSORS(2), &a);
    karg_long(&a, n);
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    eltwise_grid(out, n, ELTWISE_VW);
    return launch_finish(rt, out, &a);
}

/* ----------------------------------------------------------------- binary */

binary_params binary_params_default(void)
{
    binary_params p;
    memset(&p, 0, sizeof p);
    p.op = BINARY_ADD;
    p.act.kind = ACT_KIND_NONE;
    p.variant = BINARY_AUTO;
    return p;
}

const char *binary_op_name(binary_op op)
{
    static const char *const names[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu"};
    _Static_assert(sizeof names / sizeof names[0] == BINARY_LAST + 1, "a name per binary_op");
    return op >= BINARY_ADD && op <= BINARY_LAST ? names[op] : "binary";
}

/* The output viewed as at most 8 collapsed dims: size-1 dims dropped, and
 * adjacent dims merged when each operand is full (or broadcast) along both.
 * full_a[i] / full_b[i]: the operand has extent dims[i] along collapsed dim
 * i (otherwise extent 1). */
typedef struct bcast_geometry {
    clinfer_shape out;
    int64_t n, na, nb;
    int32_t rank;
    int64_t dims[CLINFER_MAX_RANK];
    int full_a[CLINFER_MAX_RANK], full_b[CLINFER_MAX_RANK];
} bcast_geometry;

static clinfer_status binary_geometry(clinfer_runtime *rt, const binary_params *p,
                                      bcast_geometry *g)
{
    const char *op = binary_op_name(p->op);
    if (p->op < BINARY_ADD || p->op > BINARY_LAST)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "binary: op %d is not a binary_op (0..%d)", (int)p->op, (int)BINARY_LAST);
    if (!act_valid(&p->act))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: fused activation kind %d is not an act_kind (0..%d)", op,
                       (int)p->act.kind, (int)ACT_KIND_COUNT - 1);
    if (p->variant < BINARY_AUTO || p->variant > BINARY_GENERAL)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: variant %d is not a binary_variant (0..%d)", op, (int)p->variant,
                       (int)BINARY_GENERAL);
    memset(g, 0, sizeof *g);
    clinfer_status st = eltwise_check_shape(rt, op, "input A", &p->a, &g->na);
    if (st == CLINFER_OK)
        st = eltwise_check_shape(rt, op, "input B", &p->b, &g->nb);
    if (st != CLINFER_OK)
        return st;
    if (!shape_broadcast(&p->a, &p->b, &g->out)) {
        char sa[256], sb[256];
        int32_t rank = p->a.rank > p->b.rank ? p->a.rank : p->b.rank;
        int32_t bad = 0;
        int64_t da = 1, db = 1;
        for (int32_t i = 0; i < rank; i++) {
            int32_t ia = i - (rank - p->a.rank), ib = i - (rank - p->b.rank);
            da = ia >= 0 ? p->a.dims[ia] : 1;
            db = ib >= 0 ? p->b.dims[ib] : 1;
            if (da != db && da != 1 && db != 1) {
                bad = i;
                break;
            }
        }
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "%s: input shapes %s and %s do not broadcast: output dim %d is %lld in A "
                       "and %lld in B (aligned from the right, dims must be equal or 1)",
                       op, shape_str(&p->a, sa, sizeof sa), shape_str(&p->b, sb, sizeof sb),
                       (int)bad, (long long)da, (long long)db);
    }
    g->n = shape_numel(&g->out);
    if (g->n < 0) {
        char so[256];
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: output shape %s has 2^62 or more elements",
                       op, shape_str(&g->out, so, sizeof so));
    }
    const int32_t rank = g->out.rank;
    for (int32_t i = 0; i < rank; i++) {
        int64_t d = g->out.dims[i];
        if (d == 1)
            continue;
        int32_t ia = i - (rank - p->a.rank), ib = i - (rank - p->b.rank);
        int fa = ia >= 0 && p->a.dims[ia] == d;
        int fb = ib >= 0 && p->b.dims[ib] == d;
        if (g->rank > 0 && g->full_a[g->rank - 1] == fa && g->full_b[g->rank - 1] == fb) {
            g->dims[g->rank - 1] *= d; /* cannot overflow: bounded by n */
        } else {
            g->dims[g->rank] = d;
            g->full_a[g->rank] = fa;
            g->full_b[g->rank] = fb;
            g->rank++;
        }
    }
    return CLINFER_OK;
}

/* For CHANNEL_A (part_is_a) / CHANNEL_B: whether the partial operand is full
 * along at most one collapsed dim while the other operand is full along all;
 * writes C and inner of the [outer, C, inner] view. */
static int channel_fits(const bcast_geometry *g, int part_is_a, int64_t *c, int64_t *inner)
{
    const int *part = part_is_a ? g->full_a : g->full_b;
    const int *other = part_is_a ? g->full_b : g->full_a;
    int found = -1;
    for (int32_t i = 0; i < g->rank; i++) {
        if (!other[i])
            return 0;
        if (part[i]) {
            if (found >= 0)
                return 0;
            found = i;
        }
    }
    *c = 1;
    *inner = 1;
    if (found >= 0) {
        *c = g->dims[found];
        for (int32_t i = found + 1; i < g->rank; i++)
            *inner *= g->dims[i];
    }
    return 1;
}

static binary_variant auto_variant(const bcast_geometry *g)
{
    int64_t c, inner;
    if (g->na == g->n && g->nb == g->n)
        return BINARY_SAME;
    if (g->nb == 1)
        return BINARY_SCALAR_B;
    if (g->na == 1)
        return BINARY_SCALAR_A;
    if (channel_fits(g, 0, &c, &inner))
        return BINARY_CHANNEL_B;
    if (channel_fits(g, 1, &c, &inner))
        return BINARY_CHANNEL_A;
    return BINARY_GENERAL;
}

clinfer_status binary_output_shape(clinfer_runtime *rt, const binary_params *p,
                                   clinfer_shape *out)
{
    bcast_geometry g;
    clinfer_status st = binary_geometry(rt, p, &g);
    if (st == CLINFER_OK)
        *out = g.out;
    return st;
}

clinfer_status binary_choose_variant(clinfer_runtime *rt, const binary_params *p,
                                     binary_variant *out)
{
    bcast_geometry g;
    clinfer_status st = binary_geometry(rt, p, &g);
    if (st == CLINFER_OK)
        *out = auto_variant(&g);
    return st;
}

static const char *const variant_names[] = {"AUTO",      "SAME",      "SCALAR_A", "SCALAR_B",
                                            "CHANNEL_A", "CHANNEL_B", "GENERAL"};

clinfer_status binary_prepare(clinfer_runtime *rt, const binary_params *p, op_launch *out)
{
    bcast_geometry g;
    clinfer_status st = binary_geometry(rt, p, &g);
    if (st != CLINFER_OK)
        return st;
    const char *op = binary_op_name(p->op);
    binary_variant v = p->variant == BINARY_AUTO ? auto_variant(&g) : p->variant;
    int64_t c = 1, inner = 1;
    int fits = 1;
    switch (v) {
    case BINARY_SAME:
        fits = g.na == g.n && g.nb == g.n;
        break;
    case BINARY_SCALAR_A:
        fits = g.na == 1 && g.nb == g.n;
        break;
    case BINARY_SCALAR_B:
        fits = g.nb == 1 && g.na == g.n;
        break;
    case BINARY_CHANNEL_A:
    case BINARY_CHANNEL_B:
        fits = channel_fits(&g, v == BINARY_CHANNEL_A, &c, &inner);
        break;
    default:
        break;
    }
    if (!fits) {
        char sa[256], sb[256];
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: variant %s does not apply to input shapes %s and %s", op,
                       variant_names[v], shape_str(&p->a, sa, sizeof sa),
                       shape_str(&p->b, sb, sizeof sb));
    }

    static const char *const kernels[] = {"",         "binary_same",    "binary_scalar",
                                          "binary_scalar", "binary_channel", "binary_channel",
                                          "binary_general"};
    opts o = opts_none();
    opts_add(&o, "-DVW=%d -DBINOP=%d -DBCAST=%d -DACT=%d", ELTWISE_VW, (int)p->op, (int)v,
             (int)p->act.kind);
    karg a;
    launch_begin(rt, out, "eltwise", &o, kernels[v], KARG_AFTER_TENSORS(3), &a);
    karg_long(&a, g.n);
    if (v == BINARY_CHANNEL_A || v == BINARY_CHANNEL_B) {
        karg_long(&a, c);
        karg_long(&a, inner);
    } else if (v == BINARY_GENERAL) {
        /* rank 0 (a one-element output) is described as one dim of 1 */
        int64_t dims[8] = {1, 1, 1, 1, 1, 1, 1, 1};
        int amask = g.rank ? 0 : 1, bmask = g.rank ? 0 : 1;
        for (int32_t i = 0; i < g.rank; i++) {
            dims[i] = g.dims[i];
            amask |= g.full_a[i] << i;
            bmask |= g.full_b[i] << i;
        }
        karg_int(&a, g.rank ? g.rank : 1);
        karg_long8(&a, dims);
        karg_int(&a, amask);
        karg_int(&a, bmask);
    }
    karg_float(&a, p->act.a);
    karg_float(&a, p->act.b);
    eltwise_grid(out, g.n, ELTWISE_VW);
    return launch_finish(rt, out, &a);
}

clinfer_status binary_bind(clinfer_runtime *rt, op_launch *l,
                           dev_tensor a, dev_tensor b, dev_tensor output)
{
    karg k = launch_args(l, 0);
    karg_tensor(&k, a);
    karg_tensor(&k, b);
    karg_tensor(&k, output);
    return launch_finish(rt, l, &k);
}
