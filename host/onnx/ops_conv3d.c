/*
 * ops_conv3d.c — 3-D Conv and ConvTranspose (rank-5 tensors [N, C, D, H,
 * W]) translated into 2-D builder calls, one per output frame: no kernel
 * of their own. Called by op_conv and op_conv_transpose (ops_conv_pool.c)
 * with the window attributes they read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_conv.h"

/* ---- 3-D convolution as 2-D ones over frames ----
 * Conv3d x [N, C, D, H, W] with W [O, C/g, kd, kh, kw] becomes, with no
 * kernel of its own: x padded along D; for each output frame t the kd
 * frames it reads (t*sd + z*dd) sliced out as [N, C, kd, H, W], which is,
 * with no copy, an image of C*kd channels (channel c*kd + z); a 2-D conv
 * of it with W's floats seen as [O, C/g*kd, kh, kw] (the same memory
 * order, and groups stay contiguous blocks of channels) gives frame t of
 * the output, and the frames are concatenated along D. One conv per frame
 * rather than one over N*D_out images: the graph carries the open batch
 * as a dimension of its own, so it cannot be merged with D. */

enum { MAX_DEPTH_OUT = 1024 };

/* x padded with zeros along D by w's depth pads (x itself without). */
static clinfer_status pad_depth(onnx_node *c, const window *w, clinfer_value *x)
{
    if (w->d_pads[0] == 0 && w->d_pads[1] == 0)
        return CLINFER_OK;
    char name[512];
    snprintf(name, sizeof name, "%s:pad_d", onnx_node_oname(c));
    const int64_t pads[10] = {0, 0, w->d_pads[0], 0, 0, 0, 0, w->d_pads[1], 0, 0};
    return onnx_node_build(c, clinfer_graph_pad(c->im->g, name, *x, pads, 10, 0.0f, x));
}

/* The frames start, start + step, ... (count of them) of x [N, C, depth,
 * H, W] (x itself when that is every frame) seen, with no copy, as one
 * image [N, C*count, H, W] (channel c*count + j), for output frame t. */
static clinfer_status frames_as_image(onnx_node *c, clinfer_value x, const clinfer_shape *xs,
                                      int64_t depth, int64_t start, int64_t count, int64_t step,
                                      int64_t t, clinfer_value *out)
{
    const int64_t end = start + (count - 1) * step + 1, axis = 2;
    char name[512];
    clinfer_status st = CLINFER_OK;
    if (start != 0 || count != depth || (step != 1 && count > 1)) {
        snprintf(name, sizeof name, "%s:frames%lld", onnx_node_oname(c), (long long)t);
        st = onnx_node_build(
            c, clinfer_graph_slice(c->im->g, name, x, &start, &end, &axis, &step, 1, &x));
    }
    const clinfer_shape s4 = {4, {0, xs->dims[1] * count, xs->dims[3], xs->dims[4]}};
    snprintf(name, sizeof name, "%s:image%lld", onnx_node_oname(c), (long long)t);
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_reshape(c->im->g, name, x, &s4, out));
    return st;
}

/* Output frame t, a 2-D result y [N, O, H', W'] (st: the status of the
 * call that made it), seen as [N, O, 1, H', W'] (named as the node when
 * it is the only frame). */
static clinfer_status frame_as_5d(onnx_node *c, clinfer_status st, clinfer_value y, int64_t t,
                                  int only, clinfer_value *out)
{
    clinfer_shape ys;
    char name[512];
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_value_shape(c->im->g, y, &ys));
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape s5 = {5, {0, ys.dims[1], 1, ys.dims[2], ys.dims[3]}};
    snprintf(name, sizeof name, "%s:frame%lld", onnx_node_oname(c), (long long)t);
    return onnx_node_build(c, clinfer_graph_reshape(c->im->g, only ? onnx_node_oname(c) : name,
                                                    y, &s5, out));
}

/* Output frame t of a 3-D conv: the 2-D conv of its input image. */
static clinfer_status frame_output(onnx_node *c, clinfer_value x, clinfer_value wv,
                                   clinfer_value bv, const clinfer_conv2d_desc *d, int64_t t,
                                   int only, clinfer_value *out)
{
    char name[512];
    clinfer_value y;
    snprintf(name, sizeof name, "%s:conv%lld", onnx_node_oname(c), (long long)t);
    clinfer_status st =
        onnx_node_build(c, clinfer_graph_conv2d(c->im->g, name, x, wv, bv, d, &y));
    return frame_as_5d(c, st, y, t, only, out);
}

/* The node's output: the frames concatenated along D (the frame itself,
 * already named as the node, when there is one). */
static clinfer_status frames_out(onnx_node *c, clinfer_value *frames, int64_t dout)
{
    clinfer_value y;
    if (dout == 1)
        return onnx_node_out_of(c, CLINFER_OK, &frames[0]);
    return onnx_node_out_of(
        c, clinfer_graph_concat(c->im->g, onnx_node_oname(c), frames, (int32_t)dout, 2, &y), &y);
}

/* The output depth of x's D (xs) under w's depth window, or an error. */
static clinfer_status depth_out(onnx_node *c, const clinfer_shape *xs, const window *w,
                                int64_t *dp, int64_t *dout)
{
    *dp = xs->dims[2] + w->d_pads[0] + w->d_pads[1];
    const int64_t span = (int64_t)w->d_dilation * (w->d_kernel - 1) + 1;
    if (xs->dims[2] < 1 || *dp < span)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "input X has depth %lld, padded %lld, less than the kernel's "
                               "dilated depth %lld",
                               (long long)xs->dims[2], (long long)*dp, (long long)span);
    *dout = (*dp - span) / w->d_stride + 1;
    return CLINFER_OK;
}

clinfer_status onnx_conv3d(onnx_node *c, const clinfer_shape *xs, const host_tensor *wt, window *w,
                           const clinfer_conv2d_desc *d)
{
    if (w->mode == CLINFER_PAD_SAME_UPPER || w->mode == CLINFER_PAD_SAME_LOWER)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"auto_pad\" SAME_UPPER/SAME_LOWER on a 3-D "
                               "convolution is not supported; clinfer takes explicit pads");
    if (w->mode == CLINFER_PAD_VALID) /* pads are ignored */
        w->d_pads[0] = w->d_pads[1] = 0;
    if (wt->dtype != CLINFER_DTYPE_FLOAT32)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "the weights W of a 3-D convolution must be float32");
    int64_t dp = 0, dout = 0;
    clinfer_value x, wv, bv, *frames = NULL;
    clinfer_status st = depth_out(c, xs, w, &dp, &dout);
    if (st == CLINFER_OK && dout > MAX_DEPTH_OUT)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "the output has depth %lld; clinfer supports 3-D convolutions "
                               "of up to %d output frames",
                               (long long)dout, MAX_DEPTH_OUT);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = pad_depth(c, w, &x);
    if (st == CLINFER_OK) {
        char name[512];
        snprintf(name, sizeof name, "%s:W_2d", onnx_node_oname(c));
        const int64_t *wd = wt->shape.dims;
        const clinfer_shape s = {4, {wd[0], wd[1] * wd[2], wd[3], wd[4]}};
        st = onnx_node_build(c, clinfer_graph_constant(c->im->g, name, &s, wt->f, &wv));
    }
    if (st == CLINFER_OK)
        st = onnx_node_in_value_opt(c, 2, &bv);
    if (st == CLINFER_OK && !(frames = malloc((size_t)dout * sizeof *frames)))
        st = onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    for (int64_t t = 0; t < dout && st == CLINFER_OK; t++) {
        clinfer_value xt;
        st = frames_as_image(c, x, xs, dp, t * w->d_stride, w->d_kernel, w->d_dilation, t, &xt);
        if (st == CLINFER_OK)
            st = frame_output(c, xt, wv, bv, d, t, dout == 1, &frames[t]);
    }
    if (st == CLINFER_OK)
        st = frames_out(c, frames, dout);
    free(frames);
    return st;
}

/* ---- 3-D transposed convolution as 2-D ones over frames ----
 * ConvTranspose3d x [N, C, D, H, W] with W [C, O/g, kd, kh, kw]: output
 * frame t (position f = t + pad_d in the unpadded output) sums, over the
 * input frames i and kernel depths z with i*sd + z*dd = f, the 2-D
 * transposed convolutions of frame i with W[:, :, z]. Those i form a
 * slice (step dd / gcd(sd, dd)), so they are sliced out as [N, C, m, H, W]
 * and seen, with no copy, as an image of C*m channels (channel c*m + j,
 * groups staying contiguous blocks), transposed-convolved in one 2-D node
 * with W_t [C*m, O/g, kh, kw] (W_t[c*m + j] = W[c, :, z_j], made on the
 * host, one per distinct z sequence); the frames are concatenated along D.
 * A frame that no input reaches (output_padding past the last) is the
 * bias alone: frame 0 with zero weights. auto_pad SAME_* and output_shape
 * give the depth pads by ONNX's rule (the 2-D nodes derive theirs). One
 * node per frame, as conv3d: the open batch cannot be merged with D. */

/* The input frames feeding unpadded output position f: i0, i0 + step, ...
 * (m of them, m 0 when none); z0 the kernel depth of i0 (then z falls by
 * step * sd / dd per frame). */
typedef struct frame_taps {
    int64_t i0, step, m, z0;
} frame_taps;

static int64_t gcd64(int64_t a, int64_t b) { return b ? gcd64(b, a % b) : a; }

static frame_taps taps_of(int64_t f, int64_t d_in, const window *w)
{
    frame_taps t = {0, w->d_dilation / gcd64(w->d_stride, w->d_dilation), 0, 0};
    for (int64_t i = 0; i < d_in; i++) {
        int64_t r = f - i * w->d_stride;
        if (r < 0 || r % w->d_dilation != 0 || r / w->d_dilation >= w->d_kernel)
            continue;
        if (t.m == 0)
            t.i0 = i, t.z0 = r / w->d_dilation;
        t.m++;
        i += t.step - 1; /* the next i that can reach f */
    }
    return t;
}

/* W_t for taps t: [C*m, O/g, kh, kw] with row c*m + j = W[c, :, z_j] (zeros
 * when t has no frame: then m counts as 1). */
static clinfer_status frame_weights(onnx_node *c, const host_tensor *wt, const window *w,
                                    frame_taps t, int64_t frame, clinfer_value *out)
{
    const int64_t *wd = wt->shape.dims, m = t.m ? t.m : 1, plane = wd[3] * wd[4];
    const int64_t zstep = t.step * w->d_stride / w->d_dilation;
    float *f = calloc((size_t)(wd[0] * m * wd[1] * plane), sizeof *f);
    if (!f)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    for (int64_t ci = 0; ci < wd[0] && t.m; ci++)
        for (int64_t j = 0; j < m; j++)
            for (int64_t o = 0; o < wd[1]; o++)
                memcpy(f + ((ci * m + j) * wd[1] + o) * plane,
                       wt->f + ((ci * wd[1] + o) * wd[2] + (t.z0 - j * zstep)) * plane,
                       (size_t)plane * sizeof *f);
    char name[512];
    snprintf(name, sizeof name, "%s:W_frame%lld", onnx_node_oname(c), (long long)frame);
    const clinfer_shape s = {4, {wd[0] * m, wd[1], wd[3], wd[4]}};
    clinfer_status st = onnx_node_build(c, clinfer_graph_constant(c->im->g, name, &s, f, out));
    free(f);
    return st;
}

/* Output frame `frame`: the taps' input frames as one image, transposed-
 * convolved, seen as [N, O, 1, H', W']. */
static clinfer_status transposed_frame(onnx_node *c, clinfer_value x, const clinfer_shape *xs,
                                       frame_taps t, clinfer_value wv, clinfer_value bv,
                                       const clinfer_conv_transpose2d_desc *d, int64_t frame,
                                       int only, clinfer_value *out)
{
    char name[512];
    clinfer_status st =
        frames_as_image(c, x, xs, xs->dims[2], t.i0, t.m ? t.m : 1, t.step, frame, &x);
    snprintf(name, sizeof name, "%s:convt%lld", onnx_node_oname(c), (long long)frame);
    if (st == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_conv_transpose2d(c->im->g, name, x, wv, bv, d, &x));
    return frame_as_5d(c, st, x, frame, only, out);
}

/* The weights of each distinct tap pattern, made once. */
typedef struct taps_cache {
    frame_taps taps[MAX_DEPTH_OUT];
    clinfer_value w[MAX_DEPTH_OUT];
    int32_t n;
} taps_cache;

static clinfer_status weights_for(onnx_node *c, taps_cache *tc, const host_tensor *wt,
                                  const window *w, frame_taps t, int64_t frame, clinfer_value *out)
{
    for (int32_t k = 0; k < tc->n; k++)
        if (tc->taps[k].m == t.m && (t.m == 0 || tc->taps[k].z0 == t.z0)) {
            *out = tc->w[k];
            return CLINFER_OK;
        }
    clinfer_status st = frame_weights(c, wt, w, t, frame, out);
    if (st == CLINFER_OK) {
        tc->taps[tc->n] = t;
        tc->w[tc->n++] = *out;
    }
    return st;
}

/* The depth of the output, checked; out_pad_d as ONNX requires it (below
 * the stride or the dilation). */
static clinfer_status transposed_depth(onnx_node *c, const clinfer_shape *xs, const window *w,
                                       int32_t out_pad_d, int64_t *dout)
{
    *dout = (xs->dims[2] - 1) * w->d_stride + (int64_t)w->d_dilation * (w->d_kernel - 1) + 1 +
            out_pad_d - w->d_pads[0] - w->d_pads[1];
    if (out_pad_d >= w->d_stride && out_pad_d >= w->d_dilation)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "output_padding %d along D is not below the stride (%d) or the "
                               "dilation (%d)",
                               (int)out_pad_d, (int)w->d_stride, (int)w->d_dilation);
    if (*dout < 1 || *dout > MAX_DEPTH_OUT)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "the output has depth %lld; clinfer supports 3-D transposed "
                               "convolutions of 1 to %d output frames",
                               (long long)*dout, MAX_DEPTH_OUT);
    return CLINFER_OK;
}

/* The depth pads for an output of depth `out` (output_shape, or D * sd
 * for auto_pad SAME_*), as the 2-D node derives its own (ONNX): the total
 * split in half, the odd one at the end for SAME_UPPER, else at the
 * start. */
static void depth_pads_for_output(const clinfer_shape *xs, window *w, int32_t out_pad_d,
                                  int64_t out)
{
    const int64_t total = (int64_t)w->d_stride * (xs->dims[2] - 1) + out_pad_d +
                          (int64_t)w->d_dilation * (w->d_kernel - 1) + 1 - out;
    const int64_t small = total >= 0 ? total / 2 : -((1 - total) / 2); /* floor */
    w->d_pads[0] = (int32_t)(w->mode == CLINFER_PAD_SAME_UPPER ? small : total - small);
    w->d_pads[1] = (int32_t)(total - w->d_pads[0]);
}

clinfer_status onnx_conv_transpose3d(onnx_node *c, const clinfer_shape *xs, const host_tensor *wt,
                                     window *w, int32_t out_pad_d, int32_t out_d,
                                     const clinfer_conv_transpose2d_desc *d)
{
    if (out_d > 0 || w->mode == CLINFER_PAD_SAME_UPPER || w->mode == CLINFER_PAD_SAME_LOWER)
        depth_pads_for_output(xs, w, out_pad_d,
                              out_d > 0 ? out_d : xs->dims[2] * (int64_t)w->d_stride);
    else if (w->mode == CLINFER_PAD_VALID)
        w->d_pads[0] = w->d_pads[1] = 0;
    if (wt->dtype != CLINFER_DTYPE_FLOAT32)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "the weights W of a 3-D transposed convolution must be float32");
    int64_t dout = 0;
    clinfer_value x, bv, *frames = NULL;
    taps_cache *tc = NULL;
    clinfer_status st = transposed_depth(c, xs, w, out_pad_d, &dout);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_value_opt(c, 2, &bv);
    if (st == CLINFER_OK && (!(frames = malloc((size_t)dout * sizeof *frames)) ||
                             !(tc = calloc(1, sizeof *tc))))
        st = onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    for (int64_t t = 0; t < dout && st == CLINFER_OK; t++) {
        frame_taps taps = taps_of(t + w->d_pads[0], xs->dims[2], w);
        clinfer_value wv;
        st = weights_for(c, tc, wt, w, taps, t, &wv);
        if (st == CLINFER_OK)
            st = transposed_frame(c, x, xs, taps, wv, bv, d, t, dout == 1, &frames[t]);
    }
    if (st == CLINFER_OK)
        st = frames_out(c, frames, dout);
    free(frames);
    free(tc);
    return st;
}
