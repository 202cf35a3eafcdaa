/*
 * observe.c — clinfer_session_run_observed: a run that shows every node's
 * output to a callback, for checking a model node by node.
 *
 * It is an ordinary run (the steps of exec.c: session_run_begin, one
 * session_enqueue_node per node, session_run_end) with a blocking download
 * after each node, and an upload when the observer replaces the output. The memory plan is the session's own: a node's output
 * is read before any later node is enqueued, so a later tensor that reuses
 * its bytes cannot have overwritten it yet. Normal runs never come here.
 */
#include <stdlib.h>
#include <string.h>

#include "cl.h" /* first: fixes the OpenCL target version */
#include "session.h"
#include "tensor.h"
#include "shape.h"

/* Grows the host buffer to hold `count` floats. */
static clinfer_status reserve(clinfer_session *s, float **buf, size_t *cap, size_t count)
{
    if (count <= *cap)
        return CLINFER_OK;
    float *p = realloc(*buf, count * sizeof *p);
    if (!p)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY,
                       "out of host memory for a node output of %zu floats", count);
    *buf = p;
    *cap = count;
    return CLINFER_OK;
}

/* A node output in the channel-blocked layout (graph_node.out_blocked,
 * ops/conv2d.h: [N, C/16, H, W, 16]) is shown to the observer as NCHW,
 * as every other output: `to_nchw` permutes x [N, C, H, W] one way or
 * the other through the scratch t. */
static void permute_blocked(float *x, float *t, const clinfer_shape *s, int to_nchw)
{
    const size_t n = (size_t)s->dims[0], c = (size_t)s->dims[1];
    const size_t hw = (size_t)s->dims[2] * (size_t)s->dims[3];
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t p = 0; p < hw; p++) {
                const size_t plain = (i * c + ch) * hw + p;
                const size_t blocked = ((i * (c / 16) + ch / 16) * hw + p) * 16 + ch % 16;
                if (to_nchw)
                    t[plain] = x[blocked];
                else
                    t[blocked] = x[plain];
            }
    memcpy(x, t, n * c * hw * sizeof *x);
}

/* Node i's output permuted (permute_blocked) when it is blocked. */
static clinfer_status unblock_node(clinfer_session *s, int32_t i, float *x, int to_nchw)
{
    const graph_node *n = &s->m->g->nodes[s->execs[i].node];
    if (!n->out_blocked)
        return CLINFER_OK;
    const clinfer_shape *sh = &s->shapes[n->output];
    float *t = malloc((size_t)shape_numel(sh) * sizeof *t);
    if (!t)
        return err_set(s->rt, CLINFER_ERR_OUT_OF_HOST_MEMORY,
                       "out of host memory reordering a node output");
    permute_blocked(x, t, sh, to_nchw);
    free(t);
    return CLINFER_OK;
}

/* Waits for node i and downloads its output into *buf; fills *out. */
static clinfer_status read_node(clinfer_session *s, int32_t i, float **buf, size_t *cap,
                                clinfer_node_output *out)
{
    const graph_node *n = &s->m->g->nodes[s->execs[i].node];
    const int32_t v = n->output;
    const size_t count = (size_t)shape_numel(&s->shapes[v]);
    *out = (clinfer_node_output){.index = (size_t)i,
                                 .node = n->name,
                                 .op = op_kind_name(n->op),
                                 .kernel = session_node_kernel(s, i),
                                 .value = s->m->g->values[v].name,
                                 .shape = s->shapes[v],
                                 .count = count};
    if (count == 0)
        return CLINFER_OK;
    clinfer_status st = reserve(s, buf, cap, count);
    if (st != CLINFER_OK)
        return st;
    /* the device's storage (half in fp16) converted to float */
    st = tensor_read_floats(s->rt, s->queue, s->mem[v].mem, s->mem[v].offset, count, *buf);
    if (st != CLINFER_OK)
        return st; /* the error names clEnqueueReadBuffer */
    s->transfers.downloads++;
    s->transfers.download_bytes += count * rt_elem_bytes(s->rt);
    out->data = *buf;
    return unblock_node(s, i, *buf, 1);
}

/* Uploads what the observer wrote over node i's output (it asked for
 * CLINFER_OBSERVE_REPLACE), so that later nodes read it. */
static clinfer_status replace_node(clinfer_session *s, int32_t i, const clinfer_node_output *out)
{
    const int32_t v = s->m->g->nodes[s->execs[i].node].output;
    if (out->count == 0)
        return CLINFER_OK;
    clinfer_status st = unblock_node(s, i, out->data, 0);
    if (st != CLINFER_OK)
        return st;
    st = tensor_write_floats(s->rt, s->queue, s->mem[v].mem, s->mem[v].offset,
                                            out->count, out->data);
    if (st != CLINFER_OK)
        return st; /* the error names clEnqueueWriteBuffer */
    s->transfers.uploads++;
    s->transfers.upload_bytes += out->count * rt_elem_bytes(s->rt);
    return CLINFER_OK;
}

/* Shows node i's output to the observer and does what it asks. */
static clinfer_status observe_node(clinfer_session *s, int32_t i, clinfer_node_observer observe,
                                   void *user_data, clinfer_node_output *out)
{
    const clinfer_node_output shown = *out; /* what the observer may not change */
    const int action = observe(user_data, out);
    *out = shown;
    if (action == CLINFER_OBSERVE_CONTINUE)
        return CLINFER_OK;
    if (action == CLINFER_OBSERVE_REPLACE)
        return replace_node(s, i, out);
    return err_set(s->rt, CLINFER_ERR_INVALID_ARGUMENT,
                   "clinfer_session_run_observed: the observer returned %d for node \"%s\" "
                   "(CLINFER_OBSERVE_CONTINUE or CLINFER_OBSERVE_REPLACE)",
                   action, out->node);
}

clinfer_status clinfer_session_run_observed(clinfer_session *s, clinfer_node_observer observe,
                                            void *user_data)
{
    if (!s || !observe)
        return err_set(s ? s->rt : NULL, CLINFER_ERR_INVALID_ARGUMENT,
                       "clinfer_session_run_observed: %s is NULL", s ? "observe" : "session");
    float *buf = NULL;
    size_t cap = 0;
    clinfer_status st = session_run_begin(s, 0, NULL);
    int32_t event = 0;
    for (int32_t i = 0; st == CLINFER_OK && i < s->exec_count; i++) {
        clinfer_node_output out;
        st = session_enqueue_node(s, i, &event);
        if (st == CLINFER_OK)
            st = read_node(s, i, &buf, &cap, &out);
        if (st == CLINFER_OK)
            st = observe_node(s, i, observe, user_data, &out);
    }
    if (st == CLINFER_OK)
        st = session_run_end(s, NULL);
    free(buf);
    return st == CLINFER_OK ? st : session_fail(s, st);
}
