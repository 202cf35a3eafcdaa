/*
 * fault_tool.c — helpers of the fault sweep (sweep.sh), so that it needs no
 * Python: `fault_tool input FILE N` writes a deterministic [N, 1, 28, 28]
 * float32 .npy (pixels in [0, 1], the lecture CNN's input); `fault_tool
 * compare GOT.npy WANT.npy` exits 0 when the shapes agree and every value
 * is within 1e-4 + 1e-3 * |want| (a faulted run may tune other tile sizes,
 * which sums in another order), else 1 with the first difference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/npy.h"

static int write_input(const char *path, long n)
{
    clinfer_shape s = {4, {n, 1, 28, 28}};
    size_t count = (size_t)n * 28 * 28;
    float *x = malloc(count * sizeof *x);
    char err[256];
    if (!x)
        return 1;
    for (size_t i = 0; i < count; i++) /* stripes and a ramp: not all zero */
        x[i] = (float)((i * 37 + i / 28 * 11) % 256) / 255.0f;
    int ok = npy_write(path, &s, x, err, sizeof err);
    free(x);
    if (!ok)
        fprintf(stderr, "fault_tool: %s\n", err);
    return !ok;
}

static int load(const char *path, clinfer_tensor *t)
{
    unsigned char *data = NULL;
    size_t size = 0;
    char err[1024];
    int ok = cli_read_file(path, &data, &size, err, sizeof err) &&
             npy_decode(data, size, t, err, sizeof err);
    if (!ok)
        fprintf(stderr, "fault_tool: %s: %s\n", path, err);
    free(data);
    return ok;
}

static int compare(const char *got_path, const char *want_path)
{
    clinfer_tensor got, want;
    memset(&got, 0, sizeof got);
    memset(&want, 0, sizeof want);
    int rc = 1;
    if (!load(got_path, &got) || !load(want_path, &want))
        goto done;
    size_t n = 1;
    int same = got.shape.rank == want.shape.rank && got.dtype == want.dtype;
    for (int32_t d = 0; same && d < want.shape.rank; d++) {
        same = got.shape.dims[d] == want.shape.dims[d];
        n *= (size_t)want.shape.dims[d];
    }
    if (!same) {
        fprintf(stderr, "fault_tool: %s: shape or type differs from %s\n", got_path, want_path);
        goto done;
    }
    const float *g = got.data, *w = want.data;
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(g[i] - w[i]) <= 1e-4f + 1e-3f * fabsf(w[i]))) {
            fprintf(stderr, "fault_tool: %s[%zu] = %g, want %g\n", got_path, i, g[i], w[i]);
            goto done;
        }
    rc = 0;
done:
    clinfer_tensor_release(&got);
    clinfer_tensor_release(&want);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "input") == 0)
        return write_input(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "compare") == 0)
        return compare(argv[2], argv[3]);
    fprintf(stderr, "usage: fault_tool input FILE N | fault_tool compare GOT.npy WANT.npy\n");
    return 2;
}
