/*
 * fuzz_onnx_load.c — libFuzzer target for the ONNX loader: every input is
 * given to clinfer_graph_load_onnx_memory, clinfer_onnx_inspect and
 * clinfer_tensor_decode_onnx. Built only with clang (CMake option
 * CLINFER_FUZZ); tests/fuzz/run.sh builds it with
 * -fsanitize=fuzzer,address,undefined, seeds it and runs it for a bounded
 * time. Nothing here needs an OpenCL device.
 */
#include <stddef.h>
#include <stdint.h>

#include "clinfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clinfer_graph *g = NULL;
    if (clinfer_graph_load_onnx_memory(data, size, &g) == CLINFER_OK)
        clinfer_graph_free(g);
    clinfer_onnx_info *info = NULL;
    if (clinfer_onnx_inspect(data, size, &info) == CLINFER_OK)
        clinfer_onnx_info_free(info);
    clinfer_tensor t;
    if (clinfer_tensor_decode_onnx(data, size, &t) == CLINFER_OK)
        clinfer_tensor_release(&t);
    return 0;
}
