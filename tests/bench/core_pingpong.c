/*
 * core_pingpong.c — how far apart two CPUs' caches are: two threads, pinned
 * to CPUs A and B, pass a flag in one cache line back and forth; prints the
 * median round trip of 5 repeats as one JSON object (round_trip_ns, cpus).
 *
 *   core_pingpong [--cpus A,B] [--trips N]
 *
 * Why: on this project's 2-vCPU cloud machines the benchmarks have slow
 * spells, minutes in which clinfer on PoCL runs 1.3-2x slower and ONNX
 * Runtime barely changes, while the FMA peak and one core's memory
 * bandwidth stay as they are. The round trip tells them apart: about
 * 75-130 ns in calm spells, 350-450 ns in slow ones (most likely the two
 * vCPUs then share no cache: a line written by one core costs the other a
 * remote fetch, and PoCL hands each kernel's work-groups to both cores).
 * Another process busy on a CPU also lengthens it: read it on an idle
 * machine.
 * tests/bench/side_by_side.py records it at the start and the end of a run.
 *
 * Build (tests/bench/side_by_side.sh does): cc -O2 core_pingpong.c -lpthread
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 5

typedef struct {
    _Alignas(64) atomic_int flag; /* 1: the ball is with the other thread */
    int cpu, trips;
} table;

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* The other thread: returns every ball it gets. */
static void *returner(void *arg)
{
    table *t = arg;
    (void)pin(t->cpu); /* checked by the caller before it started this thread */
    for (int i = 0; i < t->trips; i++) {
        while (atomic_load_explicit(&t->flag, memory_order_acquire) != 1)
            ;
        atomic_store_explicit(&t->flag, 0, memory_order_release);
    }
    return NULL;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One repeat: mean round trip in ns, or a negative value if a CPU could not
 * be used. */
static double one_repeat(int a, int b, int trips)
{
    table t;
    atomic_init(&t.flag, 0);
    t.cpu = b;
    t.trips = trips;
    pthread_t th;
    /* both CPUs usable (tried from this thread: the returner must not fail
     * once this one waits for it), then this thread on A */
    if (pin(b) != 0 || pin(a) != 0 || pthread_create(&th, NULL, returner, &t) != 0)
        return -1;
    const double t0 = now_ns();
    for (int i = 0; i < trips; i++) {
        atomic_store_explicit(&t.flag, 1, memory_order_release);
        while (atomic_load_explicit(&t.flag, memory_order_acquire) != 0)
            ;
    }
    const double t1 = now_ns();
    pthread_join(th, NULL);
    return (t1 - t0) / trips;
}

static int by_value(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    int a = 0, b = 1, trips = 100000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cpus") && i + 1 < argc && sscanf(argv[i + 1], "%d,%d", &a, &b) == 2)
            i++;
        else if (!strcmp(argv[i], "--trips") && i + 1 < argc && (trips = atoi(argv[i + 1])) > 0)
            i++;
        else {
            fprintf(stderr, "usage: core_pingpong [--cpus A,B] [--trips N]\n");
            return 2;
        }
    }
    double t[REPEATS];
    for (int r = 0; r < REPEATS; r++)
        if ((t[r] = one_repeat(a, b, trips)) < 0) {
            fprintf(stderr, "core_pingpong: cannot run threads on CPUs %d and %d\n", a, b);
            return 1;
        }
    qsort(t, REPEATS, sizeof t[0], by_value);
    printf("{\"round_trip_ns\": %.1f, \"cpus\": [%d, %d], \"trips\": %d}\n", t[REPEATS / 2], a, b,
           trips);
    return 0;
}
