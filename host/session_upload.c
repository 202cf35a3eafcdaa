/*
 * session_upload.c — graph inputs written without waiting: the caller's
 * values are copied into the session's host memory for that input (rounded
 * to half in a half runtime), the write to the device is enqueued on the
 * session's in-order queue (so the run's kernels come after it), and the
 * call returns; the caller's memory is free again at once.
 *
 * Why: on PoCL a blocking write is a round trip through its worker thread,
 * about 45 us of the lecture CNN's 0.2 ms batch-1 run on a 2-core EPYC;
 * enqueued, the write overlaps the caller's enqueuing of the run, and the
 * run's blocking read is the only round trip left. Inputs of more than
 * UPLOAD_STAGED_MAX bytes are written blocking, from the caller's memory:
 * their extra host copy would cost about what the round trip does.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "half.h"
#include "runtime.h"
#include "session.h"
#include "tensor.h"

#define UPLOAD_STAGED_MAX ((size_t)256 << 10)

/* Input `index`'s host memory, at least `bytes`, once the write that last
 * read it has finished. */
static clinfer_status stage_for(clinfer_session *s, size_t index, size_t bytes, void **out)
{
    input_stage *st = &s->in_stage[index];
    if (st->pending) {
        const cl_int err = clWaitForEvents(1, &st->pending);
        clReleaseEvent(st->pending);
        st->pending = NULL;
        if (err != CL_SUCCESS)
            return err_cl(s->rt, err, "clWaitForEvents (the input's previous write)");
    }
    if (st->bytes < bytes) {
        void *grown = realloc(st->host, bytes);
        if (!grown)
            return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY,
                           "out of memory staging an input of %zu bytes", bytes);
        st->host = grown;
        st->bytes = bytes;
    }
    *out = st->host;
    return CLINFER_OK;
}

/* The write of input `index`'s staged bytes, not waited for. */
static clinfer_status enqueue_staged(clinfer_session *s, size_t index, cl_mem mem, size_t offset,
                                     size_t bytes)
{
    input_stage *st = &s->in_stage[index];
    const cl_int err = clEnqueueWriteBuffer(s->queue, mem, CL_FALSE, offset, bytes, st->host, 0,
                                            NULL, &st->pending);
    return err == CL_SUCCESS ? CLINFER_OK : err_cl(s->rt, err, "clEnqueueWriteBuffer");
}

clinfer_status session_upload_bytes(clinfer_session *s, size_t index, cl_mem mem, size_t offset,
                                    const void *data, size_t bytes)
{
    if (bytes > UPLOAD_STAGED_MAX) {
        const cl_int err = clEnqueueWriteBuffer(s->queue, mem, CL_TRUE, offset, bytes, data, 0,
                                                NULL, NULL);
        return err == CL_SUCCESS ? CLINFER_OK : err_cl(s->rt, err, "clEnqueueWriteBuffer");
    }
    void *host = NULL;
    clinfer_status st = stage_for(s, index, bytes, &host);
    if (st != CLINFER_OK)
        return st;
    memcpy(host, data, bytes);
    return enqueue_staged(s, index, mem, offset, bytes);
}

clinfer_status session_upload_floats(clinfer_session *s, size_t index, dev_tensor t,
                                     const float *data, size_t count)
{
    const size_t elem = rt_elem_bytes(s->rt), offset = (size_t)t.offset * elem;
    if (!rt_is_half(s->rt))
        return session_upload_bytes(s, index, t.mem, offset, data, count * elem);
    if (count * elem > UPLOAD_STAGED_MAX)
        return tensor_write_floats(s->rt, s->queue, t.mem, t.offset, count, data);
    void *host = NULL;
    clinfer_status st = stage_for(s, index, count * elem, &host);
    if (st != CLINFER_OK)
        return st;
    half_from_floats(data, host, count);
    return enqueue_staged(s, index, t.mem, offset, count * elem);
}

void session_upload_free(clinfer_session *s)
{
    for (int32_t i = 0; s->in_stage && i < s->m->g->input_count; i++) {
        if (s->in_stage[i].pending)
            clReleaseEvent(s->in_stage[i].pending);
        free(s->in_stage[i].host);
    }
    free(s->in_stage);
    s->in_stage = NULL;
}
