/*
 * excite.c — squeeze_excite nodes (inputs [x, W1, b1, W2, b2], the biases
 * optional; the activations as attributes), which passes/excite.c makes
 * from a GlobalAveragePool and the two 1x1 convolutions after it; W2
 * transposed once into persistent memory where it is a constant; the
 * launch in ops/excite.c.
 */
#include "../ops/excite.h"
#include "../runtime.h"
#include "nodes.h"

/* w is [rows, cols, 1, 1] (a 1x1 convolution's weights). */
static int pointwise_weights(const clinfer_shape *w, int64_t rows, int64_t cols)
{
    return w && w->rank == 4 && w->dims[0] == rows && w->dims[1] == cols && w->dims[2] == 1 &&
           w->dims[3] == 1;
}

static clinfer_status excite_params_of(const node_ctx *c, excite_params *p)
{
    clinfer_status st = node_need_rank(c, 0, 4);
    if (st == CLINFER_OK)
        st = node_need_int32_dims(c, 0);
    if (st != CLINFER_OK)
        return st;
    if (c->node->input_count != 5)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "has %d inputs, not 5 (x, W1, b1, W2, b2)", (int)c->node->input_count);
    const clinfer_shape *x = c->in[0], *w1 = c->in[1], *b1 = c->in[2], *w2 = c->in[3];
    const clinfer_shape *b2 = c->in[4];
    const int64_t C = x->dims[1], S = w1 && w1->rank == 4 ? w1->dims[0] : 0;
    if (S < 1 || S > INT32_MAX || !pointwise_weights(w1, S, C) || !pointwise_weights(w2, C, S) ||
        !node_bias_or_absent(b1, S) || !node_bias_or_absent(b2, C))
        return node_fail(c, CLINFER_ERR_SHAPE,
                         "needs weights [S, %lld, 1, 1] and [%lld, S, 1, 1] and biases [S] and "
                         "[%lld] (or none)",
                         (long long)C, (long long)C, (long long)C);
    const struct excite_attrs *e = &c->node->attrs.excite;
    *p = (excite_params){(int32_t)x->dims[0], (int32_t)C, (int32_t)x->dims[2],
                         (int32_t)x->dims[3], (int32_t)S, b1 != NULL, b2 != NULL,
                         (act_params){(act_kind)e->act, e->act_alpha, e->act_beta},
                         (act_params){(act_kind)e->gate, e->gate_alpha, e->gate_beta}};
    return CLINFER_OK;
}

static clinfer_status excite_infer(const node_ctx *c, clinfer_shape *out)
{
    excite_params *p = c->plan;
    clinfer_status st = node_need_inputs(c, 1);
    if (st == CLINFER_OK)
        st = excite_params_of(c, p);
    return st == CLINFER_OK ? node_wrap(c, excite_output_shape(c->rt, p, out)) : st;
}

/* W2 transposed into the node's persist memory (a constant with a host
 * copy: passes/excite.c fuses no other), shared by the model's sessions. */
static clinfer_status excite_plan(const node_ctx *c, node_memory *out)
{
    const excite_params *p = c->plan;
    if (!node_input_is_constant(c, 3) || !c->g->values[c->node->inputs[3]].data)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "W2 (input 3) must be a constant with a host copy");
    out->persist_bytes = ((uint64_t)p->c * p->s + EXCITE_W2_T_PAD) * rt_elem_bytes(c->rt);
    out->persist_shared = 1;
    return CLINFER_OK;
}

/* W2 [C, S] -> [S, C], the padding zero. */
static clinfer_status transpose_w2(const node_ctx *c, const float *src, float *dst)
{
    const excite_params *p = c->plan;
    for (int32_t ch = 0; ch < p->c; ch++)
        for (int32_t s = 0; s < p->s; s++)
            dst[(size_t)s * p->c + ch] = src[(size_t)ch * p->s + s];
    for (int32_t k = 0; k < EXCITE_W2_T_PAD; k++)
        dst[(size_t)p->c * p->s + k] = 0.0f;
    return CLINFER_OK;
}

static clinfer_status excite_node_prepare(const node_ctx *c, const dev_tensor *in,
                                          dev_tensor out, node_launches *l)
{
    const excite_params *p = c->plan;
    const dev_tensor bufs[5] = {in[0], in[1], in[2], dev_whole(c->persist), in[4]};
    clinfer_status st = CLINFER_OK;
    if (!c->persist_ready) /* else an earlier session of the model transposed it */
        st = node_pack_on_host(c, 3, (size_t)p->c * p->s + EXCITE_W2_T_PAD, transpose_w2);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = excite_prepare(c->rt, p, &l->items[0]);
    return st == CLINFER_OK ? excite_bind(c->rt, &l->items[0], bufs, out) : st;
}

const node_impl node_excite_impl = {sizeof(excite_params), excite_infer, excite_plan,
                                    excite_node_prepare, NULL, NULL, NULL};
