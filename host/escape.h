/*
 * escape.h — text from untrusted sources (model names, file contents, driver
 * strings) made safe to print on a terminal: control bytes and invalid UTF-8
 * become visible \xNN escapes, so a model cannot move the cursor, retitle
 * the window or fake a line of output.
 */
#ifndef CLINFER_ESCAPE_H
#define CLINFER_ESCAPE_H

#include <stddef.h>

/* Keep '\n' and '\t' as they are (multi-line library messages: build
 * logs, device lists); without it they are escaped too. */
#define TEXT_KEEP_NEWLINES 1u

/* Copies `src` into `dst` (always terminated when cap > 0), escaping C0
 * controls, DEL, C1 controls (U+0080..U+009F) and every byte that is not
 * part of a well-formed UTF-8 sequence as "\xNN". Stops before an escape
 * or character that would not fit. Returns the length written. */
size_t text_escape(char *dst, size_t cap, const char *src, unsigned flags);

/* A malloc'd escaped copy of `src` (NULL when out of memory). */
char *text_escape_dup(const char *src, unsigned flags);

/* True if text_escape would change nothing in `src`. */
int text_is_safe(const char *src, unsigned flags);

#endif
