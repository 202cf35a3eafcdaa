/*
 * fashion_mnist.h — reads the Fashion-MNIST images and labels for
 * `clinfer demo` from the idx files of Debian's dataset-fashion-mnist
 * (gzip-compressed, /usr/share/datasets/fashion-mnist/); uncompressed idx
 * files are read too. The files are untrusted input: every header field,
 * length and checksum is checked, and a failure is described in `err`.
 */
#ifndef CLINFER_CLI_FASHION_MNIST_H
#define CLINFER_CLI_FASHION_MNIST_H

#include <stddef.h>
#include <stdint.h>

#define FMNIST_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
#define FMNIST_CLASSES 10

/* The class names, indexed by label. */
extern const char *const fmnist_class_names[FMNIST_CLASSES];

/* One split: count images of rows x cols pixels (bytes 0..255, row-major,
 * 0 is background), and a label 0..9 for each. */
typedef struct fmnist_set {
    int32_t count, rows, cols;
    uint8_t *pixels; /* count * rows * cols */
    uint8_t *labels; /* count */
} fmnist_set;

typedef enum fmnist_result {
    FMNIST_OK = 0,
    FMNIST_MISSING = 1, /* a file does not exist (the package is not installed) */
    FMNIST_BAD = 2      /* a file exists but cannot be read or is malformed */
} fmnist_result;

/* Reads "<dir>/<split>-images-idx3-ubyte[.gz]" and
 * "<dir>/<split>-labels-idx1-ubyte[.gz]" (split "t10k" or "train"). On
 * failure *out is zeroed and a message naming the file and the problem is
 * written to err. */
fmnist_result fmnist_load(const char *dir, const char *split, fmnist_set *out, char *err,
                          size_t err_size);

void fmnist_free(fmnist_set *set);

/* Decompresses one gzip member in memory with zlib, which checks its
 * CRC-32 and length. *out (malloc'ed, caller frees) holds
 * *out_size bytes. Returns 0, or -1 with a message in err. At most
 * max_size bytes are produced. */
int fmnist_gunzip(const uint8_t *in, size_t in_size, size_t max_size, uint8_t **out,
                  size_t *out_size, char *err, size_t err_size);

#endif
