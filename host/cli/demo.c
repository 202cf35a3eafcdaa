/*
 * demo.c — `clinfer demo`: the lecture's example (shared/lecture-cnn.txt) on
 * the chosen device: a 6x6 image, two 3x3 filters at stride 1 and 2, and
 * 2x2 max pooling of the two feature maps.
 */
#include <stdio.h>

#include "cli.h"
#include "ops/eager.h"

static const char demo_help[] =
    "usage: clinfer demo [OPTIONS]\n\n"
    "Runs the lecture's convolution example with OpenCL kernels on the chosen\n"
    "device and prints the input, the filters and the feature maps: the two\n"
    "filters at stride 1, Filter 1 at stride 2, and 2x2 max pooling of the maps.\n"
    "It also prints how long it took and whether kernels were compiled or came\n"
    "from the program cache.\n\n"
    "options:\n" CLI_COMMON_HELP;

static const float image[36] = {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0,
                                1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0};
static const float filters[18] = {1,  -1, -1, -1, 1, -1, -1, -1, 1,
                                  -1, 1,  -1, -1, 1, -1, -1, 1,  -1};

static void print_maps(const char *title, const float *x, int maps, int h, int w)
{
    printf("%s\n", title);
    for (int r = 0; r < h; r++) {
        for (int m = 0; m < maps; m++) {
            printf("  ");
            for (int c = 0; c < w; c++)
                printf("%3g", (double)x[(m * h + r) * w + c]);
            printf("   ");
        }
        printf("\n");
    }
    printf("\n");
}

static conv2d_params lecture_conv(int32_t filters_used, int32_t stride)
{
    conv2d_params p = conv2d_params_default();
    p.n = 1, p.c = 1, p.h = 6, p.w = 6, p.oc = filters_used, p.kh = 3, p.kw = 3;
    p.stride_h = p.stride_w = stride;
    return p;
}

static clinfer_status run_demo(clinfer_runtime *rt)
{
    float maps[32], stride2[4], pooled[8];
    conv2d_params c1 = lecture_conv(2, 1), c2 = lecture_conv(1, 2);
    pool2d_params pool = pool2d_params_default();
    pool.n = 1, pool.c = 2, pool.h = 4, pool.w = 4, pool.kh = pool.kw = 2;
    pool.stride_h = pool.stride_w = 2;
    clinfer_status st = conv2d_run_host(rt, &c1, image, filters, NULL, maps);
    if (st == CLINFER_OK)
        st = conv2d_run_host(rt, &c2, image, filters, NULL, stride2);
    if (st == CLINFER_OK)
        st = maxpool2d_run_host(rt, &pool, maps, pooled);
    if (st != CLINFER_OK)
        return st;
    print_maps("6 x 6 image:", image, 1, 6, 6);
    print_maps("Filter 1          Filter 2:", filters, 2, 3, 3);
    print_maps("convolution, stride 1 (Filter 1, Filter 2):", maps, 2, 4, 4);
    print_maps("convolution of Filter 1, stride 2:", stride2, 1, 2, 2);
    print_maps("2 x 2 max pooling of the two maps:", pooled, 2, 2, 2);
    return CLINFER_OK;
}

int cmd_demo(const cli_common *common_in, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(demo_help, stdout);
        return 0;
    }
    cli_common common = *common_in;
    for (int i = 0; i < argc; i++) {
        int r = cli_parse_common(&common, argc, argv, &i);
        if (r == 0)
            fprintf(stderr, "clinfer demo: unknown argument %s\n", argv[i]);
        if (r <= 0)
            return 2;
    }
    double t0 = cli_now_ms();
    clinfer_runtime *rt = cli_runtime(&common);
    if (!rt)
        return 1;
    const clinfer_device_info *d = clinfer_runtime_device(rt);
    printf("device: %s (%s, %s)\n\n", d->name, clinfer_device_type_str(d->type),
           d->platform_name);
    clinfer_status st = run_demo(rt);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer demo: %s: %s\n", clinfer_status_str(st), clinfer_last_errmsg());
        clinfer_runtime_free(rt);
        return 1;
    }
    clinfer_cache_stats s = clinfer_runtime_cache_stats(rt);
    const char *dir = clinfer_runtime_cache_dir(rt);
    printf("took %.0f ms; OpenCL programs: %u compiled, %u loaded from the cache (%s)\n",
           cli_now_ms() - t0, s.source_builds, s.disk_hits, dir ? dir : "disk cache off");
    clinfer_runtime_free(rt);
    return 0;
}
