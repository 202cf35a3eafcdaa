/*
 * pool.c — pooling nodes: 2-D max/average pooling and global pooling of
 * NCHW tensors; padding modes resolved here, the kernels in ops/.
 */
#include "../ops/maxpool2d.h"
#include "../shape.h"
#include "nodes.h"

static clinfer_status pool_params(const node_ctx *c, pool2d_params *p)
{
    const clinfer_pool2d_desc *d = &c->node->attrs.pool;
    clinfer_status st = node_need_rank(c, 0, 4);
    if (st != CLINFER_OK)
        return st;
    if (d->kind != CLINFER_POOL_MAX || d->ceil_mode)
        return node_fail(c, CLINFER_ERR_UNSUPPORTED, "only max pooling without ceil mode");
    const clinfer_shape *x = c->in[0];
    *p = pool2d_params_default();
    p->n = (int32_t)x->dims[0], p->c = (int32_t)x->dims[1];
    p->h = (int32_t)x->dims[2], p->w = (int32_t)x->dims[3];
    p->kh = d->kernel_h, p->kw = d->kernel_w;
    p->stride_h = d->stride_h, p->stride_w = d->stride_w;
    p->dil_h = d->dilation_h, p->dil_w = d->dilation_w;
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
    pool2d_params p;
    int32_t oh = 0, ow = 0;
    clinfer_status st = pool_params(c, &p);
    if (st == CLINFER_OK && (st = maxpool2d_output_size(c->rt, &p, &oh, &ow)) != CLINFER_OK)
        return node_fail(c, st, "%s", clinfer_last_errmsg());
    if (st == CLINFER_OK)
        *out = shape_4d(p.n, p.c, oh, ow);
    return st;
}

static clinfer_status pool_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                   node_launches *l)
{
    pool2d_params p;
    clinfer_status st = pool_params(c, &p);
    if (st == CLINFER_OK)
        st = node_launches_alloc(c->rt, l, 1);
    if (st == CLINFER_OK)
        st = maxpool2d_prepare(c->rt, &p, &l->items[0]);
    if (st == CLINFER_OK)
        st = maxpool2d_bind(c->rt, &l->items[0], in[0], out);
    return st;
}

const node_impl node_pool2d_impl = {pool_infer, pool_prepare, NULL};

static clinfer_status global_infer(const node_ctx *c, clinfer_shape *out)
{
    (void)out;
    return node_fail(c, CLINFER_ERR_UNSUPPORTED, "global pooling is not implemented yet");
}

const node_impl node_global_pool_impl = {global_infer, NULL, NULL};
