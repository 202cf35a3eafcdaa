/*
 * test_program_cache.c — programs are built once per (source, options),
 * reused from disk by the next runtime, and a corrupt, truncated or stale
 * cache file is rejected and rebuilt; a build failure carries the log.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/eager.h"
#include "program_cache.h"
#include "testutil.h"

static char cache_dir[256];

/* Each test gets an empty cache folder of its own. */
static void fresh_cache_dir(void)
{
    snprintf(cache_dir, sizeof cache_dir, "/tmp/clinfer-test-cache-%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache_dir);
    cr_assert_eq(system(cmd), 0);
}

static void remove_cache_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache_dir);
    (void)system(cmd);
}

TestSuite(program_cache, .init = fresh_cache_dir, .fini = remove_cache_dir);

/* binaries: clinfer_runtime_options.binaries ("auto" or "always"). */
static clinfer_runtime *runtime_storing(const char *binaries)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.cache_dir = cache_dir;
    o.binaries = binaries;
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_str_eq(clinfer_runtime_cache_dir(rt), cache_dir);
    return rt;
}

/* The tests of damaged entries need a binary in the entry on every driver. */
static clinfer_runtime *runtime_with_cache(void) { return runtime_storing("always"); }

/* A program loaded from a cache file is proven to work, not just to load. */
static void run_and_check(clinfer_runtime *rt) { check_maxpool_runs(rt); }

/* The single cache file in the folder (the test builds one program). */
static void only_cache_file(char *path, size_t cap)
{
    DIR *d = opendir(cache_dir);
    cr_assert_not_null(d);
    int found = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".bin") && !strstr(e->d_name, ".tmp")) {
            snprintf(path, cap, "%s/%s", cache_dir, e->d_name);
            found++;
        }
    closedir(d);
    cr_assert_eq(found, 1, "expected one cache file, found %d", found);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

Test(program_cache, second_runtime_loads_from_disk)
{
    clinfer_runtime *rt = runtime_with_cache();
    run_and_check(rt);
    run_and_check(rt);
    clinfer_cache_stats s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.source_builds, 1);
    cr_assert_eq(s.memory_hits, 1, "the second run reuses the built program");
    clinfer_runtime_free(rt);

    rt = runtime_with_cache();
    run_and_check(rt);
    s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.disk_hits, 1);
    cr_assert_eq(s.source_builds, 0);
    clinfer_runtime_free(rt);
}

/* Damages the cache file with `damage`, then checks that the next runtime
 * rejects it, rebuilds from source, and writes a good file again. */
static void check_rejected_after(void (*damage)(const char *path))
{
    clinfer_runtime *rt = runtime_with_cache();
    run_and_check(rt);
    clinfer_runtime_free(rt);
    char path[512];
    only_cache_file(path, sizeof path);
    long good_size = file_size(path);
    damage(path);

    rt = runtime_with_cache();
    run_and_check(rt);
    clinfer_cache_stats s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.disk_rejects, 1, "the damaged file is rejected");
    cr_assert_eq(s.disk_hits, 0);
    cr_assert_eq(s.source_builds, 1, "and rebuilt from source");
    clinfer_runtime_free(rt);
    cr_assert_eq(file_size(path), good_size, "the rebuilt entry replaced the damaged one");

    rt = runtime_with_cache();
    run_and_check(rt);
    cr_assert_eq(clinfer_runtime_cache_stats(rt).disk_hits, 1);
    clinfer_runtime_free(rt);
}

static void truncate_half(const char *path)
{
    long n = file_size(path);
    cr_assert_eq(truncate(path, n / 2), 0);
}

static void truncate_to_header(const char *path) { cr_assert_eq(truncate(path, 10), 0); }

static void flip_last_byte(const char *path)
{
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, -1, SEEK_END);
    int c = fgetc(f);
    fseek(f, -1, SEEK_END);
    fputc(c ^ 0x5a, f);
    fclose(f);
}

static void append_garbage(const char *path)
{
    FILE *f = fopen(path, "ab");
    cr_assert_not_null(f);
    fputs("garbage", f);
    fclose(f);
}

static void overwrite_with_text(const char *path)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs("this is not a program binary at all, but it is long enough to be read", f);
    fclose(f);
}

Test(program_cache, truncated_file_is_rebuilt) { check_rejected_after(truncate_half); }
Test(program_cache, header_only_file_is_rebuilt) { check_rejected_after(truncate_to_header); }
Test(program_cache, flipped_byte_is_rebuilt) { check_rejected_after(flip_last_byte); }
Test(program_cache, trailing_bytes_are_rebuilt) { check_rejected_after(append_garbage); }
Test(program_cache, foreign_file_is_rebuilt) { check_rejected_after(overwrite_with_text); }

Test(program_cache, build_failure_returns_the_log)
{
    clinfer_runtime *rt = runtime_with_cache();
    cl_program prog = NULL;
    const char *bad = "__kernel void broken(__global float *x) { x[0] = undeclared_name; }\n";
    clinfer_status st = program_get_source(rt, "broken.cl", bad, "-DFOO=1", &prog);
    cr_assert_eq(st, CLINFER_ERR_BUILD_FAILED);
    const char *msg = clinfer_last_errmsg();
    cr_assert(strstr(msg, "broken.cl"), "names the program: %s", msg);
    cr_assert(strstr(msg, "-DFOO=1"), "names the options: %s", msg);
    cr_assert(strstr(msg, "undeclared_name"), "holds the build log: %s", msg);
    cr_assert_str_eq(clinfer_runtime_errmsg(rt), msg, "also kept on the runtime");
    /* The runtime stays usable after a failed build. */
    run_and_check(rt);
    clinfer_runtime_free(rt);
}

Test(program_cache, disabled_disk_cache_writes_nothing)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.cache_dir = cache_dir;
    o.disable_disk_cache = 1;
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_null(clinfer_runtime_cache_dir(rt));
    run_and_check(rt);
    clinfer_runtime_free(rt);
    cr_assert_null(opendir(cache_dir), "no cache folder was made");

    setenv("CLINFER_CACHE", "0", 1);
    o.disable_disk_cache = 0;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_null(clinfer_runtime_cache_dir(rt), "CLINFER_CACHE=0 disables it too");
    clinfer_runtime_free(rt);
    unsetenv("CLINFER_CACHE");
}

/* ------------------------------------------------------------ fewer programs */

#define ACT_C 8
#define ACT_HW 10
#define ACT_N (ACT_C * ACT_HW * ACT_HW)

/* Runs a 3x3 convolution (bias, padding 1) with activation `act` on `rt`
 * and returns how many programs it built from source; its output in y. */
static unsigned long conv_with_activation(clinfer_runtime *rt, clinfer_activation act, float alpha,
                                          float beta, const float *x, float *y)
{
    static float w[ACT_C * ACT_C * 9], b[ACT_C];
    uint32_t seed = 7;
    fill_uniform(w, sizeof w / sizeof w[0], -0.5f, 0.5f, &seed);
    fill_uniform(b, ACT_C, -0.5f, 0.5f, &seed);
    const clinfer_shape xs = {4, {1, ACT_C, ACT_HW, ACT_HW}}, ws = {4, {ACT_C, ACT_C, 3, 3}};
    const clinfer_shape bs = {1, {ACT_C}};
    clinfer_conv2d_desc d = clinfer_conv2d_desc_default();
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    d.activation = act, d.act_alpha = alpha, d.act_beta = beta;
    clinfer_graph *g = NULL;
    clinfer_value xv, wv, bv, yv;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &xv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "w", &ws, w, &wv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_constant(g, "b", &bs, b, &bv), CLINFER_OK);
    cr_assert_eq(clinfer_graph_conv2d(g, NULL, xv, wv, bv, &d, &yv), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_output(g, yv, NULL), CLINFER_OK);
    const unsigned long before = (unsigned long)clinfer_runtime_cache_stats(rt).source_builds;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    cr_assert_eq(clinfer_model_compile(rt, g, &m), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_create(m, NULL, &s), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_session_set_input(s, 0, x, ACT_N), CLINFER_OK);
    cr_assert_eq(clinfer_session_run(s), CLINFER_OK, "%s", clinfer_session_errmsg(s));
    cr_assert_eq(clinfer_session_get_output(s, 0, y, ACT_N), CLINFER_OK);
    const unsigned long built =
        (unsigned long)clinfer_runtime_cache_stats(rt).source_builds - before;
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_graph_free(g);
    return built;
}

/* v, or the bounds [lo, hi] where it is outside (NaN stays NaN). */
static float clamp_nan(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

static int same_float(float a, float b) { return (isnan(a) && isnan(b)) || a == b; }

/* Identity, ReLU and Clip epilogues are one program (issue 11: a cold start
 * builds fewer), and the results stay what each activation means, NaN
 * included. */
Test(program_cache, identity_relu_and_clip_share_a_program)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.disable_disk_cache = 1;
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    static float x[ACT_N], none[ACT_N], relu[ACT_N], clip[ACT_N];
    uint32_t seed = 3;
    fill_uniform(x, ACT_N, -1.0f, 1.0f, &seed);
    x[ACT_HW * ACT_HW + 5 * ACT_HW + 5] = NAN; /* a NaN in channel 1 reaches every channel */
    cr_assert_gt(conv_with_activation(rt, CLINFER_ACT_RELU, 0, 0, x, relu), 0);
    cr_assert_eq(conv_with_activation(rt, CLINFER_ACT_NONE, 0, 0, x, none), 0,
                 "Identity uses ReLU's programs");
    cr_assert_eq(conv_with_activation(rt, CLINFER_ACT_CLIP, 0.0f, 0.25f, x, clip), 0,
                 "Clip uses them too");
    int negatives = 0, nans = 0;
    for (int i = 0; i < ACT_N; i++) {
        negatives += none[i] < 0.0f;
        nans += isnan(none[i]);
        cr_assert(same_float(relu[i], clamp_nan(none[i], 0.0f, INFINITY)),
                  "ReLU at %d: %g for %g", i, relu[i], none[i]);
        cr_assert(same_float(clip[i], clamp_nan(none[i], 0.0f, 0.25f)), "Clip at %d: %g for %g",
                  i, clip[i], none[i]);
    }
    cr_assert_gt(negatives, ACT_N / 8, "Identity kept the negative outputs");
    cr_assert_gt(nans, 0, "the NaN came through");
    clinfer_runtime_free(rt);
}

static int on_pocl(const clinfer_runtime *rt)
{
    return strstr(clinfer_runtime_device(rt)->platform_name, "Portable Computing Language") != NULL;
}

/* binaries "auto" on PoCL keeps a build record (no binary: fetching one
 * makes PoCL compile every kernel again) and the next runtime rebuilds
 * through PoCL's cache, counted as a disk hit; "always" replaces the record
 * with a binary, which "auto" then loads. Elsewhere "auto" stores binaries. */
Test(program_cache, auto_keeps_a_build_record_on_pocl)
{
    clinfer_runtime *rt = runtime_storing("auto");
    run_and_check(rt);
    const int pocl = on_pocl(rt);
    cr_assert_eq(clinfer_runtime_cache_stats(rt).source_builds, 1);
    clinfer_runtime_free(rt);
    char path[512];
    only_cache_file(path, sizeof path);
    const long record_size = file_size(path);

    rt = runtime_storing("auto");
    run_and_check(rt);
    clinfer_cache_stats s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.disk_hits, 1, "the recorded build counts as found on disk");
    cr_assert_eq(s.source_builds, 0);
    cr_assert_eq(s.disk_rejects, 0);
    clinfer_runtime_free(rt);
    cr_assert_eq(file_size(path), record_size, "the entry is left as it was");

    rt = runtime_storing("always");
    run_and_check(rt);
    s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.source_builds, pocl ? 1 : 0, "always: a record is built and stored anew");
    cr_assert_eq(s.disk_hits, pocl ? 0 : 1);
    clinfer_runtime_free(rt);
    const long binary_size = file_size(path);
    if (pocl)
        cr_assert_gt(binary_size, record_size + 1000, "the record became a binary");
    else
        cr_assert_eq(binary_size, record_size, "auto stored a binary already");

    rt = runtime_storing("auto");
    run_and_check(rt);
    s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.disk_hits, 1);
    cr_assert_eq(s.source_builds, 0);
    clinfer_runtime_free(rt);
    cr_assert_eq(file_size(path), binary_size, "auto keeps a stored binary");
}

Test(program_cache, binaries_option_is_checked)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.cache_dir = cache_dir;
    o.binaries = "sometimes";
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_ERR_INVALID_ARGUMENT);
    cr_assert_null(rt);
    cr_assert(strstr(clinfer_last_errmsg(), "binaries=\"sometimes\""), "%s",
              clinfer_last_errmsg());
}
