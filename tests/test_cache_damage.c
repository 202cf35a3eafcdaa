/*
 * test_cache_damage.c — hostile program cache folders: an entry or
 * tuning.txt replaced by a FIFO, a link to /dev/zero, a directory or a huge
 * sparse file, and a forged entry (right key, another program's binary,
 * checksum recomputed). Every case must finish quickly (the Criterion
 * timeout catches a hang), warn, rebuild or re-measure, and replace the
 * damaged file with a good one.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program_cache.h"
#include "tuning.h"
#include "testutil.h"

static char dir[256];
static char warnings[8192];

static void fresh_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/clinfer-damage-%ld", (long)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    cr_assert_eq(system(cmd), 0);
    warnings[0] = '\0';
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)system(cmd);
}

TestSuite(cache_damage, .init = fresh_dir, .fini = remove_dir, .timeout = 120);

static void keep_warnings(void *user, clinfer_log_level level, const char *msg)
{
    (void)user;
    size_t used = strlen(warnings);
    if (level >= CLINFER_LOG_WARNING)
        snprintf(warnings + used, sizeof warnings - used, "%s\n", msg);
}

static clinfer_runtime *runtime(void)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.cache_dir = dir;
    o.binaries = "always"; /* the damage is done to a binary on every driver */
    o.log = keep_warnings;
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    return rt;
}

static void run_and_check(clinfer_runtime *rt) { check_maxpool_runs(rt); }

/* The path of the one program entry in the folder. */
static void entry_path(char *path, size_t cap)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls '%s'/*.bin", dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_not_null(fgets(path, (int)cap, p));
    cr_assert_null(fgets(cmd, sizeof cmd, p), "one entry expected");
    pclose(p);
    path[strcspn(path, "\n")] = '\0';
}

static void replace(const char *path, const char *shell)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "p='%s'; rm -rf \"$p\" && %s", path, shell);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static int is_regular(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Fills the cache, damages its entry with `shell` (on $p), and checks that
 * the next runtime rejects it, rebuilds, and leaves a good entry behind. */
static void entry_damaged(const char *shell)
{
    clinfer_runtime *rt = runtime();
    run_and_check(rt);
    clinfer_runtime_free(rt);
    char path[512];
    entry_path(path, sizeof path);
    replace(path, shell);

    rt = runtime();
    run_and_check(rt);
    clinfer_cache_stats s = clinfer_runtime_cache_stats(rt);
    cr_assert_eq(s.disk_rejects, 1, "rejected; warnings:\n%s", warnings);
    cr_assert_eq(s.source_builds, 1);
    cr_assert(strstr(warnings, "rejected"), "%s", warnings);
    clinfer_runtime_free(rt);
    cr_assert(is_regular(path), "the damaged entry was replaced");
    rt = runtime();
    run_and_check(rt);
    cr_assert_eq(clinfer_runtime_cache_stats(rt).disk_hits, 1);
    clinfer_runtime_free(rt);
}

Test(cache_damage, entry_is_a_fifo) { entry_damaged("mkfifo \"$p\""); }
Test(cache_damage, entry_links_to_dev_zero) { entry_damaged("ln -s /dev/zero \"$p\""); }
Test(cache_damage, entry_is_a_huge_sparse_file) { entry_damaged("truncate -s 5G \"$p\""); }

/* A directory cannot be replaced by rename: rejected every time, never a
 * hang or a failure. */
Test(cache_damage, entry_is_a_directory)
{
    clinfer_runtime *rt = runtime();
    run_and_check(rt);
    clinfer_runtime_free(rt);
    char path[512];
    entry_path(path, sizeof path);
    replace(path, "mkdir \"$p\"");
    rt = runtime();
    run_and_check(rt);
    cr_assert_eq(clinfer_runtime_cache_stats(rt).disk_rejects, 1, "%s", warnings);
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ forged entry */

typedef struct entry_header {
    char magic[8];
    uint32_t format, key_len;
    uint64_t payload_len, payload_checksum;
} entry_header;

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    cr_assert_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* The right key (the pooling program's), another program's binary, and a
 * checksum that matches it: before the marker check every run failed in
 * clCreateKernel with CL_INVALID_KERNEL_NAME until the file was deleted. */
Test(cache_damage, forged_entry_is_rebuilt)
{
    clinfer_runtime *rt = runtime();
    run_and_check(rt);
    char pool_path[512], other_path[512];
    entry_path(pool_path, sizeof pool_path);
    cl_program other = NULL;
    cr_assert_eq(program_get_source(rt, "other.cl",
                                    "__kernel void other(__global float *x) { x[0] = 1.0f; }\n",
                                    "", &other),
                 CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls '%s'/*.bin | grep -v '%s'", dir, pool_path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(fgets(other_path, sizeof other_path, p));
    pclose(p);
    other_path[strcspn(other_path, "\n")] = '\0';

    size_t pool_n = 0, other_n = 0;
    unsigned char *pool = slurp(pool_path, &pool_n), *oth = slurp(other_path, &other_n);
    entry_header ph, oh;
    memcpy(&ph, pool, sizeof ph);
    memcpy(&oh, oth, sizeof oh);
    const unsigned char *other_bin = oth + sizeof oh + oh.key_len;
    ph.payload_len = oh.payload_len;
    ph.payload_checksum = fnv1a64(FNV64_OFFSET, other_bin, oh.payload_len);
    FILE *f = fopen(pool_path, "wb");
    cr_assert_not_null(f);
    fwrite(&ph, sizeof ph, 1, f);
    fwrite(pool + sizeof ph, 1, ph.key_len, f);
    fwrite(other_bin, 1, oh.payload_len, f);
    fclose(f);
    free(pool);
    free(oth);

    rt = runtime();
    run_and_check(rt);
    cr_assert_eq(clinfer_runtime_cache_stats(rt).disk_rejects, 1, "%s", warnings);
    cr_assert(strstr(warnings, "another program"), "%s", warnings);
    clinfer_runtime_free(rt);
    rt = runtime();
    run_and_check(rt);
    cr_assert_eq(clinfer_runtime_cache_stats(rt).disk_hits, 1, "the entry was replaced");
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------------ tuning.txt */

/* tuning.txt damaged with `shell`: reading gives nothing at once, with a
 * warning; storing a value replaces the file with a good one. */
static void tuning_damaged(const char *shell, int warns)
{
    clinfer_runtime *rt = runtime();
    char path[400], value[64];
    snprintf(path, sizeof path, "%s", tuning_path(rt));
    replace(path, shell);
    cr_assert_eq(tuning_get(rt, "gemm_cpu", value, sizeof value), 0);
    if (warns)
        cr_assert(strstr(warnings, "tuning: ignoring"), "%s", warnings);
    tuning_put(rt, "gemm_cpu", "v1");
    clinfer_runtime_free(rt);
    cr_assert(is_regular(path), "tuning.txt was replaced");
    rt = runtime();
    cr_assert_eq(tuning_get(rt, "gemm_cpu", value, sizeof value), 1);
    cr_assert_str_eq(value, "v1");
    clinfer_runtime_free(rt);
}

Test(cache_damage, tuning_is_a_fifo) { tuning_damaged("mkfifo \"$p\"", 1); }
Test(cache_damage, tuning_links_to_dev_zero) { tuning_damaged("ln -s /dev/zero \"$p\"", 1); }
Test(cache_damage, tuning_is_a_huge_sparse_file) { tuning_damaged("truncate -s 5G \"$p\"", 1); }
Test(cache_damage, tuning_is_binary_junk)
{
    tuning_damaged("head -c 100000 /dev/urandom > \"$p\"", 0);
}
