/*
 * error.c — failure messages and logging. The message of the last failure is
 * kept per thread (so a shared runtime never races on it) and copied onto the
 * runtime, under the runtime's errmsg_lock, for callers that ask the handle;
 * clinfer_runtime_errmsg() hands out a per-thread copy taken under the same
 * lock, so no thread ever reads a message another thread is writing.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "runtime.h"

static _Thread_local char thread_errmsg[CLINFER_ERRMSG_MAX];
static _Thread_local char thread_runtime_errmsg[CLINFER_ERRMSG_MAX];

const char *clinfer_last_errmsg(void) { return thread_errmsg; }

#define CLINFER_STATUS_STRING_CASE(name, value, text) \
    case name:                                        \
        return text;
const char *clinfer_status_str(clinfer_status status)
{
    switch (status) {
        CLINFER_STATUS_TABLE(CLINFER_STATUS_STRING_CASE)
    }
    return "unknown status";
}
#undef CLINFER_STATUS_STRING_CASE

static void deliver_log(const clinfer_runtime *rt, clinfer_log_level level, const char *msg)
{
    if (rt && rt->log && level >= rt->log_level)
        rt->log(rt->log_user_data, level, msg);
}

/* The log callback runs outside the lock: it may call back into the library. */
static clinfer_status record(clinfer_runtime *rt, clinfer_status status)
{
    if (rt) {
        pthread_mutex_lock(&rt->errmsg_lock);
        memcpy(rt->errmsg, thread_errmsg, sizeof rt->errmsg);
        pthread_mutex_unlock(&rt->errmsg_lock);
        deliver_log(rt, CLINFER_LOG_ERROR, thread_errmsg);
    }
    return status;
}

clinfer_status err_set(clinfer_runtime *rt, clinfer_status status, const char *fmt, ...)
{
    /* Formatted aside first: an argument may point into thread_errmsg. */
    char msg[CLINFER_ERRMSG_MAX];
    FORMAT_VARIADIC(msg, sizeof msg, fmt);
    /* Messages carry model and file names, and embedders print them. */
    text_escape(thread_errmsg, sizeof thread_errmsg, msg, TEXT_KEEP_NEWLINES);
    return record(rt, status);
}

const char *clinfer_runtime_errmsg(const clinfer_runtime *rt)
{
    if (!rt)
        return "";
    clinfer_runtime *mut = (clinfer_runtime *)rt; /* the lock only */
    pthread_mutex_lock(&mut->errmsg_lock);
    memcpy(thread_runtime_errmsg, rt->errmsg, sizeof thread_runtime_errmsg);
    pthread_mutex_unlock(&mut->errmsg_lock);
    return thread_runtime_errmsg;
}

clinfer_status err_cl(clinfer_runtime *rt, cl_int code, const char *call)
{
    clinfer_status status = CLINFER_ERR_OPENCL;
    if (code == CL_OUT_OF_RESOURCES || code == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
        code == CL_OUT_OF_HOST_MEMORY)
        status = CLINFER_ERR_DEVICE_OUT_OF_MEMORY;
    return err_set(rt, status, "%s failed: %s (%d)", call, cl_error_name(code), (int)code);
}

void rt_log(const clinfer_runtime *rt, clinfer_log_level level, const char *fmt, ...)
{
    if (!rt || !rt->log || level < rt->log_level)
        return;
    char msg[CLINFER_ERRMSG_MAX];
    FORMAT_VARIADIC(msg, sizeof msg, fmt);
    char safe[CLINFER_ERRMSG_MAX];
    text_escape(safe, sizeof safe, msg, TEXT_KEEP_NEWLINES);
    deliver_log(rt, level, safe);
}

const char *cl_error_name(cl_int code)
{
    switch (code) {
#define NAME(c) \
    case c:     \
        return #c;
        NAME(CL_SUCCESS)
        NAME(CL_DEVICE_NOT_FOUND)
        NAME(CL_DEVICE_NOT_AVAILABLE)
        NAME(CL_COMPILER_NOT_AVAILABLE)
        NAME(CL_MEM_OBJECT_ALLOCATION_FAILURE)
        NAME(CL_OUT_OF_RESOURCES)
        NAME(CL_OUT_OF_HOST_MEMORY)
        NAME(CL_PROFILING_INFO_NOT_AVAILABLE)
        NAME(CL_MEM_COPY_OVERLAP)
        NAME(CL_IMAGE_FORMAT_MISMATCH)
        NAME(CL_IMAGE_FORMAT_NOT_SUPPORTED)
        NAME(CL_BUILD_PROGRAM_FAILURE)
        NAME(CL_MAP_FAILURE)
        NAME(CL_MISALIGNED_SUB_BUFFER_OFFSET)
        NAME(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
        NAME(CL_COMPILE_PROGRAM_FAILURE)
        NAME(CL_LINKER_NOT_AVAILABLE)
        NAME(CL_LINK_PROGRAM_FAILURE)
        NAME(CL_DEVICE_PARTITION_FAILED)
        NAME(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
        NAME(CL_INVALID_VALUE)
        NAME(CL_INVALID_DEVICE_TYPE)
        NAME(CL_INVALID_PLATFORM)
        NAME(CL_INVALID_DEVICE)
        NAME(CL_INVALID_CONTEXT)
        NAME(CL_INVALID_QUEUE_PROPERTIES)
        NAME(CL_INVALID_COMMAND_QUEUE)
        NAME(CL_INVALID_HOST_PTR)
        NAME(CL_INVALID_MEM_OBJECT)
        NAME(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
        NAME(CL_INVALID_IMAGE_SIZE)
        NAME(CL_INVALID_SAMPLER)
        NAME(CL_INVALID_BINARY)
        NAME(CL_INVALID_BUILD_OPTIONS)
        NAME(CL_INVALID_PROGRAM)
        NAME(CL_INVALID_PROGRAM_EXECUTABLE)
        NAME(CL_INVALID_KERNEL_NAME)
        NAME(CL_INVALID_KERNEL_DEFINITION)
        NAME(CL_INVALID_KERNEL)
        NAME(CL_INVALID_ARG_INDEX)
        NAME(CL_INVALID_ARG_VALUE)
        NAME(CL_INVALID_ARG_SIZE)
        NAME(CL_INVALID_KERNEL_ARGS)
        NAME(CL_INVALID_WORK_DIMENSION)
        NAME(CL_INVALID_WORK_GROUP_SIZE)
        NAME(CL_INVALID_WORK_ITEM_SIZE)
        NAME(CL_INVALID_GLOBAL_OFFSET)
        NAME(CL_INVALID_EVENT_WAIT_LIST)
        NAME(CL_INVALID_EVENT)
        NAME(CL_INVALID_OPERATION)
        NAME(CL_INVALID_GL_OBJECT)
        NAME(CL_INVALID_BUFFER_SIZE)
        NAME(CL_INVALID_MIP_LEVEL)
        NAME(CL_INVALID_GLOBAL_WORK_SIZE)
        NAME(CL_INVALID_PROPERTY)
        NAME(CL_INVALID_IMAGE_DESCRIPTOR)
        NAME(CL_INVALID_COMPILER_OPTIONS)
        NAME(CL_INVALID_LINKER_OPTIONS)
        NAME(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef NAME
    case -1001:
        return "CL_PLATFORM_NOT_FOUND_KHR";
    }
    return "unknown OpenCL error";
}
