/*
 * eltwise.c — element-wise nodes (unary functions, broadcasting binary
 * ops), Softmax/LogSoftmax and BatchNormalization; kernels in
 * ops/eltwise.c, ops/softmax.c and ops/batchnorm.c.
 */
#include "../ops/batchnorm.h"
#include "../ops/eltwise.h"
#include "../ops/softmax.h"
#include "nodes.h"

/* Runs the single-launch pattern shared by these nodes: allocate one
 * launch, prepare it with `prep`, bind with `bind`. */
#define ONE_LAUNCH(c, l, prepare_call, bind_call)                     \
    do {                                                              \
        clinfer_status st_ = node_launches_alloc((c)->rt, (l), 1);    \
        if (st_ == CLINFER_OK)                                        \
            st_ = (prepare_call);                                     \
        if (st_ == CLINFER_OK)                                        \
            st_ = (bind_call);                                        \
        return st_;                                                   \
    } while (0)

static clinfer_status need_input(const node_ctx *c, int32_t count)
{
    for (int32_t i = 0; i < count; i++)
        if (!c->in[i])
            return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input %d is required", (int)i);
    return CLINFER_OK;
}

static clinfer_status wrap(const node_ctx *c, clinfer_status st)
{
    return st == CLINFER_OK ? st : node_fail(c, st, "%s", clinfer_last_errmsg());
}

/* ------------------------------------------------------------ unary */

static clinfer_status unary_node_params(const node_ctx *c, unary_params *p)
{
    clinfer_status st = need_input(c, 1);
    if (st != CLINFER_OK)
        return st;
    *p = unary_params_default();
    p->shape = *c->in[0];
    clinfer_unary_op op = c->node->attrs.unary.op;
    float a = c->node->attrs.unary.alpha, b = c->node->attrs.unary.beta;
    switch (op) {
    case CLINFER_UNARY_RELU:
    case CLINFER_UNARY_LEAKY_RELU:
    case CLINFER_UNARY_CLIP:
    case CLINFER_UNARY_SIGMOID:
    case CLINFER_UNARY_TANH:
        p->kind = UNARY_ACT;
        p->act = (act_params){(act_kind)op, a, b};
        return CLINFER_OK;
    case CLINFER_UNARY_EXP:
        p->kind = UNARY_EXP;
        return CLINFER_OK;
    case CLINFER_UNARY_LOG:
        p->kind = UNARY_LOG;
        return CLINFER_OK;
    case CLINFER_UNARY_SQRT:
        p->kind = UNARY_SQRT;
        return CLINFER_OK;
    case CLINFER_UNARY_NEG:
        p->kind = UNARY_NEG;
        return CLINFER_OK;
    case CLINFER_UNARY_ABS:
        p->kind = UNARY_ABS;
        return CLINFER_OK;
    case CLINFER_UNARY_RECIPROCAL:
        p->kind = UNARY_RECIPROCAL;
        return CLINFER_OK;
    }
    return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown unary operation %d", (int)op);
}

static clinfer_status unary_infer(const node_ctx *c, clinfer_shape *out)
{
    unary_params p;
    clinfer_status st = unary_node_params(c, &p);
    return st == CLINFER_OK ? wrap(c, unary_output_shape(c->rt, &p, out)) : st;
}

static clinfer_status unary_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                         node_launches *l)
{
    unary_params p;
    clinfer_status st = unary_node_params(c, &p);
    if (st != CLINFER_OK)
        return st;
    ONE_LAUNCH(c, l, unary_prepare(c->rt, &p, &l->items[0]),
               unary_bind(c->rt, &l->items[0], in[0], out));
}

const node_impl node_unary_impl = {unary_infer, unary_node_prepare, NULL, NULL};

/* ------------------------------------------------------------ binary */

static clinfer_status binary_node_params(const node_ctx *c, binary_params *p)
{
    clinfer_status st = need_input(c, 2);
    if (st != CLINFER_OK)
        return st;
    *p = binary_params_default();
    p->op = (binary_op)c->node->attrs.binary.op;
    p->a = *c->in[0];
    p->b = *c->in[1];
    if (c->node->attrs.binary.op > CLINFER_BINARY_POW)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown binary operation %d",
                         (int)c->node->attrs.binary.op);
    return CLINFER_OK;
}

static clinfer_status binary_infer(const node_ctx *c, clinfer_shape *out)
{
    binary_params p;
    clinfer_status st = binary_node_params(c, &p);
    return st == CLINFER_OK ? wrap(c, binary_output_shape(c->rt, &p, out)) : st;
}

static clinfer_status binary_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                          node_launches *l)
{
    binary_params p;
    clinfer_status st = binary_node_params(c, &p);
    if (st != CLINFER_OK)
        return st;
    ONE_LAUNCH(c, l, binary_prepare(c->rt, &p, &l->items[0]),
               binary_bind(c->rt, &l->items[0], in[0], in[1], out));
}

const node_impl node_binary_impl = {binary_infer, binary_node_prepare, NULL, NULL};

/* ------------------------------------------------------------ softmax */

static clinfer_status softmax_node_params(const node_ctx *c, softmax_params *p)
{
    clinfer_status st = need_input(c, 1);
    if (st != CLINFER_OK)
        return st;
    *p = softmax_params_default();
    p->shape = *c->in[0];
    p->axis = c->node->attrs.softmax.axis;
    p->log = c->node->attrs.softmax.log;
    p->legacy = c->node->attrs.softmax.legacy;
    return CLINFER_OK;
}

static clinfer_status softmax_infer(const node_ctx *c, clinfer_shape *out)
{
    softmax_params p;
    clinfer_status st = softmax_node_params(c, &p);
    return st == CLINFER_OK ? wrap(c, softmax_output_shape(c->rt, &p, out)) : st;
}

static clinfer_status softmax_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                           node_launches *l)
{
    softmax_params p;
    clinfer_status st = softmax_node_params(c, &p);
    if (st != CLINFER_OK)
        return st;
    ONE_LAUNCH(c, l, softmax_prepare(c->rt, &p, &l->items[0]),
               softmax_bind(c->rt, &l->items[0], in[0], out));
}

const node_impl node_softmax_impl = {softmax_infer, softmax_node_prepare, NULL, NULL};

/* ------------------------------------------------------------ batchnorm */

/* Builder form: inputs [x, scale, bias, mean, var]; after compile: [x, mul,
 * add] with per-channel coefficients (see passes/fold.c). */
static clinfer_status batchnorm_node_params(const node_ctx *c, batchnorm_params *p)
{
    int coeff = c->node->attrs.batchnorm.coefficients;
    clinfer_status st = need_input(c, coeff ? 3 : 5);
    if (st != CLINFER_OK)
        return st;
    *p = batchnorm_params_default();
    p->shape = *c->in[0];
    p->scale = *c->in[1];
    p->bias = *c->in[2];
    p->mean = coeff ? *c->in[1] : *c->in[3];
    p->var = coeff ? *c->in[1] : *c->in[4];
    p->epsilon = c->node->attrs.batchnorm.epsilon;
    return CLINFER_OK;
}

static clinfer_status batchnorm_infer(const node_ctx *c, clinfer_shape *out)
{
    batchnorm_params p;
    clinfer_status st = batchnorm_node_params(c, &p);
    return st == CLINFER_OK ? wrap(c, batchnorm_output_shape(c->rt, &p, out)) : st;
}

static clinfer_status batchnorm_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                             node_launches *l)
{
    batchnorm_params p;
    clinfer_status st = batchnorm_node_params(c, &p);
    if (st != CLINFER_OK)
        return st;
    if (!c->node->attrs.batchnorm.coefficients)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "coefficients were not prepared");
    ONE_LAUNCH(c, l, batchnorm_prepare(c->rt, &p, &l->items[0]),
               batchnorm_bind(c->rt, &l->items[0], in[0], in[1], in[2], out));
}

const node_impl node_batchnorm_impl = {batchnorm_infer, batchnorm_node_prepare, NULL, NULL};
