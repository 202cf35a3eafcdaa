/*
 * config.c — the one reader of the environment: each setting comes from
 * its clinfer_runtime_options field when that is set, else from its
 * variable, else its default. Read once per runtime, so a run never
 * changes behaviour half way because a variable changed, and a bad value
 * is reported when the runtime is created rather than at the first layer
 * that happens to look at it.
 */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops/conv2d.h"
#include "ops/gemm.h"

#define MAX_CHOICES 12

/* A setting with named choices; choices[0] is the one an unset variable
 * means ("auto"). */
typedef struct choice_setting {
    const char *env;    /* CLINFER_POOL_VARIANT */
    const char *option; /* pool_variant */
    const char *choices[MAX_CHOICES];
    int count;
} choice_setting;

/* "a, b or c" for choices[1..], then choices[0]: the old messages' order. */
static void choices_text(const choice_setting *s, char *dst, size_t cap)
{
    size_t used = 0;
    dst[0] = '\0';
    for (int i = 1; i <= s->count && used < cap; i++) {
        const char *sep = i == 1 ? "" : i == s->count ? " or " : ", ";
        used += (size_t)snprintf(dst + used, cap - used, "%s%s", sep, s->choices[i % s->count]);
    }
}

/* The index of the choice named by the option `value` when it is not NULL,
 * else by the environment variable (unset or "": choices[0]). */
static clinfer_status parse_choice(const choice_setting *s, const char *value, int *out)
{
    const int from_option = value != NULL;
    const char *text = from_option ? value : getenv(s->env);
    *out = 0;
    if (!text || !text[0])
        return CLINFER_OK;
    for (int i = 0; i < s->count; i++)
        if (strcmp(text, s->choices[i]) == 0) {
            *out = i;
            return CLINFER_OK;
        }
    char list[256];
    choices_text(s, list, sizeof list);
    if (from_option)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_options.%s=\"%.64s\": expected %s", s->option, text, list);
    return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "%s=\"%.64s\": expected %s", s->env, text,
                   list);
}

/* ------------------------------------------------------------ kernel choices */

static clinfer_status parse_gemm_variant(const clinfer_runtime_options *o, runtime_config *c)
{
    choice_setting s = {"CLINFER_GEMM_VARIANT", "gemm_variant", {"auto"}, 1};
    for (int v = GEMM_VARIANT_CPU; v <= GEMM_VARIANT_NAIVE; v++)
        s.choices[s.count++] = gemm_variant_name((gemm_variant)v);
    int index = 0;
    clinfer_status st = parse_choice(&s, o->gemm_variant, &index);
    c->gemm_variant = index - 1; /* choices[1 + v] is variant v */
    return st;
}

static clinfer_status parse_conv_algo(const clinfer_runtime_options *o, runtime_config *c)
{
    choice_setting s = {"CLINFER_CONV_ALGO", "conv_algo", {NULL}, 0};
    for (int a = CONV2D_ALGO_AUTO; a < CONV2D_ALGO_COUNT; a++) /* "auto" first */
        s.choices[s.count++] = conv2d_algo_name((conv2d_algo)a);
    return parse_choice(&s, o->conv_algo, &c->conv_algo);
}

static clinfer_status parse_pool_variant(const clinfer_runtime_options *o, runtime_config *c)
{
    static const choice_setting s = {"CLINFER_POOL_VARIANT", "pool_variant",
                                     {"auto", "rows", "items"}, 3};
    return parse_choice(&s, o->pool_variant, &c->pool_variant);
}

static clinfer_status parse_depthwise_variant(const clinfer_runtime_options *o,
                                              runtime_config *c)
{
    static const choice_setting s = {"CLINFER_DEPTHWISE_VARIANT", "depthwise_variant",
                                     {"auto", "cpu", "gpu"}, 3};
    return parse_choice(&s, o->depthwise_variant, &c->depthwise_variant);
}

static clinfer_status parse_chain(const clinfer_runtime_options *o, runtime_config *c)
{
    static const choice_setting s = {"CLINFER_CHAIN", "(environment only)",
                                     {"auto", "off", "on"}, 3};
    (void)o;
    return parse_choice(&s, NULL, &c->chain);
}

static clinfer_status parse_replay(const clinfer_runtime_options *o, runtime_config *c)
{
    static const choice_setting s = {"CLINFER_REPLAY", "(environment only)",
                                     {"auto", "off", "on"}, 3};
    (void)o;
    return parse_choice(&s, NULL, &c->replay);
}

/* ------------------------------------------------------------ tuning, scratch */

static clinfer_status parse_tune(const clinfer_runtime_options *o, runtime_config *c)
{
    static const choice_setting s = {"CLINFER_TUNE", "tuning", {"1", "0"}, 2};
    switch (o->tuning) {
    case CLINFER_TUNING_ON:
        c->tune = CONFIG_TUNE_ON;
        return CLINFER_OK;
    case CLINFER_TUNING_OFF:
        c->tune = CONFIG_TUNE_OFF;
        return CLINFER_OK;
    case CLINFER_TUNING_DEFAULT:
        break;
    default:
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_options.tuning=%d: expected CLINFER_TUNING_DEFAULT, "
                       "CLINFER_TUNING_ON or CLINFER_TUNING_OFF",
                       (int)o->tuning);
    }
    const char *env = getenv(s.env);
    int off = 0;
    clinfer_status st = parse_choice(&s, NULL, &off);
    c->tune = off ? CONFIG_TUNE_OFF : env && env[0] ? CONFIG_TUNE_ON : CONFIG_TUNE_AUTO;
    return st;
}

static clinfer_status parse_scratch_cap(const clinfer_runtime_options *o, runtime_config *c)
{
    c->conv_scratch_cap = o->conv_scratch_cap ? o->conv_scratch_cap : CONV2D_SCRATCH_CAP;
    const char *env = getenv("CLINFER_CONV_SCRATCH_CAP");
    if (o->conv_scratch_cap || !env || !env[0])
        return CLINFER_OK;
    char *end = NULL;
    unsigned long long v = strtoull(env, &end, 10);
    if (env[0] < '0' || env[0] > '9' || *end != '\0' || v == 0)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "CLINFER_CONV_SCRATCH_CAP=\"%.64s\": expected a positive number of bytes",
                       env);
    c->conv_scratch_cap = v;
    return CLINFER_OK;
}

/* ------------------------------------------------------------ cache, device */

static clinfer_status parse_binaries(const clinfer_runtime_options *o, runtime_config *c)
{
    static const choice_setting s = {"CLINFER_BINARIES", "binaries", {"auto", "always"}, 2};
    return parse_choice(&s, o->binaries, &c->store_binaries);
}

static int env_disables_cache(void)
{
    const char *v = getenv("CLINFER_CACHE");
    return v && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "OFF") == 0);
}

/* $CLINFER_CACHE_DIR, else $XDG_CACHE_HOME/clinfer, else ~/.cache/clinfer. */
static char *default_cache_dir(void)
{
    const char *env = getenv("CLINFER_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char buf[4096];
    if (env && env[0])
        snprintf(buf, sizeof buf, "%s", env);
    else if (xdg && xdg[0])
        snprintf(buf, sizeof buf, "%s/clinfer", xdg);
    else if (home && home[0])
        snprintf(buf, sizeof buf, "%s/.cache/clinfer", home);
    else
        return NULL;
    return strdup(buf);
}

/* strdup of a string that may be NULL; 0 when out of memory. */
static int copy_string(const char *s, char **out)
{
    *out = s ? strdup(s) : NULL;
    return !s || *out;
}

static clinfer_status parse_cache_and_device(const clinfer_runtime_options *o,
                                             runtime_config *c)
{
    c->disk_cache = !o->disable_disk_cache && !env_disables_cache();
    int ok = 1;
    if (c->disk_cache && o->cache_dir)
        ok = copy_string(o->cache_dir, &c->cache_dir);
    else if (c->disk_cache)
        c->cache_dir = default_cache_dir();
    const char *spec = o->device_spec ? o->device_spec : getenv("CLINFER_DEVICE");
    if (!ok || !copy_string(spec, &c->device_spec))
        return err_set(NULL, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot copy the runtime options");
    return CLINFER_OK;
}

/* ------------------------------------------------------------ precision */

const char *clinfer_precision_name(clinfer_precision precision)
{
    switch (precision) {
    case CLINFER_PRECISION_DEFAULT:
        return "default";
    case CLINFER_PRECISION_FP32:
        return "fp32";
    case CLINFER_PRECISION_FP16:
        return "fp16";
    case CLINFER_PRECISION_FP16_MATH:
        return "fp16-math";
    }
    return NULL;
}

clinfer_status clinfer_precision_parse(const char *text, clinfer_precision *out)
{
    if (!out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "clinfer_precision_parse: out is NULL");
    *out = CLINFER_PRECISION_FP32;
    if (text && strcmp(text, "fp32") == 0)
        return CLINFER_OK;
    if (text && strcmp(text, "fp16") == 0) {
        *out = CLINFER_PRECISION_FP16;
        return CLINFER_OK;
    }
    if (text && strcmp(text, "fp16-math") == 0) {
        *out = CLINFER_PRECISION_FP16_MATH;
        return CLINFER_OK;
    }
    return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                   "precision \"%.64s\": expected fp32, fp16 or fp16-math", text ? text : "(null)");
}

/* The option when set, else CLINFER_PRECISION, else fp32. */
static clinfer_status parse_precision(const clinfer_runtime_options *o, runtime_config *c)
{
    static const choice_setting s = {"CLINFER_PRECISION", "precision",
                                     {"fp32", "fp16", "fp16-math"}, 3};
    static const clinfer_precision by_index[] = {
        CLINFER_PRECISION_FP32, CLINFER_PRECISION_FP16, CLINFER_PRECISION_FP16_MATH};
    c->precision = CLINFER_PRECISION_FP32;
    switch (o->precision) {
    case CLINFER_PRECISION_FP32:
    case CLINFER_PRECISION_FP16:
    case CLINFER_PRECISION_FP16_MATH:
        c->precision = o->precision;
        return CLINFER_OK;
    case CLINFER_PRECISION_DEFAULT:
        break;
    default:
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_runtime_options.precision=%d: expected CLINFER_PRECISION_DEFAULT, "
                       "CLINFER_PRECISION_FP32, CLINFER_PRECISION_FP16 or "
                       "CLINFER_PRECISION_FP16_MATH",
                       (int)o->precision);
    }
    int index = 0;
    clinfer_status st = parse_choice(&s, NULL, &index);
    if (st == CLINFER_OK)
        c->precision = by_index[index];
    return st;
}

/* ------------------------------------------------------------ the parser */

clinfer_status runtime_config_parse(const clinfer_runtime_options *opts, runtime_config *out)
{
    static clinfer_status (*const steps[])(const clinfer_runtime_options *, runtime_config *) = {
        parse_gemm_variant, parse_conv_algo,   parse_pool_variant,    parse_depthwise_variant,
        parse_tune,         parse_scratch_cap, parse_cache_and_device, parse_precision,
        parse_binaries,     parse_chain,       parse_replay};
    memset(out, 0, sizeof *out);
    clinfer_status st = CLINFER_OK;
    for (size_t i = 0; st == CLINFER_OK && i < sizeof steps / sizeof steps[0]; i++)
        st = steps[i](opts, out);
    if (st != CLINFER_OK)
        runtime_config_free(out);
    return st;
}

void runtime_config_free(runtime_config *config)
{
    free(config->cache_dir);
    free(config->device_spec);
    memset(config, 0, sizeof *config);
}
