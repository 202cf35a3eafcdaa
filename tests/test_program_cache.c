/*
 * test_program_cache.c — programs are built once per (source, options),
 * reused from disk by the next runtime, and a corrupt, truncated or stale
 * cache file is rejected and rebuilt; a build failure carries the log.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
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

static clinfer_runtime *runtime_with_cache(void)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.cache_dir = cache_dir;
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_str_eq(clinfer_runtime_cache_dir(rt), cache_dir);
    return rt;
}

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
