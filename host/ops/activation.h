/*
 * activation.h — activations that kernels fuse into their epilogue; the
 * kinds are the public ones (CLINFER_ACTIVATION_TABLE in clinfer.h) and
 * match the ACT_* macros of kernels/prelude.cl.
 */
#ifndef CLINFER_OPS_ACTIVATION_H
#define CLINFER_OPS_ACTIVATION_H

#include <math.h> /* INFINITY */

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

/* The activation an epilogue is built for. Identity and ReLU are Clip with
 * bounds (-inf, inf) and (0, inf), bit for bit (NaN, -0 and infinities
 * included: Clip is written as compares whose false branch is the input),
 * so layers that differ only in these share one program: a cold start
 * builds fewer (issue 11). The two extra compares per output cost nothing
 * measurable next to a convolution's or product's inner loop. */
static inline act_params act_program(act_params act)
{
    if (act.kind == ACT_KIND_NONE)
        return (act_params){ACT_KIND_CLIP, -INFINITY, INFINITY};
    if (act.kind == ACT_KIND_RELU)
        return (act_params){ACT_KIND_CLIP, 0.0f, INFINITY};
    return act;
}

#endif
