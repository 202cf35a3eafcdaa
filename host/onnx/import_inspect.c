/*
 * import_inspect.c — inspect mode (clinfer_onnx_inspect): what stands in for
 * the outputs of a node that cannot be imported, so that the nodes after it
 * are checked too and `clinfer info` lists every node clinfer cannot run,
 * not only the first of a chain.
 *
 * An output gets a stand-in graph value (a graph input of the importer's
 * throw-away graph) when its shape is known without running the node: the
 * shape the model declares for it (value_info or a graph output, float,
 * every dimension fixed but the first), or, for an op whose first output
 * has the shape of its first input (element-wise functions, normalisations),
 * that input's shape. Any other output is poisoned: the nodes that read it
 * are reported as not checked rather than checked against a guess.
 */
#include <string.h>

#include "import_internal.h"

/* ONNX ops whose output 0 has the shape (and float type) of input 0. */
static const char *const same_shape_ops[] = {
    "Abs",      "Acos",          "Acosh",      "Asin",
    "Asinh",    "Atan",          "Atanh",      "BatchNormalization",
    "Ceil",     "Celu",          "Clip",       "Cos",
    "Cosh",     "CumSum",        "Dropout",    "Elu",
    "Erf",      "Exp",           "Floor",      "Gelu",
    "HardSigmoid", "HardSwish",  "Hardmax",    "Identity",
    "InstanceNormalization", "LRN", "LayerNormalization", "LeakyRelu",
    "Log",      "LogSoftmax",    "LpNormalization", "MeanVarianceNormalization",
    "Mish",     "Neg",           "PRelu",      "Reciprocal",
    "Relu",     "Round",         "Selu",       "Shrink",
    "Sigmoid",  "Sign",          "Sin",        "Sinh",
    "Softmax",  "Softplus",      "Softsign",   "Sqrt",
    "Tan",      "Tanh",          "ThresholdedRelu",
};

static int keeps_shape(const onnx_node *c)
{
    if (!im_default_domain(c->n))
        return 0;
    for (size_t i = 0; i < sizeof same_shape_ops / sizeof same_shape_ops[0]; i++)
        if (strcmp(c->op, same_shape_ops[i]) == 0)
            return 1;
    return 0;
}

/* A float ValueInfo's shape when every dimension but the first is fixed
 * (the first may be open: the batch). */
static int info_shape(const Onnx__ValueInfoProto *vi, clinfer_shape *out)
{
    const Onnx__TypeProto__Tensor *tt =
        vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
            ? vi->type->tensor_type
            : NULL;
    if (!tt || !tt->shape || tt->shape->n_dim > CLINFER_MAX_RANK)
        return 0;
    int32_t t = tt->has_elem_type ? tt->elem_type : 0;
    if (t != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && t != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 &&
        t != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE && t != ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16)
        return 0;
    memset(out, 0, sizeof *out);
    out->rank = (int32_t)tt->shape->n_dim;
    for (int32_t d = 0; d < out->rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dm = tt->shape->dim[d];
        int fixed = dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        if (fixed && dm->dim_value >= 1 && dm->dim_value <= INT32_MAX)
            out->dims[d] = dm->dim_value;
        else if (d == 0 && !fixed)
            out->dims[d] = CLINFER_BATCH_DIM;
        else
            return 0;
    }
    return 1;
}

/* The shape the model declares for tensor `name`, if usable. */
static int declared_shape(const importer *im, const char *name, clinfer_shape *out)
{
    const Onnx__GraphProto *g = im->graph;
    for (size_t i = 0; i < g->n_value_info; i++)
        if (g->value_info[i]->name && strcmp(g->value_info[i]->name, name) == 0)
            return info_shape(g->value_info[i], out);
    for (size_t i = 0; i < g->n_output; i++)
        if (g->output[i]->name && strcmp(g->output[i]->name, name) == 0)
            return info_shape(g->output[i], out);
    return 0;
}

/* Output k's shape when known without the node, else 0. */
static int known_shape(onnx_node *c, int32_t k, const char *name, clinfer_shape *out)
{
    if (declared_shape(c->im, name, out))
        return 1;
    onnx_sym *x = onnx_node_in(c, 0);
    if (k != 0 || !x || x->kind != SYM_VALUE || !keeps_shape(c))
        return 0;
    return clinfer_graph_value_shape(c->im->g, x->value, out) == CLINFER_OK;
}

void im_stand_in_outputs(onnx_node *c)
{
    for (size_t k = 0; k < c->n->n_output; k++) {
        onnx_sym *s = onnx_node_out_sym(c, (int32_t)k);
        if (!s)
            continue;
        if (s->host)
            host_tensor_destroy(s->host);
        s->host = NULL;
        s->kind = SYM_POISON;
        clinfer_shape shape;
        if (known_shape(c, (int32_t)k, s->name, &shape) &&
            clinfer_graph_input(c->im->g, s->name, &shape, &s->value) == CLINFER_OK)
            s->kind = SYM_VALUE;
    }
}

const onnx_sym *im_poisoned_input(importer *im, const Onnx__NodeProto *n)
{
    for (size_t k = 0; k < n->n_input; k++) {
        onnx_sym *s = n->input[k] && n->input[k][0] ? im_find(im, n->input[k]) : NULL;
        if (s && s->kind == SYM_POISON)
            return s;
    }
    return NULL;
}
