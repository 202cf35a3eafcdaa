/*
 * ops_resize.c — Resize (opsets 10-19), Upsample (1-9), DepthToSpace,
 * SpaceToDepth and GridSample translated into builder calls. Resize's scales, sizes and
 * roi are load-time inputs (the table's constant-input mask): they become
 * a clinfer_resize_desc for H and W; N and C must keep their size.
 */
#include <math.h>
#include <string.h>

#include "ops_internal.h"

/* Per dim of the 4-D input: scale (0 none), size (0 none), roi. */
typedef struct resize_axes {
    float scale[4];
    int64_t size[4];
    float roi0[4], roi1[4];
    int has_scales, has_sizes;
} resize_axes;

static clinfer_status parse_choice(onnx_node *c, const char *attr, const char *def,
                                   const char *const *names, int count, int *out)
{
    const char *v = def;
    clinfer_status st = onnx_node_attr_string(c, attr, def, &v);
    if (st != CLINFER_OK)
        return st;
    for (int k = 0; k < count; k++)
        if (strcmp(v, names[k]) == 0) {
            *out = k;
            return CLINFER_OK;
        }
    return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "attribute \"%s\" is \"%s\", not supported",
                           attr, v);
}

/* The dims that `axes` (opset 18; absent: all 4) lists, in order. */
static clinfer_status resize_axis_list(onnx_node *c, int32_t *dims, int32_t *n)
{
    int64_t axes[MAX_INTS];
    int32_t count = -1;
    clinfer_status st = onnx_node_attr_ints(c, "axes", axes, MAX_INTS, &count);
    if (st != CLINFER_OK)
        return st;
    if (count < 0) {
        for (int32_t d = 0; d < 4; d++)
            dims[d] = d;
        *n = 4;
        return CLINFER_OK;
    }
    int seen[4] = {0};
    for (int32_t k = 0; k < count; k++) {
        if (axes[k] < -4 || axes[k] > 3 || seen[axes[k] < 0 ? axes[k] + 4 : axes[k]]++)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "axes[%d] = %lld is out of range or repeated", (int)k,
                                   (long long)axes[k]);
        dims[k] = (int32_t)(axes[k] < 0 ? axes[k] + 4 : axes[k]);
    }
    *n = count;
    return CLINFER_OK;
}

/* Reads scales (float), sizes (int64; an open batch copied is allowed in
 * sizes[0]) and roi for the listed dims. */
static clinfer_status resize_read_inputs(onnx_node *c, int32_t scales_in, int32_t sizes_in,
                                         int32_t roi_in, const int32_t *dims, int32_t n,
                                         const clinfer_shape *xs, resize_axes *r)
{
    const host_tensor *ts = NULL, *tz = NULL, *tr = NULL;
    clinfer_status st = onnx_node_in_host_opt(c, scales_in, "scales", &ts);
    if (st == CLINFER_OK && sizes_in >= 0)
        st = onnx_node_in_host_opt(c, sizes_in, "sizes", &tz);
    if (st == CLINFER_OK && roi_in >= 0)
        st = onnx_node_in_host_opt(c, roi_in, "roi", &tr);
    if (st != CLINFER_OK)
        return st;
    r->has_scales = ts && ts->numel > 0;
    r->has_sizes = tz && tz->numel > 0;
    if (r->has_scales == r->has_sizes)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "exactly one of the scales and sizes inputs must be given");
    const host_tensor *t = r->has_scales ? ts : tz;
    if (t->numel != n)
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "%s has %lld values for %d axes",
                               r->has_scales ? "scales" : "sizes", (long long)t->numel, (int)n);
    for (int32_t k = 0; k < n; k++) {
        int32_t d = dims[k];
        /* with sizes, the scale of a listed dim is out / in (0 here) */
        r->scale[d] = r->has_scales ? (float)host_tensor_get_f(t, k) : 0.0f;
        if (r->has_scales)
            continue;
        if (t->sym && t->sym[k]) {
            if (d != 0 || xs->dims[0] != CLINFER_BATCH_DIM)
                return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                       "sizes[%d] depends on the batch size", (int)k);
            r->size[d] = CLINFER_BATCH_DIM;
        } else {
            r->size[d] = host_tensor_get_i(t, k);
        }
    }
    if (tr && tr->numel > 0) {
        if (tr->numel != 2 * n)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "roi has %lld values, expected %d",
                                   (long long)tr->numel, (int)(2 * n));
        for (int32_t k = 0; k < n; k++) {
            r->roi0[dims[k]] = (float)host_tensor_get_f(tr, k);
            r->roi1[dims[k]] = (float)host_tensor_get_f(tr, n + k);
        }
    }
    return CLINFER_OK;
}

/* keep_aspect_ratio_policy (opset 18) on sizes: one scale for the listed
 * axes, the smallest (not_larger) or largest (not_smaller) of size / in,
 * and sizes round(scale * in). */
static void keep_aspect(int policy, const int32_t *dims, int32_t n, const clinfer_shape *xs,
                        resize_axes *r)
{
    double s = policy == 1 ? INFINITY : 0;
    for (int32_t k = 0; k < n; k++) {
        int32_t d = dims[k];
        if (d < 2) /* N and C must stay as they are; checked afterwards */
            continue;
        double q = (double)r->size[d] / (double)xs->dims[d];
        s = policy == 1 ? fmin(s, q) : fmax(s, q);
    }
    for (int32_t d = 2; d < 4; d++) {
        int listed = 0;
        for (int32_t k = 0; k < n; k++)
            listed |= dims[k] == d;
        if (!listed)
            continue;
        r->scale[d] = (float)s;
        r->size[d] = (int64_t)floor((float)s * (double)xs->dims[d] + 0.5);
    }
}

/* N and C must keep their size and roi. */
static clinfer_status resize_check_nc(onnx_node *c, const clinfer_shape *xs, const resize_axes *r)
{
    static const char *const names[2] = {"N", "C"};
    for (int32_t d = 0; d < 2; d++) {
        int same = r->has_scales ? r->scale[d] == 1.0f
                                 : r->size[d] == xs->dims[d] || r->size[d] == 0;
        if (!same)
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "resizing %s (axis %d) is not supported: only H and W of an "
                                   "NCHW tensor",
                                   names[d], (int)d);
        if (r->roi0[d] != 0.0f || r->roi1[d] != 1.0f)
            return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                                   "a roi on %s (axis %d) is not supported", names[d], (int)d);
    }
    return CLINFER_OK;
}

static const char *const COORD_NAMES[] = {"half_pixel",   "half_pixel_symmetric",
                                          "pytorch_half_pixel", "align_corners",
                                          "asymmetric", "tf_crop_and_resize",
                                          "tf_half_pixel_for_nn"};
static const char *const NEAREST_NAMES[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                            "ceil"};
static const char *const MODE_NAMES[] = {"nearest", "linear", "cubic", "bilinear"};

/* The attributes of Resize-11+ into d and *antialias (opset 18+). */
static clinfer_status resize_attrs(onnx_node *c, clinfer_resize_desc *d, int64_t *antialias)
{
    int coord = 0, nearest = 0;
    int64_t exclude = 0;
    clinfer_status st = parse_choice(c, "coordinate_transformation_mode", "half_pixel",
                                     COORD_NAMES, 7, &coord);
    if (st == CLINFER_OK && strcmp(COORD_NAMES[coord], "half_pixel_symmetric") == 0 &&
        c->im->opset < 19)
        st = onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "coordinate_transformation_mode \"half_pixel_symmetric\" is "
                                   "Resize's from opset 19; the model imports opset %lld",
                                   (long long)c->im->opset);
    if (st == CLINFER_OK)
        st = parse_choice(c, "nearest_mode", "round_prefer_floor", NEAREST_NAMES, 4, &nearest);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "cubic_coeff_a", -0.75f, &d->cubic_coeff_a);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "exclude_outside", 0, &exclude);
    if (st == CLINFER_OK)
        st = onnx_node_attr_float(c, "extrapolation_value", 0.0f, &d->extrapolation_value);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "antialias", 0, antialias);
    if (st == CLINFER_OK && (*antialias < 0 || *antialias > 1))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                             "attribute \"antialias\" = %lld (0 or 1)", (long long)*antialias);
    if (st == CLINFER_OK && *antialias && c->im->opset < 18)
        st = onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "attribute \"antialias\" is Resize's from opset 18; the model "
                                   "imports opset %lld",
                                   (long long)c->im->opset);
    d->coord = (clinfer_resize_coord)coord;
    d->nearest = (clinfer_resize_nearest)nearest;
    d->exclude_outside = exclude != 0;
    return st;
}

/* Builds the node from r (scales or sizes per dim), d and antialias. */
static clinfer_status resize_build(onnx_node *c, const clinfer_shape *xs, const resize_axes *r,
                                   clinfer_resize_desc *d, int antialias)
{
    clinfer_status st = resize_check_nc(c, xs, r);
    if (st != CLINFER_OK)
        return st;
    d->scale_h = r->scale[2];
    d->scale_w = r->scale[3];
    d->out_h = r->has_sizes ? r->size[2] : 0;
    d->out_w = r->has_sizes ? r->size[3] : 0;
    d->roi[0] = r->roi0[2];
    d->roi[1] = r->roi0[3];
    d->roi[2] = r->roi1[2];
    d->roi[3] = r->roi1[3];
    clinfer_value x, y;
    st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, graph_resize_ex(c->im->g, onnx_node_oname(c), x, d, antialias, &y), &y);
}

static void resize_axes_init(resize_axes *r)
{
    memset(r, 0, sizeof *r);
    for (int32_t d = 0; d < 4; d++) {
        r->scale[d] = 1.0f;
        r->roi1[d] = 1.0f;
    }
}

static clinfer_status need_4d(onnx_node *c, clinfer_shape *xs)
{
    clinfer_status st = onnx_node_in_shape(c, 0, xs);
    if (st == CLINFER_OK && xs->rank != 4)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                             "input of rank %d: only 4-D NCHW tensors are supported",
                             (int)xs->rank);
    return st;
}

clinfer_status op_resize(onnx_node *c)
{
    clinfer_shape xs;
    clinfer_resize_desc d = clinfer_resize_desc_default();
    resize_axes r;
    resize_axes_init(&r);
    int mode = 0, policy = 0;
    int64_t antialias = 0;
    int32_t dims[4] = {0, 1, 2, 3}, n = 4;
    static const char *const POLICY_NAMES[] = {"stretch", "not_larger", "not_smaller"};
    clinfer_status st = need_4d(c, &xs);
    if (st == CLINFER_OK)
        st = parse_choice(c, "mode", "nearest", MODE_NAMES, 3, &mode);
    if (st != CLINFER_OK)
        return st;
    d.mode = (clinfer_resize_mode)mode;
    if (c->im->opset < 11) {
        /* Resize-10: X, scales; asymmetric coordinates, no rounding rule */
        d.coord = CLINFER_COORD_ASYMMETRIC;
        d.nearest = CLINFER_NEAREST_SIMPLE;
        if (d.mode == CLINFER_RESIZE_CUBIC)
            return onnx_node_opset_error(c, CLINFER_ERR_INVALID_MODEL,
                                         "mode \"cubic\" needs opset 11");
        st = resize_read_inputs(c, 1, -1, -1, dims, n, &xs, &r);
    } else {
        st = resize_attrs(c, &d, &antialias);
        if (st == CLINFER_OK)
            st = resize_axis_list(c, dims, &n);
        if (st == CLINFER_OK)
            st = parse_choice(c, "keep_aspect_ratio_policy", "stretch", POLICY_NAMES, 3, &policy);
        if (st == CLINFER_OK)
            st = resize_read_inputs(c, 2, 3, d.coord == CLINFER_COORD_TF_CROP_AND_RESIZE ? 1 : -1,
                                    dims, n, &xs, &r);
        if (st == CLINFER_OK && policy != 0 && r.has_sizes)
            keep_aspect(policy, dims, n, &xs, &r);
    }
    if (st != CLINFER_OK)
        return st;
    return resize_build(c, &xs, &r, &d, (int)antialias);
}

clinfer_status op_upsample(onnx_node *c)
{
    clinfer_shape xs;
    clinfer_resize_desc d = clinfer_resize_desc_default();
    resize_axes r;
    resize_axes_init(&r);
    int mode = 0;
    int32_t dims[4] = {0, 1, 2, 3};
    clinfer_status st = need_4d(c, &xs);
    if (st == CLINFER_OK)
        st = parse_choice(c, "mode", "nearest", MODE_NAMES, 4, &mode);
    if (st != CLINFER_OK)
        return st;
    if (mode == 2)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "attribute \"mode\" is \"cubic\": Upsample has nearest and linear");
    d.mode = mode == 0 ? CLINFER_RESIZE_NEAREST : CLINFER_RESIZE_LINEAR;
    d.coord = CLINFER_COORD_ASYMMETRIC;
    d.nearest = CLINFER_NEAREST_SIMPLE;
    if (c->im->opset >= 9) {
        st = resize_read_inputs(c, 1, -1, -1, dims, 4, &xs, &r);
    } else if (c->im->opset >= 7) {
        int32_t count = -1;
        st = onnx_node_attr_floats(c, "scales", r.scale, 4, &count);
        if (st == CLINFER_OK && count != 4)
            st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                 "attribute \"scales\" needs 4 values (got %d)", (int)count);
        r.has_scales = 1;
    } else {
        st = onnx_node_attr_float(c, "height_scale", 1.0f, &r.scale[2]);
        if (st == CLINFER_OK)
            st = onnx_node_attr_float(c, "width_scale", 1.0f, &r.scale[3]);
        r.has_scales = 1;
    }
    for (int32_t k = 0; st == CLINFER_OK && k < 4; k++)
        if (!(r.scale[k] >= 1.0f))
            st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                 "scales[%d] = %g: Upsample scales must be >= 1", (int)k,
                                 (double)r.scale[k]);
    if (st != CLINFER_OK)
        return st;
    return resize_build(c, &xs, &r, &d, 0);
}

/* The required blocksize attribute. */
static clinfer_status blocksize_attr(onnx_node *c, int32_t *out)
{
    int64_t b = 0;
    clinfer_status st = onnx_node_attr_int(c, "blocksize", 0, &b);
    if (st == CLINFER_OK && !onnx_node_attr(c, "blocksize"))
        st = onnx_node_error(c, CLINFER_ERR_INVALID_MODEL, "attribute \"blocksize\" is required");
    if (st == CLINFER_OK)
        st = onnx_node_check_range(c, "blocksize", b, 1, 65536);
    *out = (int32_t)b;
    return st;
}

clinfer_status op_depth_to_space(onnx_node *c)
{
    int32_t b = 0;
    int crd = 0;
    static const char *const NAMES[] = {"DCR", "CRD"};
    clinfer_value x, y;
    clinfer_status st = blocksize_attr(c, &b);
    if (st == CLINFER_OK)
        st = parse_choice(c, "mode", "DCR", NAMES, 2, &crd);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_depth_to_space(c->im->g, onnx_node_oname(c), x, b, crd, &y), &y);
}

clinfer_status op_space_to_depth(onnx_node *c)
{
    int32_t b = 0;
    clinfer_value x, y;
    clinfer_status st = blocksize_attr(c, &b);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(
        c, clinfer_graph_space_to_depth(c->im->g, onnx_node_oname(c), x, b, &y), &y);
}

/* GridSample (opset 16; opset 20 names the modes linear and cubic and
 * allows N-D: clinfer takes 2-D sampling of 4-D x only). */
clinfer_status op_grid_sample(onnx_node *c)
{
    static const char *const MODES[] = {"bilinear", "nearest", "bicubic", "linear", "cubic"};
    static const char *const PADDINGS[] = {"zeros", "border", "reflection"};
    clinfer_shape xs;
    int mode = 0, padding = 0;
    int64_t align = 0;
    clinfer_value x, grid, y;
    clinfer_status st = need_4d(c, &xs);
    if (st == CLINFER_OK)
        st = parse_choice(c, "mode", c->im->opset >= 20 ? "linear" : "bilinear", MODES, 5, &mode);
    if (st == CLINFER_OK)
        st = parse_choice(c, "padding_mode", "zeros", PADDINGS, 3, &padding);
    if (st == CLINFER_OK)
        st = onnx_node_attr_int(c, "align_corners", 0, &align);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &x);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &grid);
    if (st != CLINFER_OK)
        return st;
    const clinfer_grid_sample_mode m = mode == 3   ? CLINFER_GRID_SAMPLE_BILINEAR
                                       : mode == 4 ? CLINFER_GRID_SAMPLE_BICUBIC
                                                   : (clinfer_grid_sample_mode)mode;
    return onnx_node_out_of(c,
                            clinfer_graph_grid_sample(c->im->g, onnx_node_oname(c), x, grid, m,
                                                      (clinfer_grid_padding)padding, align != 0,
                                                      &y),
                            &y);
}
