/*
 * npy.c — the NumPy .npy format (numpy/lib/format.py): the magic
 * "\x93NUMPY", a major and minor version byte, the header length (2 bytes
 * little-endian in version 1, 4 in versions 2 and 3), then a Python dict
 * literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and a newline, then the data. Everything read is
 * checked: header bounds, dtype, order, rank, dims, overflow, data size.
 */
#define _POSIX_C_SOURCE 200809L
#include "npy.h"
#include "safe_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return 0;
}

int cli_read_file(const char *path, unsigned char **data, size_t *size, char *err, size_t errcap)
{
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errcap, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    int ok = buf != NULL;
    while (ok) {
        if (n == cap) {
            unsigned char *p = cap < ((size_t)1 << 32) ? realloc(buf, cap * 2) : NULL;
            if (!p) {
                ok = 0;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int read_error = ferror(f);
    fclose(f);
    if (!ok || read_error) {
        free(buf);
        return fail(err, errcap, "cannot read %s: %s", path,
                    read_error ? "read error" : "too large or out of memory");
    }
    *data = buf;
    *size = n;
    return 1;
}

/* The text after `key':` in the header, or NULL. */
static const char *find_key(const char *h, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

/* The header's length and where it starts (after the magic, the version
 * and the length field), checked against the file size. */
static int header_bounds(const unsigned char *d, size_t size, size_t *hlen, size_t *start,
                         char *err, size_t errcap)
{
    if (size < 10 || memcmp(d, "\x93NUMPY", 6) != 0)
        return fail(err, errcap, "not a NumPy .npy file (no \\x93NUMPY magic)");
    int major = d[6];
    if (major == 1) {
        *hlen = (size_t)d[8] | (size_t)d[9] << 8;
        *start = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12)
            return fail(err, errcap, "truncated .npy header");
        *hlen = (size_t)d[8] | (size_t)d[9] << 8 | (size_t)d[10] << 16 | (size_t)d[11] << 24;
        *start = 12;
    } else {
        return fail(err, errcap, ".npy format version %d is not supported (1 to 3 are)", major);
    }
    if (*hlen > size - *start || *hlen > 65536)
        return fail(err, errcap, ".npy header of %zu bytes runs past the end of the file",
                    *hlen);
    return 1;
}

/* The bytes per value of dtype `dt` and whether it is a float. */
static int parse_dtype(const char *dt, size_t *item, int *is_float, char *err, size_t errcap)
{
    *item = 0;
    *is_float = 0;
    if (strcmp(dt, "<f4") == 0)
        *item = 4, *is_float = 1;
    else if (strcmp(dt, "<f8") == 0)
        *item = 8, *is_float = 1;
    else if (strcmp(dt, "<i8") == 0)
        *item = 8;
    else if (strcmp(dt, "<i4") == 0)
        *item = 4;
    if (!*item)
        return fail(err, errcap,
                    ".npy dtype '%s' is not supported (little-endian float32 '<f4', float64 "
                    "'<f8', int64 '<i8' or int32 '<i4')",
                    dt);
    return 1;
}

/* shape: (d0, d1, ...) with an optional trailing comma; *count is the
 * number of values (UINT64_MAX past 32 bits). */
static int parse_shape(const char *p, clinfer_shape *s, uint64_t *count, char *err, size_t errcap)
{
    memset(s, 0, sizeof *s);
    if (*p != '(')
        return fail(err, errcap, "malformed .npy shape");
    p++;
    *count = 1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end = NULL;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 0 || v > INT32_MAX || s->rank >= CLINFER_MAX_RANK)
            return fail(err, errcap, "malformed .npy shape, a bad dimension or rank above %d",
                        CLINFER_MAX_RANK);
        s->dims[s->rank++] = v;
        *count = v == 0 ? 0
                        : (*count > UINT32_MAX / (uint64_t)v ? UINT64_MAX : *count * (uint64_t)v);
        p = end;
    }
    return 1;
}

/* The header dict (NUL-terminated `h`): dtype, C order and shape. */
static int parse_header(const char *h, size_t *item, int *is_float, clinfer_shape *s,
                        uint64_t *count, char *err, size_t errcap)
{
    const char *descr = find_key(h, "descr"), *fo = find_key(h, "fortran_order"),
               *sh = find_key(h, "shape");
    char dt[8] = "";
    int ok = descr && fo && sh && descr[0] == '\'' && sscanf(descr + 1, "%7[^']", dt) == 1;
    if (!ok)
        return fail(err, errcap, "malformed .npy header (needs descr, fortran_order, shape)");
    if (strncmp(fo, "False", 5) != 0)
        return fail(err, errcap, ".npy data in Fortran order is not supported (save C order)");
    return parse_dtype(dt, item, is_float, err, errcap) &&
           parse_shape(sh, s, count, err, errcap);
}

/* Little-endian values of `item` bytes to float32 (floats) or int64. */
static void convert_values(const unsigned char *src, uint64_t count, size_t item, int is_float,
                           void *dst)
{
    for (uint64_t k = 0; k < count; k++) {
        uint64_t u = 0;
        for (size_t b = 0; b < item; b++)
            u |= (uint64_t)src[k * item + b] << (8 * b);
        if (is_float && item == 4) {
            uint32_t u32 = (uint32_t)u;
            memcpy((float *)dst + k, &u32, 4);
        } else if (is_float) {
            double v;
            memcpy(&v, &u, 8);
            ((float *)dst)[k] = (float)v;
        } else {
            ((int64_t *)dst)[k] = item == 4 ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u;
        }
    }
}

int npy_decode(const unsigned char *d, size_t size, clinfer_tensor *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    size_t hlen = 0, start = 0;
    if (!header_bounds(d, size, &hlen, &start, err, errcap))
        return 0;
    char *h = malloc(hlen + 1);
    if (!h)
        return fail(err, errcap, "out of memory");
    memcpy(h, d + start, hlen);
    h[hlen] = 0;
    if (strlen(h) != hlen) { /* a NUL inside the header */
        free(h);
        return fail(err, errcap, "malformed .npy header");
    }
    size_t item = 0;
    int is_float = 0;
    clinfer_shape s;
    memset(&s, 0, sizeof s);
    uint64_t count = 0;
    int ok = parse_header(h, &item, &is_float, &s, &count, err, errcap);
    free(h);
    if (!ok)
        return 0;
    if (count > INT32_MAX)
        return fail(err, errcap, ".npy array has more than 2^31-1 elements");
    size_t body = size - start - hlen;
    if (body != (size_t)count * item)
        return fail(err, errcap, ".npy data has %zu bytes, the header's shape needs %llu", body,
                    (unsigned long long)count * item);
    out->shape = s;
    out->dtype = is_float ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64;
    if (count == 0)
        return 1;
    out->data = malloc((size_t)count * (is_float ? sizeof(float) : sizeof(int64_t)));
    if (!out->data)
        return fail(err, errcap, "out of memory");
    convert_values(d + start + hlen, count, item, is_float, out->data);
    return 1;
}

int npy_write(const char *path, const clinfer_shape *shape, const float *data, char *err,
              size_t errcap)
{
    char h[512];
    int n = snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t count = 1;
    for (int32_t d = 0; d < shape->rank; d++) {
        n += snprintf(h + n, sizeof h - (size_t)n, "%lld,%s", (long long)shape->dims[d],
                      d + 1 < shape->rank ? " " : "");
        count *= (size_t)shape->dims[d];
    }
    n += snprintf(h + n, sizeof h - (size_t)n, "), }");
    /* pad so that magic + 2 + 2 + header is a multiple of 64, ending in \n */
    size_t total = 10 + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64;
    memset(h + n, ' ', pad);
    n += (int)pad;
    h[n++] = '\n';
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(err, errcap, "cannot create %s: %s", path, strerror(errno));
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(n & 0xff),
                             (unsigned char)(n >> 8)};
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(h, 1, (size_t)n, f) == (size_t)n;
    for (size_t k = 0; ok && k < count; k++) { /* little-endian whatever the host */
        uint32_t u;
        memcpy(&u, &data[k], 4);
        unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                              (unsigned char)(u >> 24)};
        ok = fwrite(b, 1, 4, f) == 4;
    }
    ok &= fclose(f) == 0;
    if (!ok)
        return fail(err, errcap, "cannot write %s: %s", path, strerror(errno));
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int cli_read_tensor(const char *command, const char *file, clinfer_tensor *t)
{
    unsigned char *data = NULL;
    size_t size = 0;
    char err[1024];
    if (!cli_read_file(file, &data, &size, err, sizeof err)) {
        fprintf(stderr, "clinfer %s: %s\n", command, cli_safe(err));
        return 0;
    }
    int ok = 0;
    if (ends_with(file, ".npy")) {
        ok = npy_decode(data, size, t, err, sizeof err);
        if (!ok)
            fprintf(stderr, "clinfer %s: %s: %s\n", command, cli_safe(file), cli_safe(err));
    } else if (ends_with(file, ".pb")) {
        ok = clinfer_tensor_decode_onnx(data, size, t) == CLINFER_OK;
        if (!ok)
            fprintf(stderr, "clinfer %s: %s: %s\n", command, cli_safe(file), clinfer_last_errmsg());
    } else {
        fprintf(stderr, "clinfer %s: %s: expected a .npy or .pb file\n", command, cli_safe(file));
    }
    free(data);
    return ok;
}
