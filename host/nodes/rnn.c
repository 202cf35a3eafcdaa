/*
 * rnn.c — recurrence nodes (RNN, GRU, LSTM after their input projection):
 * inputs as ops/rnn.h's rnn_input (xw and R present, the others optional),
 * the cell, directions and activations as attributes; the kernel in
 * ops/rnn.c.
 */
#include <string.h>

#include "../ops/rnn.h"
#include "nodes.h"

static clinfer_status rnn_node_params(const node_ctx *c, rnn_params *p)
{
    const struct rnn_attrs *a = &c->node->attrs.rnn;
    memset(p, 0, sizeof *p);
    p->cell = a->cell;
    p->directions = a->directions;
    p->reverse = a->reverse;
    p->hidden = a->hidden;
    p->extra = a->extra;
    p->clip = a->clip;
    p->linear_before_reset = a->linear_before_reset;
    p->input_forget = a->input_forget;
    memcpy(p->acts, a->acts, sizeof p->acts);
    for (int i = 0; i < RNN_IN_COUNT && i < c->node->input_count; i++)
        if (c->in[i])
            p->in[i] = *c->in[i];
    return CLINFER_OK;
}

static clinfer_status rnn_node_launch(const node_ctx *c, op_launch *l, const dev_tensor *in,
                                      dev_tensor out)
{
    dev_tensor all[RNN_IN_COUNT] = {{0}};
    for (int i = 0; i < RNN_IN_COUNT && i < c->node->input_count; i++)
        all[i] = in[i];
    clinfer_status st = rnn_prepare(c->rt, c->plan, l);
    return st == CLINFER_OK ? rnn_bind(c->rt, l, all, out) : st;
}

NODE_ONE_LAUNCH(node_rnn_impl, rnn_params, 2, rnn_node_params, rnn_output_shape,
                rnn_node_launch);
