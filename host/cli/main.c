/*
 * main.c — `clinfer`: dispatches to a command and holds what commands share.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

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

static void usage(FILE *to)
{
    fprintf(to, "usage: clinfer [--device SPEC] [--verbose] COMMAND [OPTIONS]\n\n"
                "clinfer runs convolutional neural networks through OpenCL.\n\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\noptions (before or after the command):\n" CLI_COMMON_HELP
                "\nenvironment:\n"
                "  CLINFER_DEVICE     default device SPEC\n"
                "  CLINFER_CACHE_DIR  program cache folder (default ~/.cache/clinfer)\n"
                "  CLINFER_CACHE=0    do not use the on-disk program cache\n"
                "\n`clinfer COMMAND --help` describes a command.\n");
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
            fprintf(stderr, "clinfer: --precision needs fp32 or fp16\n");
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

int main(int argc, char **argv)
{
    cli_common common = {NULL, 0, CLINFER_PRECISION_DEFAULT};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        int r = cli_parse_common(&common, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r == 0) {
            fprintf(stderr, "clinfer: unknown option %s\n\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(&common, argc - i - 1, argv + i + 1);
    fprintf(stderr, "clinfer: unknown command '%s'\n\n", argv[i]);
    usage(stderr);
    return 2;
}
