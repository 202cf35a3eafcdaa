/*
 * session_io.c — a session's inputs and outputs: shapes, host arrays in and
 * out (one counted copy each), and inputs and outputs bound to caller cl_mem
 * buffers (clinfer_cl.h).
 *
 * Binding either points every value that shares the tensor's memory at the
 * caller's buffer and offset (kernels take (buffer, offset) pairs, so any
 * float-aligned offset in any buffer, a sub-buffer included, works) and
 * re-prepares the kernels that touch it — no copy — or, where the kernels
 * cannot use it
 * directly, adds one device-to-device copy at the start (inputs) or end
 * (outputs) of each run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include "clinfer_cl.h"
#include "replay.h"
#include "session.h"
#include "shape.h"
#include "tensor.h"

void session_binding_release(io_binding *b)
{
    if (b->user)
        clReleaseMemObject(b->user);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------ I/O */

clinfer_status session_io_value(clinfer_session *s, size_t index, int output, int32_t *v)
{
    const clinfer_graph *g = s->m->g;
    size_t count = output ? (size_t)g->output_count : (size_t)g->input_count;
    if (index >= count)
        return session_fail(s, err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                                       "%s index %zu out of range (the model has %zu)",
                                       output ? "output" : "input", index, count));
    *v = output ? g->outputs[index].value : g->inputs[index];
    return CLINFER_OK;
}

static clinfer_status io_shape(const clinfer_session *s, size_t index, int output,
                               clinfer_shape *out)
{
    int32_t v = -1;
    if (!s || !out)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "NULL argument");
    clinfer_status st = session_io_value((clinfer_session *)s, index, output, &v);
    if (st == CLINFER_OK)
        *out = s->shapes[v];
    return st;
}

clinfer_status clinfer_session_input_shape(const clinfer_session *s, size_t index,
                                           clinfer_shape *out)
{
    return io_shape(s, index, 0, out);
}

clinfer_status clinfer_session_output_shape(const clinfer_session *s, size_t index,
                                            clinfer_shape *out)
{
    return io_shape(s, index, 1, out);
}

/* Checks a host array against value v's element count; `name` is the
 * input's or output's, for messages (an output's value may be named after
 * its node). */
static clinfer_status check_count(clinfer_session *s, int32_t v, const char *name,
                                  const void *data, size_t count)
{
    char buf[128];
    size_t want = (size_t)shape_numel(&s->shapes[v]);
    if (!data && count > 0) /* a bad argument, whatever the count */
        return session_fail(s, err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                                       "\"%s\": the data pointer is NULL (count %zu)", name,
                                       count));
    if (count != want)
        return session_fail(s, err_set(s->rt, CLINFER_ERR_SHAPE,
                                       "\"%s\" has shape %s (%zu elements); got %zu", name,
                                       shape_str(&s->shapes[v], buf, sizeof buf), want, count));
    return CLINFER_OK;
}

/* ------------------------------------------------------------ rebinding */

/* Points every value that shares root r's memory at `mem` and re-prepares
 * the kernels that read or write it (new kernel objects from the program
 * cache, no compile). A failure leaves the session unusable (broken). */
static clinfer_status retarget_root(clinfer_session *s, int32_t r, dev_tensor mem)
{
    const clinfer_graph *g = s->m->g;
    if (s->mem[r].mem == mem.mem && s->mem[r].offset == mem.offset)
        return CLINFER_OK;
    for (int32_t v = 0; v < g->value_count; v++)
        if (s->root[v] == r)
            s->mem[v] = mem;
    session_release_events(s);
    session_replay_drop(s); /* it holds the kernels replaced below */
    clinfer_status st = CLINFER_OK;
    int32_t launches = 0;
    for (int32_t i = 0; i < s->exec_count; i++) {
        node_exec *e = &s->execs[i];
        const graph_node *n = &g->nodes[e->node];
        int touches = s->root[n->output] == r;
        for (int32_t k = 0; k < n->input_count; k++)
            touches |= n->inputs[k] >= 0 && s->root[n->inputs[k]] == r;
        if (touches && st == CLINFER_OK) {
            node_launches_release(&e->launches);
            st = session_prepare_launches(s, e); /* the plan and memory stay */
            if (st == CLINFER_OK && s->prof)
                s->prof[i].kernel =
                    e->launches.count ? e->launches.items[e->launches.count - 1].name : "none";
        }
        launches += e->launches.count;
    }
    if (st == CLINFER_OK)
        st = session_finish_preparation(s);
    if (st == CLINFER_OK && s->profile && launches != s->launch_count) {
        cl_event *grown = calloc((size_t)(launches > 0 ? launches : 1), sizeof *grown);
        if (!grown)
            st = err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        else {
            free(s->events);
            s->events = grown;
        }
    }
    s->launch_count = launches;
    if (st != CLINFER_OK)
        s->broken = 1;
    return st;
}

/* What OpenCL says about a caller's buffer. */
typedef struct mem_facts {
    cl_mem_object_type type;
    cl_context context;
    cl_mem_flags flags;
    size_t size;
    cl_mem parent; /* NULL unless a sub-buffer */
    size_t parent_offset;
} mem_facts;

static clinfer_status query_mem(clinfer_session *s, cl_mem m, const char *what, mem_facts *f)
{
    memset(f, 0, sizeof *f);
    cl_int err = clGetMemObjectInfo(m, CL_MEM_TYPE, sizeof f->type, &f->type, NULL);
    if (err == CL_SUCCESS)
        err = clGetMemObjectInfo(m, CL_MEM_CONTEXT, sizeof f->context, &f->context, NULL);
    if (err == CL_SUCCESS)
        err = clGetMemObjectInfo(m, CL_MEM_FLAGS, sizeof f->flags, &f->flags, NULL);
    if (err == CL_SUCCESS)
        err = clGetMemObjectInfo(m, CL_MEM_SIZE, sizeof f->size, &f->size, NULL);
    if (err == CL_SUCCESS)
        err = clGetMemObjectInfo(m, CL_MEM_ASSOCIATED_MEMOBJECT, sizeof f->parent, &f->parent,
                                 NULL);
    if (err == CL_SUCCESS && f->parent)
        err = clGetMemObjectInfo(m, CL_MEM_OFFSET, sizeof f->parent_offset, &f->parent_offset,
                                 NULL);
    if (err != CL_SUCCESS)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "%s: not a valid memory object: clGetMemObjectInfo failed: %s (%d)", what,
                       cl_error_name(err), (int)err);
    if (f->type != CL_MEM_OBJECT_BUFFER)
        return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT, "%s: an image, not a buffer", what);
    return CLINFER_OK;
}

static int ranges_overlap(const io_binding *a, const io_binding *b)
{
    return a->user && b->user && a->bytes && b->bytes && a->base == b->base &&
           a->base_offset < b->base_offset + b->bytes &&
           b->base_offset < a->base_offset + a->bytes;
}

/* A bound input must not overlap a bound output, nor outputs each other. */
static clinfer_status check_overlaps(clinfer_session *s, int output, size_t index,
                                     const io_binding *b, const char *what)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t i = 0; i < g->output_count; i++)
        if (!(output && (size_t)i == index) && ranges_overlap(b, &s->out_bind[i]))
            return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "%s overlaps the buffer bound to output %d (\"%s\")", what, (int)i,
                           g->outputs[i].name);
    for (int32_t i = 0; output && i < g->input_count; i++)
        if (ranges_overlap(b, &s->in_bind[i]))
            return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                           "%s overlaps the buffer bound to input %d (\"%s\")", what, (int)i,
                           g->values[g->inputs[i]].name);
    return CLINFER_OK;
}

/* Does any kernel read a value that lives in root r's memory? */
static int root_is_read(const clinfer_session *s, int32_t r)
{
    const clinfer_graph *g = s->m->g;
    for (int32_t i = 0; i < s->exec_count; i++) {
        const graph_node *n = &g->nodes[s->execs[i].node];
        for (int32_t k = 0; k < n->input_count; k++)
            if (n->inputs[k] >= 0 && s->root[n->inputs[k]] == r)
                return 1;
    }
    return 0;
}

/* Can the kernels use the caller's buffer in place of value v's memory? */
static int can_bind_in_place(const clinfer_session *s, int output, size_t index, int32_t v,
                             const io_binding *b, const mem_facts *f)
{
    if (b->bytes == 0)
        return 0;
    if (!output)
        return 1;
    const clinfer_graph *g = s->m->g;
    int32_t r = s->root[v];
    if (g->values[r].kind != VALUE_NODE || !s->home[r].mem)
        return 0; /* a graph input or constant: copied */
    for (int32_t i = 0; i < g->output_count; i++)
        if ((size_t)i != index && s->out_bind[i].zero_copy &&
            s->root[g->outputs[i].value] == r)
            return 0; /* another bound output already writes this memory */
    if ((f->flags & CL_MEM_WRITE_ONLY) && root_is_read(s, r))
        return 0; /* later kernels read it, and may not read a write-only buffer */
    return 1;
}

static clinfer_status bind_io(clinfer_session *s, int output, size_t index, cl_mem buffer,
                              size_t offset)
{
    int32_t v = -1;
    clinfer_status st = s->broken ? err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                                            "the session is unusable after a failed rebinding")
                                  : session_io_value(s, index, output, &v);
    if (st != CLINFER_OK)
        return st;
    const clinfer_graph *g = s->m->g;
    io_binding *slot = output ? &s->out_bind[index] : &s->in_bind[index];
    int32_t r = s->root[v];
    char what[256], buf[128];
    snprintf(what, sizeof what, "%s %zu (\"%s\", shape %s)", output ? "output" : "input", index,
             output ? g->outputs[index].name : g->values[v].name,
             shape_str(&s->shapes[v], buf, sizeof buf));

    io_binding b;
    memset(&b, 0, sizeof b);
    mem_facts f;
    memset(&f, 0, sizeof f);
    if (buffer) {
        b.user = buffer;
        b.offset = offset;
        b.bytes = (size_t)shape_numel(&s->shapes[v]) * rt_elem_bytes(s->rt);
        st = query_mem(s, buffer, what, &f);
        if (st == CLINFER_OK && f.context != s->rt->context)
            st = err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                         "%s: the buffer belongs to another OpenCL context than the runtime's",
                         what);
        if (st == CLINFER_OK && !output && (f.flags & CL_MEM_WRITE_ONLY))
            st = err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                         "%s: the buffer is CL_MEM_WRITE_ONLY; kernels cannot read an input "
                         "from it", what);
        if (st == CLINFER_OK && output && (f.flags & CL_MEM_READ_ONLY))
            st = err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                         "%s: the buffer is CL_MEM_READ_ONLY; an output cannot be written to it",
                         what);
        if (st == CLINFER_OK && (offset > f.size || f.size - offset < b.bytes))
            st = err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                         "%s needs %zu bytes at offset %zu; the buffer holds %zu bytes", what,
                         b.bytes, offset, f.size);
        if (st == CLINFER_OK && offset % rt_elem_bytes(s->rt) != 0)
            st = err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                         "%s: offset %zu is not a multiple of %zu (the size of an element in %s)",
                         what, offset, rt_elem_bytes(s->rt),
                         clinfer_precision_name(s->rt->config.precision));
        b.base = f.parent ? f.parent : buffer;
        b.base_offset = (f.parent ? f.parent_offset : 0) + offset;
        if (st == CLINFER_OK)
            st = check_overlaps(s, output, index, &b, what);
        if (st != CLINFER_OK)
            return st;
        b.zero_copy = can_bind_in_place(s, output, index, v, &b, &f);
        clRetainMemObject(buffer);
    }
    /* Kernels that used the old binding in place go back to the arena (or
     * over to the new buffer); then the old binding lets go. */
    const dev_tensor caller = {b.user, b.offset / rt_elem_bytes(s->rt)};
    dev_tensor target = b.zero_copy ? caller : s->home[r];
    if (slot->zero_copy || b.zero_copy)
        st = retarget_root(s, r, target);
    session_binding_release(slot);
    *slot = b;
    if (!output)
        s->input_state[index] = buffer ? INPUT_SET : INPUT_UNBOUND;
    if (st == CLINFER_OK)
        rt_log(s->rt, CLINFER_LOG_DEBUG, "%s %s %s", what, buffer ? "bound to a cl_mem" : "unbound",
               !buffer ? "" : b.zero_copy ? "in place" : "(one copy per run)");
    return st;
}

clinfer_status clinfer_session_set_input_buffer(clinfer_session *s, size_t index, cl_mem buffer,
                                                size_t offset)
{
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = bind_io(s, 0, index, buffer, offset);
    return st == CLINFER_OK ? st : session_fail(s, st);
}

clinfer_status clinfer_session_set_output_buffer(clinfer_session *s, size_t index, cl_mem buffer,
                                                 size_t offset)
{
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = bind_io(s, 1, index, buffer, offset);
    return st == CLINFER_OK ? st : session_fail(s, st);
}

/* ------------------------------------------------------------ host I/O */

clinfer_status session_input_unbind(clinfer_session *s, size_t index)
{
    clinfer_status st = CLINFER_OK;
    if (s->in_bind[index].user)
        st = bind_io(s, 0, index, NULL, 0); /* host data replaces the binding */
    if (st == CLINFER_OK && s->broken)
        st = err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                     "the session is unusable after a failed rebinding");
    return st;
}

clinfer_status clinfer_session_set_input(clinfer_session *s, size_t index, const float *data,
                                         size_t count)
{
    int32_t v = -1;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = session_io_value(s, index, 0, &v);
    if (st == CLINFER_OK)
        st = check_count(s, v, s->m->g->values[v].name, data, count);
    if (st == CLINFER_OK)
        st = session_input_unbind(s, index);
    if (st == CLINFER_OK && count > 0)
        st = session_upload_floats(s, index, s->mem[v], data, count);
    if (st != CLINFER_OK)
        return session_fail(s, st);
    s->input_state[index] = INPUT_SET;
    s->transfers.uploads++;
    s->transfers.upload_bytes += count * rt_elem_bytes(s->rt);
    return CLINFER_OK;
}

clinfer_status clinfer_session_get_output(clinfer_session *s, size_t index, float *data,
                                          size_t count)
{
    int32_t v = -1;
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = session_io_value(s, index, 1, &v);
    if (st == CLINFER_OK)
        st = check_count(s, v, s->m->g->outputs[index].name, data, count);
    if (st == CLINFER_OK && count > 0)
        st = tensor_read_floats(s->rt, s->queue, s->mem[v].mem, s->mem[v].offset, count, data);
    if (st != CLINFER_OK)
        return session_fail(s, st);
    s->transfers.downloads++;
    s->transfers.download_bytes += count * rt_elem_bytes(s->rt);
    return CLINFER_OK;
}

