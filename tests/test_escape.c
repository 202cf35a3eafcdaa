/*
 * test_escape.c — terminal escape injection: text_escape() (host/escape.c)
 * on control bytes and malformed UTF-8, the library's error messages, and
 * `clinfer info` / `clinfer run` on models whose names carry ESC sequences,
 * BEL, carriage returns, C1 controls and invalid UTF-8: every byte that
 * reaches stdout or stderr must be printable ASCII or a newline.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/npy.h"
#include "escape.h"
#include "onnx_writer.h"

/* Names a hostile model uses: set the window title, clear the screen, move
 * the cursor up and overwrite a line, a C1 CSI, bytes that are not UTF-8. */
#define EVIL_IN "in\x1b]0;pwned\x07"
#define EVIL_OUT "out\x1b[2J\x1b[H\xff\xc0\xaf"
#define EVIL_NODE "n\x1b[1A\r all good\xc2\x9b"
#define EVIL_OP "Evil\x1b[31m\x07"
#define EVIL_PRODUCER "prod\x1b]2;title\x1b\\\xed\xa0\x80"

/* The byte that breaks the rule (printable ASCII or newline), or -1. */
static int first_unsafe(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\n' && (c < 0x20 || c >= 0x7f))
            return (int)i;
    }
    return -1;
}

#define assert_clean(text, n, what)                                                     \
    do {                                                                              \
        int at_ = first_unsafe((text), (n));                                          \
        cr_assert_eq(at_, -1, "%s: byte 0x%02x at %d unescaped in:\n%.*s", (what),     \
                     at_ >= 0 ? (unsigned char)(text)[at_] : 0, at_, (int)(n), (text)); \
    } while (0)

Test(escape, control_bytes_and_bad_utf8)
{
    char out[256];
    text_escape(out, sizeof out, "a\x1b[2Jb\x07\x7f", 0);
    cr_assert_str_eq(out, "a\\x1b[2Jb\\x07\\x7f");
    text_escape(out, sizeof out, "line\nnext\ttab\r", 0);
    cr_assert_str_eq(out, "line\\x0anext\\x09tab\\x0d");
    text_escape(out, sizeof out, "line\nnext\ttab\r", TEXT_KEEP_NEWLINES);
    cr_assert_str_eq(out, "line\nnext\ttab\\x0d");
    /* valid UTF-8 stays; C1 controls, overlong forms, surrogates, stray
     * continuation bytes, truncated sequences and > U+10FFFF do not */
    text_escape(out, sizeof out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0);
    cr_assert_str_eq(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    text_escape(out, sizeof out, "\xc2\x9b\xc0\xaf\xed\xa0\x80\x80\xe2\x82\xf4\x90\x80\x80", 0);
    cr_assert_str_eq(out, "\\xc2\\x9b\\xc0\\xaf\\xed\\xa0\\x80\\x80\\xe2\\x82\\xf4\\x90\\x80\\x80");
    /* escaping is idempotent and never cuts an escape at the end */
    char twice[256];
    text_escape(twice, sizeof twice, out, 0);
    cr_assert_str_eq(twice, out);
    text_escape(out, 7, "ab\x1b\x1b", 0);
    cr_assert_str_eq(out, "ab\\x1b");
    cr_assert(text_is_safe("plain \xc3\xa9", 0));
    cr_assert_not(text_is_safe("a\x1b", 0));
    cr_assert_not(text_is_safe("a\n", 0));
    cr_assert(text_is_safe("a\n", TEXT_KEEP_NEWLINES));
}

/* Error messages name the model's values and nodes; embedders print them. */
Test(escape, library_messages)
{
    clinfer_graph *g = NULL;
    clinfer_value x;
    const clinfer_shape s = {2, {1, 4}};
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, EVIL_IN, &s, &x), CLINFER_OK);
    cr_assert_neq(clinfer_graph_input(g, EVIL_IN, &s, &x), CLINFER_OK); /* duplicate name */
    const char *m = clinfer_last_errmsg();
    cr_assert(strstr(m, "in\\x1b]0;pwned\\x07"), "%s", m);
    assert_clean(m, strlen(m), "clinfer_last_errmsg");
    m = clinfer_graph_errmsg(g);
    assert_clean(m, strlen(m), "clinfer_graph_errmsg");
    clinfer_graph_free(g);
}

/* ------------------------------------------------------------ the CLI */

static char tmpdir[64];

/* Runs a shell command; stdout+stderr in out (n bytes), the exit status. */
static int run(const char *cmd, char *out, size_t cap, size_t *n)
{
    char full[4096];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p);
    *n = fread(out, 1, cap - 1, p);
    out[*n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_model(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, size, f), size);
    /* ModelProto.producer_name (field 2), appended: field order is free */
    pb prod = {0};
    pb_str(&prod, 2, EVIL_PRODUCER);
    cr_assert_eq(fwrite(prod.b, 1, prod.n, f), prod.n);
    pb_free(&prod);
    fclose(f);
}

/* x [1, 4] -> `op` -> y, every name hostile. */
static void hostile_model(const char *path, const char *op)
{
    const int64_t dims[2] = {1, 4};
    onnx_graph g = {0};
    pb in = onnx_value_info(EVIL_IN, OT_FLOAT, 2, dims);
    pb out = onnx_value_info(EVIL_OUT, OT_FLOAT, 2, dims);
    onnx_input(&g, &in);
    onnx_node(&g, op, EVIL_NODE, EVIL_IN, EVIL_OUT, 0, NULL);
    onnx_output(&g, &out);
    size_t size = 0;
    uint8_t *bytes = onnx_model(&g, 13, &size);
    write_model(path, bytes, size);
    free(bytes);
}

Test(escape, cli_info_and_run_print_no_control_bytes)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clinfer_escape_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    char model[128], evil_model[128], input[128], cmd[2048], out[16384], err[256];
    size_t n = 0;
    snprintf(model, sizeof model, "%s/relu.onnx", tmpdir);
    snprintf(evil_model, sizeof evil_model, "%s/evil.onnx", tmpdir);
    snprintf(input, sizeof input, "%s/x.npy", tmpdir);
    hostile_model(model, "Relu");
    hostile_model(evil_model, EVIL_OP);
    const float x[4] = {-1, 2, -3, 4};
    const clinfer_shape xs = {2, {1, 4}};
    cr_assert(npy_write(input, &xs, x, err, sizeof err), "%s", err);
    /* the shell passes the hostile names through the environment */
    setenv("EVIL_IN", EVIL_IN, 1);
    setenv("EVIL_PATH", "/tmp/no\x1b[2Jsuch\x07.onnx", 1);
    setenv("EVIL_OPT", "--\x1b]0;x\x07", 1);

    struct {
        const char *args;
        int status;
        const char *expect;
    } cases[] = {
        {"info '%s'", 0, "in\\x1b]0;pwned\\x07"},
        {"info '%s/evil.onnx'", 1, "Evil\\x1b[31m\\x07"},
        {"run '%s/relu.onnx' --input '%s/x.npy'", 0, "out\\x1b[2J\\x1b[H\\xff\\xc0\\xaf"},
        {"run '%s/relu.onnx' --input \"$EVIL_IN=%s/x.npy\"", 0, "max 4"},
        {"run '%s/relu.onnx' --input \"$EVIL_IN$EVIL_IN=%s/x.npy\"", 1, "pwned"},
        {"run '%s/relu.onnx'", 1, "no value for input"},
        {"run '%s/evil.onnx' --input '%s/x.npy'", 1, "Evil\\x1b[31m"},
        {"run \"$EVIL_PATH\" %.0s", 1, "no\\x1b[2Jsuch"},
        {"info \"$EVIL_PATH\" %.0s", 1, "no\\x1b[2Jsuch"},
        {"run '%s/relu.onnx' \"$EVIL_OPT\"", 2, "--\\x1b]0;x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[1024];
        snprintf(args, sizeof args, cases[i].args, tmpdir, tmpdir);
        if (i == 0)
            snprintf(args, sizeof args, "info '%s'", model);
        snprintf(cmd, sizeof cmd, "'%s' %s", CLINFER_CLI, args);
        int st = run(cmd, out, sizeof out, &n);
        cr_assert_eq(st, cases[i].status, "%s: exit %d:\n%s", args, st, out);
        cr_assert(strstr(out, cases[i].expect), "%s: no \"%s\" in:\n%s", args, cases[i].expect,
                  out);
        assert_clean(out, n, args);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}
