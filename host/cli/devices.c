/*
 * devices.c — `clinfer devices`: every platform and device, with the default
 * marked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runtime.h"
#include "safe_text.h"

static const char devices_help[] =
    "usage: clinfer devices [OPTIONS]\n\n"
    "Lists every OpenCL platform and device: its P:D index (for --device), type,\n"
    "name, compute units and memory. '*' marks the device used when no SPEC is\n"
    "given; '>' marks the one --device or $CLINFER_DEVICE selects.\n\n"
    "options:\n"
    "  --json          one JSON object on stdout instead: {\"devices\": [...]}, each\n"
    "                  with its indices, name, type, memory, \"default\" and\n"
    "                  \"selected\"\n" CLI_COMMON_HELP;

static int parse_args(cli_common *common, int *json, int argc, char **argv)
{
    for (int i = 0, r; (r = cli_next_arg(common, argc, argv, &i)) != 0; i++) {
        if (r < 0)
            return -1;
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
            continue;
        }
        fprintf(stderr, "clinfer devices: unknown argument %s\n", cli_safe(argv[i]));
        return -1;
    }
    return 0;
}

static void print_json(const clinfer_device_info *list, size_t count,
                       const clinfer_device_info *selected)
{
    printf("{\"devices\": [");
    for (size_t i = 0; i < count; i++) {
        const clinfer_device_info *d = &list[i];
        int chosen = selected && selected->platform_index == d->platform_index &&
                     selected->device_index == d->device_index;
        printf("%s\n  {\"platform_index\": %u, \"device_index\": %u, \"platform\": ",
               i ? "," : "", d->platform_index, d->device_index);
        cli_json_string(d->platform_name);
        printf(", \"name\": ");
        cli_json_string(d->name);
        printf(", \"type\": \"%s\", \"compute_units\": %u, \"global_mem_bytes\": %llu, "
               "\"local_mem_bytes\": %llu, \"max_work_group_size\": %zu, \"fp16\": %s, "
               "\"opencl_version\": ",
               clinfer_device_type_str(d->type), d->compute_units,
               (unsigned long long)d->global_mem_bytes, (unsigned long long)d->local_mem_bytes,
               d->max_work_group_size, d->has_fp16 ? "true" : "false");
        cli_json_string(d->opencl_version);
        printf(", \"driver_version\": ");
        cli_json_string(d->driver_version);
        printf(", \"default\": %s, \"selected\": %s}", d->is_default ? "true" : "false",
               chosen ? "true" : "false");
    }
    printf("%s]}\n", count ? "\n" : "");
}

int cmd_devices(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, devices_help))
        return 0;
    cli_common common = *common_in;
    int json = 0;
    if (parse_args(&common, &json, argc, argv) != 0)
        return 2;
    size_t count = 0;
    clinfer_status st = clinfer_device_list(NULL, 0, &count);
    clinfer_device_info *list = count ? calloc(count, sizeof *list) : NULL;
    if (st == CLINFER_OK && count)
        st = list ? clinfer_device_list(list, count, &count) : CLINFER_ERR_OUT_OF_HOST_MEMORY;
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer devices: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        free(list);
        return 1;
    }
    if (count == 0) {
        char hint[512];
        runtime_no_device_hint(hint, sizeof hint);
        if (json)
            print_json(list, 0, NULL);
        fprintf(json ? stderr : stdout, "no OpenCL devices found: %s\n", hint);
        return 1;
    }
    /* Which device would a SPEC pick? Ask the library, which owns the rule. */
    const clinfer_device_info *selected = NULL;
    clinfer_runtime *rt = NULL;
    if (common.device || getenv("CLINFER_DEVICE"))
        rt = cli_runtime(&common);
    if (rt)
        selected = clinfer_runtime_device(rt);
    int failed = (common.device || getenv("CLINFER_DEVICE")) && !rt;
    if (json) {
        print_json(list, count, selected);
        clinfer_runtime_free(rt);
        free(list);
        return failed ? 1 : 0;
    }
    uint32_t last_platform = UINT32_MAX;
    for (size_t i = 0; i < count; i++) {
        const clinfer_device_info *d = &list[i];
        if (d->platform_index != last_platform) {
            printf("platform %u: %s\n", d->platform_index, cli_safe(d->platform_name));
            last_platform = d->platform_index;
        }
        int chosen = selected && selected->platform_index == d->platform_index &&
                     selected->device_index == d->device_index;
        printf(" %c%c %u:%u  %-5s %s\n", d->is_default ? '*' : ' ', chosen ? '>' : ' ',
               d->platform_index, d->device_index, clinfer_device_type_str(d->type), cli_safe(d->name));
        printf("         %u compute units, %.1f GiB global, %llu KiB local, max work-group %zu, "
               "fp16 %s, %s, driver %s\n",
               d->compute_units, d->global_mem_bytes / 1073741824.0,
               (unsigned long long)(d->local_mem_bytes / 1024), d->max_work_group_size,
               d->has_fp16 ? "yes" : "no", d->opencl_version, d->driver_version);
    }
    printf("\n* default device%s\n", rt ? "   > selected by --device / CLINFER_DEVICE" : "");
    clinfer_runtime_free(rt);
    free(list);
    return failed ? 1 : 0;
}
