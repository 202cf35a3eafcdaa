/*
 * fma_peak.c — the machine's measured FP32 FMA peak, the ceiling for the
 * GEMM benchmark: T threads (default: the online CPUs), each running 16
 * independent chains of fused multiply-adds on full vector registers
 * (AVX-512: 16 floats, else AVX2: 8), enough chains to cover the FMA
 * latency on two FMA ports. Prints one JSON object: gflops (all threads),
 * gflops_per_thread, threads, isa. The best of 5 repeats is reported.
 *
 *   fma_peak [--threads T] [--seconds S]
 *
 * Build (tests/bench/side_by_side.sh does):
 *   cc -O2 -mavx512f -mfma fma_peak.c -lpthread   (AVX-512 machines)
 *   cc -O2 -mavx2 -mfma fma_peak.c -lpthread      (otherwise)
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__AVX512F__)
#define ISA "avx512"
#define LANES 16
typedef __m512 vec;
#define SET1(x) _mm512_set1_ps(x)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define ADD(a, b) _mm512_add_ps(a, b)
static float hsum(vec v)
{
    return _mm512_reduce_add_ps(v);
}
#elif defined(__AVX2__) && defined(__FMA__)
#define ISA "avx2"
#define LANES 8
typedef __m256 vec;
#define SET1(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define ADD(a, b) _mm256_add_ps(a, b)
static float hsum(vec v)
{
    float f[8];
    _mm256_storeu_ps(f, v);
    return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#else
#error "build with -mavx512f -mfma or -mavx2 -mfma"
#endif

#define CHAINS 16

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct job {
    long iters;
    float sink;
    pthread_barrier_t *start;
    double t0, t1; /* this thread's own start and end */
} job;

/* 16 independent chains x = x * b + c; b < 1 keeps the values bounded and
 * normal. The compiler may not merge or reorder the FMAs (no fast-math). */
static void *worker(void *arg)
{
    job *j = arg;
    vec x0 = SET1(0.1f), x1 = SET1(0.2f), x2 = SET1(0.3f), x3 = SET1(0.4f);
    vec x4 = SET1(0.5f), x5 = SET1(0.6f), x6 = SET1(0.7f), x7 = SET1(0.8f);
    vec x8 = SET1(0.9f), x9 = SET1(1.0f), x10 = SET1(1.1f), x11 = SET1(1.2f);
    vec x12 = SET1(1.3f), x13 = SET1(1.4f), x14 = SET1(1.5f), x15 = SET1(1.6f);
    const vec b = SET1(0.999999f), c = SET1(1e-6f);
    pthread_barrier_wait(j->start);
    j->t0 = now_s();
    for (long i = 0; i < j->iters; i++) {
        x0 = FMA(x0, b, c), x1 = FMA(x1, b, c), x2 = FMA(x2, b, c), x3 = FMA(x3, b, c);
        x4 = FMA(x4, b, c), x5 = FMA(x5, b, c), x6 = FMA(x6, b, c), x7 = FMA(x7, b, c);
        x8 = FMA(x8, b, c), x9 = FMA(x9, b, c), x10 = FMA(x10, b, c), x11 = FMA(x11, b, c);
        x12 = FMA(x12, b, c), x13 = FMA(x13, b, c), x14 = FMA(x14, b, c), x15 = FMA(x15, b, c);
    }
    vec s = ADD(ADD(ADD(x0, x1), ADD(x2, x3)), ADD(ADD(x4, x5), ADD(x6, x7)));
    s = ADD(s, ADD(ADD(ADD(x8, x9), ADD(x10, x11)), ADD(ADD(x12, x13), ADD(x14, x15))));
    j->t1 = now_s();
    j->sink = hsum(s);
    return NULL;
}

/* GFLOP/s of `threads` threads running `iters` iterations each. */
static double measure(int threads, long iters)
{
    pthread_t tid[256];
    job jobs[256];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){iters, 0, &start, 0, 0};
        if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "fma_peak: pthread_create failed\n");
            exit(1);
        }
    }
    pthread_barrier_wait(&start);
    float sink = 0;
    double t0 = 0, t1 = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        sink += jobs[t].sink;
        t0 = t == 0 || jobs[t].t0 < t0 ? jobs[t].t0 : t0;
        t1 = t == 0 || jobs[t].t1 > t1 ? jobs[t].t1 : t1;
    }
    double dt = t1 > t0 ? t1 - t0 : 1e-9; /* from the first start to the last end */
    pthread_barrier_destroy(&start);
    if (sink != sink) /* keep the results alive */
        fprintf(stderr, "fma_peak: NaN\n");
    return (double)threads * iters * CHAINS * LANES * 2 / dt / 1e9;
}

int main(int argc, char **argv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cpus > 0 ? (int)cpus : 1;
    double seconds = 0.3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: fma_peak [--threads T] [--seconds S]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 256 || !(seconds > 0)) {
        fprintf(stderr, "fma_peak: --threads 1..256, --seconds > 0\n");
        return 2;
    }
    /* Calibrate on one thread, then aim each repeat at `seconds`. */
    long iters = 1 << 20;
    double g = measure(1, iters);
    iters = (long)(seconds * g * 1e9 / (CHAINS * LANES * 2));
    if (iters < 1000)
        iters = 1000;
    if (iters > (long)(seconds * 4e9)) /* at most ~4 G iterations per second */
        iters = (long)(seconds * 4e9);
    double best = 0, best1 = 0;
    for (int r = 0; r < 5; r++) {
        double x = measure(threads, iters);
        best = x > best ? x : best;
    }
    for (int r = 0; r < 3; r++) {
        double x = measure(1, iters);
        best1 = x > best1 ? x : best1;
    }
    printf("{\"gflops\": %.1f, \"gflops_one_thread\": %.1f, \"threads\": %d, \"isa\": \"%s\", "
           "\"chains\": %d}\n",
           best, best1, threads, ISA, CHAINS);
    return 0;
}
