/*
 * activation.h — activations that kernels fuse into their epilogue; the
 * kinds match the ACT_* macros of kernels/prelude.cl.
 */
#ifndef CLINFER_OPS_ACTIVATION_H
#define CLINFER_OPS_ACTIVATION_H

typedef enum act_kind {
    ACT_KIND_NONE = 0,
    ACT_KIND_RELU = 1,
    ACT_KIND_LEAKY_RELU = 2, /* a: slope for x < 0 */
    ACT_KIND_CLIP = 3,       /* a: min, b: max */
    ACT_KIND_SIGMOID = 4,
    ACT_KIND_TANH = 5
} act_kind;

typedef struct act_params {
    act_kind kind;
    float a, b;
} act_params;

#endif
