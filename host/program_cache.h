/*
 * program_cache.h — OpenCL programs built lazily, once per (source, options)
 * in a runtime, with their binaries cached on disk between processes.
 */
#ifndef CLINFER_PROGRAM_CACHE_H
#define CLINFER_PROGRAM_CACHE_H

#include "runtime.h"

/* `dir`: the directory (runtime_config.cache_dir; NULL or `use_disk` 0:
 * memory only). A directory that cannot be created is logged as
 * a warning and the cache stays memory-only: it is an optimisation. */
clinfer_status program_cache_create(clinfer_runtime *rt, const char *dir, int use_disk,
                                    program_cache **out);
void program_cache_free(program_cache *cache);

/* A built program of the embedded kernel file `file` (kernels/<file>.cl,
 * after the shared prelude) with build `options`. The program is owned by
 * the cache and lives as long as the runtime. Thread-safe. */
clinfer_status program_get(clinfer_runtime *rt, const char *file, const char *options,
                           cl_program *out);

/* The node (at of `of`, from 1) whose kernels this thread is preparing,
 * named in the "compiling OpenCL program" log lines so that a tool can
 * show progress with a total (at 0: none). Set by session creation. */
void program_cache_set_progress(int32_t at, int32_t of);

/* The same for source text that is not embedded (tests, generated code);
 * `label` names it in messages. The prelude is not prepended. */
clinfer_status program_get_source(clinfer_runtime *rt, const char *label, const char *source,
                                  const char *options, cl_program *out);

/* A new kernel object for `kernel` in program_get(file, options); the caller
 * releases it. Kernel objects hold arguments, so each user creates its own. */
clinfer_status kernel_create(clinfer_runtime *rt, const char *file, const char *options,
                             const char *kernel, cl_kernel *out);

/* 64-bit FNV-1a, continued from `h` (start with FNV64_OFFSET). */
#define FNV64_OFFSET 0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t h, const void *data, size_t len);

#endif
