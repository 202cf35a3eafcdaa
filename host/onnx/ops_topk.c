/*
 * ops_topk.c — ONNX TopK (opsets 1, 10, 11) translated into
 * clinfer_graph_topk. K is opset 1's attribute `k`, from opset 10 input 1,
 * which must be known when the model is loaded (the node's output sizes
 * depend on it). The indices are computed as floats and written as int64
 * where a graph output declares it (as ArgMax's).
 */
#include <string.h>

#include "ops_internal.h"

/* K from the attribute (opset 1) or the load-time input (opset 10+). */
static clinfer_status topk_k(onnx_node *c, int64_t *k)
{
    const int64_t opset = c->im->opset;
    if (opset < 10) {
        if (!onnx_node_attr(c, "k"))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "the attribute k is required before opset 10");
        return onnx_node_attr_int(c, "k", 0, k);
    }
    if (onnx_node_attr(c, "k"))
        return onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                     "the attribute k exists before opset 10 only (the model has "
                                     "%lld; K is input 1)",
                                     (long long)opset);
    const host_tensor *t = NULL;
    int32_t n = 0;
    clinfer_status st = onnx_node_in_host(c, 1, "K", &t);
    if (st == CLINFER_OK)
        st = onnx_node_host_ints(c, t, "K", k, 1, &n);
    if (st == CLINFER_OK && n != 1)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "K must hold one value, has none");
    return st;
}

clinfer_status op_topk(onnx_node *c)
{
    int64_t k = 0, axis = -1, largest = 1, sorted = 1;
    clinfer_status st = topk_k(c, &k);
    if (st == CLINFER_OK && k < 0)
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "K is %lld: it must not be negative",
                             (long long)k);
    if (st == CLINFER_OK && k == 0)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "K is 0: the outputs would be empty, and clinfer has no empty "
                             "tensors");
    if (st == CLINFER_OK && c->im->opset < 11 &&
        (onnx_node_attr(c, "largest") || onnx_node_attr(c, "sorted")))
        st = onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "largest and sorted exist from opset 11 (the model has %lld)",
                                   (long long)c->im->opset);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "axis", -1, &axis);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "largest", 1, &largest);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "sorted", 1, &sorted);
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "largest", largest, 0, 1);
    /* sorted 0 allows any order: the sorted one is given */
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "sorted", sorted, 0, 1);
    clinfer_value x, v = CLINFER_NO_VALUE, i = CLINFER_NO_VALUE;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    const int want_v = onnx_node_out_name(c, 0)[0] != 0, want_i = onnx_node_out_name(c, 1)[0] != 0;
    if (!want_v && !want_i)
        return CLINFER_OK; /* nothing reads it */
    const char *name = want_v ? onnx_node_oname(c) : onnx_node_out_name(c, 1);
    st = onnx_node_build(c, clinfer_graph_topk(c->im->g, name, x, axis, k, (int)largest,
                                               want_v ? &v : NULL, want_i ? &i : NULL));
    if (st == CLINFER_OK && want_v)
        st = onnx_node_out_value(c, 0, v);
    if (st == CLINFER_OK && want_i)
        st = onnx_node_out_value(c, 1, i);
    return st;
}
