/*
 * pool2d.c — pooling nodes: 2-D max/average pooling and global pooling of
 * NCHW tensors; padding modes resolved here, the kernels in ops/pool2d.c.
 * Max and average share one parameter set, so the launch is chosen by the
 * node's kind (not by NODE_ONE_LAUNCH).
 */
#include "../ops/pool2d.h"
#include "../shape.h"
#include "nodes.h"

static clinfer_status pool_params(const node_ctx *c, pool2d_params *p)
{
    const clinfer_pool2d_desc *d = &c->node->attrs.pool;
    clinfer_status st = node_need_rank(c, 0, 4);
    if (st == CLINFER_OK)
        st = node_need_int32_dims(c, 0);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = c->in[0];
    *p = pool2d_params_default();
    p->n = (int32_t)x->dims[0], p->c = (int32_t)x->dims[1];
    p->h = (int32_t)x->dims[2], p->w = (int32_t)x->dims[3];
    p->kh = d->kernel_h, p->kw = d->kernel_w;
    p->stride_h = d->stride_h, p->stride_w = d->stride_w;
    p->dil_h = d->dilation_h, p->dil_w = d->dilation_w;
    p->ceil_mode = d->ceil_mode != 0;
    p->count_include_pad = d->count_include_pad != 0;
    if (d->kind != CLINFER_POOL_MAX && d->kind != CLINFER_POOL_AVG)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown pooling kind %d", (int)d->kind);
    if (d->pad_mode == CLINFER_PAD_EXPLICIT) {
        p->pad_top = d->pad_top, p->pad_left = d->pad_left;
        p->pad_bottom = d->pad_bottom, p->pad_right = d->pad_right;
    } else {
        node_auto_pad(d->pad_mode, p->h, p->kh, p->stride_h, p->dil_h, &p->pad_top,
                      &p->pad_bottom);
        node_auto_pad(d->pad_mode, p->w, p->kw, p->stride_w, p->dil_w, &p->pad_left,
                      &p->pad_right);
    }
    return CLINFER_OK;
}

static clinfer_status pool_infer(const node_ctx *c, clinfer_shape *out)
{
    pool2d_params *p = c->plan;
    clinfer_status st = pool_params(c, p);
    return st == CLINFER_OK ? node_wrap(c, pool2d_output_shape(c->rt, p, out)) : st;
}

static clinfer_status pool_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                   node_launches *l)
{
    const pool2d_params *p = c->plan;
    clinfer_status st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = c->node->attrs.pool.kind == CLINFER_POOL_MAX
                 ? maxpool2d_prepare(c->rt, p, &l->items[0])
                 : avgpool2d_prepare(c->rt, p, &l->items[0]);
    if (st == CLINFER_OK)
        st = pool2d_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_pool2d_impl = {sizeof(pool2d_params), pool_infer, NULL, pool_prepare, NULL,
                                    NULL};

static clinfer_status global_params(const node_ctx *c, globalpool_params *p)
{
    clinfer_status st = node_need_rank(c, 0, 4);
    if (st == CLINFER_OK)
        st = node_need_int32_dims(c, 0);
    if (st == CLINFER_OK) {
        const clinfer_shape *x = c->in[0];
        *p = (globalpool_params){(int32_t)x->dims[0], (int32_t)x->dims[1], (int32_t)x->dims[2],
                                 (int32_t)x->dims[3]};
    }
    return st;
}

static clinfer_status global_infer(const node_ctx *c, clinfer_shape *out)
{
    globalpool_params *p = c->plan;
    clinfer_status st = global_params(c, p);
    return st == CLINFER_OK ? node_wrap(c, globalpool_output_shape(c->rt, p, out)) : st;
}

static clinfer_status global_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                     node_launches *l)
{
    const globalpool_params *p = c->plan;
    clinfer_status st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = c->node->attrs.global_pool == CLINFER_POOL_MAX
                 ? globalmaxpool_prepare(c->rt, p, &l->items[0])
                 : globalavgpool_prepare(c->rt, p, &l->items[0]);
    if (st == CLINFER_OK)
        st = pool2d_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_global_pool_impl = {sizeof(globalpool_params), global_infer, NULL,
                                         global_prepare, NULL, NULL};
