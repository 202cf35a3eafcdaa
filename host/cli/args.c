/*
 * args.c — the steps every command's argument loop shares: skipping the
 * common options, taking an option's value, checking a count, taking the
 * model path, reading --shape NAME=DIMS and --input [NAME=]FILE. Each prints its own message, prefixed with the command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "safe_text.h"

int cli_next_arg(cli_common *common, int argc, char **argv, int *i)
{
    for (; *i < argc; ++*i) {
        int r = cli_parse_common(common, argc, argv, i);
        if (r <= 0)
            return r < 0 ? -1 : 1;
    }
    return 0;
}

const char *cli_value(const char *cmd, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "clinfer %s: %s needs a value\n", cmd, cli_safe(argv[*i]));
        return NULL;
    }
    return argv[++*i];
}

int cli_count(const char *cmd, const char *opt, const char *text, long long lo, long long hi,
              long long *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (!end || end == text || *end || v < lo || v > hi) {
        if (lo == 1)
            fprintf(stderr, "clinfer %s: %s needs a positive integer up to %lld, got %s\n", cmd,
                    opt, hi, cli_safe(text));
        else
            fprintf(stderr, "clinfer %s: %s needs an integer in [%lld, %lld], got %s\n", cmd,
                    opt, lo, hi, cli_safe(text));
        return 0;
    }
    *out = v;
    return 1;
}

int cli_positional(const char *cmd, const char *arg, const char **model)
{
    if (arg[0] == '-')
        fprintf(stderr, "clinfer %s: unknown option %s (see clinfer %s --help)\n", cmd,
                cli_safe(arg), cmd);
    else if (*model)
        fprintf(stderr, "clinfer %s: unexpected argument %s\n", cmd, cli_safe(arg));
    else
        *model = arg;
    return *model == arg;
}

int cli_shape_arg(const char *cmd, const char *text, cli_shapes *s)
{
    const char *eq = strchr(text, '=');
    size_t len = eq ? (size_t)(eq - text) : 0;
    if (s->count == CLI_MAX_SHAPES) {
        fprintf(stderr, "clinfer %s: at most %d --shape options\n", cmd, CLI_MAX_SHAPES);
        return 0;
    }
    clinfer_input_shape *it = &s->items[s->count];
    if (!eq || len == 0 || len >= sizeof s->names[0] || !cli_parse_dims(eq + 1, &it->shape)) {
        fprintf(stderr,
                "clinfer %s: --shape needs NAME=DIMS with 1 to %d sizes (e.g. "
                "input=1x3x480x640), got %s\n",
                cmd, CLINFER_MAX_RANK, cli_safe(text));
        return 0;
    }
    memcpy(s->names[s->count], text, len);
    s->names[s->count][len] = 0;
    it->name = s->names[s->count];
    s->count++;
    return 1;
}

int cli_input_arg(const char *cmd, const char *text, const char **names, const char **files,
                  int *count, int max)
{
    if (*count == max) {
        fprintf(stderr, "clinfer %s: at most %d inputs\n", cmd, max);
        return 0;
    }
    const char *eq = strchr(text, '=');
    names[*count] = NULL;
    files[*count] = text;
    if (eq && eq != text) {
        char *name = malloc((size_t)(eq - text) + 1);
        if (!name) {
            fprintf(stderr, "clinfer %s: out of memory\n", cmd);
            return 0;
        }
        memcpy(name, text, (size_t)(eq - text));
        name[eq - text] = 0;
        names[*count] = name;
        files[*count] = eq + 1;
    }
    ++*count;
    return 1;
}
