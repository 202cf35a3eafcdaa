/*
 * replay.c — a session's kernels as one cl_khr_command_buffer (replay.h):
 * recorded at the first run from the launches the session prepared (their
 * arguments are fixed: the arena, the constants and bound buffers do not
 * move between runs), replayed by every later run with one
 * clEnqueueCommandBufferKHR. The extension's functions are looked up on
 * the device's platform; nothing here needs headers beyond Khronos'
 * cl_ext.h.
 */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include <CL/cl_ext.h>

#include "config.h"
#include "error.h"
#include "runtime.h"
#include "session.h"

struct session_replay {
    clCreateCommandBufferKHR_fn create;
    clCommandNDRangeKernelKHR_fn command;
    clFinalizeCommandBufferKHR_fn finalize;
    clEnqueueCommandBufferKHR_fn enqueue;
    clReleaseCommandBufferKHR_fn release;
    int simultaneous;             /* a command buffer may be pending twice */
    cl_command_buffer_khr buffer; /* NULL: not recorded (yet, or since a rebinding) */
    cl_event last;                /* the last replay, kept without simultaneous use */
    int failed;                   /* a recording failed under auto: launch per node */
};

/* An extension function's address in *fn (NULL when absent): through
 * memcpy, as ISO C has no cast from an object pointer to a function one. */
static void extension_fn(cl_platform_id p, const char *name, void *fn, size_t size)
{
    void *address = clGetExtensionFunctionAddressForPlatform(p, name);
    memcpy(fn, &address, size);
}
#define EXTENSION(p, name, fn) extension_fn((p), (name), &(fn), sizeof(fn))

/* Why the session's device or queue cannot replay, or NULL (r filled). */
static const char *replay_unfit(const clinfer_session *s, session_replay *r)
{
    const clinfer_runtime *rt = s->rt;
    int has = 0;
    if (runtime_device_has_extension(rt->device, "cl_khr_command_buffer", &has) != CL_SUCCESS ||
        !has)
        return "the device does not offer cl_khr_command_buffer";
    cl_platform_id platform = rt->platform;
    if (!platform && clGetDeviceInfo(rt->device, CL_DEVICE_PLATFORM, sizeof platform, &platform,
                                     NULL) != CL_SUCCESS)
        return "the device's platform could not be queried";
    EXTENSION(platform, "clCreateCommandBufferKHR", r->create);
    EXTENSION(platform, "clCommandNDRangeKernelKHR", r->command);
    EXTENSION(platform, "clFinalizeCommandBufferKHR", r->finalize);
    EXTENSION(platform, "clEnqueueCommandBufferKHR", r->enqueue);
    EXTENSION(platform, "clReleaseCommandBufferKHR", r->release);
    if (!r->create || !r->command || !r->finalize || !r->enqueue || !r->release)
        return "the platform does not export the cl_khr_command_buffer functions";
    cl_command_queue_properties needed = 0, has_props = 0;
    cl_device_command_buffer_capabilities_khr caps = 0;
    if (clGetDeviceInfo(rt->device, CL_DEVICE_COMMAND_BUFFER_REQUIRED_QUEUE_PROPERTIES_KHR,
                        sizeof needed, &needed, NULL) != CL_SUCCESS ||
        clGetDeviceInfo(rt->device, CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR, sizeof caps, &caps,
                        NULL) != CL_SUCCESS ||
        clGetCommandQueueInfo(s->queue, CL_QUEUE_PROPERTIES, sizeof has_props, &has_props,
                              NULL) != CL_SUCCESS)
        return "the command-buffer capabilities could not be queried";
    if ((needed & has_props) != needed)
        return "the session's queue lacks the properties the device's command buffers need";
    r->simultaneous = (caps & CL_COMMAND_BUFFER_CAPABILITY_SIMULTANEOUS_USE_KHR) != 0;
    return NULL;
}

clinfer_status session_replay_init(clinfer_session *s)
{
    const int mode = s->rt->config.replay;
    if (mode == CONFIG_REPLAY_OFF || s->profile ||
        (mode == CONFIG_AUTO && s->rt->info.type == CLINFER_DEVICE_CPU))
        return CLINFER_OK;
    session_replay *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    const char *why = replay_unfit(s, r);
    if (!why) {
        s->replay = r;
        return CLINFER_OK;
    }
    free(r);
    if (mode == CONFIG_REPLAY_ON)
        return err_set(s->rt, CLINFER_ERR_UNSUPPORTED, "CLINFER_REPLAY=on: %s (%s)", why,
                       s->rt->info.name);
    rt_log(s->rt, CLINFER_LOG_DEBUG, "runs launch per kernel: %s", why);
    return CLINFER_OK;
}

/* Records every prepared launch of the session, in order, into r->buffer
 * (an in-order queue's command buffer runs its commands in order). */
static clinfer_status record(clinfer_session *s, session_replay *r)
{
    const cl_command_buffer_properties_khr simultaneous[] = {
        CL_COMMAND_BUFFER_FLAGS_KHR, CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR, 0};
    cl_int err = CL_SUCCESS;
    r->buffer = r->create(1, &s->queue, r->simultaneous ? simultaneous : NULL, &err);
    if (!r->buffer && r->simultaneous) {
        /* a driver that refuses the flag (the extension is provisional and
         * its revisions differ) gets a plain command buffer: then a run
         * replays only once the last replay has finished, else launches
         * per node (session_replay_enqueue) */
        r->simultaneous = 0;
        r->buffer = r->create(1, &s->queue, NULL, &err);
    }
    if (!r->buffer)
        return err_cl(s->rt, err != CL_SUCCESS ? err : CL_OUT_OF_RESOURCES,
                      "clCreateCommandBufferKHR");
    for (int32_t i = 0; i < s->exec_count; i++)
        for (int32_t k = 0; k < s->execs[i].launches.count; k++) {
            const op_launch *l = &s->execs[i].launches.items[k];
            size_t global[3];
            if (!launch_rounded_grid(l, global))
                continue;
            err = r->command(r->buffer, NULL, NULL, l->kernel, l->dims, NULL, global, l->local, 0,
                             NULL, NULL, NULL);
            if (err != CL_SUCCESS) {
                char call[128];
                snprintf(call, sizeof call, "clCommandNDRangeKernelKHR(%s)", l->name);
                session_replay_drop(s);
                return err_cl(s->rt, err, call);
            }
        }
    if ((err = r->finalize(r->buffer)) != CL_SUCCESS) {
        session_replay_drop(s);
        return err_cl(s->rt, err, "clFinalizeCommandBufferKHR");
    }
    return CLINFER_OK;
}

/* Whether the last replay (kept only without simultaneous use) is still
 * pending on the device; a finished one is let go. */
static int last_replay_pending(session_replay *r)
{
    if (!r->last)
        return 0;
    cl_int status = CL_COMPLETE;
    if (clGetEventInfo(r->last, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status,
                       NULL) == CL_SUCCESS &&
        status > CL_COMPLETE)
        return 1;
    clReleaseEvent(r->last);
    r->last = NULL;
    return 0;
}

clinfer_status session_replay_enqueue(clinfer_session *s, int *replayed)
{
    session_replay *r = s->replay;
    *replayed = 0;
    if (!r || r->failed)
        return CLINFER_OK;
    if (!r->buffer) {
        clinfer_status st = record(s, r);
        if (st != CLINFER_OK) {
            if (s->rt->config.replay == CONFIG_REPLAY_ON || st == CLINFER_ERR_OUT_OF_HOST_MEMORY)
                return st;
            rt_log(s->rt, CLINFER_LOG_WARNING, "runs launch per kernel: %s",
                   clinfer_last_errmsg());
            r->failed = 1; /* the per-node launches are ready */
            return CLINFER_OK;
        }
    }
    if (!r->simultaneous && last_replay_pending(r))
        return CLINFER_OK; /* it may not be pending twice: this run launches per node */
    cl_int err = r->enqueue(1, &s->queue, r->buffer, 0, NULL, r->simultaneous ? NULL : &r->last);
    if (err == CL_INVALID_OPERATION)
        return CLINFER_OK; /* still pending after all: per node */
    if (err != CL_SUCCESS && s->rt->config.replay == CONFIG_REPLAY_ON)
        return err_cl(s->rt, err, "clEnqueueCommandBufferKHR");
    if (err != CL_SUCCESS) {
        /* auto: the per-node launches are the path every driver has run;
         * a driver whose replay fails keeps to them */
        rt_log(s->rt, CLINFER_LOG_WARNING,
               "clEnqueueCommandBufferKHR failed (OpenCL error %d): runs launch per kernel",
               (int)err);
        session_replay_drop(s);
        r->failed = 1;
        return CLINFER_OK;
    }
    *replayed = 1;
    return CLINFER_OK;
}

void session_replay_drop(clinfer_session *s)
{
    session_replay *r = s->replay;
    if (!r)
        return;
    if (r->buffer)
        r->release(r->buffer); /* freed once a pending replay has finished */
    r->buffer = NULL;
    if (r->last)
        clReleaseEvent(r->last);
    r->last = NULL;
}

void session_replay_free(clinfer_session *s)
{
    session_replay_drop(s);
    free(s->replay);
    s->replay = NULL;
}
