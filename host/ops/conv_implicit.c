/*
 * conv_implicit.c — the "implicit" convolution algorithm (conv_implicit.h):
 * its plan, and the window of its one launch, which conv2d.c's conv_gemm
 * (im2col's product) makes with the input as B (gemm_geometry.conv_gather).
 */
#include "conv_implicit.h"

#include <string.h>

#include "../runtime.h"

clinfer_status conv_implicit_plan(clinfer_runtime *rt, const conv2d_params *p, conv2d_plan *out)
{
    const int32_t groups = p->groups, cpg = p->c / groups, ocpg = p->oc / groups;
    const int64_t ohw = (int64_t)out->oh * out->ow, k = (int64_t)cpg * p->kh * p->kw;
    clinfer_status st =
        gemm_config_for_product(rt, ocpg, ohw, k, (int64_t)p->n * groups, 1, &out->gemm);
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
    /* split K as im2col's product (few tiles, long K): the product into
     * partial sums in scratch (at offset 0), then a launch that adds them */
    out->split = out->gemm.splits > 1;
    if (out->split)
        conv2d_plan_chunks(rt, p, out,
                           (uint64_t)out->gemm.splits * (uint64_t)groups * (uint64_t)ocpg *
                               (uint64_t)ohw * sizeof(float),
                           0, 2);
    return CLINFER_OK;
}

void conv_implicit_gather(const conv2d_params *p, const conv2d_plan *pl, gemm_geometry *g)
{
    const int32_t window[GEMM_CONV_WINDOW_INTS] = {p->h,        p->w,        p->kh,       p->kw,
                                                   p->stride_h, p->stride_w, p->pad_top,
                                                   p->pad_left, p->dil_h,    p->dil_w,    pl->ow};
    g->conv_gather = 1;
    memcpy(g->conv_window, window, sizeof window);
}
