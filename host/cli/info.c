/*
 * info.c — `clinfer info MODEL.onnx`: what an ONNX model holds (inputs,
 * outputs and their shapes, op counts, parameters, opset) and which of its
 * nodes clinfer cannot run, all of them, with the reason. Needs no device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"
#include "safe_text.h"

static const char info_help[] =
    "usage: clinfer info MODEL.onnx\n\n"
    "Describes an ONNX model: inputs and outputs with their shapes (N: the open\n"
    "batch dimension), operator counts, parameter count, opset, and every node\n"
    "that clinfer cannot run, with the reason. Exit status 0 when clinfer can\n"
    "load the model, 1 when it cannot (or the file is not a model).\n";

static const char *type_name(int32_t t)
{
    static const char *const names[] = {"undefined", "float", "uint8",  "int8",   "uint16",
                                        "int16",     "int32", "int64",  "string", "bool",
                                        "float16",   "double", "uint32", "uint64"};
    return t >= 0 && t < 14 ? names[t] : "other";
}

static void print_io(const char *title, const clinfer_onnx_io *io, size_t n)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < n; i++) {
        printf("  %-24s %-7s [", cli_safe(io[i].name), type_name(io[i].elem_type));
        for (int32_t d = 0; d < io[i].shape.rank; d++) {
            if (io[i].shape.dims[d] == CLINFER_BATCH_DIM)
                printf(d ? ", N" : "N");
            else
                printf(d ? ", %lld" : "%lld", (long long)io[i].shape.dims[d]);
        }
        printf("]\n");
    }
}

int cmd_info(const cli_common *common, int argc, char **argv)
{
    (void)common;
    if (cli_help_shown(argc, argv, info_help))
        return 0;
    if (argc != 1 || argv[0][0] == '-') {
        fprintf(stderr, "clinfer info: needs one MODEL.onnx (see clinfer info --help)\n");
        return 2;
    }
    unsigned char *data = NULL;
    size_t size = 0;
    char err[1024];
    if (!cli_read_file(argv[0], &data, &size, err, sizeof err)) {
        fprintf(stderr, "clinfer info: %s\n", cli_safe(err));
        return 1;
    }
    clinfer_onnx_info *info = NULL;
    clinfer_status st = clinfer_onnx_inspect(data, size, &info);
    free(data);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer info: %s: %s\n", cli_safe(argv[0]), clinfer_last_errmsg());
        return 1;
    }
    printf("model %s (%zu bytes)\n", cli_safe(argv[0]), size);
    printf("ir_version %lld, opset %lld, producer %s\n", (long long)info->ir_version,
           (long long)info->opset, info->producer[0] ? cli_safe(info->producer) : "(unknown)");
    print_io("inputs", info->inputs, info->input_count);
    print_io("outputs", info->outputs, info->output_count);
    printf("nodes %zu, initializers %zu, parameters %llu (%.2f MB as float32)\n",
           info->node_count, info->initializer_count, (unsigned long long)info->parameter_count,
           (double)info->parameter_count * 4 / 1e6);
    printf("operators:\n");
    for (size_t i = 0; i < info->op_count; i++) {
        const clinfer_onnx_op_stat *o = &info->ops[i];
        printf("  %-24s %5d", cli_safe(o->op_type), (int)o->count);
        if (o->failing)
            printf("   (%d cannot be run)", (int)o->failing);
        printf("\n");
    }
    if (info->imports) {
        printf("clinfer can run this model\n");
    } else {
        printf("clinfer cannot run this model:\n");
        for (size_t i = 0; i < info->issue_count; i++)
            printf("  %s\n", cli_safe(info->issues[i].message));
    }
    int rc = info->imports ? 0 : 1;
    clinfer_onnx_info_free(info);
    return rc;
}
