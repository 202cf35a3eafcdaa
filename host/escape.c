/*
 * escape.c — escaping of untrusted text before it is printed (see escape.h).
 * Valid UTF-8 passes through, so names in other scripts stay readable; only
 * what a terminal would act on, or what is not text at all, is escaped.
 */
#include "escape.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when s does
 * not start one (stray continuation byte, overlong form, surrogate, beyond
 * U+10FFFF, or cut short). Plain ASCII is 1. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* The second byte's range rules out overlong forms, surrogates and
     * code points above U+10FFFF (RFC 3629's table). */
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* Bytes to copy as they are at s (0: escape s[0]). */
static size_t safe_run(const unsigned char *s, unsigned flags)
{
    unsigned char c = s[0];
    if (c == '\n' || c == '\t')
        return (flags & TEXT_KEEP_NEWLINES) ? 1 : 0;
    if (c < 0x20 || c == 0x7f)
        return 0;
    size_t n = utf8_sequence(s);
    if (n == 2 && c == 0xc2 && s[1] < 0xa0) /* C1 controls: U+0080..U+009F */
        return 0;
    return n;
}

size_t text_escape(char *dst, size_t cap, const char *src, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t w = 0;
    if (cap == 0)
        return 0;
    while (*s) {
        size_t n = safe_run(s, flags);
        size_t need = n ? n : 4;
        if (w + need + 1 > cap)
            break;
        if (n) {
            for (size_t i = 0; i < n; i++)
                dst[w++] = (char)s[i];
            s += n;
        } else {
            snprintf(dst + w, 5, "\\x%02x", *s++);
            w += 4;
        }
    }
    dst[w] = '\0';
    return w;
}

char *text_escape_dup(const char *src, unsigned flags)
{
    size_t cap = 4 * strlen(src ? src : "") + 1; /* every byte may become \xNN */
    char *dst = malloc(cap);
    if (dst)
        text_escape(dst, cap, src, flags);
    return dst;
}

int text_is_safe(const char *src, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    for (size_t n; *s; s += n)
        if ((n = safe_run(s, flags)) == 0)
            return 0;
    return 1;
}
