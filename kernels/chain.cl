/*
 * chain.cl — a small network's whole run in one launch (host/chain.c):
 * one work-group per compute unit, each taking tasks in turn from a ticket
 * counter until none is left. Tickets are numbered layer after layer, so a
 * task waits only for tasks with lower tickets, which running work-groups
 * hold: nothing waits on a work-group that has not started, and a lone
 * work-group runs every task in order. Why: on PoCL each launch that both
 * threads of a 2-core CPU take part in costs 10-20 us beyond its work (the
 * idle thread wakes late, then the next kernel waits for the last one's
 * end), which for the lecture CNN at batch 1 was half its 0.15 ms.
 *
 * The host sets, per layer i < CHAIN_LAYERS: Ei, the ticket past the
 * layer's last task (the layer's first is E(i-1), 0 for layer 0), and Li,
 * the layer's call: CHAIN_CONV(...), CHAIN_DENSE(...) or
 * CHAIN_SOFTMAX(...), every parameter a constant, so that each layer's
 * loops are compiled for its shape. Tensors are store_t (prelude.cl: float,
 * or half in fp16 runtimes, read and written through LD/ST, the sums in
 * float either way): activations at element offsets in the session's
 * arena, weights packed by the host into one buffer.
 */

#ifndef CHAIN_LAYERS /* built without layers (the kernels' compile checks): no task */
#define CHAIN_LAYERS 0
#define CHAIN_TASKS 0
#endif

#define CHAIN_TICKET 0  /* counters[0]: the next ticket */
#define CHAIN_DONE 1    /* counters[1]: tasks finished */
#define CHAIN_EXITED 2  /* counters[2]: work-groups that found no ticket left */
#define CHAIN_NPOS 24   /* a convolution task's output positions: its accumulators */
#define CHAIN_ROWS_MAX 8 /* a dense task's rows at a time (MR), at most: host/chain.c's */

/* A layer's fused activation (a subset of prelude.cl's ACT_* kinds: the
 * host chains no layer with another). */
__attribute__((always_inline)) inline float16 chain_act(float16 x, const int kind,
                                                        const float a, const float b)
{
    if (kind == ACT_RELU)
        return select(x, (float16)(0.0f), x < 0.0f);
    if (kind == ACT_LEAKY_RELU)
        return select(x * a, x, x >= 0.0f);
    if (kind == ACT_CLIP)
        return select(select(x, (float16)(b), x > b), (float16)(a), x < a);
    if (kind == ACT_SIGMOID)
        return 1.0f / (1.0f + exp(-x));
    if (kind == ACT_TANH)
        return tanh(x);
    return x;
}

/* Waits until every ticket below `first` is done; the atomic read orders
 * the task's reads after the other work-groups' writes. */
inline void chain_wait(__global int *counters, const int first)
{
    if (first == 0)
        return;
    volatile __global int *done = counters + CHAIN_DONE;
    while (*done < first)
        ;
    (void)atomic_add(counters + CHAIN_DONE, 0);
}

/* The sums of one pooled output row of a convolution task over every
 * channel and tap into acc (QT * P * P positions, see chain_conv), the
 * input read in place: position j of tap (c, ky, kx) at input row
 * (py * P + dy) * SH - PT + ky, column (q0 * P + dx) * SW - PL + kx. */
__attribute__((always_inline)) inline void chain_conv_row(
    float16 *acc, __global const store_t *x, __global const store_t *w, const int py,
    const int q0, const int C, const int H, const int W, const int KH, const int KW, const int SH,
    const int SW, const int PT, const int PL, const int P, const int QT, const int PAD)
{
    /* the task row's first tap, unpadded: each tap's positions are then
     * constant offsets from one pointer (the layer's sizes are
     * compile-time), one address a tap instead of three instructions a
     * multiply-add */
    __global const store_t *row = x + (long)(py * P * SH - PT) * W + (q0 * P * SW - PL);
    for (int c = 0; c < C; c++)
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++) {
                const float16 wv = LD16(0, w + ((c * KH + ky) * KW + kx) * 16);
                __global const store_t *tap = row + ((long)c * H + ky) * W + kx;
#pragma unroll
                for (int j = 0; j < QT * P * P; j++) {
                    const int dy = (j % (P * P)) / P, dx = (j / (P * P)) * P + j % P;
                    float xv;
                    if (PAD) {
                        const int iy = (py * P + dy) * SH - PT + ky;
                        const int ix = (q0 * P + dx) * SW - PL + kx;
                        xv = iy >= 0 && iy < H && ix >= 0 && ix < W
                                 ? LD(x, ((long)c * H + iy) * W + ix)
                                 : 0.0f;
                    } else {
                        xv = LD(tap, dy * SH * W + dx * SW);
                    }
                    acc[j] = fma((float16)(xv), wv, acc[j]);
                }
            }
}

#if STORE_HALF
/* A task row's input window per channel: (P - 1) * SH + KH rows of
 * (QT * P - 1) * SW + KW columns, staged as floats when it fits
 * CHAIN_STAGE (every size is a compile-time constant, so the choice is
 * made when the layer is compiled). */
#define CHAIN_STAGE 512
#define CHAIN_STAGED(P, SH, KH, QT, SW, KW)                                                   \
    (((P) - 1) * (SH) + (KH)) * (((QT) * (P) - 1) * (SW) + (KW)) <= CHAIN_STAGE

/* chain_conv_row for half tensors: each channel's window converted to
 * float once (zeros outside the input) and the taps read from it, one
 * conversion per input value instead of one per tap and position. With
 * chain_dense's converted blocks of 16, the lecture CNN's chained run in
 * half took 0.117-0.120 ms of device time on one PoCL thread instead of
 * 0.157-0.166 (fp32: 0.119-0.136). */
__attribute__((always_inline)) inline void chain_conv_row_staged(
    float16 *acc, __global const store_t *x, __global const store_t *w, const int py,
    const int q0, const int C, const int H, const int W, const int KH, const int KW, const int SH,
    const int SW, const int PT, const int PL, const int P, const int QT, const int PAD)
{
    const int SR = (P - 1) * SH + KH, SC = (QT * P - 1) * SW + KW;
    const int y0 = py * P * SH - PT, x0 = q0 * P * SW - PL;
    for (int c = 0; c < C; c++) {
        float win[CHAIN_STAGE];
        for (int r = 0; r < SR; r++)
            for (int q = 0; q < SC; q++) {
                const int iy = y0 + r, ix = x0 + q;
                win[r * SC + q] = !PAD || (iy >= 0 && iy < H && ix >= 0 && ix < W)
                                      ? LD(x, ((long)c * H + iy) * W + ix)
                                      : 0.0f;
            }
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++) {
                const float16 wv = LD16(0, w + ((c * KH + ky) * KW + kx) * 16);
#pragma unroll
                for (int j = 0; j < QT * P * P; j++) {
                    const int dy = (j % (P * P)) / P, dx = (j / (P * P)) * P + j % P;
                    acc[j] = fma((float16)(win[(dy * SH + ky) * SC + dx * SW + kx]), wv, acc[j]);
                }
            }
    }
}
#endif

/* Convolution task t: output channels 16 * ob .. (a packed weight panel)
 * of image n, pooled rows RT * rg .. and pooled columns q0 .. q0 + QT - 1
 * (the row's last tile moved left to end at OW: it computes the columns it
 * shares with the tile before again and stores only its own). Each output
 * position is one float16 accumulator over the 16 channels; P x P
 * positions make a pooled output (P = 1: no pool), the maximum of
 * act(sum + bias). Weights: panels [OC/16][C][KH][KW][16], then the
 * biases [OC/16 * 16]. PAD = 0 when no tap falls outside the input (no
 * bounds checks). */
__attribute__((always_inline)) inline void chain_conv(
    int t, __global store_t *arena, __global const store_t *weights, const long in_off,
    const long out_off, const long w_off, const long b_off, const int C, const int H, const int W,
    const int OC, const int KH, const int KW, const int SH, const int SW, const int PT,
    const int PL, const int OH, const int OW, const int P, const int QT, const int RT,
    const int PAD, const int act, const float act_a, const float act_b)
{
    const int tiles = (OW + QT - 1) / QT, row_groups = (OH + RT - 1) / RT;
    const int panels = (OC + 15) / 16;
    const int tile = t % tiles;
    t /= tiles;
    const int rg = t % row_groups;
    t /= row_groups;
    const int ob = t % panels, n = t / panels;
    const int q0 = min(tile * QT, OW - QT);
    __global const store_t *x = arena + in_off + (long)n * C * H * W;
    __global const store_t *w = weights + w_off + (long)ob * C * KH * KW * 16;
    const float16 bias = LD16(ob, weights + b_off);
    const int oc_here = min(16, OC - ob * 16);
    for (int py = rg * RT; py < min(OH, rg * RT + RT); py++) {
        float16 acc[CHAIN_NPOS];
#pragma unroll
        for (int j = 0; j < QT * P * P; j++)
            acc[j] = (float16)(0.0f);
#if STORE_HALF
        if (CHAIN_STAGED(P, SH, KH, QT, SW, KW))
            chain_conv_row_staged(acc, x, w, py, q0, C, H, W, KH, KW, SH, SW, PT, PL, P, QT, PAD);
        else
#endif
            chain_conv_row(acc, x, w, py, q0, C, H, W, KH, KW, SH, SW, PT, PL, P, QT, PAD);
#pragma unroll
        for (int q = 0; q < QT; q++) {
            if (q0 + q < tile * QT)
                continue; /* the tile before stores it */
            float16 m = chain_act(acc[q * P * P] + bias, act, act_a, act_b);
#pragma unroll
            for (int d = 1; d < P * P; d++)
                m = MAX_NAN(m, chain_act(acc[q * P * P + d] + bias, act, act_a, act_b));
            float v[16];
            vstore16(m, 0, v);
            __global store_t *y =
                arena + out_off + (((long)n * OC + ob * 16) * OH + py) * OW + q0 + q;
            for (int i = 0; i < oc_here; i++)
                ST(y, (long)i * OH * OW, v[i]);
        }
    }
}

/* Dense task t: outputs 16 * t .. (a packed panel, [N/16][K][16]) of the M
 * rows of Y = act(X W + bias), X [M, K] and Y [M, N] row-major; biases
 * [N/16 * 16] after the panels. MR rows at a time share each panel load
 * (at batch 8 the panel of the lecture CNN's first dense layer, 100 KB,
 * was read 8 times from L3 row by row: the run took 0.55 instead of 0.39
 * ms); a partial last block repeats its last row. Each row sums CH chains
 * over alternate k, so that MR * CH >= 4 FMAs are in flight (the FMA
 * latency). */
__attribute__((always_inline)) inline void chain_dense(
    const int t, __global store_t *arena, __global const store_t *weights, const long in_off,
    const long out_off, const long w_off, const long b_off, const int M, const int K, const int N,
    const int MR, const int act, const float act_a, const float act_b)
{
    const int CH = MR >= 4 ? 1 : 4 / MR;
    __global const store_t *w = weights + w_off + (long)t * K * 16;
    const float16 bias = LD16(t, weights + b_off);
    const int n_here = min(16, N - t * 16);
    for (int m0 = 0; m0 < M; m0 += MR) {
        __global const store_t *x[CHAIN_ROWS_MAX]; /* MR of them */
        float16 acc[CHAIN_ROWS_MAX][4];          /* MR x CH of them */
#pragma unroll
        for (int r = 0; r < MR; r++) {
            x[r] = arena + in_off + (long)min(m0 + r, M - 1) * K;
#pragma unroll
            for (int c = 0; c < CH; c++)
                acc[r][c] = (float16)(0.0f);
        }
        int k = 0;
#if STORE_HALF
        /* half: 16 values of each row converted in one instruction into
         * private floats, not one conversion per k and row */
        for (; k + 16 <= K; k += 16) {
            float xs[CHAIN_ROWS_MAX][16];
#pragma unroll
            for (int r = 0; r < MR; r++)
                vstore16(LD16(0, x[r] + k), 0, xs[r]);
#pragma unroll
            for (int kk = 0; kk < 16; kk += CH)
#pragma unroll
                for (int c = 0; c < CH; c++) {
                    const float16 wv = LD16(k + kk + c, w);
#pragma unroll
                    for (int r = 0; r < MR; r++)
                        acc[r][c] = fma((float16)(xs[r][kk + c]), wv, acc[r][c]);
                }
        }
#endif
        for (; k + CH <= K; k += CH)
#pragma unroll
            for (int c = 0; c < CH; c++) {
                const float16 wv = LD16(k + c, w);
#pragma unroll
                for (int r = 0; r < MR; r++)
                    acc[r][c] = fma((float16)(LD(x[r], k + c)), wv, acc[r][c]);
            }
        for (; k < K; k++) {
            const float16 wv = LD16(k, w);
#pragma unroll
            for (int r = 0; r < MR; r++)
                acc[r][0] = fma((float16)(LD(x[r], k)), wv, acc[r][0]);
        }
        for (int r = 0; r < min(MR, M - m0); r++) {
            float16 sum = acc[r][0];
#pragma unroll
            for (int c = 1; c < CH; c++)
                sum += acc[r][c];
            const float16 y = chain_act(sum + bias, act, act_a, act_b);
            __global store_t *out = arena + out_off + (long)(m0 + r) * N + t * 16;
            if (n_here == 16) {
                ST16(y, 0, out);
            } else {
                float v[16];
                vstore16(y, 0, v);
                for (int i = 0; i < n_here; i++)
                    ST(out, i, v[i]);
            }
        }
    }
}

/* Softmax task t: row t of [rows, N] (LOG: its logarithm), in float; the
 * maximum first, so that exp never overflows. */
__attribute__((always_inline)) inline void chain_softmax(const int t, __global store_t *arena,
                                                         const long in_off, const long out_off,
                                                         const int N, const int LOG)
{
    __global const store_t *x = arena + in_off + (long)t * N;
    __global store_t *y = arena + out_off + (long)t * N;
    float top = LD(x, 0);
    for (int i = 1; i < N; i++)
        top = MAX_NAN(top, LD(x, i));
    float sum = 0.0f;
    for (int i = 0; i < N; i++)
        sum += exp(LD(x, i) - top);
    if (LOG) {
        const float shift = top + log(sum);
        for (int i = 0; i < N; i++)
            ST(y, i, LD(x, i) - shift);
    } else {
        const float scale = 1.0f / sum;
        for (int i = 0; i < N; i++)
            ST(y, i, exp(LD(x, i) - top) * scale);
    }
}

#define CHAIN_CONV(...) chain_conv(t - first, arena, weights, __VA_ARGS__)
#define CHAIN_DENSE(...) chain_dense(t - first, arena, weights, __VA_ARGS__)
#define CHAIN_SOFTMAX(...) chain_softmax(t - first, arena, __VA_ARGS__)

/* Layer i's task when ticket t is one of its own. */
#define CHAIN_LAYER(i, first_ticket)                                                         \
    else if (t < E##i) {                                                                     \
        const int first = (first_ticket);                                                    \
        chain_wait(counters, first);                                                         \
        L##i;                                                                                \
    }

__kernel void chain_run(__global store_t *arena, long arena_off,
                        __global const store_t *restrict weights, long weights_off,
                        __global int *counters, long counters_off)
{
    arena += arena_off;
    weights += weights_off;
    counters += counters_off;
    for (;;) {
        const int t = atomic_inc(counters + CHAIN_TICKET);
        if (t >= CHAIN_TASKS)
            break;
        if (0) {
        }
#if CHAIN_LAYERS > 0
        CHAIN_LAYER(0, 0)
#endif
#if CHAIN_LAYERS > 1
        CHAIN_LAYER(1, E0)
#endif
#if CHAIN_LAYERS > 2
        CHAIN_LAYER(2, E1)
#endif
#if CHAIN_LAYERS > 3
        CHAIN_LAYER(3, E2)
#endif
#if CHAIN_LAYERS > 4
        CHAIN_LAYER(4, E3)
#endif
#if CHAIN_LAYERS > 5
        CHAIN_LAYER(5, E4)
#endif
#if CHAIN_LAYERS > 6
        CHAIN_LAYER(6, E5)
#endif
#if CHAIN_LAYERS > 7
        CHAIN_LAYER(7, E6)
#endif
        /* the task's writes before its count (atomic_inc is a full barrier) */
        mem_fence(CLK_GLOBAL_MEM_FENCE);
        (void)atomic_inc(counters + CHAIN_DONE);
    }
    /* the last work-group out resets the counters for the next run: the
     * others take no ticket any more, and the next launch starts after
     * this one ends (an in-order queue) */
    if (atomic_inc(counters + CHAIN_EXITED) == (int)get_num_groups(0) - 1) {
        counters[CHAIN_TICKET] = 0;
        counters[CHAIN_DONE] = 0;
        counters[CHAIN_EXITED] = 0;
    }
}
