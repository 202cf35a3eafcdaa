/*
 * layernorm.c — LayerNormalization as PyTorch exports it below opset 17:
 *   m = ReduceMean(x)           (keepdims, over the trailing dims axis..)
 *   d = Sub(x, m)
 *   v = ReduceMean(Pow(d, 2))   (or Mul(d, d), as ONNX's own expansion)
 *   y = Div(d, Sqrt(Add(v, eps)))
 *   [y = Mul(y, scale)] [y = Add(y, bias)]   (either operand order)
 * becomes one layernorm node: one launch reading x three times instead of
 * eight or nine launches and their intermediate tensors. The fused node
 * takes the place of the first ReduceMean (x is ready there; scale and
 * bias are constants) and writes the chain's last value. A Mul or Add
 * whose constant does not hold one value per normalised element (a
 * broadcast along the rows) stays a node of its own after the fused one.
 */
#include <stdlib.h>
#include <string.h>

#include "../shape.h"
#include "passes.h"

typedef struct ln_chain {
    graph_node *mean, *sub, *sq, *var, *add_eps, *sqrt, *div, *mul, *add;
    int32_t x, scale, bias;
    int32_t axis;
    float eps;
} ln_chain;

/* The producer of v if it is a live node of kind `op` (any consumers). */
static graph_node *producer(clinfer_graph *g, int32_t v, op_kind op)
{
    if (v < 0 || g->values[v].kind != VALUE_NODE || g->values[v].producer < 0)
        return NULL;
    graph_node *p = &g->nodes[g->values[v].producer];
    return !p->removed && p->op == op ? p : NULL;
}

/* pass_sole_producer for a binary / unary op of the given function. */
static graph_node *sole_binary(clinfer_graph *g, int32_t v, clinfer_binary_op op)
{
    graph_node *p = pass_sole_producer(g, v, OP_BINARY);
    return p && p->attrs.binary.op == op && p->input_count == 2 ? p : NULL;
}

/* The value of a one-element constant. */
static int const_scalar(const clinfer_graph *g, int32_t v, float *out)
{
    if (v < 0 || g->values[v].kind != VALUE_CONSTANT || shape_numel(&g->values[v].shape) != 1)
        return 0;
    *out = g->values[v].data[0];
    return 1;
}

/* A ReduceMean with keepdims over exactly dims axis..rank-1 of a rank-`rank`
 * input; writes axis. */
static int trailing_mean(const graph_node *n, int32_t rank, int32_t *axis)
{
    if (!n || n->attrs.reduce.op != CLINFER_REDUCE_MEAN || !n->attrs.reduce.keepdims ||
        n->attrs.reduce.naxes < 1 || rank < 1)
        return 0;
    uint32_t mask = 0;
    for (int32_t i = 0; i < n->attrs.reduce.naxes; i++) {
        int32_t d;
        if (!shape_axis(n->attrs.reduce.axes[i], rank, &d))
            return 0;
        mask |= 1u << d;
    }
    const int32_t first = rank - n->attrs.reduce.naxes; /* the mask must be [first, rank) */
    if (first < 0 || mask != ((1u << rank) - 1u) - ((1u << first) - 1u))
        return 0;
    *axis = first;
    return 1;
}

/* The variance: ReduceMean(Pow(d, 2)) or ReduceMean(Mul(d, d)) read by
 * the Add of epsilon; fills c->var and c->sq, and c->eps. */
static int variance(clinfer_graph *g, int32_t v_eps, int32_t d, ln_chain *c)
{
    c->add_eps = sole_binary(g, v_eps, CLINFER_BINARY_ADD);
    if (!c->add_eps)
        return 0;
    const int side = const_scalar(g, c->add_eps->inputs[1], &c->eps) ? 0 : 1;
    if (side == 1 && !const_scalar(g, c->add_eps->inputs[0], &c->eps))
        return 0;
    c->var = pass_sole_producer(g, c->add_eps->inputs[side], OP_REDUCE);
    c->sq = c->var ? pass_sole_producer(g, c->var->inputs[0], OP_BINARY) : NULL;
    if (!c->sq || c->sq->input_count != 2 || c->sq->inputs[0] != d)
        return 0;
    float two = 0;
    if (c->sq->attrs.binary.op == CLINFER_BINARY_POW)
        return const_scalar(g, c->sq->inputs[1], &two) && two == 2.0f;
    return c->sq->attrs.binary.op == CLINFER_BINARY_MUL && c->sq->inputs[1] == d;
}

/* The standardisation ending at Div node `div`. */
static int core(clinfer_graph *g, graph_node *div, ln_chain *c)
{
    memset(c, 0, sizeof *c);
    c->div = div;
    const int32_t d = div->inputs[0];
    c->sqrt = pass_sole_producer(g, div->inputs[1], OP_UNARY);
    if (!c->sqrt || c->sqrt->attrs.unary.op != CLINFER_UNARY_SQRT ||
        !variance(g, c->sqrt->inputs[0], d, c))
        return 0;
    c->sub = producer(g, d, OP_BINARY);
    if (!c->sub || c->sub->attrs.binary.op != CLINFER_BINARY_SUB || c->sub->input_count != 2 ||
        graph_is_output(g, d))
        return 0;
    /* d feeds exactly the square (one or two operands) and the Div */
    const int32_t readers = c->sq->attrs.binary.op == CLINFER_BINARY_MUL ? 3 : 2;
    if (graph_consumer_count(g, d) != readers)
        return 0;
    c->x = c->sub->inputs[0];
    c->mean = pass_sole_producer(g, c->sub->inputs[1], OP_REDUCE);
    const int32_t rank = g->values[c->x].shape.rank;
    int32_t a1, a2;
    if (!c->mean || c->mean->inputs[0] != c->x || !trailing_mean(c->mean, rank, &a1) ||
        !trailing_mean(c->var, rank, &a2) || a1 != a2)
        return 0;
    c->axis = a1;
    c->scale = c->bias = CLINFER_NO_VALUE;
    return 1;
}

/* The only live reader of v (not a graph output), or NULL. */
static graph_node *sole_consumer(clinfer_graph *g, int32_t v)
{
    if (graph_is_output(g, v) || graph_consumer_count(g, v) != 1)
        return NULL;
    for (int32_t i = 0; i < g->node_count; i++)
        for (int32_t k = 0; !g->nodes[i].removed && k < g->nodes[i].input_count; k++)
            if (g->nodes[i].inputs[k] == v)
                return &g->nodes[i];
    return NULL;
}

/* Whether constant k holds one value per normalised element of x, in
 * their order: it broadcasts against x's shape without repeating along
 * the dims before axis, and is not itself broadcast within a row. */
static int fits_row(const clinfer_graph *g, int32_t k, int32_t x, int32_t axis)
{
    const clinfer_shape *ks = &g->values[k].shape, *xs = &g->values[x].shape;
    if (g->values[k].kind != VALUE_CONSTANT || ks->rank > xs->rank)
        return 0;
    int64_t row = 1;
    for (int32_t d = axis; d < xs->rank; d++)
        row *= xs->dims[d];
    for (int32_t i = 0; i < ks->rank; i++) {
        const int32_t d = xs->rank - ks->rank + i;
        if (d < axis ? ks->dims[i] != 1 : ks->dims[i] != xs->dims[d])
            return 0;
    }
    return row > 0 && shape_numel(ks) == row;
}

/* The Mul (op MUL) or Add (op ADD) reading v with a fitting constant;
 * writes the constant. */
static graph_node *affine(clinfer_graph *g, int32_t v, const ln_chain *c, clinfer_binary_op op,
                          int32_t *constant)
{
    graph_node *n = sole_consumer(g, v);
    if (!n || n->op != OP_BINARY || n->attrs.binary.op != op || n->input_count != 2)
        return NULL;
    const int side = n->inputs[0] == v ? 1 : 0; /* the constant's side */
    if (!fits_row(g, n->inputs[side], c->x, c->axis))
        return NULL;
    *constant = n->inputs[side];
    return n;
}

/* Rewrites the chain into its first node. */
static clinfer_status fuse(clinfer_graph *g, ln_chain *c)
{
    int32_t *inputs = realloc(c->mean->inputs, 3 * sizeof *inputs);
    if (!inputs)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    graph_node *ln = c->mean, *last = c->add ? c->add : c->mul ? c->mul : c->div;
    inputs[0] = c->x, inputs[1] = c->scale, inputs[2] = c->bias;
    ln->inputs = inputs;
    ln->input_count = 3;
    ln->op = OP_LAYERNORM;
    memset(&ln->attrs, 0, sizeof ln->attrs);
    ln->attrs.norm.epsilon = c->eps;
    ln->attrs.norm.axis = c->axis;
    graph_node *gone[8] = {c->sub, c->sq, c->var, c->add_eps, c->sqrt, c->div, c->mul, c->add};
    for (int i = 0; i < 8; i++)
        if (gone[i] && gone[i] != last) {
            g->values[gone[i]->output].producer = -1;
            gone[i]->removed = 1;
        }
    char *name = ln->name; /* the fused node goes by the chain's last name */
    ln->name = last->name;
    last->name = name;
    pass_absorb(g, ln, last);
    return CLINFER_OK;
}

int pass_fuse_layernorm(clinfer_graph *g)
{
    int fused = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        graph_node *n = &g->nodes[i];
        ln_chain c;
        if (n->removed || n->op != OP_BINARY || n->attrs.binary.op != CLINFER_BINARY_DIV ||
            n->input_count != 2 || !core(g, n, &c))
            continue;
        c.mul = affine(g, c.div->output, &c, CLINFER_BINARY_MUL, &c.scale);
        c.add = affine(g, (c.mul ? c.mul : c.div)->output, &c, CLINFER_BINARY_ADD, &c.bias);
        clinfer_status st = fuse(g, &c);
        if (st != CLINFER_OK)
            return st;
        fused++;
    }
    return fused;
}
