/*
 * batchnorm.h — BatchNormalization in inference form (ONNX, channel axis 1):
 *   Y = (X - mean) / sqrt(var + epsilon) * scale + B
 * computed as Y = X * mul[c] + add[c] with per-channel coefficients folded
 * on the host (batchnorm_fold_coefficients; the graph also uses them to fold
 * a BatchNormalization into the preceding convolution). Parameter checks,
 * output shape, and the device launch of kernels/batchnorm.cl.
 * One launch: prepare, bind, enqueue.
 */
#ifndef CLINFER_OPS_BATCHNORM_H
#define CLINFER_OPS_BATCHNORM_H

#include "../shape.h"
#include "launch.h"

typedef struct batchnorm_params {
    clinfer_shape shape;                  /* X: [N, C, ...], rank 2..8 */
    clinfer_shape scale, bias, mean, var; /* each must be [C] */
    float epsilon;                        /* finite, >= 0; ONNX default 1e-5 */
    int training_mode;                    /* ONNX attribute; only 0 is supported */
} batchnorm_params;

/* epsilon 1e-5, inference mode; the shapes must be set. */
batchnorm_params batchnorm_params_default(void);

/* Per-channel coefficients, in double precision then rounded:
 *   mul[c] = scale[c] / sqrt(var[c] + epsilon)
 *   add[c] = bias[c] - mean[c] * mul[c]
 * so that Y = X * mul[c] + add[c]. Arrays of C floats; mul and add may not
 * alias the inputs. A channel with var + epsilon <= 0 gets inf or NaN. */
void batchnorm_fold_coefficients(int64_t C, const float *scale, const float *bias,
                                 const float *mean, const float *var, float epsilon, float *mul,
                                 float *add);

/* Checks the parameters and writes the output shape (X's shape). Errors:
 * CLINFER_ERR_SHAPE for a rank below 2 or a scale/bias/mean/var that is not
 * [C]; CLINFER_ERR_INVALID_ARGUMENT for epsilon; CLINFER_ERR_UNSUPPORTED
 * for training_mode != 0. */
clinfer_status batchnorm_output_shape(clinfer_runtime *rt, const batchnorm_params *p,
                                      clinfer_shape *out);

/* Creates the kernel and sets its scalar arguments. */
clinfer_status batchnorm_prepare(clinfer_runtime *rt, const batchnorm_params *p,
                                 op_launch *out);

/* Sets the buffers: input and output hold numel(shape) floats (they may be
 * the same buffer), mul and add C floats from batchnorm_fold_coefficients. */
clinfer_status batchnorm_bind(clinfer_runtime *rt, op_launch *l, dev_tensor input, dev_tensor mul,
                              dev_tensor add, dev_tensor output);

#endif
