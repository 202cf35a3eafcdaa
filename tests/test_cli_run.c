/*
 * test_cli_run.c — the .npy reader and writer of the CLI (host/cli/npy.c):
 * round trips, format versions, float64 conversion, and malformed files;
 * then `clinfer run` and `clinfer info` end to end on a model written by
 * onnx_writer.c: outputs match the library's own run, errors go to stderr
 * with a non-zero exit status.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/npy.h"
#include "onnx_writer.h"
#include "testutil.h"

static char tmpdir[64];

static void make_tmpdir(void) { test_tmpdir_make(tmpdir, sizeof tmpdir, "clinfer_cli"); }

static void remove_tmpdir(void) { test_tmpdir_remove(tmpdir); }

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static int decode(const unsigned char *d, size_t n, clinfer_tensor *t, char *err)
{
    return npy_decode(d, n, t, err, 256);
}

Test(npy, round_trip_and_versions)
{
    make_tmpdir();
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/a.npy", tmpdir);
    const float v[6] = {1.5f, -2, 0, 3.25f, 1e-20f, -7};
    clinfer_shape s = {2, {2, 3}};
    cr_assert(npy_write(path, &s, v, err, sizeof err), "%s", err);
    unsigned char *data = NULL;
    size_t n = 0;
    cr_assert(cli_read_file(path, &data, &n, err, sizeof err), "%s", err);
    cr_assert_eq((n - 24) % 64, 0, "header padded to 64 bytes");
    clinfer_tensor t;
    cr_assert(decode(data, n, &t, err), "%s", err);
    cr_assert_eq(t.dtype, CLINFER_DTYPE_FLOAT32);
    cr_assert_eq(t.shape.rank, 2);
    cr_assert_eq(t.shape.dims[1], 3);
    assert_equal(t.data, v, 6, "npy round trip");
    clinfer_tensor_release(&t);
    free(data);
    /* version 2, float64, a 1-tuple shape, a scalar */
    const char h2[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n";
    unsigned char buf[256];
    size_t hl = strlen(h2);
    memcpy(buf, "\x93NUMPY\x02\x00", 8);
    buf[8] = (unsigned char)hl, buf[9] = buf[10] = buf[11] = 0;
    memcpy(buf + 12, h2, hl);
    const double dv[2] = {0.5, -3.0};
    memcpy(buf + 12 + hl, dv, 16);
    cr_assert(decode(buf, 12 + hl + 16, &t, err), "%s", err);
    cr_assert_eq(t.shape.rank, 1);
    cr_assert_eq(((float *)t.data)[1], -3.0f);
    clinfer_tensor_release(&t);
    const char h0[] = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }\n";
    hl = strlen(h0);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)hl, buf[9] = 0;
    memcpy(buf + 10, h0, hl);
    const int64_t iv = -42;
    memcpy(buf + 10 + hl, &iv, 8);
    cr_assert(decode(buf, 10 + hl + 8, &t, err), "%s", err);
    cr_assert_eq(t.dtype, CLINFER_DTYPE_INT64);
    cr_assert_eq(t.shape.rank, 0);
    cr_assert_eq(((int64_t *)t.data)[0], -42);
    clinfer_tensor_release(&t);
    remove_tmpdir();
}

/* A v1 .npy file in buf: header dict h, then `body` bytes of data. */
static size_t v1_with(unsigned char *buf, const char *h, const void *data, size_t body)
{
    size_t hl = strlen(h);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)hl, buf[9] = 0;
    memcpy(buf + 10, h, hl);
    memcpy(buf + 10 + hl, data, body);
    return 10 + hl + body;
}

Test(npy, every_numeric_dtype_and_fortran_order)
{
    unsigned char buf[512];
    char err[256];
    clinfer_tensor t;
    /* float16: 1, -2, 0.5, 65504 (max), a subnormal (2^-24), inf */
    const uint16_t f16[6] = {0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00};
    size_t n = v1_with(buf, "{'descr': '<f2', 'fortran_order': False, 'shape': (6,), }\n", f16, 12);
    cr_assert(decode(buf, n, &t, err), "%s", err);
    cr_assert_eq(t.dtype, CLINFER_DTYPE_FLOAT32);
    const float want16[6] = {1, -2, 0.5f, 65504, 5.9604645e-8f, INFINITY};
    for (int k = 0; k < 6; k++)
        cr_assert_eq(((float *)t.data)[k], want16[k], "float16 %d: %g", k, ((float *)t.data)[k]);
    clinfer_tensor_release(&t);
    /* signed and unsigned integers and bools become int64 */
    const int8_t i8[3] = {-128, -1, 127};
    n = v1_with(buf, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }\n", i8, 3);
    cr_assert(decode(buf, n, &t, err), "%s", err);
    cr_assert(((int64_t *)t.data)[0] == -128 && ((int64_t *)t.data)[2] == 127);
    clinfer_tensor_release(&t);
    const uint8_t u8[3] = {0, 200, 255};
    n = v1_with(buf, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n", u8, 3);
    cr_assert(decode(buf, n, &t, err), "%s", err);
    cr_assert(t.dtype == CLINFER_DTYPE_INT64 && ((int64_t *)t.data)[1] == 200);
    clinfer_tensor_release(&t);
    const int16_t i16[2] = {-300, 300};
    n = v1_with(buf, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }\n", i16, 4);
    cr_assert(decode(buf, n, &t, err), "%s", err);
    cr_assert_eq(((int64_t *)t.data)[0], -300);
    clinfer_tensor_release(&t);
    const uint8_t b1[2] = {0, 1};
    n = v1_with(buf, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }\n", b1, 2);
    cr_assert(decode(buf, n, &t, err), "%s", err);
    cr_assert_eq(((int64_t *)t.data)[1], 1);
    clinfer_tensor_release(&t);
    /* Fortran order: column-major [2, 3] holding 0..5 in C order */
    const float fo[6] = {0, 3, 1, 4, 2, 5};
    n = v1_with(buf, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", fo, 24);
    cr_assert(decode(buf, n, &t, err), "%s", err);
    for (int k = 0; k < 6; k++)
        cr_assert_eq(((float *)t.data)[k], (float)k, "fortran element %d", k);
    clinfer_tensor_release(&t);
    /* big-endian is refused by name */
    n = v1_with(buf, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n", fo, 4);
    cr_assert(!decode(buf, n, &t, err));
    cr_assert(strstr(err, "'>f4'"), "%s", err);
}

Test(npy, typed_writes_round_trip)
{
    make_tmpdir();
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/t.npy", tmpdir);
    const float v[5] = {1.5f, -2.5f, 300.0f, 0.0f, -1e9f};
    clinfer_shape s = {1, {5}};
    struct { clinfer_dtype dtype; const char *descr; int64_t want[5]; } ints[] = {
        {CLINFER_DTYPE_UINT8, "'|u1'", {2, 0, 255, 0, 0}},
        {CLINFER_DTYPE_INT8, "'|i1'", {2, -2, 127, 0, -128}},
        {CLINFER_DTYPE_INT32, "'<i4'", {2, -2, 300, 0, -1000000000}},
        {CLINFER_DTYPE_BOOL, "'|b1'", {1, 1, 1, 0, 1}},
    };
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
        cr_assert(npy_write_typed(path, &s, v, ints[k].dtype, err, sizeof err), "%s", err);
        unsigned char *data = NULL;
        size_t n = 0;
        cr_assert(cli_read_file(path, &data, &n, err, sizeof err), "%s", err);
        cr_assert(memmem(data, n, ints[k].descr, strlen(ints[k].descr)), "descr %s",
                  ints[k].descr);
        clinfer_tensor t;
        cr_assert(decode(data, n, &t, err), "%s", err);
        for (int i = 0; i < 5; i++) /* round half to even: 1.5 -> 2, -2.5 -> -2 */
            cr_assert_eq(((int64_t *)t.data)[i], ints[k].want[i], "%s element %d: %lld",
                         ints[k].descr, i, (long long)((int64_t *)t.data)[i]);
        clinfer_tensor_release(&t);
        free(data);
    }
    cr_assert(npy_write_typed(path, &s, v, CLINFER_DTYPE_FLOAT16, err, sizeof err), "%s", err);
    unsigned char *data = NULL;
    size_t n = 0;
    cr_assert(cli_read_file(path, &data, &n, err, sizeof err), "%s", err);
    clinfer_tensor t;
    cr_assert(decode(data, n, &t, err), "%s", err);
    const float want[5] = {1.5f, -2.5f, 300.0f, 0.0f, -INFINITY}; /* -1e9 overflows half */
    assert_equal(t.data, want, 5, "float16 round trip");
    clinfer_tensor_release(&t);
    free(data);
    remove_tmpdir();
}

/* A v1 file with header h and `body` data bytes (zeros). */
static size_t v1(unsigned char *buf, const char *h, size_t body)
{
    size_t hl = strlen(h);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)hl, buf[9] = 0;
    memcpy(buf + 10, h, hl);
    memset(buf + 10 + hl, 0, body);
    return 10 + hl + body;
}

Test(npy, malformed_files_are_refused)
{
    unsigned char buf[512];
    char err[256];
    clinfer_tensor t;
    cr_assert_not(decode((const unsigned char *)"hello world", 11, &t, err));
    cr_assert(strstr(err, "magic"), "%s", err);
    size_t n = v1(buf, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8);
    cr_assert_not(decode(buf, n, &t, err));
    cr_assert(strstr(err, "malformed .npy header"), "%s", err);
    n = v1(buf, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8);
    cr_assert_not(decode(buf, n, &t, err));
    cr_assert(strstr(err, "'>f4'"), "%s", err);
    n = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8);
    cr_assert_not(decode(buf, n, &t, err));
    cr_assert(strstr(err, "8 bytes"), "%s", err);
    n = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536), }", 0);
    cr_assert_not(decode(buf, n, &t, err));
    cr_assert(strstr(err, "2^31-1"), "%s", err);
    n = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4);
    cr_assert_not(decode(buf, n, &t, err));
    n = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 0);
    cr_assert_not(decode(buf, n, &t, err));
    n = v1(buf, "{'descr': '<f4', 'fortran_order': False}", 0);
    cr_assert_not(decode(buf, n, &t, err));
    cr_assert(strstr(err, "shape"), "%s", err);
    n = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    buf[8] = 200; /* header longer than the file */
    cr_assert_not(decode(buf, n, &t, err));
    for (size_t k = 0; k < n; k++) /* every truncation */
        cr_assert_not(decode(buf, k, &t, err));
}

Test(cli, run_and_info_end_to_end)
{
    make_tmpdir();
    char model[128], input[128], cmd[2048], out[16384], err[256];
    snprintf(model, sizeof model, "%s/cnn model.onnx", tmpdir);
    snprintf(input, sizeof input, "%s/x.npy", tmpdir);
    size_t size;
    uint8_t *bytes = onnx_model_cnn(11u, &size, NULL, NULL, NULL, NULL);
    write_bytes(model, bytes, size);
    float x[3 * 2 * 7 * 6];
    uint32_t seed = 5u;
    fill_uniform(x, 3 * 84, -1, 1, &seed);
    clinfer_shape xs = {4, {3, 2, 7, 6}};
    cr_assert(npy_write(input, &xs, x, err, sizeof err), "%s", err);

    snprintf(cmd, sizeof cmd, "'%s' run '%s' --input '%s' --output-dir '%s/out'", CLINFER_CLI,
             model, input, tmpdir);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "output probs: shape [3, 4]"), "%s", out);
    cr_assert(strstr(out, "row 2 top-4:"), "%s", out);
    /* The file written equals the library's own run at batch 3. */
    char path[256];
    snprintf(path, sizeof path, "%s/out/probs.npy", tmpdir);
    unsigned char *data;
    size_t n;
    cr_assert(cli_read_file(path, &data, &n, err, sizeof err), "%s", err);
    clinfer_tensor got;
    cr_assert(decode(data, n, &got, err), "%s", err);
    free(data);
    cr_assert_eq(got.shape.rank, 2);
    cr_assert_eq(got.shape.dims[0], 3);
    clinfer_runtime *rt = test_runtime();
    clinfer_graph *g = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(bytes, size, &g), CLINFER_OK);
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK);
    clinfer_session_options o = clinfer_session_options_default();
    o.batch = 3;
    cr_assert_eq(clinfer_session_create(m, &o, &s), CLINFER_OK);
    float want[12];
    cr_assert_eq(clinfer_session_set_input(s, 0, x, 3 * 84), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK);
    cr_assert_eq(clinfer_session_get_output(s, 0, want, 12), CLINFER_OK);
    assert_equal(got.data, want, 12, "clinfer run output file");
    clinfer_tensor_release(&got);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    clinfer_runtime_free(rt);

    /* errors: a missing file, a wrong name, a wrong shape, no input */
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --input '%s/missing.npy'", CLINFER_CLI, model, tmpdir);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "missing.npy"), "%s", out);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --input nope='%s'", CLINFER_CLI, model, input);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "no input \"nope\""), "%s", out);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --batch 2 --input '%s'", CLINFER_CLI, model, input);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "[2, 2, 7, 6]"), "%s", out);
    snprintf(cmd, sizeof cmd, "'%s' run '%s'", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "no value for input \"x\""), "%s", out);
    snprintf(cmd, sizeof cmd, "'%s' run", CLINFER_CLI);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 2, "%s", out);

    /* info: shapes, op counts, parameters; a truncated file fails */
    snprintf(cmd, sizeof cmd, "'%s' info '%s'", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "[N, 2, 7, 6]"), "%s", out);
    cr_assert(strstr(out, "[N, 4]"), "%s", out);
    cr_assert(strstr(out, "parameters 170"), "%s", out);
    cr_assert(strstr(out, "clinfer can run this model"), "%s", out);
    write_bytes(model, bytes, size / 3);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "truncated"), "%s", out);
    free(bytes);
    remove_tmpdir();
}

/* `clinfer info` on a model with several nodes it cannot run, of three
 * kinds, and supported nodes after them (onnx_model_unsupported): every one
 * is listed, grouped with counts; --json is one object that Python parses,
 * with the same nodes. */
Test(cli, info_lists_every_unsupported_node)
{
    make_tmpdir();
    char model[128], cmd[1024], out[16384];
    snprintf(model, sizeof model, "%s/unsupported.onnx", tmpdir);
    size_t size;
    uint8_t *bytes = onnx_model_unsupported(&size);
    write_bytes(model, bytes, size);
    free(bytes);
    snprintf(cmd, sizeof cmd, "'%s' info '%s'", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    const char *want[] = {
        "Swoosh                       4   (4 cannot be run)",
        "Relu                         3   (1 cannot be run, 1 not checked)",
        "6 problems, 2 nodes not checked",
        "Swoosh: 4 nodes [unknown_op] operator Swoosh is not supported",
        "AveragePool: 1 node [opset]",
        "Relu: 1 node [unsupported]",
        "Relu: 1 node not checked",
        "after_s1",
        "GlobalAveragePool: 1 node not checked",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert(strstr(out, want[i]), "missing \"%s\" in:\n%s", want[i], out);
    cr_assert_null(strstr(out, "after_s2"), "after_s2 is checked and runs:\n%s", out);
    /* The line after the Swoosh group names its four nodes (in graph order). */
    const char *group = strstr(out, "Swoosh: 4 nodes");
    const char *names = group ? strchr(group, '\n') : NULL;
    cr_assert_not_null(names, "%s", out);
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(names + 1, "\n"), names + 1);
    const char *swoosh[4] = {"s1", "s2", "s3", "s4"};
    for (int i = 0; i < 4; i++)
        cr_assert(strstr(line, swoosh[i]), "%s not in \"%s\"", swoosh[i], line);
    /* --json: Python's parser, then the counts and kinds it holds. */
    snprintf(cmd, sizeof cmd,
             "'%s' info --json '%s' | python3 -c 'import json, sys, collections; "
             "d = json.load(sys.stdin); "
             "k = collections.Counter(u[\"kind\"] for u in d[\"unsupported\"]); "
             "ops = {o[\"op_type\"]: o for o in d[\"ops\"]}; "
             "print(\"runnable\", d[\"runnable\"], \"opset\", d[\"opset\"], \"shape\", "
             "d[\"inputs\"][0][\"shape\"], d[\"outputs\"][0][\"shape\"], sorted(k.items()), "
             "\"swoosh\", ops[\"Swoosh\"][\"cannot_run\"], d[\"cannot_run\"], "
             "d[\"not_checked\"])'",
             CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    const char *json_want =
        "runnable False opset 18 shape [None, 3, 8, 8] None [('not_checked', 2), ('opset', 1), "
        "('unknown_op', 4), ('unsupported', 1)] swoosh 4 6 2";
    cr_assert(strstr(out, json_want), "got:\n%s\nwant:\n%s", out, json_want);
    remove_tmpdir();
}

Test(cli, bench_and_compile_take_input_shapes)
{
    /* x [N, 2, H, W] -> Conv 3x3 -> Relu -> GlobalAveragePool: any size */
    make_tmpdir();
    char model[128], cmd[2048], out[16384];
    snprintf(model, sizeof model, "%s/open.onnx", tmpdir);
    onnx_graph g = {{0}};
    const int64_t xd[4] = {-1, 2, -1, -1}, wd[4] = {3, 2, 3, 3}, yd[4] = {-1, 3, 1, 1};
    float w[54];
    uint32_t seed = 9u;
    fill_uniform(w, 54, -1, 1, &seed);
    pb t = onnx_value_info("x", OT_FLOAT, 4, xd);
    onnx_input(&g, &t);
    t = onnx_tensor_f("W", 4, wd, w, 1), onnx_initializer(&g, &t);
    onnx_node(&g, "Conv", "conv", "x,W", "c", 0, NULL);
    onnx_node(&g, "Relu", "relu", "c", "r", 0, NULL);
    onnx_node(&g, "GlobalAveragePool", "gap", "r", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 4, yd), onnx_output(&g, &t);
    size_t size;
    uint8_t *bytes = onnx_model(&g, 13, &size);
    write_bytes(model, bytes, size);
    free(bytes);

    snprintf(cmd, sizeof cmd, "'%s' bench '%s' --shape x=2x2x9x11 --iters 2 --warmup 0 --json",
             CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "\"batch\": 2"), "%s", out);
    snprintf(cmd, sizeof cmd, "'%s' compile '%s' --shape x=1x2x5x7", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    /* no sizes: the message says how to give them */
    snprintf(cmd, sizeof cmd, "'%s' bench '%s' --iters 1", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "--shape NAME=DIMS"), "%s", out);
    /* a fixed size contradicted, a bad value */
    snprintf(cmd, sizeof cmd, "'%s' bench '%s' --shape x=1x3x5x5 --iters 1", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "fixes to 2"), "%s", out);
    snprintf(cmd, sizeof cmd, "'%s' compile '%s' --shape x=1x2xfive", CLINFER_CLI, model);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "--shape needs NAME=DIMS"), "%s", out);
    remove_tmpdir();
}
