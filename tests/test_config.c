/*
 * test_config.c — the runtime's configuration (host/config.c): every
 * variable that forces a kernel choice, the tuning and the scratch bound,
 * and its clinfer_runtime_options field. A bad value, from either, fails
 * clinfer_runtime_create with a message naming the variable or option,
 * the value and the choices; an option wins over its variable.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/conv2d.h"
#include "ops/gemm.h"
#include "runtime.h"
#include "testutil.h"

/* The variables with named choices, and how their messages list them. */
static const struct {
    const char *variable, *option, *choices;
} settings[] = {
    {"CLINFER_GEMM_VARIANT", "gemm_variant", "expected cpu, gpu, naive or auto"},
    {"CLINFER_CONV_ALGO", "conv_algo",
     "expected naive, direct, im2col, gemm1x1, winograd, depthwise, pooled, fc, stem, implicit "
     "or auto"},
    {"CLINFER_DEPTHWISE_VARIANT", "depthwise_variant", "expected cpu, gpu or auto"},
    {"CLINFER_POOL_VARIANT", "pool_variant", "expected rows, items or auto"},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

/* clinfer_runtime_create(o) fails with INVALID_ARGUMENT, *out stays NULL,
 * and the message holds `what` and `choices`. */
static void expect_refused(const clinfer_runtime_options *o, const char *what,
                           const char *choices)
{
    clinfer_runtime *rt = (clinfer_runtime *)&rt; /* must be reset to NULL */
    clinfer_status st = clinfer_runtime_create(o, &rt);
    const char *msg = clinfer_last_errmsg();
    cr_assert_eq(st, CLINFER_ERR_INVALID_ARGUMENT, "%s: %s (%s)", what, clinfer_status_str(st),
                 msg);
    cr_assert_null(rt, "%s: *out not reset", what);
    cr_assert(strstr(msg, what), "message lacks \"%s\": %s", what, msg);
    cr_assert(strstr(msg, choices), "message lacks \"%s\": %s", choices, msg);
}

static void unset_all(void)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        unsetenv(settings[i].variable);
    unsetenv("CLINFER_TUNE");
    unsetenv("CLINFER_CONV_SCRATCH_CAP");
}

TestSuite(config, .init = unset_all, .fini = unset_all);

Test(config, bad_variable_value_is_refused)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char what[128];
        setenv(settings[i].variable, "fastest", 1);
        snprintf(what, sizeof what, "%s=\"fastest\"", settings[i].variable);
        expect_refused(NULL, what, settings[i].choices);
        unsetenv(settings[i].variable);
    }
}

Test(config, bad_option_value_is_refused)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        clinfer_runtime_options o = clinfer_runtime_options_default();
        test_options_force(&o, settings[i].variable, "Fastest");
        char what[128];
        snprintf(what, sizeof what, "clinfer_runtime_options.%s=\"Fastest\"",
                 settings[i].option);
        expect_refused(&o, what, settings[i].choices);
    }
}

Test(config, bad_tuning_and_scratch_values_are_refused)
{
    setenv("CLINFER_TUNE", "yes", 1);
    expect_refused(NULL, "CLINFER_TUNE=\"yes\"", "expected 0 or 1");
    unsetenv("CLINFER_TUNE");
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.tuning = (clinfer_tuning)7;
    expect_refused(&o, "clinfer_runtime_options.tuning=7",
                   "expected CLINFER_TUNING_DEFAULT, CLINFER_TUNING_ON or CLINFER_TUNING_OFF");
    static const char *const caps[] = {"0", "-5", "12k", " 12", "lots"};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        char what[64];
        setenv("CLINFER_CONV_SCRATCH_CAP", caps[i], 1);
        snprintf(what, sizeof what, "CLINFER_CONV_SCRATCH_CAP=\"%s\"", caps[i]);
        expect_refused(NULL, what, "expected a positive number of bytes");
    }
}

/* Unset, "" and "auto" leave the choice to the library. */
Test(config, unset_empty_and_auto_are_automatic)
{
    setenv("CLINFER_GEMM_VARIANT", "", 1);
    setenv("CLINFER_POOL_VARIANT", "auto", 1);
    setenv("CLINFER_TUNE", "", 1);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.conv_algo = "auto";
    o.depthwise_variant = "";
    clinfer_runtime *rt = test_runtime_with(&o);
    cr_assert_eq(rt->config.gemm_variant, -1);
    cr_assert_eq(rt->config.conv_algo, CONV2D_ALGO_AUTO);
    cr_assert_eq(rt->config.pool_variant, CONFIG_AUTO);
    cr_assert_eq(rt->config.depthwise_variant, CONFIG_AUTO);
    cr_assert_eq(rt->config.tune, CONFIG_TUNE_AUTO);
    cr_assert_eq(rt->config.conv_scratch_cap, CONV2D_SCRATCH_CAP);
    clinfer_runtime_free(rt);
}

/* rt's conv_algo, depthwise_variant, pool_variant, tune and
 * conv_scratch_cap are those of `want`. */
static void expect_choices(const clinfer_runtime *rt, const runtime_config *want)
{
    const runtime_config *got = &rt->config;
    cr_assert_eq(got->conv_algo, want->conv_algo);
    cr_assert_eq(got->depthwise_variant, want->depthwise_variant);
    cr_assert_eq(got->pool_variant, want->pool_variant);
    cr_assert_eq(got->tune, want->tune);
    cr_assert_eq(got->conv_scratch_cap, want->conv_scratch_cap);
}

/* The variables alone, then options that say otherwise (one variable even
 * bad: it is not read when its option is set). */
Test(config, option_overrides_variable)
{
    setenv("CLINFER_GEMM_VARIANT", "naive", 1);
    setenv("CLINFER_CONV_ALGO", "im2col", 1);
    setenv("CLINFER_DEPTHWISE_VARIANT", "gpu", 1);
    setenv("CLINFER_POOL_VARIANT", "items", 1);
    setenv("CLINFER_TUNE", "0", 1);
    setenv("CLINFER_CONV_SCRATCH_CAP", "1000", 1);
    clinfer_runtime *rt = test_runtime();
    gemm_config c;
    cr_assert_eq(gemm_config_get(rt, &c), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(c.variant, GEMM_VARIANT_NAIVE);
    const runtime_config from_env = {.conv_algo = CONV2D_ALGO_IM2COL,
                                     .depthwise_variant = CONFIG_DEPTHWISE_GPU,
                                     .pool_variant = CONFIG_POOL_ITEMS,
                                     .tune = CONFIG_TUNE_OFF,
                                     .conv_scratch_cap = 1000};
    expect_choices(rt, &from_env);
    clinfer_runtime_free(rt);

    setenv("CLINFER_GEMM_VARIANT", "fastest", 1);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.gemm_variant = "gpu";
    o.conv_algo = "winograd";
    o.depthwise_variant = "cpu";
    o.pool_variant = "rows";
    o.tuning = CLINFER_TUNING_ON;
    o.conv_scratch_cap = 4096;
    rt = test_runtime_with(&o);
    o.tuning = CLINFER_TUNING_OFF; /* the tile search itself is not under test */
    clinfer_runtime *untuned = test_runtime_with(&o);
    cr_assert_eq(gemm_config_get(untuned, &c), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_eq(c.variant, GEMM_VARIANT_GPU);
    const runtime_config from_options = {.conv_algo = CONV2D_ALGO_WINOGRAD,
                                         .depthwise_variant = CONFIG_DEPTHWISE_CPU,
                                         .pool_variant = CONFIG_POOL_ROWS,
                                         .tune = CONFIG_TUNE_ON,
                                         .conv_scratch_cap = 4096};
    expect_choices(rt, &from_options);
    clinfer_runtime_free(untuned);
    clinfer_runtime_free(rt);
}

/* Read once: a variable changed after the runtime was created does not
 * change what it runs. */
Test(config, read_when_the_runtime_is_created)
{
    clinfer_runtime *rt = test_runtime();
    setenv("CLINFER_CONV_ALGO", "fastest", 1);
    setenv("CLINFER_CONV_SCRATCH_CAP", "1", 1);
    conv2d_params p = conv2d_params_default();
    p.n = 2, p.c = 3, p.h = p.w = 8, p.oc = 4, p.kh = p.kw = 3;
    conv2d_plan plan;
    cr_assert_eq(conv2d_plan_make(rt, &p, &plan), CLINFER_OK, "%s", clinfer_last_errmsg());
    cr_assert_gt(plan.chunk, 1, "chunk %d: the scratch bound changed", (int)plan.chunk);
    clinfer_runtime_free(rt);
}
