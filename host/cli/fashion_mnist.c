/*
 * fashion_mnist.c — Fashion-MNIST idx files for `clinfer demo`, with the
 * small gzip decoder they need (Debian ships them compressed).
 *
 * idx format: a big-endian 32-bit magic (0x00000800 | type << 8 | rank;
 * type 0x08 is unsigned byte), rank big-endian 32-bit dimensions, then the
 * bytes, row-major. Images: rank 3 [count, 28, 28]; labels: rank 1 [count].
 *
 * The decoder is a plain canonical-Huffman inflater (RFC 1951) in the style
 * of zlib's puff.c: it decodes bit by bit, which is fast enough for the
 * demo's 8 MB, and checks every length, distance and code so that a
 * corrupt file ends in a message instead of a crash.
 */
#include "fashion_mnist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ------------------------------------------------------------- inflate */

typedef struct inflater {
    const uint8_t *in;
    size_t in_size, in_pos;
    uint8_t *out;
    size_t out_size, out_pos;
    uint32_t bitbuf;
    int bitcnt;
    const char *error; /* first problem found; decoding stops */
} inflater;

/* Canonical Huffman code: count[len] codes of each length, symbols in
 * code order. */
typedef struct huffman {
    uint16_t count[16];
    uint16_t symbol[288];
} huffman;

static void fail(inflater *s, const char *what)
{
    if (!s->error)
        s->error = what;
}

/* The next `need` (0..16) bits, least significant first. */
static uint32_t getbits(inflater *s, int need)
{
    uint32_t val = s->bitbuf;
    while (s->bitcnt < need) {
        if (s->in_pos >= s->in_size) {
            fail(s, "the compressed data ends early (truncated file)");
            return 0;
        }
        val |= (uint32_t)s->in[s->in_pos++] << s->bitcnt;
        s->bitcnt += 8;
    }
    s->bitbuf = val >> need;
    s->bitcnt -= need;
    return val & ((1u << need) - 1u);
}

/* Decodes one symbol; -1 on error. */
static int decode(inflater *s, const huffman *h)
{
    int code = 0, first = 0, index = 0;
    for (int len = 1; len < 16; len++) {
        code |= (int)getbits(s, 1);
        if (s->error)
            return -1;
        int count = h->count[len];
        if (code - count < first)
            return h->symbol[index + (code - first)];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    fail(s, "invalid Huffman code");
    return -1;
}

/* Builds a code from the lengths of n symbols (n <= 288). Returns 0 for a
 * complete code, > 0 for an incomplete one, < 0 if over-subscribed. */
static int construct(huffman *h, const uint16_t *length, int n)
{
    memset(h->count, 0, sizeof h->count);
    for (int sym = 0; sym < n; sym++)
        h->count[length[sym]]++;
    if (h->count[0] == n)
        return 0; /* no codes: decoding any symbol fails */
    int left = 1;
    for (int len = 1; len < 16; len++) {
        left <<= 1;
        left -= h->count[len];
        if (left < 0)
            return left;
    }
    uint16_t offs[16];
    offs[1] = 0;
    for (int len = 1; len < 15; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (int sym = 0; sym < n; sym++)
        if (length[sym] != 0)
            h->symbol[offs[length[sym]]++] = (uint16_t)sym;
    return left;
}

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,
                                      15, 17, 19, 23, 27, 31, 35, 43,  51,  59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,
                                       17,   25,   33,   49,   65,   97,    129,   193,
                                       257,  385,  513,  769,  1025, 1537,  2049,  3073,
                                       4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* Decodes literals and matches until the end-of-block symbol. */
static void codes(inflater *s, const huffman *lencode, const huffman *distcode)
{
    for (;;) {
        int sym = decode(s, lencode);
        if (sym < 0)
            return;
        if (sym < 256) {
            if (s->out_pos >= s->out_size) {
                fail(s, "more data than the gzip trailer's length");
                return;
            }
            s->out[s->out_pos++] = (uint8_t)sym;
            continue;
        }
        if (sym == 256)
            return;
        sym -= 257;
        if (sym >= 29) {
            fail(s, "invalid length symbol");
            return;
        }
        size_t len = len_base[sym] + getbits(s, len_extra[sym]);
        int d = decode(s, distcode);
        if (d < 0)
            return;
        if (d >= 30) {
            fail(s, "invalid distance symbol");
            return;
        }
        size_t dist = dist_base[d] + getbits(s, dist_extra[d]);
        if (s->error)
            return;
        if (dist > s->out_pos) {
            fail(s, "a match refers before the start of the data");
            return;
        }
        if (s->out_size - s->out_pos < len) {
            fail(s, "more data than the gzip trailer's length");
            return;
        }
        for (size_t i = 0; i < len; i++, s->out_pos++) /* may overlap */
            s->out[s->out_pos] = s->out[s->out_pos - dist];
    }
}

static void stored(inflater *s)
{
    s->bitbuf = 0; /* skip to the byte boundary */
    s->bitcnt = 0;
    if (s->in_size - s->in_pos < 4) {
        fail(s, "the compressed data ends early (truncated file)");
        return;
    }
    const uint8_t *p = s->in + s->in_pos;
    size_t len = (size_t)p[0] | (size_t)p[1] << 8;
    size_t nlen = (size_t)p[2] | (size_t)p[3] << 8;
    s->in_pos += 4;
    if (len != (~nlen & 0xffffu)) {
        fail(s, "stored block length does not match its complement");
        return;
    }
    if (s->in_size - s->in_pos < len) {
        fail(s, "the compressed data ends early (truncated file)");
        return;
    }
    if (s->out_size - s->out_pos < len) {
        fail(s, "more data than the gzip trailer's length");
        return;
    }
    memcpy(s->out + s->out_pos, s->in + s->in_pos, len);
    s->out_pos += len;
    s->in_pos += len;
}

static void fixed(inflater *s)
{
    uint16_t lengths[288 + 30];
    huffman lencode, distcode;
    int sym = 0;
    for (; sym < 144; sym++)
        lengths[sym] = 8;
    for (; sym < 256; sym++)
        lengths[sym] = 9;
    for (; sym < 280; sym++)
        lengths[sym] = 7;
    for (; sym < 288; sym++)
        lengths[sym] = 8;
    construct(&lencode, lengths, 288);
    for (sym = 0; sym < 30; sym++)
        lengths[sym] = 5;
    construct(&distcode, lengths, 30);
    codes(s, &lencode, &distcode);
}

static void dynamic(inflater *s)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint16_t lengths[286 + 30] = {0};
    huffman lencode, distcode;
    int nlen = (int)getbits(s, 5) + 257;
    int ndist = (int)getbits(s, 5) + 1;
    int ncode = (int)getbits(s, 4) + 4;
    if (s->error)
        return;
    if (nlen > 286 || ndist > 30) {
        fail(s, "too many length or distance codes");
        return;
    }
    int index = 0;
    for (; index < ncode; index++)
        lengths[order[index]] = (uint16_t)getbits(s, 3);
    for (; index < 19; index++)
        lengths[order[index]] = 0;
    if (s->error)
        return;
    if (construct(&lencode, lengths, 19) != 0) {
        fail(s, "incomplete or over-subscribed code-length code");
        return;
    }
    index = 0;
    while (index < nlen + ndist) {
        int sym = decode(s, &lencode);
        if (sym < 0)
            return;
        if (sym < 16) {
            lengths[index++] = (uint16_t)sym;
            continue;
        }
        uint16_t len = 0;
        int repeat;
        if (sym == 16) {
            if (index == 0) {
                fail(s, "a repeat with no previous length");
                return;
            }
            len = lengths[index - 1];
            repeat = 3 + (int)getbits(s, 2);
        } else if (sym == 17) {
            repeat = 3 + (int)getbits(s, 3);
        } else {
            repeat = 11 + (int)getbits(s, 7);
        }
        if (s->error)
            return;
        if (index + repeat > nlen + ndist) {
            fail(s, "too many code lengths");
            return;
        }
        while (repeat--)
            lengths[index++] = len;
    }
    if (lengths[256] == 0) {
        fail(s, "no end-of-block code");
        return;
    }
    /* Incomplete codes are only allowed for a single length code. */
    int r = construct(&lencode, lengths, nlen);
    if (r < 0 || (r > 0 && nlen - lencode.count[0] != 1)) {
        fail(s, "invalid literal/length code");
        return;
    }
    r = construct(&distcode, lengths + nlen, ndist);
    if (r < 0 || (r > 0 && ndist - distcode.count[0] != 1)) {
        fail(s, "invalid distance code");
        return;
    }
    codes(s, &lencode, &distcode);
}

static void inflate_all(inflater *s)
{
    int last;
    do {
        last = (int)getbits(s, 1);
        int type = (int)getbits(s, 2);
        if (s->error)
            return;
        if (type == 0)
            stored(s);
        else if (type == 1)
            fixed(s);
        else if (type == 2)
            dynamic(s);
        else
            fail(s, "invalid block type 3");
    } while (!last && !s->error);
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    static int ready; /* the CLI is single-threaded */
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xffu] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int fmnist_gunzip(const uint8_t *in, size_t n, size_t max_size, uint8_t **out, size_t *out_size,
                  char *err, size_t err_size)
{
    *out = NULL;
    *out_size = 0;
    if (n < 18 || in[0] != 0x1f || in[1] != 0x8b) {
        msg(err, err_size, "not a gzip file");
        return -1;
    }
    if (in[2] != 8) {
        msg(err, err_size, "gzip compression method %u, expected 8 (deflate)", in[2]);
        return -1;
    }
    uint8_t flags = in[3];
    if (flags & 0xe0) {
        msg(err, err_size, "gzip header has reserved flags 0x%02x set", flags);
        return -1;
    }
    size_t pos = 10;
    if (flags & 4) { /* FEXTRA */
        if (n - pos < 2 || n - pos - 2 < ((size_t)in[pos] | (size_t)in[pos + 1] << 8)) {
            msg(err, err_size, "gzip extra field runs past the end of the file");
            return -1;
        }
        pos += 2 + ((size_t)in[pos] | (size_t)in[pos + 1] << 8);
    }
    for (int bit = 8; bit <= 16; bit <<= 1) { /* FNAME, FCOMMENT: zero-terminated */
        if (!(flags & bit))
            continue;
        const uint8_t *z = memchr(in + pos, 0, n - pos);
        if (!z) {
            msg(err, err_size, "gzip header name or comment is not terminated");
            return -1;
        }
        pos = (size_t)(z - in) + 1;
    }
    if (flags & 2) /* FHCRC */
        pos += 2;
    if (pos > n || n - pos < 8) {
        msg(err, err_size, "gzip file ends inside its header");
        return -1;
    }
    size_t expect = le32(in + n - 4); /* ISIZE: length mod 2^32 */
    if (expect > max_size) {
        msg(err, err_size,
            "gzip trailer announces %zu bytes, more than the limit of %zu "
            "(truncated or corrupt file?)",
            expect, max_size);
        return -1;
    }
    inflater s = {0};
    s.in = in + pos;
    s.in_size = n - pos - 8;
    s.out_size = expect;
    s.out = malloc(expect ? expect : 1);
    if (!s.out) {
        msg(err, err_size, "out of memory for %zu bytes", expect);
        return -1;
    }
    inflate_all(&s);
    if (!s.error && s.out_pos != expect)
        s.error = "the data is shorter than the gzip trailer's length";
    if (!s.error && s.in_pos != s.in_size)
        s.error = "data after the end of the compressed stream (several gzip members?)";
    if (!s.error && crc32_of(s.out, s.out_pos) != le32(in + n - 8))
        s.error = "CRC-32 mismatch (corrupt file)";
    if (s.error) {
        msg(err, err_size, "gzip: %s (at compressed byte %zu)", s.error, pos + s.in_pos);
        free(s.out);
        return -1;
    }
    *out = s.out;
    *out_size = s.out_pos;
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
