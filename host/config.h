/*
 * config.h — the runtime's configuration: which kernel variants are forced,
 * the GEMM tile search, the convolution scratch bound, the program cache
 * directory and the device. Read once, by runtime_config_parse, when a runtime is
 * created: an explicit clinfer_runtime_options field wins over its
 * environment variable. Nothing else in the library reads the environment.
 */
#ifndef CLINFER_CONFIG_H
#define CLINFER_CONFIG_H

#include <stdint.h>

#include "clinfer.h"

/* Every forced choice: 0 leaves it to the library (by device type or layer). */
#define CONFIG_AUTO 0

/* CLINFER_POOL_VARIANT / pool_variant. */
enum { CONFIG_POOL_ROWS = 1, CONFIG_POOL_ITEMS };
/* CLINFER_TUNE / tuning: OFF the default GEMM tiles, nothing read or
 * stored; ON a stored choice, else a measured search whose winner is
 * stored; AUTO as ON, except that a CPU without a stored choice takes the
 * default tiles unmeasured (the first candidate of its vector width: on
 * AVX2 the tiles ResNet-18 ran fastest with; the search cost a cold start
 * about 2 s of compiles on PoCL). */
enum { CONFIG_TUNE_OFF = 0, CONFIG_TUNE_ON, CONFIG_TUNE_AUTO };
/* CLINFER_DEPTHWISE_VARIANT / depthwise_variant. */
enum { CONFIG_DEPTHWISE_CPU = 1, CONFIG_DEPTHWISE_GPU };
/* CLINFER_CHAIN (environment only): AUTO chains a small network's layers
 * into one launch where chain.c finds it pays, OFF never, ON wherever it
 * can (tests, and timing the chain on larger work). */
enum { CONFIG_CHAIN_OFF = 1, CONFIG_CHAIN_ON };
/* CLINFER_REPLAY (environment only): AUTO replays each session's recorded
 * kernels (replay.h) on devices that are not CPUs and offer
 * cl_khr_command_buffer, OFF never, ON on any device (fails on one
 * without the extension). */
enum { CONFIG_REPLAY_OFF = 1, CONFIG_REPLAY_ON };

typedef struct runtime_config {
    int gemm_variant;           /* gemm_variant (ops/gemm.h), or -1: by device type */
    int conv_algo;              /* conv2d_algo (ops/conv2d.h); CONV2D_ALGO_AUTO is 0 */
    int pool_variant;           /* CONFIG_AUTO or CONFIG_POOL_* */
    int depthwise_variant;      /* CONFIG_AUTO or CONFIG_DEPTHWISE_* */
    int chain;                  /* CONFIG_AUTO or CONFIG_CHAIN_* */
    int replay;                 /* CONFIG_AUTO or CONFIG_REPLAY_* */
    int tune;                   /* CONFIG_TUNE_* */
    uint64_t conv_scratch_cap;  /* bytes of lowered-convolution scratch */
    int disk_cache;             /* 0: the program cache stays in memory */
    char *cache_dir;            /* the program cache directory, NULL: none */
    char *device_spec;          /* clinfer_runtime_options.device_spec; NULL: default */
    clinfer_precision precision; /* FP32 or FP16, resolved (never DEFAULT) */
    int store_binaries;         /* 1: "always"; 0: "auto" (not on PoCL) */
} runtime_config;

/* Fills *out from `opts` and the environment. A value that is not one of
 * the choices fails with CLINFER_ERR_INVALID_ARGUMENT, a message naming
 * the variable or option, the value and the choices, and *out empty. */
clinfer_status runtime_config_parse(const clinfer_runtime_options *opts, runtime_config *out);

void runtime_config_free(runtime_config *config);

#endif
