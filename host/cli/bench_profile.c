/*
 * bench_profile.c — `clinfer bench --profile`'s per-node report: the table
 * of nodes by device time with GFLOP/s and share, the totals by op and
 * kernel, the runs' timeline (kernels against the idle time between them),
 * and the same as JSON (moved out of bench.c, which times the runs).
 */
#include "bench_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe_text.h"

static int cmp_node_time(const void *a, const void *b)
{
    double x = ((const node_time *)a)->ms, y = ((const node_time *)b)->ms;
    return x > y ? -1 : x < y;
}

void bench_profile_sort(node_time *nt, size_t count)
{
    qsort(nt, count, sizeof *nt, cmp_node_time);
}

static void gflops_text(char *buf, size_t cap, double flops, double ms)
{
    if (flops > 0 && ms > 0)
        snprintf(buf, cap, "%8.1f", flops / (ms * 1e6));
    else
        snprintf(buf, cap, "%8s", "-");
}

/* Totals of one (op, kernel) pair. */
typedef struct group_time {
    const char *op, *kernel;
    double ms, flops;
    int nodes;
} group_time;

static int cmp_group_time(const void *a, const void *b)
{
    double x = ((const group_time *)a)->ms, y = ((const group_time *)b)->ms;
    return x > y ? -1 : x < y;
}

void print_profile_text(const node_time *nt, size_t count, int runs, double median_ms)
{
    double total = 0;
    for (size_t i = 0; i < count; i++)
        total += nt[i].ms;
    printf("\nper-node device time, mean over %d run%s, sorted by time:\n", runs,
           runs == 1 ? "" : "s");
    printf("  %-40s %-12s %-22s %-18s %9s %8s %6s\n", "node", "op", "kernel", "output shape",
           "ms", "GFLOP/s", "share");
    for (size_t i = 0; i < count; i++) {
        const clinfer_node_profile *p = nt[i].p;
        char shape[96], b1[48], b2[48], gf[32];
        cli_shape_text(&p->output_shape, shape, sizeof shape);
        gflops_text(gf, sizeof gf, p->flops, nt[i].ms);
        printf("  %-40s %-12s %-22s %-18s %9.3f %s %5.1f%%\n", cli_fit(p->node, b1, 40), p->op,
               cli_fit(p->kernel, b2, 22), shape, nt[i].ms, gf,
               total > 0 ? 100 * nt[i].ms / total : 0.0);
    }
    group_time *g = calloc(count + 1, sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; g && i < count; i++) {
        size_t j = 0;
        while (j < ng && !(strcmp(g[j].op, nt[i].p->op) == 0 &&
                           strcmp(g[j].kernel, nt[i].p->kernel) == 0))
            j++;
        if (j == ng)
            g[ng++] = (group_time){nt[i].p->op, nt[i].p->kernel, 0, 0, 0};
        g[j].ms += nt[i].ms;
        g[j].flops += nt[i].p->flops;
        g[j].nodes++;
    }
    if (g) {
        qsort(g, ng, sizeof *g, cmp_group_time);
        printf("\nby op and kernel:\n");
        printf("  %-12s %-22s %6s %9s %8s %6s\n", "op", "kernel", "nodes", "ms", "GFLOP/s",
               "share");
        for (size_t j = 0; j < ng; j++) {
            char gf[32], b2[48];
            gflops_text(gf, sizeof gf, g[j].flops, g[j].ms);
            printf("  %-12s %-22s %6d %9.3f %s %5.1f%%\n", g[j].op, cli_fit(g[j].kernel, b2, 22),
                   g[j].nodes, g[j].ms, gf, total > 0 ? 100 * g[j].ms / total : 0.0);
        }
        free(g);
    }
    printf("  device time %.3f ms per run, %.1f%% of the median latency (the rest: transfers, "
           "launches, host)\n",
           total, median_ms > 0 ? 100 * total / median_ms : 0.0);
}

void print_profile_json(const node_time *nt, size_t count)
{
    double total = 0;
    for (size_t i = 0; i < count; i++)
        total += nt[i].ms;
    printf(",\n  \"device_ms\": %.4f,\n  \"profile\": [", total);
    for (size_t i = 0; i < count; i++) {
        const clinfer_node_profile *p = nt[i].p;
        char shape[96];
        cli_shape_text(&p->output_shape, shape, sizeof shape);
        printf("%s\n    {\"node\": ", i ? "," : "");
        cli_json_string(p->node);
        printf(", \"op\": ");
        cli_json_string(p->op);
        printf(", \"kernel\": ");
        cli_json_string(p->kernel);
        printf(", \"shape\": ");
        cli_json_string(shape);
        printf(", \"ms\": %.5f, \"flops\": %.0f, \"gflops\": %.3f, \"share\": %.5f}", nt[i].ms,
               p->flops, p->flops > 0 && nt[i].ms > 0 ? p->flops / (nt[i].ms * 1e6) : 0.0,
               total > 0 ? nt[i].ms / total : 0.0);
    }
    printf("\n  ]");
}

/* Per run and per gap (launches - 1 gaps a run) from the sums. */
static clinfer_run_timeline timeline_mean(const clinfer_run_timeline *sum, int runs)
{
    clinfer_run_timeline m = *sum;
    const double n = runs > 0 ? runs : 1;
    m.launches = (int32_t)((double)sum->launches / n + 0.5);
    m.span_ms /= n, m.kernel_ms /= n, m.idle_ms /= n, m.max_idle_ms /= n, m.lead_ms /= n;
    return m;
}

void print_timeline_text(const clinfer_run_timeline *sum, int runs)
{
    const clinfer_run_timeline m = timeline_mean(sum, runs);
    const int gaps = m.launches > 1 ? m.launches - 1 : 0;
    printf("  timeline    %.3f ms from the first kernel's start to the last one's end: kernels "
           "%.3f ms, idle between them %.3f ms (%d launches: %.1f us per gap, the longest %.1f "
           "us); the first kernel started %.1f us after its enqueueing (means over the runs)\n",
           m.span_ms, m.kernel_ms, m.idle_ms, (int)m.launches,
           gaps ? 1e3 * m.idle_ms / gaps : 0.0, 1e3 * m.max_idle_ms, 1e3 * m.lead_ms);
}

void print_timeline_json(const clinfer_run_timeline *sum, int runs)
{
    const clinfer_run_timeline m = timeline_mean(sum, runs);
    printf(",\n  \"timeline\": {\"launches\": %d, \"span_ms\": %.4f, \"kernel_ms\": %.4f, "
           "\"idle_ms\": %.4f, \"max_idle_ms\": %.4f, \"lead_ms\": %.4f}",
           (int)m.launches, m.span_ms, m.kernel_ms, m.idle_ms, m.max_idle_ms, m.lead_ms);
}
