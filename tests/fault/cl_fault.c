/*
 * cl_fault.c — an LD_PRELOAD shim over the OpenCL entry points clinfer
 * calls, that fails exactly one of them: the Nth call in the process
 * (CLFAULT_AT=N, counted from 1 across every intercepted entry point) gets
 * a realistic error code instead of the driver's answer. Every other call
 * goes to the real libOpenCL (dlsym RTLD_NEXT).
 *
 *   CLFAULT_AT=N        the call to fail (unset or 0: none, only count)
 *   CLFAULT_CALL=NAME   count only calls of the entry point NAME (for
 *                       targeted tests: the Nth clGetDeviceInfo fails)
 *   CLFAULT_REPORT=F    at exit, F gets "calls=<total> failed=<name|->"
 *   CLFAULT_LOG=F       when the fault fires, F gets "<N> <name> <code>"
 *                       (written at once, so a crash still names the call)
 *
 * The cl_khr_command_buffer functions a driver hands out through
 * clGetExtensionFunctionAddressForPlatform are wrapped the same way.
 *
 * Failure semantics per kind of call, so that the fault is one a driver
 * could really produce: queries, enqueues, builds and creations fail
 * without doing anything (out of host memory / resources, allocation
 * failure); a release does its work and then reports an error, as a
 * driver may, since a release that did nothing would make the shim leak.
 */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_ulong calls;
static unsigned long fail_at;
static const char *only_call;
static atomic_ulong only_calls;
static const char *_Atomic failed_name;

__attribute__((constructor)) static void fault_init(void)
{
    const char *at = getenv("CLFAULT_AT");
    fail_at = at ? strtoul(at, NULL, 10) : 0;
    only_call = getenv("CLFAULT_CALL");
}

__attribute__((destructor)) static void fault_report(void)
{
    const char *path = getenv("CLFAULT_REPORT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f)
        return;
    const char *name = atomic_load(&failed_name);
    fprintf(f, "calls=%lu failed=%s\n", atomic_load(&calls), name ? name : "-");
    fclose(f);
}

/* Counts a call of `name`; true when this one is to fail with `code`. */
static int fault_here(const char *name, cl_int code)
{
    unsigned long n = atomic_fetch_add(&calls, 1) + 1;
    if (only_call && strcmp(only_call, name) == 0)
        n = atomic_fetch_add(&only_calls, 1) + 1;
    else if (only_call)
        return 0;
    if (n != fail_at)
        return 0;
    atomic_store(&failed_name, name);
    const char *log = getenv("CLFAULT_LOG");
    int fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (fd >= 0) {
        char line[128];
        int len = snprintf(line, sizeof line, "%lu %s %d\n", n, name, (int)code);
        if (write(fd, line, (size_t)len) < 0)
            perror("cl_fault: log");
        close(fd);
    }
    return 1;
}

static void *real_symbol(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "cl_fault: no real %s\n", name);
        abort();
    }
    return p;
}

/* `real` is the driver's function of the enclosing entry point. */
#define REAL(name)                                 \
    static __typeof__(&name) real;                 \
    if (!real) {                                   \
        void *sym_ = real_symbol(#name);           \
        memcpy(&real, &sym_, sizeof real); /* POSIX dlsym idiom */ \
    }

/* An entry point returning cl_int that fails with `code`. */
#define FAIL_INT(name, code)         \
    REAL(name);                      \
    if (fault_here(#name, code))     \
        return code

/* An entry point returning an object, with errcode_ret `err`. */
#define FAIL_OBJ(name, code, err)    \
    REAL(name);                      \
    if (fault_here(#name, code)) {   \
        if (err)                     \
            *(err) = code;           \
        return NULL;                 \
    }

/* A release: done, then reported as failed. */
#define RELEASE(name, obj)                   \
    REAL(name);                              \
    cl_int r_ = real(obj);                   \
    if (fault_here(#name, CL_OUT_OF_RESOURCES)) \
        return CL_OUT_OF_RESOURCES;          \
    return r_

/* ------------------------------------------------------------ platforms, devices */

cl_int clGetPlatformIDs(cl_uint n, cl_platform_id *p, cl_uint *np)
{
    FAIL_INT(clGetPlatformIDs, CL_OUT_OF_HOST_MEMORY);
    return real(n, p, np);
}

cl_int clGetPlatformInfo(cl_platform_id p, cl_platform_info w, size_t s, void *v, size_t *r)
{
    FAIL_INT(clGetPlatformInfo, CL_OUT_OF_HOST_MEMORY);
    return real(p, w, s, v, r);
}

cl_int clGetDeviceIDs(cl_platform_id p, cl_device_type t, cl_uint n, cl_device_id *d, cl_uint *nd)
{
    FAIL_INT(clGetDeviceIDs, CL_OUT_OF_HOST_MEMORY);
    return real(p, t, n, d, nd);
}

cl_int clGetDeviceInfo(cl_device_id d, cl_device_info w, size_t s, void *v, size_t *r)
{
    FAIL_INT(clGetDeviceInfo, CL_OUT_OF_HOST_MEMORY);
    return real(d, w, s, v, r);
}

cl_int clRetainDevice(cl_device_id d)
{
    FAIL_INT(clRetainDevice, CL_OUT_OF_HOST_MEMORY);
    return real(d);
}

cl_int clReleaseDevice(cl_device_id d) { RELEASE(clReleaseDevice, d); }

/* ------------------------------------------------------------ contexts, queues */

cl_context clCreateContext(const cl_context_properties *p, cl_uint n, const cl_device_id *d,
                           void(CL_CALLBACK *cb)(const char *, const void *, size_t, void *),
                           void *u, cl_int *e)
{
    FAIL_OBJ(clCreateContext, CL_OUT_OF_HOST_MEMORY, e);
    return real(p, n, d, cb, u, e);
}

cl_int clGetContextInfo(cl_context c, cl_context_info w, size_t s, void *v, size_t *r)
{
    FAIL_INT(clGetContextInfo, CL_OUT_OF_HOST_MEMORY);
    return real(c, w, s, v, r);
}

cl_int clRetainContext(cl_context c)
{
    FAIL_INT(clRetainContext, CL_OUT_OF_HOST_MEMORY);
    return real(c);
}

cl_int clReleaseContext(cl_context c) { RELEASE(clReleaseContext, c); }

cl_command_queue clCreateCommandQueue(cl_context c, cl_device_id d,
                                      cl_command_queue_properties p, cl_int *e)
{
    FAIL_OBJ(clCreateCommandQueue, CL_OUT_OF_RESOURCES, e);
    return real(c, d, p, e);
}

cl_int clGetCommandQueueInfo(cl_command_queue q, cl_command_queue_info w, size_t s, void *v,
                             size_t *r)
{
    FAIL_INT(clGetCommandQueueInfo, CL_OUT_OF_RESOURCES);
    return real(q, w, s, v, r);
}

cl_int clRetainCommandQueue(cl_command_queue q)
{
    FAIL_INT(clRetainCommandQueue, CL_OUT_OF_RESOURCES);
    return real(q);
}

cl_int clReleaseCommandQueue(cl_command_queue q) { RELEASE(clReleaseCommandQueue, q); }

cl_int clFinish(cl_command_queue q)
{
    FAIL_INT(clFinish, CL_OUT_OF_RESOURCES);
    return real(q);
}

/* ------------------------------------------------------------ memory */

cl_mem clCreateBuffer(cl_context c, cl_mem_flags f, size_t s, void *h, cl_int *e)
{
    FAIL_OBJ(clCreateBuffer, CL_MEM_OBJECT_ALLOCATION_FAILURE, e);
    return real(c, f, s, h, e);
}

cl_mem clCreateSubBuffer(cl_mem b, cl_mem_flags f, cl_buffer_create_type t, const void *i,
                         cl_int *e)
{
    FAIL_OBJ(clCreateSubBuffer, CL_OUT_OF_RESOURCES, e);
    return real(b, f, t, i, e);
}

cl_int clGetMemObjectInfo(cl_mem m, cl_mem_info w, size_t s, void *v, size_t *r)
{
    FAIL_INT(clGetMemObjectInfo, CL_OUT_OF_RESOURCES);
    return real(m, w, s, v, r);
}

cl_int clRetainMemObject(cl_mem m)
{
    FAIL_INT(clRetainMemObject, CL_OUT_OF_RESOURCES);
    return real(m);
}

cl_int clReleaseMemObject(cl_mem m) { RELEASE(clReleaseMemObject, m); }

/* ------------------------------------------------------------ programs, kernels */

cl_program clCreateProgramWithSource(cl_context c, cl_uint n, const char **s, const size_t *l,
                                     cl_int *e)
{
    FAIL_OBJ(clCreateProgramWithSource, CL_OUT_OF_HOST_MEMORY, e);
    return real(c, n, s, l, e);
}

cl_program clCreateProgramWithBinary(cl_context c, cl_uint n, const cl_device_id *d,
                                     const size_t *l, const unsigned char **b, cl_int *bs,
                                     cl_int *e)
{
    FAIL_OBJ(clCreateProgramWithBinary, CL_OUT_OF_HOST_MEMORY, e);
    return real(c, n, d, l, b, bs, e);
}

cl_int clBuildProgram(cl_program p, cl_uint n, const cl_device_id *d, const char *o,
                      void(CL_CALLBACK *cb)(cl_program, void *), void *u)
{
    FAIL_INT(clBuildProgram, CL_OUT_OF_HOST_MEMORY);
    return real(p, n, d, o, cb, u);
}

cl_int clGetProgramInfo(cl_program p, cl_program_info w, size_t s, void *v, size_t *r)
{
    FAIL_INT(clGetProgramInfo, CL_OUT_OF_HOST_MEMORY);
    return real(p, w, s, v, r);
}

cl_int clGetProgramBuildInfo(cl_program p, cl_device_id d, cl_program_build_info w, size_t s,
                             void *v, size_t *r)
{
    FAIL_INT(clGetProgramBuildInfo, CL_OUT_OF_HOST_MEMORY);
    return real(p, d, w, s, v, r);
}

cl_int clReleaseProgram(cl_program p) { RELEASE(clReleaseProgram, p); }

cl_kernel clCreateKernel(cl_program p, const char *name, cl_int *e)
{
    FAIL_OBJ(clCreateKernel, CL_OUT_OF_HOST_MEMORY, e);
    return real(p, name, e);
}

cl_int clSetKernelArg(cl_kernel k, cl_uint i, size_t s, const void *v)
{
    FAIL_INT(clSetKernelArg, CL_OUT_OF_RESOURCES);
    return real(k, i, s, v);
}

cl_int clReleaseKernel(cl_kernel k) { RELEASE(clReleaseKernel, k); }

/* ------------------------------------------------------------ commands, events */

cl_int clEnqueueWriteBuffer(cl_command_queue q, cl_mem b, cl_bool bl, size_t o, size_t s,
                            const void *p, cl_uint n, const cl_event *w, cl_event *e)
{
    FAIL_INT(clEnqueueWriteBuffer, CL_OUT_OF_RESOURCES);
    return real(q, b, bl, o, s, p, n, w, e);
}

cl_int clEnqueueReadBuffer(cl_command_queue q, cl_mem b, cl_bool bl, size_t o, size_t s, void *p,
                           cl_uint n, const cl_event *w, cl_event *e)
{
    FAIL_INT(clEnqueueReadBuffer, CL_OUT_OF_RESOURCES);
    return real(q, b, bl, o, s, p, n, w, e);
}

cl_int clEnqueueCopyBuffer(cl_command_queue q, cl_mem src, cl_mem dst, size_t so, size_t dof,
                           size_t s, cl_uint n, const cl_event *w, cl_event *e)
{
    FAIL_INT(clEnqueueCopyBuffer, CL_OUT_OF_RESOURCES);
    return real(q, src, dst, so, dof, s, n, w, e);
}

cl_int clEnqueueFillBuffer(cl_command_queue q, cl_mem b, const void *p, size_t ps, size_t o,
                           size_t s, cl_uint n, const cl_event *w, cl_event *e)
{
    FAIL_INT(clEnqueueFillBuffer, CL_OUT_OF_RESOURCES);
    return real(q, b, p, ps, o, s, n, w, e);
}

cl_int clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dim, const size_t *off,
                              const size_t *gws, const size_t *lws, cl_uint n, const cl_event *w,
                              cl_event *e)
{
    FAIL_INT(clEnqueueNDRangeKernel, CL_OUT_OF_RESOURCES);
    return real(q, k, dim, off, gws, lws, n, w, e);
}

cl_int clEnqueueMarkerWithWaitList(cl_command_queue q, cl_uint n, const cl_event *w, cl_event *e)
{
    FAIL_INT(clEnqueueMarkerWithWaitList, CL_OUT_OF_RESOURCES);
    return real(q, n, w, e);
}

cl_int clEnqueueBarrierWithWaitList(cl_command_queue q, cl_uint n, const cl_event *w, cl_event *e)
{
    FAIL_INT(clEnqueueBarrierWithWaitList, CL_OUT_OF_RESOURCES);
    return real(q, n, w, e);
}

cl_int clWaitForEvents(cl_uint n, const cl_event *w)
{
    FAIL_INT(clWaitForEvents, CL_OUT_OF_RESOURCES);
    return real(n, w);
}

cl_int clGetEventProfilingInfo(cl_event ev, cl_profiling_info w, size_t s, void *v, size_t *r)
{
    FAIL_INT(clGetEventProfilingInfo, CL_PROFILING_INFO_NOT_AVAILABLE);
    return real(ev, w, s, v, r);
}

cl_int clReleaseEvent(cl_event ev) { RELEASE(clReleaseEvent, ev); }

/* ------------------------------------------------------------ command buffers */

/* cl_khr_command_buffer's functions are reached through
 * clGetExtensionFunctionAddressForPlatform, not the loader's exports: the
 * shim hands out wrappers around the driver's (kept per name) so that
 * they fail like the others. */
static clCreateCommandBufferKHR_fn real_create_cb;
static clCommandNDRangeKernelKHR_fn real_command_nd;
static clFinalizeCommandBufferKHR_fn real_finalize_cb;
static clEnqueueCommandBufferKHR_fn real_enqueue_cb;

static cl_command_buffer_khr CL_API_CALL fault_create_cb(cl_uint nq, const cl_command_queue *q,
                                                         const cl_command_buffer_properties_khr *p,
                                                         cl_int *err)
{
    if (fault_here("clCreateCommandBufferKHR", CL_OUT_OF_RESOURCES)) {
        if (err)
            *err = CL_OUT_OF_RESOURCES;
        return NULL;
    }
    return real_create_cb(nq, q, p, err);
}

static cl_int CL_API_CALL fault_command_nd(cl_command_buffer_khr cb, cl_command_queue q,
                                           const cl_ndrange_kernel_command_properties_khr *p,
                                           cl_kernel k, cl_uint dim, const size_t *off,
                                           const size_t *gws, const size_t *lws, cl_uint ns,
                                           const cl_sync_point_khr *sw, cl_sync_point_khr *sp,
                                           cl_mutable_command_khr *h)
{
    if (fault_here("clCommandNDRangeKernelKHR", CL_OUT_OF_RESOURCES))
        return CL_OUT_OF_RESOURCES;
    return real_command_nd(cb, q, p, k, dim, off, gws, lws, ns, sw, sp, h);
}

static cl_int CL_API_CALL fault_finalize_cb(cl_command_buffer_khr cb)
{
    if (fault_here("clFinalizeCommandBufferKHR", CL_OUT_OF_RESOURCES))
        return CL_OUT_OF_RESOURCES;
    return real_finalize_cb(cb);
}

static cl_int CL_API_CALL fault_enqueue_cb(cl_uint nq, cl_command_queue *q,
                                           cl_command_buffer_khr cb, cl_uint n, const cl_event *w,
                                           cl_event *e)
{
    if (fault_here("clEnqueueCommandBufferKHR", CL_OUT_OF_RESOURCES))
        return CL_OUT_OF_RESOURCES;
    return real_enqueue_cb(nq, q, cb, n, w, e);
}

/* The wrapper for a driver's function: *real keeps the driver's, and
 * *wrapper gets `fn` as an object pointer (through memcpy, the POSIX dlsym
 * idiom the other way round). */
#define WRAP(real_fn, fn)                                 \
    do {                                                  \
        memcpy(&(real_fn), &driver, sizeof(real_fn));     \
        __typeof__(real_fn) fn_ = (fn);                   \
        memcpy(&wrapper, &fn_, sizeof wrapper);           \
    } while (0)

void *clGetExtensionFunctionAddressForPlatform(cl_platform_id p, const char *name)
{
    REAL(clGetExtensionFunctionAddressForPlatform);
    void *driver = real(p, name), *wrapper = NULL;
    if (!driver)
        return NULL;
    if (strcmp(name, "clCreateCommandBufferKHR") == 0)
        WRAP(real_create_cb, fault_create_cb);
    else if (strcmp(name, "clCommandNDRangeKernelKHR") == 0)
        WRAP(real_command_nd, fault_command_nd);
    else if (strcmp(name, "clFinalizeCommandBufferKHR") == 0)
        WRAP(real_finalize_cb, fault_finalize_cb);
    else if (strcmp(name, "clEnqueueCommandBufferKHR") == 0)
        WRAP(real_enqueue_cb, fault_enqueue_cb);
    return wrapper ? wrapper : driver;
}
