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

#include "cli.h"
#include "npy.h"
#include "safe_text.h"

static const char run_help[] =
    "usage: clinfer run MODEL.onnx [--input [NAME=]FILE]... [--batch N]\n"
    "                  [--output-dir DIR] [OPTIONS]\n\n"
    "Runs an ONNX model once. Inputs come from NumPy .npy files (float32, float64\n"
    "converted; int64 for integer inputs) or ONNX TensorProto .pb files, given by\n"
    "name (NAME=FILE) or, without a name, in the order of the model's inputs (a\n"
    ".pb file's own tensor name counts as its name). A value given for an input\n"
    "that the model needs as a constant (weights, a shape) becomes that constant.\n"
    "Every output is summarised (shape, min, max, mean; the top 5 classes of each\n"
    "row of a score matrix) and, with --output-dir, written as DIR/<name>.npy.\n\n"
    "options:\n"
    "  --input [NAME=]FILE  an input (repeat for several)\n"
    "  --batch N            the batch size for inputs whose first dimension is\n"
    "                       symbolic (default: the first dimension of the input file)\n"
    "  --output-dir DIR     write the outputs there (created if missing)\n" CLI_COMMON_HELP;

#define MAX_INPUTS 64

typedef struct run_args {
    const char *model;
    const char *names[MAX_INPUTS]; /* NULL: by position */
    const char *files[MAX_INPUTS];
    int ninputs;
    long long batch; /* 0: from the inputs */
    const char *out_dir;
} run_args;

static int parse_args(cli_common *common, run_args *a, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        int r = cli_parse_common(common, argc, argv, &i);
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        const char *arg = argv[i];
        if (strcmp(arg, "--input") == 0 || strcmp(arg, "--batch") == 0 ||
            strcmp(arg, "--output-dir") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "clinfer run: %s needs a value\n", arg);
                return -1;
            }
            const char *v = argv[++i];
            if (arg[2] == 'i') {
                if (a->ninputs == MAX_INPUTS) {
                    fprintf(stderr, "clinfer run: at most %d inputs\n", MAX_INPUTS);
                    return -1;
                }
                const char *eq = strchr(v, '=');
                a->names[a->ninputs] = NULL;
                a->files[a->ninputs] = v;
                if (eq && eq != v) {
                    char *name = strndup(v, (size_t)(eq - v));
                    if (!name)
                        return -1;
                    a->names[a->ninputs] = name;
                    a->files[a->ninputs] = eq + 1;
                }
                a->ninputs++;
            } else if (arg[2] == 'b') {
                char *end = NULL;
                a->batch = strtoll(v, &end, 10);
                if (!end || *end || a->batch < 1 || a->batch > (1 << 24)) {
                    fprintf(stderr, "clinfer run: --batch needs a positive integer, got %s\n", cli_safe(v));
                    return -1;
                }
            } else {
                a->out_dir = v;
            }
        } else if (arg[0] == '-') {
            fprintf(stderr, "clinfer run: unknown option %s (see clinfer run --help)\n", cli_safe(arg));
            return -1;
        } else if (!a->model) {
            a->model = arg;
        } else {
            fprintf(stderr, "clinfer run: unexpected argument %s\n", cli_safe(arg));
            return -1;
        }
    }
    if (!a->model) {
        fprintf(stderr, "clinfer run: which model? (clinfer run MODEL.onnx, see --help)\n");
        return -1;
    }
    return 0;
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
static int read_input(const char *name, const char *file, clinfer_tensor *t)
{
    int ok = cli_read_tensor("run", file, t);
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

static void summarise(const char *name, const clinfer_shape *s, const float *y, size_t count)
{
    char buf[160];
    shape_text(s, buf, sizeof buf);
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t nan = 0;
    for (size_t k = 0; k < count; k++) {
        if (isnan(y[k])) {
            nan++;
            continue;
        }
        lo = fmin(lo, y[k]);
        hi = fmax(hi, y[k]);
        sum += y[k];
    }
    printf("output %s: shape %s, min %.6g, max %.6g, mean %.6g", cli_safe(name), buf, lo, hi,
           count > nan ? sum / (double)(count - nan) : NAN);
    if (nan)
        printf(", %zu NaN", nan);
    printf("\n");
    /* A vector or a [rows, classes] matrix of scores: the top 5 per row. */
    int64_t classes = s->rank >= 1 ? s->dims[s->rank - 1] : 0;
    int64_t rows = classes ? (int64_t)count / classes : 0;
    if (s->rank < 1 || s->rank > 2 || classes < 2)
        return;
    for (int64_t r = 0; r < rows && r < 8; r++) {
        const float *row = y + r * classes;
        int64_t top[5];
        int k = 0;
        for (; k < 5 && k < classes; k++) {
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
        if (rows > 1)
            printf("  row %lld top-%d:", (long long)r, k);
        else
            printf("  top-%d:", k);
        for (int j = 0; j < k; j++)
            printf(" %lld (%.4g)", (long long)top[j], row[top[j]]);
        printf("\n");
    }
    if (rows > 8)
        printf("  ... %lld more rows\n", (long long)(rows - 8));
}

/* Downloads, summarises and writes every output. */
static int outputs(clinfer_session *s, const clinfer_model *m, const char *dir)
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
        float *y = malloc(count * sizeof *y);
        if (!y || clinfer_session_get_output(s, i, y, count) != CLINFER_OK) {
            fprintf(stderr, "clinfer run: output \"%s\": %s\n", cli_safe(name),
                    y ? clinfer_session_errmsg(s) : "out of memory");
            free(y);
            return 0;
        }
        summarise(name, &shape, y, count);
        if (dir) {
            char file[256], path[4096], err[1024];
            safe_name(name, file, 200);
            for (size_t j = 0; j < nwritten; j++) /* two names made the same: add the index */
                if (strcmp(written[j], file) == 0)
                    snprintf(file + strlen(file), 40, "_%u", (unsigned)i);
            if (nwritten < 64)
                snprintf(written[nwritten++], sizeof written[0], "%s", file);
            snprintf(path, sizeof path, "%s/%s.npy", dir, file);
            if (!npy_write(path, &shape, y, err, sizeof err)) {
                fprintf(stderr, "clinfer run: %s\n", cli_safe(err));
                free(y);
                return 0;
            }
            printf("  written to %s\n", cli_safe(path));
        }
        free(y);
    }
    return 1;
}

int cmd_run(const cli_common *common_in, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(run_help, stdout);
        return 0;
    }
    cli_common common = *common_in;
    run_args a;
    memset(&a, 0, sizeof a);
    int rc = 1;
    clinfer_tensor in[MAX_INPUTS];
    memset(in, 0, sizeof in);
    unsigned char *model = NULL;
    size_t size = 0;
    clinfer_onnx_info *info = NULL;
    clinfer_graph *g = NULL;
    clinfer_runtime *rt = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    char err[1024];
    if (parse_args(&common, &a, argc, argv) != 0) {
        rc = 2;
        goto done;
    }
    for (int k = 0; k < a.ninputs; k++)
        if (!read_input(a.names[k], a.files[k], &in[k]))
            goto done;
    if (!cli_read_file(a.model, &model, &size, err, sizeof err)) {
        fprintf(stderr, "clinfer run: %s\n", cli_safe(err));
        goto done;
    }
    if (clinfer_onnx_inspect(model, size, &info) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", cli_safe(a.model), clinfer_last_errmsg());
        goto done;
    }
    if (!match_names(in, a.ninputs, info))
        goto done;
    clinfer_onnx_options o = clinfer_onnx_options_default();
    o.input_values = in;
    o.input_value_count = (size_t)a.ninputs;
    clinfer_status st = clinfer_graph_load_onnx_with(model, size, &o, &g);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s: %s\n", cli_safe(a.model), clinfer_status_str(st),
                clinfer_last_errmsg());
        goto done;
    }
    if (!(rt = cli_runtime(&common)))
        goto done;
    double t0 = cli_now_ms();
    if ((st = clinfer_model_compile(rt, g, &m)) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        goto done;
    }
    long long batch = pick_batch(&a, in, a.ninputs, info);
    if (batch < 0)
        goto done;
    clinfer_session_options so = clinfer_session_options_default();
    so.batch = batch;
    if ((st = clinfer_session_create(m, &so, &s)) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        goto done;
    }
    double t1 = cli_now_ms();
    if (!set_inputs(s, m, in, a.ninputs))
        goto done;
    if ((st = clinfer_session_run(s)) != CLINFER_OK) {
        fprintf(stderr, "clinfer run: %s: %s\n", clinfer_status_str(st), clinfer_session_errmsg(s));
        goto done;
    }
    if (a.out_dir && mkdir(a.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "clinfer run: cannot create %s: %s\n", cli_safe(a.out_dir), strerror(errno));
        goto done;
    }
    printf("model %s on %s, batch %lld\n", cli_safe(a.model), cli_safe(clinfer_runtime_device(rt)->name), batch);
    if (!outputs(s, m, a.out_dir))
        goto done;
    double t2 = cli_now_ms();
    printf("time: %.1f ms to compile and prepare, %.1f ms to run (with transfers)\n", t1 - t0,
           t2 - t1);
    rc = 0;
done:
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
    clinfer_onnx_info_free(info);
    free(model);
    for (int k = 0; k < a.ninputs; k++) {
        clinfer_tensor_release(&in[k]);
        free((char *)a.names[k]);
    }
    return rc;
}
