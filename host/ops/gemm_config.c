/*
 * gemm_config.c — which GEMM variant a runtime uses and with which tile
 * sizes: CLINFER_GEMM_VARIANT or the device type picks the variant; the
 * tile sizes come from the tuning store (tuning.h), else from a short
 * measured search over a few candidates on first use, else from defaults.
 *
 * Tuning values are "tm=8 nv=2" (cpu) and "tsm=64 tsn=64 tsk=16 wptm=4
 * wptn=4 pf=1" (gpu; without "pf=", as stored before prefetching existed,
 * pf=0), stored as "gemm_cpu" and "gemm_gpu"; a stored value that does not
 * parse or does not fit the device is ignored and measured again.
 */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tuning.h"
#include "../tensor.h"
#include "gemm.h"

/* Candidates, the first being the default. The cpu tiles keep tm x nv
 * float16 accumulators in vector registers: 16 to 24 of AVX-512's 32
 * (cpu_candidates), or, where the device's vectors are 8 floats wide
 * (AVX2: 16 registers, a float16 takes two), at most 6 float16 = 12
 * registers (narrow_cpu_candidates; the wide tiles spill there: on a
 * 2-core EPYC, 1024^3 ran at 72 GFLOP/s with tm=8 nv=2, 128 with tm=6
 * nv=1, 145 with tm=4 nv=1, and ResNet-18 in 25-30 ms with tm=8 nv=2 or
 * tm=4 nv=1, 21 with tm=6 nv=1: the direct convolutions like 6 rows).
 * The gpu ones all have 16 x 16 work-items (one local size to compile). */
static const gemm_config cpu_candidates[] = {
    {GEMM_VARIANT_CPU, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0},
    {GEMM_VARIANT_CPU, 12, 2, 0, 0, 0, 0, 0, 0, 0, 0},
    {GEMM_VARIANT_CPU, 6, 4, 0, 0, 0, 0, 0, 0, 0, 0},
};
/* (3 x 2 was measured too, at 64-71 GFLOP/s against 82-135: left out, as
 * each candidate costs a cold start about 2 s of compiling) */
static const gemm_config narrow_cpu_candidates[] = {
    {GEMM_VARIANT_CPU, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0},
    {GEMM_VARIANT_CPU, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0},
};
#define NARROW_CPU_MAX_ACCUMULATORS 6 /* float16 each */
static const gemm_config gpu_candidates[] = {
    {GEMM_VARIANT_GPU, 0, 0, 64, 64, 16, 4, 4, 0, 0, 1},
    {GEMM_VARIANT_GPU, 0, 0, 128, 128, 16, 8, 8, 0, 0, 1},
    {GEMM_VARIANT_GPU, 0, 0, 128, 64, 16, 8, 4, 0, 0, 1},
    {GEMM_VARIANT_GPU, 0, 0, 128, 128, 8, 8, 8, 0, 0, 1},
    {GEMM_VARIANT_GPU, 0, 0, 64, 64, 16, 4, 4, 0, 0, 0},
    {GEMM_VARIANT_GPU, 0, 0, 128, 128, 16, 8, 8, 0, 0, 0},
    {GEMM_VARIANT_GPU, 0, 0, 128, 128, 8, 8, 8, 0, 0, 0},
    {GEMM_VARIANT_GPU, 0, 0, 128, 64, 16, 8, 4, 0, 0, 0},
    {GEMM_VARIANT_GPU, 0, 0, 32, 32, 16, 2, 2, 0, 0, 0},
    {GEMM_VARIANT_GPU, 0, 0, 32, 32, 8, 4, 4, 0, 0, 0}, /* 8 x 8 items: for small work-groups */
};
#define COUNT(a) (sizeof a / sizeof a[0])

/* Tuning measures cubes of this size: long enough to time, short enough to
 * keep the search well under 3 s (compilation dominates). */
#define TUNE_SIZE_CPU 384
#define TUNE_SIZE_GPU 2048 /* 256 tiles of 128 x 128 */
#define TUNE_SIZE_EMULATED 256 /* the gpu variant forced onto a CPU device */
#define TUNE_RUNS 7
#define TUNE_BUDGET_S 0.25 /* per candidate, after the warm-up run */

const char *gemm_variant_name(gemm_variant v)
{
    switch (v) {
    case GEMM_VARIANT_CPU:
        return "cpu";
    case GEMM_VARIANT_GPU:
        return "gpu";
    case GEMM_VARIANT_NAIVE:
        return "naive";
    }
    return "unknown";
}

int32_t gemm_panel_width(const gemm_config *cfg) { return 16 * cfg->nv; }

size_t gemm_packed_floats(const gemm_config *cfg, int64_t n, int64_t k)
{
    int64_t tw = gemm_panel_width(cfg);
    return (size_t)((n + tw - 1) / tw) * (size_t)tw * (size_t)k;
}

/* ------------------------------------------------------------ validity */

int gemm_cpu_vectors_narrow(const clinfer_runtime *rt)
{
    return rt->info.type == CLINFER_DEVICE_CPU && rt->float_vector_width <= 8;
}

static int config_fits(const clinfer_runtime *rt, const gemm_config *c)
{
    if (c->variant == GEMM_VARIANT_CPU) /* a stored wide tile on a narrow device is measured again */
        return c->tm >= 1 && c->tm <= 16 && c->nv >= 1 && c->nv <= 4 &&
               (!gemm_cpu_vectors_narrow(rt) || c->tm * c->nv <= NARROW_CPU_MAX_ACCUMULATORS);
    if (c->variant != GEMM_VARIANT_GPU)
        return 1;
    if (c->tsm < 8 || c->tsm > 256 || c->tsn < 8 || c->tsn > 256 || c->tsk < 1 ||
        c->tsk > 64 || c->wptm < 1 || c->wptn < 1 || c->wptm * c->wptn > 64 ||
        c->tsm % c->wptm != 0 || c->tsn % c->wptn != 0)
        return 0;
    size_t items = (size_t)(c->tsm / c->wptm) * (size_t)(c->tsn / c->wptn);
    /* prefetching loads float4 groups, every item the same number, and
     * reads local memory as float4 (GEMM_VEC4) */
    if (c->pf && (c->tsk % 4 || c->wptm % 4 || c->wptn % 4 ||
                  (size_t)(c->tsm * c->tsk / 4) % items || (size_t)(c->tsn * c->tsk / 4) % items))
        return 0;
    /* gemm_local.cl pads each local row by 4 floats (LROW_A, LROW_B); prefetching
     * doubles the buffers */
    uint64_t local_bytes = (uint64_t)(c->pf ? 2 : 1) * (uint64_t)c->tsk *
                           (uint64_t)(c->tsm + c->tsn + 8) * sizeof(float);
    return items <= rt->info.max_work_group_size &&
           (rt->info.local_mem_bytes == 0 || local_bytes <= rt->info.local_mem_bytes);
}

static void config_format(const gemm_config *c, char *buf, size_t cap)
{
    if (c->variant == GEMM_VARIANT_CPU)
        snprintf(buf, cap, "tm=%d nv=%d", c->tm, c->nv);
    else
        snprintf(buf, cap, "tsm=%d tsn=%d tsk=%d wptm=%d wptn=%d pf=%d", c->tsm, c->tsn, c->tsk,
                 c->wptm, c->wptn, c->pf);
}

/* Parses a stored value; 0 when it is malformed. */
static int config_parse(const char *text, gemm_variant v, gemm_config *c)
{
    int used = -1;
    memset(c, 0, sizeof *c);
    c->variant = v;
    if (v == GEMM_VARIANT_CPU)
        sscanf(text, "tm=%d nv=%d%n", &c->tm, &c->nv, &used);
    else {
        sscanf(text, "tsm=%d tsn=%d tsk=%d wptm=%d wptn=%d pf=%d%n", &c->tsm, &c->tsn, &c->tsk,
               &c->wptm, &c->wptn, &c->pf, &used);
        if (used <= 0) { /* the form before prefetching */
            c->pf = 0;
            sscanf(text, "tsm=%d tsn=%d tsk=%d wptm=%d wptn=%d%n", &c->tsm, &c->tsn, &c->tsk,
                   &c->wptm, &c->wptn, &used);
        }
    }
    return used > 0 && text[used] == '\0';
}

/* ------------------------------------------------------------ search */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Prepares (compiles) and warms up candidate c on one s x s x s product;
 * 0 when it fails on this device. */
static int warm_candidate(clinfer_runtime *rt, const gemm_config *c, int32_t s, cl_mem a,
                          cl_mem b, cl_mem y, op_launch *l)
{
    gemm_geometry g = gemm_geometry_plain(s, s, s);
    act_params none = {ACT_KIND_NONE, 0, 0};
    if (gemm_core_prepare(rt, c, &g, 0, 1.0f, 0.0f, none, l) != CLINFER_OK)
        return 0;
    const dev_tensor absent = dev_whole(NULL);
    if (gemm_core_bind(rt, l, dev_whole(a), dev_whole(b), absent, dev_whole(y), absent) ==
            CLINFER_OK &&
        clFinish(rt->queue) == CL_SUCCESS &&
        launch_enqueue(rt, l, NULL) == CLINFER_OK && clFinish(rt->queue) == CL_SUCCESS)
        return 1;
    launch_release(l);
    return 0;
}

/* Seconds of one run of l, or -1. */
static double time_run(clinfer_runtime *rt, const op_launch *l)
{
    double t0 = now_s();
    if (launch_enqueue(rt, l, NULL) != CLINFER_OK || clFinish(rt->queue) != CL_SUCCESS)
        return -1;
    return now_s() - t0;
}

static clinfer_status filled_buffer(clinfer_runtime *rt, size_t floats, cl_mem *out)
{
    const size_t elem = rt_elem_bytes(rt);
    clinfer_status st = buffer_create(rt, floats * elem, NULL, out);
    if (st != CLINFER_OK)
        return st;
    /* 0.25 as a float or a half: no NaNs or denormals in the timed runs */
    const cl_float pattern = 0.25f;
    const cl_ushort pattern_half = 0x3400;
    cl_int err = clEnqueueFillBuffer(rt->queue, *out, elem == 2 ? (const void *)&pattern_half
                                                                : (const void *)&pattern,
                                     elem, 0, floats * elem, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : err_cl(rt, err, "clEnqueueFillBuffer");
}

/* Times every candidate that fits the device, in rounds that alternate
 * between them (so that other load on the machine hits them alike), and
 * keeps each one's best run; *out is the fastest (the first fitting one when
 * none could be timed). Returns the number of candidates timed. */
#define MAX_CANDIDATES 12
static int search(clinfer_runtime *rt, const gemm_config *cand, size_t count, int32_t s,
                   gemm_config *out)
{
    size_t most_b = (size_t)s * s;
    for (size_t i = 0; i < count; i++)
        if (cand[i].variant == GEMM_VARIANT_CPU && gemm_packed_floats(&cand[i], s, s) > most_b)
            most_b = gemm_packed_floats(&cand[i], s, s);
    cl_mem a = NULL, b = NULL, y = NULL;
    int have_buffers = filled_buffer(rt, (size_t)s * s, &a) == CLINFER_OK &&
                       filled_buffer(rt, most_b, &b) == CLINFER_OK &&
                       filled_buffer(rt, (size_t)s * s, &y) == CLINFER_OK;
    op_launch l[MAX_CANDIDATES];
    int ready[MAX_CANDIDATES] = {0};
    double best[MAX_CANDIDATES];
    for (size_t i = 0; i < count && i < MAX_CANDIDATES; i++) {
        best[i] = -1;
        ready[i] = have_buffers && config_fits(rt, &cand[i]) &&
                   warm_candidate(rt, &cand[i], s, a, b, y, &l[i]);
    }
    double start = now_s();
    for (int r = 0; r < TUNE_RUNS && now_s() - start < TUNE_BUDGET_S * (double)count; r++)
        for (size_t i = 0; i < count && i < MAX_CANDIDATES; i++) {
            double t = ready[i] ? time_run(rt, &l[i]) : -1;
            if (t > 0 && (best[i] < 0 || t < best[i]))
                best[i] = t;
        }
    int chosen = -1;
    for (size_t i = 0; i < count && i < MAX_CANDIDATES; i++) {
        if (ready[i])
            launch_release(&l[i]);
        char text[96];
        config_format(&cand[i], text, sizeof text);
        if (best[i] <= 0) { /* a fitting one that failed: the choice may be worse than it */
            if (config_fits(rt, &cand[i]))
                rt_log(rt, CLINFER_LOG_WARNING, "tuning gemm_%s %s: could not be timed",
                       gemm_variant_name(cand[i].variant), text);
            continue;
        }
        rt_log(rt, CLINFER_LOG_INFO, "tuning gemm_%s %s (%zu/%zu): %.1f GFLOP/s at %d^3",
               gemm_variant_name(cand[i].variant), text, i + 1, count,
               2.0 * s * (double)s * s / best[i] * 1e-9, (int)s);
        if (chosen < 0 || best[i] < best[chosen])
            chosen = (int)i;
    }
    if (a)
        clReleaseMemObject(a);
    if (b)
        clReleaseMemObject(b);
    if (y)
        clReleaseMemObject(y);
    int timed = 0;
    for (size_t i = 0; i < count && i < MAX_CANDIDATES; i++)
        timed += best[i] > 0;
    for (size_t i = 0; chosen < 0 && i < count; i++)
        if (config_fits(rt, &cand[i]))
            chosen = (int)i;
    *out = cand[chosen < 0 ? 0 : chosen];
    return timed;
}

/* ------------------------------------------------------------ selection */

static clinfer_status variant_from_config(clinfer_runtime *rt, gemm_variant *v)
{
    *v = rt->info.type == CLINFER_DEVICE_CPU ? GEMM_VARIANT_CPU : GEMM_VARIANT_GPU;
    if (rt->config.gemm_variant >= 0) /* forced (config.h) */
        *v = (gemm_variant)rt->config.gemm_variant;
    return CLINFER_OK;
}

/* The first fitting candidate: the default tiles. */
static gemm_config default_config(const clinfer_runtime *rt, const gemm_config *cand,
                                  size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (config_fits(rt, &cand[i]))
            return cand[i];
    return cand[0];
}

static clinfer_status config_get(clinfer_runtime *rt, gemm_config *out);

/* One search at a time per runtime (see tuning_search_begin): sessions
 * size packed weights in one pass and pack them in another, and both must
 * see the same tiles even while another thread is tuning. */
clinfer_status gemm_config_get(clinfer_runtime *rt, gemm_config *out)
{
    tuning_search_begin(rt);
    clinfer_status st = config_get(rt, out);
    tuning_search_end(rt);
    return st;
}

static clinfer_status config_get(clinfer_runtime *rt, gemm_config *out)
{
    gemm_variant v;
    clinfer_status st = variant_from_config(rt, &v);
    if (st != CLINFER_OK)
        return st;
    memset(out, 0, sizeof *out);
    out->variant = v;
    if (v == GEMM_VARIANT_NAIVE)
        return CLINFER_OK;
    const gemm_config *cand = gpu_candidates;
    size_t count = COUNT(gpu_candidates);
    if (v == GEMM_VARIANT_CPU && gemm_cpu_vectors_narrow(rt)) {
        cand = narrow_cpu_candidates;
        count = COUNT(narrow_cpu_candidates);
    } else if (v == GEMM_VARIANT_CPU) {
        cand = cpu_candidates;
        count = COUNT(cpu_candidates);
    }
    /* half storage moves half the bytes, and half math runs the GPU tiles'
     * FMAs in half: their tiles are measured apart */
    const char *key = v == GEMM_VARIANT_CPU ? (rt_is_half(rt) ? "gemm_cpu_fp16" : "gemm_cpu")
                      : rt_half_math(rt)    ? "gemm_gpu_fp16_math"
                      : rt_is_half(rt)      ? "gemm_gpu_fp16"
                                            : "gemm_gpu";
    if (rt->config.tune == CONFIG_TUNE_OFF) {
        *out = default_config(rt, cand, count);
        return CLINFER_OK;
    }
    char text[128];
    if (tuning_get(rt, key, text, sizeof text)) {
        if (config_parse(text, v, out) && config_fits(rt, out))
            return CLINFER_OK;
        rt_log(rt, CLINFER_LOG_WARNING, "tuning: ignoring stored %s value \"%s\"", key, text);
    }
    if (rt->config.tune == CONFIG_TUNE_AUTO && v == GEMM_VARIANT_CPU) { /* config.h */
        *out = default_config(rt, cand, count);
        return CLINFER_OK;
    }
    int32_t size = v == GEMM_VARIANT_CPU                  ? TUNE_SIZE_CPU
                   : rt->info.type == CLINFER_DEVICE_CPU ? TUNE_SIZE_EMULATED
                                                          : TUNE_SIZE_GPU;
    double t0 = now_s();
    int timed = search(rt, cand, count, size, out);
    config_format(out, text, sizeof text);
    if (timed == 0) { /* a fault, not a measurement: kept for this runtime's kernels to
                         * agree on, not stored, so the next process measures again */
        rt_log(rt, CLINFER_LOG_WARNING,
               "tuning %s: no candidate could be timed; using %s unmeasured, not stored", key,
               text);
        tuning_keep(rt, key, text);
        return CLINFER_OK;
    }
    rt_log(rt, CLINFER_LOG_INFO, "tuning %s: chose %s in %.2f s", key, text, now_s() - t0);
    tuning_put(rt, key, text);
    return CLINFER_OK;
}

/* Work-groups of the gpu variant's tiles over count products of m x n. */
static int64_t gpu_tiles(const gemm_config *c, int64_t m, int64_t n, int64_t count)
{
    return (m + c->tsm - 1) / c->tsm * ((n + c->tsn - 1) / c->tsn) * count;
}

/* Outputs that the tiles of c compute for one m x n product, padding
 * included. */
static int64_t padded_outputs(const gemm_config *c, int64_t m, int64_t n)
{
    return (m + c->tsm - 1) / c->tsm * c->tsm * ((n + c->tsn - 1) / c->tsn * c->tsn);
}

/* Smaller gpu tiles, largest first, for products too small to give every
 * compute unit work with the tuned (large) tile: at batch 1 a 512 x 49
 * product of a deep layer has 8 tiles of 64 x 64 for 132 compute units,
 * and one work-group per unit runs it many times slower than the whole
 * device would. */
static const gemm_config gpu_small_tiles[] = {
    {GEMM_VARIANT_GPU, 0, 0, 64, 64, 16, 4, 4, 0, 0, 1},
    {GEMM_VARIANT_GPU, 0, 0, 32, 32, 16, 2, 2, 0, 0, 0},
    {GEMM_VARIANT_GPU, 0, 0, 16, 16, 16, 1, 1, 0, 0, 0},
};

/* 64 x 64 instead of a larger tuned tile that would compute over 25% more
 * padding; then the first smaller tile that gives every compute unit a
 * work-group, else the smallest that fits. (Two per unit shrank a 1024^3 product to 32 x 32
 * tiles on an H200, at half the speed of its 256 tiles of 64 x 64.) */
static void gpu_fit_tiles(const clinfer_runtime *rt, int64_t m, int64_t n, int64_t count,
                          gemm_config *c)
{
    const int64_t want = rt->info.compute_units ? (int64_t)rt->info.compute_units : 1;
    const gemm_config *mid = &gpu_small_tiles[0];
    if (c->tsm * c->tsn > mid->tsm * mid->tsn && config_fits(rt, mid) &&
        padded_outputs(c, m, n) * 4 > padded_outputs(mid, m, n) * 5)
        *c = *mid; /* a large tile over a narrow product computes mostly padding */
    if (gpu_tiles(c, m, n, count) >= want)
        return;
    for (size_t i = 0; i < COUNT(gpu_small_tiles); i++) {
        const gemm_config *t = &gpu_small_tiles[i];
        if (t->tsm * t->tsn >= c->tsm * c->tsn || !config_fits(rt, t))
            continue;
        *c = *t;
        if (gpu_tiles(c, m, n, count) >= want)
            return;
    }
}

/* Splits K of a product whose tiles leave compute units idle into at most
 * 32 steps of at least 128 (whole TSK steps) so that every unit gets a
 * work-group; 0 when that is not worth it (K too short, or enough tiles). */
#define SPLIT_MIN_K 128
#define SPLIT_MAX 32
static int gpu_split_k(const clinfer_runtime *rt, int64_t m, int64_t n, int64_t k, int64_t count,
                       gemm_config *c)
{
    const int64_t units = rt->info.compute_units ? (int64_t)rt->info.compute_units : 1;
    const int64_t tiles = gpu_tiles(c, m, n, count);
    if (tiles >= units || k < 2 * SPLIT_MIN_K)
        return 0;
    int64_t splits = (units + tiles - 1) / tiles;
    if (splits > k / SPLIT_MIN_K)
        splits = k / SPLIT_MIN_K;
    if (splits > SPLIT_MAX)
        splits = SPLIT_MAX;
    int64_t step = (k + splits - 1) / splits;
    step = (step + c->tsk - 1) / c->tsk * c->tsk;
    c->splits = (int32_t)((k + step - 1) / step);
    c->k_step = (int32_t)step;
    return c->splits > 1;
}

clinfer_status gemm_config_for_product(clinfer_runtime *rt, int64_t m, int64_t n, int64_t k,
                                       int64_t count, int split_ok, gemm_config *out)
{
    clinfer_status st = gemm_config_get(rt, out);
    if (st != CLINFER_OK)
        return st;
    out->splits = 1, out->k_step = 0;
    /* The cpu tiles do not depend on m: gemm_packed runs a product of fewer
     * than TM rows row by row (gemm.cl's gemm_rows), so that every batch
     * size uses the one program */
    if (out->variant != GEMM_VARIANT_GPU)
        return CLINFER_OK;
    if (count < 1)
        count = 1;
    if (split_ok) {
        /* Splitting K over the 64 x 64 tiles rather than a larger tuned
         * tile: more tiles, fewer and longer splits (ResNet-50 at batch 1
         * on an H200: 1.72 ms over 64 x 64 tiles, 2.12 ms over 128 x 128). */
        gemm_config c = *out;
        const gemm_config *mid = &gpu_small_tiles[0];
        if (c.tsm * c.tsn > mid->tsm * mid->tsn && config_fits(rt, mid))
            c = *mid;
        if (gpu_split_k(rt, m, n, k, count, &c)) {
            *out = c;
            return CLINFER_OK;
        }
    }
    out->splits = 1, out->k_step = 0;
    gpu_fit_tiles(rt, m, n, count, out);
    return CLINFER_OK;
}
