/*
 * ops_quant.c — ONNX QuantizeLinear and DequantizeLinear (opsets 10-21),
 * as QDQ models (ONNX Runtime's quantization tools, PyTorch's quantized
 * exports) write them: quantized weights are initializers behind a
 * DequantizeLinear, which folds at load time (per tensor or per axis),
 * and activations pass through QuantizeLinear -> DequantizeLinear pairs,
 * which run as two element-wise ops with a per-tensor scale and zero
 * point (CLINFER_UNARY_QUANTIZE_U8/S8, CLINFER_UNARY_DEQUANTIZE): the
 * quantized values are held as floats, exactly. Refused, saying so:
 * 16-bit, 4-bit and float8 quantized types, blocked quantization
 * (block_size), and per-axis scales on tensors computed at run time.
 */
#include <math.h>
#include <string.h>

#include "ops_internal.h"

#define ONNX_UINT8 2
#define ONNX_INT8 3

/* The ONNX element type of input i when an initializer or a Constant node
 * of the graph gives it; 0 when neither does. */
static int32_t input_onnx_type(onnx_node *c, int32_t i)
{
    if (i >= onnx_node_input_count(c) || !c->n->input[i][0])
        return 0;
    const char *name = c->n->input[i];
    const Onnx__GraphProto *g = c->im->graph;
    for (size_t k = 0; k < g->n_initializer; k++)
        if (g->initializer[k]->name && strcmp(g->initializer[k]->name, name) == 0)
            return g->initializer[k]->has_data_type ? g->initializer[k]->data_type : 0;
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        if (n->op_type && strcmp(n->op_type, "Constant") == 0 && n->n_output > 0 &&
            strcmp(n->output[0], name) == 0)
            for (size_t a = 0; a < n->n_attribute; a++)
                if (strcmp(n->attribute[a]->name, "value") == 0 && n->attribute[a]->t)
                    return n->attribute[a]->t->data_type;
    }
    return 0;
}

/* The scale (input 1) and zero point (input 2, optional) of a node, the
 * axis they run along when they are 1-D of more than one value, and the
 * quantized type (QuantizeLinear: the zero point's, else output_dtype,
 * else uint8). */
typedef struct quant_args {
    const host_tensor *scale, *zero;
    int64_t axis;
    int32_t type;
} quant_args;

static clinfer_status quant_args_of(onnx_node *c, quant_args *q)
{
    int64_t block = 0, out_type = 0;
    memset(q, 0, sizeof *q);
    clinfer_status st = onnx_node_in_host(c, 1, "scale", &q->scale);
    if (st == CLINFER_OK)
        st = onnx_node_in_host_opt(c, 2, "zero_point", &q->zero);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", 1, &q->axis);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "block_size", 0, &block);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "output_dtype", 0, &out_type);
    if (st != CLINFER_OK)
        return st;
    if (block != 0)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "blocked quantization (block_size %lld) is not supported",
                               (long long)block);
    if (q->scale->dtype != CLINFER_DTYPE_FLOAT32 || q->scale->numel < 1 ||
        (q->zero && q->zero->numel != q->scale->numel))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "the scale must be float and the zero point hold as many values");
    q->type = q->zero ? input_onnx_type(c, 2) : (int32_t)out_type;
    if (q->zero && q->type == 0) /* computed at load time: its values tell */
        for (int64_t k = 0; k < q->zero->numel; k++)
            q->type = q->zero->i && q->zero->i[k] < 0 ? ONNX_INT8 : q->type;
    if (q->type == 0)
        q->type = ONNX_UINT8;
    return CLINFER_OK;
}

/* Zero point j (0 when there is none). */
static double quant_zero(const quant_args *q, int64_t j)
{
    return !q->zero ? 0 : q->zero->i ? (double)q->zero->i[j] : (double)q->zero->f[j];
}

/* Which scale element k of x (shape xs, checked by quant_check_axis)
 * takes: 0 per tensor, else its index along the axis. */
static int64_t quant_index(const quant_args *q, const clinfer_shape *xs, int64_t k)
{
    if (q->scale->numel == 1)
        return 0;
    const int32_t axis = (int32_t)(q->axis < 0 ? q->axis + xs->rank : q->axis);
    int64_t inner = 1;
    for (int32_t d = axis + 1; d < xs->rank && d < CLINFER_MAX_RANK; d++)
        inner *= xs->dims[d];
    return (k / inner) % xs->dims[axis];
}

/* Per-axis scales fit x: 1-D of x's size along a valid axis. */
static clinfer_status quant_check_axis(onnx_node *c, const quant_args *q, const clinfer_shape *xs)
{
    if (q->scale->numel == 1)
        return CLINFER_OK;
    const int64_t axis = q->axis < 0 ? q->axis + xs->rank : q->axis;
    if (q->scale->shape.rank != 1 || axis < 0 || axis >= xs->rank ||
        xs->dims[axis] != q->scale->numel)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "%lld scales do not fit axis %lld of the input (rank %d)",
                               (long long)q->scale->numel, (long long)q->axis, (int)xs->rank);
    return CLINFER_OK;
}

static clinfer_status quant_check_type(onnx_node *c, int32_t type)
{
    if (type == ONNX_UINT8 || type == ONNX_INT8)
        return CLINFER_OK;
    return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                           "quantized type %s is not supported (uint8 and int8 are)",
                           onnx_dtype_name(type));
}

/* A run-time tensor's (de)quantization: per tensor only, one unary op. */
static clinfer_status quant_runtime(onnx_node *c, const quant_args *q, clinfer_unary_op op)
{
    clinfer_value x, y;
    if (q->scale->numel != 1)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "per-axis scales (%lld) on a tensor computed at run time are not "
                               "supported; per-tensor ones are",
                               (long long)q->scale->numel);
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_unary(c->im->g, onnx_node_oname(c), op, x,
                                                q->scale->f[0], (float)quant_zero(q, 0), &y),
                            &y);
}

clinfer_status op_quantize_linear(onnx_node *c)
{
    quant_args q;
    clinfer_status st = quant_args_of(c, &q);
    if (st == CLINFER_OK)
        st = quant_check_type(c, q.type);
    if (st != CLINFER_OK)
        return st;
    return quant_runtime(c, &q,
                         q.type == ONNX_UINT8 ? CLINFER_UNARY_QUANTIZE_U8
                                              : CLINFER_UNARY_QUANTIZE_S8);
}

clinfer_status op_dequantize_linear(onnx_node *c)
{
    quant_args q;
    clinfer_status st = quant_args_of(c, &q);
    return st == CLINFER_OK ? quant_runtime(c, &q, CLINFER_UNARY_DEQUANTIZE) : st;
}

/* Both at load time, per tensor or per axis: quantized values are int64
 * host tensors, dequantized ones float. */
static clinfer_status fold_quant(onnx_node *c, int quantize)
{
    quant_args q;
    const host_tensor *x;
    host_tensor t;
    clinfer_status st = onnx_node_in_host(c, 0, "x", &x);
    if (st == CLINFER_OK)
        st = quant_args_of(c, &q);
    if (st == CLINFER_OK && quantize)
        st = quant_check_type(c, q.type);
    if (st == CLINFER_OK)
        st = quant_check_axis(c, &q, &x->shape);
    if (st == CLINFER_OK && (x->sym || (quantize && !x->f)))
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "the input depends on the batch size or is not float");
    if (st == CLINFER_OK)
        st = fold_make(c, &t, quantize ? CLINFER_DTYPE_INT64 : CLINFER_DTYPE_FLOAT32, &x->shape,
                       0);
    if (st != CLINFER_OK)
        return st;
    const double lo = q.type == ONNX_INT8 ? -128 : 0, hi = q.type == ONNX_INT8 ? 127 : 255;
    for (int64_t k = 0; k < t.numel; k++) {
        const int64_t j = quant_index(&q, &x->shape, k);
        const double scale = q.scale->f[j], zero = quant_zero(&q, j);
        if (quantize) { /* the float division ONNX writes, then halves to even */
            const double v = nearbyint((double)(x->f[k] / (float)scale)) + zero;
            t.i[k] = (int64_t)fmin(fmax(v, lo), hi);
        } else {
            const double v = x->i ? (double)x->i[k] : (double)x->f[k];
            t.f[k] = (float)((v - zero) * scale);
        }
    }
    return onnx_node_out_host(c, 0, &t);
}

clinfer_status fold_quantize_linear(onnx_node *c) { return fold_quant(c, 1); }
clinfer_status fold_dequantize_linear(onnx_node *c) { return fold_quant(c, 0); }
