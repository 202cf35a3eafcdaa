/*
 * conv_dwpw.h — a depthwise convolution and the 1x1 convolution that alone
 * reads its output, as one op on CPUs (kernels/conv_depthwise.cl,
 * conv2d_dwpw): the depthwise layer and projection of an inverted residual
 * block (MobileNetV2, MnasNet). passes/dwpw.c makes the node from the two
 * convolutions where the runtime computes it (conv2d_blocked_layout_ok);
 * nodes/dwpw.c packs the projection's weights once on the host.
 */
#ifndef CLINFER_OPS_CONV_DWPW_H
#define CLINFER_OPS_CONV_DWPW_H

#include "conv2d.h"

/* Output channels per step of the projection (PW_TM in the kernel, which
 * must be the same: the tests compare the results with references): the
 * packed weights are [ceil(OC / DWPW_PANEL_ROWS)][C][DWPW_PANEL_ROWS],
 * rows past OC zero. */
#define DWPW_PANEL_ROWS 6

/* Most local memory the op asks for (the depthwise tile and the
 * depthwise output of 4 rows of every channel): within PoCL's 1 MB, and
 * small enough to stay in a core's L2 cache. */
#define DWPW_LOCAL_MAX ((int64_t)384 << 10)

/* Expansion channels computed together when the op includes the block's
 * 1x1 expansion (EXP_CB in the kernel, which must be the same: that many
 * depthwise tiles). */
#define DWPW_EXPAND_CHANNELS 4

typedef struct dwpw_params {
    /* the depthwise layer: groups == C == OC, its bias and activation */
    conv2d_params dw;
    int32_t oc; /* the projection's output channels (its activation: none) */
    int has_pw_bias, has_residual; /* residual: the output's shape, added */
    /* > 0: the op starts with the block's 1x1 expansion from K channels to
     * dw.c (weights [dw.c][K], its bias optional, the depthwise layer's
     * activation; the depthwise stride must be 2); the op's input is then
     * [N, K, H, W] */
    int32_t k;
    int has_ex_bias;
} dwpw_params;

/* Why the op cannot compute p, whose output rows (conv2d_output_size)
 * are ow wide (a window other than 3x3 or 5x5, a stride other than 1 or 2
 * along both axes, dilation, groups != C, more local memory than
 * DWPW_LOCAL_MAX or the device's `local_bytes`), or NULL. */
const char *dwpw_unfit(const dwpw_params *p, int32_t ow, uint64_t local_bytes);

/* An upper bound of the op's local memory in bytes for C channels of
 * width w, output width ow, a k x k window and `stride` (any padding
 * smaller than the window), with or without the expansion: what
 * passes/dwpw.c checks before fusing. */
int64_t dwpw_local_bound(int64_t c, int64_t w, int64_t ow, int64_t k, int64_t stride,
                         int expand);

/* Checks p; out = [N, OC, OH, OW]. */
clinfer_status dwpw_output_shape(clinfer_runtime *rt, const dwpw_params *p, clinfer_shape *out);

/* Floats of the packed projection weights. */
size_t dwpw_packed_floats(const dwpw_params *p);

/* Packs the projection's weights w [OC, C] into dst (dwpw_packed_floats). */
void dwpw_pack_weights(const dwpw_params *p, const float *w, float *dst);

/* The launch: grid (1, ceil(OH / 4), N), local memory after the tensors. */
clinfer_status dwpw_prepare(clinfer_runtime *rt, const dwpw_params *p, op_launch *out);

/* Buffers: x, the expansion's weights [C, K, 1, 1] and bias [C] (mem NULL
 * when absent or without an expansion), the depthwise weights [C, 1, K,
 * K] and bias [C] (mem NULL when absent), the packed projection weights,
 * its bias [OC] and the residual (mem NULL when absent), then the output. */
clinfer_status dwpw_bind(clinfer_runtime *rt, op_launch *l, const dev_tensor in[8],
                         dev_tensor out);

#endif
