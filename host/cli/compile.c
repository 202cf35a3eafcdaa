/*
 * compile.c — `clinfer compile MODEL.onnx`: builds every OpenCL program a
 * model needs on the chosen device ahead of use, so that the on-disk
 * program cache is warm and later runs start without compiling. Also holds
 * the compile progress shown by every command (cli_progress, cli.h) and
 * small helpers shared with `clinfer bench`.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "safe_text.h"

static const char compile_help[] =
    "usage: clinfer compile MODEL.onnx [--batch N | --shape NAME=DIMS...] [--no-run]\n"
    "                       [OPTIONS]\n\n"
    "Warms the program cache for a model: loads it, creates a session for batch N\n"
    "(which builds every OpenCL program the model's layers use on this device)\n"
    "and runs it once on zeros (which also fills PoCL's own kernel cache and any\n"
    "tuning the kernels do on first use). Prints what was compiled and how long\n"
    "it took. Afterwards the model starts on this device without compiling. The\n"
    "first use of a device compiles the kernels; progress is shown on stderr.\n"
    "Unlike other commands it stores device binaries on PoCL too (as\n"
    "CLINFER_BINARIES=always): that costs PoCL a second compile of each kernel\n"
    "now, and lets a later start load each program in milliseconds. It also\n"
    "runs the GEMM tile search on CPUs (as CLINFER_TUNE=1), which other\n"
    "commands skip there, taking the default tiles until a choice is stored.\n\n"
    "options:\n"
    "  --batch N   the batch size to prepare for (default 1; kernels may differ\n"
    "              by batch size, so warm the sizes you will run)\n"
    "  --shape NAME=DIMS  the shape of input NAME to prepare for (e.g.\n"
    "              x=1x3x480x640; repeat for several inputs): needed for sizes the\n"
    "              model leaves symbolic; sets the batch too\n"
    "  --no-run    only load and create the session, do not run once\n" CLI_COMMON_HELP
    "\nenvironment: CLINFER_CACHE_DIR (the cache folder, default ~/.cache/clinfer);\n"
    "POCL_CACHE_DIR (PoCL's own cache, default ~/.cache/pocl/kcache).\n";

/* ------------------------------------------------------------ progress */

void cli_progress_init(cli_progress *p, const char *prefix, int show)
{
    memset(p, 0, sizeof *p);
    p->prefix = prefix;
    p->show = show;
}

static void progress_count(cli_progress *p, const char *name)
{
    for (int i = 0; i < p->name_count; i++)
        if (strcmp(p->names[i], name) == 0) {
            p->counts[i]++;
            return;
        }
    if (p->name_count < (int)(sizeof p->counts / sizeof p->counts[0])) {
        snprintf(p->names[p->name_count], sizeof p->names[0], "%s", name);
        p->counts[p->name_count++] = 1;
    }
}

/* Splits "NAME (node 5/54)", the library's compile message after its
 * prefix, into the name and "node 5/54" (empty when the message has no
 * node: a compile outside session creation). */
static void split_compile(const char *text, char *name, size_t name_cap, char *node,
                          size_t node_cap)
{
    int at = 0, of = 0, used = 0;
    const char *paren = strstr(text, " (node ");
    node[0] = '\0';
    if (paren && sscanf(paren, " (node %d/%d)%n", &at, &of, &used) == 2 && paren[used] == '\0') {
        snprintf(node, node_cap, "node %d/%d ", at, of);
        snprintf(name, name_cap, "%.*s", (int)(paren - text), text);
    } else {
        snprintf(name, name_cap, "%s", text);
    }
}

static void progress_log(void *user, clinfer_log_level level, const char *msg)
{
    static const char *const levels[] = {"debug", "info", "warning", "error"};
    static const char compiling[] = "compiling OpenCL program ";
    cli_progress *p = user;
    double now = cli_now_ms();
    if (strncmp(msg, compiling, sizeof compiling - 1) == 0) {
        char name[sizeof p->names[0]], node[48];
        split_compile(msg + sizeof compiling - 1, name, sizeof name, node, sizeof node);
        if (p->compiles == 0 && p->tunings == 0)
            p->first_ms = now;
        if (p->compiles == 0 && p->show) {
            const char *dir = p->rt ? clinfer_runtime_cache_dir(p->rt) : NULL;
            if (dir)
                fprintf(stderr,
                        "%s: first run of these kernels on this device: compiling OpenCL "
                        "kernels, this happens once (recorded in %s)\n",
                        p->prefix, dir);
            else
                fprintf(stderr,
                        "%s: compiling OpenCL kernels (the disk cache is off, so every "
                        "process compiles them again)\n",
                        p->prefix);
        }
        p->compiles++;
        p->last_ms = now;
        progress_count(p, name);
        if (p->show) /* n/N: the session's kernel nodes, which compile in order */
            fprintf(stderr, "%s: compiling kernels: %s%-16s (program %d) %6.1f s elapsed\n",
                    p->prefix, node, name, p->compiles, (now - p->first_ms) / 1e3);
        return;
    }
    if (strncmp(msg, "tuning", 6) == 0 && level < CLINFER_LOG_WARNING) { /* warnings: below */
        if (p->compiles == 0 && p->tunings == 0)
            p->first_ms = now;
        if (p->tunings == 0 && p->show)
            fprintf(stderr,
                    "%s: first use on this device: measuring kernel tile sizes, this "
                    "happens once\n",
                    p->prefix);
        p->tunings++;
        p->last_ms = now;
        if (p->show)
            fprintf(stderr, "%s: %s (%.1f s)\n", p->prefix, msg, (now - p->first_ms) / 1e3);
        return;
    }
    if (level == CLINFER_LOG_ERROR) /* errors are printed by the command */
        return;
    if (level >= CLINFER_LOG_WARNING || p->verbose)
        fprintf(stderr, "clinfer: %s: %s\n", levels[level], msg);
}

void cli_progress_first_run(cli_progress *p)
{
    p->run_ms = cli_now_ms();
    if (p->show && p->compiles > 0)
        fprintf(stderr,
                "%s: first run: the OpenCL driver finishes compiling each kernel at its first "
                "launch (%d program%s built)\n",
                p->prefix, p->compiles, p->compiles == 1 ? "" : "s");
}

void cli_progress_first_run_done(const cli_progress *p)
{
    const double now = cli_now_ms();
    if (p->show && p->compiles > 0)
        fprintf(stderr, "%s: first run done in %.1f s (%.1f s since the first compile)\n",
                p->prefix, (now - p->run_ms) / 1e3, (now - p->first_ms) / 1e3);
}

clinfer_runtime *cli_runtime_progress(const cli_common *common, cli_progress *p)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    p->verbose = common->verbose;
    o.device_spec = common->device;
    o.precision = common->precision;
    o.binaries = p->binaries;
    o.tuning = p->tuning;
    o.log = progress_log;
    o.log_user_data = p;
    o.log_level = common->verbose ? CLINFER_LOG_DEBUG
                  : p->show      ? CLINFER_LOG_INFO
                                 : CLINFER_LOG_WARNING;
    clinfer_runtime *rt = NULL;
    clinfer_status st = clinfer_runtime_create(&o, &rt);
    if (st != CLINFER_OK)
        fprintf(stderr, "clinfer: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
    p->rt = rt;
    return rt;
}

void cli_progress_names(const cli_progress *p, char *buf, size_t cap)
{
    size_t w = 0;
    buf[0] = 0;
    for (int i = 0; i < p->name_count && w + 1 < cap; i++) {
        int n = p->counts[i] > 1 ? snprintf(buf + w, cap - w, "%s%s x%d", i ? ", " : "",
                                             p->names[i], p->counts[i])
                                 : snprintf(buf + w, cap - w, "%s%s", i ? ", " : "", p->names[i]);
        if (n < 0)
            break;
        w += (size_t)n;
    }
    if (w >= cap && cap > 4)
        snprintf(buf + cap - 4, 4, "...");
}

/* ------------------------------------------------------------ helpers */

size_t cli_shape_numel(const clinfer_shape *s)
{
    size_t n = 1;
    for (int32_t d = 0; d < s->rank; d++)
        n *= s->dims[d] > 0 ? (size_t)s->dims[d] : 0;
    return n;
}

void cli_shape_text(const clinfer_shape *s, char *buf, size_t cap)
{
    size_t w = 0;
    int n = snprintf(buf, cap, "[");
    w = n > 0 ? (size_t)n : 0;
    for (int32_t d = 0; d < s->rank && w < cap; d++) {
        n = snprintf(buf + w, cap - w, d ? ",%lld" : "%lld", (long long)s->dims[d]);
        w += n > 0 ? (size_t)n : 0;
    }
    if (w < cap)
        snprintf(buf + w, cap - w, "]");
}

int cli_input_shape_fits(const char *cmd, const char *name, const clinfer_shape *want,
                         const clinfer_shape *got)
{
    int same = got->rank == want->rank;
    for (int32_t d = 0; same && d < want->rank; d++)
        same = got->dims[d] == want->dims[d];
    if (!same) {
        char a[160], b[160];
        cli_shape_text(want, a, sizeof a);
        cli_shape_text(got, b, sizeof b);
        fprintf(stderr, "clinfer %s: input \"%s\" needs shape %s, the file holds %s\n", cmd,
                cli_safe(name), a, b);
    }
    return same;
}

void cli_session_shapes(const clinfer_model *m, cli_shapes *shapes, const clinfer_tensor *files,
                        int nfiles, clinfer_session_options *so)
{
    if (shapes->count == 0) {
        size_t n = (size_t)nfiles;
        if (n > clinfer_model_input_count(m))
            n = clinfer_model_input_count(m);
        if (n > CLI_MAX_SHAPES)
            n = CLI_MAX_SHAPES;
        for (size_t i = 0; i < n; i++) {
            shapes->items[i].name = clinfer_model_input_name(m, i);
            shapes->items[i].shape = files[i].shape;
        }
        shapes->count = (int)n;
    }
    so->input_shapes = shapes->count ? shapes->items : NULL;
    so->input_shape_count = (size_t)shapes->count;
}

void cli_session_error(const char *prefix, clinfer_status st, const clinfer_session_options *so)
{
    const char *msg = clinfer_last_errmsg();
    fprintf(stderr, "%s: %s: %s\n", prefix, clinfer_status_str(st), msg);
    if (so->input_shape_count == 0 && strstr(msg, "symbolic sizes"))
        fprintf(stderr, "%s: give the input sizes with --shape NAME=DIMS (e.g. --shape "
                        "x=1x3x224x224) or an --input file\n",
                prefix);
}

long long cli_session_batch(const clinfer_session *s, const clinfer_model *m, long long requested,
                            const char *prefix)
{
    long long batch = 0;
    for (size_t i = 0; i < clinfer_model_input_count(m); i++) {
        clinfer_shape sh;
        if (clinfer_session_input_shape(s, i, &sh) != CLINFER_OK || sh.rank < 1)
            continue;
        if (requested > 0 && sh.dims[0] != requested) {
            char text[160];
            cli_shape_text(&sh, text, sizeof text);
            fprintf(stderr,
                    "%s: --batch %lld, but input \"%s\" has the fixed shape %s: its batch "
                    "dimension is not symbolic (export the model with a dynamic batch axis, "
                    "or leave out --batch)\n",
                    prefix, requested, clinfer_model_input_name(m, i), text);
            return -1;
        }
        if (!batch)
            batch = sh.dims[0];
    }
    return batch > 0 ? batch : 1;
}

/* ------------------------------------------------------------ compile */

typedef struct compile_args {
    const char *model;
    long long batch; /* 0: not given */
    int no_run;
    cli_shapes shapes;
} compile_args;

static int parse_args(cli_common *common, compile_args *a, int argc, char **argv)
{
    for (int i = 0, r; (r = cli_next_arg(common, argc, argv, &i)) != 0; i++) {
        if (r < 0)
            return -1;
        const char *arg = argv[i], *v = NULL;
        if (strcmp(arg, "--batch") == 0) {
            if (!(v = cli_value("compile", argc, argv, &i)) ||
                !cli_count("compile", arg, v, 1, 1 << 24, &a->batch))
                return -1;
        } else if (strcmp(arg, "--shape") == 0) {
            if (!(v = cli_value("compile", argc, argv, &i)) ||
                !cli_shape_arg("compile", v, &a->shapes))
                return -1;
        } else if (strcmp(arg, "--no-run") == 0) {
            a->no_run = 1;
        } else if (!cli_positional("compile", arg, &a->model)) {
            return -1;
        }
    }
    if (!a->model) {
        fprintf(stderr, "clinfer compile: which model? (clinfer compile MODEL.onnx)\n");
        return -1;
    }
    if (a->batch && a->shapes.count) {
        fprintf(stderr, "clinfer compile: --shape gives the batch too; drop --batch\n");
        return -1;
    }
    return 0;
}

/* Sets every input to zeros, runs once and waits for the outputs. */
static int run_once(clinfer_session *s, const clinfer_model *m)
{
    for (size_t i = 0; i < clinfer_model_input_count(m); i++) {
        clinfer_shape sh;
        clinfer_session_input_shape(s, i, &sh);
        size_t n = cli_shape_numel(&sh);
        float *x = calloc(n ? n : 1, sizeof *x);
        int ok = x && clinfer_session_set_input(s, i, x, n) == CLINFER_OK;
        free(x);
        if (!ok)
            return 0;
    }
    if (clinfer_session_run(s) != CLINFER_OK)
        return 0;
    for (size_t i = 0; i < clinfer_model_output_count(m); i++) {
        clinfer_shape sh;
        clinfer_session_output_shape(s, i, &sh);
        size_t n = cli_shape_numel(&sh);
        float *y = malloc((n ? n : 1) * sizeof *y);
        int ok = y && clinfer_session_get_output(s, i, y, n) == CLINFER_OK;
        free(y);
        if (!ok)
            return 0;
    }
    return 1;
}

int cmd_compile(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, compile_help))
        return 0;
    cli_common common = *common_in;
    compile_args a;
    memset(&a, 0, sizeof a);
    if (parse_args(&common, &a, argc, argv) != 0)
        return 2;
    int rc = 1;
    cli_progress progress;
    cli_progress_init(&progress, "clinfer compile", 1);
    /* the install-time warm-up: device binaries on every driver, so that a
     * later start loads each program instead of rebuilding it (PoCL) */
    progress.binaries = "always";
    progress.tuning = CLINFER_TUNING_ON; /* and the GEMM tile search on CPUs too */
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    double t0 = cli_now_ms();
    clinfer_runtime *rt = cli_runtime_progress(&common, &progress);
    if (!rt)
        return 1;
    const char *dir = clinfer_runtime_cache_dir(rt);
    double t1 = cli_now_ms();
    clinfer_status st = clinfer_model_load(rt, a.model, &m);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer compile: %s: %s: %s\n", cli_safe(a.model), clinfer_status_str(st),
                clinfer_last_errmsg());
        goto done;
    }
    double t2 = cli_now_ms();
    clinfer_session_options so = clinfer_session_options_default();
    so.batch = a.batch ? a.batch : 1;
    cli_session_shapes(m, &a.shapes, NULL, 0, &so);
    if ((st = clinfer_session_create(m, &so, &s)) != CLINFER_OK) {
        cli_session_error("clinfer compile", st, &so);
        goto done;
    }
    double t3 = cli_now_ms();
    long long batch = cli_session_batch(s, m, a.batch, "clinfer compile");
    if (batch < 0)
        goto done;
    if (!a.no_run) {
        cli_progress_first_run(&progress);
        if (!run_once(s, m)) {
            fprintf(stderr, "clinfer compile: running once failed: %s\n",
                    clinfer_session_errmsg(s));
            goto done;
        }
        cli_progress_first_run_done(&progress);
    }
    double t4 = cli_now_ms();
    clinfer_cache_stats cs = clinfer_runtime_cache_stats(rt);
    char names[1024];
    cli_progress_names(&progress, names, sizeof names);
    printf("model %s on %s, batch %lld: %zu kernel nodes\n", cli_safe(a.model),
           cli_safe(clinfer_runtime_device(rt)->name), batch, clinfer_model_kernel_node_count(m));
    if (cs.source_builds > 0)
        printf("compiled %u OpenCL program%s from source: %s\n", (unsigned)cs.source_builds,
               cs.source_builds == 1 ? "" : "s", names);
    else
        printf("nothing to compile: the program cache was already warm\n");
    printf("programs: %u compiled, %u from the disk cache, %u rejected there and rebuilt, "
           "%u reused within this process\n",
           (unsigned)cs.source_builds, (unsigned)cs.disk_hits, (unsigned)cs.disk_rejects,
           (unsigned)cs.memory_hits);
    if (progress.tunings)
        printf("tuning: %d measurement%s on first use (kept beside the program cache)\n",
               progress.tunings, progress.tunings == 1 ? "" : "s");
    printf("time: runtime %.0f ms, model load %.0f ms, session (kernels) %.0f ms, ", t1 - t0,
           t2 - t1, t3 - t2);
    if (a.no_run)
        printf("no run; total %.2f s\n", (t4 - t0) / 1e3);
    else
        printf("first run %.0f ms; total %.2f s\n", t4 - t3, (t4 - t0) / 1e3);
    if (dir)
        printf("cache: %s is warm for this model on this device (batch %lld)\n", dir, batch);
    else
        printf("cache: the disk cache is off (CLINFER_CACHE=0), nothing was kept\n");
    rc = 0;
done:
    cli_free_run(s, m, rt);
    return rc;
}
