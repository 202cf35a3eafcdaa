/*
 * info.c — `clinfer info MODEL.onnx [--json]`: what an ONNX model holds
 * (inputs, outputs and their shapes, op counts, parameters, opset) and
 * every node clinfer cannot run, grouped by op type and reason, with the
 * nodes that could not be checked because they depend on one. The report
 * comes from clinfer_onnx_inspect; only the printing is here. Needs no
 * device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"
#include "safe_text.h"

static const char info_help[] =
    "usage: clinfer info MODEL.onnx [--json] [OPTIONS]\n\n"
    "Describes an ONNX model: inputs and outputs with their shapes (N: the open\n"
    "batch dimension), operator counts, parameter count, opset, and every node\n"
    "that clinfer cannot run, grouped by operator and reason (unknown_op,\n"
    "unsupported attribute value or shape, opset), then the nodes that were not\n"
    "checked because an input depends on one of those and its shape is unknown.\n"
    "  --json   one JSON object on stdout instead (unknown dimensions: null)\n"
    "Exit status 0 when clinfer can load the model, 1 when it cannot (or the\n"
    "file is not a model).\n\n"
    "options (info opens no device: --device is accepted and unused):\n" CLI_COMMON_HELP;

/* Node names listed per group before "and N more". */
#define NAMES_SHOWN 5

static void print_io(const char *title, const clinfer_onnx_io *io, size_t n)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < n; i++) {
        printf("  %-24s %-7s ", cli_safe(io[i].name), clinfer_onnx_type_name(io[i].elem_type));
        if (!io[i].shape_known) {
            printf("(no shape)\n");
            continue;
        }
        printf("[");
        for (int32_t d = 0; d < io[i].shape.rank; d++) {
            if (io[i].shape.dims[d] == CLINFER_BATCH_DIM)
                printf(d ? ", N" : "N");
            else
                printf(d ? ", %lld" : "%lld", (long long)io[i].shape.dims[d]);
        }
        printf("]\n");
    }
}

/* Issues a and b are the same op type, kind and reason. */
static int same_group(const clinfer_onnx_issue *a, const clinfer_onnx_issue *b)
{
    return a->kind == b->kind && strcmp(a->op_type, b->op_type) == 0 &&
           (a->kind == CLINFER_ONNX_ISSUE_NOT_CHECKED || strcmp(a->reason, b->reason) == 0);
}

/* The first issue of i's group is i itself. */
static int group_starts(const clinfer_onnx_info *info, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (same_group(&info->issues[j], &info->issues[i]))
            return 0;
    return 1;
}

/* Prints the group starting at issue i: its count, then its node names. */
static void print_group(const clinfer_onnx_info *info, size_t i)
{
    const clinfer_onnx_issue *g = &info->issues[i];
    size_t n = 0;
    for (size_t k = i; k < info->issue_count; k++)
        n += same_group(g, &info->issues[k]);
    if (g->kind == CLINFER_ONNX_ISSUE_NOT_CHECKED)
        printf("  %s: %zu node%s not checked (an input depends on a node that cannot be run)\n",
               cli_safe(g->op_type), n, n == 1 ? "" : "s");
    else
        printf("  %s: %zu node%s [%s] %s\n", cli_safe(g->op_type), n, n == 1 ? "" : "s",
               clinfer_onnx_issue_kind_name(g->kind), cli_safe(g->reason));
    printf("     ");
    size_t shown = 0;
    for (size_t k = i; k < info->issue_count && shown < NAMES_SHOWN; k++)
        if (same_group(g, &info->issues[k]))
            printf("%s%s", shown++ ? ", " : " ", cli_safe(info->issues[k].node));
    if (n > shown)
        printf(" and %zu more", n - shown);
    printf("\n");
}

/* Every issue: graph-level ones as they are, nodes by group, the nodes not
 * checked last. */
static void print_issues(const clinfer_onnx_info *info)
{
    size_t failing = 0, unchecked = 0;
    for (size_t i = 0; i < info->issue_count; i++)
        info->issues[i].kind == CLINFER_ONNX_ISSUE_NOT_CHECKED ? unchecked++ : failing++;
    printf("clinfer cannot run this model: %zu problem%s", failing, failing == 1 ? "" : "s");
    if (unchecked)
        printf(", %zu node%s not checked", unchecked, unchecked == 1 ? "" : "s");
    printf("\n");
    for (size_t i = 0; i < info->issue_count; i++)
        if (!info->issues[i].op_type[0])
            printf("  %s\n", cli_safe(info->issues[i].message));
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < info->issue_count; i++) {
            const clinfer_onnx_issue *it = &info->issues[i];
            int late = it->kind == CLINFER_ONNX_ISSUE_NOT_CHECKED;
            if (it->op_type[0] && late == pass && group_starts(info, i))
                print_group(info, i);
        }
}

static void print_text(const char *path, size_t size, const clinfer_onnx_info *info)
{
    printf("model %s (%zu bytes)\n", cli_safe(path), size);
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
        if (o->failing && o->unchecked)
            printf("   (%d cannot be run, %d not checked)", (int)o->failing, (int)o->unchecked);
        else if (o->failing || o->unchecked)
            printf("   (%d %s)", (int)(o->failing ? o->failing : o->unchecked),
                   o->failing ? "cannot be run" : "not checked");
        printf("\n");
    }
    if (info->imports)
        printf("clinfer can run this model\n");
    else
        print_issues(info);
}

/* ------------------------------------------------------------ --json */

static void json_io(const char *key, const clinfer_onnx_io *io, size_t n)
{
    printf("\"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        printf(i ? ", {\"name\": " : "{\"name\": ");
        cli_json_string(io[i].name);
        printf(", \"type\": \"%s\", \"shape\": ", clinfer_onnx_type_name(io[i].elem_type));
        if (!io[i].shape_known) {
            printf("null}");
            continue;
        }
        printf("[");
        for (int32_t d = 0; d < io[i].shape.rank; d++) {
            printf(d ? ", " : "");
            if (io[i].shape.dims[d] == CLINFER_BATCH_DIM)
                printf("null");
            else
                printf("%lld", (long long)io[i].shape.dims[d]);
        }
        printf("]}");
    }
    printf("], ");
}

static void json_ops(const clinfer_onnx_info *info)
{
    printf("\"ops\": [");
    for (size_t i = 0; i < info->op_count; i++) {
        const clinfer_onnx_op_stat *o = &info->ops[i];
        printf(i ? ", {\"op_type\": " : "{\"op_type\": ");
        cli_json_string(o->op_type);
        printf(", \"count\": %d, \"cannot_run\": %d, \"not_checked\": %d}", (int)o->count,
               (int)o->failing, (int)o->unchecked);
    }
    printf("], ");
}

static void json_issues(const clinfer_onnx_info *info)
{
    printf("\"unsupported\": [");
    for (size_t i = 0; i < info->issue_count; i++) {
        const clinfer_onnx_issue *it = &info->issues[i];
        printf(i ? ", {\"op_type\": " : "{\"op_type\": ");
        cli_json_string(it->op_type);
        printf(", \"node\": ");
        cli_json_string(it->node);
        printf(", \"kind\": \"%s\", \"reason\": ", clinfer_onnx_issue_kind_name(it->kind));
        cli_json_string(it->reason);
        printf(", \"message\": ");
        cli_json_string(it->message);
        printf("}");
    }
    printf("]");
}

static void print_json(const char *path, size_t size, const clinfer_onnx_info *info)
{
    printf("{\"model\": ");
    cli_json_string(path);
    printf(", \"bytes\": %zu, \"ir_version\": %lld, \"opset\": %lld, \"producer\": ", size,
           (long long)info->ir_version, (long long)info->opset);
    cli_json_string(info->producer);
    printf(", ");
    json_io("inputs", info->inputs, info->input_count);
    json_io("outputs", info->outputs, info->output_count);
    printf("\"nodes\": %zu, \"initializers\": %zu, \"parameters\": %llu, \"runnable\": %s, ",
           info->node_count, info->initializer_count, (unsigned long long)info->parameter_count,
           info->imports ? "true" : "false");
    size_t unchecked = 0;
    for (size_t i = 0; i < info->issue_count; i++)
        unchecked += info->issues[i].kind == CLINFER_ONNX_ISSUE_NOT_CHECKED;
    printf("\"cannot_run\": %zu, \"not_checked\": %zu, ", info->issue_count - unchecked,
           unchecked);
    json_ops(info);
    json_issues(info);
    printf("}\n");
}

/* ------------------------------------------------------------ command */

int cmd_info(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, info_help))
        return 0;
    /* The common options are taken as everywhere; info uses no device. */
    cli_common common = *common_in;
    const char *path = NULL;
    int json = 0;
    for (int i = 0, r; (r = cli_next_arg(&common, argc, argv, &i)) != 0; i++) {
        if (r < 0)
            return 2;
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (!cli_positional("info", argv[i], &path))
            return 2;
    }
    if (!path) {
        fprintf(stderr, "clinfer info: needs one MODEL.onnx (see clinfer info --help)\n");
        return 2;
    }
    unsigned char *data = NULL;
    size_t size = 0;
    char err[1024];
    if (!cli_read_file(path, &data, &size, err, sizeof err)) {
        fprintf(stderr, "clinfer info: %s\n", cli_safe(err));
        return 1;
    }
    clinfer_onnx_info *info = NULL;
    clinfer_status st = clinfer_onnx_inspect(data, size, &info);
    free(data);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer info: %s: %s\n", cli_safe(path), clinfer_last_errmsg());
        return 1;
    }
    if (json)
        print_json(path, size, info);
    else
        print_text(path, size, info);
    int rc = info->imports ? 0 : 1;
    clinfer_onnx_info_free(info);
    return rc;
}
