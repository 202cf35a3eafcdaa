/*
 * test_runtime.c — device enumeration and selection by SPEC, the error for
 * an unknown SPEC, CLINFER_DEVICE, and the probed capabilities.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "testutil.h"

/* A made-up machine: two platforms, a CPU and two GPUs. */
static clinfer_device_info fake[3];

static void make_fake_devices(void)
{
    memset(fake, 0, sizeof fake);
    fake[0] = (clinfer_device_info){.platform_index = 0, .device_index = 0,
                                    .type = CLINFER_DEVICE_CPU};
    strcpy(fake[0].name, "pthread-skylake-avx512");
    fake[1] = (clinfer_device_info){.platform_index = 1, .device_index = 0,
                                    .type = CLINFER_DEVICE_GPU};
    strcpy(fake[1].name, "NVIDIA H100 80GB HBM3");
    fake[2] = (clinfer_device_info){.platform_index = 1, .device_index = 1,
                                    .type = CLINFER_DEVICE_GPU};
    strcpy(fake[2].name, "NVIDIA A100");
}

TestSuite(device_select, .init = make_fake_devices);

Test(device_select, default_is_first_gpu)
{
    size_t i = 99;
    cr_assert_eq(device_select(NULL, fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 1);
    cr_assert_eq(device_select("", fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 1);
}

Test(device_select, default_without_gpu_is_first_device)
{
    size_t i = 99;
    fake[1].type = fake[2].type = CLINFER_DEVICE_ACCELERATOR;
    cr_assert_eq(device_select(NULL, fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 0);
}

Test(device_select, by_type_index_and_name)
{
    size_t i = 99;
    cr_assert_eq(device_select("cpu", fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 0);
    cr_assert_eq(device_select("gpu", fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 1);
    cr_assert_eq(device_select("1:1", fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 2);
    cr_assert_eq(device_select("a100", fake, 3, &i), CLINFER_OK, "substring, any case");
    cr_assert_eq(i, 2);
    cr_assert_eq(device_select("SKYLAKE", fake, 3, &i), CLINFER_OK);
    cr_assert_eq(i, 0);
}

Test(device_select, unknown_spec_lists_devices)
{
    size_t i = 99;
    cr_assert_eq(device_select("tpu", fake, 3, &i), CLINFER_ERR_DEVICE_NOT_FOUND);
    const char *msg = clinfer_last_errmsg();
    cr_assert(strstr(msg, "\"tpu\""), "names the SPEC: %s", msg);
    cr_assert(strstr(msg, "0:0") && strstr(msg, "pthread-skylake-avx512"), "lists: %s", msg);
    cr_assert(strstr(msg, "1:1") && strstr(msg, "NVIDIA A100"), "lists: %s", msg);
    cr_assert_eq(device_select("2:0", fake, 3, &i), CLINFER_ERR_DEVICE_NOT_FOUND);
    cr_assert_eq(device_select("1:", fake, 3, &i), CLINFER_ERR_DEVICE_NOT_FOUND,
                 "a malformed index pair is a name, and no device has it");
    cr_assert_eq(device_select(NULL, fake, 0, &i), CLINFER_ERR_DEVICE_NOT_FOUND);
}

Test(runtime, lists_devices_and_marks_one_default)
{
    size_t count = 0;
    cr_assert_eq(clinfer_device_list(NULL, 0, &count), CLINFER_OK);
    cr_assert_gt(count, 0, "the tests need an OpenCL device (PoCL in CI)");
    clinfer_device_info *list = test_alloc(count * sizeof *list);
    cr_assert_eq(clinfer_device_list(list, count, &count), CLINFER_OK);
    int defaults = 0;
    for (size_t i = 0; i < count; i++) {
        defaults += list[i].is_default;
        cr_assert_gt(strlen(list[i].name), 0);
        cr_assert_gt(list[i].compute_units, 0);
        cr_assert_gt(list[i].global_mem_bytes, 0);
        cr_assert_gt(list[i].max_work_group_size, 0);
    }
    cr_assert_eq(defaults, 1);
    cr_assert_eq(clinfer_device_list(NULL, 3, &count), CLINFER_ERR_INVALID_ARGUMENT);
    free(list);
}

Test(runtime, unknown_spec_fails_with_device_list)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.device_spec = "no-such-device-xyz";
    clinfer_runtime *rt = (clinfer_runtime *)&o; /* must be reset to NULL */
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_ERR_DEVICE_NOT_FOUND);
    cr_assert_null(rt);
    cr_assert(strstr(clinfer_last_errmsg(), "available devices"), "%s", clinfer_last_errmsg());
}

Test(runtime, environment_variable_chooses_device)
{
    setenv("CLINFER_DEVICE", "no-such-device-xyz", 1);
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(NULL, &rt), CLINFER_ERR_DEVICE_NOT_FOUND);
    setenv("CLINFER_DEVICE", "0:0", 1);
    cr_assert_eq(clinfer_runtime_create(NULL, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    const clinfer_device_info *d = clinfer_runtime_device(rt);
    cr_assert_eq(d->platform_index, 0);
    cr_assert_eq(d->device_index, 0);
    clinfer_runtime_free(rt);
    /* An explicit SPEC wins over the environment. */
    setenv("CLINFER_DEVICE", "no-such-device-xyz", 1);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.device_spec = "0:0";
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
    unsetenv("CLINFER_DEVICE");
}

Test(runtime, free_null_and_status_strings)
{
    clinfer_runtime_free(NULL);
    cr_assert_str_eq(clinfer_status_str(CLINFER_OK), "success");
    cr_assert_str_eq(clinfer_status_str(CLINFER_ERR_BUILD_FAILED),
                     "an OpenCL program failed to build");
    cr_assert_str_eq(clinfer_status_str((clinfer_status)-1000), "unknown status");
    cr_assert_eq(clinfer_runtime_create(NULL, NULL), CLINFER_ERR_INVALID_ARGUMENT);
}
