/*
 * concat.cl - Concat: copies one input into its slice of the output.
 *
 * concat_copy: the input (contiguous, row-major) is viewed as outer blocks
 * of `block` elements (block = dims[axis] * inner); the output as outer
 * blocks of `out_block` elements (its dims[axis] * inner). Work-item i
 * copies input element i = o * block + r to output o * out_block + offset
 * + r, where `offset` is the start of this input's slice in a block. One
 * launch per input; items past n return. n and the output size < 2^31.
 */
__kernel void concat_copy(__global const float *restrict input,
                          __global float *restrict output,
                          int n, int block, int out_block, int offset)
{
    const size_t i = get_global_id(0);
    if (i >= (size_t)n)
        return;
    const uint o = (uint)i / (uint)block;
    const uint r = (uint)i - o * (uint)block;
    output[(size_t)o * (size_t)out_block + (size_t)offset + r] = input[i];
}
