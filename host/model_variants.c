/*
 * model_variants.c — sessions of other input sizes than the model's own.
 *
 * A session that names its input shapes runs the model itself when only
 * the batch differs (the batch is always a session's choice). Otherwise,
 * for a model loaded from ONNX, the graph is built again from the file for
 * those sizes — so shape arithmetic (Shape -> Gather -> Concat -> Reshape,
 * Resize sizes, ...) is folded for them, exactly as for a model exported
 * with those sizes fixed — compiled once, and kept as a variant of the
 * model that every later session of the same sizes shares. Variants live
 * as long as the model. Programs are cached by the runtime, so a variant
 * compiles no kernel that an earlier size already built with the same
 * options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "shape.h"

static int32_t input_index(const clinfer_model *m, const char *name)
{
    for (size_t i = 0; name && i < clinfer_model_input_count(m); i++)
        if (strcmp(clinfer_model_input_name(m, i), name) == 0)
            return (int32_t)i;
    return -1;
}

/* The shape of every input of m: the given ones by name, the others as
 * the model's graph has them (a model without a graph needs them all). */
static clinfer_status all_shapes(clinfer_model *m, const clinfer_input_shape *given, size_t count,
                                 clinfer_shape *all)
{
    int32_t n = (int32_t)clinfer_model_input_count(m);
    int seen[CLINFER_MAX_INPUTS] = {0};
    for (size_t k = 0; k < count; k++) {
        int32_t i = input_index(m, given[k].name);
        if (i < 0)
            return err_set(m->rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "input shapes: the model has no input named \"%s\"",
                           given[k].name ? given[k].name : "(NULL)");
        if (seen[i]++)
            return err_set(m->rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "input shapes: input \"%s\" is given twice", given[k].name);
        all[i] = given[k].shape;
    }
    for (int32_t i = 0; i < n; i++) {
        if (seen[i])
            continue;
        if (!m->g)
            return err_set(m->rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "input \"%s\" has symbolic sizes: give its shape "
                           "(clinfer_session_options.input_shapes)",
                           clinfer_model_input_name(m, (size_t)i));
        all[i] = m->g->values[m->g->inputs[i]].shape;
    }
    return CLINFER_OK;
}

/* Shapes a and b agree past the first dimension. */
static int same_sizes(const clinfer_shape *a, const clinfer_shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int32_t d = 1; d < a->rank; d++)
        if (a->dims[d] != b->dims[d])
            return 0;
    return 1;
}

/* The batch of a session of shapes `all` on model u (m or a variant):
 * the first dimension of the inputs whose first dimension u leaves open;
 * a fixed first dimension must be given as it is. */
static clinfer_status batch_of(const clinfer_model *u, const clinfer_shape *all,
                               int64_t default_batch, int64_t *batch)
{
    char b1[160], b2[160];
    int64_t found = 0;
    for (int32_t i = 0; i < u->g->input_count; i++) {
        const graph_value *v = &u->g->values[u->g->inputs[i]];
        if (v->shape.rank == 0)
            continue;
        if (v->shape.dims[0] != CLINFER_BATCH_DIM) {
            if (all[i].dims[0] != v->shape.dims[0])
                return err_set(u->rt, CLINFER_ERR_SHAPE,
                               "input \"%s\": the shape given, %s, does not fit the model's %s",
                               v->name, shape_str(&all[i], b1, sizeof b1),
                               shape_str(&v->shape, b2, sizeof b2));
            continue;
        }
        if (all[i].dims[0] < 1 || (found && all[i].dims[0] != found))
            return err_set(u->rt, CLINFER_ERR_SHAPE,
                           "input \"%s\": batch %lld, where %s", v->name,
                           (long long)all[i].dims[0],
                           found ? "another input has a different one" : "it must be >= 1");
        found = all[i].dims[0];
    }
    *batch = found ? found : default_batch;
    return CLINFER_OK;
}

/* The root model runs these shapes when every input agrees with its graph
 * past the batch. */
static int root_fits(const clinfer_model *m, const clinfer_shape *all)
{
    if (!m->g)
        return 0;
    for (int32_t i = 0; i < m->g->input_count; i++)
        if (!same_sizes(&m->g->values[m->g->inputs[i]].shape, &all[i]))
            return 0;
    return 1;
}

static clinfer_model *find_variant(const clinfer_model *m, const clinfer_shape *all)
{
    int32_t n = (int32_t)clinfer_model_input_count(m);
    for (int32_t k = 0; k < m->variant_count; k++) {
        int32_t i = 0;
        while (i < n && same_sizes(&m->variants[k].shapes[i], &all[i]))
            i++;
        if (i == n)
            return m->variants[k].model;
    }
    return NULL;
}

/* Builds the graph for `all` from the model's file and compiles it. */
static clinfer_status compile_variant(clinfer_model *m, const clinfer_shape *all,
                                      clinfer_model **out)
{
    int32_t n = (int32_t)clinfer_model_input_count(m);
    clinfer_input_shape named[CLINFER_MAX_INPUTS];
    for (int32_t i = 0; i < n; i++)
        named[i] = (clinfer_input_shape){clinfer_model_input_name(m, (size_t)i), all[i]};
    clinfer_onnx_options o = clinfer_onnx_options_default();
    o.input_shapes = named;
    o.input_shape_count = (size_t)n;
    clinfer_graph *g = NULL;
    clinfer_status st = clinfer_graph_load_onnx_with(m->onnx, m->onnx_size, &o, &g);
    if (st != CLINFER_OK) {
        char msg[CLINFER_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", clinfer_last_errmsg());
        return err_set(m->rt, st, "for these input shapes: %s", msg);
    }
    st = clinfer_model_compile(m->rt, g, out);
    clinfer_graph_free(g);
    return st;
}

static clinfer_status add_variant(clinfer_model *m, const clinfer_shape *all, clinfer_model *v)
{
    size_t n = clinfer_model_input_count(m);
    model_variant *grown = realloc(m->variants, ((size_t)m->variant_count + 1) * sizeof *grown);
    clinfer_shape *shapes = malloc((n ? n : 1) * sizeof *shapes);
    if (grown)
        m->variants = grown;
    if (!grown || !shapes) {
        free(shapes);
        return err_set(m->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
    memcpy(shapes, all, n * sizeof *shapes);
    m->variants[m->variant_count++] = (model_variant){shapes, v};
    return CLINFER_OK;
}

/* The variant for `all`, found or compiled (under the model's lock: two
 * threads asking for new sizes compile one after the other). */
static clinfer_status variant_for(clinfer_model *m, const clinfer_shape *all, clinfer_model **use)
{
    if (!m->onnx)
        return err_set(m->rt, CLINFER_ERR_SHAPE,
                       "the model was compiled from a graph for fixed sizes; a session can only "
                       "change its batch (load the model from ONNX to vary other sizes)");
    pthread_mutex_lock(&m->variants_lock);
    clinfer_status st = CLINFER_OK;
    clinfer_model *v = find_variant(m, all);
    if (!v) {
        st = compile_variant(m, all, &v);
        if (st == CLINFER_OK && (st = add_variant(m, all, v)) != CLINFER_OK)
            clinfer_model_free(v);
    }
    pthread_mutex_unlock(&m->variants_lock);
    if (st == CLINFER_OK)
        *use = v;
    return st;
}

clinfer_status model_for_shapes(clinfer_model *m, const clinfer_input_shape *shapes, size_t count,
                                int64_t default_batch, clinfer_model **use, int64_t *batch)
{
    size_t n = clinfer_model_input_count(m);
    if (n > CLINFER_MAX_INPUTS)
        return err_set(m->rt, CLINFER_ERR_UNSUPPORTED, "the model has %zu inputs, at most %d", n,
                       CLINFER_MAX_INPUTS);
    if (count > 0 && !shapes)
        return err_set(m->rt, CLINFER_ERR_INVALID_ARGUMENT, "input shapes: NULL with a count");
    if (count == 0 && m->g) {
        *use = m;
        *batch = default_batch;
        return CLINFER_OK;
    }
    clinfer_shape all[CLINFER_MAX_INPUTS];
    clinfer_status st = all_shapes(m, shapes, count, all);
    if (st != CLINFER_OK)
        return st;
    *use = m;
    if (!root_fits(m, all))
        st = variant_for(m, all, use);
    return st == CLINFER_OK ? batch_of(*use, all, default_batch, batch) : st;
}

void model_variants_free(clinfer_model *m)
{
    for (int32_t k = 0; k < m->variant_count; k++) {
        clinfer_model_free(m->variants[k].model);
        free(m->variants[k].shapes);
    }
    free(m->variants);
    m->variants = NULL;
    m->variant_count = 0;
}
