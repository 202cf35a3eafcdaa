/*
 * nodes.c — dispatch from op kind to its implementation, and helpers the
 * node families share.
 */
#include "nodes.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../shape.h"
#include "../tensor.h"

#define NODE_IMPL_ENTRY(kind, name, impl, view) &impl,
static const node_impl *const node_table[] = {CLINFER_OP_LIST(NODE_IMPL_ENTRY)};
_Static_assert(sizeof node_table / sizeof node_table[0] == OP_KIND_COUNT, "one impl per op");

const node_impl *node_impl_of(op_kind op) { return op < OP_KIND_COUNT ? node_table[op] : NULL; }

clinfer_status node_fail(const node_ctx *c, clinfer_status status, const char *fmt, ...)
{
    char msg[CLINFER_ERRMSG_MAX - 128];
    FORMAT_VARIADIC(msg, sizeof msg, fmt);
    return err_set(c->rt, status, "%s node \"%s\": %s", op_kind_name(c->node->op), c->node->name,
                   msg);
}

clinfer_status node_wrap(const node_ctx *c, clinfer_status st)
{
    return st == CLINFER_OK ? st : node_fail(c, st, "%s", clinfer_last_errmsg());
}

clinfer_status node_need_inputs(const node_ctx *c, int32_t count)
{
    for (int32_t i = 0; i < count; i++)
        if (!c->in[i])
            return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input %d is required", (int)i);
    return CLINFER_OK;
}

clinfer_status node_need_rank(const node_ctx *c, int32_t i, int32_t rank)
{
    char buf[128];
    if (!c->in[i])
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT, "input %d is required", (int)i);
    if (c->in[i]->rank != rank)
        return node_fail(c, CLINFER_ERR_SHAPE, "input %d (\"%s\") must have rank %d, has shape %s",
                         (int)i, c->g->values[c->node->inputs[i]].name, (int)rank,
                         shape_str(c->in[i], buf, sizeof buf));
    return CLINFER_OK;
}

clinfer_status node_need_int32_dims(const node_ctx *c, int32_t i)
{
    for (int32_t d = 0; c->in[i] && d < c->in[i]->rank; d++)
        if (c->in[i]->dims[d] > INT32_MAX)
            return node_fail(c, CLINFER_ERR_UNSUPPORTED,
                             "input %d: dimension %d (%lld) exceeds the 32-bit range of the "
                             "kernels",
                             (int)i, (int)d, (long long)c->in[i]->dims[d]);
    return CLINFER_OK;
}

int node_bias_or_absent(const clinfer_shape *b, int64_t n)
{
    return !b || (b->rank == 1 && b->dims[0] == n);
}

int node_input_is_constant(const node_ctx *c, int32_t i)
{
    int32_t v = c->node->inputs[i];
    return v >= 0 && c->g->values[v].kind == VALUE_CONSTANT;
}

const float *node_constant_data(const node_ctx *c, int32_t i)
{
    return i < c->node->input_count && node_input_is_constant(c, i)
               ? c->g->values[c->node->inputs[i]].data
               : NULL;
}

clinfer_status node_pack_on_host(const node_ctx *c, int32_t i, size_t count,
                                 node_host_pack pack)
{
    const float *src = c->g->values[c->node->inputs[i]].data;
    if (!node_input_is_constant(c, i) || !src || !c->persist)
        return node_fail(c, CLINFER_ERR_INVALID_ARGUMENT,
                         "input %d packed on the host needs a constant with a host copy and "
                         "persistent memory", (int)i);
    float *packed = malloc((count > 0 ? count : 1) * sizeof *packed);
    if (!packed)
        return node_fail(c, CLINFER_ERR_OUT_OF_HOST_MEMORY,
                         "no host memory to pack input %d (%zu floats)", (int)i, count);
    clinfer_status st = pack(c, src, packed);
    if (st == CLINFER_OK)
        st = tensor_write_floats(c->rt, NULL, c->persist, 0, count, packed);
    free(packed);
    return st == CLINFER_OK ? st : node_wrap(c, st);
}

clinfer_status node_pack_constant(const node_ctx *c, int32_t i, dev_tensor w, size_t count,
                                  node_host_pack pack, int32_t prep_count,
                                  node_prep_launch prep)
{
    if (pack && c->g->values[c->node->inputs[i]].data)
        return node_pack_on_host(c, i, count, pack);
    clinfer_status st = CLINFER_OK;
    for (int32_t k = 0; st == CLINFER_OK && k < prep_count; k++) {
        op_launch l;
        st = prep(c, k, w, &l);
        if (st == CLINFER_OK)
            st = node_enqueue_once(c, &l);
    }
    return st;
}

clinfer_status node_enqueue_once(const node_ctx *c, op_launch *l)
{
    clinfer_status st = launch_enqueue(c->rt, l, NULL);
    launch_release(l);
    return st;
}

clinfer_status node_need_image_and_filter(const node_ctx *c)
{
    clinfer_status st = node_need_rank(c, 0, 4);
    if (st == CLINFER_OK)
        st = node_need_rank(c, 1, 4);
    if (st == CLINFER_OK)
        st = node_need_int32_dims(c, 0);
    if (st == CLINFER_OK)
        st = node_need_int32_dims(c, 1);
    return st;
}

void node_auto_pad(clinfer_pad_mode mode, int64_t in, int64_t k, int64_t stride, int64_t dil,
                   int32_t *pad0, int32_t *pad1)
{
    if (mode == CLINFER_PAD_VALID) {
        *pad0 = *pad1 = 0;
        return;
    }
    int64_t out = (in + stride - 1) / stride;
    int64_t total = (out - 1) * stride + (k - 1) * dil + 1 - in;
    if (total < 0)
        total = 0;
    int64_t small = total / 2, big = total - small;
    *pad0 = (int32_t)(mode == CLINFER_PAD_SAME_LOWER ? big : small);
    *pad1 = (int32_t)(mode == CLINFER_PAD_SAME_LOWER ? small : big);
}

void node_window_pads(clinfer_pad_mode mode, const int32_t given[4], int64_t h, int64_t w,
                      const int32_t window[6], int32_t *top, int32_t *left, int32_t *bottom,
                      int32_t *right)
{
    *top = given[0], *left = given[1], *bottom = given[2], *right = given[3];
    if (mode == CLINFER_PAD_EXPLICIT)
        return;
    node_auto_pad(mode, h, window[0], window[2], window[4], top, bottom);
    node_auto_pad(mode, w, window[1], window[3], window[5], left, right);
}

pool2d_params node_pool2d_params(const clinfer_pool2d_desc *d, int32_t n, int32_t c, int32_t h,
                                 int32_t w)
{
    pool2d_params p = pool2d_params_default();
    p.n = n, p.c = c, p.h = h, p.w = w;
    p.kh = d->kernel_h, p.kw = d->kernel_w;
    p.stride_h = d->stride_h, p.stride_w = d->stride_w;
    p.dil_h = d->dilation_h, p.dil_w = d->dilation_w;
    p.ceil_mode = d->ceil_mode != 0;
    p.count_include_pad = d->count_include_pad != 0;
    const int32_t given[4] = {d->pad_top, d->pad_left, d->pad_bottom, d->pad_right};
    const int32_t window[6] = {p.kh, p.kw, p.stride_h, p.stride_w, p.dil_h, p.dil_w};
    node_window_pads(d->pad_mode, given, h, w, window, &p.pad_top, &p.pad_left, &p.pad_bottom,
                     &p.pad_right);
    return p;
}

conv2d_params node_depthwise_params(const clinfer_conv2d_desc *d, const int64_t x_dims[4],
                                    int64_t c, const clinfer_shape *wd, int has_bias)
{
    conv2d_params dw = conv2d_params_default();
    dw.n = (int32_t)x_dims[0], dw.c = dw.oc = dw.groups = (int32_t)c;
    dw.h = (int32_t)x_dims[2], dw.w = (int32_t)x_dims[3];
    dw.kh = (int32_t)wd->dims[2], dw.kw = (int32_t)wd->dims[3];
    dw.stride_h = d->stride_h, dw.stride_w = d->stride_w;
    dw.dil_h = d->dilation_h, dw.dil_w = d->dilation_w;
    dw.has_bias = has_bias;
    dw.act = (act_params){(act_kind)d->activation, d->act_alpha, d->act_beta};
    const int32_t given[4] = {d->pad_top, d->pad_left, d->pad_bottom, d->pad_right};
    const int32_t window[6] = {dw.kh, dw.kw, d->stride_h, d->stride_w, d->dilation_h,
                               d->dilation_w};
    node_window_pads(d->pad_mode, given, dw.h, dw.w, window, &dw.pad_top, &dw.pad_left,
                     &dw.pad_bottom, &dw.pad_right);
    return dw;
}

clinfer_status node_launches_alloc(clinfer_runtime *rt, node_launches *l, int32_t count)
{
    l->items = calloc((size_t)(count > 0 ? count : 1), sizeof *l->items);
    l->count = l->items ? count : 0;
    l->named_from_end = 0;
    return l->items ? CLINFER_OK
                    : err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate launches");
}

void node_launches_release(node_launches *l)
{
    for (int32_t i = 0; i < l->count; i++)
        launch_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

clinfer_status node_plan_alloc(clinfer_runtime *rt, const graph_node *n, void **out)
{
    const node_impl *impl = node_impl_of(n->op);
    *out = NULL;
    if (!impl || impl->plan_size == 0)
        return CLINFER_OK;
    *out = calloc(1, impl->plan_size);
    return *out ? CLINFER_OK : err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
}

void node_plan_free(const graph_node *n, void *plan)
{
    const node_impl *impl = node_impl_of(n->op);
    if (plan && impl && impl->release)
        impl->release(plan);
    free(plan);
}

/* Infers into `plan`, or into a plan of its own freed afterwards. */
static clinfer_status infer_from(clinfer_runtime *rt, const clinfer_graph *g, const graph_node *n,
                                 const clinfer_shape *const *in, void *plan, clinfer_shape *out)
{
    const node_impl *impl = node_impl_of(n->op);
    node_ctx c = {.rt = rt, .g = g, .node = n, .in = in, .plan = plan};
    if (!impl)
        return node_fail(&c, CLINFER_ERR_UNSUPPORTED, "this operation is not implemented");
    void *own = NULL;
    clinfer_status st = plan ? CLINFER_OK : node_plan_alloc(rt, n, &own);
    if (!plan)
        c.plan = own;
    if (st == CLINFER_OK)
        st = impl->infer(&c, out);
    if (st == CLINFER_OK && shape_numel(out) < 1)
        st = node_fail(&c, CLINFER_ERR_SHAPE, "the output would be empty or too large");
    node_plan_free(n, own);
    return st;
}

/* Gathers pointers to the input shapes; absent inputs stay NULL. */
static clinfer_status gather_inputs(const graph_node *n, const clinfer_shape *shapes,
                                    const clinfer_shape ***out)
{
    *out = calloc((size_t)(n->input_count > 0 ? n->input_count : 1), sizeof **out);
    if (!*out)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t i = 0; i < n->input_count; i++)
        (*out)[i] = n->inputs[i] == CLINFER_NO_VALUE ? NULL : &shapes[n->inputs[i]];
    return CLINFER_OK;
}

clinfer_status nodes_infer(clinfer_runtime *rt, const clinfer_graph *g, const graph_node *n,
                           const clinfer_shape *value_shapes, void *plan, clinfer_shape *out)
{
    const clinfer_shape **in = NULL;
    clinfer_status st = gather_inputs(n, value_shapes, &in);
    if (st == CLINFER_OK)
        st = infer_from(rt, g, n, in, plan, out);
    free(in);
    return st;
}

clinfer_status nodes_infer_with_batch(const clinfer_graph *g, const graph_node *n, int64_t batch,
                                      clinfer_shape *out)
{
    clinfer_shape *shapes = calloc((size_t)(n->input_count > 0 ? n->input_count : 1),
                                   sizeof *shapes);
    const clinfer_shape **in = calloc((size_t)(n->input_count > 0 ? n->input_count : 1),
                                      sizeof *in);
    clinfer_status st = CLINFER_OK;
    if (!shapes || !in)
        st = err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t i = 0; st == CLINFER_OK && i < n->input_count; i++) {
        if (n->inputs[i] == CLINFER_NO_VALUE)
            continue;
        shapes[i] = g->values[n->inputs[i]].shape;
        for (int32_t d = 0; d < shapes[i].rank; d++)
            if (shapes[i].dims[d] == CLINFER_BATCH_DIM)
                shapes[i].dims[d] = batch;
        in[i] = &shapes[i];
    }
    if (st == CLINFER_OK)
        st = infer_from(NULL, g, n, in, NULL, out);
    free(shapes);
    free(in);
    return st;
}
