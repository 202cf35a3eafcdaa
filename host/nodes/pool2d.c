/*
 * pool2d.c — pooling nodes: 2-D max/average pooling and global pooling of
 * NCHW tensors; padding modes resolved here, the kernels in ops/pool2d.c.
 * Max and average share one parameter set; the launch follows the node's
 * kind.
 */
#include "../ops/pool2d.h"
#include "../shape.h"
#include "nodes.h"

/* Input 0 is NCHW with int32 extents. */
static clinfer_status need_nchw(const node_ctx *c)
{
    clinfer_status st = node_need_rank(c, 0, 4);
    return st == CLINFER_OK ? node_need_int32_dims(c, 0) : st;
}

static clinfer_status pool_params(const node_ctx *c, pool2d_params *p)
{
    const clinfer_pool2d_desc *d = &c->node->attrs.pool;
    clinfer_status st = need_nchw(c);
    if (st != CLINFER_OK)
        return st;
    if (d->kind != CLINFER_POOL_MAX && d->kind != CLINFER_POOL_AVG)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "unknown pooling kind %d", (int)d->kind);
    const clinfer_shape *x = c->in[0];
    *p = node_pool2d_params(d, (int32_t)x->dims[0], (int32_t)x->dims[1], (int32_t)x->dims[2],
                            (int32_t)x->dims[3]);
    return CLINFER_OK;
}

static clinfer_status pool_launch(const node_ctx *c, op_launch *l, const dev_tensor *in, dev_tensor out)
{
    clinfer_status st = c->node->attrs.pool.kind == CLINFER_POOL_MAX
                            ? maxpool2d_prepare(c->rt, c->plan, l)
                            : avgpool2d_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? launch_bind_io(c->rt, l, in[0], out) : st;
}

NODE_ONE_LAUNCH(node_pool2d_impl, pool2d_params, 1, pool_params, pool2d_output_shape,
                pool_launch);

static clinfer_status global_params(const node_ctx *c, globalpool_params *p)
{
    clinfer_status st = need_nchw(c);
    if (st == CLINFER_OK) {
        const clinfer_shape *x = c->in[0];
        *p = (globalpool_params){(int32_t)x->dims[0], (int32_t)x->dims[1], (int32_t)x->dims[2],
                                 (int32_t)x->dims[3]};
    }
    return st;
}

static clinfer_status global_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                    dev_tensor out)
{
    clinfer_status st = c->node->attrs.global_pool == CLINFER_POOL_MAX
                            ? globalmaxpool_prepare(c->rt, c->plan, l)
                            : globalavgpool_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? launch_bind_io(c->rt, l, in[0], out) : st;
}

NODE_ONE_LAUNCH(node_global_pool_impl, globalpool_params, 1, global_params,
                globalpool_output_shape, global_launch);
