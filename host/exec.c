/*
 * exec.c — sessions: shapes for one batch size, the planned activation
 * arena, prepared kernels, and runs.
 *
 * Every intermediate tensor is a sub-buffer of one arena placed by plan.c;
 * views share their input's sub-buffer; constants are the model's buffers.
 * Nodes may also ask (node_impl.memory) for scratch memory, one buffer
 * shared by the whole session and sized to the largest request, and for
 * memory of their own (e.g. packed weights, written once while preparing).
 * A run enqueues every node's launches on the runtime's in-order queue and
 * does not wait; reading an output waits (the queue is in order). Inputs
 * and outputs are the only host<->device copies, and they are counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "nodes/nodes.h"
#include "plan.h"
#include "shape.h"
#include "tensor.h"

typedef struct node_exec {
    int32_t node;            /* index in the model's graph */
    node_launches launches;
    double flops;
    cl_mem persist;          /* the node's own memory (node_impl.memory), or NULL */
} node_exec;

struct clinfer_session {
    clinfer_model *m;
    clinfer_runtime *rt;
    int64_t batch;
    int profile;
    clinfer_shape *shapes; /* per value, for this batch size */
    int32_t *root;         /* per value: the value whose memory it uses */
    cl_mem *mem;           /* per value (borrowed from the arena or the model) */
    cl_mem *owned;         /* sub-buffers this session created, per value */
    cl_mem arena;
    cl_mem scratch;        /* shared by the nodes that ask for scratch memory */
    node_exec *execs;
    int32_t exec_count;
    int32_t launch_count;
    cl_event *events;      /* profiling: one per launch */
    clinfer_node_profile *prof;
    char *inputs_set;      /* per graph input */
    clinfer_memory_stats memory;
    clinfer_transfer_stats transfers;
    char errmsg[CLINFER_ERRMSG_MAX];
};

static clinfer_status session_fail(clinfer_session *s, clinfer_status st)
{
    if (s)
        snprintf(s->errmsg, sizeof s->errmsg, "%s", clinfer_last_errmsg());
    return st;
}

clinfer_session_options clinfer_session_options_default(void)
{
    clinfer_session_options o = {1, 0};
    return o;
}

/* ------------------------------------------------------------ shapes */

static clinfer_status infer_shapes(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t v = 0; v < g->value_count; v++) {
        s->shapes[v] = g->values[v].shape;
        if (g->values[v].kind == VALUE_INPUT && s->shapes[v].rank > 0 &&
            s->shapes[v].dims[0] == CLINFER_BATCH_DIM)
            s->shapes[v].dims[0] = s->batch;
    }
    for (int32_t i = 0; i < g->node_count; i++) {
        const graph_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        clinfer_status st = nodes_infer(s->rt, g, n, s->shapes, &s->shapes[n->output]);
        if (st != CLINFER_OK)
            return st;
    }
    return CLINFER_OK;
}

/* ------------------------------------------------------------ memory */

static uint64_t value_bytes(const clinfer_session *s, int32_t v)
{
    return (uint64_t)shape_numel(&s->shapes[v]) * sizeof(float);
}

/* Views use their input's memory; every other value its own. */
static void resolve_roots(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t v = 0; v < g->value_count; v++)
        s->root[v] = v;
    for (int32_t i = 0; i < g->node_count; i++)
        if (!g->nodes[i].removed && op_is_view(g->nodes[i].op))
            s->root[g->nodes[i].output] = s->root[g->nodes[i].inputs[0]];
}

static int needs_arena(const clinfer_session *s, int32_t v)
{
    const graph_value *val = &s->m->g->values[v];
    if (s->root[v] != v)
        return 0;
    if (val->kind == VALUE_INPUT)
        return 1;
    return val->kind == VALUE_NODE && val->producer >= 0 &&
           !s->m->g->nodes[val->producer].removed;
}

/* Lifetimes in node steps: from the producing node (inputs: from the start)
 * to the last node reading the value or any view of it (outputs: the end). */
static void lifetimes(const clinfer_session *s, plan_tensor *t, const int32_t *slot)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t v = 0; v < g->value_count; v++) {
        if (slot[v] < 0)
            continue;
        const graph_value *val = &g->values[v];
        int32_t first = val->kind == VALUE_INPUT ? 0 : val->producer;
        t[slot[v]] = (plan_tensor){value_bytes(s, v), first, first, 0};
    }
    for (int32_t i = 0; i < g->node_count; i++) {
        const graph_node *n = &g->nodes[i];
        for (int32_t k = 0; !n->removed && k < n->input_count; k++) {
            int32_t r = n->inputs[k] < 0 ? -1 : slot[s->root[n->inputs[k]]];
            if (r >= 0 && t[r].last < i)
                t[r].last = i;
        }
    }
    for (int32_t o = 0; o < g->output_count; o++) {
        int32_t r = slot[s->root[g->outputs[o].value]];
        if (r >= 0)
            t[r].last = g->node_count;
    }
}

static clinfer_status create_sub_buffer(clinfer_session *s, int32_t v, const plan_tensor *t)
{
    cl_buffer_region region = {(size_t)t->offset, (size_t)t->bytes};
    cl_int err = CL_SUCCESS;
    s->owned[v] = clCreateSubBuffer(s->arena, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
                                    &region, &err);
    if (!s->owned[v])
        return err_cl(s->rt, err, "clCreateSubBuffer");
    return CLINFER_OK;
}

static uint64_t base_alignment(const clinfer_runtime *rt)
{
    cl_uint bits = 0;
    clGetDeviceInfo(rt->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL);
    return bits >= 8 ? bits / 8 : 128;
}

/* Plans the arena, allocates it, and gives every value its memory. */
static clinfer_status allocate_memory(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    size_t nv = g->value_count > 0 ? (size_t)g->value_count : 1;
    int32_t *slot = malloc(nv * sizeof *slot);
    plan_tensor *t = calloc(nv, sizeof *t);
    clinfer_status st = CLINFER_OK;
    if (!slot || !t)
        st = err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    int32_t count = 0;
    for (int32_t v = 0; st == CLINFER_OK && v < g->value_count; v++)
        slot[v] = needs_arena(s, v) ? count++ : -1;
    if (st == CLINFER_OK) {
        lifetimes(s, t, slot);
        uint64_t arena = plan_assign(t, count, base_alignment(s->rt));
        for (int32_t i = 0; i < count; i++)
            s->memory.activation_bytes_unshared += t[i].bytes;
        s->memory.activation_bytes = arena;
        if (arena == UINT64_MAX)
            st = err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        else if (arena > 0)
            st = buffer_create(s->rt, (size_t)arena, NULL, &s->arena);
    }
    for (int32_t v = 0; st == CLINFER_OK && v < g->value_count; v++)
        if (slot[v] >= 0)
            st = create_sub_buffer(s, v, &t[slot[v]]);
    for (int32_t v = 0; st == CLINFER_OK && v < g->value_count; v++) {
        int32_t r = s->root[v];
        s->mem[v] = s->owned[r] ? s->owned[r] : s->m->constants[r];
    }
    free(slot);
    free(t);
    return st;
}

/* ------------------------------------------------------------ kernels */

/* Sizing (prepare 0): asks the node for its memory, keeps the largest
 * scratch request in *scratch and creates its persistent buffer. Preparing
 * (prepare 1): creates and binds its launches. */
static clinfer_status prepare_node(clinfer_session *s, int32_t i, node_exec *e, int prepare,
                                   uint64_t *scratch)
{
    const clinfer_graph *g = s->m->g;
    const graph_node *n = &g->nodes[i];
    const node_impl *impl = node_impl_of(n->op);
    int32_t count = n->input_count > 0 ? n->input_count : 1;
    const clinfer_shape **in = calloc((size_t)count, sizeof *in);
    cl_mem *in_mem = calloc((size_t)count, sizeof *in_mem);
    clinfer_status st = CLINFER_OK;
    if (!in || !in_mem)
        st = err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t k = 0; st == CLINFER_OK && k < n->input_count; k++) {
        in[k] = n->inputs[k] < 0 ? NULL : &s->shapes[n->inputs[k]];
        in_mem[k] = n->inputs[k] < 0 ? NULL : s->mem[n->inputs[k]];
    }
    node_ctx c = {s->rt, g, n, in, s->scratch, e->persist};
    e->node = i;
    if (st == CLINFER_OK && !prepare && impl->memory) {
        node_memory m = {0, 0};
        st = impl->memory(&c, &m);
        if (m.scratch_bytes > *scratch)
            *scratch = m.scratch_bytes;
        if (st == CLINFER_OK && m.persist_bytes > 0)
            st = buffer_create(s->rt, (size_t)m.persist_bytes, NULL, &e->persist);
    }
    if (st == CLINFER_OK && prepare)
        st = impl->prepare(&c, in_mem, s->mem[n->output], &e->launches);
    if (st == CLINFER_OK && prepare && impl->flops)
        e->flops = impl->flops(&c, &s->shapes[n->output]);
    free(in);
    free(in_mem);
    return st;
}

/* Two passes over the kernel nodes: memory (one scratch buffer sized to
 * the largest request), then launches. */
static clinfer_status prepare_nodes(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    s->execs = calloc((size_t)(g->node_count > 0 ? g->node_count : 1), sizeof *s->execs);
    if (!s->execs)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    uint64_t scratch = 0;
    for (int pass = 0; pass < 2; pass++) {
        int32_t e = 0;
        for (int32_t i = 0; i < g->node_count; i++) {
            if (g->nodes[i].removed || op_is_view(g->nodes[i].op))
                continue;
            if (pass == 0)
                s->exec_count++; /* counted even on failure, so that free releases it */
            clinfer_status st = prepare_node(s, i, &s->execs[e], pass, &scratch);
            if (st != CLINFER_OK)
                return st;
            if (pass == 1)
                s->launch_count += s->execs[e].launches.count;
            e++;
        }
        if (pass == 0 && scratch > 0) {
            clinfer_status st = buffer_create(s->rt, (size_t)scratch, NULL, &s->scratch);
            if (st != CLINFER_OK)
                return st;
        }
    }
    return CLINFER_OK;
}

static clinfer_status prepare_profile(clinfer_session *s)
{
    if (!s->profile)
        return CLINFER_OK;
    s->events = calloc((size_t)(s->launch_count > 0 ? s->launch_count : 1), sizeof *s->events);
    s->prof = calloc((size_t)(s->exec_count > 0 ? s->exec_count : 1), sizeof *s->prof);
    if (!s->events || !s->prof)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t i = 0; i < s->exec_count; i++) {
        const graph_node *n = &s->m->g->nodes[s->execs[i].node];
        s->prof[i].node = n->name;
        s->prof[i].op = op_kind_name(n->op);
        const node_launches *l = &s->execs[i].launches; /* the last launch computes */
        s->prof[i].kernel = l->count ? l->items[l->count - 1].name : "none";
        s->prof[i].output_shape = s->shapes[n->output];
        s->prof[i].flops = s->execs[i].flops;
    }
    return CLINFER_OK;
}

/* ------------------------------------------------------------ lifecycle */

static clinfer_status allocate_tables(clinfer_session *s)
{
    size_t nv = (size_t)(s->m->g->value_count > 0 ? s->m->g->value_count : 1);
    s->shapes = calloc(nv, sizeof *s->shapes);
    s->root = calloc(nv, sizeof *s->root);
    s->mem = calloc(nv, sizeof *s->mem);
    s->owned = calloc(nv, sizeof *s->owned);
    s->inputs_set = calloc((size_t)s->m->g->input_count + 1, 1);
    if (!s->shapes || !s->root || !s->mem || !s->owned || !s->inputs_set)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    return CLINFER_OK;
}

clinfer_status clinfer_session_create(clinfer_model *m, const clinfer_session_options *options,
                                      clinfer_session **out)
{
    if (!m || !out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_session_create: NULL argument");
    *out = NULL;
    clinfer_session_options o = options ? *options : clinfer_session_options_default();
    if (o.batch < 1)
        return err_set(m->rt, CLINFER_ERR_INVALID_ARGUMENT, "batch size must be >= 1, got %lld",
                       (long long)o.batch);
    clinfer_session *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(m->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    s->m = m;
    s->rt = m->rt;
    s->batch = o.batch;
    s->profile = o.profile != 0;
    s->memory.weight_bytes = m->weight_bytes;
    clinfer_status st = allocate_tables(s);
    if (st == CLINFER_OK)
        st = infer_shapes(s);
    if (st == CLINFER_OK) {
        resolve_roots(s);
        st = allocate_memory(s);
    }
    if (st == CLINFER_OK)
        st = prepare_nodes(s);
    if (st == CLINFER_OK)
        st = prepare_profile(s);
    if (st != CLINFER_OK) {
        clinfer_session_free(s);
        return st;
    }
    *out = s;
    return CLINFER_OK;
}

static void release_events(clinfer_session *s)
{
    for (int32_t i = 0; s->events && i < s->launch_count; i++)
        if (s->events[i]) {
            clReleaseEvent(s->events[i]);
            s->events[i] = NULL;
        }
}

void clinfer_session_free(clinfer_session *s)
{
    if (!s)
        return;
    clFinish(s->rt->queue);
    release_events(s);
    for (int32_t i = 0; s->execs && i < s->exec_count; i++) {
        node_launches_release(&s->execs[i].launches);
        if (s->execs[i].persist)
            clReleaseMemObject(s->execs[i].persist);
    }
    if (s->scratch)
        clReleaseMemObject(s->scratch);
    for (int32_t v = 0; s->owned && v < s->m->g->value_count; v++)
        if (s->owned[v])
            clReleaseMemObject(s->owned[v]);
    if (s->arena)
        clReleaseMemObject(s->arena);
    free(s->execs);
    free(s->events);
    free(s->prof);
    free(s->shapes);
    free(s->root);
    free(s->mem);
    free(s->owned);
    free(s->inputs_set);
    free(s);
}

const char *clinfer_session_errmsg(const clinfer_session *s) { return s ? s->errmsg : ""; }

/* ------------------------------------------------------------ I/O */

static clinfer_status io_value(clinfer_session *s, size_t index, int output, int32_t *v)
{
    const clinfer_graph *g = s->m->g;
    size_t count = output ? (size_t)g->output_count : (size_t)g->input_count;
    if (index >= count)
        return session_fail(s, err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                                       "%s index %zu out of range (the model has %zu)",
                                       output ? "output" : "input", index, count));
    *v = output ? g->outputs[index].value : g->inputs[index];
    return CLINFER_OK;
}

clinfer_status clinfer_session_input_shape(const clinfer_session *s, size_t index,
                                           clinfer_shape *out)
{
    int32_t v = -1;
    if (!s || !out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "NULL argument");
    clinfer_status st = io_value((clinfer_session *)s, index, 0, &v);
    if (st == CLINFER_OK)
        *out = s->shapes[v];
    return st;
}

clinfer_status clinfer_session_output_shape(const clinfer_session *s, size_t index,
                                            clinfer_shape *out)
{
    int32_t v = -1;
    if (!s || !out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "NULL argument");
    clinfer_status st = io_value((clinfer_session *)s, index, 1, &v);
    if (st == CLINFER_OK)
        *out = s->shapes[v];
    return st;
}

/* Checks a host array against value v's element count. */
static clinfer_status check_count(clinfer_session *s, int32_t v, const void *data, size_t count)
{
    char buf[128];
    size_t want = (size_t)shape_numel(&s->shapes[v]);
    if (!data || count != want)
        return session_fail(s, err_set(s->rt, CLINFER_ERR_SHAPE,
                                       "\"%s\" has shape %s (%zu elements); got %zu%s",
                                       s->m->g->values[v].name,
                                       shape_str(&s->shapes[v], buf, sizeof buf), want, count,
                                       data ? "" : " and a NULL pointer"));
    return CLINFER_OK;
}

clinfer_status clinfer_session_set_input(clinfer_session *s, size_t index, const float *data,
                                         size_t count)
{
    int32_t v = -1;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = io_value(s, index, 0, &v);
    if (st == CLINFER_OK)
        st = check_count(s, v, data, count);
    if (st == CLINFER_OK)
        st = buffer_write(s->rt, s->mem[v], count * sizeof(float), data);
    if (st != CLINFER_OK)
        return session_fail(s, st);
    s->inputs_set[index] = 1;
    s->transfers.uploads++;
    s->transfers.upload_bytes += count * sizeof(float);
    return CLINFER_OK;
}

/* Sums each node's kernel times from the events of the last run. */
static clinfer_status collect_profile(clinfer_session *s)
{
    cl_int err = clFinish(s->rt->queue);
    if (err != CL_SUCCESS)
        return err_cl(s->rt, err, "clFinish");
    int32_t e = 0;
    for (int32_t i = 0; i < s->exec_count; i++) {
        double ms = 0;
        for (int32_t k = 0; k < s->execs[i].launches.count; k++, e++) {
            cl_ulong t0 = 0, t1 = 0;
            if (!s->events[e])
                continue; /* an empty launch enqueued nothing */
            clGetEventProfilingInfo(s->events[e], CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
            clGetEventProfilingInfo(s->events[e], CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
            ms += t1 > t0 ? (double)(t1 - t0) / 1e6 : 0.0;
        }
        s->prof[i].ms = ms;
    }
    return CLINFER_OK;
}

clinfer_status clinfer_session_run(clinfer_session *s)
{
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    for (int32_t i = 0; i < s->m->g->input_count; i++)
        if (!s->inputs_set[i])
            return session_fail(s, err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                                           "input %d (\"%s\") was never set", (int)i,
                                           s->m->g->values[s->m->g->inputs[i]].name));
    release_events(s);
    int32_t e = 0;
    for (int32_t i = 0; i < s->exec_count; i++)
        for (int32_t k = 0; k < s->execs[i].launches.count; k++, e++) {
            clinfer_status st = launch_enqueue(s->rt, &s->execs[i].launches.items[k],
                                               s->profile ? &s->events[e] : NULL);
            if (st != CLINFER_OK)
                return session_fail(s, st);
        }
    if (s->profile) {
        clinfer_status st = collect_profile(s);
        if (st != CLINFER_OK)
            return session_fail(s, st);
    }
    return CLINFER_OK;
}

clinfer_status clinfer_session_get_output(clinfer_session *s, size_t index, float *data,
                                          size_t count)
{
    int32_t v = -1;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = io_value(s, index, 1, &v);
    if (st == CLINFER_OK)
        st = check_count(s, v, data, count);
    if (st == CLINFER_OK)
        st = buffer_read(s->rt, s->mem[v], count * sizeof(float), data);
    if (st != CLINFER_OK)
        return session_fail(s, st);
    s->transfers.downloads++;
    s->transfers.download_bytes += count * sizeof(float);
    return CLINFER_OK;
}

clinfer_memory_stats clinfer_session_memory(const clinfer_session *s)
{
    clinfer_memory_stats z = {0, 0, 0};
    return s ? s->memory : z;
}

clinfer_transfer_stats clinfer_session_transfers(const clinfer_session *s)
{
    clinfer_transfer_stats z = {0, 0, 0, 0};
    return s ? s->transfers : z;
}

const clinfer_node_profile *clinfer_session_profile(const clinfer_session *s, size_t *count)
{
    if (count)
        *count = s && s->prof ? (size_t)s->exec_count : 0;
    return s ? s->prof : NULL;
}
