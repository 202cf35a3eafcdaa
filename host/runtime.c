/*
 * runtime.c — platforms, devices, context, queue and device capabilities.
 *
 * Devices are enumerated across every platform into one flat list of
 * clinfer_device_info; a SPEC string picks one; the runtime then owns a
 * context and one in-order, profiling-enabled queue on it. Or an embedder
 * hands in its own context, device and (in-order) queue, which the runtime
 * retains and releases, never takes over.
 */
#define _POSIX_C_SOURCE 200809L /* access() */
#include "runtime.h"

#include "clinfer_cl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "program_cache.h"
#include "tuning.h"

#define MAX_PLATFORMS 16
#ifndef CL_PLATFORM_NOT_FOUND_KHR /* cl_khr_icd: the loader found no platform */
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif
#define MAX_DEVICES_PER_PLATFORM 64

/* ------------------------------------------------------------ probing */

/* Copies a device string, truncated to fit `dst` (drivers' version strings
 * can be long); returns the query's error. */
static cl_int probe_string(cl_device_id dev, cl_device_info what, char *dst, size_t cap)
{
    size_t len = 0;
    snprintf(dst, cap, "?");
    cl_int err = clGetDeviceInfo(dev, what, 0, NULL, &len);
    if (err != CL_SUCCESS || len == 0)
        return err;
    char *full = malloc(len + 1);
    if (!full)
        return CL_OUT_OF_HOST_MEMORY;
    if ((err = clGetDeviceInfo(dev, what, len, full, NULL)) == CL_SUCCESS) {
        full[len] = '\0';
        snprintf(dst, cap, "%s", full);
    }
    free(full);
    return err;
}

static cl_int probe_u64(cl_device_id dev, cl_device_info what, uint64_t *out)
{
    cl_ulong v = 0;
    cl_int err = clGetDeviceInfo(dev, what, sizeof v, &v, NULL);
    *out = v;
    return err;
}

cl_int runtime_device_has_extension(cl_device_id dev, const char *ext, int *has)
{
    size_t len = 0;
    cl_int err = clGetDeviceInfo(dev, CL_DEVICE_EXTENSIONS, 0, NULL, &len);
    *has = 0;
    if (err != CL_SUCCESS || len == 0)
        return err;
    char *all = malloc(len + 1);
    if (!all)
        return CL_OUT_OF_HOST_MEMORY;
    int found = 0;
    if ((err = clGetDeviceInfo(dev, CL_DEVICE_EXTENSIONS, len, all, NULL)) == CL_SUCCESS) {
        all[len] = '\0';
        size_t n = strlen(ext);
        for (const char *p = strstr(all, ext); p && !found; p = strstr(p + 1, ext))
            found = (p == all || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0');
    }
    free(all);
    *has = found;
    return err;
}

static clinfer_device_type map_type(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU)
        return CLINFER_DEVICE_GPU;
    if (t & CL_DEVICE_TYPE_CPU)
        return CLINFER_DEVICE_CPU;
    if (t & CL_DEVICE_TYPE_ACCELERATOR)
        return CLINFER_DEVICE_ACCELERATOR;
    return CLINFER_DEVICE_OTHER;
}

/* Keeps the first failed query (its error and name) in *err / *failed. */
#define PROBE(call, name)                                  \
    do {                                                   \
        cl_int e_ = (call);                                \
        if (e_ != CL_SUCCESS && err == CL_SUCCESS) {       \
            err = e_;                                      \
            *failed = name;                                \
        }                                                  \
    } while (0)

/* Every value is queried; a failed query is returned (with its name in
 * *failed), never left as a zero that would pick slow kernels or report a
 * largest allocation of 0 bytes. */
static cl_int probe_device(cl_platform_id plat, cl_device_id dev, clinfer_device_info *info,
                           const char **failed)
{
    memset(info, 0, sizeof *info);
    cl_int err = CL_SUCCESS;
    cl_device_type type = 0;
    cl_uint units = 0;
    size_t wg = 0;
    PROBE(clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof type, &type, NULL),
          "clGetDeviceInfo(CL_DEVICE_TYPE)");
    PROBE(clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL),
          "clGetDeviceInfo(CL_DEVICE_MAX_COMPUTE_UNITS)");
    PROBE(clGetDeviceInfo(dev, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL),
          "clGetDeviceInfo(CL_DEVICE_MAX_WORK_GROUP_SIZE)");
    info->type = map_type(type);
    info->compute_units = units;
    info->max_work_group_size = wg;
    PROBE(probe_string(dev, CL_DEVICE_NAME, info->name, sizeof info->name),
          "clGetDeviceInfo(CL_DEVICE_NAME)");
    PROBE(probe_string(dev, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor),
          "clGetDeviceInfo(CL_DEVICE_VENDOR)");
    PROBE(probe_string(dev, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version),
          "clGetDeviceInfo(CL_DRIVER_VERSION)");
    PROBE(probe_string(dev, CL_DEVICE_VERSION, info->opencl_version, sizeof info->opencl_version),
          "clGetDeviceInfo(CL_DEVICE_VERSION)");
    PROBE(clGetPlatformInfo(plat, CL_PLATFORM_NAME, sizeof info->platform_name,
                            info->platform_name, NULL),
          "clGetPlatformInfo(CL_PLATFORM_NAME)");
    info->platform_name[sizeof info->platform_name - 1] = '\0';
    PROBE(probe_u64(dev, CL_DEVICE_GLOBAL_MEM_SIZE, &info->global_mem_bytes),
          "clGetDeviceInfo(CL_DEVICE_GLOBAL_MEM_SIZE)");
    PROBE(probe_u64(dev, CL_DEVICE_LOCAL_MEM_SIZE, &info->local_mem_bytes),
          "clGetDeviceInfo(CL_DEVICE_LOCAL_MEM_SIZE)");
    PROBE(probe_u64(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, &info->max_alloc_bytes),
          "clGetDeviceInfo(CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
    PROBE(runtime_device_has_extension(dev, "cl_khr_fp16", &info->has_fp16),
          "clGetDeviceInfo(CL_DEVICE_EXTENSIONS)");
    return err;
}
#undef PROBE

/* Calls `visit` for every device of every platform, in platform order. */
typedef void (*device_visitor)(void *ctx, cl_platform_id plat, cl_device_id dev, uint32_t p,
                               uint32_t d);

/* Returns CL_SUCCESS, or the error of the discovery call named in *failed.
 * No platform (CL_PLATFORM_NOT_FOUND_KHR: no ICD installed) and a platform
 * without devices (CL_DEVICE_NOT_FOUND) are not errors, just no devices. */
static cl_int discover_devices(device_visitor visit, void *ctx, const char **failed)
{
    cl_platform_id plats[MAX_PLATFORMS];
    cl_uint nplat = 0;
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, plats, &nplat);
    *failed = "clGetPlatformIDs";
    if (err == CL_PLATFORM_NOT_FOUND_KHR)
        return CL_SUCCESS;
    if (err != CL_SUCCESS)
        return err;
    if (nplat > MAX_PLATFORMS)
        nplat = MAX_PLATFORMS;
    *failed = "clGetDeviceIDs";
    for (cl_uint p = 0; p < nplat; p++) {
        cl_device_id devs[MAX_DEVICES_PER_PLATFORM];
        cl_uint ndev = 0;
        err = clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, devs, &ndev);
        if (err == CL_DEVICE_NOT_FOUND)
            continue;
        if (err != CL_SUCCESS)
            return err;
        if (ndev > MAX_DEVICES_PER_PLATFORM)
            ndev = MAX_DEVICES_PER_PLATFORM;
        for (cl_uint d = 0; d < ndev; d++)
            visit(ctx, plats[p], devs[d], p, d);
    }
    return CL_SUCCESS;
}

/* Threads that discover platforms at the same time, the first time in a
 * process, crash or find no device inside PoCL and the ICD loader: one
 * discovery at a time in this process. */
static pthread_mutex_t discovery_lock = PTHREAD_MUTEX_INITIALIZER;

static cl_int for_each_device(device_visitor visit, void *ctx, const char **failed)
{
    pthread_mutex_lock(&discovery_lock);
    cl_int err = discover_devices(visit, ctx, failed);
    pthread_mutex_unlock(&discovery_lock);
    return err;
}

typedef struct device_collector {
    clinfer_device_info *out;
    size_t capacity;
    size_t count;
    cl_int err; /* the first failed probe, named by failed */
    const char *failed;
} device_collector;

static void collect_device(void *ctx, cl_platform_id plat, cl_device_id dev, uint32_t p,
                           uint32_t d)
{
    device_collector *c = ctx;
    if (c->count < c->capacity) {
        const char *failed = NULL;
        cl_int err = probe_device(plat, dev, &c->out[c->count], &failed);
        if (err != CL_SUCCESS && c->err == CL_SUCCESS) {
            c->err = err;
            c->failed = failed;
        }
        c->out[c->count].platform_index = p;
        c->out[c->count].device_index = d;
    }
    c->count++;
}

static size_t default_device_index(const clinfer_device_info *devices, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (devices[i].type == CLINFER_DEVICE_GPU)
            return i;
    return 0;
}

/* Collects every device into a fresh array; *out is NULL when there is none. */
static clinfer_status collect_all_devices(clinfer_device_info **out, size_t *count)
{
    device_collector probe_count = {NULL, 0, 0, CL_SUCCESS, NULL};
    const char *failed = NULL;
    cl_int err = for_each_device(collect_device, &probe_count, &failed);
    *out = NULL;
    *count = 0;
    if (err != CL_SUCCESS)
        return err_cl(NULL, err, failed);
    if (probe_count.count == 0)
        return CLINFER_OK;
    device_collector c = {calloc(probe_count.count, sizeof *c.out), probe_count.count, 0,
                          CL_SUCCESS, NULL};
    if (!c.out)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate the device list");
    if ((err = for_each_device(collect_device, &c, &failed)) != CL_SUCCESS || c.err != CL_SUCCESS) {
        free(c.out);
        return err != CL_SUCCESS ? err_cl(NULL, err, failed) : err_cl(NULL, c.err, c.failed);
    }
    *count = c.count < c.capacity ? c.count : c.capacity;
    (*out) = c.out;
    if (*count > 0)
        c.out[default_device_index(c.out, *count)].is_default = 1;
    return CLINFER_OK;
}

clinfer_status clinfer_device_list(clinfer_device_info *out, size_t capacity, size_t *count)
{
    if (!count || (capacity > 0 && !out))
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_device_list: count is NULL, or out is NULL with capacity > 0");
    clinfer_device_info *all = NULL;
    size_t n = 0;
    clinfer_status st = collect_all_devices(&all, &n);
    if (st != CLINFER_OK)
        return st;
    if (capacity > n)
        capacity = n;
    if (capacity > 0)
        memcpy(out, all, capacity * sizeof *all);
    *count = n;
    free(all);
    return CLINFER_OK;
}

const char *clinfer_device_type_str(clinfer_device_type type)
{
    switch (type) {
    case CLINFER_DEVICE_CPU:
        return "cpu";
    case CLINFER_DEVICE_GPU:
        return "gpu";
    case CLINFER_DEVICE_ACCELERATOR:
        return "accelerator";
    case CLINFER_DEVICE_OTHER:
        break;
    }
    return "other";
}

/* ------------------------------------------------------------ selection */

static int contains_ignoring_case(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++) {
        size_t i = 0;
        while (i < n && haystack[i] &&
               tolower((unsigned char)haystack[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

/* Parses "P:D" strictly (digits only); returns 1 on success. */
static int parse_index_pair(const char *spec, unsigned long *p, unsigned long *d)
{
    char *end = NULL;
    if (!isdigit((unsigned char)spec[0]))
        return 0;
    *p = strtoul(spec, &end, 10);
    if (*end != ':' || !isdigit((unsigned char)end[1]))
        return 0;
    *d = strtoul(end + 1, &end, 10);
    return *end == '\0';
}

static clinfer_status no_such_device(const char *spec, const clinfer_device_info *devices,
                                     size_t count)
{
    char list[CLINFER_ERRMSG_MAX - 128];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < count && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "\n  %u:%u  %-5s %s",
                         devices[i].platform_index, devices[i].device_index,
                         clinfer_device_type_str(devices[i].type), devices[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (count == 0) {
        char hint[CLINFER_ERRMSG_MAX / 2];
        runtime_no_device_hint(hint, sizeof hint);
        return err_set(NULL, CLINFER_ERR_DEVICE_NOT_FOUND, "none at all: %s", hint);
    }
    /* clinfer_status_str says "no matching OpenCL device" already. */
    return err_set(NULL, CLINFER_ERR_DEVICE_NOT_FOUND,
                   "\"%s\" names none of the available devices:%s", spec, list);
}

/* 0 when a file can be created in dir (tried, not guessed from the mode
 * bits: root passes access(W_OK) on /proc, where nothing can be created);
 * else the errno. */
static int dir_unwritable(const char *dir)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/.clinfer-probe-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return ENAMETOOLONG;
    int fd = mkstemp(path);
    if (fd < 0)
        return errno;
    close(fd);
    unlink(path);
    return 0;
}

void runtime_no_device_hint(char *buf, size_t cap)
{
    const char *pocl = getenv("POCL_CACHE_DIR"), *home = getenv("HOME");
    const int own = pocl && pocl[0];
    const char *dir = own ? pocl : home;
    int err = dir && dir[0] ? dir_unwritable(dir) : 0;
    if (!dir || !dir[0])
        snprintf(buf, cap, "if the driver is PoCL, it needs a writable cache folder and HOME is "
                           "not set; set POCL_CACHE_DIR to a writable folder");
    else if (err)
        snprintf(buf, cap, "if the driver is PoCL, it needs a writable cache folder and %s=%s is "
                           "not writable (%s); set POCL_CACHE_DIR to a writable folder",
                 own ? "POCL_CACHE_DIR" : "HOME", dir, strerror(err));
    else
        snprintf(buf, cap, "is an OpenCL driver (ICD) installed? (on Debian: pocl-opencl-icd "
                           "for the CPU)");
}

clinfer_status device_select(const char *spec, const clinfer_device_info *devices, size_t count,
                             size_t *chosen)
{
    if (count == 0)
        return no_such_device(spec ? spec : "(default)", devices, count);
    if (!spec || !spec[0]) {
        *chosen = default_device_index(devices, count);
        return CLINFER_OK;
    }
    clinfer_device_type want = CLINFER_DEVICE_OTHER;
    if (strcmp(spec, "gpu") == 0 || strcmp(spec, "GPU") == 0)
        want = CLINFER_DEVICE_GPU;
    else if (strcmp(spec, "cpu") == 0 || strcmp(spec, "CPU") == 0)
        want = CLINFER_DEVICE_CPU;
    unsigned long p = 0, d = 0;
    int by_index = parse_index_pair(spec, &p, &d);
    for (size_t i = 0; i < count; i++) {
        int match = want != CLINFER_DEVICE_OTHER ? devices[i].type == want
                    : by_index ? devices[i].platform_index == p && devices[i].device_index == d
                               : contains_ignoring_case(devices[i].name, spec);
        if (match) {
            *chosen = i;
            return CLINFER_OK;
        }
    }
    return no_such_device(spec, devices, count);
}

/* ------------------------------------------------------------ runtime */

clinfer_runtime_options clinfer_runtime_options_default(void)
{
    clinfer_runtime_options o;
    memset(&o, 0, sizeof o);
    o.log_level = CLINFER_LOG_INFO;
    return o;
}

/* Finds the cl_device_id and platform behind entry (p, d). */
typedef struct device_finder {
    uint32_t p, d;
    cl_platform_id plat;
    cl_device_id dev;
} device_finder;

static void find_device(void *ctx, cl_platform_id plat, cl_device_id dev, uint32_t p, uint32_t d)
{
    device_finder *f = ctx;
    if (p == f->p && d == f->d) {
        f->plat = plat;
        f->dev = dev;
    }
}

/* Records whether the runtime's queue profiles; a failed query is an
 * error, not a queue that silently never profiles. */
static clinfer_status note_queue_properties(clinfer_runtime *rt)
{
    cl_command_queue_properties props = 0;
    cl_int err = clGetCommandQueueInfo(rt->queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    rt->queue_profiling = (props & CL_QUEUE_PROFILING_ENABLE) != 0;
    return err == CL_SUCCESS ? CLINFER_OK
                             : err_cl(rt, err, "clGetCommandQueueInfo(CL_QUEUE_PROPERTIES)");
}

static clinfer_status open_device(clinfer_runtime *rt, const clinfer_device_info *info)
{
    device_finder f = {info->platform_index, info->device_index, NULL, NULL};
    const char *failed = NULL;
    cl_int found = for_each_device(find_device, &f, &failed);
    if (found != CL_SUCCESS)
        return err_cl(rt, found, failed);
    if (!f.dev)
        return err_set(rt, CLINFER_ERR_DEVICE_NOT_FOUND, "device %u:%u disappeared",
                       info->platform_index, info->device_index);
    rt->platform = f.plat;
    rt->device = f.dev;
    rt->info = *info;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)f.plat, 0};
    cl_int err = CL_SUCCESS;
    rt->context = clCreateContext(props, 1, &f.dev, NULL, NULL, &err);
    if (!rt->context)
        return err_cl(rt, err, "clCreateContext");
    rt->queue = clCreateCommandQueue(rt->context, f.dev, CL_QUEUE_PROFILING_ENABLE, &err);
    if (!rt->queue)
        return err_cl(rt, err, "clCreateCommandQueue");
    return note_queue_properties(rt);
}

/* Takes over `config`. */
static clinfer_runtime *runtime_alloc(const clinfer_runtime_options *opts, runtime_config *config)
{
    clinfer_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) {
        runtime_config_free(config);
        return NULL;
    }
    pthread_mutex_init(&rt->errmsg_lock, NULL);
    rt->log = opts->log;
    rt->log_user_data = opts->log_user_data;
    rt->log_level = opts->log_level;
    rt->config = *config;
    return rt;
}

/* The device's native float vector width; a failed query is not an error
 * (it only sizes tiles), it reads as 1. */
static uint32_t probe_float_vector_width(cl_device_id dev)
{
    cl_uint width = 0;
    if (clGetDeviceInfo(dev, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof width, &width, NULL) !=
            CL_SUCCESS ||
        width == 0)
        width = 1;
    return width;
}

/* After the device is open (st): the program cache, then *out or cleanup. */
static clinfer_status runtime_finish(clinfer_runtime *rt, clinfer_status st,
                                     clinfer_runtime **out)
{
    if (st == CLINFER_OK && rt_half_math(rt) && !rt->info.has_fp16)
        st = err_set(rt, CLINFER_ERR_UNSUPPORTED,
                     "precision fp16-math needs half arithmetic (cl_khr_fp16), which device %s "
                     "(%s) does not report; fp16 (half storage, float arithmetic) runs on every "
                     "device",
                     rt->info.name, rt->info.platform_name);
    if (st == CLINFER_OK)
        rt->float_vector_width = probe_float_vector_width(rt->device);
    if (st == CLINFER_OK)
        st = program_cache_create(rt, rt->config.cache_dir, rt->config.disk_cache,
                                  &rt->programs);
    if (st == CLINFER_OK)
        st = tuning_store_create(rt, clinfer_runtime_cache_dir(rt), &rt->tuning);
    if (st != CLINFER_OK) {
        clinfer_runtime_free(rt);
        return st;
    }
    rt_log(rt, CLINFER_LOG_INFO, "device %u:%u %s (%s)%s", rt->info.platform_index,
           rt->info.device_index, rt->info.name, rt->info.platform_name,
           rt->external_queue ? ", on the caller's context and queue" : "");
    *out = rt;
    return CLINFER_OK;
}

clinfer_status clinfer_runtime_create(const clinfer_runtime_options *options,
                                      clinfer_runtime **out)
{
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_runtime_create: out is NULL");
    *out = NULL;
    clinfer_runtime_options opts = options ? *options : clinfer_runtime_options_default();
    runtime_config config;
    clinfer_status st = runtime_config_parse(&opts, &config);
    if (st != CLINFER_OK)
        return st;

    clinfer_device_info *devices = NULL;
    size_t count = 0, chosen = 0;
    st = collect_all_devices(&devices, &count);
    if (st == CLINFER_OK)
        st = device_select(config.device_spec, devices, count, &chosen);
    if (st != CLINFER_OK) {
        free(devices);
        runtime_config_free(&config);
        return st;
    }
    clinfer_runtime *rt = runtime_alloc(&opts, &config);
    if (!rt) {
        free(devices);
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate the runtime");
    }
    st = open_device(rt, &devices[chosen]);
    free(devices);
    return runtime_finish(rt, st, out);
}

/* ------------------------------------------------------------ interop */

/* Is `dev` one of the devices of `ctx`? */
static clinfer_status check_context_device(cl_context ctx, cl_device_id dev)
{
    size_t bytes = 0;
    cl_int err = clGetContextInfo(ctx, CL_CONTEXT_DEVICES, 0, NULL, &bytes);
    if (err != CL_SUCCESS)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the context is not valid: "
                       "clGetContextInfo(CL_CONTEXT_DEVICES) failed: %s (%d)",
                       cl_error_name(err), (int)err);
    size_t n = bytes / sizeof(cl_device_id);
    cl_device_id *devs = malloc(bytes ? bytes : 1);
    if (!devs)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    int found = 0;
    if (clGetContextInfo(ctx, CL_CONTEXT_DEVICES, bytes, devs, NULL) == CL_SUCCESS)
        for (size_t i = 0; i < n; i++)
            found |= devs[i] == dev;
    free(devs);
    if (!found)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the device is not one of the %zu "
                       "device(s) of the context", n);
    return CLINFER_OK;
}

/* The caller's queue must belong to (ctx, dev) and execute in order. */
static clinfer_status check_queue(cl_command_queue q, cl_context ctx, cl_device_id dev)
{
    cl_context qctx = NULL;
    cl_device_id qdev = NULL;
    cl_command_queue_properties props = 0;
    cl_int err = clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof qctx, &qctx, NULL);
    if (err == CL_SUCCESS)
        err = clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof qdev, &qdev, NULL);
    if (err == CL_SUCCESS)
        err = clGetCommandQueueInfo(q, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (err != CL_SUCCESS)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the command queue is not valid: "
                       "clGetCommandQueueInfo failed: %s (%d)", cl_error_name(err), (int)err);
    if (qctx != ctx)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the command queue belongs to another "
                       "context than the one given");
    if (qdev != dev)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the command queue belongs to another "
                       "device than the one given");
    if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the command queue executes out of order "
                       "(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE); clinfer needs an in-order "
                       "queue: create one without that property, or pass NULL to let the "
                       "runtime create its own");
    return CLINFER_OK;
}

/* Finds the (platform, device) indices of `dev` in the flat device list. */
typedef struct device_indexer {
    cl_device_id dev;
    uint32_t p, d;
    int found;
} device_indexer;

static void index_device(void *ctx, cl_platform_id plat, cl_device_id dev, uint32_t p,
                         uint32_t d)
{
    (void)plat;
    device_indexer *x = ctx;
    if (dev == x->dev && !x->found) {
        x->p = p;
        x->d = d;
        x->found = 1;
    }
}

clinfer_status clinfer_runtime_create_from_cl(cl_context context, cl_device_id device,
                                              cl_command_queue queue,
                                              const clinfer_runtime_options *options,
                                              clinfer_runtime **out)
{
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: out is NULL");
    *out = NULL;
    if (!context || !device)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_create_from_cl: the %s is NULL",
                       context ? "device" : "context");
    clinfer_status st = check_context_device(context, device);
    if (st == CLINFER_OK && queue)
        st = check_queue(queue, context, device);
    cl_platform_id plat = NULL;
    cl_int err = CL_SUCCESS;
    if (st == CLINFER_OK &&
        (err = clGetDeviceInfo(device, CL_DEVICE_PLATFORM, sizeof plat, &plat, NULL)) !=
            CL_SUCCESS)
        st = err_cl(NULL, err, "clGetDeviceInfo(CL_DEVICE_PLATFORM)");
    if (st != CLINFER_OK)
        return st;

    clinfer_runtime_options opts = options ? *options : clinfer_runtime_options_default();
    runtime_config config;
    if ((st = runtime_config_parse(&opts, &config)) != CLINFER_OK)
        return st;
    clinfer_runtime *rt = runtime_alloc(&opts, &config);
    if (!rt)
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate the runtime");
    /* Retained, never taken over: clinfer_runtime_free releases exactly
     * these references and the caller keeps its own. */
    rt->platform = plat;
    rt->context = context;
    clRetainContext(context);
    rt->device = device;
    rt->retained_device = clRetainDevice(device) == CL_SUCCESS;
    if (queue) {
        rt->queue = queue;
        rt->external_queue = 1;
        clRetainCommandQueue(queue);
    } else {
        rt->queue = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, &err);
        if (!rt->queue)
            st = err_cl(rt, err, "clCreateCommandQueue");
    }
    if (st == CLINFER_OK && (st = note_queue_properties(rt)) == CLINFER_OK) {
        const char *failed = NULL;
        device_indexer x = {device, UINT32_MAX, UINT32_MAX, 0};
        if ((err = probe_device(plat, device, &rt->info, &failed)) != CL_SUCCESS ||
            (err = for_each_device(index_device, &x, &failed)) != CL_SUCCESS)
            st = err_cl(rt, err, failed);
        rt->info.platform_index = x.p;
        rt->info.device_index = x.d;
    }
    return runtime_finish(rt, st, out);
}

cl_context clinfer_runtime_cl_context(const clinfer_runtime *rt) { return rt ? rt->context : NULL; }
cl_device_id clinfer_runtime_cl_device(const clinfer_runtime *rt) { return rt ? rt->device : NULL; }
cl_command_queue clinfer_runtime_cl_queue(const clinfer_runtime *rt)
{
    return rt ? rt->queue : NULL;
}

/* ------------------------------------------------------------ lifetime */

void clinfer_runtime_free(clinfer_runtime *rt)
{
    if (!rt)
        return;
    if (rt->queue)
        clFinish(rt->queue);
    program_cache_free(rt->programs);
    tuning_store_free(rt->tuning);
    if (rt->queue)
        clReleaseCommandQueue(rt->queue);
    if (rt->context)
        clReleaseContext(rt->context);
    if (rt->retained_device)
        clReleaseDevice(rt->device);
    runtime_config_free(&rt->config);
    pthread_mutex_destroy(&rt->errmsg_lock);
    free(rt);
}

clinfer_precision clinfer_runtime_precision(const clinfer_runtime *rt)
{
    return rt ? rt->config.precision : CLINFER_PRECISION_FP32;
}

const clinfer_device_info *clinfer_runtime_device(const clinfer_runtime *rt)
{
    return rt ? &rt->info : NULL;
}

const char *clinfer_version(void) { return CLINFER_VERSION_STRING; }
