/*
 * runtime.h — the runtime handle: the chosen device, its context and queue,
 * its probed capabilities, its program cache and tuning store. Internal to the library.
 */
#ifndef CLINFER_RUNTIME_H
#define CLINFER_RUNTIME_H

#include <pthread.h>

#include "cl.h"
#include "clinfer.h"
#include "config.h"
#include "error.h"

typedef struct program_cache program_cache;
typedef struct tuning_store tuning_store;

/* Everything but errmsg is written once, while the runtime is created, and
 * only read afterwards, so threads share a runtime without locking it. */
struct clinfer_runtime {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue; /* in-order; the caller's or our own */
    int queue_profiling;    /* queue has CL_QUEUE_PROFILING_ENABLE */
    int external_queue;     /* queue was handed in (clinfer_runtime_create_from_cl) */
    int retained_device;    /* device was retained and is released on free */
    clinfer_device_info info;
    /* CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT (1 when the device does not say):
     * on PoCL 16 with AVX-512, 8 with AVX2, which sizes the cpu GEMM tiles */
    uint32_t float_vector_width;
    program_cache *programs;
    tuning_store *tuning; /* tuning.h */
    clinfer_log_fn log;
    void *log_user_data;
    clinfer_log_level log_level;
    runtime_config config; /* options and environment, read once (config.h) */
    /* The last message recorded on the runtime, from any thread: written
     * and read only under errmsg_lock (see error.c). */
    pthread_mutex_t errmsg_lock;
    char errmsg[CLINFER_ERRMSG_MAX];
};

/* Does the runtime store half (CLINFER_PRECISION_FP16 and _FP16_MATH)? */
static inline int rt_is_half(const clinfer_runtime *rt)
{
    return rt->config.precision == CLINFER_PRECISION_FP16 ||
           rt->config.precision == CLINFER_PRECISION_FP16_MATH;
}

/* Does it also compute in half where kernels can (CLINFER_PRECISION_FP16_MATH)? */
static inline int rt_half_math(const clinfer_runtime *rt)
{
    return rt->config.precision == CLINFER_PRECISION_FP16_MATH;
}

/* Bytes of one tensor element on the device: 2 when the runtime stores
 * half, else 4. Every device tensor, packed weight and scratch buffer of
 * float data uses it; __local tiles and int tables do not. */
static inline size_t rt_elem_bytes(const clinfer_runtime *rt)
{
    return rt_is_half(rt) ? 2 : 4;
}

/* Picks the device that `spec` names among `devices` (see
 * clinfer_runtime_options.device_spec; NULL or "" means the default).
 * Returns CLINFER_ERR_DEVICE_NOT_FOUND, with the list of devices in the
 * message, when nothing matches. */
clinfer_status device_select(const char *spec, const clinfer_device_info *devices, size_t count,
                             size_t *chosen);

/* Why no OpenCL device was found, as the end of a message: PoCL, the CPU
 * driver on Debian, lists no device when it cannot write its kernel cache
 * ($POCL_CACHE_DIR, else under $HOME), as for a user whose HOME is not
 * writable; else the likely cause is that no driver (ICD) is installed. */
void runtime_no_device_hint(char *buf, size_t cap);

/* Whether dev lists extension `ext` (a whole name) in *has; the query's
 * error otherwise. */
cl_int runtime_device_has_extension(cl_device_id dev, const char *ext, int *has);

#endif
