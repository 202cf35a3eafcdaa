/*
 * session_typed.c — a session's inputs and outputs in the caller's element
 * type (float32, float16, int64, uint8): clinfer_session_set_input_typed
 * and _get_output_typed. The caller's bytes cross the bus as they are and
 * are converted on the device (kernels/convert.cl) through a staging
 * buffer kept by the session, so a uint8 image moves a quarter of the
 * bytes its floats would. float32 takes the float path of
 * clinfer_session_set_input; float16 in a half runtime is the tensor's own
 * storage and is copied without a conversion.
 */
#include <string.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include "ops/launch.h"
#include "session.h"
#include "shape.h"
#include "tensor.h"

/* Bytes of one element of a type the typed calls take; 0 for the others. */
static size_t typed_elem_bytes(clinfer_dtype dtype)
{
    switch (dtype) {
    case CLINFER_DTYPE_FLOAT32: return 4;
    case CLINFER_DTYPE_FLOAT16: return 2;
    case CLINFER_DTYPE_INT64: return 8;
    case CLINFER_DTYPE_UINT8: return 1;
    default: return 0;
    }
}

/* Checks the type and the caller's array against value v: *count gets its
 * element count. `name` is the input's or output's, for messages. */
static clinfer_status check_typed(clinfer_session *s, int32_t v, const char *name,
                                  clinfer_dtype dtype, const void *data, size_t bytes,
                                  size_t *count)
{
    char buf[128];
    const size_t elem = typed_elem_bytes(dtype);
    if (!elem)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "\"%s\": element type %d (%s) is not one of float32, float16, int64, "
                       "uint8",
                       name, (int)dtype, clinfer_onnx_type_name((int32_t)dtype));
    if (!data && bytes > 0)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "\"%s\": the data pointer is NULL (%zu bytes)", name, bytes);
    *count = (size_t)shape_numel(&s->shapes[v]);
    if (bytes != *count * elem)
        return err_set(s->rt, CLINFER_ERR_SHAPE,
                       "\"%s\" has shape %s: %zu elements of %s are %zu bytes; got %zu", name,
                       shape_str(&s->shapes[v], buf, sizeof buf), *count,
                       clinfer_onnx_type_name((int32_t)dtype), *count * elem, bytes);
    return CLINFER_OK;
}

/* The session's staging buffer, grown to at least `bytes`. The old one is
 * released at once: OpenCL keeps it until the commands using it finish. */
static clinfer_status stage_reserve(clinfer_session *s, size_t bytes)
{
    if (s->stage && s->stage_bytes >= bytes)
        return CLINFER_OK;
    if (s->stage)
        clReleaseMemObject(s->stage);
    s->stage = NULL;
    s->stage_bytes = 0;
    clinfer_status st = buffer_create(s->rt, bytes, NULL, &s->stage);
    if (st == CLINFER_OK)
        s->stage_bytes = bytes;
    return st;
}

/* Enqueues convert.cl's `kernel` for `count` elements of the caller's type
 * `dtype`, from `src` to `dst`, on the session's in-order queue (so a later
 * run, or a blocking read, comes after it). */
static clinfer_status convert(clinfer_session *s, const char *kernel, clinfer_dtype dtype,
                              dev_tensor src, dev_tensor dst, size_t count)
{
    op_launch l;
    karg a;
    opts o = opts_none();
    opts_add(&o, "-DIO_TYPE=%d", (int)dtype);
    launch_begin(s->rt, &l, "convert", &o, kernel, 0, &a);
    karg_tensor(&a, src);
    karg_tensor(&a, dst);
    karg_long(&a, (int64_t)count);
    clinfer_status st = launch_finish(s->rt, &l, &a);
    if (st != CLINFER_OK)
        return st;
    launch_grid1(&l, count);
    st = launch_enqueue_on(s->rt, s->queue, &l, NULL);
    launch_release(&l);
    return st;
}

/* A blocking copy of `bytes` between the host and `mem` at byte `offset`. */
static clinfer_status copy_bytes(clinfer_session *s, int to_device, cl_mem mem, size_t offset,
                                 size_t bytes, void *host)
{
    cl_int err = to_device ? clEnqueueWriteBuffer(s->queue, mem, CL_TRUE, offset, bytes, host, 0,
                                                  NULL, NULL)
                           : clEnqueueReadBuffer(s->queue, mem, CL_TRUE, offset, bytes, host, 0,
                                                 NULL, NULL);
    if (err == CL_SUCCESS)
        return CLINFER_OK;
    return err_cl(s->rt, err, to_device ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer");
}

/* Whether `dtype` is how the runtime stores tensors (no conversion). */
static int is_storage_type(const clinfer_session *s, clinfer_dtype dtype)
{
    return dtype == (rt_is_half(s->rt) ? CLINFER_DTYPE_FLOAT16 : CLINFER_DTYPE_FLOAT32);
}

/* Writes `count` elements of `dtype` into tensor t, input `index`. */
static clinfer_status upload(clinfer_session *s, size_t index, dev_tensor t, clinfer_dtype dtype,
                             const void *data, size_t count)
{
    const size_t bytes = count * typed_elem_bytes(dtype);
    if (is_storage_type(s, dtype))
        return session_upload_bytes(s, index, t.mem, (size_t)t.offset * rt_elem_bytes(s->rt),
                                    data, bytes);
    if (dtype == CLINFER_DTYPE_FLOAT32) /* into half storage: the host rounds */
        return session_upload_floats(s, index, t, data, count);
    clinfer_status st = stage_reserve(s, bytes);
    if (st == CLINFER_OK)
        st = copy_bytes(s, 1, s->stage, 0, bytes, (void *)data);
    if (st == CLINFER_OK)
        st = convert(s, "convert_in", dtype, dev_whole(s->stage), t, count);
    return st;
}

/* Reads tensor t into `count` elements of `dtype`. */
static clinfer_status download(clinfer_session *s, dev_tensor t, clinfer_dtype dtype,
                               void *data, size_t count)
{
    const size_t bytes = count * typed_elem_bytes(dtype);
    if (is_storage_type(s, dtype))
        return copy_bytes(s, 0, t.mem, (size_t)t.offset * rt_elem_bytes(s->rt), bytes, data);
    if (dtype == CLINFER_DTYPE_FLOAT32) /* from half storage: the host widens */
        return tensor_read_floats(s->rt, s->queue, t.mem, t.offset, count, data);
    clinfer_status st = stage_reserve(s, bytes);
    if (st == CLINFER_OK)
        st = convert(s, "convert_out", dtype, t, dev_whole(s->stage), count);
    if (st == CLINFER_OK)
        st = copy_bytes(s, 0, s->stage, 0, bytes, data);
    return st;
}

clinfer_status clinfer_session_set_input_typed(clinfer_session *s, size_t index,
                                               clinfer_dtype dtype, const void *data,
                                               size_t bytes)
{
    int32_t v = -1;
    size_t count = 0;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = session_io_value(s, index, 0, &v);
    if (st == CLINFER_OK)
        st = check_typed(s, v, s->m->g->values[v].name, dtype, data, bytes, &count);
    if (st == CLINFER_OK)
        st = session_input_unbind(s, index);
    if (st == CLINFER_OK && count > 0)
        st = upload(s, index, s->mem[v], dtype, data, count);
    if (st != CLINFER_OK)
        return session_fail(s, st);
    s->input_state[index] = INPUT_SET;
    s->transfers.uploads++;
    s->transfers.upload_bytes += bytes;
    return CLINFER_OK;
}

clinfer_status clinfer_session_get_output_typed(clinfer_session *s, size_t index,
                                                clinfer_dtype dtype, void *data, size_t bytes)
{
    int32_t v = -1;
    size_t count = 0;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = session_io_value(s, index, 1, &v);
    if (st == CLINFER_OK)
        st = check_typed(s, v, s->m->g->outputs[index].name, dtype, data, bytes, &count);
    if (st == CLINFER_OK && count > 0)
        st = download(s, s->mem[v], dtype, data, count);
    if (st != CLINFER_OK)
        return session_fail(s, st);
    s->transfers.downloads++;
    s->transfers.download_bytes += bytes;
    return CLINFER_OK;
}
