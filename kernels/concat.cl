/*
 * concat.cl - Concat: copies one input into its slice of the output.
 *
 * concat_copy: the input (contiguous, row-major) is viewed as `outer`
 * blocks of `block` elements (block = dims[axis] * inner), the output as
 * `outer` blocks of `out_block` elements (its dims[axis] * inner).
 * Work-item (r, o) copies element r of input block o to element `offset`
 * + r of output block o, where `offset` is where this input's slice starts
 * in a block; items past the block return. One launch per input; the
 * output has fewer than 2^31 elements.
 */
__kernel void concat_copy(__global const store_t *restrict input, long input_off,
                          __global store_t *restrict output, long output_off,
                          int block, int out_block, int offset)
{
    input += input_off;
    output += output_off;
    const size_t r = get_global_id(0), o = get_global_id(1);
    if (r >= (size_t)block)
        return;
    ST(output, o * (size_t)out_block + (size_t)offset + r, LD(input, o * (size_t)block + r));
}
