/*
 * program_cache.c — build each OpenCL program once per runtime, and keep its
 * binary on disk so the next process skips the compiler.
 *
 * On-disk entry: <dir>/<key hash>.bin, written to a temporary file and
 * renamed into place (atomic on POSIX). The file carries the full key text
 * and a checksum of the binary; anything that does not match — truncation,
 * flipped bytes, a different driver — is rejected and rebuilt from source,
 * never handed to the driver blindly.
 *
 * An entry with an empty binary is a record that the program was built
 * before, kept where fetching the binary costs more than rebuilding
 * (PoCL: clinfer_runtime_options.binaries): the program is built from
 * source again, which PoCL's own kernel cache answers without compiling.
 */
#define _POSIX_C_SOURCE 200809L
#include "program_cache.h"
#include "ops/launch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel_sources.h"
#include "program_marker.h"
#include "safe_file.h"

#define CACHE_MAGIC "CLINFBIN"
#define CACHE_FORMAT 1u
#define BUILD_LOG_LINES 20
/* Larger files are refused unread: no entry gets near. */
#define CACHE_FILE_MAX (((size_t)1 << 31) + ((size_t)1 << 20))

typedef struct cached_program {
    uint64_t source_hash;
    char *options;
    cl_program program;
} cached_program;

struct program_cache {
    pthread_mutex_t lock;
    char *dir; /* NULL: memory only */
    char platform_version[256];
    cached_program *entries;
    size_t count, capacity;
    clinfer_cache_stats stats;
};

/* Fixed-size header of a cache file; the key text and the binary follow. */
typedef struct cache_header {
    char magic[8];
    uint32_t format;
    uint32_t key_len;
    uint64_t payload_len;
    uint64_t payload_checksum;
} cache_header;

uint64_t fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* ------------------------------------------------------------ directory */

/* mkdir -p; returns 0 on success. */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return (mkdir(buf, 0755) == 0 || errno == EEXIST) ? 0 : -1;
}

clinfer_status program_cache_create(clinfer_runtime *rt, const char *dir, int use_disk,
                                    program_cache **out)
{
    program_cache *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate the program cache");
    pthread_mutex_init(&c->lock, NULL);
    cl_int err = clGetPlatformInfo(rt->platform, CL_PLATFORM_VERSION, sizeof c->platform_version,
                                   c->platform_version, NULL);
    c->platform_version[sizeof c->platform_version - 1] = '\0';
    if (err != CL_SUCCESS && use_disk) { /* entries would be keyed on a wrong version */
        rt_log(rt, CLINFER_LOG_WARNING,
               "program cache: clGetPlatformInfo(CL_PLATFORM_VERSION) failed: %s (%d); memory only",
               cl_error_name(err), (int)err);
        use_disk = 0;
    }
    if (use_disk) {
        c->dir = dir ? strdup(dir) : NULL;
        if (c->dir && make_dirs(c->dir) != 0) {
            rt_log(rt, CLINFER_LOG_WARNING, "program cache: cannot create %s (%s); memory only",
                   c->dir, strerror(errno));
            free(c->dir);
            c->dir = NULL;
        }
    }
    *out = c;
    return CLINFER_OK;
}

void program_cache_free(program_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        clReleaseProgram(c->entries[i].program);
        free(c->entries[i].options);
    }
    free(c->entries);
    free(c->dir);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

const char *clinfer_runtime_cache_dir(const clinfer_runtime *rt)
{
    return rt && rt->programs ? rt->programs->dir : NULL;
}

clinfer_cache_stats clinfer_runtime_cache_stats(const clinfer_runtime *rt)
{
    clinfer_cache_stats s;
    memset(&s, 0, sizeof s);
    if (rt && rt->programs) {
        pthread_mutex_lock(&rt->programs->lock);
        s = rt->programs->stats;
        pthread_mutex_unlock(&rt->programs->lock);
    }
    return s;
}

/* ------------------------------------------------------------ disk entries */

/* The text that identifies a binary: everything that changes the compiler's
 * output. Stored in the file too, so a hash collision cannot slip through. */
static char *make_disk_key(const clinfer_runtime *rt, const program_cache *c,
                           uint64_t source_hash, const char *options)
{
    size_t len = strlen(options) + sizeof rt->info.name + sizeof rt->info.driver_version +
                 sizeof c->platform_version + 96;
    char *key = malloc(len);
    if (key)
        /* programs=2: with a marker kernel (program_marker.h); older entries
         * have other paths and are never read, nor reported as rejected */
        snprintf(key, len,
                 "programs=2\nsource=%016llx\noptions=%s\ndevice=%s\ndriver=%s\nplatform=%s\n",
                 (unsigned long long)source_hash, options, rt->info.name,
                 rt->info.driver_version, c->platform_version);
    return key;
}

static void disk_path(const program_cache *c, const char *key, char *path, size_t cap)
{
    unsigned long long h = fnv1a64(FNV64_OFFSET, key, strlen(key));
    snprintf(path, cap, "%s/%016llx.bin", c->dir, h);
}

/* Reads a cache file and checks it against `key`; returns the binary (caller
 * frees) or NULL with a reason for the log. */
static unsigned char *disk_read(const char *path, const char *key, size_t *len,
                                const char **why)
{
    FILE *f = safe_fopen_read(path, CACHE_FILE_MAX, why);
    if (!f)
        return NULL;
    cache_header h;
    size_t key_len = strlen(key);
    unsigned char *payload = NULL;
    char *stored_key = NULL;
    *why = "truncated header";
    if (fread(&h, sizeof h, 1, f) != 1)
        goto done;
    *why = "bad magic or format";
    if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.format != CACHE_FORMAT)
        goto done;
    *why = "key mismatch (stale entry)";
    if (h.key_len != key_len || !(stored_key = malloc(key_len)) ||
        fread(stored_key, 1, key_len, f) != key_len || memcmp(stored_key, key, key_len) != 0)
        goto done;
    *why = "implausible length";
    if (h.payload_len > ((uint64_t)1 << 31))
        goto done;
    payload = malloc(h.payload_len ? (size_t)h.payload_len : 1); /* 0: a build record */
    *why = "truncated binary";
    if (!payload || fread(payload, 1, (size_t)h.payload_len, f) != h.payload_len) {
        free(payload);
        payload = NULL;
        goto done;
    }
    int checksum_ok = fnv1a64(FNV64_OFFSET, payload, (size_t)h.payload_len) == h.payload_checksum;
    *why = checksum_ok ? "trailing bytes" : "checksum mismatch";
    if (!checksum_ok || fgetc(f) != EOF) {
        free(payload);
        payload = NULL;
        goto done;
    }
    *len = (size_t)h.payload_len;
    *why = NULL;
done:
    free(stored_key);
    fclose(f);
    return payload;
}

/* program_cache_set_progress: per thread, as sessions are created on any. */
static _Thread_local int32_t progress_at, progress_of;

void program_cache_set_progress(int32_t at, int32_t of)
{
    progress_at = at;
    progress_of = of;
}

/* Numbers the temporary files of this process: two runtimes of one process
 * (each with its own lock) may store the same entry at the same time. */
static atomic_uint temp_counter;

/* Writes the entry to a temporary file and renames it into place, so that a
 * reader never sees half a file. Failure is only logged. */
static void disk_write(const clinfer_runtime *rt, const char *path, const char *key,
                       const unsigned char *bin, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u", path, (long)getpid(),
             atomic_fetch_add(&temp_counter, 1u));
    FILE *f = safe_fopen_write(tmp);
    if (!f) {
        rt_log(rt, CLINFER_LOG_WARNING, "program cache: cannot write %s: %s", tmp,
               strerror(errno));
        return;
    }
    cache_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CACHE_MAGIC, 8);
    h.format = CACHE_FORMAT;
    h.key_len = (uint32_t)strlen(key);
    h.payload_len = len;
    h.payload_checksum = fnv1a64(FNV64_OFFSET, bin, len);
    int ok = fwrite(&h, sizeof h, 1, f) == 1 && fwrite(key, 1, h.key_len, f) == h.key_len &&
             fwrite(bin, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        rt_log(rt, CLINFER_LOG_WARNING, "program cache: cannot store %s", path);
        remove(tmp);
    }
}

/* The device binary of a built program (caller frees), or NULL. */
static unsigned char *program_binary(cl_program prog, size_t *len)
{
    size_t size = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return NULL;
    unsigned char *bin = malloc(size);
    if (bin && clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) != CL_SUCCESS) {
        free(bin);
        return NULL;
    }
    *len = size;
    return bin;
}

/* The device is PoCL's (its platform name): the driver whose binary
 * query and half vectors are handled apart below. */
static int on_pocl(const clinfer_runtime *rt)
{
    return strstr(rt->info.platform_name, "Portable Computing Language") != NULL;
}

/* Whether a program built from source is stored as a binary (else only
 * recorded as built). PoCL answers a binary query by compiling every
 * kernel of the program for a generic work-group size, which it never runs
 * here (each kernel is compiled again for its local size at its first
 * enqueue): on a 2-core CPU that doubled a cold start (ResNet-18 19 s
 * against 9 s). Rebuilding from source through PoCL's kernel cache costs
 * 20-60 ms a program (measured on two EPYC machines). */
static int store_binary(const clinfer_runtime *rt)
{
    return rt->config.store_binaries || !on_pocl(rt);
}

/* ------------------------------------------------------------ building */

/* A monotonic clock, for the build times in the log. */
static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Copies the first BUILD_LOG_LINES lines of the build log into `dst`. */
static void build_log_head(const clinfer_runtime *rt, cl_program prog, char *dst, size_t cap)
{
    size_t len = 0;
    dst[0] = '\0';
    if (clGetProgramBuildInfo(prog, rt->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) !=
            CL_SUCCESS ||
        len == 0)
        return;
    char *log = malloc(len + 1);
    if (!log)
        return;
    if (clGetProgramBuildInfo(prog, rt->device, CL_PROGRAM_BUILD_LOG, len, log, NULL) ==
        CL_SUCCESS) {
        log[len] = '\0';
        char *cut = log;
        for (int line = 0; cut && line < BUILD_LOG_LINES; line++) {
            cut = strchr(cut, '\n');
            if (cut)
                cut++;
        }
        if (cut)
            *cut = '\0';
        snprintf(dst, cap, "%s", log);
    }
    free(log);
}

static cl_program build_from_binary(clinfer_runtime *rt, const unsigned char *bin, size_t len,
                                    const char *options)
{
    cl_int err = CL_SUCCESS, bin_status = CL_SUCCESS;
    cl_program prog =
        clCreateProgramWithBinary(rt->context, 1, &rt->device, &len, &bin, &bin_status, &err);
    if (!prog)
        return NULL;
    if (err != CL_SUCCESS || bin_status != CL_SUCCESS ||
        clBuildProgram(prog, 1, &rt->device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(prog);
        return NULL;
    }
    return prog;
}

static clinfer_status build_from_source(clinfer_runtime *rt, const char *label,
                                        const char **parts, cl_uint nparts, const char *options,
                                        cl_program *out)
{
    /* -w: PoCL prints clang's "N warnings generated." (about its own
     * built-ins; our kernels build warning-free with -Werror, see
     * tests/half/check_kernels.sh) to the user's terminal on a cold build.
     * Errors still fail the build and fill its log. */
    char quiet[640];
    int n = snprintf(quiet, sizeof quiet, "-w %s", options ? options : "");
    if (n < 0 || (size_t)n >= sizeof quiet)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: build options too long: \"%s\"",
                       label, options);
    cl_int err = CL_SUCCESS;
    cl_program prog = clCreateProgramWithSource(rt->context, nparts, parts, NULL, &err);
    if (!prog)
        return err_cl(rt, err, "clCreateProgramWithSource");
    err = clBuildProgram(prog, 1, &rt->device, quiet, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[CLINFER_ERRMSG_MAX - 256];
        build_log_head(rt, prog, log, sizeof log);
        clReleaseProgram(prog);
        return err_set(rt, CLINFER_ERR_BUILD_FAILED,
                       "building %s with options \"%s\" failed: %s (%d); build log:\n%s", label,
                       options, cl_error_name(err), (int)err, log);
    }
    *out = prog;
    return CLINFER_OK;
}

/* Builds the sources with the marker kernel appended (program_marker.h). */
static clinfer_status build_marked(clinfer_runtime *rt, const char *label, const char **parts,
                                   cl_uint nparts, const char *marker_source,
                                   const char *options, cl_program *out)
{
    const char *with_marker[8];
    if (nparts >= 8)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "program %s: too many parts", label);
    memcpy(with_marker, parts, nparts * sizeof *parts);
    with_marker[nparts] = marker_source;
    return build_from_source(rt, label, with_marker, nparts + 1, options, out);
}

/* Loads the disk entry at `path` when it holds this program's binary;
 * *recorded is set when it is a build record instead. NULL otherwise, with
 * a rejected entry counted and logged. */
static cl_program load_entry(clinfer_runtime *rt, program_cache *c, const char *label,
                             const char *path, const char *key, const char *marker,
                             const char *options, int *recorded)
{
    size_t len = 0;
    const char *why = NULL;
    const char *refused = "driver refused the binary";
    unsigned char *bin = disk_read(path, key, &len, &why);
    *recorded = bin && len == 0;
    if (*recorded) {
        free(bin);
        return NULL;
    }
    cl_program prog = bin ? build_from_binary(rt, bin, len, options) : NULL;
    if (prog && !program_has_kernel(prog, marker)) { /* not the program asked for */
        clReleaseProgram(prog);
        prog = NULL;
        refused = "the binary is another program's: its marker kernel is missing";
    }
    free(bin);
    if (prog) {
        c->stats.disk_hits++;
        rt_log(rt, CLINFER_LOG_DEBUG, "program cache: %s loaded from %s", label, path);
    } else if (bin || (why && strcmp(why, "absent") != 0)) {
        c->stats.disk_rejects++;
        rt_log(rt, CLINFER_LOG_WARNING, "program cache: rejected %s (%s); rebuilding", path,
               bin ? refused : why);
    }
    return prog;
}

/* Stores what the compiler made: its binary, or only a build record where
 * the driver would compile again to hand out the binary. */
static void store_entry(clinfer_runtime *rt, const char *label, const char *path,
                        const char *key, cl_program prog)
{
    if (!store_binary(rt)) {
        disk_write(rt, path, key, (const unsigned char *)"", 0);
        return;
    }
    size_t len = 0;
    unsigned char *bin = program_binary(prog, &len);
    if (bin)
        disk_write(rt, path, key, bin, len);
    else /* clGetProgramInfo failed: the next process compiles again */
        rt_log(rt, CLINFER_LOG_WARNING, "program cache: no binary of %s to store", label);
    free(bin);
}

/* Tries the disk entry, then the compiler; stores what the compiler made. */
static clinfer_status build_program(clinfer_runtime *rt, program_cache *c, const char *label,
                                    const char **parts, cl_uint nparts, uint64_t source_hash,
                                    const char *options, cl_program *out)
{
    char *key = c->dir ? make_disk_key(rt, c, source_hash, options) : NULL;
    char path[4096] = "";
    char marker[PROGRAM_MARKER_NAME_MAX], marker_source[PROGRAM_MARKER_SOURCE_MAX];
    program_marker(source_hash, options, marker, marker_source);
    int recorded = 0;
    if (key) {
        disk_path(c, key, path, sizeof path);
        cl_program prog = load_entry(rt, c, label, path, key, marker, options, &recorded);
        if (prog) {
            free(key);
            *out = prog;
            return CLINFER_OK;
        }
    }
    /* A recorded build is rebuilt quietly (PoCL's cache holds its code),
     * unless binaries are asked for: then it is built and stored anew. */
    const int quiet = recorded && !store_binary(rt);
    if (quiet)
        rt_log(rt, CLINFER_LOG_DEBUG, "program cache: %s recorded in %s; rebuilding it through "
               "the driver's cache", label, path);
    else if (progress_at > 0) /* "(node 5/54)": the CLI's n/N (cli/compile.c) */
        rt_log(rt, CLINFER_LOG_INFO, "compiling OpenCL program %s (node %d/%d)", label,
               (int)progress_at, (int)progress_of);
    else
        rt_log(rt, CLINFER_LOG_INFO, "compiling OpenCL program %s", label);
    const double t0 = seconds_now();
    clinfer_status st = build_marked(rt, label, parts, nparts, marker_source, options, out);
    if (st == CLINFER_OK) {
        rt_log(rt, CLINFER_LOG_DEBUG, "program cache: built %s \"%s\" in %.2f s", label,
               options, seconds_now() - t0);
        if (quiet) {
            c->stats.disk_hits++;
        } else {
            c->stats.source_builds++;
            if (key)
                store_entry(rt, label, path, key, *out);
        }
    }
    free(key);
    return st;
}

static cached_program *find_entry(program_cache *c, uint64_t source_hash, const char *options)
{
    for (size_t i = 0; i < c->count; i++)
        if (c->entries[i].source_hash == source_hash && strcmp(c->entries[i].options, options) == 0)
            return &c->entries[i];
    return NULL;
}

static clinfer_status remember(clinfer_runtime *rt, program_cache *c, uint64_t source_hash,
                               const char *options, cl_program prog)
{
    if (c->count == c->capacity) {
        size_t cap = c->capacity ? c->capacity * 2 : 16;
        cached_program *grown = realloc(c->entries, cap * sizeof *grown);
        if (!grown)
            return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "program cache is full");
        c->entries = grown;
        c->capacity = cap;
    }
    char *opts = strdup(options);
    if (!opts)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "program cache is full");
    c->entries[c->count++] = (cached_program){source_hash, opts, prog};
    return CLINFER_OK;
}

static clinfer_status get_program(clinfer_runtime *rt, const char *label, const char **parts,
                                  cl_uint nparts, const char *options, cl_program *out)
{
    if (!options)
        options = "";
    uint64_t h = FNV64_OFFSET;
    for (cl_uint i = 0; i < nparts; i++)
        h = fnv1a64(h, parts[i], strlen(parts[i]) + 1); /* +1: parts stay distinct */
    program_cache *c = rt->programs;
    pthread_mutex_lock(&c->lock);
    clinfer_status st = CLINFER_OK;
    cached_program *hit = find_entry(c, h, options);
    if (hit) {
        c->stats.memory_hits++;
        *out = hit->program;
    } else {
        st = build_program(rt, c, label, parts, nparts, h, options, out);
        if (st == CLINFER_OK && (st = remember(rt, c, h, options, *out)) != CLINFER_OK)
            clReleaseProgram(*out);
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

/* PoCL moves vload_halfN/vstore_halfN's N halves with an aligned vector
 * instruction (kernels/prelude.cl copies them through a private vector
 * there); other drivers load them as they are, without the copy (NVIDIA's
 * compiler keeps such copies in slow local memory). */
static int half_vectors_need_copy(const clinfer_runtime *rt)
{
    return on_pocl(rt) || rt->info.type == CLINFER_DEVICE_CPU;
}

/* The files built after `file` into its program (NULL-terminated, up to
 * PROGRAM_MAX_AFTER), or NULL: a program of several files where one would
 * pass 800 lines, while their kernels still share one build
 * (conv_blocked.cl's channel-blocked depthwise kernels in the program of
 * the other depthwise ones; gemm_local.cl's GPU products after gemm.cl,
 * whose argument lists and epilogue they use, and conv_implicit.cl's
 * implicit-GEMM convolution after both, whose tile loop it runs). */
#define PROGRAM_MAX_AFTER 2
static const char *const *program_after_files(const char *file)
{
    static const struct {
        const char *file;
        const char *after[PROGRAM_MAX_AFTER + 1];
    } programs[] = {{"conv_depthwise", {"conv_blocked", NULL}},
                    {"gemm", {"gemm_local", "conv_implicit", NULL}}};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (strcmp(file, programs[i].file) == 0)
            return programs[i].after;
    return NULL;
}

clinfer_status program_get(clinfer_runtime *rt, const char *file, const char *options,
                           cl_program *out)
{
    const kernel_source *prelude = kernel_source_find("prelude");
    const kernel_source *src = kernel_source_find(file);
    if (!src || !prelude)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "no embedded kernel file %s.cl", file);
    const char *parts[3 + 2 * PROGRAM_MAX_AFTER] = {prelude->text, "\n#line 1\n", src->text};
    cl_uint nparts = 3;
    const char *const *after = program_after_files(file);
    for (int i = 0; after && after[i]; i++) {
        const kernel_source *more = kernel_source_find(after[i]);
        if (!more)
            return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "no embedded kernel file %s.cl",
                           after[i]);
        parts[nparts++] = "\n#line 1\n";
        parts[nparts++] = more->text;
    }
    if (!rt_is_half(rt))
        return get_program(rt, file, parts, nparts, options, out);
    /* Half storage is a build option like the others, so the cache keys
     * (memory and disk) keep the two precisions' programs apart. */
    char with_half[OPTS_MAX + 64]; /* the options (ops/launch.h) after the half ones */
    int n = snprintf(with_half, sizeof with_half, "-DCLINFER_HALF%s%s%s%s",
                     rt_half_math(rt) ? " -DHALF_MATH" : "",
                     half_vectors_need_copy(rt) ? "" : " -DHALF_VLOAD_DIRECT",
                     options && options[0] ? " " : "", options ? options : "");
    if (n < 0 || (size_t)n >= sizeof with_half)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s.cl: build options too long: \"%s\"",
                       file, options);
    return get_program(rt, file, parts, nparts, with_half, out);
}

clinfer_status program_get_source(clinfer_runtime *rt, const char *label, const char *source,
                                  const char *options, cl_program *out)
{
    return get_program(rt, label, &source, 1, options, out);
}

clinfer_status kernel_create(clinfer_runtime *rt, const char *file, const char *options,
                             const char *kernel, cl_kernel *out)
{
    cl_program prog = NULL;
    *out = NULL;
    clinfer_status st = program_get(rt, file, options, &prog);
    if (st != CLINFER_OK)
        return st;
    cl_int err = CL_SUCCESS;
    *out = clCreateKernel(prog, kernel, &err);
    if (!*out)
        return err_set(rt, CLINFER_ERR_OPENCL, "clCreateKernel(%s) in %s.cl failed: %s (%d)",
                       kernel, file, cl_error_name(err), (int)err);
    return CLINFER_OK;
}
