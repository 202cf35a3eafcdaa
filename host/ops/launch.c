/*
 * launch.c — build options, kernel creation and argument setting, and
 * enqueueing, shared by every op.
 */
#include "launch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../program_cache.h"

opts opts_none(void)
{
    opts o;
    memset(&o, 0, sizeof o);
    return o;
}

void opts_add(opts *o, const char *fmt, ...)
{
    if (o->overflow)
        return;
    size_t room = sizeof o->text - o->len;
    int sep = o->len > 0;
    if (sep && room > 1)
        o->text[o->len] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int n = room > (size_t)sep ? vsnprintf(o->text + o->len + sep, room - sep, fmt, ap) : -1;
    va_end(ap);
    if (n < 0 || (size_t)n + sep >= room) {
        o->overflow = 1;
        return;
    }
    o->len += (size_t)n + sep;
}

static karg karg_begin(cl_kernel kernel, cl_uint first_index)
{
    karg a = {kernel, first_index, 0, CL_SUCCESS, CLINFER_OK};
    return a;
}

static void karg_set(karg *a, size_t size, const void *value)
{
    if (!a->kernel)
        return; /* launch_begin failed: launch_finish reports it */
    cl_int err = clSetKernelArg(a->kernel, a->next, size, value);
    if (err != CL_SUCCESS && a->err == CL_SUCCESS) {
        a->err = err;
        a->failed_index = a->next;
    }
    a->next++;
}

void karg_tensor(karg *a, dev_tensor t)
{
    karg_set(a, sizeof t.mem, &t.mem);
    karg_long(a, (int64_t)t.offset);
}

void karg_tensors(karg *a, const dev_tensor *t, int count)
{
    for (int i = 0; i < count; i++)
        karg_tensor(a, t[i]);
}

void karg_buffer(karg *a, cl_mem mem) { karg_tensor(a, dev_whole(mem)); }
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

void karg_ints(karg *a, const int32_t *v, int count)
{
    for (int i = 0; i < count; i++)
        karg_int(a, v[i]);
}

void karg_long8(karg *a, const int64_t v[8])
{
    cl_long8 x;
    for (int i = 0; i < 8; i++)
        x.s[i] = v[i];
    karg_set(a, sizeof x, &x);
}

static clinfer_status karg_done(clinfer_runtime *rt, const karg *a, const char *kernel_name)
{
    if (a->err == CL_SUCCESS)
        return CLINFER_OK;
    return err_set(rt, CLINFER_ERR_OPENCL, "clSetKernelArg(%s, %u) failed: %s (%d)", kernel_name,
                   a->failed_index, cl_error_name(a->err), (int)a->err);
}

clinfer_status launch_begin(clinfer_runtime *rt, op_launch *l, const char *file, const opts *o,
                            const char *kernel, cl_uint first_arg, karg *args)
{
    memset(l, 0, sizeof *l);
    l->name = kernel;
    clinfer_status st;
    if (o && o->overflow)
        st = err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                     "%s (kernels/%s.cl): build options longer than %d characters: \"%s...\"",
                     kernel, file, OPTS_MAX - 1, o->text);
    else
        st = kernel_create(rt, file, o ? o->text : "", kernel, &l->kernel);
    *args = karg_begin(l->kernel, first_arg);
    args->begun = st;
    return st;
}

karg launch_args(const op_launch *l, cl_uint first_arg) { return karg_begin(l->kernel, first_arg); }

clinfer_status launch_finish(clinfer_runtime *rt, op_launch *l, const karg *args)
{
    clinfer_status st = args->begun;
    if (st == CLINFER_OK && !l->kernel)
        st = err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: the launch has no kernel",
                     l->name ? l->name : "kernel");
    if (st == CLINFER_OK)
        st = karg_done(rt, args, l->name);
    if (st != CLINFER_OK) {
        launch_release(l);
        memset(l, 0, sizeof *l);
    }
    return st;
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

clinfer_status launch_bind_io(clinfer_runtime *rt, op_launch *l, dev_tensor input,
                              dev_tensor output)
{
    return launch_bind_inputs(rt, l, &input, 1, output);
}

clinfer_status launch_bind_inputs(clinfer_runtime *rt, op_launch *l, const dev_tensor *in,
                                  int count, dev_tensor output)
{
    karg a = launch_args(l, 0);
    karg_tensors(&a, in, count);
    karg_tensor(&a, output);
    return launch_finish(rt, l, &a);
}

clinfer_status launch_enqueue(clinfer_runtime *rt, const op_launch *l, cl_event *event)
{
    return launch_enqueue_on(rt, rt->queue, l, event);
}

int launch_rounded_grid(const op_launch *l, size_t global[3])
{
    for (cl_uint d = 0; d < l->dims; d++)
        if (l->global[d] == 0)
            return 0;
    for (cl_uint d = 0; d < l->dims; d++)
        global[d] = (l->global[d] + l->local[d] - 1) / l->local[d] * l->local[d];
    return 1;
}

clinfer_status launch_enqueue_on(clinfer_runtime *rt, cl_command_queue queue, const op_launch *l,
                                 cl_event *event)
{
    size_t global[3];
    if (event)
        *event = NULL;
    if (!launch_rounded_grid(l, global))
        return CLINFER_OK;
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

int launch_cpu_form(const clinfer_runtime *rt)
{
    if (rt->config.pool_variant != CONFIG_AUTO)
        return rt->config.pool_variant == CONFIG_POOL_ROWS;
    return rt->info.type == CLINFER_DEVICE_CPU;
}

size_t launch_group_items(const clinfer_runtime *rt)
{
    return launch_cpu_form(rt) ? 1 : 64;
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
