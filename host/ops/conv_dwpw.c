/*
 * conv_dwpw.c — the depthwise + pointwise op's checks, weight packing and
 * its one launch (kernels/conv_depthwise.cl, conv2d_dwpw).
 */
#include "conv_dwpw.h"

#include <string.h>

#include "../runtime.h"
#include "../shape.h"
#include "conv_depthwise.h"

/* Output rows per work-item: DW_ROWS in the kernel. */
#define DWPW_ROWS 4

/* Depthwise tiles of the op: one, or DWPW_EXPAND_CHANNELS with the
 * expansion. */
static int64_t dwpw_tiles(int expand)
{
    return expand ? DWPW_EXPAND_CHANNELS : 1;
}

/* Floats of d, the depthwise output of DWPW_ROWS rows of all c channels,
 * each row padded to whole vectors. */
static int64_t dwpw_d_floats(int64_t c, int64_t ow)
{
    return c * DWPW_ROWS * ((ow + 15) / 16 * 16);
}

const char *dwpw_unfit(const dwpw_params *p, int32_t ow, uint64_t local_bytes)
{
    const conv2d_params *d = &p->dw;
    const char *why = depthwise_fused_unfit(d);
    if (why)
        return why;
    if (d->pad_left >= d->kw || d->pad_top >= d->kh)
        return "needs padding smaller than the window";
    if (p->k < 0 || (p->k > 0 && d->stride_h != 2))
        return "computes an expansion only before a stride-2 depthwise layer";
    const int64_t tiles = dwpw_tiles(p->k > 0) * depthwise_tile_floats(d, ow, DWPW_ROWS);
    const int64_t bytes = (tiles + dwpw_d_floats(d->c, ow)) * (int64_t)sizeof(float);
    if (bytes > DWPW_LOCAL_MAX || (uint64_t)bytes > local_bytes)
        return "needs more local memory than it takes";
    return NULL;
}

int64_t dwpw_local_bound(int64_t c, int64_t w, int64_t ow, int64_t k, int64_t stride,
                         int expand)
{
    /* depthwise_tile_phase is at most the row rounded up to 16 plus 32:
     * its larger term is (pad_left + round16(w) + stride) / stride with
     * pad_left < k <= 5, or round16(ow) + (k - 1) / stride with ow <= w */
    const int64_t th = (DWPW_ROWS - 1) * stride + k, phase = (w + 15) / 16 * 16 + 32;
    return (dwpw_tiles(expand) * (th * stride * phase + 16) + dwpw_d_floats(c, ow)) *
           (int64_t)sizeof(float);
}

clinfer_status dwpw_output_shape(clinfer_runtime *rt, const dwpw_params *p, clinfer_shape *out)
{
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv2d_output_size(rt, &p->dw, &oh, &ow);
    if (st != CLINFER_OK)
        return st;
    if (p->oc < 1)
        return err_set(rt, CLINFER_ERR_SHAPE, "dwpw: %d output channels", (int)p->oc);
    if (!act_kind_valid(p->dw.act.kind))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "dwpw: act.kind %d is not a known activation", (int)p->dw.act.kind);
    const char *why = dwpw_unfit(p, ow, rt ? rt->info.local_mem_bytes : UINT64_MAX);
    if (why)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "dwpw: %s (window %dx%d, stride %d,%d, %d channels at %dx%d)", why,
                       p->dw.kh, p->dw.kw, p->dw.stride_h, p->dw.stride_w, p->dw.c, oh, ow);
    const clinfer_shape s = shape_4d(p->dw.n, p->oc, oh, ow);
    if (shape_numel(&s) < 0 || shape_numel(&s) > INT32_MAX)
        return err_set(rt, CLINFER_ERR_SHAPE, "dwpw: the output has too many elements");
    *out = s;
    return CLINFER_OK;
}

size_t dwpw_packed_floats(const dwpw_params *p)
{
    const size_t panels = ((size_t)p->oc + DWPW_PANEL_ROWS - 1) / DWPW_PANEL_ROWS;
    return panels * DWPW_PANEL_ROWS * (size_t)p->dw.c;
}

void dwpw_pack_weights(const dwpw_params *p, const float *w, float *dst)
{
    const size_t C = (size_t)p->dw.c, R = DWPW_PANEL_ROWS;
    const size_t panels = ((size_t)p->oc + R - 1) / R;
    for (size_t m = 0; m < panels * R; m++) {
        const size_t panel = m / R, i = m % R;
        for (size_t k = 0; k < C; k++)
            dst[(panel * C + k) * R + i] = m < (size_t)p->oc ? w[m * C + k] : 0.0f;
    }
}

clinfer_status dwpw_prepare(clinfer_runtime *rt, const dwpw_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape s;
    clinfer_status st = dwpw_output_shape(rt, p, &s);
    if (st != CLINFER_OK)
        return st;
    const int32_t oh = (int32_t)s.dims[2], ow = (int32_t)s.dims[3];
    /* the program of the model's other depthwise layers (the expansion and
     * the projection are arguments) */
    act_params act;
    opts o = depthwise_program_options(&p->dw, p->dw.kh == 5, &act);
    const int64_t tile = depthwise_tile_floats(&p->dw, ow, DWPW_ROWS);
    karg a;
    launch_begin(rt, out, "conv_depthwise", &o, "conv2d_dwpw", KARG_AFTER_TENSORS(9), &a);
    karg_local(&a, (size_t)(dwpw_tiles(p->k > 0) * tile) * sizeof(float));
    karg_local(&a, (size_t)dwpw_d_floats(p->dw.c, ow) * sizeof(float));
    const int32_t v[] = {p->dw.c,
                         p->dw.h,
                         p->dw.w,
                         oh,
                         ow,
                         p->oc,
                         p->dw.stride_h,
                         p->dw.pad_top,
                         p->dw.pad_left,
                         (int32_t)depthwise_tile_phase(&p->dw, ow),
                         p->dw.n * (p->k > 0 ? p->k : p->dw.c), /* the input's planes */
                         p->has_pw_bias ? 1 : 0,
                         p->has_residual ? 1 : 0,
                         p->k,
                         p->has_ex_bias ? 1 : 0,
                         (int32_t)tile};
    karg_ints(&a, v, (int)(sizeof v / sizeof v[0]));
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid3(out, 1, ((size_t)oh + DWPW_ROWS - 1) / DWPW_ROWS, (size_t)p->dw.n, 1);
    return CLINFER_OK;
}

clinfer_status dwpw_bind(clinfer_runtime *rt, op_launch *l, const dev_tensor in[8],
                         dev_tensor out)
{
    return launch_bind_inputs(rt, l, in, 8, out);
}
