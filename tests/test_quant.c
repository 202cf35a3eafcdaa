/*
 * test_quant.c — QuantizeLinear and DequantizeLinear as QDQ models write
 * them, against a naive C computation of the same steps: activations
 * quantized and dequantized at run time (uint8 with zero point 128, int8
 * with a negative one), int8 weights with per-column scales and int32
 * biases dequantized at load time, around a MatMul; then the refusals.
 * (The element-wise kernels alone: test_eltwise's cases.)
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "onnx_writer.h"
#include "testutil.h"

enum { B = 2, M = 5, K = 7, N = 6 };

/* rint(x / s) + zp saturated to [lo, hi], then back: what the model's
 * Q -> DQ pairs compute (the division in float, as ONNX writes it). */
static double fake_quant(float x, float s, int zp, int lo, int hi)
{
    double q = nearbyint((double)(x / s)) + zp;
    q = fmin(fmax(q, lo), hi);
    return (q - zp) * s;
}

/* x [B, M, K] -> Q(u8, 0.02, 128) -> DQ -> MatMul(DQ(W int8 [K, N], per-column
 * scales along axis 1)) -> Add(DQ(bias int32, one scale)) -> Q(s8, 0.05, -3)
 * -> DQ -> y */
static uint8_t *qdq_model(const int64_t *w, const float *ws, const int64_t *bias, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[3] = {B, M, K}, wd[2] = {K, N}, nd[1] = {N}, none[1] = {0};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 3, xd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    const float sx = 0.02f, sy = 0.05f, sb = 0.004f;
    const int64_t zx = 128, zy = -3;
    onnx_initializer(&g, (pb[]){onnx_tensor_f("sx", 0, none, &sx, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_int("zx", 2, 0, none, &zx)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("sy", 0, none, &sy, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_int("zy", 3, 0, none, &zy)});
    onnx_initializer(&g, (pb[]){onnx_tensor_int("W", 3, 2, wd, w)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("ws", 1, nd, ws, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_int("bq", 6, 1, nd, bias)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("sb", 0, none, &sb, 1)});
    onnx_node(&g, "QuantizeLinear", "qx", "x,sx,zx", "xq", 0, NULL);
    onnx_node(&g, "DequantizeLinear", "dqx", "xq,sx,zx", "xd", 0, NULL);
    onnx_node(&g, "DequantizeLinear", "dqw", "W,ws", "wf", 1,
              (pb[]){onnx_attr_int("axis", 1)});
    onnx_node(&g, "DequantizeLinear", "dqb", "bq,sb", "bf", 0, NULL);
    onnx_node(&g, "MatMul", "mm", "xd,wf", "p", 0, NULL);
    onnx_node(&g, "Add", "add", "p,bf", "a", 0, NULL);
    onnx_node(&g, "QuantizeLinear", "qy", "a,sy,zy", "aq", 0, NULL);
    onnx_node(&g, "DequantizeLinear", "dqy", "aq,sy,zy", "y", 0, NULL);
    return onnx_model(&g, 13, size);
}

Test(quant, qdq_matmul_against_the_steps)
{
    int64_t w[K * N], bias[N];
    float ws[N], x[B * M * K], y[B * M * N], want[B * M * N];
    uint32_t seed = 77;
    fill_uniform(x, B * M * K, -3, 3, &seed); /* past 2.54, the uint8 range's top */
    for (int i = 0; i < K * N; i++)
        w[i] = (int64_t)((i * 37) % 255) - 127;
    for (int j = 0; j < N; j++) {
        ws[j] = 0.001f * (float)(j + 1);
        bias[j] = (int64_t)(j * 173) - 400;
    }
    size_t size;
    uint8_t *m = qdq_model(w, ws, bias, &size);
    test_onnx_run(m, size, (const float *const[]){x}, (const size_t[]){B * M * K}, 1, y,
                  B * M * N);
    for (int r = 0; r < B * M; r++)
        for (int j = 0; j < N; j++) {
            double acc = 0;
            for (int k = 0; k < K; k++)
                acc += fake_quant(x[r * K + k], 0.02f, 128, 0, 255) * (double)w[k * N + j] *
                       (double)ws[j];
            acc += (double)bias[j] * 0.004;
            want[r * N + j] = (float)fake_quant((float)acc, 0.05f, -3, -128, 127);
        }
    /* a sum within a float rounding of a half step may round the other
     * way: at most one step (0.05) apart, and rarely */
    int off = 0;
    for (int i = 0; i < B * M * N; i++) {
        cr_assert(fabsf(y[i] - want[i]) < 1e-5f || fabsf(fabsf(y[i] - want[i]) - 0.05f) < 1e-5f,
                  "element %d: %g, expected %g", i, (double)y[i], (double)want[i]);
        off += fabsf(y[i] - want[i]) > 1e-5f;
    }
    cr_assert(off <= 1, "%d elements a step off", off);
    free(m);
}

/* One QuantizeLinear read by two DequantizeLinears (ONNX Runtime's
 * quantizer quantizes a value once for all its readers): y = d1 * |d2|,
 * both the fake-quantized x; the pair becomes one activation and both
 * readers read it. */
Test(quant, one_quantize_two_dequantizes)
{
    onnx_graph g = {{0}};
    const int64_t xd[2] = {3, 11}, none[1] = {0};
    const float s = 0.1f;
    const int64_t z = 3;
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 2, xd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("s", 0, none, &s, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_int("z", 2, 0, none, &z)});
    onnx_node(&g, "QuantizeLinear", "q", "x,s,z", "xq", 0, NULL);
    onnx_node(&g, "DequantizeLinear", "d1", "xq,s,z", "a", 0, NULL);
    onnx_node(&g, "DequantizeLinear", "d2", "xq,s,z", "b", 0, NULL);
    onnx_node(&g, "Abs", "abs", "b", "babs", 0, NULL);
    onnx_node(&g, "Mul", "mul", "a,babs", "y", 0, NULL);
    size_t size;
    uint8_t *m = onnx_model(&g, 13, &size);
    float x[33], y[33];
    uint32_t seed = 5;
    fill_uniform(x, 33, -2, 30, &seed); /* past 25.2, the top */
    test_onnx_run(m, size, (const float *const[]){x}, (const size_t[]){33}, 1, y, 33);
    for (int i = 0; i < 33; i++) {
        const double f = fake_quant(x[i], s, 3, 0, 255);
        cr_assert(fabs(y[i] - f * fabs(f)) <= 1e-5 * (1 + f * f), "element %d: %g, expected %g", i,
                  (double)y[i], f * fabs(f));
    }
    free(m);
}

/* A QuantizeLinear with the given scale count, zero point type and
 * block_size on a run-time x [2, 3]. */
static uint8_t *q_model(int scales, int zp_type, int64_t block, size_t *size)
{
    onnx_graph g = {{0}};
    const int64_t xd[2] = {2, 3}, sd[1] = {scales}, zero[3] = {0, 0, 0};
    const float s[3] = {0.1f, 0.2f, 0.3f};
    onnx_input(&g, (pb[]){onnx_value_info("x", OT_FLOAT, 2, xd)});
    onnx_output(&g, (pb[]){onnx_value_info("y", OT_FLOAT, -1, NULL)});
    onnx_initializer(&g, (pb[]){onnx_tensor_f("s", scales > 1, sd, s, 1)});
    onnx_initializer(&g, (pb[]){onnx_tensor_int("z", zp_type, scales > 1, sd, zero)});
    pb a[2] = {onnx_attr_int("axis", 1), {0}}; /* onnx_node frees the attributes it is given */
    if (block)
        a[1] = onnx_attr_int("block_size", block);
    onnx_node(&g, "QuantizeLinear", "q", "x,s,z", "y", block ? 2 : 1, a);
    return onnx_model(&g, 21, size);
}

Test(quant, refusals_name_what_is_not_supported)
{
    const struct {
        int scales, zp_type;
        int64_t block;
        const char *message;
    } cases[] = {
        {3, 2, 0, "per-axis scales (3) on a tensor computed at run time"},
        {1, 4, 0, "quantized type uint16 is not supported"},
        {3, 3, 2, "blocked quantization (block_size 2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size;
        uint8_t *m = q_model(cases[i].scales, cases[i].zp_type, cases[i].block, &size);
        clinfer_graph *g = NULL;
        cr_assert_neq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK, "case %zu", i);
        cr_assert(strstr(clinfer_last_errmsg(), cases[i].message), "case %zu: %s", i,
                  clinfer_last_errmsg());
        free(m);
    }
    /* the per-tensor uint8 form loads */
    size_t size;
    uint8_t *m = q_model(1, 2, 0, &size);
    clinfer_graph *g = NULL;
    cr_assert_eq(clinfer_graph_load_onnx_memory(m, size, &g), CLINFER_OK, "%s",
                 clinfer_last_errmsg());
    clinfer_graph_free(g);
    free(m);
}
