/*
 * testutil_options.c — runtimes made with clinfer_runtime_options for the
 * tests that force kernel variants (testutil.h). A file of its own: the
 * static test library links it only into the tests that use it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"

clinfer_runtime *test_runtime_with(const clinfer_runtime_options *options)
{
    clinfer_runtime *rt = NULL;
    clinfer_status st = clinfer_runtime_create(options, &rt);
    cr_assert_eq(st, CLINFER_OK, "clinfer_runtime_create: %s: %s", clinfer_status_str(st),
                 clinfer_last_errmsg());
    return rt;
}

void test_options_force(clinfer_runtime_options *o, const char *variable, const char *value)
{
    if (strcmp(variable, "CLINFER_GEMM_VARIANT") == 0)
        o->gemm_variant = value;
    else if (strcmp(variable, "CLINFER_CONV_ALGO") == 0)
        o->conv_algo = value;
    else if (strcmp(variable, "CLINFER_DEPTHWISE_VARIANT") == 0)
        o->depthwise_variant = value;
    else if (strcmp(variable, "CLINFER_POOL_VARIANT") == 0)
        o->pool_variant = value;
    else
        cr_assert_fail("test_options_force: no option for %s", variable);
}

#define MAX_FORCED 8

/* The runtimes of test_forced_runtime, with what each forces. */
static struct {
    const char *variable, *value;
    clinfer_runtime *rt;
} forced[MAX_FORCED];
static size_t forced_count;

clinfer_runtime *test_forced_runtime(const clinfer_runtime_options *base, const char *variable,
                                     const char *value)
{
    for (size_t i = 0; i < forced_count; i++)
        if (strcmp(forced[i].variable, variable) == 0 && strcmp(forced[i].value, value) == 0)
            return forced[i].rt;
    cr_assert_lt(forced_count, MAX_FORCED, "test_forced_runtime: more than %d runtimes",
                 MAX_FORCED);
    clinfer_runtime_options o = base ? *base : clinfer_runtime_options_default();
    test_options_force(&o, variable, value);
    clinfer_runtime *rt = test_runtime_with(&o);
    forced[forced_count].variable = variable;
    forced[forced_count].value = value;
    forced[forced_count++].rt = rt;
    return rt;
}

void test_forced_free(void)
{
    for (size_t i = 0; i < forced_count; i++)
        clinfer_runtime_free(forced[i].rt);
    forced_count = 0;
}
