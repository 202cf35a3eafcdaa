/*
 * gemm_clblast.c — the CLBlast peer of `clinfer bench --gemm`: times
 * CLBlastSgemm(RowMajor, NoTrans, NoTrans) of C[M,N] = A[M,K] B[K,N] on an
 * OpenCL device (default: PoCL, the CPU) and prints the JSON keys of
 * `clinfer bench --json`.
 *
 *   gemm_clblast M N K [--iters N] [--warmup W] [--max-time S]
 *   (CLBLAST_DEVICE=SUBSTRING picks the first device whose platform or
 *    device name contains it; default "Portable Computing Language", else
 *    the first CPU device, else the first device)
 *
 * A run is timed like clinfer's: B is uploaded once (a constant), then each
 * run writes A, runs CLBlastSgemm and reads C (median_ms, gflops). The
 * JSON's kernel_ms and kernel_gflops time CLBlastSgemm alone (enqueue to
 * clFinish). The first call compiles CLBlast's kernels (first_run_ms).
 *
 * Build (tests/bench/side_by_side.sh does): cc -O2 gemm_clblast.c -lclblast
 *   -lOpenCL -lm
 */
#define CL_TARGET_OPENCL_VERSION 120
#include "peer_timing.h"

#include <clblast_c.h>

#define CHECK_CL(call)                                                                        \
    do {                                                                                      \
        cl_int e_ = (call);                                                                   \
        if (e_ != CL_SUCCESS) {                                                               \
            fprintf(stderr, "gemm_clblast: %s failed: %d\n", #call, (int)e_);                 \
            exit(1);                                                                          \
        }                                                                                     \
    } while (0)

static int contains(const char *s, const char *sub)
{
    return strstr(s, sub) != NULL;
}

/* The device: CLBLAST_DEVICE, else PoCL, else a CPU, else the first one. */
static cl_device_id pick_device(char *name, size_t cap)
{
    cl_platform_id plats[16];
    cl_uint np = 0;
    CHECK_CL(clGetPlatformIDs(16, plats, &np));
    const char *want = getenv("CLBLAST_DEVICE");
    cl_device_id best = NULL;
    int best_score = -1;
    for (cl_uint p = 0; p < np && p < 16; p++) {
        char pname[256] = "";
        clGetPlatformInfo(plats[p], CL_PLATFORM_NAME, sizeof pname, pname, NULL);
        cl_device_id devs[16];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 16, devs, &nd) != CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < nd && d < 16; d++) {
            char dname[256] = "";
            cl_device_type type = 0;
            clGetDeviceInfo(devs[d], CL_DEVICE_NAME, sizeof dname, dname, NULL);
            clGetDeviceInfo(devs[d], CL_DEVICE_TYPE, sizeof type, &type, NULL);
            int score = 0;
            if (want && *want)
                score = contains(pname, want) || contains(dname, want) ? 3 : -1;
            else if (contains(pname, "Portable Computing Language"))
                score = 2;
            else if (type & CL_DEVICE_TYPE_CPU)
                score = 1;
            if (score > best_score) {
                best_score = score;
                best = devs[d];
                snprintf(name, cap, "%s", dname);
            }
        }
    }
    if (!best || best_score < 0) {
        fprintf(stderr, "gemm_clblast: no OpenCL device%s%s\n", want ? " matching " : "",
                want ? want : "");
        exit(1);
    }
    return best;
}

int main(int argc, char **argv)
{
    peer_args a = peer_parse(argc, argv);
    size_t na = (size_t)a.m * a.k, nb = (size_t)a.k * a.n, nc = (size_t)a.m * a.n;
    float *A = malloc(na * sizeof *A), *B = malloc(nb * sizeof *B), *C = malloc(nc * sizeof *C);
    double *t = malloc((size_t)a.iters * sizeof *t), *kt = malloc((size_t)a.iters * sizeof *kt);
    if (!A || !B || !C || !t || !kt)
        return 1;
    peer_fill(A, na, 12345u);
    peer_fill(B, nb, 777u);

    char dev_name[256];
    cl_device_id dev = pick_device(dev_name, sizeof dev_name);
    cl_int err = CL_SUCCESS;
    cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    CHECK_CL(err);
    cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
    CHECK_CL(err);
    cl_mem ba = clCreateBuffer(ctx, CL_MEM_READ_ONLY, na * sizeof *A, NULL, &err);
    CHECK_CL(err);
    cl_mem bb = clCreateBuffer(ctx, CL_MEM_READ_ONLY, nb * sizeof *B, NULL, &err);
    CHECK_CL(err);
    cl_mem bc = clCreateBuffer(ctx, CL_MEM_READ_WRITE, nc * sizeof *C, NULL, &err);
    CHECK_CL(err);
    CHECK_CL(clEnqueueWriteBuffer(q, bb, CL_TRUE, 0, nb * sizeof *B, B, 0, NULL, NULL));

    double kernel_ms = 0;
    /* One end-to-end run: A in, SGEMM, C out; kernel_ms: the SGEMM alone. */
#define RUN()                                                                                  \
    do {                                                                                       \
        CHECK_CL(clEnqueueWriteBuffer(q, ba, CL_TRUE, 0, na * sizeof *A, A, 0, NULL, NULL));   \
        double k0_ = now_ms();                                                                 \
        CLBlastStatusCode s_ = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo,         \
                                            CLBlastTransposeNo, (size_t)a.m, (size_t)a.n,      \
                                            (size_t)a.k, 1.0f, ba, 0, (size_t)a.k, bb, 0,      \
                                            (size_t)a.n, 0.0f, bc, 0, (size_t)a.n, &q, NULL);  \
        if (s_ != CLBlastSuccess) {                                                            \
            fprintf(stderr, "gemm_clblast: CLBlastSgemm failed: %d\n", (int)s_);               \
            exit(1);                                                                           \
        }                                                                                      \
        CHECK_CL(clFinish(q));                                                                 \
        kernel_ms = now_ms() - k0_;                                                            \
        CHECK_CL(clEnqueueReadBuffer(q, bc, CL_TRUE, 0, nc * sizeof *C, C, 0, NULL, NULL));    \
    } while (0)

    double t0 = now_ms();
    RUN();
    double first = now_ms() - t0;
    t0 = now_ms();
    for (int w = 0; w < a.warmup; w++) {
        if (a.max_time_s > 0 && now_ms() - t0 >= a.max_time_s * 500)
            break;
        RUN();
    }
    int n = 0;
    double tl = now_ms();
    for (; n < a.iters; n++) {
        if (a.max_time_s > 0 && n > 0 && now_ms() - tl >= a.max_time_s * 1000)
            break;
        double ts = now_ms();
        RUN();
        t[n] = now_ms() - ts;
        kt[n] = kernel_ms;
    }
    double e = peer_check(&a, A, B, C);
    double kmed = peer_median(kt, n);
    printf("{\n  \"engine\": \"CLBlast %s\",\n  \"device\": \"%s\",\n  \"first_run_ms\": %.3f,\n",
           "CLBlastSgemm", dev_name, first);
    peer_print_times(&a, t, n);
    printf(",\n  \"kernel_ms\": %.4f,\n  \"kernel_gflops\": %.3f,\n  \"max_rel_error\": %.3g,\n"
           "  \"check\": \"%s\"\n}\n",
           kmed, kmed > 0 ? 2.0 * a.m * a.n * a.k / (kmed * 1e6) : 0.0, isfinite(e) ? e : -1,
           e <= 1e-4 ? "ok" : "FAIL");
    clReleaseMemObject(ba);
    clReleaseMemObject(bb);
    clReleaseMemObject(bc);
    clReleaseCommandQueue(q);
    clReleaseContext(ctx);
    free(A);
    free(B);
    free(C);
    free(t);
    free(kt);
    return e <= 1e-4 ? 0 : 1;
}
