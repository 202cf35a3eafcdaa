/*
 * test_cli_options.c — the `clinfer` tool's options as users type them,
 * end to end on the built binary: --opt=value as well as --opt value,
 * common options after the command, --version, --input NAME=FILE on bench,
 * --batch against a fixed batch, --output-dir checked before the run,
 * --json on devices and run (NaN as null, parsed by Python's strict JSON),
 * and the messages when no device matches or none is found.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/npy.h"
#include "onnx_writer.h"
#include "testutil.h"

static char tmpdir[64];
static char cmd[4096], out[32768];

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* z = x + y, x [1, 3] and y [1, 1] (broadcast), both with a fixed batch 1:
 * feeding them in the wrong order fails on the shapes. */
static void write_add_model(const char *path)
{
    onnx_graph g = {{0}};
    const int64_t xd[2] = {1, 3}, yd[2] = {1, 1};
    pb t = onnx_value_info("x", OT_FLOAT, 2, xd);
    onnx_input(&g, &t);
    t = onnx_value_info("y", OT_FLOAT, 2, yd), onnx_input(&g, &t);
    onnx_node(&g, "Add", "add", "x,y", "z", 0, NULL);
    t = onnx_value_info("z", OT_FLOAT, 2, xd), onnx_output(&g, &t);
    size_t size;
    uint8_t *bytes = onnx_model(&g, 13, &size);
    write_bytes(path, bytes, size);
    free(bytes);
}

static void write_npy(const char *path, int rank, int64_t d0, int64_t d1, const float *v)
{
    char err[256];
    clinfer_shape s = {rank, {d0, d1}};
    cr_assert(npy_write(path, &s, v, err, sizeof err), "%s", err);
}

/* Files of the model: tmpdir/add.onnx, x.npy [1, 3], y.npy [1, 1],
 * xnan.npy (a NaN in x). */
static void setup(void)
{
    test_tmpdir_make(tmpdir, sizeof tmpdir, "clinfer_opts");
    char path[256];
    snprintf(path, sizeof path, "%s/add.onnx", tmpdir);
    write_add_model(path);
    const float x[3] = {1, 2, 3}, y[1] = {10}, xnan[3] = {NAN, 2, 3};
    snprintf(path, sizeof path, "%s/x.npy", tmpdir);
    write_npy(path, 2, 1, 3, x);
    snprintf(path, sizeof path, "%s/y.npy", tmpdir);
    write_npy(path, 2, 1, 1, y);
    snprintf(path, sizeof path, "%s/xnan.npy", tmpdir);
    write_npy(path, 2, 1, 3, xnan);
}

static void teardown(void) { test_tmpdir_remove(tmpdir); }

/* Runs `clinfer ARGS` in tmpdir; returns the exit status, output in out. */
static int cli(const char *args)
{
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", tmpdir, CLINFER_CLI, args);
    return test_shell(cmd, out, sizeof out);
}

/* Counts the occurrences of s in out. */
static int count_of(const char *s)
{
    int n = 0;
    for (const char *p = out; (p = strstr(p, s)) != NULL; p += strlen(s))
        n++;
    return n;
}

TestSuite(cli_options, .init = setup, .fini = teardown);

Test(cli_options, equals_form_and_common_options_anywhere)
{
    /* run: every value joined by '=', --device after the command */
    cr_assert_eq(cli("run add.onnx --input=y=y.npy --input=x=x.npy --output-dir=o "
                     "--device=cpu --batch=1"),
                 0, "%s", out);
    cr_assert(strstr(out, "output z: shape [1, 3], min 11, max 13"), "%s", out);
    cr_assert(strstr(out, "written to o/z.npy"), "%s", out);
    /* the same values, separated */
    cr_assert_eq(cli("--device cpu run add.onnx --input y=y.npy --input x=x.npy --batch 1"), 0,
                 "%s", out);
    cr_assert(strstr(out, "min 11, max 13"), "%s", out);
    /* info: common options after the command, --json */
    cr_assert_eq(cli("info add.onnx --verbose --device=cpu --json"), 0, "%s", out);
    cr_assert(strstr(out, "\"inputs\": [{\"name\": \"x\""), "%s", out);
    /* a flag given a value is refused, not split into two arguments */
    cr_assert_eq(cli("info add.onnx --json=yes"), 2, "%s", out);
    cr_assert(strstr(out, "--json takes no value"), "%s", out);
    cr_assert_eq(cli("run add.onnx --gray=1"), 2, "%s", out);
    cr_assert(strstr(out, "--gray takes no value"), "%s", out);
    /* an unknown option still is one with '=' */
    cr_assert_eq(cli("run add.onnx --frobnicate=3"), 2, "%s", out);
    cr_assert(strstr(out, "unknown option --frobnicate"), "%s", out);
}

Test(cli_options, version)
{
    char want[64];
    snprintf(want, sizeof want, "clinfer %s\n", clinfer_version());
    cr_assert_eq(cli("--version"), 0, "%s", out);
    cr_assert_str_eq(out, want);
    cr_assert_eq(cli("version"), 0, "%s", out);
    cr_assert_str_eq(out, want);
    cr_assert_eq(cli("version extra"), 2, "%s", out);
}

Test(cli_options, bench_takes_named_inputs)
{
    /* named in the other order than the model's: fed by name */
    cr_assert_eq(cli("bench add.onnx --input y=y.npy --input=x=x.npy --iters=1 --warmup=0 "
                     "--json"),
                 0, "%s", out);
    cr_assert(strstr(out, "\"batch\": 1"), "%s", out);
    /* unnamed: the model's order */
    cr_assert_eq(cli("bench add.onnx --input x.npy --input y.npy --iters 1 --warmup 0"), 0, "%s",
                 out);
    /* the same files in the wrong order fail on the shapes */
    cr_assert_eq(cli("bench add.onnx --input y.npy --input x.npy --iters 1 --warmup 0"), 1, "%s",
                 out);
    cr_assert_eq(cli("bench add.onnx --input nope=x.npy --iters 1"), 1, "%s", out);
    cr_assert(strstr(out, "no input \"nope\"; its inputs are: x y"), "%s", out);
    /* only the second input: bench fills the ones after the files */
    cr_assert_eq(cli("bench add.onnx --input y=y.npy --iters 1"), 1, "%s", out);
    cr_assert(strstr(out, "none for \"x\""), "%s", out);
    cr_assert_eq(cli("bench add.onnx --input x=x.npy --input x=x.npy --iters 1"), 1, "%s", out);
    cr_assert(strstr(out, "\"x\" is given twice"), "%s", out);
}

Test(cli_options, fixed_batch_and_output_dir_are_checked_first)
{
    cr_assert_eq(cli("run add.onnx --input x.npy --input y.npy --batch 4"), 1, "%s", out);
    cr_assert(strstr(out, "--batch 4, but input \"x\" has the fixed shape [1,3]"), "%s", out);
    cr_assert_null(strstr(out, "output z"), "ran at another batch:\n%s", out);
    /* a file where the folder should be: refused before the model is read */
    char path[256];
    snprintf(path, sizeof path, "%s/file", tmpdir);
    write_bytes(path, "x", 1);
    cr_assert_eq(cli("run missing.onnx --input x.npy --output-dir file"), 2, "%s", out);
    cr_assert(strstr(out, "--output-dir: file is not a folder"), "%s", out);
    cr_assert_null(strstr(out, "missing.onnx"), "the model was read first:\n%s", out);
    cr_assert_eq(cli("run missing.onnx --output-dir no/such/dir"), 2, "%s", out);
    cr_assert(strstr(out, "cannot create no/such/dir: No such file or directory"), "%s", out);
}

/* Python's json module, strict: NaN or Infinity in the text is an error. */
#define STRICT_JSON                                                                        \
    "python3 -c 'import json, sys\n"                                                      \
    "def bad(c): raise ValueError(\"not JSON: \" + c)\n"                                   \
    "d = json.loads(sys.stdin.read(), parse_constant=bad)\n"

Test(cli_options, json_on_run_and_devices)
{
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' run add.onnx --input xnan.npy --input y.npy --json --output-dir o | "
             STRICT_JSON "o = d[\"outputs\"][0]\n"
             "print(d[\"batch\"], o[\"name\"], o[\"shape\"], o[\"min\"], o[\"max\"], o[\"nan\"], "
             "o[\"top\"], o[\"file\"])'",
             tmpdir, CLINFER_CLI);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    /* min and max skip the NaN; its score in the top list is null */
    cr_assert(strstr(out, "1 z [1, 3] 12 13 1 [[[0, None], [2, 13], [1, 12]]] o/z.npy"),
              "%s", out);
    snprintf(cmd, sizeof cmd,
             "'%s' devices --json | " STRICT_JSON
             "ds = d[\"devices\"]\n"
             "print(len(ds) > 0, sum(x[\"default\"] for x in ds), "
             "all(x[\"compute_units\"] > 0 and x[\"type\"] in (\"cpu\", \"gpu\", \"accelerator\", "
             "\"other\") for x in ds))'",
             CLINFER_CLI);
    cr_assert_eq(test_shell(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "True 1 True"), "%s", out);
}

Test(cli_options, device_messages)
{
    cr_assert_eq(cli("--device no-such-device-name devices"), 1, "%s", out);
    cr_assert_eq(count_of("no matching OpenCL device"), 1, "%s", out);
    cr_assert(strstr(out, "\"no-such-device-name\" names none of the available devices:"),
              "%s", out);
    /* HOME where nothing can be written, no POCL_CACHE_DIR: PoCL finds no
     * device. Another driver (a GPU's) may still list its devices. */
    int rc = test_shell("env -u POCL_CACHE_DIR HOME=/proc/clinfer-none '" CLINFER_CLI
                        "' devices",
                        out, sizeof out);
    if (rc == 0)
        cr_skip_test("devices are found with HOME unwritable here:\n%s", out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_assert(strstr(out, "needs a writable cache folder and HOME=/proc/clinfer-none is not "
                          "writable"),
              "%s", out);
    cr_assert_null(strstr(out, "ICD"), "%s", out);
}
