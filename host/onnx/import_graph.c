/*
 * import_graph.c — steps 1 to 3 of the import (see import.c): every tensor
 * name registered, every node input resolved, and the nodes sorted
 * topologically; also the opset of a model and a node's context.
 */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shape.h"
#include "import_internal.h"

/* ------------------------------------------------------------ steps 1 to 3 */

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

void im_node_ctx_of(importer *im, int32_t index, const Onnx__NodeProto *np, onnx_node *c)
{
    memset(c, 0, sizeof *c);
    c->im = im;
    c->index = index;
    c->n = np;
    c->op = c->n->op_type && c->n->op_type[0] ? c->n->op_type : "(no op_type)";
    if (c->n->name && c->n->name[0]) {
        c->name = c->n->name;
    } else {
        snprintf(c->fallback_name, sizeof c->fallback_name, "#%d%s", (int)index,
                 np == im->graph->node[index] ? "" : " (a branch)");
        c->name = c->fallback_name;
    }
}

void im_node_ctx(importer *im, int32_t index, onnx_node *c)
{
    im_node_ctx_of(im, index, im->graph->node[index], c);
}

int im_default_domain(const Onnx__NodeProto *n)
{
    return !n->domain || !n->domain[0] || strcmp(n->domain, "ai.onnx") == 0;
}

/* Step 1: initializers, graph inputs, node outputs. */
clinfer_status im_register_names(importer *im)
{
    const Onnx__GraphProto *gp = im->graph;
    size_t total = gp->n_initializer + gp->n_input;
    for (size_t i = 0; i < gp->n_node && !im->branch_failed; i++)
        total += gp->node[i]->n_output + im_branch_names(im, gp->node[i], 1);
    if (im->branch_failed)
        return (clinfer_status)im->branch_failed;
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
    for (size_t i = 0; i < gp->n_initializer; i++) {
        if (!gp->initializer[i]->name || !gp->initializer[i]->name[0])
            return im_fail(im, CLINFER_ERR_INVALID_MODEL, "initializer %zu has no name", i);
        clinfer_status st = im_register_initializer(im, gp->initializer[i]);
        if (st != CLINFER_OK)
            return st;
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
        im_node_ctx(im, (int32_t)i, &c);
        clinfer_status st = im_register_outputs(im, &c, (int32_t)i);
        if (st == CLINFER_OK && im_is_if(c.n))
            st = im_register_branches(im, &c);
        if (st != CLINFER_OK)
            return st;
    }
    return CLINFER_OK;
}

clinfer_status im_register_initializer(importer *im, const Onnx__TensorProto *tp)
{
    char msg[CLINFER_ERRMSG_MAX - 128];
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
    return st == CLINFER_OK ? st : im_fail(im, st, "initializer %s", msg);
}

clinfer_status im_register_outputs(importer *im, onnx_node *c, int32_t producer)
{
    for (size_t k = 0; k < c->n->n_output; k++) {
        const char *name = c->n->output[k];
        if (!name || !name[0])
            continue;
        onnx_sym *s = im_find(im, name);
        if (s) {
            char other[160];
            if (s->producer >= 0) {
                onnx_node p;
                im_node_ctx(im, s->producer, &p);
                snprintf(other, sizeof other, "the output of node \"%s\" (%s)", p.name, p.op);
            } else {
                snprintf(other, sizeof other, "%s",
                         s->is_input ? "a graph input" : "an initializer");
            }
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "output \"%s\" is already %s (names must be unique)", name,
                                   other);
        }
        s = im_add(im, name);
        s->producer = producer;
        s->kind = SYM_PENDING;
    }
    return CLINFER_OK;
}

clinfer_status im_resolve_node_inputs(importer *im, onnx_node *c)
{
    const op_spec *spec = im_default_domain(c->n) ? onnx_op_find(c->n->op_type) : NULL;
    for (size_t k = 0; k < c->n->n_input; k++) {
        const char *name = c->n->input[k];
        if (!name || !name[0])
            continue;
        onnx_sym *s = im_find(im, name);
        if (!s)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "input %zu \"%s\" is not a graph input, an initializer or the "
                                   "output of any node (dangling name)",
                                   k, name);
        s->uses++;
        if (spec && k < 32 && (spec->const_inputs >> k & 1))
            s->want_const = 1;
    }
    return CLINFER_OK;
}

/* Step 2: node inputs resolve; uses and constant slots are counted. */
clinfer_status im_resolve_inputs(importer *im)
{
    const Onnx__GraphProto *gp = im->graph;
    for (size_t i = 0; i < gp->n_node; i++) {
        onnx_node c;
        im_node_ctx(im, (int32_t)i, &c);
        clinfer_status st = im_resolve_node_inputs(im, &c);
        if (st == CLINFER_OK && im_is_if(c.n))
            st = im_resolve_branches(im, &c);
        if (st != CLINFER_OK)
            return st;
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
clinfer_status im_sort_nodes(importer *im, int32_t **order)
{
    const Onnx__GraphProto *gp = im->graph;
    int32_t n = (int32_t)gp->n_node;
    int32_t *indeg = calloc((size_t)n + 1, sizeof *indeg);
    int32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    int32_t *first = malloc(((size_t)n + 1) * sizeof *first); /* adjacency: CSR of consumers */
    int32_t edges = 0;
    for (int32_t i = 0; i < n; i++)
        edges += (int32_t)(gp->node[i]->n_input + im_branch_deps(im, gp->node[i], i, NULL, 0));
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
        /* an If also waits for what its branches read (implicit inputs) */
        const size_t nd = im_branch_deps(im, np, i, NULL, 0);
        if (nd > 0) {
            im_branch_deps(im, np, i, to + e, nd); /* producers, then rewritten as edges */
            for (size_t k = 0; k < nd; k++) {
                const int32_t producer = to[e];
                indeg[i]++;
                to[e] = i;
                next[e] = first[producer];
                first[producer] = e++;
            }
        }
    }
    /* Ready nodes in a min-heap of indices: the file's order wherever the
     * dependencies allow it. The order is written to queue[0..tail). */
    int32_t *heap = malloc(((size_t)n + 1) * sizeof *heap), hn = 0, tail = 0;
    if (!heap) {
        free(indeg), free(queue), free(first), free(next), free(to);
        return im_fail(im, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
#define HEAP_PUSH(v)                                                                               \
    do {                                                                                           \
        int32_t i_ = hn++;                                                                         \
        for (; i_ > 0 && heap[(i_ - 1) / 2] > (v); i_ = (i_ - 1) / 2)                              \
            heap[i_] = heap[(i_ - 1) / 2];                                                         \
        heap[i_] = (v);                                                                            \
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
            im_node_ctx(im, i, &c);
            const char *waits = "";
            for (size_t k = 0; k < c.n->n_input && !waits[0]; k++) {
                onnx_sym *s = c.n->input[k] && c.n->input[k][0] ? im_find(im, c.n->input[k]) : NULL;
                if (s && s->producer >= 0 && indeg[s->producer] > 0)
                    waits = s->name;
            }
            st = onnx_node_error(&c, CLINFER_ERR_INVALID_MODEL,
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
