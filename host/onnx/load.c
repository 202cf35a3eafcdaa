/*
 * load.c — the public entry points that load an ONNX model: from memory,
 * from a file, or straight into a compiled model (which keeps the file, so
 * that sessions may ask for other input sizes: model_variants.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model.h"
#include "onnx.h"

clinfer_onnx_options clinfer_onnx_options_default(void)
{
    clinfer_onnx_options o;
    memset(&o, 0, sizeof o);
    return o;
}

clinfer_status clinfer_graph_load_onnx_with(const void *data, size_t size,
                                            const clinfer_onnx_options *options,
                                            clinfer_graph **out)
{
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_graph_load_onnx: out is NULL");
    *out = NULL;
    char err[CLINFER_ERRMSG_MAX - 64];
    Onnx__ModelProto *m = NULL;
    clinfer_status st = onnx_unpack_model(data, size, &m, err, sizeof err);
    if (st == CLINFER_OK)
        st = onnx_import(m, options, NULL, out, err, sizeof err);
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
    if (st != CLINFER_OK)
        return err_set(NULL, st, "ONNX: %s", err);
    return CLINFER_OK;
}

clinfer_status clinfer_graph_load_onnx_memory(const void *data, size_t size, clinfer_graph **out)
{
    return clinfer_graph_load_onnx_with(data, size, NULL, out);
}

/* Re-records the thread's last message with a prefix (copied first: the
 * message buffer is also err_set's destination). */
static clinfer_status rethrow(clinfer_runtime *rt, clinfer_status st, const char *prefix)
{
    char msg[CLINFER_ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s", clinfer_last_errmsg());
    return err_set(rt, st, "%s%s", prefix, msg);
}

/* Reads a whole file (at most 2 GiB: protobuf's own limit). */
static clinfer_status read_file(const char *path, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (!path)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "the path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(NULL, CLINFER_ERR_IO, "cannot open \"%s\": %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    clinfer_status st = CLINFER_OK;
    while (buf) {
        if (n == cap) {
            if (cap >= ((size_t)1 << 31)) {
                st = err_set(NULL, CLINFER_ERR_UNSUPPORTED, "\"%s\" is larger than 2 GiB", path);
                break;
            }
            uint8_t *p = realloc(buf, cap * 2);
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        errno = 0;
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                st = err_set(NULL, CLINFER_ERR_IO, "cannot read \"%s\": %s", path,
                             strerror(errno ? errno : EIO));
            break;
        }
    }
    fclose(f);
    if (!buf)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot read \"%s\": out of memory",
                       path);
    if (st != CLINFER_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *size = n;
    return CLINFER_OK;
}

clinfer_status clinfer_graph_load_onnx(const char *path, clinfer_graph **out)
{
    if (out)
        *out = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    clinfer_status st = read_file(path, &data, &size);
    if (st != CLINFER_OK)
        return st;
    st = clinfer_graph_load_onnx_memory(data, size, out);
    free(data);
    if (st != CLINFER_OK) {
        char prefix[1024];
        snprintf(prefix, sizeof prefix, "%s: ", path);
        return rethrow(NULL, st, prefix);
    }
    return CLINFER_OK;
}

/* The element type a value declares (0 when it declares none). */
static clinfer_dtype declared_dtype(const Onnx__ValueInfoProto *vi)
{
    const Onnx__TypeProto *t = vi ? vi->type : NULL;
    if (!t || t->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !t->tensor_type ||
        !t->tensor_type->has_elem_type)
        return (clinfer_dtype)0;
    return (clinfer_dtype)t->tensor_type->elem_type;
}

/* A declared size past the first dimension is symbolic (dim_param, a
 * negative value, or missing). */
static int has_open_size(const Onnx__ValueInfoProto *vi)
{
    const Onnx__TypeProto *t = vi->type;
    const Onnx__TensorShapeProto *sp =
        t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && t->tensor_type
            ? t->tensor_type->shape
            : NULL;
    for (size_t d = 1; sp && d < sp->n_dim; d++)
        if (!(sp->dim[d]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
              sp->dim[d]->dim_value >= 0))
            return 1;
    return 0;
}

static int is_initializer(const Onnx__GraphProto *gp, const char *name)
{
    for (size_t k = 0; k < gp->n_initializer; k++)
        if (gp->initializer[k]->name && strcmp(gp->initializer[k]->name, name) == 0)
            return 1;
    return 0;
}

/* The graph inputs (not initializers) and outputs of a model, names
 * borrowed from gp; *open: an input has a symbolic size past its first
 * dimension. Free the arrays with io_free. */
static clinfer_status graph_io(clinfer_runtime *rt, const Onnx__GraphProto *gp, model_io *in,
                               model_io *out, int *open)
{
    in->names = calloc(gp->n_input + 1, sizeof *in->names);
    in->dtypes = calloc(gp->n_input + 1, sizeof *in->dtypes);
    out->names = calloc(gp->n_output + 1, sizeof *out->names);
    out->dtypes = calloc(gp->n_output + 1, sizeof *out->dtypes);
    if (!in->names || !in->dtypes || !out->names || !out->dtypes)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    *open = 0;
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        if (!vi || !vi->name || is_initializer(gp, vi->name))
            continue;
        in->dtypes[in->count] = declared_dtype(vi);
        in->names[in->count++] = vi->name;
        *open |= has_open_size(vi);
    }
    for (size_t i = 0; i < gp->n_output; i++)
        if (gp->output[i] && gp->output[i]->name) {
            out->dtypes[out->count] = declared_dtype(gp->output[i]);
            out->names[out->count++] = gp->output[i]->name;
        }
    return CLINFER_OK;
}

static void io_free(model_io *io)
{
    free(io->names);
    free(io->dtypes);
}

/* A model from ONNX bytes (taken): compiled now, or, when an input has
 * symbolic sizes past the batch, kept to be compiled per session shape. */
static clinfer_status model_from_onnx(clinfer_runtime *rt, uint8_t *data, size_t size,
                                      clinfer_model **out)
{
    char err[CLINFER_ERRMSG_MAX - 64];
    Onnx__ModelProto *mp = NULL;
    model_io inputs = {0}, outputs = {0};
    int open = 0;
    clinfer_status st = onnx_unpack_model(data, size, &mp, err, sizeof err);
    if (st != CLINFER_OK)
        st = err_set(rt, st, "ONNX: %s", err);
    else if (!mp->graph)
        st = err_set(rt, CLINFER_ERR_INVALID_MODEL, "ONNX: the model has no graph");
    else
        st = graph_io(rt, mp->graph, &inputs, &outputs, &open);
    clinfer_graph *g = NULL;
    if (st == CLINFER_OK && open) {
        st = model_create_deferred(rt, data, size, &inputs, &outputs, out);
        data = NULL; /* taken, also on failure */
    } else if (st == CLINFER_OK) {
        st = onnx_import(mp, NULL, NULL, &g, err, sizeof err);
        st = st == CLINFER_OK ? clinfer_model_compile(rt, g, out)
                              : err_set(rt, st, "ONNX: %s", err);
        if (st == CLINFER_OK) {
            model_keep_onnx(*out, data, size);
            data = NULL;
        }
    }
    clinfer_graph_free(g);
    io_free(&inputs);
    io_free(&outputs);
    if (mp)
        onnx__model_proto__free_unpacked(mp, NULL);
    free(data);
    return st;
}

clinfer_status clinfer_model_load(clinfer_runtime *runtime, const char *path, clinfer_model **out)
{
    if (out)
        *out = NULL;
    if (!runtime || !out)
        return err_set(runtime, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_model_load: NULL argument");
    uint8_t *data = NULL;
    size_t size = 0;
    clinfer_status st = read_file(path, &data, &size);
    if (st == CLINFER_OK)
        st = model_from_onnx(runtime, data, size, out);
    if (st != CLINFER_OK) {
        char prefix[1024];
        snprintf(prefix, sizeof prefix, "%s: ", path);
        return rethrow(runtime, st, prefix);
    }
    return CLINFER_OK;
}
