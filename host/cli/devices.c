/*
 * devices.c — `clinfer devices`: every platform and device, with the default
 * marked.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "safe_text.h"

static const char devices_help[] =
    "usage: clinfer devices [OPTIONS]\n\n"
    "Lists every OpenCL platform and device: its P:D index (for --device), type,\n"
    "name, compute units and memory. '*' marks the device used when no SPEC is\n"
    "given; '>' marks the one --device or $CLINFER_DEVICE selects.\n\n"
    "options:\n" CLI_COMMON_HELP;

static int parse_args(cli_common *common, int argc, char **argv)
{
    int i = 0, r = cli_next_arg(common, argc, argv, &i);
    if (r > 0) /* devices takes nothing but the common options */
        fprintf(stderr, "clinfer devices: unknown argument %s\n", cli_safe(argv[i]));
    return r == 0 ? 0 : -1;
}

int cmd_devices(const cli_common *common_in, int argc, char **argv)
{
    if (cli_help_shown(argc, argv, devices_help))
        return 0;
    cli_common common = *common_in;
    if (parse_args(&common, argc, argv) != 0)
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
        printf("no OpenCL devices found (is an OpenCL driver installed? on Debian: "
               "pocl-opencl-icd)\n");
        return 1;
    }
    /* Which device would a SPEC pick? Ask the library, which owns the rule. */
    const clinfer_device_info *selected = NULL;
    clinfer_runtime *rt = NULL;
    if (common.device || getenv("CLINFER_DEVICE"))
        rt = cli_runtime(&common);
    if (rt)
        selected = clinfer_runtime_device(rt);
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
    int failed = (common.device || getenv("CLINFER_DEVICE")) && !rt;
    clinfer_runtime_free(rt);
    free(list);
    return failed ? 1 : 0;
}
