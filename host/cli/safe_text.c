/*
 * safe_text.c — cli_safe(): escaped names for the CLI's printf calls. The
 * rotating buffers let one printf take several escaped names without the
 * caller managing memory.
 */
#include "safe_text.h"

#include <stdio.h>
#include <stdlib.h>

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

void cli_json_string(const char *s)
{
    /* Invalid UTF-8 would make the whole object unparsable: escape it
     * first, as text; the JSON escapes below then quote its backslashes. */
    char *safe = text_escape_dup(s ? s : "", TEXT_KEEP_NEWLINES);
    putchar('"');
    for (const char *p = safe ? safe : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
    free(safe);
}
