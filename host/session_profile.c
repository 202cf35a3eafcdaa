/*
 * session_profile.c — what a profiled session records of each run (the
 * profile session option): every node's device time from its launches'
 * events (clinfer_session_profile) and the run's timeline, the kernels'
 * time against the idle time between launches (clinfer_session_timeline).
 * A chained run (chain.h) is one launch, its time on the first node.
 */
#include <stdlib.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include "error.h"
#include "model.h"
#include "session.h"

clinfer_status session_prepare_profile(clinfer_session *s)
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
        s->prof[i].kernel = session_node_kernel(s, i);
        s->prof[i].output_shape = s->shapes[n->output];
        s->prof[i].flops = s->execs[i].flops;
    }
    return CLINFER_OK;
}

/* A profiled launch's command times (ns), 0 where the driver gives none. */
typedef struct event_times {
    cl_ulong queued, start, end;
} event_times;

static event_times read_event_times(cl_event e)
{
    event_times t = {0, 0, 0};
    clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_QUEUED, sizeof t.queued, &t.queued, NULL);
    clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_START, sizeof t.start, &t.start, NULL);
    clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_END, sizeof t.end, &t.end, NULL);
    return t;
}

static double ns_to_ms(cl_ulong later, cl_ulong earlier)
{
    return later > earlier ? (double)(later - earlier) / 1e6 : 0.0;
}

/* Adds launch t, the run's next in queue order (the queue is in order), to
 * the timeline; *last holds the previous launch's times. */
static void timeline_add(clinfer_run_timeline *tl, event_times *last, event_times t)
{
    if (tl->launches == 0) {
        tl->lead_ms = ns_to_ms(t.start, t.queued);
    } else {
        const double idle = ns_to_ms(t.start, last->end);
        tl->idle_ms += idle;
        tl->max_idle_ms = idle > tl->max_idle_ms ? idle : tl->max_idle_ms;
    }
    tl->kernel_ms += ns_to_ms(t.end, t.start);
    tl->launches++;
    *last = t;
}

/* The profile of a run that was the chain's one launch: its time is the
 * first node's, every node's kernel "chain_run". */
static clinfer_status collect_chain_profile(clinfer_session *s)
{
    const event_times t = read_event_times(s->events[0]);
    clinfer_run_timeline tl = {0};
    event_times last = t;
    timeline_add(&tl, &last, t);
    tl.span_ms = ns_to_ms(t.end, t.start);
    s->timeline = tl;
    for (int32_t i = 0; i < s->exec_count; i++) {
        s->prof[i].ms = i == 0 ? tl.kernel_ms : 0.0;
        s->prof[i].kernel = "chain_run";
    }
    return CLINFER_OK;
}

/* Sums each node's kernel times from the events of the last run, and the
 * run's timeline. */
clinfer_status session_collect_profile(clinfer_session *s)
{
    cl_int err = clFinish(s->queue);
    if (err != CL_SUCCESS)
        return err_cl(s->rt, err, "clFinish");
    if (s->run_mode == CLINFER_RUN_CHAIN) /* one launch: its time on the first node */
        return collect_chain_profile(s);
    clinfer_run_timeline tl = {0};
    event_times first = {0, 0, 0}, last = {0, 0, 0};
    int32_t e = 0;
    for (int32_t i = 0; i < s->exec_count; i++) {
        double ms = 0;
        for (int32_t k = 0; k < s->execs[i].launches.count; k++, e++) {
            if (!s->events[e])
                continue; /* an empty launch enqueued nothing */
            const event_times t = read_event_times(s->events[e]);
            ms += ns_to_ms(t.end, t.start);
            if (tl.launches == 0)
                first = t;
            timeline_add(&tl, &last, t);
        }
        s->prof[i].ms = ms;
        s->prof[i].kernel = session_node_kernel(s, i);
    }
    tl.span_ms = ns_to_ms(last.end, first.start);
    s->timeline = tl;
    return CLINFER_OK;
}

const clinfer_node_profile *clinfer_session_profile(const clinfer_session *s, size_t *count)
{
    if (count)
        *count = s && s->prof ? (size_t)s->exec_count : 0;
    return s ? s->prof : NULL;
}

clinfer_status clinfer_session_timeline(const clinfer_session *s, clinfer_run_timeline *out)
{
    if (!s || !out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_session_timeline: %s is NULL",
                       s ? "out" : "session");
    if (!s->profile)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_session_timeline: the session was made without the profile "
                       "option");
    if (s->timeline.launches == 0)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_session_timeline: no run yet, or the last run enqueued no "
                       "kernel");
    *out = s->timeline;
    return CLINFER_OK;
}
