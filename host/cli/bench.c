/*
 * bench.c — `clinfer bench MODEL.onnx` and `clinfer bench --gemm MxNxK`:
 * times a model (or a one-node GEMM graph) end to end on the chosen device.
 * Reports the load time, the first run (and whether the program cache was
 * cold or warm), latency statistics over the timed runs, images per second
 * and the memory the session planned; --profile adds a per-node table from
 * clinfer_session_profile, --json one JSON object for scripts
 * (tests/bench/side_by_side.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_profile.h"
#include "cli.h"
#include "safe_text.h"
#include "npy.h"

static const char bench_help[] =
    "usage: clinfer bench MODEL.onnx [--batch N | --shape NAME=DIMS...] [--input [NAME=]FILE]...\n"
    "                     [OPTIONS]\n"
    "       clinfer bench --gemm MxNxK [--matmul] [OPTIONS]\n\n"
    "Times a model on the chosen device. It loads the model and creates a session\n"
    "(the load time: building every kernel, compiling them if the program cache is\n"
    "cold), runs once (the first-run time), runs W warm-up runs, then N timed runs.\n"
    "Each run is end to end for one batch: set every input, run, read every output.\n"
    "Prints the load and first-run times, whether the program cache was cold\n"
    "(kernels compiled from source) or warm, min, median, p90, p99 and mean\n"
    "latency, images per second (batch / median), the bytes of weights on the\n"
    "device and the activation memory the session planned. Inputs are uniform\n"
    "random values in [-1, 1) unless --input gives files.\n\n"
    "--gemm MxNxK measures the device's GEMM path as the graph runs it: a one-node\n"
    "graph computing C[M,N] = A[M,K] B[K,N] (an ONNX Gemm, like a fully connected\n"
    "layer: A is the input, B a constant uploaded once), each run uploading A and\n"
    "reading C. It adds GFLOP/s (2MNK / median latency), the kernels' own device\n"
    "time and GFLOP/s from OpenCL profiling, and checks sampled entries of C\n"
    "against a double-precision dot product (exit status 1 if they differ). Its\n"
    "batch is 1 and images/s counts runs per second.\n\n"
    "options:\n"
    "  --batch N        batch size for inputs whose first dimension is symbolic\n"
    "                   (default: the first dimension of --input, else 1)\n"
    "  --shape NAME=DIMS  the shape of input NAME (e.g. x=1x3x480x640; repeat for\n"
    "                   several inputs): any size the model leaves symbolic, the\n"
    "                   batch included (default: the shapes of --input files)\n"
    "  --input [NAME=]FILE  .npy or .pb values for input NAME, else for the next\n"
    "                   model input that no file names, in order\n"
    "  --warmup W       warm-up runs after the first run (default 3)\n"
    "  --iters N        timed runs (default 20)\n"
    "  --max-time S     stop warming up after S/2 seconds (first run included) and\n"
    "                   stop the timed runs after S seconds (at least one run)\n"
    "  --json           print one JSON object on stdout instead of text: load_ms,\n"
    "                   first_run_ms, cache (\"cold\"/\"warm\"), min_ms, median_ms,\n"
    "                   p90_ms, p99_ms, mean_ms, images_per_s, batch, device,\n"
    "                   precision, run_mode (launches, chain or replay: how the\n"
    "                   last run was enqueued), weight_bytes, activation_bytes,\n"
    "                   times_ms, ...\n"
    "                   (and gflops with --gemm, profile and timeline with\n"
    "                   --profile)\n"
    "  --profile        per-node device times (OpenCL events, mean over the timed\n"
    "                   runs), sorted by time: node, op, kernel variant, output\n"
    "                   shape, ms, GFLOP/s, share; then totals by op and kernel,\n"
    "                   and the timeline: a run's device span, its kernels' time,\n"
    "                   the idle time between launches (per gap, the longest)\n"
    "                   and the first kernel's wait after its enqueueing.\n"
    "                   The session waits for the device at the end of each run\n"
    "  --gemm MxNxK     time one GEMM instead of a model (a single N: NxNxN)\n"
    "  --matmul         with --gemm: an ONNX MatMul node instead of Gemm\n" CLI_COMMON_HELP
    "\nA cold start: point CLINFER_CACHE_DIR (and, on PoCL, POCL_CACHE_DIR) at empty\n"
    "folders. `clinfer compile MODEL.onnx` warms the cache ahead of time.\n";

#define MAX_INPUTS 16

typedef struct bench_args {
    const char *model;
    int gemm, matmul;
    long long m, n, k;
    long long batch; /* 0: not given */
    int warmup, iters;
    double max_time_s; /* 0: no limit */
    int json, profile;
    const char *names[MAX_INPUTS]; /* --input NAME=FILE: malloc'd; NULL: by position */
    const char *inputs[MAX_INPUTS];
    int ninputs;
    cli_shapes shapes;
} bench_args;

/* ------------------------------------------------------------ arguments */

static int parse_gemm(const char *v, bench_args *a)
{
    long long d[3];
    int n = 0;
    const char *p = v;
    while (n < 3) {
        char *end = NULL;
        d[n] = strtoll(p, &end, 10);
        if (end == p || d[n] < 1 || d[n] > (1 << 20))
            break;
        n++;
        if (*end == 0)
            break;
        if (*end != 'x' && *end != 'X') {
            n = 0;
            break;
        }
        p = end + 1;
    }
    if (n == 1)
        d[1] = d[2] = d[0];
    else if (n != 3 || (p[strspn(p, "0123456789")] != 0)) {
        fprintf(stderr,
                "clinfer bench: --gemm needs MxNxK (each 1..%d, e.g. 1024x1024x1024), got %s\n",
                1 << 20, v);
        return 0;
    }
    a->gemm = 1, a->m = d[0], a->n = d[1], a->k = d[2];
    return 1;
}

/* The value of --warmup, --iters, --batch, --max-time, --gemm or --input. */
static int parse_value(bench_args *a, const char *opt, const char *v)
{
    long long x = 0;
    if (strcmp(opt, "--batch") == 0)
        return cli_count("bench", opt, v, 1, 1 << 24, &a->batch);
    if (strcmp(opt, "--warmup") == 0 || strcmp(opt, "--iters") == 0) {
        const int warmup = opt[2] == 'w';
        if (!cli_count("bench", opt, v, warmup ? 0 : 1, 1000000, &x))
            return 0;
        *(warmup ? &a->warmup : &a->iters) = (int)x;
        return 1;
    }
    if (strcmp(opt, "--max-time") == 0) {
        char *end = NULL;
        a->max_time_s = strtod(v, &end);
        if (!end || end == v || *end || !(a->max_time_s > 0) || a->max_time_s > 1e6) {
            fprintf(stderr, "clinfer bench: --max-time needs seconds > 0, got %s\n", cli_safe(v));
            return 0;
        }
        return 1;
    }
    if (strcmp(opt, "--gemm") == 0)
        return parse_gemm(v, a);
    if (strcmp(opt, "--shape") == 0)
        return cli_shape_arg("bench", v, &a->shapes);
    return cli_input_arg("bench", v, a->names, a->inputs, &a->ninputs, MAX_INPUTS);
}

static int parse_args(cli_common *common, bench_args *a, int argc, char **argv)
{
    static const char *const with_value[] = {"--batch", "--warmup", "--iters", "--max-time",
                                             "--gemm",  "--input",  "--shape"};
    for (int i = 0, r; (r = cli_next_arg(common, argc, argv, &i)) != 0; i++) {
        if (r < 0)
            return -1;
        const char *arg = argv[i];
        int takes_value = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            takes_value |= strcmp(arg, with_value[k]) == 0;
        if (strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(arg, "--profile") == 0) {
            a->profile = 1;
        } else if (strcmp(arg, "--matmul") == 0) {
            a->matmul = 1;
        } else if (takes_value) {
            const char *v = cli_value("bench", argc, argv, &i);
            if (!v || !parse_value(a, arg, v))
                return -1;
        } else if (!cli_positional("bench", arg, &a->model)) {
            return -1;
        }
    }
    if (a->gemm && (a->model || a->ninputs || a->batch || a->shapes.count)) {
        fprintf(stderr, "clinfer bench: --gemm times a GEMM alone; it takes no model, --input, "
                        "--shape or --batch\n");
        return -1;
    }
    if (a->batch && a->shapes.count) {
        fprintf(stderr, "clinfer bench: --shape gives the batch too; drop --batch\n");
        return -1;
    }
    if (a->matmul && !a->gemm) {
        fprintf(stderr, "clinfer bench: --matmul goes with --gemm MxNxK\n");
        return -1;
    }
    if (!a->gemm && !a->model) {
        fprintf(stderr, "clinfer bench: which model? (clinfer bench MODEL.onnx, or --gemm "
                        "MxNxK; see --help)\n");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ data */

static int read_input(const char *file, clinfer_tensor *t)
{
    int ok = cli_read_tensor("bench", file, t);
    if (ok && t->dtype != CLINFER_DTYPE_FLOAT32) {
        fprintf(stderr, "clinfer bench: %s: holds int64 values; bench feeds float32 inputs\n",
                file);
        ok = 0;
    }
    return ok;
}

/* The host buffers of one run: every input and output of the session. */
typedef struct bench_io {
    size_t nin, nout;
    float *in[MAX_INPUTS];
    size_t in_count[MAX_INPUTS];
    float **out;
    size_t *out_count;
} bench_io;

static void io_free(bench_io *io)
{
    for (size_t i = 0; i < io->nin; i++)
        free(io->in[i]);
    for (size_t i = 0; io->out && i < io->nout; i++)
        free(io->out[i]);
    free(io->out);
    free(io->out_count);
    memset(io, 0, sizeof *io);
}

/* Allocates the buffers; inputs from files (by position) or random. */
static int io_prepare(bench_io *io, const clinfer_session *s, const clinfer_model *m,
                      const clinfer_tensor *files, int nfiles)
{
    io->nin = clinfer_model_input_count(m);
    io->nout = clinfer_model_output_count(m);
    if (io->nin > MAX_INPUTS) {
        fprintf(stderr, "clinfer bench: the model has %zu inputs; bench handles %d\n", io->nin,
                MAX_INPUTS);
        return 0;
    }
    if (nfiles > (int)io->nin) {
        fprintf(stderr, "clinfer bench: %d --input files for %zu model inputs\n", nfiles,
                io->nin);
        return 0;
    }
    io->out = calloc(io->nout + 1, sizeof *io->out);
    io->out_count = calloc(io->nout + 1, sizeof *io->out_count);
    if (!io->out || !io->out_count)
        return 0;
    for (size_t i = 0; i < io->nin; i++) {
        clinfer_shape sh;
        clinfer_session_input_shape(s, i, &sh);
        size_t n = cli_shape_numel(&sh);
        io->in_count[i] = n;
        if (!(io->in[i] = malloc((n ? n : 1) * sizeof(float))))
            return 0;
        if ((int)i < nfiles) {
            const clinfer_tensor *t = &files[i];
            if (!cli_input_shape_fits("bench", clinfer_model_input_name(m, i), &sh, &t->shape))
                return 0;
            memcpy(io->in[i], t->data, n * sizeof(float));
        } else {
            cli_fill_random(io->in[i], n, 12345u + (uint32_t)i);
        }
    }
    for (size_t i = 0; i < io->nout; i++) {
        clinfer_shape sh;
        clinfer_session_output_shape(s, i, &sh);
        size_t n = cli_shape_numel(&sh);
        io->out_count[i] = n;
        if (!(io->out[i] = malloc((n ? n : 1) * sizeof(float))))
            return 0;
    }
    return 1;
}

/* One end-to-end run: set every input, run, read every output. */
static int run_once(clinfer_session *s, bench_io *io)
{
    clinfer_status st = CLINFER_OK;
    for (size_t i = 0; st == CLINFER_OK && i < io->nin; i++)
        st = clinfer_session_set_input(s, i, io->in[i], io->in_count[i]);
    if (st == CLINFER_OK)
        st = clinfer_session_run(s);
    for (size_t i = 0; st == CLINFER_OK && i < io->nout; i++)
        st = clinfer_session_get_output(s, i, io->out[i], io->out_count[i]);
    if (st != CLINFER_OK)
        fprintf(stderr, "clinfer bench: run failed: %s: %s\n", clinfer_status_str(st),
                clinfer_session_errmsg(s));
    return st == CLINFER_OK;
}

/* ------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Percentile q in [0, 1] of sorted values, linear between ranks. */
static double percentile(const double *sorted, int n, double q)
{
    if (n <= 0)
        return 0;
    double pos = q * (n - 1);
    int lo = (int)floor(pos);
    int hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

typedef struct stats {
    double min, median, p90, p99, mean;
} stats;

static stats summarize(const double *v, int n)
{
    stats r = {0, 0, 0, 0, 0};
    double *s = malloc((size_t)(n > 0 ? n : 1) * sizeof *s);
    if (!s || n <= 0) {
        free(s);
        return r;
    }
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += s[i];
    r.min = s[0];
    r.median = percentile(s, n, 0.5);
    r.p90 = percentile(s, n, 0.9);
    r.p99 = percentile(s, n, 0.99);
    r.mean = sum / n;
    free(s);
    return r;
}

/* ------------------------------------------------------------ GEMM */

static clinfer_status gemm_model(clinfer_runtime *rt, const bench_args *a, clinfer_model **out)
{
    clinfer_graph *g = NULL;
    clinfer_value va, vb, vc;
    clinfer_shape sa = {2, {a->m, a->k}}, sb = {2, {a->k, a->n}};
    size_t nb = (size_t)a->k * (size_t)a->n;
    float *b = malloc(nb * sizeof *b);
    clinfer_status st = b ? clinfer_graph_create(&g) : CLINFER_ERR_OUT_OF_HOST_MEMORY;
    if (b)
        cli_fill_random(b, nb, 777u);
    if (st == CLINFER_OK)
        st = clinfer_graph_input(g, "a", &sa, &va);
    if (st == CLINFER_OK)
        st = clinfer_graph_constant(g, "b", &sb, b, &vb);
    if (st == CLINFER_OK)
        st = a->matmul ? clinfer_graph_matmul(g, "gemm", va, vb, &vc)
                       : clinfer_graph_gemm(g, "gemm", va, vb, CLINFER_NO_VALUE, 0, 0, 1.0f, 0.0f,
                                            &vc);
    if (st == CLINFER_OK)
        st = clinfer_graph_output(g, vc, "c");
    if (st == CLINFER_OK)
        st = clinfer_model_compile(rt, g, out);
    if (st != CLINFER_OK)
        fprintf(stderr, "clinfer bench: the GEMM graph: %s: %s\n", clinfer_status_str(st),
                clinfer_last_errmsg());
    clinfer_graph_free(g);
    free(b);
    return st;
}

/* Largest error of sampled entries of C against double dot products,
 * relative to sum_k |a_ik b_kj| (which bounds the rounding error). */
static double gemm_check(const bench_args *a, const float *A, const float *C)
{
    size_t nb = (size_t)a->k * (size_t)a->n;
    float *B = malloc(nb * sizeof *B);
    if (!B)
        return 0;
    cli_fill_random(B, nb, 777u);
    double worst = 0;
    uint32_t s = 99;
    for (int t = 0; t < 96; t++) {
        long long i, j;
        if (t < 4) { /* the corners */
            i = (t & 1) ? a->m - 1 : 0;
            j = (t & 2) ? a->n - 1 : 0;
        } else {
            s = s * 1664525u + 1013904223u;
            i = (long long)(s % (uint32_t)a->m);
            s = s * 1664525u + 1013904223u;
            j = (long long)(s % (uint32_t)a->n);
        }
        double ref = 0, mag = 0;
        for (long long p = 0; p < a->k; p++) {
            double x = (double)A[i * a->k + p] * B[p * a->n + j];
            ref += x;
            mag += fabs(x);
        }
        double e = fabs((double)C[i * a->n + j] - ref) / (mag > 0 ? mag : 1);
        if (!(e <= worst)) /* NaN counts as the worst */
            worst = isnan(e) ? INFINITY : e;
    }
    free(B);
    return worst;
}

/* ------------------------------------------------------------ output */

static void mb(char *buf, size_t cap, uint64_t bytes)
{
    snprintf(buf, cap, "%.2f MB", (double)bytes / 1e6);
}

/* ------------------------------------------------------------ command */

/* Everything one bench holds and measures; bench_free releases it. */
typedef struct bench_state {
    bench_args a;
    cli_common common;
    clinfer_tensor files[MAX_INPUTS];
    long long want_batch; /* --batch, else the first --input's first dimension; 0: none */
    long long batch;
    int profile; /* read the kernels' times: --profile, and --gemm always */
    cli_progress progress; /* outlives the runtime, which reports to it */
    clinfer_runtime *rt;
    const clinfer_device_info *dev;
    clinfer_model *m;
    clinfer_session *s;
    bench_io io;
    double t0, t1, t2, t3; /* start, runtime made, model loaded, session made */
    double first_ms;
    clinfer_cache_stats cs; /* after the first run */
    int warm_done, runs;
    double *times, *kernel_times, *node_sum;
    size_t node_count;
    const clinfer_node_profile *prof;
    node_time *nt;                /* --profile: the nodes by mean time */
    clinfer_run_timeline tl_sum;  /* --profile: the runs' timelines summed */
    int tl_runs;
} bench_state;

/* What the reports print, from the measurements. */
typedef struct bench_summary {
    stats t, kt; /* end-to-end runs, kernels' own time */
    clinfer_memory_stats mem;
    double load_ms;
    const char *cache;
    double images_per_s, flops, gemm_err;
    int gemm_ok;
} bench_summary;

static void bench_free(bench_state *b)
{
    free(b->nt);
    free(b->node_sum);
    free(b->times);
    free(b->kernel_times);
    io_free(&b->io);
    cli_free_run(b->s, b->m, b->rt);
    for (int i = 0; i < b->a.ninputs; i++) {
        clinfer_tensor_release(&b->files[i]);
        free((char *)b->a.names[i]);
    }
}

/* Reads the --input files and the batch they imply. */
static int read_inputs(bench_state *b)
{
    long long file_batch = 0;
    for (int i = 0; i < b->a.ninputs; i++) {
        if (!read_input(b->a.inputs[i], &b->files[i]))
            return 0;
        if (i == 0 && b->files[i].shape.rank >= 1)
            file_batch = b->files[i].shape.dims[0];
    }
    b->want_batch = b->a.batch ? b->a.batch : file_batch;
    return 1;
}

/* The runtime, the model (or the GEMM graph) and the session, timed; then
 * the host buffers of a run. */
static int load(bench_state *b)
{
    cli_progress_init(&b->progress, "clinfer bench", 1);
    b->t0 = cli_now_ms();
    if (!(b->rt = cli_runtime_progress(&b->common, &b->progress)))
        return 0;
    b->dev = clinfer_runtime_device(b->rt);
    b->t1 = cli_now_ms();
    clinfer_status st = CLINFER_OK;
    if (b->a.gemm) {
        if ((st = gemm_model(b->rt, &b->a, &b->m)) != CLINFER_OK)
            return 0;
    } else if ((st = clinfer_model_load(b->rt, b->a.model, &b->m)) != CLINFER_OK) {
        fprintf(stderr, "clinfer bench: %s: %s: %s\n", cli_safe(b->a.model), clinfer_status_str(st),
                clinfer_last_errmsg());
        return 0;
    }
    b->t2 = cli_now_ms();
    if (!b->a.gemm && !cli_input_sort("bench", b->m, b->a.names, b->files, b->a.ninputs))
        return 0;
    clinfer_session_options so = clinfer_session_options_default();
    so.batch = b->want_batch ? b->want_batch : 1;
    so.profile = b->profile;
    if (!b->a.gemm)
        cli_session_shapes(b->m, &b->a.shapes, b->files, b->a.ninputs, &so);
    if ((st = clinfer_session_create(b->m, &so, &b->s)) != CLINFER_OK) {
        cli_session_error("clinfer bench", st, &so);
        return 0;
    }
    b->t3 = cli_now_ms();
    b->batch = b->a.gemm ? 1 : cli_session_batch(b->s, b->m, b->want_batch, "clinfer bench");
    return b->batch >= 0 && io_prepare(&b->io, b->s, b->m, b->files, b->a.ninputs);
}

/* The first run (timed alone), then the warm-up runs: at most half of
 * --max-time, first run included. */
static int first_run_and_warm_up(bench_state *b)
{
    cli_progress_first_run(&b->progress);
    double tf = cli_now_ms();
    if (!run_once(b->s, &b->io))
        return 0;
    b->first_ms = cli_now_ms() - tf;
    cli_progress_first_run_done(&b->progress);
    b->cs = clinfer_runtime_cache_stats(b->rt);
    for (b->warm_done = 0; b->warm_done < b->a.warmup; b->warm_done++) {
        if (b->a.max_time_s > 0 && cli_now_ms() - tf >= b->a.max_time_s * 500)
            break;
        if (!run_once(b->s, &b->io))
            return 0;
    }
    return 1;
}

/* Adds the profile of the latest run to the per-node sums; its total is
 * the run's kernel time. */
static int add_profile(bench_state *b, int run)
{
    size_t count = 0;
    b->prof = clinfer_session_profile(b->s, &count);
    if (!b->node_sum) {
        b->node_count = count;
        if (!(b->node_sum = calloc(count + 1, sizeof *b->node_sum)))
            return 0;
    }
    double sum = 0;
    for (size_t i = 0; b->prof && i < count && i < b->node_count; i++) {
        b->node_sum[i] += b->prof[i].ms;
        sum += b->prof[i].ms;
    }
    b->kernel_times[run] = sum;
    clinfer_run_timeline tl;
    if (clinfer_session_timeline(b->s, &tl) == CLINFER_OK) {
        b->tl_sum.launches += tl.launches;
        b->tl_sum.span_ms += tl.span_ms;
        b->tl_sum.kernel_ms += tl.kernel_ms;
        b->tl_sum.idle_ms += tl.idle_ms;
        b->tl_sum.max_idle_ms += tl.max_idle_ms;
        b->tl_sum.lead_ms += tl.lead_ms;
        b->tl_runs++;
    }
    return 1;
}

/* The timed runs: --iters, or fewer when --max-time runs out (one at least). */
static int measure(bench_state *b)
{
    b->times = calloc((size_t)b->a.iters, sizeof *b->times);
    b->kernel_times = calloc((size_t)b->a.iters, sizeof *b->kernel_times);
    if (!b->times || !b->kernel_times)
        return 0;
    double tl = cli_now_ms();
    for (b->runs = 0; b->runs < b->a.iters; b->runs++) {
        if (b->a.max_time_s > 0 && b->runs > 0 && cli_now_ms() - tl >= b->a.max_time_s * 1000)
            break;
        double ts = cli_now_ms();
        if (!run_once(b->s, &b->io))
            return 0;
        b->times[b->runs] = cli_now_ms() - ts;
        if (b->profile && !add_profile(b, b->runs))
            return 0;
    }
    return 1;
}

/* Statistics, rates, the GEMM check and (--profile) the nodes by time. */
static int summarize_bench(bench_state *b, bench_summary *r)
{
    const bench_args *a = &b->a;
    r->t = summarize(b->times, b->runs);
    r->kt = summarize(b->kernel_times, b->runs);
    r->mem = clinfer_session_memory(b->s);
    r->load_ms = b->t3 - b->t1;
    r->cache = b->cs.source_builds > 0 ? "cold" : "warm";
    r->images_per_s = r->t.median > 0 ? (double)b->batch * 1e3 / r->t.median : 0;
    r->flops = a->gemm ? 2.0 * (double)a->m * (double)a->n * (double)a->k : 0;
    r->gemm_err = a->gemm ? gemm_check(a, b->io.in[0], b->io.out[0]) : 0;
    /* relative to sum |a b|; half storage rounds A, B and C (2^-11 each),
     * and half math each of a tile step's sums as well */
    const clinfer_precision p = clinfer_runtime_precision(b->rt);
    r->gemm_ok = r->gemm_err <= (p == CLINFER_PRECISION_FP16_MATH ? 1e-2
                                 : p == CLINFER_PRECISION_FP16    ? 4e-3
                                                                  : 1e-4);
    if (a->profile && b->prof) {
        if (!(b->nt = calloc(b->node_count + 1, sizeof *b->nt)))
            return 0;
        for (size_t i = 0; i < b->node_count; i++)
            b->nt[i] = (node_time){&b->prof[i], b->node_sum[i] / b->runs};
        bench_profile_sort(b->nt, b->node_count);
    }
    return 1;
}

static void print_json(const bench_state *b, const bench_summary *r)
{
    const bench_args *a = &b->a;
    const stats t = r->t, kt = r->kt;
    printf("{\n  \"model\": ");
    cli_json_string(a->gemm ? "" : a->model);
    if (a->gemm)
        printf(",\n  \"gemm\": \"%lldx%lldx%lld\",\n  \"gemm_op\": \"%s\"", a->m, a->n, a->k,
               a->matmul ? "MatMul" : "Gemm");
    printf(",\n  \"device\": ");
    cli_json_string(b->dev->name);
    printf(",\n  \"device_type\": \"%s\"", clinfer_device_type_str(b->dev->type));
    printf(",\n  \"precision\": \"%s\"", clinfer_precision_name(clinfer_runtime_precision(b->rt)));
    printf(",\n  \"run_mode\": \"%s\"", clinfer_run_mode_name(clinfer_session_run_mode(b->s)));
    printf(",\n  \"batch\": %lld,\n  \"warmup\": %d,\n  \"iters\": %d", b->batch, b->warm_done,
           b->runs);
    printf(",\n  \"runtime_ms\": %.3f,\n  \"load_ms\": %.3f,\n  \"model_ms\": %.3f,\n"
           "  \"session_ms\": %.3f,\n  \"first_run_ms\": %.3f,\n  \"startup_ms\": %.3f",
           b->t1 - b->t0, r->load_ms, b->t2 - b->t1, b->t3 - b->t2, b->first_ms,
           r->load_ms + b->first_ms);
    printf(",\n  \"cache\": \"%s\",\n  \"programs_compiled\": %u,\n"
           "  \"programs_from_disk\": %u",
           r->cache, (unsigned)b->cs.source_builds, (unsigned)b->cs.disk_hits);
    printf(",\n  \"min_ms\": %.4f,\n  \"median_ms\": %.4f,\n  \"p90_ms\": %.4f,\n"
           "  \"p99_ms\": %.4f,\n  \"mean_ms\": %.4f,\n  \"images_per_s\": %.3f",
           t.min, t.median, t.p90, t.p99, t.mean, r->images_per_s);
    printf(",\n  \"weight_bytes\": %llu,\n  \"activation_bytes\": %llu,\n"
           "  \"activation_bytes_unshared\": %llu",
           (unsigned long long)clinfer_model_weight_bytes(b->m),
           (unsigned long long)r->mem.activation_bytes,
           (unsigned long long)r->mem.activation_bytes_unshared);
    if (a->gemm)
        printf(",\n  \"gflops\": %.3f,\n  \"kernel_ms\": %.4f,\n  \"kernel_gflops\": %.3f,\n"
               "  \"max_rel_error\": %s,\n  \"check\": \"%s\"",
               t.median > 0 ? r->flops / (t.median * 1e6) : 0, kt.median,
               kt.median > 0 ? r->flops / (kt.median * 1e6) : 0, cli_json_num(r->gemm_err, "%.3g"),
               r->gemm_ok ? "ok" : "FAIL");
    printf(",\n  \"times_ms\": [");
    for (int i = 0; i < b->runs; i++)
        printf("%s%.4f", i ? ", " : "", b->times[i]);
    printf("]");
    if (b->nt)
        print_profile_json(b->nt, b->node_count);
    if (b->tl_runs > 0)
        print_timeline_json(&b->tl_sum, b->tl_runs);
    printf("\n}\n");
}

/* How a run reached the device, in words. */
static const char *run_mode_text(clinfer_run_mode mode)
{
    switch (mode) {
    case CLINFER_RUN_CHAIN:
        return "one chained launch";
    case CLINFER_RUN_REPLAY:
        return "a replayed command buffer";
    case CLINFER_RUN_LAUNCHES:
        return "a launch per kernel";
    default:
        return clinfer_run_mode_name(mode);
    }
}

/* The title line, load, first run and latency lines of the text report. */
static void print_text_timing(const bench_state *b, const bench_summary *r)
{
    const bench_args *a = &b->a;
    const stats t = r->t;
    if (a->gemm)
        printf("clinfer bench: %s %lldx%lldx%lld (C[M,N] = A[M,K] B[K,N]) on %s (%s)\n",
               a->matmul ? "MatMul" : "Gemm", a->m, a->n, a->k, b->dev->name,
               clinfer_device_type_str(b->dev->type));
    else
        printf("clinfer bench: %s on %s (%s), batch %lld\n", cli_safe(a->model), cli_safe(b->dev->name),
               clinfer_device_type_str(b->dev->type), b->batch);
    printf("  load        %9.1f ms (model %.1f ms, session %.1f ms); program cache %s",
           r->load_ms, b->t2 - b->t1, b->t3 - b->t2, r->cache);
    if (b->cs.source_builds)
        printf(" (%u program%s compiled)", (unsigned)b->cs.source_builds,
               b->cs.source_builds == 1 ? "" : "s");
    printf("\n  first run   %9.1f ms (load + first run: %.1f ms)\n", b->first_ms,
           r->load_ms + b->first_ms);
    printf("  latency     min %.3f, median %.3f, p90 %.3f, p99 %.3f, mean %.3f ms\n", t.min,
           t.median, t.p90, t.p99, t.mean);
    printf("              over %d timed run%s after %d warm-up run%s; each run sets the "
           "inputs, runs and reads the outputs\n",
           b->runs, b->runs == 1 ? "" : "s", b->warm_done, b->warm_done == 1 ? "" : "s");
    printf("  enqueued    %s (the last run)\n", run_mode_text(clinfer_session_run_mode(b->s)));
}

static void print_text(const bench_state *b, const bench_summary *r)
{
    const stats t = r->t, kt = r->kt;
    char w[32], act[32], un[32];
    mb(w, sizeof w, clinfer_model_weight_bytes(b->m));
    mb(act, sizeof act, r->mem.activation_bytes);
    mb(un, sizeof un, r->mem.activation_bytes_unshared);
    print_text_timing(b, r);
    if (b->a.gemm) {
        printf("  GEMM        %.1f GFLOP/s end to end; kernels %.3f ms = %.1f GFLOP/s\n",
               t.median > 0 ? r->flops / (t.median * 1e6) : 0, kt.median,
               kt.median > 0 ? r->flops / (kt.median * 1e6) : 0);
        printf("  check       max relative error %.3g over 96 sampled entries: %s\n",
               r->gemm_err, r->gemm_ok ? "ok" : "FAIL");
    } else {
        printf("  throughput  %.2f images/s\n", r->images_per_s);
    }
    printf("  memory      weights %s, activations %s planned (%s without reuse), %s\n", w, act,
           un, clinfer_precision_name(clinfer_runtime_precision(b->rt)));
    if (b->nt)
        print_profile_text(b->nt, b->node_count, b->runs, t.median);
    if (b->tl_runs > 0)
        print_timeline_text(&b->tl_sum, b->tl_runs);
}

/* Loads, runs, measures and reports; 0 when the run worked and (--gemm)
 * its result checked out, 1 otherwise. */
static int bench(bench_state *b)
{
    bench_summary r;
    if (!read_inputs(b) || !load(b) || !first_run_and_warm_up(b) || !measure(b) ||
        !summarize_bench(b, &r))
        return 1;
    if (b->a.json)
        print_json(b, &r);
    else
        print_text(b, &r);
    if (!r.gemm_ok)
        fprintf(stderr, "clinfer bench: the GEMM result is wrong (max relative error %.3g)\n",
                r.gemm_err);
    return r.gemm_ok ? 0 : 1;
}

int cmd_bench(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, bench_help))
        return 0;
    bench_state b;
    memset(&b, 0, sizeof b);
    b.common = *common_in;
    b.a.warmup = 3;
    b.a.iters = 20;
    if (parse_args(&b.common, &b.a, argc, argv) != 0)
        return 2;
    b.profile = b.a.profile || b.a.gemm; /* --gemm always reads the kernels' own time */
    int rc = bench(&b);
    bench_free(&b);
    return rc;
}
