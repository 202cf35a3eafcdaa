/*
 * peer_timing.h — what the benchmark's peer programs (gemm_openblas.c,
 * gemm_clblast.c) share: a monotonic clock, the command line (M N K and
 * --iters/--warmup/--max-time with the same meaning as `clinfer bench`),
 * the latency statistics and the JSON keys `clinfer bench --json` prints,
 * so that tests/bench/side_by_side.py reads every engine the same way.
 * Header-only; each program includes it once.
 */
#ifndef PEER_TIMING_H
#define PEER_TIMING_H

#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct peer_args {
    long m, n, k;
    int warmup, iters;
    double max_time_s; /* 0: none */
} peer_args;

/* prog M N K [--iters N] [--warmup W] [--max-time S]; exits on bad input. */
static peer_args peer_parse(int argc, char **argv)
{
    peer_args a = {0, 0, 0, 3, 20, 0};
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--iters") == 0)
            a.iters = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--warmup") == 0)
            a.warmup = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--max-time") == 0)
            a.max_time_s = atof(argv[++i]);
        else if (pos < 3 && argv[i][0] != '-') {
            long v = atol(argv[i]);
            if (pos == 0)
                a.m = v;
            else if (pos == 1)
                a.n = v;
            else
                a.k = v;
            pos++;
        } else {
            pos = -1;
            break;
        }
    }
    if (pos != 3 || a.m < 1 || a.n < 1 || a.k < 1 || a.iters < 1 || a.warmup < 0 ||
        a.m > 65536 || a.n > 65536 || a.k > 65536) {
        fprintf(stderr, "usage: %s M N K [--iters N] [--warmup W] [--max-time S]\n", argv[0]);
        exit(2);
    }
    return a;
}

/* Uniform values in [-1, 1). */
static void peer_fill(float *x, size_t n, unsigned seed)
{
    unsigned s = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        x[i] = (float)((double)(s >> 8) / (double)(1u << 23) - 1.0);
    }
}

static int peer_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double peer_pct(const double *sorted, int n, double q)
{
    double pos = q * (n - 1);
    int lo = (int)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

static inline double peer_median(const double *v, int n)
{
    double *s = malloc((size_t)n * sizeof *s);
    if (!s || n < 1) {
        free(s);
        return 0;
    }
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, peer_cmp);
    double m = peer_pct(s, n, 0.5);
    free(s);
    return m;
}

/* Prints the timing keys of `clinfer bench --json` (without the braces):
 * min/median/p90/p99/mean, iters, times_ms and gflops for 2MNK. */
static void peer_print_times(const peer_args *a, const double *t, int n)
{
    double *s = malloc((size_t)n * sizeof *s), sum = 0;
    if (!s)
        exit(1);
    memcpy(s, t, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, peer_cmp);
    for (int i = 0; i < n; i++)
        sum += s[i];
    double med = peer_pct(s, n, 0.5);
    printf("  \"gemm\": \"%ldx%ldx%ld\",\n  \"iters\": %d,\n", a->m, a->n, a->k, n);
    printf("  \"min_ms\": %.4f,\n  \"median_ms\": %.4f,\n  \"p90_ms\": %.4f,\n"
           "  \"p99_ms\": %.4f,\n  \"mean_ms\": %.4f,\n",
           s[0], med, peer_pct(s, n, 0.9), peer_pct(s, n, 0.99), sum / n);
    printf("  \"gflops\": %.3f,\n  \"times_ms\": [",
           med > 0 ? 2.0 * a->m * a->n * a->k / (med * 1e6) : 0.0);
    for (int i = 0; i < n; i++)
        printf("%s%.4f", i ? ", " : "", t[i]);
    printf("]");
    free(s);
}

/* Largest error of sampled entries of row-major C = A B against double dot
 * products, relative to sum_k |a_ik b_kj|. */
static double peer_check(const peer_args *a, const float *A, const float *B, const float *C)
{
    double worst = 0;
    unsigned s = 99;
    for (int t = 0; t < 64; t++) {
        s = s * 1664525u + 1013904223u;
        long i = (long)(s % (unsigned)a->m);
        s = s * 1664525u + 1013904223u;
        long j = (long)(s % (unsigned)a->n);
        double ref = 0, mag = 0;
        for (long p = 0; p < a->k; p++) {
            double x = (double)A[i * a->k + p] * B[p * a->n + j];
            ref += x;
            mag += fabs(x);
        }
        double e = fabs(C[i * a->n + j] - ref) / (mag > 0 ? mag : 1);
        if (!(e <= worst))
            worst = isnan(e) ? INFINITY : e;
    }
    return worst;
}

#endif
