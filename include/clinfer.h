/*
 * clinfer.h — the public API of clinfer, an OpenCL inference engine for CNNs.
 *
 * This header is the only one an embedder includes; its comments are the API
 * documentation.
 *
 * Conventions
 *  - Every fallible call returns clinfer_status: CLINFER_OK (0) on success, a
 *    negative value on failure. clinfer_status_str() names a status.
 *  - A failing call also records a message that says what was wrong (the
 *    argument, the OpenCL call and its cl_int, the first lines of a build
 *    log, ...). clinfer_last_errmsg() returns the message of the last failing
 *    call made on the calling thread; clinfer_runtime_errmsg() returns the
 *    last message recorded on a runtime.
 *  - Whoever calls a _create function calls the matching _free; _free(NULL)
 *    is a no-op; on failure the output handle is set to NULL.
 *  - The library never prints, exits or aborts; diagnostics go to the
 *    optional log callback of clinfer_runtime_options.
 *
 * Threads
 *  - clinfer_device_list, clinfer_status_str and clinfer_last_errmsg may be
 *    called from any thread.
 *  - A clinfer_runtime may be shared by several threads: building and caching
 *    programs is serialised inside it. Its queue is one in-order queue.
 */
#ifndef CLINFER_H
#define CLINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CLINFER_BUILDING_LIBRARY) && defined(__GNUC__)
#define CLINFER_API __attribute__((visibility("default")))
#else
#define CLINFER_API
#endif

/* ---------------------------------------------------------------- status */

/* X(name, value, description): one table makes the enum and the strings. */
#define CLINFER_STATUS_TABLE(X)                                                  \
    X(CLINFER_OK, 0, "success")                                                  \
    X(CLINFER_ERR_INVALID_ARGUMENT, -1, "invalid argument")                      \
    X(CLINFER_ERR_OUT_OF_HOST_MEMORY, -2, "out of host memory")                  \
    X(CLINFER_ERR_OPENCL, -3, "an OpenCL call failed")                           \
    X(CLINFER_ERR_DEVICE_NOT_FOUND, -4, "no matching OpenCL device")             \
    X(CLINFER_ERR_BUILD_FAILED, -5, "an OpenCL program failed to build")         \
    X(CLINFER_ERR_DEVICE_OUT_OF_MEMORY, -6, "out of device memory or resources") \
    X(CLINFER_ERR_IO, -7, "file input/output failed")                            \
    X(CLINFER_ERR_UNSUPPORTED, -8, "unsupported operation or attribute")         \
    X(CLINFER_ERR_INVALID_MODEL, -9, "malformed model")                          \
    X(CLINFER_ERR_SHAPE, -10, "tensor shapes do not match")

#define CLINFER_STATUS_ENUM_ENTRY(name, value, text) name = value,
typedef enum clinfer_status { CLINFER_STATUS_TABLE(CLINFER_STATUS_ENUM_ENTRY) } clinfer_status;
#undef CLINFER_STATUS_ENUM_ENTRY

/* A static string describing the status ("unknown status" for other values). */
CLINFER_API const char *clinfer_status_str(clinfer_status status);

/* The message of the last failing call on this thread ("" if none yet).
 * The pointer stays valid until the next failing call on this thread. */
CLINFER_API const char *clinfer_last_errmsg(void);

/* ---------------------------------------------------------------- shapes */

#define CLINFER_MAX_RANK 8

/* A tensor shape, outermost dimension first (NCHW for images). */
typedef struct clinfer_shape {
    int32_t rank;
    int64_t dims[CLINFER_MAX_RANK];
} clinfer_shape;

/* --------------------------------------------------------------- devices */

typedef enum clinfer_device_type {
    CLINFER_DEVICE_OTHER = 0,
    CLINFER_DEVICE_CPU = 1,
    CLINFER_DEVICE_GPU = 2,
    CLINFER_DEVICE_ACCELERATOR = 3
} clinfer_device_type;

/* What a device is and can do; probed once when a runtime is created. */
typedef struct clinfer_device_info {
    uint32_t platform_index;
    uint32_t device_index;
    clinfer_device_type type;
    char name[128];
    char vendor[128];
    char platform_name[128];
    char driver_version[64];
    char opencl_version[64];
    uint32_t compute_units;
    uint64_t global_mem_bytes;
    uint64_t local_mem_bytes;
    uint64_t max_alloc_bytes;
    size_t max_work_group_size;
    int has_fp16; /* cl_khr_fp16 is supported */
    int is_default; /* the device chosen when no SPEC is given */
} clinfer_device_info;

/* Lists every device of every platform. Writes at most `capacity` entries to
 * `out` (which may be NULL when capacity is 0) and the total number of
 * devices to *count. Not finding any platform is not an error: *count is 0. */
CLINFER_API clinfer_status clinfer_device_list(clinfer_device_info *out, size_t capacity,
                                               size_t *count);

/* A printable name of a device type ("cpu", "gpu", "accelerator", "other"). */
CLINFER_API const char *clinfer_device_type_str(clinfer_device_type type);

/* --------------------------------------------------------------- runtime */

typedef struct clinfer_runtime clinfer_runtime;

typedef enum clinfer_log_level {
    CLINFER_LOG_DEBUG = 0,
    CLINFER_LOG_INFO = 1,
    CLINFER_LOG_WARNING = 2,
    CLINFER_LOG_ERROR = 3
} clinfer_log_level;

/* Called from the thread that made the call; `message` is valid only during
 * the callback. */
typedef void (*clinfer_log_fn)(void *user_data, clinfer_log_level level, const char *message);

typedef struct clinfer_runtime_options {
    /* Which device: "gpu", "cpu", "P:D" (platform and device index), or a
     * case-insensitive substring of the device name. NULL: the environment
     * variable CLINFER_DEVICE, else the first GPU, else the first device.
     * Borrowed during clinfer_runtime_create only. */
    const char *device_spec;
    /* Directory of the on-disk program cache. NULL: $CLINFER_CACHE_DIR, else
     * $XDG_CACHE_HOME/clinfer, else $HOME/.cache/clinfer. Copied. */
    const char *cache_dir;
    /* Non-zero: never read or write the on-disk cache. The environment
     * variable CLINFER_CACHE=0 (or "off") does the same. */
    int disable_disk_cache;
    clinfer_log_fn log;   /* optional */
    void *log_user_data;  /* passed to log */
    clinfer_log_level log_level; /* messages below this level are not sent */
} clinfer_runtime_options;

/* Defaults: the fields above as NULL / 0, log_level CLINFER_LOG_INFO. */
CLINFER_API clinfer_runtime_options clinfer_runtime_options_default(void);

/* Chooses a device, creates a context and one in-order command queue with
 * profiling enabled, and probes the device's capabilities. `options` may be
 * NULL for the defaults. An unknown device SPEC fails with
 * CLINFER_ERR_DEVICE_NOT_FOUND and a message that lists the devices. */
CLINFER_API clinfer_status clinfer_runtime_create(const clinfer_runtime_options *options,
                                                  clinfer_runtime **out);

/* Waits for queued work, then releases everything the runtime holds. */
CLINFER_API void clinfer_runtime_free(clinfer_runtime *runtime);

/* The chosen device. The pointer lives as long as the runtime. */
CLINFER_API const clinfer_device_info *clinfer_runtime_device(const clinfer_runtime *runtime);

/* The last error message recorded on this runtime ("" if none). When
 * several threads share a runtime, prefer clinfer_last_errmsg(). */
CLINFER_API const char *clinfer_runtime_errmsg(const clinfer_runtime *runtime);

/* The directory used for the on-disk program cache, or NULL if disabled. */
CLINFER_API const char *clinfer_runtime_cache_dir(const clinfer_runtime *runtime);

/* Counters of the program cache, for tests and the CLI. */
typedef struct clinfer_cache_stats {
    uint32_t memory_hits;  /* program already built in this runtime */
    uint32_t disk_hits;    /* program built from a cached binary */
    uint32_t disk_rejects; /* cached file found but corrupt or stale: rebuilt */
    uint32_t source_builds; /* program compiled from source */
} clinfer_cache_stats;

CLINFER_API clinfer_cache_stats clinfer_runtime_cache_stats(const clinfer_runtime *runtime);

#ifdef __cplusplus
}
#endif

#endif /* CLINFER_H */
