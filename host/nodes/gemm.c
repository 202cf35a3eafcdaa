/*
 * gemm.c — Gemm (and Dense) and MatMul nodes; the kernel in ops/gemm.c.
 */
#include "../ops/gemm.h"

#include "nodes.h"

static clinfer_status gemm_node_params(const node_ctx *c, gemm_params *p)
{
    const gemm_attrs *a = &c->node->attrs.gemm;
    if (!c->in[0] || !c->in[1])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "inputs A and B are required");
    *p = gemm_params_default();
    p->trans_a = a->trans_a, p->trans_b = a->trans_b;
    p->alpha = a->alpha, p->beta = a->beta;
    p->act = (act_params){(act_kind)a->activation, a->act_alpha, a->act_beta};
    if (c->in[2]) {
        p->has_c = 1;
        p->c_shape = *c->in[2];
    }
    clinfer_status st = gemm_dims_from_shapes(c->rt, c->in[0], c->in[1], p);
    return st == CLINFER_OK ? st : node_fail(c, st, "%s", clinfer_last_errmsg());
}

static clinfer_status gemm_infer(const node_ctx *c, clinfer_shape *out)
{
    gemm_params p;
    clinfer_status st = gemm_node_params(c, &p);
    if (st == CLINFER_OK && (st = gemm_output_shape(c->rt, &p, out)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    return st;
}

static clinfer_status gemm_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                        node_launches *l)
{
    gemm_params p;
    clinfer_status st = gemm_node_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = gemm_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = gemm_bind(c->rt, &l->items[0], in[0], in[1], in[2], out);
    return st;
}

static double gemm_flops(const node_ctx *c, const clinfer_shape *out)
{
    gemm_params p;
    if (gemm_node_params(c, &p) != CLINFER_OK)
        return 0;
    (void)out;
    return 2.0 * p.m * (double)p.n * p.k;
}

const node_impl node_gemm_impl = {gemm_infer, gemm_node_prepare, gemm_flops};

static clinfer_status matmul_node_params(const node_ctx *c, matmul_params *p)
{
    if (!c->in[0] || !c->in[1])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "inputs A and B are required");
    *p = (matmul_params){*c->in[0], *c->in[1], {ACT_KIND_NONE, 0, 0}};
    return CLINFER_OK;
}

static clinfer_status matmul_infer(const node_ctx *c, clinfer_shape *out)
{
    matmul_params p;
    clinfer_status st = matmul_node_params(c, &p);
    if (st == CLINFER_OK && (st = matmul_output_shape(c->rt, &p, out)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    return st;
}

static clinfer_status matmul_node_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                          node_launches *l)
{
    matmul_params p;
    clinfer_status st = matmul_node_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = matmul_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = matmul_bind(c->rt, &l->items[0], in[0], in[1], out);
    return st;
}

/* 2 * (output elements) * K, K being A's last dimension. */
static double matmul_flops(const node_ctx *c, const clinfer_shape *out)
{
    int64_t n = 1;
    for (int32_t i = 0; i < out->rank; i++)
        n *= out->dims[i];
    return 2.0 * (double)n * (double)c->in[0]->dims[c->in[0]->rank - 1];
}

const node_impl node_matmul_impl = {matmul_infer, matmul_node_prepare, matmul_flops};
