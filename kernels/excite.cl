/*
 * excite.cl - a squeeze-excitation gate in one kernel (host:
 * host/ops/excite.c; the pass that makes it: host/passes/excite.c):
 *   mean[n, c]   = the average of x[n, c, :, :]            (GlobalAveragePool)
 *   hidden[n, s] = act(sum_c W1[s, c] mean[n, c] + b1[s])  (1x1 conv, C -> S)
 *   y[n, c]      = gate(sum_s W2[c, s] hidden[n, s] + b2[c]) (1x1 conv, S -> C)
 * x [N, C, H, W], W1 [S, C] (the 1x1 weights' layout), W2 [C, S], y [N, C].
 * The three used to be three launches of small kernels, each of which cost
 * PoCL more to start on two threads than its work (EfficientNet-B0 has 16
 * such blocks).
 *
 * Work-group n computes image n; its L items (the host's local size: 1 on
 * CPUs, where a group runs on one thread anyway, 64 elsewhere) take the
 * channels, hidden units and outputs lid, lid + L, ..; the means and the
 * hidden units pass through local memory between the three steps. A
 * plane's mean is globalavgpool's (the prelude's plane_average); the first
 * product's dot products run 16 floats at a time.
 *
 * w2 is W2 transposed, [S, C] plus 16 floats of padding (the host packs
 * it so once): the outputs go 16 at a time, a vector FMA per hidden unit;
 * a dot product per output took most of EfficientNet-B0's 1152-channel
 * gates' time.
 *
 * Tunables: ACT (the hidden activation, see prelude.cl, reading act_a and
 * act_b), GATE (the output's: 4 Sigmoid, 6 HardSigmoid with gate_a and
 * gate_b, the activation kinds of host/ops/activation.h), HAS_B1, HAS_B2.
 */

#ifndef GATE
#define GATE 4
#endif
#if GATE == 4 /* as prelude.cl's ACT_SIGMOID */
#define GATE_OF(x) (1.0f / (1.0f + exp(-(x))))
#elif GATE == 6 /* as prelude.cl's ACT_HARD_SIGMOID; NaN stays NaN */
#define GATE_OF(x) CLAMP01_NAN(gate_a * (x) + gate_b)
#else
#error "excite.cl: GATE must be 4 (Sigmoid) or 6 (HardSigmoid)"
#endif

/* The dot product of n weights w (global) and n values v (local). */
static float excite_dot(__global const store_t *w, __local const float *v, int n)
{
    float16 acc = 0.0f;
    int i = 0;
    for (; i + 16 <= n; i += 16)
        acc = fma(LD16(0, w + i), vload16(0, v + i), acc);
    float8 a8 = acc.lo + acc.hi;
    float4 a4 = a8.lo + a8.hi;
    float sum = (a4.x + a4.y) + (a4.z + a4.w);
    for (; i < n; i++)
        sum = fma(LD(w, i), v[i], sum);
    return sum;
}

__kernel void squeeze_excite(__global const store_t *restrict x, long x_off,
                             __global const store_t *restrict w1, long w1_off,
                             __global const store_t *restrict b1, long b1_off,
                             __global const store_t *restrict w2, long w2_off,
                             __global const store_t *restrict b2, long b2_off,
                             __global store_t *restrict y, long y_off, __local float *mean,
                             __local float *hidden, int C, int S, int HW, float act_a,
                             float act_b, float gate_a, float gate_b)
{
    x += x_off;
    w1 += w1_off;
    b1 += b1_off;
    w2 += w2_off;
    b2 += b2_off;
    y += y_off;
    const long n = get_group_id(0);
    const int lid = (int)get_local_id(0), L = (int)get_local_size(0);
    __global const store_t *xn = x + n * C * HW;
    for (int c = lid; c < C; c += L)
        mean[c] = plane_average(xn + (long)c * HW, HW);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = lid; s < S; s += L) {
        float h = excite_dot(w1 + (long)s * C, mean, C);
#if HAS_B1
        h += LD(b1, s);
#endif
        hidden[s] = ACT_ANY(h);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    /* W2 transposed [S, C] (+ 16 floats): 16 outputs per step */
    for (int c0 = lid * 16; c0 < C; c0 += L * 16) {
        float16 acc = 0.0f;
        for (int s = 0; s < S; s++)
            acc = fma(LD16(0, w2 + (long)s * C + c0), (float16)(hidden[s]), acc);
        float lanes[16];
        for (int j = 0; j < 16; j++)
#if HAS_B2
            lanes[j] = c0 + j < C ? LD(b2, c0 + j) : 0.0f;
#else
            lanes[j] = 0.0f;
#endif
        PST16(GATE_OF(acc + PLD16(lanes)), lanes);
        for (int j = 0; j < 16 && c0 + j < C; j++)
            ST(y, n * C + c0 + j, lanes[j]);
    }
}
