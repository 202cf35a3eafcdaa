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
} cli_common;

/* Each command gets the arguments after its name; returns the exit code. */
int cmd_devices(const cli_common *common, int argc, char **argv);
int cmd_demo(const cli_common *common, int argc, char **argv);
int cmd_run(const cli_common *common, int argc, char **argv);  /* run.c */
int cmd_info(const cli_common *common, int argc, char **argv); /* info.c */

/* Consumes a common option at argv[*i] (advancing *i past its value);
 * returns 1 if it was one, 0 if not, -1 on a missing value (printed). */
int cli_parse_common(cli_common *common, int argc, char **argv, int *i);

/* Creates a runtime for the common options, printing errors; NULL on error.
 * Library log messages go to stderr. */
clinfer_runtime *cli_runtime(const cli_common *common);

/* True if argv has -h or --help. */
int cli_wants_help(int argc, char **argv);

/* Milliseconds from a monotonic clock. */
double cli_now_ms(void);

#define CLI_COMMON_HELP                                                               \
    "  --device SPEC   gpu, cpu, P:D (platform:device index) or part of the device\n" \
    "                  name; default: $CLINFER_DEVICE, else the first GPU, else the\n" \
    "                  first device (see `clinfer devices`)\n"                       \
    "  --verbose       print the library's log, program compiles included\n"         \
    "  -h, --help      this help\n"

#endif
