/*
 * conv_implicit.c — the "implicit" convolution algorithm (conv_implicit.h):
 * its plan and its one launch, gemm_core_prepare's gpu product with the
 * input gathered (gemm_geometry.conv_gather).
 */
#include "conv_implicit.h"

#include <string.h>

#include "../runtime.h"

clinfer_status conv_implicit_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out)
{
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int64_t ohw = (int64_t)out->oh * out->ow, k = (int64_t)cpg * p->kh * p->kw;
    clinfer_status st =
        gemm_config_for_product(rt, ocpg, ohw, k, (int64_t)p->n * groups, 0, &out->gemm);
    if (st != CLINFER_OK)
        return st;
    if (out->gemm.variant != GEMM_VARIANT_GPU)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv2d: algorithm implicit needs the gpu GEMM variant (a GPU device, or "
                       "CLINFER_GEMM_VARIANT=gpu), found %s",
                       gemm_variant_name(out->gemm.variant));
    if (k > INT32_MAX || ohw > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "conv2d: implicit GEMM of %lld x %lld is too large", (long long)k,
                       (long long)ohw);
    out->chunk = p->n;
    out->per_chunk = 1;
    out->launch_count = 1;
    return CLINFER_OK;
}

clinfer_status conv_implicit_launch(clinfer_runtime *rt, const conv2d_params *p,
                                    const conv2d_plan *pl, const conv2d_buffers *buf,
                                    op_launch *out)
{
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int32_t ohw = pl->oh * pl->ow, k = cpg * p->kh * p->kw;
    const int64_t hw = (int64_t)p->h * p->w;
    /* batch z = image * groups + group, as im2col's product: weights per
     * group, bias per row of the group's channels, Y (and R) at z * M * N */
    gemm_geometry g = gemm_geometry_plain(ocpg, ohw, k);
    g.c_rs = 1, g.c_cs = 0;
    g.nbatch = 2;
    g.bd[0] = groups, g.as[0] = (int64_t)ocpg * k, g.cs[0] = ocpg, g.bs[0] = cpg * hw;
    g.bd[1] = p->n, g.as[1] = 0, g.cs[1] = 0, g.bs[1] = p->c * hw;
    g.batch = (size_t)p->n * (size_t)groups;
    g.has_residual = p->has_residual;
    g.conv_gather = 1;
    const int32_t window[GEMM_CONV_WINDOW_INTS] = {p->h,        p->w,        p->kh,       p->kw,
                                                   p->stride_h, p->stride_w, p->pad_top,
                                                   p->pad_left, p->dil_h,    p->dil_w,    pl->ow};
    memcpy(g.conv_window, window, sizeof window);
    clinfer_status st = gemm_core_prepare(rt, &pl->gemm, &g, p->has_bias, 1.0f, 1.0f, p->act, out);
    if (st == CLINFER_OK)
        st = gemm_core_bind(rt, out, buf->weight, buf->input,
                            p->has_bias ? buf->bias : dev_whole(NULL), buf->output,
                            p->has_residual ? buf->residual : dev_whole(NULL));
    return st;
}
