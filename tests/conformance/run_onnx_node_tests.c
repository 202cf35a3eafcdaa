/*
 * run_onnx_node_tests.c — ONNX's backend node tests (Debian's
 * libonnx-testdata: <dir>/<test>/model.onnx and test_data_set_N/
 * {input,output}_*.pb) run through the same loader users use
 * (clinfer_graph_load_onnx_with, clinfer_model_compile, a session), compared
 * with the expected outputs (|got - want| <= atol + rtol * |want|, rtol 1e-3,
 * atol 1e-5, NaN equals NaN).
 *
 * Every input of a data set is given to the loader as a value: inputs that a
 * node needs as constants (convolution weights, BatchNormalization
 * statistics, Reshape shapes, Clip bounds, ...) become constants, the others
 * stay inputs and are set on the session.
 *
 * Required tests: the float32 2-D tests of the families in `required` below.
 * A test is not required when a tensor it reads or writes is not float
 * (int64 shape inputs excepted) or is empty: clinfer computes float32 and
 * has no empty tensors; such a test is still run, and reported. The
 * families in `int64_outputs` (ArgMax, ArgMin, MaxPool's Indices, TopK's
 * indices; Greater, Less and their OrEqual forms on float inputs) give
 * int64 indices or bools, which clinfer computes as floats holding
 * integers: those outputs are widened and compared exactly, and the tests
 * are required. The exit status is 1 when a required test does not pass.
 *
 * Without --quiet it ends with the counts by op family (the word after
 * "test_").
 *
 * usage: run_onnx_node_tests [--data DIR] [--only SUBSTRING] [--required-only] [--quiet]
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"

#define DEFAULT_DIR "/usr/share/libonnx-testdata/data/node"
#define RTOL 1e-3
#define ATOL 1e-5
#define MAX_TENSORS 16

/* Family prefixes; an entry ending in '$' must match the whole name. */
static const char *const required[] = {
    "test_conv_",         "test_basic_conv_",       "test_maxpool_2d_",  "test_averagepool_2d_",
    "test_globalaveragepool", "test_globalmaxpool", "test_gemm_",        "test_matmul_",
    "test_maxpool_3d_default$", "test_averagepool_3d_default$", /* as two 2-D pools */
    "test_relu$",         "test_leakyrelu",         "test_sigmoid",      "test_tanh",
    "test_clip",          "test_softmax_",          "test_logsoftmax_",  "test_batchnorm_epsilon$",
    "test_batchnorm_example$", "test_add",          "test_mul",          "test_concat_",
    "test_flatten_",      "test_reshape_",          "test_transpose_",   "test_identity$",
    "test_dropout_default",
    "test_max_",          "test_min_",              "test_sum_",         "test_mean_",
    "test_expand_",       "test_tile",              "test_split_",       "test_gather_0$",
    "test_gather_1$",     "test_gather_2d_indices$", "test_gather_negative_indices$",
    "test_gather_elements_",
    "test_resize_",       "test_upsample_",         "test_depthtospace_", "test_spacetodepth",
    "test_instancenorm",  "test_layer_normalization_", "test_mvn",
    /* ConvTranspose: 1-D, 2-D and 3-D */
    "test_convtranspose$", "test_convtranspose_1d$", "test_convtranspose_3d$",
    "test_convtranspose_autopad",
    "test_convtranspose_dilations",
    "test_convtranspose_kernel_shape", "test_convtranspose_output_shape",
    "test_convtranspose_pad", "test_convtranspose_with_kernel",
    /* the activations of modern CNNs (this Debian's test data, ONNX 1.12, has
     * no Gelu or Mish tests; newer data has, at opsets 20 and 18) */
    "test_hardsigmoid",   "test_hardswish",         "test_erf",          "test_gelu",
    "test_elu",           "test_selu",              "test_celu",         "test_softplus",
    "test_softsign",      "test_mish",              "test_thresholdedrelu", "test_prelu",
    "test_einsum_batch_matmul$", "test_einsum_transpose$",
    "test_scatternd",
    /* every reduction; LRN (AlexNet, GoogLeNet); CumSum (its tests here are
     * float64: run, not counted as required) */
    "test_reduce_",       "test_lrn",               "test_gridsample",   "test_cumsum_",
    /* rounding and trigonometry (shape arithmetic, positional encodings) */
    "test_floor",         "test_ceil",              "test_round$",       "test_sign$",
    "test_sin$",          "test_sin_example$",      "test_cos$",         "test_cos_example$",
    "test_tan$",          "test_tan_example$",      "test_asin",         "test_acos",
    "test_atan",          "test_sinh",              "test_cosh",         /* and the -h forms */
    "test_argmax_",       "test_argmin_",           "test_top_k", /* int64_outputs */
    "test_hardmax_",      "test_tril",              "test_triu",         /* int64 here */
    "test_greater",       "test_less",
    /* recurrent layers (CRNN text recognisers, audio and sequence models) */
    "test_lstm_",         "test_gru_",              "test_rnn_",         "test_simple_rnn_",
    /* QDQ quantized models */
    "test_quantizelinear", "test_dequantizelinear",
    /* unpooling (SegNet, ENet): MaxPool's Indices (int64_outputs), MaxUnpool */
    "test_maxpool_with_argmax_",                    "test_maxunpool_",
};

/* Families whose integer or bool outputs are compared (exactly, as floats):
 * int64 indices (ArgMax, MaxPool's, TopK's), bool conditions,
 * QuantizeLinear's uint8/int8 values. */
static const char *const int64_outputs[] = {"test_argmax_", "test_argmin_", "test_top_k",
                                            "test_greater", "test_less", "test_quantizelinear",
                                            "test_maxpool_with_argmax_"};

static int int64_output_family(const char *name)
{
    for (size_t i = 0; i < sizeof int64_outputs / sizeof int64_outputs[0]; i++)
        if (strncmp(name, int64_outputs[i], strlen(int64_outputs[i])) == 0)
            return 1;
    return 0;
}

static int in_family(const char *name)
{
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *p = required[i];
        size_t n = strlen(p);
        if (p[n - 1] == '$') {
            if (strlen(name) == n - 1 && strncmp(name, p, n - 1) == 0)
                return 1;
        } else if (strncmp(name, p, n) == 0) {
            /* argmax variants are not in the maxpool family; _expanded are extras */
            if (strstr(name, "_expanded"))
                return 0;
            return 1;
        }
    }
    return 0;
}

typedef enum verdict { PASS, FAIL, SKIP } verdict;

typedef struct result {
    char name[128];
    verdict v;
    int required;
    char why[768];
    double max_abs, max_rel;
} result;

static int read_file(const char *path, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    *data = buf;
    *size = n;
    return buf != NULL;
}

static int64_t numel(const clinfer_shape *s)
{
    int64_t n = 1;
    for (int32_t d = 0; d < s->rank; d++)
        n *= s->dims[d];
    return n;
}

static void shape_text(const clinfer_shape *s, char *buf, size_t cap)
{
    int w = snprintf(buf, cap, "[");
    for (int32_t d = 0; d < s->rank && w > 0 && (size_t)w < cap; d++)
        w += snprintf(buf + w, cap - (size_t)w, d ? ", %lld" : "%lld", (long long)s->dims[d]);
    if (w > 0 && (size_t)w < cap)
        snprintf(buf + w, cap - (size_t)w, "]");
}

/* Reads <dir>/<prefix>_<k>.pb for k = 0, 1, ...; returns the count or -1. */
static int read_tensors(const char *dir, const char *prefix, clinfer_tensor *t, char *why,
                        size_t cap)
{
    int n = 0;
    for (; n < MAX_TENSORS; n++) {
        char path[1400]; /* dir is at most 1300 bytes (run_test's sdir) */
        int w = snprintf(path, sizeof path, "%s/%s_%d.pb", dir, prefix, n);
        if (w < 0 || (size_t)w >= sizeof path) {
            snprintf(why, cap, "%s_%d.pb: the path is too long", prefix, n);
            for (int k = 0; k < n; k++)
                clinfer_tensor_release(&t[k]);
            return -1;
        }
        unsigned char *data = NULL;
        size_t size = 0;
        if (!read_file(path, &data, &size))
            break;
        clinfer_status st = clinfer_tensor_decode_onnx(data, size, &t[n]);
        free(data);
        if (st != CLINFER_OK) {
            snprintf(why, cap, "%s_%d.pb is not a tensor clinfer reads (a sequence, string or "
                     "map?): %s", prefix, n, clinfer_last_errmsg());
            for (int k = 0; k < n; k++)
                clinfer_tensor_release(&t[k]);
            return -1;
        }
    }
    return n;
}

static int close_enough(float got, float want, double *abs_err, double *rel_err)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    double e = fabs((double)got - (double)want);
    if (isnan(e))
        return 0;
    if (e > *abs_err)
        *abs_err = e;
    double r = want != 0 ? e / fabs((double)want) : 0;
    if (r > *rel_err)
        *rel_err = r;
    return e <= ATOL + RTOL * fabs((double)want);
}

/* One data set: load with the inputs as values, run, compare. */
static verdict run_set(clinfer_runtime *rt, const unsigned char *model, size_t model_size,
                       const clinfer_onnx_info *info, clinfer_tensor *in, int nin,
                       clinfer_tensor *out, int nout, result *r)
{
    /* Unnamed .pb tensors take the names of the model's inputs, in order. */
    for (int k = 0; k < nin; k++)
        if ((!in[k].name || !in[k].name[0]) && (size_t)k < info->input_count) {
            free(in[k].name);
            in[k].name = strdup(info->inputs[k].name);
        }
    clinfer_onnx_options o = clinfer_onnx_options_default();
    o.input_values = in;
    o.input_value_count = (size_t)nin;
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    verdict v = PASS;
    clinfer_status st = clinfer_graph_load_onnx_with(model, model_size, &o, &g);
    if (st != CLINFER_OK) {
        snprintf(r->why, sizeof r->why, "load: %s", clinfer_last_errmsg());
        return st == CLINFER_ERR_UNSUPPORTED ? SKIP : FAIL;
    }
    st = clinfer_model_compile(rt, g, &m);
    clinfer_graph_free(g);
    if (st != CLINFER_OK) {
        snprintf(r->why, sizeof r->why, "compile: %s", clinfer_last_errmsg());
        return st == CLINFER_ERR_UNSUPPORTED ? SKIP : FAIL;
    }
    /* The batch of an open first dim comes from the value given for it. */
    clinfer_session_options so = clinfer_session_options_default();
    for (size_t i = 0; i < clinfer_model_input_count(m); i++)
        for (int k = 0; k < nin; k++)
            if (in[k].name && strcmp(in[k].name, clinfer_model_input_name(m, i)) == 0 &&
                in[k].shape.rank > 0 && in[k].shape.dims[0] > 0)
                so.batch = in[k].shape.dims[0];
    st = clinfer_session_create(m, &so, &s);
    if (st != CLINFER_OK) {
        snprintf(r->why, sizeof r->why, "session: %s", clinfer_last_errmsg());
        clinfer_model_free(m);
        return FAIL;
    }
    for (size_t i = 0; v == PASS && i < clinfer_model_input_count(m); i++) {
        const char *name = clinfer_model_input_name(m, i);
        int found = -1;
        for (int k = 0; k < nin && found < 0; k++)
            if (in[k].name && strcmp(in[k].name, name) == 0)
                found = k;
        if (found < 0 || in[found].dtype != CLINFER_DTYPE_FLOAT32) {
            snprintf(r->why, sizeof r->why, "no float data for input \"%s\"", name);
            v = FAIL;
        } else if ((st = clinfer_session_set_input(s, i, in[found].data,
                                                   (size_t)numel(&in[found].shape))) !=
                   CLINFER_OK) {
            snprintf(r->why, sizeof r->why, "set_input: %s", clinfer_session_errmsg(s));
            v = FAIL;
        }
    }
    if (v == PASS && (st = clinfer_session_run(s)) != CLINFER_OK) {
        snprintf(r->why, sizeof r->why, "run: %s", clinfer_session_errmsg(s));
        v = FAIL;
    }
    if (v == PASS && clinfer_model_output_count(m) != (size_t)nout) {
        snprintf(r->why, sizeof r->why, "%zu outputs, the test expects %d",
                 clinfer_model_output_count(m), nout);
        v = FAIL;
    }
    for (int k = 0; v == PASS && k < nout; k++) {
        clinfer_shape shape;
        char a[160], b[160];
        clinfer_session_output_shape(s, (size_t)k, &shape);
        int same = shape.rank == out[k].shape.rank;
        for (int32_t d = 0; same && d < shape.rank; d++)
            same = shape.dims[d] == out[k].shape.dims[d];
        if (!same) {
            shape_text(&shape, a, sizeof a);
            shape_text(&out[k].shape, b, sizeof b);
            snprintf(r->why, sizeof r->why, "output %d has shape %s, expected %s", k, a, b);
            v = FAIL;
            break;
        }
        size_t n = (size_t)numel(&shape);
        float *got = malloc(n * sizeof *got);
        if (!got || clinfer_session_get_output(s, (size_t)k, got, n) != CLINFER_OK) {
            snprintf(r->why, sizeof r->why, "get_output: %s", clinfer_session_errmsg(s));
            free(got);
            v = FAIL;
            break;
        }
        const float *want = out[k].data;
        float *widened = NULL; /* int64 indices as the floats clinfer computes */
        if (out[k].dtype == CLINFER_DTYPE_INT64 && (widened = malloc(n * sizeof *widened))) {
            for (size_t e = 0; e < n; e++)
                widened[e] = (float)((const int64_t *)out[k].data)[e];
            want = widened;
        }
        for (size_t e = 0; e < n; e++)
            if (!close_enough(got[e], want[e], &r->max_abs, &r->max_rel) && v == PASS) {
                snprintf(r->why, sizeof r->why, "output %d element %zu: got %.9g, expected %.9g",
                         k, e, (double)got[e], (double)want[e]);
                v = FAIL;
            }
        free(got);
        free(widened);
    }
    clinfer_session_free(s);
    clinfer_model_free(m);
    return v;
}

static void run_test(clinfer_runtime *rt, const char *root, const char *name, result *r)
{
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->required = in_family(name);
    unsigned char *model = NULL;
    size_t size = 0;
    if (!read_file(path, &model, &size)) {
        r->v = SKIP;
        snprintf(r->why, sizeof r->why, "no model.onnx");
        return;
    }
    clinfer_onnx_info *info = NULL;
    if (clinfer_onnx_inspect(model, size, &info) != CLINFER_OK) {
        r->v = FAIL;
        snprintf(r->why, sizeof r->why, "inspect: %s", clinfer_last_errmsg());
        free(model);
        return;
    }
    /* Not float: outputs of another type, inputs other than float or int64. */
    int typed = 0;
    const int int64_ok = int64_output_family(name);
    for (size_t i = 0; i < info->output_count && !typed; i++)
        if (info->outputs[i].elem_type != 1 &&
            !(int64_ok && (info->outputs[i].elem_type == 7 || info->outputs[i].elem_type == 9 ||
                           info->outputs[i].elem_type == 2 || info->outputs[i].elem_type == 3))) {
            typed = 1;
            snprintf(r->why, sizeof r->why, "output \"%s\" is %s (clinfer computes float32)",
                     info->outputs[i].name, clinfer_onnx_type_name(info->outputs[i].elem_type));
        }
    for (size_t i = 0; i < info->input_count && !typed; i++)
        if (info->inputs[i].elem_type != 1 && info->inputs[i].elem_type != 7) {
            typed = 1;
            snprintf(r->why, sizeof r->why, "input \"%s\" is %s (clinfer computes float32)",
                     info->inputs[i].name, clinfer_onnx_type_name(info->inputs[i].elem_type));
        }
    if (typed)
        r->required = 0;
    char not_required[sizeof r->why];
    snprintf(not_required, sizeof not_required, "%s", r->why);
    r->v = SKIP;
    snprintf(r->why, sizeof r->why, "no test_data_set_*");
    for (int set = 0;; set++) {
        char sdir[1300];
        snprintf(sdir, sizeof sdir, "%s/test_data_set_%d", dir, set);
        DIR *d = opendir(sdir);
        if (!d)
            break;
        closedir(d);
        clinfer_tensor in[MAX_TENSORS], out[MAX_TENSORS];
        memset(in, 0, sizeof in);
        memset(out, 0, sizeof out);
        int nin = read_tensors(sdir, "input", in, r->why, sizeof r->why);
        int nout = nin < 0 ? -1 : read_tensors(sdir, "output", out, r->why, sizeof r->why);
        verdict v = SKIP;
        if (nin >= 0 && nout >= 0) {
            int empty = 0;
            for (int k = 0; k < nin; k++) /* empty axes or pads lists are fine */
                empty |= numel(&in[k].shape) == 0 && in[k].dtype == CLINFER_DTYPE_FLOAT32;
            for (int k = 0; k < nout; k++)
                empty |= numel(&out[k].shape) == 0 ||
                         (out[k].dtype != CLINFER_DTYPE_FLOAT32 &&
                          !(int64_ok && out[k].dtype == CLINFER_DTYPE_INT64));
            if (empty) {
                r->required = 0;
                if (!not_required[0])
                    snprintf(not_required, sizeof not_required,
                             "a tensor is empty (a 0 dimension) or an output is not float");
                snprintf(r->why, sizeof r->why, "%s", not_required);
            } else {
                r->why[0] = 0;
                v = run_set(rt, model, size, info, in, nin, out, nout, r);
            }
        }
        for (int k = 0; k < MAX_TENSORS; k++) {
            clinfer_tensor_release(&in[k]);
            clinfer_tensor_release(&out[k]);
        }
        if (nin < 0 || nout < 0)
            v = SKIP;
        if (set == 0 || v != PASS)
            r->v = v;
        if (v != PASS)
            break;
    }
    if (r->v == SKIP && !r->required && not_required[0] && strncmp(r->why, "load:", 5) != 0)
        snprintf(r->why, sizeof r->why, "%s", not_required);
    clinfer_onnx_info_free(info);
    free(model);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The op family of a test: the word after "test_" ("resize" of
 * test_resize_upsample_scales_linear), two words for the ops whose name
 * has two (layer_normalization, group_normalization). */
static void family_of(const char *test, char *out, size_t cap)
{
    const char *p = test + 5, *end = strchr(p, '_');
    if (end && (strncmp(p, "layer_", 6) == 0 || strncmp(p, "group_", 6) == 0))
        end = strchr(end + 1, '_');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

typedef struct family_count {
    char name[48];
    int count[2][3]; /* [required][verdict] */
} family_count;

/* Counts by op family, required and other tests apart, one line each. */
static void print_families(const result *rs, size_t n)
{
    family_count *f = calloc(n ? n : 1, sizeof *f);
    size_t nf = 0;
    for (size_t i = 0; f && i < n; i++) {
        char name[48];
        family_of(rs[i].name, name, sizeof name);
        size_t k = 0;
        while (k < nf && strcmp(f[k].name, name) != 0)
            k++;
        if (k == nf)
            snprintf(f[nf++].name, sizeof f[0].name, "%s", name);
        f[k].count[rs[i].required][rs[i].v]++;
    }
    printf("\nby op family (required: passed/failed/skipped; others: the same):\n");
    for (size_t k = 0; f && k < nf; k++) {
        int(*c)[3] = f[k].count;
        printf("  %-24s required %3d/%d/%d   others %3d/%d/%d\n", f[k].name, c[1][PASS],
               c[1][FAIL], c[1][SKIP], c[0][PASS], c[0][FAIL], c[0][SKIP]);
    }
    free(f);
}

int main(int argc, char **argv)
{
    const char *root = DEFAULT_DIR, *only = NULL;
    int required_only = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            root = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--required-only") == 0)
            required_only = 1;
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else {
            fprintf(stderr,
                    "usage: %s [--data DIR] [--only SUBSTRING] [--required-only] [--quiet]\n",
                    argv[0]);
            return 2;
        }
    }
    DIR *d = opendir(root);
    if (!d) {
        fprintf(stderr, "%s: cannot open %s (install Debian's libonnx-testdata)\n", argv[0], root);
        return 1;
    }
    size_t n = 0, cap = 1024;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "test_", 5) != 0)
            continue;
        if (only && !strstr(e->d_name, only))
            continue;
        if (required_only && !in_family(e->d_name))
            continue;
        if (n == cap) {
            char **p = realloc(names, 2 * cap * sizeof *names);
            if (!p)
                break;
            names = p;
            cap *= 2;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (!names)
        return 1;
    qsort(names, n, sizeof *names, by_name);
    clinfer_runtime *rt = NULL;
    if (clinfer_runtime_create(NULL, &rt) != CLINFER_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], clinfer_last_errmsg());
        return 1;
    }
    printf("ONNX backend node tests from %s on %s (rtol %g, atol %g)\n", root,
           clinfer_runtime_device(rt)->name, RTOL, ATOL);
    int count[2][3] = {{0}};
    result *rs = calloc(n ? n : 1, sizeof *rs);
    for (size_t i = 0; rs && i < n; i++) {
        result *r = &rs[i];
        run_test(rt, root, names[i], r);
        count[r->required][r->v]++;
        static const char *const tag[3] = {"PASS", "FAIL", "SKIP"};
        if (!quiet || r->v != PASS)
            printf("%s %-3s %-58s %s\n", tag[r->v], r->required ? "req" : "", r->name,
                   r->v == PASS ? "" : r->why);
        if (r->v == PASS && !quiet)
            printf("%*s max abs err %.3g, max rel err %.3g\n", 9, "", r->max_abs, r->max_rel);
        fflush(stdout);
    }
    if (rs && !quiet)
        print_families(rs, n);
    printf("\nrequired: %d passed, %d failed, %d skipped\n", count[1][PASS], count[1][FAIL],
           count[1][SKIP]);
    printf("others:   %d passed, %d failed, %d skipped\n", count[0][PASS], count[0][FAIL],
           count[0][SKIP]);
    int bad = count[1][FAIL] + count[1][SKIP];
    printf("%d passed, %d failed\n", count[1][PASS], bad);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(rs);
    clinfer_runtime_free(rt);
    return bad ? 1 : 0;
}
