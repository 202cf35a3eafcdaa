/*
 * report.c — what commands share to report results: the fixed-seed random
 * inputs (bench, verify), names cut to a table column and numbers for
 * JSON (null when not finite).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"
#include "safe_text.h"

void cli_fill_random(float *x, size_t n, uint32_t seed)
{
    uint32_t s = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        x[i] = (float)((double)(s >> 8) / (double)(1u << 23) - 1.0);
    }
}

const char *cli_json_num(double x, const char *fmt)
{
    /* Rotating buffers, as cli_safe: one printf may take several. */
    static _Thread_local char buf[8][40];
    static _Thread_local unsigned next;
    char *out = buf[next++ % 8];
    if (isfinite(x))
        snprintf(out, sizeof buf[0], fmt, x);
    else
        snprintf(out, sizeof buf[0], "null"); /* JSON has no NaN or infinity */
    return out;
}

const char *cli_fit(const char *s, char *buf, size_t width)
{
    static const char suffix[] = "_output_0";
    size_t n = strlen(s), k = sizeof suffix - 1;
    if (n > k && strcmp(s + n - k, suffix) == 0)
        n -= k;
    if (n <= width)
        snprintf(buf, width + 1, "%.*s", (int)n, s);
    else
        snprintf(buf, width + 1, "..%.*s", (int)(width - 2), s + n - (width - 2));
    return cli_safe(buf); /* model-given names */
}

int cli_labels_load(const char *cmd, const char *path, cli_labels *l)
{
    char err[1024];
    size_t size = 0;
    memset(l, 0, sizeof *l);
    if (!cli_read_file(path, (unsigned char **)&l->text, &size, err, sizeof err)) {
        fprintf(stderr, "clinfer %s: --labels: %s\n", cmd, cli_safe(err));
        return 0;
    }
    char *text = realloc(l->text, size + 1); /* room for the final NUL */
    if (!text) {
        fprintf(stderr, "clinfer %s: --labels: out of memory\n", cmd);
        cli_labels_free(l);
        return 0;
    }
    l->text = text;
    text[size] = 0;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    if (!(l->names = calloc(lines, sizeof *l->names))) {
        fprintf(stderr, "clinfer %s: --labels: out of memory\n", cmd);
        cli_labels_free(l);
        return 0;
    }
    /* One label a line; a final newline ends the last line, not a label. */
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r') /* CRLF files */
            p[n - 1] = 0;
        l->names[l->count++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 1;
}

const char *cli_label(const cli_labels *l, int64_t index)
{
    return l && index >= 0 && (size_t)index < l->count ? l->names[index] : NULL;
}

void cli_labels_free(cli_labels *l)
{
    free(l->names);
    free(l->text);
    memset(l, 0, sizeof *l);
}
