/*
 * cli.h — the `clinfer` command-line tool: one function per command. The
 * CLI is the only part of clinfer that prints or exits.
 */
#ifndef CLINFER_CLI_H
#define CLINFER_CLI_H

#include "clinfer.h"

/* Options every command takes. */
typedef struct cli_common {
    const char *device; /* --device SPEC, or NULL */
    int verbose;        /* --verbose: log at debug level */
    clinfer_precision precision; /* --precision fp32|fp16|fp16-math; DEFAULT: $CLINFER_PRECISION */
} cli_common;

/* Each command gets the arguments after its name; returns the exit code. */
int cmd_devices(const cli_common *common, int argc, char **argv);
int cmd_demo(const cli_common *common, int argc, char **argv);
int cmd_run(const cli_common *common, int argc, char **argv);  /* run.c */
int cmd_info(const cli_common *common, int argc, char **argv); /* info.c */
int cmd_bench(const cli_common *common, int argc, char **argv);   /* bench.c */
int cmd_compile(const cli_common *common, int argc, char **argv); /* compile.c */
int cmd_verify(const cli_common *common, int argc, char **argv);  /* verify.c */

/* Consumes a common option at argv[*i] (advancing *i past its value);
 * returns 1 if it was one, 0 if not, -1 on a missing value (printed). */
int cli_parse_common(cli_common *common, int argc, char **argv, int *i);

/* The steps of a command's argument loop (args.c); `cmd` names the
 * command in messages, which they print.
 *   for (int i = 0, r; (r = cli_next_arg(&common, argc, argv, &i)) != 0; i++)
 * visits, in argv[i], every argument that is not a common option (those
 * are consumed into common); r < 0: a common option lacked its value. */
int cli_next_arg(cli_common *common, int argc, char **argv, int *i);

/* The value of the option at argv[*i] (advancing *i to it), or NULL when
 * it is the last argument. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i);

/* Parses `text`, the value of `opt`, as an integer in [lo, hi]; 0 when it
 * is not one. */
int cli_count(const char *cmd, const char *opt, const char *text, long long lo, long long hi,
              long long *out);

/* The --shape NAME=AxBxC.. values of a command (each copied). */
#define CLI_MAX_SHAPES 16
typedef struct cli_shapes {
    clinfer_input_shape items[CLI_MAX_SHAPES];
    char names[CLI_MAX_SHAPES][256];
    int count;
} cli_shapes;

/* "AxBxC" into *shape: 1 to CLINFER_MAX_RANK sizes, each 1..2^31-1; 0
 * when the text is not that (dims.c; nothing printed). */
int cli_parse_dims(const char *text, clinfer_shape *shape);

/* Parses one --shape value into s ("x=1x3x480x640"); 0 when it is not one
 * (printed). */
int cli_shape_arg(const char *cmd, const char *text, cli_shapes *s);

/* Takes one --input [NAME=]FILE value (the name is everything before the
 * first '='; NULL: by position) into names[*count] (malloc'd, the caller
 * frees it) and files[*count] (into text); 0 (printed) when max are
 * taken already or out of memory. */
int cli_input_arg(const char *cmd, const char *text, const char **names, const char **files,
                  int *count, int max);

/* Which model input each of n --input files feeds (inputs.c): index_of[k]
 * for file k, named (names[k]) or else the next input no file names; 0
 * (printed, after "clinfer CMD: ") on an unknown name, a name given twice
 * or more files than inputs. */
int cli_input_order(const char *cmd, const clinfer_model *m, const char *const *names, int n,
                    int *index_of);

/* Puts files[0..n) (read from --input files with names[k], NULL: by
 * position) in the order of the model's inputs, file i for input i, as
 * commands that fill the remaining inputs with random values take them;
 * 0 (printed) on an unknown or repeated name, too many files, or an input
 * left without a file before one that has one. n <= CLI_MAX_INPUTS. */
#define CLI_MAX_INPUTS 64
int cli_input_sort(const char *cmd, const clinfer_model *m, const char *const *names,
                   clinfer_tensor *files, int n);

/* 1 when an input file's shape `got` is the shape `want` of model input
 * `name`; else prints why, after "clinfer CMD: ", and returns 0. */
int cli_input_shape_fits(const char *cmd, const char *name, const clinfer_shape *want,
                         const clinfer_shape *got);

/* An argument no option took: the model path when it is the first
 * positional one (into *model), else an error (an unknown option or an
 * extra argument). Returns 1 when taken, 0 on the error. */
int cli_positional(const char *cmd, const char *arg, const char **model);

/* Creates a runtime for the common options, printing errors; NULL on error.
 * Library warnings go to stderr (every message with --verbose); when stderr
 * is a terminal, program compiles are shown as progress (cli_progress). */
clinfer_runtime *cli_runtime(const cli_common *common);

/* Progress of OpenCL program compiles (compile.c). The library logs
 * "compiling OpenCL program NAME (node n/N)" at INFO level before each
 * compile from source (a cold program cache; n of the N kernel nodes of
 * the session being created) and "tuning ... (i/K)" while it measures tile
 * sizes; a runtime made by cli_runtime_progress turns those into progress
 * lines on stderr with n/N and the time since the first compile, the first
 * one saying that this happens once per device.
 * Other INFO and DEBUG messages are printed only with --verbose. */
typedef struct cli_progress {
    const char *prefix;  /* "clinfer bench": starts every line */
    int show;            /* print progress lines (else only count) */
    int verbose;         /* --verbose: print every message */
    clinfer_runtime *rt; /* set by cli_runtime_progress */
    const char *binaries; /* clinfer_runtime_options.binaries; NULL: auto */
    clinfer_tuning tuning; /* clinfer_runtime_options.tuning */
    double first_ms;     /* cli_now_ms() at the first compile; 0 if none yet */
    double last_ms;      /* at the latest compile or tuning message */
    int compiles;        /* programs compiled from source */
    int tunings;         /* tuning messages */
    double run_ms;       /* cli_now_ms() when the first run began */
    /* Programs compiled, by name, with counts (the first 32 names). */
    char names[32][48];
    int counts[32];
    int name_count;
} cli_progress;

/* Sets up *p; show: print progress lines. */
void cli_progress_init(cli_progress *p, const char *prefix, int show);

/* Like cli_runtime, with compile progress reported through *p (which must
 * outlive the runtime). */
clinfer_runtime *cli_runtime_progress(const cli_common *common, cli_progress *p);

/* Around the first run of a session whose programs this process compiled
 * (nothing is printed otherwise): drivers such as PoCL generate each
 * kernel's code at its first launch, so on a cold start the first run
 * takes as long as the compiles; a line before it says so, one after it
 * gives its time. */
void cli_progress_first_run(cli_progress *p);
void cli_progress_first_run_done(const cli_progress *p);

/* "conv2d x3, gemm x2, pool2d" into buf: what *p saw compiled. */
void cli_progress_names(const cli_progress *p, char *buf, size_t cap);

/* Elements of a shape; "[1,3,224,224]" (compile.c). */
size_t cli_shape_numel(const clinfer_shape *s);
void cli_shape_text(const clinfer_shape *s, char *buf, size_t cap);

/* The batch size a session runs: the first dimension of its inputs (1 when
 * none has one). If requested > 0 and an input's first dimension differs
 * (the model's batch is fixed), prints why, prefixed by `prefix`, and
 * returns -1. */
/* Sets so's input shapes: the --shape values, else the shapes of the
 * input files (file i for model input i), else none. */
void cli_session_shapes(const clinfer_model *m, cli_shapes *shapes, const clinfer_tensor *files,
                        int nfiles, clinfer_session_options *so);

/* Prints why clinfer_session_create failed, prefixed by `prefix`, with a
 * hint when input sizes were missing and none were given. */
void cli_session_error(const char *prefix, clinfer_status st, const clinfer_session_options *so);

long long cli_session_batch(const clinfer_session *s, const clinfer_model *m,
                            long long requested, const char *prefix);

/* Frees what a command ran with, the session before its model before
 * their runtime; any may be NULL. */
void cli_free_run(clinfer_session *s, clinfer_model *m, clinfer_runtime *rt);

/* When argv has -h or --help, prints `help` to stdout and returns 1. */
int cli_help_shown(int argc, char **argv, const char *help);

/* What commands share to report results (report.c). */
/* Uniform values in [-1, 1) from a fixed-seed xorshift generator. */
void cli_fill_random(float *x, size_t n, uint32_t seed);
/* x printed with the printf format fmt (one double: "%.9g"), or "null"
 * when it is NaN or infinite, which JSON cannot write; into one of 8
 * rotating buffers, so that one printf may take several. */
const char *cli_json_num(double x, const char *fmt);
/* A name cut to `width` characters for a table column (buf holds
 * width + 1): ONNX's "_output_0" suffix dropped, the end kept (ONNX paths
 * end in the layer), made safe to print (cli_safe). */
const char *cli_fit(const char *s, char *buf, size_t width);

/* Class names, one a line of a text file (--labels); line i names class i. */
typedef struct cli_labels {
    char **names; /* into text */
    size_t count;
    char *text;
} cli_labels;
/* Reads path into *l; 0 (printed after "clinfer CMD: ") on failure. */
int cli_labels_load(const char *cmd, const char *path, cli_labels *l);
/* Class index's label, or NULL when l is NULL or has none for it. */
const char *cli_label(const cli_labels *l, int64_t index);
void cli_labels_free(cli_labels *l);

/* The lecture model `clinfer demo` runs by default (demo_files.c): from
 * the install beside this program (../share/clinfer/), else the source
 * tree, else the configured install prefix. */
const char *cli_demo_model(void);

/* Milliseconds from a monotonic clock. */
double cli_now_ms(void);

#define CLI_COMMON_HELP                                                               \
    "  --device SPEC   gpu, cpu, P:D (platform:device index) or part of the device\n" \
    "                  name; default: $CLINFER_DEVICE, else the first GPU, else the\n" \
    "                  first device (see `clinfer devices`)\n"                       \
    "  --precision P   fp32, fp16 (weights and activations stored as half,\n"     \
    "                  arithmetic in float) or fp16-math (fp16, and the GPU GEMM\n"  \
    "                  tiles compute in half: devices with cl_khr_fp16 only);\n"    \
    "                  default: $CLINFER_PRECISION, else fp32\n"                     \
    "  --verbose       print the library's log, program compiles included\n"         \
    "  -h, --help      this help\n"

#endif
