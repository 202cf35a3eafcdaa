/*
 * program_cache.h — OpenCL programs built lazily, once per (source, options)
 * in a runtime, with their binaries cached on disk between processes.
 */
#ifndef CLINFER_PROGRAM_CACHE_H
#define CLINFER_PROGRAM_CACHE_H

#include "runtime.h"

/* `dir` NULL: the default directory (see clinfer_runtime_options.cache_dir).
 * `use_disk` 0: memory only. A directory that cannot be created is logged as
 * a warning and the cache stays memory-only: it is an optimisation. */
clinfer_status program_cache_create(clinfer_runtime *rt, const char *dir, int use_disk,
                                    program_cache **out);
void program_cache_free(program_cache *cache);

/* A built program of the embedded kernel file `file` (kernels/<file>.cl,
 * after the shared prelude) with build `options`. The program is owned by
 * the cache and lives as long as the runtime. Thread-safe. */
clinfer_status program_get(clinfer_runtime *rt, const char *file, const char *options,
                           cl_program *out);

/* The same for source text that is not embedded (tests, generated code);
 * `label` names it in messages. The prelude is not prepended. */
clinfer_status program_get_source(clinfer_runtime *rt, const char *label, const char *source,
                                  const char *options, cl_program *out);

/* A new kernel object for `kernel` in program_get(file, options); the caller
 * releases it. Kernel objects hold arguments, so each user creates its own. */
clinfer_status kernel_create(clinfer_runtime *rt, const char *file, const char *options,
                             const char *kernel, cl_kernel *out);

/* ------------------------------------------------------------ tuning
 * Tuning results (tile sizes chosen by a measured search) are short text
 * values stored per device, keyed by a name ("gemm_cpu") plus the device
 * name and driver version, in <cache dir>/tuning.txt beside the program
 * binaries: one entry per line, "name<TAB>device<TAB>driver<TAB>value".
 * The file is untrusted: malformed lines are skipped, and callers validate
 * the values they get. With a memory-only cache the values live as long as
 * the runtime. Thread-safe. */

/* Copies the stored value of `name` for this runtime's device into `value`
 * and returns 1, or returns 0 when there is none (or it does not fit). */
int tuning_get(clinfer_runtime *rt, const char *name, char *value, size_t cap);

/* Brackets a look-up-or-measure of a tuning value so that threads of one
 * runtime never search at the same time: the first stores its choice, the
 * others then find it, and every kernel of a runtime agrees on it. */
void tuning_search_begin(clinfer_runtime *rt);
void tuning_search_end(clinfer_runtime *rt);

/* Stores `value` (no tabs or newlines) for `name`, replacing an older one;
 * written to the file atomically (temporary file + rename). A failure to
 * write is only logged: tuning is an optimisation. */
void tuning_put(clinfer_runtime *rt, const char *name, const char *value);

/* Like tuning_put, for this runtime only: never written to the file (a
 * value that was not measured, so that the next process measures again). */
void tuning_keep(clinfer_runtime *rt, const char *name, const char *value);

/* The tuning file's path, or NULL with a memory-only cache. */
const char *tuning_path(const clinfer_runtime *rt);

/* 64-bit FNV-1a, continued from `h` (start with FNV64_OFFSET). */
#define FNV64_OFFSET 0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t h, const void *data, size_t len);

#endif
