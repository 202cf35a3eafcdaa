/*
 * test_unpool.c — MaxPool's Indices and MaxUnpool against their naive
 * references (tests/ref_unpool.c) through test_op (fp32 and fp16: every
 * value here is exact in half): batch 2, several channels, shapes not
 * square powers of two, kernel 2 stride 2 and kernel 3 stride 2 with
 * padding (overlapping windows: repeated indices), many ties, both storage
 * orders, the default output size and a larger given one, indices out of
 * range; then ONNX models (MaxPool with both outputs read, MaxUnpool with
 * and without output_shape, the pair round trip) and the refusals, each
 * naming what is wrong.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "op_test.h"
#include "ref_pool2d.h"
#include "ref_unpool.h"
#include "shape.h"
#include "testutil.h"

/* Values k / 4 in [-3, 3]: exact in half, and with many ties in a window. */
static void fill_ties(float *x, size_t n, uint32_t seed)
{
    fill_uniform(x, n, -3, 3, &seed);
    for (size_t i = 0; i < n; i++)
        x[i] = roundf(x[i] * 4) / 4;
}

typedef struct idx_case {
    clinfer_pool2d_desc d;
    int storage_order;
} idx_case;

static clinfer_status add_indices(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                  clinfer_value *out)
{
    const idx_case *k = ctx;
    return clinfer_graph_max_pool_indices(g, "idx", in[0], &k->d, k->storage_order, out);
}

static clinfer_pool2d_desc window(int32_t k, int32_t s, int32_t pad, int ceil_mode)
{
    clinfer_pool2d_desc d = clinfer_pool2d_desc_default(k);
    d.stride_h = d.stride_w = s;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = pad;
    d.ceil_mode = ceil_mode;
    return d;
}

static pool2d_params params_of(const clinfer_pool2d_desc *d, const clinfer_shape *xs)
{
    pool2d_params p = pool2d_params_default();
    p.n = (int32_t)xs->dims[0], p.c = (int32_t)xs->dims[1];
    p.h = (int32_t)xs->dims[2], p.w = (int32_t)xs->dims[3];
    p.kh = d->kernel_h, p.kw = d->kernel_w, p.stride_h = d->stride_h, p.stride_w = d->stride_w;
    p.pad_top = d->pad_top, p.pad_left = d->pad_left, p.pad_bottom = d->pad_bottom;
    p.pad_right = d->pad_right, p.ceil_mode = d->ceil_mode;
    return p;
}

static clinfer_shape pooled_shape(const pool2d_params *p)
{
    return shape_4d(p->n, p->c,
                    ref_pool_out(p->h, p->kh, p->stride_h, p->pad_top, p->pad_bottom, 1,
                                 p->ceil_mode),
                    ref_pool_out(p->w, p->kw, p->stride_w, p->pad_left, p->pad_right, 1,
                                 p->ceil_mode));
}

static void check_indices(const clinfer_shape *xs, idx_case k, uint32_t seed)
{
    const size_t n = ref_numel(xs);
    const pool2d_params p = params_of(&k.d, xs);
    const clinfer_shape ys = pooled_shape(&p);
    float *x = test_alloc(n * 4), *want = test_alloc(ref_numel(&ys) * 4);
    fill_ties(x, n, seed);
    ref_max_pool_indices(&p, k.storage_order, x, want);
    char what[160], b[64];
    snprintf(what, sizeof what, "max pool indices of %s, kernel %d stride %d pad %d, order %d",
             shape_str(xs, b, sizeof b), k.d.kernel_h, k.d.stride_h, k.d.pad_top,
             k.storage_order);
    const op_input in = {*xs, x, 0};
    const op_test t = {what, &in, 1, add_indices, &k, want, ys, 0, 0, {{0}}};
    test_op(&t);
    free(x), free(want);
}

Test(unpool, max_pool_indices)
{
    const clinfer_shape a = {4, {2, 3, 7, 9}}, b = {4, {2, 4, 9, 11}}, c = {4, {2, 2, 6, 10}};
    uint32_t seed = 70;
    for (int order = 0; order < 2; order++) {
        check_indices(&a, (idx_case){window(2, 2, 0, 0), order}, seed++);
        check_indices(&a, (idx_case){window(2, 2, 0, 1), order}, seed++); /* ceil mode */
        check_indices(&b, (idx_case){window(3, 2, 1, 0), order}, seed++);
        check_indices(&c, (idx_case){window(3, 1, 1, 0), order}, seed++);
    }
    /* all equal: every window's first element */
    float x[2 * 3 * 7 * 9], want[2 * 3 * 3 * 4];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = 1.5f;
    const idx_case k = {window(2, 2, 0, 0), 0};
    const pool2d_params p = params_of(&k.d, &a);
    ref_max_pool_indices(&p, 0, x, want);
    cr_assert_eq(want[5], (float)(2 * 9 + 2 * 1)); /* the window at (1, 1) starts at (2, 2) */
    const op_input in = {a, x, 0};
    const op_test t = {"max pool indices, all equal", &in, 1, add_indices, &k, want,
                       pooled_shape(&p), 0, 0, {{0}}};
    test_op(&t);
}

typedef struct unpool_case {
    clinfer_unpool2d_desc d;
} unpool_case;

static clinfer_status add_unpool(clinfer_graph *g, const clinfer_value *in, const void *ctx,
                                 clinfer_value *out)
{
    const unpool_case *k = ctx;
    return clinfer_graph_max_unpool(g, "unpool", in[0], in[1], &k->d, out);
}

/* MaxUnpool of random values at the indices a max pool of `pooled`
 * (window w) gives, into the default size or out_h x out_w; `bad`: a few
 * indices replaced by ones out of range. */
static void check_unpool(const clinfer_shape *pooled, const clinfer_pool2d_desc *w,
                         int64_t out_h, int64_t out_w, int bad, uint32_t seed)
{
    const pool2d_params p = params_of(w, pooled);
    const clinfer_shape xs = pooled_shape(&p);
    const size_t n = ref_numel(pooled), nx = ref_numel(&xs);
    float *src = test_alloc(n * 4), *x = test_alloc(nx * 4), *idx = test_alloc(nx * 4);
    fill_ties(src, n, seed);
    ref_max_pool_indices(&p, 0, src, idx);
    fill_ties(x, nx, seed + 1);
    if (bad) {
        idx[0] = -1, idx[nx / 2] = (float)(n + 3), idx[nx - 1] = -2048;
    }
    const int64_t h0 = (xs.dims[2] - 1) * w->stride_h - w->pad_top - w->pad_bottom + w->kernel_h;
    const int64_t w0 = (xs.dims[3] - 1) * w->stride_w - w->pad_left - w->pad_right + w->kernel_w;
    const int64_t oh = out_h ? out_h : h0, ow = out_w ? out_w : w0;
    const clinfer_shape ys = shape_4d(xs.dims[0], xs.dims[1], oh, ow);
    float *want = test_alloc(ref_numel(&ys) * 4);
    ref_max_unpool(&xs, x, idx, h0, w0, oh, ow, want);
    const unpool_case k = {{w->kernel_h, w->kernel_w, w->stride_h, w->stride_w, w->pad_top,
                            w->pad_left, w->pad_bottom, w->pad_right, out_h, out_w}};
    char what[160], b[64];
    snprintf(what, sizeof what, "max unpool of %s, kernel %d stride %d pad %d into %lldx%lld%s",
             shape_str(&xs, b, sizeof b), w->kernel_h, w->stride_h, w->pad_top, (long long)oh,
             (long long)ow, bad ? ", indices out of range" : "");
    const op_input in[2] = {{xs, x, 0}, {xs, idx, 0}};
    const op_test t = {what, in, 2, add_unpool, &k, want, ys, 0, 0, {{0}}};
    test_op(&t);
    free(src), free(x), free(idx), free(want);
}

Test(unpool, max_unpool)
{
    const clinfer_shape a = {4, {2, 3, 8, 10}}, b = {4, {2, 3, 9, 11}}, c = {4, {2, 3, 7, 9}};
    const clinfer_pool2d_desc k2 = window(2, 2, 0, 0), k3 = window(3, 2, 1, 0);
    uint32_t seed = 90;
    check_unpool(&a, &k2, 0, 0, 0, seed++);
    check_unpool(&a, &k2, 9, 11, 0, seed++); /* output_shape past the default */
    check_unpool(&c, &k2, 7, 9, 0, seed++);  /* the odd input's size (PyTorch's output_size) */
    check_unpool(&b, &k3, 0, 0, 0, seed++);  /* overlapping windows: repeated indices */
    check_unpool(&b, &k3, 10, 12, 1, seed++);
}

/* x [2, 3, 5, 7] -> MaxPool (kernel 2, stride 2; Y and Indices both graph
 * outputs, Indices declared int64) -> MaxUnpool of Y with Indices, to the
 * default size or (with_shape) output_shape [2, 3, 5, 7]. */
static uint8_t *pair_model(int with_shape, int64_t opset, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[4] = {2, 3, 5, 7}, four = 4;
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 4, xd)});
    const int64_t k[2] = {2, 2};
    pb a[2] = {onnx_attr_ints("kernel_shape", 2, k), onnx_attr_ints("strides", 2, k)};
    onnx_node(&g, "MaxPool", "pool", "x", "y,i", 2, a);
    pb u[2] = {onnx_attr_ints("kernel_shape", 2, k), onnx_attr_ints("strides", 2, k)};
    if (with_shape)
        onnx_initializer(&g, (pb[]){onnx_tensor_i("shape", 1, &four, xd, 1)});
    onnx_node(&g, "MaxUnpool", "unpool", with_shape ? "y,i,shape" : "y,i", "z", 2, u);
    onnx_output(&g, (pb[]){onnx_value_info("z", OT_FLOAT, -1, NULL)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    onnx_output(&g, (pb[]){onnx_value_info("i", OT_INT64, -1, NULL)});
    return onnx_model(&g, opset, size);
}

Test(unpool, onnx_max_pool_and_unpool)
{
    const clinfer_shape xs = {4, {2, 3, 5, 7}};
    const clinfer_pool2d_desc w = window(2, 2, 0, 0);
    const pool2d_params p = params_of(&w, &xs);
    float x[210], y[36], idx[36], z[210], want_y[36], want_i[36], want_z[210];
    fill_ties(x, 210, 110);
    ref_maxpool2d(&p, x, want_y);
    ref_max_pool_indices(&p, 0, x, want_i);
    const clinfer_shape ys = pooled_shape(&p);
    for (int with_shape = 0; with_shape < 2; with_shape++) {
        size_t size;
        uint8_t *m = pair_model(with_shape, with_shape ? 11 : 9, &size);
        const size_t count = 210, counts[3] = {with_shape ? 210 : 2 * 3 * 4 * 6, 36, 36};
        float *const out[3] = {z, y, idx};
        clinfer_dtype t =
            test_onnx_run_outputs(m, size, 0, (const float *const[]){x}, &count, 1, out, counts, 3);
        cr_assert_eq(t, CLINFER_DTYPE_FLOAT32);
        assert_equal(y, want_y, 36, "MaxPool's Y");
        assert_equal(idx, want_i, 36, "MaxPool's Indices");
        ref_max_unpool(&ys, want_y, want_i, 4, 6, with_shape ? 5 : 4, with_shape ? 7 : 6, want_z);
        assert_equal(z, want_z, counts[0], "MaxUnpool");
        free(m);
    }
}

/* 1-D pooling: x [2, 3, 11], kernel 3 stride 2 pad 1, Indices (the only
 * output read) as the 2-D pool of [2, 3, 1, 11] gives them. */
Test(unpool, onnx_max_pool_1d_indices)
{
    onnx_graph g = {{0}};
    const int64_t xd[3] = {2, 3, 11}, k = 3, s = 2, pads[2] = {1, 1};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 3, xd)});
    pb a[3] = {onnx_attr_ints("kernel_shape", 1, &k), onnx_attr_ints("strides", 1, &s),
               onnx_attr_ints("pads", 2, pads)};
    onnx_node(&g, "MaxPool", "pool", "x", "y,i", 3, a);
    onnx_output(&g, (pb[]){onnx_value_info("i", OT_INT64, -1, NULL)});
    size_t size;
    uint8_t *m = onnx_model(&g, 12, &size);
    clinfer_pool2d_desc w = window(1, 1, 0, 0);
    w.kernel_w = 3, w.stride_w = 2, w.pad_left = w.pad_right = 1;
    const clinfer_shape xs = {4, {2, 3, 1, 11}};
    const pool2d_params p = params_of(&w, &xs);
    float x[66], got[36], want[36];
    fill_ties(x, 66, 120);
    ref_max_pool_indices(&p, 0, x, want);
    const size_t count = 66;
    cr_assert_eq(test_onnx_run(m, size, (const float *const[]){x}, &count, 1, got, 36),
                 CLINFER_DTYPE_INT64);
    assert_equal(got, want, 36, "1-D MaxPool's Indices");
    free(m);
}

/* The model fails to load, saying `message`. */
static void assert_refused(uint8_t *m, size_t size, const char *message)
{
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK, "%s: loaded",
                  message);
    cr_assert(strstr(clinfer_last_errmsg(), message), "message: %s", clinfer_last_errmsg());
    free(m);
}

/* MaxUnpool of x [1, 2, 3, 4] (rank `rank`: 5 adds a depth of 1) and
 * indices i, output_shape `shape` (n values; n 0: none, n < 0: a graph
 * input). */
static uint8_t *unpool_model(int rank, const int64_t *shape, int n, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[5] = {1, 2, 3, 4, 1}, k[3] = {2, 2, 2}, cnt = n;
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, rank, xd)});
    onnx_input(&g, (pb[]){onnx_value_info("i", OT_INT64, rank, xd)});
    if (n < 0)
        onnx_input(&g, (pb[]){onnx_value_info("s", OT_INT64, 1, (const int64_t[]){4})});
    else if (n > 0)
        onnx_initializer(&g, (pb[]){onnx_tensor_i("s", 1, &cnt, shape, 1)});
    pb a[2] = {onnx_attr_ints("kernel_shape", rank - 2, k), onnx_attr_ints("strides", rank - 2, k)};
    onnx_node(&g, "MaxUnpool", "u", n ? "x,i,s" : "x,i", "y", 2, a);
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    return onnx_model(&g, 11, size);
}

/* unpool_model's model fails to load, saying `message`. */
static void unpool_refused(int rank, const int64_t *shape, int n, const char *message)
{
    size_t size;
    uint8_t *m = unpool_model(rank, shape, n, &size);
    assert_refused(m, size, message);
}

Test(unpool, onnx_refusals)
{
    unpool_refused(4, NULL, -1, "output_shape");
    unpool_refused(4, (const int64_t[]){1, 3, 6, 8}, 4,
                   "output_shape must be 4 values: X's N and C (X is [1, 2, 3, 4])");
    unpool_refused(4, (const int64_t[]){1, 2, 6}, 3, "output_shape must be 4 values");
    unpool_refused(4, (const int64_t[]){1, 2, 5, 8}, 4,
                   "output size 5x8 is smaller than the default 6x8");
    unpool_refused(5, NULL, 0, "clinfer supports 2-D MaxUnpool");
    size_t size;
    /* MaxPool's Indices of 3-D pooling */
    onnx_graph g = {{0}};
    const int64_t xd[5] = {1, 2, 4, 4, 4}, k[3] = {2, 2, 2};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 5, xd)});
    pb a[1] = {onnx_attr_ints("kernel_shape", 3, k)};
    onnx_node(&g, "MaxPool", "p", "x", "y,i", 1, a);
    onnx_output(&g, (pb[]){onnx_value_info("i", OT_INT64, -1, NULL)});
    uint8_t *m = onnx_model(&g, 11, &size);
    assert_refused(m, size, "output Indices of 3-D pooling");
}

/* The builder refuses what the nodes cannot run, naming it. */
Test(unpool, builder_refusals)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value x, i, big, y;
    const clinfer_shape xs = {4, {2, 3, 4, 5}}, is = {4, {2, 3, 5, 4}},
                        bs = {4, {1, 1, 4097, 4097}};
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "i", &is, &i), CLINFER_OK);
    cr_assert_eq(clinfer_graph_input(g, "big", &bs, &big), CLINFER_OK);
    const clinfer_unpool2d_desc d = {2, 2, 2, 2, 0, 0, 0, 0, 0, 0};
    cr_assert_neq(clinfer_graph_max_unpool(g, "u", x, i, &d, &y), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "indices [2, 3, 5, 4] must have X's shape"),
              "message: %s", clinfer_last_errmsg());
    const clinfer_unpool2d_desc half_given = {2, 2, 2, 2, 0, 0, 0, 0, 9, 0};
    cr_assert_neq(clinfer_graph_max_unpool(g, "u", x, x, &half_given, &y), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "must be both positive"), "message: %s",
              clinfer_last_errmsg());
    clinfer_pool2d_desc avg = clinfer_pool2d_desc_default(2);
    avg.kind = CLINFER_POOL_AVG;
    cr_assert_neq(clinfer_graph_max_pool_indices(g, "p", x, &avg, 0, &y), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "must be a max pooling"), "message: %s",
              clinfer_last_errmsg());
    const clinfer_pool2d_desc mx = clinfer_pool2d_desc_default(2);
    cr_assert_neq(clinfer_graph_max_pool_indices(g, "p", x, &mx, 2, &y), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "storage_order must be 0 or 1"), "message: %s",
              clinfer_last_errmsg());
    cr_assert_neq(clinfer_graph_max_pool_indices(g, "p", big, &mx, 0, &y), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "indices are exact up to 16777216 in float32"),
              "message: %s", clinfer_last_errmsg());
    cr_assert_eq(clinfer_graph_max_pool_indices(g, "p", x, &mx, 1, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_max_unpool(g, "u", y, y, &d, &y), CLINFER_OK);
    clinfer_graph_free(g);
}

/* In half storage a tensor past 2048 elements is refused when the
 * session is made (the builder does not know the precision). */
Test(unpool, half_storage_limit)
{
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_create(&g), CLINFER_OK);
    clinfer_value x, y;
    const clinfer_shape xs = {4, {1, 2, 40, 30}};
    cr_assert_eq(clinfer_graph_input(g, "x", &xs, &x), CLINFER_OK);
    const clinfer_pool2d_desc mx = clinfer_pool2d_desc_default(2);
    cr_assert_eq(clinfer_graph_max_pool_indices(g, "p", x, &mx, 0, &y), CLINFER_OK);
    cr_assert_eq(clinfer_graph_output(g, y, "y"), CLINFER_OK);
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.precision = CLINFER_PRECISION_FP16;
    clinfer_runtime *rt = NULL;
    cr_assert_eq(clinfer_runtime_create(&o, &rt), CLINFER_OK, "%s", clinfer_last_errmsg());
    clinfer_model *m = NULL;
    cr_assert_neq(clinfer_model_compile(rt, g, &m), CLINFER_OK);
    cr_assert(strstr(clinfer_last_errmsg(), "indices are exact up to 2048 in half storage"),
              "message: %s", clinfer_last_errmsg());
    clinfer_runtime_free(rt);
    clinfer_graph_free(g);
}
