/*
 * import.c — a decoded ONNX model into a clinfer graph: the driver of the
 * steps below, step 4 itself, and the issues recorded in inspect mode.
 * Steps 1 to 3 are in import_graph.c, the node accessors in import_node.c
 * and import_attrs.c, the public load functions in load.c.
 *
 * Order of work, so that nothing is built from unchecked data:
 *   1. the opset, every initializer (decoded and checked), every graph
 *      input and node output registered by name (duplicates refused);
 *   2. every node input resolved (dangling names refused), uses counted,
 *      the inputs that nodes need as constants marked;
 *   3. nodes sorted topologically (Kahn; a cycle is refused);
 *   4. graph inputs declared (or frozen to constants when a value is bound
 *      and a node needs it as one), then every node either folded on the
 *      host (fold.c) or translated into builder calls (ops*.c), then the
 *      outputs marked.
 * An If's branches take part in steps 1-3 and the If imports the nodes of
 * the branch its known condition takes (import_if.c).
 * Value names in the graph are the ONNX tensor names (unique by the SSA rule
 * of ONNX), so nodes and values never collide.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../escape.h"
#include "../shape.h"
#include "import_internal.h"

/* ------------------------------------------------------------ issues */

void onnx_issues_free(onnx_issues *is)
{
    if (!is)
        return;
    for (int32_t i = 0; i < is->count; i++) {
        free(is->items[i].op_type);
        free(is->items[i].node);
        free(is->items[i].message);
        free(is->items[i].reason);
    }
    free(is->items);
    memset(is, 0, sizeof *is);
}

char *onnx_strdup(const char *s) { return strdup(s ? s : ""); }

/* The op type as clinfer_onnx_inspect counts it: "domain:op" outside the
 * default domain. */
static char *issue_op_name(const onnx_node *c)
{
    if (!c)
        return onnx_strdup("");
    if (im_default_domain(c->n))
        return onnx_strdup(c->op);
    size_t n = strlen(c->n->domain) + strlen(c->op) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s:%s", c->n->domain, c->op);
    return s;
}

/* The error without the "node \"name\" (Op): " that onnx_node_error puts
 * first, so that nodes failing for the same reason can be grouped. */
static const char *issue_reason(const onnx_node *c, const char *err)
{
    if (!c)
        return err;
    int n = snprintf(NULL, 0, "node \"%s\" (%s): ", c->name, c->op);
    char prefix[512];
    if (n <= 0 || (size_t)n >= sizeof prefix)
        return err;
    snprintf(prefix, sizeof prefix, "node \"%s\" (%s): ", c->name, c->op);
    return strncmp(err, prefix, (size_t)n) == 0 ? err + n : err;
}

/* Records the current error as an issue of node c (NULL: of the graph); 0
 * when out of memory. */
static int add_issue(importer *im, const onnx_node *c, clinfer_status st)
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
    it->op_type = issue_op_name(c);
    it->node = onnx_strdup(c ? c->name : "");
    /* embedders print them */
    it->message = text_escape_dup(im->err, TEXT_KEEP_NEWLINES);
    it->reason = text_escape_dup(issue_reason(c, im->err), TEXT_KEEP_NEWLINES);
    it->status = st;
    it->kind = im->issue_kind;
    if (!it->op_type || !it->node || !it->message || !it->reason) {
        free(it->op_type);
        free(it->node);
        free(it->message);
        free(it->reason);
        return 0;
    }
    is->count++;
    return 1;
}

/* ------------------------------------------------------------ step 4 */

static const clinfer_tensor *find_binding(const importer *im, const char *name)
{
    const clinfer_onnx_options *o = im->options;
    for (size_t k = 0; o && k < o->input_value_count; k++)
        if (o->input_values[k].name && strcmp(o->input_values[k].name, name) == 0)
            return &o->input_values[k];
    return NULL;
}

static const clinfer_shape *find_shape(const importer *im, const char *name)
{
    const clinfer_onnx_options *o = im->options;
    for (size_t k = 0; o && k < o->input_shape_count; k++)
        if (o->input_shapes[k].name && strcmp(o->input_shapes[k].name, name) == 0)
            return &o->input_shapes[k].shape;
    return NULL;
}

/* A dimension with a value. A negative value counts as symbolic: some
 * exporters (paddle2onnx) write -1 for "any size", and ONNX Runtime takes
 * it so. */
static int dim_is_fixed(const Onnx__TensorShapeProto__Dimension *dm)
{
    return dm && dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
           dm->dim_value >= 0;
}

/* A given shape (input_shapes) agrees with the declared one: same rank,
 * equal fixed dims. */
static clinfer_status check_given(importer *im, const char *name, const Onnx__TensorShapeProto *sp,
                                  const clinfer_shape *given)
{
    char b1[160];
    if (given->rank < 0 || given->rank > CLINFER_MAX_RANK ||
        (sp && given->rank != (int32_t)sp->n_dim))
        return im_fail(im, CLINFER_ERR_SHAPE,
                       "the shape given for input \"%s\", %s, has rank %d; the model declares "
                       "rank %d",
                       name, shape_str(given, b1, sizeof b1), (int)given->rank,
                       sp ? (int)sp->n_dim : -1);
    for (int32_t d = 0; d < given->rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dm = sp ? sp->dim[d] : NULL;
        if (given->dims[d] < 1 || given->dims[d] > INT32_MAX)
            return im_fail(im, CLINFER_ERR_SHAPE,
                           "the shape given for input \"%s\", %s: dimension %d must be 1 to "
                           "2^31-1",
                           name, shape_str(given, b1, sizeof b1), (int)d);
        if (dim_is_fixed(dm) && dm->dim_value != given->dims[d])
            return im_fail(im, CLINFER_ERR_SHAPE,
                           "the shape given for input \"%s\", %s, has %lld in dimension %d, "
                           "which the model fixes to %lld",
                           name, shape_str(given, b1, sizeof b1), (long long)given->dims[d],
                           (int)d, (long long)dm->dim_value);
    }
    return CLINFER_OK;
}

/* The dims of a graph input: declared (sp) where fixed; where symbolic,
 * those of the bound value, else of the given shape, except that a
 * symbolic first dimension without a bound value stays the batch. */
static clinfer_status input_dims(importer *im, const char *name, const Onnx__TensorShapeProto *sp,
                                 const clinfer_shape *bound, const clinfer_shape *given,
                                 clinfer_shape *shape)
{
    memset(shape, 0, sizeof *shape);
    if (!sp && !bound && !given)
        return im_fail(im, CLINFER_ERR_UNSUPPORTED, "graph input \"%s\" has no shape", name);
    clinfer_status st = given ? check_given(im, name, sp, given) : CLINFER_OK;
    if (st != CLINFER_OK)
        return st;
    shape->rank = sp ? (int32_t)sp->n_dim : bound ? bound->rank : given->rank;
    for (int32_t d = 0; d < shape->rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dm = sp ? sp->dim[d] : NULL;
        if (dim_is_fixed(dm)) {
            if (dm->dim_value < 1 || dm->dim_value > INT32_MAX)
                return im_fail(
                    im, CLINFER_ERR_UNSUPPORTED,
                    "graph input \"%s\": dimension %d is %lld (clinfer needs 1 to 2^31-1)",
                    name, (int)d, (long long)dm->dim_value);
            shape->dims[d] = dm->dim_value;
        } else if (d == 0) {
            shape->dims[d] = CLINFER_BATCH_DIM; /* symbolic or missing: the batch */
        } else if (bound || given) {
            shape->dims[d] = bound ? bound->dims[d] : given->dims[d];
        } else {
            return im_fail(
                im, CLINFER_ERR_UNSUPPORTED,
                "graph input \"%s\": dimension %d is symbolic (\"%s\"); give the input's "
                "shape (or a value) when loading, or export the model with fixed sizes",
                name, (int)d,
                dm && dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                        dm->dim_param
                    ? dm->dim_param
                    : "");
        }
    }
    return CLINFER_OK;
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
            if (dim_is_fixed(dm))
                ok = dm->dim_value == bt.shape.dims[d];
        }
        if (!ok) {
            clinfer_shape decl;
            memset(&decl, 0, sizeof decl);
            decl.rank = (int32_t)sp->n_dim;
            for (int32_t d = 0; d < decl.rank; d++)
                decl.dims[d] = dim_is_fixed(sp->dim[d]) ? sp->dim[d]->dim_value : -1;
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
                           "the value given for input \"%s\" is %s, the model declares %s", s->name,
                           is_float ? "an integer tensor" : "float", onnx_dtype_name(elem));
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
    if (!onnx_dtype_is_numeric(elem)) {
        host_tensor_free(&bt);
        return im_fail(im, CLINFER_ERR_UNSUPPORTED,
                       "graph input \"%s\" has type %s; clinfer takes numeric inputs (computed "
                       "in float32)",
                       s->name, onnx_dtype_name(elem));
    }
    clinfer_shape shape;
    clinfer_status st = input_dims(im, s->name, sp, bound ? &bt.shape : NULL,
                                   find_shape(im, s->name), &shape);
    if (st != CLINFER_OK) {
        host_tensor_free(&bt);
        return st;
    }
    host_tensor_free(&bt);
    st = clinfer_graph_input(im->g, s->name, &shape, &s->value);
    if (st != CLINFER_OK)
        return im_fail(im, st, "graph input \"%s\": %s", s->name, clinfer_last_errmsg());
    /* any numeric type is computed in float32; the declared one is kept
     * for the caller, who converts at the boundary */
    im->g->values[s->value].io_dtype = (clinfer_dtype)elem;
    s->kind = SYM_VALUE;
    return CLINFER_OK;
}

/* The checks that need none of the node's inputs: the op is known, its
 * attribute names are. */
static clinfer_status check_op(onnx_node *c, const op_spec **spec)
{
    c->im->issue_kind = CLINFER_ONNX_ISSUE_UNKNOWN_OP;
    if (!im_default_domain(c->n))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "operators of domain \"%s\" are not supported", c->n->domain);
    *spec = onnx_op_find(c->n->op_type);
    if (!*spec)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "operator %s is not supported", c->op);
    c->im->issue_kind = CLINFER_ONNX_ISSUE_UNSUPPORTED; /* unless an opset error says otherwise */
    return onnx_node_check_attributes(c, *spec);
}

/* Step 4b: one node (also a node of the branch an If takes: import_if.c). */
clinfer_status im_import_node(onnx_node *c)
{
    const op_spec *spec = NULL;
    clinfer_status st = check_op(c, &spec);
    if (st != CLINFER_OK)
        return st;
    int all_host = 1;
    for (int32_t k = 0; k < onnx_node_input_count(c); k++) {
        onnx_sym *s = onnx_node_in(c, k);
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
        onnx_sym *s = onnx_node_out_sym(c, (int32_t)k);
        if (s && s->kind == SYM_PENDING) {
            if (s->uses > 0)
                return onnx_node_error(
                    c, CLINFER_ERR_UNSUPPORTED,
                    "output %zu (\"%s\") is not supported (only used-less optional "
                    "outputs may be left out)",
                    k, s->name);
            s->kind = SYM_POISON;
        }
    }
    return CLINFER_OK;
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

/* Inspect mode: a node reading an output of unknown shape is recorded as
 * not checked (a check against a guessed shape would report made-up
 * problems); its own outputs are poisoned in turn. 0 when out of memory. */
static int skip_unchecked(onnx_node *c, const onnx_sym *from)
{
    importer *im = c->im;
    const char *producer =
        from->producer >= 0 ? "a node that cannot be run" : "a graph input that cannot be used";
    clinfer_status st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                        "not checked: input \"%s\" depends on %s, and its "
                                        "shape is unknown",
                                        from->name, producer);
    im->issue_kind = CLINFER_ONNX_ISSUE_NOT_CHECKED;
    poison_outputs(im, c->n);
    return add_issue(im, c, st);
}

/* Step 4b for one node. In inspect mode, a node that cannot be imported is
 * recorded and its outputs get stand-ins; a node reading an output of
 * unknown shape is still checked for what needs no input (so an unknown op
 * is reported as such wherever it is), then recorded as not checked. */
static clinfer_status step_node(importer *im, onnx_node *c)
{
    const onnx_sym *poisoned = im->issues ? im_poisoned_input(im, c->n) : NULL;
    const op_spec *spec = NULL;
    clinfer_status st = poisoned ? check_op(c, &spec) : im_import_node(c);
    if (poisoned && st == CLINFER_OK)
        return skip_unchecked(c, poisoned)
                   ? CLINFER_OK
                   : im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    if (st == CLINFER_OK || !im->issues)
        return st;
    if (!add_issue(im, c, st))
        return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    im_stand_in_outputs(c);
    return CLINFER_OK;
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
        const Onnx__TypeProto *t = gp->output[i]->type;
        int32_t elem = t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
                               t->tensor_type && t->tensor_type->has_elem_type
                           ? t->tensor_type->elem_type
                           : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        if (!onnx_dtype_is_numeric(elem))
            return im_fail(im, CLINFER_ERR_UNSUPPORTED,
                           "graph output \"%s\" has type %s; clinfer gives numeric outputs",
                           s->name, onnx_dtype_name(elem));
        clinfer_status st = clinfer_graph_output(im->g, v, s->name);
        if (st != CLINFER_OK)
            return im_fail(im, st, "graph output \"%s\": %s", s->name, clinfer_last_errmsg());
        im->g->outputs[im->g->output_count - 1].dtype = (clinfer_dtype)elem;
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
    clinfer_status st = im_register_names(&im);
    if (st == CLINFER_OK)
        st = im_resolve_inputs(&im);
    if (st == CLINFER_OK)
        st = im_sort_nodes(&im, &order);
    if (st == CLINFER_OK)
        st = clinfer_graph_create(&im.g);
    for (int32_t i = 0; st == CLINFER_OK && i < im.nsyms; i++) {
        if (!im.syms[i].is_input)
            continue;
        im.issue_kind = CLINFER_ONNX_ISSUE_MODEL;
        st = declare_input(&im, &im.syms[i]);
        if (st != CLINFER_OK && issues) {
            if (!add_issue(&im, NULL, st))
                break;
            im.syms[i].kind = SYM_POISON;
            st = CLINFER_OK;
        }
    }
    for (size_t k = 0; st == CLINFER_OK && k < im.graph->n_node; k++) {
        onnx_node c;
        im_node_ctx(&im, order[k], &c);
        st = step_node(&im, &c);
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
