/*
 * tensor.c — device buffers.
 */
#include "tensor.h"

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
