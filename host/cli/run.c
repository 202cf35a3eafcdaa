/*
 * run.c — `clinfer run MODEL.onnx`: loads an ONNX model, feeds it inputs
 * from .npy or .pb files, runs it once on the chosen device, summarises
 * every output and optionally writes each one as DIR/<name>.npy.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "image.h"
#include "npy.h"
#include "safe_text.h"

static const char run_help[] =
    "usage: clinfer run MODEL.onnx [--input [NAME=]FILE]... [--batch N]\n"
    "                  [--output-dir DIR] [--json] [OPTIONS]\n\n"
    "Runs an ONNX model once. Inputs come from images (PNG, JPEG, BMP: see below),\n"
    "NumPy .npy files (float16/32/64, integers and bools, C or Fortran order; a\n"
    "float input takes a float file, an integer input an integer one) or ONNX\n"
    "TensorProto .pb files, given by name (NAME=FILE) or, without a name, in the\n"
    "order of the model's inputs (a .pb file's own tensor name counts as its\n"
    "name). A value given for an input that\n"
    "the model needs as a constant (weights, a shape) becomes that constant. Every\n"
    "output is summarised (shape, min, max, mean; the top 5 classes of each row of\n"
    "a score matrix) and, with --output-dir, written as DIR/<name>.npy in the type\n"
    "the model declares for it (clinfer computes in float32 inside).\n\n"
    "options:\n"
    "  --input [NAME=]FILE  an input (repeat for several)\n"
    "  --batch N            the batch size for inputs whose first dimension is\n"
    "                       symbolic (default: the first dimension of the input file)\n"
    "  --output-dir DIR     write the outputs there (created if missing; checked\n"
    "                       before the model runs)\n"
    "  --json               one JSON object on stdout instead: model, device,\n"
    "                       batch, outputs (name, shape, min, max, mean, nan, top\n"
    "                       [class, score] pairs per row of scores, file),\n"
    "                       compile_ms, run_ms; NaN and infinities as null\n"
    "  --labels FILE        class names, one a line (line i: class i), printed\n"
    "                       with the top-5 classes\n" CLI_IMAGE_HELP CLI_COMMON_HELP;

#define MAX_INPUTS 64

typedef struct run_args {
    const char *model;
    const char *names[MAX_INPUTS]; /* NULL: by position */
    const char *files[MAX_INPUTS];
    int ninputs;
    long long batch; /* 0: from the inputs */
    const char *out_dir;
    int json;
    cli_image_opts image; /* how image files become tensors */
    const char *labels;   /* --labels FILE */
} run_args;

static int add_input(run_args *a, const char *v)
{
    return cli_input_arg("run", v, a->names, a->files, &a->ninputs, MAX_INPUTS);
}

static int parse_args(cli_common *common, run_args *a, int argc, char **argv)
{
    for (int i = 0, r; (r = cli_next_arg(common, argc, argv, &i)) != 0; i++) {
        if (r < 0)
            return -1;
        const char *arg = argv[i], *v = NULL;
        if (strcmp(arg, "--input") == 0) {
            if (!(v = cli_value("run", argc, argv, &i)) || !add_input(a, v))
                return -1;
        } else if (strcmp(arg, "--batch") == 0) {
            if (!(v = cli_value("run", argc, argv, &i)) ||
                !cli_count("run", arg, v, 1, 1 << 24, &a->batch))
                return -1;
        } else if (strcmp(arg, "--output-dir") == 0) {
            if (!(a->out_dir = cli_value("run", argc, argv, &i)))
                return -1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(arg, "--labels") == 0) {
            if (!(a->labels = cli_value("run", argc, argv, &i)))
                return -1;
        } else if (cli_image_option_takes_value(arg)) {
            if (!(v = cli_value("run", argc, argv, &i)) ||
                cli_image_option("run", arg, v, &a->image) != 1)
                return -1;
        } else if (cli_image_option("run", arg, NULL, &a->image) == 1) {
            continue; /* a flag */
        } else if (!cli_positional("run", arg, &a->model)) {
            return -1;
        }
    }
    if (!a->model) {
        fprintf(stderr, "clinfer run: which model? (clinfer run MODEL.onnx, see --help)\n");
        return -1;
    }
    return 0;
}

/* --output-dir, checked before anything runs: created when missing (its
 * parent must exist), a folder, writable. 0 (printed) when it is not. */
static int prepare_out_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "clinfer run: --output-dir: cannot create %s: %s\n", cli_safe(dir),
                strerror(errno));
        return 0;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "clinfer run: --output-dir: %s is not a folder\n", cli_safe(dir));
        return 0;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "clinfer run: --output-dir: cannot write in %s: %s\n", cli_safe(dir),
                strerror(errno));
        return 0;
    }
    return 1;
}

static void shape_text(const clinfer_shape *s, char *buf, size_t cap)
{
    int w = snprintf(buf, cap, "[");
    for (int32_t d = 0; d < s->rank && w > 0 && (size_t)w < cap; d++) {
        if (s->dims[d] == CLINFER_BATCH_DIM)
            w += snprintf(buf + w, cap - (size_t)w, d ? ", N" : "N");
        else
            w += snprintf(buf + w, cap - (size_t)w, d ? ", %lld" : "%lld",
                          (long long)s->dims[d]);
    }
    if (w > 0 && (size_t)w < cap)
        snprintf(buf + w, cap - (size_t)w, "]");
}

/* Reads one input file into t (its name: the given one, else the .pb's). */
static int read_input(const char *name, const char *file, const cli_image_opts *image,
                      clinfer_tensor *t)
{
    int ok = cli_is_image_file(file) ? cli_image_load("run", file, image, t)
                                     : cli_read_tensor("run", file, t);
    if (ok && name) {
        free(t->name);
        t->name = strdup(name);
        ok = t->name != NULL;
    } else if (ok && t->name && !t->name[0]) {
        free(t->name);
        t->name = NULL;
    }
    return ok;
}

/* Gives unnamed inputs the names of the model's inputs not named yet, in
 * order; checks that every name is one of the model's inputs. */
static int match_names(clinfer_tensor *in, int n, const clinfer_onnx_info *info)
{
    for (int k = 0; k < n; k++) {
        if (!in[k].name)
            continue;
        size_t i = 0;
        while (i < info->input_count && strcmp(info->inputs[i].name, in[k].name) != 0)
            i++;
        if (i == info->input_count) {
            fprintf(stderr, "clinfer run: the model has no input \"%s\"; its inputs are:",
                    cli_safe(in[k].name));
            for (size_t j = 0; j < info->input_count; j++)
                fprintf(stderr, " %s", cli_safe(info->inputs[j].name));
            fprintf(stderr, "\n");
            return 0;
        }
        for (int j = 0; j < k; j++)
            if (in[j].name && strcmp(in[j].name, in[k].name) == 0) {
                fprintf(stderr, "clinfer run: input \"%s\" is given twice\n", cli_safe(in[k].name));
                return 0;
            }
    }
    size_t next = 0;
    for (int k = 0; k < n; k++) {
        if (in[k].name)
            continue;
        for (; next < info->input_count; next++) {
            int taken = 0;
            for (int j = 0; j < n && !taken; j++)
                taken = in[j].name && strcmp(in[j].name, info->inputs[next].name) == 0;
            if (!taken)
                break;
        }
        if (next == info->input_count) {
            fprintf(stderr, "clinfer run: more input files than the model has inputs (%zu)\n",
                    info->input_count);
            return 0;
        }
        in[k].name = strdup(info->inputs[next].name);
        if (!in[k].name)
            return 0;
    }
    return 1;
}

/* The batch size: --batch, else the first dim of the files given for inputs
 * whose first dimension is symbolic (they must agree), else 1. */
static long long pick_batch(const run_args *a, const clinfer_tensor *in, int n,
                            const clinfer_onnx_info *info)
{
    if (a->batch)
        return a->batch;
    long long batch = 0;
    for (size_t i = 0; i < info->input_count; i++) {
        const clinfer_onnx_io *io = &info->inputs[i];
        if (io->shape.rank < 1 || io->shape.dims[0] != CLINFER_BATCH_DIM)
            continue;
        for (int k = 0; k < n; k++)
            if (strcmp(in[k].name, io->name) == 0 && in[k].shape.rank >= 1) {
                if (batch && batch != in[k].shape.dims[0]) {
                    fprintf(stderr,
                            "clinfer run: the inputs disagree on the batch size (%lld and %lld)\n",
                            batch, (long long)in[k].shape.dims[0]);
                    return -1;
                }
                batch = in[k].shape.dims[0];
            }
    }
    return batch > 0 ? batch : 1;
}

/* Feeds every model input from its file, checking shapes. */
static int set_inputs(clinfer_session *s, const clinfer_model *m, const clinfer_tensor *in, int n)
{
    for (size_t i = 0; i < clinfer_model_input_count(m); i++) {
        const char *name = clinfer_model_input_name(m, i);
        const clinfer_tensor *t = NULL;
        for (int k = 0; k < n && !t; k++)
            if (strcmp(in[k].name, name) == 0)
                t = &in[k];
        clinfer_shape want;
        char a[160], b[160];
        clinfer_session_input_shape(s, i, &want);
        shape_text(&want, a, sizeof a);
        if (!t) {
            fprintf(stderr, "clinfer run: no value for input \"%s\" %s (use --input %s=FILE)\n",
                    cli_safe(name), a, cli_safe(name));
            return 0;
        }
        int same = t->shape.rank == want.rank;
        for (int32_t d = 0; same && d < want.rank; d++)
            same = t->shape.dims[d] == want.dims[d];
        shape_text(&t->shape, b, sizeof b);
        if (!same || t->dtype != CLINFER_DTYPE_FLOAT32) {
            fprintf(stderr,
                    "clinfer run: input \"%s\" needs float32 of shape %s, the file holds %s %s\n",
                    cli_safe(name), a, t->dtype == CLINFER_DTYPE_FLOAT32 ? "float32" : "int64", b);
            return 0;
        }
        size_t count = 1;
        for (int32_t d = 0; d < want.rank; d++)
            count *= (size_t)want.dims[d];
        if (clinfer_session_set_input(s, i, t->data, count) != CLINFER_OK) {
            fprintf(stderr, "clinfer run: %s\n", clinfer_session_errmsg(s));
            return 0;
        }
    }
    return 1;
}

/* Replaces characters that are unsafe in a file name. */
static void safe_name(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < cap; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && n > 0);
        out[n++] = ok ? c : '_';
    }
    out[n] = 0;
    if (n == 0)
        snprintf(out, cap, "output");
}

/* What is printed of one output. */
typedef struct out_summary {
    double lo, hi, mean; /* over the values that are not NaN */
    size_t nan;
    int64_t rows, classes; /* a vector or [rows, classes] of scores, else 0 */
} out_summary;

#define TOP_K 5
#define TOP_ROWS 8

static out_summary summary_of(const clinfer_shape *s, const float *y, size_t count)
{
    out_summary o = {INFINITY, -INFINITY, 0, 0, 0, 0};
    double sum = 0;
    for (size_t k = 0; k < count; k++) {
        if (isnan(y[k])) {
            o.nan++;
            continue;
        }
        o.lo = fmin(o.lo, y[k]);
        o.hi = fmax(o.hi, y[k]);
        sum += y[k];
    }
    o.mean = count > o.nan ? sum / (double)(count - o.nan) : NAN;
    int64_t classes = s->rank >= 1 ? s->dims[s->rank - 1] : 0;
    if (s->rank >= 1 && s->rank <= 2 && classes >= 2) {
        o.classes = classes;
        o.rows = (int64_t)count / classes;
    }
    return o;
}

/* The indices of the k largest values of row (k <= TOP_K); returns k. */
static int top_classes(const float *row, int64_t classes, int64_t top[TOP_K])
{
    int k = 0;
    for (; k < TOP_K && k < classes; k++) {
        int64_t best = -1;
        for (int64_t c = 0; c < classes; c++) {
            int used = 0;
            for (int j = 0; j < k; j++)
                used |= top[j] == c;
            if (!used && (best < 0 || row[c] > row[best]))
                best = c;
        }
        top[k] = best;
    }
    return k;
}

static void summarise(const char *name, const clinfer_shape *s, const float *y, size_t count,
                      const cli_labels *labels)
{
    char buf[160];
    shape_text(s, buf, sizeof buf);
    const out_summary o = summary_of(s, y, count);
    printf("output %s: shape %s, min %.6g, max %.6g, mean %.6g", cli_safe(name), buf, o.lo, o.hi,
           o.mean);
    if (o.nan)
        printf(", %zu NaN", o.nan);
    printf("\n");
    /* A vector or a [rows, classes] matrix of scores: the top 5 per row. */
    for (int64_t r = 0; r < o.rows && r < TOP_ROWS; r++) {
        const float *row = y + r * o.classes;
        int64_t top[TOP_K];
        int k = top_classes(row, o.classes, top);
        if (o.rows > 1)
            printf("  row %lld top-%d:", (long long)r, k);
        else
            printf("  top-%d:", k);
        for (int j = 0; j < k && !labels->count; j++)
            printf(" %lld (%.4g)", (long long)top[j], row[top[j]]);
        printf("\n");
        for (int j = 0; j < k && labels->count; j++) { /* a line per class, named */
            const char *label = cli_label(labels, top[j]);
            printf("    %10.4g  %5lld  %s\n", row[top[j]], (long long)top[j],
                   label ? cli_safe(label) : "(no label: the file has fewer lines)");
        }
    }
    if (o.rows > TOP_ROWS)
        printf("  ... %lld more rows\n", (long long)(o.rows - TOP_ROWS));
}

/* One output as a JSON object (NaN and infinities as null); "top": per
 * row of scores (every row), [[class, score], ...]. */
static void summarise_json(const char *name, const clinfer_shape *s, const float *y,
                           size_t count, const char *file, const cli_labels *labels)
{
    const out_summary o = summary_of(s, y, count);
    printf("{\"name\": ");
    cli_json_string(name);
    printf(", \"shape\": [");
    for (int32_t d = 0; d < s->rank; d++)
        printf("%s%lld", d ? ", " : "", (long long)s->dims[d]);
    printf("], \"min\": %s, \"max\": %s, \"mean\": %s, \"nan\": %zu",
           cli_json_num(o.lo, "%.9g"), cli_json_num(o.hi, "%.9g"), cli_json_num(o.mean, "%.9g"),
           o.nan);
    if (o.rows) {
        printf(", \"top\": [");
        for (int64_t r = 0; r < o.rows; r++) {
            const float *row = y + r * o.classes;
            int64_t top[TOP_K];
            int k = top_classes(row, o.classes, top);
            printf("%s[", r ? ", " : "");
            for (int j = 0; j < k; j++) {
                printf("%s[%lld, %s", j ? ", " : "", (long long)top[j],
                       cli_json_num(row[top[j]], "%.9g"));
                if (labels->count) { /* [class, score, label or null] */
                    printf(", ");
                    if (cli_label(labels, top[j]))
                        cli_json_string(cli_label(labels, top[j]));
                    else
                        printf("null");
                }
                printf("]");
            }
            printf("]");
        }
        printf("]");
    }
    printf(", \"file\": ");
    if (file)
        cli_json_string(file);
    else
        printf("null");
    printf("}");
}

/* Writes output i as dir/<name>.npy into path (a name made safe, made
 * unique among those in written); 0 (printed) on failure. */
static int write_output(const clinfer_model *m, size_t i, const clinfer_shape *shape,
                        const float *y, const char *dir, char written[][256], size_t *nwritten,
                        char *path, size_t cap)
{
    char file[256], err[1024];
    const char *name = clinfer_model_output_name(m, i);
    safe_name(name, file, 200);
    for (size_t j = 0; j < *nwritten; j++) /* two names made the same: add the index */
        if (strcmp(written[j], file) == 0)
            snprintf(file + strlen(file), 40, "_%u", (unsigned)i);
    if (*nwritten < 64)
        snprintf(written[(*nwritten)++], 256, "%s", file);
    snprintf(path, cap, "%s/%s.npy", dir, file);
    if (!npy_write_typed(path, shape, y, clinfer_model_output_dtype(m, i), err, sizeof err)) {
        fprintf(stderr, "clinfer run: %s\n", cli_safe(err));
        return 0;
    }
    return 1;
}

/* Downloads, summarises and writes every output; with json, each as an
 * element of the "outputs" array. */
static int outputs(clinfer_session *s, const clinfer_model *m, const char *dir, int json,
                   const cli_labels *labels)
{
    char written[64][256];
    size_t nwritten = 0;
    for (size_t i = 0; i < clinfer_model_output_count(m); i++) {
        const char *name = clinfer_model_output_name(m, i);
        clinfer_shape shape;
        clinfer_session_output_shape(s, i, &shape);
        size_t count = 1;
        for (int32_t d = 0; d < shape.rank; d++)
            count *= (size_t)shape.dims[d];
        float *y = malloc((count ? count : 1) * sizeof *y);
        if (!y || clinfer_session_get_output(s, i, y, count) != CLINFER_OK) {
            fprintf(stderr, "clinfer run: output \"%s\": %s\n", cli_safe(name),
                    y ? clinfer_session_errmsg(s) : "out of memory");
            free(y);
            return 0;
        }
        char path[4096];
        int ok = !dir || write_output(m, i, &shape, y, dir, written, &nwritten, path, sizeof path);
        if (ok && json) {
            printf("%s\n  ", i ? "," : "");
            summarise_json(name, &shape, y, count, dir ? path : NULL, labels);
        } else if (ok) {
            summarise(name, &shape, y, count, labels);
            if (dir)
                printf("  written to %s\n", cli_safe(path));
        }
        free(y);
        if (!ok)
            return 0;
    }
    return 1;
}

/* Everything one run holds; run_free releases it. */
typedef struct run_state {
    cli_common common;
    run_args a;
    clinfer_tensor in[MAX_INPUTS];
    unsigned char *model; /* the file's bytes */
    size_t size;
    clinfer_onnx_info *info;
    clinfer_graph *g;
    clinfer_runtime *rt;
    clinfer_model *m;
    clinfer_session *s;
    long long batch;
    double t0, t1; /* before compiling, after the session */
    cli_labels labels; /* --labels; count 0 without */
} run_state;

static void run_free(run_state *r)
{
    cli_labels_free(&r->labels);
    cli_free_run(r->s, r->m, r->rt);
    clinfer_graph_free(r->g);
    clinfer_onnx_info_free(r->info);
    free(r->model);
    for (int k = 0; k < r->a.ninputs; k++) {
        clinfer_tensor_release(&r->in[k]);
        free((char *)r->a.names[k]);
    }
}

/* The input files, then the model's graph with the values given for its
 * inputs. */
static int load_graph(run_state *r)
{
    char err[1024];
    for (int k = 0; k < r->a.ninputs; k++)
        if (!read_input(r->a.names[k], r->a.files[k], &r->a.image, &r->in[k]))
            return 0;
    if (!cli_read_file(r->a.model, &r->model, &r->size, err, sizeof err)) {
        fprintf(stderr, "clinfer run: %s\n", cli_safe(err));
        return 0;
    }
    if (clinfer_onnx_inspect(r->model, r->size, &r->info) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", cli_safe(r->a.model), clinfer_last_errmsg());
        return 0;
    }
    if (!match_names(r->in, r->a.ninputs, r->info))
        return 0;
    clinfer_onnx_options o = clinfer_onnx_options_default();
    o.input_values = r->in;
    o.input_value_count = (size_t)r->a.ninputs;
    clinfer_status st = clinfer_graph_load_onnx_with(r->model, r->size, &o, &r->g);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s: %s\n", cli_safe(r->a.model), clinfer_status_str(st),
                clinfer_last_errmsg());
        return 0;
    }
    return 1;
}

/* The runtime, the compiled model and a session for the batch, timed. */
static int compile_session(run_state *r)
{
    clinfer_status st;
    if (!(r->rt = cli_runtime(&r->common)))
        return 0;
    r->t0 = cli_now_ms();
    if ((st = clinfer_model_compile(r->rt, r->g, &r->m)) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        return 0;
    }
    r->batch = pick_batch(&r->a, r->in, r->a.ninputs, r->info);
    if (r->batch < 0)
        return 0;
    clinfer_session_options so = clinfer_session_options_default();
    so.batch = r->batch;
    if ((st = clinfer_session_create(r->m, &so, &r->s)) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        return 0;
    }
    /* A --batch the model's fixed batch overrode is an error, not batch 1. */
    r->batch = cli_session_batch(r->s, r->m, r->a.batch, "clinfer run");
    r->t1 = cli_now_ms();
    return r->batch > 0;
}

/* Sets the inputs, runs once, then summarises (and saves) the outputs. */
static int run_and_report(run_state *r)
{
    clinfer_status st;
    if (!set_inputs(r->s, r->m, r->in, r->a.ninputs))
        return 0;
    if ((st = clinfer_session_run(r->s)) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", clinfer_status_str(st),
                clinfer_session_errmsg(r->s));
        return 0;
    }
    const char *device = clinfer_runtime_device(r->rt)->name;
    if (r->a.json) {
        printf("{\"model\": ");
        cli_json_string(r->a.model);
        printf(", \"device\": ");
        cli_json_string(device);
        printf(", \"batch\": %lld, \"outputs\": [", r->batch);
    } else {
        printf("model %s on %s, batch %lld\n", cli_safe(r->a.model), cli_safe(device), r->batch);
    }
    if (!outputs(r->s, r->m, r->a.out_dir, r->a.json, &r->labels)) {
        if (r->a.json) /* stdout stays one object; the error is on stderr */
            printf("], \"error\": true}\n");
        return 0;
    }
    double t2 = cli_now_ms();
    if (r->a.json)
        printf("],\n \"compile_ms\": %.3f, \"run_ms\": %.3f}\n", r->t1 - r->t0, t2 - r->t1);
    else
        printf("time: %.1f ms to compile and prepare, %.1f ms to run (with transfers)\n",
               r->t1 - r->t0, t2 - r->t1);
    return 1;
}

int cmd_run(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, run_help))
        return 0;
    run_state r;
    memset(&r, 0, sizeof r);
    r.common = *common_in;
    r.a.image = cli_image_opts_default();
    int rc = 2;
    if (parse_args(&r.common, &r.a, argc, argv) == 0 &&
        (!r.a.out_dir || prepare_out_dir(r.a.out_dir)) &&
        (!r.a.labels || cli_labels_load("run", r.a.labels, &r.labels)))
        rc = load_graph(&r) && compile_session(&r) && run_and_report(&r) ? 0 : 1;
    run_free(&r);
    return rc;
}
