/*
 * launch.h — what every op shares: a prepared kernel launch (kernel object,
 * global and local sizes), build options that refuse truncation, argument
 * setting that collects errors and cleans up after itself, a tensor's
 * device location (buffer + offset), and enqueueing with global sizes
 * rounded up to the local size.
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

/* Where a tensor lives on the device: `offset` elements (not bytes: floats,
 * or halves in a CLINFER_PRECISION_FP16 runtime, rt_elem_bytes) into `mem`.
 * Kernels take each tensor as two arguments, the buffer and a `long`
 * element offset that they add to the pointer at entry, so tensors inside
 * one arena need no sub-buffers. Any element-aligned offset works: the
 * kernels' vector accesses (vloadN/vstoreN, vload_halfN) need only the
 * alignment of an element. mem NULL: an absent optional tensor. */
typedef struct dev_tensor {
    cl_mem mem;
    uint64_t offset;
} dev_tensor;

/* The whole of `mem` (offset 0). */
static inline dev_tensor dev_whole(cl_mem mem)
{
    dev_tensor t = {mem, 0};
    return t;
}

/* The index of the first argument after `n` tensors (two arguments each). */
#define KARG_AFTER_TENSORS(n) ((cl_uint)(2 * (n)))

/* Build options of one program, appended piece by piece to a fixed buffer.
 * A piece that does not fit marks the options as overflowed, and
 * launch_begin then fails instead of building a truncated option string. */
#define OPTS_MAX 2048 /* the chain: about 100 per layer */
typedef struct opts {
    char text[OPTS_MAX];
    size_t len;
    int overflow;
} opts;

/* Empty options. */
opts opts_none(void);

/* Appends one option (printf format), separated from the last by a space. */
void opts_add(opts *o, const char *fmt, ...) CLINFER_PRINTF(2, 3);

/* Sets kernel arguments in order; the first failure is kept for
 * launch_finish. When launch_begin failed, setting arguments
 * does nothing and launch_finish returns that failure. */
typedef struct karg {
    cl_kernel kernel;
    cl_uint next;
    cl_uint failed_index;
    cl_int err;
    clinfer_status begun; /* launch_begin's status */
} karg;

void karg_tensor(karg *a, dev_tensor t); /* the buffer (NULL: unused) and its offset */
void karg_tensors(karg *a, const dev_tensor *t, int count); /* t[0], .., t[count - 1] */
void karg_buffer(karg *a, cl_mem mem);   /* a whole buffer (scratch, packed weights): offset 0 */
void karg_int(karg *a, int32_t v);
void karg_ints(karg *a, const int32_t *v, int count); /* v[0], .., v[count - 1], one each */
void karg_float(karg *a, float v);
void karg_local(karg *a, size_t bytes); /* a __local buffer argument of `bytes` */
void karg_long(karg *a, int64_t v);
void karg_long8(karg *a, const int64_t v[8]);

/* Begins launch l: creates the kernel `kernel` of kernels/<file>.cl built
 * with options `o` (NULL: none) and starts *args at argument `first_arg`.
 * Arguments may then be set without checking this status: launch_finish
 * reports the first failure. The launch keeps the pointer `kernel` as its
 * name: pass a literal. */
clinfer_status launch_begin(clinfer_runtime *rt, op_launch *l, const char *file, const opts *o,
                            const char *kernel, cl_uint first_arg, karg *args);

/* Starts setting arguments of the existing launch l at `first_arg` (the
 * buffers of a bind step), for launch_finish. */
karg launch_args(const op_launch *l, cl_uint first_arg);

/* Ends launch_begin or launch_args: on any failure (creating the kernel,
 * an option string that overflowed, an argument) releases the kernel,
 * leaves l empty and returns the error. */
clinfer_status launch_finish(clinfer_runtime *rt, op_launch *l, const karg *args);

/* The bind step of the ops that read one tensor and write one (unary,
 * softmax, pooling, concat, pad, slice, transpose, reduce): input and
 * output as the first arguments, after launch_begin at
 * KARG_AFTER_TENSORS(2). */
clinfer_status launch_bind_io(clinfer_runtime *rt, op_launch *l, dev_tensor input,
                              dev_tensor output);

/* The same for ops that read `count` tensors: in[0..count) then the
 * output as the first arguments. */
clinfer_status launch_bind_inputs(clinfer_runtime *rt, op_launch *l, const dev_tensor *in,
                                  int count, dev_tensor output);

/* Enqueues on the runtime's queue; `event` may be NULL. A launch with a
 * global size of 0 (an empty tensor) enqueues nothing: OpenCL 1.2 devices
 * reject it. Then *event is set to NULL. */
clinfer_status launch_enqueue(clinfer_runtime *rt, const op_launch *l, cl_event *event);

/* The global size l is enqueued with, each dimension rounded up to a
 * multiple of the local size, in global; 0 (global untouched) where a
 * dimension is 0: such a launch enqueues nothing. */
int launch_rounded_grid(const op_launch *l, size_t global[3]);

/* The same on another queue of the runtime's context (a session's). */
clinfer_status launch_enqueue_on(clinfer_runtime *rt, cl_command_queue queue, const op_launch *l,
                                 cl_event *event);

void launch_release(op_launch *l);

/* Sets a 1-D launch of n items with local size LAUNCH_LOCAL_1D. */
#define LAUNCH_LOCAL_1D 64
void launch_grid1(op_launch *l, size_t n);

/* Sets a 3-D launch of (x, y, z) items with local size (lx, 1, 1). */
void launch_grid3(op_launch *l, size_t x, size_t y, size_t z, size_t lx);

/* 1 where a kernel family that has a CPU form and a GPU form runs the CPU
 * one: on a CPU device, unless CLINFER_POOL_VARIANT (the runtime's
 * pool_variant, config.h) forces one (rows: the CPU form, items: the GPU
 * form), so that PoCL tests both. Pooling, squeeze_excite and rnn. */
int launch_cpu_form(const clinfer_runtime *rt);

/* Work-items per group of a kernel whose group walks its work together
 * (squeeze_excite's gate, rnn's steps): one in the CPU form (PoCL runs a
 * group of one without a loop over items), 64 in the GPU form. */
size_t launch_group_items(const clinfer_runtime *rt);

/* Rows per work-item for kernels whose items each take a block of rows of
 * one of `planes` planes of `total` rows (the CPU "rows" kernels): `aim`
 * clamped to [1, total], then halved while there would be fewer than 8
 * items per compute unit, so both cores get work on small layers. */
int32_t launch_rows_per_item(const clinfer_runtime *rt, int64_t planes, int32_t total,
                             int64_t aim);

#endif
