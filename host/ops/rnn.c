/*
 * rnn.c — the recurrence of RNN, GRU and LSTM: checks, output shape and
 * the launch of kernels/rnn.cl (one work-group per batch item and
 * direction; the cell and which optional inputs exist are build options,
 * the activations int arguments).
 */
#include "rnn.h"

#include <string.h>

#include "../runtime.h"
#include "../shape.h"

int32_t rnn_gates(clinfer_rnn_cell cell)
{
    return cell == CLINFER_RNN_CELL_RNN ? 1 : cell == CLINFER_RNN_CELL_GRU ? 3 : 4;
}

clinfer_activation rnn_default_activation(clinfer_rnn_cell cell, int k)
{
    if (cell == CLINFER_RNN_CELL_RNN || k > 0)
        return CLINFER_ACT_TANH;
    return CLINFER_ACT_SIGMOID;
}

/* Local memory: two copies of the hidden state, the cell state (GRU: the
 * update gate) and GRU's r * H_t-1. */
static uint64_t rnn_local_bytes(const rnn_params *p)
{
    return 4 * (uint64_t)p->hidden * sizeof(float);
}

static int rnn_act_taken(clinfer_activation a)
{
    return a == CLINFER_ACT_SIGMOID || a == CLINFER_ACT_TANH || a == CLINFER_ACT_RELU ||
           a == CLINFER_ACT_SOFTSIGN || a == CLINFER_ACT_SOFTPLUS;
}

/* Input i absent, or of shape {rank, dims}. */
static int rnn_shape_is(const rnn_params *p, int i, int32_t rank, const int64_t *dims)
{
    const clinfer_shape want = shape_make(rank, dims);
    return p->in[i].rank == 0 || shape_equal(&p->in[i], &want);
}

static clinfer_status rnn_check_attrs(clinfer_runtime *rt, const rnn_params *p)
{
    if ((int)p->cell < 0 || p->cell > CLINFER_RNN_CELL_LSTM || p->directions < 1 ||
        p->directions > 2 || p->extra < 0 || p->extra > 2 ||
        (p->extra == 2 && p->cell != CLINFER_RNN_CELL_LSTM))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "rnn: cell %d, %d directions or %d state rows unknown", (int)p->cell,
                       (int)p->directions, (int)p->extra);
    if (p->hidden < 1 || !(p->clip >= 0.0f))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "rnn: hidden_size %d must be positive and clip %g not negative",
                       (int)p->hidden, (double)p->clip);
    for (int d = 0; d < p->directions; d++)
        for (int k = 0; k < 3; k++)
            if (!rnn_act_taken(p->acts[d][k]))
                return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                               "rnn: activation %d of direction %d is not one of Sigmoid, Tanh, "
                               "Relu, Softsign, Softplus",
                               (int)p->acts[d][k], d);
    return CLINFER_OK;
}

clinfer_status rnn_output_shape(clinfer_runtime *rt, const rnn_params *p, clinfer_shape *out)
{
    char b1[160], b2[160];
    clinfer_status st = rnn_check_attrs(rt, p);
    if (st != CLINFER_OK)
        return st;
    const clinfer_shape *xw = &p->in[RNN_IN_XW], *r = &p->in[RNN_IN_R];
    const int64_t D = p->directions, H = p->hidden, GH = rnn_gates(p->cell) * H;
    if (xw->rank != 3 || xw->dims[2] != D * GH || xw->dims[0] < 1 || xw->dims[1] < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "rnn: the input projections %s must be [T, B, %lld] (T, B at least 1)",
                       shape_str(xw, b1, sizeof b1), (long long)(D * GH));
    const int64_t T = xw->dims[0], B = xw->dims[1];
    const int64_t r_dims[3] = {D, GH, H}, state[3] = {D, B, H}, peep[2] = {D, 3 * H},
                  rbh[2] = {D, H}, bias[1] = {D * GH};
    if (r->rank == 0 || !rnn_shape_is(p, RNN_IN_R, 3, r_dims))
        return err_set(rt, CLINFER_ERR_SHAPE, "rnn: R %s must be [%lld, %lld, %lld]",
                       shape_str(r, b1, sizeof b1), (long long)D, (long long)GH, (long long)H);
    if (!rnn_shape_is(p, RNN_IN_BIAS, 1, bias))
        return err_set(rt, CLINFER_ERR_SHAPE, "rnn: the biases %s must be [%lld]",
                       shape_str(&p->in[RNN_IN_BIAS], b1, sizeof b1), (long long)(D * GH));
    if (!rnn_shape_is(p, RNN_IN_H0, 3, state) || !rnn_shape_is(p, RNN_IN_C0, 3, state))
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "rnn: initial_h %s and initial_c %s must be [%lld, %lld, %lld]",
                       shape_str(&p->in[RNN_IN_H0], b1, sizeof b1),
                       shape_str(&p->in[RNN_IN_C0], b2, sizeof b2), (long long)D, (long long)B,
                       (long long)H);
    if ((p->in[RNN_IN_C0].rank || p->in[RNN_IN_P].rank || p->input_forget) &&
        p->cell != CLINFER_RNN_CELL_LSTM)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "rnn: initial_c, peepholes and input_forget are LSTM's");
    if (!rnn_shape_is(p, RNN_IN_P, 2, peep))
        return err_set(rt, CLINFER_ERR_SHAPE, "rnn: the peepholes %s must be [%lld, %lld]",
                       shape_str(&p->in[RNN_IN_P], b1, sizeof b1), (long long)D,
                       (long long)(3 * H));
    const int lbr = p->cell == CLINFER_RNN_CELL_GRU && p->linear_before_reset;
    if ((p->in[RNN_IN_RB].rank != 0) != lbr || !rnn_shape_is(p, RNN_IN_RB, 2, rbh))
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "rnn: R_bh %s is GRU's with linear_before_reset, of shape [%lld, %lld]",
                       shape_str(&p->in[RNN_IN_RB], b1, sizeof b1), (long long)D, (long long)H);
    if ((1 + p->extra) * T * D * B * H > INT32_MAX || shape_numel(xw) > INT32_MAX ||
        D * GH * H > INT32_MAX)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "rnn: %s steps of hidden size %lld: more than 2^31-1 elements",
                       shape_str(xw, b1, sizeof b1), (long long)H);
    if (rt && rt->info.local_mem_bytes > 0 && rnn_local_bytes(p) > rt->info.local_mem_bytes)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "rnn: hidden size %lld needs %llu bytes of local memory, the device has "
                       "%llu",
                       (long long)H, (unsigned long long)rnn_local_bytes(p),
                       (unsigned long long)rt->info.local_mem_bytes);
    *out = p->extra ? (clinfer_shape){5, {1 + p->extra, T, D, B, H}}
                    : (clinfer_shape){4, {T, D, B, H}};
    return CLINFER_OK;
}

clinfer_status rnn_prepare(clinfer_runtime *rt, const rnn_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape os;
    clinfer_status st = rnn_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    opts o = opts_none();
    opts_add(&o, "-DRNN_CELL=%d", (int)p->cell);
    if (p->cell == CLINFER_RNN_CELL_GRU && p->linear_before_reset)
        opts_add(&o, "-DRNN_LBR");
    if (p->input_forget)
        opts_add(&o, "-DRNN_INPUT_FORGET");
    if (p->clip > 0.0f)
        opts_add(&o, "-DRNN_CLIP");
    if (p->extra > 0)
        opts_add(&o, "-DRNN_EXTRA=%d", (int)p->extra);
    static const char *const present[] = {NULL, NULL, "BIAS", NULL, "H0", "C0", "P"};
    for (int i = 0; i < RNN_IN_COUNT; i++)
        if (present[i] && p->in[i].rank)
            opts_add(&o, "-DRNN_HAS_%s", present[i]);
    karg a;
    launch_begin(rt, out, "rnn", &o, "rnn_sequence", KARG_AFTER_TENSORS(RNN_IN_COUNT + 1), &a);
    const clinfer_shape *xw = &p->in[RNN_IN_XW];
    const int32_t v[] = {(int32_t)xw->dims[0], (int32_t)xw->dims[1], p->hidden,
                         p->directions == 1 && p->reverse};
    karg_ints(&a, v, 4);
    karg_float(&a, p->clip);
    for (int k = 0; k < 6; k++) /* a lone direction's activations stand in for the second */
        karg_int(&a, (int32_t)p->acts[k / 3 < p->directions ? k / 3 : 0][k % 3]);
    karg_local(&a, (size_t)rnn_local_bytes(p));
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    /* one item on CPUs, whose dot products are vectorised; 64 on GPUs */
    const size_t local = launch_group_items(rt);
    launch_grid3(out, local, (size_t)xw->dims[1], (size_t)p->directions, local);
    return CLINFER_OK;
}

clinfer_status rnn_bind(clinfer_runtime *rt, op_launch *l, const dev_tensor in[RNN_IN_COUNT],
                        dev_tensor out)
{
    return launch_bind_inputs(rt, l, in, RNN_IN_COUNT, out);
}
