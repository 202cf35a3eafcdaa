/*
 * verify_report.c — `clinfer verify`'s comparison and report: the two
 * node observers (the reference run keeps a copy of every node's output,
 * the tested run is compared with it as it goes, so only one run's
 * outputs are held), the model outputs of each run, and the table or the
 * JSON object with the verdict.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "safe_text.h"
#include "verify.h"

/* ------------------------------------------------------------ errors */

/* Largest |got - want|, largest finite |want|, and their ratio (the
 * absolute error when the reference is all zeros). NaN against NaN and an
 * infinity against the same infinity agree; any other non-finite
 * difference is infinite. */
static void error_stats(const float *got, const float *want, size_t n, double *max_abs,
                        double *scale, double *max_rel)
{
    double e = 0, sc = 0;
    for (size_t i = 0; i < n; i++) {
        const double r = want[i], t = got[i];
        double d;
        if (isnan(r) || isnan(t))
            d = isnan(r) && isnan(t) ? 0 : INFINITY;
        else if (isinf(r) || isinf(t))
            d = r == t ? 0 : INFINITY;
        else
            d = fabs(t - r);
        if (d > e)
            e = d;
        if (isfinite(r) && fabs(r) > sc)
            sc = fabs(r);
    }
    *max_abs = e;
    *scale = sc;
    *max_rel = sc > 0 ? e / sc : e;
}

/* ------------------------------------------------------------ observers */

static void fail(verify_nodes *n, const char *what)
{
    if (!n->error[0])
        snprintf(n->error, sizeof n->error, "%s", what);
}

int verify_keep_reference(void *user, clinfer_node_output *o)
{
    verify_nodes *n = user;
    if (n->error[0])
        return CLINFER_OBSERVE_CONTINUE;
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        verify_node *p = realloc(n->items, cap * sizeof *p);
        if (!p) {
            fail(n, "out of host memory for the reference outputs");
            return CLINFER_OBSERVE_CONTINUE;
        }
        n->items = p;
        n->cap = cap;
    }
    verify_node *v = &n->items[n->count];
    memset(v, 0, sizeof *v);
    v->node = strdup(o->node);
    v->op = strdup(o->op);
    v->ref_kernel = strdup(o->kernel);
    v->shape = o->shape;
    v->count = o->count;
    v->ref = malloc((o->count ? o->count : 1) * sizeof(float));
    n->count++; /* counted first, so that verify_nodes_free frees what it holds */
    if (!v->node || !v->op || !v->ref_kernel || !v->ref)
        fail(n, "out of host memory for the reference outputs");
    else if (o->count)
        memcpy(v->ref, o->data, o->count * sizeof(float));
    return CLINFER_OBSERVE_CONTINUE;
}

static int same_shape(const clinfer_shape *a, const clinfer_shape *b)
{
    int same = a->rank == b->rank;
    for (int32_t d = 0; same && d < a->rank; d++)
        same = a->dims[d] == b->dims[d];
    return same;
}

int verify_compare_tested(void *user, clinfer_node_output *o)
{
    verify_nodes *n = user;
    if (n->error[0])
        return CLINFER_OBSERVE_CONTINUE;
    size_t i = n->next++;
    char why[768];
    if (i >= n->count) {
        snprintf(why, sizeof why, "the tested run has more nodes than the reference's %zu",
                 n->count);
        fail(n, why);
        return CLINFER_OBSERVE_CONTINUE;
    }
    size_t j = i; /* the reference node of this name: reference nodes fused away come first */
    while (j < n->count && strcmp(n->items[j].node, o->node) != 0)
        j++;
    verify_node *v = &n->items[j < n->count ? j : i];
    if (j == n->count || !same_shape(&v->shape, &o->shape)) {
        char a[160], b[160];
        cli_shape_text(&o->shape, a, sizeof a);
        cli_shape_text(&v->shape, b, sizeof b);
        snprintf(why, sizeof why,
                 "node %zu differs between the runs: tested \"%s\" (%s) %s, reference \"%s\" "
                 "(%s) %s",
                 i, cli_safe(o->node), o->op, a, cli_safe(v->node), v->op, b);
        fail(n, why);
        return CLINFER_OBSERVE_CONTINUE;
    }
    for (; i < j; i++) { /* computed inside the tested node: not compared alone */
        verify_node *f = &n->items[i];
        f->fused = 1;
        free(f->ref);
        f->ref = NULL;
        if (!(f->kernel = strdup("(fused)"))) {
            fail(n, "out of host memory");
            return CLINFER_OBSERVE_CONTINUE;
        }
    }
    n->next = j + 1;
    if (!(v->kernel = strdup(o->kernel))) {
        fail(n, "out of host memory");
        return CLINFER_OBSERVE_CONTINUE;
    }
    error_stats(o->data, v->ref, o->count, &v->max_abs, &v->scale, &v->max_rel);
    int action = CLINFER_OBSERVE_CONTINUE;
    if (n->isolate && o->count) { /* later nodes start from the reference */
        memcpy(o->data, v->ref, o->count * sizeof(float));
        action = CLINFER_OBSERVE_REPLACE;
    }
    free(v->ref); /* compared: the memory goes back as the run goes on */
    v->ref = NULL;
    return action;
}

int verify_nodes_ok(const verify_nodes *n, int tested)
{
    if (!n->error[0] && (!tested || n->next == n->count))
        return 1;
    if (n->error[0])
        fprintf(stderr, "clinfer verify: %s\n", n->error);
    else
        fprintf(stderr,
                "clinfer verify: the tested run has %zu nodes, the reference %zu: the "
                "graphs differ\n",
                n->next, n->count);
    return 0;
}

void verify_nodes_free(verify_nodes *n)
{
    for (size_t i = 0; i < n->count; i++) {
        verify_node *v = &n->items[i];
        free(v->node), free(v->op), free(v->kernel), free(v->ref_kernel), free(v->ref);
    }
    free(n->items);
    memset(n, 0, sizeof *n);
}

/* ------------------------------------------------------------ outputs */

int verify_outputs_init(verify_outputs *o, const clinfer_session *s, const clinfer_model *m)
{
    o->count = clinfer_model_output_count(m);
    o->items = calloc(o->count ? o->count : 1, sizeof *o->items);
    for (size_t i = 0; o->items && i < o->count; i++) {
        verify_output *it = &o->items[i];
        clinfer_shape sh;
        clinfer_session_output_shape(s, i, &sh);
        it->name = clinfer_model_output_name(m, i);
        it->count = cli_shape_numel(&sh);
        for (int k = 0; k < 3; k++)
            if (!(it->data[k] = malloc((it->count ? it->count : 1) * sizeof(float))))
                goto oom;
    }
    if (o->items)
        return 1;
oom:
    fprintf(stderr, "clinfer verify: out of memory\n");
    return 0;
}

void verify_outputs_compare(verify_outputs *o, int isolate)
{
    for (size_t i = 0; i < o->count; i++) {
        verify_output *it = &o->items[i];
        double scale, rel;
        error_stats(it->data[VERIFY_NORMAL], it->data[VERIFY_REFERENCE], it->count,
                    &it->max_abs, &it->scale, &it->max_rel);
        if (!isolate) /* else the checked run ended on the reference's inputs */
            error_stats(it->data[VERIFY_NORMAL], it->data[VERIFY_CHECKED], it->count,
                        &it->checked_diff, &scale, &rel);
    }
}

void verify_outputs_free(verify_outputs *o)
{
    for (size_t i = 0; o->items && i < o->count; i++)
        for (int k = 0; k < 3; k++)
            free(o->items[i].data[k]);
    free(o->items);
    memset(o, 0, sizeof *o);
}

/* ------------------------------------------------------------ verdict */

typedef struct verdict {
    long first_bad;       /* node index, or -1 */
    long worst;           /* node with the largest relative error, or -1 */
    size_t bad_outputs;   /* outputs over the tolerance */
    size_t same_kernel;   /* nodes whose runs used one kernel */
    double max_rel;
} verdict;

static int within(double rel, double tol) { return rel <= tol; } /* false for NaN */

static verdict judge(const verify_report *r, const verify_nodes *n, const verify_outputs *o)
{
    verdict d = {-1, -1, 0, 0, 0};
    for (size_t i = 0; i < n->count; i++) {
        const verify_node *v = &n->items[i];
        if (d.first_bad < 0 && !within(v->max_rel, r->tolerance))
            d.first_bad = (long)i;
        if (d.worst < 0 || v->max_rel > d.max_rel) {
            d.worst = (long)i;
            d.max_rel = v->max_rel;
        }
        d.same_kernel += !v->fused && strcmp(v->kernel, v->ref_kernel) == 0;
    }
    for (size_t i = 0; i < o->count; i++)
        d.bad_outputs += !within(o->items[i].max_rel, r->tolerance);
    return d;
}

/* ------------------------------------------------------------ text */

static void print_table(const verify_report *r, const verify_nodes *n)
{
    char b1[48], b2[16], b3[32], b4[32];
    printf("%4s  %-40s %-11s %-22s %-22s %-5s %9s %9s  %s\n", "#", "node", "op", "kernel",
           "reference kernel", "prec", "max abs", "max rel", "status");
    for (size_t i = 0; i < n->count; i++) {
        const verify_node *v = &n->items[i];
        const int same = strcmp(v->kernel, v->ref_kernel) == 0;
        printf("%4zu  %-40s %-11s %-22s %-22s %-5s %9.3g %9.3g  %s\n", i,
               cli_fit(v->node, b1, 40), cli_fit(v->op, b2, 11), cli_fit(v->kernel, b3, 22),
               same ? "(same)" : cli_fit(v->ref_kernel, b4, 22), r->precision, v->max_abs,
               v->max_rel, v->fused ? "fused" : within(v->max_rel, r->tolerance) ? "ok" : "FAIL");
    }
}

/* Did node v compute exactly as the reference would on its inputs (its
 * own kernel, fp32, inputs not replaced)? Then an error over the
 * tolerance there came in through its inputs and grew (a normalisation of
 * nearly equal values, a difference of nearly equal branches). */
static int error_from_inputs(const verify_report *r, const verify_node *v)
{
    return !r->isolate && strcmp(r->precision, "fp32") == 0 &&
           strcmp(v->kernel, v->ref_kernel) == 0;
}

/* The table, the outputs, the timings, then the verdict: the last line
 * (scripts show it). */
static void print_text(const verify_report *r, const verify_nodes *n, const verify_outputs *o,
                       const verdict *d)
{
    printf("verify %s on %s, batch %lld, %s, tolerance %g (relative to each node's largest "
           "reference value)%s\n",
           cli_safe(r->model), cli_safe(r->device), r->batch, r->precision, r->tolerance,
           r->isolate ? ", each node alone on the reference's inputs" : "");
    print_table(r, n);
    for (size_t i = 0; i < o->count; i++) {
        const verify_output *it = &o->items[i];
        char diff[96] = "";
        if (!r->isolate) /* a chained run (chain.h) computes with other kernels */
            snprintf(diff, sizeof diff, it->checked_diff == 0
                                            ? "; the same as the checked run"
                                            : "; differs from the checked run by up to %.3g",
                     it->checked_diff);
        printf("output %s: max abs %.3g, max rel %.3g (a normal run, enqueued as %s, against "
               "the reference) %s%s\n",
               cli_safe(it->name), it->max_abs, it->max_rel, r->normal_mode,
               within(it->max_rel, r->tolerance) ? "ok" : "FAIL", diff);
    }
    if (d->same_kernel)
        printf("%zu of %zu nodes ran the same kernel in both runs (no naive variant): %s\n",
               d->same_kernel, n->count,
               r->isolate ? "alone, on the same inputs, they are not checked"
                          : "they are checked through their inputs only");
    printf("time: %.1f ms to load both, %.1f ms the reference run, %.1f ms a normal run, "
           "%.1f ms the checked run\n",
           r->load_ms, r->reference_ms, r->normal_ms, r->checked_ms);
    if (d->first_bad >= 0) {
        const verify_node *v = &n->items[d->first_bad];
        printf("verify: FAIL: node %ld \"%s\" (%s, kernel %s, %s) is the first over the "
               "tolerance %g: max rel %.3g (max abs %.3g, reference values up to %.3g)%s\n",
               d->first_bad, cli_safe(v->node), v->op, cli_safe(v->kernel), r->precision,
               r->tolerance, v->max_rel, v->max_abs, v->scale,
               error_from_inputs(r, v) ? "; it ran the reference's own kernel in fp32, so the "
                                         "error came in through its inputs and grew here "
                                         "(--isolate checks each node on the reference's "
                                         "inputs)"
                                       : "");
    } else if (d->bad_outputs) {
        printf("verify: FAIL: %zu output(s) of a normal run over the tolerance %g\n",
               d->bad_outputs, r->tolerance);
    } else {
        printf("verify: PASS: %zu nodes and %zu outputs within %g", n->count, o->count,
               r->tolerance);
        if (d->worst >= 0)
            printf("; largest error %.3g at node %ld \"%s\" (%s, %s)", d->max_rel, d->worst,
                   cli_safe(n->items[d->worst].node), n->items[d->worst].op,
                   cli_safe(n->items[d->worst].kernel));
        printf("\n");
    }
}

/* ------------------------------------------------------------ JSON */

static void json_key(const char *key, const char *value, const char *after)
{
    printf("\"%s\": ", key);
    cli_json_string(value);
    printf("%s", after);
}

static void json_node(const verify_report *r, const verify_node *v, size_t i)
{
    printf("{\"index\": %zu, ", i);
    json_key("node", v->node, ", ");
    json_key("op", v->op, ", ");
    json_key("kernel", v->kernel, ", ");
    json_key("reference_kernel", v->ref_kernel, ", ");
    json_key("precision", r->precision, ", ");
    printf("\"shape\": [");
    for (int32_t d = 0; d < v->shape.rank; d++)
        printf("%s%lld", d ? ", " : "", (long long)v->shape.dims[d]);
    printf("], \"max_abs\": %s, \"max_rel\": %s, \"scale\": %s, \"ok\": %s",
           cli_json_num(v->max_abs, "%.9g"), cli_json_num(v->max_rel, "%.9g"),
           cli_json_num(v->scale, "%.9g"),
           within(v->max_rel, r->tolerance) ? "true" : "false");
    printf(", \"fused\": %s}", v->fused ? "true" : "false");
}

static void print_json(const verify_report *r, const verify_nodes *n, const verify_outputs *o,
                       const verdict *d)
{
    printf("{");
    json_key("model", r->model, ", ");
    json_key("device", r->device, ", ");
    json_key("precision", r->precision, ", ");
    printf("\"tolerance\": %.9g, \"isolate\": %s, \"batch\": %lld, \"nodes\": [", r->tolerance,
           r->isolate ? "true" : "false", r->batch);
    for (size_t i = 0; i < n->count; i++) {
        printf("%s\n  ", i ? "," : "");
        json_node(r, &n->items[i], i);
    }
    printf("],\n\"outputs\": [");
    for (size_t i = 0; i < o->count; i++) {
        const verify_output *it = &o->items[i];
        printf("%s{", i ? ", " : "");
        json_key("name", it->name, ", ");
        printf("\"max_abs\": %s, \"max_rel\": %s, \"ok\": %s, \"same_as_checked_run\": %s}",
               cli_json_num(it->max_abs, "%.9g"), cli_json_num(it->max_rel, "%.9g"),
               within(it->max_rel, r->tolerance) ? "true" : "false",
               r->isolate ? "null" : it->checked_diff == 0 ? "true" : "false");
    }
    printf("],\n\"first_failing\": ");
    if (d->first_bad >= 0)
        json_node(r, &n->items[d->first_bad], (size_t)d->first_bad);
    else
        printf("null");
    printf(", \"first_failing_from_inputs\": %s",
           d->first_bad >= 0 && error_from_inputs(r, &n->items[d->first_bad]) ? "true"
                                                                              : "false");
    printf(",\n\"max_rel\": %s, \"same_kernel_nodes\": %zu, \"passed\": %s, ",
           cli_json_num(d->max_rel, "%.9g"), d->same_kernel,
           d->first_bad < 0 && !d->bad_outputs ? "true" : "false");
    printf("\"load_ms\": %.3f, \"reference_ms\": %.3f, \"normal_ms\": %.3f, \"checked_ms\": "
           "%.3f, \"normal_run_mode\": \"%s\"}\n",
           r->load_ms, r->reference_ms, r->normal_ms, r->checked_ms, r->normal_mode);
}

int verify_print(const verify_report *r, const verify_nodes *n, const verify_outputs *o,
                 int json)
{
    const verdict d = judge(r, n, o);
    if (json)
        print_json(r, n, o, &d);
    else
        print_text(r, n, o, &d);
    return d.first_bad < 0 && d.bad_outputs == 0;
}
