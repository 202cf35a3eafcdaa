/*
 * program_marker.h — every program clinfer builds carries one empty marker
 * kernel whose name is a hash of its source and build options, so that a
 * binary loaded from the disk cache proves it is the program asked for: a
 * forged or foreign entry (right key and checksum, another program's
 * binary) lacks the marker and is rebuilt, instead of failing every later
 * clCreateKernel with CL_INVALID_KERNEL_NAME.
 */
#ifndef CLINFER_PROGRAM_MARKER_H
#define CLINFER_PROGRAM_MARKER_H

#include <stddef.h>
#include <stdint.h>

#include "cl.h"

#define PROGRAM_MARKER_NAME_MAX 48
#define PROGRAM_MARKER_SOURCE_MAX 96

/* The marker kernel's name and its source ("\n__kernel void NAME(void) {}\n")
 * for the program of `source_hash` built with `options`. */
void program_marker(uint64_t source_hash, const char *options, char *name, char *source);

/* True if the built program `prog` has a kernel called `name`. */
int program_has_kernel(cl_program prog, const char *name);

#endif
