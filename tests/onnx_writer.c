/*
 * onnx_writer.c — see onnx_writer.h. Field numbers from onnx.proto:
 * ModelProto ir_version 1, graph 7, opset_import 8; OperatorSetIdProto
 * domain 1, version 2; GraphProto node 1, name 2, initializer 5, input 11,
 * output 12; NodeProto input 1, output 2, name 3, op_type 4, attribute 5;
 * AttributeProto name 1, f 2, i 3, s 4, t 5, ints 8, type 20; TensorProto
 * dims 1, data_type 2, float_data 4, int64_data 7, name 8, raw_data 9;
 * ValueInfoProto name 1, type 2; TypeProto tensor_type 1; Tensor elem_type
 * 1, shape 2; TensorShapeProto dim 1; Dimension dim_value 1, dim_param 2.
 */
#include "onnx_writer.h"

#include <stdlib.h>
#include <string.h>

static void grow(pb *p, size_t extra)
{
    if (p->n + extra <= p->cap)
        return;
    size_t cap = p->cap ? p->cap : 64;
    while (cap < p->n + extra)
        cap *= 2;
    uint8_t *b = realloc(p->b, cap);
    if (!b)
        abort(); /* tests only */
    p->b = b;
    p->cap = cap;
}

void pb_free(pb *p)
{
    free(p->b);
    memset(p, 0, sizeof *p);
}

void pb_varint(pb *p, uint64_t v)
{
    grow(p, 10);
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        p->b[p->n++] = c | (v ? 0x80 : 0);
    } while (v);
}

void pb_tag(pb *p, uint32_t field, uint32_t wt) { pb_varint(p, (uint64_t)field << 3 | wt); }

void pb_int(pb *p, uint32_t field, int64_t v)
{
    pb_tag(p, field, 0);
    pb_varint(p, (uint64_t)v);
}

void pb_fixed32(pb *p, uint32_t field, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    pb_tag(p, field, 5);
    grow(p, 4);
    for (int k = 0; k < 4; k++)
        p->b[p->n++] = (uint8_t)(u >> (8 * k));
}

void pb_bytes(pb *p, uint32_t field, const void *data, size_t n)
{
    pb_tag(p, field, 2);
    pb_varint(p, n);
    grow(p, n);
    if (n)
        memcpy(p->b + p->n, data, n);
    p->n += n;
}

void pb_str(pb *p, uint32_t field, const char *s) { pb_bytes(p, field, s, strlen(s)); }

void pb_msg(pb *p, uint32_t field, const pb *sub) { pb_bytes(p, field, sub->b, sub->n); }

void pb_append(pb *p, const pb *sub)
{
    grow(p, sub->n);
    if (sub->n)
        memcpy(p->b + p->n, sub->b, sub->n);
    p->n += sub->n;
}

static void le(pb *p, uint64_t v, int bytes)
{
    grow(p, (size_t)bytes);
    for (int k = 0; k < bytes; k++)
        p->b[p->n++] = (uint8_t)(v >> (8 * k));
}

static int64_t count(int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= dims[d];
    return n;
}

pb onnx_tensor_f(const char *name, int rank, const int64_t *dims, const float *data, int raw)
{
    pb t = {0};
    for (int d = 0; d < rank; d++)
        pb_int(&t, 1, dims[d]);
    pb_int(&t, 2, OT_FLOAT);
    if (name)
        pb_str(&t, 8, name);
    int64_t n = count(rank, dims);
    pb body = {0};
    for (int64_t k = 0; k < n; k++) {
        uint32_t u;
        memcpy(&u, &data[k], 4);
        le(&body, u, 4);
    }
    pb_bytes(&t, raw ? 9 : 4, body.b, body.n); /* float_data packed: the same bytes */
    pb_free(&body);
    return t;
}

pb onnx_tensor_i(const char *name, int rank, const int64_t *dims, const int64_t *data, int raw)
{
    pb t = {0};
    for (int d = 0; d < rank; d++)
        pb_int(&t, 1, dims[d]);
    pb_int(&t, 2, OT_INT64);
    if (name)
        pb_str(&t, 8, name);
    int64_t n = count(rank, dims);
    pb body = {0};
    for (int64_t k = 0; k < n; k++) {
        if (raw)
            le(&body, (uint64_t)data[k], 8);
        else
            pb_varint(&body, (uint64_t)data[k]);
    }
    pb_bytes(&t, raw ? 9 : 7, body.b, body.n);
    pb_free(&body);
    return t;
}

pb onnx_tensor_int(const char *name, int elem_type, int rank, const int64_t *dims,
                   const int64_t *data)
{
    const int bytes = elem_type == 2 || elem_type == 3 ? 1 : elem_type == 4 || elem_type == 5 ? 2
                      : elem_type == 6 ? 4 : 8;
    pb t = {0};
    for (int d = 0; d < rank; d++)
        pb_int(&t, 1, dims[d]);
    pb_int(&t, 2, elem_type);
    if (name)
        pb_str(&t, 8, name);
    int64_t n = count(rank, dims);
    pb body = {0};
    for (int64_t k = 0; k < n; k++)
        le(&body, (uint64_t)data[k], bytes); /* two's complement, little-endian */
    pb_bytes(&t, 9, body.b, body.n);
    pb_free(&body);
    return t;
}

static pb attr_head(const char *name, int type)
{
    pb a = {0};
    pb_str(&a, 1, name);
    pb_int(&a, 20, type);
    return a;
}

pb onnx_attr_int(const char *name, int64_t v)
{
    pb a = attr_head(name, 2);
    pb_int(&a, 3, v);
    return a;
}

pb onnx_attr_float(const char *name, float v)
{
    pb a = attr_head(name, 1);
    pb_fixed32(&a, 2, v);
    return a;
}

pb onnx_attr_ints(const char *name, int n, const int64_t *v)
{
    pb a = attr_head(name, 7);
    for (int k = 0; k < n; k++)
        pb_int(&a, 8, v[k]);
    return a;
}

pb onnx_attr_string(const char *name, const char *v)
{
    pb a = attr_head(name, 3);
    pb_str(&a, 4, v);
    return a;
}

pb onnx_attr_strings(const char *name, int n, const char *const *v)
{
    pb a = attr_head(name, 8);
    for (int k = 0; k < n; k++)
        pb_str(&a, 9, v[k]);
    return a;
}

pb onnx_attr_tensor(const char *name, const pb *tensor)
{
    pb a = attr_head(name, 4);
    pb_msg(&a, 5, tensor);
    return a;
}

pb onnx_value_info(const char *name, int elem_type, int rank, const int64_t *dims)
{
    pb shape = {0}, tensor = {0}, type = {0}, vi = {0};
    for (int d = 0; d < rank; d++) {
        pb dim = {0};
        if (dims[d] >= 0 || dims[d] == OW_DIM_MINUS_ONE)
            pb_int(&dim, 1, dims[d] >= 0 ? dims[d] : -1);
        else
            pb_str(&dim, 2, "N");
        pb_msg(&shape, 1, &dim);
        pb_free(&dim);
    }
    pb_int(&tensor, 1, elem_type);
    if (rank >= 0)
        pb_msg(&tensor, 2, &shape);
    pb_msg(&type, 1, &tensor);
    pb_str(&vi, 1, name);
    pb_msg(&vi, 2, &type);
    pb_free(&shape);
    pb_free(&tensor);
    pb_free(&type);
    return vi;
}

/* Writes each comma-separated name as a string field. */
static void names(pb *p, uint32_t field, const char *list)
{
    const char *s = list;
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        pb_bytes(p, field, s, n);
        if (!e)
            break;
        s = e + 1;
        if (!*s) /* a trailing comma: one empty name */
            pb_bytes(p, field, "", 0);
    }
}

void onnx_node(onnx_graph *g, const char *op, const char *name, const char *inputs,
               const char *outputs, int nattrs, pb *attrs)
{
    pb n = {0};
    names(&n, 1, inputs);
    names(&n, 2, outputs);
    if (name)
        pb_str(&n, 3, name);
    pb_str(&n, 4, op);
    for (int k = 0; k < nattrs; k++) {
        pb_msg(&n, 5, &attrs[k]);
        pb_free(&attrs[k]);
    }
    pb_msg(&g->g, 1, &n);
    pb_free(&n);
}

void onnx_initializer(onnx_graph *g, pb *tensor)
{
    pb_msg(&g->g, 5, tensor);
    pb_free(tensor);
}

void onnx_input(onnx_graph *g, pb *vi)
{
    pb_msg(&g->g, 11, vi);
    pb_free(vi);
}

void onnx_output(onnx_graph *g, pb *vi)
{
    pb_msg(&g->g, 12, vi);
    pb_free(vi);
}

void onnx_value_info_decl(onnx_graph *g, pb *vi)
{
    pb_msg(&g->g, 13, vi);
    pb_free(vi);
}

pb onnx_attr_graph(const char *name, onnx_graph *branch)
{
    pb a = attr_head(name, 5);
    pb_str(&branch->g, 2, name);
    pb_msg(&a, 6, &branch->g);
    pb_free(&branch->g);
    return a;
}

uint8_t *onnx_model(onnx_graph *g, int64_t opset, size_t *size)
{
    pb m = {0}, op = {0};
    pb_int(&m, 1, 8);
    pb_str(&g->g, 2, "test");
    pb_msg(&m, 7, &g->g);
    if (opset > 0) {
        pb_str(&op, 1, "");
        pb_int(&op, 2, opset);
        pb_msg(&m, 8, &op);
    }
    pb_free(&op);
    pb_free(&g->g);
    *size = m.n;
    return m.b;
}

/* ------------------------------------------------------------ test models */

static void fill(float *x, size_t n, uint32_t *s)
{
    for (size_t i = 0; i < n; i++) {
        *s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
        x[i] = (float)((*s >> 8) * (1.0 / 16777216.0) * 2 - 1);
    }
}

static float *keep(const float *x, size_t n)
{
    float *c = malloc(n * sizeof *c);
    if (c)
        memcpy(c, x, n * sizeof *c);
    return c;
}

uint8_t *onnx_model_cnn(uint32_t seed, size_t *size, float **w, float **b, float **fw,
                        float **fb)
{
    onnx_graph g = {{0}};
    float cw[3 * 2 * 3 * 3], cb[3], gw[4 * 27], gb[4];
    fill(cw, sizeof cw / 4, &seed);
    fill(cb, 3, &seed);
    fill(gw, sizeof gw / 4, &seed);
    fill(gb, 4, &seed);
    const int64_t xd[4] = {-1, 2, 7, 6}, wd[4] = {3, 2, 3, 3}, bd[1] = {3}, gwd[2] = {4, 27},
                  gbd[1] = {4}, od[2] = {-1, 4}, one[1] = {1}, zero = 0, minus1 = -1;
    pb t;
    t = onnx_value_info("x", OT_FLOAT, 4, xd), onnx_input(&g, &t);
    t = onnx_tensor_f("conv.weight", 4, wd, cw, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("conv.bias", 1, bd, cb, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_f("fc.weight", 2, gwd, gw, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("fc.bias", 1, gbd, gb, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_i("minus_one", 1, one, &minus1, 0), onnx_initializer(&g, &t);
    const int64_t k3[2] = {3, 3}, pads[4] = {1, 1, 1, 1}, k2[2] = {2, 2};
    pb a[3];
    a[0] = onnx_attr_ints("kernel_shape", 2, k3);
    a[1] = onnx_attr_ints("pads", 4, pads);
    onnx_node(&g, "Conv", "Conv_0", "x,conv.weight,conv.bias", "conv_out", 2, a);
    onnx_node(&g, "Relu", "Relu_1", "conv_out", "relu_out", 0, NULL);
    a[0] = onnx_attr_ints("kernel_shape", 2, k2);
    a[1] = onnx_attr_ints("strides", 2, k2);
    onnx_node(&g, "MaxPool", "MaxPool_2", "relu_out", "pool_out", 2, a);
    /* x.view(x.size(0), -1) */
    onnx_node(&g, "Shape", "Shape_3", "pool_out", "shape", 0, NULL);
    pb idx = onnx_tensor_i(NULL, 0, NULL, &zero, 0);
    a[0] = onnx_attr_tensor("value", &idx);
    pb_free(&idx);
    onnx_node(&g, "Constant", "Constant_4", "", "zero", 1, a);
    a[0] = onnx_attr_int("axis", 0);
    onnx_node(&g, "Gather", "Gather_5", "shape,zero", "batch", 1, a);
    a[0] = onnx_attr_ints("axes", 1, &zero);
    onnx_node(&g, "Unsqueeze", "Unsqueeze_6", "batch", "batch1", 1, a);
    a[0] = onnx_attr_int("axis", 0);
    onnx_node(&g, "Concat", "Concat_7", "batch1,minus_one", "target", 1, a);
    onnx_node(&g, "Reshape", "Reshape_8", "pool_out,target", "flat", 0, NULL);
    a[0] = onnx_attr_int("transB", 1);
    onnx_node(&g, "Gemm", "Gemm_9", "flat,fc.weight,fc.bias", "logits", 1, a);
    a[0] = onnx_attr_int("axis", 1);
    onnx_node(&g, "Softmax", "Softmax_10", "logits", "probs", 1, a);
    t = onnx_value_info("probs", OT_FLOAT, 2, od), onnx_output(&g, &t);
    if (w)
        *w = keep(cw, sizeof cw / 4);
    if (b)
        *b = keep(cb, 3);
    if (fw)
        *fw = keep(gw, sizeof gw / 4);
    if (fb)
        *fb = keep(gb, 4);
    /* opset 11: Unsqueeze takes axes as an attribute */
    return onnx_model(&g, 11, size);
}

uint8_t *onnx_model_ops(size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {2, 3, 4, 5}, yd[3] = {2, 5, 3}, one[1] = {1}, three[1] = {3};
    const int64_t eight[1] = {8}, zero = 0;
    pb t, a[2];
    t = onnx_value_info("x", OT_FLOAT, 4, xd), onnx_input(&g, &t);
    const int64_t st[1] = {1}, en[1] = {100}, ax[1] = {3}, sp[1] = {2};
    t = onnx_tensor_i("starts", 1, one, st, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_i("ends", 1, one, en, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_i("axes", 1, one, ax, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_i("steps", 1, one, sp, 0), onnx_initializer(&g, &t);
    onnx_node(&g, "Slice", "slice", "x,starts,ends,axes,steps", "sliced", 0, NULL);
    const int64_t pads[8] = {0, 0, 1, 0, 0, 0, 0, 1};
    t = onnx_tensor_i("pads", 1, eight, pads, 1), onnx_initializer(&g, &t);
    a[0] = onnx_attr_string("mode", "reflect");
    onnx_node(&g, "Pad", "pad", "sliced,pads", "padded", 1, a);
    t = onnx_tensor_i("axis0", 1, one, &zero, 0), onnx_initializer(&g, &t);
    onnx_node(&g, "Unsqueeze", "unsq", "padded,axis0", "unsq_out", 0, NULL);
    onnx_node(&g, "Squeeze", "sq", "unsq_out,axis0", "sq_out", 0, NULL);
    const float lo = -0.5f, hi = 0.5f;
    t = onnx_tensor_f("lo", 0, NULL, &lo, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_f("hi", 0, NULL, &hi, 1), onnx_initializer(&g, &t);
    onnx_node(&g, "Clip", "clip", "sq_out,lo,hi", "clipped", 0, NULL);
    const float scale[3] = {1.5f, -2.0f, 0.5f}, bias[3] = {0.1f, 0.2f, -0.3f},
                mean[3] = {0.05f, -0.1f, 0.2f}, var[3] = {0.9f, 1.1f, 0.25f};
    t = onnx_tensor_f("bn.scale", 1, three, scale, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("bn.bias", 1, three, bias, 0), onnx_initializer(&g, &t);
    t = onnx_tensor_f("bn.mean", 1, three, mean, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("bn.var", 1, three, var, 0), onnx_initializer(&g, &t);
    a[0] = onnx_attr_float("epsilon", 1e-3f);
    onnx_node(&g, "BatchNormalization", "bn", "clipped,bn.scale,bn.bias,bn.mean,bn.var", "bn_out",
              1, a);
    const int64_t perm[4] = {0, 2, 3, 1};
    a[0] = onnx_attr_ints("perm", 4, perm);
    onnx_node(&g, "Transpose", "tr", "bn_out", "tr_out", 1, a);
    const int64_t two = 2;
    t = onnx_tensor_i("axis2", 1, one, &two, 0), onnx_initializer(&g, &t);
    a[0] = onnx_attr_int("keepdims", 0);
    onnx_node(&g, "ReduceMean", "mean", "tr_out,axis2", "mean_out", 1, a);
    const float k[3] = {2.0f, -1.0f, 0.25f};
    pb kt = onnx_tensor_f(NULL, 1, three, k, 0);
    a[0] = onnx_attr_tensor("value", &kt);
    pb_free(&kt);
    onnx_node(&g, "Constant", "k", "", "k_out", 1, a);
    onnx_node(&g, "Mul", "mul", "mean_out,k_out", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 3, yd), onnx_output(&g, &t);
    return onnx_model(&g, 18, size);
}

uint8_t *onnx_model_unsupported(size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {-1, 3, 8, 8}, wd[4] = {4, 3, 3, 3}, cd[4] = {-1, 4, 6, 6},
                  pd[4] = {-1, 4, 4, 4}, k2[2] = {2, 2};
    float w[108];
    for (int i = 0; i < 108; i++)
        w[i] = (float)(i % 7) * 0.1f - 0.3f;
    pb t = onnx_value_info("img", OT_FLOAT, 4, xd);
    onnx_input(&g, &t);
    t = onnx_tensor_f("w", 4, wd, w, 1), onnx_initializer(&g, &t);
    onnx_node(&g, "Conv", "conv", "img,w", "c", 0, NULL);
    onnx_node(&g, "Swoosh", "s1", "c", "s1_out", 0, NULL);
    onnx_node(&g, "Relu", "after_s1", "s1_out", "r1", 0, NULL);
    onnx_node(&g, "Swoosh", "s4", "s1_out", "s4_out", 0, NULL);
    onnx_node(&g, "Swoosh", "s2", "c", "s2_out", 0, NULL);
    t = onnx_value_info("s2_out", OT_FLOAT, 4, cd), onnx_value_info_decl(&g, &t);
    onnx_node(&g, "Relu", "after_s2", "s2_out", "r2", 0, NULL);
    pb a[2] = {onnx_attr_ints("kernel_shape", 2, k2), onnx_attr_ints("dilations", 2, k2)};
    onnx_node(&g, "AveragePool", "dilated_pool", "r2", "ap", 2, a);
    t = onnx_value_info("ap", OT_FLOAT, 4, pd), onnx_value_info_decl(&g, &t);
    onnx_node(&g, "Swoosh", "s3", "ap", "s3_out", 0, NULL);
    onnx_node(&g, "GlobalAveragePool", "after_s3", "s3_out", "gap", 0, NULL);
    pb bogus[1] = {onnx_attr_int("bogus", 1)};
    onnx_node(&g, "Relu", "bad_relu", "ap", "b", 1, bogus);
    onnx_node(&g, "Flatten", "after_bad_relu", "b", "out1", 0, NULL);
    const char *outs[4] = {"r1", "gap", "out1", "s4_out"};
    for (int i = 0; i < 4; i++)
        t = onnx_value_info(outs[i], OT_FLOAT, -1, NULL), onnx_output(&g, &t);
    return onnx_model(&g, 18, size);
}

uint8_t *onnx_model_if(int64_t flag, size_t *size)
{
    onnx_graph g = {{0}}, then_b = {{0}}, else_b = {{0}}, in_then = {{0}}, in_else = {{0}};
    const int64_t xd[4] = {-1, 3, 4, 5}, one = 1, three = 3;
    const float two = 2;
    pb t;
    t = onnx_value_info("x", OT_FLOAT, 4, xd), onnx_input(&g, &t);
    t = onnx_value_info("y", OT_FLOAT, 4, xd), onnx_output(&g, &t);
    t = onnx_tensor_i("axis1", 0, NULL, &one, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_i("three", 0, NULL, &three, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_i("flag", 0, NULL, &flag, 1), onnx_initializer(&g, &t);
    onnx_node(&g, "Shape", "shape", "x", "xs", 0, NULL);
    onnx_node(&g, "Gather", "c", "xs,axis1", "c", 0, NULL);
    onnx_node(&g, "Equal", "is_3", "c,three", "cond", 0, NULL);
    onnx_node(&in_then, "Abs", "abs_z", "z", "it", 0, NULL);
    t = onnx_value_info("it", OT_FLOAT, -1, NULL), onnx_output(&in_then, &t);
    onnx_node(&in_else, "Sub", "z_minus_x", "z,x", "ie", 0, NULL);
    t = onnx_value_info("ie", OT_FLOAT, -1, NULL), onnx_output(&in_else, &t);
    pb inner[2] = {onnx_attr_graph("then_branch", &in_then),
                   onnx_attr_graph("else_branch", &in_else)};
    t = onnx_tensor_f("two", 0, NULL, &two, 1), onnx_initializer(&then_b, &t);
    onnx_node(&then_b, "If", "inner", "flag", "io", 2, inner);
    onnx_node(&then_b, "Mul", "twice", "io,two", "t_out", 0, NULL);
    t = onnx_value_info("t_out", OT_FLOAT, -1, NULL), onnx_output(&then_b, &t);
    t = onnx_value_info("x", OT_FLOAT, -1, NULL), onnx_output(&else_b, &t);
    pb outer[2] = {onnx_attr_graph("then_branch", &then_b),
                   onnx_attr_graph("else_branch", &else_b)};
    onnx_node(&g, "If", "outer", "cond", "r", 2, outer);
    onnx_node(&g, "Relu", "relu", "x", "z", 0, NULL); /* after the If that reads it */
    onnx_node(&g, "Mul", "times_x", "r,x", "y", 0, NULL);
    return onnx_model(&g, 13, size);
}
