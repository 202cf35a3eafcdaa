/*
 * graph.c — graph storage and the builder API (clinfer_graph_*).
 *
 * Each builder call checks that its values exist and its attributes are
 * sane, then appends a node and asks shape inference (nodes/) for the
 * output shape, so that a wrong rank or a kernel larger than its input is
 * reported by the call that caused it. On failure the node is rolled back.
 * The builders of the layers are here; those of the tensor ops and the
 * newer image ops (normalisations, pad, transpose, reductions, Where and
 * the comparisons, gathers, slice, expand, tile, resize, depth/space) are
 * in graph_ops.c.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "graph.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodes/nodes.h"
#include "shape.h"

/* ------------------------------------------------------------ basics */

clinfer_status graph_fail(clinfer_graph *g, clinfer_status status, const char *fmt, ...)
{
    char msg[CLINFER_ERRMSG_MAX];
    FORMAT_VARIADIC(msg, sizeof msg, fmt);
    err_set(NULL, status, "%s", msg);
    if (g)
        snprintf(g->errmsg, sizeof g->errmsg, "%s", clinfer_last_errmsg()); /* escaped */
    return status;
}

clinfer_status clinfer_graph_create(clinfer_graph **out)
{
    if (!out)
        return graph_fail(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_graph_create: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return graph_fail(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate a graph");
    return CLINFER_OK;
}

void clinfer_graph_free(clinfer_graph *g)
{
    if (!g)
        return;
    for (int32_t i = 0; i < g->value_count; i++) {
        free(g->values[i].name);
        free(g->values[i].data);
    }
    for (int32_t i = 0; i < g->node_count; i++) {
        free(g->nodes[i].name);
        free(g->nodes[i].inputs);
    }
    for (int32_t i = 0; i < g->output_count; i++)
        free(g->outputs[i].name);
    free(g->values);
    free(g->nodes);
    free(g->outputs);
    free(g->inputs);
    free(g);
}

const char *clinfer_graph_errmsg(const clinfer_graph *g) { return g ? g->errmsg : ""; }

/* Grows *array (of `size`-byte items) so that it holds `need` items. */
static int grow(void **array, int32_t *capacity, int32_t need, size_t size)
{
    if (need <= *capacity)
        return 1;
    int32_t cap = *capacity ? *capacity * 2 : 16;
    while (cap < need)
        cap *= 2;
    void *p = realloc(*array, (size_t)cap * size);
    if (!p)
        return 0;
    *array = p;
    *capacity = cap;
    return 1;
}

static int32_t find_value(const clinfer_graph *g, const char *name)
{
    for (int32_t i = 0; i < g->value_count; i++)
        if (strcmp(g->values[i].name, name) == 0)
            return i;
    return -1;
}

/* Appends a value; takes over `data` (freed on failure too). */
static clinfer_status add_value(clinfer_graph *g, const char *name, value_kind kind,
                                const clinfer_shape *shape, float *data, int32_t *out)
{
    if (!name || !name[0]) {
        free(data);
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "a value needs a non-empty name");
    }
    if (find_value(g, name) >= 0) {
        free(data);
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "a value named \"%s\" already exists",
                          name);
    }
    char *copy = strdup(name);
    if (!copy ||
        !grow((void **)&g->values, &g->value_capacity, g->value_count + 1, sizeof *g->values)) {
        free(copy);
        free(data);
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot grow the graph");
    }
    graph_value *v = &g->values[g->value_count];
    memset(v, 0, sizeof *v);
    v->name = copy;
    v->kind = kind;
    v->shape = *shape;
    v->data = data;
    v->producer = -1;
    *out = g->value_count++;
    return CLINFER_OK;
}

/* Checks a shape given by a caller: rank in range, dims >= 1 (the first may
 * be the open batch dimension when `batch_ok`), element count in range. */
static clinfer_status check_shape(clinfer_graph *g, const char *what, const char *name,
                                  const clinfer_shape *s, int batch_ok)
{
    char buf[128];
    if (!s || s->rank < 0 || s->rank > CLINFER_MAX_RANK)
        return graph_fail(g, CLINFER_ERR_SHAPE, "%s \"%s\": rank must be 0..%d", what, name,
                          CLINFER_MAX_RANK);
    clinfer_shape probe = *s;
    for (int32_t i = 0; i < s->rank; i++) {
        if (i == 0 && batch_ok && s->dims[0] == CLINFER_BATCH_DIM)
            probe.dims[0] = 1;
        else if (s->dims[i] < 1)
            return graph_fail(g, CLINFER_ERR_SHAPE, "%s \"%s\": dimension %d of %s is not positive",
                              what, name, i, shape_str(s, buf, sizeof buf));
    }
    if (shape_numel(&probe) < 0)
        return graph_fail(g, CLINFER_ERR_SHAPE, "%s \"%s\": %s has too many elements", what, name,
                          shape_str(s, buf, sizeof buf));
    return CLINFER_OK;
}

clinfer_status clinfer_graph_input(clinfer_graph *g, const char *name, const clinfer_shape *shape,
                                   clinfer_value *out)
{
    if (!g || !out)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_graph_input: NULL argument");
    clinfer_status st = check_shape(g, "input", name ? name : "", shape, 1);
    if (st != CLINFER_OK)
        return st;
    if (!grow((void **)&g->inputs, &g->input_capacity, g->input_count + 1, sizeof *g->inputs))
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot grow the graph");
    st = add_value(g, name, VALUE_INPUT, shape, NULL, out);
    if (st == CLINFER_OK)
        g->inputs[g->input_count++] = *out;
    return st;
}

clinfer_status graph_add_owned_constant(clinfer_graph *g, const char *name,
                                        const clinfer_shape *shape, float *data, int32_t *out)
{
    clinfer_status st = check_shape(g, "constant", name ? name : "", shape, 0);
    if (st != CLINFER_OK) {
        free(data);
        return st;
    }
    return add_value(g, name, VALUE_CONSTANT, shape, data, out);
}

clinfer_status clinfer_graph_constant(clinfer_graph *g, const char *name,
                                      const clinfer_shape *shape, const float *data,
                                      clinfer_value *out)
{
    if (!g || !out || !data || !shape)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "clinfer_graph_constant: NULL argument");
    clinfer_status st = check_shape(g, "constant", name ? name : "", shape, 0);
    if (st != CLINFER_OK)
        return st;
    size_t bytes = (size_t)shape_numel(shape) * sizeof(float);
    float *copy = malloc(bytes ? bytes : 1);
    if (!copy)
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot copy constant \"%s\"", name);
    memcpy(copy, data, bytes);
    return add_value(g, name, VALUE_CONSTANT, shape, copy, out);
}

int graph_is_output(const clinfer_graph *g, int32_t v)
{
    for (int32_t i = 0; i < g->output_count; i++)
        if (g->outputs[i].value == v)
            return 1;
    return 0;
}

int32_t graph_consumer_count(const clinfer_graph *g, int32_t v)
{
    int32_t n = 0;
    for (int32_t i = 0; i < g->node_count; i++)
        for (int32_t k = 0; !g->nodes[i].removed && k < g->nodes[i].input_count; k++)
            n += g->nodes[i].inputs[k] == v;
    return n;
}

int graph_valid_value(const clinfer_graph *g, clinfer_value v)
{
    return v >= 0 && v < g->value_count;
}

clinfer_status clinfer_graph_output(clinfer_graph *g, clinfer_value value, const char *name)
{
    if (!g || !graph_valid_value(g, value))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                          "clinfer_graph_output: no value %d in the graph", (int)value);
    if (graph_is_output(g, value))
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "value \"%s\" is already an output",
                          g->values[value].name);
    char *copy = strdup(name ? name : g->values[value].name);
    graph_output *grown = realloc(g->outputs, (size_t)(g->output_count + 1) * sizeof *grown);
    if (!copy || !grown) {
        free(copy);
        if (grown)
            g->outputs = grown;
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot grow the graph");
    }
    g->outputs = grown;
    g->outputs[g->output_count++] = (graph_output){copy, value, CLINFER_DTYPE_FLOAT32};
    return CLINFER_OK;
}

clinfer_status clinfer_graph_value_shape(const clinfer_graph *g, clinfer_value value,
                                         clinfer_shape *out)
{
    if (!g || !out || !graph_valid_value(g, value))
        return graph_fail(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                          "clinfer_graph_value_shape: no value %d in the graph", (int)value);
    *out = g->values[value].shape;
    return CLINFER_OK;
}

/* ------------------------------------------------------------ nodes */

#define OP_NAME_ENTRY(kind, name, impl, view) name,
#define OP_VIEW_ENTRY(kind, name, impl, view) view,
static const char *const op_names[] = {CLINFER_OP_LIST(OP_NAME_ENTRY)};
static const unsigned char op_views[] = {CLINFER_OP_LIST(OP_VIEW_ENTRY)};
_Static_assert(sizeof op_names / sizeof op_names[0] == OP_KIND_COUNT, "one name per op");

const char *op_kind_name(op_kind op) { return op < OP_KIND_COUNT ? op_names[op] : "?"; }

int op_is_view(op_kind op) { return op < OP_KIND_COUNT && op_views[op]; }

/* Removes the last node and its output value (a failed builder call). */
static void pop_node(clinfer_graph *g)
{
    graph_node *n = &g->nodes[--g->node_count];
    graph_value *v = &g->values[n->output];
    free(v->name);
    g->value_count--;
    free(n->name);
    free(n->inputs);
}

const char *graph_default_name(const clinfer_graph *g, const char *name, const char *prefix,
                               char *buf, size_t cap)
{
    if (name && name[0])
        return name;
    snprintf(buf, cap, "%s_%d", prefix, (int)g->node_count);
    return buf;
}

void graph_roll_back(clinfer_graph *g, int32_t node_count, int32_t value_count)
{
    while (g->node_count > node_count) {
        graph_node *n = &g->nodes[--g->node_count];
        free(n->name);
        free(n->inputs);
    }
    while (g->value_count > value_count) {
        graph_value *v = &g->values[--g->value_count];
        free(v->name);
        free(v->data);
    }
}

/* Infers the node's output shape with the open batch dimension set to 1 and
 * to 2; dimensions that differ follow the batch and are shown as open. */
static clinfer_status infer_builder_shape(clinfer_graph *g, const graph_node *n,
                                          clinfer_shape *out)
{
    int open = 0;
    for (int32_t i = 0; i < g->input_count; i++)
        open |= g->values[g->inputs[i]].shape.rank > 0 &&
                g->values[g->inputs[i]].shape.dims[0] == CLINFER_BATCH_DIM;
    clinfer_shape one, two;
    clinfer_status st = nodes_infer_with_batch(g, n, 1, &one);
    if (st != CLINFER_OK)
        return graph_fail(g, st, "%s", clinfer_last_errmsg());
    *out = one;
    if (open && nodes_infer_with_batch(g, n, 2, &two) == CLINFER_OK && two.rank == one.rank)
        for (int32_t d = 0; d < one.rank; d++)
            if (one.dims[d] != two.dims[d])
                out->dims[d] = CLINFER_BATCH_DIM;
    return CLINFER_OK;
}

clinfer_status graph_add_node(clinfer_graph *g, const char *name, op_kind op,
                              const clinfer_value *inputs, int32_t count, const node_attrs *attrs,
                              clinfer_value *out)
{
    if (!g || !out)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "%s: NULL graph or output",
                          op_kind_name(op));
    for (int32_t i = 0; i < count; i++)
        if (inputs[i] != CLINFER_NO_VALUE && !graph_valid_value(g, inputs[i]))
            return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                              "%s \"%s\": input %d is not a value of this graph (%d)",
                              op_kind_name(op), name ? name : "", (int)i, (int)inputs[i]);
    char generated[64];
    name = graph_default_name(g, name, op_kind_name(op), generated, sizeof generated);
    if (!grow((void **)&g->nodes, &g->node_capacity, g->node_count + 1, sizeof *g->nodes))
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot grow the graph");
    int32_t value = -1;
    clinfer_shape unknown = shape_make(0, NULL);
    clinfer_status st = add_value(g, name, VALUE_NODE, &unknown, NULL, &value);
    if (st != CLINFER_OK)
        return st;
    graph_node *n = &g->nodes[g->node_count++];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->output = value;
    n->attrs = *attrs;
    n->name = strdup(name);
    n->inputs = malloc((size_t)(count > 0 ? count : 1) * sizeof *n->inputs);
    if (!n->name || !n->inputs) {
        pop_node(g);
        return graph_fail(g, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot grow the graph");
    }
    memcpy(n->inputs, inputs, (size_t)count * sizeof *inputs);
    n->input_count = count;
    g->values[value].producer = g->node_count - 1;
    clinfer_shape shape;
    st = infer_builder_shape(g, n, &shape);
    if (st != CLINFER_OK) {
        pop_node(g);
        return st;
    }
    g->values[value].shape = shape;
    *out = value;
    return CLINFER_OK;
}

/* Requires `v` to be a constant (weights are uploaded once at compile). */
static clinfer_status need_constant(clinfer_graph *g, const char *op, const char *role,
                                    clinfer_value v)
{
    if (v == CLINFER_NO_VALUE || (graph_valid_value(g, v) && g->values[v].kind == VALUE_CONSTANT))
        return CLINFER_OK;
    return graph_fail(g, CLINFER_ERR_UNSUPPORTED, "%s: the %s must be a constant", op, role);
}

/* ------------------------------------------------------------ layers */

clinfer_conv2d_desc clinfer_conv2d_desc_default(void)
{
    clinfer_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.stride_h = d.stride_w = 1;
    d.dilation_h = d.dilation_w = 1;
    d.groups = 1;
    return d;
}

clinfer_pool2d_desc clinfer_pool2d_desc_default(int32_t kernel)
{
    clinfer_pool2d_desc d;
    memset(&d, 0, sizeof d);
    d.kind = CLINFER_POOL_MAX;
    d.kernel_h = d.kernel_w = kernel;
    d.stride_h = d.stride_w = kernel;
    d.dilation_h = d.dilation_w = 1;
    return d;
}

clinfer_status clinfer_graph_conv2d(clinfer_graph *g, const char *name, clinfer_value x,
                                    clinfer_value weight, clinfer_value bias,
                                    const clinfer_conv2d_desc *desc, clinfer_value *out)
{
    clinfer_status st = need_constant(g, "conv2d", "weight", weight);
    if (st == CLINFER_OK)
        st = need_constant(g, "conv2d", "bias", bias);
    if (st != CLINFER_OK)
        return st;
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.conv = desc ? *desc : clinfer_conv2d_desc_default();
    const clinfer_value in[3] = {x, weight, bias};
    return graph_add_node(g, name, OP_CONV2D, in, 3, &a, out);
}

clinfer_conv_transpose2d_desc clinfer_conv_transpose2d_desc_default(void)
{
    clinfer_conv_transpose2d_desc d;
    memset(&d, 0, sizeof d);
    d.stride_h = d.stride_w = 1;
    d.dilation_h = d.dilation_w = 1;
    d.groups = 1;
    return d;
}

clinfer_status clinfer_graph_conv_transpose2d(clinfer_graph *g, const char *name,
                                              clinfer_value x, clinfer_value weight,
                                              clinfer_value bias,
                                              const clinfer_conv_transpose2d_desc *desc,
                                              clinfer_value *out)
{
    clinfer_status st = need_constant(g, "conv_transpose2d", "weight", weight);
    if (st == CLINFER_OK)
        st = need_constant(g, "conv_transpose2d", "bias", bias);
    if (st != CLINFER_OK)
        return st;
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.conv_transpose = desc ? *desc : clinfer_conv_transpose2d_desc_default();
    const clinfer_value in[3] = {x, weight, bias};
    return graph_add_node(g, name, OP_CONV_TRANSPOSE, in, 3, &a, out);
}

clinfer_status clinfer_graph_pool2d(clinfer_graph *g, const char *name, clinfer_value x,
                                    const clinfer_pool2d_desc *desc, clinfer_value *out)
{
    if (!desc)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "pool2d: desc is NULL");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.pool = *desc;
    return graph_add_node(g, name, OP_POOL2D, &x, 1, &a, out);
}

clinfer_status clinfer_graph_global_pool(clinfer_graph *g, const char *name, clinfer_value x,
                                         clinfer_pool_kind kind, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.global_pool = kind;
    return graph_add_node(g, name, OP_GLOBAL_POOL, &x, 1, &a, out);
}

clinfer_status clinfer_graph_gemm(clinfer_graph *g, const char *name, clinfer_value a,
                                  clinfer_value b, clinfer_value c, int trans_a, int trans_b,
                                  float alpha, float beta, clinfer_value *out)
{
    node_attrs at;
    memset(&at, 0, sizeof at);
    at.gemm = (gemm_attrs){trans_a != 0, trans_b != 0, alpha, beta, CLINFER_ACT_NONE, 0, 0};
    const clinfer_value in[3] = {a, b, c};
    return graph_add_node(g, name, OP_GEMM, in, 3, &at, out);
}

clinfer_status clinfer_graph_dense(clinfer_graph *g, const char *name, clinfer_value x,
                                   clinfer_value kernel, clinfer_value bias,
                                   clinfer_activation activation, clinfer_value *out)
{
    clinfer_status st = need_constant(g, "dense", "kernel", kernel);
    if (st == CLINFER_OK)
        st = need_constant(g, "dense", "bias", bias);
    if (st != CLINFER_OK)
        return st;
    node_attrs at;
    memset(&at, 0, sizeof at);
    at.gemm = (gemm_attrs){0, 0, 1.0f, 1.0f, activation, 0, 0};
    const clinfer_value in[3] = {x, kernel, bias};
    return graph_add_node(g, name, OP_GEMM, in, 3, &at, out);
}

clinfer_status clinfer_graph_matmul(clinfer_graph *g, const char *name, clinfer_value a,
                                    clinfer_value b, clinfer_value *out)
{
    node_attrs at;
    memset(&at, 0, sizeof at);
    const clinfer_value in[2] = {a, b};
    return graph_add_node(g, name, OP_MATMUL, in, 2, &at, out);
}

clinfer_status clinfer_graph_unary(clinfer_graph *g, const char *name, clinfer_unary_op op,
                                   clinfer_value x, float alpha, float beta, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.unary.op = op;
    a.unary.alpha = alpha;
    a.unary.beta = beta;
    return graph_add_node(g, name, OP_UNARY, &x, 1, &a, out);
}

clinfer_status clinfer_graph_binary(clinfer_graph *g, const char *name, clinfer_binary_op op,
                                    clinfer_value a, clinfer_value b, clinfer_value *out)
{
    node_attrs at;
    memset(&at, 0, sizeof at);
    at.binary.op = op;
    const clinfer_value in[2] = {a, b};
    return graph_add_node(g, name, OP_BINARY, in, 2, &at, out);
}

clinfer_status clinfer_graph_softmax(clinfer_graph *g, const char *name, clinfer_value x,
                                     int32_t axis, int log, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.softmax.axis = axis;
    a.softmax.log = log != 0;
    return graph_add_node(g, name, OP_SOFTMAX, &x, 1, &a, out);
}

clinfer_status graph_softmax_ex(clinfer_graph *g, const char *name, clinfer_value x,
                                int32_t axis, int log, int legacy, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.softmax.axis = axis;
    a.softmax.log = log != 0;
    a.softmax.legacy = legacy != 0;
    return graph_add_node(g, name, OP_SOFTMAX, &x, 1, &a, out);
}

clinfer_status clinfer_graph_concat(clinfer_graph *g, const char *name, const clinfer_value *xs,
                                    int32_t count, int32_t axis, clinfer_value *out)
{
    if (!xs || count < 1)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "concat: needs at least one input");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.concat.axis = axis;
    return graph_add_node(g, name, OP_CONCAT, xs, count, &a, out);
}

clinfer_status clinfer_graph_batchnorm(clinfer_graph *g, const char *name, clinfer_value x,
                                       clinfer_value scale, clinfer_value bias,
                                       clinfer_value mean, clinfer_value var, float epsilon,
                                       clinfer_value *out)
{
    const clinfer_value in[5] = {x, scale, bias, mean, var};
    for (int i = 1; i < 5; i++) {
        clinfer_status st = need_constant(g, "batchnorm", "scale, bias, mean and var", in[i]);
        if (st == CLINFER_OK && in[i] == CLINFER_NO_VALUE)
            st = graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT,
                            "batchnorm: scale, bias, mean and var are required");
        if (st != CLINFER_OK)
            return st;
    }
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.batchnorm.epsilon = epsilon;
    return graph_add_node(g, name, OP_BATCHNORM, in, 5, &a, out);
}

clinfer_status clinfer_graph_flatten(clinfer_graph *g, const char *name, clinfer_value x,
                                     int32_t axis, clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.flatten.axis = axis;
    return graph_add_node(g, name, OP_FLATTEN, &x, 1, &a, out);
}

clinfer_status clinfer_graph_reshape(clinfer_graph *g, const char *name, clinfer_value x,
                                     const clinfer_shape *shape, clinfer_value *out)
{
    if (!shape || shape->rank < 0 || shape->rank > CLINFER_MAX_RANK)
        return graph_fail(g, CLINFER_ERR_INVALID_ARGUMENT, "reshape: bad target shape");
    node_attrs a;
    memset(&a, 0, sizeof a);
    a.reshape.target = *shape;
    return graph_add_node(g, name, OP_RESHAPE, &x, 1, &a, out);
}

clinfer_status graph_drop_lead(clinfer_graph *g, const char *op, const char *name,
                               clinfer_value v, int32_t from, clinfer_value *out)
{
    const clinfer_shape *s = &g->values[v].shape;
    clinfer_shape t = {s->rank - from, {0}};
    int open = 0;
    for (int32_t i = from; i < s->rank; i++) {
        t.dims[i - from] = s->dims[i] == CLINFER_BATCH_DIM ? -1 : s->dims[i];
        open += s->dims[i] == CLINFER_BATCH_DIM;
    }
    if (open > 1)
        return graph_fail(g, CLINFER_ERR_UNSUPPORTED,
                          "%s \"%s\": more than one of its sizes depends on the batch size", op,
                          name);
    return clinfer_graph_reshape(g, name, v, &t, out);
}

clinfer_status clinfer_graph_identity(clinfer_graph *g, const char *name, clinfer_value x,
                                      clinfer_value *out)
{
    node_attrs a;
    memset(&a, 0, sizeof a);
    return graph_add_node(g, name, OP_IDENTITY, &x, 1, &a, out);
}

/* ------------------------------------------------------------ clone */

clinfer_status graph_clone(const clinfer_graph *src, clinfer_graph **out)
{
    clinfer_graph *g = NULL;
    clinfer_status st = clinfer_graph_create(&g);
    if (st != CLINFER_OK)
        return st;
    int ok = grow((void **)&g->values, &g->value_capacity, src->value_count, sizeof *g->values) &&
             grow((void **)&g->nodes, &g->node_capacity, src->node_count, sizeof *g->nodes);
    for (int32_t i = 0; ok && i < src->value_count; i++) {
        graph_value *v = &g->values[i];
        *v = src->values[i];
        v->name = strdup(src->values[i].name);
        v->data = NULL;
        g->value_count++;
        if (src->values[i].data) {
            size_t bytes = (size_t)shape_numel(&v->shape) * sizeof(float);
            v->data = malloc(bytes ? bytes : 1);
            if (v->data)
                memcpy(v->data, src->values[i].data, bytes);
        }
        ok = v->name && (!src->values[i].data || v->data);
    }
    for (int32_t i = 0; ok && i < src->node_count; i++) {
        graph_node *n = &g->nodes[i];
        *n = src->nodes[i];
        n->name = strdup(src->nodes[i].name);
        n->inputs = malloc((size_t)(n->input_count > 0 ? n->input_count : 1) * sizeof *n->inputs);
        g->node_count++;
        if (n->inputs)
            memcpy(n->inputs, src->nodes[i].inputs, (size_t)n->input_count * sizeof *n->inputs);
        ok = n->name && n->inputs;
    }
    if (ok && src->input_count) {
        g->inputs = malloc((size_t)src->input_count * sizeof *g->inputs);
        ok = g->inputs != NULL;
        if (ok) {
            memcpy(g->inputs, src->inputs, (size_t)src->input_count * sizeof *g->inputs);
            g->input_count = g->input_capacity = src->input_count;
        }
    }
    if (ok && src->output_count) {
        g->outputs = calloc((size_t)src->output_count, sizeof *g->outputs);
        ok = g->outputs != NULL;
        for (int32_t i = 0; ok && i < src->output_count; i++) {
            g->outputs[i].value = src->outputs[i].value;
            g->outputs[i].dtype = src->outputs[i].dtype;
            g->outputs[i].name = strdup(src->outputs[i].name);
            g->output_count++;
            ok = g->outputs[i].name != NULL;
        }
    }
    if (!ok) {
        clinfer_graph_free(g);
        return graph_fail(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot copy the graph");
    }
    *out = g;
    return CLINFER_OK;
}
