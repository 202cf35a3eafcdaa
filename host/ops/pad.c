/*
 * pad.c — Pad: validation, output shape and the launch of kernels/pad.cl.
 *
 * Per dim the kernel gets the output size OD, the begin pad LO (>= 0), the
 * length LEN of the input left after cropping, and the input size ID (for
 * the strides); the crop of the begin sides becomes one offset `base` into
 * the input. Adjacent dims merge when the inner one is untouched (and, for
 * modes other than constant, the outer one too), so that common cases
 * (padding H and W of NCHW) run with rank 3 or less.
 * Arguments 0-1 are buffers, the rest scalars.
 */
#include "pad.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../shape.h"

static const char *const mode_names[] = {"constant", "reflect", "edge", "wrap"};

pad_params pad_params_default(void)
{
    pad_params p;
    memset(&p, 0, sizeof p);
    p.mode = PAD_MODE_CONSTANT;
    return p;
}

int pad_mode_parse(const char *name, pad_mode *out)
{
    for (int m = 0; m < 4; m++)
        if (name && strcmp(name, mode_names[m]) == 0) {
            *out = (pad_mode)m;
            return 1;
        }
    return 0;
}

/* Validated per-dim view of the parameters. */
typedef struct pad_plan {
    clinfer_shape out;
    int64_t begin[CLINFER_MAX_RANK], end[CLINFER_MAX_RANK];
} pad_plan;

static clinfer_status pad_check(clinfer_runtime *rt, const pad_params *p, pad_plan *plan)
{
    char buf[160];
    const clinfer_shape *in = &p->input;
    int32_t rank = in->rank;
    if (rank < 0 || rank > CLINFER_MAX_RANK)
        return err_set(rt, CLINFER_ERR_SHAPE, "pad: input rank %d, expected 0 to %d", (int)rank,
                       CLINFER_MAX_RANK);
    int64_t numel = shape_numel(in);
    if (numel < 0 || numel > INT32_MAX)
        return err_set(rt, numel < 0 ? CLINFER_ERR_SHAPE : CLINFER_ERR_UNSUPPORTED,
                       "pad: input shape %s is %s", shape_str(in, buf, sizeof buf),
                       numel < 0 ? "invalid" : "larger than 2^31-1 elements");
    if ((int)p->mode < 0 || (int)p->mode > 3)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "pad: mode %d, expected constant, reflect, edge or wrap", (int)p->mode);
    if (p->naxes < 0 || p->naxes > rank)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "pad: %d axes given for rank %d, expected 0 to %d", (int)p->naxes,
                       (int)rank, (int)rank);
    int32_t naxes = p->naxes > 0 ? p->naxes : rank;
    if (p->npads != 2 * naxes)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "pad: pads has %d values, expected %d (a begin and an end for each of %d "
                       "%s)",
                       (int)p->npads, 2 * (int)naxes, (int)naxes,
                       p->naxes > 0 ? "axes" : "dims of the input");
    int padded[CLINFER_MAX_RANK] = {0};
    for (int32_t d = 0; d < rank; d++)
        plan->begin[d] = plan->end[d] = 0;
    for (int32_t i = 0; i < naxes; i++) {
        int32_t a = i;
        if (p->naxes > 0) {
            if (!shape_axis(p->axes[i], rank, &a))
                return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                               "pad: axes[%d] = %lld is out of range for rank %d", (int)i,
                               (long long)p->axes[i], (int)rank);
            if (padded[a])
                return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                               "pad: axes[%d] = %lld repeats axis %d", (int)i,
                               (long long)p->axes[i], (int)a);
        }
        padded[a] = 1;
        int64_t b = p->pads[i], e = p->pads[i + naxes];
        if (b < -INT32_MAX || b > INT32_MAX || e < -INT32_MAX || e > INT32_MAX)
            return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                           "pad: pads (%lld, %lld) of axis %d exceed 2^31-1", (long long)b,
                           (long long)e, (int)a);
        plan->begin[a] = b;
        plan->end[a] = e;
    }
    clinfer_shape out = *in;
    for (int32_t d = 0; d < rank; d++) {
        int64_t b = plan->begin[d], e = plan->end[d], dim = in->dims[d];
        int64_t crop = (b < 0 ? -b : 0) + (e < 0 ? -e : 0);
        if (crop > dim)
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "pad: pads (%lld, %lld) on axis %d crop %lld elements from a dim of "
                           "%lld (input %s)",
                           (long long)b, (long long)e, (int)d, (long long)crop, (long long)dim,
                           shape_str(in, buf, sizeof buf));
        out.dims[d] = dim + b + e;
        if (p->mode != PAD_MODE_CONSTANT && crop == dim && out.dims[d] > 0)
            return err_set(rt, CLINFER_ERR_SHAPE,
                           "pad: %s mode cannot fill axis %d: no input is left to copy from "
                           "(dim %lld, pads (%lld, %lld))",
                           mode_names[p->mode], (int)d, (long long)dim, (long long)b,
                           (long long)e);
    }
    numel = shape_numel(&out);
    if (numel < 0 || numel > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "pad: output shape %s is larger than 2^31-1 elements",
                       shape_str(&out, buf, sizeof buf));
    plan->out = out;
    return CLINFER_OK;
}

clinfer_status pad_output_shape(clinfer_runtime *rt, const pad_params *p, clinfer_shape *out)
{
    pad_plan plan;
    clinfer_status st = pad_check(rt, p, &plan);
    if (st == CLINFER_OK)
        *out = plan.out;
    return st;
}

clinfer_status pad_prepare(clinfer_runtime *rt, const pad_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    pad_plan plan;
    clinfer_status st = pad_check(rt, p, &plan);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *in = &p->input;
    int64_t n = shape_numel(&plan.out);

    /* Per-dim kernel view, outermost first, then merged from the inside. */
    int32_t od[CLINFER_MAX_RANK], lo[CLINFER_MAX_RANK], len[CLINFER_MAX_RANK],
        id[CLINFER_MAX_RANK];
    int64_t base = 0, stride = 1;
    for (int32_t d = in->rank - 1; d >= 0; d--) {
        int64_t b = plan.begin[d], e = plan.end[d];
        base += (b < 0 ? -b : 0) * stride;
        stride *= in->dims[d];
        od[d] = (int32_t)plan.out.dims[d];
        lo[d] = (int32_t)(b > 0 ? b : 0);
        len[d] = (int32_t)(in->dims[d] + (b < 0 ? b : 0) + (e < 0 ? e : 0));
        id[d] = (int32_t)in->dims[d];
    }
    int32_t rank = 0; /* merged dims, stored innermost first in k* */
    int32_t kod[CLINFER_MAX_RANK], klo[CLINFER_MAX_RANK], klen[CLINFER_MAX_RANK],
        kid[CLINFER_MAX_RANK];
    for (int32_t d = in->rank - 1; d >= 0 && n > 0; d--) {
        int outer_untouched = lo[d] == 0 && len[d] == id[d] && od[d] == id[d];
        if (rank > 0) {
            int32_t m = rank - 1;
            int inner_untouched = klo[m] == 0 && klen[m] == kid[m] && kod[m] == kid[m];
            if (inner_untouched && (outer_untouched || p->mode == PAD_MODE_CONSTANT)) {
                /* Products stay below the element counts (< 2^31). */
                kod[m] = od[d] * kod[m];
                klo[m] = lo[d] * kid[m];
                klen[m] = len[d] * kid[m];
                kid[m] = id[d] * kid[m];
                continue;
            }
        }
        kod[rank] = od[d], klo[rank] = lo[d], klen[rank] = len[d], kid[rank] = id[d];
        rank++;
    }
    for (; rank < 2; rank++) /* the kernel takes at least two dims */
        kod[rank] = klen[rank] = kid[rank] = 1, klo[rank] = 0;

    opts o = opts_none();
    opts_add(&o, "-DPAD_MODE=%d", (int)p->mode);
    karg a;
    launch_begin(rt, out, "pad", &o, "pad_nd", KARG_AFTER_TENSORS(2), &a);
    karg_int(&a, rank);
    karg_int(&a, (int32_t)base);
    karg_float(&a, p->value);
    const int32_t *arrays[4] = {kod, klo, klen, kid}; /* innermost first */
    for (int k = 0; k < 4; k++)
        for (int32_t d = 0; d < CLINFER_MAX_RANK; d++)
            karg_int(&a, d < rank ? arrays[k][d] : (k == 1 ? 0 : 1));
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    /* x: the innermost dim, y: the next, z: all others. */
    if (n > 0)
        launch_grid3(out, (size_t)kod[0], (size_t)kod[1],
                     (size_t)n / ((size_t)kod[0] * (size_t)kod[1]), kod[0] >= 64 ? 64 : 8);
    else
        launch_grid1(out, 0);
    return CLINFER_OK;
}

