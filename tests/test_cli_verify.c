/*
 * test_cli_verify.c — `clinfer verify` end to end: the lecture CNN and a
 * small model written here (conv, depthwise conv, residual Add, 1x1 conv,
 * global pool, Gemm on non-square sizes) pass in fp32 with every node in
 * the table; a depthwise layer fused into the 1x1 after it is marked
 * fused and the pair compared at its output; a tolerance of 0 with
 * Winograd forced names the first node whose rounding differs from the
 * naive kernel and exits 1 (and, with --isolate, is the only node over
 * it); a first failing node that ran the reference's own kernel is said to
 * have its error from its inputs; bad models, inputs and options exit 2
 * with a message.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/npy.h"
#include "onnx_writer.h"
#include "testutil.h"

#define LECTURE CLINFER_TEST_MODELS "/lecture_cnn.onnx"

static char tmpdir[64];

static void make_tmpdir(void) { test_tmpdir_make(tmpdir, sizeof tmpdir, "clinfer_verify"); }

static void remove_tmpdir(void) { test_tmpdir_remove(tmpdir); }

TestSuite(cli_verify, .init = make_tmpdir, .fini = remove_tmpdir);

/* Runs `ENV clinfer verify ARGS`: its exit status, and stdout and stderr
 * in out. */
static int verify(const char *env, const char *args, char *out, size_t cap)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s '%s' verify %s", env, CLINFER_CLI, args);
    return test_shell(cmd, out, cap);
}

static void fill(float *x, size_t n, uint32_t *seed)
{
    fill_uniform(x, n, -0.5f, 0.5f, seed);
}

/* Writes graph g as an opset-13 model to path. */
static void write_model(onnx_graph *g, const char *path)
{
    size_t size = 0;
    uint8_t *bytes = onnx_model(g, 13, &size);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, size, f), size);
    fclose(f);
    free(bytes);
}

/* x [1, 3, 11, 9] -> Conv 3x3 (6) -> Relu -> depthwise Conv 3x3 -> Add
 * (the Relu's output) -> Conv 1x1 (4) -> GlobalAveragePool -> Flatten ->
 * Gemm (transB, 5) -> "y". */
static void write_residual_model(const char *path)
{
    onnx_graph g = {{0}};
    uint32_t seed = 5;
    float w1[6 * 3 * 3 * 3], b1[6], dw[6 * 9], db[6], pw[4 * 6], pb4[4], fw[5 * 4], fb[5];
    fill(w1, sizeof w1 / 4, &seed), fill(b1, 6, &seed), fill(dw, sizeof dw / 4, &seed);
    fill(db, 6, &seed), fill(pw, sizeof pw / 4, &seed), fill(pb4, 4, &seed);
    fill(fw, sizeof fw / 4, &seed), fill(fb, 5, &seed);
    const int64_t xd[4] = {1, 3, 11, 9}, w1d[4] = {6, 3, 3, 3}, c6[1] = {6}, dwd[4] = {6, 1, 3, 3},
                  pwd[4] = {4, 6, 1, 1}, c4[1] = {4}, fwd[2] = {5, 4}, c5[1] = {5},
                  yd[2] = {1, 5}, k3[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
    pb t, a[3];
    t = onnx_value_info("x", OT_FLOAT, 4, xd), onnx_input(&g, &t);
    t = onnx_tensor_f("w1", 4, w1d, w1, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("b1", 1, c6, b1, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("dw", 4, dwd, dw, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("db", 1, c6, db, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("pw", 4, pwd, pw, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("pb", 1, c4, pb4, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("fw", 2, fwd, fw, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("fb", 1, c5, fb, 1), onnx_initializer(&g, &t);
    a[0] = onnx_attr_ints("kernel_shape", 2, k3);
    a[1] = onnx_attr_ints("pads", 4, pads);
    onnx_node(&g, "Conv", "conv_a", "x,w1,b1", "a", 2, a);
    onnx_node(&g, "Relu", "relu_a", "a", "ra", 0, NULL);
    a[0] = onnx_attr_ints("kernel_shape", 2, k3);
    a[1] = onnx_attr_ints("pads", 4, pads);
    a[2] = onnx_attr_int("group", 6);
    onnx_node(&g, "Conv", "conv_dw", "ra,dw,db", "d", 3, a);
    onnx_node(&g, "Add", "add", "d,ra", "r", 0, NULL);
    onnx_node(&g, "Conv", "conv_pw", "r,pw,pb", "p", 0, NULL);
    onnx_node(&g, "GlobalAveragePool", "gap", "p", "gp", 0, NULL);
    onnx_node(&g, "Flatten", "flat", "gp", "f", 0, NULL);
    a[0] = onnx_attr_int("transB", 1);
    onnx_node(&g, "Gemm", "fc", "f,fw,fb", "y", 1, a);
    t = onnx_value_info("y", OT_FLOAT, 2, yd), onnx_output(&g, &t);
    write_model(&g, path);
}

Test(cli_verify, lecture_cnn_passes_with_every_node_in_the_table)
{
    static char out[65536];
    int rc = verify("", "'" LECTURE "'", out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    const char *rows[] = {"/net/conv1/Conv", "/net/conv2/Conv", "/net/fc1/Gemm", "/net/fc2/Gemm",
                          "softmax", "conv2d_naive", "gemm_naive",
                          "verify: PASS: 5 nodes"}; /* both pools fused into their convs */
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_assert(strstr(out, rows[i]), "no \"%s\" in:\n%s", rows[i], out);
    cr_assert_null(strstr(out, "FAIL"), "%s", out);
}

Test(cli_verify, generated_model_passes_and_json_says_so)
{
    static char out[65536];
    char model[128], args[512];
    snprintf(model, sizeof model, "%s/residual.onnx", tmpdir);
    write_residual_model(model);
    snprintf(args, sizeof args, "'%s'", model);
    int rc = verify("", args, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    /* nodes are named after their outputs; the Add is the depthwise conv's
     * epilogue or a node of its own ("r"): both are checked */
    const char *rows[] = {"  0  a   ", "  d   ", "  p   ", "  gp  ", "  y   ", "global_pool",
                          "conv2d_naive", "gemm_naive", "output y:",
                          "the same as the checked run", "verify: PASS"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_assert(strstr(out, rows[i]), "no \"%s\" in:\n%s", rows[i], out);

    snprintf(args, sizeof args, "'%s' --json --tolerance 1e-5", model);
    rc = verify("", args, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    const char *keys[] = {"\"passed\": true", "\"first_failing\": null", "\"tolerance\": 1e-05",
                          "\"precision\": \"fp32\"", "\"reference_kernel\": \"conv2d_naive\"",
                          "\"node\": \"p\""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert(strstr(out, keys[i]), "no %s in:\n%s", keys[i], out);
}

/* x [1, 6, 9, 30] -> depthwise Conv 3x3 (bias) -> Relu -> Conv 1x1 (4)
 * -> "y": on CPUs the pair is one conv2d_dwpw node (passes/dwpw.c). */
static void write_depthwise_pair(const char *path)
{
    onnx_graph g = {{0}};
    uint32_t seed = 9;
    float dw[6 * 9], db[6], pw[4 * 6];
    fill(dw, sizeof dw / 4, &seed), fill(db, 6, &seed), fill(pw, sizeof pw / 4, &seed);
    const int64_t xd[4] = {1, 6, 9, 30}, dwd[4] = {6, 1, 3, 3}, c6[1] = {6},
                  pwd[4] = {4, 6, 1, 1}, yd[4] = {1, 4, 9, 30}, k3[2] = {3, 3},
                  pads[4] = {1, 1, 1, 1};
    pb t, a[3];
    t = onnx_value_info("x", OT_FLOAT, 4, xd), onnx_input(&g, &t);
    t = onnx_tensor_f("dw", 4, dwd, dw, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("db", 1, c6, db, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("pw", 4, pwd, pw, 1), onnx_initializer(&g, &t);
    a[0] = onnx_attr_ints("kernel_shape", 2, k3);
    a[1] = onnx_attr_ints("pads", 4, pads);
    a[2] = onnx_attr_int("group", 6);
    onnx_node(&g, "Conv", "conv_dw", "x,dw,db", "d", 3, a);
    onnx_node(&g, "Relu", "relu", "d", "rd", 0, NULL);
    onnx_node(&g, "Conv", "conv_pw", "rd,pw", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 4, yd), onnx_output(&g, &t);
    write_model(&g, path);
}

/* Where the tested run fuses the depthwise layer into the 1x1 after it,
 * the reference's depthwise node is marked fused and the pair's output is
 * compared; elsewhere (GPUs, AVX2 CPUs) both nodes are compared. */
Test(cli_verify, a_fused_depthwise_pair_is_compared_at_its_output)
{
    static char out[65536];
    char model[128], args[512];
    snprintf(model, sizeof model, "%s/dwpw.onnx", tmpdir);
    write_depthwise_pair(model);
    snprintf(args, sizeof args, "'%s'", model);
    int rc = verify("", args, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: PASS: 2 nodes and 1 outputs"), "%s", out);
    const char *dw_row = strstr(out, "  0  d   "), *y_row = strstr(out, "  1  y   ");
    cr_assert(dw_row && y_row, "%s", out);
    const char *dw_end = strchr(dw_row, '\n');
    if (strstr(out, "conv2d_dwpw")) {
        cr_assert(strstr(dw_row, "(fused)") && strstr(dw_row, "(fused)") < dw_end, "%s", out);
        cr_assert(dw_end - dw_row > 7 && strncmp(dw_end - 7, "  fused", 7) == 0, "%s", out);
        cr_assert(strstr(y_row, "conv2d_dwpw"), "%s", out);
    } else {
        cr_assert(dw_end - dw_row > 4 && strncmp(dw_end - 4, "  ok", 4) == 0, "%s", out);
    }
    snprintf(args, sizeof args, "'%s' --json --isolate", model);
    rc = verify("", args, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "\"passed\": true"), "%s", out);
    cr_assert(strstr(out, "\"fused\": true") || !strstr(out, "conv2d_dwpw"), "%s", out);
}

/* Winograd's transforms round differently from the naive convolution: at
 * a tolerance of 0 verify names the first conv that runs it (forced, it
 * runs both convolutions: it computes conv1's fused 2x2 pool too). */
Test(cli_verify, names_the_first_node_over_the_tolerance)
{
    static char out[65536];
    int rc = verify("CLINFER_CONV_ALGO=winograd", "'" LECTURE "' --tolerance 0", out, sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: FAIL: node 0 \"/net/conv1/Conv"), "%s", out);
    cr_assert(strstr(out, "(conv2d, kernel conv2d_winograd"), "%s", out);
    cr_assert(strstr(out, "fp32) is the first over the tolerance 0"), "%s", out);

    rc = verify("CLINFER_CONV_ALGO=winograd", "'" LECTURE "' --tolerance 0 --json", out,
                sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "\"passed\": false"), "%s", out);
    cr_assert(strstr(out, "\"first_failing\": {\"index\": 0"), "%s", out);

    /* alone, on the reference's inputs, both Winograd layers differ, and so
     * may the fully connected ones (at batch 1 gemm_packed sums each
     * output's k in four interleaved parts, gemm_naive in order); the
     * softmax runs the same kernel in both and is not checked */
    rc = verify("CLINFER_CONV_ALGO=winograd", "'" LECTURE "' --tolerance 0 --isolate", out,
                sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "each node alone on the reference's inputs"), "%s", out);
    cr_assert(strstr(out, "verify: FAIL: node 0 \"/net/conv1/Conv"), "%s", out);
    const char *const convs[] = {"/net/conv1/Conv", "/net/conv2/Conv"};
    for (int i = 0; i < 2; i++) {
        const char *row = strstr(out, convs[i]), *end = row ? strchr(row, '\n') : NULL;
        cr_assert(row && end, "no row for %s:\n%s", convs[i], out);
        cr_assert(end - row > 6 && strncmp(end - 6, "  FAIL", 6) == 0,
                  "%s is not over the tolerance alone:\n%s", convs[i], out);
    }
    const char *soft = strstr(out, "probabilities   ");
    const char *soft_end = soft ? strchr(soft, '\n') : NULL;
    cr_assert(soft && soft_end && strncmp(soft_end - 4, "  ok", 4) == 0, "%s", out);
}

/* x [1, 8, 12, 10] -> two 3x3 convolutions whose weights differ by 1e-4
 * of themselves -> Sub -> "y": the difference is 1e-4 of its branches, so
 * their rounding (Winograd against the naive kernel, about 1e-6 of their
 * scale) is about 1e-2 of its scale. */
static void write_cancelling_model(const char *path)
{
    onnx_graph g = {{0}};
    uint32_t seed = 8;
    float w[4 * 8 * 9], w2[4 * 8 * 9];
    fill(w, sizeof w / 4, &seed);
    for (size_t i = 0; i < sizeof w / 4; i++)
        w2[i] = w[i] * (1.0f + 1e-4f);
    const int64_t xd[4] = {1, 8, 12, 10}, wd[4] = {4, 8, 3, 3}, yd[4] = {1, 4, 12, 10},
                  k3[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
    pb t, a[2];
    t = onnx_value_info("x", OT_FLOAT, 4, xd), onnx_input(&g, &t);
    t = onnx_tensor_f("w", 4, wd, w, 1), onnx_initializer(&g, &t);
    t = onnx_tensor_f("w2", 4, wd, w2, 1), onnx_initializer(&g, &t);
    for (int i = 0; i < 2; i++) {
        a[0] = onnx_attr_ints("kernel_shape", 2, k3);
        a[1] = onnx_attr_ints("pads", 4, pads);
        onnx_node(&g, "Conv", i ? "conv_q" : "conv_p", i ? "x,w2" : "x,w", i ? "q" : "p", 2, a);
    }
    onnx_node(&g, "Sub", "sub", "p,q", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 4, yd), onnx_output(&g, &t);
    write_model(&g, path);
}

/* The first node over the tolerance ran the reference's own kernel (the
 * Sub): the verdict says the error came in through its inputs; alone, on
 * the reference's inputs, no node is over it. */
Test(cli_verify, an_error_grown_from_the_inputs_is_named_so)
{
    static char out[65536];
    char model[128], args[256];
    snprintf(model, sizeof model, "%s/cancel.onnx", tmpdir);
    write_cancelling_model(model);
    snprintf(args, sizeof args, "'%s' --tolerance 1e-4", model);
    int rc = verify("CLINFER_CONV_ALGO=winograd", args, out, sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: FAIL: node 2 \"y\" (binary"), "%s", out);
    cr_assert(strstr(out, "so the error came in through its inputs and grew here"), "%s", out);
    snprintf(args, sizeof args, "'%s' --tolerance 1e-4 --json", model);
    rc = verify("CLINFER_CONV_ALGO=winograd", args, out, sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "\"first_failing_from_inputs\": true"), "%s", out);
    /* alone no node is over it; the model output (a normal run) still is */
    snprintf(args, sizeof args, "'%s' --tolerance 1e-4 --isolate", model);
    rc = verify("CLINFER_CONV_ALGO=winograd", args, out, sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: FAIL: 1 output(s) of a normal run over the tolerance"), "%s",
              out);
    /* a node that computed with another kernel than the reference's gets no such words */
    rc = verify("CLINFER_CONV_ALGO=winograd", "'" LECTURE "' --tolerance 0", out, sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert_null(strstr(out, "came in through its inputs"), "%s", out);
    rc = verify("CLINFER_CONV_ALGO=winograd", "'" LECTURE "' --tolerance 0 --json", out,
                sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "\"first_failing_from_inputs\": false"), "%s", out);
}

Test(cli_verify, bad_models_inputs_and_options_exit_2_with_a_message)
{
    static char out[65536];
    char model[128], bad[128], input[128], args[1024], err[256];
    snprintf(model, sizeof model, "%s/missing.onnx", tmpdir);
    snprintf(args, sizeof args, "'%s'", model);
    cr_assert_eq(verify("", args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "missing.onnx"), "%s", out);

    snprintf(bad, sizeof bad, "%s/truncated.onnx", tmpdir);
    FILE *f = fopen(bad, "wb");
    cr_assert_not_null(f);
    fputs("\x08\x07\x12", f); /* ir_version, then a cut field */
    fclose(f);
    snprintf(args, sizeof args, "'%s'", bad);
    cr_assert_eq(verify("", args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "clinfer verify: ") && strstr(out, "truncated.onnx"), "%s", out);

    /* an input of the wrong shape, and one for an input the model lacks */
    snprintf(input, sizeof input, "%s/x.npy", tmpdir);
    const clinfer_shape xs = {4, {1, 1, 28, 27}};
    static float x[28 * 27];
    cr_assert(npy_write(input, &xs, x, err, sizeof err), "%s", err);
    snprintf(args, sizeof args, "'%s' --input '%s'", LECTURE, input);
    cr_assert_eq(verify("", args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "input \"image\", [1, 1, 28, 27], has 27 in dimension 3"), "%s",
              out);
    snprintf(args, sizeof args, "'%s' --shape image=2x1x28x28 --input '%s'", LECTURE, input);
    cr_assert_eq(verify("", args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "needs shape [2,1,28,28], the file holds [1,1,28,27]"), "%s", out);
    snprintf(args, sizeof args, "'%s' --input nope='%s'", LECTURE, input);
    cr_assert_eq(verify("", args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "the model has no input \"nope\""), "%s", out);

    const char *opts[][2] = {
        {"--precision int8", "precision \"int8\": expected fp32, fp16 or fp16-math"},
        {"--tolerance -1", "--tolerance needs a number >= 0"},
        {"--tolerance", "--tolerance needs a value"},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        snprintf(args, sizeof args, "'%s' %s", LECTURE, opts[i][0]);
        cr_assert_eq(verify("", args, out, sizeof out), 2, "%s: %s", opts[i][0], out);
        cr_assert(strstr(out, opts[i][1]), "%s: %s", opts[i][0], out);
    }
    cr_assert_eq(verify("", "", out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "which model?"), "%s", out);
}

/* fp16 storage: half's rounding (about 5e-4 of a value) is over the default
 * tolerance at the first node, which verify names with its precision, and
 * within a tolerance of 2e-2 everywhere; the reference stays fp32 (also
 * when CLINFER_PRECISION asks for fp16). */
Test(cli_verify, fp16_names_the_first_node_over_a_tight_tolerance)
{
    static char out[65536];
    int rc = verify("", "'" LECTURE "' --precision fp16", out, sizeof out);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: FAIL: node 0 \"/net/conv1/Conv"), "%s", out);
    cr_assert(strstr(out, "fp16) is the first over the tolerance 0.0001"), "%s", out);
    rc = verify("CLINFER_PRECISION=fp16", "'" LECTURE "' --tolerance 2e-2 --json", out,
                sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "\"precision\": \"fp16\""), "%s", out);
    cr_assert(strstr(out, "\"passed\": true"), "%s", out);
}

/* An input given by name is the one both runs see: the result does not
 * depend on the random values. */
Test(cli_verify, input_file_by_name)
{
    static char out[65536];
    char input[128], args[512], err[256];
    snprintf(input, sizeof input, "%s/x.npy", tmpdir);
    const clinfer_shape xs = {4, {1, 1, 28, 28}};
    static float x[28 * 28];
    uint32_t seed = 3;
    fill_uniform(x, 28 * 28, 0, 1, &seed);
    cr_assert(npy_write(input, &xs, x, err, sizeof err), "%s", err);
    snprintf(args, sizeof args, "'%s' --input image='%s'", LECTURE, input);
    int rc = verify("", args, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: PASS"), "%s", out);
}

/* An integer input gets no random values (they would be no valid
 * indices or sizes): verify asks for a file, and takes an integer one. */
Test(cli_verify, integer_inputs_need_a_file)
{
    static char out[65536];
    char model[128], input[128], args[512], err[256];
    snprintf(model, sizeof model, "%s/ints.onnx", tmpdir);
    onnx_graph g = {{0}};
    const int64_t d[2] = {1, 4};
    pb t, a[1];
    t = onnx_value_info("ids", OT_INT32, 2, d), onnx_input(&g, &t);
    a[0] = onnx_attr_int("to", OT_FLOAT);
    onnx_node(&g, "Cast", "cast", "ids", "f", 1, a);
    onnx_node(&g, "Relu", "relu", "f", "y", 0, NULL);
    t = onnx_value_info("y", OT_FLOAT, 2, d), onnx_output(&g, &t);
    write_model(&g, model);

    snprintf(args, sizeof args, "'%s'", model);
    cr_assert_eq(verify("", args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "input \"ids\" is not a float tensor: give its values with --input "
                          "ids=FILE"),
              "%s", out);
    snprintf(input, sizeof input, "%s/ids.npy", tmpdir);
    const clinfer_shape s = {2, {1, 4}};
    const float ids[4] = {3, -2, 0, 7};
    cr_assert(npy_write_typed(input, &s, ids, CLINFER_DTYPE_INT32, err, sizeof err), "%s", err);
    snprintf(args, sizeof args, "'%s' --input ids='%s'", model, input);
    int rc = verify("", args, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_assert(strstr(out, "verify: PASS: 1 nodes"), "%s", out);
}
