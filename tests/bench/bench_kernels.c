/*
 * bench_kernels.c — GFLOP/s of the GEMM variants and the convolution
 * algorithms on the default device (CLINFER_DEVICE picks another), for
 * tuning work: not a test, not run by CTest.
 *
 *   bench_kernels [--gemm] [--conv] [--batch N] [--runs N] [--check]
 *
 * GEMM: 1024^3, 1000^3, the conv-shaped 64x3136x576 and a batch-1 Dense
 * layer 1x4096x4096, with B as stored [K, N] and transposed [N, K]; per
 * variant the product alone (B packed beforehand, as for weights) and the
 * whole op (packing B on every run, as for two activations). With
 * CLINFER_BENCH_BLAS=/path/to/libopenblas.so.0 it also times that library's
 * cblas_sgemm in the same run, alternating, for a ratio.
 * Conv: the convolution layers of ResNet-18 (batch 1, or --batch N) and a
 * few 1x1 and depthwise layers, per algorithm that applies, with bias and
 * ReLU fused; the line of each layer names the automatic choice.
 *
 * CLINFER_BENCH_ONLY=<text> keeps the shapes ("64x3136") and layers
 * ("layer1") whose names contain it; CLINFER_BENCH_ALGO=<name> times only
 * that conv algorithm ("depthwise").
 * Each figure is the median (and best) of N runs (default 10) after one
 * warm-up run; every run ends with clFinish. --check compares every result
 * with a double-precision host product (slow for the large shapes).
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clinfer.h"
#include "clinfer_cl.h"
#include "ops/conv2d.h"
#include "ops/gemm.h"
#include "runtime.h"
#include "tensor.h"

static int g_runs = 10;
static int g_check = 0;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU seconds (all threads) per run of the last time_launches: on a CPU
 * device, flop / this is the throughput per busy core, which other load
 * on the machine disturbs much less than wall time. */
static double g_cpu_per_run;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_kernels: %s: %s\n", what, clinfer_last_errmsg());
    exit(1);
}

static void fill(float *x, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 24) - 0.5f;
    }
}

static cl_mem upload(clinfer_runtime *rt, size_t floats, const float *host)
{
    cl_mem m = NULL;
    if (buffer_create(rt, floats * sizeof(float), host, &m) != CLINFER_OK)
        die("buffer_create");
    return m;
}

/* A sequence of launches timed together. */
typedef struct timed {
    op_launch *l;
    int count;
} timed;

/* Median and best seconds of g_runs runs of `t` after a warm-up run. */
static void time_launches(clinfer_runtime *rt, timed t, double *median, double *best)
{
    double *s = malloc((size_t)g_runs * sizeof *s);
    double c0 = 0;
    for (int r = -1; r < g_runs; r++) {
        clFinish(rt->queue);
        if (r == 0)
            c0 = cpu_s();
        double t0 = now_s();
        for (int i = 0; i < t.count; i++)
            if (launch_enqueue(rt, &t.l[i], NULL) != CLINFER_OK)
                die("launch_enqueue");
        clFinish(rt->queue);
        if (r >= 0)
            s[r] = now_s() - t0;
    }
    g_cpu_per_run = (cpu_s() - c0) / g_runs;
    qsort(s, (size_t)g_runs, sizeof *s, cmp_double);
    *median = s[g_runs / 2];
    *best = s[0];
    free(s);
}

/* max |got - want| / (1 + |want|) */
static double max_err(const float *got, const double *want, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]) / (1.0 + fabs(want[i]));
        e = d > e ? d : e;
    }
    return e;
}

/* ------------------------------------------------------------------ GEMM */

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);

static sgemm_fn load_blas(void)
{
    const char *path = getenv("CLINFER_BENCH_BLAS");
    if (!path || !path[0])
        return NULL;
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "bench_kernels: cannot load %s: %s\n", path, dlerror());
        return NULL;
    }
    union {
        void *p;
        sgemm_fn f;
    } u;
    u.p = dlsym(h, "cblas_sgemm");
    return u.f;
}

static void blas_time(sgemm_fn f, int m, int n, int k, int tb, const float *a, const float *b,
                      float *y, double *median, double *best)
{
    double *s = malloc((size_t)g_runs * sizeof *s);
    for (int r = -1; r < g_runs; r++) {
        double t0 = now_s();
        f(101 /* row major */, 111, tb ? 112 : 111, m, n, k, 1.0f, a, k, b, tb ? k : n, 0.0f, y,
          n);
        if (r >= 0)
            s[r] = now_s() - t0;
    }
    qsort(s, (size_t)g_runs, sizeof *s, cmp_double);
    *median = s[g_runs / 2];
    *best = s[0];
    free(s);
}

static void gemm_reference(int m, int n, int k, int tb, const float *a, const float *b,
                           double *y)
{
    for (int i = 0; i < m; i++) {
        double *row = y + (size_t)i * n;
        for (int j = 0; j < n; j++)
            row[j] = 0;
        for (int p = 0; p < k; p++) {
            const double av = a[(size_t)i * k + p];
            if (!tb) {
                const float *br = b + (size_t)p * n;
                for (int j = 0; j < n; j++)
                    row[j] += av * br[j];
            } else {
                for (int j = 0; j < n; j++)
                    row[j] += av * b[(size_t)j * k + p];
            }
        }
    }
}

static const char *const gemm_variants[] = {"cpu", "gpu"};

/* `rt` holds the buffers; `forced[v]` (on the same context and queue)
 * forces gemm_variants[v]. */
static void bench_gemm_shape(clinfer_runtime *rt, clinfer_runtime *const forced[2], sgemm_fn blas,
                             int m, int n, int k, int tb)
{
    const double flop = 2.0 * m * (double)n * k;
    size_t mk = (size_t)m * k, kn = (size_t)k * n, mn = (size_t)m * n;
    float *a = malloc(mk * 4), *b = malloc(kn * 4), *y = malloc(mn * 4);
    double *want = g_check ? malloc(mn * sizeof *want) : NULL;
    fill(a, mk, 1);
    fill(b, kn, 2);
    if (want)
        gemm_reference(m, n, k, tb, a, b, want);
    cl_mem am = upload(rt, mk, a), bm = upload(rt, kn, b), ym = upload(rt, mn, NULL);
    for (int v = 0; v < 2; v++) {
        clinfer_runtime *vrt = forced[v];
        gemm_params p = gemm_params_default();
        p.m = m, p.n = n, p.k = k, p.trans_b = tb;
        gemm_plan plan;
        if (gemm_plan_make(vrt, &p, 0, &plan) != CLINFER_OK)
            die("gemm_plan_make");
        op_launch l[2];
        memset(l, 0, sizeof l);
        cl_mem packed = NULL;
        int count = 1;
        if (plan.packed_bytes > 0) {
            packed = upload(vrt, plan.packed_bytes / 4, NULL);
            if (gemm_pack_b_prepare(vrt, &p, &plan, &l[0]) != CLINFER_OK ||
                gemm_pack_b_bind(vrt, &l[0], dev_whole(bm), packed) != CLINFER_OK)
                die("pack");
            count = 2;
        }
        if (gemm_prepare(vrt, &p, &plan, &l[count - 1]) != CLINFER_OK ||
            gemm_bind(vrt, &l[count - 1], dev_whole(am), dev_whole(packed ? packed : bm),
                      dev_whole(NULL), dev_whole(ym)) != CLINFER_OK)
            die("gemm_prepare");
        double med_all, best_all, med_prod, best_prod, med_pack = 0, best_pack = 0;
        time_launches(vrt, (timed){l, count}, &med_all, &best_all);
        time_launches(vrt, (timed){&l[count - 1], 1}, &med_prod, &best_prod);
        const double per_core = flop / g_cpu_per_run * 1e-9;
        if (count == 2)
            time_launches(vrt, (timed){l, 1}, &med_pack, &best_pack);
        char cfg[64] = "";
        if (plan.cfg.variant == GEMM_VARIANT_CPU)
            snprintf(cfg, sizeof cfg, "tm=%d nv=%d", plan.cfg.tm, plan.cfg.nv);
        else
            snprintf(cfg, sizeof cfg, "%dx%dx%d/%dx%d", plan.cfg.tsm, plan.cfg.tsn, plan.cfg.tsk,
                     plan.cfg.wptm, plan.cfg.wptn);
        char err[48] = "";
        if (want) {
            if (buffer_read(vrt, ym, mn * 4, y) != CLINFER_OK)
                die("buffer_read");
            snprintf(err, sizeof err, "  err %.1e", max_err(y, want, mn));
        }
        printf("gemm %4dx%4dx%4d tB=%d %-5s %-18s product %6.1f GFLOP/s (best %6.1f, per core "
               "%6.1f)  with packing %6.1f (best %6.1f; pack %.2f ms)%s\n",
               m, n, k, tb, gemm_variants[v], cfg, flop / med_prod * 1e-9, flop / best_prod * 1e-9,
               per_core, flop / med_all * 1e-9, flop / best_all * 1e-9, med_pack * 1e3, err);
        fflush(stdout);
        for (int i = 0; i < count; i++)
            launch_release(&l[i]);
        if (packed)
            clReleaseMemObject(packed);
        if (blas && v == 0) { /* alternate: the library right after our cpu variant */
            double med, best;
            blas_time(blas, m, n, k, tb, a, b, y, &med, &best);
            printf("gemm %4dx%4dx%4d tB=%d %-5s %-18s         %6.1f GFLOP/s (best %6.1f)\n", m,
                   n, k, tb, "blas", "cblas_sgemm", flop / med * 1e-9, flop / best * 1e-9);
        }
    }
    clReleaseMemObject(am);
    clReleaseMemObject(bm);
    clReleaseMemObject(ym);
    free(a), free(b), free(y), free(want);
}

/* A runtime on rt's context and queue (so rt's buffers serve it) that
 * forces GEMM variant `variant`. */
static clinfer_runtime *forced_runtime(clinfer_runtime *rt, const clinfer_runtime_options *o,
                                       const char *variant)
{
    clinfer_runtime_options forced = *o;
    forced.gemm_variant = variant;
    clinfer_runtime *out = NULL;
    cl_context ctx = clinfer_runtime_cl_context(rt);
    cl_device_id dev = clinfer_runtime_cl_device(rt);
    if (clinfer_runtime_create_from_cl(ctx, dev, clinfer_runtime_cl_queue(rt), &forced, &out) !=
        CLINFER_OK)
        die("clinfer_runtime_create_from_cl");
    return out;
}

static void bench_gemm(clinfer_runtime *rt, const clinfer_runtime_options *o)
{
    static const int shapes[][3] = {{1024, 1024, 1024}, {1000, 1000, 1000}, {64, 3136, 576},
                                    {1, 4096, 4096}};
    sgemm_fn blas = load_blas();
    const char *only = getenv("CLINFER_BENCH_ONLY"); /* e.g. "1024x": shapes named so */
    clinfer_runtime *forced[2] = {forced_runtime(rt, o, gemm_variants[0]),
                                  forced_runtime(rt, o, gemm_variants[1])};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%dx%dx%d", shapes[i][0], shapes[i][1], shapes[i][2]);
        for (int tb = 0; tb < 2; tb++)
            if (!only || strstr(name, only))
                bench_gemm_shape(rt, forced, blas, shapes[i][0], shapes[i][1], shapes[i][2], tb);
    }
    clinfer_runtime_free(forced[0]);
    clinfer_runtime_free(forced[1]);
}

/* ------------------------------------------------------------------ conv */

typedef struct conv_layer {
    const char *name;
    int32_t c, hw, oc, k, stride, pad, groups;
} conv_layer;

/* The convolutions of ResNet-18 (224 x 224 input), plus 1x1 stride-1
 * expansions, the first convolution and depthwise layers of MobileNetV2 and
 * a 5x5 depthwise layer of EfficientNet-B0. */
static const conv_layer layers[] = {
    {"resnet18 conv1 7x7/2", 3, 224, 64, 7, 2, 3, 1},
    {"resnet18 layer1 3x3", 64, 56, 64, 3, 1, 1, 1},
    {"resnet18 layer2 3x3/2", 64, 56, 128, 3, 2, 1, 1},
    {"resnet18 layer2 3x3", 128, 28, 128, 3, 1, 1, 1},
    {"resnet18 layer2 1x1/2", 64, 56, 128, 1, 2, 0, 1},
    {"resnet18 layer3 3x3/2", 128, 28, 256, 3, 2, 1, 1},
    {"resnet18 layer3 3x3", 256, 14, 256, 3, 1, 1, 1},
    {"resnet18 layer3 1x1/2", 128, 28, 256, 1, 2, 0, 1},
    {"resnet18 layer4 3x3/2", 256, 14, 512, 3, 2, 1, 1},
    {"resnet18 layer4 3x3", 512, 7, 512, 3, 1, 1, 1},
    {"resnet18 layer4 1x1/2", 256, 14, 512, 1, 2, 0, 1},
    {"1x1 64->256 @56", 64, 56, 256, 1, 1, 0, 1},
    {"1x1 24->144 @56", 24, 56, 144, 1, 1, 0, 1},
    {"1x1 16->96 @112", 16, 112, 96, 1, 1, 0, 1},
    {"1x1 320->1280 @7", 320, 7, 1280, 1, 1, 0, 1},
    {"1x1 960->160 @7", 960, 7, 160, 1, 1, 0, 1},
    {"mobilenet conv 3x3/2 3->32 @224", 3, 224, 32, 3, 2, 1, 1},
    {"depthwise 5x5 @14 x672", 672, 14, 672, 5, 1, 2, 672},
    {"depthwise 3x3 @112 x32", 32, 112, 32, 3, 1, 1, 32},
    {"depthwise 3x3/2 @56 x144", 144, 56, 144, 3, 2, 1, 144},
    {"depthwise 3x3/2 @112 x96", 96, 112, 96, 3, 2, 1, 96},
    {"depthwise 3x3 @56 x144", 144, 56, 144, 3, 1, 1, 144},
    {"depthwise 3x3 @14 x576", 576, 14, 576, 3, 1, 1, 576},
    {"depthwise 3x3 @7 x960", 960, 7, 960, 3, 1, 1, 960},
};

static void conv_reference(const conv2d_params *p, int32_t oh, int32_t ow, const float *in,
                           const float *w, const float *b, double *out)
{
    const int32_t cpg = p->c / p->groups, opg = p->oc / p->groups;
    for (int32_t n = 0; n < p->n; n++)
        for (int32_t oc = 0; oc < p->oc; oc++)
            for (int32_t y = 0; y < oh; y++)
                for (int32_t x = 0; x < ow; x++) {
                    double acc = b[oc];
                    for (int32_t c = 0; c < cpg; c++)
                        for (int32_t ky = 0; ky < p->kh; ky++)
                            for (int32_t kx = 0; kx < p->kw; kx++) {
                                int32_t iy = y * p->stride_h - p->pad_top + ky * p->dil_h;
                                int32_t ix = x * p->stride_w - p->pad_left + kx * p->dil_w;
                                if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w)
                                    continue;
                                int32_t ci = oc / opg * cpg + c;
                                acc += (double)in[(((size_t)n * p->c + ci) * p->h + iy) * p->w +
                                                  ix] *
                                       w[(((size_t)oc * cpg + c) * p->kh + ky) * p->kw + kx];
                            }
                    out[(((size_t)n * p->oc + oc) * oh + y) * ow + x] = acc > 0 ? acc : 0;
                }
}

static void bench_conv_layer(clinfer_runtime *rt, const conv_layer *L, int32_t batch)
{
    conv2d_params p = conv2d_params_default();
    p.n = batch, p.c = L->c, p.h = p.w = L->hw, p.oc = L->oc, p.kh = p.kw = L->k;
    p.stride_h = p.stride_w = L->stride;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = L->pad;
    p.groups = L->groups, p.has_bias = 1;
    p.act.kind = ACT_KIND_RELU;
    int32_t oh, ow;
    if (conv2d_output_size(rt, &p, &oh, &ow) != CLINFER_OK)
        die("conv2d_output_size");
    size_t in_n = (size_t)p.n * p.c * p.h * p.w, out_n = (size_t)p.n * p.oc * oh * ow;
    size_t w_n = (size_t)p.oc * (p.c / p.groups) * p.kh * p.kw;
    const double flop = 2.0 * (double)out_n * (double)(p.c / p.groups) * p.kh * p.kw;
    float *in = malloc(in_n * 4), *w = malloc(w_n * 4), *b = malloc((size_t)p.oc * 4);
    float *y = malloc(out_n * 4);
    fill(in, in_n, 3);
    fill(w, w_n, 4);
    fill(b, (size_t)p.oc, 5);
    double *want = NULL;
    if (g_check) {
        want = malloc(out_n * sizeof *want);
        conv_reference(&p, oh, ow, in, w, b, want);
    }
    cl_mem im = upload(rt, in_n, in), wm = upload(rt, w_n, w), bm = upload(rt, (size_t)p.oc, b);
    cl_mem ym = upload(rt, out_n, NULL);
    conv2d_plan automatic;
    if (conv2d_plan_make(rt, &p, &automatic) != CLINFER_OK)
        die("conv2d_plan_make");
    printf("conv %-26s N=%d %3d->%3d %3dx%-3d k%d/%d g%-3d (auto: %s)\n", L->name, (int)p.n, p.c,
           p.oc, p.h, p.w, p.kh, L->stride, p.groups, conv2d_algo_name(automatic.algo));
    for (int a = CONV2D_ALGO_NAIVE; a < CONV2D_ALGO_COUNT; a++) {
        conv2d_plan plan;
        const char *only_algo = getenv("CLINFER_BENCH_ALGO");
        if (only_algo && strcmp(only_algo, conv2d_algo_name((conv2d_algo)a)) != 0)
            continue;
        if (conv2d_algo_unfit(&p, (conv2d_algo)a) ||
            conv2d_plan_algo(rt, &p, (conv2d_algo)a, &plan) != CLINFER_OK)
            continue;
        cl_mem scratch = plan.scratch_bytes ? upload(rt, plan.scratch_bytes / 4, NULL) : NULL;
        cl_mem persist = plan.persist_bytes ? upload(rt, plan.persist_bytes / 4, NULL) : NULL;
        for (int32_t i = 0; i < plan.prep_count; i++) { /* packed weights: once */
            op_launch prep;
            if (conv2d_prep_launch(rt, &p, &plan, i, dev_whole(wm), persist, &prep) != CLINFER_OK ||
                launch_enqueue(rt, &prep, NULL) != CLINFER_OK)
                die("conv2d_prep_launch");
            launch_release(&prep);
        }
        op_launch *l = calloc((size_t)plan.launch_count, sizeof *l);
        const conv2d_buffers bufs = {dev_whole(im), dev_whole(wm),   dev_whole(bm), dev_whole(NULL),
                                     dev_whole(ym), scratch, persist, dev_whole(NULL)};
        for (int32_t i = 0; i < plan.launch_count; i++)
            if (conv2d_launch(rt, &p, &plan, i, &bufs, &l[i]) != CLINFER_OK)
                die("conv2d_launch");
        double med, best;
        time_launches(rt, (timed){l, plan.launch_count}, &med, &best);
        const double per_core = flop / g_cpu_per_run * 1e-9;
        char err[48] = "";
        if (want) {
            if (buffer_read(rt, ym, out_n * 4, y) != CLINFER_OK)
                die("buffer_read");
            snprintf(err, sizeof err, "  err %.1e", max_err(y, want, out_n));
        }
        char first[192] = "";
        for (int32_t i = 0; plan.per_chunk > 1 && i < plan.per_chunk - 1; i++) {
            /* the lowering / padding / packing / transform launches alone */
            double fm, fb;
            size_t used = strlen(first);
            time_launches(rt, (timed){&l[i], 1}, &fm, &fb);
            snprintf(first + used, sizeof first - used, "  (%s %.3f ms)", l[i].name, fm * 1e3);
        }
        printf("     %-10s %8.3f ms  %6.1f GFLOP/s (best %6.1f, per core %6.1f)  scratch %6.2f "
               "MB%s%s\n",
               conv2d_algo_name((conv2d_algo)a), med * 1e3, flop / med * 1e-9,
               flop / best * 1e-9, per_core, (double)plan.scratch_bytes / 1048576.0, first, err);
        fflush(stdout);
        for (int32_t i = 0; i < plan.launch_count; i++)
            launch_release(&l[i]);
        free(l);
        if (scratch)
            clReleaseMemObject(scratch);
        if (persist)
            clReleaseMemObject(persist);
    }
    clReleaseMemObject(im);
    clReleaseMemObject(wm);
    clReleaseMemObject(bm);
    clReleaseMemObject(ym);
    free(in), free(w), free(b), free(y), free(want);
}

static void bench_conv(clinfer_runtime *rt, int32_t batch)
{
    const char *only = getenv("CLINFER_BENCH_ONLY"); /* a substring of the layer names */
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
        if (!only || strstr(layers[i].name, only))
            bench_conv_layer(rt, &layers[i], batch);
}

/* ------------------------------------------------------------------ main */

/* Tuning and compilation messages, to stderr. */
static void log_line(void *user, clinfer_log_level level, const char *message)
{
    (void)user;
    if (level >= CLINFER_LOG_INFO && strncmp(message, "compiling", 9) != 0)
        fprintf(stderr, "log: %s\n", message);
}

int main(int argc, char **argv)
{
    int gemm = 0, conv = 0;
    int32_t batch = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--gemm") == 0)
            gemm = 1;
        else if (strcmp(argv[i], "--conv") == 0)
            conv = 1;
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
            batch = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
        else if (strcmp(argv[i], "--check") == 0)
            g_check = 1;
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            g_runs = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 10;
        else {
            fprintf(stderr, "usage: bench_kernels [--gemm] [--conv] [--batch N] [--runs N] "
                            "[--check]\n");
            return 2;
        }
    }
    if (!gemm && !conv)
        gemm = conv = 1;
    clinfer_runtime *rt = NULL;
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.log = log_line;
    o.log_level = CLINFER_LOG_INFO;
    if (clinfer_runtime_create(&o, &rt) != CLINFER_OK)
        die("clinfer_runtime_create");
    printf("device: %s (%s), driver %s\n", rt->info.name, rt->info.platform_name,
           rt->info.driver_version);
    if (gemm)
        bench_gemm(rt, &o);
    if (conv)
        bench_conv(rt, batch);
    clinfer_runtime_free(rt);
    return 0;
}
