/*
 * ops_conv_pool.c — Conv, MaxPool, AveragePool and the global pools
 * translated into builder calls, with the reader of their 2-D window
 * attributes (kernel_shape, strides, dilations, pads, auto_pad).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shape.h"
#include "ops_internal.h"

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

/* kernel_shape, strides, dilations, pads and auto_pad of a 2-D window. */
typedef struct window {
    int has_kernel;
    int32_t kernel[2], stride[2], dilation[2], pads[4];
    clinfer_pad_mode mode;
} window;

static clinfer_status ints2(onnx_node *c, const char *name, int32_t want, int64_t lo, int64_t def,
                            int32_t *out, int *present)
{
    int64_t v[MAX_INTS];
    int32_t n = 0;
    clinfer_status st = onnx_node_attr_ints(c, name, v, MAX_INTS, &n);
    if (st != CLINFER_OK)
        return st;
    if (present)
        *present = n >= 0;
    if (n < 0) {
        for (int32_t k = 0; k < want; k++)
            out[k] = (int32_t)def;
        return CLINFER_OK;
    }
    if (n != want)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"%s\" has %d values; clinfer supports 2-D windows (%d "
                               "values)",
                               name, (int)n, (int)want);
    for (int32_t k = 0; k < n; k++) {
        st = onnx_node_check_range(c, name, v[k], lo, 1 << 24);
        if (st != CLINFER_OK)
            return st;
        out[k] = (int32_t)v[k];
    }
    return CLINFER_OK;
}

/* dilations: whether the op takes them (Conv, MaxPool, and AveragePool from
 * opset 19); without, any value but 1 is refused. */
static clinfer_status window_attrs(onnx_node *c, int dilations, window *w)
{
    memset(w, 0, sizeof w[0]);
    clinfer_status st = ints2(c, "kernel_shape", 2, 1, 1, w->kernel, &w->has_kernel);
    if (st == CLINFER_OK)
        st = ints2(c, "strides", 2, 1, 1, w->stride, NULL);
    if (st == CLINFER_OK)
        st = ints2(c, "dilations", 2, 1, 1, w->dilation, NULL);
    if (st == CLINFER_OK)
        st = ints2(c, "pads", 4, 0, 0, w->pads, NULL);
    if (st != CLINFER_OK)
        return st;
    if (!dilations && (w->dilation[0] != 1 || w->dilation[1] != 1))
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

clinfer_status op_conv(onnx_node *c)
{
    clinfer_shape xs, ws;
    const host_tensor *wt = NULL, *bt = NULL;
    const char *why = "clinfer supports 2-D convolutions (4-D tensors)";
    clinfer_status st = need_rank(c, 0, "input X", 4, why, &xs);
    if (st == CLINFER_OK)
        st = onnx_node_in_host(c, 1, "the weights W", &wt);
    if (st == CLINFER_OK)
        st = need_rank(c, 1, "the weights W", 4, why, &ws);
    if (st == CLINFER_OK)
        st = onnx_node_in_host_opt(c, 2, "the bias B", &bt);
    window w;
    int64_t group = 1;
    if (st == CLINFER_OK)
        st = window_attrs(c, 1, &w);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "group", 1, &group);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "group", group, 1, INT32_MAX);
    if (st != CLINFER_OK)
        return st;
    if (w.has_kernel && (w.kernel[0] != ws.dims[2] || w.kernel[1] != ws.dims[3]))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"kernel_shape\" is [%d, %d] but W is %lldx%lld",
                               (int)w.kernel[0], (int)w.kernel[1], (long long)ws.dims[2],
                               (long long)ws.dims[3]);
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.stride_h = w.stride[0], d.stride_w = w.stride[1];
    d.dilation_h = w.dilation[0], d.dilation_w = w.dilation[1];
    d.groups = (int32_t)group;
    d.pad_mode = w.mode;
    d.pad_top = w.pads[0], d.pad_left = w.pads[1], d.pad_bottom = w.pads[2],
    d.pad_right = w.pads[3];
    clinfer_value x, wv, bv, y;
    st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &wv);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_opt(c, 2, &bv);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_conv2d(c->im->g, onnx_node_oname(c), x, wv, bv, &d, &y), &y);
}

static clinfer_status pool(onnx_node *c, clinfer_pool_kind kind)
{
    clinfer_shape xs;
    clinfer_status st =
        need_rank(c, 0, "input X", 4, "clinfer supports 2-D pooling (4-D tensors)", &xs);
    window w;
    int64_t ceil_mode = 0, count_include_pad = 0, storage_order = 0;
    if (st == CLINFER_OK)
        st = window_attrs(c, kind == CLINFER_POOL_MAX || c->im->opset >= 19, &w);
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
    clinfer_value x, y;
    if ((st = onnx_node_in_value(c, 0, &x)) != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_pool2d(c->im->g, onnx_node_oname(c), x, &d, &y), &y);
}

clinfer_status op_maxpool(onnx_node *c) { return pool(c, CLINFER_POOL_MAX); }
clinfer_status op_avgpool(onnx_node *c) { return pool(c, CLINFER_POOL_AVG); }

static clinfer_status global_pool(onnx_node *c, clinfer_pool_kind kind)
{
    clinfer_shape xs;
    clinfer_value x, y;
    clinfer_status st =
        need_rank(c, 0, "input X", 4, "clinfer supports global pooling of 4-D tensors", &xs);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c, clinfer_graph_global_pool(c->im->g, onnx_node_oname(c), x, kind, &y),
                            &y);
}

clinfer_status op_global_avg(onnx_node *c) { return global_pool(c, CLINFER_POOL_AVG); }
clinfer_status op_global_max(onnx_node *c) { return global_pool(c, CLINFER_POOL_MAX); }
