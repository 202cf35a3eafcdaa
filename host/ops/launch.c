/*
 * launch.c — kernel argument setting and enqueueing shared by every op.
 */
#include "launch.h"

#include <stdio.h>
#include <string.h>

#include "../program_cache.h"

karg karg_begin(cl_kernel kernel, cl_uint first_index)
{
    karg a = {kernel, first_index, 0, CL_SUCCESS};
    return a;
}

static void karg_set(karg *a, size_t size, const void *value)
{
    cl_int err = clSetKernelArg(a->kernel, a->next, size, value);
    if (err != CL_SUCCESS && a->err == CL_SUCCESS) {
        a->err = err;
        a->failed_index = a->next;
    }
    a->next++;
}

void karg_mem(karg *a, cl_mem mem) { karg_set(a, sizeof mem, &mem); }
void karg_int(karg *a, int32_t v)
{
    cl_int x = v;
    karg_set(a, sizeof x, &x);
}
void karg_float(karg *a, float v)
{
    cl_float x = v;
    karg_set(a, sizeof x, &x);
}

void karg_local(karg *a, size_t bytes) { karg_set(a, bytes, NULL); }

void karg_long(karg *a, int64_t v)
{
    cl_long x = v;
    karg_set(a, sizeof x, &x);
}

void karg_long8(karg *a, const int64_t v[8])
{
    cl_long8 x;
    for (int i = 0; i < 8; i++)
        x.s[i] = v[i];
    karg_set(a, sizeof x, &x);
}

clinfer_status karg_done(clinfer_runtime *rt, const karg *a, const char *kernel_name)
{
    if (a->err == CL_SUCCESS)
        return CLINFER_OK;
    return err_set(rt, CLINFER_ERR_OPENCL, "clSetKernelArg(%s, %u) failed: %s (%d)", kernel_name,
                   a->failed_index, cl_error_name(a->err), (int)a->err);
}

clinfer_status launch_create(clinfer_runtime *rt, const char *file, const char *options,
                             const char *kernel, op_launch *out)
{
    memset(out, 0, sizeof *out);
    out->name = kernel;
    return kernel_create(rt, file, options, kernel, &out->kernel);
}

void launch_grid1(op_launch *l, size_t n)
{
    l->dims = 1;
    l->global[0] = n;
    l->local[0] = LAUNCH_LOCAL_1D;
}

void launch_grid3(op_launch *l, size_t x, size_t y, size_t z, size_t lx)
{
    l->dims = 3;
    l->global[0] = x;
    l->global[1] = y;
    l->global[2] = z;
    l->local[0] = lx;
    l->local[1] = 1;
    l->local[2] = 1;
}

clinfer_status launch_enqueue(clinfer_runtime *rt, const op_launch *l, cl_event *event)
{
    return launch_enqueue_on(rt, rt->queue, l, event);
}

clinfer_status launch_enqueue_on(clinfer_runtime *rt, cl_command_queue queue, const op_launch *l,
                                 cl_event *event)
{
    size_t global[3];
    if (event)
        *event = NULL;
    for (cl_uint d = 0; d < l->dims; d++)
        if (l->global[d] == 0)
            return CLINFER_OK;
    for (cl_uint d = 0; d < l->dims; d++)
        global[d] = (l->global[d] + l->local[d] - 1) / l->local[d] * l->local[d];
    cl_int err = clEnqueueNDRangeKernel(queue, l->kernel, l->dims, NULL, global, l->local, 0,
                                        NULL, event);
    if (err != CL_SUCCESS) {
        char call[128];
        snprintf(call, sizeof call, "clEnqueueNDRangeKernel(%s)", l->name);
        return err_cl(rt, err, call);
    }
    return CLINFER_OK;
}

void launch_release(op_launch *l)
{
    if (l && l->kernel)
        clReleaseKernel(l->kernel);
    if (l)
        l->kernel = NULL;
}

int32_t launch_rows_per_item(const clinfer_runtime *rt, int64_t planes, int32_t total,
                             int64_t aim)
{
    int32_t rows = aim < 1 ? 1 : aim > total ? total : (int32_t)aim;
    const int64_t want = 8 * (int64_t)(rt->info.compute_units > 0 ? rt->info.compute_units : 1);
    while (rows > 1 && planes * ((total + rows - 1) / rows) < want)
        rows = (rows + 1) / 2;
    return rows;
}
