/*
 * gemm.h — matrix products: ONNX Gemm (Y = alpha * A' * B' + beta * C, with
 * an optional fused activation; Dense layers) and ONNX MatMul (NumPy matmul:
 * 2-D, batched with broadcast batch dimensions, 1-D operands promoted), and
 * the GEMM core the GEMM-based convolutions share. Every tensor is
 * contiguous, row-major, at its dev_tensor's offset (launch.h).
 *
 * Device-class variants (kernels/gemm.cl; gpu: kernels/gemm_local.cl), chosen
 * per runtime:
 *   cpu   gemm_packed: register tiles of TM x 16*NV per work-item over B
 *         packed into 16*NV-column panels (gemm_pack_b, or a conv's im2col);
 *         work-group size 1. The default on CPU devices.
 *   gpu   gemm_local: local-memory tiles with register blocking. The
 *         default on every other device. Its tile loop also runs the
 *         implicit-GEMM convolution (conv_implicit, gemm_geometry's
 *         conv_gather).
 *   naive gemm_naive: one output per work-item.
 * CLINFER_GEMM_VARIANT=cpu|gpu|naive|auto forces one. Tile sizes are
 * tunables measured per device on first use (a few candidates, well under
 * 3 s) and stored beside the program cache (tuning.h);
 * CLINFER_TUNE=0 skips the search and uses the defaults.
 *
 * Using Gemm (MatMul alike): gemm_plan() says whether B must be packed
 * (plan.packed_bytes > 0, the cpu variant). If so, gemm_pack_b_prepare +
 * gemm_pack_b_bind(B -> a buffer of packed_bytes) and enqueue that first
 * (once, when B is a constant), then gemm_prepare + gemm_bind with the
 * packed buffer in place of B.
 *
 * Limits: every dimension >= 1 (empty tensors are reported as
 * CLINFER_ERR_UNSUPPORTED) and every operand and the output hold at most
 * INT32_MAX elements (in-matrix strides are ints).
 */
#ifndef CLINFER_OPS_GEMM_H
#define CLINFER_OPS_GEMM_H

#include "../shape.h"
#include "activation.h"
#include "launch.h"

/* ------------------------------------------------------------- variants */

typedef enum gemm_variant {
    GEMM_VARIANT_CPU,
    GEMM_VARIANT_GPU,
    GEMM_VARIANT_NAIVE
} gemm_variant;

/* A variant and its tile sizes (the kernels' -D tunables). */
typedef struct gemm_config {
    gemm_variant variant;
    int32_t tm, nv;                    /* cpu: tile of tm rows x 16 * nv columns */
    int32_t tsm, tsn, tsk, wptm, wptn; /* gpu: work-group tile, k step, outputs per item */
    int32_t splits, k_step; /* gpu, one product: > 1 splits of k_step along K (split K) */
    int32_t pf;             /* gpu: 1 prefetches the next k step (GEMM_PREFETCH, gemm_local.cl) */
} gemm_config;

/* "cpu", "gpu", "naive". */
const char *gemm_variant_name(gemm_variant v);

/* The variant for this runtime's device (CLINFER_GEMM_VARIANT, else cpu on
 * CPU devices and gpu on the others) with its tile sizes: stored tuning
 * results, else a measured search (unless CLINFER_TUNE=0), else defaults.
 * (Both read when the runtime was created: rt->config, config.h.) */
clinfer_status gemm_config_get(clinfer_runtime *rt, gemm_config *out);

/* Whether rt is a CPU device whose vectors hold 8 floats or fewer (AVX2,
 * SSE, NEON: 16 registers of 8 floats on AVX2), where the cpu tiles are
 * smaller and some algorithm choices differ. */
int gemm_cpu_vectors_narrow(const clinfer_runtime *rt);

/* The same for count products of m x n x k: the cpu variant's tiles as
 * they are (gemm_packed runs products of fewer than TM rows row by row, in
 * the same program). The gpu variant's tiles would leave compute units idle: with
 * split_ok and a long K, K is split (cfg.splits > 1: the caller launches
 * gemm_core_prepare's product into partial sums, then gemm_reduce_prepare's
 * sum, with gemm_partial_floats of memory); else the tile shrinks (down to
 * 16 x 16) while a compute unit has no work-group. */
clinfer_status gemm_config_for_product(clinfer_runtime *rt, int64_t m, int64_t n, int64_t k,
                                       int64_t count, int split_ok, gemm_config *out);

/* Column panels per work-item of the cpu variant's kernels (gemm_packed,
 * conv2d_direct) for `items` rows of tiles of an m x n x k product:
 * `short_k_aim` (several panels when K is short, so that an item's fixed
 * costs are shared), or every panel when A is larger than B (m > n), and
 * as many rows of items as keep every core busy (launch_rows_per_item). */
int32_t gemm_cpu_item_panels(const clinfer_runtime *rt, int64_t items, int32_t panels,
                             int32_t short_k_aim, int64_t m, int64_t n);
/* Columns per panel of packed B (cpu variant): 16 * nv. */
int32_t gemm_panel_width(const gemm_config *cfg);

/* Floats of one packed [K, N] matrix: whole panels of K x panel width. */
size_t gemm_packed_floats(const gemm_config *cfg, int64_t n, int64_t k);

/* ----------------------------------------------------------------- core */

/* Batch dims a launch can decompose. */
#define GEMM_BATCH_DIMS 6
/* The window of a gathered convolution input (gemm_geometry.conv_gather). */
#define GEMM_CONV_WINDOW_INTS 11

/* One launch of a GEMM kernel, as kernels/gemm.cl describes it: strided
 * A', B' and C, batch dims (innermost first) with per-operand strides (0
 * where broadcast); `batch` items in z, A/C/Y at batch z0 + z, B at bz0 + z.
 * For the cpu variant B is packed and bs are strides of the packed buffer,
 * unless b_in_place is set: then B' rows are read where they are (b_ns must
 * be 1 and n >= gemm_panel_width; see gemm_b_in_place_ok). */
typedef struct gemm_geometry {
    int32_t m, n, k;
    int32_t a_rs, a_ks, b_ks, b_ns, c_rs, c_cs;
    int32_t nbatch; /* batch dims in use */
    int64_t bd[GEMM_BATCH_DIMS], as[GEMM_BATCH_DIMS], bs[GEMM_BATCH_DIMS], cs[GEMM_BATCH_DIMS];
    size_t batch;
    int32_t z0, bz0;
    int b_in_place; /* cpu variant: B not packed */
    int a_packed;   /* cpu variant: A packed by gemm_pack_a (as are strides of it) */
    int has_residual; /* R (Y's layout) is added before the activation */
    /* cpu variant: row r of B'[z] is multiplied by S[(z0 + z) * k + r]
     * (bound with gemm_scale_bind) as it is read; the batch index is the
     * scale's row (a conv's image, groups 1) */
    int b_scaled;
    /* cpu variant: Y (and R) stored transposed, element (m, n) at n * M + m
     * of each batch's [M, N] block (gemm.cl's y_t) */
    int y_transposed;
    /* cpu variant: Y stored with columns in blocks of 16, element (m, n) at
     * ((n / 16) * M + m) * 16 + n % 16 (N a multiple of 16, B packed, no
     * residual): a 1x1 convolution writing the channel-blocked layout
     * (NCHW16c, passes/layout.c) */
    int y_blocked16;
    /* 1: every matrix is an internal buffer of floats (Winograd's U, V and
     * M), also in a half-storage runtime (-DSTORE_FLOAT, prelude.cl) */
    int float_storage;
    /* gpu variant (split K too): B is a convolution's NCHW input and B' its
     * im2col matrix [C/groups * KH * KW, OH * OW], gathered in the tile
     * loads (kernels/conv_implicit.cl, the conv_implicit kernel); bs place
     * batch z at its image's group, b_ks and b_ns are those of the
     * row-major B' (OH * OW, 1); conv_window: H, W, KH, KW, stride h and
     * w, padding top and left, dilation h and w, OW */
    int conv_gather;
    int32_t conv_window[GEMM_CONV_WINDOW_INTS];
} gemm_geometry;

/* Whether the cpu variant may read a row-major B' [k, n] with row stride
 * ld in place: rows at least one panel wide, and a stride that is not a
 * multiple of 512 floats (such strides alias in the caches: 2x slower). */
int gemm_b_in_place_ok(const gemm_config *cfg, int32_t n, int64_t ld);

/* A geometry of one [m, k] x [k, n] product with row-major A and B. */
gemm_geometry gemm_geometry_plain(int32_t m, int32_t n, int32_t k);

/* Creates the product kernel of cfg's variant for g and sets its scalar
 * arguments (arguments 0-4 are the buffers A, B, C, Y, R). */
clinfer_status gemm_core_prepare(clinfer_runtime *rt, const gemm_config *cfg,
                                 const gemm_geometry *g, int has_c, float alpha, float beta,
                                 act_params act, op_launch *out);
/* `c` and `r` may be NULL when the launch has no C term or residual. */
clinfer_status gemm_core_bind(clinfer_runtime *rt, op_launch *l,
                              dev_tensor a, dev_tensor b, dev_tensor c, dev_tensor y,
                              dev_tensor r);

/* Binds S of a geometry with b_scaled: [batch, k] floats, batch z0 + z
 * at (z0 + z) * k. */
clinfer_status gemm_scale_bind(clinfer_runtime *rt, op_launch *l, dev_tensor scale);

/* Split K (cfg->splits > 1): the launch that adds the partial sums of
 * gemm_core_prepare's product and applies the epilogue (bound like it,
 * gemm_core_bind); the partial sums' floats; binding them to either launch. */
clinfer_status gemm_reduce_prepare(clinfer_runtime *rt, const gemm_config *cfg,
                                   const gemm_geometry *g, int has_c, float alpha, float beta,
                                   act_params act, op_launch *out);
size_t gemm_partial_floats(const gemm_config *cfg, const gemm_geometry *g);
clinfer_status gemm_partial_bind(clinfer_runtime *rt, op_launch *l, dev_tensor partial);

/* The packing kernel: B' of `batch` matrices [k, n] (element (k, n) of batch
 * z0 + z at boff + k * b_ks + n * b_ns, boff from the batch dims bd / bs) to
 * panels, batch z at z * gemm_packed_floats(). */
clinfer_status gemm_pack_prepare(clinfer_runtime *rt, const gemm_config *cfg, int32_t n,
                                 int32_t k, int32_t b_ks, int32_t b_ns, int32_t nbatch,
                                 const int64_t *bd, const int64_t *bs, size_t batch, int32_t z0,
                                 op_launch *out);
clinfer_status gemm_pack_bind(clinfer_runtime *rt, op_launch *l, dev_tensor b, cl_mem packed);

/* Floats of one packed A' [m, k] (cpu variant): panels of cfg->tm rows. */
size_t gemm_packed_a_floats(const gemm_config *cfg, int64_t m, int64_t k);

/* The kernel packing `batch` matrices A' [m, k] (element (m, k) of batch z
 * at aoff + m * a_rs + k * a_ks, aoff from bd / as) into panels of cfg->tm
 * rows, batch z at z * gemm_packed_a_floats(): what gemm_packed reads with
 * a_packed, and conv2d_direct reads as weights. */
clinfer_status gemm_pack_a_prepare(clinfer_runtime *rt, const gemm_config *cfg, int32_t m,
                                   int32_t k, int32_t a_rs, int32_t a_ks, int32_t nbatch,
                                   const int64_t *bd, const int64_t *as, size_t batch,
                                   op_launch *out);

/* The same layouts written on the host (ops/gemm_pack.c) from `src`, the
 * host copy of a constant operand, into `dst` (gemm_packed_floats() resp.
 * gemm_packed_a_floats() floats per batch), as the kernels above would
 * pack it from the device copy with z0 = 0. */
void gemm_pack_b_host(const gemm_config *cfg, int32_t n, int32_t k, int64_t b_ks, int64_t b_ns,
                      int32_t nbatch, const int64_t *bd, const int64_t *bs, size_t batch,
                      const float *src, float *dst);
void gemm_pack_a_host(const gemm_config *cfg, int32_t m, int32_t k, int64_t a_rs, int64_t a_ks,
                      int32_t nbatch, const int64_t *bd, const int64_t *as, size_t batch,
                      const float *src, float *dst);

/* A constant operand's packing described once for both ways of writing it
 * (so that they cannot drift apart): by kernel, gemm_operand_pack_prepare
 * then gemm_pack_bind (operand, packed buffer); on the host,
 * gemm_operand_pack_host. `b`: B' [k, lines] into column panels
 * (gemm_pack_b or gemm_pack_bt), element (k, j) at k * k_stride + j *
 * line_stride; else A' [lines, k] into row panels (gemm_pack_a), element
 * (j, k) at j * line_stride + k * k_stride. Batches over nbatch dims bd
 * with strides bs, batch z at z * (gemm_packed_floats or
 * gemm_packed_a_floats). The A' kernel takes the cpu variant's tiles. */
typedef struct gemm_operand_packing {
    int b;
    int32_t lines, k;
    int32_t line_stride, k_stride;
    int32_t nbatch;
    int64_t bd[GEMM_BATCH_DIMS], bs[GEMM_BATCH_DIMS];
    size_t batch;
} gemm_operand_packing;
clinfer_status gemm_operand_pack_prepare(clinfer_runtime *rt, const gemm_config *cfg,
                                         const gemm_operand_packing *p, op_launch *out);
void gemm_operand_pack_host(const gemm_config *cfg, const gemm_operand_packing *p,
                            const float *src, float *dst);

/* ------------------------------------------------------------------ Gemm */

typedef struct gemm_params {
    int32_t m, n, k;    /* A' is [M, K], B' is [K, N], Y is [M, N] */
    int trans_a;        /* A is stored [K, M] when set, else [M, K] */
    int trans_b;        /* B is stored [N, K] when set, else [K, N] */
    float alpha, beta;  /* beta is ignored without C */
    int has_c;          /* C given (ONNX input 2) */
    clinfer_shape c_shape; /* C's shape, unidirectionally broadcastable to [M, N]:
                            * [], [N], [1, N], [M, 1], [M, N], [1, 1], [1] */
    act_params act;     /* fused activation, applied after the C term */
} gemm_params;

/* What a product needs besides its operands. */
typedef struct gemm_plan {
    gemm_config cfg;       /* the variant and tile sizes used */
    uint64_t packed_bytes; /* > 0: B is packed into a buffer of this size first */
    uint64_t partial_bytes; /* > 0 (Gemm, split K): the partial sums' scratch */
} gemm_plan;

/* alpha = beta = 1, no transposes, no C, no activation, dims 0. */
gemm_params gemm_params_default(void);

/* Sets p->m, p->n, p->k from the shapes of A and B, honouring p->trans_a and
 * p->trans_b; both must be rank 2 and agree on K (CLINFER_ERR_SHAPE names the
 * operand otherwise). Other fields are left as they are. */
clinfer_status gemm_dims_from_shapes(clinfer_runtime *rt, const clinfer_shape *a,
                                     const clinfer_shape *b, gemm_params *p);

/* Checks the parameters and sets *out to [M, N]. */
clinfer_status gemm_output_shape(clinfer_runtime *rt, const gemm_params *p, clinfer_shape *out);

/* Checks the parameters and picks the variant; with split_ok the gpu
 * variant may split K (plan->partial_bytes > 0: the caller then binds the
 * partial sums and adds gemm_reduce_launch_prepare's launch). */
clinfer_status gemm_plan_make(clinfer_runtime *rt, const gemm_params *p, int split_ok,
                              gemm_plan *out);

/* The packing launch (only when plan->packed_bytes > 0). */
clinfer_status gemm_pack_b_prepare(clinfer_runtime *rt, const gemm_params *p,
                                   const gemm_plan *plan, op_launch *out);
clinfer_status gemm_pack_b_bind(clinfer_runtime *rt, op_launch *l, dev_tensor b, cl_mem packed);
/* The same packing on the host, of a constant B's host copy `b` into
 * `packed` (plan->packed_bytes worth of floats). */
clinfer_status gemm_pack_b_on_host(clinfer_runtime *rt, const gemm_params *p,
                                   const gemm_plan *plan, const float *b, float *packed);

/* Creates the product kernel for `p` and sets its scalar arguments. */
clinfer_status gemm_prepare(clinfer_runtime *rt, const gemm_params *p, const gemm_plan *plan,
                            op_launch *out);

/* Sets the buffers: `b` is packed B when plan->packed_bytes > 0; `c` is
 * ignored unless p->has_c (may be NULL then). */
/* Split K (plan->partial_bytes > 0): the launch adding the partial sums,
 * bound by gemm_bind too; gemm_partial_bind gives both launches the sums. */
clinfer_status gemm_reduce_launch_prepare(clinfer_runtime *rt, const gemm_params *p,
                                          const gemm_plan *plan, op_launch *out);
clinfer_status gemm_bind(clinfer_runtime *rt, op_launch *l,
                         dev_tensor a, dev_tensor b, dev_tensor c, dev_tensor y);

/* ---------------------------------------------------------------- MatMul */

typedef struct matmul_params {
    clinfer_shape a, b; /* input shapes, rank >= 1 */
    act_params act;     /* fused activation (zero-initialised: none) */
} matmul_params;

/* Checks the shapes and computes the output shape as ONNX MatMul (NumPy
 * matmul) defines it: batch dims broadcast; a 1-D A is [1, K] and a 1-D B is
 * [K, 1] for the product, and that promoted dim is removed from the output
 * (two 1-D operands give a rank-0 output). */
clinfer_status matmul_output_shape(clinfer_runtime *rt, const matmul_params *p,
                                   clinfer_shape *out);

/* As for Gemm; packed B holds every batch of B (broadcast ones once). */
clinfer_status matmul_plan_make(clinfer_runtime *rt, const matmul_params *p, gemm_plan *out);
clinfer_status matmul_pack_b_prepare(clinfer_runtime *rt, const matmul_params *p,
                                     const gemm_plan *plan, op_launch *out);
clinfer_status matmul_pack_b_on_host(clinfer_runtime *rt, const matmul_params *p,
                                     const gemm_plan *plan, const float *b, float *packed);
clinfer_status matmul_prepare(clinfer_runtime *rt, const matmul_params *p, const gemm_plan *plan,
                              op_launch *out);
clinfer_status matmul_bind(clinfer_runtime *rt, op_launch *l,
                           dev_tensor a, dev_tensor b, dev_tensor y);

#endif
