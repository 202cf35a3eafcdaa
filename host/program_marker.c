/*
 * program_marker.c — the marker kernel of a program (program_marker.h) and
 * the check that a loaded binary has it, through CL_PROGRAM_KERNEL_NAMES
 * (a ';'-separated list); a failed query counts as "no": the entry is then
 * rebuilt from source, which is always safe.
 */
#include "program_marker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program_cache.h"

void program_marker(uint64_t source_hash, const char *options, char *name, char *source)
{
    uint64_t h = fnv1a64(source_hash, options, strlen(options) + 1);
    snprintf(name, PROGRAM_MARKER_NAME_MAX, "clinfer_entry_%016llx", (unsigned long long)h);
    snprintf(source, PROGRAM_MARKER_SOURCE_MAX, "\n__kernel void %s(void) {}\n", name);
}

int program_has_kernel(cl_program prog, const char *name)
{
    size_t len = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_KERNEL_NAMES, 0, NULL, &len) != CL_SUCCESS || len == 0)
        return 0;
    char *names = malloc(len + 1);
    if (!names)
        return 0;
    int found = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_KERNEL_NAMES, len, names, NULL) == CL_SUCCESS) {
        names[len] = '\0';
        size_t n = strlen(name);
        for (const char *p = strstr(names, name); p && !found; p = strstr(p + 1, name))
            found = (p == names || p[-1] == ';') && (p[n] == ';' || p[n] == '\0');
    }
    free(names);
    return found;
}
