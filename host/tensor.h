/*
 * tensor.h — device buffers: creation with an optional upload, blocking
 * reads and writes, each failure reported with the OpenCL call.
 */
#ifndef CLINFER_TENSOR_H
#define CLINFER_TENSOR_H

#include "runtime.h"

/* A read-write buffer of `bytes`, filled from `host` when not NULL. */
clinfer_status buffer_create(clinfer_runtime *rt, size_t bytes, const void *host, cl_mem *out);

/* Blocking copies between the host and a buffer (at offset 0). */
clinfer_status buffer_read(clinfer_runtime *rt, cl_mem mem, size_t bytes, void *host);
clinfer_status buffer_write(clinfer_runtime *rt, cl_mem mem, size_t bytes, const void *host);

#endif
