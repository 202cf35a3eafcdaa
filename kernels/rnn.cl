/*
 * rnn.cl — the recurrence of ONNX's RNN, GRU and LSTM (layout 0) over T
 * steps, once the input projections X_t W^T are computed for every step
 * by one MatMul (xw [T, B, D * G * H], graph_rnn.c builds it); the biases
 * (Wb + Rb, [D * G * H]) are added here, as xw is read.
 *
 * One work-group per (batch item b, direction d) walks the steps in order
 * (the reverse direction from T-1 down to 0); work-item i computes hidden
 * units j = i, i + L, ... of each step: its gates are xw plus the dot
 * product of R's row (ONNX's layout [D, G*H, H], a row contiguous, read in
 * float16 pieces) with the previous hidden state, which the group keeps in
 * local memory (ping-pong between two copies, a barrier per step; GRU
 * without linear_before_reset needs r * H_t-1 of every unit before its
 * candidate, a second barrier). The LSTM's cell state is local too: each
 * unit's is read and written by its own work-item only.
 *
 * Output y [T, D, B, H]: the steps' hidden states; with RNN_EXTRA, y is
 * [1 + EXTRA, T, D, B, H] and the first step-row of slab 1 holds the last
 * hidden state, that of slab 2 (EXTRA 2) the LSTM's last cell state
 * (ONNX's Y_h and Y_c, sliced off by the graph). The slabs' other rows
 * are written as zeros: no part of the tensor is left unset (clinfer
 * verify compares whole tensors, and unset memory may hold NaN or inf).
 *
 * Build options: RNN_CELL 0 RNN, 1 GRU, 2 LSTM; RNN_HAS_BIAS; RNN_LBR (GRU
 * linear_before_reset: rb holds R_bh [D, H]); RNN_INPUT_FORGET (LSTM
 * f = 1 - i); RNN_HAS_H0, RNN_HAS_C0, RNN_HAS_P (initial states, LSTM
 * peepholes [D, 3H] in the order i, o, f); RNN_CLIP (gate inputs limited
 * to [-clip, clip]). The activations are int arguments (acts[d * 3 + k], k
 * 0 f, 1 g, 2 h; the values of clinfer_activation), applied once per unit
 * and step: a switch costs nothing beside the dot products.
 */
#ifndef RNN_CELL
#define RNN_CELL 2
#endif
#define RNN_GATES (RNN_CELL == 0 ? 1 : RNN_CELL == 1 ? 3 : 4)

/* clinfer_activation's values of the activations a recurrence takes */
#define RNN_ACT_RELU 1
#define RNN_ACT_SIGMOID 4
#define RNN_ACT_TANH 5
#define RNN_ACT_SOFTPLUS 12
#define RNN_ACT_SOFTSIGN 13

static float rnn_act(int kind, float x)
{
    switch (kind) {
    case RNN_ACT_RELU:
        return x < 0.0f ? 0.0f : x;
    case RNN_ACT_SIGMOID:
        return 1.0f / (1.0f + exp(-x));
    case RNN_ACT_SOFTPLUS:
        return (x > 0.0f ? x : 0.0f) + log1p(exp(-fabs(x)));
    case RNN_ACT_SOFTSIGN:
        return x / (1.0f + fabs(x));
    default:
        return tanh(x);
    }
}

static float rnn_clip(float x, float clip)
{
#ifdef RNN_CLIP
    return fmin(fmax(x, -clip), clip);
#else
    return x;
#endif
}

/* row[0 .. n) . v[0 .. n): R's row from global memory (as stored), the
 * state from local memory, in float16 pieces then one by one. */
static float rnn_dot(__global const store_t *row, __local const float *v, int n)
{
    float16 acc = (float16)(0.0f);
    int k = 0;
    for (; k + 16 <= n; k += 16)
        acc = fma(LD16(0, row + k), vload16(0, v + k), acc);
    float s = 0.0f;
    for (; k < n; k++)
        s = fma(LD(row, k), v[k], s);
    const float8 a8 = acc.lo + acc.hi;
    const float4 a4 = a8.lo + a8.hi;
    const float2 a2 = a4.lo + a4.hi;
    return s + a2.x + a2.y;
}

__kernel void rnn_sequence(__global const store_t *xw, long xw_off, __global const store_t *r,
                           long r_off, __global const store_t *bias, long bias_off,
                           __global const store_t *rb, long rb_off,
                           __global const store_t *h0, long h0_off, __global const store_t *c0,
                           long c0_off, __global const store_t *p, long p_off,
                           __global store_t *y, long y_off, int T, int B, int H, int reverse_d1,
                           float clip, int act0, int act1, int act2, int act3, int act4, int act5,
                           __local float *mem)
{
    xw += xw_off, r += r_off, y += y_off;
    const int L = (int)get_local_size(0), li = (int)get_local_id(0);
    const int b = (int)get_group_id(1), d = (int)get_group_id(2), D = (int)get_num_groups(2);
    const int GH = RNN_GATES * H;
    const int acts[6] = {act0, act1, act2, act3, act4, act5};
    const int fa = acts[3 * d], ga = acts[3 * d + 1], ha = acts[3 * d + 2];
    /* forward unless this is the second direction, or a lone reverse one */
    const int reverse = d == 1 || reverse_d1;
    __global const store_t *rd = r + (long)d * GH * H;
#ifdef RNN_HAS_BIAS
    __global const store_t *bd = bias + bias_off + (long)d * GH;
#define XW(k) (LD(x, (k)) + LD(bd, (k)))
#else
#define XW(k) LD(x, (k))
#endif
    __local float *hcur = mem, *hnext = mem + H, *cell = mem + 2 * H, *rh = mem + 3 * H;
    (void)rh, (void)cell, (void)clip, (void)fa, (void)ga, (void)ha;

    for (int j = li; j < H; j += L) {
#ifdef RNN_HAS_H0
        hcur[j] = LD(h0 + h0_off, ((long)d * B + b) * H + j);
#else
        hcur[j] = 0.0f;
#endif
#if RNN_CELL == 2
#ifdef RNN_HAS_C0
        cell[j] = LD(c0 + c0_off, ((long)d * B + b) * H + j);
#else
        cell[j] = 0.0f;
#endif
#endif
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    for (int s = 0; s < T; s++) {
        const int t = reverse ? T - 1 - s : s;
        __global const store_t *x = xw + ((long)t * B + b) * D * GH + (long)d * GH;
        __global store_t *yt = y + (((long)t * D + d) * B + b) * H;
#if RNN_CELL == 0
        for (int j = li; j < H; j += L) {
            const float v = XW(j) + rnn_dot(rd + (long)j * H, hcur, H);
            const float hn = rnn_act(fa, rnn_clip(v, clip));
            hnext[j] = hn;
            ST(yt, j, hn);
        }
#elif RNN_CELL == 1
        /* z = f(x_z + R_z h), r = f(x_r + R_r h); the candidate g(x_h +
         * R_h (r * h)) or, linear_before_reset, g(x_h + r * (R_h h + R_bh)) */
#ifdef RNN_LBR
        for (int j = li; j < H; j += L) {
            const float z = rnn_act(fa, rnn_clip(XW(j) + rnn_dot(rd + (long)j * H, hcur, H), clip));
            const float rg =
                rnn_act(fa, rnn_clip(XW(H + j) + rnn_dot(rd + (long)(H + j) * H, hcur, H), clip));
            const float lin = rnn_dot(rd + (long)(2 * H + j) * H, hcur, H) +
                              LD(rb + rb_off, (long)d * H + j);
            const float cand = rnn_act(ga, rnn_clip(XW(2 * H + j) + rg * lin, clip));
            const float hn = (1.0f - z) * cand + z * hcur[j];
            hnext[j] = hn;
            ST(yt, j, hn);
        }
#else
        for (int j = li; j < H; j += L) {
            const float z = rnn_act(fa, rnn_clip(XW(j) + rnn_dot(rd + (long)j * H, hcur, H), clip));
            const float rg =
                rnn_act(fa, rnn_clip(XW(H + j) + rnn_dot(rd + (long)(H + j) * H, hcur, H), clip));
            cell[j] = z; /* the update gate, until the second pass */
            rh[j] = rg * hcur[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int j = li; j < H; j += L) {
            const float cand = rnn_act(
                ga, rnn_clip(XW(2 * H + j) + rnn_dot(rd + (long)(2 * H + j) * H, rh, H), clip));
            const float z = cell[j];
            const float hn = (1.0f - z) * cand + z * hcur[j];
            hnext[j] = hn;
            ST(yt, j, hn);
        }
#endif
#else
        /* LSTM: gates i, o, f, c in xw and R; peepholes i, o, f */
        for (int j = li; j < H; j += L) {
            const float cp = cell[j];
            float gi = XW(j) + rnn_dot(rd + (long)j * H, hcur, H);
            float go = XW(H + j) + rnn_dot(rd + (long)(H + j) * H, hcur, H);
            float gf = XW(2 * H + j) + rnn_dot(rd + (long)(2 * H + j) * H, hcur, H);
            const float gc = XW(3 * H + j) + rnn_dot(rd + (long)(3 * H + j) * H, hcur, H);
#ifdef RNN_HAS_P
            __global const store_t *pd = p + p_off + (long)d * 3 * H;
            gi = fma(LD(pd, j), cp, gi);
            gf = fma(LD(pd, 2 * H + j), cp, gf);
#endif
            const float i = rnn_act(fa, rnn_clip(gi, clip));
#ifdef RNN_INPUT_FORGET
            const float f = 1.0f - i;
#else
            const float f = rnn_act(fa, rnn_clip(gf, clip));
#endif
            const float cn = f * cp + i * rnn_act(ga, rnn_clip(gc, clip));
#ifdef RNN_HAS_P
            go = fma(LD(pd, H + j), cn, go);
#endif
            const float hn = rnn_act(fa, rnn_clip(go, clip)) * rnn_act(ha, cn);
            cell[j] = cn;
            hnext[j] = hn;
            ST(yt, j, hn);
        }
#endif
        barrier(CLK_LOCAL_MEM_FENCE);
        __local float *tmp = hcur;
        hcur = hnext;
        hnext = tmp;
    }

#ifdef RNN_EXTRA
    /* the last hidden state (and cell state) after the T steps */
    for (int j = li; j < H; j += L) {
        const long row = (long)D * B * H, slab = T * row, at = ((long)d * B + b) * H + j;
        ST(y, slab + at, hcur[j]);
#if RNN_EXTRA == 2 && RNN_CELL == 2
        ST(y, 2 * slab + at, cell[j]);
#endif
        for (int t = 1; t < T; t++)
            for (int e = 1; e <= RNN_EXTRA; e++)
                ST(y, e * slab + t * row + at, 0.0f);
    }
#endif
}
