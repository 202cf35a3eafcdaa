/*
 * ops_conv_pool.c — Conv, ConvTranspose, MaxPool (and its Indices),
 * MaxUnpool, AveragePool and the global pools translated into builder calls, with the reader of their window
 * attributes (kernel_shape, strides, dilations, pads, auto_pad). 1-D ops
 * (rank-3 tensors [N, C, L]) run as 2-D ones of height 1: the input is
 * viewed as [N, C, 1, L], the weights are [O, I, 1, K], and the output is
 * viewed back as [N, O, L'] (views cost no copy). 3-D ops (rank-5 tensors
 * [N, C, D, H, W]) have no kernel of their own either: a 3-D Conv is a
 * 2-D conv per output frame, a 3-D ConvTranspose a 2-D one per output
 * frame (both in ops_conv3d.c), a 3-D pool two 2-D pools (pool3d), a 3-D
 * global pool one over the view [N, C, D*H, W].
 */
#include <stdio.h>
#include <string.h>

#include "../shape.h"
#include "ops_conv.h"

static clinfer_status need_rank(onnx_node *c, int32_t i, const char *what, int32_t rank,
                                const char *why, clinfer_shape *out)
{
    char buf[160];
    clinfer_status st = onnx_node_in_shape(c, i, out);
    if (st == CLINFER_OK && out->rank != rank)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "%s has shape %s; %s", what,
                               shape_str(out, buf, sizeof buf), why);
    return st;
}

/* Attribute `name`: `per` values per spatial dim (pads: 2) for `spatial`
 * dims (1, 2 or 3), written out as for 2 dims; a 1-D window's height
 * entries are `h` (1 for sizes, 0 for pads); a 3-D window's depth entries
 * go to `depth` (`per` values: pads begin, end). */
static clinfer_status window_ints(onnx_node *c, const char *name, int32_t spatial, int32_t per,
                                  int64_t lo, int64_t def, int32_t *out, int32_t *depth,
                                  int *present)
{
    int64_t v[MAX_INTS];
    int32_t n = 0, want = spatial * per;
    clinfer_status st = onnx_node_attr_ints(c, name, v, MAX_INTS, &n);
    if (st != CLINFER_OK)
        return st;
    if (present)
        *present = n >= 0;
    for (int32_t k = 0; k < per; k++)
        depth[k] = per == 1 ? 1 : 0;
    if (n < 0) {
        for (int32_t k = 0; k < per; k++)
            depth[k] = (int32_t)def;
        for (int32_t k = 0; k < 2 * per; k++)
            out[k] = (int32_t)def;
        return CLINFER_OK;
    }
    if (n != want)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"%s\" has %d values; a %d-D window has %d", name,
                               (int)n, (int)spatial, (int)want);
    for (int32_t k = 0; k < n; k++)
        if ((st = onnx_node_check_range(c, name, v[k], lo, 1 << 24)) != CLINFER_OK)
            return st;
    if (spatial == 3) { /* [d, h, w] per group: depth apart, the rest as 2-D */
        for (int32_t k = 0; k < per; k++) {
            depth[k] = (int32_t)v[3 * k];
            v[2 * k] = v[3 * k + 1], v[2 * k + 1] = v[3 * k + 2];
        }
        spatial = 2;
    }
    for (int32_t k = 0; k < 2 * per; k++) /* [h.., w..] per begin/end group */
        out[k] = spatial == 2 ? (int32_t)v[k] : k % 2 == 0 ? (per == 1 ? 1 : 0)
                                                          : (int32_t)v[k / 2];
    return CLINFER_OK;
}

/* dilations: whether the op takes them (Conv, MaxPool, and AveragePool from
 * opset 19); without, any value but 1 is refused. */
static clinfer_status window_attrs(onnx_node *c, int32_t spatial, int dilations, window *w)
{
    memset(w, 0, sizeof w[0]);
    clinfer_status st =
        window_ints(c, "kernel_shape", spatial, 1, 1, 1, w->kernel, &w->d_kernel, &w->has_kernel);
    if (st == CLINFER_OK)
        st = window_ints(c, "strides", spatial, 1, 1, 1, w->stride, &w->d_stride, NULL);
    if (st == CLINFER_OK)
        st = window_ints(c, "dilations", spatial, 1, 1, 1, w->dilation, &w->d_dilation, NULL);
    if (st == CLINFER_OK)
        st = window_ints(c, "pads", spatial, 2, 0, 0, w->pads, w->d_pads, NULL);
    if (st != CLINFER_OK)
        return st;
    if (!dilations && (w->dilation[0] != 1 || w->dilation[1] != 1 || w->d_dilation != 1))
        return onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                     "attribute \"dilations\" must be 1: AveragePool takes "
                                     "dilations from opset 19, the model imports opset %lld",
                                     (long long)c->im->opset);
    const char *ap = NULL;
    st = onnx_node_attr_string(c, "auto_pad", "NOTSET", &ap);
    if (st != CLINFER_OK)
        return st;
    if (strcmp(ap, "NOTSET") == 0 || ap[0] == 0)
        w->mode = CLINFER_PAD_EXPLICIT;
    else if (strcmp(ap, "SAME_UPPER") == 0)
        w->mode = CLINFER_PAD_SAME_UPPER;
    else if (strcmp(ap, "SAME_LOWER") == 0)
        w->mode = CLINFER_PAD_SAME_LOWER;
    else if (strcmp(ap, "VALID") == 0)
        w->mode = CLINFER_PAD_VALID;
    else
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"auto_pad\" is \"%s\", expected NOTSET, SAME_UPPER, "
                               "SAME_LOWER or VALID",
                               ap);
    return CLINFER_OK;
}

/* x [N, C, L] viewed as [N, C, 1, L]. */
static clinfer_status view_as_2d(onnx_node *c, clinfer_value x, const clinfer_shape *xs,
                                 clinfer_value *out)
{
    char name[512];
    snprintf(name, sizeof name, "%s:as_2d", onnx_node_oname(c));
    const clinfer_shape t = {4, {0, xs->dims[1], 1, xs->dims[2]}}; /* 0: x's batch */
    return onnx_node_build(c, clinfer_graph_reshape(c->im->g, name, x, &t, out));
}

/* Sets the node's output: y itself for a 2-D op; for a 1-D op (y is
 * [N, C, 1, L]) the view [N, C, L]. st: the builder call that made y. */
static clinfer_status out_from_2d(onnx_node *c, int one_d, clinfer_status st,
                                  const clinfer_value *y)
{
    if (!one_d || (st = onnx_node_build(c, st)) != CLINFER_OK)
        return onnx_node_out_of(c, st, y);
    clinfer_shape ys;
    if ((st = onnx_node_build(c, clinfer_graph_value_shape(c->im->g, *y, &ys))) != CLINFER_OK)
        return st;
    const clinfer_shape t = {3, {0, ys.dims[1], ys.dims[3]}};
    clinfer_value v;
    return onnx_node_out_of(c, clinfer_graph_reshape(c->im->g, onnx_node_oname(c), *y, &t, &v),
                            &v);
}

/* The name of the 2-D op's own output: the node's output for a 2-D op,
 * NAME:2d for a 1-D one (its view takes the node's name). */
static const char *name_2d(onnx_node *c, int one_d, char *buf, size_t cap)
{
    if (!one_d)
        return onnx_node_oname(c);
    snprintf(buf, cap, "%s:2d", onnx_node_oname(c));
    return buf;
}

/* Conv's weights as a constant of rank 4: W itself, or for a 1-D conv
 * W [O, I, K] as [O, I, 1, K] (the same floats). */
static clinfer_status conv_weights(onnx_node *c, const host_tensor *wt, int one_d,
                                   clinfer_value *out)
{
    if (!one_d || wt->dtype != CLINFER_DTYPE_FLOAT32)
        return onnx_node_in_value(c, 1, out);
    char name[512];
    snprintf(name, sizeof name, "%s:W_2d", onnx_node_oname(c));
    const clinfer_shape s = {4, {wt->shape.dims[0], wt->shape.dims[1], 1, wt->shape.dims[2]}};
    return onnx_node_build(c, clinfer_graph_constant(c->im->g, name, &s, wt->f, out));
}

/* Conv's and ConvTranspose's W (known at load time, of X's rank) and
 * optional bias B. */
static clinfer_status weights_and_bias(onnx_node *c, int32_t rank, clinfer_shape *ws,
                                       const host_tensor **wt, const host_tensor **bt)
{
    clinfer_status st = onnx_node_in_host(c, 1, "the weights W", wt);
    if (st == CLINFER_OK)
        st = need_rank(c, 1, "the weights W", rank, "W must have X's rank", ws);
    if (st == CLINFER_OK)
        st = onnx_node_in_host_opt(c, 2, "the bias B", bt);
    return st;
}

clinfer_status op_conv(onnx_node *c)
{
    clinfer_shape xs, ws;
    const host_tensor *wt = NULL, *bt = NULL;
    const char *why = "clinfer supports 1-D, 2-D and 3-D convolutions (3-D, 4-D and 5-D tensors)";
    char buf[160];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && (xs.rank < 3 || xs.rank > 5))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "input X has shape %s; %s",
                               shape_str(&xs, buf, sizeof buf), why);
    if (st == CLINFER_OK)
        st = weights_and_bias(c, xs.rank, &ws, &wt, &bt);
    window w;
    int64_t group = 1;
    const int one_d = xs.rank == 3;
    if (st == CLINFER_OK)
        st = window_attrs(c, xs.rank - 2, 1, &w);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "group", 1, &group);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "group", group, 1, INT32_MAX);
    if (st != CLINFER_OK)
        return st;
    const int64_t kh = one_d ? 1 : ws.dims[ws.rank - 2], kw = ws.dims[ws.rank - 1];
    const int64_t kd = xs.rank == 5 ? ws.dims[2] : 1;
    if (w.has_kernel && (w.kernel[0] != kh || w.kernel[1] != kw || w.d_kernel != kd))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"kernel_shape\" does not match W's %lldx%lldx%lld "
                               "(depth x height x width)",
                               (long long)kd, (long long)kh, (long long)kw);
    w.d_kernel = (int32_t)kd;
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = w.stride[0], d.stride_w = w.stride[1];
    d.dilation_h = w.dilation[0], d.dilation_w = w.dilation[1];
    d.groups = (int32_t)group;
    d.pad_mode = w.mode;
    d.pad_top = w.pads[0], d.pad_left = w.pads[1], d.pad_bottom = w.pads[2],
    d.pad_right = w.pads[3];
    if (xs.rank == 5)
        return onnx_conv3d(c, &xs, wt, &w, &d);
    clinfer_value x, wv, bv, y;
    char name[512];
    st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK && one_d)
        st = view_as_2d(c, x, &xs, &x);
    if (st == CLINFER_OK)
        st = conv_weights(c, wt, one_d, &wv);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_opt(c, 2, &bv);
    if (st != CLINFER_OK)
        return st;
    const char *yname = name_2d(c, one_d, name, sizeof name);
    return out_from_2d(c, one_d, clinfer_graph_conv2d(c->im->g, yname, x, wv, bv, &d, &y), &y);
}

/* A reshape of x to `s` named NODE:suffix (NODE itself for suffix NULL). */
static clinfer_status view_to(onnx_node *c, const char *suffix, clinfer_value x,
                              const clinfer_shape *s, clinfer_value *out)
{
    char name[512];
    snprintf(name, sizeof name, "%s:%s", onnx_node_oname(c), suffix ? suffix : "");
    return onnx_node_build(
        c, clinfer_graph_reshape(c->im->g, suffix ? name : onnx_node_oname(c), x, s, out));
}

/* 3-D pooling of x [N, C, D, H, W] as two 2-D ones, since a box window
 * is separable (max of maxes; for the average, the count of a box's
 * elements, padded or not, is the product of the counts along each axis):
 * over H, W on the view [N, C*D, H, W] with d's window, then over D on the
 * view [N, C, D, H'*W'] with the window kd x 1; seen as [N, C, D', H', W']. */
static clinfer_status pool3d(onnx_node *c, const clinfer_shape *xs, const window *w,
                             const clinfer_pool2d_desc *d)
{
    const int64_t ch = xs->dims[1], dd = xs->dims[2];
    clinfer_value x, y;
    clinfer_shape ys;
    char name[512];
    snprintf(name, sizeof name, "%s:hw", onnx_node_oname(c));
    const clinfer_shape s1 = {4, {0, ch * dd, xs->dims[3], xs->dims[4]}};
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = view_to(c, "frames", x, &s1, &x);
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_pool2d(c->im->g, name, x, d, &y));
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_value_shape(c->im->g, y, &ys));
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape s2 = {4, {0, ch, dd, ys.dims[2] * ys.dims[3]}};
    clinfer_pool2d_desc e = *d;
    e.kernel_h = w->d_kernel, e.kernel_w = 1;
    e.stride_h = w->d_stride, e.stride_w = 1;
    e.dilation_h = w->d_dilation, e.dilation_w = 1;
    e.pad_top = w->d_pads[0], e.pad_bottom = w->d_pads[1], e.pad_left = e.pad_right = 0;
    snprintf(name, sizeof name, "%s:d", onnx_node_oname(c));
    if ((st = view_to(c, "depth", y, &s2, &x)) == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_pool2d(c->im->g, name, x, &e, &y));
    clinfer_shape zs;
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_value_shape(c->im->g, y, &zs));
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape s3 = {5, {0, ch, zs.dims[2], ys.dims[2], ys.dims[3]}};
    return onnx_node_out_of(c, view_to(c, NULL, y, &s3, &x), &x);
}

/* MaxPool's second output, Indices, when the model names it: a node of
 * its own beside the pool's (clinfer_graph_max_pool_indices), over x as
 * the pool reads it ([N, C, 1, L] for 1-D pooling, whose indices are then
 * viewed as [N, C, L]: the same numbers, since H is 1). */
static clinfer_status pool_indices(onnx_node *c, int one_d, clinfer_value x,
                                   const clinfer_pool2d_desc *d, int storage_order)
{
    const char *iname = onnx_node_out_name(c, 1);
    char name[512];
    clinfer_value i;
    clinfer_shape s;
    snprintf(name, sizeof name, "%s%s", iname, one_d ? ":2d" : "");
    clinfer_status st = onnx_node_build(
        c, clinfer_graph_max_pool_indices(c->im->g, name, x, d, storage_order, &i));
    if (st == CLINFER_OK && one_d &&
        (st = onnx_node_build(c, clinfer_graph_value_shape(c->im->g, i, &s))) == CLINFER_OK) {
        const clinfer_shape t = {3, {0, s.dims[1], s.dims[3]}};
        st = onnx_node_build(c, clinfer_graph_reshape(c->im->g, iname, i, &t, &i));
    }
    return st == CLINFER_OK ? onnx_node_out_value(c, 1, i) : st;
}

static clinfer_status pool(onnx_node *c, clinfer_pool_kind kind)
{
    clinfer_shape xs;
    char buf[160];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && (xs.rank < 3 || xs.rank > 5))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "input X has shape %s; clinfer supports 1-D, 2-D and 3-D pooling "
                               "(3-D, 4-D and 5-D tensors)",
                               shape_str(&xs, buf, sizeof buf));
    window w;
    int64_t ceil_mode = 0, count_include_pad = 0, storage_order = 0;
    const int one_d = xs.rank == 3;
    if (st == CLINFER_OK)
        st = window_attrs(c, xs.rank - 2, kind == CLINFER_POOL_MAX || c->im->opset >= 19, &w);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "ceil_mode", 0, &ceil_mode);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "count_include_pad", 0, &count_include_pad);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "storage_order", 0, &storage_order);
    if (st != CLINFER_OK)
        return st;
    if (!w.has_kernel)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"kernel_shape\" is required");
    if ((st = onnx_node_check_range(c, "ceil_mode", ceil_mode, 0, 1)) != CLINFER_OK ||
        (st = onnx_node_check_range(c, "count_include_pad", count_include_pad, 0, 1)) !=
            CLINFER_OK ||
        (st = onnx_node_check_range(c, "storage_order", storage_order, 0, 1)) != CLINFER_OK)
        return st;
    clinfer_pool2d_desc d = clinfer_pool2d_desc_default(1);
    d.kind = kind;
    d.kernel_h = w.kernel[0], d.kernel_w = w.kernel[1];
    d.stride_h = w.stride[0], d.stride_w = w.stride[1];
    d.dilation_h = w.dilation[0], d.dilation_w = w.dilation[1];
    d.pad_mode = w.mode;
    d.pad_top = w.pads[0], d.pad_left = w.pads[1], d.pad_bottom = w.pads[2],
    d.pad_right = w.pads[3];
    d.ceil_mode = (int)ceil_mode;
    d.count_include_pad = (int)count_include_pad;
    const int indices = kind == CLINFER_POOL_MAX && onnx_node_out_name(c, 1)[0];
    if (indices && xs.rank == 5)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "output Indices of 3-D pooling (input X %s) is not supported; "
                               "clinfer gives it for 1-D and 2-D pooling",
                               shape_str(&xs, buf, sizeof buf));
    if (xs.rank == 5)
        return pool3d(c, &xs, &w, &d);
    clinfer_value x, y;
    char name[512];
    if ((st = onnx_node_in_value(c, 0, &x)) == CLINFER_OK && one_d)
        st = view_as_2d(c, x, &xs, &x);
    if (st != CLINFER_OK)
        return st;
    const char *yname = name_2d(c, one_d, name, sizeof name);
    st = out_from_2d(c, one_d, clinfer_graph_pool2d(c->im->g, yname, x, &d, &y), &y);
    return st == CLINFER_OK && indices ? pool_indices(c, one_d, x, &d, (int)storage_order) : st;
}

clinfer_status op_maxpool(onnx_node *c) { return pool(c, CLINFER_POOL_MAX); }
clinfer_status op_avgpool(onnx_node *c) { return pool(c, CLINFER_POOL_AVG); }

/* A global pool of x [N, C, D, H, W]: over the view [N, C, D*H, W], its
 * [N, C, 1, 1] seen as [N, C, 1, 1, 1]. */
static clinfer_status global_pool_3d(onnx_node *c, clinfer_pool_kind kind, clinfer_value x,
                                     const clinfer_shape *xs)
{
    const int64_t ch = xs->dims[1];
    const clinfer_shape s4 = {4, {0, ch, xs->dims[2] * xs->dims[3], xs->dims[4]}};
    const clinfer_shape s5 = {5, {0, ch, 1, 1, 1}};
    char name[512];
    clinfer_value y;
    snprintf(name, sizeof name, "%s:as_2d", onnx_node_oname(c));
    clinfer_status st = onnx_node_build(c, clinfer_graph_reshape(c->im->g, name, x, &s4, &x));
    snprintf(name, sizeof name, "%s:2d", onnx_node_oname(c));
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_global_pool(c->im->g, name, x, kind, &y));
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_reshape(c->im->g, onnx_node_oname(c), y, &s5, &x),
                            &x);
}

static clinfer_status global_pool(onnx_node *c, clinfer_pool_kind kind)
{
    clinfer_shape xs;
    clinfer_value x, y;
    char name[512];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && (xs.rank < 3 || xs.rank > 5))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "input X has shape %s; clinfer supports global pooling of "
                               "3-D, 4-D and 5-D tensors",
                               shape_str(&xs, name, sizeof name));
    const int one_d = xs.rank == 3;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK && xs.rank == 5)
        return global_pool_3d(c, kind, x, &xs);
    if (st == CLINFER_OK && one_d)
        st = view_as_2d(c, x, &xs, &x);
    if (st != CLINFER_OK)
        return st;
    const char *yname = name_2d(c, one_d, name, sizeof name);
    return out_from_2d(c, one_d, clinfer_graph_global_pool(c->im->g, yname, x, kind, &y), &y);
}

clinfer_status op_global_avg(onnx_node *c) { return global_pool(c, CLINFER_POOL_AVG); }
clinfer_status op_global_max(onnx_node *c) { return global_pool(c, CLINFER_POOL_MAX); }

/* output_shape: the spatial output size (`spatial` values), or, as some
 * exporters write it, the whole output shape (2 + spatial values: the
 * last are used); as [depth, height, width] (0 where absent: no
 * output_shape, or the depth of a 1-D or 2-D output; a 1-D output has
 * height 1). */
static clinfer_status output_shape_attr(onnx_node *c, int32_t spatial, int32_t out[3])
{
    int64_t v[MAX_INTS];
    int32_t n = 0;
    clinfer_status st = onnx_node_attr_ints(c, "output_shape", v, MAX_INTS, &n);
    out[0] = out[1] = out[2] = 0;
    if (st != CLINFER_OK || n < 0)
        return st;
    if (n != spatial && n != spatial + 2)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"output_shape\" has %d values; a %d-D output has %d "
                               "(or %d for the whole shape)",
                               (int)n, (int)spatial, (int)spatial, (int)spatial + 2);
    for (int32_t k = 0; k < spatial; k++)
        if ((st = onnx_node_check_range(c, "output_shape", v[n - spatial + k], 1, 1 << 24)) !=
            CLINFER_OK)
            return st;
    out[0] = spatial == 3 ? (int32_t)v[n - 3] : 0;
    out[1] = spatial >= 2 ? (int32_t)v[n - 2] : 1;
    out[2] = (int32_t)v[n - 1];
    return CLINFER_OK;
}

/* ConvTranspose: the window attributes as Conv's, plus output_padding and
 * output_shape; W is [C, OC/group, K...]. 1-D as 2-D of height 1, as
 * Conv; 3-D as 2-D ones per output frame (conv_transpose3d). */
clinfer_status op_conv_transpose(onnx_node *c)
{
    clinfer_shape xs, ws;
    const host_tensor *wt = NULL, *bt = NULL;
    char buf[160];
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && (xs.rank < 3 || xs.rank > 5))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "input X has shape %s; clinfer supports 1-D, 2-D and 3-D "
                               "transposed convolutions (3-D, 4-D and 5-D tensors)",
                               shape_str(&xs, buf, sizeof buf));
    if (st == CLINFER_OK)
        st = weights_and_bias(c, xs.rank, &ws, &wt, &bt);
    window w;
    int64_t group = 1;
    int32_t out_pad_d, out_pad[2] = {0, 0}, out_shape[3] = {0, 0, 0};
    const int one_d = xs.rank == 3, three_d = xs.rank == 5, spatial = xs.rank - 2;
    if (st == CLINFER_OK)
        st = window_attrs(c, spatial, 1, &w);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "group", 1, &group);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "group", group, 1, INT32_MAX);
    if (st == CLINFER_OK)
        st = window_ints(c, "output_padding", spatial, 1, 0, 0, out_pad, &out_pad_d, NULL);
    if (st == CLINFER_OK)
        st = output_shape_attr(c, spatial, out_shape);
    if (st != CLINFER_OK)
        return st;
    if (one_d)
        out_pad[0] = 0; /* window_ints gives sizes a height of 1 */
    const int64_t kh = one_d ? 1 : ws.dims[ws.rank - 2], kw = ws.dims[ws.rank - 1];
    const int64_t kd = three_d ? ws.dims[2] : 1;
    if (w.has_kernel && three_d && (w.kernel[0] != kh || w.kernel[1] != kw || w.d_kernel != kd))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"kernel_shape\" is [%d, %d, %d] but W is "
                               "%lldx%lldx%lld",
                               (int)w.d_kernel, (int)w.kernel[0], (int)w.kernel[1],
                               (long long)kd, (long long)kh, (long long)kw);
    if (w.has_kernel && (w.kernel[0] != kh || w.kernel[1] != kw))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"kernel_shape\" is [%d, %d] but W is %lldx%lld",
                               (int)w.kernel[0], (int)w.kernel[1], (long long)kh, (long long)kw);
    w.d_kernel = (int32_t)kd;
    clinfer_conv_transpose2d_desc d = clinfer_conv_transpose2d_desc_default();
    d.stride_h = w.stride[0], d.stride_w = w.stride[1];
    d.dilation_h = w.dilation[0], d.dilation_w = w.dilation[1];
    d.groups = (int32_t)group;
    d.pad_mode = w.mode;
    d.pad_top = w.pads[0], d.pad_left = w.pads[1], d.pad_bottom = w.pads[2],
    d.pad_right = w.pads[3];
    d.output_padding_h = out_pad[0], d.output_padding_w = out_pad[1];
    d.output_h = out_shape[1], d.output_w = out_shape[2];
    if (three_d) {
        if (w.mode == CLINFER_PAD_VALID) { /* the 2-D part: explicit zero pads */
            d.pad_mode = CLINFER_PAD_EXPLICIT;
            d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
        }
        return onnx_conv_transpose3d(c, &xs, wt, &w, out_pad_d, out_shape[0], &d);
    }
    clinfer_value x, wv, bv, y;
    char name[512];
    st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK && one_d)
        st = view_as_2d(c, x, &xs, &x);
    if (st == CLINFER_OK)
        st = conv_weights(c, wt, one_d, &wv); /* [C, OC/g, K] as [C, OC/g, 1, K] alike */
    if (st == CLINFER_OK)
        st = onnx_node_in_value_opt(c, 2, &bv);
    if (st != CLINFER_OK)
        return st;
    const char *yname = name_2d(c, one_d, name, sizeof name);
    return out_from_2d(
        c, one_d, clinfer_graph_conv_transpose2d(c->im->g, yname, x, wv, bv, &d, &y), &y);
}

/* ------------------------------------------------------------ MaxUnpool */

/* The spatial size MaxUnpool's optional output_shape input asks for
 * (N, C, H, W, known at load time; N and C must be X's): *h, *w stay 0,
 * the default size, when the input is absent. */
static clinfer_status unpool_output_size(onnx_node *c, const clinfer_shape *xs, int64_t *h,
                                         int64_t *w)
{
    const host_tensor *t = NULL;
    int64_t v[MAX_INTS];
    int32_t n = 0;
    char buf[160];
    clinfer_status st = onnx_node_in_host_opt(c, 2, "output_shape", &t);
    if (st != CLINFER_OK || !t)
        return st;
    if ((st = onnx_node_host_ints(c, t, "output_shape", v, MAX_INTS, &n)) != CLINFER_OK)
        return st;
    if (n != 4 || v[0] != xs->dims[0] || v[1] != xs->dims[1] || v[2] < 1 || v[3] < 1)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "output_shape must be 4 values: X's N and C (X is %s), then a "
                               "positive height and width; it has %d%s",
                               shape_str(xs, buf, sizeof buf), (int)n,
                               n == 4 ? " values that are not" : "");
    *h = v[2], *w = v[3];
    return CLINFER_OK;
}

/* MaxUnpool (opsets 9, 11): 2-D only. I holds int64 flat indices into Y
 * (from MaxPool's Indices, or computed at run time: as floats). */
clinfer_status op_max_unpool(onnx_node *c)
{
    clinfer_shape xs;
    char buf[160];
    window w;
    clinfer_status st = onnx_node_in_shape(c, 0, &xs);
    if (st == CLINFER_OK && xs.rank != 4)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "input X has shape %s; clinfer supports 2-D MaxUnpool (4-D "
                               "tensors)",
                               shape_str(&xs, buf, sizeof buf));
    if (st == CLINFER_OK)
        st = window_attrs(c, 2, 0, &w);
    if (st == CLINFER_OK && !w.has_kernel)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"kernel_shape\" is required");
    clinfer_unpool2d_desc d = {w.kernel[0], w.kernel[1], w.stride[0], w.stride[1], w.pads[0],
                               w.pads[1],   w.pads[2],   w.pads[3],   0,           0};
    if (st == CLINFER_OK)
        st = unpool_output_size(c, &xs, &d.out_h, &d.out_w);
    clinfer_value x, i, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_ints(c, 1, &i);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_max_unpool(c->im->g, onnx_node_oname(c), x, i, &d, &y), &y);
}
