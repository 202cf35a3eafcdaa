/*
 * inspect.c — clinfer_onnx_inspect: what a model holds (inputs, outputs,
 * op counts, parameters) and every node clinfer cannot import, found by a
 * trial import that records problems instead of stopping at the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.h"

void clinfer_onnx_info_free(clinfer_onnx_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; info->inputs && i < info->input_count; i++)
        free(info->inputs[i].name);
    for (size_t i = 0; info->outputs && i < info->output_count; i++)
        free(info->outputs[i].name);
    for (size_t i = 0; info->ops && i < info->op_count; i++)
        free(info->ops[i].op_type);
    for (size_t i = 0; info->issues && i < info->issue_count; i++) {
        free(info->issues[i].op_type);
        free(info->issues[i].node);
        free(info->issues[i].message);
        free(info->issues[i].reason);
    }
    free(info->inputs);
    free(info->outputs);
    free(info->ops);
    free(info->issues);
    free(info->producer);
    free(info);
}

/* Declared type and shape of a value (unknown dims: CLINFER_BATCH_DIM). */
static int describe(const Onnx__ValueInfoProto *vi, clinfer_onnx_io *io)
{
    memset(io, 0, sizeof *io);
    io->name = onnx_strdup(vi->name);
    const Onnx__TypeProto__Tensor *tt =
        vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
            ? vi->type->tensor_type
            : NULL;
    if (tt && tt->has_elem_type)
        io->elem_type = tt->elem_type;
    io->shape_known = tt && tt->shape;
    if (tt && tt->shape) {
        io->shape.rank = (int32_t)(tt->shape->n_dim < CLINFER_MAX_RANK ? tt->shape->n_dim
                                                                       : CLINFER_MAX_RANK);
        for (int32_t d = 0; d < io->shape.rank; d++) {
            const Onnx__TensorShapeProto__Dimension *dm = tt->shape->dim[d];
            io->shape.dims[d] =
                dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                        dm->dim_value > 0
                    ? dm->dim_value
                    : CLINFER_BATCH_DIM;
        }
    }
    return io->name != NULL;
}

static int is_initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; name && i < g->n_initializer; i++)
        if (g->initializer[i]->name && strcmp(g->initializer[i]->name, name) == 0)
            return 1;
    return 0;
}

static int count_ops(const Onnx__GraphProto *g, clinfer_onnx_info *info)
{
    info->ops = calloc(g->n_node + 1, sizeof *info->ops);
    if (!info->ops)
        return 0;
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        char name[256];
        const char *op = n->op_type ? n->op_type : "";
        if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
            snprintf(name, sizeof name, "%s:%s", n->domain, op);
        else
            snprintf(name, sizeof name, "%s", op);
        size_t k = 0;
        while (k < info->op_count && strcmp(info->ops[k].op_type, name) != 0)
            k++;
        if (k == info->op_count) {
            info->ops[k].op_type = onnx_strdup(name);
            if (!info->ops[k].op_type)
                return 0;
            info->op_count++;
        }
        info->ops[k].count++;
    }
    /* Most frequent first, then by name (insertion sort: few op types). */
    for (size_t a = 1; a < info->op_count; a++)
        for (size_t b = a; b > 0; b--) {
            clinfer_onnx_op_stat *x = &info->ops[b - 1], *y = &info->ops[b];
            if (x->count > y->count ||
                (x->count == y->count && strcmp(x->op_type, y->op_type) <= 0))
                break;
            clinfer_onnx_op_stat t = *x;
            *x = *y;
            *y = t;
        }
    return 1;
}

static int fill(const Onnx__ModelProto *m, clinfer_onnx_info *info)
{
    const Onnx__GraphProto *g = m->graph;
    info->ir_version = m->has_ir_version ? m->ir_version : 0;
    info->opset = onnx_model_opset(m);
    char prod[512];
    snprintf(prod, sizeof prod, "%s%s%s", m->producer_name ? m->producer_name : "",
             m->producer_version && m->producer_version[0] ? " " : "",
             m->producer_version ? m->producer_version : "");
    info->producer = onnx_strdup(prod);
    info->inputs = calloc(g->n_input + 1, sizeof *info->inputs);
    info->outputs = calloc(g->n_output + 1, sizeof *info->outputs);
    if (!info->producer || !info->inputs || !info->outputs)
        return 0;
    for (size_t i = 0; i < g->n_input; i++) {
        if (is_initializer(g, g->input[i]->name))
            continue;
        if (!describe(g->input[i], &info->inputs[info->input_count++]))
            return 0;
    }
    for (size_t i = 0; i < g->n_output; i++)
        if (!describe(g->output[i], &info->outputs[info->output_count++]))
            return 0;
    info->node_count = g->n_node;
    info->initializer_count = g->n_initializer;
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *t = g->initializer[i];
        uint64_t n = 1;
        for (size_t d = 0; d < t->n_dims; d++)
            n = t->dims[d] <= 0                          ? 0
                : n > UINT64_MAX / (uint64_t)t->dims[d] ? UINT64_MAX
                                                        : n * (uint64_t)t->dims[d];
        info->parameter_count = info->parameter_count > UINT64_MAX - n ? UINT64_MAX
                                                                        : info->parameter_count + n;
    }
    return count_ops(g, info);
}

/* Shapes of the imported graph's inputs and outputs replace declared ones. */
static void shapes_from_graph(const clinfer_graph *g, clinfer_onnx_info *info)
{
    for (size_t i = 0; i < info->input_count; i++)
        for (int32_t k = 0; k < g->input_count; k++)
            if (strcmp(g->values[g->inputs[k]].name, info->inputs[i].name) == 0) {
                info->inputs[i].shape = g->values[g->inputs[k]].shape;
                info->inputs[i].shape_known = 1;
            }
    for (size_t i = 0; i < info->output_count; i++)
        for (int32_t k = 0; k < g->output_count; k++)
            if (strcmp(g->outputs[k].name, info->outputs[i].name) == 0) {
                info->outputs[i].shape = g->values[g->outputs[k].value].shape;
                info->outputs[i].shape_known = 1;
            }
}

const char *clinfer_onnx_type_name(int32_t elem_type) { return onnx_dtype_name(elem_type); }

const char *clinfer_onnx_issue_kind_name(clinfer_onnx_issue_kind kind)
{
    switch (kind) {
    case CLINFER_ONNX_ISSUE_MODEL:
        return "model";
    case CLINFER_ONNX_ISSUE_UNKNOWN_OP:
        return "unknown_op";
    case CLINFER_ONNX_ISSUE_UNSUPPORTED:
        return "unsupported";
    case CLINFER_ONNX_ISSUE_OPSET:
        return "opset";
    case CLINFER_ONNX_ISSUE_NOT_CHECKED:
        return "not_checked";
    }
    return "unknown";
}

static void count_issue(clinfer_onnx_info *info, const onnx_issue *it)
{
    for (size_t k = 0; k < info->op_count; k++) {
        if (strcmp(info->ops[k].op_type, it->op_type) != 0)
            continue;
        if (it->kind == CLINFER_ONNX_ISSUE_NOT_CHECKED)
            info->ops[k].unchecked++;
        else
            info->ops[k].failing++;
    }
}

static int take_issues(const onnx_issues *is, const char *err, clinfer_onnx_info *info)
{
    size_t n = is->count ? (size_t)is->count : 1;
    info->issues = calloc(n, sizeof *info->issues);
    if (!info->issues)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const onnx_issue *it = is->count ? &is->items[i] : NULL;
        clinfer_onnx_issue *o = &info->issues[info->issue_count++];
        o->op_type = onnx_strdup(it ? it->op_type : "");
        o->node = onnx_strdup(it ? it->node : "");
        o->message = onnx_strdup(it ? it->message : err);
        o->reason = onnx_strdup(it ? it->reason : err);
        o->kind = it ? it->kind : CLINFER_ONNX_ISSUE_MODEL;
        if (!o->op_type || !o->node || !o->message || !o->reason)
            return 0;
        if (it)
            count_issue(info, it);
    }
    return 1;
}

clinfer_status clinfer_onnx_inspect(const void *data, size_t size, clinfer_onnx_info **out)
{
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_onnx_inspect: out is NULL");
    *out = NULL;
    char err[CLINFER_ERRMSG_MAX - 64];
    Onnx__ModelProto *m = NULL;
    clinfer_status st = onnx_unpack_model(data, size, &m, err, sizeof err);
    if (st != CLINFER_OK)
        return err_set(NULL, st, "ONNX: %s", err);
    if (!m->graph) {
        onnx__model_proto__free_unpacked(m, NULL);
        return err_set(NULL, CLINFER_ERR_INVALID_MODEL, "ONNX: the model has no graph");
    }
    clinfer_onnx_info *info = calloc(1, sizeof *info);
    int ok = info && fill(m, info);
    if (ok) {
        onnx_issues issues;
        memset(&issues, 0, sizeof issues);
        clinfer_graph *g = NULL;
        st = onnx_import(m, NULL, &issues, &g, err, sizeof err);
        info->imports = st == CLINFER_OK;
        if (g)
            shapes_from_graph(g, info);
        else
            ok = take_issues(&issues, err, info);
        clinfer_graph_free(g);
        onnx_issues_free(&issues);
    }
    onnx__model_proto__free_unpacked(m, NULL);
    if (!ok) {
        clinfer_onnx_info_free(info);
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "ONNX: out of memory");
    }
    *out = info;
    return CLINFER_OK;
}
