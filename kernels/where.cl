/*
 * where.cl — Where (ONNX): out = cond ? a : b over contiguous row-major
 * tensors broadcast together.
 *
 * where_nd: the output dims arrive innermost first (slot 0 innermost,
 * 0 <= rank <= 8; unused slots have size 1 and stride 0): output dim d has
 * size OD[d], and operand cond / a / b steps CS[d] / AS[d] / BS[d]
 * elements along it (0 where it is broadcast). Work-item (x, y, z)
 * computes the output element with coordinate x in dim 0, y in dim 1 and
 * the coordinates of dims 2.. taken from z; items past OD[0] return.
 * cond is true when nonzero (NaN included). Sizes fit 31 bits.
 *
 * WHERE_OP > 0 makes the same kernel the comparisons and logic ops that
 * compute conditions (ONNX Equal, Less, LessOrEqual, Greater,
 * GreaterOrEqual, And, Or, Xor; values of compare_kind in
 * host/ops/where.h): out = 1 or 0 from a and b; cond is not read (the
 * host binds a there with stride 0). Comparisons with NaN are false, as
 * in IEEE; And, Or and Xor take nonzero as true.
 *
 * Tunables: WHERE_OP (0 Where). The host merges dims that every operand
 * walks alike, so equal shapes are one dim.
 */
#ifndef WHERE_OP
#define WHERE_OP 0
#endif

#if WHERE_OP == 1
#define COMPARE(x, y) ((x) == (y))
#elif WHERE_OP == 2
#define COMPARE(x, y) ((x) < (y))
#elif WHERE_OP == 3
#define COMPARE(x, y) ((x) <= (y))
#elif WHERE_OP == 4
#define COMPARE(x, y) ((x) > (y))
#elif WHERE_OP == 5
#define COMPARE(x, y) ((x) >= (y))
#elif WHERE_OP == 6
#define COMPARE(x, y) ((x) != 0.0f && (y) != 0.0f)
#elif WHERE_OP == 7
#define COMPARE(x, y) ((x) != 0.0f || (y) != 0.0f)
#elif WHERE_OP == 8
#define COMPARE(x, y) (((x) != 0.0f) != ((y) != 0.0f))
#elif WHERE_OP != 0
#error "where.cl: unknown WHERE_OP"
#endif
__kernel void where_nd(__global const store_t *restrict cond, long cond_off,
                       __global const store_t *restrict a, long a_off,
                       __global const store_t *restrict b, long b_off,
                       __global store_t *restrict output, long output_off, int rank,
                       INT8_ARGS(od), INT8_ARGS(cs), INT8_ARGS(as), INT8_ARGS(bs))
{
    cond += cond_off;
    a += a_off;
    b += b_off;
    output += output_off;
    ND_ITEM(od0);
    long ci = (long)x * cs0 + (long)y * cs1, ai = (long)x * as0 + (long)y * as1,
         bi = (long)x * bs0 + (long)y * bs1;
    uint rem = (uint)z;
#define WHERE_OUTER_DIM(k)                          \
    if (k < rank) {                                 \
        const long c = rem % (uint)od##k;           \
        ci += c * cs##k;                            \
        ai += c * as##k;                            \
        bi += c * bs##k;                            \
        rem /= (uint)od##k;                         \
    }
    WHERE_OUTER_DIM(2) WHERE_OUTER_DIM(3) WHERE_OUTER_DIM(4)
    WHERE_OUTER_DIM(5) WHERE_OUTER_DIM(6) WHERE_OUTER_DIM(7)
#if WHERE_OP == 0
    const float v = LD(cond, ci) != 0.0f ? LD(a, ai) : LD(b, bi);
#else
    (void)ci;
    const float v = COMPARE(LD(a, ai), LD(b, bi)) ? 1.0f : 0.0f;
#endif
    ST(output, (z * (size_t)od1 + (size_t)y) * (size_t)od0 + (size_t)x, v);
}
