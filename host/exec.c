/*
 * exec.c — sessions: shapes for one batch size, the planned activation
 * arena, prepared kernels, and runs.
 *
 * Every intermediate tensor is a place (buffer, offset: dev_tensor) in one
 * arena planned by plan.c, so tensors never alive at once share bytes and a
 * Concat's inputs can live in its output (inplace.c); kernels take the
 * arena and the offset, no sub-buffers. Views share their input's place;
 * constants are the model's buffers.
 * Nodes may also ask (node_impl.memory) for scratch memory, one buffer
 * shared by the whole session and sized to the largest request, and for
 * memory of their own (e.g. packed weights, written once while preparing).
 * A run enqueues every node's launches on the session's in-order queue (its
 * own, or the runtime's: clinfer_queue_mode), or, for a small network, the
 * one launch of its chain (chain.h), or its kernels' recorded command
 * buffer (replay.h), and does not wait; reading an output
 * waits (the queue is in order). Inputs and outputs are the only
 * host<->device copies, and they are counted.
 *
 * Inputs, outputs and caller buffers are in session_io.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include "chain.h"
#include "clinfer_cl.h"
#include "model.h"
#include "nodes/nodes.h"
#include "plan.h"
#include "program_cache.h"
#include "replay.h"
#include "shape.h"
#include "tensor.h"

#include "session.h"

clinfer_status session_fail(clinfer_session *s, clinfer_status st)
{
    if (s)
        snprintf(s->errmsg, sizeof s->errmsg, "%s", clinfer_last_errmsg());
    return st;
}

clinfer_session_options clinfer_session_options_default(void)
{
    clinfer_session_options o = {.batch = 1, .queue = CLINFER_QUEUE_AUTO};
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
        clinfer_status st = node_plan_alloc(s->rt, n, &s->plans[i]);
        if (st == CLINFER_OK)
            st = nodes_infer(s->rt, g, n, s->shapes, s->plans[i], &s->shapes[n->output]);
        if (st != CLINFER_OK)
            return st;
    }
    return CLINFER_OK;
}

/* ------------------------------------------------------------ memory */

static uint64_t value_bytes(const clinfer_session *s, int32_t v)
{
    return (uint64_t)shape_numel(&s->shapes[v]) * rt_elem_bytes(s->rt);
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
    if (s->root[v] != v || s->host_of[v] >= 0)
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
    /* A Concat's output holds its in-place inputs from their producers on. */
    for (int32_t v = 0; v < g->value_count; v++) {
        int32_t h = s->host_of[v] >= 0 ? slot[s->host_of[v]] : -1;
        if (h >= 0 && g->values[v].producer < t[h].first)
            t[h].first = g->values[v].producer;
    }
}

/* Marks the inputs whose arena bytes the plan gives to later tensors: a
 * run overwrites them, so they must be set again before the next run. */
static void note_reused_inputs(clinfer_session *s, const plan_tensor *t, const int32_t *slot,
                               int32_t count)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t i = 0; i < g->input_count; i++) {
        int32_t a = slot[s->root[g->inputs[i]]];
        for (int32_t k = 0; a >= 0 && k < count; k++)
            if (k != a && t[k].offset < t[a].offset + t[a].bytes &&
                t[a].offset < t[k].offset + t[k].bytes)
                s->input_reused[i] = 1;
    }
}

/* Where the planner starts each tensor: kernels need only float alignment
 * (their vector accesses are vloadN/vstoreN), but a cache line keeps a
 * tensor's 16-float vectors from straddling two lines. */
#define ARENA_ALIGN 64

/* The place `byte_offset` bytes into the arena. */
static dev_tensor arena_at(const clinfer_session *s, uint64_t byte_offset)
{
    dev_tensor t = {s->arena, byte_offset / rt_elem_bytes(s->rt)};
    return t;
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
    if (st == CLINFER_OK)
        st = session_place_in_place(s);
    int32_t count = 0;
    for (int32_t v = 0; st == CLINFER_OK && v < g->value_count; v++)
        slot[v] = needs_arena(s, v) ? count++ : -1;
    if (st == CLINFER_OK) {
        lifetimes(s, t, slot);
        uint64_t arena = plan_assign(t, count, ARENA_ALIGN);
        for (int32_t i = 0; i < count; i++)
            s->memory.activation_bytes_unshared += t[i].bytes;
        for (int32_t v = 0; v < g->value_count; v++)
            if (s->host_of[v] >= 0)
                s->memory.activation_bytes_unshared += value_bytes(s, v);
        s->memory.activation_bytes = arena;
        if (arena == UINT64_MAX)
            st = err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        else if (arena > 0)
            st = buffer_create(s->rt, (size_t)arena, NULL, &s->arena);
        if (st == CLINFER_OK)
            note_reused_inputs(s, t, slot, count);
    }
    for (int32_t v = 0; st == CLINFER_OK && v < g->value_count; v++)
        if (slot[v] >= 0)
            s->home[v] = arena_at(s, t[slot[v]].offset);
        else if (s->host_of[v] >= 0)
            s->home[v] = arena_at(s, t[slot[s->host_of[v]]].offset + s->host_offset[v]);
    for (int32_t v = 0; st == CLINFER_OK && v < g->value_count; v++) {
        int32_t r = s->root[v];
        s->mem[v] = s->home[r].mem ? s->home[r] : dev_whole(s->m->constants[r]);
    }
    free(slot);
    free(t);
    return st;
}

/* ------------------------------------------------------------ kernels */

/* The context the node functions see for node i: input shapes (and, with
 * in_mem, input buffers) gathered from the session's per-value tables. */
typedef struct node_inputs {
    const clinfer_shape **shapes;
    dev_tensor *mem;
    unsigned char *in_place;
} node_inputs;

static void node_inputs_free(node_inputs *in)
{
    free(in->shapes);
    free(in->mem);
    free(in->in_place);
}

static clinfer_status node_context(clinfer_session *s, int32_t i, const node_exec *e,
                                   node_inputs *in, node_ctx *c)
{
    const graph_node *n = &s->m->g->nodes[i];
    size_t count = (size_t)(n->input_count > 0 ? n->input_count : 1);
    in->shapes = calloc(count, sizeof *in->shapes);
    in->mem = calloc(count, sizeof *in->mem);
    in->in_place = calloc(count, 1);
    if (!in->shapes || !in->mem || !in->in_place)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (int32_t k = 0; k < n->input_count; k++) {
        in->shapes[k] = n->inputs[k] < 0 ? NULL : &s->shapes[n->inputs[k]];
        in->mem[k] = n->inputs[k] < 0 ? dev_whole(NULL) : s->mem[n->inputs[k]];
        in->in_place[k] = n->inputs[k] >= 0 && s->host_of[n->inputs[k]] == n->output;
    }
    *c = (node_ctx){.rt = s->rt,
                    .g = s->m->g,
                    .node = n,
                    .in = in->shapes,
                    .plan = s->plans[i],
                    .scratch = s->scratch,
                    .persist = e->persist,
                    .persist_ready = e->persist_ready,
                    .in_place = in->in_place};
    return CLINFER_OK;
}

/* FNV-1a over a node's plan: sessions whose plans are byte-equal pack
 * the same weights the same way (plans are zeroed before they are
 * filled, so padding compares too). */
static uint64_t plan_key(const void *plan, size_t size)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t k = 0; k < size; k++)
        h = (h ^ ((const unsigned char *)plan)[k]) * 1099511628211ull;
    return h;
}

/* A node's persistent memory: the model's shared copy when a session with
 * the same plan already wrote it, else a new buffer (offered to the model
 * once the packing has finished: session_finish_preparation). */
static clinfer_status persistent_memory(clinfer_session *s, int32_t i, const node_impl *impl,
                                        const node_memory *m, node_exec *e)
{
    const uint64_t bytes = m->persist_bytes;
    e->persist_bytes = bytes;
    if (m->persist_shared) {
        e->persist_key = plan_key(s->plans[i], impl->plan_size);
        e->persist = model_shared_persist_find(s->m, i, e->persist_key, bytes);
        e->persist_ready = e->persist != NULL;
        e->persist_new = !e->persist_ready;
        if (e->persist)
            return CLINFER_OK;
    }
    return buffer_create(s->rt, (size_t)bytes, NULL, &e->persist);
}

clinfer_status session_plan_node(clinfer_session *s, int32_t i, node_exec *e, uint64_t *scratch)
{
    const node_impl *impl = node_impl_of(s->m->g->nodes[i].op);
    node_inputs in = {NULL, NULL, NULL};
    node_ctx c;
    e->node = i;
    clinfer_status st = node_context(s, i, e, &in, &c);
    node_memory m = {0, 0, 0};
    if (st == CLINFER_OK && impl->plan)
        st = impl->plan(&c, &m);
    if (m.scratch_bytes > *scratch)
        *scratch = m.scratch_bytes;
    if (st == CLINFER_OK && m.persist_bytes > 0)
        st = persistent_memory(s, i, impl, &m, e);
    node_inputs_free(&in);
    return st;
}

clinfer_status session_prepare_launches(clinfer_session *s, node_exec *e)
{
    const graph_node *n = &s->m->g->nodes[e->node];
    const node_impl *impl = node_impl_of(n->op);
    node_inputs in = {NULL, NULL, NULL};
    node_ctx c;
    clinfer_status st = node_context(s, e->node, e, &in, &c);
    if (st == CLINFER_OK)
        st = impl->prepare(&c, in.mem, s->mem[n->output], &e->launches);
    if (st == CLINFER_OK && impl->flops)
        e->flops = impl->flops(&c, &s->shapes[n->output]);
    node_inputs_free(&in);
    return st;
}

int session_node_chain(clinfer_session *s, int32_t e, chain_layer *out)
{
    const graph_node *n = &s->m->g->nodes[s->execs[e].node];
    const node_impl *impl = node_impl_of(n->op);
    node_inputs in = {NULL, NULL, NULL};
    node_ctx c;
    const int ok = impl->chain && node_context(s, s->execs[e].node, &s->execs[e], &in, &c) ==
                                      CLINFER_OK &&
                   impl->chain(&c, out);
    node_inputs_free(&in);
    return ok;
}

/* The planning step over the kernel nodes (then one scratch buffer, sized
 * to the largest request), then their launches. */
static int is_kernel_node(const clinfer_graph *g, int32_t i)
{
    return !g->nodes[i].removed && !op_is_view(g->nodes[i].op);
}

/* Plans, then prepares, every kernel node. Programs compile in both steps
 * (the GEMM tile search while planning, the kernels while preparing): the
 * log lines of those compiles name the node, n of N (program_cache.h). */
static clinfer_status plan_and_prepare(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    int32_t kernel_nodes = 0;
    for (int32_t i = 0; i < g->node_count; i++)
        kernel_nodes += is_kernel_node(g, i);
    uint64_t scratch = 0;
    for (int32_t i = 0; i < g->node_count; i++) {
        if (!is_kernel_node(g, i))
            continue;
        program_cache_set_progress(s->exec_count + 1, kernel_nodes);
        /* counted before planning, so that free releases a failed one */
        clinfer_status st = session_plan_node(s, i, &s->execs[s->exec_count++], &scratch);
        if (st != CLINFER_OK)
            return st;
    }
    if (scratch > 0) {
        clinfer_status st = buffer_create(s->rt, (size_t)scratch, NULL, &s->scratch);
        if (st != CLINFER_OK)
            return st;
    }
    for (int32_t e = 0; e < s->exec_count; e++) {
        program_cache_set_progress(e + 1, s->exec_count);
        clinfer_status st = session_prepare_launches(s, &s->execs[e]);
        if (st != CLINFER_OK)
            return st;
        s->launch_count += s->execs[e].launches.count;
    }
    return CLINFER_OK;
}

static clinfer_status prepare_nodes(clinfer_session *s)
{
    const clinfer_graph *g = s->m->g;
    s->execs = calloc((size_t)(g->node_count > 0 ? g->node_count : 1), sizeof *s->execs);
    if (!s->execs)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    clinfer_status st = plan_and_prepare(s);
    program_cache_set_progress(0, 0);
    return st == CLINFER_OK ? session_finish_preparation(s) : st;
}

clinfer_status session_finish_preparation(clinfer_session *s)
{
    /* Preparing may enqueue one-time work (weight packing) on the runtime's
     * queue, while runs use the session's queue: wait for it here, or a
     * first run could read weights not yet packed. */
    cl_int err = clFinish(s->rt->queue);
    if (err != CL_SUCCESS)
        return err_cl(s->rt, err, "clFinish (preparing kernels)");
    /* what this session packed is complete: later sessions share it */
    for (int32_t i = 0; i < s->exec_count; i++) {
        node_exec *e = &s->execs[i];
        if (e->persist_new)
            model_shared_persist_add(s->m, e->node, e->persist_key, e->persist_bytes, e->persist);
        e->persist_new = 0;
    }
    return CLINFER_OK;
}

const char *session_node_kernel(const clinfer_session *s, int32_t i)
{
    const node_launches *l = &s->execs[i].launches; /* usually the last launch computes */
    const int32_t at = l->count - 1 - l->named_from_end;
    return l->count ? l->items[at >= 0 ? at : l->count - 1].name : "none";
}

/* ------------------------------------------------------------ lifecycle */

static clinfer_status allocate_tables(clinfer_session *s)
{
    size_t nv = (size_t)(s->m->g->value_count > 0 ? s->m->g->value_count : 1);
    s->shapes = calloc(nv, sizeof *s->shapes);
    s->plans = calloc((size_t)(s->m->g->node_count > 0 ? s->m->g->node_count : 1),
                      sizeof *s->plans);
    s->root = calloc(nv, sizeof *s->root);
    s->mem = calloc(nv, sizeof *s->mem);
    s->home = calloc(nv, sizeof *s->home);
    s->host_of = calloc(nv, sizeof *s->host_of);
    s->host_offset = calloc(nv, sizeof *s->host_offset);
    s->input_state = calloc((size_t)s->m->g->input_count + 1, 1);
    s->input_reused = calloc((size_t)s->m->g->input_count + 1, 1);
    s->in_bind = calloc((size_t)s->m->g->input_count + 1, sizeof *s->in_bind);
    s->in_stage = calloc((size_t)s->m->g->input_count + 1, sizeof *s->in_stage);
    s->out_bind = calloc((size_t)s->m->g->output_count + 1, sizeof *s->out_bind);
    if (!s->shapes || !s->plans || !s->root || !s->mem || !s->home || !s->host_of ||
        !s->host_offset ||
        !s->input_state || !s->input_reused || !s->in_bind || !s->in_stage || !s->out_bind)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    for (size_t v = 0; v < nv; v++)
        s->host_of[v] = -1; /* none in place until session_place_in_place says so */
    return CLINFER_OK;
}

/* The session's in-order queue: its own, or the runtime's (retained). */
static clinfer_status take_queue(clinfer_session *s, clinfer_queue_mode mode)
{
    clinfer_runtime *rt = s->rt;
    if (mode == CLINFER_QUEUE_AUTO)
        mode = rt->external_queue ? CLINFER_QUEUE_RUNTIME : CLINFER_QUEUE_OWN;
    if (mode == CLINFER_QUEUE_RUNTIME) {
        if (s->profile && !rt->queue_profiling)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "session profiling needs a command queue created with "
                           "CL_QUEUE_PROFILING_ENABLE, and the runtime's queue (the caller's) "
                           "has profiling off: enable it on that queue, or give the session "
                           "its own queue (clinfer_session_options.queue = CLINFER_QUEUE_OWN)");
        s->queue = rt->queue;
        clRetainCommandQueue(s->queue);
        return CLINFER_OK;
    }
    if (mode != CLINFER_QUEUE_OWN)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_session_options.queue: unknown queue mode %d", (int)mode);
    cl_int err = CL_SUCCESS;
    s->queue = clCreateCommandQueue(rt->context, rt->device,
                                    s->profile ? CL_QUEUE_PROFILING_ENABLE : 0, &err);
    return s->queue ? CLINFER_OK : err_cl(rt, err, "clCreateCommandQueue (session queue)");
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
    int64_t batch = o.batch;
    clinfer_status st =
        model_for_shapes(m, o.input_shapes, o.input_shape_count, o.batch, &m, &batch);
    if (st != CLINFER_OK)
        return st;
    clinfer_session *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(m->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    s->m = m;
    s->rt = m->rt;
    s->batch = batch;
    s->profile = o.profile != 0;
    s->memory.weight_bytes = m->weight_bytes;
    st = take_queue(s, o.queue);
    if (st == CLINFER_OK)
        st = allocate_tables(s);
    if (st == CLINFER_OK)
        st = infer_shapes(s);
    if (st == CLINFER_OK) {
        resolve_roots(s);
        st = allocate_memory(s);
    }
    if (st == CLINFER_OK)
        st = prepare_nodes(s);
    if (st == CLINFER_OK)
        st = session_chain_build(s);
    if (st == CLINFER_OK)
        st = session_replay_init(s);
    if (st == CLINFER_OK)
        st = session_prepare_profile(s);
    if (st != CLINFER_OK) {
        clinfer_session_free(s);
        return st;
    }
    *out = s;
    return CLINFER_OK;
}

void session_release_events(clinfer_session *s)
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
    if (s->queue)
        clFinish(s->queue);
    session_release_events(s);
    session_upload_free(s);
    session_chain_free(s);
    session_replay_free(s);
    for (int32_t i = 0; s->execs && i < s->exec_count; i++) {
        node_launches_release(&s->execs[i].launches);
        if (s->execs[i].persist)
            clReleaseMemObject(s->execs[i].persist);
    }
    if (s->scratch)
        clReleaseMemObject(s->scratch);
    if (s->stage)
        clReleaseMemObject(s->stage);
    for (int32_t i = 0; s->in_bind && i < s->m->g->input_count; i++)
        session_binding_release(&s->in_bind[i]);
    for (int32_t i = 0; s->out_bind && i < s->m->g->output_count; i++)
        session_binding_release(&s->out_bind[i]);
    if (s->arena)
        clReleaseMemObject(s->arena);
    if (s->queue)
        clReleaseCommandQueue(s->queue);
    free(s->execs);
    free(s->events);
    free(s->prof);
    for (int32_t i = 0; s->plans && i < s->m->g->node_count; i++)
        node_plan_free(&s->m->g->nodes[i], s->plans[i]);
    free(s->plans);
    free(s->shapes);
    free(s->root);
    free(s->mem);
    free(s->home);
    free(s->host_of);
    free(s->host_offset);
    free(s->input_state);
    free(s->input_reused);
    free(s->in_bind);
    free(s->out_bind);
    free(s);
}

const char *clinfer_session_errmsg(const clinfer_session *s) { return s ? s->errmsg : ""; }

cl_command_queue clinfer_session_cl_queue(const clinfer_session *s) { return s ? s->queue : NULL; }

/* ------------------------------------------------------------ runs */

/* The copies of caller buffers that could not be bound in place: inputs
 * before the kernels, outputs after. */
static clinfer_status enqueue_copies(clinfer_session *s, int output)
{
    const clinfer_graph *g = s->m->g;
    int32_t n = output ? g->output_count : g->input_count;
    for (int32_t i = 0; i < n; i++) {
        const io_binding *b = output ? &s->out_bind[i] : &s->in_bind[i];
        if (!b->user || b->zero_copy || b->bytes == 0)
            continue;
        const dev_tensor mine = s->mem[output ? g->outputs[i].value : g->inputs[i]];
        const size_t at = (size_t)mine.offset * rt_elem_bytes(s->rt);
        cl_int err = output ? clEnqueueCopyBuffer(s->queue, mine.mem, b->user, at, b->offset,
                                                  b->bytes, 0, NULL, NULL)
                            : clEnqueueCopyBuffer(s->queue, b->user, mine.mem, b->offset, at,
                                                  b->bytes, 0, NULL, NULL);
        if (err != CL_SUCCESS)
            return err_cl(s->rt, err,
                          output ? "clEnqueueCopyBuffer (to an output buffer)"
                                 : "clEnqueueCopyBuffer (from an input buffer)");
        s->transfers.device_copies++;
        s->transfers.device_copy_bytes += b->bytes;
    }
    return CLINFER_OK;
}

clinfer_status session_run_begin(clinfer_session *s, cl_uint num_wait, const cl_event *wait_list)
{
    const clinfer_graph *g = s->m->g;
    if ((num_wait > 0) != (wait_list != NULL))
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_session_run_async: wait_list is %s but num_wait is %u",
                       wait_list ? "not NULL" : "NULL", (unsigned)num_wait);
    if (s->broken)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "the session is unusable after a failed rebinding");
    for (int32_t i = 0; i < g->input_count; i++)
        if (s->input_state[i] != INPUT_SET)
            return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "input %d (\"%s\") %s (clinfer_session_set_input, or "
                           "clinfer_session_set_input_buffer to bind a buffer that every run "
                           "reads)",
                           (int)i, g->values[g->inputs[i]].name,
                           s->input_state[i] == INPUT_CONSUMED
                               ? "must be set again: the last run reused its device memory "
                                 "for later layers"
                           : s->input_state[i] == INPUT_UNBOUND
                               ? "is not set: its buffer was unbound"
                               : "was never set");
    session_release_events(s);
    s->run_mode = CLINFER_RUN_LAUNCHES;
    cl_int err = CL_SUCCESS;
    /* An in-order queue starts nothing after the barrier before the events. */
    if (num_wait > 0 &&
        (err = clEnqueueBarrierWithWaitList(s->queue, num_wait, wait_list, NULL)) != CL_SUCCESS)
        return err_cl(s->rt, err, "clEnqueueBarrierWithWaitList (the run's wait list)");
    return enqueue_copies(s, 0);
}

clinfer_status session_enqueue_node(clinfer_session *s, int32_t i, int32_t *event)
{
    clinfer_status st = CLINFER_OK;
    for (int32_t k = 0; st == CLINFER_OK && k < s->execs[i].launches.count; k++, ++*event)
        st = launch_enqueue_on(s->rt, s->queue, &s->execs[i].launches.items[k],
                               s->profile ? &s->events[*event] : NULL);
    return st;
}

clinfer_status session_run_end(clinfer_session *s, cl_event *done)
{
    const clinfer_graph *g = s->m->g;
    cl_int err = CL_SUCCESS;
    clinfer_status st = enqueue_copies(s, 1);
    if (st == CLINFER_OK && done &&
        (err = clEnqueueMarkerWithWaitList(s->queue, 0, NULL, done)) != CL_SUCCESS)
        st = err_cl(s->rt, err, "clEnqueueMarkerWithWaitList");
    if (st == CLINFER_OK && s->profile)
        st = session_collect_profile(s);
    /* Host-set inputs whose memory the plan reuses are gone after a run. */
    for (int32_t i = 0; st == CLINFER_OK && i < g->input_count; i++)
        if (s->input_reused[i] && !s->in_bind[i].user)
            s->input_state[i] = INPUT_CONSUMED;
    return st;
}

static clinfer_status run(clinfer_session *s, cl_uint num_wait, const cl_event *wait_list,
                          cl_event *done)
{
    clinfer_status st = session_run_begin(s, num_wait, wait_list);
    if (st == CLINFER_OK && session_chain_ready(s)) {
        s->run_mode = CLINFER_RUN_CHAIN; /* one launch for every node */
        st = session_chain_enqueue(s, s->profile ? &s->events[0] : NULL);
    }
    int replayed = 0;
    if (st == CLINFER_OK && s->run_mode != CLINFER_RUN_CHAIN &&
        (st = session_replay_enqueue(s, &replayed)) == CLINFER_OK && replayed)
        s->run_mode = CLINFER_RUN_REPLAY;
    int32_t e = 0;
    for (int32_t i = 0; st == CLINFER_OK && s->run_mode == CLINFER_RUN_LAUNCHES &&
                        i < s->exec_count;
         i++)
        st = session_enqueue_node(s, i, &e);
    if (st == CLINFER_OK)
        st = session_run_end(s, done);
    if (st != CLINFER_OK && done && *done) {
        clReleaseEvent(*done);
        *done = NULL;
    }
    return st;
}

clinfer_status clinfer_session_run_async(clinfer_session *s, cl_uint num_wait,
                                         const cl_event *wait_list, cl_event *done)
{
    if (done)
        *done = NULL;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = run(s, num_wait, wait_list, done);
    return st == CLINFER_OK ? st : session_fail(s, st);
}

clinfer_status clinfer_session_run(clinfer_session *s)
{
    return clinfer_session_run_async(s, 0, NULL, NULL);
}

clinfer_run_mode clinfer_session_run_mode(const clinfer_session *s)
{
    return s ? s->run_mode : CLINFER_RUN_NONE;
}

const char *clinfer_run_mode_name(clinfer_run_mode mode)
{
    static const char *const names[] = {"none", "launches", "chain", "replay"};
    return (unsigned)mode <= CLINFER_RUN_REPLAY ? names[mode] : "unknown";
}

clinfer_memory_stats clinfer_session_memory(const clinfer_session *s)
{
    clinfer_memory_stats z = {0, 0, 0};
    return s ? s->memory : z;
}

clinfer_transfer_stats clinfer_session_transfers(const clinfer_session *s)
{
    clinfer_transfer_stats z = {0, 0, 0, 0, 0, 0};
    return s ? s->transfers : z;
}
