/*
 * import_node.c — the importer's error reporting, its symbol table of
 * tensor names, and the accessors for a node's inputs and outputs that
 * ops*.c and fold.c use (declared in import.h).
 */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shape.h"
#include "import_internal.h"

clinfer_status im_fail(importer *im, clinfer_status st, const char *fmt, ...)
{
    FORMAT_VARIADIC(im->err, im->errcap, fmt);
    return st;
}

clinfer_status onnx_node_error(onnx_node *c, clinfer_status st, const char *fmt, ...)
{
    char msg[CLINFER_ERRMSG_MAX];
    FORMAT_VARIADIC(msg, sizeof msg, fmt);
    return im_fail(c->im, st, "node \"%s\" (%s): %s", c->name, c->op, msg);
}

clinfer_status onnx_node_opset_error(onnx_node *c, clinfer_status st, const char *fmt, ...)
{
    char msg[CLINFER_ERRMSG_MAX];
    FORMAT_VARIADIC(msg, sizeof msg, fmt);
    st = onnx_node_error(c, st, "%s", msg);
    c->im->issue_kind = CLINFER_ONNX_ISSUE_OPSET;
    return st;
}

clinfer_status onnx_node_build(onnx_node *c, clinfer_status st)
{
    if (st == CLINFER_OK)
        return st;
    char msg[CLINFER_ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s", clinfer_last_errmsg());
    return onnx_node_error(c, st, "%s", msg);
}

/* ------------------------------------------------------------ symbols */

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

onnx_sym *im_find(importer *im, const char *name)
{
    if (!name || !im->table)
        return NULL;
    for (uint32_t k = hash_name(name) & im->table_mask;; k = (k + 1) & im->table_mask) {
        int32_t e = im->table[k];
        if (e == 0)
            return NULL;
        if (strcmp(im->syms[e - 1].name, name) == 0)
            return &im->syms[e - 1];
    }
}

/* Adds a symbol (capacity was reserved); NULL if the name exists. */
onnx_sym *im_add(importer *im, const char *name)
{
    uint32_t k = hash_name(name) & im->table_mask;
    for (; im->table[k]; k = (k + 1) & im->table_mask)
        if (strcmp(im->syms[im->table[k] - 1].name, name) == 0)
            return NULL;
    onnx_sym *s = &im->syms[im->nsyms];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->value = CLINFER_NO_VALUE;
    s->producer = -1;
    im->table[k] = ++im->nsyms;
    return s;
}

void im_free(importer *im)
{
    for (int32_t i = 0; i < im->nsyms; i++)
        if (im->syms[i].host)
            host_tensor_destroy(im->syms[i].host);
    free(im->syms);
    free(im->table);
    im_free_branches(im);
}

/* ------------------------------------------------------------ node accessors */

int32_t onnx_node_input_count(const onnx_node *c) { return (int32_t)c->n->n_input; }

onnx_sym *onnx_node_in(onnx_node *c, int32_t i)
{
    if (i < 0 || (size_t)i >= c->n->n_input || !c->n->input[i] || !c->n->input[i][0])
        return NULL;
    return im_find(c->im, c->n->input[i]); /* resolved in step 2: never NULL here */
}

clinfer_status im_materialize(importer *im, onnx_node *c, onnx_sym *s, clinfer_value *out)
{
    char buf[160];
    if (s->value != CLINFER_NO_VALUE) {
        *out = s->value;
        return CLINFER_OK;
    }
    const host_tensor *t = s->host;
    const char *why = NULL;
    if (t->dtype != CLINFER_DTYPE_FLOAT32)
        why = "is an integer tensor; clinfer computes in float32 only";
    else if (t->numel == 0)
        why = "is empty; clinfer tensors have at least one element";
    else if (host_tensor_has_sym(t))
        why = "depends on the batch size";
    if (why) {
        if (c)
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "tensor \"%s\" (shape %s) %s",
                                   s->name, shape_str(&t->shape, buf, sizeof buf), why);
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "tensor \"%s\" (shape %s) %s", s->name,
                       shape_str(&t->shape, buf, sizeof buf), why);
    }
    clinfer_status st = clinfer_graph_constant(im->g, s->name, &t->shape, t->f, &s->value);
    if (st != CLINFER_OK) {
        s->value = CLINFER_NO_VALUE;
        if (c)
            return onnx_node_build(c, st);
        return im_fail(im, st, "%s", clinfer_last_errmsg());
    }
    *out = s->value;
    return CLINFER_OK;
}

clinfer_status onnx_node_in_value(onnx_node *c, int32_t i, clinfer_value *out)
{
    onnx_sym *s = onnx_node_in(c, i);
    if (!s)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d is required", (int)i);
    if (s->kind == SYM_VALUE) {
        *out = s->value;
        return CLINFER_OK;
    }
    if (s->kind == SYM_HOST)
        return im_materialize(c->im, c, s, out);
    return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d (\"%s\") is not computed",
                           (int)i, s->name);
}

/* The largest integer every float32 holds exactly. */
#define EXACT_FLOAT_INT (1 << 24)

clinfer_status onnx_node_in_value_ints(onnx_node *c, int32_t i, clinfer_value *out)
{
    char buf[160];
    onnx_sym *s = onnx_node_in(c, i);
    if (!s || s->kind != SYM_HOST || s->value != CLINFER_NO_VALUE ||
        s->host->dtype != CLINFER_DTYPE_INT64 || host_tensor_has_sym(s->host) ||
        s->host->numel == 0)
        return onnx_node_in_value(c, i, out); /* its own checks and messages */
    const host_tensor *t = s->host;
    float *f = malloc((size_t)t->numel * sizeof *f);
    if (!f)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int64_t k = 0; k < t->numel; k++) {
        if (t->i[k] < -EXACT_FLOAT_INT || t->i[k] > EXACT_FLOAT_INT) {
            free(f);
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "tensor \"%s\" (shape %s) holds %lld, beyond the integers "
                                   "float32 keeps exactly (clinfer computes in float32)",
                                   s->name, shape_str(&t->shape, buf, sizeof buf),
                                   (long long)t->i[k]);
        }
        f[k] = (float)t->i[k];
    }
    clinfer_status st = clinfer_graph_constant(c->im->g, s->name, &t->shape, f, &s->value);
    free(f);
    if (st != CLINFER_OK) {
        s->value = CLINFER_NO_VALUE;
        return onnx_node_build(c, st);
    }
    *out = s->value;
    return CLINFER_OK;
}

clinfer_status onnx_node_in_value_opt(onnx_node *c, int32_t i, clinfer_value *out)
{
    *out = CLINFER_NO_VALUE;
    return onnx_node_in(c, i) ? onnx_node_in_value(c, i, out) : CLINFER_OK;
}

clinfer_status onnx_node_in_host_opt(onnx_node *c, int32_t i, const char *what,
                                     const host_tensor **out)
{
    *out = NULL;
    onnx_sym *s = onnx_node_in(c, i);
    if (!s)
        return CLINFER_OK;
    if (s->kind != SYM_HOST)
        return onnx_node_error(
            c, CLINFER_ERR_UNSUPPORTED,
            "input %d (%s, \"%s\") must be known when the model is loaded (an "
            "initializer, a Constant, or computed from them), but it is computed "
            "at run time%s",
            (int)i, what, s->name,
            s->is_input ? " (a graph input: give its value when loading)" : "");
    *out = s->host;
    return CLINFER_OK;
}

clinfer_status onnx_node_in_host(onnx_node *c, int32_t i, const char *what, const host_tensor **out)
{
    clinfer_status st = onnx_node_in_host_opt(c, i, what, out);
    if (st == CLINFER_OK && !*out)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d (%s) is required", (int)i,
                               what);
    return st;
}

clinfer_status onnx_node_in_shape(onnx_node *c, int32_t i, clinfer_shape *out)
{
    onnx_sym *s = onnx_node_in(c, i);
    if (!s)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d is required", (int)i);
    if (s->kind == SYM_HOST) {
        *out = s->host->shape;
        return CLINFER_OK;
    }
    if (s->kind != SYM_VALUE)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d is not computed", (int)i);
    return onnx_node_build(c, clinfer_graph_value_shape(c->im->g, s->value, out));
}

clinfer_status onnx_node_host_ints(onnx_node *c, const host_tensor *t, const char *what,
                                   int64_t *buf, int32_t cap, int32_t *count)
{
    if (t->shape.rank > 1)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "%s must be a 1-D tensor, has rank %d",
                               what, (int)t->shape.rank);
    if (t->numel > cap)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "%s has %lld values, at most %d supported", what,
                               (long long)t->numel, (int)cap);
    if (host_tensor_has_sym(t))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "%s depends on the batch size, which is open while loading", what);
    if (t->dtype != CLINFER_DTYPE_INT64)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "%s must be an integer tensor", what);
    for (int64_t k = 0; k < t->numel; k++)
        buf[k] = t->i[k];
    *count = (int32_t)t->numel;
    return CLINFER_OK;
}

clinfer_status onnx_node_host_scalar(onnx_node *c, const host_tensor *t, const char *what,
                                     float *out)
{
    if (t->numel != 1 || host_tensor_has_sym(t))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "%s must hold one value, has %lld",
                               what, (long long)t->numel);
    *out = (float)host_tensor_get_f(t, 0);
    return CLINFER_OK;
}

const char *onnx_node_out_name(const onnx_node *c, int32_t i)
{
    if (i < 0 || (size_t)i >= c->n->n_output || !c->n->output[i])
        return "";
    return c->n->output[i];
}

onnx_sym *onnx_node_out_sym(onnx_node *c, int32_t i)
{
    const char *name = onnx_node_out_name(c, i);
    return name[0] ? im_find(c->im, name) : NULL;
}

clinfer_status onnx_node_out_value(onnx_node *c, int32_t i, clinfer_value v)
{
    onnx_sym *s = onnx_node_out_sym(c, i);
    if (!s)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "output %d is missing", (int)i);
    s->kind = SYM_VALUE;
    s->value = v;
    return CLINFER_OK;
}

clinfer_status onnx_node_out_host(onnx_node *c, int32_t i, host_tensor *t)
{
    onnx_sym *s = onnx_node_out_sym(c, i);
    host_tensor *h = malloc(sizeof *h);
    if (!s || !h) {
        host_tensor_free(t);
        free(h);
        return s ? onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory")
                 : onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "output %d is missing", (int)i);
    }
    *h = *t;
    s->kind = SYM_HOST;
    s->host = h;
    return CLINFER_OK;
}
