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

/* Float data as the runtime stores it on the device (rt_elem_bytes: half
 * values for CLINFER_PRECISION_FP16, rounded to nearest even; floats
 * otherwise). `offset` and `count` are in elements. Blocking, on `queue`
 * (NULL: the runtime's). */
clinfer_status tensor_write_floats(clinfer_runtime *rt, cl_command_queue queue, cl_mem mem,
                                   uint64_t offset, size_t count, const float *host);
clinfer_status tensor_read_floats(clinfer_runtime *rt, cl_command_queue queue, cl_mem mem,
                                  uint64_t offset, size_t count, float *host);

/* A buffer of `count` elements, filled from the floats `host` when not NULL
 * (converted as tensor_write_floats does). */
clinfer_status tensor_create_floats(clinfer_runtime *rt, size_t count, const float *host,
                                    cl_mem *out);

#endif
