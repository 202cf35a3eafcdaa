/*
 * make_onnx_seeds.c — writes the loader tests' models (tests/onnx_writer.c)
 * into a folder, as the fuzzer's seed corpus.
 * usage: make_onnx_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include "onnx_writer.h"

static int save(const char *dir, const char *name, uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, size, f) == size;
    if (f)
        ok &= fclose(f) == 0;
    free(data);
    if (!ok)
        fprintf(stderr, "make_onnx_seeds: cannot write %s\n", path);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    size_t size = 0;
    int ok = save(argv[1], "cnn.onnx", onnx_model_cnn(1u, &size, NULL, NULL, NULL, NULL), size);
    ok &= save(argv[1], "ops.onnx", onnx_model_ops(&size), size);
    ok &= save(argv[1], "if.onnx", onnx_model_if(1, &size), size);
    const int64_t d[2] = {2, 3};
    const float v[6] = {1, 2, 3, 4, 5, 6};
    pb t = onnx_tensor_f("t", 2, d, v, 1);
    ok &= save(argv[1], "tensor.pb", t.b, t.n);
    return ok ? 0 : 1;
}
