/*
 * bench_shapes.c — how long a session of a new input shape takes to create
 * on an already loaded model (issue 11's "second session of a new shape"):
 *
 *   build/bench_shapes MODEL.onnx INPUT 1x3x224x224 1x3x320x256 4x3x224x224 ...
 *
 * Loads MODEL once, then creates, runs once (zeros; the model's first
 * input is INPUT) and frees a session per
 * shape in the order given, printing the creation time, the first run's
 * time and the programs compiled so far. Repeat a shape to see the cost of a
 * size already built (its variant is kept by the model). Not a CTest test.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h" /* cli_parse_dims, host/cli/dims.c */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Reads output 0: waits for the run. */
static clinfer_status wait_for_output(clinfer_session *s)
{
    clinfer_shape shape;
    clinfer_status st = clinfer_session_output_shape(s, 0, &shape);
    if (st != CLINFER_OK)
        return st;
    size_t count = 1;
    for (int32_t d = 0; d < shape.rank; d++)
        count *= (size_t)shape.dims[d];
    float *out = malloc((count ? count : 1) * sizeof *out);
    st = out ? clinfer_session_get_output(s, 0, out, count) : CLINFER_ERR_OUT_OF_HOST_MEMORY;
    free(out);
    return st;
}

/* Creates a session of `shape`, runs it once, frees it; prints the times. */
static int time_shape(clinfer_runtime *rt, clinfer_model *m, const char *input, const char *text)
{
    clinfer_input_shape is = {input, {0}};
    if (!cli_parse_dims(text, &is.shape)) {
        fprintf(stderr, "bench_shapes: cannot read the shape \"%s\" (e.g. 1x3x224x224)\n", text);
        return 1;
    }
    clinfer_session_options so = clinfer_session_options_default();
    so.input_shapes = &is;
    so.input_shape_count = 1;
    clinfer_session *s = NULL;
    double t0 = now_ms();
    if (clinfer_session_create(m, &so, &s) != CLINFER_OK) {
        fprintf(stderr, "bench_shapes: %s: %s\n", text, clinfer_last_errmsg());
        return 1;
    }
    double t1 = now_ms();
    size_t count = 1;
    for (int32_t d = 0; d < is.shape.rank; d++)
        count *= (size_t)is.shape.dims[d];
    float *zeros = calloc(count, sizeof *zeros);
    clinfer_status st = zeros ? clinfer_session_set_input(s, 0, zeros, count)
                              : CLINFER_ERR_OUT_OF_HOST_MEMORY;
    if (st == CLINFER_OK)
        st = clinfer_session_run(s);
    free(zeros);
    if (st == CLINFER_OK)
        st = wait_for_output(s);
    double t2 = now_ms();
    clinfer_cache_stats cs = clinfer_runtime_cache_stats(rt);
    printf("%-18s create %8.1f ms   first run %8.1f ms%s   programs compiled so far %u\n", text,
           t1 - t0, t2 - t1, st == CLINFER_OK ? "" : " (failed)", (unsigned)cs.source_builds);
    clinfer_session_free(s);
    return st == CLINFER_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_shapes MODEL.onnx INPUT SHAPE [SHAPE...]\n");
        return 2;
    }
    clinfer_runtime *rt = NULL;
    if (clinfer_runtime_create(NULL, &rt) != CLINFER_OK) {
        fprintf(stderr, "bench_shapes: %s\n", clinfer_last_errmsg());
        return 1;
    }
    clinfer_model *m = NULL;
    double t0 = now_ms();
    if (clinfer_model_load(rt, argv[1], &m) != CLINFER_OK) {
        fprintf(stderr, "bench_shapes: %s\n", clinfer_last_errmsg());
        clinfer_runtime_free(rt);
        return 1;
    }
    printf("%s on %s: load %.1f ms\n", argv[1], clinfer_runtime_device(rt)->name, now_ms() - t0);
    int failures = 0;
    for (int a = 3; a < argc; a++)
        failures += time_shape(rt, m, argv[2], argv[a]);
    clinfer_model_free(m);
    clinfer_runtime_free(rt);
    return failures ? 1 : 0;
}
