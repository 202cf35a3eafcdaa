/*
 * main.c — `clinfer`: dispatches to a command and holds what commands share.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "safe_text.h"

typedef struct command {
    const char *name;
    int (*run)(const cli_common *common, int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"devices", cmd_devices, "list OpenCL platforms and devices, marking the default"},
    {"demo", cmd_demo, "classify Fashion-MNIST with the lecture's trained CNN (--lecture: 6x6 example)"},
    {"run", cmd_run, "run an ONNX model on .npy/.pb inputs, summarise and save its outputs"},
    {"info", cmd_info, "describe an ONNX model and list what clinfer cannot run in it"},
    {"bench", cmd_bench, "time a model (or one GEMM, --gemm MxNxK): latency, images/s, profile"},
    {"compile", cmd_compile, "build and cache every OpenCL kernel a model needs, ahead of use"},
    {"verify", cmd_verify, "check every node of a model against the naive kernels"},
};
/* Also `clinfer version` (and `clinfer --version`): the library's version. */

static void usage(FILE *to)
{
    fprintf(to, "usage: clinfer [--device SPEC] [--verbose] COMMAND [OPTIONS]\n"
                "       clinfer --version\n\n"
                "clinfer runs convolutional neural networks through OpenCL.\n\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "  %-10s %s\n", "version", "print clinfer's version (also --version)");
    fprintf(to, "\noptions (before or after the command):\n" CLI_COMMON_HELP
                "\nenvironment:\n"
                "  CLINFER_DEVICE     default device SPEC\n"
                "  CLINFER_CACHE_DIR  program cache folder (default ~/.cache/clinfer)\n"
                "  CLINFER_CACHE=0    do not use the on-disk program cache\n"
                "\nEvery option's value may follow it (--batch 8) or be joined to it by '='\n"
                "(--batch=8). `clinfer COMMAND --help` describes a command.\n");
}

/* Options that take no value (every command's: a new flag belongs here):
 * "--json=1" is refused rather than read as "--json" followed by an
 * argument "1". */
static const char *const flags[] = {"--verbose", "--json",    "--profile", "--matmul",
                                    "--lecture", "--isolate", "--no-run",  "--help",
                                    "--version", "--bgr",     "--nhwc",    "--gray"};

/* argv with every "--opt=value" split into "--opt" "value", as
 * getopt_long reads them, so that each command's loop sees one form;
 * *owned collects the copies to free. NULL (printed) on a value given to
 * a flag or out of memory. */
static char **split_equals(int argc, char **argv, int *out_argc, char ***owned)
{
    char **out = calloc((size_t)argc * 2 + 1, sizeof *out);
    char **own = calloc((size_t)argc + 1, sizeof *own); /* NULL-terminated */
    int n = 0, k = 0, ok = out && own;
    for (int i = 0; ok > 0 && i < argc; i++) {
        const char *eq = strncmp(argv[i], "--", 2) == 0 ? strchr(argv[i], '=') : NULL;
        if (!eq || eq == argv[i] + 2) {
            out[n++] = argv[i];
            continue;
        }
        size_t len = (size_t)(eq - argv[i]);
        for (size_t f = 0; ok > 0 && f < sizeof flags / sizeof flags[0]; f++)
            if (strlen(flags[f]) == len && strncmp(argv[i], flags[f], len) == 0) {
                fprintf(stderr, "clinfer: %s takes no value, got %s\n", flags[f],
                        cli_safe(argv[i]));
                ok = -1;
            }
        if (ok > 0 && !(own[k] = malloc(len + 1)))
            ok = 0;
        if (ok > 0) {
            memcpy(own[k], argv[i], len);
            own[k][len] = 0;
            out[n++] = own[k++];
            out[n++] = (char *)eq + 1;
        }
    }
    if (ok > 0) {
        *out_argc = n;
        *owned = own;
        return out;
    }
    if (ok == 0)
        fprintf(stderr, "clinfer: out of memory\n");
    for (int j = 0; own && j < k; j++)
        free(own[j]);
    free(own);
    free(out);
    return NULL;
}

int cli_parse_common(cli_common *common, int argc, char **argv, int *i)
{
    if (strcmp(argv[*i], "--verbose") == 0) {
        common->verbose = 1;
        return 1;
    }
    if (strcmp(argv[*i], "--device") == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "clinfer: --device needs a SPEC (see `clinfer devices`)\n");
            return -1;
        }
        common->device = argv[++*i];
        return 1;
    }
    if (strncmp(argv[*i], "--device=", 9) == 0) {
        common->device = argv[*i] + 9;
        return 1;
    }
    if (strcmp(argv[*i], "--precision") == 0 || strncmp(argv[*i], "--precision=", 12) == 0) {
        const char *text = argv[*i][11] == '=' ? argv[*i] + 12 : NULL;
        if (!text && *i + 1 >= argc) {
            fprintf(stderr, "clinfer: --precision needs fp32, fp16 or fp16-math\n");
            return -1;
        }
        if (!text)
            text = argv[++*i];
        if (clinfer_precision_parse(text, &common->precision) != CLINFER_OK) {
            fprintf(stderr, "clinfer: --precision: %s\n", clinfer_last_errmsg());
            return -1;
        }
        return 1;
    }
    return 0;
}

void cli_free_run(clinfer_session *s, clinfer_model *m, clinfer_runtime *rt)
{
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
}

int cli_help_shown(int argc, char **argv, const char *help)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return 1;
        }
    return 0;
}

clinfer_runtime *cli_runtime(const cli_common *common)
{
    /* Compile progress only on a terminal: scripts and tests that read the
     * output of `run` or `demo` see no extra lines. */
    static cli_progress progress;
    cli_progress_init(&progress, "clinfer", isatty(STDERR_FILENO));
    return cli_runtime_progress(common, &progress);
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int print_version(void)
{
    /* The library's run-time version; the CLI is linked statically, so it
     * is also the tool's. */
    printf("clinfer %s\n", clinfer_version());
    return 0;
}

/* Runs the command at argv[i] with the common options parsed before it. */
static int dispatch(int argc, char **argv)
{
    cli_common common = {NULL, 0, CLINFER_PRECISION_DEFAULT};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0)
            return print_version();
        int r = cli_parse_common(&common, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r == 0) {
            fprintf(stderr, "clinfer: unknown option %s\n\n", cli_safe(argv[i]));
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[i], "version") == 0) {
        if (i + 1 == argc)
            return print_version();
        fprintf(stderr, "clinfer version: takes no arguments\n");
        return 2;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(&common, argc - i - 1, argv + i + 1);
    fprintf(stderr, "clinfer: unknown command '%s'\n\n", cli_safe(argv[i]));
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    /* PoCL's worker threads pinned to a core each (POCL_AFFINITY=1) unless
     * the caller chose otherwise, before any OpenCL call: a command is one
     * process that wants every core. Unpinned, a worker that went to sleep
     * between two kernels was often woken too late to take part in a short
     * one (on a 2-core EPYC virtual machine a 0.4 ms kernel ran on one
     * core; batch-1 medians, alternating: MobileNetV2 3.49 -> 3.24 ms,
     * MobileNetV3-Large 3.57 -> 3.07, SqueezeNet 1.1 3.04 -> 2.64). The
     * library leaves the environment alone: processes sharing a machine
     * (Ray's actors, each on one PoCL thread) would all pin their workers
     * to the first cores. */
    setenv("POCL_AFFINITY", "1", 0);
    int n = 0;
    char **owned = NULL, **args = split_equals(argc, argv, &n, &owned);
    if (!args)
        return 2;
    int rc = dispatch(n, args);
    for (char **p = owned; *p; p++)
        free(*p);
    free(owned);
    free(args);
    return rc;
}
