/*
 * ops_tensor.c — the operators that repeat or pick parts of a run-time
 * tensor, translated into builder calls: Expand and Tile (ops/expand.c),
 * Split (one Slice per output), Gather (one Slice and a Reshape for
 * evenly spaced load-time indices, else ops/gather.c, indices known or
 * not), GatherElements (ops/gather_elements.c, indices known or not), and
 * Where and the conditions it takes (comparisons, And, Or, Xor, Not:
 * ops/where.c) on run-time tensors, and Trilu (a Where against a constant
 * mask). When every input is known
 * at load time the ONNX table sends Gather, Where and the conditions to
 * fold.c and fold_logic.c instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/where.h"
#include "../shape.h"
#include "ops_internal.h"

/* ------------------------------------------------------------ Expand, Tile */

/* Entry k of Expand's shape when it copies the open batch size: 1 (take
 * the input's extent) is exact where the input's aligned dim is the batch. */
static clinfer_status expand_open_entry(onnx_node *c, const clinfer_shape *xs, int32_t k,
                                        int32_t n, int64_t *out)
{
    int32_t orank = xs->rank > n ? xs->rank : n;
    int32_t dx = k + (orank - n) - (orank - xs->rank);
    if (dx >= 0 && xs->dims[dx] == CLINFER_BATCH_DIM) {
        *out = 1;
        return CLINFER_OK;
    }
    return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                           "shape[%d] depends on the batch size, which is open while loading, "
                           "and the input's dimension there is not the batch",
                           (int)k);
}

clinfer_status op_expand(onnx_node *c)
{
    clinfer_shape xs, target;
    const host_tensor *t = NULL;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "shape", &t);
    if (st != CLINFER_OK)
        return st;
    if (t->dtype != CLINFER_DTYPE_INT64 || t->shape.rank != 1 || t->numel > CLINFER_MAX_RANK)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "shape must be a 1-D integer tensor of at most %d values",
                               CLINFER_MAX_RANK);
    memset(&target, 0, sizeof target);
    target.rank = (int32_t)t->numel;
    for (int32_t k = 0; k < target.rank && st == CLINFER_OK; k++) {
        if (t->sym && t->sym[k])
            st = expand_open_entry(c, &xs, k, target.rank, &target.dims[k]);
        else
            target.dims[k] = t->i[k];
    }
    for (int32_t d = 0; d < xs.rank && st == CLINFER_OK; d++) {
        int32_t k = d + target.rank - (xs.rank > target.rank ? xs.rank : target.rank);
        if (xs.dims[d] == CLINFER_BATCH_DIM && k >= 0 && target.dims[k] != 1)
            st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                 "expanding the open batch dimension to %lld is not supported",
                                 (long long)target.dims[k]);
    }
    clinfer_value x, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_expand(c->im->g, onnx_node_oname(c), x, &target, &y),
                            &y);
}

clinfer_status op_tile(onnx_node *c)
{
    clinfer_shape xs;
    const host_tensor *t = NULL;
    int64_t repeats[CLINFER_MAX_RANK];
    int32_t n = 0;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "repeats", &t);
    if (st == CLINFER_OK)
        st = onnx_node_host_ints(c, t, "repeats", repeats, CLINFER_MAX_RANK, &n);
    if (st == CLINFER_OK && n != xs.rank)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "%d repeats for an input of rank %d", (int)n, (int)xs.rank);
    if (st == CLINFER_OK && xs.rank > 0 && xs.dims[0] == CLINFER_BATCH_DIM && repeats[0] != 1)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "tiling the open batch dimension (repeats[0] = %lld) is not supported",
                             (long long)repeats[0]);
    clinfer_value x, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_tile(c->im->g, onnx_node_oname(c), x, repeats, n, &y),
                            &y);
}

/* ------------------------------------------------------------------- Split */

/* Input 0's shape and the `axis` attribute (default 0) as an index. */
static clinfer_status shape_and_axis(onnx_node *c, clinfer_shape *xs, int64_t *axis, int32_t *ax)
{
    clinfer_status st = onnx_node_in_shape(c, 0, xs);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", 0, axis);
    if (st == CLINFER_OK && !shape_axis(*axis, xs->rank, ax))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "axis %lld is out of range for rank %d",
                             (long long)*axis, (int)xs->rank);
    return st;
}

/* The sizes of Split's outputs along a dim of `dim`: from the `split`
 * input (opset 13+) or attribute, else num_outputs (opset 18: every part
 * ceil(dim / n), the last what remains), else equal parts. */
static clinfer_status split_sizes(onnx_node *c, int64_t dim, int32_t nout, int64_t *sizes)
{
    int32_t n = -1;
    clinfer_status st = CLINFER_OK;
    if (c->im->opset >= 13) {
        const host_tensor *t = NULL;
        st = onnx_node_in_host_opt(c, 1, "split", &t);
        if (st == CLINFER_OK && t)
            st = onnx_node_host_ints(c, t, "split", sizes, MAX_INTS, &n);
    } else {
        st = onnx_node_attr_ints(c, "split", sizes, MAX_INTS, &n);
    }
    if (st != CLINFER_OK)
        return st;
    if (n >= 0) {
        int64_t total = 0;
        for (int32_t k = 0; k < n; k++)
            total += sizes[k] >= 0 ? sizes[k] : -1;
        if (n != nout || total != dim)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "split gives %d sizes summing to %lld for %d outputs of a "
                                   "dimension of %lld",
                                   (int)n, (long long)total, (int)nout, (long long)dim);
        return CLINFER_OK;
    }
    int64_t parts = nout;
    if ((st = onnx_node_attr_int(c, "num_outputs", nout, &parts)) != CLINFER_OK)
        return st;
    if (parts != nout)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "num_outputs is %lld but the node has %d outputs",
                               (long long)parts, (int)nout);
    int64_t each = (dim + nout - 1) / nout;
    if (c->im->opset < 18 && dim % nout != 0)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "a dimension of %lld does not split into %d equal parts",
                               (long long)dim, (int)nout);
    for (int32_t k = 0; k < nout; k++)
        sizes[k] = k < nout - 1 ? each : dim - each * (nout - 1);
    if (sizes[nout - 1] <= 0)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "splitting %lld into %d parts of %lld leaves the last empty",
                               (long long)dim, (int)nout, (long long)each);
    return CLINFER_OK;
}

clinfer_status op_split(onnx_node *c)
{
    clinfer_shape xs;
    int64_t axis = 0, sizes[MAX_INTS];
    int32_t ax = 0, nout = (int32_t)c->n->n_output;
    clinfer_status st = shape_and_axis(c, &xs, &axis, &ax);
    if (st != CLINFER_OK)
        return st;
    if (xs.dims[ax] == CLINFER_BATCH_DIM)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "splitting the open batch dimension (axis %d) is not supported",
                               (int)ax);
    if (nout < 1 || nout > MAX_INTS)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "%d outputs (1..%d supported)",
                               (int)nout, MAX_INTS);
    clinfer_value x;
    if ((st = split_sizes(c, xs.dims[ax], nout, sizes)) == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    int64_t start = 0, step = 1, a64 = ax;
    for (int32_t k = 0; k < nout && st == CLINFER_OK; k++) {
        int64_t end = start + sizes[k];
        clinfer_value y;
        if (sizes[k] < 1)
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "output %d would be empty (clinfer tensors never are)", (int)k);
        st = onnx_node_build(c, clinfer_graph_slice(c->im->g, onnx_node_out_name(c, k), x, &start,
                                                    &end, &a64, &step, 1, &y));
        if (st == CLINFER_OK)
            st = onnx_node_out_value(c, k, y);
        start = end;
    }
    return st;
}

/* ------------------------------------------------------------------ Gather */

/* Index k of t as a position in [0, dim). */
static int64_t gather_index(const host_tensor *t, int64_t k, int64_t dim)
{
    return t->i[k] < 0 ? t->i[k] + dim : t->i[k];
}

/* Indices i0, i0 + s, i0 + 2s, ... (s != 0, or one index): one Slice. */
static int evenly_spaced(const host_tensor *t, int64_t dim, int64_t *step)
{
    *step = t->numel > 1 ? gather_index(t, 1, dim) - gather_index(t, 0, dim) : 1;
    if (*step == 0)
        return 0;
    for (int64_t k = 2; k < t->numel; k++)
        if (gather_index(t, k, dim) - gather_index(t, k - 1, dim) != *step)
            return 0;
    return 1;
}

/* Evenly spaced known indices t: a Slice of x's rows along ax, reshaped to
 * [.., indices' shape, ..]. */
static clinfer_status gather_slice(onnx_node *c, const clinfer_shape *xs, int32_t ax,
                                   const host_tensor *t, int64_t step)
{
    clinfer_graph *g = c->im->g;
    clinfer_value x, rows, y;
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    char name[512];
    int64_t a64 = ax, first = gather_index(t, 0, xs->dims[ax]), end = first + t->numel * step;
    if (end < 0) /* walking backwards past row 0: an end before every index */
        end = INT64_MIN;
    snprintf(name, sizeof name, "%s:rows", onnx_node_oname(c));
    st = onnx_node_build(c, clinfer_graph_slice(g, name, x, &first, &end, &a64, &step, 1, &rows));
    if (st != CLINFER_OK)
        return st;
    clinfer_shape os;
    memset(&os, 0, sizeof os);
    for (int32_t d = 0; d < ax; d++)
        os.dims[os.rank++] = xs->dims[d] == CLINFER_BATCH_DIM ? 0 : xs->dims[d];
    for (int32_t d = 0; d < t->shape.rank; d++)
        os.dims[os.rank++] = t->shape.dims[d];
    for (int32_t d = ax + 1; d < xs->rank; d++)
        os.dims[os.rank++] = xs->dims[d];
    return onnx_node_out_of(c, clinfer_graph_reshape(g, onnx_node_oname(c), rows, &os, &y), &y);
}

/* ONNX allows int32 and int64 indices only: a known tensor of another
 * type, or a graph input declared so, is an invalid model. */
static clinfer_status gather_check_index_type(onnx_node *c, const onnx_sym *s)
{
    if (s->kind == SYM_HOST && s->host->dtype != CLINFER_DTYPE_INT64)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "indices \"%s\" must be int32 or int64, not float", s->name);
    const Onnx__TypeProto *t = s->is_input && s->info ? s->info->type : NULL;
    if (t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && t->tensor_type &&
        t->tensor_type->has_elem_type && t->tensor_type->elem_type != 6 &&
        t->tensor_type->elem_type != 7)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "indices \"%s\" must be int32 or int64, the graph input is %s",
                               s->name, onnx_dtype_name(t->tensor_type->elem_type));
    return CLINFER_OK;
}

/* Known indices: checked against the axis here, and evenly spaced ones
 * become a Slice (no index tensor to read); the others, and indices
 * computed at run time, one Gather kernel (ops/gather.c). Data known at
 * load time with run-time indices (a lookup table) is a constant. */
clinfer_status op_gather(onnx_node *c)
{
    clinfer_shape xs;
    int64_t axis = 0, step = 1;
    int32_t ax = 0;
    const onnx_sym *is = onnx_node_in(c, 1);
    clinfer_status st = shape_and_axis(c, &xs, &axis, &ax);
    if (st != CLINFER_OK)
        return st;
    if (!is)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "input 1 (indices) is required");
    if ((st = gather_check_index_type(c, is)) != CLINFER_OK)
        return st;
    const int64_t dim = xs.dims[ax];
    if (dim == CLINFER_BATCH_DIM)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "gathering along the open batch dimension is not supported");
    const host_tensor *t = is->kind == SYM_HOST ? is->host : NULL;
    if (t && (host_tensor_has_sym(t) || t->numel < 1))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "indices must be known, non-empty integers or computed at run "
                               "time");
    for (int64_t k = 0; t && k < t->numel; k++)
        if (t->i[k] < -dim || t->i[k] >= dim)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "index %lld is out of range for a dimension of %lld",
                                   (long long)t->i[k], (long long)dim);
    if (t && xs.rank - 1 + t->shape.rank <= CLINFER_MAX_RANK && evenly_spaced(t, dim, &step))
        return gather_slice(c, &xs, ax, t, step);
    clinfer_value data, indices, y;
    if ((st = onnx_node_in_value_ints(c, 0, &data)) != CLINFER_OK ||
        (st = onnx_node_in_value_ints(c, 1, &indices)) != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_gather(c->im->g, onnx_node_oname(c), data, indices, axis, &y), &y);
}

/* ------------------------------------------------------------------- Where */

/* A bool condition (or integer operands) known at load time becomes a
 * float constant: clinfer computes in float32. */
clinfer_status op_where(onnx_node *c)
{
    clinfer_value in[3], y;
    clinfer_status st = CLINFER_OK;
    for (int32_t i = 0; i < 3 && st == CLINFER_OK; i++)
        st = onnx_node_in_value_ints(c, i, &in[i]);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_where(c->im->g, onnx_node_oname(c), in[0], in[1], in[2], &y), &y);
}

/* ---------------------------------------------------------- GatherElements */

/* Known int64 indices become a float constant (checked against the axis by
 * the node); run-time ones arrive as floats (an int64 graph input is
 * converted where it enters). */
clinfer_status op_gather_elements(onnx_node *c)
{
    int64_t axis = 0;
    clinfer_value data, indices, y;
    clinfer_status st = onnx_node_attr_int(c, "axis", 0, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &data);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_ints(c, 1, &indices);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_gather_elements(c->im->g, onnx_node_oname(c), data,
                                                          indices, axis, &y),
                            &y);
}

/* Equal, Less, LessOrEqual, Greater, GreaterOrEqual, And, Or, Xor on
 * run-time tensors: 1 or 0 as floats (bool where a graph output declares
 * it). */
clinfer_status op_compare(onnx_node *c)
{
    clinfer_compare_op op = CLINFER_COMPARE_EQUAL;
    for (int k = COMPARE_EQUAL; k <= COMPARE_LAST; k++)
        if (strcmp(c->op, compare_name((compare_kind)k)) == 0)
            op = (clinfer_compare_op)k;
    clinfer_value a, b, y;
    clinfer_status st = onnx_node_in_value_ints(c, 0, &a);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_ints(c, 1, &b);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_compare(c->im->g, onnx_node_oname(c), op, a, b, &y), &y);
}

/* Not on a run-time tensor: Equal to 0. */
clinfer_status op_not(onnx_node *c)
{
    clinfer_value x, zero, y;
    clinfer_status st = onnx_node_in_value_ints(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_build(c, onnx_node_scalar_constant(c, "zero", 0.0f, &zero));
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_compare(c->im->g, onnx_node_oname(c),
                                                  CLINFER_COMPARE_EQUAL, x, zero, &y),
                            &y);
}

/* ------------------------------------------------------------------- Trilu */

/* Trilu (opset 14) of a tensor of rank 2 or more: the last two dims are
 * the matrix (known at load time), the others a batch of them. Kept are
 * the elements on or above diagonal k (upper: column - row >= k) or on or
 * below it (lower: column - row <= k); the rest become 0. Built as
 * Where(mask, x, 0) with a constant 0/1 mask [rows, cols] broadcast over
 * the batch: exact for every value (a Mul by the mask would turn an inf
 * or NaN it drops into NaN). k is optional input 1, a load-time int64
 * scalar (default 0). */
clinfer_status op_trilu(onnx_node *c)
{
    int64_t upper = 1, k = 0;
    int32_t nk = 1;
    const host_tensor *kt = NULL;
    clinfer_shape xs;
    clinfer_status st = onnx_node_attr_int(c, "upper", 1, &upper);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "upper", upper, 0, 1);
    if (st == CLINFER_OK)
        st = onnx_node_in_host_opt(c, 1, "k", &kt);
    if (st == CLINFER_OK && kt)
        st = onnx_node_host_ints(c, kt, "k", &k, 1, &nk);
    if (st == CLINFER_OK && nk != 1)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "k must hold one value, has none");
    if (st == CLINFER_OK)
        st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && xs.rank < 2)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "input of rank %d: Trilu takes matrices (rank 2 or more)",
                             (int)xs.rank);
    const int64_t rows = st == CLINFER_OK ? xs.dims[xs.rank - 2] : 0;
    const int64_t cols = st == CLINFER_OK ? xs.dims[xs.rank - 1] : 0;
    if (st == CLINFER_OK && rows == CLINFER_BATCH_DIM)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "matrices whose rows are the open batch dimension are not supported");
    if (st == CLINFER_OK && rows * cols > INT32_MAX)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "matrices of %lld x %lld: at most 2^31-1 elements supported",
                             (long long)rows, (long long)cols);
    clinfer_value x, mask, zero, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    float *m = malloc((size_t)(rows * cols) * sizeof *m + 1);
    if (!m)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < cols; j++)
            m[r * cols + j] = (upper ? j - r >= k : j - r <= k) ? 1.0f : 0.0f;
    const clinfer_shape ms = {2, {rows, cols}};
    char b[512];
    st = clinfer_graph_constant(c->im->g, onnx_node_part_name(c, "mask", b, sizeof b), &ms, m,
                                &mask);
    free(m);
    if (st == CLINFER_OK)
        st = onnx_node_scalar_constant(c, "zero", 0.0f, &zero);
    if (st == CLINFER_OK)
        st = clinfer_graph_where(c->im->g, onnx_node_oname(c), mask, x, zero, &y);
    return onnx_node_out_of(c, st, &y);
}
