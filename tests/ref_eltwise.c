/*
 * ref_eltwise.c — naive references for the element-wise ops (see
 * ref_eltwise.h).
 */
#include "ref_eltwise.h"

#include <math.h>

#include "reference.h"

void ref_unary(unary_kind kind, act_params act, size_t n, const float *in, float *out)
{
    for (size_t i = 0; i < n; i++) {
        double x = in[i];
        switch (kind) {
        case UNARY_ACT:
            out[i] = ref_activation(act, in[i]);
            continue;
        case UNARY_EXP:
            x = exp(x);
            break;
        case UNARY_LOG:
            x = log(x);
            break;
        case UNARY_SQRT:
            x = sqrt(x);
            break;
        case UNARY_NEG:
            x = -x;
            break;
        case UNARY_ABS:
            x = fabs(x);
            break;
        case UNARY_RECIPROCAL:
            x = 1.0 / x;
            break;
        case UNARY_ERF:
            x = erf(x);
            break;
        case UNARY_FLOOR:
            x = floor(x);
            break;
        case UNARY_CEIL:
            x = ceil(x);
            break;
        case UNARY_ROUND: /* the default rounding mode: to nearest, halves to even */
            x = nearbyint(x);
            break;
        case UNARY_SIGN: /* zeros and NaN as they are */
            x = x > 0 ? 1.0 : x < 0 ? -1.0 : x;
            break;
        case UNARY_SIN:
            x = sin(x);
            break;
        case UNARY_COS:
            x = cos(x);
            break;
        case UNARY_TAN:
            x = tan(x);
            break;
        case UNARY_ASIN:
            x = asin(x);
            break;
        case UNARY_ACOS:
            x = acos(x);
            break;
        case UNARY_ATAN:
            x = atan(x);
            break;
        case UNARY_SINH:
            x = sinh(x);
            break;
        case UNARY_COSH:
            x = cosh(x);
            break;
        case UNARY_ASINH:
            x = asinh(x);
            break;
        case UNARY_ACOSH:
            x = acosh(x);
            break;
        case UNARY_ATANH:
            x = atanh(x);
            break;
        case UNARY_QUANTIZE_U8: /* the float division ONNX writes, then rounding */
        case UNARY_QUANTIZE_S8:
            if (isnan(x))
                break;
            x = nearbyint((double)(in[i] / act.a)) + act.b;
            x = kind == UNARY_QUANTIZE_U8 ? fmin(fmax(x, 0), 255) : fmin(fmax(x, -128), 127);
            break;
        case UNARY_DEQUANTIZE:
            x = (x - act.b) * act.a;
            break;
        }
        out[i] = (float)x;
    }
}

int ref_broadcast_shape(const clinfer_shape *a, const clinfer_shape *b, clinfer_shape *out)
{
    clinfer_shape r = {0, {0}};
    r.rank = a->rank > b->rank ? a->rank : b->rank;
    for (int32_t i = 0; i < r.rank; i++) {
        /* align from the right; missing leading dims count as 1 */
        int32_t ia = a->rank - r.rank + i, ib = b->rank - r.rank + i;
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da == db || db == 1)
            r.dims[i] = da;
        else if (da == 1)
            r.dims[i] = db;
        else
            return 0;
    }
    *out = r;
    return 1;
}

/* Flat index into an operand of shape s for output coordinates co (rank r):
 * coordinates along the operand's dims of extent 1 are taken as 0. */
static size_t operand_index(const clinfer_shape *s, const int64_t *co, int32_t r)
{
    size_t idx = 0;
    for (int32_t i = 0; i < s->rank; i++) {
        int64_t c = s->dims[i] == 1 ? 0 : co[r - s->rank + i];
        idx = idx * (size_t)s->dims[i] + (size_t)c;
    }
    return idx;
}

int ref_binary(binary_op op, act_params act, const clinfer_shape *sa, const float *x,
               const clinfer_shape *sb, const float *y, float *out)
{
    clinfer_shape so;
    if (!ref_broadcast_shape(sa, sb, &so))
        return 0;
    size_t n = ref_numel(&so);
    for (size_t i = 0; i < n; i++) {
        int64_t co[CLINFER_MAX_RANK];
        size_t rem = i;
        for (int32_t d = so.rank - 1; d >= 0; d--) {
            co[d] = (int64_t)(rem % (size_t)so.dims[d]);
            rem /= (size_t)so.dims[d];
        }
        double u = x[operand_index(sa, co, so.rank)], v = y[operand_index(sb, co, so.rank)];
        double r = 0;
        switch (op) {
        case BINARY_ADD:
            r = u + v;
            break;
        case BINARY_SUB:
            r = u - v;
            break;
        case BINARY_MUL:
            r = u * v;
            break;
        case BINARY_DIV:
            r = u / v;
            break;
        case BINARY_POW:
            r = pow(u, v);
            break;
        case BINARY_MAX:
            r = isnan(u) || isnan(v) ? NAN : fmax(u, v);
            break;
        case BINARY_MIN:
            r = isnan(u) || isnan(v) ? NAN : fmin(u, v);
            break;
        case BINARY_PRELU: /* NaN fails the compare and stays */
            r = u < 0 ? u * v : u;
            break;
        }
        out[i] = ref_activation(act, (float)r);
    }
    return 1;
}
