/*
 * check.h — assertions for the test programs that do not use Criterion
 * (test_threads, test_interop): Criterion cannot start under
 * ThreadSanitizer (Snaipe/Criterion#274, "Could not initialize inheritable
 * arena"), and these two must run under it. A failed check prints where and
 * why and exits with status 1; each test function is announced by RUN.
 */
#ifndef CLINFER_CHECK_H
#define CLINFER_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* The call must succeed. */
#define CHECK_OK(call)                                                                \
    do {                                                                              \
        clinfer_status st_ = (call);                                                  \
        CHECK(st_ == CLINFER_OK, "%s: %s", clinfer_status_str(st_), clinfer_last_errmsg()); \
    } while (0)

/* The call must fail with `want`, and the thread's message contain `needle`. */
#define CHECK_FAILS(call, want, needle)                                               \
    do {                                                                              \
        clinfer_status st_ = (call);                                                  \
        CHECK(st_ == (want), "got %s (%s), want %s", clinfer_status_str(st_),         \
              clinfer_last_errmsg(), clinfer_status_str(want));                       \
        CHECK(strstr(clinfer_last_errmsg(), (needle)) != NULL,                        \
              "message \"%s\" does not mention \"%s\"", clinfer_last_errmsg(), (needle)); \
    } while (0)

#define RUN(test)                                                                     \
    do {                                                                              \
        printf("[ RUN  ] %s\n", #test);                                               \
        fflush(stdout);                                                               \
        test();                                                                       \
        printf("[  OK  ] %s\n", #test);                                               \
        fflush(stdout);                                                               \
    } while (0)

#endif
