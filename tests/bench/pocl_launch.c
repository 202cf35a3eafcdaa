/*
 * pocl_launch.c — what a kernel launch costs on the default OpenCL device,
 * outside clinfer (plain OpenCL), for issue 14's launch-overhead question:
 *
 *   launches  N back-to-back launches of a one-work-item kernel on an
 *             in-order queue, then clFinish: microseconds per launch; the
 *             same N recorded once in a cl_khr_command_buffer and replayed
 *             (when the device lists the extension, as PoCL 3.1 does).
 *   short     a kernel of 8 x 96 work-groups of size 1, each about 0.5 us
 *             of multiply-adds (0.4 ms on one core of a 2-core EPYC):
 *             milliseconds per run. Run it under POCL_MAX_PTHREAD_COUNT=1
 *             and =2, with POCL_AFFINITY=0 and =1, to see whether PoCL's
 *             second worker takes part in a kernel that short.
 *   chain     N launches of a kernel of 64 work-groups (C multiply-add
 *             steps each: 141 us on one thread of a 2-core Zen 4 EPYC
 *             with the default 2000) back to back, then clFinish:
 *             microseconds per kernel. Under POCL_MAX_PTHREAD_COUNT=1 and
 *             =2: what a layer-sized kernel loses on two threads to the
 *             second worker joining each kernel late (79-84 us there, 70.5
 *             ideal). Then the same chain on a profiling queue: the median
 *             kernel's device time and the median gap between one
 *             kernel's end and the next one's start (kernel_us, gap_us;
 *             with --chain-work 2000 on the 2-core EPYC, POCL_AFFINITY=1:
 *             one thread ~141 and 0.5 us, two threads ~78 and 7 us).
 *   lecture   runs shaped like the lecture CNN's at batch 1 (a 3,136-byte
 *             write not waited for, busy kernels, a blocking 40-byte read),
 *             the same two-thread device work (92 us: what `clinfer bench
 *             --profile` shows for its five kernels) cut into 5 kernels
 *             of 16/30/32/1/1 work-groups (clinfer's), 3 (both convolutions
 *             in one, both dense layers and the softmax in one) and 1 (64
 *             short work-groups, which the two threads share out as a
 *             persistent kernel taking tasks in turn would): the median
 *             run (us) of each, alternated over
 *             rounds of 300 runs. What fusing launches could gain at
 *             most, with the kernels' own time unchanged (2-core EPYC:
 *             134 / 115 / 108-113 us, while ONNX Runtime runs the model
 *             in 85-90).
 *
 *   pocl_launch [--launches N] [--work W] [--chain-work C]
 *
 * Prints one JSON object per measurement (the best of 20 repeats). Not a
 * test; built beside bench_kernels.
 */
#define _POSIX_C_SOURCE 200809L
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *source =
    "__kernel void tick(__global float *a) { a[get_global_id(0)] += 1.0f; }\n"
    "__kernel void busy(__global float *a, int work) {\n"
    "    size_t i = get_global_id(1) * get_global_size(2) + get_global_id(2);\n"
    "    float16 v = (float16)((float)i);\n"
    "    for (int j = 0; j < work; j++) v = fma(v, (float16)(1.0001f), (float16)(0.5f));\n"
    "    vstore16(v, i, a);\n"
    "}\n";

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Best of 20 of enqueue(...) then clFinish, in ms (3 unmeasured first). */
typedef cl_int (*enqueue_fn)(cl_command_queue q, void *ctx);
static double best_ms(cl_command_queue q, enqueue_fn enqueue, void *ctx)
{
    double best = 1e30;
    for (int r = 0; r < 23; r++) {
        const double t0 = now_ms();
        if (enqueue(q, ctx) != CL_SUCCESS || clFinish(q) != CL_SUCCESS)
            return -1.0;
        const double t = now_ms() - t0;
        if (r >= 3 && t < best)
            best = t;
    }
    return best;
}

typedef struct launches {
    cl_kernel kernel;
    int n;
    size_t global[3];
    cl_uint dims;
    cl_command_buffer_khr buffer;
    clEnqueueCommandBufferKHR_fn replay;
} launches;

static cl_int enqueue_plain(cl_command_queue q, void *ctx)
{
    const launches *l = ctx;
    const size_t local[3] = {1, 1, 1};
    cl_int err = CL_SUCCESS;
    for (int i = 0; i < l->n && err == CL_SUCCESS; i++)
        err = clEnqueueNDRangeKernel(q, l->kernel, l->dims, NULL, l->global, local, 0, NULL,
                                     NULL);
    return err;
}

static cl_int enqueue_recorded(cl_command_queue q, void *ctx)
{
    const launches *l = ctx;
    return l->replay(1, &q, l->buffer, 0, NULL, NULL);
}

/* An extension function's address in *fn (NULL when absent): through
 * memcpy, since ISO C has no cast from an object pointer to a function
 * pointer. */
static void extension_fn(cl_platform_id p, const char *name, void *fn, size_t size)
{
    void *address = clGetExtensionFunctionAddressForPlatform(p, name);
    memcpy(fn, &address, size);
}
#define EXTENSION(p, name, fn) extension_fn((p), (name), &(fn), sizeof(fn))

/* The N launches recorded in a command buffer; 0 when the device or the
 * platform cannot (l->buffer stays NULL). */
static int record(cl_platform_id p, cl_command_queue q, launches *l)
{
    clCreateCommandBufferKHR_fn create = NULL;
    EXTENSION(p, "clCreateCommandBufferKHR", create);
    clCommandNDRangeKernelKHR_fn command = NULL;
    EXTENSION(p, "clCommandNDRangeKernelKHR", command);
    clFinalizeCommandBufferKHR_fn finalize = NULL;
    EXTENSION(p, "clFinalizeCommandBufferKHR", finalize);
    EXTENSION(p, "clEnqueueCommandBufferKHR", l->replay);
    if (!create || !command || !finalize || !l->replay)
        return 0;
    cl_int err = CL_SUCCESS;
    l->buffer = create(1, &q, NULL, &err);
    const size_t local[3] = {1, 1, 1};
    for (int i = 0; i < l->n && err == CL_SUCCESS; i++)
        err = command(l->buffer, NULL, NULL, l->kernel, l->dims, NULL, l->global, local, 0, NULL,
                      NULL, NULL);
    if (err == CL_SUCCESS)
        err = finalize(l->buffer);
    return err == CL_SUCCESS;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The chain's kernels on a profiling queue: the median kernel's device
 * time and the median gap from one kernel's end to the next one's start
 * (us), over 20 chains after 3 unmeasured ones; -1 when it fails. */
typedef struct chain_profile {
    double kernel_us, gap_us;
} chain_profile;

static chain_profile profile_chain(cl_context c, cl_device_id d, const launches *l)
{
    chain_profile out = {-1.0, -1.0};
    const cl_queue_properties props[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
    cl_int err = CL_SUCCESS;
    cl_command_queue q = clCreateCommandQueueWithProperties(c, d, props, &err);
    const int n = l->n, rounds = 20;
    cl_event *ev = calloc((size_t)n, sizeof *ev);
    double *kernel = calloc((size_t)(n * rounds), sizeof *kernel);
    double *gap = calloc((size_t)(n * rounds), sizeof *gap);
    int kernels = 0, gaps = 0;
    const size_t local[3] = {1, 1, 1};
    for (int r = 0; err == CL_SUCCESS && ev && kernel && gap && r < rounds + 3; r++) {
        for (int i = 0; i < n && err == CL_SUCCESS; i++)
            err = clEnqueueNDRangeKernel(q, l->kernel, l->dims, NULL, l->global, local, 0, NULL,
                                         &ev[i]);
        if (err == CL_SUCCESS)
            err = clFinish(q);
        cl_ulong previous_end = 0;
        for (int i = 0; err == CL_SUCCESS && i < n; i++) {
            cl_ulong start = 0, end = 0;
            clGetEventProfilingInfo(ev[i], CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
            clGetEventProfilingInfo(ev[i], CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
            if (r >= 3) {
                kernel[kernels++] = (double)(end - start) / 1e3;
                if (i > 0)
                    gap[gaps++] = (double)(start - previous_end) / 1e3;
            }
            previous_end = end;
        }
        for (int i = 0; i < n; i++)
            if (ev[i])
                clReleaseEvent(ev[i]), ev[i] = NULL;
    }
    if (err == CL_SUCCESS && kernels > 0 && gaps > 0) {
        qsort(kernel, (size_t)kernels, sizeof *kernel, cmp_double);
        qsort(gap, (size_t)gaps, sizeof *gap, cmp_double);
        out.kernel_us = kernel[kernels / 2];
        out.gap_us = gap[gaps / 2];
    }
    free(ev);
    free(kernel);
    free(gap);
    if (q)
        clReleaseCommandQueue(q);
    return out;
}

/* One lecture-shaped run's kernels: work-groups and two-thread device time. */
typedef struct run_shape {
    const char *name;
    int kernels;
    int groups[5];
    double us[5];
} run_shape;

static const run_shape lecture_shapes[] = {
    {"5 kernels", 5, {16, 30, 32, 1, 1}, {9, 29, 51, 2, 1}},
    {"3 kernels", 3, {30, 32, 1}, {38, 51, 3}},
    {"1 kernel", 1, {64}, {92}}, /* short groups: the threads balance them */
};
#define LECTURE_SHAPES (int)(sizeof lecture_shapes / sizeof lecture_shapes[0])

/* us per step of the busy kernel's loop, from one work-group's device time. */
static double busy_step_us(cl_context c, cl_device_id d, cl_kernel busy)
{
    const cl_queue_properties props[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
    cl_int err = CL_SUCCESS;
    cl_command_queue q = clCreateCommandQueueWithProperties(c, d, props, &err);
    const int steps = 200000;
    const size_t global[3] = {1, 1, 1};
    double best = -1;
    clSetKernelArg(busy, 1, sizeof steps, &steps);
    for (int r = 0; err == CL_SUCCESS && r < 5; r++) {
        cl_event ev = NULL;
        err = clEnqueueNDRangeKernel(q, busy, 3, NULL, global, global, 0, NULL, &ev);
        if (err == CL_SUCCESS)
            err = clWaitForEvents(1, &ev);
        cl_ulong start = 0, end = 0;
        if (err == CL_SUCCESS) {
            clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
            clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
            const double us = (double)(end - start) / 1e3 / steps;
            best = best < 0 || us < best ? us : best;
        }
        if (ev)
            clReleaseEvent(ev);
    }
    if (q)
        clReleaseCommandQueue(q);
    return best;
}

/* One lecture-shaped run: write, the shape's kernels, blocking read (us). */
static double lecture_run_us(cl_command_queue q, cl_kernel busy, cl_mem in, cl_mem out,
                             const run_shape *sh, const int *steps)
{
    static float input[784], output[10];
    const size_t local[3] = {1, 1, 1};
    const double t0 = now_ms();
    cl_int err = clEnqueueWriteBuffer(q, in, CL_FALSE, 0, sizeof input, input, 0, NULL, NULL);
    for (int k = 0; err == CL_SUCCESS && k < sh->kernels; k++) {
        const size_t global[3] = {1, 1, (size_t)sh->groups[k]};
        clSetKernelArg(busy, 1, sizeof steps[k], &steps[k]);
        err = clEnqueueNDRangeKernel(q, busy, 3, NULL, global, local, 0, NULL, NULL);
    }
    if (err == CL_SUCCESS)
        err = clEnqueueReadBuffer(q, out, CL_TRUE, 0, sizeof output, output, 0, NULL, NULL);
    return err == CL_SUCCESS ? (now_ms() - t0) * 1e3 : -1;
}

/* The median run of each shape, over `rounds` rounds of 300 runs that
 * alternate the shapes. */
static void measure_lecture(cl_context c, cl_device_id d, cl_command_queue q, cl_kernel busy,
                            cl_mem out, int rounds)
{
    const double step = busy_step_us(c, d, busy);
    cl_int err = CL_SUCCESS;
    cl_mem in = clCreateBuffer(c, CL_MEM_READ_ONLY, 784 * sizeof(float), NULL, &err);
    const int per_round = 300;
    double *t = calloc((size_t)(LECTURE_SHAPES * rounds * per_round), sizeof *t);
    if (step <= 0 || err != CL_SUCCESS || !t) {
        printf("{\"measure\": \"lecture\", \"error\": \"setup failed\"}\n");
        free(t);
        if (in)
            clReleaseMemObject(in);
        return;
    }
    int steps[LECTURE_SHAPES][5];
    for (int s = 0; s < LECTURE_SHAPES; s++) /* half a kernel's groups per thread */
        for (int k = 0; k < lecture_shapes[s].kernels; k++)
            steps[s][k] = (int)(lecture_shapes[s].us[k] / ((lecture_shapes[s].groups[k] + 1) / 2) /
                                step);
    for (int r = 0; r < rounds; r++)
        for (int s = 0; s < LECTURE_SHAPES; s++)
            for (int i = 0; i < per_round; i++)
                t[(s * rounds + r) * per_round + i] =
                    lecture_run_us(q, busy, in, out, &lecture_shapes[s], steps[s]);
    for (int s = 0; s < LECTURE_SHAPES; s++) {
        double *mine = t + s * rounds * per_round;
        qsort(mine, (size_t)(rounds * per_round), sizeof *mine, cmp_double);
        printf("{\"measure\": \"lecture\", \"shape\": \"%s\", \"device_us\": 92, "
               "\"runs\": %d, \"median_us\": %.1f}\n",
               lecture_shapes[s].name, rounds * per_round, mine[rounds * per_round / 2]);
    }
    free(t);
    clReleaseMemObject(in);
}

int main(int argc, char **argv)
{
    int n = 50, work = 500, chain_work = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--launches") == 0)
            n = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--work") == 0)
            work = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--chain-work") == 0)
            chain_work = atoi(argv[i + 1]);
    }
    cl_platform_id p;
    cl_device_id d;
    cl_int err = clGetPlatformIDs(1, &p, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 1, &d, NULL);
    if (err != CL_SUCCESS || n < 1 || work < 0 || chain_work < 0) {
        fprintf(stderr, "pocl_launch: no OpenCL device (error %d) or bad arguments\n", err);
        return 1;
    }
    cl_context c = clCreateContext(NULL, 1, &d, NULL, NULL, &err);
    cl_command_queue q = clCreateCommandQueueWithProperties(c, d, NULL, &err);
    cl_program prog = clCreateProgramWithSource(c, 1, &source, NULL, &err);
    err = clBuildProgram(prog, 1, &d, "", NULL, NULL);
    cl_kernel tick = clCreateKernel(prog, "tick", &err), busy = clCreateKernel(prog, "busy", &err);
    cl_mem m = clCreateBuffer(c, CL_MEM_READ_WRITE, 16 * 4 * 8 * 96, NULL, &err);
    if (err != CL_SUCCESS) {
        fprintf(stderr, "pocl_launch: OpenCL setup failed (error %d)\n", err);
        return 1;
    }
    clSetKernelArg(tick, 0, sizeof m, &m);
    clSetKernelArg(busy, 0, sizeof m, &m);
    clSetKernelArg(busy, 1, sizeof work, &work);

    launches l = {tick, n, {1, 1, 1}, 1, NULL, NULL};
    const double plain = best_ms(q, enqueue_plain, &l);
    printf("{\"measure\": \"launches\", \"launches\": %d, \"plain_us_per_launch\": %.2f", n,
           plain * 1e3 / n);
    if (record(p, q, &l))
        printf(", \"command_buffer_us_per_launch\": %.2f",
               best_ms(q, enqueue_recorded, &l) * 1e3 / n);
    else
        printf(", \"command_buffer\": \"not offered\"");
    printf("}\n");
    clReleaseCommandBufferKHR_fn release = NULL;
    EXTENSION(p, "clReleaseCommandBufferKHR", release);
    if (l.buffer && release)
        release(l.buffer);

    launches s = {busy, 1, {1, 8, 96}, 3, NULL, NULL};
    const char *threads = getenv("POCL_MAX_PTHREAD_COUNT"), *affinity = getenv("POCL_AFFINITY");
    printf("{\"measure\": \"short\", \"work_groups\": 768, \"work\": %d, \"ms\": %.3f, "
           "\"POCL_MAX_PTHREAD_COUNT\": \"%s\", \"POCL_AFFINITY\": \"%s\"}\n",
           work, best_ms(q, enqueue_plain, &s), threads ? threads : "", affinity ? affinity : "");

    clSetKernelArg(busy, 1, sizeof chain_work, &chain_work);
    launches ch = {busy, n, {1, 1, 64}, 3, NULL, NULL};
    printf("{\"measure\": \"chain\", \"kernels\": %d, \"work_groups\": 64, \"work\": %d, "
           "\"us_per_kernel\": %.1f, \"POCL_MAX_PTHREAD_COUNT\": \"%s\"",
           n, chain_work, best_ms(q, enqueue_plain, &ch) * 1e3 / n, threads ? threads : "");
    chain_profile t = profile_chain(c, d, &ch);
    if (t.kernel_us >= 0)
        printf(", \"kernel_us\": %.1f, \"gap_us\": %.1f", t.kernel_us, t.gap_us);
    printf("}\n");
    measure_lecture(c, d, q, busy, m, 8);
    clReleaseMemObject(m);
    clReleaseKernel(tick);
    clReleaseKernel(busy);
    clReleaseProgram(prog);
    clReleaseCommandQueue(q);
    clReleaseContext(c);
    return 0;
}
