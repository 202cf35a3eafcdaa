/*
 * norm.c — InstanceNormalization, LayerNormalization, GroupNormalization and
 * MeanVarianceNormalization: validation, the [A, R, B] view of each (see
 * norm.h), and the launch of kernels/norm.cl. Arguments 0-7 are the four
 * tensors, the sizes after them are set once in norm_prepare.
 */
#include "norm.h"

#include <math.h>
#include <string.h>

#include "eltwise.h"

/* Vector width of the kernel (its VW); passed as -DVW. */
#define NORM_VW 8

norm_params norm_params_default(norm_kind kind)
{
    norm_params p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    p.scale.rank = p.bias.rank = -1;
    p.epsilon = 1e-5f;
    p.axis = -1;
    p.groups = 1;
    p.axes = 1u | 4u | 8u; /* [0, 2, 3] */
    return p;
}

const char *norm_name(norm_kind kind)
{
    static const char *const names[] = {"InstanceNormalization", "LayerNormalization",
                                        "GroupNormalization", "MeanVarianceNormalization"};
    return (unsigned)kind < 4 ? names[kind] : "normalization";
}

/* Requires tensor `what` (present: rank >= 0) to hold `want` floats. */
static clinfer_status need_numel(clinfer_runtime *rt, const norm_params *p, const char *what,
                                 const clinfer_shape *s, int64_t want, const char *expected)
{
    if (s->rank < 0)
        return CLINFER_OK;
    int64_t n;
    clinfer_status st = eltwise_check_shape(rt, norm_name(p->kind), what, s, &n);
    if (st != CLINFER_OK || n == want)
        return st;
    char buf[256];
    return err_set(rt, CLINFER_ERR_SHAPE, "%s: %s has shape %s, expected %s (%lld values)",
                   norm_name(p->kind), what, shape_str(s, buf, sizeof buf), expected,
                   (long long)want);
}

static int64_t prod(const clinfer_shape *s, int32_t from, int32_t to)
{
    int64_t n = 1; /* cannot overflow: eltwise_check_shape checked the whole */
    for (int32_t d = from; d < to; d++)
        n *= s->dims[d];
    return n;
}

/* [N, C, spatial...]: N, C and the spatial size; rank >= min_rank. */
static clinfer_status channels(clinfer_runtime *rt, const norm_params *p, int32_t min_rank,
                               int64_t *n, int64_t *c, int64_t *spatial)
{
    if (p->shape.rank < min_rank) {
        char buf[256];
        return err_set(rt, CLINFER_ERR_SHAPE, "%s: input %s has rank %d, expected [N, C, ...] "
                       "of rank >= %d", norm_name(p->kind), shape_str(&p->shape, buf, sizeof buf),
                       (int)p->shape.rank, (int)min_rank);
    }
    *n = p->shape.dims[0], *c = p->shape.dims[1];
    *spatial = prod(&p->shape, 2, p->shape.rank);
    return CLINFER_OK;
}

static clinfer_status instance_view(clinfer_runtime *rt, const norm_params *p, norm_geometry *g)
{
    int64_t n, c, s;
    clinfer_status st = channels(rt, p, 3, &n, &c, &s);
    if (st != CLINFER_OK) /* n, c and s unset: no geometry */
        return st;
    st = need_numel(rt, p, "scale", &p->scale, c, "[C]");
    if (st == CLINFER_OK)
        st = need_numel(rt, p, "B", &p->bias, c, "[C]");
    g->a = 1, g->r = n * c, g->b = s;
    g->rmod = c > 0 ? c : 1, g->segs = 1;
    return st;
}

static clinfer_status layer_view(clinfer_runtime *rt, const norm_params *p, norm_geometry *g)
{
    const int32_t r = p->shape.rank;
    int32_t axis;
    if (r < 1 || !shape_axis(p->axis, r, &axis)) {
        char buf[256];
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: axis %lld is out of range [%d, %d] for input %s", norm_name(p->kind),
                       (long long)p->axis, (int)-r, (int)(r - 1),
                       shape_str(&p->shape, buf, sizeof buf));
    }
    g->a = 1, g->r = prod(&p->shape, 0, axis), g->b = prod(&p->shape, axis, r);
    g->per_element = 1, g->rmod = 1, g->segs = 1;
    clinfer_status st = need_numel(rt, p, "Scale", &p->scale, g->b, "X.shape[axis:]");
    return st == CLINFER_OK ? need_numel(rt, p, "B", &p->bias, g->b, "X.shape[axis:]") : st;
}

static clinfer_status group_view(clinfer_runtime *rt, const norm_params *p, norm_geometry *g)
{
    int64_t n, c, s;
    clinfer_status st = channels(rt, p, 2, &n, &c, &s);
    if (st != CLINFER_OK)
        return st;
    if (p->groups < 1 || c % p->groups != 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: num_groups %lld does not divide the %lld channels", norm_name(p->kind),
                       (long long)p->groups, (long long)c);
    const int64_t gs = p->groups, per = c / gs;
    /* per-channel (opset 21) when scale has C values, else per group (18) */
    const int per_channel = p->scale.rank >= 0 && shape_numel(&p->scale) == c;
    const int64_t want = per_channel ? c : gs;
    const char *shape = per_channel ? "[C]" : "[num_groups] or [C]";
    st = need_numel(rt, p, "scale", &p->scale, want, shape);
    if (st == CLINFER_OK)
        st = need_numel(rt, p, "bias", &p->bias, want, per_channel ? "[C]" : "[num_groups]");
    g->a = 1, g->r = n * gs, g->b = per * s;
    g->rmod = gs, g->segs = per_channel ? per : 1;
    return st;
}

static clinfer_status mvn_view(clinfer_runtime *rt, const norm_params *p, norm_geometry *g)
{
    const int32_t r = p->shape.rank;
    int32_t first = -1, last = -1; /* the run of kept dims */
    for (int32_t d = 0; d < r; d++)
        if (!(p->axes >> d & 1u)) {
            if (first >= 0 && last != d - 1)
                return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                               "%s: the dims not in axes must be consecutive (dims %d and %d "
                               "are kept, with a normalised one between)",
                               norm_name(p->kind), (int)last, (int)d);
            if (first < 0)
                first = d;
            last = d;
        }
    if (r < 1 || (p->axes >> r) != 0u)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: axes name a dim outside rank %d",
                       norm_name(p->kind), (int)r);
    if (first < 0) /* everything normalised together */
        first = last = 0, g->a = 1, g->r = 1, g->b = prod(&p->shape, 0, r);
    else
        g->a = prod(&p->shape, 0, first), g->r = prod(&p->shape, first, last + 1),
        g->b = prod(&p->shape, last + 1, r);
    g->rmod = 1, g->segs = 1;
    if (p->scale.rank >= 0 || p->bias.rank >= 0)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: takes no scale or bias",
                       norm_name(p->kind));
    return CLINFER_OK;
}

clinfer_status norm_geometry_of(clinfer_runtime *rt, const norm_params *p, norm_geometry *out)
{
    int64_t n;
    clinfer_status st = eltwise_check_shape(rt, norm_name(p->kind), "input", &p->shape, &n);
    if (st != CLINFER_OK)
        return st;
    if (!(p->epsilon >= 0.0f) || !isfinite(p->epsilon))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: epsilon %g must be finite and >= 0", norm_name(p->kind),
                       (double)p->epsilon);
    memset(out, 0, sizeof *out);
    switch (p->kind) {
    case NORM_INSTANCE: return instance_view(rt, p, out);
    case NORM_LAYER: return layer_view(rt, p, out);
    case NORM_GROUP: return group_view(rt, p, out);
    case NORM_MVN: return mvn_view(rt, p, out);
    }
    return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT, "normalization: unknown kind %d",
                   (int)p->kind);
}

clinfer_status norm_output_shape(clinfer_runtime *rt, const norm_params *p, clinfer_shape *out)
{
    norm_geometry g;
    clinfer_status st = norm_geometry_of(rt, p, &g);
    if (st == CLINFER_OK)
        *out = p->shape;
    return st;
}

clinfer_status norm_prepare(clinfer_runtime *rt, const norm_params *p, op_launch *out)
{
    norm_geometry g;
    clinfer_status st = norm_geometry_of(rt, p, &g);
    if (st != CLINFER_OK)
        return st;
    const int items = p->variant == NORM_AUTO ? rt->info.type == CLINFER_DEVICE_CPU
                                              : p->variant == NORM_ITEMS;
    /* norm_items: blocks of rows of about 4096 floats, as long as both
     * cores (8 items per compute unit) still get work */
    const int64_t len = g.a * g.b, rows = g.r < INT32_MAX ? g.r : INT32_MAX;
    const int32_t rpi =
        items ? launch_rows_per_item(rt, 1, (int32_t)rows, len > 0 ? 4096 / len : 1) : 1;
    opts o = opts_none();
    opts_add(&o, "-DVW=%d -DLS=%d -DHAS_SCALE=%d -DHAS_BIAS=%d -DPER_ELEMENT=%d -DEPS_ON_STD=%d",
             NORM_VW, LAUNCH_LOCAL_1D, p->scale.rank >= 0, p->bias.rank >= 0, g.per_element,
             p->kind == NORM_MVN);
    karg a;
    launch_begin(rt, out, "norm", &o, items ? "norm_items" : "norm_rows", KARG_AFTER_TENSORS(4),
                 &a);
    karg_long(&a, g.a);
    karg_long(&a, g.r);
    karg_long(&a, g.b);
    karg_long(&a, g.rmod);
    karg_long(&a, g.segs);
    karg_float(&a, p->kind == NORM_MVN ? NORM_MVN_EPSILON : p->epsilon);
    karg_int(&a, rpi);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK) /* below: no rows, nothing enqueued */
        return st;
    if (items)
        launch_grid3(out, (size_t)((g.r + rpi - 1) / rpi), 1, 1, 1);
    else
        launch_grid1(out, (size_t)g.r * LAUNCH_LOCAL_1D);
    return CLINFER_OK;
}

clinfer_status norm_bind(clinfer_runtime *rt, op_launch *l, dev_tensor input, dev_tensor scale,
                         dev_tensor bias, dev_tensor output)
{
    karg a = launch_args(l, 0);
    karg_tensor(&a, input);
    karg_tensor(&a, scale);
    karg_tensor(&a, bias);
    karg_tensor(&a, output);
    return launch_finish(rt, l, &a);
}
