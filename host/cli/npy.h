/*
 * npy.h — NumPy .npy files for `clinfer run`: reading versions 1-3 of the
 * format (little-endian float16/32/64 as float32, integers of 8 to 64 bits
 * and bools as int64; C or Fortran order), writing version 1 in float32 or
 * a model output's declared type. Tensor files in ONNX
 * TensorProto form (.pb) are read by clinfer_tensor_decode_onnx.
 */
#ifndef CLINFER_CLI_NPY_H
#define CLINFER_CLI_NPY_H

#include <stddef.h>

#include "clinfer.h"

/* Parses a whole .npy file in memory into *out (release with
 * clinfer_tensor_release). On failure writes a message to err. */
int npy_decode(const unsigned char *data, size_t size, clinfer_tensor *out, char *err,
               size_t errcap);

/* Writes float32 data of the given shape to path; 0 and a message (with
 * errno's text) on failure. */
int npy_write(const char *path, const clinfer_shape *shape, const float *data, char *err,
              size_t errcap);

/* npy_write in `dtype` (a model output's declared type): floats
 * converted (float16 rounded to nearest even), integers rounded to nearest
 * and saturated, bools nonzero; bfloat16 is written as float32. */
int npy_write_typed(const char *path, const clinfer_shape *shape, const float *data,
                    clinfer_dtype dtype, char *err, size_t errcap);

/* Reads a whole file (at most 4 GiB); 0 and a message on failure. */
/* Reads a .npy or ONNX .pb tensor file into *t (clinfer_tensor_release
 * frees it); errors are printed to stderr after "clinfer <command>: ".
 * Returns 1 on success. */
int cli_read_tensor(const char *command, const char *file, clinfer_tensor *t);

int cli_read_file(const char *path, unsigned char **data, size_t *size, char *err, size_t errcap);

#endif
