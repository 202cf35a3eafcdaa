/*
 * patterns.c — activations that exporters write as several element-wise
 * nodes, rewritten into the one unary activation they compute, so that it
 * runs as one kernel and fuses into the conv or GEMM before it like any
 * activation (fuse.c runs after this):
 *  - HardSwish: Mul(x, HardSigmoid(x)), operands in either order
 *    (MobileNetV3 as PyTorch exports it before opset 14), alpha and beta
 *    kept from the HardSigmoid;
 *  - Swish with alpha 1 (SiLU): Mul(x, Sigmoid(x)), either order
 *    (EfficientNet, YOLO; ONNX has no SiLU op before Swish in opset 24);
 *  - GELU: Div(x, sqrt 2) (or Mul(x, 1 / sqrt 2)) -> Erf -> Add 1 ->
 *    a product of x, that and 0.5 in any order and grouping:
 *    Mul(Mul(x, e), 0.5), Mul(Mul(x, 0.5), e) or Mul(x, Mul(e, 0.5)), each
 *    Mul's operands either way round (BERT and PyTorch's nn.GELU exports);
 *  - a QuantizeLinear -> DequantizeLinear pair of one scale and zero point
 *    (QDQ-quantized models) as the activation QDQ_U8 or QDQ_S8.
 * Every intermediate value must feed only the next node of the pattern and
 * not be a graph output, and the result must have x's shape (constants that
 * broadcast to a higher rank leave the nodes alone). The first node of the
 * pattern becomes the activation and writes the last node's output; the
 * others are removed.
 */
#include <math.h>

#include "../shape.h"
#include "passes.h"

/* The live node that reads value v, if v feeds exactly one input of one
 * live node and is not a graph output; else NULL. */
static graph_node *sole_consumer(clinfer_graph *g, int32_t v)
{
    if (v < 0 || graph_is_output(g, v) || graph_consumer_count(g, v) != 1)
        return NULL;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *n = &g->nodes[i];
        for (int32_t k = 0; !n->removed && k < n->input_count; k++)
            if (n->inputs[k] == v)
                return n;
    }
    return NULL;
}

/* Whether node n is a live binary `op` of two inputs. */
static int is_binary(const graph_node *n, clinfer_binary_op op)
{
    return n && !n->removed && n->op == OP_BINARY && n->attrs.binary.op == op &&
           n->input_count == 2;
}

/* Whether value v is a one-element constant, and its value. */
static int scalar_constant(const clinfer_graph *g, int32_t v, float *out)
{
    if (v < 0 || g->values[v].kind != VALUE_CONSTANT || shape_numel(&g->values[v].shape) != 1)
        return 0;
    *out = g->values[v].data[0];
    return 1;
}

/* Whether value v is a one-element constant equal to `want` within a
 * relative `tol`. */
static int constant_near(const clinfer_graph *g, int32_t v, double want, double tol)
{
    float c;
    return scalar_constant(g, v, &c) && fabs((double)c - want) <= tol * fabs(want);
}

/* The input of binary node n other than value v (-1 if n does not read v). */
static int32_t other_input(const graph_node *n, int32_t v)
{
    return n->inputs[0] == v ? n->inputs[1] : n->inputs[1] == v ? n->inputs[0] : -1;
}

/* Whether binary node n reads value v and a constant equal to `want`. */
static int with_constant(const clinfer_graph *g, const graph_node *n, int32_t v, double want)
{
    const int32_t o = other_input(n, v);
    return o >= 0 && o != v && constant_near(g, o, want, 0);
}

/* Marks n removed; its output is then produced by nobody. */
static void drop(clinfer_graph *g, graph_node *n)
{
    g->values[n->output].producer = -1;
    n->removed = 1;
}

/* Rewrites `first` (the first node of a pattern, which reads x) into the
 * unary activation `op` on x, writing `last`'s output. */
static void make_activation(clinfer_graph *g, graph_node *first, graph_node *last, int32_t x,
                            clinfer_unary_op op, float alpha, float beta)
{
    first->op = OP_UNARY;
    first->inputs[0] = x;
    first->input_count = 1;
    first->attrs.unary.op = op;
    first->attrs.unary.alpha = alpha;
    first->attrs.unary.beta = beta;
    pass_absorb(g, first, last);
}

static int same_shape(const clinfer_graph *g, int32_t a, int32_t b)
{
    return shape_equal(&g->values[a].shape, &g->values[b].shape);
}

/* The activation x * gate(x) for a gate activation, or 0 if none:
 * HardSigmoid -> HardSwish (keeping alpha and beta), Sigmoid -> Swish with
 * alpha 1 (SiLU). */
static clinfer_unary_op gated_activation(clinfer_unary_op gate)
{
    return gate == CLINFER_UNARY_HARD_SIGMOID ? CLINFER_UNARY_HARD_SWISH
           : gate == CLINFER_UNARY_SIGMOID    ? CLINFER_UNARY_SWISH
                                              : (clinfer_unary_op)0;
}

int pass_fuse_swishes(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *h = &g->nodes[i];
        if (h->removed || h->op != OP_UNARY || !gated_activation(h->attrs.unary.op))
            continue;
        const int32_t x = h->inputs[0];
        graph_node *m = sole_consumer(g, h->output);
        if (!is_binary(m, CLINFER_BINARY_MUL) || other_input(m, h->output) != x ||
            !same_shape(g, m->output, x))
            continue;
        const int hard = h->attrs.unary.op == CLINFER_UNARY_HARD_SIGMOID;
        make_activation(g, h, m, x, gated_activation(h->attrs.unary.op),
                        hard ? h->attrs.unary.alpha : 1.0f, hard ? h->attrs.unary.beta : 0.0f);
        fused++;
    }
    return fused;
}

/* Whether node d is a live unary DequantizeLinear of q's scale and zero
 * point. */
static int dequantizes(const graph_node *d, const graph_node *q)
{
    return !d->removed && d->op == OP_UNARY && d->attrs.unary.op == CLINFER_UNARY_DEQUANTIZE &&
           d->attrs.unary.alpha == q->attrs.unary.alpha &&
           d->attrs.unary.beta == q->attrs.unary.beta;
}

/* Whether every reader of q's output (one at least) is such a
 * DequantizeLinear, and neither it nor theirs is a graph output. */
static int only_dequantized(const clinfer_graph *g, const graph_node *q)
{
    if (graph_is_output(g, q->output) || graph_consumer_count(g, q->output) == 0)
        return 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        const graph_node *n = &g->nodes[i];
        for (int32_t k = 0; !n->removed && k < n->input_count; k++)
            if (n->inputs[k] == q->output && (!dequantizes(n, q) || graph_is_output(g, n->output)))
                return 0;
    }
    return 1;
}

/* Every live node's reads of value `from` read `to` instead. */
static void redirect_readers(clinfer_graph *g, int32_t from, int32_t to)
{
    for (int32_t i = 0; i < g->node_count; i++)
        for (int32_t k = 0; !g->nodes[i].removed && k < g->nodes[i].input_count; k++)
            if (g->nodes[i].inputs[k] == from)
                g->nodes[i].inputs[k] = to;
}

/* A unary QuantizeLinear read only by DequantizeLinears of its scale and
 * zero point (one, or several: ONNX Runtime's quantizer quantizes a value
 * once for all its readers): the QuantizeLinear becomes the pair as one
 * activation (QDQ models), which fuse.c then folds into the conv or GEMM
 * that computes its input, and the DequantizeLinears' readers read it. */
int pass_fuse_qdq(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *q = &g->nodes[i];
        if (q->removed || q->op != OP_UNARY ||
            (q->attrs.unary.op != CLINFER_UNARY_QUANTIZE_U8 &&
             q->attrs.unary.op != CLINFER_UNARY_QUANTIZE_S8) ||
            !only_dequantized(g, q))
            continue;
        /* (the readers redirected here come later and read q->output too:
         * only the DequantizeLinears go) */
        for (int32_t j = i + 1; j < g->node_count; j++) {
            graph_node *d = &g->nodes[j];
            if (dequantizes(d, q) && d->inputs[0] == q->output) {
                redirect_readers(g, d->output, q->output);
                drop(g, d);
            }
        }
        q->attrs.unary.op = q->attrs.unary.op == CLINFER_UNARY_QUANTIZE_U8 ? CLINFER_UNARY_QDQ_U8
                                                                          : CLINFER_UNARY_QDQ_S8;
        fused++;
    }
    return fused;
}

/* x when node d computes x / sqrt 2 (Div by sqrt 2, or Mul by 1 / sqrt 2
 * either way round), else -1. The constant must be sqrt 2 (1 / sqrt 2) to
 * within a few float roundings. */
static int32_t gelu_scaled_input(const clinfer_graph *g, const graph_node *d)
{
    const double tol = 1.0 / (1 << 20);
    if (is_binary(d, CLINFER_BINARY_DIV))
        return constant_near(g, d->inputs[1], sqrt(2.0), tol) ? d->inputs[0] : -1;
    if (!is_binary(d, CLINFER_BINARY_MUL))
        return -1;
    for (int side = 0; side < 2; side++)
        if (constant_near(g, d->inputs[1 - side], sqrt(0.5), tol) &&
            !constant_near(g, d->inputs[side], sqrt(0.5), tol))
            return d->inputs[side];
    return -1;
}

/* The last node of the GELU pattern whose Add 1 is `a` and whose scaled
 * input reads x, and in *mid the other Mul of the product; NULL when the
 * nodes after `a` are not the pattern. */
static graph_node *gelu_product(clinfer_graph *g, graph_node *a, int32_t x, graph_node **mid)
{
    graph_node *n1 = sole_consumer(g, a->output);
    if (!is_binary(n1, CLINFER_BINARY_MUL))
        return NULL;
    const int32_t o = other_input(n1, a->output);
    if (o == x || constant_near(g, o, 0.5, 0)) { /* (x * e) * 0.5 or x * (e * 0.5) */
        graph_node *n2 = sole_consumer(g, n1->output);
        if (!is_binary(n2, CLINFER_BINARY_MUL) ||
            !(o == x ? with_constant(g, n2, n1->output, 0.5) : other_input(n2, n1->output) == x))
            return NULL;
        *mid = n1;
        return n2;
    }
    /* (x * 0.5) * e: o is Mul(x, 0.5), read only by n1 */
    graph_node *half = pass_sole_producer(g, o, OP_BINARY);
    if (!is_binary(half, CLINFER_BINARY_MUL) || !with_constant(g, half, x, 0.5))
        return NULL;
    *mid = half;
    return n1;
}

int pass_fuse_gelu(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *e = &g->nodes[i];
        if (e->removed || e->op != OP_UNARY || e->attrs.unary.op != CLINFER_UNARY_ERF)
            continue;
        graph_node *d = pass_sole_producer(g, e->inputs[0], OP_BINARY);
        const int32_t x = d ? gelu_scaled_input(g, d) : -1;
        graph_node *a = sole_consumer(g, e->output);
        if (x < 0 || !is_binary(a, CLINFER_BINARY_ADD) || !with_constant(g, a, e->output, 1.0))
            continue;
        graph_node *mid = NULL, *end = gelu_product(g, a, x, &mid);
        if (!end || !same_shape(g, end->output, x))
            continue;
        drop(g, e);
        drop(g, a);
        drop(g, mid);
        make_activation(g, d, end, x, CLINFER_UNARY_GELU, 0, 0);
        fused++;
    }
    return fused;
}
