/*
 * test_threads.c — the threading model of clinfer.h under stress: one
 * runtime and one compiled model shared by several threads, each with its
 * own session (half on a queue of their own, half on the runtime's shared
 * queue, with batch sizes 1 and 2), running many iterations on inputs that
 * change every iteration and checking every output against references
 * computed once by plain C loops. Meanwhile another thread compiles and runs
 * a model that needs new OpenCL programs (the program cache under
 * contention), and every thread provokes errors and checks that the
 * messages it reads (clinfer_last_errmsg, clinfer_session_errmsg) are its
 * own while clinfer_runtime_errmsg is read concurrently, also with every
 * thread failing at once. Finally several runtimes in one process compile
 * the same programs into one on-disk cache folder at the same time, and
 * several threads create, run and free sessions of many input shapes over
 * one ONNX model whose sizes are open (each variant compiled once on the
 * main thread first, then found by the threads under the model's lock).
 *
 * Not a Criterion test (see check.h): it runs under ThreadSanitizer too.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "onnx_writer.h"
#include "small_cnn.h"

#define THREADS 4
#define ITERATIONS 60
#define INPUT_SETS 5 /* distinct inputs per batch size */
#define MAX_BATCH 2
#define ATOL 1e-5
#define RTOL 1e-4

typedef struct reference_set {
    float in[INPUT_SETS][MAX_BATCH * SMALL_CNN_IN];
    float probs[INPUT_SETS][MAX_BATCH * SMALL_CNN_CLASSES];
    float features[INPUT_SETS][MAX_BATCH * SMALL_CNN_FEATURES];
} reference_set;

typedef struct shared_state {
    clinfer_runtime *rt;
    clinfer_model *model;
    small_cnn weights;
    reference_set ref[MAX_BATCH + 1]; /* by batch size */
} shared_state;

typedef struct worker {
    pthread_t thread;
    int id;
    shared_state *shared;
    int failures;
    char failure[512];
    int runs;
    clinfer_session *session; /* errors_on_every_thread_at_once */
    int64_t batch;
} worker;

static void fail(worker *w, const char *what, const char *detail)
{
    if (w->failures++ == 0)
        snprintf(w->failure, sizeof w->failure, "thread %d: %s: %s", w->id, what, detail);
}

/* Checks that a failing call's messages are this thread's own: they must
 * name this session's input shape, which differs between batch sizes. */
static void provoke_error(worker *w, clinfer_session *s, int64_t batch)
{
    float junk[3] = {0, 0, 0};
    char shape[64];
    snprintf(shape, sizeof shape, "[%lld, 3, 12, 10]", (long long)batch);
    if (clinfer_session_set_input(s, 0, junk, 3) != CLINFER_ERR_SHAPE)
        fail(w, "wrong count", "was accepted");
    if (!strstr(clinfer_last_errmsg(), shape))
        fail(w, "clinfer_last_errmsg is another thread's", clinfer_last_errmsg());
    if (!strstr(clinfer_session_errmsg(s), shape))
        fail(w, "clinfer_session_errmsg is another thread's", clinfer_session_errmsg(s));
    /* Safe to call while other threads record errors; any thread's message. */
    const char *any = clinfer_runtime_errmsg(w->shared->rt);
    if (!any || !strstr(any, "elements"))
        fail(w, "clinfer_runtime_errmsg", any ? any : "NULL");
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    shared_state *sh = w->shared;
    int64_t batch = 1 + w->id % MAX_BATCH;
    const reference_set *ref = &sh->ref[batch];
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch;
    o.queue = w->id / 2 % 2 ? CLINFER_QUEUE_RUNTIME : CLINFER_QUEUE_OWN;
    clinfer_session *s = NULL;
    if (clinfer_session_create(sh->model, &o, &s) != CLINFER_OK) {
        fail(w, "clinfer_session_create", clinfer_last_errmsg());
        return NULL;
    }
    float probs[MAX_BATCH * SMALL_CNN_CLASSES], features[MAX_BATCH * SMALL_CNN_FEATURES];
    size_t np = (size_t)batch * SMALL_CNN_CLASSES, nf = (size_t)batch * SMALL_CNN_FEATURES;
    for (int it = 0; it < ITERATIONS && w->failures == 0; it++) {
        int k = (it * 3 + w->id) % INPUT_SETS;
        memset(probs, 0xff, sizeof probs); /* NaN: a missing write cannot pass */
        memset(features, 0xff, sizeof features);
        if (clinfer_session_set_input(s, 0, ref->in[k], (size_t)batch * SMALL_CNN_IN) !=
                CLINFER_OK ||
            clinfer_session_run(s) != CLINFER_OK ||
            clinfer_session_get_output(s, 0, probs, np) != CLINFER_OK ||
            clinfer_session_get_output(s, 1, features, nf) != CLINFER_OK) {
            fail(w, "run", clinfer_session_errmsg(s));
            break;
        }
        w->runs++;
        char detail[96];
        double e1 = small_cnn_excess(probs, ref->probs[k], np, ATOL, RTOL);
        double e2 = small_cnn_excess(features, ref->features[k], nf, ATOL, RTOL);
        snprintf(detail, sizeof detail, "iteration %d, input set %d: excess %g / %g", it, k, e1,
                 e2);
        if (e1 > 0 || e2 > 0)
            fail(w, "outputs differ from the reference", detail);
        if (it % 10 == 5)
            provoke_error(w, s, batch);
    }
    clinfer_session_free(s);
    return NULL;
}

/* Builds, compiles and runs a variant of the network whose first
 * convolution needs a program the shared model never built. */
static void *run_compiler(void *arg)
{
    worker *w = arg;
    shared_state *sh = w->shared;
    small_cnn weights;
    small_cnn_init(&weights, 99, 1);
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    float in[SMALL_CNN_IN], probs[SMALL_CNN_CLASSES], features[SMALL_CNN_FEATURES];
    float want_p[SMALL_CNN_CLASSES], want_f[SMALL_CNN_FEATURES];
    uint32_t seed = 7;
    small_cnn_fill(in, SMALL_CNN_IN, -1, 1, &seed);
    small_cnn_reference(&weights, in, 1, want_p, want_f);
    if (small_cnn_graph(&weights, &g) != CLINFER_OK ||
        clinfer_model_compile(sh->rt, g, &m) != CLINFER_OK ||
        clinfer_session_create(m, NULL, &s) != CLINFER_OK ||
        clinfer_session_set_input(s, 0, in, SMALL_CNN_IN) != CLINFER_OK ||
        clinfer_session_run(s) != CLINFER_OK ||
        clinfer_session_get_output(s, 0, probs, SMALL_CNN_CLASSES) != CLINFER_OK ||
        clinfer_session_get_output(s, 1, features, SMALL_CNN_FEATURES) != CLINFER_OK)
        fail(w, "the leaky variant", clinfer_last_errmsg());
    else if (small_cnn_excess(probs, want_p, SMALL_CNN_CLASSES, ATOL, RTOL) > 0 ||
             small_cnn_excess(features, want_f, SMALL_CNN_FEATURES, ATOL, RTOL) > 0)
        fail(w, "the leaky variant", "outputs differ from the reference");
    else
        w->runs++;
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    return NULL;
}

static void shared_model_many_sessions(void)
{
    static shared_state sh; /* large: not on the stack */
    memset(&sh, 0, sizeof sh);
    CHECK_OK(clinfer_runtime_create(NULL, &sh.rt));
    small_cnn_init(&sh.weights, 2024, 0);
    clinfer_graph *g = NULL;
    CHECK_OK(small_cnn_graph(&sh.weights, &g));
    CHECK_OK(clinfer_model_compile(sh.rt, g, &sh.model));
    clinfer_graph_free(g);
    uint32_t seed = 1;
    for (int64_t b = 1; b <= MAX_BATCH; b++)
        for (int k = 0; k < INPUT_SETS; k++) {
            reference_set *r = &sh.ref[b];
            small_cnn_fill(r->in[k], (size_t)b * SMALL_CNN_IN, -1, 1, &seed);
            small_cnn_reference(&sh.weights, r->in[k], b, r->probs[k], r->features[k]);
        }

    worker workers[THREADS + 1];
    memset(workers, 0, sizeof workers);
    for (int t = 0; t <= THREADS; t++) {
        workers[t].id = t;
        workers[t].shared = &sh;
        CHECK(pthread_create(&workers[t].thread, NULL, t < THREADS ? run_worker : run_compiler,
                             &workers[t]) == 0,
              "pthread_create");
    }
    int runs = 0;
    for (int t = 0; t <= THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        CHECK(workers[t].failures == 0, "%s (%d failures)", workers[t].failure,
              workers[t].failures);
        runs += workers[t].runs;
    }
    CHECK(runs == THREADS * ITERATIONS + 1, "%d runs", runs);
    printf("%d threads x %d runs over one model, plus a concurrent compile: all outputs match\n",
           THREADS, ITERATIONS);
    clinfer_model_free(sh.model);
    clinfer_runtime_free(sh.rt);
}

/* Sessions created and freed concurrently over one model, each thread with
 * its own short life cycle. */
static void *create_free_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 10 && w->failures == 0; i++) {
        clinfer_session_options o = clinfer_session_options_default();
        o.batch = 1 + (i + w->id) % 3;
        o.queue = i % 2 ? CLINFER_QUEUE_RUNTIME : CLINFER_QUEUE_OWN;
        clinfer_session *s = NULL;
        if (clinfer_session_create(w->shared->model, &o, &s) != CLINFER_OK)
            fail(w, "clinfer_session_create", clinfer_last_errmsg());
        clinfer_session_free(s);
    }
    return NULL;
}

static void sessions_created_and_freed_concurrently(void)
{
    static shared_state sh;
    memset(&sh, 0, sizeof sh);
    CHECK_OK(clinfer_runtime_create(NULL, &sh.rt));
    small_cnn_init(&sh.weights, 5, 0);
    clinfer_graph *g = NULL;
    CHECK_OK(small_cnn_graph(&sh.weights, &g));
    CHECK_OK(clinfer_model_compile(sh.rt, g, &sh.model));
    clinfer_graph_free(g);
    worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < THREADS; t++) {
        workers[t].id = t;
        workers[t].shared = &sh;
        CHECK(pthread_create(&workers[t].thread, NULL, create_free_worker, &workers[t]) == 0,
              "pthread_create");
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        CHECK(workers[t].failures == 0, "%s", workers[t].failure);
    }
    clinfer_model_free(sh.model);
    clinfer_runtime_free(sh.rt);
}

/* Failing calls in a tight loop on every thread at once, with no OpenCL
 * call in between (whose driver locks would order the threads and hide a
 * race from ThreadSanitizer): each thread's messages stay its own, and the
 * runtime's shared message is written and read safely. */
static pthread_barrier_t start_line;

static void *error_worker(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < 300 && w->failures == 0; i++)
        provoke_error(w, w->session, w->batch);
    return NULL;
}

static void errors_on_every_thread_at_once(void)
{
    static shared_state sh;
    memset(&sh, 0, sizeof sh);
    CHECK_OK(clinfer_runtime_create(NULL, &sh.rt));
    small_cnn_init(&sh.weights, 11, 0);
    clinfer_graph *g = NULL;
    CHECK_OK(small_cnn_graph(&sh.weights, &g));
    CHECK_OK(clinfer_model_compile(sh.rt, g, &sh.model));
    clinfer_graph_free(g);
    worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    CHECK(pthread_barrier_init(&start_line, NULL, THREADS) == 0, "barrier");
    for (int t = 0; t < THREADS; t++) {
        workers[t].id = t;
        workers[t].shared = &sh;
        workers[t].batch = 1 + t % MAX_BATCH;
        clinfer_session_options o = clinfer_session_options_default();
        o.batch = workers[t].batch;
        CHECK_OK(clinfer_session_create(sh.model, &o, &workers[t].session));
    }
    for (int t = 0; t < THREADS; t++)
        CHECK(pthread_create(&workers[t].thread, NULL, error_worker, &workers[t]) == 0,
              "pthread_create");
    for (int t = 0; t < THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        CHECK(workers[t].failures == 0, "%s", workers[t].failure);
        clinfer_session_free(workers[t].session);
    }
    pthread_barrier_destroy(&start_line);
    clinfer_model_free(sh.model);
    clinfer_runtime_free(sh.rt);
}

/* Two runtimes of one process, each with its own program cache lock but
 * one cache folder, compile the same programs at once: every entry they
 * store must be whole (a third runtime loads them all without a reject). */
static char cache_dir[256];

static void *own_runtime_worker(void *arg)
{
    worker *w = arg;
    clinfer_runtime_options ro = clinfer_runtime_options_default();
    ro.cache_dir = cache_dir;
    clinfer_runtime *rt = NULL;
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    small_cnn weights;
    small_cnn_init(&weights, 3, w->id % 2);
    float in[SMALL_CNN_IN], probs[SMALL_CNN_CLASSES], want_p[SMALL_CNN_CLASSES];
    float want_f[SMALL_CNN_FEATURES];
    uint32_t seed = 9;
    small_cnn_fill(in, SMALL_CNN_IN, -1, 1, &seed);
    small_cnn_reference(&weights, in, 1, want_p, want_f);
    pthread_barrier_wait(&start_line);
    if (clinfer_runtime_create(&ro, &rt) != CLINFER_OK || small_cnn_graph(&weights, &g) ||
        clinfer_model_compile(rt, g, &m) != CLINFER_OK ||
        clinfer_session_create(m, NULL, &s) != CLINFER_OK ||
        clinfer_session_set_input(s, 0, in, SMALL_CNN_IN) != CLINFER_OK ||
        clinfer_session_run(s) != CLINFER_OK ||
        clinfer_session_get_output(s, 0, probs, SMALL_CNN_CLASSES) != CLINFER_OK)
        fail(w, "a runtime of its own", clinfer_last_errmsg());
    else if (small_cnn_excess(probs, want_p, SMALL_CNN_CLASSES, ATOL, RTOL) > 0)
        fail(w, "a runtime of its own", "outputs differ from the reference");
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);
    return NULL;
}

static void runtimes_share_a_cache_folder(void)
{
    const char *base = getenv("CLINFER_CACHE_DIR");
    snprintf(cache_dir, sizeof cache_dir, "%s/threads-XXXXXX", base && base[0] ? base : "/tmp");
    if (base && base[0])
        mkdir(base, 0755); /* may exist already */
    char *made = mkdtemp(cache_dir);
    CHECK(made != NULL, "mkdtemp %s", cache_dir);
    /* Default tile sizes: runtimes that tune at once, under load, may each
     * measure other tiles best and compile programs for their own choice,
     * and the third runtime then uses whichever was stored last. */
    setenv("CLINFER_TUNE", "0", 1);
    worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    CHECK(pthread_barrier_init(&start_line, NULL, THREADS) == 0, "barrier");
    for (int t = 0; t < THREADS; t++) {
        workers[t].id = t;
        CHECK(pthread_create(&workers[t].thread, NULL, own_runtime_worker, &workers[t]) == 0,
              "pthread_create");
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        CHECK(workers[t].failures == 0, "%s", workers[t].failure);
    }
    pthread_barrier_destroy(&start_line);
    /* A later runtime finds every program on disk, whole. */
    for (int leaky = 0; leaky < 2; leaky++) {
        clinfer_runtime_options ro = clinfer_runtime_options_default();
        ro.cache_dir = cache_dir;
        clinfer_runtime *rt = NULL;
        clinfer_graph *g = NULL;
        clinfer_model *m = NULL;
        clinfer_session *s = NULL;
        small_cnn weights;
        small_cnn_init(&weights, 3, leaky);
        CHECK_OK(clinfer_runtime_create(&ro, &rt));
        CHECK_OK(small_cnn_graph(&weights, &g));
        CHECK_OK(clinfer_model_compile(rt, g, &m));
        CHECK_OK(clinfer_session_create(m, NULL, &s));
        clinfer_cache_stats st = clinfer_runtime_cache_stats(rt);
        CHECK(st.disk_hits > 0 && st.disk_rejects == 0 && st.source_builds == 0,
              "%u from disk, %u rejected, %u compiled", st.disk_hits, st.disk_rejects,
              st.source_builds);
        clinfer_session_free(s);
        clinfer_model_free(m);
        clinfer_graph_free(g);
        clinfer_runtime_free(rt);
    }
    unsetenv("CLINFER_TUNE");
    char rm[300];
    snprintf(rm, sizeof rm, "rm -rf '%s'", cache_dir);
    CHECK(system(rm) == 0, "%s", rm);
}

/* ---------------------------------------------- sessions of many shapes */

/* x [N, 2, H, W] -> Conv 3x3 pads 1 (3 channels) -> Relu ->
 * GlobalAveragePool -> y [N, 3, 1, 1], with every size but C open. */
static float open_w[3 * 2 * 9];

static void write_open_model(const char *path)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {-1, 2, -1, -1}, wd[4] = {3, 2, 3, 3}, yd[4] = {-1, 3, 1, 1};
    const int64_t pads[4] = {1, 1, 1, 1};
    for (int k = 0; k < 54; k++)
        open_w[k] = (float)((k * 7) % 11 - 5) / 8.0f;
    pb t = onnx_value_info("x", OT_FLOAT, 4, xd);
    onnx_input(&g, &t);
    t = onnx_tensor_f("W", 4, wd, open_w, 1), onnx_initializer(&g, &t);
    pb a = onnx_attr_ints("pads", 4, pads);
    onnx_node(&g, "Conv", "conv", "x,W", "c", 1, &a);
    onnx_node(&g, "Relu", "relu", "c", "r", 0, NULL);
    onnx_node(&g, "GlobalAveragePool", "gap", "r", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 4, yd), onnx_output(&g, &t);
    size_t size;
    uint8_t *bytes = onnx_model(&g, 13, &size);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(bytes, 1, size, f) == size, "writing %s", path);
    fclose(f);
    free(bytes);
}

/* The model's output for x [1, 2, h, w] by plain loops. */
static void open_reference(int h, int w, const float *x, double *y)
{
    for (int o = 0; o < 3; o++) {
        double sum = 0;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                double acc = 0;
                for (int c = 0; c < 2; c++)
                    for (int ki = 0; ki < 3; ki++)
                        for (int kj = 0; kj < 3; kj++) {
                            int yi = i + ki - 1, xj = j + kj - 1;
                            if (yi >= 0 && yi < h && xj >= 0 && xj < w)
                                acc += open_w[((o * 2 + c) * 3 + ki) * 3 + kj] *
                                       (double)x[(c * h + yi) * w + xj];
                        }
                sum += acc > 0 ? acc : 0;
            }
        y[o] = sum / (h * w);
    }
}

#define OPEN_SIZES 5
static const int open_sizes[OPEN_SIZES][2] = {{5, 7}, {9, 4}, {12, 12}, {3, 17}, {1, 1}};

static void *shapes_worker(void *arg)
{
    worker *w = arg;
    float x[2 * 17 * 17];
    for (int k = 0; k < 2 * 17 * 17; k++)
        x[k] = (float)((k * 13 + w->id) % 17 - 8) / 8.0f;
    for (int i = 0; i < 2 * OPEN_SIZES && w->failures == 0; i++) {
        const int *hw = open_sizes[(i + w->id) % OPEN_SIZES];
        clinfer_input_shape is = {"x", {4, {1, 2, hw[0], hw[1]}}};
        clinfer_session_options o = clinfer_session_options_default();
        o.input_shapes = &is;
        o.input_shape_count = 1;
        clinfer_session *s = NULL;
        float y[3];
        double want[3];
        if (clinfer_session_create(w->shared->model, &o, &s) != CLINFER_OK ||
            clinfer_session_set_input(s, 0, x, (size_t)(2 * hw[0] * hw[1])) != CLINFER_OK ||
            clinfer_session_run(s) != CLINFER_OK ||
            clinfer_session_get_output(s, 0, y, 3) != CLINFER_OK) {
            fail(w, "session of a new shape", s ? clinfer_session_errmsg(s) : clinfer_last_errmsg());
        } else {
            open_reference(hw[0], hw[1], x, want);
            for (int k = 0; k < 3; k++)
                if (fabs(y[k] - want[k]) > ATOL + RTOL * fabs(want[k]))
                    fail(w, "output", "differs from the reference");
        }
        clinfer_session_free(s);
        w->runs++;
    }
    return NULL;
}

static void sessions_of_many_shapes_concurrently(void)
{
    static shared_state sh;
    memset(&sh, 0, sizeof sh);
    char path[] = "/tmp/clinfer_threads_open_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    write_open_model(path);
    CHECK_OK(clinfer_runtime_create(NULL, &sh.rt));
    CHECK_OK(clinfer_model_load(sh.rt, path, &sh.model));
    remove(path);
    /* Every shape once on this thread first: PoCL (3.x, Debian 12) compiles
     * a work-group function per kernel and local size at the first enqueue,
     * and a first compile racing with another thread's kernel release once
     * hit its own assertion (pocl_release_dlhandle_cache: ref_count > 0) in
     * a CI run. The threads then share the variants and the cached
     * functions, as the shared-model test above does. */
    worker warm;
    memset(&warm, 0, sizeof warm);
    warm.shared = &sh;
    shapes_worker(&warm);
    CHECK(warm.failures == 0, "%s", warm.failure);
    worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < THREADS; t++) {
        workers[t].id = t;
        workers[t].shared = &sh;
        CHECK(pthread_create(&workers[t].thread, NULL, shapes_worker, &workers[t]) == 0,
              "pthread_create");
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        CHECK(workers[t].failures == 0, "%s", workers[t].failure);
        CHECK(workers[t].runs == 2 * OPEN_SIZES, "thread %d ran %d sessions", t, workers[t].runs);
    }
    clinfer_model_free(sh.model);
    clinfer_runtime_free(sh.rt);
}

int main(void)
{
    RUN(errors_on_every_thread_at_once);
    RUN(shared_model_many_sessions);
    RUN(sessions_created_and_freed_concurrently);
    RUN(runtimes_share_a_cache_folder);
    RUN(sessions_of_many_shapes_concurrently);
    return 0;
}
