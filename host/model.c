/*
 * model.c — clinfer_model_compile: copy the graph, run the passes, check
 * every shape once (batch 1 where the batch is open), and upload the
 * constants that the remaining nodes read.
 */
#include "model.h"

#include <stdlib.h>

#include "nodes/nodes.h"
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
        size_t bytes = (size_t)shape_numel(&g->values[v].shape) * sizeof(float);
        clinfer_status st = buffer_create(m->rt, bytes, g->values[v].data, &m->constants[v]);
        if (st != CLINFER_OK)
            return st;
        m->weight_bytes += bytes;
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
    int patterns = pass_fuse_hard_swish(g);
    patterns += pass_fuse_gelu(g);
    int folded = pass_fold_batchnorm(g);
    if (folded < 0)
        return (clinfer_status)folded; /* the pass recorded the message */
    int residuals = pass_fuse_residual_adds(g);
    if (residuals < 0)
        return (clinfer_status)residuals;
    int fused = pass_fuse_activations(g);
    int pools = pass_fuse_max_pools(g);
    rt_log(rt, CLINFER_LOG_DEBUG,
           "compile: %d HardSwish/GELU patterns made one node, %d BatchNormalization folded, %d "
           "residual Adds, %d activations and %d max pools fused",
           patterns, folded, residuals, fused, pools);
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
    clinfer_model *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    m->rt = rt;
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

void clinfer_model_free(clinfer_model *m)
{
    if (!m)
        return;
    for (int32_t v = 0; m->constants && v < m->g->value_count; v++)
        if (m->constants[v])
            clReleaseMemObject(m->constants[v]);
    free(m->constants);
    clinfer_graph_free(m->g);
    free(m);
}

size_t clinfer_model_input_count(const clinfer_model *m) { return m ? (size_t)m->g->input_count : 0; }
size_t clinfer_model_output_count(const clinfer_model *m)
{
    return m ? (size_t)m->g->output_count : 0;
}

const char *clinfer_model_input_name(const clinfer_model *m, size_t i)
{
    return m && i < (size_t)m->g->input_count ? m->g->values[m->g->inputs[i]].name : NULL;
}

const char *clinfer_model_output_name(const clinfer_model *m, size_t i)
{
    return m && i < (size_t)m->g->output_count ? m->g->outputs[i].name : NULL;
}

uint64_t clinfer_model_weight_bytes(const clinfer_model *m) { return m ? m->weight_bytes : 0; }
size_t clinfer_model_kernel_node_count(const clinfer_model *m) { return m ? m->kernel_nodes : 0; }
