/*
 * kernel_sources.h — the .cl files of kernels/, embedded into the library at
 * build time by cmake/embed_kernels.cmake (the table is generated).
 */
#ifndef CLINFER_KERNEL_SOURCES_H
#define CLINFER_KERNEL_SOURCES_H

#include <stddef.h>

typedef struct kernel_source {
    const char *name; /* file name without .cl: "conv2d" */
    const char *text; /* NUL-terminated source */
} kernel_source;

/* The embedded file `name`, or NULL. "prelude" is the shared prelude. */
const kernel_source *kernel_source_find(const char *name);

#endif
