/*
 * batchnorm.cl - BatchNormalization (inference) as a per-channel affine map.
 *
 * batchnorm: X and Y [N, C, inner] flat (inner = product of the dims after
 * C; 1 for [N, C]), mul and add [C] (folded on the host from scale, B, mean,
 * var, epsilon): Y = X * mul[c] + add[c]. Work-item i computes the VW
 * consecutive elements [i*VW, i*VW + VW) with vector loads: the channel
 * coefficients are one broadcast value when the chunk lies inside one
 * channel, a vector load when inner == 1, and gathered otherwise. The last,
 * partial chunk is done one element at a time; items past the end return.
 * Y may alias X.
 *
 * Tunables: VW (4, 8 or 16; default 16).
 */


__kernel void batchnorm(__global const store_t *input, long input_off, __global const store_t *mul,
                        long mul_off, __global const store_t *add, long add_off,
                        __global store_t *output, long output_off, long n, long C, long inner)
{
    input += input_off;
    mul += mul_off;
    add += add_off;
    output += output_off;
    const size_t o = get_global_id(0) * (size_t)VW;
    if (o >= (size_t)n)
        return;
    const ulong q = o / (ulong)inner;
    ulong c = q % (ulong)C;         /* channel of element o */
    ulong r = o - q * (ulong)inner; /* position of o inside its channel */
    if (o + VW <= (size_t)n) {
        floatV m, b;
        if (r + VW <= (ulong)inner) {
            m = (floatV)(LD(mul, c));
            b = (floatV)(LD(add, c));
        } else if (inner == 1 && c + VW <= (ulong)C) {
            m = LDV(0, mul + c);
            b = LDV(0, add + c);
        } else {
            float tm[VW], tb[VW];
            for (int k = 0; k < VW; k++) {
                tm[k] = LD(mul, c);
                tb[k] = LD(add, c);
                if (++r == (ulong)inner) {
                    r = 0;
                    if (++c == (ulong)C)
                        c = 0;
                }
            }
            m = vloadV(0, tm);
            b = vloadV(0, tb);
        }
        STV(LDV(0, input + o) * m + b, 0, output + o);
    } else {
        for (size_t i = o; i < (size_t)n; i++) {
            ST(output, i, LD(input, i) * LD(mul, c) + LD(add, c));
            if (++r == (ulong)inner) {
                r = 0;
                if (++c == (ulong)C)
                    c = 0;
            }
        }
    }
}
