/*
 * fold.c — the load-time constant evaluator. Operators whose inputs are all
 * known while loading (initializers, Constant nodes, the static shapes of
 * graph values) are computed here on the host, in int64 or float, and their
 * results stay host tensors until a layer reads them as data. This covers
 * what exporters emit around the real layers: PyTorch's
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape for x.view(x.size(0), -1),
 * Constant axes, Cast, Slice of shapes, arithmetic on sizes.
 *
 * A dimension that depends on the open batch size is carried as a marked
 * element (host_tensor.sym): data movement keeps it, arithmetic marks the
 * result as derived, and Reshape turns it into 0 or -1 (ops_shape.c). Anything
 * else that needs its value refuses it.
 *
 * Results are capped at FOLD_MAX elements so that a small file cannot ask
 * for a huge allocation (ConstantOfShape, Range, broadcasting).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/slice.h"
#include "../shape.h"
#include "import.h"

#define FOLD_MAX (1 << 24)

/* ------------------------------------------------------------ helpers */

clinfer_status fold_make(onnx_node *c, host_tensor *t, clinfer_dtype dtype,
                         const clinfer_shape *shape, int with_sym)
{
    char msg[256], buf[160];
    int64_t n = onnx_numel(shape->dims, shape->rank);
    if (shape->rank > CLINFER_MAX_RANK || n < 0 || n > FOLD_MAX)
        return onnx_node_error(
            c, CLINFER_ERR_UNSUPPORTED,
            "folding this node would make a tensor of shape %s; clinfer folds up "
            "to 2^24 elements of rank <= %d",
            shape_str(shape, buf, sizeof buf), CLINFER_MAX_RANK);
    clinfer_status st = host_tensor_alloc(t, dtype, shape, msg, sizeof msg);
    if (st != CLINFER_OK)
        return onnx_node_error(c, st, "%s", msg);
    if (with_sym && n > 0) {
        t->sym = calloc((size_t)n, 1);
        if (!t->sym) {
            host_tensor_free(t);
            return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        }
    }
    return CLINFER_OK;
}

/* Copies element s of src to element d of dst (same dtype). */
static void move(host_tensor *dst, int64_t d, const host_tensor *src, int64_t s)
{
    if (dst->dtype == CLINFER_DTYPE_FLOAT32)
        dst->f[d] = src->f[s];
    else
        dst->i[d] = src->i[s];
    if (dst->sym)
        dst->sym[d] = src->sym ? src->sym[s] : 0;
}

static clinfer_status emit(onnx_node *c, host_tensor *t) { return onnx_node_out_host(c, 0, t); }

/* The same data under another shape (Reshape, Flatten, Squeeze, ...). */
static clinfer_status reshaped(onnx_node *c, const host_tensor *x, const clinfer_shape *shape)
{
    host_tensor t;
    char msg[256];
    clinfer_status st = host_tensor_copy(x, &t, msg, sizeof msg);
    if (st != CLINFER_OK)
        return onnx_node_error(c, st, "%s", msg);
    t.shape = *shape;
    return emit(c, &t);
}

static clinfer_status input0(onnx_node *c, const host_tensor **x)
{
    return onnx_node_in_host(c, 0, "data", x);
}

/* Input 0 and an int attribute (def when absent). */
static clinfer_status input0_and_int(onnx_node *c, const host_tensor **x, const char *attr,
                                     int64_t def, int64_t *value)
{
    clinfer_status st = input0(c, x);
    return st == CLINFER_OK ? onnx_node_attr_int(c, attr, def, value) : st;
}

/* ------------------------------------------------------------ sources */

clinfer_status fold_constant(onnx_node *c)
{
    static const char *const unsupported[] = {"sparse_value", "value_string", "value_strings"};
    for (size_t k = 0; k < 3; k++)
        if (onnx_node_attr(c, unsupported[k]))
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"%s\" is not supported",
                                   unsupported[k]);
    int set = 0;
    static const char *const forms[] = {"value", "value_float", "value_floats", "value_int",
                                        "value_ints"};
    for (size_t k = 0; k < 5; k++)
        set += onnx_node_attr(c, forms[k]) != NULL;
    if (set != 1)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "needs exactly one of value, value_float(s), value_int(s); has %d",
                               set);
    host_tensor t;
    int present = 0;
    clinfer_status st = onnx_node_attr_tensor(c, "value", &t, &present);
    if (st != CLINFER_OK || present)
        return st == CLINFER_OK ? emit(c, &t) : st;
    clinfer_shape scalar = {0, {0}};
    if (onnx_node_attr(c, "value_float")) {
        float v = 0;
        if ((st = onnx_node_attr_float(c, "value_float", 0, &v)) != CLINFER_OK ||
            (st = fold_make(c, &t, CLINFER_DTYPE_FLOAT32, &scalar, 0)) != CLINFER_OK)
            return st;
        t.f[0] = v;
        return emit(c, &t);
    }
    if (onnx_node_attr(c, "value_int")) {
        int64_t v = 0;
        if ((st = onnx_node_attr_int(c, "value_int", 0, &v)) != CLINFER_OK ||
            (st = fold_make(c, &t, CLINFER_DTYPE_INT64, &scalar, 0)) != CLINFER_OK)
            return st;
        t.i[0] = v;
        return emit(c, &t);
    }
    const Onnx__AttributeProto *a = onnx_node_attr(c, "value_floats");
    int floats = a != NULL;
    if (!a)
        a = onnx_node_attr(c, "value_ints");
    size_t n = floats ? a->n_floats : a->n_ints;
    clinfer_shape s1 = {1, {(int64_t)n}};
    if ((st = fold_make(c, &t, floats ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64, &s1, 0)) !=
        CLINFER_OK)
        return st;
    if (floats)
        st = onnx_node_attr_floats(c, "value_floats", t.f, (int32_t)n, &set);
    else
        st = onnx_node_attr_ints(c, "value_ints", t.i, (int32_t)n, &set);
    if (st != CLINFER_OK) {
        host_tensor_free(&t);
        return st;
    }
    return emit(c, &t);
}

clinfer_status fold_identity(onnx_node *c)
{
    const host_tensor *x;
    clinfer_status st = input0(c, &x);
    return st == CLINFER_OK ? reshaped(c, x, &x->shape) : st;
}

clinfer_status fold_shape(onnx_node *c)
{
    clinfer_shape xs;
    int64_t start = 0, end = CLINFER_MAX_RANK;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "start", 0, &start);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "end", xs.rank, &end);
    if (st != CLINFER_OK)
        return st;
    if (start < 0)
        start += xs.rank;
    if (end < 0)
        end += xs.rank;
    start = start < 0 ? 0 : start > xs.rank ? xs.rank : start;
    end = end < 0 ? 0 : end > xs.rank ? xs.rank : end;
    int64_t n = end > start ? end - start : 0;
    clinfer_shape s1 = {1, {n}};
    host_tensor t;
    if ((st = fold_make(c, &t, CLINFER_DTYPE_INT64, &s1, 1)) != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < n; k++) {
        int64_t d = xs.dims[start + k];
        t.i[k] = d;
        if (d == CLINFER_BATCH_DIM)
            t.sym[k] = (uint8_t)(1 + start + k);
    }
    return emit(c, &t);
}

clinfer_status fold_size(onnx_node *c)
{
    clinfer_shape xs, s0 = {0, {0}};
    host_tensor t;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = fold_make(c, &t, CLINFER_DTYPE_INT64, &s0, 1);
    if (st != CLINFER_OK)
        return st;
    int64_t n = 1;
    for (int32_t d = 0; d < xs.rank; d++) {
        if (xs.dims[d] == CLINFER_BATCH_DIM)
            t.sym[0] = SYM_DERIVED;
        else
            n *= xs.dims[d];
    }
    t.i[0] = t.sym[0] ? -1 : n;
    return emit(c, &t);
}

clinfer_status fold_constant_of_shape(onnx_node *c)
{
    const host_tensor *s;
    int64_t dims[CLINFER_MAX_RANK];
    int32_t n = 0;
    clinfer_status st = onnx_node_in_host(c, 0, "shape", &s);
    if (st == CLINFER_OK)
        st = onnx_node_host_ints(c, s, "shape", dims, CLINFER_MAX_RANK, &n);
    if (st != CLINFER_OK)
        return st;
    host_tensor v, t;
    int present = 0;
    if ((st = onnx_node_attr_tensor(c, "value", &v, &present)) != CLINFER_OK)
        return st;
    if (present && v.numel != 1) {
        host_tensor_free(&v);
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"value\" must hold one element");
    }
    clinfer_shape shape = shape_make(n, dims);
    st = fold_make(c, &t, present ? v.dtype : CLINFER_DTYPE_FLOAT32, &shape, 0);
    for (int64_t k = 0; st == CLINFER_OK && k < t.numel; k++) {
        if (t.f)
            t.f[k] = present ? v.f[0] : 0.0f;
        else
            t.i[k] = v.i[0];
    }
    host_tensor_free(&v);
    return st == CLINFER_OK ? emit(c, &t) : st;
}

clinfer_status fold_range(onnx_node *c)
{
    const host_tensor *in[3];
    static const char *const what[3] = {"start", "limit", "delta"};
    clinfer_status st = CLINFER_OK;
    int flt = 0;
    for (int32_t k = 0; k < 3 && st == CLINFER_OK; k++) {
        st = onnx_node_in_host(c, k, what[k], &in[k]);
        if (st == CLINFER_OK && (in[k]->numel != 1 || host_tensor_has_sym(in[k])))
            st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "%s must be one known value", what[k]);
        if (st == CLINFER_OK)
            flt |= in[k]->dtype == CLINFER_DTYPE_FLOAT32;
    }
    if (st != CLINFER_OK)
        return st;
    double a = host_tensor_get_f(in[0], 0), b = host_tensor_get_f(in[1], 0),
           d = host_tensor_get_f(in[2], 0);
    if (d == 0 || !isfinite(a) || !isfinite(b) || !isfinite(d))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "delta is 0 or a bound is not finite");
    double count = ceil((b - a) / d);
    if (count < 0)
        count = 0;
    if (count > FOLD_MAX)
        count = (double)FOLD_MAX + 1; /* fold_make() reports it */
    clinfer_shape s1 = {1, {(int64_t)count}};
    host_tensor t;
    const clinfer_dtype dt = flt ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64;
    if ((st = fold_make(c, &t, dt, &s1, 0)) != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        if (flt)
            t.f[k] = (float)(a + (double)k * d);
        else
            t.i[k] = in[0]->i[0] + k * in[2]->i[0];
    }
    return emit(c, &t);
}

/* ------------------------------------------------------------ data movement */

clinfer_status fold_gather(onnx_node *c)
{
    const host_tensor *x, *idx;
    int64_t axis = 0;
    onnx_sym *data = onnx_node_in(c, 0);
    if (data && data->kind != SYM_HOST)
        return onnx_node_error(
            c, CLINFER_ERR_UNSUPPORTED,
            "Gather runs only on tensors known at load time (shapes, constants); "
            "input 0 (\"%s\") is computed at run time",
            data->name);
    clinfer_status st = onnx_node_in_host(c, 0, "data", &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "indices", &idx);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", 0, &axis);
    if (st != CLINFER_OK)
        return st;
    int32_t ax = 0;
    if (x->shape.rank < 1 || !shape_axis(axis, x->shape.rank, &ax))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "axis %lld is out of range for rank %d", (long long)axis,
                               (int)x->shape.rank);
    if (idx->dtype != CLINFER_DTYPE_INT64 || host_tensor_has_sym(idx))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "indices must be known integers");
    clinfer_shape os;
    memset(&os, 0, sizeof os);
    os.rank = x->shape.rank - 1 + idx->shape.rank;
    if (os.rank > CLINFER_MAX_RANK)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "the result would have rank %d",
                               (int)os.rank);
    int32_t r = 0;
    for (int32_t d = 0; d < ax; d++)
        os.dims[r++] = x->shape.dims[d];
    for (int32_t d = 0; d < idx->shape.rank; d++)
        os.dims[r++] = idx->shape.dims[d];
    for (int32_t d = ax + 1; d < x->shape.rank; d++)
        os.dims[r++] = x->shape.dims[d];
    int64_t dim = x->shape.dims[ax], outer = 1, inner = 1;
    for (int32_t d = 0; d < ax; d++)
        outer *= x->shape.dims[d];
    for (int32_t d = ax + 1; d < x->shape.rank; d++)
        inner *= x->shape.dims[d];
    for (int64_t k = 0; k < idx->numel; k++)
        if (idx->i[k] < -dim || idx->i[k] >= dim)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "index %lld is out of range for a dimension of %lld",
                                   (long long)idx->i[k], (long long)dim);
    host_tensor t;
    if ((st = fold_make(c, &t, x->dtype, &os, x->sym != NULL)) != CLINFER_OK)
        return st;
    int64_t o = 0;
    for (int64_t a = 0; a < outer; a++)
        for (int64_t k = 0; k < idx->numel; k++) {
            int64_t j = idx->i[k] < 0 ? idx->i[k] + dim : idx->i[k];
            for (int64_t b = 0; b < inner; b++)
                move(&t, o++, x, (a * dim + j) * inner + b);
        }
    return emit(c, &t);
}

clinfer_status fold_unsqueeze(onnx_node *c)
{
    const host_tensor *x;
    clinfer_status st = input0(c, &x);
    if (st != CLINFER_OK)
        return st;
    int64_t axes[CLINFER_MAX_RANK];
    int32_t n = -1;
    /* The count first (axes count against the output rank). */
    int64_t probe[CLINFER_MAX_RANK + 1];
    int32_t nprobe = -1;
    if (c->im->opset >= 13) {
        const host_tensor *t;
        st = onnx_node_in_host(c, 1, "axes", &t);
        if (st == CLINFER_OK)
            st = onnx_node_host_ints(c, t, "axes", probe, CLINFER_MAX_RANK + 1, &nprobe);
    } else {
        st = onnx_node_attr_ints(c, "axes", probe, CLINFER_MAX_RANK + 1, &nprobe);
    }
    if (st != CLINFER_OK)
        return st;
    if (nprobe < 0 || x->shape.rank + nprobe > CLINFER_MAX_RANK)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "axes are missing or the rank exceeds %d", CLINFER_MAX_RANK);
    int32_t orank = x->shape.rank + nprobe;
    if ((st = onnx_node_axes(c, orank, c->im->opset >= 13, axes, &n)) != CLINFER_OK)
        return st;
    clinfer_shape os;
    memset(&os, 0, sizeof os);
    os.rank = orank;
    for (int32_t d = 0, k = 0, i = 0; d < orank; d++)
        os.dims[d] = k < n && axes[k] == d ? (k++, 1) : x->shape.dims[i++];
    return reshaped(c, x, &os);
}

clinfer_status fold_squeeze(onnx_node *c)
{
    const host_tensor *x;
    int64_t axes[CLINFER_MAX_RANK];
    int32_t n = -1;
    clinfer_status st = input0(c, &x);
    if (st == CLINFER_OK)
        st = onnx_node_axes(c, x->shape.rank, c->im->opset >= 13, axes, &n);
    if (st != CLINFER_OK)
        return st;
    clinfer_shape os;
    memset(&os, 0, sizeof os);
    for (int32_t d = 0, k = 0; d < x->shape.rank; d++) {
        int listed = k < n && axes[k] == d;
        k += listed;
        if (listed && x->shape.dims[d] != 1)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axis %d has size %lld, not 1",
                                   (int)d, (long long)x->shape.dims[d]);
        if (!listed && !(n < 0 && x->shape.dims[d] == 1))
            os.dims[os.rank++] = x->shape.dims[d];
    }
    return reshaped(c, x, &os);
}

clinfer_status fold_flatten(onnx_node *c)
{
    const host_tensor *x;
    int64_t axis = 1;
    clinfer_status st = input0_and_int(c, &x, "axis", 1, &axis);
    if (st != CLINFER_OK)
        return st;
    if (axis < 0)
        axis += x->shape.rank;
    if (axis < 0 || axis > x->shape.rank)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axis is out of range");
    clinfer_shape os = {2, {1, 1}};
    for (int32_t d = 0; d < x->shape.rank; d++)
        os.dims[d < axis ? 0 : 1] *= x->shape.dims[d];
    return reshaped(c, x, &os);
}

clinfer_status fold_reshape(onnx_node *c)
{
    const host_tensor *x, *s = NULL;
    int64_t dims[CLINFER_MAX_RANK], allowzero = 0;
    int32_t n = -1;
    clinfer_status st = input0_and_int(c, &x, "allowzero", 0, &allowzero);
    if (st == CLINFER_OK && c->im->opset < 5)
        st = onnx_node_attr_ints(c, "shape", dims, CLINFER_MAX_RANK, &n);
    else if (st == CLINFER_OK && (st = onnx_node_in_host(c, 1, "shape", &s)) == CLINFER_OK)
        st = onnx_node_host_ints(c, s, "shape", dims, CLINFER_MAX_RANK, &n);
    if (st != CLINFER_OK)
        return st;
    if (n < 0)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "the shape is missing");
    clinfer_shape os = shape_make(n, dims);
    int32_t infer = -1;
    int64_t known = 1;
    for (int32_t d = 0; d < n; d++) {
        if (dims[d] == 0 && !allowzero) {
            if (d >= x->shape.rank)
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                       "shape[%d] = 0 copies a missing dim", (int)d);
            os.dims[d] = x->shape.dims[d];
        } else if (dims[d] == -1 && infer < 0) {
            infer = d;
            continue;
        } else if (dims[d] < 0) {
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "shape[%d] = %lld", (int)d,
                                   (long long)dims[d]);
        }
        if (os.dims[d] > 0 && known > INT32_MAX / os.dims[d])
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "the shape is too large");
        known *= os.dims[d];
    }
    if (infer >= 0)
        os.dims[infer] = known > 0 && x->numel % known == 0 ? x->numel / known : -1;
    if (onnx_numel(os.dims, os.rank) != x->numel)
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "cannot reshape %lld elements to that shape",
                               (long long)x->numel);
    return reshaped(c, x, &os);
}

clinfer_status fold_transpose(onnx_node *c)
{
    const host_tensor *x;
    int64_t perm[CLINFER_MAX_RANK + 1];
    int32_t n = -1;
    clinfer_status st = input0(c, &x);
    if (st == CLINFER_OK)
        st = onnx_node_attr_ints(c, "perm", perm, CLINFER_MAX_RANK + 1, &n);
    if (st != CLINFER_OK)
        return st;
    int32_t rank = x->shape.rank;
    if (n >= 0 && n != rank)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "perm has %d entries for rank %d",
                               (int)n, (int)rank);
    int seen[CLINFER_MAX_RANK] = {0};
    clinfer_shape os = x->shape;
    for (int32_t d = 0; d < rank; d++) {
        if (n < 0)
            perm[d] = rank - 1 - d;
        if (perm[d] < 0 || perm[d] >= rank || seen[perm[d]]++)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "perm is not a permutation");
        os.dims[d] = x->shape.dims[perm[d]];
    }
    host_tensor t;
    if ((st = fold_make(c, &t, x->dtype, &os, x->sym != NULL)) != CLINFER_OK)
        return st;
    int64_t stride[CLINFER_MAX_RANK], s = 1;
    for (int32_t d = rank - 1; d >= 0; d--)
        stride[d] = s, s *= x->shape.dims[d];
    for (int64_t o = 0; o < t.numel; o++) {
        int64_t rem = o, src = 0;
        for (int32_t d = rank - 1; d >= 0; d--) {
            src += (rem % os.dims[d]) * stride[perm[d]];
            rem /= os.dims[d];
        }
        move(&t, o, x, src);
    }
    return emit(c, &t);
}

clinfer_status fold_concat(onnx_node *c)
{
    int64_t axis = 0;
    int32_t n = onnx_node_input_count(c);
    clinfer_status st = onnx_node_attr_int(c, "axis", 0, &axis);
    if (st != CLINFER_OK)
        return st;
    const host_tensor **xs = calloc((size_t)(n > 0 ? n : 1), sizeof *xs);
    if (!xs)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    int sym = 0;
    for (int32_t k = 0; k < n && st == CLINFER_OK; k++) {
        st = onnx_node_in_host(c, k, "data", &xs[k]);
        if (st == CLINFER_OK &&
            (xs[k]->dtype != xs[0]->dtype || xs[k]->shape.rank != xs[0]->shape.rank))
            st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                 "input %d differs from input 0 in type or rank", (int)k);
        if (st == CLINFER_OK)
            sym |= xs[k]->sym != NULL;
    }
    int32_t ax = 0;
    if (st == CLINFER_OK && (n < 1 || !shape_axis(axis, xs[0]->shape.rank, &ax)))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "no inputs, or axis %lld is out of range", (long long)axis);
    clinfer_shape os;
    if (st == CLINFER_OK) {
        os = xs[0]->shape;
        os.dims[ax] = 0;
        for (int32_t k = 0; k < n && st == CLINFER_OK; k++) {
            for (int32_t d = 0; d < os.rank; d++)
                if (d != ax && xs[k]->shape.dims[d] != os.dims[d])
                    st =
                        onnx_node_error(c, CLINFER_ERR_SHAPE, "input %d has another shape", (int)k);
            os.dims[ax] += xs[k]->shape.dims[ax]; /* each < 2^31 */
        }
    }
    host_tensor t;
    if (st == CLINFER_OK)
        st = fold_make(c, &t, xs[0]->dtype, &os, sym);
    if (st == CLINFER_OK) {
        int64_t outer = 1, inner = 1, o = 0;
        for (int32_t d = 0; d < ax; d++)
            outer *= os.dims[d];
        for (int32_t d = ax + 1; d < os.rank; d++)
            inner *= os.dims[d];
        for (int64_t a = 0; a < outer; a++)
            for (int32_t k = 0; k < n; k++) {
                int64_t block = xs[k]->shape.dims[ax] * inner;
                for (int64_t b = 0; b < block; b++)
                    move(&t, o++, xs[k], a * block + b);
            }
        st = emit(c, &t);
    }
    free(xs);
    return st;
}

clinfer_status fold_slice(onnx_node *c)
{
    const host_tensor *x;
    slice_params p = slice_params_default();
    clinfer_status st = input0(c, &x);
    if (st == CLINFER_OK)
        st = onnx_node_slice_params(c, x->shape.rank, p.starts, p.ends, p.axes, p.steps, &p.naxes);
    if (st != CLINFER_OK)
        return st;
    /* Not slice_geometry: a fold may give an empty tensor (LayerNorm's
     * expanded form slices an empty piece of a shape). */
    clinfer_shape os = x->shape;
    int64_t first[CLINFER_MAX_RANK] = {0}, step[CLINFER_MAX_RANK];
    for (int32_t d = 0; d < os.rank; d++)
        step[d] = 1;
    for (int32_t k = 0; k < p.naxes; k++) {
        int32_t d = 0;
        shape_axis(p.axes[k], os.rank, &d); /* checked by onnx_node_slice_params */
        step[d] = p.steps[k];
        os.dims[d] = slice_clamp_axis(x->shape.dims[d], p.starts[k], p.ends[k], step[d], &first[d]);
    }
    host_tensor t;
    if ((st = fold_make(c, &t, x->dtype, &os, x->sym != NULL)) != CLINFER_OK)
        return st;
    int64_t stride[CLINFER_MAX_RANK], s = 1;
    for (int32_t d = x->shape.rank - 1; d >= 0; d--)
        stride[d] = s, s *= x->shape.dims[d];
    for (int64_t o = 0; o < t.numel; o++) {
        int64_t rem = o, src = 0;
        for (int32_t d = os.rank - 1; d >= 0; d--) {
            src += (first[d] + (rem % os.dims[d]) * step[d]) * stride[d];
            rem /= os.dims[d];
        }
        move(&t, o, x, src);
    }
    return emit(c, &t);
}

/* ------------------------------------------------------------ arithmetic */

clinfer_status fold_cast(onnx_node *c)
{
    const host_tensor *x;
    int64_t to = 0;
    clinfer_status st = input0(c, &x);
    if (st == CLINFER_OK)
        st = onnx_node_cast_to(c, &to);
    if (st != CLINFER_OK)
        return st;
    int to_float = to == 1 || to == 10 || to == 11 || to == 16;
    int to_int = (to >= 2 && to <= 7 && to != 1) || to == 9 || to == 12 || to == 13;
    if (!to_float && !to_int)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "cast to %s is not supported",
                               onnx_dtype_name((int32_t)to));
    if (to_float && host_tensor_has_sym(x))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "casting a size that depends on the batch to float");
    host_tensor t;
    if ((st = fold_make(c, &t, to_float ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64, &x->shape,
                   x->sym != NULL && to_int)) != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        if (to_float) {
            t.f[k] = (float)host_tensor_get_f(x, k);
            continue;
        }
        if (x->dtype == CLINFER_DTYPE_FLOAT32 && !(fabsf(x->f[k]) < 9.2e18f)) {
            host_tensor_free(&t);
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "cannot cast %g to an integer",
                                   (double)x->f[k]);
        }
        t.i[k] = to == 9 ? host_tensor_get_f(x, k) != 0 : host_tensor_get_i(x, k);
        if (t.sym)
            t.sym[k] = x->sym[k];
    }
    return emit(c, &t);
}

/* Neg, Floor, Ceil, Round (halves to even) and Sign of a known tensor:
 * shape arithmetic in float (a size scaled, then rounded) or int64 (where
 * Floor, Ceil and Round keep the value, and Neg saturates). */
static float unary_f(const char *op, float v)
{
    if (strcmp(op, "Neg") == 0)
        return -v;
    if (strcmp(op, "Floor") == 0)
        return floorf(v);
    if (strcmp(op, "Ceil") == 0)
        return ceilf(v);
    if (strcmp(op, "Round") == 0)
        return nearbyintf(v);
    return v > 0 ? 1.0f : v < 0 ? -1.0f : v; /* Sign: zeros and NaN as they are */
}

static int64_t unary_i(const char *op, int64_t v)
{
    if (strcmp(op, "Neg") == 0)
        return v == INT64_MIN ? INT64_MAX : -v;
    if (strcmp(op, "Sign") == 0)
        return v > 0 ? 1 : v < 0 ? -1 : 0;
    return v;
}

clinfer_status fold_unary(onnx_node *c)
{
    const host_tensor *x;
    clinfer_status st = input0(c, &x);
    host_tensor t;
    if (st == CLINFER_OK)
        st = fold_make(c, &t, x->dtype, &x->shape, x->sym != NULL);
    if (st != CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        if (t.f)
            t.f[k] = unary_f(c->op, x->f[k]);
        else
            t.i[k] = unary_i(c->op, x->i[k]);
        if (t.sym && x->sym[k])
            t.sym[k] = SYM_DERIVED;
    }
    return emit(c, &t);
}

/* Element k of the broadcast output reads element `src` of an input. */
int64_t fold_bcast_index(const clinfer_shape *in, const clinfer_shape *out, int64_t k)
{
    int64_t src = 0, stride = 1;
    for (int32_t d = out->rank - 1, e = in->rank - 1; d >= 0; d--, e--) {
        int64_t coord = k % out->dims[d];
        k /= out->dims[d];
        if (e >= 0) {
            if (in->dims[e] != 1)
                src += coord * stride;
            stride *= in->dims[e];
        }
    }
    return src;
}

clinfer_status fold_binary(onnx_node *c)
{
    const host_tensor *a, *b;
    clinfer_status st = onnx_node_in_host(c, 0, "A", &a);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "B", &b);
    if (st != CLINFER_OK)
        return st;
    char o = c->op[0]; /* Add, Sub, Mul, Div */
    clinfer_shape os;
    char b1[160], b2[160];
    if (!shape_broadcast(&a->shape, &b->shape, &os))
        return onnx_node_error(c, CLINFER_ERR_SHAPE, "shapes %s and %s do not broadcast",
                               shape_str(&a->shape, b1, sizeof b1),
                               shape_str(&b->shape, b2, sizeof b2));
    int flt = a->dtype == CLINFER_DTYPE_FLOAT32 || b->dtype == CLINFER_DTYPE_FLOAT32;
    int sym = a->sym != NULL || b->sym != NULL;
    if (flt && sym)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "float arithmetic on a size that depends on the batch");
    host_tensor t;
    if ((st = fold_make(c, &t, flt ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64, &os, sym)) !=
        CLINFER_OK)
        return st;
    for (int64_t k = 0; k < t.numel; k++) {
        int64_t ia = fold_bcast_index(&a->shape, &os, k), ib = fold_bcast_index(&b->shape, &os, k);
        if (flt) {
            double x = host_tensor_get_f(a, ia), y = host_tensor_get_f(b, ib);
            t.f[k] = (float)(o == 'A' ? x + y : o == 'S' ? x - y : o == 'M' ? x * y : x / y);
            continue;
        }
        int64_t x = a->i[ia], y = b->i[ib], r = 0;
        int bad = 0;
        if (t.sym && ((a->sym && a->sym[ia]) || (b->sym && b->sym[ib]))) {
            t.sym[k] = SYM_DERIVED;
            t.i[k] = -1;
            continue;
        }
        if (o == 'A')
            bad = __builtin_add_overflow(x, y, &r);
        else if (o == 'S')
            bad = __builtin_sub_overflow(x, y, &r);
        else if (o == 'M')
            bad = __builtin_mul_overflow(x, y, &r);
        else if (y == 0 || (x == INT64_MIN && y == -1))
            bad = 1;
        else
            r = x / y;
        if (bad) {
            host_tensor_free(&t);
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "integer %s of %lld and %lld overflows or divides by zero",
                                   c->op, (long long)x, (long long)y);
        }
        t.i[k] = r;
    }
    return emit(c, &t);
}
