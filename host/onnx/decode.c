/*
 * decode.c — from untrusted bytes to checked data: the ModelProto through
 * protobuf-c, a wire-format walk that finds the byte offset and field of a
 * malformed file when protobuf-c refuses it, and TensorProto -> host tensor
 * with every count checked before anything is allocated.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../half.h"
#include "../shape.h"
#include "onnx.h"

static clinfer_status fail(char *err, size_t cap, clinfer_status st, const char *fmt, ...)
    CLINFER_PRINTF(4, 5);

static clinfer_status fail(char *err, size_t cap, clinfer_status st, const char *fmt, ...)
{
    FORMAT_VARIADIC(err, cap, fmt);
    return st;
}

/* ------------------------------------------------------------ host tensors */

void host_tensor_free(host_tensor *t)
{
    if (!t)
        return;
    free(t->f);
    free(t->i);
    free(t->sym);
    t->f = NULL;
    t->i = NULL;
    t->sym = NULL;
}

void host_tensor_destroy(host_tensor *t)
{
    host_tensor_free(t);
    free(t);
}

int64_t onnx_numel(const int64_t *dims, int32_t rank)
{
    int64_t n = 1;
    int zero = 0, overflow = 0;
    for (int32_t d = 0; d < rank; d++) {
        if (dims[d] < 0)
            return -1;
        if (dims[d] == 0)
            zero = 1;
        else if (n > INT32_MAX / dims[d])
            overflow = 1;
        else
            n *= dims[d];
    }
    return zero ? 0 : overflow ? -1 : n;
}

clinfer_status host_tensor_alloc(host_tensor *t, clinfer_dtype dtype, const clinfer_shape *shape,
                                 char *err, size_t errcap)
{
    memset(t, 0, sizeof *t);
    t->dtype = dtype;
    t->shape = *shape;
    t->numel = onnx_numel(shape->dims, shape->rank);
    if (shape->rank < 0 || shape->rank > CLINFER_MAX_RANK || t->numel < 0)
        return fail(err, errcap, CLINFER_ERR_UNSUPPORTED,
                    "a tensor of rank %d with more than 2^31-1 elements or a negative dim",
                    (int)shape->rank);
    if (t->numel == 0)
        return CLINFER_OK;
    if (dtype == CLINFER_DTYPE_FLOAT32)
        t->f = calloc((size_t)t->numel, sizeof *t->f);
    else
        t->i = calloc((size_t)t->numel, sizeof *t->i);
    if (!t->f && !t->i)
        return fail(err, errcap, CLINFER_ERR_OUT_OF_HOST_MEMORY,
                    "cannot allocate a tensor of %lld elements", (long long)t->numel);
    return CLINFER_OK;
}

int host_tensor_has_sym(const host_tensor *t)
{
    for (int64_t k = 0; t->sym && k < t->numel; k++)
        if (t->sym[k])
            return 1;
    return 0;
}

double host_tensor_get_f(const host_tensor *t, int64_t k)
{
    return t->dtype == CLINFER_DTYPE_FLOAT32 ? (double)t->f[k] : (double)t->i[k];
}

int64_t host_tensor_get_i(const host_tensor *t, int64_t k)
{
    if (t->dtype == CLINFER_DTYPE_INT64)
        return t->i[k];
    double v = t->f[k];
    if (!(v > -9.2e18 && v < 9.2e18))
        return v > 0 ? INT64_MAX : INT64_MIN;
    return (int64_t)v;
}

clinfer_status host_tensor_copy(const host_tensor *src, host_tensor *out, char *err, size_t errcap)
{
    clinfer_status st = host_tensor_alloc(out, src->dtype, &src->shape, err, errcap);
    if (st != CLINFER_OK)
        return st;
    if (src->numel == 0)
        return CLINFER_OK;
    if (src->f)
        memcpy(out->f, src->f, (size_t)src->numel * sizeof *src->f);
    if (src->i)
        memcpy(out->i, src->i, (size_t)src->numel * sizeof *src->i);
    if (src->sym) {
        out->sym = malloc((size_t)src->numel);
        if (!out->sym) {
            host_tensor_free(out);
            return fail(err, errcap, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        }
        memcpy(out->sym, src->sym, (size_t)src->numel);
    }
    return CLINFER_OK;
}

/* ------------------------------------------------------------ wire walk */

/* The messages of onnx.proto and the wire shape of each declared field, to
 * say where and why protobuf-c refused a file. */
typedef enum msg_kind {
    MK_NONE, MK_MODEL, MK_OPSET, MK_GRAPH, MK_NODE, MK_ATTR, MK_TENSOR, MK_VALUE_INFO, MK_TYPE,
    MK_TYPE_TENSOR, MK_SHAPE, MK_DIM
} msg_kind;

typedef enum field_kind {
    FK_VARINT, FK_FIXED32, FK_LEN, FK_MSG, FK_REP_VARINT, FK_REP_FIXED32, FK_REP_FIXED64
} field_kind;

typedef struct field_rule {
    msg_kind msg;
    uint32_t number;
    field_kind kind;
    msg_kind child; /* FK_MSG */
    const char *name;
} field_rule;

static const field_rule rules[] = {
    {MK_MODEL, 1, FK_VARINT, MK_NONE, "ir_version"},
    {MK_MODEL, 2, FK_LEN, MK_NONE, "producer_name"},
    {MK_MODEL, 3, FK_LEN, MK_NONE, "producer_version"},
    {MK_MODEL, 5, FK_VARINT, MK_NONE, "model_version"},
    {MK_MODEL, 7, FK_MSG, MK_GRAPH, "graph"},
    {MK_MODEL, 8, FK_MSG, MK_OPSET, "opset_import"},
    {MK_OPSET, 1, FK_LEN, MK_NONE, "domain"},
    {MK_OPSET, 2, FK_VARINT, MK_NONE, "version"},
    {MK_GRAPH, 1, FK_MSG, MK_NODE, "node"},
    {MK_GRAPH, 2, FK_LEN, MK_NONE, "name"},
    {MK_GRAPH, 5, FK_MSG, MK_TENSOR, "initializer"},
    {MK_GRAPH, 11, FK_MSG, MK_VALUE_INFO, "input"},
    {MK_GRAPH, 12, FK_MSG, MK_VALUE_INFO, "output"},
    {MK_GRAPH, 15, FK_LEN, MK_NONE, "sparse_initializer"},
    {MK_NODE, 1, FK_LEN, MK_NONE, "input"},
    {MK_NODE, 2, FK_LEN, MK_NONE, "output"},
    {MK_NODE, 3, FK_LEN, MK_NONE, "name"},
    {MK_NODE, 4, FK_LEN, MK_NONE, "op_type"},
    {MK_NODE, 5, FK_MSG, MK_ATTR, "attribute"},
    {MK_NODE, 7, FK_LEN, MK_NONE, "domain"},
    {MK_ATTR, 1, FK_LEN, MK_NONE, "name"},
    {MK_ATTR, 2, FK_FIXED32, MK_NONE, "f"},
    {MK_ATTR, 3, FK_VARINT, MK_NONE, "i"},
    {MK_ATTR, 4, FK_LEN, MK_NONE, "s"},
    {MK_ATTR, 5, FK_MSG, MK_TENSOR, "t"},
    {MK_ATTR, 7, FK_REP_FIXED32, MK_NONE, "floats"},
    {MK_ATTR, 8, FK_REP_VARINT, MK_NONE, "ints"},
    {MK_ATTR, 9, FK_LEN, MK_NONE, "strings"},
    {MK_ATTR, 20, FK_VARINT, MK_NONE, "type"},
    {MK_ATTR, 21, FK_LEN, MK_NONE, "ref_attr_name"},
    {MK_TENSOR, 1, FK_REP_VARINT, MK_NONE, "dims"},
    {MK_TENSOR, 2, FK_VARINT, MK_NONE, "data_type"},
    {MK_TENSOR, 4, FK_REP_FIXED32, MK_NONE, "float_data"},
    {MK_TENSOR, 5, FK_REP_VARINT, MK_NONE, "int32_data"},
    {MK_TENSOR, 6, FK_LEN, MK_NONE, "string_data"},
    {MK_TENSOR, 7, FK_REP_VARINT, MK_NONE, "int64_data"},
    {MK_TENSOR, 8, FK_LEN, MK_NONE, "name"},
    {MK_TENSOR, 9, FK_LEN, MK_NONE, "raw_data"},
    {MK_TENSOR, 10, FK_REP_FIXED64, MK_NONE, "double_data"},
    {MK_TENSOR, 11, FK_REP_VARINT, MK_NONE, "uint64_data"},
    {MK_TENSOR, 13, FK_LEN, MK_NONE, "external_data"},
    {MK_TENSOR, 14, FK_VARINT, MK_NONE, "data_location"},
    {MK_VALUE_INFO, 1, FK_LEN, MK_NONE, "name"},
    {MK_VALUE_INFO, 2, FK_MSG, MK_TYPE, "type"},
    {MK_TYPE, 1, FK_MSG, MK_TYPE_TENSOR, "tensor_type"},
    {MK_TYPE_TENSOR, 1, FK_VARINT, MK_NONE, "elem_type"},
    {MK_TYPE_TENSOR, 2, FK_MSG, MK_SHAPE, "shape"},
    {MK_SHAPE, 1, FK_MSG, MK_DIM, "dim"},
    {MK_DIM, 1, FK_VARINT, MK_NONE, "dim_value"},
    {MK_DIM, 2, FK_LEN, MK_NONE, "dim_param"},
};

static const char *const msg_names[] = {
    [MK_NONE] = "?", [MK_MODEL] = "ModelProto", [MK_OPSET] = "OperatorSetIdProto",
    [MK_GRAPH] = "GraphProto", [MK_NODE] = "NodeProto", [MK_ATTR] = "AttributeProto",
    [MK_TENSOR] = "TensorProto", [MK_VALUE_INFO] = "ValueInfoProto", [MK_TYPE] = "TypeProto",
    [MK_TYPE_TENSOR] = "TypeProto.Tensor", [MK_SHAPE] = "TensorShapeProto",
    [MK_DIM] = "TensorShapeProto.Dimension",
};

static const field_rule *find_rule(msg_kind m, uint32_t number)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].msg == m && rules[i].number == number)
            return &rules[i];
    return NULL;
}

/* Reads a varint at *pos (< end); 0 when it is cut or longer than 10 bytes. */
static int read_varint(const uint8_t *b, size_t *pos, size_t end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*pos >= end)
            return 0;
        uint8_t c = b[(*pos)++];
        r |= (uint64_t)(c & 0x7f) << (shift < 64 ? shift : 63);
        if (!(c & 0x80)) {
            *v = r;
            return 1;
        }
    }
    return 0;
}

/* Walks the fields of message `m` in b[start, end); 0 and a message on the
 * first broken one. */
static int walk(const uint8_t *b, size_t start, size_t end, msg_kind m, char *err, size_t cap)
{
    size_t pos = start;
    while (pos < end) {
        size_t at = pos;
        uint64_t tag = 0, len = 0, v = 0;
        if (!read_varint(b, &pos, end, &tag))
            return fail(err, cap, 0, "byte %zu: a field tag of %s is cut off", at, msg_names[m]),
                   0;
        uint32_t number = (uint32_t)(tag >> 3), wt = (uint32_t)(tag & 7);
        if (number == 0 || tag >> 3 > 0x1fffffff)
            return fail(err, cap, 0, "byte %zu: invalid field number in %s", at, msg_names[m]), 0;
        const field_rule *r = find_rule(m, number);
        const char *fname = r ? r->name : "(unknown)";
        size_t payload = pos;
        switch (wt) {
        case 0:
            if (!read_varint(b, &pos, end, &v))
                return fail(err, cap, 0, "byte %zu: varint field %u %s of %s is cut off", at,
                            number, fname, msg_names[m]),
                       0;
            break;
        case 1:
        case 5:
            if (end - pos < (wt == 1 ? 8u : 4u))
                return fail(err, cap, 0,
                            "byte %zu: fixed-size field %u %s of %s runs past the end of the "
                            "message (byte %zu)",
                            at, number, fname, msg_names[m], end),
                       0;
            pos += wt == 1 ? 8 : 4;
            break;
        case 2:
            if (!read_varint(b, &pos, end, &len))
                return fail(err, cap, 0, "byte %zu: the length of field %u %s of %s is cut off",
                            at, number, fname, msg_names[m]),
                       0;
            if (len > end - pos)
                return fail(err, cap, 0,
                            "byte %zu: field %u %s of %s declares %llu bytes but only %zu are "
                            "left (truncated file?)",
                            at, number, fname, msg_names[m], (unsigned long long)len, end - pos),
                       0;
            payload = pos;
            pos += (size_t)len;
            break;
        default:
            return fail(err, cap, 0,
                        "byte %zu: field %u of %s has wire type %u (groups and types 6-7 are not "
                        "valid here)",
                        at, number, msg_names[m], wt),
                   0;
        }
        if (!r)
            continue;
        int ok = 1;
        switch (r->kind) {
        case FK_VARINT:
            ok = wt == 0;
            break;
        case FK_FIXED32:
            ok = wt == 5;
            break;
        case FK_LEN:
            ok = wt == 2;
            break;
        case FK_MSG:
            if (wt != 2)
                ok = 0;
            else if (!walk(b, payload, pos, r->child, err, cap))
                return 0;
            break;
        case FK_REP_VARINT:
            ok = wt == 0 || wt == 2;
            for (size_t p = payload; ok && wt == 2 && p < pos;)
                ok = read_varint(b, &p, pos, &v);
            break;
        case FK_REP_FIXED32:
            ok = wt == 5 || (wt == 2 && (pos - payload) % 4 == 0);
            break;
        case FK_REP_FIXED64:
            ok = wt == 1 || (wt == 2 && (pos - payload) % 8 == 0);
            break;
        }
        if (!ok)
            return fail(err, cap, 0,
                        "byte %zu: field %u (%s) of %s has wire type %u, which does not fit its "
                        "declared type (or its packed values are cut)",
                        at, number, r->name, msg_names[m], wt),
                   0;
    }
    return 1;
}

clinfer_status onnx_unpack_model(const uint8_t *data, size_t size, Onnx__ModelProto **out,
                                 char *err, size_t errcap)
{
    *out = NULL;
    if (!data && size)
        return fail(err, errcap, CLINFER_ERR_INVALID_ARGUMENT, "no data");
    if (size == 0)
        return fail(err, errcap, CLINFER_ERR_INVALID_MODEL, "the model is empty (0 bytes)");
    *out = onnx__model_proto__unpack(NULL, size, data);
    if (*out)
        return CLINFER_OK;
    char where[512] = "";
    if (walk(data, 0, size, MK_MODEL, where, sizeof where))
        snprintf(where, sizeof where, "protobuf-c could not decode it (out of memory?)");
    return fail(err, errcap, CLINFER_ERR_INVALID_MODEL,
                "not a valid ONNX protobuf (ModelProto, %zu bytes): %s", size, where);
}

/* ------------------------------------------------------------ tensors */

const char *onnx_dtype_name(int32_t t)
{
    static const char *const names[] = {"undefined", "float",  "uint8",     "int8",
                                        "uint16",    "int16",  "int32",     "int64",
                                        "string",    "bool",   "float16",   "double",
                                        "uint32",    "uint64", "complex64", "complex128",
                                        "bfloat16",  "float8e4m3fn", "float8e4m3fnuz",
                                        "float8e5m2", "float8e5m2fnuz", "uint4", "int4",
                                        "float4e2m1"};
    return t >= 0 && t < (int32_t)(sizeof names / sizeof names[0]) ? names[t] : "unknown";
}

/* Bytes per element in raw_data, 0 for types clinfer cannot hold. */
static size_t raw_size(int32_t t)
{
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16:
        return 2;
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
        return 4;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
        return 8;
    default:
        return 0;
    }
}

int onnx_dtype_is_numeric(int32_t t) { return raw_size(t) != 0; }

static int is_float_type(int32_t t)
{
    return t == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
           t == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ||
           t == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ||
           t == ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16;
}

static float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Little-endian element k of raw bytes of type t, as double (floats) or
 * int64 (integers); 0 when a uint64 does not fit int64. */
static int raw_get(const uint8_t *p, int32_t t, int64_t k, double *fv, int64_t *iv)
{
    size_t n = raw_size(t);
    const uint8_t *e = p + (size_t)k * n;
    uint64_t u = 0;
    for (size_t b = 0; b < n; b++)
        u |= (uint64_t)e[b] << (8 * b);
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
        *fv = bits_to_float((uint32_t)u);
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: {
        double d;
        memcpy(&d, &u, sizeof d);
        *fv = d;
        return 1;
    }
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
        *fv = half_to_float((uint16_t)u);
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16:
        *fv = bits_to_float((uint32_t)u << 16);
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
        *iv = (int8_t)u;
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
        *iv = (int16_t)u;
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
        *iv = (int32_t)u;
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
        *iv = (int64_t)u;
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
        *iv = u != 0;
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
        *iv = (int64_t)u;
        return u <= (uint64_t)INT64_MAX;
    default: /* uint8, uint16, uint32 */
        *iv = (int64_t)u;
        return 1;
    }
}

/* The typed field that holds type t, its length, and its name. */
static size_t typed_count(const Onnx__TensorProto *tp, int32_t t, const char **field)
{
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
        *field = "float_data";
        return tp->n_float_data;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
        *field = "double_data";
        return tp->n_double_data;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
        *field = "int64_data";
        return tp->n_int64_data;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
        *field = "uint64_data";
        return tp->n_uint64_data;
    default:
        *field = "int32_data";
        return tp->n_int32_data;
    }
}

/* Other typed fields that must be empty. */
static size_t other_typed(const Onnx__TensorProto *tp, const char *field)
{
    size_t n = tp->n_string_data;
    n += strcmp(field, "float_data") ? tp->n_float_data : 0;
    n += strcmp(field, "double_data") ? tp->n_double_data : 0;
    n += strcmp(field, "int64_data") ? tp->n_int64_data : 0;
    n += strcmp(field, "uint64_data") ? tp->n_uint64_data : 0;
    n += strcmp(field, "int32_data") ? tp->n_int32_data : 0;
    return n;
}

/* float32 values whose stored bytes are the host's floats (raw_data on a
 * little-endian host, or float_data): one copy instead of the per-element
 * conversion below, which took most of a weight file's decoding (ResNet-18:
 * 11.7 M weights at every model load and every new input shape). */
static int copy_floats_as_stored(const Onnx__TensorProto *tp, int32_t t, int raw, int64_t numel,
                                 float *dst)
{
    if (t != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || numel == 0)
        return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (raw) {
        memcpy(dst, tp->raw_data.data, (size_t)numel * sizeof(float));
        return 1;
    }
#endif
    if (!raw) {
        memcpy(dst, tp->float_data, (size_t)numel * sizeof(float));
        return 1;
    }
    return 0;
}

clinfer_status onnx_tensor_decode(const Onnx__TensorProto *tp, const char *what, host_tensor *out,
                                  char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    int32_t t = tp->has_data_type ? tp->data_type : 0;
    if ((tp->has_data_location && tp->data_location != 0) || tp->n_external_data)
        return fail(err, errcap, CLINFER_ERR_UNSUPPORTED,
                    "tensor \"%s\": external data (a separate weights file) is not supported",
                    what);
    if (tp->n_dims > CLINFER_MAX_RANK)
        return fail(err, errcap, CLINFER_ERR_UNSUPPORTED,
                    "tensor \"%s\": rank %zu, clinfer supports up to %d", what, tp->n_dims,
                    CLINFER_MAX_RANK);
    clinfer_shape shape;
    memset(&shape, 0, sizeof shape);
    shape.rank = (int32_t)tp->n_dims;
    for (size_t d = 0; d < tp->n_dims; d++) {
        if (tp->dims[d] < 0)
            return fail(err, errcap, CLINFER_ERR_INVALID_MODEL,
                        "tensor \"%s\": dims[%zu] = %lld is negative", what, d,
                        (long long)tp->dims[d]);
        shape.dims[d] = tp->dims[d];
    }
    int64_t numel = onnx_numel(shape.dims, shape.rank);
    char buf[160];
    if (numel < 0)
        return fail(err, errcap, CLINFER_ERR_UNSUPPORTED,
                    "tensor \"%s\": shape %s has more than 2^31-1 elements", what,
                    shape_str(&shape, buf, sizeof buf));
    size_t esize = raw_size(t);
    if (esize == 0)
        return fail(err, errcap, CLINFER_ERR_UNSUPPORTED,
                    "tensor \"%s\": data type %d (%s) is not supported (float, double, "
                    "float16, bfloat16, integer and bool types are)",
                    what, (int)t, onnx_dtype_name(t));
    const char *field = "";
    size_t typed = typed_count(tp, t, &field);
    if (other_typed(tp, field))
        return fail(err, errcap, CLINFER_ERR_INVALID_MODEL,
                    "tensor \"%s\" of type %s has values in a field other than %s", what,
                    onnx_dtype_name(t), field);
    int raw = tp->has_raw_data;
    if (raw && typed)
        return fail(err, errcap, CLINFER_ERR_INVALID_MODEL,
                    "tensor \"%s\" has both raw_data and %s", what, field);
    if (raw && tp->raw_data.len != (size_t)numel * esize)
        return fail(err, errcap, CLINFER_ERR_INVALID_MODEL,
                    "tensor \"%s\": raw_data has %zu bytes, shape %s of %s needs %lld", what,
                    tp->raw_data.len, shape_str(&shape, buf, sizeof buf), onnx_dtype_name(t),
                    (long long)numel * (long long)esize);
    if (!raw && typed != (size_t)numel)
        return fail(err, errcap, CLINFER_ERR_INVALID_MODEL,
                    "tensor \"%s\": %s has %zu values, shape %s needs %lld", what, field, typed,
                    shape_str(&shape, buf, sizeof buf), (long long)numel);
    int fl = is_float_type(t);
    clinfer_status st = host_tensor_alloc(out, fl ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64,
                                          &shape, err, errcap);
    if (st != CLINFER_OK)
        return st;
    if (copy_floats_as_stored(tp, t, raw, numel, out->f))
        return CLINFER_OK;
    for (int64_t k = 0; k < numel; k++) {
        double fv = 0;
        int64_t iv = 0;
        int ok = 1;
        if (raw) {
            ok = raw_get(tp->raw_data.data, t, k, &fv, &iv);
        } else {
            switch (t) {
            case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
                fv = tp->float_data[k];
                break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
                fv = tp->double_data[k];
                break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
                fv = half_to_float((uint16_t)tp->int32_data[k]);
                break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16:
                fv = bits_to_float((uint32_t)(uint16_t)tp->int32_data[k] << 16);
                break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
                iv = tp->int64_data[k];
                break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
            case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
                ok = tp->uint64_data[k] <= (uint64_t)INT64_MAX;
                iv = (int64_t)tp->uint64_data[k];
                break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
                iv = tp->int32_data[k] != 0;
                break;
            default:
                iv = tp->int32_data[k];
                break;
            }
        }
        if (!ok) {
            host_tensor_free(out);
            return fail(err, errcap, CLINFER_ERR_UNSUPPORTED,
                        "tensor \"%s\": element %lld does not fit int64", what, (long long)k);
        }
        if (fl)
            out->f[k] = (float)fv;
        else
            out->i[k] = iv;
    }
    return CLINFER_OK;
}

clinfer_status onnx_tensor_from_public(const clinfer_tensor *t, host_tensor *out, char *err,
                                       size_t errcap)
{
    memset(out, 0, sizeof *out);
    const char *name = t->name ? t->name : "";
    if (t->dtype != CLINFER_DTYPE_FLOAT32 && t->dtype != CLINFER_DTYPE_INT64)
        return fail(err, errcap, CLINFER_ERR_INVALID_ARGUMENT, "value \"%s\": unknown dtype %d",
                    name, (int)t->dtype);
    if (t->shape.rank < 0 || t->shape.rank > CLINFER_MAX_RANK ||
        onnx_numel(t->shape.dims, t->shape.rank) < 0)
        return fail(err, errcap, CLINFER_ERR_INVALID_ARGUMENT,
                    "value \"%s\": bad shape (rank %d, dims >= 0, < 2^31 elements)", name,
                    (int)t->shape.rank);
    clinfer_status st = host_tensor_alloc(out, t->dtype, &t->shape, err, errcap);
    if (st != CLINFER_OK)
        return st;
    if (out->numel && !t->data) {
        host_tensor_free(out);
        return fail(err, errcap, CLINFER_ERR_INVALID_ARGUMENT, "value \"%s\": data is NULL", name);
    }
    if (out->f)
        memcpy(out->f, t->data, (size_t)out->numel * sizeof(float));
    if (out->i)
        memcpy(out->i, t->data, (size_t)out->numel * sizeof(int64_t));
    return CLINFER_OK;
}

/* ------------------------------------------------------------ public */

clinfer_status clinfer_tensor_decode_onnx(const void *data, size_t size, clinfer_tensor *out)
{
    char err[CLINFER_ERRMSG_MAX - 64];
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_tensor_decode_onnx: out is NULL");
    memset(out, 0, sizeof *out);
    if (!data && size)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_tensor_decode_onnx: no data");
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, size, data);
    if (!tp) {
        char where[512] = "";
        if (walk(data, 0, size, MK_TENSOR, where, sizeof where))
            snprintf(where, sizeof where, "protobuf-c could not decode it");
        return err_set(NULL, CLINFER_ERR_INVALID_MODEL,
                       "not a valid ONNX TensorProto (%zu bytes): %s", size, where);
    }
    host_tensor h;
    const char *name = tp->name ? tp->name : "";
    clinfer_status st = onnx_tensor_decode(tp, name, &h, err, sizeof err);
    if (st == CLINFER_OK && name[0]) {
        size_t n = strlen(name) + 1;
        out->name = malloc(n);
        if (out->name)
            memcpy(out->name, name, n);
        else
            st = CLINFER_ERR_OUT_OF_HOST_MEMORY, snprintf(err, sizeof err, "out of memory");
    }
    onnx__tensor_proto__free_unpacked(tp, NULL);
    if (st != CLINFER_OK) {
        host_tensor_free(&h);
        free(out->name);
        memset(out, 0, sizeof *out);
        return err_set(NULL, st, "%s", err);
    }
    out->dtype = h.dtype;
    out->shape = h.shape;
    out->data = h.dtype == CLINFER_DTYPE_FLOAT32 ? (void *)h.f : (void *)h.i;
    free(h.sym);
    return CLINFER_OK;
}

void clinfer_tensor_release(clinfer_tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->data);
    memset(t, 0, sizeof *t);
}
