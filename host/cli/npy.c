/*
 * npy.c — the NumPy .npy format (numpy/lib/format.py): the magic
 * "\x93NUMPY", a major and minor version byte, the header length (2 bytes
 * little-endian in version 1, 4 in versions 2 and 3), then a Python dict
 * literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and a newline, then the data (C or Fortran order).
 * Everything read is checked: header bounds, dtype, order, rank, dims,
 * overflow, data size.
 */
#define _POSIX_C_SOURCE 200809L
#include "npy.h"
#include "safe_text.h"

#include <errno.h>
#include <math.h>
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
        errno = 0;
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int read_error = ferror(f) ? (errno ? errno : EIO) : 0; /* the system's reason */
    fclose(f);
    if (!ok || read_error) {
        free(buf);
        return fail(err, errcap, "cannot read %s: %s", path,
                    read_error ? strerror(read_error) : "too large or out of memory");
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

/* The dtypes read and written: the descr, bytes per value, kind ('f'
 * float, 'i' signed, 'u' unsigned, 'b' bool) and the type it stands for.
 * Floats are read as float32, integers and bools as int64. */
typedef struct npy_type {
    const char *descr;
    size_t item;
    char kind;
    clinfer_dtype dtype;
} npy_type;

static const npy_type npy_types[] = {
    {"<f4", 4, 'f', CLINFER_DTYPE_FLOAT32}, {"<f8", 8, 'f', CLINFER_DTYPE_FLOAT64},
    {"<f2", 2, 'f', CLINFER_DTYPE_FLOAT16}, {"|u1", 1, 'u', CLINFER_DTYPE_UINT8},
    {"|i1", 1, 'i', CLINFER_DTYPE_INT8},    {"<u2", 2, 'u', CLINFER_DTYPE_UINT16},
    {"<i2", 2, 'i', CLINFER_DTYPE_INT16},   {"<u4", 4, 'u', CLINFER_DTYPE_UINT32},
    {"<i4", 4, 'i', CLINFER_DTYPE_INT32},   {"<u8", 8, 'u', CLINFER_DTYPE_UINT64},
    {"<i8", 8, 'i', CLINFER_DTYPE_INT64},   {"|b1", 1, 'b', CLINFER_DTYPE_BOOL},
};

static const npy_type *parse_dtype(const char *dt, char *err, size_t errcap)
{
    for (size_t k = 0; k < sizeof npy_types / sizeof npy_types[0]; k++)
        if (strcmp(dt, npy_types[k].descr) == 0 ||
            (npy_types[k].item == 1 && dt[0] == '<' && strcmp(dt + 1, npy_types[k].descr + 1) == 0))
            return &npy_types[k];
    fail(err, errcap,
         ".npy dtype '%s' is not supported (little-endian float16/32/64, signed and unsigned "
         "integers of 8 to 64 bits, bool)",
         dt);
    return NULL;
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

/* The header dict (NUL-terminated `h`): dtype, order and shape. */
static int parse_header(const char *h, const npy_type **type, int *fortran, clinfer_shape *s,
                        uint64_t *count, char *err, size_t errcap)
{
    const char *descr = find_key(h, "descr"), *fo = find_key(h, "fortran_order"),
               *sh = find_key(h, "shape");
    char dt[8] = "";
    int ok = descr && fo && sh && descr[0] == '\'' && sscanf(descr + 1, "%7[^']", dt) == 1;
    if (!ok || (strncmp(fo, "False", 5) != 0 && strncmp(fo, "True", 4) != 0))
        return fail(err, errcap, "malformed .npy header (needs descr, fortran_order, shape)");
    *fortran = fo[0] == 'T';
    return (*type = parse_dtype(dt, err, errcap)) != NULL &&
           parse_shape(sh, s, count, err, errcap);
}

/* IEEE half to float (subnormals, infinities and NaN included). */
static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
    if (exp == 0x1f) {
        u = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        u = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        u = sign;
    } else { /* subnormal: normalise */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400));
        u = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Float to IEEE half, rounding to nearest even; overflow to infinity. */
static uint16_t float_to_half(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t exp = (u >> 23) & 0xff, man = u & 0x7fffff;
    if (exp == 0xff)
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 0x1f)
        return (uint16_t)(sign | 0x7c00);
    if (e <= 0) { /* subnormal half or zero */
        if (e < -10)
            return sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - e), half = man >> shift, rest = man & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        half += rest > mid || (rest == mid && (half & 1));
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13), rest = man & 0x1fff;
    half += rest > 0x1000 || (rest == 0x1000 && (half & 1)); /* may carry into the exponent */
    return (uint16_t)(sign | half);
}

/* Value k of `src` (little-endian, type t) as float32 (floats) or int64. */
static void convert_value(const unsigned char *src, uint64_t k, const npy_type *t, void *dst,
                          uint64_t at)
{
    uint64_t u = 0;
    for (size_t b = 0; b < t->item; b++)
        u |= (uint64_t)src[k * t->item + b] << (8 * b);
    if (t->kind == 'f') {
        float *f = (float *)dst + at;
        if (t->item == 2) {
            *f = half_to_float((uint16_t)u);
        } else if (t->item == 4) {
            uint32_t u32 = (uint32_t)u;
            memcpy(f, &u32, 4);
        } else {
            double v;
            memcpy(&v, &u, 8);
            *f = (float)v;
        }
        return;
    }
    int64_t v = (int64_t)u;
    if (t->kind == 'i' && t->item < 8) /* sign-extend */
        v = (int64_t)(u << (64 - 8 * t->item)) >> (64 - 8 * t->item);
    else if (t->kind == 'b')
        v = u != 0;
    ((int64_t *)dst)[at] = v; /* uint64 above 2^63 wraps: such sizes are not tensors */
}

/* The C-order index of the element stored at Fortran-order position k. */
static uint64_t c_index_of_fortran(const clinfer_shape *s, uint64_t k)
{
    uint64_t c = 0, stride = 1;
    uint64_t coords[CLINFER_MAX_RANK];
    for (int32_t d = 0; d < s->rank; d++) { /* first dim fastest */
        coords[d] = k % (uint64_t)s->dims[d];
        k /= (uint64_t)s->dims[d];
    }
    for (int32_t d = s->rank - 1; d >= 0; d--) {
        c += coords[d] * stride;
        stride *= (uint64_t)s->dims[d];
    }
    return c;
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
    const npy_type *t = NULL;
    int fortran = 0;
    clinfer_shape s;
    memset(&s, 0, sizeof s);
    uint64_t count = 0;
    int ok = parse_header(h, &t, &fortran, &s, &count, err, errcap);
    free(h);
    if (!ok)
        return 0;
    if (count > INT32_MAX)
        return fail(err, errcap, ".npy array has more than 2^31-1 elements");
    size_t body = size - start - hlen;
    if (body != (size_t)count * t->item)
        return fail(err, errcap, ".npy data has %zu bytes, the header's shape needs %llu", body,
                    (unsigned long long)count * t->item);
    int is_float = t->kind == 'f';
    out->shape = s;
    out->dtype = is_float ? CLINFER_DTYPE_FLOAT32 : CLINFER_DTYPE_INT64;
    if (count == 0)
        return 1;
    out->data = malloc((size_t)count * (is_float ? sizeof(float) : sizeof(int64_t)));
    if (!out->data)
        return fail(err, errcap, "out of memory");
    for (uint64_t k = 0; k < count; k++)
        convert_value(d + start + hlen, k, t, out->data, fortran ? c_index_of_fortran(&s, k) : k);
    return 1;
}

/* Value k of data in type t, little-endian, into b (t->item bytes):
 * integers rounded to nearest and saturated, bools nonzero. */
static void encode_value(float x, const npy_type *t, unsigned char *b)
{
    uint64_t u = 0;
    if (t->kind == 'f' && t->item == 2) {
        u = float_to_half(x);
    } else if (t->kind == 'f' && t->item == 4) {
        uint32_t u32;
        memcpy(&u32, &x, 4);
        u = u32;
    } else if (t->kind == 'f') {
        double v = x;
        memcpy(&u, &v, 8);
    } else if (t->kind == 'b') {
        u = x != 0;
    } else {
        /* [lo, hi) of the type; saturated to hi minus one step of the
         * double (1 below 2^53, 1024 at 64 bits) */
        int bits = 8 * (int)t->item;
        double lo = t->kind == 'u' ? 0 : -ldexp(1, bits - 1);
        double hi = ldexp(1, bits - (t->kind == 'i'));
        double v = x != x ? 0 : nearbyint(x);
        v = v < lo ? lo : v >= hi ? hi - (bits == 64 ? 1024 : 1) : v;
        u = t->kind == 'u' ? (uint64_t)v : (uint64_t)(int64_t)v;
    }
    for (size_t i = 0; i < t->item; i++)
        b[i] = (unsigned char)(u >> (8 * i));
}

int npy_write_typed(const char *path, const clinfer_shape *shape, const float *data,
                    clinfer_dtype dtype, char *err, size_t errcap)
{
    const npy_type *t = &npy_types[0]; /* float32, also for bfloat16 (no numpy type) */
    for (size_t k = 0; k < sizeof npy_types / sizeof npy_types[0]; k++)
        if (npy_types[k].dtype == dtype)
            t = &npy_types[k];
    char h[512];
    int n = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     t->descr);
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
        unsigned char b[8];
        encode_value(data[k], t, b);
        ok = fwrite(b, 1, t->item, f) == t->item;
    }
    ok &= fclose(f) == 0;
    if (!ok)
        return fail(err, errcap, "cannot write %s: %s", path, strerror(errno));
    return 1;
}

int npy_write(const char *path, const clinfer_shape *shape, const float *data, char *err,
              size_t errcap)
{
    return npy_write_typed(path, shape, data, CLINFER_DTYPE_FLOAT32, err, errcap);
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
