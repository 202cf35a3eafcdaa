/*
 * unpool.c — MaxPool's Indices and MaxUnpool nodes: the pooling's pads
 * resolved as a pool node's are (node_pool2d_params), MaxUnpool's two
 * launches (zero, scatter); the kernels in ops/unpool.c.
 */
#include "../ops/unpool.h"
#include "../shape.h"
#include "nodes.h"

/* Input i is NCHW with int32 extents. */
static clinfer_status need_nchw(const node_ctx *c, int32_t i)
{
    clinfer_status st = node_need_rank(c, i, 4);
    return st == CLINFER_OK ? node_need_int32_dims(c, i) : st;
}

static clinfer_status indices_params(const node_ctx *c, pool_indices_params *p)
{
    clinfer_status st = need_nchw(c, 0);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = c->in[0];
    p->pool = node_pool2d_params(&c->node->attrs.pool_indices.d, (int32_t)x->dims[0],
                                 (int32_t)x->dims[1], (int32_t)x->dims[2], (int32_t)x->dims[3]);
    p->storage_order = c->node->attrs.pool_indices.storage_order;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_pool_indices_impl, pool_indices_params, indices_params,
                      pool_indices_output_shape, pool_indices_prepare, launch_bind_io);

static clinfer_status unpool_params_of(const node_ctx *c, unpool_params *p)
{
    clinfer_status st = need_nchw(c, 0);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *x = c->in[0];
    if (!shape_equal(x, c->in[1])) {
        char b1[160], b2[160];
        return node_fail(c, CLINFER_ERR_SHAPE, "MaxUnpool: indices %s must have X's shape %s",
                         shape_str(c->in[1], b2, sizeof b2), shape_str(x, b1, sizeof b1));
    }
    const clinfer_unpool2d_desc *d = &c->node->attrs.unpool;
    *p = (unpool_params){(int32_t)x->dims[0], (int32_t)x->dims[1], (int32_t)x->dims[2],
                         (int32_t)x->dims[3], d->kernel_h, d->kernel_w, d->stride_h,
                         d->stride_w, d->pad_top, d->pad_left, d->pad_bottom, d->pad_right,
                         d->out_h, d->out_w};
    return CLINFER_OK;
}

static clinfer_status unpool_infer(const node_ctx *c, clinfer_shape *out)
{
    clinfer_status st = node_need_inputs(c, 2);
    if (st == CLINFER_OK)
        st = unpool_params_of(c, c->plan);
    return st == CLINFER_OK ? node_wrap(c, unpool_output_shape(c->rt, c->plan, out)) : st;
}

static clinfer_status unpool_node_prepare(const node_ctx *c, const dev_tensor *in, dev_tensor out,
                                          node_launches *l)
{
    clinfer_status st = node_launches_alloc(c->rt, l, 2);
    if (st == CLINFER_OK)
        st = unpool_prepare(c->rt, c->plan, l->items);
    return st == CLINFER_OK ? unpool_bind(c->rt, l->items, in[0], in[1], out) : st;
}

const node_impl node_max_unpool_impl = {sizeof(unpool_params), unpool_infer, NULL,
                                        unpool_node_prepare, NULL, NULL, NULL};
