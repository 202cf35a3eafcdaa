/*
 * safe_text.c — cli_safe(): escaped names for the CLI's printf calls. The
 * rotating buffers let one printf take several escaped names without the
 * caller managing memory.
 */
#include "safe_text.h"

#include "escape.h"

#define SAFE_BUFFERS 8
#define SAFE_CAP 1024

const char *cli_safe(const char *s)
{
    static _Thread_local char buf[SAFE_BUFFERS][SAFE_CAP];
    static _Thread_local unsigned next;
    char *out = buf[next++ % SAFE_BUFFERS];
    text_escape(out, SAFE_CAP, s, 0);
    return out;
}
