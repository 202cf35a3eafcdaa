/*
 * error.h — recording failures: the thread's last message, the runtime's
 * message, OpenCL error names, and the optional log callback.
 */
#ifndef CLINFER_ERROR_H
#define CLINFER_ERROR_H

#include <stdarg.h>
#include <stdio.h>

#include "clinfer.h"
#include "cl.h"

#define CLINFER_ERRMSG_MAX 2048

#if defined(__GNUC__)
#define CLINFER_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define CLINFER_PRINTF(fmt_index, first_arg)
#endif

/* Formats the variadic arguments after `fmt` into the char array `buf`
 * (truncating), in a function declared with `...`. */
#define FORMAT_VARIADIC(buf, cap, fmt)                                        \
    do {                                                                      \
        va_list format_ap_;                                                   \
        va_start(format_ap_, fmt);                                            \
        vsnprintf(buf, cap, fmt, format_ap_);                                 \
        va_end(format_ap_);                                                   \
    } while (0)

/* Records a formatted message for `status` on this thread (and on `rt` when
 * not NULL), sends it to the log callback, and returns `status`. */
clinfer_status err_set(clinfer_runtime *rt, clinfer_status status, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

/* Records the failure of OpenCL call `call` with code `code`; maps the code to
 * a status (allocation failures become CLINFER_ERR_DEVICE_OUT_OF_MEMORY). */
clinfer_status err_cl(clinfer_runtime *rt, cl_int code, const char *call);

/* The symbolic name of an OpenCL error code ("CL_OUT_OF_RESOURCES"). */
const char *cl_error_name(cl_int code);

/* Sends a message to the runtime's log callback if its level passes. */
void rt_log(const clinfer_runtime *rt, clinfer_log_level level, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

#endif
