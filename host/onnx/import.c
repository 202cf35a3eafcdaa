/*
 * import.c — a decoded ONNX model into a clinfer graph.
 *
 * Order of work, so that nothing is built from unchecked data:
 *   1. the opset, every initializer (decoded and checked), every graph
 *      input and node output registered by name (duplicates refused);
 *   2. every node input resolved (dangling names refused), uses counted,
 *      the inputs that nodes need as constants marked;
 *   3. nodes sorted topologically (Kahn; a cycle is refused);
 *   4. graph inputs declared (or frozen to constants when a value is bound
 *      and a node needs it as one), then every node either folded on the
 *      host (fold.c) or translated into builder calls (ops.c), then the
 *      outputs marked.
 * Value names in the graph are the ONNX tensor names (unique by the SSA rule
 * of ONNX), so nodes and values never collide.
 */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shape.h"

static clinfer_status im_fail(importer *im, clinfer_status st, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

static clinfer_status im_fail(importer *im, clinfer_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->err, im->errcap, fmt, ap);
    va_end(ap);
    return st;
}

clinfer_status node_error(onnx_node *c, clinfer_status st, const char *fmt, ...)
{
    char msg[CLINFER_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return im_fail(c->im, st, "node \"%s\" (%s): %s", c->name, c->op, msg);
}

clinfer_status node_build(onnx_node *c, clinfer_status st)
{
    if (st == CLINFER_OK)
        return st;
    char msg[CLINFER_ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s", clinfer_last_errmsg());
    return node_error(c, st, "%s", msg);
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
static onnx_sym *im_add(importer *im, const char *name)
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

static void im_free(importer *im)
{
    for (int32_t i = 0; i < im->nsyms; i++)
        if (im->syms[i].host)
            host_tensor_destroy(im->syms[i].host);
    free(im->syms);
    free(im->table);
}

/* ------------------------------------------------------------ node accessors */

int32_t node_input_count(const onnx_node *c) { return (int32_t)c->n->n_input; }

onnx_sym *node_in(onnx_node *c, int32_t i)
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
            return node_error(c, CLINFER_ERR_UNSUPPORTED, "tensor \"%s\" (shape %s) %s", s->name,
                              shape_str(&t->shape, buf, sizeof buf), why);
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "tensor \"%s\" (shape %s) %s", s->name,
                       shape_str(&t->shape, buf, sizeof buf), why);
    }
    clinfer_status st = clinfer_graph_constant(im->g, s->name, &t->shape, t->f, &s->value);
    if (st != CLINFER_OK) {
        s->value = CLINFER_NO_VALUE;
        if (c)
            return node_build(c, st);
        return im_fail(im, st, "%s", clinfer_last_errmsg());
    }
    *out = s->value;
    return CLINFER_OK;
}

clinfer_status node_in_value(onnx_node *c, int32_t i, clinfer_value *out)
{
    onnx_sym *s = node_in(c, i);
    if (!s)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d is required", (int)i);
    if (s->kind == SYM_VALUE) {
        *out = s->value;
        return CLINFER_OK;
    }
    if (s->kind == SYM_HOST)
        return im_materialize(c->im, c, s, out);
    return node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d (\"%s\") is not computed", (int)i,
                      s->name);
}

clinfer_status node_in_value_opt(onnx_node *c, int32_t i, clinfer_value *out)
{
    *out = CLINFER_NO_VALUE;
    return node_in(c, i) ? node_in_value(c, i, out) : CLINFER_OK;
}

clinfer_status node_in_host_opt(onnx_node *c, int32_t i, const char *what,
                                const host_tensor **out)
{
    *out = NULL;
    onnx_sym *s = node_in(c, i);
    if (!s)
        return CLINFER_OK;
    if (s->kind != SYM_HOST)
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "input %d (%s, \"%s\") must be known when the model is loaded (an "
                          "initializer, a Constant, or computed from them), but it is computed "
                          "at run time%s",
                          (int)i, what, s->name,
                          s->is_input ? " (a graph input: give its value when loading)" : "");
    *out = s->host;
    return CLINFER_OK;
}

clinfer_status node_in_host(onnx_node *c, int32_t i, const char *what, const host_tensor **out)
{
    clinfer_status st = node_in_host_opt(c, i, what, out);
    if (st == CLINFER_OK && !*out)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d (%s) is required", (int)i, what);
    return st;
}

clinfer_status node_in_shape(onnx_node *c, int32_t i, clinfer_shape *out)
{
    onnx_sym *s = node_in(c, i);
    if (!s)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d is required", (int)i);
    if (s->kind == SYM_HOST) {
        *out = s->host->shape;
        return CLINFER_OK;
    }
    if (s->kind != SYM_VALUE)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "input %d is not computed", (int)i);
    return node_build(c, clinfer_graph_value_shape(c->im->g, s->value, out));
}

clinfer_status node_host_ints(onnx_node *c, const host_tensor *t, const char *what, int64_t *buf,
                              int32_t cap, int32_t *count)
{
    if (t->shape.rank > 1)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "%s must be a 1-D tensor, has rank %d",
                          what, (int)t->shape.rank);
    if (t->numel > cap)
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "%s has %lld values, at most %d supported",
                          what, (long long)t->numel, (int)cap);
    if (host_tensor_has_sym(t))
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "%s depends on the batch size, which is open while loading", what);
    if (t->dtype != CLINFER_DTYPE_INT64)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "%s must be an integer tensor", what);
    for (int64_t k = 0; k < t->numel; k++)
        buf[k] = t->i[k];
    *count = (int32_t)t->numel;
    return CLINFER_OK;
}

clinfer_status node_host_scalar(onnx_node *c, const host_tensor *t, const char *what, float *out)
{
    if (t->numel != 1 || host_tensor_has_sym(t))
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "%s must hold one value, has %lld", what,
                          (long long)t->numel);
    *out = (float)host_tensor_get_f(t, 0);
    return CLINFER_OK;
}

const char *node_out_name(const onnx_node *c, int32_t i)
{
    if (i < 0 || (size_t)i >= c->n->n_output || !c->n->output[i])
        return "";
    return c->n->output[i];
}

static onnx_sym *out_sym(onnx_node *c, int32_t i)
{
    const char *name = node_out_name(c, i);
    return name[0] ? im_find(c->im, name) : NULL;
}

clinfer_status node_out_value(onnx_node *c, int32_t i, clinfer_value v)
{
    onnx_sym *s = out_sym(c, i);
    if (!s)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "output %d is missing", (int)i);
    s->kind = SYM_VALUE;
    s->value = v;
    return CLINFER_OK;
}

clinfer_status node_out_host(onnx_node *c, int32_t i, host_tensor *t)
{
    onnx_sym *s = out_sym(c, i);
    host_tensor *h = malloc(sizeof *h);
    if (!s || !h) {
        host_tensor_free(t);
        free(h);
        return s ? node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory")
                 : node_error(c, CLINFER_ERR_INVALID_MODEL, "output %d is missing", (int)i);
    }
    *h = *t;
    s->kind = SYM_HOST;
    s->host = h;
    return CLINFER_OK;
}

/* ------------------------------------------------------------ attributes */

static const char *attr_type_name(int32_t t)
{
    switch (t) {
    case 1: return "FLOAT";
    case 2: return "INT";
    case 3: return "STRING";
    case 4: return "TENSOR";
    case 5: return "GRAPH";
    case 6: return "FLOATS";
    case 7: return "INTS";
    case 8: return "STRINGS";
    case 9: return "TENSORS";
    case 10: return "GRAPHS";
    case 11: return "SPARSE_TENSOR";
    case 12: return "SPARSE_TENSORS";
    case 13: return "TYPE_PROTO";
    case 14: return "TYPE_PROTOS";
    default: return "UNDEFINED";
    }
}

/* The attribute's type: its type field, or (old files) the field present. */
static int32_t attr_type(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != 0)
        return a->type;
    if (a->has_f)
        return 1;
    if (a->has_i)
        return 2;
    if (a->has_s)
        return 3;
    if (a->t)
        return 4;
    if (a->n_floats)
        return 6;
    if (a->n_ints)
        return 7;
    if (a->n_strings)
        return 8;
    return 0;
}

const Onnx__AttributeProto *node_attr(const onnx_node *c, const char *name)
{
    for (size_t k = 0; k < c->n->n_attribute; k++)
        if (c->n->attribute[k]->name && strcmp(c->n->attribute[k]->name, name) == 0)
            return c->n->attribute[k];
    return NULL;
}

static clinfer_status attr_typed(onnx_node *c, const char *name, int32_t want,
                                 const Onnx__AttributeProto **out)
{
    *out = node_attr(c, name);
    if (*out && attr_type(*out) != want) {
        int32_t t = attr_type(*out);
        *out = NULL;
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"%s\" has type %s, expected %s",
                          name, attr_type_name(t), attr_type_name(want));
    }
    return CLINFER_OK;
}

clinfer_status node_attr_int(onnx_node *c, const char *name, int64_t def, int64_t *out)
{
    const Onnx__AttributeProto *a;
    clinfer_status st = attr_typed(c, name, 2, &a);
    *out = a ? a->i : def;
    return st;
}

clinfer_status node_attr_float(onnx_node *c, const char *name, float def, float *out)
{
    const Onnx__AttributeProto *a;
    clinfer_status st = attr_typed(c, name, 1, &a);
    *out = a ? a->f : def;
    return st;
}

clinfer_status node_attr_string(onnx_node *c, const char *name, const char *def,
                                const char **out)
{
    const Onnx__AttributeProto *a;
    clinfer_status st = attr_typed(c, name, 3, &a);
    *out = def;
    if (a && a->has_s) {
        /* protobuf-c bytes are not NUL-terminated: only short, clean strings. */
        static _Thread_local char buf[64];
        if (a->s.len >= sizeof buf || memchr(a->s.data, 0, a->s.len))
            return node_error(c, CLINFER_ERR_UNSUPPORTED,
                              "attribute \"%s\": a string of %zu bytes is not a value clinfer "
                              "knows",
                              name, a->s.len);
        memcpy(buf, a->s.data, a->s.len);
        buf[a->s.len] = 0;
        *out = buf;
    } else if (a) {
        *out = "";
    }
    return st;
}

clinfer_status node_attr_ints(onnx_node *c, const char *name, int64_t *buf, int32_t cap,
                              int32_t *count)
{
    const Onnx__AttributeProto *a;
    *count = -1;
    clinfer_status st = attr_typed(c, name, 7, &a);
    if (st != CLINFER_OK || !a)
        return st;
    if (a->n_ints > (size_t)cap)
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"%s\" has %zu values, at most %d",
                          name, a->n_ints, (int)cap);
    for (size_t k = 0; k < a->n_ints; k++)
        buf[k] = a->ints[k];
    *count = (int32_t)a->n_ints;
    return CLINFER_OK;
}

clinfer_status node_attr_floats(onnx_node *c, const char *name, float *buf, int32_t cap,
                                int32_t *count)
{
    const Onnx__AttributeProto *a;
    *count = -1;
    clinfer_status st = attr_typed(c, name, 6, &a);
    if (st != CLINFER_OK || !a)
        return st;
    if (a->n_floats > (size_t)cap)
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"%s\" has %zu values, at most %d",
                          name, a->n_floats, (int)cap);
    for (size_t k = 0; k < a->n_floats; k++)
        buf[k] = a->floats[k];
    *count = (int32_t)a->n_floats;
    return CLINFER_OK;
}

clinfer_status node_attr_tensor(onnx_node *c, const char *name, host_tensor *out, int *present)
{
    const Onnx__AttributeProto *a;
    *present = 0;
    memset(out, 0, sizeof *out);
    clinfer_status st = attr_typed(c, name, 4, &a);
    if (st != CLINFER_OK || !a)
        return st;
    if (!a->t)
        return node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"%s\" holds no tensor", name);
    char msg[CLINFER_ERRMSG_MAX - 256];
    st = onnx_tensor_decode(a->t, name, out, msg, sizeof msg);
    if (st != CLINFER_OK)
        return node_error(c, st, "attribute %s", msg);
    *present = 1;
    return CLINFER_OK;
}

/* Every attribute must be one the op understands, named once, not a
 * reference to a function attribute. */
static clinfer_status check_attributes(onnx_node *c, const op_spec *spec)
{
    for (size_t k = 0; k < c->n->n_attribute; k++) {
        const Onnx__AttributeProto *a = c->n->attribute[k];
        const char *name = a->name ? a->name : "";
        if (!name[0])
            return node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute %zu has no name", k);
        if (a->ref_attr_name && a->ref_attr_name[0])
            return node_error(c, CLINFER_ERR_UNSUPPORTED,
                              "attribute \"%s\" refers to a function attribute", name);
        for (size_t j = 0; j < k; j++)
            if (c->n->attribute[j]->name && strcmp(c->n->attribute[j]->name, name) == 0)
                return node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"%s\" is repeated",
                                  name);
        size_t len = strlen(name);
        const char *p = spec->attrs;
        int known = 0;
        while (p && *p && !known) {
            const char *e = strchr(p, ' ');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            known = n == len && strncmp(p, name, n) == 0;
            p = e ? e + 1 : NULL;
        }
        if (!known)
            return node_error(c, CLINFER_ERR_UNSUPPORTED,
                              "attribute \"%s\" is not supported (clinfer knows: %s)", name,
                              spec->attrs && spec->attrs[0] ? spec->attrs : "none");
    }
    return CLINFER_OK;
}

/* ------------------------------------------------------------ issues */

void onnx_issues_free(onnx_issues *is)
{
    if (!is)
        return;
    for (int32_t i = 0; i < is->count; i++) {
        free(is->items[i].op_type);
        free(is->items[i].node);
        free(is->items[i].message);
    }
    free(is->items);
    memset(is, 0, sizeof *is);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

/* Records the current error as an issue; 0 when out of memory. */
static int add_issue(importer *im, const char *op, const char *node, clinfer_status st)
{
    onnx_issues *is = im->issues;
    if (is->count == is->capacity) {
        int32_t cap = is->capacity ? is->capacity * 2 : 8;
        onnx_issue *p = realloc(is->items, (size_t)cap * sizeof *p);
        if (!p)
            return 0;
        is->items = p;
        is->capacity = cap;
    }
    onnx_issue *it = &is->items[is->count];
    it->op_type = dup_str(op);
    it->node = dup_str(node);
    it->message = dup_str(im->err);
    it->status = st;
    if (!it->op_type || !it->node || !it->message) {
        free(it->op_type);
        free(it->node);
        free(it->message);
        return 0;
    }
    is->count++;
    return 1;
}

/* ------------------------------------------------------------ steps */

int64_t onnx_model_opset(const Onnx__ModelProto *m)
{
    int64_t v = 0;
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[k];
        if (o && (!o->domain || !o->domain[0] || strcmp(o->domain, "ai.onnx") == 0))
            v = o->has_version ? o->version : 0;
    }
    return v;
}

static void node_ctx(importer *im, int32_t index, onnx_node *c)
{
    memset(c, 0, sizeof *c);
    c->im = im;
    c->index = index;
    c->n = im->graph->node[index];
    c->op = c->n->op_type && c->n->op_type[0] ? c->n->op_type : "(no op_type)";
    if (c->n->name && c->n->name[0]) {
        c->name = c->n->name;
    } else {
        snprintf(c->fallback_name, sizeof c->fallback_name, "#%d", (int)index);
        c->name = c->fallback_name;
    }
}

static int default_domain(const Onnx__NodeProto *n)
{
    return !n->domain || !n->domain[0] || strcmp(n->domain, "ai.onnx") == 0;
}

/* Step 1: initializers, graph inputs, node outputs. */
static clinfer_status register_names(importer *im)
{
    const Onnx__GraphProto *gp = im->graph;
    size_t total = gp->n_initializer + gp->n_input;
    for (size_t i = 0; i < gp->n_node; i++)
        total += gp->node[i]->n_output;
    if (total > (size_t)INT32_MAX / 4)
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "the graph has too many tensors (%zu)", total);
    uint32_t cap = 16;
    while (cap < 2 * total + 2)
        cap *= 2;
    im->syms = calloc(total + 1, sizeof *im->syms);
    im->table = calloc(cap, sizeof *im->table);
    im->table_mask = cap - 1;
    if (!im->syms || !im->table)
        return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    if (gp->n_sparse_initializer)
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "sparse initializers are not supported");
    char msg[CLINFER_ERRMSG_MAX - 128];
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        if (!tp->name || !tp->name[0])
            return im_fail(im, CLINFER_ERR_INVALID_MODEL, "initializer %zu has no name", i);
        onnx_sym *s = im_add(im, tp->name);
        if (!s)
            return im_fail(im, CLINFER_ERR_INVALID_MODEL, "initializer \"%s\" is defined twice",
                           tp->name);
        s->is_initializer = 1;
        s->kind = SYM_HOST;
        s->host = calloc(1, sizeof *s->host);
        if (!s->host)
            return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        clinfer_status st = onnx_tensor_decode(tp, tp->name, s->host, msg, sizeof msg);
        if (st != CLINFER_OK)
            return im_fail(im, st, "initializer %s", msg);
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        if (!vi->name || !vi->name[0])
            return im_fail(im, CLINFER_ERR_INVALID_MODEL, "graph input %zu has no name", i);
        onnx_sym *s = im_find(im, vi->name);
        if (s && s->is_initializer)
            continue; /* IR < 4 lists initializers as inputs too: a constant */
        if (s)
            return im_fail(im, CLINFER_ERR_INVALID_MODEL, "graph input \"%s\" is declared twice",
                           vi->name);
        s = im_add(im, vi->name);
        s->is_input = 1;
        s->kind = SYM_PENDING;
        s->info = vi;
    }
    for (size_t i = 0; i < gp->n_node; i++) {
        onnx_node c;
        node_ctx(im, (int32_t)i, &c);
        for (size_t k = 0; k < c.n->n_output; k++) {
            const char *name = c.n->output[k];
            if (!name || !name[0])
                continue;
            onnx_sym *s = im_find(im, name);
            if (s) {
                char other[160];
                if (s->producer >= 0) {
                    onnx_node p;
                    node_ctx(im, s->producer, &p);
                    snprintf(other, sizeof other, "the output of node \"%s\" (%s)", p.name, p.op);
                } else {
                    snprintf(other, sizeof other, "%s",
                             s->is_input ? "a graph input" : "an initializer");
                }
                return node_error(&c, CLINFER_ERR_INVALID_MODEL,
                                  "output \"%s\" is already %s (names must be unique)", name,
                                  other);
            }
            s = im_add(im, name);
            s->producer = (int32_t)i;
            s->kind = SYM_PENDING;
        }
    }
    return CLINFER_OK;
}

/* Step 2: node inputs resolve; uses and constant slots are counted. */
static clinfer_status resolve_inputs(importer *im)
{
    const Onnx__GraphProto *gp = im->graph;
    for (size_t i = 0; i < gp->n_node; i++) {
        onnx_node c;
        node_ctx(im, (int32_t)i, &c);
        const op_spec *spec = default_domain(c.n) ? onnx_op_find(c.n->op_type) : NULL;
        for (size_t k = 0; k < c.n->n_input; k++) {
            const char *name = c.n->input[k];
            if (!name || !name[0])
                continue;
            onnx_sym *s = im_find(im, name);
            if (!s)
                return node_error(&c, CLINFER_ERR_INVALID_MODEL,
                                  "input %zu \"%s\" is not a graph input, an initializer or the "
                                  "output of any node (dangling name)",
                                  k, name);
            s->uses++;
            if (spec && k < 32 && (spec->const_inputs >> k & 1))
                s->want_const = 1;
        }
    }
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name;
        onnx_sym *s = name ? im_find(im, name) : NULL;
        if (!s)
            return im_fail(im, CLINFER_ERR_INVALID_MODEL,
                           "graph output %zu \"%s\" is not produced by any node, input or "
                           "initializer",
                           i, name ? name : "");
        for (size_t j = 0; j < i; j++)
            if (gp->output[j]->name && strcmp(gp->output[j]->name, name) == 0)
                return im_fail(im, CLINFER_ERR_INVALID_MODEL, "graph output \"%s\" is listed twice",
                               name);
        s->uses++;
    }
    return CLINFER_OK;
}

/* Step 3: Kahn's algorithm; *order gets the node indices. */
static clinfer_status sort_nodes(importer *im, int32_t **order)
{
    const Onnx__GraphProto *gp = im->graph;
    int32_t n = (int32_t)gp->n_node;
    int32_t *indeg = calloc((size_t)n + 1, sizeof *indeg);
    int32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    int32_t *first = malloc(((size_t)n + 1) * sizeof *first); /* adjacency: CSR of consumers */
    int32_t edges = 0;
    for (int32_t i = 0; i < n; i++)
        edges += (int32_t)gp->node[i]->n_input;
    int32_t *next = malloc(((size_t)edges + 1) * sizeof *next);
    int32_t *to = malloc(((size_t)edges + 1) * sizeof *to);
    if (!indeg || !queue || !first || !next || !to) {
        free(indeg), free(queue), free(first), free(next), free(to);
        return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
    for (int32_t i = 0; i < n; i++)
        first[i] = -1;
    int32_t e = 0;
    for (int32_t i = 0; i < n; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        for (size_t k = 0; k < np->n_input; k++) {
            onnx_sym *s = np->input[k] && np->input[k][0] ? im_find(im, np->input[k]) : NULL;
            if (!s || s->producer < 0)
                continue;
            indeg[i]++;
            to[e] = i;
            next[e] = first[s->producer];
            first[s->producer] = e++;
        }
    }
    /* Ready nodes in a min-heap of indices: the file's order wherever the
     * dependencies allow it. The order is written to queue[0..tail). */
    int32_t *heap = malloc(((size_t)n + 1) * sizeof *heap), hn = 0, tail = 0;
    if (!heap) {
        free(indeg), free(queue), free(first), free(next), free(to);
        return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
#define HEAP_PUSH(v)                                                          \
    do {                                                                      \
        int32_t i_ = hn++;                                                    \
        for (; i_ > 0 && heap[(i_ - 1) / 2] > (v); i_ = (i_ - 1) / 2)         \
            heap[i_] = heap[(i_ - 1) / 2];                                    \
        heap[i_] = (v);                                                       \
    } while (0)
    for (int32_t i = 0; i < n; i++)
        if (indeg[i] == 0)
            HEAP_PUSH(i);
    while (hn > 0) {
        int32_t u = heap[0], last = heap[--hn], i = 0;
        for (;;) { /* sift `last` down from the root */
            int32_t ch = 2 * i + 1;
            if (ch >= hn)
                break;
            if (ch + 1 < hn && heap[ch + 1] < heap[ch])
                ch++;
            if (heap[ch] >= last)
                break;
            heap[i] = heap[ch];
            i = ch;
        }
        if (hn > 0)
            heap[i] = last;
        queue[tail++] = u;
        for (int32_t k = first[u]; k >= 0; k = next[k])
            if (--indeg[to[k]] == 0)
                HEAP_PUSH(to[k]);
    }
#undef HEAP_PUSH
    free(heap);
    clinfer_status st = CLINFER_OK;
    if (tail < n) {
        /* Some node still waits: name it and an input that is never ready. */
        for (int32_t i = 0; i < n && st == CLINFER_OK; i++) {
            if (indeg[i] == 0)
                continue;
            onnx_node c;
            node_ctx(im, i, &c);
            const char *waits = "";
            for (size_t k = 0; k < c.n->n_input && !waits[0]; k++) {
                onnx_sym *s = c.n->input[k] && c.n->input[k][0] ? im_find(im, c.n->input[k]) : NULL;
                if (s && s->producer >= 0 && indeg[s->producer] > 0)
                    waits = s->name;
            }
            st = node_error(&c, CLINFER_ERR_INVALID_MODEL,
                            "the graph has a cycle: this node needs \"%s\", which depends on "
                            "this node's own output (%d of %d nodes are in or after a cycle)",
                            waits, (int)(n - tail), (int)n);
        }
    }
    free(indeg), free(first), free(next), free(to);
    if (st != CLINFER_OK) {
        free(queue);
        return st;
    }
    *order = queue;
    return CLINFER_OK;
}

static const clinfer_tensor *find_binding(const importer *im, const char *name)
{
    const clinfer_onnx_options *o = im->options;
    for (size_t k = 0; o && k < o->input_value_count; k++)
        if (o->input_values[k].name && strcmp(o->input_values[k].name, name) == 0)
            return &o->input_values[k];
    return NULL;
}

/* Step 4a: one graph input, declared or frozen to its bound value. */
static clinfer_status declare_input(importer *im, onnx_sym *s)
{
    const Onnx__ValueInfoProto *vi = s->info;
    const Onnx__TypeProto__Tensor *tt =
        vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
            ? vi->type->tensor_type
            : NULL;
    const clinfer_tensor *bound = find_binding(im, s->name);
    char msg[CLINFER_ERRMSG_MAX - 128], b1[160], b2[160];
    if (!tt && !bound)
        return im_fail(im, CLINFER_ERR_UNSUPPORTED,
                       "graph input \"%s\" is not a tensor (or has no type)", s->name);
    int32_t elem = tt && tt->has_elem_type ? tt->elem_type : 1;
    const Onnx__TensorShapeProto *sp = tt ? tt->shape : NULL;
    if (sp && sp->n_dim > CLINFER_MAX_RANK)
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "graph input \"%s\" has rank %zu, at most %d",
                       s->name, sp->n_dim, CLINFER_MAX_RANK);
    host_tensor bt;
    memset(&bt, 0, sizeof bt);
    if (bound) {
        clinfer_status st = onnx_tensor_from_public(bound, &bt, msg, sizeof msg);
        if (st != CLINFER_OK)
            return im_fail(im, st, "the value given for input \"%s\": %s", s->name, msg);
        int ok = !sp || (int32_t)sp->n_dim == bt.shape.rank;
        for (size_t d = 0; ok && sp && d < sp->n_dim; d++) {
            const Onnx__TensorShapeProto__Dimension *dm = sp->dim[d];
            if (dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
                ok = dm->dim_value == bt.shape.dims[d];
        }
        if (!ok) {
            clinfer_shape decl;
            memset(&decl, 0, sizeof decl);
            decl.rank = (int32_t)sp->n_dim;
            for (int32_t d = 0; d < decl.rank; d++)
                decl.dims[d] = sp->dim[d]->value_case ==
                                       ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                                   ? sp->dim[d]->dim_value
                                   : -1;
            host_tensor_free(&bt);
            return im_fail(im, CLINFER_ERR_SHAPE,
                           "the value given for input \"%s\" has shape %s, the model declares %s "
                           "(-1: symbolic)",
                           s->name, shape_str(&bt.shape, b1, sizeof b1),
                           shape_str(&decl, b2, sizeof b2));
        }
        int is_float = elem == 1 || elem == 10 || elem == 11 || elem == 16;
        if (tt && tt->has_elem_type && is_float != (bt.dtype == CLINFER_DTYPE_FLOAT32)) {
            host_tensor_free(&bt);
            return im_fail(im, CLINFER_ERR_INVALID_ARGUMENT,
                           "the value given for input \"%s\" is %s, the model declares %s",
                           s->name, is_float ? "an integer tensor" : "float",
                           onnx_dtype_name(elem));
        }
        if (s->want_const || bt.dtype == CLINFER_DTYPE_INT64 || !is_float) {
            s->host = malloc(sizeof *s->host);
            if (!s->host) {
                host_tensor_free(&bt);
                return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
            }
            *s->host = bt;
            s->kind = SYM_HOST;
            return CLINFER_OK;
        }
    }
    if (elem != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
        host_tensor_free(&bt);
        return im_fail(im, CLINFER_ERR_UNSUPPORTED,
                       "graph input \"%s\" has type %s; clinfer takes float32 inputs (an "
                       "integer input must be given a value when loading)",
                       s->name, onnx_dtype_name(elem));
    }
    clinfer_shape shape;
    memset(&shape, 0, sizeof shape);
    if (!sp && !bound)
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "graph input \"%s\" has no shape", s->name);
    shape.rank = sp ? (int32_t)sp->n_dim : bt.shape.rank;
    for (int32_t d = 0; d < shape.rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dm = sp ? sp->dim[d] : NULL;
        if (dm && dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (dm->dim_value < 1 || dm->dim_value > INT32_MAX) {
                host_tensor_free(&bt);
                return im_fail(im, dm->dim_value < 0 ? CLINFER_ERR_INVALID_MODEL
                                                     : CLINFER_ERR_UNSUPPORTED,
                               "graph input \"%s\": dimension %d is %lld (clinfer needs 1 to "
                               "2^31-1)",
                               s->name, (int)d, (long long)dm->dim_value);
            }
            shape.dims[d] = dm->dim_value;
        } else if (d == 0) {
            shape.dims[d] = CLINFER_BATCH_DIM; /* symbolic or missing: the batch */
        } else if (bound) {
            shape.dims[d] = bt.shape.dims[d];
        } else {
            return im_fail(im, CLINFER_ERR_UNSUPPORTED,
                           "graph input \"%s\": dimension %d is symbolic (\"%s\"); only the "
                           "first may be (the batch). Give a value for this input when "
                           "loading, or export the model with fixed sizes",
                           s->name, (int)d,
                           dm && dm->value_case ==
                                     ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                                   dm->dim_param
                               ? dm->dim_param
                               : "");
        }
    }
    host_tensor_free(&bt);
    clinfer_status st = clinfer_graph_input(im->g, s->name, &shape, &s->value);
    if (st != CLINFER_OK)
        return im_fail(im, st, "graph input \"%s\": %s", s->name, clinfer_last_errmsg());
    s->kind = SYM_VALUE;
    return CLINFER_OK;
}

/* Step 4b: one node. */
static clinfer_status import_node(onnx_node *c)
{
    if (!default_domain(c->n))
        return node_error(c, CLINFER_ERR_UNSUPPORTED,
                          "operators of domain \"%s\" are not supported", c->n->domain);
    const op_spec *spec = onnx_op_find(c->n->op_type);
    if (!spec)
        return node_error(c, CLINFER_ERR_UNSUPPORTED, "operator %s is not supported", c->op);
    clinfer_status st = check_attributes(c, spec);
    if (st != CLINFER_OK)
        return st;
    int all_host = 1;
    for (int32_t k = 0; k < node_input_count(c); k++) {
        onnx_sym *s = node_in(c, k);
        if (s && s->kind != SYM_HOST)
            all_host = 0;
    }
    if (spec->fold && (all_host || !spec->translate))
        st = spec->fold(c);
    else
        st = spec->translate(c);
    if (st != CLINFER_OK)
        return st;
    /* Outputs left unset must not be read by anyone. */
    for (size_t k = 0; k < c->n->n_output; k++) {
        onnx_sym *s = out_sym(c, (int32_t)k);
        if (s && s->kind == SYM_PENDING) {
            if (s->uses > 0)
                return node_error(c, CLINFER_ERR_UNSUPPORTED,
                                  "output %zu (\"%s\") is not supported (only used-less optional "
                                  "outputs may be left out)",
                                  k, s->name);
            s->kind = SYM_POISON;
        }
    }
    return CLINFER_OK;
}

static int inputs_poisoned(importer *im, const Onnx__NodeProto *n)
{
    for (size_t k = 0; k < n->n_input; k++) {
        onnx_sym *s = n->input[k] && n->input[k][0] ? im_find(im, n->input[k]) : NULL;
        if (s && s->kind == SYM_POISON)
            return 1;
    }
    return 0;
}

static void poison_outputs(importer *im, const Onnx__NodeProto *n)
{
    for (size_t k = 0; k < n->n_output; k++) {
        onnx_sym *s = n->output[k] && n->output[k][0] ? im_find(im, n->output[k]) : NULL;
        if (s) {
            if (s->host)
                host_tensor_destroy(s->host);
            s->host = NULL;
            s->kind = SYM_POISON;
        }
    }
}

/* Step 4c: graph outputs. */
static clinfer_status mark_outputs(importer *im)
{
    const Onnx__GraphProto *gp = im->graph;
    for (size_t i = 0; i < gp->n_output; i++) {
        onnx_sym *s = im_find(im, gp->output[i]->name);
        if (s->kind == SYM_POISON)
            continue; /* inspect mode: already reported */
        clinfer_value v = s->value;
        if (s->kind == SYM_HOST) {
            clinfer_status st = im_materialize(im, NULL, s, &v);
            if (st != CLINFER_OK) {
                char msg[CLINFER_ERRMSG_MAX - 64];
                snprintf(msg, sizeof msg, "%s", im->err);
                return im_fail(im, st, "graph output: %s", msg);
            }
        }
        if (s->kind == SYM_PENDING)
            return im_fail(im, CLINFER_ERR_INVALID_MODEL, "graph output \"%s\" is never computed",
                           s->name);
        clinfer_status st = clinfer_graph_output(im->g, v, s->name);
        if (st != CLINFER_OK)
            return im_fail(im, st, "graph output \"%s\": %s", s->name, clinfer_last_errmsg());
    }
    return CLINFER_OK;
}

clinfer_status onnx_import(const Onnx__ModelProto *model, const clinfer_onnx_options *options,
                           onnx_issues *issues, clinfer_graph **out, char *err, size_t errcap)
{
    *out = NULL;
    importer im;
    memset(&im, 0, sizeof im);
    im.model = model;
    im.graph = model->graph;
    im.options = options;
    im.issues = issues;
    im.err = err;
    im.errcap = errcap;
    err[0] = 0;
    if (!im.graph)
        return im_fail(&im, CLINFER_ERR_INVALID_MODEL, "the model has no graph");
    im.opset = onnx_model_opset(model);
    if (im.opset < 1)
        return im_fail(&im, CLINFER_ERR_UNSUPPORTED,
                       "the model imports no version of the default ONNX operator set "
                       "(only other domains)");
    if (im.opset > ONNX_MAX_OPSET)
        return im_fail(&im, CLINFER_ERR_UNSUPPORTED,
                       "the model uses ONNX opset %lld; clinfer knows opsets 1 to %d",
                       (long long)im.opset, ONNX_MAX_OPSET);
    int32_t *order = NULL;
    clinfer_status st = register_names(&im);
    if (st == CLINFER_OK)
        st = resolve_inputs(&im);
    if (st == CLINFER_OK)
        st = sort_nodes(&im, &order);
    if (st == CLINFER_OK)
        st = clinfer_graph_create(&im.g);
    for (int32_t i = 0; st == CLINFER_OK && i < im.nsyms; i++) {
        if (!im.syms[i].is_input)
            continue;
        st = declare_input(&im, &im.syms[i]);
        if (st != CLINFER_OK && issues) {
            if (!add_issue(&im, "", "", st))
                break;
            im.syms[i].kind = SYM_POISON;
            st = CLINFER_OK;
        }
    }
    for (size_t k = 0; st == CLINFER_OK && k < im.graph->n_node; k++) {
        onnx_node c;
        node_ctx(&im, order[k], &c);
        if (issues && inputs_poisoned(&im, c.n)) {
            poison_outputs(&im, c.n);
            continue;
        }
        st = import_node(&c);
        if (st != CLINFER_OK && issues) {
            if (!add_issue(&im, c.op, c.name, st))
                break;
            poison_outputs(&im, c.n);
            st = CLINFER_OK;
        }
    }
    if (st == CLINFER_OK)
        st = mark_outputs(&im);
    if (st == CLINFER_OK && issues && issues->count > 0) {
        st = issues->items[0].status;
        snprintf(err, errcap, "%s", issues->items[0].message);
    }
    if (st == CLINFER_OK && im.g->output_count == 0)
        st = im_fail(&im, CLINFER_ERR_INVALID_MODEL, "the graph has no outputs");
    free(order);
    im_free(&im);
    if (st != CLINFER_OK) {
        clinfer_graph_free(im.g);
        return st;
    }
    *out = im.g;
    return CLINFER_OK;
}

/* ------------------------------------------------------------ public entry points */

clinfer_onnx_options clinfer_onnx_options_default(void)
{
    clinfer_onnx_options o;
    memset(&o, 0, sizeof o);
    return o;
}

clinfer_status clinfer_graph_load_onnx_with(const void *data, size_t size,
                                            const clinfer_onnx_options *options,
                                            clinfer_graph **out)
{
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_graph_load_onnx: out is NULL");
    *out = NULL;
    char err[CLINFER_ERRMSG_MAX - 64];
    Onnx__ModelProto *m = NULL;
    clinfer_status st = onnx_unpack_model(data, size, &m, err, sizeof err);
    if (st == CLINFER_OK)
        st = onnx_import(m, options, NULL, out, err, sizeof err);
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
    if (st != CLINFER_OK)
        return err_set(NULL, st, "ONNX: %s", err);
    return CLINFER_OK;
}

clinfer_status clinfer_graph_load_onnx_memory(const void *data, size_t size, clinfer_graph **out)
{
    return clinfer_graph_load_onnx_with(data, size, NULL, out);
}

/* Re-records the thread's last message with a prefix (copied first: the
 * message buffer is also err_set's destination). */
static clinfer_status rethrow(clinfer_runtime *rt, clinfer_status st, const char *prefix)
{
    char msg[CLINFER_ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s", clinfer_last_errmsg());
    return err_set(rt, st, "%s%s", prefix, msg);
}

/* Reads a whole file (at most 2 GiB: protobuf's own limit). */
static clinfer_status read_file(const char *path, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (!path)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "the path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(NULL, CLINFER_ERR_IO, "cannot open \"%s\"", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    clinfer_status st = CLINFER_OK;
    while (buf) {
        if (n == cap) {
            if (cap >= ((size_t)1 << 31)) {
                st = err_set(NULL, CLINFER_ERR_UNSUPPORTED, "\"%s\" is larger than 2 GiB", path);
                break;
            }
            uint8_t *p = realloc(buf, cap * 2);
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                st = err_set(NULL, CLINFER_ERR_IO, "cannot read \"%s\"", path);
            break;
        }
    }
    fclose(f);
    if (!buf)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot read \"%s\": out of memory",
                       path);
    if (st != CLINFER_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *size = n;
    return CLINFER_OK;
}

clinfer_status clinfer_graph_load_onnx(const char *path, clinfer_graph **out)
{
    if (out)
        *out = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    clinfer_status st = read_file(path, &data, &size);
    if (st != CLINFER_OK)
        return st;
    st = clinfer_graph_load_onnx_memory(data, size, out);
    free(data);
    if (st != CLINFER_OK) {
        char prefix[1024];
        snprintf(prefix, sizeof prefix, "%s: ", path);
        return rethrow(NULL, st, prefix);
    }
    return CLINFER_OK;
}

clinfer_status clinfer_model_load(clinfer_runtime *runtime, const char *path, clinfer_model **out)
{
    if (out)
        *out = NULL;
    if (!runtime || !out)
        return err_set(runtime, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_model_load: NULL argument");
    clinfer_graph *g = NULL;
    clinfer_status st = clinfer_graph_load_onnx(path, &g);
    if (st != CLINFER_OK)
        return rethrow(runtime, st, "");
    st = clinfer_model_compile(runtime, g, out);
    clinfer_graph_free(g);
    return st;
}
