/*
 * import_if.c — If nodes whose condition is known while loading. PyTorch
 * exports one wherever a squeeze, a size or a layer's path depends on a
 * shape (nn.LocalResponseNorm, squeeze(dim) of a traced size); the shapes
 * are known when clinfer loads, so the If imports the nodes of the branch
 * its condition takes in its own place, and that branch's outputs become
 * the If's. A condition computed at run time is refused, saying so.
 *
 * The branches take part in every step of the import: their initializers
 * and node outputs join the symbol table (step 1; their producer, for the
 * rest of the graph, is the If), their nodes' inputs resolve (step 2), and
 * what they read from outside the If orders it after its producers (step
 * 3: ONNX's implicit inputs). Nested Ifs work the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "ops_internal.h"

/* A decoded branch: the attribute keeps its bytes (onnx.proto). */
struct im_branch {
    const Onnx__AttributeProto *attr;
    Onnx__GraphProto *g;
    struct im_branch *next;
};

int im_is_if(const Onnx__NodeProto *n)
{
    return im_default_domain(n) && n->op_type && strcmp(n->op_type, "If") == 0;
}

/* The graph of attribute `name` ("then_branch" or "else_branch") as
 * im_branch_names decoded it, or NULL. */
static const Onnx__GraphProto *branch(importer *im, const Onnx__NodeProto *n, const char *name)
{
    for (size_t k = 0; k < n->n_attribute; k++) {
        const Onnx__AttributeProto *a = n->attribute[k];
        if (!a->name || strcmp(a->name, name) != 0)
            continue;
        for (struct im_branch *b = im->branches; b; b = b->next)
            if (b->attr == a)
                return b->g;
    }
    return NULL;
}

/* Decodes attribute `name` of n (once); NULL when it is absent or
 * malformed (the latter recorded in im->branch_failed). */
static const Onnx__GraphProto *decode_branch(importer *im, const Onnx__NodeProto *n,
                                             const char *name)
{
    const Onnx__GraphProto *known = branch(im, n, name);
    if (known)
        return known;
    for (size_t k = 0; k < n->n_attribute; k++) {
        const Onnx__AttributeProto *a = n->attribute[k];
        if (!a->name || strcmp(a->name, name) != 0 || !a->has_g)
            continue;
        struct im_branch *b = calloc(1, sizeof *b);
        Onnx__GraphProto *g = b ? onnx__graph_proto__unpack(NULL, a->g.len, a->g.data) : NULL;
        if (!g) {
            free(b);
            im->branch_failed = im_fail(im, CLINFER_ERR_INVALID_MODEL,
                                        "node \"%s\" (If): its %s is not a valid graph",
                                        n->name ? n->name : "", name);
            return NULL;
        }
        b->attr = a, b->g = g, b->next = im->branches;
        im->branches = b;
        return g;
    }
    return NULL;
}

void im_free_branches(importer *im)
{
    while (im->branches) {
        struct im_branch *b = im->branches;
        im->branches = b->next;
        onnx__graph_proto__free_unpacked(b->g, NULL);
        free(b);
    }
}

static const char *const branch_names[2] = {"then_branch", "else_branch"};

size_t im_branch_names(importer *im, const Onnx__NodeProto *n, int depth)
{
    size_t total = 0;
    if (!im_is_if(n))
        return 0;
    if (depth > IM_MAX_IF_DEPTH) {
        im->branch_failed = im_fail(im, CLINFER_ERR_UNSUPPORTED,
                                    "node \"%s\" (If): Ifs nest more than %d deep",
                                    n->name ? n->name : "", IM_MAX_IF_DEPTH);
        return 0;
    }
    for (int b = 0; b < 2 && !im->branch_failed; b++) {
        const Onnx__GraphProto *g = decode_branch(im, n, branch_names[b]);
        if (!g)
            continue;
        total += g->n_initializer;
        for (size_t i = 0; i < g->n_node && !im->branch_failed; i++)
            total += g->node[i]->n_output + im_branch_names(im, g->node[i], depth + 1);
    }
    return total;
}

clinfer_status im_register_branches(importer *im, onnx_node *c)
{
    for (int b = 0; b < 2; b++) {
        const Onnx__GraphProto *g = branch(im, c->n, branch_names[b]);
        if (!g)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "the %s attribute is missing",
                                   branch_names[b]);
        if (g->n_sparse_initializer)
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "sparse initializers are not supported");
        for (size_t i = 0; i < g->n_initializer; i++) {
            if (!g->initializer[i]->name || !g->initializer[i]->name[0])
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                       "initializer %zu of its %s has no name", i,
                                       branch_names[b]);
            clinfer_status st = im_register_initializer(im, g->initializer[i]);
            if (st != CLINFER_OK)
                return st;
        }
        for (size_t i = 0; i < g->n_node; i++) {
            onnx_node bc;
            im_node_ctx_of(im, c->index, g->node[i], &bc);
            clinfer_status st = im_register_outputs(im, &bc, c->index);
            if (st == CLINFER_OK && im_is_if(bc.n))
                st = im_register_branches(im, &bc);
            if (st != CLINFER_OK)
                return st;
        }
    }
    return CLINFER_OK;
}

clinfer_status im_resolve_branches(importer *im, onnx_node *c)
{
    for (int b = 0; b < 2; b++) {
        const Onnx__GraphProto *g = branch(im, c->n, branch_names[b]);
        for (size_t i = 0; g && i < g->n_node; i++) {
            onnx_node bc;
            im_node_ctx_of(im, c->index, g->node[i], &bc);
            clinfer_status st = im_resolve_node_inputs(im, &bc);
            if (st == CLINFER_OK && im_is_if(bc.n))
                st = im_resolve_branches(im, &bc);
            if (st != CLINFER_OK)
                return st;
        }
        for (size_t k = 0; g && k < g->n_output; k++) {
            const char *name = g->output[k]->name;
            onnx_sym *s = name && name[0] ? im_find(im, name) : NULL;
            if (!s)
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                       "output %zu \"%s\" of its %s is not computed there or "
                                       "outside it",
                                       k, name ? name : "", branch_names[b]);
            s->uses++;
        }
    }
    return CLINFER_OK;
}

/* Counts (and writes to deps, up to cap) the producers outside node
 * `self` of the names read by the nodes of graph g and its nested Ifs, and
 * of g's outputs. */
static size_t graph_deps(importer *im, const Onnx__GraphProto *g, int32_t self, int32_t *deps,
                         size_t cap, size_t count)
{
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *np = g->node[i];
        for (size_t k = 0; k < np->n_input; k++) {
            onnx_sym *s = np->input[k] && np->input[k][0] ? im_find(im, np->input[k]) : NULL;
            if (s && s->producer >= 0 && s->producer != self) {
                if (deps && count < cap)
                    deps[count] = s->producer;
                count++;
            }
        }
        for (int b = 0; b < 2 && im_is_if(np); b++) {
            const Onnx__GraphProto *inner = branch(im, np, branch_names[b]);
            if (inner)
                count = graph_deps(im, inner, self, deps, cap, count);
        }
    }
    for (size_t k = 0; k < g->n_output; k++) { /* a branch may output an outer name as it is */
        onnx_sym *s = g->output[k]->name ? im_find(im, g->output[k]->name) : NULL;
        if (s && s->producer >= 0 && s->producer != self) {
            if (deps && count < cap)
                deps[count] = s->producer;
            count++;
        }
    }
    return count;
}

size_t im_branch_deps(importer *im, const Onnx__NodeProto *n, int32_t self, int32_t *deps,
                      size_t cap)
{
    size_t count = 0;
    for (int b = 0; b < 2 && im_is_if(n); b++) {
        const Onnx__GraphProto *g = branch(im, n, branch_names[b]);
        if (g)
            count = graph_deps(im, g, self, deps, cap, count);
    }
    return count;
}

/* The If's output k is the branch's output `name`: the same value, or a
 * copy of the same known tensor. */
static clinfer_status take_output(onnx_node *c, int32_t k, const char *name)
{
    onnx_sym *s = im_find(c->im, name);
    if (!s || s->kind == SYM_PENDING || s->kind == SYM_POISON)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "the branch's output \"%s\" was not computed", name);
    if (s->kind == SYM_VALUE)
        return onnx_node_out_value(c, k, s->value);
    host_tensor t;
    char msg[CLINFER_ERRMSG_MAX - 128];
    clinfer_status st = host_tensor_copy(s->host, &t, msg, sizeof msg);
    if (st != CLINFER_OK)
        return onnx_node_error(c, st, "%s", msg);
    return onnx_node_out_host(c, k, &t);
}

clinfer_status op_if(onnx_node *c)
{
    onnx_sym *cond = onnx_node_in(c, 0);
    if (!cond)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "the condition is missing");
    if (cond->kind != SYM_HOST)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "its condition \"%s\" is computed at run time; clinfer runs an If "
                               "only where the condition is known while loading (from shapes "
                               "and constants)",
                               cond->name);
    const host_tensor *t = cond->host;
    if (t->numel != 1)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "the condition has %lld elements, expected one",
                               (long long)t->numel);
    if (host_tensor_has_sym(t))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "its condition \"%s\" depends on the batch size, which stays open "
                               "until a session picks it; give the model a fixed batch",
                               cond->name);
    const int taken = host_tensor_get_f(t, 0) != 0 ? 0 : 1;
    const Onnx__GraphProto *g = branch(c->im, c->n, branch_names[taken]);
    if (!g)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "the %s attribute is missing",
                               branch_names[taken]);
    if (g->n_output != c->n->n_output)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "its %s has %zu outputs, the If %zu", branch_names[taken],
                               g->n_output, c->n->n_output);
    for (size_t i = 0; i < g->n_node; i++) {
        onnx_node bc;
        im_node_ctx_of(c->im, c->index, g->node[i], &bc);
        clinfer_status st = im_import_node(&bc);
        if (st != CLINFER_OK)
            return st;
    }
    for (size_t k = 0; k < g->n_output; k++) {
        clinfer_status st = take_output(c, (int32_t)k, g->output[k]->name);
        if (st != CLINFER_OK)
            return st;
    }
    return CLINFER_OK;
}
