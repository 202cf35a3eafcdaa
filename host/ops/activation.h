/*
 * activation.h — activations that kernels fuse into their epilogue; the
 * kinds are the public ones (CLINFER_ACTIVATION_TABLE in clinfer.h) and
 * match the ACT_* macros of kernels/prelude.cl.
 */
#ifndef CLINFER_OPS_ACTIVATION_H
#define CLINFER_OPS_ACTIVATION_H

#include "clinfer.h"

/* The kinds are the public activations (CLINFER_ACTIVATION_TABLE). */
#define ACT_KIND_ENUM_ENTRY(name, value, onnx) ACT_KIND_##name = value,
typedef enum act_kind {
    ACT_KIND_NONE = 0,
    CLINFER_ACTIVATION_TABLE(ACT_KIND_ENUM_ENTRY)
    ACT_KIND_COUNT /* one past the last */
} act_kind;

/* The activations are also the unary ops below CLINFER_UNARY_EXP. */
_Static_assert((int)ACT_KIND_COUNT <= (int)CLINFER_UNARY_EXP,
               "clinfer.h: an activation's value collides with CLINFER_UNARY_EXP");

static inline int act_kind_valid(act_kind k) { return k >= ACT_KIND_NONE && k < ACT_KIND_COUNT; }

/* The ONNX name of an activation ("Identity" for none). */
static inline const char *act_kind_name(act_kind k)
{
#define ACT_KIND_NAME_ENTRY(name, value, onnx) [value] = onnx,
    static const char *const names[ACT_KIND_COUNT] = {
        [0] = "Identity", CLINFER_ACTIVATION_TABLE(ACT_KIND_NAME_ENTRY)};
#undef ACT_KIND_NAME_ENTRY
    return act_kind_valid(k) ? names[k] : "?";
}

typedef struct act_params {
    act_kind kind;
    float a, b;
} act_params;

#endif
