/*
 * verify.c — `clinfer verify MODEL.onnx`: runs a model twice on the same
 * input, once with the kernels the runtime chooses (the environment's
 * CLINFER_* variables and the precision) and once with the naive ones, and
 * compares every node's output (clinfer_session_run_observed). Prints a
 * table of nodes with their largest absolute and relative error and names
 * the first node past the tolerance; the exit status says whether every
 * node is within it (0), one is not (1), or verify could not run (2).
 *
 * Each run is a whole run: a node's inputs are its own run's, so errors
 * accumulate, and the first node over the tolerance is where the tested
 * run first drifts that far from the reference.
 */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "npy.h"
#include "safe_text.h"
#include "verify.h"

static const char verify_help[] =
    "usage: clinfer verify MODEL.onnx [--input [NAME=]FILE]... [--batch N | --shape NAME=DIMS...]\n"
    "                      [--tolerance X] [--isolate] [--precision P] [--json] [OPTIONS]\n\n"
    "Runs the model twice on the same input: once as it runs normally (the kernel\n"
    "variants the runtime chooses, or those forced by CLINFER_CONV_ALGO,\n"
    "CLINFER_GEMM_VARIANT, CLINFER_DEPTHWISE_VARIANT and CLINFER_POOL_VARIANT), and\n"
    "once on a reference runtime that forces the naive kernels (naive convolution,\n"
    "naive GEMM, the pooling variant the device would not choose), reading every\n"
    "node's output as it is computed. Prints, per node, the kernel of each run, the\n"
    "largest absolute error and the relative error (the absolute error over the\n"
    "largest magnitude of the reference output; the absolute error when that is 0),\n"
    "then each model output of a normal run against the reference, and names the\n"
    "first node whose relative error exceeds the tolerance. A node marked (same) ran\n"
    "the same kernel in both runs (an op with one kernel, or a fused max pool, which\n"
    "only the pooled convolution computes): it is checked through its inputs only.\n"
    "A node marked fused is one the tested run computes inside the node after it\n"
    "(a depthwise convolution and the 1x1 after it are one node on CPUs): only\n"
    "that node's output is compared.\n"
    "Errors accumulate along the model (each run feeds its own outputs forward);\n"
    "with --isolate every node of the tested run starts from the reference's outputs,\n"
    "so each error is the node's own.\n\n"
    "Exit status: 0 every node and output within the tolerance, 1 one is not,\n"
    "2 verify could not run (bad model, input or option).\n\n"
    "options:\n"
    "  --input [NAME=]FILE  .npy or .pb values for an input, by name or in the order\n"
    "                   of the model's inputs (default: uniform random in [-1, 1),\n"
    "                   the same for both runs)\n"
    "  --batch N        batch size for inputs whose first dimension is symbolic\n"
    "  --shape NAME=DIMS  the shape of input NAME for sizes the model leaves open\n"
    "  --tolerance X    largest relative error allowed per node (default 1e-4)\n"
    "  --isolate        check each node alone: the tested run's node outputs are\n"
    "                   replaced by the reference's after they are compared\n"
    "  --precision P    storage precision of the tested run (a common option, below);\n"
    "                   the reference always runs in fp32\n"
    "  --json           one JSON object on stdout instead of the table\n" CLI_COMMON_HELP;

#define MAX_INPUTS 16

typedef struct verify_args {
    const char *model;
    const char *names[MAX_INPUTS]; /* NULL: by position */
    const char *files[MAX_INPUTS];
    int ninputs;
    long long batch; /* 0: not given */
    cli_shapes shapes;
    double tolerance;
    int json, isolate;
} verify_args;

/* ------------------------------------------------------------ arguments */

static int parse_tolerance(verify_args *a, const char *v)
{
    char *end = NULL;
    double t = strtod(v, &end);
    if (!end || end == v || *end || !(t >= 0) || !isfinite(t)) {
        fprintf(stderr, "clinfer verify: --tolerance needs a number >= 0 (e.g. 1e-4), got %s\n",
                cli_safe(v));
        return 0;
    }
    a->tolerance = t;
    return 1;
}

static int parse_option(verify_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v = NULL;
    if (strcmp(arg, "--json") == 0)
        return a->json = 1;
    if (strcmp(arg, "--isolate") == 0)
        return a->isolate = 1;
    int takes_value = strcmp(arg, "--input") == 0 || strcmp(arg, "--batch") == 0 ||
                      strcmp(arg, "--shape") == 0 || strcmp(arg, "--tolerance") == 0;
    if (!takes_value)
        return cli_positional("verify", arg, &a->model);
    if (!(v = cli_value("verify", argc, argv, i)))
        return 0;
    if (strcmp(arg, "--input") == 0)
        return cli_input_arg("verify", v, a->names, a->files, &a->ninputs, MAX_INPUTS);
    if (strcmp(arg, "--batch") == 0)
        return cli_count("verify", arg, v, 1, 1 << 24, &a->batch);
    if (strcmp(arg, "--shape") == 0)
        return cli_shape_arg("verify", v, &a->shapes);
    return parse_tolerance(a, v);
}

static int parse_args(cli_common *common, verify_args *a, int argc, char **argv)
{
    a->tolerance = 1e-4;
    for (int i = 0, r; (r = cli_next_arg(common, argc, argv, &i)) != 0; i++)
        if (r < 0 || !parse_option(a, argc, argv, &i))
            return 0;
    if (!a->model) {
        fprintf(stderr, "clinfer verify: which model? (clinfer verify MODEL.onnx, see --help)\n");
        return 0;
    }
    if (a->batch && a->shapes.count) {
        fprintf(stderr, "clinfer verify: --shape gives the batch too; drop --batch\n");
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ state */

typedef struct verify_state {
    cli_common common;
    verify_args a;
    clinfer_tensor files[MAX_INPUTS];
    int file_of[MAX_INPUTS]; /* per model input: its --input, or -1 (random) */
    cli_progress progress;
    clinfer_runtime *rt, *ref_rt;
    clinfer_model *m, *ref_m;
    clinfer_session *s, *ref_s;
    size_t nin;
    float *in[MAX_INPUTS];
    size_t in_count[MAX_INPUTS];
    verify_nodes nodes;
    verify_outputs outs;
    long long batch;
    double load_ms, ref_ms, tested_ms, normal_ms;
    clinfer_run_mode normal_mode; /* how the normal run was enqueued */
} verify_state;

static void verify_free(verify_state *v)
{
    verify_nodes_free(&v->nodes);
    verify_outputs_free(&v->outs);
    for (size_t i = 0; i < v->nin; i++)
        free(v->in[i]);
    cli_free_run(v->s, v->m, NULL);
    cli_free_run(v->ref_s, v->ref_m, NULL);
    clinfer_runtime_free(v->rt);
    clinfer_runtime_free(v->ref_rt);
    for (int k = 0; k < v->a.ninputs; k++) {
        clinfer_tensor_release(&v->files[k]);
        free((char *)v->a.names[k]);
    }
}

/* ------------------------------------------------------------ inputs */

/* Model input index of --input k: its name, else the next input that no
 * named file takes; -1 (printed) when there is none. */
static int input_of_file(verify_state *v, int k, int *next)
{
    const clinfer_model *m = v->m;
    const size_t n = clinfer_model_input_count(m);
    if (v->a.names[k]) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(clinfer_model_input_name(m, i), v->a.names[k]) == 0)
                return (int)i;
        fprintf(stderr, "clinfer verify: the model has no input \"%s\"; its inputs are:",
                cli_safe(v->a.names[k]));
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", cli_safe(clinfer_model_input_name(m, i)));
        fprintf(stderr, "\n");
        return -1;
    }
    for (; (size_t)*next < n; ++*next) {
        int named = 0;
        for (int j = 0; j < v->a.ninputs && !named; j++)
            named = v->a.names[j] && strcmp(v->a.names[j], clinfer_model_input_name(m, *next)) == 0;
        if (!named)
            return (*next)++;
    }
    fprintf(stderr, "clinfer verify: more input files than the model has inputs (%zu)\n", n);
    return -1;
}

/* Reads the --input files and gives each its model input. */
static int match_files(verify_state *v)
{
    v->nin = clinfer_model_input_count(v->m);
    if (v->nin > MAX_INPUTS) {
        fprintf(stderr, "clinfer verify: the model has %zu inputs; verify handles %d\n", v->nin,
                MAX_INPUTS);
        return 0;
    }
    for (size_t i = 0; i < v->nin; i++)
        v->file_of[i] = -1;
    for (int k = 0, next = 0; k < v->a.ninputs; k++) {
        if (!cli_read_tensor("verify", v->a.files[k], &v->files[k]))
            return 0;
        int i = input_of_file(v, k, &next);
        if (i < 0)
            return 0;
        if (v->file_of[i] >= 0) {
            fprintf(stderr, "clinfer verify: input \"%s\" is given twice\n",
                    cli_safe(clinfer_model_input_name(v->m, (size_t)i)));
            return 0;
        }
        v->file_of[i] = k;
    }
    if (v->a.shapes.count > 0)
        return 1;
    /* no --shape: the sizes of the files, as `run` and `bench` take them */
    for (size_t i = 0; i < v->nin; i++) {
        if (v->file_of[i] < 0)
            continue;
        clinfer_input_shape *it = &v->a.shapes.items[v->a.shapes.count++];
        it->name = clinfer_model_input_name(v->m, i);
        it->shape = v->files[v->file_of[i]].shape;
    }
    return 1;
}

/* The values of one run: the files, else random values (fixed seeds). */
static int make_inputs(verify_state *v)
{
    for (size_t i = 0; i < v->nin; i++) {
        clinfer_shape sh;
        clinfer_session_input_shape(v->s, i, &sh);
        size_t n = cli_shape_numel(&sh);
        v->in_count[i] = n;
        if (!(v->in[i] = malloc((n ? n : 1) * sizeof(float)))) {
            fprintf(stderr, "clinfer verify: out of memory\n");
            return 0;
        }
        const clinfer_tensor *t = v->file_of[i] >= 0 ? &v->files[v->file_of[i]] : NULL;
        const clinfer_dtype type = clinfer_model_input_dtype(v->m, i);
        if (!t && type != CLINFER_DTYPE_FLOAT32 && type != CLINFER_DTYPE_FLOAT16 &&
            type != CLINFER_DTYPE_FLOAT64 && type != CLINFER_DTYPE_BFLOAT16) {
            /* random floats are no valid indices, masks or sizes */
            fprintf(stderr,
                    "clinfer verify: input \"%s\" is not a float tensor: give its values with "
                    "--input %s=FILE\n",
                    cli_safe(clinfer_model_input_name(v->m, i)),
                    cli_safe(clinfer_model_input_name(v->m, i)));
            return 0;
        }
        if (!t) {
            cli_fill_random(v->in[i], n, 12345u + (uint32_t)i);
            continue;
        }
        if (!cli_input_shape_fits("verify", clinfer_model_input_name(v->m, i), &sh, &t->shape))
            return 0;
        if (t->dtype == CLINFER_DTYPE_FLOAT32) {
            memcpy(v->in[i], t->data, n * sizeof(float));
            continue;
        }
        /* integers (read as int64): the model computes in float32, as a
         * session takes every input */
        for (size_t k = 0; k < n; k++)
            v->in[i][k] = (float)((const int64_t *)t->data)[k];
    }
    return 1;
}

static int set_inputs(verify_state *v, clinfer_session *s)
{
    for (size_t i = 0; i < v->nin; i++)
        if (clinfer_session_set_input(s, i, v->in[i], v->in_count[i]) != CLINFER_OK) {
            fprintf(stderr, "clinfer verify: %s\n", clinfer_session_errmsg(s));
            return 0;
        }
    return 1;
}

/* ------------------------------------------------------------ loading */

/* The runtime under test: the device, kernel variants and precision as
 * configured (options, environment), compile progress on a terminal. */
static clinfer_runtime *tested_runtime(verify_state *v)
{
    cli_progress_init(&v->progress, "clinfer verify", isatty(STDERR_FILENO));
    return cli_runtime_progress(&v->common, &v->progress);
}

/* The reference: the same device (by its index) with every choice
 * forced (so that no CLINFER_* variable reaches it) to the naive kernels,
 * and for pooling, which has no naive kernel, to the variant the device
 * would not choose. Its warnings (a fused max pool keeps the pooled
 * convolution) are expected and not shown. */
static clinfer_runtime *reference_runtime(verify_state *v)
{
    const clinfer_device_info *dev = clinfer_runtime_device(v->rt);
    char spec[32]; /* the tested runtime's device, whatever chose it */
    snprintf(spec, sizeof spec, "%u:%u", (unsigned)dev->platform_index,
             (unsigned)dev->device_index);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.device_spec = spec;
    o.gemm_variant = "naive";
    o.conv_algo = "naive";
    o.depthwise_variant = "auto"; /* unused: naive convolution does depthwise too */
    o.pool_variant = dev->type == CLINFER_DEVICE_CPU ? "items" : "rows";
    o.tuning = CLINFER_TUNING_OFF;
    o.precision = CLINFER_PRECISION_FP32; /* never --precision or CLINFER_PRECISION */
    o.log_level = CLINFER_LOG_ERROR;
    clinfer_runtime *rt = NULL;
    clinfer_status st = clinfer_runtime_create(&o, &rt);
    if (st != CLINFER_OK)
        fprintf(stderr, "clinfer verify: reference runtime: %s: %s\n", clinfer_status_str(st),
                clinfer_last_errmsg());
    return rt;
}

static int load_model(verify_state *v, clinfer_runtime *rt, clinfer_model **m)
{
    clinfer_status st = clinfer_model_load(rt, v->a.model, m);
    if (st != CLINFER_OK)
        fprintf(stderr, "clinfer verify: %s: %s: %s\n", cli_safe(v->a.model),
                clinfer_status_str(st), clinfer_last_errmsg());
    return st == CLINFER_OK;
}

static int make_session(verify_state *v, clinfer_model *m, clinfer_session **s)
{
    clinfer_session_options so = clinfer_session_options_default();
    so.batch = v->a.batch ? v->a.batch : 1;
    cli_session_shapes(m, &v->a.shapes, NULL, 0, &so);
    clinfer_status st = clinfer_session_create(m, &so, s);
    if (st != CLINFER_OK)
        cli_session_error("clinfer verify", st, &so);
    return st == CLINFER_OK;
}

/* Both runtimes, models and sessions, and the input values. */
static int load(verify_state *v)
{
    double t0 = cli_now_ms();
    if (!(v->rt = tested_runtime(v)) || !(v->ref_rt = reference_runtime(v)))
        return 0;
    if (!load_model(v, v->rt, &v->m) || !match_files(v) || !make_session(v, v->m, &v->s))
        return 0;
    v->batch = cli_session_batch(v->s, v->m, v->a.batch, "clinfer verify");
    if (v->batch < 0 || !load_model(v, v->ref_rt, &v->ref_m) ||
        !make_session(v, v->ref_m, &v->ref_s) || !make_inputs(v))
        return 0;
    v->load_ms = cli_now_ms() - t0;
    return 1;
}

/* ------------------------------------------------------------ runs */

static int run_failed(clinfer_session *s, const char *which, clinfer_status st)
{
    fprintf(stderr, "clinfer verify: the %s run: %s: %s\n", which, clinfer_status_str(st),
            clinfer_session_errmsg(s));
    return 0;
}

/* Reads every output of a session (after a run) into outs->[which]. */
static int read_outputs(verify_state *v, clinfer_session *s, int which)
{
    for (size_t i = 0; i < v->outs.count; i++) {
        verify_output *o = &v->outs.items[i];
        if (clinfer_session_get_output(s, i, o->data[which], o->count) != CLINFER_OK) {
            fprintf(stderr, "clinfer verify: output \"%s\": %s\n", cli_safe(o->name),
                    clinfer_session_errmsg(s));
            return 0;
        }
    }
    return 1;
}

/* The reference run (every node kept), a normal run of the tested
 * session, then its observed run, compared node by node. */
static int run_all(verify_state *v)
{
    clinfer_status st;
    double t0 = cli_now_ms();
    v->nodes.isolate = v->a.isolate;
    if (!verify_outputs_init(&v->outs, v->s, v->m) || !set_inputs(v, v->ref_s))
        return 0;
    if ((st = clinfer_session_run_observed(v->ref_s, verify_keep_reference, &v->nodes)) !=
        CLINFER_OK)
        return run_failed(v->ref_s, "reference", st);
    if (!verify_nodes_ok(&v->nodes, 0) || !read_outputs(v, v->ref_s, VERIFY_REFERENCE))
        return 0;
    double t1 = cli_now_ms();
    if (!set_inputs(v, v->s))
        return 0;
    if ((st = clinfer_session_run(v->s)) != CLINFER_OK)
        return run_failed(v->s, "normal", st);
    v->normal_mode = clinfer_session_run_mode(v->s);
    if (!read_outputs(v, v->s, VERIFY_NORMAL))
        return 0;
    double t2 = cli_now_ms();
    if (!set_inputs(v, v->s))
        return 0;
    if ((st = clinfer_session_run_observed(v->s, verify_compare_tested, &v->nodes)) != CLINFER_OK)
        return run_failed(v->s, "checked", st);
    if (!verify_nodes_ok(&v->nodes, 1) || !read_outputs(v, v->s, VERIFY_CHECKED))
        return 0;
    v->ref_ms = t1 - t0;
    v->normal_ms = t2 - t1;
    v->tested_ms = cli_now_ms() - t2;
    verify_outputs_compare(&v->outs, v->a.isolate);
    return 1;
}

/* ------------------------------------------------------------ command */

int cmd_verify(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, verify_help))
        return 0;
    verify_state v;
    memset(&v, 0, sizeof v);
    v.common = *common_in;
    int rc = 2;
    if (parse_args(&v.common, &v.a, argc, argv) && load(&v) && run_all(&v)) {
        verify_report r = {.model = v.a.model,
                           .device = clinfer_runtime_device(v.rt)->name,
                           .precision = clinfer_precision_name(clinfer_runtime_precision(v.rt)),
                           .tolerance = v.a.tolerance,
                           .isolate = v.a.isolate,
                           .batch = v.batch,
                           .load_ms = v.load_ms,
                           .reference_ms = v.ref_ms,
                           .normal_ms = v.normal_ms,
                           .normal_mode = clinfer_run_mode_name(v.normal_mode),
                           .checked_ms = v.tested_ms};
        int pass = verify_print(&r, &v.nodes, &v.outs, v.a.json);
        rc = pass ? 0 : 1;
    }
    verify_free(&v);
    return rc;
}
