/*
 * test_offsets.c — kernels take (buffer, offset) pairs (dev_tensor,
 * host/ops/launch.h): every kernel family runs with all its tensors inside
 * one buffer, each at an odd, non-zero float offset with guard values
 * between them, as the session's arena places them. The result must be
 * bit-identical to the same launches over separate buffers at offset 0
 * (which the family's own tests check against the naive references), the
 * inputs and the guards must be untouched. Families: conv2d under every
 * algorithm (and GEMM / depthwise variant), Gemm and MatMul under every
 * GEMM variant, pooling (both windowed variants, global), eltwise unary and
 * binary (every broadcast variant), softmax, batchnorm, concat, pad,
 * transpose, reduce, slice, the normalisations, conv_transpose (every
 * algorithm), arg_reduce, where, gather_elements, gather.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/batchnorm.h"
#include "ops/concat.h"
#include "ops/conv2d.h"
#include "ops/eltwise.h"
#include "ops/gather.h"
#include "ops/gather_elements.h"
#include "ops/gemm.h"
#include "ops/norm.h"
#include "ops/pad.h"
#include "ops/pool2d.h"
#include "ops/reduce.h"
#include "ops/slice.h"
#include "ops/softmax.h"
#include "ops/transpose.h"
#include "ops/where.h"
#include "tensor.h"
#include "testutil.h"

/* ---------------------------------------------------------------- harness */

#define MAX_TENSORS 5
#define MAX_LAUNCHES 16
#define GUARD (-7777.25f)

typedef struct launch_list {
    op_launch items[MAX_LAUNCHES];
    int count;
} launch_list;

/* Creates and binds the launches of one op over tensors t (inputs, then
 * the output), in order; scratch and persist as the op's plan asks. */
typedef void (*make_fn)(clinfer_runtime *rt, const void *params, const dev_tensor *t,
                        cl_mem scratch, cl_mem persist, launch_list *out);

typedef struct op_case {
    char what[160];
    make_fn make;
    const void *params;
    int count;                /* tensors; the last is the output */
    size_t n[MAX_TENSORS];    /* floats of each */
    uint64_t scratch_bytes, persist_bytes;
} op_case;

static op_launch *next_launch(launch_list *l)
{
    cr_assert_lt(l->count, MAX_LAUNCHES);
    return &l->items[l->count++];
}

#define MAKE_OK(call)                                                                       \
    do {                                                                                    \
        clinfer_status st_ = (call);                                                        \
        cr_assert_eq(st_, CLINFER_OK, "%s: %s", #call, clinfer_last_errmsg());             \
    } while (0)

static cl_mem new_buffer(clinfer_runtime *rt, size_t floats, const float *host)
{
    cl_mem m = NULL;
    MAKE_OK(buffer_create(rt, (floats ? floats : 1) * sizeof(float), host, &m));
    return m;
}

static void run_launches(clinfer_runtime *rt, const op_case *k, const dev_tensor *t)
{
    cl_mem scratch = k->scratch_bytes ? new_buffer(rt, k->scratch_bytes / 4 + 1, NULL) : NULL;
    cl_mem persist = k->persist_bytes ? new_buffer(rt, k->persist_bytes / 4 + 1, NULL) : NULL;
    launch_list l;
    memset(&l, 0, sizeof l);
    k->make(rt, k->params, t, scratch, persist, &l);
    for (int i = 0; i < l.count; i++)
        MAKE_OK(launch_enqueue(rt, &l.items[i], NULL));
    MAKE_OK(clFinish(rt->queue) == CL_SUCCESS ? CLINFER_OK : CLINFER_ERR_OPENCL);
    for (int i = 0; i < l.count; i++)
        launch_release(&l.items[i]);
    if (scratch)
        clReleaseMemObject(scratch);
    if (persist)
        clReleaseMemObject(persist);
}

/* Offsets in one shared buffer: the output first, then the inputs, each
 * after an odd gap of guards, so that every offset is odd (not even
 * 8-byte aligned) and a kernel that drops one reads or writes guards. */
static size_t shared_layout(const op_case *k, size_t *off)
{
    size_t at = 7;
    const int out = k->count - 1;
    off[out] = at;
    at += k->n[out] + 9;
    for (int i = 0; i < out; i++) {
        off[i] = at;
        at += k->n[i] + 11 + 2 * (size_t)i;
    }
    return at + 5;
}

/* Runs k over separate buffers and over one shared buffer and compares. */
static void check_offsets(clinfer_runtime *rt, const op_case *k, uint32_t seed)
{
    const int out = k->count - 1;
    float *data[MAX_TENSORS] = {NULL};
    for (int i = 0; i < out; i++) {
        data[i] = test_alloc((k->n[i] ? k->n[i] : 1) * sizeof(float));
        fill_uniform(data[i], k->n[i], 0.05f, 1.0f, &seed); /* positive: Log, Sqrt, Pow */
    }

    /* separate buffers, offset 0 */
    cl_mem m[MAX_TENSORS];
    dev_tensor t[MAX_TENSORS];
    for (int i = 0; i < k->count; i++) {
        m[i] = new_buffer(rt, k->n[i], i < out ? data[i] : NULL);
        t[i] = dev_whole(m[i]);
    }
    run_launches(rt, k, t);
    float *want = test_alloc((k->n[out] ? k->n[out] : 1) * sizeof(float));
    if (k->n[out])
        MAKE_OK(buffer_read(rt, m[out], k->n[out] * sizeof(float), want));
    for (int i = 0; i < k->count; i++)
        clReleaseMemObject(m[i]);

    /* one buffer, odd offsets, guards around every tensor */
    size_t off[MAX_TENSORS];
    const size_t total = shared_layout(k, off);
    float *host = test_alloc(total * sizeof(float)), *got = test_alloc(total * sizeof(float));
    for (size_t j = 0; j < total; j++)
        host[j] = GUARD;
    for (int i = 0; i < out; i++)
        memcpy(host + off[i], data[i], k->n[i] * sizeof(float));
    cl_mem shared = new_buffer(rt, total, host);
    for (int i = 0; i < k->count; i++)
        t[i] = (dev_tensor){shared, off[i]};
    run_launches(rt, k, t);
    MAKE_OK(buffer_read(rt, shared, total * sizeof(float), got));
    clReleaseMemObject(shared);

    cr_assert(memcmp(got + off[out], want, k->n[out] * sizeof(float)) == 0,
              "%s: the output at float offset %zu differs from the output at offset 0",
              k->what, off[out]);
    memcpy(host + off[out], want, k->n[out] * sizeof(float));
    for (size_t j = 0; j < total; j++)
        cr_assert(memcmp(&got[j], &host[j], sizeof(float)) == 0,
                  "%s: float %zu of the shared buffer changed from %g to %g (outside the "
                  "output [%zu, %zu))",
                  k->what, j, (double)host[j], (double)got[j], off[out], off[out] + k->n[out]);
    for (int i = 0; i < out; i++)
        free(data[i]);
    free(want), free(host), free(got);
}

/* A make_fn for an op of one launch, bound to the tensors listed. */
#define MAKE_ONE_LAUNCH(name, prepare_fn, bind_fn, ...)                                     \
    static void name(clinfer_runtime *rt, const void *p, const dev_tensor *t, cl_mem s,     \
                     cl_mem ps, launch_list *l)                                             \
    {                                                                                       \
        (void)s, (void)ps;                                                                  \
        op_launch *x = next_launch(l);                                                      \
        MAKE_OK(prepare_fn(rt, p, x));                                                      \
        MAKE_OK(bind_fn(rt, x, __VA_ARGS__));                                               \
    }

static size_t numel(const clinfer_shape *s) { return ref_numel(s); }

static clinfer_shape shape4(int64_t a, int64_t b, int64_t c, int64_t d)
{
    return (clinfer_shape){4, {a, b, c, d}};
}

/* --------------------------------------------------------------- eltwise */

MAKE_ONE_LAUNCH(make_unary, unary_prepare, launch_bind_io, t[0], t[1])
MAKE_ONE_LAUNCH(make_binary, binary_prepare, binary_bind, t[0], t[1], t[2])
MAKE_ONE_LAUNCH(make_softmax, softmax_prepare, launch_bind_io, t[0], t[1])
MAKE_ONE_LAUNCH(make_batchnorm, batchnorm_prepare, batchnorm_bind, t[0], t[1], t[2], t[3])

Test(offsets, eltwise_softmax_batchnorm)
{
    clinfer_runtime *rt = test_runtime();
    op_case k;
    const unary_kind kinds[] = {UNARY_ACT, UNARY_EXP, UNARY_LOG};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        unary_params p = unary_params_default();
        p.kind = kinds[i];
        p.act.kind = ACT_KIND_RELU;
        p.shape = (clinfer_shape){2, {7, 149}}; /* a tail after the 16-float vectors */
        k = (op_case){.make = make_unary, .params = &p, .count = 2,
                      .n = {numel(&p.shape), numel(&p.shape)}};
        snprintf(k.what, sizeof k.what, "unary %s", unary_name(&p));
        check_offsets(rt, &k, 1 + (uint32_t)i);
    }
    /* every binary variant: same, scalar on either side, channel on either
     * side, general (both sides broadcast) */
    const clinfer_shape full = shape4(2, 5, 3, 11);
    const struct {
        clinfer_shape a, b;
        binary_variant v;
    } bins[] = {
        {full, full, BINARY_SAME},
        {{0, {0}}, full, BINARY_SCALAR_A},
        {full, {1, {1}}, BINARY_SCALAR_B},
        {{3, {5, 1, 1}}, full, BINARY_CHANNEL_A},
        {full, {4, {1, 5, 1, 1}}, BINARY_CHANNEL_B},
        {shape4(2, 1, 3, 1), shape4(1, 5, 1, 11), BINARY_GENERAL},
    };
    for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
        binary_params p = binary_params_default();
        p.op = i % 2 ? BINARY_SUB : BINARY_POW;
        p.a = bins[i].a, p.b = bins[i].b, p.variant = bins[i].v;
        p.act.kind = ACT_KIND_RELU;
        clinfer_shape o;
        MAKE_OK(binary_output_shape(rt, &p, &o));
        k = (op_case){.make = make_binary, .params = &p, .count = 3,
                      .n = {numel(&p.a), numel(&p.b), numel(&o)}};
        snprintf(k.what, sizeof k.what, "binary %s, variant %d", binary_op_name(p.op),
                 (int)p.variant);
        check_offsets(rt, &k, 10 + (uint32_t)i);
    }
    for (int axis = 1; axis <= 3; axis += 2) { /* strided, then rows */
        softmax_params p = {shape4(2, 5, 3, 37), axis, 0, axis == 1};
        k = (op_case){.make = make_softmax, .params = &p, .count = 2,
                      .n = {numel(&p.shape), numel(&p.shape)}};
        snprintf(k.what, sizeof k.what, "softmax on axis %d", axis);
        check_offsets(rt, &k, 20 + (uint32_t)axis);
    }
    batchnorm_params bp;
    memset(&bp, 0, sizeof bp);
    bp.shape = shape4(2, 5, 3, 7);
    bp.scale = bp.bias = bp.mean = bp.var = (clinfer_shape){1, {5}};
    bp.epsilon = 1e-5f;
    k = (op_case){.make = make_batchnorm, .params = &bp, .count = 4,
                  .n = {numel(&bp.shape), 5, 5, numel(&bp.shape)}};
    snprintf(k.what, sizeof k.what, "batchnorm");
    check_offsets(rt, &k, 30);
    clinfer_runtime_free(rt);
}

/* ---------------------------------------------------------- data movement */

static void make_concat(clinfer_runtime *rt, const void *p, const dev_tensor *t, cl_mem s,
                        cl_mem ps, launch_list *l)
{
    (void)s, (void)ps;
    const concat_params *cp = p;
    for (int32_t i = 0; i < cp->count; i++) {
        op_launch *x = next_launch(l);
        MAKE_OK(concat_prepare(rt, cp, i, x));
        MAKE_OK(launch_bind_io(rt, x, t[i], t[cp->count]));
    }
}

MAKE_ONE_LAUNCH(make_pad, pad_prepare, launch_bind_io, t[0], t[1])
MAKE_ONE_LAUNCH(make_transpose, transpose_prepare, launch_bind_io, t[0], t[1])
MAKE_ONE_LAUNCH(make_reduce, reduce_prepare, launch_bind_io, t[0], t[1])
MAKE_ONE_LAUNCH(make_slice, slice_prepare, launch_bind_io, t[0], t[1])
Test(offsets, concat_pad_transpose_reduce_slice)
{
    clinfer_runtime *rt = test_runtime();
    op_case k;
    clinfer_shape o;
    const clinfer_shape parts[3] = {shape4(2, 3, 4, 5), shape4(2, 1, 4, 5), shape4(2, 2, 4, 5)};
    concat_params cp = {3, parts, 1};
    MAKE_OK(concat_output_shape(rt, &cp, &o));
    k = (op_case){.make = make_concat, .params = &cp, .count = 4,
                  .n = {numel(&parts[0]), numel(&parts[1]), numel(&parts[2]), numel(&o)}};
    snprintf(k.what, sizeof k.what, "concat");
    check_offsets(rt, &k, 40);

    for (int mode = PAD_MODE_CONSTANT; mode <= PAD_MODE_WRAP; mode++) {
        pad_params pp;
        memset(&pp, 0, sizeof pp);
        pp.input = shape4(2, 3, 5, 6);
        pp.npads = 8;
        const int64_t pads[8] = {0, 1, 2, 1, 0, 0, 1, 2};
        memcpy(pp.pads, pads, sizeof pads);
        pp.mode = (pad_mode)mode;
        pp.value = 0.5f;
        MAKE_OK(pad_output_shape(rt, &pp, &o));
        k = (op_case){.make = make_pad, .params = &pp, .count = 2,
                      .n = {numel(&pp.input), numel(&o)}};
        snprintf(k.what, sizeof k.what, "pad mode %d", mode);
        check_offsets(rt, &k, 50 + (uint32_t)mode);
    }

    const struct {
        clinfer_shape in;
        int32_t nperm, perm[4];
    } trs[] = {
        {{3, {3, 17, 21}}, 3, {0, 2, 1}},  /* transpose_2d, batched */
        {shape4(2, 3, 5, 7), 4, {0, 2, 3, 1}}, /* transpose_nd */
    };
    for (size_t i = 0; i < sizeof trs / sizeof trs[0]; i++) {
        transpose_params tp;
        memset(&tp, 0, sizeof tp);
        tp.input = trs[i].in;
        tp.nperm = trs[i].nperm;
        memcpy(tp.perm, trs[i].perm, sizeof trs[i].perm);
        MAKE_OK(transpose_output_shape(rt, &tp, &o));
        k = (op_case){.make = make_transpose, .params = &tp, .count = 2,
                      .n = {numel(&tp.input), numel(&o)}};
        snprintf(k.what, sizeof k.what, "transpose %zu", i);
        check_offsets(rt, &k, 60 + (uint32_t)i);
    }

    reduce_params rp;
    memset(&rp, 0, sizeof rp);
    rp.input = shape4(2, 3, 5, 7);
    rp.kind = REDUCE_MEAN;
    rp.naxes = 2, rp.axes[0] = 1, rp.axes[1] = 3;
    rp.keepdims = 1;
    MAKE_OK(reduce_output_shape(rt, &rp, &o));
    k = (op_case){.make = make_reduce, .params = &rp, .count = 2,
                  .n = {numel(&rp.input), numel(&o)}};
    snprintf(k.what, sizeof k.what, "reduce mean");
    check_offsets(rt, &k, 70);

    slice_params sp;
    memset(&sp, 0, sizeof sp);
    sp.input = shape4(2, 3, 9, 8);
    sp.naxes = 2;
    sp.axes[0] = 2, sp.starts[0] = 1, sp.ends[0] = 8, sp.steps[0] = 2;
    sp.axes[1] = 3, sp.starts[1] = -1, sp.ends[1] = 0, sp.steps[1] = -3;
    MAKE_OK(slice_output_shape(rt, &sp, &o));
    k = (op_case){.make = make_slice, .params = &sp, .count = 2,
                  .n = {numel(&sp.input), numel(&o)}};
    snprintf(k.what, sizeof k.what, "slice");
    check_offsets(rt, &k, 80);
    clinfer_runtime_free(rt);
}

/* ----------------------------- arg_reduce, where, gather_elements, gather */

MAKE_ONE_LAUNCH(make_arg_reduce, arg_reduce_prepare, launch_bind_io, t[0], t[1])
MAKE_ONE_LAUNCH(make_where, where_prepare, where_bind, t[0], t[1], t[2], t[3])
MAKE_ONE_LAUNCH(make_gather_elements, gather_elements_prepare, gather_elements_bind, t[0], t[1],
                t[2])
MAKE_ONE_LAUNCH(make_gather, gather_prepare, gather_bind, t[0], t[1], t[2])

Test(offsets, arg_reduce_where_gather_elements)
{
    clinfer_runtime *rt = test_runtime();
    op_case k;
    clinfer_shape o;
    arg_reduce_params ap = {shape4(2, 3, 5, 7), 1, 1, 0, 1}; /* ArgMin, axis 1, last */
    MAKE_OK(arg_reduce_output_shape(rt, &ap, &o));
    k = (op_case){.make = make_arg_reduce, .params = &ap, .count = 2,
                  .n = {numel(&ap.input), numel(&o)}};
    snprintf(k.what, sizeof k.what, "arg_reduce");
    check_offsets(rt, &k, 90);

    where_params wp = {{3, {2, 1, 7}}, {2, {3, 1}}, {1, {7}}};
    MAKE_OK(where_output_shape(rt, &wp, &o));
    k = (op_case){.make = make_where, .params = &wp, .count = 4,
                  .n = {numel(&wp.cond), numel(&wp.x), numel(&wp.y), numel(&o)}};
    snprintf(k.what, sizeof k.what, "where");
    check_offsets(rt, &k, 91);

    /* indices from [0.05, 1): all 0 once floored, still a gather */
    gather_elements_params gp = {{3, {2, 3, 5}}, {3, {2, 2, 5}}, -2};
    MAKE_OK(gather_elements_output_shape(rt, &gp, &o));
    k = (op_case){.make = make_gather_elements, .params = &gp, .count = 3,
                  .n = {numel(&gp.data), numel(&gp.indices), numel(&o)}};
    snprintf(k.what, sizeof k.what, "gather_elements");
    check_offsets(rt, &k, 92);

    /* the same indices: row 0 of axis 1, four times */
    gather_params rp = {{3, {2, 3, 5}}, {2, {2, 2}}, 1};
    MAKE_OK(gather_output_shape(rt, &rp, &o));
    k = (op_case){.make = make_gather, .params = &rp, .count = 3,
                  .n = {numel(&rp.data), numel(&rp.indices), numel(&o)}};
    snprintf(k.what, sizeof k.what, "gather");
    check_offsets(rt, &k, 93);
    clinfer_runtime_free(rt);
}

/* ---------------------------------------------------------------- pooling */

typedef struct pool_case {
    pool2d_params window;
    globalpool_params global;
    int kind; /* 0 max, 1 average, 2 global average, 3 global max */
} pool_case;

static void make_pool(clinfer_runtime *rt, const void *p, const dev_tensor *t, cl_mem s,
                      cl_mem ps, launch_list *l)
{
    (void)s, (void)ps;
    const pool_case *pc = p;
    op_launch *x = next_launch(l);
    switch (pc->kind) {
    case 0:
        MAKE_OK(maxpool2d_prepare(rt, &pc->window, x));
        break;
    case 1:
        MAKE_OK(avgpool2d_prepare(rt, &pc->window, x));
        break;
    case 2:
        MAKE_OK(globalavgpool_prepare(rt, &pc->global, x));
        break;
    default:
        MAKE_OK(globalmaxpool_prepare(rt, &pc->global, x));
    }
    MAKE_OK(launch_bind_io(rt, x, t[0], t[1]));
}

Test(offsets, pooling)
{
    const char *const variants[] = {"rows", "items"};
    for (int v = 0; v < 2; v++) {
        setenv("CLINFER_POOL_VARIANT", variants[v], 1);
        clinfer_runtime *rt = test_runtime(); /* reads the variant when created */
        for (int kind = 0; kind < 4; kind++) {
            pool_case pc;
            memset(&pc, 0, sizeof pc);
            pc.window = pool2d_params_default();
            pc.window.n = 2, pc.window.c = 3, pc.window.h = 13, pc.window.w = 22;
            pc.window.kh = pc.window.kw = 3;
            pc.window.stride_h = pc.window.stride_w = 2;
            pc.window.pad_top = pc.window.pad_left = 1;
            pc.global = (globalpool_params){2, 3, 13, 22};
            pc.kind = kind;
            clinfer_shape o;
            if (kind < 2)
                MAKE_OK(pool2d_output_shape(rt, &pc.window, &o));
            else
                MAKE_OK(globalpool_output_shape(rt, &pc.global, &o));
            op_case k = {.make = make_pool, .params = &pc, .count = 2,
                         .n = {2 * 3 * 13 * 22, numel(&o)}};
            snprintf(k.what, sizeof k.what, "pool kind %d, %s variant", kind, variants[v]);
            check_offsets(rt, &k, 90 + (uint32_t)kind);
        }
        clinfer_runtime_free(rt);
    }
    unsetenv("CLINFER_POOL_VARIANT");
}

/* ------------------------------------------------------------ Gemm, MatMul */

typedef struct product_case {
    gemm_params gemm;
    matmul_params matmul;
    int is_matmul;
    gemm_plan plan;
} product_case;

static void make_product(clinfer_runtime *rt, const void *p, const dev_tensor *t, cl_mem s,
                         cl_mem ps, launch_list *l)
{
    (void)ps;
    const product_case *pc = p;
    dev_tensor b = t[1];
    if (pc->plan.packed_bytes > 0) { /* B packed into scratch first */
        op_launch *pack = next_launch(l);
        if (pc->is_matmul)
            MAKE_OK(matmul_pack_b_prepare(rt, &pc->matmul, &pc->plan, pack));
        else
            MAKE_OK(gemm_pack_b_prepare(rt, &pc->gemm, &pc->plan, pack));
        MAKE_OK(gemm_pack_b_bind(rt, pack, t[1], s));
        b = dev_whole(s);
    }
    op_launch *x = next_launch(l);
    if (pc->is_matmul) {
        MAKE_OK(matmul_prepare(rt, &pc->matmul, &pc->plan, x));
        MAKE_OK(matmul_bind(rt, x, t[0], b, t[2]));
    } else {
        MAKE_OK(gemm_prepare(rt, &pc->gemm, &pc->plan, x));
        MAKE_OK(gemm_bind(rt, x, t[0], b, t[2], t[3]));
    }
}

Test(offsets, gemm_and_matmul)
{
    const char *const variants[] = {"cpu", "gpu", "naive"};
    setenv("CLINFER_TUNE", "0", 1);
    for (int v = 0; v < 3; v++) {
        setenv("CLINFER_GEMM_VARIANT", variants[v], 1);
        clinfer_runtime *rt = test_runtime(); /* reads the variant when created */
        product_case pc;
        memset(&pc, 0, sizeof pc);
        pc.gemm = gemm_params_default();
        pc.gemm.m = 37, pc.gemm.n = 45, pc.gemm.k = 29;
        pc.gemm.trans_b = v == 1;
        pc.gemm.has_c = 1;
        pc.gemm.c_shape = (clinfer_shape){1, {45}};
        pc.gemm.act.kind = ACT_KIND_RELU;
        MAKE_OK(gemm_plan_make(rt, &pc.gemm, 0, &pc.plan));
        op_case k = {.make = make_product, .params = &pc, .count = 4,
                     .n = {37 * 29, 29 * 45, 45, 37 * 45},
                     .scratch_bytes = pc.plan.packed_bytes};
        snprintf(k.what, sizeof k.what, "gemm, %s variant", variants[v]);
        check_offsets(rt, &k, 100 + (uint32_t)v);

        memset(&pc, 0, sizeof pc);
        pc.is_matmul = 1;
        pc.matmul.a = (clinfer_shape){3, {3, 19, 23}};
        pc.matmul.b = (clinfer_shape){2, {23, 33}};
        MAKE_OK(matmul_plan_make(rt, &pc.matmul, &pc.plan));
        k = (op_case){.make = make_product, .params = &pc, .count = 3,
                      .n = {3 * 19 * 23, 23 * 33, 3 * 19 * 33},
                      .scratch_bytes = pc.plan.packed_bytes};
        snprintf(k.what, sizeof k.what, "matmul, %s variant", variants[v]);
        check_offsets(rt, &k, 110 + (uint32_t)v);
        clinfer_runtime_free(rt);
    }
    unsetenv("CLINFER_GEMM_VARIANT");
    unsetenv("CLINFER_TUNE");
}

/* ----------------------------------------------------------------- conv2d */

typedef struct conv_case {
    conv2d_params p;
    conv2d_plan plan;
} conv_case;

/* Tensors: x, w, b, residual, y (the residual unused without has_residual). */
static void make_conv(clinfer_runtime *rt, const void *p, const dev_tensor *t, cl_mem s,
                      cl_mem ps, launch_list *l)
{
    const conv_case *cc = p;
    for (int32_t i = 0; i < cc->plan.prep_count; i++) /* weights packed on every run */
        MAKE_OK(conv2d_prep_launch(rt, &cc->p, &cc->plan, i, t[1], ps, next_launch(l)));
    const conv2d_buffers b = {t[0], t[1], t[2], t[3], t[4], s, ps, dev_whole(NULL)};
    for (int32_t i = 0; i < cc->plan.launch_count; i++)
        MAKE_OK(conv2d_launch(rt, &cc->p, &cc->plan, i, &b, next_launch(l)));
}

static conv2d_params conv_params(int32_t n, int32_t c, int32_t h, int32_t w, int32_t oc,
                                 int32_t k, int32_t stride, int32_t pad, int32_t groups)
{
    conv2d_params p = conv2d_params_default();
    p.n = n, p.c = c, p.h = h, p.w = w, p.oc = oc, p.kh = p.kw = k;
    p.stride_h = p.stride_w = stride;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.groups = groups;
    p.has_bias = 1;
    p.act.kind = ACT_KIND_RELU;
    return p;
}

/* Every algorithm that fits p, under every variant it has. */
static void check_conv(conv2d_params p, const char *name, uint32_t seed)
{
    const char *const gemm_variants[] = {"cpu", "gpu", "naive"};
    const char *const dw_variants[] = {"cpu", "gpu"};
    int ran = 0;
    for (int a = CONV2D_ALGO_NAIVE; a < CONV2D_ALGO_COUNT; a++) {
        if (conv2d_algo_unfit(&p, (conv2d_algo)a))
            continue;
        const int dw = a == CONV2D_ALGO_DEPTHWISE;
        const int variants = dw                                                          ? 2
                             : a == CONV2D_ALGO_NAIVE || a == CONV2D_ALGO_POOLED ||
                                     a == CONV2D_ALGO_STEM
                                 ? 1
                                 : 3;
        for (int v = 0; v < variants; v++) {
            setenv(dw ? "CLINFER_DEPTHWISE_VARIANT" : "CLINFER_GEMM_VARIANT",
                   dw ? dw_variants[v] : gemm_variants[v], 1);
            clinfer_runtime *rt = test_runtime(); /* reads the variant when created */
            conv_case cc = {p, {0}};
            if (conv2d_plan_algo(rt, &p, (conv2d_algo)a, &cc.plan) != CLINFER_OK) {
                clinfer_runtime_free(rt);
                continue;
            }
            int32_t oh = cc.plan.oh, ow = cc.plan.ow;
            const size_t out_n = (size_t)p.n * p.oc * oh * ow;
            op_case k = {.make = make_conv, .params = &cc, .count = 5,
                         .n = {(size_t)p.n * p.c * p.h * p.w,
                               (size_t)p.oc * (p.c / p.groups) * p.kh * p.kw, (size_t)p.oc,
                               p.has_residual ? out_n : 1, out_n},
                         .scratch_bytes = cc.plan.scratch_bytes,
                         .persist_bytes = cc.plan.persist_bytes};
            snprintf(k.what, sizeof k.what, "conv2d %s, algorithm %s, variant %s", name,
                     conv2d_algo_name((conv2d_algo)a),
                     dw ? dw_variants[v] : variants > 1 ? gemm_variants[v] : "-");
            check_offsets(rt, &k, seed + (uint32_t)(10 * a + v));
            clinfer_runtime_free(rt);
            ran++;
        }
    }
    unsetenv("CLINFER_GEMM_VARIANT");
    unsetenv("CLINFER_DEPTHWISE_VARIANT");
    cr_assert_gt(ran, 0, "conv2d %s: no algorithm ran", name);
}

Test(offsets, conv2d_every_algorithm)
{
    setenv("CLINFER_TUNE", "0", 1);
    /* 3x3, 32 channels: naive, direct, im2col, winograd; with a residual */
    conv2d_params p = conv_params(2, 32, 10, 9, 32, 3, 1, 1, 1);
    p.has_residual = 1;
    check_conv(p, "3x3 with residual", 200);
    /* 1x1: gemm1x1 (B read in place), and the general ones */
    check_conv(conv_params(2, 24, 7, 9, 20, 1, 1, 0, 1), "1x1", 300);
    /* strided 3x3 with groups 2 */
    check_conv(conv_params(2, 6, 11, 10, 4, 3, 2, 1, 2), "strided grouped", 400);
    /* depthwise */
    check_conv(conv_params(2, 8, 12, 11, 8, 3, 1, 1, 8), "depthwise", 500);
    check_conv(conv_params(2, 8, 12, 11, 8, 3, 2, 1, 8), "strided depthwise", 550);
    /* a fused 2x2 max pool: the pooled algorithm */
    p = conv_params(2, 3, 14, 12, 4, 3, 1, 1, 1);
    p.pool = 2;
    check_conv(p, "with a fused max pool", 600);
    unsetenv("CLINFER_TUNE");
}

/* ---------------------------------------------------------- normalisations */

MAKE_ONE_LAUNCH(make_norm_affine, norm_prepare, norm_bind, t[0], t[1], t[2], t[3])
MAKE_ONE_LAUNCH(make_norm_plain, norm_prepare, norm_bind, t[0], (dev_tensor){NULL, 0},
                (dev_tensor){NULL, 0}, t[1])

Test(offsets, norm)
{
    clinfer_runtime *rt = test_runtime();
    op_case k;
    /* LayerNorm (scale and bias per element, rows of 105: a tail), then
     * GroupNorm per channel (scale per segment of 7) */
    norm_params p = norm_params_default(NORM_LAYER);
    p.shape = shape4(2, 5, 3, 7), p.axis = 1;
    p.scale = p.bias = (clinfer_shape){3, {5, 3, 7}};
    k = (op_case){.make = make_norm_affine, .params = &p, .count = 4,
                  .n = {numel(&p.shape), 105, 105, numel(&p.shape)}};
    for (int v = NORM_WORKGROUP; v <= NORM_ITEMS; v++) { /* both kernels */
        p.variant = v;
        snprintf(k.what, sizeof k.what, "LayerNormalization, variant %d", v);
        check_offsets(rt, &k, 40);
    }
    p = norm_params_default(NORM_GROUP);
    p.shape = shape4(2, 6, 1, 7), p.groups = 2;
    p.scale = p.bias = (clinfer_shape){1, {6}};
    k = (op_case){.make = make_norm_affine, .params = &p, .count = 4,
                  .n = {numel(&p.shape), 6, 6, numel(&p.shape)}};
    snprintf(k.what, sizeof k.what, "GroupNormalization");
    check_offsets(rt, &k, 41);
    p = norm_params_default(NORM_MVN); /* [0, 2, 3]: spans R * B apart */
    p.shape = shape4(3, 4, 5, 3);
    k = (op_case){.make = make_norm_plain, .params = &p, .count = 2,
                  .n = {numel(&p.shape), numel(&p.shape)}};
    snprintf(k.what, sizeof k.what, "MeanVarianceNormalization");
    check_offsets(rt, &k, 42);
    clinfer_runtime_free(rt);
}

/* ------------------------------------------------------- conv_transpose */

#include "ops/conv_transpose.h"

typedef struct convt_case {
    convt_params p;
    convt_plan plan;
} convt_case;

/* Tensors: x, w, b, y. */
static void make_convt(clinfer_runtime *rt, const void *p, const dev_tensor *t, cl_mem s,
                       cl_mem ps, launch_list *l)
{
    const convt_case *cc = p;
    for (int32_t i = 0; i < cc->plan.prep_count; i++) /* weights packed on every run */
        MAKE_OK(convt_prep_launch(rt, &cc->p, &cc->plan, i, t[1], ps, next_launch(l)));
    const convt_buffers b = {t[0], t[1], t[2], t[3], s, ps};
    for (int32_t i = 0; i < cc->plan.launch_count; i++)
        MAKE_OK(convt_launch(rt, &cc->p, &cc->plan, i, &b, next_launch(l)));
}

/* Every algorithm, gemm under every GEMM variant: transposed (a small
 * image), X read in place (a wide one), X packed (512 pixels). */
Test(offsets, conv_transpose_every_algorithm)
{
    setenv("CLINFER_TUNE", "0", 1);
    const char *const gemm_variants[] = {"cpu", "gpu", "naive"};
    const int32_t heights[3] = {5, 5, 16}, widths[3] = {3, 45, 32};
    for (int wi = 0; wi < 3; wi++)
        for (int a = CONVT_ALGO_NAIVE; a <= CONVT_ALGO_DIRECT; a++)
            for (int v = 0; v < (a == CONVT_ALGO_GEMM ? 3 : 1); v++) {
                setenv("CLINFER_GEMM_VARIANT", gemm_variants[v], 1);
                clinfer_runtime *rt = test_runtime(); /* reads the variant when created */
                convt_case cc = {convt_params_default(), {0}};
                convt_params *p = &cc.p;
                p->n = 2, p->c = 10, p->h = heights[wi], p->w = widths[wi], p->oc = 6;
                p->kh = p->kw = 4;
                p->stride_h = p->stride_w = 2;
                p->pad_top = p->pad_left = p->pad_bottom = p->pad_right = 1;
                p->groups = 2, p->has_bias = 1, p->act.kind = ACT_KIND_RELU;
                cr_assert_eq(convt_plan_algo(rt, p, (convt_algo)a, &cc.plan), CLINFER_OK, "%s",
                             clinfer_last_errmsg());
                const size_t out_n = (size_t)p->n * p->oc * cc.plan.oh * cc.plan.ow;
                op_case k = {.make = make_convt, .params = &cc, .count = 4,
                             .n = {(size_t)p->n * p->c * p->h * p->w,
                                   (size_t)p->c * (p->oc / p->groups) * p->kh * p->kw,
                                   (size_t)p->oc, out_n},
                             .scratch_bytes = cc.plan.scratch_bytes,
                             .persist_bytes = cc.plan.persist_bytes};
                snprintf(k.what, sizeof k.what, "conv_transpose width %d, algorithm %s, variant %s",
                         (int)p->w, convt_algo_name((convt_algo)a),
                         a == CONVT_ALGO_GEMM ? gemm_variants[v] : "-");
                check_offsets(rt, &k, 700u + (uint32_t)(100 * wi + 10 * a + v));
                clinfer_runtime_free(rt);
            }
    unsetenv("CLINFER_GEMM_VARIANT");
    unsetenv("CLINFER_TUNE");
}
