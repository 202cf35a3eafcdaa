/*
 * bench_profile.h — the per-node profile report of `clinfer bench
 * --profile` (bench_profile.c).
 */
#ifndef CLINFER_CLI_BENCH_PROFILE_H
#define CLINFER_CLI_BENCH_PROFILE_H

#include <stddef.h>

#include "cli.h"

/* A node's profile with its device time averaged over the timed runs. */
typedef struct node_time {
    const clinfer_node_profile *p;
    double ms;
} node_time;

/* Sorts by time, longest first. */
void bench_profile_sort(node_time *nt, size_t count);

/* The text tables (nodes, then totals by op and kernel, then the device
 * time against the median latency) on stdout. */
void print_profile_text(const node_time *nt, size_t count, int runs, double median_ms);

/* The same as the "device_ms" and "profile" members of bench's JSON object. */
void print_profile_json(const node_time *nt, size_t count);

/* The runs' timelines (clinfer_session_timeline), summed over `runs` runs,
 * as means: a text line, or the "timeline" member of the JSON object. */
void print_timeline_text(const clinfer_run_timeline *sum, int runs);
void print_timeline_json(const clinfer_run_timeline *sum, int runs);

#endif
