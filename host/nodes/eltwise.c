/*
 * eltwise.c — element-wise nodes (unary functions).
 */
#include "nodes.h"

static clinfer_status unary_infer(const node_ctx *c, clinfer_shape *out)
{
    if (!c->in[0])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input is required");
    *out = *c->in[0];
    return CLINFER_OK;
}

static clinfer_status unary_prepare(const node_ctx *c, const cl_mem *in, cl_mem out,
                                    node_launches *l)
{
    (void)in, (void)out, (void)l;
    return node_fail(c, CLINFER_ERR_UNSUPPORTED, "standalone element-wise kernels pending");
}

const node_impl node_unary_impl = {unary_infer, unary_prepare, NULL};
