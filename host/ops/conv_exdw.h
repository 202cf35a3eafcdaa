/*
 * conv_exdw.h — a 1x1 expansion and the depthwise convolution that alone
 * reads its output, as one op on CPUs (kernels/conv_blocked.cl,
 * conv2d_expand_c16): the first two layers of an inverted residual block
 * (MobileNetV2/V3, EfficientNet), a whole image per work-item up to 1024
 * pixels, else bands of rows. passes/exdw.c makes the node from the two
 * convolutions; nodes/exdw.c packs both layers' weights and biases once on
 * the host.
 */
#ifndef CLINFER_OPS_CONV_EXDW_H
#define CLINFER_OPS_CONV_EXDW_H

#include "conv2d.h"

typedef struct exdw_params {
    /* the depthwise layer: groups == C == OC, 3x3 or 5x5, stride 1 or 2,
     * its bias and activation, which the expansion shares; its input [N,
     * C, H, W] is the expansion's output */
    conv2d_params dw;
    int32_t k; /* the expansion's input channels: the op's input [N, K, H, W] */
} exdw_params;

/* Why the op cannot compute p (see exdw_params), or NULL. */
const char *exdw_unfit(const exdw_params *p);

/* Checks p; out = [N, C, OH, OW]. */
clinfer_status exdw_output_shape(clinfer_runtime *rt, const exdw_params *p, clinfer_shape *out);

/* Where the packed constants lie (floats from the start; `end` their
 * total), in blocks of 16 channels, C rounded up with zeros: the
 * expansion's weights [C/16][K][16] at 0, the depthwise weights
 * [C/16][KH * KW][16], the expansion's bias, the depthwise bias. */
typedef struct exdw_packing {
    size_t dw_weights, ex_bias, dw_bias, end;
} exdw_packing;

exdw_packing exdw_packing_of(const exdw_params *p);

/* Packs we [C, K], be [C], wd [C, KH * KW], bd [C] (biases NULL when
 * absent: zeros) into dst (exdw_packing_of(p).end floats). */
void exdw_pack(const exdw_params *p, const float *we, const float *be, const float *wd,
               const float *bd, float *dst);

/* Most bytes of expanded input rows one work-item keeps (16 channels,
 * 64 bytes a pixel): a whole image of up to 1024 pixels, else bands of
 * rows (each band's input rows computed again by the band before it
 * where windows overlap). Inside a core's L2 beside the input rows. */
#define EXDW_BAND_BYTES ((int64_t)64 << 10)

/* How a work-item's share is cut: output rows per item, items per
 * channel block, and floats of scratch per item. */
typedef struct exdw_band {
    int32_t rows;
    int32_t bands;
    int64_t floats;
} exdw_band;

/* The bands for an output of oh rows: as many rows as EXDW_BAND_BYTES
 * allows (at least one). */
exdw_band exdw_band_of(const exdw_params *p, int32_t oh);

/* Bytes of scratch the op takes for an output of oh rows. */
uint64_t exdw_scratch_bytes(const exdw_params *p, int32_t oh, size_t elem_bytes);

/* The launch: grid (bands, N * ceil(C/16)). */
clinfer_status exdw_prepare(clinfer_runtime *rt, const exdw_params *p, op_launch *out);

/* Buffers: x, the packed constants (exdw_pack), the scratch, then the
 * output. */
clinfer_status exdw_bind(clinfer_runtime *rt, const exdw_params *p, op_launch *l, dev_tensor x,
                         cl_mem packed, cl_mem scratch, dev_tensor out);

#endif
