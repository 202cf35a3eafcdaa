/*
 * import_attrs.c — a node's attributes: the typed accessors of import.h and
 * the check that every attribute is one its operator understands.
 */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shape.h"
#include "import_internal.h"

/* ------------------------------------------------------------ attributes */

static const char *attr_type_name(int32_t t)
{
    switch (t) {
    case 1:
        return "FLOAT";
    case 2:
        return "INT";
    case 3:
        return "STRING";
    case 4:
        return "TENSOR";
    case 5:
        return "GRAPH";
    case 6:
        return "FLOATS";
    case 7:
        return "INTS";
    case 8:
        return "STRINGS";
    case 9:
        return "TENSORS";
    case 10:
        return "GRAPHS";
    case 11:
        return "SPARSE_TENSOR";
    case 12:
        return "SPARSE_TENSORS";
    case 13:
        return "TYPE_PROTO";
    case 14:
        return "TYPE_PROTOS";
    default:
        return "UNDEFINED";
    }
}

/* The attribute's type: its type field, or (old files) the field present. */
static int32_t attr_type(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != 0)
        return a->type;
    if (a->has_f)
        return 1;
    if (a->has_i)
        return 2;
    if (a->has_s)
        return 3;
    if (a->t)
        return 4;
    if (a->n_floats)
        return 6;
    if (a->n_ints)
        return 7;
    if (a->n_strings)
        return 8;
    return 0;
}

const Onnx__AttributeProto *onnx_node_attr(const onnx_node *c, const char *name)
{
    for (size_t k = 0; k < c->n->n_attribute; k++)
        if (c->n->attribute[k]->name && strcmp(c->n->attribute[k]->name, name) == 0)
            return c->n->attribute[k];
    return NULL;
}

static clinfer_status attr_typed(onnx_node *c, const char *name, int32_t want,
                                 const Onnx__AttributeProto **out)
{
    *out = onnx_node_attr(c, name);
    if (*out && attr_type(*out) != want) {
        int32_t t = attr_type(*out);
        *out = NULL;
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "attribute \"%s\" has type %s, expected %s", name, attr_type_name(t),
                               attr_type_name(want));
    }
    return CLINFER_OK;
}

clinfer_status onnx_node_attr_int(onnx_node *c, const char *name, int64_t def, int64_t *out)
{
    const Onnx__AttributeProto *a;
    clinfer_status st = attr_typed(c, name, 2, &a);
    *out = a ? a->i : def;
    return st;
}

clinfer_status onnx_node_attr_float(onnx_node *c, const char *name, float def, float *out)
{
    const Onnx__AttributeProto *a;
    clinfer_status st = attr_typed(c, name, 1, &a);
    *out = a ? a->f : def;
    return st;
}

clinfer_status onnx_node_attr_string(onnx_node *c, const char *name, const char *def,
                                     const char **out)
{
    const Onnx__AttributeProto *a;
    clinfer_status st = attr_typed(c, name, 3, &a);
    *out = def;
    if (a && a->has_s) {
        /* protobuf-c bytes are not NUL-terminated: only short, clean strings. */
        static _Thread_local char buf[64];
        if (a->s.len >= sizeof buf || memchr(a->s.data, 0, a->s.len))
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "attribute \"%s\": a string of %zu bytes is not a value clinfer "
                                   "knows",
                                   name, a->s.len);
        memcpy(buf, a->s.data, a->s.len);
        buf[a->s.len] = 0;
        *out = buf;
    } else if (a) {
        *out = "";
    }
    return st;
}

/* A list attribute of ints (into ints) or floats (into floats), refused
 * when it holds more than cap values; *count is their number, or -1 when
 * the attribute is absent. */
static clinfer_status attr_list(onnx_node *c, const char *name, int32_t cap, int64_t *ints,
                                float *floats, int32_t *count)
{
    const Onnx__AttributeProto *a;
    *count = -1;
    clinfer_status st = attr_typed(c, name, ints ? 7 : 6, &a);
    if (st != CLINFER_OK || !a)
        return st;
    size_t n = ints ? a->n_ints : a->n_floats;
    if (n > (size_t)cap)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"%s\" has %zu values, at most %d", name, n, (int)cap);
    for (size_t k = 0; k < n; k++)
        if (ints)
            ints[k] = a->ints[k];
        else
            floats[k] = a->floats[k];
    *count = (int32_t)n;
    return CLINFER_OK;
}

clinfer_status onnx_node_attr_ints(onnx_node *c, const char *name, int64_t *buf, int32_t cap,
                                   int32_t *count)
{
    return attr_list(c, name, cap, buf, NULL, count);
}

clinfer_status onnx_node_attr_floats(onnx_node *c, const char *name, float *buf, int32_t cap,
                                     int32_t *count)
{
    return attr_list(c, name, cap, NULL, buf, count);
}

clinfer_status onnx_node_attr_tensor(onnx_node *c, const char *name, host_tensor *out, int *present)
{
    const Onnx__AttributeProto *a;
    *present = 0;
    memset(out, 0, sizeof *out);
    clinfer_status st = attr_typed(c, name, 4, &a);
    if (st != CLINFER_OK || !a)
        return st;
    if (!a->t)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"%s\" holds no tensor",
                               name);
    char msg[CLINFER_ERRMSG_MAX - 256];
    st = onnx_tensor_decode(a->t, name, out, msg, sizeof msg);
    if (st != CLINFER_OK)
        return onnx_node_error(c, st, "attribute %s", msg);
    *present = 1;
    return CLINFER_OK;
}

/* Every attribute must be one the op understands, named once, not a
 * reference to a function attribute. */
clinfer_status onnx_node_check_attributes(onnx_node *c, const op_spec *spec)
{
    for (size_t k = 0; k < c->n->n_attribute; k++) {
        const Onnx__AttributeProto *a = c->n->attribute[k];
        const char *name = a->name ? a->name : "";
        if (!name[0])
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute %zu has no name", k);
        if (a->ref_attr_name && a->ref_attr_name[0])
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "attribute \"%s\" refers to a function attribute", name);
        for (size_t j = 0; j < k; j++)
            if (c->n->attribute[j]->name && strcmp(c->n->attribute[j]->name, name) == 0)
                return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"%s\" is repeated",
                                       name);
        size_t len = strlen(name);
        const char *p = spec->attrs;
        int known = 0;
        while (p && *p && !known) {
            const char *e = strchr(p, ' ');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            known = n == len && strncmp(p, name, n) == 0;
            p = e ? e + 1 : NULL;
        }
        if (!known)
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "attribute \"%s\" is not supported (clinfer knows: %s)", name,
                                   spec->attrs && spec->attrs[0] ? spec->attrs : "none");
    }
    return CLINFER_OK;
}
