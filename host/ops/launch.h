/*
 * launch.h — what every op shares: a prepared kernel launch (kernel object,
 * global and local sizes), argument setting that collects errors, and
 * enqueueing with global sizes rounded up to the local size.
 */
#ifndef CLINFER_OPS_LAUNCH_H
#define CLINFER_OPS_LAUNCH_H

#include "../runtime.h"

typedef struct op_launch {
    cl_kernel kernel;
    const char *name; /* kernel name, for messages and profiles */
    cl_uint dims;
    size_t global[3]; /* work-items needed; rounded up when enqueued */
    size_t local[3];
} op_launch;

/* Sets kernel arguments in order; the first failure is kept for karg_done. */
typedef struct karg {
    cl_kernel kernel;
    cl_uint next;
    cl_uint failed_index;
    cl_int err;
} karg;

karg karg_begin(cl_kernel kernel, cl_uint first_index);
void karg_mem(karg *a, cl_mem mem); /* mem may be NULL for an unused buffer */
void karg_int(karg *a, int32_t v);
void karg_float(karg *a, float v);
void karg_local(karg *a, size_t bytes); /* a __local buffer argument of `bytes` */
void karg_long(karg *a, int64_t v);
void karg_long8(karg *a, const int64_t v[8]);
clinfer_status karg_done(clinfer_runtime *rt, const karg *a, const char *kernel_name);

/* Creates the kernel `kernel` of kernels/<file>.cl built with `options`.
 * The launch keeps the pointer `kernel` as its name: pass a literal. */
clinfer_status launch_create(clinfer_runtime *rt, const char *file, const char *options,
                             const char *kernel, op_launch *out);

/* Enqueues on the runtime's queue; `event` may be NULL. A launch with a
 * global size of 0 (an empty tensor) enqueues nothing: OpenCL 1.2 devices
 * reject it. Then *event is set to NULL. */
clinfer_status launch_enqueue(clinfer_runtime *rt, const op_launch *l, cl_event *event);

/* The same on another queue of the runtime's context (a session's). */
clinfer_status launch_enqueue_on(clinfer_runtime *rt, cl_command_queue queue, const op_launch *l,
                                 cl_event *event);

void launch_release(op_launch *l);

/* Sets a 1-D launch of n items with local size LAUNCH_LOCAL_1D. */
#define LAUNCH_LOCAL_1D 64
void launch_grid1(op_launch *l, size_t n);

/* Sets a 3-D launch of (x, y, z) items with local size (lx, 1, 1). */
void launch_grid3(op_launch *l, size_t x, size_t y, size_t z, size_t lx);

/* Rows per work-item for kernels whose items each take a block of rows of
 * one of `planes` planes of `total` rows (the CPU "rows" kernels): `aim`
 * clamped to [1, total], then halved while there would be fewer than 8
 * items per compute unit, so both cores get work on small layers. */
int32_t launch_rows_per_item(const clinfer_runtime *rt, int64_t planes, int32_t total,
                             int64_t aim);

#endif
