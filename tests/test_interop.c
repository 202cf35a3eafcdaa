/*
 * test_interop.c — clinfer_cl.h: a runtime on the caller's context, device
 * and queue (retained and released, never taken over), sessions reading
 * inputs from and writing outputs to caller-owned cl_mem buffers (in place
 * or through one copy, both giving exactly the host path's results), runs
 * chained to the caller's own commands through events, and every error
 * case of these calls.
 *
 * Not a Criterion test (see check.h): it runs under ThreadSanitizer too.
 */
#define _POSIX_C_SOURCE 200809L
#include "cl.h" /* the library's OpenCL target version, before clinfer_cl.h */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "clinfer_cl.h"
#include "small_cnn.h"

#define BATCH 2
#define NIN (BATCH * SMALL_CNN_IN)
#define NPROBS (BATCH * SMALL_CNN_CLASSES)
#define NFEAT (BATCH * SMALL_CNN_FEATURES)

#define CHECK_CL(call)                                                  \
    do {                                                                \
        cl_int e_ = (call);                                             \
        CHECK(e_ == CL_SUCCESS, "OpenCL error %d", (int)e_);            \
    } while (0)

/* The caller's OpenCL objects: an in-order queue without profiling on the
 * device clinfer would pick, and a second context to get things wrong. */
static struct {
    cl_platform_id plat;
    cl_device_id dev;
    cl_context ctx, ctx2;
    cl_command_queue q, q2;
    uint32_t platform_index, device_index;
    size_t align; /* CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes */
    small_cnn weights;
    float in[2][NIN];        /* two input sets */
    float probs[2][NPROBS];  /* the host path's outputs for them */
    float feat[2][NFEAT];
} cl;

static void caller_setup(void)
{
    clinfer_runtime *probe = NULL;
    CHECK_OK(clinfer_runtime_create(NULL, &probe)); /* which device clinfer picks */
    cl.dev = clinfer_runtime_cl_device(probe);
    cl.platform_index = clinfer_runtime_device(probe)->platform_index;
    cl.device_index = clinfer_runtime_device(probe)->device_index;
    printf("device %u:%u: %s (%s)\n", cl.platform_index, cl.device_index,
           clinfer_runtime_device(probe)->name, clinfer_runtime_device(probe)->platform_name);
    clinfer_runtime_free(probe);
    CHECK_CL(clGetDeviceInfo(cl.dev, CL_DEVICE_PLATFORM, sizeof cl.plat, &cl.plat, NULL));
    cl_uint bits = 0;
    CHECK_CL(clGetDeviceInfo(cl.dev, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL));
    cl.align = bits / 8;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)cl.plat, 0};
    cl_int err = CL_SUCCESS;
    cl.ctx = clCreateContext(props, 1, &cl.dev, NULL, NULL, &err);
    CHECK_CL(err);
    cl.ctx2 = clCreateContext(props, 1, &cl.dev, NULL, NULL, &err);
    CHECK_CL(err);
    cl.q = clCreateCommandQueue(cl.ctx, cl.dev, 0, &err);
    CHECK_CL(err);
    cl.q2 = clCreateCommandQueue(cl.ctx2, cl.dev, 0, &err);
    CHECK_CL(err);

    small_cnn_init(&cl.weights, 77, 0);
    uint32_t seed = 3;
    for (int k = 0; k < 2; k++)
        small_cnn_fill(cl.in[k], NIN, -1, 1, &seed);
}

static void caller_teardown(void)
{
    clReleaseCommandQueue(cl.q);
    clReleaseCommandQueue(cl.q2);
    clReleaseContext(cl.ctx);
    clReleaseContext(cl.ctx2);
}

static cl_uint refcount_ctx(cl_context c)
{
    cl_uint n = 0;
    CHECK_CL(clGetContextInfo(c, CL_CONTEXT_REFERENCE_COUNT, sizeof n, &n, NULL));
    return n;
}

/* Drivers may drop their internal references (finished commands) a little
 * after the call that released them: poll for up to two seconds. */
static void sleep_ms(long ms);
static cl_uint refcount_ctx_settled(cl_context c, cl_uint want)
{
    cl_uint n = refcount_ctx(c);
    for (int i = 0; i < 200 && n != want; i++) {
        sleep_ms(10);
        n = refcount_ctx(c);
    }
    return n;
}

/* The count to compare against later: the previous test's finished commands
 * may still hold references the driver drops a little later (PoCL did, and a
 * baseline read too early made a correct release look like an over-release).
 * Waits until the count has not changed for 50 ms, for up to two seconds. */
static cl_uint refcount_ctx_quiet(cl_context c)
{
    CHECK_CL(clFinish(cl.q));
    cl_uint n = refcount_ctx(c);
    for (int i = 0, same = 0; i < 200 && same < 5; i++) {
        sleep_ms(10);
        cl_uint now = refcount_ctx(c);
        same = now == n ? same + 1 : 0;
        n = now;
    }
    return n;
}

static cl_uint refcount_queue(cl_command_queue q)
{
    cl_uint n = 0;
    CHECK_CL(clGetCommandQueueInfo(q, CL_QUEUE_REFERENCE_COUNT, sizeof n, &n, NULL));
    return n;
}

static cl_uint refcount_mem(cl_mem m)
{
    cl_uint n = 0;
    CHECK_CL(clGetMemObjectInfo(m, CL_MEM_REFERENCE_COUNT, sizeof n, &n, NULL));
    return n;
}

static cl_mem buffer(cl_context c, cl_mem_flags flags, size_t bytes)
{
    cl_int err = CL_SUCCESS;
    cl_mem m = clCreateBuffer(c, flags, bytes, NULL, &err);
    CHECK_CL(err);
    return m;
}

static cl_mem sub_buffer(cl_mem parent, size_t offset, size_t bytes)
{
    cl_buffer_region r = {offset, bytes};
    cl_int err = CL_SUCCESS;
    cl_mem m = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &r, &err);
    CHECK_CL(err);
    return m;
}

static clinfer_runtime *caller_runtime(cl_command_queue q)
{
    clinfer_runtime *rt = NULL;
    CHECK_OK(clinfer_runtime_create_from_cl(cl.ctx, cl.dev, q, NULL, &rt));
    return rt;
}

static clinfer_model *small_model(clinfer_runtime *rt, const small_cnn *w)
{
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    CHECK_OK(small_cnn_graph(w, &g));
    CHECK_OK(clinfer_model_compile(rt, g, &m));
    clinfer_graph_free(g);
    return m;
}

static clinfer_session *session(clinfer_model *m, int64_t batch, clinfer_queue_mode queue,
                                int profile)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch;
    o.queue = queue;
    o.profile = profile;
    clinfer_session *s = NULL;
    CHECK_OK(clinfer_session_create(m, &o, &s));
    return s;
}

/* Runs input set k through the host path. */
static void host_run(clinfer_session *s, int k, float *probs, float *feat)
{
    CHECK_OK(clinfer_session_set_input(s, 0, cl.in[k], NIN));
    CHECK_OK(clinfer_session_run(s));
    CHECK_OK(clinfer_session_get_output(s, 0, probs, NPROBS));
    CHECK_OK(clinfer_session_get_output(s, 1, feat, NFEAT));
}

static void check_same(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        CHECK(got[i] == want[i], "%s[%zu]: %.9g, host path %.9g", what, i, got[i], want[i]);
}

/* --------------------------------------------------------------- runtime */

static void host_path_reference(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 0);
    CHECK(clinfer_session_cl_queue(s) == cl.q, "AUTO on a caller's queue uses that queue");
    float want_p[NPROBS], want_f[NFEAT];
    for (int k = 0; k < 2; k++) {
        host_run(s, k, cl.probs[k], cl.feat[k]);
        small_cnn_reference(&cl.weights, cl.in[k], BATCH, want_p, want_f);
        CHECK(small_cnn_excess(cl.probs[k], want_p, NPROBS, 1e-5, 1e-4) <= 0, "probs");
        CHECK(small_cnn_excess(cl.feat[k], want_f, NFEAT, 1e-5, 1e-4) <= 0, "features");
    }
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

static void runtime_retains_and_releases(void)
{
    cl_uint ctx0 = refcount_ctx_quiet(cl.ctx), q0 = refcount_queue(cl.q);
    clinfer_runtime *rt = caller_runtime(cl.q);
    CHECK(refcount_ctx(cl.ctx) == ctx0 + 1, "context retained once: %u -> %u", ctx0,
          refcount_ctx(cl.ctx));
    CHECK(refcount_queue(cl.q) == q0 + 1, "queue retained once");
    CHECK(clinfer_runtime_cl_context(rt) == cl.ctx, "context accessor");
    CHECK(clinfer_runtime_cl_device(rt) == cl.dev, "device accessor");
    CHECK(clinfer_runtime_cl_queue(rt) == cl.q, "queue accessor");
    const clinfer_device_info *info = clinfer_runtime_device(rt);
    char name[256];
    CHECK_CL(clGetDeviceInfo(cl.dev, CL_DEVICE_NAME, sizeof name, name, NULL));
    CHECK(strncmp(info->name, name, sizeof info->name - 1) == 0, "probed name %s", info->name);
    CHECK(info->platform_index == cl.platform_index && info->device_index == cl.device_index,
          "listed as %u:%u", info->platform_index, info->device_index);
    CHECK(info->global_mem_bytes > 0 && info->max_alloc_bytes > 0, "capabilities probed");
    clinfer_runtime_free(rt);
    CHECK(refcount_ctx_settled(cl.ctx, ctx0) == ctx0, "context released");
    CHECK(refcount_queue(cl.q) == q0, "queue released");

    /* No queue: the runtime makes its own on the caller's context. */
    rt = caller_runtime(NULL);
    CHECK(clinfer_runtime_cl_queue(rt) && clinfer_runtime_cl_queue(rt) != cl.q, "own queue");
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 1);
    CHECK(clinfer_session_cl_queue(s) != clinfer_runtime_cl_queue(rt),
          "AUTO on a runtime's own queue: a session queue of its own");
    float p[NPROBS], f[NFEAT];
    host_run(s, 0, p, f);
    check_same(p, cl.probs[0], NPROBS, "probs");
    size_t n = 0;
    CHECK(clinfer_session_profile(s, &n) && n > 0, "profiled");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    CHECK(refcount_ctx_settled(cl.ctx, ctx0) == ctx0, "context released: %u, was %u",
          refcount_ctx(cl.ctx), ctx0);
}

static void runtime_from_cl_errors(void)
{
    cl_uint ctx0 = refcount_ctx_quiet(cl.ctx), q0 = refcount_queue(cl.q);
    clinfer_runtime *rt = (clinfer_runtime *)&cl; /* must be reset to NULL */
    CHECK_FAILS(clinfer_runtime_create_from_cl(cl.ctx, cl.dev, cl.q, NULL, NULL),
                CLINFER_ERR_INVALID_ARGUMENT, "out is NULL");
    CHECK_FAILS(clinfer_runtime_create_from_cl(NULL, cl.dev, cl.q, NULL, &rt),
                CLINFER_ERR_INVALID_ARGUMENT, "context is NULL");
    CHECK(rt == NULL, "*out is NULL on failure");
    CHECK_FAILS(clinfer_runtime_create_from_cl(cl.ctx, NULL, cl.q, NULL, &rt),
                CLINFER_ERR_INVALID_ARGUMENT, "device is NULL");
    CHECK_FAILS(clinfer_runtime_create_from_cl(cl.ctx, cl.dev, cl.q2, NULL, &rt),
                CLINFER_ERR_INVALID_ARGUMENT, "another context");
    cl_int err = CL_SUCCESS;
    cl_command_queue ooo =
        clCreateCommandQueue(cl.ctx, cl.dev, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, &err);
    if (ooo) {
        CHECK_FAILS(clinfer_runtime_create_from_cl(cl.ctx, cl.dev, ooo, NULL, &rt),
                    CLINFER_ERR_INVALID_ARGUMENT, "out of order");
        CHECK(strstr(clinfer_last_errmsg(), "in-order"), "%s", clinfer_last_errmsg());
        clReleaseCommandQueue(ooo);
    } else {
        printf("  (no out-of-order queues on this device: %d; check skipped)\n", (int)err);
    }
    /* A sub-device is not a device of a context made for its parent. */
    cl_device_partition_property part[] = {CL_DEVICE_PARTITION_EQUALLY, 1, 0};
    cl_device_id sub[256];
    cl_uint nsub = 0;
    if (clCreateSubDevices(cl.dev, part, 256, sub, &nsub) == CL_SUCCESS && nsub >= 1) {
        CHECK_FAILS(clinfer_runtime_create_from_cl(cl.ctx, sub[0], NULL, NULL, &rt),
                    CLINFER_ERR_INVALID_ARGUMENT, "not one of the");
        for (cl_uint i = 0; i < nsub && i < 256; i++)
            clReleaseDevice(sub[i]);
    } else {
        printf("  (no sub-devices on this device; check skipped)\n");
    }
    CHECK(rt == NULL, "*out is NULL on failure");
    CHECK(refcount_ctx_settled(cl.ctx, ctx0) == ctx0 && refcount_queue(cl.q) == q0,
          "failures retain nothing");
}

/* --------------------------------------------------------------- buffers */

/* One way to place the input and the two outputs in caller buffers. */
typedef struct placement {
    const char *name;
    cl_mem in, probs, feat; /* what is bound */
    size_t in_off, probs_off, feat_off;
    cl_mem in_parent, probs_parent, feat_parent; /* where to write/read (parent buffers) */
    size_t in_at, probs_at, feat_at;             /* byte positions in the parents */
    uint64_t copies_per_run;                     /* expected device copies per run */
} placement;

/* Binds, runs both input sets through the caller's queue, and compares
 * with the host path bit for bit. */
static void run_placement(clinfer_session *s, const placement *p)
{
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, p->in, p->in_off));
    CHECK_OK(clinfer_session_set_output_buffer(s, 0, p->probs, p->probs_off));
    CHECK_OK(clinfer_session_set_output_buffer(s, 1, p->feat, p->feat_off));
    clinfer_transfer_stats t0 = clinfer_session_transfers(s);
    for (int k = 0; k < 2; k++) {
        float probs[NPROBS], feat[NFEAT];
        memset(probs, 0xff, sizeof probs);
        memset(feat, 0xff, sizeof feat);
        cl_command_queue q = clinfer_session_cl_queue(s);
        CHECK_CL(clEnqueueWriteBuffer(q, p->in_parent, CL_FALSE, p->in_at, sizeof cl.in[k],
                                      cl.in[k], 0, NULL, NULL));
        cl_event done = NULL;
        CHECK_OK(clinfer_session_run_async(s, 0, NULL, &done));
        CHECK(done != NULL, "an event");
        CHECK_CL(clEnqueueReadBuffer(q, p->probs_parent, CL_TRUE, p->probs_at, sizeof probs, probs,
                                     1, &done, NULL));
        CHECK_CL(clEnqueueReadBuffer(q, p->feat_parent, CL_TRUE, p->feat_at, sizeof feat, feat, 0,
                                     NULL, NULL));
        clReleaseEvent(done);
        printf("  %s, input set %d\n", p->name, k);
        check_same(probs, cl.probs[k], NPROBS, "probs");
        check_same(feat, cl.feat[k], NFEAT, "features");
        /* The host path still reads a bound output. */
        float again[NPROBS];
        CHECK_OK(clinfer_session_get_output(s, 0, again, NPROBS));
        check_same(again, cl.probs[k], NPROBS, "probs read by the host path");
    }
    clinfer_transfer_stats t1 = clinfer_session_transfers(s);
    CHECK(t1.uploads == t0.uploads, "no host upload");
    CHECK(t1.downloads == t0.downloads + 2, "only the two host reads");
    CHECK(t1.device_copies - t0.device_copies == 2 * p->copies_per_run,
          "%s: %llu device copies in two runs, want %llu", p->name,
          (unsigned long long)(t1.device_copies - t0.device_copies),
          (unsigned long long)(2 * p->copies_per_run));
}

static void buffers_match_host_path(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    const size_t bin = sizeof cl.in[0], bp = sizeof cl.probs[0], bf = sizeof cl.feat[0];
    const size_t a = cl.align;

    /* Separate buffers at offset 0: bound in place. */
    cl_mem in = buffer(cl.ctx, CL_MEM_READ_ONLY, bin);
    cl_mem probs = buffer(cl.ctx, CL_MEM_READ_WRITE, bp);
    cl_mem feat = buffer(cl.ctx, CL_MEM_READ_WRITE, bf);
    /* One arena of the caller's with aligned offsets: in place. */
    size_t at_in = a, at_p = a * (2 + bin / a), at_f = at_p + a * (1 + bp / a);
    cl_mem big = buffer(cl.ctx, CL_MEM_READ_WRITE, at_f + bf + a);
    /* Offsets that are multiples of 4 only: in place too (kernels take a
     * buffer and an offset, not a sub-buffer). */
    size_t mis_in = 4, mis_p = 4 + bin + 8, mis_f = mis_p + bp + 4;
    cl_mem odd = buffer(cl.ctx, CL_MEM_READ_WRITE, mis_f + bf + 4);
    /* Caller sub-buffers, at offset 0 or further in: in place. */
    cl_mem sub_in = sub_buffer(big, at_in, bin);

    placement ps[] = {
        {"separate buffers", in, probs, feat, 0, 0, 0, in, probs, feat, 0, 0, 0, 0},
        {"aligned offsets", big, big, big, at_in, at_p, at_f, big, big, big, at_in, at_p, at_f,
         0},
        {"misaligned offsets", odd, odd, odd, mis_in, mis_p, mis_f, odd, odd, odd, mis_in, mis_p,
         mis_f, 0},
        {"caller sub-buffer", sub_in, big, big, 0, at_p, at_f, big, big, big, at_in, at_p, at_f,
         0},
        {"offset into a sub-buffer", sub_in, odd, feat, 0, mis_p, 0, big, odd, feat, at_in,
         mis_p, 0, 0},
    };
    /* On the caller's queue (AUTO), and on a queue of the session's own. */
    for (int mode = 0; mode < 2; mode++) {
        clinfer_session *s = session(m, BATCH, mode ? CLINFER_QUEUE_OWN : CLINFER_QUEUE_AUTO, 0);
        for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
            run_placement(s, &ps[i]);
        clinfer_session_free(s);
    }
    /* A sub-buffer bound at a non-zero offset: in place as well. */
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 0);
    cl_mem sub_big = sub_buffer(big, 0, at_f + bf);
    placement nested = {"offset inside a caller sub-buffer", in, sub_big, feat, 0, at_p, 0,
                        in, big, feat, 0, at_p, 0, 0};
    run_placement(s, &nested);
    clinfer_session_free(s);
    clReleaseMemObject(sub_big);
    clReleaseMemObject(sub_in);
    clReleaseMemObject(in);
    clReleaseMemObject(probs);
    clReleaseMemObject(feat);
    clReleaseMemObject(big);
    clReleaseMemObject(odd);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* Write-only output buffers: in place when no later kernel reads the
 * output, copied when one does ("features" feeds the dense layer). */
static void write_only_outputs(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 0);
    cl_mem in = buffer(cl.ctx, CL_MEM_READ_ONLY, sizeof cl.in[0]);
    cl_mem probs = buffer(cl.ctx, CL_MEM_WRITE_ONLY, sizeof cl.probs[0]);
    cl_mem feat = buffer(cl.ctx, CL_MEM_WRITE_ONLY, sizeof cl.feat[0]);
    placement p = {"write-only outputs", in, probs, feat, 0, 0, 0, in, probs, feat, 0, 0, 0, 1};
    run_placement(s, &p);
    clinfer_session_free(s);
    clReleaseMemObject(in);
    clReleaseMemObject(probs);
    clReleaseMemObject(feat);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* An output that is the graph input itself is copied, never aliased. */
static void output_of_an_input_is_copied(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_shape sh = {2, {CLINFER_BATCH_DIM, 7}};
    clinfer_value x, y;
    CHECK_OK(clinfer_graph_create(&g));
    CHECK_OK(clinfer_graph_input(g, "x", &sh, &x));
    CHECK_OK(clinfer_graph_identity(g, "y", x, &y));
    CHECK_OK(clinfer_graph_output(g, y, NULL));
    CHECK_OK(clinfer_model_compile(rt, g, &m));
    clinfer_graph_free(g);
    clinfer_session *s = session(m, 3, CLINFER_QUEUE_AUTO, 0);
    float data[21], got[21];
    for (int i = 0; i < 21; i++)
        data[i] = (float)i - 10.5f;
    cl_mem a = buffer(cl.ctx, CL_MEM_READ_WRITE, sizeof data);
    cl_mem b = buffer(cl.ctx, CL_MEM_READ_WRITE, sizeof data);
    CHECK_CL(clEnqueueWriteBuffer(cl.q, a, CL_TRUE, 0, sizeof data, data, 0, NULL, NULL));
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, a, 0));
    CHECK_OK(clinfer_session_set_output_buffer(s, 0, b, 0));
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 0, a, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "overlaps the buffer bound to input 0");
    CHECK_OK(clinfer_session_run(s));
    CHECK_CL(clEnqueueReadBuffer(cl.q, b, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL));
    check_same(got, data, 21, "identity");
    CHECK(clinfer_session_transfers(s).device_copies == 1, "one copy");
    clinfer_session_free(s);
    clReleaseMemObject(a);
    clReleaseMemObject(b);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

static void bindings_retain_unbind_and_give_way_to_host_input(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 0);
    cl_mem in = buffer(cl.ctx, CL_MEM_READ_ONLY, sizeof cl.in[0]);
    CHECK_CL(clEnqueueWriteBuffer(cl.q, in, CL_TRUE, 0, sizeof cl.in[1], cl.in[1], 0, NULL, NULL));
    cl_uint r0 = refcount_mem(in);
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, in, 0));
    CHECK(refcount_mem(in) == r0 + 1, "retained while bound");
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, NULL, 0));
    CHECK(refcount_mem(in) == r0, "released when unbound");
    CHECK_FAILS(clinfer_session_run(s), CLINFER_ERR_INVALID_ARGUMENT, "unbound");

    /* Bound, then let go by the caller: the session keeps it alive. */
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, in, 0));
    clReleaseMemObject(in);
    float p[NPROBS], f[NFEAT];
    for (int run = 0; run < 2; run++) { /* a bound input is read by every run */
        CHECK_OK(clinfer_session_run(s));
        CHECK_OK(clinfer_session_get_output(s, 0, p, NPROBS));
        CHECK_OK(clinfer_session_get_output(s, 1, f, NFEAT));
        check_same(p, cl.probs[1], NPROBS, "probs from a buffer the caller released");
    }
    /* Host data replaces the binding. */
    uint64_t uploads = clinfer_session_transfers(s).uploads;
    host_run(s, 0, p, f);
    check_same(p, cl.probs[0], NPROBS, "probs after set_input");
    check_same(f, cl.feat[0], NFEAT, "features after set_input");
    CHECK(clinfer_session_transfers(s).uploads == uploads + 1, "one upload");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* A host-set input either survives a run or must be set again, never
 * silently reads memory that later layers overwrote. */
static void host_inputs_across_runs(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 0);
    float p[NPROBS], f[NFEAT];
    host_run(s, 0, p, f);
    clinfer_status st = clinfer_session_run(s);
    if (st == CLINFER_OK) {
        CHECK_OK(clinfer_session_get_output(s, 0, p, NPROBS));
        check_same(p, cl.probs[0], NPROBS, "second run on the same input");
    } else {
        CHECK(st == CLINFER_ERR_INVALID_ARGUMENT, "%s", clinfer_status_str(st));
        CHECK(strstr(clinfer_session_errmsg(s), "must be set again"), "%s",
              clinfer_session_errmsg(s));
        printf("  (this plan reuses the input's memory: the second run asks for it again)\n");
    }
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* ---------------------------------------------------------------- events */

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static cl_int event_status(cl_event e)
{
    cl_int st = 0;
    CHECK_CL(clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof st, &st, NULL));
    return st;
}

static const char *twice_source =
    "__kernel void twice(__global const float *a, __global float *b)\n"
    "{ size_t i = get_global_id(0); b[i] = 2.0f * a[i]; }\n";

/* caller's write (gated by a user event) -> clinfer run on its own queue ->
 * caller's kernel on the output, chained by events only. */
static void events_chain_runs(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_OWN, 0);
    CHECK(clinfer_session_cl_queue(s) != cl.q, "a queue of its own");
    cl_int err = CL_SUCCESS;
    cl_program prog = clCreateProgramWithSource(cl.ctx, 1, &twice_source, NULL, &err);
    CHECK_CL(err);
    CHECK_CL(clBuildProgram(prog, 1, &cl.dev, "", NULL, NULL));
    cl_kernel twice = clCreateKernel(prog, "twice", &err);
    CHECK_CL(err);

    cl_mem in = buffer(cl.ctx, CL_MEM_READ_ONLY, sizeof cl.in[0]);
    cl_mem probs = buffer(cl.ctx, CL_MEM_READ_WRITE, sizeof cl.probs[0]);
    cl_mem doubled = buffer(cl.ctx, CL_MEM_READ_WRITE, sizeof cl.probs[0]);
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, in, 0));
    CHECK_OK(clinfer_session_set_output_buffer(s, 0, probs, 0));

    cl_event gate = clCreateUserEvent(cl.ctx, &err);
    CHECK_CL(err);
    cl_event written = NULL, done = NULL, scaled = NULL;
    CHECK_CL(clEnqueueWriteBuffer(cl.q, in, CL_FALSE, 0, sizeof cl.in[1], cl.in[1], 1, &gate,
                                  &written));
    CHECK_CL(clFlush(cl.q));
    CHECK_OK(clinfer_session_run_async(s, 1, &written, &done));
    sleep_ms(100);
    CHECK(event_status(done) > CL_COMPLETE, "the run waits for the caller's write (status %d)",
          (int)event_status(done));
    CHECK_CL(clSetKernelArg(twice, 0, sizeof probs, &probs));
    CHECK_CL(clSetKernelArg(twice, 1, sizeof doubled, &doubled));
    size_t n = NPROBS;
    CHECK_CL(clEnqueueNDRangeKernel(cl.q, twice, 1, NULL, &n, NULL, 1, &done, &scaled));
    CHECK_CL(clSetUserEventStatus(gate, CL_COMPLETE));
    float got[NPROBS];
    CHECK_CL(clEnqueueReadBuffer(cl.q, doubled, CL_TRUE, 0, sizeof got, got, 1, &scaled, NULL));
    CHECK(event_status(done) == CL_COMPLETE, "run complete");
    for (int i = 0; i < NPROBS; i++)
        CHECK(got[i] == 2.0f * cl.probs[1][i], "doubled probs[%d]: %g vs %g", i, got[i],
              2.0f * cl.probs[1][i]);
    clReleaseEvent(gate);
    clReleaseEvent(written);
    clReleaseEvent(done);
    clReleaseEvent(scaled);

    /* With profiling, run_async waits: the event is complete on return. */
    clinfer_session *ps = session(m, BATCH, CLINFER_QUEUE_OWN, 1);
    CHECK_OK(clinfer_session_set_input(ps, 0, cl.in[0], NIN));
    CHECK_OK(clinfer_session_run_async(ps, 0, NULL, &done));
    CHECK(event_status(done) == CL_COMPLETE, "profiled run is complete on return");
    size_t count = 0;
    CHECK(clinfer_session_profile(ps, &count) && count > 0, "profile ready");
    clReleaseEvent(done);
    clinfer_session_free(ps);

    clReleaseKernel(twice);
    clReleaseProgram(prog);
    clReleaseMemObject(in);
    clReleaseMemObject(probs);
    clReleaseMemObject(doubled);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

/* ---------------------------------------------------------------- errors */

static void binding_and_run_errors(void)
{
    clinfer_runtime *rt = caller_runtime(cl.q);
    clinfer_model *m = small_model(rt, &cl.weights);
    clinfer_session *s = session(m, BATCH, CLINFER_QUEUE_AUTO, 0);
    const size_t bin = sizeof cl.in[0], bp = sizeof cl.probs[0];
    cl_mem in = buffer(cl.ctx, CL_MEM_READ_WRITE, bin);
    cl_mem probs = buffer(cl.ctx, CL_MEM_READ_WRITE, bp);
    cl_mem other_ctx = buffer(cl.ctx2, CL_MEM_READ_WRITE, bin);
    cl_mem small = buffer(cl.ctx, CL_MEM_READ_WRITE, bin - 4);
    cl_mem wo = buffer(cl.ctx, CL_MEM_WRITE_ONLY, bin);
    cl_mem ro = buffer(cl.ctx, CL_MEM_READ_ONLY, bp);

    CHECK_FAILS(clinfer_session_set_input_buffer(NULL, 0, in, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "session is NULL");
    CHECK_FAILS(clinfer_session_set_output_buffer(NULL, 0, in, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "session is NULL");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 1, in, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "input index 1 out of range");
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 2, probs, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "output index 2 out of range");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, other_ctx, 0),
                CLINFER_ERR_INVALID_ARGUMENT, "another OpenCL context");
    CHECK(strstr(clinfer_last_errmsg(), "\"image\""), "names the input: %s", clinfer_last_errmsg());
    CHECK(strcmp(clinfer_session_errmsg(s), clinfer_last_errmsg()) == 0, "session message");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, small, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "needs 2880 bytes at offset 0; the buffer holds 2876 bytes");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, in, 8), CLINFER_ERR_INVALID_ARGUMENT,
                "needs 2880 bytes at offset 8");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, in, (size_t)-4),
                CLINFER_ERR_INVALID_ARGUMENT, "needs 2880 bytes");
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 0, probs, 2), CLINFER_ERR_INVALID_ARGUMENT,
                "needs 40 bytes at offset 2");
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 1, in, 2), CLINFER_ERR_INVALID_ARGUMENT,
                "offset 2 is not a multiple of 4");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, wo, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "CL_MEM_WRITE_ONLY");
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 0, ro, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "CL_MEM_READ_ONLY");
    cl_bool images = CL_FALSE;
    clGetDeviceInfo(cl.dev, CL_DEVICE_IMAGE_SUPPORT, sizeof images, &images, NULL);
    if (images) {
        cl_image_format fmt = {CL_RGBA, CL_FLOAT};
        cl_image_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.image_type = CL_MEM_OBJECT_IMAGE2D;
        desc.image_width = 64;
        desc.image_height = 64;
        cl_int err = CL_SUCCESS;
        cl_mem img = clCreateImage(cl.ctx, CL_MEM_READ_WRITE, &fmt, &desc, NULL, &err);
        if (img) {
            CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, img, 0),
                        CLINFER_ERR_INVALID_ARGUMENT, "not a buffer");
            clReleaseMemObject(img);
        }
    }
    /* Overlaps: input with output, output with output, through sub-buffers. */
    cl_mem big = buffer(cl.ctx, CL_MEM_READ_WRITE, 4 * cl.align + 2 * bin);
    cl_mem tail = sub_buffer(big, 2 * cl.align, 2 * cl.align + bin);
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, big, 0));
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 0, big, bin - 4),
                CLINFER_ERR_INVALID_ARGUMENT, "overlaps the buffer bound to input 0 (\"image\")");
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 0, tail, 0), CLINFER_ERR_INVALID_ARGUMENT,
                "overlaps the buffer bound to input 0");
    CHECK_OK(clinfer_session_set_output_buffer(s, 0, big, bin)); /* right after: fine */
    CHECK_FAILS(clinfer_session_set_output_buffer(s, 1, big, bin + 36),
                CLINFER_ERR_INVALID_ARGUMENT, "overlaps the buffer bound to output 0 (\"probs\")");
    CHECK_FAILS(clinfer_session_set_input_buffer(s, 0, big, bin),
                CLINFER_ERR_INVALID_ARGUMENT, "overlaps the buffer bound to output 0");
    CHECK_OK(clinfer_session_set_input_buffer(s, 0, in, 0)); /* inputs may share with inputs */
    CHECK_OK(clinfer_session_set_output_buffer(s, 1, big, bin + bp));

    /* Run errors. */
    cl_event done = (cl_event)&cl;
    CHECK_FAILS(clinfer_session_run_async(NULL, 0, NULL, &done), CLINFER_ERR_INVALID_ARGUMENT,
                "session is NULL");
    CHECK(done == NULL, "no event on failure");
    done = (cl_event)&cl;
    CHECK_FAILS(clinfer_session_run_async(s, 1, NULL, &done), CLINFER_ERR_INVALID_ARGUMENT,
                "wait_list is NULL but num_wait is 1");
    CHECK(done == NULL, "no event on failure");
    cl_event dummy = NULL;
    CHECK_FAILS(clinfer_session_run_async(s, 0, &dummy, NULL), CLINFER_ERR_INVALID_ARGUMENT,
                "num_wait is 0");
    cl_int err = CL_SUCCESS;
    cl_event foreign = clCreateUserEvent(cl.ctx2, &err);
    CHECK_CL(err);
    clinfer_status st = clinfer_session_run_async(s, 1, &foreign, &done);
    CHECK(st == CLINFER_ERR_OPENCL, "an event of another context: %s", clinfer_status_str(st));
    CHECK(strstr(clinfer_last_errmsg(), "wait list"), "%s", clinfer_last_errmsg());
    CHECK(done == NULL, "no event on failure");
    clSetUserEventStatus(foreign, CL_COMPLETE);
    clReleaseEvent(foreign);

    /* After all that the session still runs right. */
    CHECK_CL(clEnqueueWriteBuffer(cl.q, in, CL_TRUE, 0, bin, cl.in[0], 0, NULL, NULL));
    CHECK_OK(clinfer_session_run(s));
    float p[NPROBS], f[NFEAT];
    CHECK_CL(clEnqueueReadBuffer(cl.q, big, CL_TRUE, bin, sizeof p, p, 0, NULL, NULL));
    CHECK_CL(clEnqueueReadBuffer(cl.q, big, CL_TRUE, bin + bp, sizeof f, f, 0, NULL, NULL));
    check_same(p, cl.probs[0], NPROBS, "probs after errors");
    check_same(f, cl.feat[0], NFEAT, "features after errors");

    /* Profiling on the caller's queue, which has it off. */
    clinfer_session_options o = clinfer_session_options_default();
    clinfer_session *bad = (clinfer_session *)&cl;
    o.profile = 1;
    CHECK_FAILS(clinfer_session_create(m, &o, &bad), CLINFER_ERR_UNSUPPORTED,
                "CL_QUEUE_PROFILING_ENABLE");
    CHECK(bad == NULL, "*out is NULL on failure");
    o.queue = CLINFER_QUEUE_RUNTIME;
    CHECK_FAILS(clinfer_session_create(m, &o, &bad), CLINFER_ERR_UNSUPPORTED,
                "CLINFER_QUEUE_OWN");
    o.queue = (clinfer_queue_mode)7;
    CHECK_FAILS(clinfer_session_create(m, &o, &bad), CLINFER_ERR_INVALID_ARGUMENT,
                "unknown queue mode 7");

    clinfer_session_free(s);
    clReleaseMemObject(tail);
    clReleaseMemObject(big);
    clReleaseMemObject(in);
    clReleaseMemObject(probs);
    clReleaseMemObject(other_ctx);
    clReleaseMemObject(small);
    clReleaseMemObject(wo);
    clReleaseMemObject(ro);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

static void version_matches_header(void)
{
    CHECK(strcmp(clinfer_version(), CLINFER_VERSION_STRING) == 0, "%s vs %s", clinfer_version(),
          CLINFER_VERSION_STRING);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", CLINFER_VERSION_MAJOR, CLINFER_VERSION_MINOR,
             CLINFER_VERSION_PATCH);
    CHECK(strcmp(clinfer_version(), want) == 0, "%s vs %s", clinfer_version(), want);
    CHECK(CLINFER_VERSION_NUMBER ==
              CLINFER_VERSION_MAJOR * 10000 + CLINFER_VERSION_MINOR * 100 + CLINFER_VERSION_PATCH,
          "number");
#ifdef CLINFER_PROJECT_VERSION
    CHECK(strcmp(clinfer_version(), CLINFER_PROJECT_VERSION) == 0, "CMake's version %s",
          CLINFER_PROJECT_VERSION);
#endif
}

int main(void)
{
    caller_setup();
    RUN(version_matches_header);
    RUN(host_path_reference); /* fills cl.probs / cl.feat for the others */
    RUN(runtime_retains_and_releases);
    RUN(runtime_from_cl_errors);
    RUN(buffers_match_host_path);
    RUN(write_only_outputs);
    RUN(output_of_an_input_is_copied);
    RUN(bindings_retain_unbind_and_give_way_to_host_input);
    RUN(host_inputs_across_runs);
    RUN(events_chain_runs);
    RUN(binding_and_run_errors);
    caller_teardown();
    return 0;
}
