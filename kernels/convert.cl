/*
 * convert.cl - a session's typed inputs and outputs
 * (clinfer_session_set_input_typed / _get_output_typed): the caller's
 * elements are uploaded as they are into a staging buffer and converted to
 * the tensor's store_t here, and back, so a uint8 image crosses the bus as
 * bytes rather than as four times as many float bytes.
 *
 * -DIO_TYPE selects the caller's element type (the values are
 * clinfer_dtype's, ONNX's codes): 1 float32 (only for a half runtime),
 * 2 uint8, 7 int64, 10 float16. To the caller's type, floats are rounded
 * to the nearest integer (ties to even) and saturated; NaN becomes 0
 * (OpenCL's convert_*_sat_rte), the host reference in tests/test_typed_io.c
 * does the same. Layout: flat, one element per work-item, n elements.
 */
#ifndef IO_TYPE
#define IO_TYPE 1
#endif

/* NaN is mapped to 0 before the conversion: the OpenCL spec gives 0 for
 * NaN in a _sat conversion, but NVIDIA's driver (580) gives LONG_MIN. */
#define NAN_TO_ZERO(v) (IS_NAN(v) ? 0.0f : (v))
#if IO_TYPE == 2
#define io_t uchar
#define IO_LD(p, i) ((float)(p)[i])
#define IO_ST(p, i, v) ((p)[i] = convert_uchar_sat_rte(NAN_TO_ZERO(v)))
#elif IO_TYPE == 7
#define io_t long
#define IO_LD(p, i) ((float)(p)[i])
#define IO_ST(p, i, v) ((p)[i] = convert_long_sat_rte(NAN_TO_ZERO(v)))
#elif IO_TYPE == 10
/* A half pointer is never dereferenced: vload_half/vstore_half are core
 * OpenCL, so this needs no cl_khr_fp16. */
#define io_t half
#define IO_LD(p, i) vload_half((i), (p))
#define IO_ST(p, i, v) vstore_half((v), (i), (p))
#else
#define io_t float
#define IO_LD(p, i) ((p)[i])
#define IO_ST(p, i, v) ((p)[i] = (v))
#endif

/* dst[i] = src[i] for the caller's elements src (an input). */
__kernel void convert_in(__global const io_t *src, long src_off, __global store_t *dst,
                         long dst_off, long n)
{
    const long i = get_global_id(0);
    if (i >= n)
        return;
    src += src_off;
    dst += dst_off;
    ST(dst, i, IO_LD(src, i));
}

/* dst[i] = src[i] into the caller's elements dst (an output). */
__kernel void convert_out(__global const store_t *src, long src_off, __global io_t *dst,
                          long dst_off, long n)
{
    const long i = get_global_id(0);
    if (i >= n)
        return;
    src += src_off;
    dst += dst_off;
    IO_ST(dst, i, LD(src, i));
}
