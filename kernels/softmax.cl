/*
 * softmax.cl - Softmax and LogSoftmax along one axis.
 *
 * Layout: the input (and the output, same shape) is a flat row-major array
 * viewed as [outer, len, inner]; each of the outer * inner lines of len
 * elements (stride inner) is normalised on its own:
 *   softmax:    y = exp(x - max) / sum(exp(x - max))
 *   logsoftmax: y = (x - max) - log(sum(exp(x - max)))
 * Subtracting the line's maximum keeps exp() finite for any input; a NaN
 * in a line makes the whole line NaN (PyTorch, ONNX Runtime).
 *
 * softmax_rows (inner == 1): work-item r does row r (contiguous), three
 *   passes (max, sum, write) with VW-wide vector loads and a scalar tail.
 * softmax_strided (inner > 1): work-item g does VW adjacent lines of one
 *   outer slice, inner positions [i0, i0 + VW), as one vector per step along
 *   len (contiguous loads); the last chunk of a slice, when inner is not a
 *   multiple of VW, is done line by line.
 * Items past the end return. A line is read three times and written once;
 * output may alias input (every item reads a line before writing it).
 *
 * Tunables: LOG_SOFTMAX (0/1), VW (4, 8 or 16; default 16).
 */
#ifndef LOG_SOFTMAX
#define LOG_SOFTMAX 0
#endif


inline float hmax(floatV v)
{
    float t[VW];
    vstoreV(v, 0, t);
    float m = t[0];
    for (int k = 1; k < VW; k++)
        m = MAX_NAN(m, t[k]);
    return m;
}

__kernel void softmax_rows(__global const store_t *input, long input_off, __global store_t *output,
                           long output_off, long rows, long len)
{
    input += input_off;
    output += output_off;
    const size_t r = get_global_id(0);
    if (r >= (size_t)rows)
        return;
    __global const store_t *x = input + r * (size_t)len;
    __global store_t *y = output + r * (size_t)len;
    const size_t L = (size_t)len, LV = L / VW * VW;

    floatV vm = (floatV)(-INFINITY);
    for (size_t j = 0; j < LV; j += VW) {
        const floatV val = LDV(0, x + j);
        vm = MAX_NAN(vm, val);
    }
    float m = hmax(vm);
    for (size_t j = LV; j < L; j++) {
        const float val = LD(x, j);
        m = MAX_NAN(m, val);
    }

    floatV vs = (floatV)(0.0f);
    for (size_t j = 0; j < LV; j += VW)
        vs += exp(LDV(0, x + j) - m);
    float s = hsum(vs);
    for (size_t j = LV; j < L; j++)
        s += exp(LD(x, j) - m);

#if LOG_SOFTMAX
    const float ls = log(s);
    for (size_t j = 0; j < LV; j += VW)
        STV((LDV(0, x + j) - m) - ls, 0, y + j);
    for (size_t j = LV; j < L; j++)
        ST(y, j, (LD(x, j) - m) - ls);
#else
    for (size_t j = 0; j < LV; j += VW)
        STV(exp(LDV(0, x + j) - m) / s, 0, y + j);
    for (size_t j = LV; j < L; j++)
        ST(y, j, exp(LD(x, j) - m) / s);
#endif
}

__kernel void softmax_strided(__global const store_t *input, long input_off,
                              __global store_t *output, long output_off, long outer, long len,
                              long inner)
{
    input += input_off;
    output += output_off;
    const size_t g = get_global_id(0);
    const size_t chunks = ((size_t)inner + VW - 1) / VW;
    if (g >= (size_t)outer * chunks)
        return;
    const size_t o = g / chunks, i0 = g % chunks * VW;
    const size_t L = (size_t)len, S = (size_t)inner;
    __global const store_t *x = input + o * L * S + i0;
    __global store_t *y = output + o * L * S + i0;

    if (i0 + VW <= S) {
        floatV m = (floatV)(-INFINITY);
        for (size_t l = 0; l < L; l++) {
            const floatV val = LDV(0, x + l * S);
            m = MAX_NAN(m, val);
        }
        floatV s = (floatV)(0.0f);
        for (size_t l = 0; l < L; l++)
            s += exp(LDV(0, x + l * S) - m);
#if LOG_SOFTMAX
        const floatV ls = log(s);
        for (size_t l = 0; l < L; l++)
            STV((LDV(0, x + l * S) - m) - ls, 0, y + l * S);
#else
        for (size_t l = 0; l < L; l++)
            STV(exp(LDV(0, x + l * S) - m) / s, 0, y + l * S);
#endif
    } else {
        for (size_t i = 0; i < S - i0; i++) {
            float m = -INFINITY;
            for (size_t l = 0; l < L; l++) {
                const float val = LD(x, l * S + i);
                m = MAX_NAN(m, val);
            }
            float s = 0.0f;
            for (size_t l = 0; l < L; l++)
                s += exp(LD(x, l * S + i) - m);
#if LOG_SOFTMAX
            const float ls = log(s);
            for (size_t l = 0; l < L; l++)
                ST(y, l * S + i, (LD(x, l * S + i) - m) - ls);
#else
            for (size_t l = 0; l < L; l++)
                ST(y, l * S + i, exp(LD(x, l * S + i) - m) / s);
#endif
        }
    }
}
