/*
 * chain.c — a session's run as one launch of kernels/chain.cl (see
 * chain.h): the layers from node_impl.chain, their weights packed into
 * panels of 16 output channels, their shapes and places compiled into the
 * kernel, and a counter buffer the kernel resets after each run.
 */
#include "chain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include "error.h"
#include "half.h"
#include "program_cache.h"
#include "runtime.h"
#include "session.h"
#include "tensor.h"

#define CHAIN_MAX_LAYERS 8 /* chain.cl's CHAIN_LAYER cases */
#define CHAIN_NPOS 24      /* chain.cl's: a convolution task's accumulators */
#define CHAIN_COUNTERS 4   /* ints: chain.cl's ticket, done and exited, one spare */
/* CLINFER_CHAIN=auto chains runs of at most this many floating-point
 * operations. The lecture CNN has 7.8 million per image; chained, its runs
 * took 0.10 instead of 0.14 ms at batch 1 and 0.39 instead of 0.48 at
 * batch 4, but 0.78 instead of 0.60 at batch 8, where its second layer's
 * own kernel (Winograd) and the tuned GEMM outrun the chain's plain tasks
 * by more than the launches cost (2-core EPYC, PoCL 3.1). */
#define CHAIN_MAX_FLOPS 32e6
/* A convolution task computes at least this many multiply-adds (whole
 * pooled rows), so that taking its ticket (an atomic on a cache line both
 * cores write) costs little beside it. */
#define CHAIN_TASK_FMAS 16384
/* Rows of a dense layer that share each load of a weight panel (chain.cl's
 * MR, at most its CHAIN_ROWS_MAX): 8 accumulators of 16 floats. */
#define CHAIN_DENSE_ROWS 8

struct session_chain {
    op_launch launch;
    cl_mem weights, counters;
    int32_t count;
    int32_t values[2 * CHAIN_MAX_LAYERS]; /* each layer's input and output value */
};

int chain_act_supported(act_kind kind)
{
    return kind == ACT_KIND_NONE || kind == ACT_KIND_RELU || kind == ACT_KIND_LEAKY_RELU ||
           kind == ACT_KIND_CLIP || kind == ACT_KIND_SIGMOID || kind == ACT_KIND_TANH;
}

/* ------------------------------------------------------------ tasks */

/* How a convolution layer is cut into tasks (chain.cl's chain_conv). */
typedef struct conv_tiling {
    int32_t pool, qt, rt, pad; /* window, pooled columns and rows per task, bounds checks */
    int64_t tasks;
} conv_tiling;

static int32_t ceil_div(int64_t a, int64_t b) { return (int32_t)((a + b - 1) / b); }

/* A convolution layer's pool window (1: no pool). */
static int32_t conv_window(const chain_layer *l) { return l->conv.pool > 1 ? l->conv.pool : 1; }

/* Pooled columns per task: as many as CHAIN_NPOS accumulators allow, then
 * evened out over the row's tiles; rows per task up to CHAIN_TASK_FMAS. */
static conv_tiling conv_tiles(const chain_layer *l)
{
    const conv2d_params *p = &l->conv;
    conv_tiling t = {conv_window(l), 0, 0, 0, 0};
    const int32_t per_pooled = t.pool * t.pool, widest = CHAIN_NPOS / per_pooled;
    t.qt = ceil_div(l->ow, ceil_div(l->ow, widest));
    const int64_t per_row = (int64_t)t.qt * per_pooled * p->c * p->kh * p->kw * 16;
    t.rt = ceil_div(CHAIN_TASK_FMAS, per_row);
    t.rt = t.rt < l->oh ? t.rt : l->oh;
    /* the taps of the last pooled row and column inside the input: no checks */
    const int64_t last_y = (int64_t)(l->oh * t.pool - 1) * p->stride_h + p->kh - 1;
    const int64_t last_x = (int64_t)(l->ow * t.pool - 1) * p->stride_w + p->kw - 1;
    t.pad = p->pad_top != 0 || p->pad_left != 0 || last_y >= p->h || last_x >= p->w;
    t.tasks = (int64_t)p->n * ceil_div(p->oc, 16) * ceil_div(l->oh, t.rt) * ceil_div(l->ow, t.qt);
    return t;
}

static int64_t layer_tasks(const chain_layer *l)
{
    switch (l->kind) {
    case CHAIN_CONV:
        return conv_tiles(l).tasks;
    case CHAIN_DENSE:
        return ceil_div(l->n, 16);
    default:
        return l->rows;
    }
}

/* Whether the layer fits the kernel's limits. */
static int layer_fits(const chain_layer *l)
{
    if (l->kind == CHAIN_CONV) /* a pooled output's windows fit the accumulators */
        return l->oh > 0 && l->ow > 0 && conv_window(l) * conv_window(l) <= CHAIN_NPOS;
    if (l->kind == CHAIN_DENSE)
        return l->m > 0 && l->k > 0 && l->n > 0;
    return l->rows > 0 && l->cols > 0 && l->cols <= INT32_MAX;
}

/* ------------------------------------------------------------ weights */

/* Floats of a layer's packed weights and biases. */
static size_t packed_floats(const chain_layer *l)
{
    if (l->kind == CHAIN_CONV) {
        const conv2d_params *p = &l->conv;
        const size_t panels = (size_t)ceil_div(p->oc, 16);
        return panels * 16 * ((size_t)p->c * p->kh * p->kw + 1);
    }
    if (l->kind == CHAIN_DENSE)
        return (size_t)ceil_div(l->n, 16) * 16 * ((size_t)l->k + 1);
    return 0;
}

/* Conv weights [OC, C, KH, KW] as panels [OC/16][C][KH][KW][16], then the
 * biases [OC/16 * 16]; channels past OC zero. */
static void pack_conv(const chain_layer *l, float *dst)
{
    const conv2d_params *p = &l->conv;
    const int64_t taps = (int64_t)p->c * p->kh * p->kw, panels = ceil_div(p->oc, 16);
    for (int64_t ob = 0; ob < panels; ob++)
        for (int64_t k = 0; k < taps; k++)
            for (int64_t j = 0; j < 16; j++) {
                const int64_t oc = ob * 16 + j;
                dst[(ob * taps + k) * 16 + j] = oc < p->oc ? l->weight[oc * taps + k] : 0.0f;
            }
    float *bias = dst + panels * taps * 16;
    for (int64_t oc = 0; oc < panels * 16; oc++)
        bias[oc] = l->bias && oc < p->oc ? l->bias[oc] : 0.0f;
}

/* alpha B as panels [N/16][K][16] of B' ([K, N]), then beta C per column
 * [N/16 * 16]; columns past N zero. */
static void pack_dense(const chain_layer *l, float *dst)
{
    const int64_t k_all = l->k, n_all = l->n, panels = ceil_div(l->n, 16);
    for (int64_t nb = 0; nb < panels; nb++)
        for (int64_t k = 0; k < k_all; k++)
            for (int64_t j = 0; j < 16; j++) {
                const int64_t n = nb * 16 + j;
                const float b = n >= n_all ? 0.0f
                                : l->trans_b ? l->weight[n * k_all + k]
                                             : l->weight[k * n_all + n];
                dst[(nb * k_all + k) * 16 + j] = l->alpha * b;
            }
    float *bias = dst + panels * k_all * 16;
    for (int64_t n = 0; n < panels * 16; n++)
        bias[n] = l->bias && n < n_all ? l->beta * l->bias[l->bias_count == 1 ? 0 : n] : 0.0f;
}

/* Where a layer's biases begin in the buffer, after its panels. */
static uint64_t bias_offset(const chain_layer *l, uint64_t w_off)
{
    const int32_t outputs = l->kind == CHAIN_CONV ? l->conv.oc : l->n;
    return w_off + packed_floats(l) - (size_t)ceil_div(outputs, 16) * 16;
}

/* ------------------------------------------------------------ options */

/* A float as an OpenCL C literal (hex, exact). */
static void float_literal(float v, char *buf, size_t cap)
{
    if (isinf(v))
        snprintf(buf, cap, "%sINFINITY", v < 0 ? "-" : "");
    else
        snprintf(buf, cap, "%af", (double)v);
}

/* Layer i's -DEi (ticket past its last task) and -DLi (its call) options. */
static void layer_options(const clinfer_session *s, int32_t i, const chain_layer *l,
                          int64_t end, uint64_t w_off, opts *o)
{
    const uint64_t in = s->mem[s->chain->values[2 * i]].offset;
    const uint64_t out = s->mem[s->chain->values[2 * i + 1]].offset;
    const unsigned long long b_off = (unsigned long long)bias_offset(l, w_off);
    char a[48], b[48];
    float_literal(l->act.a, a, sizeof a);
    float_literal(l->act.b, b, sizeof b);
    opts_add(o, "-DE%d=%lld", (int)i, (long long)end);
    if (l->kind == CHAIN_CONV) {
        const conv2d_params *p = &l->conv;
        const conv_tiling t = conv_tiles(l);
        opts_add(o,
                 "-DL%d=CHAIN_CONV(%llu,%llu,%llu,%llu,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,"
                 "%d,%d,%d,%s,%s)",
                 (int)i, (unsigned long long)in, (unsigned long long)out,
                 (unsigned long long)w_off, b_off, p->c, p->h, p->w, p->oc, p->kh, p->kw,
                 p->stride_h, p->stride_w, p->pad_top, p->pad_left, l->oh, l->ow, t.pool, t.qt,
                 t.rt, t.pad, (int)l->act.kind, a, b);
    } else if (l->kind == CHAIN_DENSE) {
        opts_add(o, "-DL%d=CHAIN_DENSE(%llu,%llu,%llu,%llu,%d,%d,%d,%d,%d,%s,%s)", (int)i,
                 (unsigned long long)in, (unsigned long long)out, (unsigned long long)w_off, b_off,
                 l->m, l->k, l->n, l->m < CHAIN_DENSE_ROWS ? l->m : CHAIN_DENSE_ROWS,
                 (int)l->act.kind, a, b);
    } else {
        opts_add(o, "-DL%d=CHAIN_SOFTMAX(%llu,%llu,%d,%d)", (int)i, (unsigned long long)in,
                 (unsigned long long)out, (int)l->cols, l->log ? 1 : 0);
    }
}

/* ------------------------------------------------------------ building */

/* The session's layers, one per kernel node, or 0 where a node cannot be
 * one, the run is too large for CLINFER_CHAIN=auto or too small to gain. */
static int describe_layers(clinfer_session *s, chain_layer *layers)
{
    const runtime_config *cfg = &s->rt->config;
    const int forced = cfg->chain == CONFIG_CHAIN_ON;
    /* auto: CPUs only, where a work-group is a thread that keeps running,
     * and not where a kernel variant is forced (those runs are for that
     * variant); on (tests, Oclgrind): any device */
    const int variant_forced = cfg->conv_algo != CONV2D_ALGO_AUTO || cfg->gemm_variant >= 0;
    if (cfg->chain == CONFIG_CHAIN_OFF ||
        (!forced && (s->rt->info.type != CLINFER_DEVICE_CPU || variant_forced)) ||
        s->exec_count > CHAIN_MAX_LAYERS || s->exec_count < (forced ? 1 : 2))
        return 0;
    double flops = 0;
    for (int32_t i = 0; i < s->exec_count; i++) {
        const graph_node *n = &s->m->g->nodes[s->execs[i].node];
        if (!session_node_chain(s, i, &layers[i]) || !layer_fits(&layers[i]))
            return 0;
        s->chain->values[2 * i] = n->inputs[0];
        s->chain->values[2 * i + 1] = n->output;
        flops += s->execs[i].flops;
    }
    s->chain->count = s->exec_count;
    return (forced || flops <= CHAIN_MAX_FLOPS) && session_chain_ready(s);
}

/* The packed weights of every layer in one buffer; *offsets per layer. */
static clinfer_status make_weights(clinfer_session *s, const chain_layer *layers,
                                   uint64_t *offsets)
{
    size_t total = 0;
    for (int32_t i = 0; i < s->chain->count; i++) {
        offsets[i] = total;
        total += packed_floats(&layers[i]);
    }
    float *host = calloc(total > 0 ? total : 1, sizeof *host);
    if (!host)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory packing the chain");
    for (int32_t i = 0; i < s->chain->count; i++) {
        if (layers[i].kind == CHAIN_CONV)
            pack_conv(&layers[i], host + offsets[i]);
        else if (layers[i].kind == CHAIN_DENSE)
            pack_dense(&layers[i], host + offsets[i]);
    }
    const size_t count = total > 0 ? total : 1;
    uint16_t *halves = NULL; /* a half runtime stores them as its tensors: half */
    if (rt_is_half(s->rt) && !(halves = malloc(count * sizeof *halves))) {
        free(host);
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory packing the chain");
    }
    if (halves)
        half_from_floats(host, halves, count);
    clinfer_status st =
        buffer_create(s->rt, count * rt_elem_bytes(s->rt),
                      halves ? (const void *)halves : (const void *)host, &s->chain->weights);
    free(host);
    free(halves);
    return st;
}

static clinfer_status make_launch(clinfer_session *s, const chain_layer *layers,
                                  const uint64_t *offsets)
{
    session_chain *ch = s->chain;
    const int counters[CHAIN_COUNTERS] = {0};
    clinfer_status st = buffer_create(s->rt, sizeof counters, counters, &ch->counters);
    if (st != CLINFER_OK)
        return st;
    opts o = opts_none();
    int64_t end = 0;
    for (int32_t i = 0; i < ch->count; i++) {
        end += layer_tasks(&layers[i]);
        layer_options(s, i, &layers[i], end, offsets[i], &o);
    }
    opts_add(&o, "-DCHAIN_LAYERS=%d -DCHAIN_TASKS=%lld", (int)ch->count, (long long)end);
    if (end > INT32_MAX)
        return err_set(s->rt, CLINFER_ERR_UNSUPPORTED, "the chain has too many tasks");
    karg a;
    launch_begin(s->rt, &ch->launch, "chain", &o, "chain_run", 0, &a);
    karg_buffer(&a, s->arena);
    karg_buffer(&a, ch->weights);
    karg_buffer(&a, ch->counters);
    if ((st = launch_finish(s->rt, &ch->launch, &a)) != CLINFER_OK)
        return st;
    /* one work-group per compute unit: each takes tasks until none is left */
    const uint32_t units = s->rt->info.compute_units > 0 ? s->rt->info.compute_units : 1;
    launch_grid3(&ch->launch, units, 1, 1, 1);
    return CLINFER_OK;
}

clinfer_status session_chain_build(clinfer_session *s)
{
    chain_layer layers[CHAIN_MAX_LAYERS];
    uint64_t offsets[CHAIN_MAX_LAYERS];
    if (!(s->chain = calloc(1, sizeof *s->chain)))
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    if (!describe_layers(s, layers)) {
        session_chain_free(s);
        return CLINFER_OK; /* runs launch per node */
    }
    clinfer_status st = make_weights(s, layers, offsets);
    program_cache_set_progress(s->exec_count, s->exec_count); /* "node N/N" while compiling */
    if (st == CLINFER_OK)
        st = make_launch(s, layers, offsets);
    program_cache_set_progress(0, 0);
    if (st != CLINFER_OK)
        session_chain_free(s);
    /* the per-node launches are ready: under CLINFER_CHAIN=auto a chain
     * that could not be made (its program failed to build, a buffer could
     * not be had) only leaves the runs to them; forced, it is an error */
    if (st != CLINFER_OK && s->rt->config.chain != CONFIG_CHAIN_ON &&
        st != CLINFER_ERR_OUT_OF_HOST_MEMORY)
        st = CLINFER_OK;
    return st;
}

int session_chain_ready(const clinfer_session *s)
{
    if (!s->chain || !s->arena)
        return 0;
    for (int32_t i = 0; i < 2 * s->chain->count; i++)
        if (s->mem[s->chain->values[i]].mem != s->arena)
            return 0;
    return 1;
}

clinfer_status session_chain_enqueue(clinfer_session *s, cl_event *event)
{
    return launch_enqueue_on(s->rt, s->queue, &s->chain->launch, event);
}

void session_chain_free(clinfer_session *s)
{
    if (!s->chain)
        return;
    launch_release(&s->chain->launch);
    if (s->chain->weights)
        clReleaseMemObject(s->chain->weights);
    if (s->chain->counters)
        clReleaseMemObject(s->chain->counters);
    free(s->chain);
    s->chain = NULL;
}
