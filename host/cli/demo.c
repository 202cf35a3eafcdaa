/*
 * demo.c — `clinfer demo`: the lecture's CNN (shared/lecture-cnn.txt),
 * trained on Fashion-MNIST by tests/models/train_lecture_cnn.py, loaded from
 * its ONNX file and run on the 10,000 test images of Debian's
 * dataset-fashion-mnist. It prints the accuracy, the agreement with the
 * predictions PyTorch recorded for the same weights, the throughput, and a
 * few test images drawn in the terminal.
 *
 * `clinfer demo --lecture` is the lecture's 6x6 convolution example, built
 * with the public graph API: two 3x3 filters at stride 1, Filter 1 at
 * stride 2, and 2x2 max pooling of the feature maps.
 *
 * Only the public header is used: the demo is also an example of embedding.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fashion_mnist.h"
#include "safe_text.h"


/* Exit status when the dataset is not installed (the test harness's "skip"). */
#define EXIT_NO_DATASET 77

static const char demo_help[] =
    "usage: clinfer demo [OPTIONS]\n"
    "       clinfer demo --lecture [--device SPEC]\n\n"
    "Classifies the 10,000 Fashion-MNIST test images with the lecture's CNN\n"
    "(Conv 32 3x3 ReLU, max pool 2, Conv 64 3x3 ReLU, max pool 2, Dense 1024\n"
    "ReLU, Dense 10 softmax), trained by tests/models/train_lecture_cnn.py and\n"
    "loaded from its ONNX file, in batches on the chosen OpenCL device. Prints\n"
    "the accuracy, the agreement with the predictions PyTorch recorded for the\n"
    "same weights, images per second, and a few test images drawn in the\n"
    "terminal with their predicted and true labels.\n\n"
    "The images come from Debian's dataset-fashion-mnist\n"
    "(" FMNIST_DEFAULT_DIR "/t10k-{images-idx3,labels-idx1}-ubyte.gz);\n"
    "install it with `apt-get install dataset-fashion-mnist`. Each pixel byte\n"
    "becomes the float32 value byte / 255, input \"image\" [N, 1, 28, 28].\n\n"
    "The reference lies beside the model (NAME.onnx): NAME.predictions (the\n"
    "class PyTorch predicts for each test image) and NAME.reference.json (the\n"
    "recorded accuracy). The demo fails (exit status 1) unless its accuracy\n"
    "equals the reference accuracy and at least 99.9% of its predictions\n"
    "agree with PyTorch's (with --precision fp16: the accuracy within 0.1\n"
    "points and at least 99.5% agreeing).\n\n"
    "options:\n"
    "  --lecture       run the lecture's 6x6 convolution and max-pooling example\n"
    "                  instead: the input, the filters and the feature maps\n"
    "  --model FILE    the ONNX model (default: lecture_cnn.onnx in the install's\n"
    "                  share/clinfer/, else the source tree's tests/models/)\n"
    "  --data DIR      folder of the idx files (default " FMNIST_DEFAULT_DIR ")\n"
    "  --batch N       images per run (default 100)\n"
    "  --limit N       classify only the first N test images (default: all)\n"
    "  --show N        test images to draw (default 4; the last one shown is the\n"
    "                  first misclassified image, if any)\n" CLI_COMMON_HELP
    "\nexit status: 0 success, 1 failure or mismatch with the reference, 2 usage,\n"
    "77 the dataset is not installed.\n";

/* ================================================================ lecture */

static const float lecture_image[36] = {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0,
                                        1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0};
static const float lecture_filters[18] = {1,  -1, -1, -1, 1, -1, -1, -1, 1,
                                          -1, 1,  -1, -1, 1, -1, -1, 1,  -1};

static void print_maps(const char *title, const float *x, int maps, int h, int w)
{
    printf("%s\n", title);
    for (int r = 0; r < h; r++) {
        for (int m = 0; m < maps; m++) {
            printf("  ");
            for (int c = 0; c < w; c++)
                printf("%3g", (double)x[(m * h + r) * w + c]);
            printf("   ");
        }
        printf("\n");
    }
    printf("\n");
}

static clinfer_shape shape4(int64_t n, int64_t c, int64_t h, int64_t w)
{
    clinfer_shape s = {4, {n, c, h, w}};
    return s;
}

/* image -> conv(Filters 1 and 2, stride 1) -> "maps" -> max pool 2x2 -> "pooled";
 * image -> conv(Filter 1, stride 2) -> "stride2". */
static clinfer_status lecture_graph(clinfer_graph *g)
{
    clinfer_shape in_shape = shape4(1, 1, 6, 6), both = shape4(2, 1, 3, 3),
                  one = shape4(1, 1, 3, 3);
    clinfer_value image, filters, filter1, maps, stride2, pooled;
    clinfer_conv2d_desc c1 = clinfer_conv2d_desc_default(), c2 = c1;
    c2.stride_h = c2.stride_w = 2;
    clinfer_pool2d_desc pool = clinfer_pool2d_desc_default(2);
    clinfer_status st;
    if ((st = clinfer_graph_input(g, "image", &in_shape, &image)) ||
        (st = clinfer_graph_constant(g, "filters", &both, lecture_filters, &filters)) ||
        (st = clinfer_graph_constant(g, "filter1", &one, lecture_filters, &filter1)) ||
        (st = clinfer_graph_conv2d(g, "conv_stride1", image, filters, CLINFER_NO_VALUE, &c1,
                                   &maps)) ||
        (st = clinfer_graph_conv2d(g, "conv_stride2", image, filter1, CLINFER_NO_VALUE, &c2,
                                   &stride2)) ||
        (st = clinfer_graph_pool2d(g, "maxpool", maps, &pool, &pooled)) ||
        (st = clinfer_graph_output(g, maps, "maps")) ||
        (st = clinfer_graph_output(g, stride2, "stride2")) ||
        (st = clinfer_graph_output(g, pooled, "pooled")))
        return st;
    return CLINFER_OK;
}

static clinfer_status run_lecture(clinfer_runtime *rt)
{
    float maps[32], stride2[4], pooled[8];
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    clinfer_status st = clinfer_graph_create(&g);
    if (!st)
        st = lecture_graph(g);
    if (!st)
        st = clinfer_model_compile(rt, g, &m);
    if (!st)
        st = clinfer_session_create(m, NULL, &s);
    if (!st)
        st = clinfer_session_set_input(s, 0, lecture_image, 36);
    if (!st)
        st = clinfer_session_run(s);
    if (!st)
        st = clinfer_session_get_output(s, 0, maps, 32);
    if (!st)
        st = clinfer_session_get_output(s, 1, stride2, 4);
    if (!st)
        st = clinfer_session_get_output(s, 2, pooled, 8);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    if (st)
        return st;
    print_maps("6 x 6 image:", lecture_image, 1, 6, 6);
    print_maps("Filter 1          Filter 2:", lecture_filters, 2, 3, 3);
    print_maps("convolution, stride 1 (Filter 1, Filter 2):", maps, 2, 4, 4);
    print_maps("convolution of Filter 1, stride 2:", stride2, 1, 2, 2);
    print_maps("2 x 2 max pooling of the two maps:", pooled, 2, 2, 2);
    return CLINFER_OK;
}

/* ================================================================ Fashion-MNIST */

typedef struct demo_options {
    const char *model, *data;
    long batch, limit, show;
    int model_given;
} demo_options;

/* The reference beside the model: one class digit per test image. */
typedef struct reference {
    uint8_t *pred;
    long count;
    long json_correct, json_count; /* -1 when the JSON file is absent */
    char pred_path[4096], json_path[4096];
} reference;

static void reference_paths(reference *r, const char *model)
{
    size_t n = strlen(model);
    int strip = n > 5 && strcmp(model + n - 5, ".onnx") == 0;
    int base = (int)(strip ? n - 5 : n);
    snprintf(r->pred_path, sizeof r->pred_path, "%.*s.predictions", base, model);
    snprintf(r->json_path, sizeof r->json_path, "%.*s.reference.json", base, model);
}

/* The integer after "key": in a small JSON text; -1 if absent. */
static long json_int(const char *text, const char *key)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *p = strstr(text, quoted);
    if (!p)
        return -1;
    p += strlen(quoted);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p != ':')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(p + 1, &end, 10);
    return (errno || end == p + 1 || v < 0) ? -1 : v;
}

/* Reads at most `cap` bytes of a text file; NULL if it cannot be opened. */
static char *read_text(const char *path, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Returns 0 with the reference loaded, 1 if the predictions file does not
 * exist, -1 (printed) if it is malformed. */
static int reference_load(reference *r, const char *model)
{
    memset(r, 0, sizeof *r);
    r->json_correct = r->json_count = -1;
    reference_paths(r, model);
    size_t len = 0;
    char *text = read_text(r->pred_path, 1 << 20, &len);
    if (!text)
        return 1;
    r->pred = malloc(len ? len : 1);
    if (!r->pred) {
        free(text);
        fprintf(stderr, "clinfer demo: out of memory\n");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            r->pred[r->count++] = (uint8_t)(c - '0');
        } else if (c != '\n' && c != '\r' && c != ' ') {
            fprintf(stderr, "clinfer demo: %s: byte %zu is '%c', expected a class digit 0-9\n",
                    r->pred_path, i, c);
            free(text);
            return -1;
        }
    }
    free(text);
    text = read_text(r->json_path, 1 << 16, &len);
    if (text) {
        r->json_correct = json_int(text, "correct");
        r->json_count = json_int(text, "count");
        free(text);
    }
    return 0;
}

static void reference_free(reference *r)
{
    free(r->pred);
    r->pred = NULL;
}

/* ASCII shades, light to dark: background pixels are 0. */
static const char shades[] = " .:-=+*#%@";

/* Prints a line without its trailing spaces. */
static void put_trimmed(char *line, size_t len)
{
    while (len > 0 && line[len - 1] == ' ')
        len--;
    printf("%.*s\n", (int)len, line);
}

/* Draws 28x28 images side by side in cells of CELL columns, two rows of
 * pixels per line (terminal cells are about twice as tall as wide), with
 * their true and predicted labels underneath. */
#define CELL 32
#define PER_LINE 2
static void draw_images(const fmnist_set *set, const long *which, int n, const uint8_t *pred)
{
    char line[CELL * PER_LINE + 1];
    for (int first = 0; first < n; first += PER_LINE) {
        int k = n - first < PER_LINE ? n - first : PER_LINE;
        for (int r = 0; r < 28; r += 2) {
            memset(line, ' ', sizeof line);
            for (int j = 0; j < k; j++) {
                const uint8_t *px = set->pixels + (size_t)which[first + j] * 784;
                for (int c = 0; c < 28; c++) {
                    int v = (px[r * 28 + c] + px[(r + 1) * 28 + c] + 1) / 2;
                    line[j * CELL + 2 + c] = shades[v * 10 / 256];
                }
            }
            put_trimmed(line, (size_t)(k * CELL));
        }
        for (int row = 0; row < 2; row++) {
            memset(line, ' ', sizeof line);
            for (int j = 0; j < k; j++) {
                long i = which[first + j];
                char text[CELL + 16];
                if (row == 0)
                    snprintf(text, sizeof text, "#%ld true: %s", i,
                             fmnist_class_names[set->labels[i]]);
                else
                    snprintf(text, sizeof text, "clinfer: %s%s", fmnist_class_names[pred[i]],
                             pred[i] == set->labels[i] ? "" : " (wrong)");
                size_t len = strlen(text);
                memcpy(line + j * CELL + 2, text, len < CELL - 2 ? len : CELL - 2);
            }
            put_trimmed(line, (size_t)(k * CELL));
        }
        printf("\n");
    }
}

/* A session for `batch` images, checking the model's input and output
 * shapes are those of a 28x28 classifier with 10 classes. */
static clinfer_session *classifier_session(clinfer_model *m, long batch)
{
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = batch;
    clinfer_session *s = NULL;
    clinfer_status st = clinfer_session_create(m, &o, &s);
    if (st) {
        fprintf(stderr, "clinfer demo: session for batch %ld: %s: %s\n", batch,
                clinfer_status_str(st), clinfer_last_errmsg());
        return NULL;
    }
    clinfer_shape in, out;
    if (clinfer_session_input_shape(s, 0, &in) || clinfer_session_output_shape(s, 0, &out) ||
        in.rank != 4 || in.dims[0] != batch || in.dims[1] != 1 || in.dims[2] != 28 ||
        in.dims[3] != 28 || out.rank != 2 || out.dims[0] != batch ||
        out.dims[1] != FMNIST_CLASSES) {
        fprintf(stderr,
                "clinfer demo: the model must take [N, 1, 28, 28] images and give [N, %d] "
                "class scores\n",
                FMNIST_CLASSES);
        clinfer_session_free(s);
        return NULL;
    }
    return s;
}

/* Classifies images [first, first + n) with session s; writes the classes. */
static int classify(clinfer_session *s, const fmnist_set *set, long first, long n, float *x,
                    float *y, uint8_t *pred)
{
    const size_t pixels = (size_t)set->rows * (size_t)set->cols;
    const uint8_t *px = set->pixels + (size_t)first * pixels;
    for (size_t i = 0; i < (size_t)n * pixels; i++)
        x[i] = (float)px[i] / 255.0f; /* the training script's preprocessing */
    clinfer_status st = clinfer_session_set_input(s, 0, x, (size_t)n * pixels);
    if (!st)
        st = clinfer_session_run(s);
    if (!st)
        st = clinfer_session_get_output(s, 0, y, (size_t)n * FMNIST_CLASSES);
    if (st) {
        fprintf(stderr, "clinfer demo: images %ld-%ld: %s: %s\n", first, first + n - 1,
                clinfer_status_str(st), clinfer_last_errmsg());
        return -1;
    }
    for (long i = 0; i < n; i++) {
        const float *p = y + i * FMNIST_CLASSES;
        int best = 0; /* the first maximum, as torch.argmax */
        for (int c = 1; c < FMNIST_CLASSES; c++)
            if (p[c] > p[best])
                best = c;
        pred[first + i] = (uint8_t)best;
    }
    return 0;
}

static double percent(long a, long b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

/* The model, its sessions and the buffers of a Fashion-MNIST run. */
typedef struct fashion_run {
    clinfer_runtime *rt;
    clinfer_model *model;
    clinfer_session *full, *tail; /* `batch` images; the last n % batch */
    float *x, *y;
    uint8_t *pred; /* the class of each test image */
    long n, batch;
    double secs; /* the timed batches */
} fashion_run;

static void fashion_run_free(fashion_run *r)
{
    clinfer_session_free(r->tail);
    cli_free_run(r->full, r->model, r->rt);
    free(r->pred);
    free(r->y);
    free(r->x);
}

/* Counts over the classified images. */
typedef struct fashion_tally {
    long correct, agree, ref_correct;
    long wrong; /* the first misclassified image, -1: none */
} fashion_tally;

/* Loads the 28x28 test images; 0, or the command's exit status. */
static int load_test_set(const demo_options *o, fmnist_set *set)
{
    char err[1024];
    fmnist_result fr = fmnist_load(o->data, "t10k", set, err, sizeof err);
    if (fr == FMNIST_MISSING) {
        fprintf(stderr,
                "clinfer demo: the Fashion-MNIST test images are not installed (%s).\n"
                "Install them with:  apt-get install dataset-fashion-mnist\n"
                "(or point --data at a folder holding t10k-images-idx3-ubyte[.gz] and "
                "t10k-labels-idx1-ubyte[.gz]);\n"
                "`clinfer demo --lecture` runs the lecture's small example without them.\n",
                err);
        return EXIT_NO_DATASET;
    }
    if (fr != FMNIST_OK) {
        fprintf(stderr, "clinfer demo: %s\n", err);
        return 1;
    }
    if (set->rows != 28 || set->cols != 28) {
        fprintf(stderr, "clinfer demo: the images are %dx%d, the model takes 28x28\n", set->rows,
                set->cols);
        fmnist_free(set);
        return 1;
    }
    return 0;
}

/* The reference predictions of the model (*rr: reference_load's result);
 * 0, or 1 when they are unusable (then *ref is freed where it must be). */
static int load_reference_for(const demo_options *o, const fmnist_set *set, reference *ref,
                              int *rr)
{
    *rr = reference_load(ref, o->model);
    if (*rr < 0) {
        reference_free(ref);
        return 1;
    }
    if (*rr == 0 && ref->count != set->count) {
        fprintf(stderr, "clinfer demo: %s holds %ld predictions for %d test images\n",
                ref->pred_path, ref->count, set->count);
        reference_free(ref);
        return 1;
    }
    if (*rr > 0 && !o->model_given) {
        fprintf(stderr, "clinfer demo: the reference predictions %s are missing\n",
                ref->pred_path);
        return 1;
    }
    return 0;
}

/* The runtime, the model and its sessions; prints the device and model. */
static int open_model(const cli_common *common, const demo_options *o, fashion_run *r)
{
    double t0 = cli_now_ms();
    r->rt = cli_runtime(common);
    if (!r->rt)
        return 0;
    const clinfer_device_info *d = clinfer_runtime_device(r->rt);
    printf("device: %s (%s, %s)\n", d->name, clinfer_device_type_str(d->type),
           d->platform_name);
    clinfer_status st = clinfer_model_load(r->rt, o->model, &r->model);
    if (st) {
        fprintf(stderr, "clinfer demo: %s: %s: %s\n", o->model, clinfer_status_str(st),
                clinfer_last_errmsg());
        return 0;
    }
    if (clinfer_model_input_count(r->model) != 1 || clinfer_model_output_count(r->model) != 1) {
        fprintf(stderr, "clinfer demo: %s has %zu inputs and %zu outputs, expected 1 and 1\n",
                o->model, clinfer_model_input_count(r->model),
                clinfer_model_output_count(r->model));
        return 0;
    }
    r->full = classifier_session(r->model, r->batch);
    if (r->full && r->n % r->batch)
        r->tail = classifier_session(r->model, r->n % r->batch);
    if (!r->full || (r->n % r->batch && !r->tail))
        return 0;
    double t1 = cli_now_ms();
    clinfer_cache_stats cs = clinfer_runtime_cache_stats(r->rt);
    printf("model: %s\n       %.1f MB of weights (%s), %zu kernels, loaded and compiled in "
           "%.0f ms (OpenCL programs: %u compiled, %u from the cache)\n",
           o->model, (double)clinfer_model_weight_bytes(r->model) / 1e6,
           clinfer_precision_name(clinfer_runtime_precision(r->rt)),
           clinfer_model_kernel_node_count(r->model), t1 - t0, cs.source_builds, cs.disk_hits);
    printf("images: %ld Fashion-MNIST test images from %s\n\n", r->n, o->data);
    return 1;
}

/* Classifies the first n images in batches, timed after one untimed batch
 * (so that first-run costs are not counted). */
static int classify_all(fashion_run *r, const fmnist_set *set)
{
    if (classify(r->full, set, 0, r->batch, r->x, r->y, r->pred))
        return 0;
    double t2 = cli_now_ms();
    for (long first = 0; first < r->n; first += r->batch) {
        long k = r->n - first < r->batch ? r->n - first : r->batch;
        if (classify(k == r->batch ? r->full : r->tail, set, first, k, r->x, r->y, r->pred))
            return 0;
    }
    r->secs = (cli_now_ms() - t2) / 1e3;
    return 1;
}

static fashion_tally tally(const fashion_run *r, const fmnist_set *set, const reference *ref,
                           int rr)
{
    fashion_tally t = {0, 0, 0, -1};
    for (long i = 0; i < r->n; i++) {
        t.correct += r->pred[i] == set->labels[i];
        if (t.wrong < 0 && r->pred[i] != set->labels[i])
            t.wrong = i;
        if (rr == 0) {
            t.agree += r->pred[i] == ref->pred[i];
            t.ref_correct += ref->pred[i] == set->labels[i];
        }
    }
    return t;
}

/* Draws the first --show images, the last of them replaced by the first
 * misclassified one when that comes later. */
static void show_examples(const demo_options *o, const fmnist_set *set, const fashion_run *r,
                          long wrong)
{
    long which[64], shown = 0;
    long show = o->show < 64 ? o->show : 64;
    for (; shown < show && shown < r->n; shown++)
        which[shown] = shown;
    if (shown > 0 && wrong >= shown)
        which[shown - 1] = wrong;
    draw_images(set, which, (int)shown, r->pred);
}

/* With every test image classified: the predictions file must be the one
 * the JSON summary describes. */
static int reference_matches_json(const fmnist_set *set, const reference *ref)
{
    long all = 0;
    for (long i = 0; i < set->count; i++)
        all += ref->pred[i] == set->labels[i];
    if (all != ref->json_correct || ref->json_count != set->count) {
        printf("%s records %ld / %ld correct, but the predictions file gives %ld / %d\n",
               ref->json_path, ref->json_correct, ref->json_count, all, set->count);
        return 0;
    }
    return 1;
}

/* Prints the speed, the accuracy and the comparison with the reference;
 * the exit status: 0 when the reference is reproduced (or there is none). */
static int report(const fashion_run *r, const fmnist_set *set, const reference *ref, int rr,
                  const fashion_tally *t)
{
    const long n = r->n;
    printf("classified %ld images in batches of %ld in %.2f s: %.0f images/s\n", n, r->batch,
           r->secs, r->secs > 0 ? (double)n / r->secs : 0.0);
    printf("accuracy:            %.2f%% (%ld / %ld)\n", percent(t->correct, n), t->correct, n);
    if (rr > 0) {
        printf("no reference predictions (%s): accuracy not checked\n", ref->pred_path);
        return 0;
    }
    printf("reference accuracy:  %.2f%% (%ld / %ld, PyTorch, %s)\n", percent(t->ref_correct, n),
           t->ref_correct, n, ref->pred_path);
    printf("agreement with the reference predictions: %.2f%% (%ld / %ld)\n",
           percent(t->agree, n), t->agree, n);
    /* fp16 storage (and fp16-math) rounds every activation: the issue's
     * bar is the accuracy within 0.1 points and 99.5% of the predictions
     * agreeing */
    const int half = clinfer_runtime_precision(r->rt) != CLINFER_PRECISION_FP32;
    const long off_by = labs(t->correct - t->ref_correct);
    int ok = half ? off_by * 1000 <= n && t->agree * 1000 >= n * 995
                  : off_by == 0 && t->agree * 1000 >= n * 999;
    if (n == set->count && ref->json_correct >= 0 && !reference_matches_json(set, ref))
        ok = 0;
    if (ok) {
        printf("OK: the accuracy %s the reference and %.2f%% of the predictions agree\n",
               half ? "is within 0.1 points of" : "equals", percent(t->agree, n));
        return 0;
    }
    if (half)
        printf("FAILED: in fp16, clinfer must come within 0.1 points of the reference accuracy "
               "(%ld correct, got %ld) with at least 99.5%% of the predictions agreeing\n",
               t->ref_correct, t->correct);
    else
        printf("FAILED: clinfer must reproduce the reference accuracy (%ld correct, got %ld) "
               "with at least 99.9%% of the predictions agreeing\n",
               t->ref_correct, t->correct);
    return 1;
}

/* Classifies the test set and reports; frees *ref. */
static int classify_and_report(const cli_common *common, const demo_options *o,
                               const fmnist_set *set, reference *ref, int rr)
{
    fashion_run r;
    memset(&r, 0, sizeof r);
    r.n = o->limit > 0 && o->limit < set->count ? o->limit : set->count;
    r.batch = o->batch < r.n ? o->batch : r.n;
    r.x = malloc((size_t)r.batch * 784 * sizeof *r.x);
    r.y = malloc((size_t)r.batch * FMNIST_CLASSES * sizeof *r.y);
    r.pred = calloc((size_t)set->count, 1);
    int status = 1;
    if (!r.x || !r.y || !r.pred) {
        fprintf(stderr, "clinfer demo: out of memory\n");
    } else if (open_model(common, o, &r) && classify_all(&r, set)) {
        fashion_tally t = tally(&r, set, ref, rr);
        show_examples(o, set, &r, t.wrong);
        status = report(&r, set, ref, rr, &t);
    }
    fashion_run_free(&r);
    reference_free(ref);
    return status;
}

static int run_fashion(const cli_common *common, const demo_options *o)
{
    fmnist_set set;
    int status = load_test_set(o, &set);
    if (status != 0)
        return status;
    reference ref;
    int rr = 0;
    status = load_reference_for(o, &set, &ref, &rr);
    if (status == 0)
        status = classify_and_report(common, o, &set, &ref, rr);
    fmnist_free(&set);
    return status;
}

/* ================================================================ command */

/* The value of --model, --data, --batch, --limit or --show into o. */
static int parse_value(demo_options *o, const char *opt, const char *v)
{
    long long x = 0;
    if (strcmp(opt, "--model") == 0)
        o->model = v, o->model_given = 1;
    else if (strcmp(opt, "--data") == 0)
        o->data = v;
    else if (!cli_count("demo", opt, v, strcmp(opt, "--show") == 0 ? 0 : 1, INT_MAX, &x))
        return 0;
    else
        *(opt[2] == 'b' ? &o->batch : opt[2] == 'l' ? &o->limit : &o->show) = (long)x;
    return 1;
}

/* Returns 0, or 2 (the exit code) after printing what was wrong. */
static int parse_args(cli_common *common, demo_options *o, int *lecture, int argc, char **argv)
{
    static const char *const with_value[] = {"--model", "--data", "--batch", "--limit",
                                             "--show"};
    for (int i = 0, r; (r = cli_next_arg(common, argc, argv, &i)) != 0; i++) {
        if (r < 0)
            return 2;
        const char *arg = argv[i];
        int takes_value = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            takes_value |= strcmp(arg, with_value[k]) == 0;
        if (strcmp(arg, "--lecture") == 0) {
            *lecture = 1;
        } else if (!takes_value) {
            fprintf(stderr, "clinfer demo: unknown argument %s (see clinfer demo --help)\n",
                    cli_safe(arg));
            return 2;
        } else {
            const char *v = cli_value("demo", argc, argv, &i);
            if (!v || !parse_value(o, arg, v))
                return 2;
        }
    }
    return 0;
}

int cmd_demo(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, demo_help))
        return 0;
    cli_common common = *common_in;
    demo_options o = {cli_demo_model(), FMNIST_DEFAULT_DIR, 100, 0, 4, 0};
    int lecture = 0;
    int rc = parse_args(&common, &o, &lecture, argc, argv);
    if (rc != 0)
        return rc;
    if (!lecture)
        return run_fashion(&common, &o);

    double t0 = cli_now_ms();
    clinfer_runtime *rt = cli_runtime(&common);
    if (!rt)
        return 1;
    const clinfer_device_info *d = clinfer_runtime_device(rt);
    printf("device: %s (%s, %s)\n\n", d->name, clinfer_device_type_str(d->type),
           d->platform_name);
    clinfer_status st = run_lecture(rt);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer demo: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        clinfer_runtime_free(rt);
        return 1;
    }
    clinfer_cache_stats s = clinfer_runtime_cache_stats(rt);
    const char *dir = clinfer_runtime_cache_dir(rt);
    printf("took %.0f ms; OpenCL programs: %u compiled, %u loaded from the cache (%s)\n",
           cli_now_ms() - t0, s.source_builds, s.disk_hits, dir ? dir : "disk cache off");
    clinfer_runtime_free(rt);
    return 0;
}
