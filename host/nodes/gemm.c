/*
 * gemm.c — Gemm (and Dense) and MatMul nodes; the kernels in ops/gemm.c.
 *
 * With the cpu variant B is read packed: a constant B (weights) is packed
 * once, while the session is prepared, into the node's persistent memory;
 * any other B is packed on every run into the session's scratch memory, by
 * a first launch.
 */
#include "../ops/gemm.h"

#include "../chain.h"
#include "../shape.h"
#include "nodes.h"

/* A node's plan, Gemm's or MatMul's: its parameters (infer) and the
 * kernel variant with its tiles and packed-B size (plan, once per
 * session). MatMul's parameters are its shapes; the product is the same
 * GEMM, so both share the launch steps. */
typedef struct product_plan {
    int matmul; /* which of the parameter sets holds the node */
    gemm_params gemm_params;
    matmul_params matmul_params;
    gemm_plan gemm;
} product_plan;

/* Bytes of scratch before the partial sums: B packed per run, rounded up
 * to 16 bytes (the sums are float in every precision). */
static uint64_t partial_sums_at(const node_ctx *c, const gemm_plan *plan)
{
    const int per_run_pack = plan->packed_bytes > 0 && !node_input_is_constant(c, 1);
    return per_run_pack ? (plan->packed_bytes + 15) / 16 * 16 : 0;
}

/* Memory for packed B: persistent for constant weights, else scratch;
 * then, in scratch, the partial sums of a split K. */
static void packed_b_memory(const node_ctx *c, const gemm_plan *plan, node_memory *out)
{
    out->scratch_bytes = plan->partial_bytes > 0 ? partial_sums_at(c, plan) + plan->partial_bytes
                                                 : 0;
    if (plan->packed_bytes == 0)
        return;
    if (node_input_is_constant(c, 1)) {
        out->persist_bytes = plan->packed_bytes;
        out->persist_shared = 1;
    } else if (plan->partial_bytes == 0)
        out->scratch_bytes = plan->packed_bytes;
}

/* Where the partial sums lie in scratch (an offset in floats). */
static dev_tensor partial_sums(const node_ctx *c, const gemm_plan *plan)
{
    const dev_tensor t = {c->scratch, partial_sums_at(c, plan) / sizeof(float)};
    return t;
}

/* Packs a constant B into c->persist now (one launch on the in-order queue,
 * before any run), or binds `pack` to pack it into scratch on every run.
 * *packed is the buffer the product reads. */
static clinfer_status pack_b(const node_ctx *c, op_launch *pack, dev_tensor b,
                             dev_tensor *packed)
{
    int once = node_input_is_constant(c, 1);
    *packed = dev_whole(once ? c->persist : c->scratch);
    if (!packed->mem)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "the executor gave no memory for packed B");
    clinfer_status st = gemm_pack_bind(c->rt, pack, b, packed->mem);
    if (st == CLINFER_OK && once)
        st = node_enqueue_once(c, pack);
    return st;
}

/* Allocates the node's launches, [pack B on every run], product, [sum of
 * the split K partials], and
 * returns where to prepare B's packing: the first launch when B changes
 * every run, `once` when a constant B is packed now, NULL when B is read as
 * it is. */
static op_launch *alloc_launches(const node_ctx *c, const gemm_plan *plan, node_launches *l,
                                 op_launch *once, clinfer_status *st)
{
    const int per_run_pack = plan->packed_bytes > 0 && !node_input_is_constant(c, 1);
    *st = node_launches_alloc(c->rt, l, (per_run_pack ? 2 : 1) + (plan->partial_bytes > 0));
    if (*st != CLINFER_OK || plan->packed_bytes == 0)
        return NULL;
    return per_run_pack ? &l->items[0] : once;
}

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
    product_plan *np = c->plan;
    clinfer_status st = gemm_node_params(c, &np->gemm_params);
    return st == CLINFER_OK ? node_wrap(c, gemm_output_shape(c->rt, &np->gemm_params, out)) : st;
}

static clinfer_status matmul_infer(const node_ctx *c, clinfer_shape *out)
{
    product_plan *np = c->plan;
    clinfer_status st = node_need_inputs(c, 2);
    if (st != CLINFER_OK)
        return st;
    np->matmul = 1;
    np->matmul_params = (matmul_params){*c->in[0], *c->in[1], {ACT_KIND_NONE, 0, 0}};
    return node_wrap(c, matmul_output_shape(c->rt, &np->matmul_params, out));
}

/* The variant and tiles (ops/gemm_config.c) and where packed B lives. */
static clinfer_status product_plan_make(const node_ctx *c, node_memory *out)
{
    product_plan *np = c->plan;
    clinfer_status st = np->matmul ? matmul_plan_make(c->rt, &np->matmul_params, &np->gemm)
                                   : gemm_plan_make(c->rt, &np->gemm_params, 1, &np->gemm);
    if (st == CLINFER_OK)
        packed_b_memory(c, &np->gemm, out);
    return node_wrap(c, st);
}

static clinfer_status pack_b_host(const node_ctx *c, const float *b, float *packed)
{
    const product_plan *np = c->plan;
    return np->matmul ? matmul_pack_b_on_host(c->rt, &np->matmul_params, &np->gemm, b, packed)
                      : gemm_pack_b_on_host(c->rt, &np->gemm_params, &np->gemm, b, packed);
}

static clinfer_status pack_b_prepare(const product_plan *np, clinfer_runtime *rt, op_launch *l)
{
    return np->matmul ? matmul_pack_b_prepare(rt, &np->matmul_params, &np->gemm, l)
                      : gemm_pack_b_prepare(rt, &np->gemm_params, &np->gemm, l);
}

static clinfer_status product_launch(const product_plan *np, clinfer_runtime *rt, op_launch *l,
                                     const dev_tensor *in, dev_tensor b, dev_tensor out)
{
    clinfer_status st = np->matmul ? matmul_prepare(rt, &np->matmul_params, &np->gemm, l)
                                   : gemm_prepare(rt, &np->gemm_params, &np->gemm, l);
    if (st != CLINFER_OK)
        return st;
    return np->matmul ? matmul_bind(rt, l, in[0], b, out) : gemm_bind(rt, l, in[0], b, in[2], out);
}

/* The Gemm's split K: the launch adding the partials, and the partials
 * bound to both launches. */
static clinfer_status split_k_launch(const node_ctx *c, const product_plan *np,
                                     const dev_tensor *in, dev_tensor b, dev_tensor out,
                                     op_launch *product, op_launch *sum)
{
    clinfer_status st = gemm_reduce_launch_prepare(c->rt, &np->gemm_params, &np->gemm, sum);
    if (st == CLINFER_OK)
        st = gemm_bind(c->rt, sum, in[0], b, in[2], out);
    const dev_tensor partial = partial_sums(c, &np->gemm);
    if (st == CLINFER_OK && !partial.mem)
        st = node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "the executor gave no scratch memory");
    if (st == CLINFER_OK)
        st = gemm_partial_bind(c->rt, product, partial);
    if (st == CLINFER_OK)
        st = gemm_partial_bind(c->rt, sum, partial);
    return st;
}

/* Launches: [pack B (per run, B not constant)], product, [split K sum]. */
static clinfer_status product_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                      node_launches *l)
{
    const product_plan *np = c->plan;
    clinfer_status st = CLINFER_OK;
    op_launch once = {0};
    op_launch *pack = alloc_launches(c, &np->gemm, l, &once, &st);
    dev_tensor b = in[1];
    if (pack == &once && c->persist_ready) { /* packed by an earlier session */
        b = dev_whole(c->persist);
    } else if (pack == &once && c->g->values[c->node->inputs[1]].data) { /* packed here */
        st = node_pack_on_host(c, 1, np->gemm.packed_bytes / rt_elem_bytes(c->rt), pack_b_host);
        b = dev_whole(c->persist);
    } else if (pack && (st = pack_b_prepare(np, c->rt, pack)) == CLINFER_OK)
        st = pack_b(c, pack, in[1], &b);
    launch_release(&once);
    const int split = np->gemm.partial_bytes > 0;
    op_launch *product = &l->items[l->count - 1 - split];
    if (st == CLINFER_OK)
        st = product_launch(np, c->rt, product, in, b, out);
    if (st == CLINFER_OK && split)
        st = split_k_launch(c, np, in, b, out, product, &l->items[l->count - 1]);
    return st;
}

static double gemm_flops(const node_ctx *c, const clinfer_shape *out)
{
    const gemm_params *p = &((const product_plan *)c->plan)->gemm_params;
    (void)out;
    return 2.0 * p->m * (double)p->n * p->k;
}

/* 2 * (output elements) * K, K being A's last dimension. */
static double matmul_flops(const node_ctx *c, const clinfer_shape *out)
{
    return 2.0 * (double)shape_numel(out) * (double)c->in[0]->dims[c->in[0]->rank - 1];
}

/* The node as a chained dense layer (chain.h): X [M, K] (not transposed)
 * times a constant B, plus a constant C of one value per column or one
 * for all, and an activation the chain applies. */
static int gemm_chain(const node_ctx *c, chain_layer *out)
{
    const gemm_params *p = &((const product_plan *)c->plan)->gemm_params;
    const float *b = node_constant_data(c, 1), *cv = p->has_c ? node_constant_data(c, 2) : NULL;
    const int64_t c_count = p->has_c ? shape_numel(&p->c_shape) : 0;
    const int c_per_column = c_count == p->n && p->c_shape.dims[0] == (p->c_shape.rank == 2 ? 1 : p->n);
    if (p->trans_a || !b || (p->has_c && (!cv || (c_count != 1 && !c_per_column))) ||
        !chain_act_supported(p->act.kind))
        return 0;
    *out = (chain_layer){.kind = CHAIN_DENSE, .act = p->act, .weight = b, .bias = cv,
                         .bias_count = c_count, .m = p->m, .k = p->k, .n = p->n,
                         .trans_b = p->trans_b, .alpha = p->alpha, .beta = p->beta};
    return 1;
}

/* MatMul of a 2-D X [M, K] and a constant 2-D B [K, N]: a dense layer. */
static int matmul_chain(const node_ctx *c, chain_layer *out)
{
    const matmul_params *p = &((const product_plan *)c->plan)->matmul_params;
    const float *b = node_constant_data(c, 1);
    if (p->a.rank != 2 || p->b.rank != 2 || !b || !chain_act_supported(p->act.kind))
        return 0;
    *out = (chain_layer){.kind = CHAIN_DENSE, .act = p->act, .weight = b,
                         .m = (int32_t)p->a.dims[0], .k = (int32_t)p->a.dims[1],
                         .n = (int32_t)p->b.dims[1], .alpha = 1.0f, .beta = 1.0f};
    return 1;
}

const node_impl node_gemm_impl = {sizeof(product_plan), gemm_infer, product_plan_make,
                                  product_prepare, gemm_flops, NULL, gemm_chain};
const node_impl node_matmul_impl = {sizeof(product_plan), matmul_infer, product_plan_make,
                                    product_prepare, matmul_flops, NULL, matmul_chain};
