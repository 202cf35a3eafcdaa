/*
 * tensor.c — device buffers.
 */
#include "tensor.h"

#include <stdlib.h>

#include "half.h"

clinfer_status buffer_create(clinfer_runtime *rt, size_t bytes, const void *host, cl_mem *out)
{
    cl_int err = CL_SUCCESS;
    *out = NULL;
    if (bytes == 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "cannot create an empty buffer");
    if (bytes > rt->info.max_alloc_bytes)
        return err_set(rt, CLINFER_ERR_DEVICE_OUT_OF_MEMORY,
                       "a buffer of %zu bytes exceeds the device's largest allocation (%llu)",
                       bytes, (unsigned long long)rt->info.max_alloc_bytes);
    cl_mem_flags flags = CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0);
    *out = clCreateBuffer(rt->context, flags, bytes, (void *)host, &err);
    if (!*out)
        return err_cl(rt, err, "clCreateBuffer");
    return CLINFER_OK;
}

clinfer_status buffer_read(clinfer_runtime *rt, cl_mem mem, size_t bytes, void *host)
{
    cl_int err = clEnqueueReadBuffer(rt->queue, mem, CL_TRUE, 0, bytes, host, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : err_cl(rt, err, "clEnqueueReadBuffer");
}

clinfer_status buffer_write(clinfer_runtime *rt, cl_mem mem, size_t bytes, const void *host)
{
    cl_int err = clEnqueueWriteBuffer(rt->queue, mem, CL_TRUE, 0, bytes, host, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : err_cl(rt, err, "clEnqueueWriteBuffer");
}

/* A half copy of `count` floats (NULL when out of memory). */
static uint16_t *halves_of(const float *host, size_t count)
{
    uint16_t *h = malloc(count ? count * sizeof *h : 1);
    if (h)
        half_from_floats(host, h, count);
    return h;
}

clinfer_status tensor_write_floats(clinfer_runtime *rt, cl_command_queue queue, cl_mem mem,
                                   uint64_t offset, size_t count, const float *host)
{
    const size_t elem = rt_elem_bytes(rt);
    uint16_t *halves = NULL;
    if (rt_is_half(rt) && !(halves = halves_of(host, count)))
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory converting to half");
    const void *src = halves ? (const void *)halves : (const void *)host;
    cl_int err = clEnqueueWriteBuffer(queue ? queue : rt->queue, mem, CL_TRUE,
                                      (size_t)offset * elem, count * elem, src, 0, NULL, NULL);
    free(halves);
    return err == CL_SUCCESS ? CLINFER_OK : err_cl(rt, err, "clEnqueueWriteBuffer");
}

clinfer_status tensor_read_floats(clinfer_runtime *rt, cl_command_queue queue, cl_mem mem,
                                  uint64_t offset, size_t count, float *host)
{
    const size_t elem = rt_elem_bytes(rt);
    uint16_t *halves = NULL;
    if (rt_is_half(rt) && !(halves = malloc(count ? count * sizeof *halves : 1)))
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory converting from half");
    void *dst = halves ? (void *)halves : (void *)host;
    cl_int err = clEnqueueReadBuffer(queue ? queue : rt->queue, mem, CL_TRUE,
                                     (size_t)offset * elem, count * elem, dst, 0, NULL, NULL);
    if (err == CL_SUCCESS && halves)
        half_to_floats(halves, host, count);
    free(halves);
    return err == CL_SUCCESS ? CLINFER_OK : err_cl(rt, err, "clEnqueueReadBuffer");
}

clinfer_status tensor_create_floats(clinfer_runtime *rt, size_t count, const float *host,
                                    cl_mem *out)
{
    uint16_t *halves = NULL;
    if (host && rt_is_half(rt) && !(halves = halves_of(host, count)))
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory converting to half");
    clinfer_status st = buffer_create(rt, count * rt_elem_bytes(rt),
                                      halves ? (const void *)halves : (const void *)host, out);
    free(halves);
    return st;
}
