/*
 * fashion_mnist.c — Fashion-MNIST idx files for `clinfer demo` (Debian
 * ships them gzip-compressed; zlib decompresses and checks them).
 *
 * idx format: a big-endian 32-bit magic (0x00000800 | type << 8 | rank;
 * type 0x08 is unsigned byte), rank big-endian 32-bit dimensions, then the
 * bytes, row-major. Images: rank 3 [count, 28, 28]; labels: rank 1 [count].
 */
#include "fashion_mnist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *const fmnist_class_names[FMNIST_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/* Files larger than this are refused (the training images are 26 MB
 * compressed, 47 MB decoded). */
#define FMNIST_MAX_FILE ((size_t)256 << 20)

static void msg(char *err, size_t size, const char *fmt, ...)
{
    if (!err || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- gzip */

int fmnist_gunzip(const uint8_t *in, size_t n, size_t max_size, uint8_t **out, size_t *out_size,
                  char *err, size_t err_size)
{
    *out = NULL;
    *out_size = 0;
    if (n < 18 || n > UINT32_MAX) {
        msg(err, err_size, "gzip: not a gzip file (%zu bytes)", n);
        return -1;
    }
    /* The trailer's ISIZE sizes the buffer; zlib checks it and the CRC-32. */
    size_t expect = (size_t)in[n - 4] | (size_t)in[n - 3] << 8 | (size_t)in[n - 2] << 16 |
                    (size_t)in[n - 1] << 24;
    if (expect > max_size) {
        msg(err, err_size, "gzip: the trailer announces %zu bytes, more than the limit of %zu "
            "(truncated or corrupt file?)", expect, max_size);
        return -1;
    }
    uint8_t *buf = malloc(expect ? expect : 1);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!buf || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) { /* 16: gzip wrapper */
        free(buf);
        msg(err, err_size, "gzip: out of memory");
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)expect;
    int rc = inflate(&z, Z_FINISH);
    const char *why = rc == Z_STREAM_END ? (z.avail_in ? "data after the compressed stream" : NULL)
                      : rc == Z_BUF_ERROR && z.avail_in == 0 ? "the file ends early (truncated?)"
                      : z.msg ? z.msg : "corrupt data";
    if (why)
        msg(err, err_size, "gzip: %s (at compressed byte %lu)", why, z.total_in);
    inflateEnd(&z);
    if (why) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_size = expect;
    return 0;
}

/* ---------------------------------------------------------------- idx */

/* Reads a whole file (at most FMNIST_MAX_FILE bytes). */
static fmnist_result read_file(const char *path, uint8_t **data, size_t *size, char *err,
                               size_t err_size)
{
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        msg(err, err_size, "%s: %s", path, strerror(e));
        return e == ENOENT ? FMNIST_MISSING : FMNIST_BAD;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap >= FMNIST_MAX_FILE) {
            msg(err, err_size, "%s: larger than %zu bytes", path, FMNIST_MAX_FILE);
            free(buf);
            fclose(f);
            return FMNIST_BAD;
        }
        uint8_t *grown = realloc(buf, cap * 2);
        if (!grown)
            free(buf);
        buf = grown;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        msg(err, err_size, "%s: %s", path, buf ? "read error" : "out of memory");
        free(buf);
        return FMNIST_BAD;
    }
    *data = buf;
    *size = n;
    return FMNIST_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Reads <dir>/<name>.gz, else <dir>/<name>, checks the idx header (unsigned
 * bytes, `rank` dimensions, each in 1..2^24) and returns the dimensions and
 * the payload (a pointer into *file, which the caller frees). */
static fmnist_result read_idx(const char *dir, const char *name, int rank, uint32_t *dims,
                              uint8_t **file, const uint8_t **payload, char *err,
                              size_t err_size)
{
    char path[4096];
    uint8_t *raw = NULL;
    size_t size = 0;
    snprintf(path, sizeof path, "%s/%s.gz", dir, name);
    fmnist_result r = read_file(path, &raw, &size, err, err_size);
    if (r == FMNIST_OK) {
        uint8_t *plain = NULL;
        size_t plain_size = 0;
        char why[256];
        int bad = fmnist_gunzip(raw, size, FMNIST_MAX_FILE, &plain, &plain_size, why, sizeof why);
        free(raw);
        if (bad) {
            msg(err, err_size, "%s: %s", path, why);
            return FMNIST_BAD;
        }
        raw = plain;
        size = plain_size;
    } else if (r == FMNIST_MISSING) {
        char gz_err[512];
        snprintf(gz_err, sizeof gz_err, "%s", err ? err : "");
        snprintf(path, sizeof path, "%s/%s", dir, name);
        r = read_file(path, &raw, &size, err, err_size);
        if (r == FMNIST_MISSING)
            msg(err, err_size, "%s", gz_err); /* report the packaged name */
        if (r != FMNIST_OK)
            return r;
    } else {
        return r;
    }
    size_t head = 4 + 4 * (size_t)rank;
    if (size < head) {
        msg(err, err_size, "%s: %zu bytes, shorter than the idx header", path, size);
        free(raw);
        return FMNIST_BAD;
    }
    uint32_t magic = be32(raw), want = 0x800u | (uint32_t)rank;
    if (magic != want) {
        msg(err, err_size, "%s: idx magic 0x%08x, expected 0x%08x (unsigned bytes, rank %d)",
            path, magic, want, rank);
        free(raw);
        return FMNIST_BAD;
    }
    size_t total = 1;
    for (int i = 0; i < rank; i++) {
        dims[i] = be32(raw + 4 + 4 * i);
        if (dims[i] == 0 || dims[i] > (1u << 24)) {
            msg(err, err_size, "%s: dimension %d is %u, expected 1..16777216", path, i, dims[i]);
            free(raw);
            return FMNIST_BAD;
        }
        if (total > FMNIST_MAX_FILE / dims[i]) {
            msg(err, err_size, "%s: dimensions too large", path);
            free(raw);
            return FMNIST_BAD;
        }
        total *= dims[i];
    }
    if (size - head != total) {
        msg(err, err_size, "%s: %zu data bytes, the header's dimensions need %zu", path,
            size - head, total);
        free(raw);
        return FMNIST_BAD;
    }
    *file = raw;
    *payload = raw + head;
    return FMNIST_OK;
}

fmnist_result fmnist_load(const char *dir, const char *split, fmnist_set *out, char *err,
                          size_t err_size)
{
    memset(out, 0, sizeof *out);
    char name[256];
    uint32_t idims[3], ldims[1];
    uint8_t *ifile = NULL, *lfile = NULL;
    const uint8_t *ipix = NULL, *llab = NULL;
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", split);
    fmnist_result r = read_idx(dir, name, 3, idims, &ifile, &ipix, err, err_size);
    if (r != FMNIST_OK)
        return r;
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", split);
    r = read_idx(dir, name, 1, ldims, &lfile, &llab, err, err_size);
    if (r != FMNIST_OK) {
        free(ifile);
        return r;
    }
    if (ldims[0] != idims[0]) {
        msg(err, err_size, "%s/%s: %u labels for %u images", dir, name, ldims[0], idims[0]);
        r = FMNIST_BAD;
    }
    for (uint32_t i = 0; r == FMNIST_OK && i < ldims[0]; i++)
        if (llab[i] >= FMNIST_CLASSES) {
            msg(err, err_size, "%s/%s: label %u of image %u is not a class 0..9", dir, name,
                llab[i], i);
            r = FMNIST_BAD;
        }
    size_t npix = (size_t)idims[0] * idims[1] * idims[2];
    if (r == FMNIST_OK) {
        out->pixels = malloc(npix);
        out->labels = malloc(ldims[0]);
        if (!out->pixels || !out->labels) {
            msg(err, err_size, "out of memory");
            fmnist_free(out);
            r = FMNIST_BAD;
        }
    }
    if (r == FMNIST_OK) {
        memcpy(out->pixels, ipix, npix);
        memcpy(out->labels, llab, ldims[0]);
        out->count = (int32_t)idims[0];
        out->rows = (int32_t)idims[1];
        out->cols = (int32_t)idims[2];
    }
    free(ifile);
    free(lfile);
    return r;
}

void fmnist_free(fmnist_set *set)
{
    if (!set)
        return;
    free(set->pixels);
    free(set->labels);
    memset(set, 0, sizeof *set);
}
