/*
 * demo_files.c — where `clinfer demo` finds the lecture's model and the
 * reference predictions beside it: installed (share/clinfer/ next to the
 * bin/ that holds this program, so a moved or copied install still finds
 * its own), else the source tree this program was built from, else the
 * install prefix it was configured with.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef CLINFER_SOURCE_DIR
#define CLINFER_SOURCE_DIR "."
#endif
#ifndef CLINFER_DATA_DIR
#define CLINFER_DATA_DIR "/usr/local/share/clinfer"
#endif

#define DEMO_MODEL "lecture_cnn.onnx"

/* The folder of this program's executable into dir; 0 if unknown. */
static int exe_dir(char *dir, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", dir, cap - 1);
    if (n <= 0 || (size_t)n >= cap - 1)
        return 0;
    dir[n] = 0;
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = 0;
    return 1;
}

static int readable(const char *path) { return access(path, R_OK) == 0; }

const char *cli_demo_model(void)
{
    static char path[PATH_MAX + 64];
    char dir[PATH_MAX];
    if (exe_dir(dir, sizeof dir)) {
        snprintf(path, sizeof path, "%s/../share/clinfer/" DEMO_MODEL, dir);
        if (readable(path))
            return path;
    }
    snprintf(path, sizeof path, "%s", CLINFER_SOURCE_DIR "/tests/models/" DEMO_MODEL);
    if (readable(path))
        return path;
    /* Last, and named in the error when missing: the configured prefix. */
    snprintf(path, sizeof path, "%s", CLINFER_DATA_DIR "/" DEMO_MODEL);
    return path;
}
