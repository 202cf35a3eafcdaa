/*
 * eltwise.cl - element-wise unary and binary ops on contiguous fp32 tensors.
 *
 * Layout: every buffer is a flat row-major array (any rank). The output is
 * cut into chunks of VW consecutive elements; work-item i computes output
 * elements [i*VW, i*VW + VW) with VW-wide vector loads, math and a store.
 * The last chunk, when n is not a multiple of VW, is done one element at a
 * time (the scalar tail); items past the end return.
 *
 * These ops are memory-bound: on PoCL explicit vectors compile straight to
 * AVX-512 registers, while the work-item loop is often left scalar.
 *
 * Kernels (one program per define set; only the selected kernel is built):
 *   eltwise_unary   -DUNARY=<UNARY_*> (and -DACT=<ACT_*> for UNARY_ACT)
 *                   out = f(in)
 *   binary_same     -DBINOP=<BIN_*> -DBCAST=BCAST_SAME
 *                   out[i] = a[i] op b[i]
 *   binary_scalar   -DBCAST=BCAST_SCALAR_A / _B: one operand is a[0] / b[0]
 *   binary_channel  -DBCAST=BCAST_CHANNEL_A / _B: the partial operand P is
 *                   indexed by (i / inner) % C; the other is full
 *   binary_general  -DBCAST=BCAST_GENERAL: any broadcast. The host collapses
 *                   the output to at most 8 dims (adjacent dims merge when
 *                   both operands are broadcast, or full, along both) and
 *                   passes their extents and, per operand, a bit mask of the
 *                   dims along which it is full (not broadcast).
 * Binary ops apply the fused activation ACT (prelude.cl) to the result.
 *
 * Every binary variant computes the element at a given flat index with the
 * same expression and the same vector/scalar choice (vector unless in the
 * final partial chunk), so all variants give bit-identical results.
 *
 * Tunables: VW, the vector width (4, 8 or 16; default 16).
 * Assumptions: buffers hold exactly their tensors; sizes are passed as long.
 */


/* Unary kinds: the values of unary_kind in host/ops/eltwise.h. */
#define UNARY_ACT 0
#define UNARY_EXP 1
#define UNARY_LOG 2
#define UNARY_SQRT 3
#define UNARY_NEG 4
#define UNARY_ABS 5
#define UNARY_RECIPROCAL 6
#define UNARY_ERF 7
#define UNARY_FLOOR 8
#define UNARY_CEIL 9
#define UNARY_ROUND 10
#define UNARY_SIGN 11
#define UNARY_SIN 12
#define UNARY_COS 13
#define UNARY_TAN 14
#define UNARY_ASIN 15
#define UNARY_ACOS 16
#define UNARY_ATAN 17
#define UNARY_SINH 18
#define UNARY_COSH 19
#define UNARY_ASINH 20
#define UNARY_ACOSH 21
#define UNARY_ATANH 22
#define UNARY_QUANTIZE_U8 23
#define UNARY_QUANTIZE_S8 24
#define UNARY_DEQUANTIZE 25

/* Binary ops and variants: binary_op and binary_variant in eltwise.h. */
#define BIN_ADD 0
#define BIN_SUB 1
#define BIN_MUL 2
#define BIN_DIV 3
#define BIN_POW 4
#define BIN_MAX 5
#define BIN_MIN 6
#define BIN_PRELU 7

#define BCAST_SAME 1
#define BCAST_SCALAR_A 2
#define BCAST_SCALAR_B 3
#define BCAST_CHANNEL_A 4
#define BCAST_CHANNEL_B 5
#define BCAST_GENERAL 6

/* ACT_ANY, the fused activation on vectors, comes from prelude.cl. */

/* ------------------------------------------------------------------ unary */
#ifdef UNARY

#if UNARY == UNARY_ACT
#define UNARY_F(x) ACT_ANY(x)
#elif UNARY == UNARY_EXP
#define UNARY_F(x) exp(x)
#elif UNARY == UNARY_LOG
#define UNARY_F(x) log(x)
#elif UNARY == UNARY_SQRT
#define UNARY_F(x) sqrt(x)
#elif UNARY == UNARY_NEG
#define UNARY_F(x) (-(x))
#elif UNARY == UNARY_ABS
#define UNARY_F(x) fabs(x)
#elif UNARY == UNARY_RECIPROCAL
#define UNARY_F(x) (1.0f / (x))
#elif UNARY == UNARY_ERF
#define UNARY_F(x) erf(x)
#elif UNARY == UNARY_FLOOR
#define UNARY_F(x) floor(x)
#elif UNARY == UNARY_CEIL
#define UNARY_F(x) ceil(x)
#elif UNARY == UNARY_ROUND /* rint: to nearest, halves to even, as ONNX Round */
#define UNARY_F(x) rint(x)
#elif UNARY == UNARY_SIGN /* OpenCL's sign gives 0 for NaN; ONNX keeps NaN */
#define UNARY_F(x) select(sign(x), (x), IS_NAN(x))
#elif UNARY == UNARY_SIN
#define UNARY_F(x) sin(x)
#elif UNARY == UNARY_COS
#define UNARY_F(x) cos(x)
#elif UNARY == UNARY_TAN
#define UNARY_F(x) tan(x)
#elif UNARY == UNARY_ASIN
#define UNARY_F(x) asin(x)
#elif UNARY == UNARY_ACOS
#define UNARY_F(x) acos(x)
#elif UNARY == UNARY_ATAN
#define UNARY_F(x) atan(x)
#elif UNARY == UNARY_SINH
#define UNARY_F(x) sinh(x)
#elif UNARY == UNARY_COSH
#define UNARY_F(x) cosh(x)
#elif UNARY == UNARY_ASINH
#define UNARY_F(x) asinh(x)
#elif UNARY == UNARY_ACOSH
#define UNARY_F(x) acosh(x)
#elif UNARY == UNARY_ATANH
#define UNARY_F(x) atanh(x)
/* ONNX QuantizeLinear (act_a the scale, act_b the zero point; prelude.cl's
 * QUANTIZE_TO) and DequantizeLinear */
#elif UNARY == UNARY_QUANTIZE_U8
#define UNARY_F(x) QUANTIZE_TO(x, 0.0f, 255.0f)
#elif UNARY == UNARY_QUANTIZE_S8
#define UNARY_F(x) QUANTIZE_TO(x, -128.0f, 127.0f)
#elif UNARY == UNARY_DEQUANTIZE
#define UNARY_F(x) (((x) - act_b) * act_a)
#else
#error "eltwise.cl: unknown UNARY"
#endif

__kernel void eltwise_unary(__global const store_t *input, long input_off, __global store_t *output,
                            long output_off, long n, float act_a, float act_b)
{
    input += input_off;
    output += output_off;
    const size_t o = get_global_id(0) * (size_t)VW;
    if (o >= (size_t)n)
        return;
    if (o + VW <= (size_t)n) {
        const floatV x = LDV(0, input + o);
#if UNARY == UNARY_SIN || UNARY == UNARY_COS || UNARY == UNARY_TAN
        /* PoCL 3.1's vector sin, cos and tan, given a lane past about 1e7
         * (its other argument reduction), return wrong values in the small
         * lanes (sin(-1e-3) = -0.008 beside a 1e30, tan alike): such
         * vectors go lane by lane, as the tail does. */
        if (any(fabs(x) > 1e6f)) {
            for (size_t i = o; i < o + VW; i++)
                ST(output, i, UNARY_F(LD(input, i)));
            return;
        }
#endif
        STV(UNARY_F(x), 0, output + o);
    } else {
        for (size_t i = o; i < (size_t)n; i++) {
            const float x = LD(input, i);
            ST(output, i, UNARY_F(x));
        }
    }
}

#endif /* UNARY */

/* ----------------------------------------------------------------- binary */
#ifdef BINOP

#if BINOP == BIN_ADD
#define BIN(x, y) ((x) + (y))
#elif BINOP == BIN_SUB
#define BIN(x, y) ((x) - (y))
#elif BINOP == BIN_MUL
#define BIN(x, y) ((x) * (y))
#elif BINOP == BIN_DIV
#define BIN(x, y) ((x) / (y))
#elif BINOP == BIN_POW
#define BIN(x, y) pow((x), (y))
#elif BINOP == BIN_MAX
#define BIN(x, y) MAX_NAN((x), (y))
#elif BINOP == BIN_MIN /* the smaller, NaN if either is NaN (as MAX_NAN) */
#define BIN(x, y) (((x) < (y)) | IS_NAN(x) ? (x) : (y))
#elif BINOP == BIN_PRELU /* y: the slope; NaN x fails the compare and stays */
#define BIN(x, y) ((x) < 0.0f ? (x) * (y) : (x))
#else
#error "eltwise.cl: unknown BINOP"
#endif

/* The element (or vector of elements) of the result. */
#define RESULT_V(x, y) ACT_ANY(BIN((x), (y)))
#define RESULT_S(x, y) apply_act(BIN((x), (y)), act_a, act_b)

/* For the one-sided variants: FULL is the operand with the output's shape,
 * PART the broadcast one; COMBINE keeps the a-op-b order. */
#if BCAST == BCAST_SCALAR_A || BCAST == BCAST_CHANNEL_A
#define FULL b
#define PART a
#define COMBINE_V(full, part) RESULT_V(part, full)
#define COMBINE_S(full, part) RESULT_S(part, full)
#else
#define FULL a
#define PART b
#define COMBINE_V(full, part) RESULT_V(full, part)
#define COMBINE_S(full, part) RESULT_S(full, part)
#endif

#if BCAST == BCAST_SAME

__kernel void binary_same(__global const store_t *a, long a_off, __global const store_t *b,
                          long b_off, __global store_t *out, long out_off, long n, float act_a,
                          float act_b)
{
    a += a_off;
    b += b_off;
    out += out_off;
    const size_t o = get_global_id(0) * (size_t)VW;
    if (o >= (size_t)n)
        return;
    if (o + VW <= (size_t)n) {
        STV(RESULT_V(LDV(0, a + o), LDV(0, b + o)), 0, out + o);
    } else {
        for (size_t i = o; i < (size_t)n; i++)
            ST(out, i, RESULT_S(LD(a, i), LD(b, i)));
    }
}

#elif BCAST == BCAST_SCALAR_A || BCAST == BCAST_SCALAR_B

__kernel void binary_scalar(__global const store_t *a, long a_off, __global const store_t *b,
                            long b_off, __global store_t *out, long out_off, long n, float act_a,
                            float act_b)
{
    a += a_off;
    b += b_off;
    out += out_off;
    const size_t o = get_global_id(0) * (size_t)VW;
    if (o >= (size_t)n)
        return;
    const float s = LD(PART, 0);
    if (o + VW <= (size_t)n) {
        STV(COMBINE_V(LDV(0, FULL + o), (floatV)(s)), 0, out + o);
    } else {
        for (size_t i = o; i < (size_t)n; i++)
            ST(out, i, COMBINE_S(LD(FULL, i), s));
    }
}

#elif BCAST == BCAST_CHANNEL_A || BCAST == BCAST_CHANNEL_B

/* The output is [outer, C, inner] (flat); PART holds C values. */
__kernel void binary_channel(__global const store_t *a, long a_off, __global const store_t *b,
                             long b_off, __global store_t *out, long out_off, long n, long C,
                             long inner, float act_a, float act_b)
{
    a += a_off;
    b += b_off;
    out += out_off;
    const size_t o = get_global_id(0) * (size_t)VW;
    if (o >= (size_t)n)
        return;
    const ulong q = o / (ulong)inner;
    ulong c = q % (ulong)C;        /* channel of element o */
    ulong r = o - q * (ulong)inner; /* position of o inside its channel */
    if (o + VW <= (size_t)n) {
        floatV p;
        if (inner == 1 && c + VW <= (ulong)C) {
            p = LDV(0, PART + c); /* the chunk walks along the channels */
        } else if (r + VW <= (ulong)inner) {
            p = (floatV)(LD(PART, c)); /* the chunk lies inside one channel */
        } else {
            float t[VW];
            for (int k = 0; k < VW; k++) {
                t[k] = LD(PART, c);
                if (++r == (ulong)inner) {
                    r = 0;
                    if (++c == (ulong)C)
                        c = 0;
                }
            }
            p = vloadV(0, t);
        }
        STV(COMBINE_V(LDV(0, FULL + o), p), 0, out + o);
    } else {
        for (size_t i = o; i < (size_t)n; i++) {
            ST(out, i, COMBINE_S(LD(FULL, i), LD(PART, c)));
            if (++r == (ulong)inner) {
                r = 0;
                if (++c == (ulong)C)
                    c = 0;
            }
        }
    }
}

#elif BCAST == BCAST_GENERAL

#define MAXR 8

/* Steps the coordinates cd (output dims D) and the operand offsets ia, ib
 * (strides sa, sb; 0 along broadcast dims) to the next flat element. */
#define ADVANCE()                                   \
    for (int d = rank - 1; d >= 0; d--) {           \
        ia += sa[d];                                \
        ib += sb[d];                                \
        if (++cd[d] < D[d])                         \
            break;                                  \
        ia -= sa[d] * D[d];                         \
        ib -= sb[d] * D[d];                         \
        cd[d] = 0;                                  \
    }

/* dims: extents of the collapsed output, outermost first, in .s0...; only
 * the first `rank` (1..8) are used. Bit d of amask / bmask: a / b is full
 * along dim d (otherwise it has extent 1 there). */
__kernel void binary_general(__global const store_t *a, long a_off, __global const store_t *b,
                             long b_off, __global store_t *out, long out_off, long n, int rank,
                             long8 dims, int amask, int bmask, float act_a, float act_b)
{
    a += a_off;
    b += b_off;
    out += out_off;
    const size_t o = get_global_id(0) * (size_t)VW;
    if (o >= (size_t)n)
        return;
    long D[MAXR], sa[MAXR], sb[MAXR], cd[MAXR];
    vstore8(dims, 0, D);
    long pa = 1, pb = 1, ia = 0, ib = 0, rem = (long)o;
    for (int d = rank - 1; d >= 0; d--) {
        const int fa = (amask >> d) & 1, fb = (bmask >> d) & 1;
        sa[d] = fa ? pa : 0;
        sb[d] = fb ? pb : 0;
        pa *= fa ? D[d] : 1;
        pb *= fb ? D[d] : 1;
        cd[d] = rem % D[d];
        rem /= D[d];
        ia += cd[d] * sa[d];
        ib += cd[d] * sb[d];
    }
    if (o + VW <= (size_t)n) {
        floatV va, vb;
        if (cd[rank - 1] + VW <= D[rank - 1]) {
            /* inside one innermost row: each operand is contiguous or one value */
            va = sa[rank - 1] ? LDV(0, a + ia) : (floatV)(LD(a, ia));
            vb = sb[rank - 1] ? LDV(0, b + ib) : (floatV)(LD(b, ib));
        } else {
            float ta[VW], tb[VW];
            for (int k = 0; k < VW; k++) {
                ta[k] = LD(a, ia);
                tb[k] = LD(b, ib);
                ADVANCE();
            }
            va = vloadV(0, ta);
            vb = vloadV(0, tb);
        }
        STV(RESULT_V(va, vb), 0, out + o);
    } else {
        for (size_t i = o; i < (size_t)n; i++) {
            ST(out, i, RESULT_S(LD(a, ia), LD(b, ib)));
            ADVANCE();
        }
    }
}

#else
#error "eltwise.cl: unknown BCAST"
#endif

#endif /* BINOP */
