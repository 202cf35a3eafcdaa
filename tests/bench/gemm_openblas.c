/*
 * gemm_openblas.c — the OpenBLAS peer of `clinfer bench --gemm`: times
 * cblas_sgemm(RowMajor, NoTrans, NoTrans) of C[M,N] = A[M,K] B[K,N] on host
 * memory with all of OpenBLAS's threads, and prints the JSON keys of
 * `clinfer bench --json` plus OpenBLAS's core and thread count.
 *
 *   gemm_openblas M N K [--iters N] [--warmup W] [--max-time S]
 *
 * Build (tests/bench/side_by_side.sh does): cc -O2 gemm_openblas.c
 *   -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -lm
 * Debian's OpenBLAS 0.3.21 does not recognise every recent processor and
 * then uses a slow generic kernel: run with OPENBLAS_CORETYPE=SkylakeX on
 * AVX-512 machines (the JSON's "core" says which kernel ran).
 */
#include "peer_timing.h"

#include <cblas.h>

int main(int argc, char **argv)
{
    peer_args a = peer_parse(argc, argv);
    size_t na = (size_t)a.m * a.k, nb = (size_t)a.k * a.n, nc = (size_t)a.m * a.n;
    float *A = malloc(na * sizeof *A), *B = malloc(nb * sizeof *B), *C = malloc(nc * sizeof *C);
    double *t = malloc((size_t)a.iters * sizeof *t);
    if (!A || !B || !C || !t)
        return 1;
    peer_fill(A, na, 12345u);
    peer_fill(B, nb, 777u);
    memset(C, 0, nc * sizeof *C);
#define SGEMM()                                                                                \
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a.m, (int)a.n, (int)a.k, 1.0f, \
                A, (int)a.k, B, (int)a.n, 0.0f, C, (int)a.n)
    double t0 = now_ms();
    SGEMM();
    double first = now_ms() - t0;
    for (int w = 0; w < a.warmup; w++) {
        if (a.max_time_s > 0 && now_ms() - t0 >= a.max_time_s * 500)
            break;
        SGEMM();
    }
    int n = 0;
    double tl = now_ms();
    for (; n < a.iters; n++) {
        if (a.max_time_s > 0 && n > 0 && now_ms() - tl >= a.max_time_s * 1000)
            break;
        double ts = now_ms();
        SGEMM();
        t[n] = now_ms() - ts;
    }
    double err = peer_check(&a, A, B, C);
    printf("{\n  \"engine\": \"OpenBLAS cblas_sgemm\",\n  \"core\": \"%s\",\n"
           "  \"threads\": %d,\n  \"config\": \"%s\",\n  \"first_run_ms\": %.3f,\n",
           openblas_get_corename(), openblas_get_num_threads(), openblas_get_config(), first);
    peer_print_times(&a, t, n);
    printf(",\n  \"max_rel_error\": %.3g,\n  \"check\": \"%s\"\n}\n", isfinite(err) ? err : -1,
           err <= 1e-4 ? "ok" : "FAIL");
    free(A);
    free(B);
    free(C);
    free(t);
    return err <= 1e-4 ? 0 : 1;
}
