/*
 * tuning.h — the tuning store of a runtime (tuning.c).
 */
#ifndef CLINFER_TUNING_H
#define CLINFER_TUNING_H

#include "runtime.h"

/* Tuning results (tile sizes chosen by a measured search) are short text
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

/* The store of a runtime whose cache directory is `dir` (NULL: memory
 * only); created with the program cache, freed with the runtime. */
clinfer_status tuning_store_create(clinfer_runtime *rt, const char *dir, tuning_store **out);
void tuning_store_free(tuning_store *store);

#endif
