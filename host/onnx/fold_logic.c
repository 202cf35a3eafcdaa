/*
 * fold_logic.c — load-time evaluation of comparisons (Equal, Less,
 * Greater, LessOrEqual, GreaterOrEqual), logic (And, Or, Xor, Not), Mod,
 * Where, and Expand and ScatterND of known tensors. Exported models use
 * them on shapes and masks (e.g. Shape -> Equal -> Where -> Expand, so
 * that -1 entries become 1); clinfer computes them here when every input
 * is known, and refuses them on run-time tensors (Where and Expand have
 * kernels for those) or on sizes that depend on the open batch, naming
 * the reason. Booleans are int64 0/1, as the
 * loader keeps every integer type.
 */
#include <math.h>
#include <string.h>

#include "../shape.h"
#include "import.h"

/* Inputs a and b, known, not batch-dependent, and their broadcast shape. */
static clinfer_status two_inputs(onnx_node *c, const host_tensor **a, const host_tensor **b,
                                 clinfer_shape *os)
{
    char b1[160], b2[160];
    clinfer_status st = onnx_node_in_host(c, 0, "A", a);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "B", b);
    if (st != CLINFER_OK)
        return st;
    if (host_tensor_has_sym(*a) || host_tensor_has_sym(*b))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "%s of a size that depends on the batch, which is open while "
                               "loading",
                               c->op);
    if (!shape_broadcast(&(*a)->shape, &(*b)->shape, os))
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "shapes %s and %s do not broadcast",
                               shape_str(&(*a)->shape, b1, sizeof b1),
                               shape_str(&(*b)->shape, b2, sizeof b2));
    return CLINFER_OK;
}

static int compare(const char *op, double x, double y)
{
    if (strcmp(op, "Equal") == 0)
        return x == y;
    if (strcmp(op, "Less") == 0)
        return x < y;
    if (strcmp(op, "Greater") == 0)
        return x > y;
    if (strcmp(op, "LessOrEqual") == 0)
        return x <= y;
    return x >= y; /* GreaterOrEqual */
}

/* Integers compare through their sign of difference, so int64 values
 * beyond 2^53 stay exact. */
static int compare_int(const char *op, int64_t x, int64_t y)
{
    return compare(op, (double)((x > y) - (x < y)), 0.0);
}

/* Element k of a boolean result from a[ia] and b[ib]. */
typedef int64_t (*pair_fn)(const char *op, const host_tensor *a, int64_t ia, const host_tensor *b,
                           int64_t ib);

static int64_t compare_pair(const char *op, const host_tensor *a, int64_t ia, const host_tensor *b,
                            int64_t ib)
{
    if (a->dtype == CLINFER_DTYPE_INT64 && b->dtype == CLINFER_DTYPE_INT64)
        return compare_int(op, a->i[ia], b->i[ib]);
    return compare(op, host_tensor_get_f(a, ia), host_tensor_get_f(b, ib));
}

/* And, Or, Xor on booleans (any nonzero is true). */
static int64_t logic_pair(const char *op, const host_tensor *a, int64_t ia, const host_tensor *b,
                          int64_t ib)
{
    int x = host_tensor_get_f(a, ia) != 0, y = host_tensor_get_f(b, ib) != 0;
    return op[0] == 'A' ? x && y : op[0] == 'O' ? x || y : x != y;
}

/* A boolean (int64 0/1) result of two broadcast inputs, element by
 * element. */
static clinfer_status fold_pairwise(onnx_node *c, pair_fn f)
{
    const host_tensor *a, *b;
    clinfer_shape os;
    host_tensor t;
    clinfer_status st = two_inputs(c, &a, &b, &os);
    if (st == CLINFER_OK)
        st = fold_make(c, &t, CLINFER_DTYPE_INT64, &os, 0);
    if (st != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++)
        t.i[k] = f(c->op, a, fold_bcast_index(&a->shape, &os, k), b,
                   fold_bcast_index(&b->shape, &os, k));
    return onnx_node_out_host(c, 0, &t);
}

clinfer_status fold_compare(onnx_node *c) { return fold_pairwise(c, compare_pair); }
clinfer_status fold_logic(onnx_node *c) { return fold_pairwise(c, logic_pair); }

clinfer_status fold_not(onnx_node *c)
{
    const host_tensor *x;
    host_tensor t;
    clinfer_status st = onnx_node_in_host(c, 0, "X", &x);
    if (st == CLINFER_OK && host_tensor_has_sym(x))
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "Not of a value that depends on the open batch size");
    if (st == CLINFER_OK)
        st = fold_make(c, &t, CLINFER_DTYPE_INT64, &x->shape, 0);
    if (st != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++)
        t.i[k] = host_tensor_get_f(x, k) == 0;
    return onnx_node_out_host(c, 0, &t);
}

/* Integer Mod takes the divisor's sign (Python's %) unless fmod=1, which
 * takes the dividend's (C's %); float Mod needs fmod=1. */
static int64_t int_mod(int64_t x, int64_t y, int c_style)
{
    int64_t r = x % y;
    if (!c_style && r != 0 && ((r < 0) != (y < 0)))
        r += y;
    return r;
}

clinfer_status fold_mod(onnx_node *c)
{
    const host_tensor *a, *b;
    clinfer_shape os;
    host_tensor t;
    int64_t fm = 0;
    clinfer_status st = two_inputs(c, &a, &b, &os);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "fmod", 0, &fm);
    if (st != CLINFER_OK)
        return st;
    int flt = a->dtype == CLINFER_DTYPE_FLOAT32 || b->dtype == CLINFER_DTYPE_FLOAT32;
    if (flt && fm != 1)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "float Mod needs fmod=1");
    if ((st = fold_make(c, &t, flt ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64, &os, 0)) !=
        CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        int64_t ia = fold_bcast_index(&a->shape, &os, k), ib = fold_bcast_index(&b->shape, &os, k);
        if (flt) {
            t.f[k] = (float)fmod(host_tensor_get_f(a, ia), host_tensor_get_f(b, ib));
            continue;
        }
        if (b->i[ib] == 0 || (a->i[ia] == INT64_MIN && b->i[ib] == -1)) {
            host_tensor_free(&t);
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "integer Mod of %lld by %lld", (long long)a->i[ia],
                                   (long long)b->i[ib]);
        }
        t.i[k] = int_mod(a->i[ia], b->i[ib], fm == 1);
    }
    return onnx_node_out_host(c, 0, &t);
}

/* Where(condition, X, Y): X where the condition holds, else Y, all three
 * broadcast together. A batch marker of the chosen element is kept (Where
 * often picks between a shape and a constant). */
clinfer_status fold_where(onnx_node *c)
{
    const host_tensor *in[3];
    static const char *const names[3] = {"condition", "X", "Y"};
    char b1[160];
    clinfer_status st = CLINFER_OK;
    /* called when every input is known (else ops_tensor.c's op_where) */
    for (int32_t i = 0; i < 3 && st == CLINFER_OK; i++)
        st = onnx_node_in_host(c, i, names[i], &in[i]);
    if (st != CLINFER_OK)
        return st;
    if (host_tensor_has_sym(in[0]))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "the condition depends on the open batch size");
    clinfer_shape os = in[0]->shape, tmp;
    for (int32_t i = 1; i < 3; i++) {
        if (!shape_broadcast(&os, &in[i]->shape, &tmp))
            return onnx_node_error(c, CLINFER_ERR_SHAPE, "%s %s does not broadcast",
                                   names[i], shape_str(&in[i]->shape, b1, sizeof b1));
        os = tmp;
    }
    int flt = in[1]->dtype == CLINFER_DTYPE_FLOAT32 || in[2]->dtype == CLINFER_DTYPE_FLOAT32;
    int sym = in[1]->sym != NULL || in[2]->sym != NULL;
    host_tensor t;
    if (flt && sym)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "Where mixes floats with a size that depends on the batch");
    if ((st = fold_make(c, &t, flt ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64, &os, sym)) !=
        CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        int take_x = host_tensor_get_f(in[0], fold_bcast_index(&in[0]->shape, &os, k)) != 0;
        const host_tensor *src = in[take_x ? 1 : 2];
        int64_t s = fold_bcast_index(&src->shape, &os, k);
        if (flt)
            t.f[k] = (float)host_tensor_get_f(src, s);
        else
            t.i[k] = src->i[s];
        if (t.sym)
            t.sym[k] = src->sym ? src->sym[s] : 0;
    }
    return onnx_node_out_host(c, 0, &t);
}

/* Expand of a known tensor (masks and index grids built from shapes, as
 * Swin's attention exports them); the run-time form is ops_tensor.c's. */
clinfer_status fold_expand(onnx_node *c)
{
    const host_tensor *x, *sh;
    int64_t dims[CLINFER_MAX_RANK];
    int32_t n = 0;
    clinfer_status st = onnx_node_in_host(c, 0, "input", &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "shape", &sh);
    if (st == CLINFER_OK)
        st = onnx_node_host_ints(c, sh, "shape", dims, CLINFER_MAX_RANK, &n);
    if (st != CLINFER_OK)
        return st;
    clinfer_shape target, os;
    char b1[160], b2[160];
    memset(&target, 0, sizeof target);
    target.rank = n;
    for (int32_t d = 0; d < n; d++)
        target.dims[d] = dims[d];
    if (!shape_broadcast(&x->shape, &target, &os))
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "input %s does not broadcast to shape %s",
                               shape_str(&x->shape, b1, sizeof b1),
                               shape_str(&target, b2, sizeof b2));
    host_tensor t;
    if ((st = fold_make(c, &t, x->dtype, &os, x->sym != NULL)) != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        int64_t i = fold_bcast_index(&x->shape, &os, k);
        if (t.f)
            t.f[k] = x->f[i];
        else
            t.i[k] = x->i[i];
        if (t.sym)
            t.sym[k] = x->sym[i];
    }
    return onnx_node_out_host(c, 0, &t);
}

/* ScatterND of known tensors (Swin writes its shifted-window mask with
 * sliced assignments): a copy of data with the slices that the last axis
 * of indices addresses replaced by (or, with reduction add/mul, combined
 * with) updates, in order. */
clinfer_status fold_scatter_nd(onnx_node *c)
{
    const host_tensor *data, *idx, *upd;
    const char *red = "none";
    clinfer_status st = onnx_node_in_host(c, 0, "data", &data);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "indices", &idx);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 2, "updates", &upd);
    if (st == CLINFER_OK)
        st = onnx_node_attr_string(c, "reduction", "none", &red);
    if (st != CLINFER_OK)
        return st;
    int op = strcmp(red, "none") == 0  ? 0
             : strcmp(red, "add") == 0 ? 1
             : strcmp(red, "mul") == 0 ? 2
                                       : -1;
    if (op < 0)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "reduction \"%s\" (none, add, mul)",
                               red);
    if (host_tensor_has_sym(idx) || idx->dtype != CLINFER_DTYPE_INT64 || idx->shape.rank < 1)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "indices must be known integers");
    int32_t k = (int32_t)idx->shape.dims[idx->shape.rank - 1];
    if (k < 1 || k > data->shape.rank || upd->dtype != data->dtype)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "indices address %d of data's %d dims, or updates' type differs",
                               (int)k, (int)data->shape.rank);
    int64_t slice = 1, count = idx->numel / k; /* updates of `slice` values each */
    for (int32_t d = k; d < data->shape.rank; d++)
        slice *= data->shape.dims[d];
    if (upd->numel != count * slice)
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "updates hold %lld values, need %lld",
                               (long long)upd->numel, (long long)(count * slice));
    host_tensor t;
    if ((st = fold_make(c, &t, data->dtype, &data->shape, data->sym != NULL)) != CLINFER_OK)
        return st;
    for (int64_t e = 0; e < t.numel; e++) {
        if (t.f)
            t.f[e] = data->f[e];
        else
            t.i[e] = data->i[e];
        if (t.sym)
            t.sym[e] = data->sym[e];
    }
    for (int64_t n = 0; n < count; n++) {
        int64_t at = 0;
        for (int32_t d = 0; d < k; d++) {
            int64_t dim = data->shape.dims[d], i = idx->i[n * k + d];
            if (i < -dim || i >= dim) {
                host_tensor_free(&t);
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                       "index %lld is out of range for a dimension of %lld",
                                       (long long)i, (long long)dim);
            }
            at = at * dim + (i < 0 ? i + dim : i);
        }
        for (int64_t e = 0; e < slice; e++) {
            int64_t o = at * slice + e, u = n * slice + e;
            if (t.f)
                t.f[o] = op == 0 ? upd->f[u] : op == 1 ? t.f[o] + upd->f[u] : t.f[o] * upd->f[u];
            else
                t.i[o] = op == 0 ? upd->i[u] : op == 1 ? t.i[o] + upd->i[u] : t.i[o] * upd->i[u];
            if (t.sym)
                t.sym[o] = upd->sym ? upd->sym[u] : 0;
        }
    }
    return onnx_node_out_host(c, 0, &t);
}
