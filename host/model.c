/*
 * model.c — clinfer_model_compile: copy the graph, run the passes, check
 * every shape once (batch 1 where the batch is open), and upload the
 * constants that the remaining nodes read.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "nodes/nodes.h"
#include "ops/conv2d.h"
#include "passes/passes.h"
#include "shape.h"
#include "tensor.h"

/* Infers every shape at batch 1, so a bad graph fails at compile time. */
static clinfer_status check_shapes(clinfer_runtime *rt, const clinfer_graph *g)
{
    clinfer_shape *shapes = calloc((size_t)g->value_count, sizeof *shapes);
    if (!shapes)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t v = 0; v < g->value_count; v++) {
        shapes[v] = g->values[v].shape;
        if (g->values[v].kind == VALUE_INPUT && shapes[v].rank > 0 &&
            shapes[v].dims[0] == CLINFER_BATCH_DIM)
            shapes[v].dims[0] = 1;
    }
    clinfer_status st = CLINFER_OK;
    for (int32_t i = 0; st == CLINFER_OK && i < g->node_count; i++)
        if (!g->nodes[i].removed)
            st = nodes_infer(rt, g, &g->nodes[i], shapes, NULL, &shapes[g->nodes[i].output]);
    free(shapes);
    return st;
}

static int constant_is_used(const clinfer_graph *g, int32_t v)
{
    return g->values[v].kind == VALUE_CONSTANT &&
           (graph_consumer_count(g, v) > 0 || graph_is_output(g, v));
}

static clinfer_status upload_constants(clinfer_model *m)
{
    const clinfer_graph *g = m->g;
    m->constants = calloc((size_t)g->value_count, sizeof *m->constants);
    if (!m->constants)
        return err_set(m->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t v = 0; v < g->value_count; v++) {
        if (!constant_is_used(g, v))
            continue;
        const size_t count = (size_t)shape_numel(&g->values[v].shape);
        clinfer_status st =
            tensor_create_floats(m->rt, count, g->values[v].data, &m->constants[v]);
        if (st != CLINFER_OK)
            return st;
        m->weight_bytes += count * rt_elem_bytes(m->rt);
    }
    return CLINFER_OK;
}

static clinfer_status check_graph(clinfer_runtime *rt, const clinfer_graph *g)
{
    if (g->output_count == 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "the graph has no outputs (mark them with clinfer_graph_output)");
    return CLINFER_OK;
}

static clinfer_status run_passes(clinfer_runtime *rt, clinfer_graph *g)
{
    int layernorms = pass_fuse_layernorm(g);
    if (layernorms < 0)
        return (clinfer_status)layernorms;
    int patterns = pass_fuse_swishes(g);
    patterns += pass_fuse_gelu(g);
    patterns += pass_fuse_qdq(g);
    int folded = pass_fold_batchnorm(g);
    if (folded < 0)
        return (clinfer_status)folded; /* the pass recorded the message */
    int residuals = pass_fuse_residual_adds(g);
    if (residuals < 0)
        return (clinfer_status)residuals;
    int scales = pass_fuse_input_scales(g);
    if (scales < 0)
        return (clinfer_status)scales;
    int fused = pass_fuse_activations(g);
    int gates = pass_fuse_squeeze_excite(g);
    if (gates < 0)
        return (clinfer_status)gates;
    int pools = pass_fuse_max_pools(g);
    pools += pass_fuse_window_pools(g);
    int expansions =
        pass_fuse_expand_depthwise(g, conv2d_blocked_layout_ok(rt), EXDW_SMALL_PIXELS, 1);
    if (expansions < 0)
        return (clinfer_status)expansions;
    int blocked = pass_block_channels(g, conv2d_blocked_layout_ok(rt));
    int pairs = pass_fuse_depthwise_pointwise(g, conv2d_blocked_layout_ok(rt),
                                              rt->info.local_mem_bytes);
    if (pairs < 0)
        return (clinfer_status)pairs;
    int wide = pass_fuse_expand_depthwise(g, conv2d_blocked_layout_ok(rt), INT64_MAX, 0);
    if (wide < 0)
        return (clinfer_status)wide;
    expansions += wide;
    rt_log(rt, CLINFER_LOG_DEBUG,
           "compile: %d LayerNormalization and %d HardSwish/Swish/GELU patterns made one node, %d "
           "BatchNormalization folded, %d residual Adds, %d channel scales, %d activations, %d "
           "squeeze-excitation gates, %d max pools, %d 1x1 + depthwise pairs and %d "
           "depthwise + 1x1 pairs fused; %d tensors in the channel-blocked layout",
           layernorms, patterns, folded, residuals, scales, fused, gates, pools, expansions, pairs,
           blocked);
    return CLINFER_OK;
}

static clinfer_status model_alloc(clinfer_runtime *rt, clinfer_model **out)
{
    clinfer_model *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    m->rt = rt;
    if (pthread_mutex_init(&m->variants_lock, NULL) != 0) {
        free(m);
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot create a mutex");
    }
    m->lock_ready = 1;
    *out = m;
    return CLINFER_OK;
}

static char **copy_names(char *const *names, int32_t n)
{
    char **c = calloc((size_t)n + 1, sizeof *c);
    for (int32_t i = 0; c && i < n; i++)
        if (!(c[i] = strdup(names[i] ? names[i] : ""))) {
            for (int32_t k = 0; k < i; k++)
                free(c[k]);
            free(c);
            return NULL;
        }
    return c;
}

static void free_names(char **names, int32_t n)
{
    for (int32_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static clinfer_dtype *copy_dtypes(const clinfer_dtype *d, int32_t n)
{
    clinfer_dtype *c = calloc((size_t)n + 1, sizeof *c);
    if (c && n > 0)
        memcpy(c, d, (size_t)n * sizeof *c);
    return c;
}

clinfer_status model_create_deferred(clinfer_runtime *rt, uint8_t *onnx, size_t size,
                                     const model_io *inputs, const model_io *outputs,
                                     clinfer_model **out)
{
    clinfer_model *m = NULL;
    clinfer_status st = model_alloc(rt, &m);
    if (st != CLINFER_OK) {
        free(onnx);
        return st;
    }
    m->onnx = onnx;
    m->onnx_size = size;
    m->input_names = copy_names(inputs->names, inputs->count);
    m->output_names = copy_names(outputs->names, outputs->count);
    m->input_dtypes = copy_dtypes(inputs->dtypes, inputs->count);
    m->output_dtypes = copy_dtypes(outputs->dtypes, outputs->count);
    m->input_count = inputs->count;
    m->output_count = outputs->count;
    if (!m->input_names || !m->output_names || !m->input_dtypes || !m->output_dtypes) {
        clinfer_model_free(m);
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    }
    *out = m;
    return CLINFER_OK;
}

clinfer_status model_keep_onnx(clinfer_model *m, uint8_t *onnx, size_t size)
{
    m->onnx = onnx;
    m->onnx_size = size;
    return CLINFER_OK;
}

clinfer_status clinfer_model_compile(clinfer_runtime *rt, const clinfer_graph *graph,
                                     clinfer_model **out)
{
    if (!out || !rt || !graph)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_model_compile: NULL argument");
    *out = NULL;
    clinfer_status st = check_graph(rt, graph);
    if (st != CLINFER_OK)
        return st;
    clinfer_model *m = NULL;
    st = model_alloc(rt, &m);
    if (st == CLINFER_OK)
        st = graph_clone(graph, &m->g);
    if (st == CLINFER_OK)
        st = run_passes(rt, m->g);
    if (st == CLINFER_OK)
        st = check_shapes(rt, m->g);
    if (st == CLINFER_OK)
        st = upload_constants(m);
    if (st != CLINFER_OK) {
        clinfer_model_free(m);
        return st;
    }
    for (int32_t i = 0; i < m->g->node_count; i++)
        m->kernel_nodes += !m->g->nodes[i].removed && !op_is_view(m->g->nodes[i].op);
    *out = m;
    return CLINFER_OK;
}

static shared_persist *find_persist(clinfer_model *m, int32_t node, uint64_t key, uint64_t bytes)
{
    for (int32_t k = 0; k < m->persist_count; k++)
        if (m->persist[k].node == node && m->persist[k].key == key && m->persist[k].bytes == bytes)
            return &m->persist[k];
    return NULL;
}

cl_mem model_shared_persist_find(clinfer_model *m, int32_t node, uint64_t key, uint64_t bytes)
{
    pthread_mutex_lock(&m->variants_lock);
    shared_persist *p = find_persist(m, node, key, bytes);
    cl_mem mem = p && clRetainMemObject(p->mem) == CL_SUCCESS ? p->mem : NULL;
    pthread_mutex_unlock(&m->variants_lock);
    return mem;
}

void model_shared_persist_add(clinfer_model *m, int32_t node, uint64_t key, uint64_t bytes,
                              cl_mem mem)
{
    pthread_mutex_lock(&m->variants_lock);
    shared_persist *grown =
        find_persist(m, node, key, bytes)
            ? NULL
            : realloc(m->persist, ((size_t)m->persist_count + 1) * sizeof *grown);
    if (grown && clRetainMemObject(mem) == CL_SUCCESS) {
        m->persist = grown;
        m->persist[m->persist_count++] = (shared_persist){node, key, bytes, mem};
    } else if (grown) {
        m->persist = grown;
    }
    pthread_mutex_unlock(&m->variants_lock);
}

void clinfer_model_free(clinfer_model *m)
{
    if (!m)
        return;
    model_variants_free(m);
    for (int32_t k = 0; k < m->persist_count; k++)
        clReleaseMemObject(m->persist[k].mem);
    free(m->persist);
    if (m->lock_ready)
        pthread_mutex_destroy(&m->variants_lock);
    free(m->onnx);
    free_names(m->input_names, m->input_count);
    free_names(m->output_names, m->output_count);
    free(m->input_dtypes);
    free(m->output_dtypes);
    for (int32_t v = 0; m->constants && v < m->g->value_count; v++)
        if (m->constants[v])
            clReleaseMemObject(m->constants[v]);
    free(m->constants);
    clinfer_graph_free(m->g);
    free(m);
}

/* A model without a graph answers from the names its ONNX file declares. */
size_t clinfer_model_input_count(const clinfer_model *m)
{
    return !m ? 0 : m->g ? (size_t)m->g->input_count : (size_t)m->input_count;
}

size_t clinfer_model_output_count(const clinfer_model *m)
{
    return !m ? 0 : m->g ? (size_t)m->g->output_count : (size_t)m->output_count;
}

const char *clinfer_model_input_name(const clinfer_model *m, size_t i)
{
    if (!m || i >= clinfer_model_input_count(m))
        return NULL;
    return m->g ? m->g->values[m->g->inputs[i]].name : m->input_names[i];
}

const char *clinfer_model_output_name(const clinfer_model *m, size_t i)
{
    if (!m || i >= clinfer_model_output_count(m))
        return NULL;
    return m->g ? m->g->outputs[i].name : m->output_names[i];
}

static clinfer_dtype or_float(clinfer_dtype d) { return d ? d : CLINFER_DTYPE_FLOAT32; }

clinfer_dtype clinfer_model_input_dtype(const clinfer_model *m, size_t i)
{
    if (!m || i >= clinfer_model_input_count(m))
        return CLINFER_DTYPE_FLOAT32;
    return or_float(m->g ? m->g->values[m->g->inputs[i]].io_dtype : m->input_dtypes[i]);
}

clinfer_dtype clinfer_model_output_dtype(const clinfer_model *m, size_t i)
{
    if (!m || i >= clinfer_model_output_count(m))
        return CLINFER_DTYPE_FLOAT32;
    return or_float(m->g ? m->g->outputs[i].dtype : m->output_dtypes[i]);
}

uint64_t clinfer_model_weight_bytes(const clinfer_model *m) { return m ? m->weight_bytes : 0; }
size_t clinfer_model_kernel_node_count(const clinfer_model *m) { return m ? m->kernel_nodes : 0; }
