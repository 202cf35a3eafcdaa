/*
 * eager.c — one op from host memory to host memory. Every buffer taken is
 * released on every path.
 */
#include "eager.h"

#include "../tensor.h"

#define MAX_BUFFERS 4

typedef struct buffer_set {
    cl_mem mem[MAX_BUFFERS];
    int count;
} buffer_set;

static clinfer_status add_buffer(clinfer_runtime *rt, buffer_set *set, size_t floats,
                                 const float *host, cl_mem *out)
{
    clinfer_status st = tensor_create_floats(rt, floats, host, out);
    if (st == CLINFER_OK)
        set->mem[set->count++] = *out;
    return st;
}

static void release_buffers(buffer_set *set)
{
    for (int i = 0; i < set->count; i++)
        clReleaseMemObject(set->mem[i]);
}

/* Enqueues the launch, then reads `floats` results of `out_mem` to `out`. */
static clinfer_status launch_and_read(clinfer_runtime *rt, const op_launch *l, cl_mem out_mem,
                                      size_t floats, float *out)
{
    clinfer_status st = launch_enqueue(rt, l, NULL);
    return st == CLINFER_OK ? tensor_read_floats(rt, NULL, out_mem, 0, floats, out) : st;
}

clinfer_status conv2d_run_host(clinfer_runtime *rt, const conv2d_params *p, const float *input,
                               const float *weight, const float *bias, float *out)
{
    int32_t oh = 0, ow = 0;
    clinfer_status st = conv2d_output_size(rt, p, &oh, &ow);
    if (st != CLINFER_OK)
        return st;
    size_t in_n = (size_t)p->n * p->c * p->h * p->w;
    size_t w_n = (size_t)p->oc * (p->c / p->groups) * p->kh * p->kw;
    size_t out_n = (size_t)p->n * p->oc * oh * ow;
    buffer_set set = {{0}, 0};
    cl_mem in_m = NULL, w_m = NULL, b_m = NULL, out_m = NULL;
    op_launch l = {0};
    if ((st = add_buffer(rt, &set, in_n, input, &in_m)) == CLINFER_OK &&
        (st = add_buffer(rt, &set, w_n, weight, &w_m)) == CLINFER_OK &&
        (!p->has_bias || (st = add_buffer(rt, &set, (size_t)p->oc, bias, &b_m)) == CLINFER_OK) &&
        (st = add_buffer(rt, &set, out_n, NULL, &out_m)) == CLINFER_OK &&
        (st = conv2d_naive_prepare(rt, p, &l)) == CLINFER_OK &&
        (st = conv2d_naive_bind(rt, &l, dev_whole(in_m), dev_whole(w_m), dev_whole(b_m),
                                 dev_whole(NULL), dev_whole(out_m))) == CLINFER_OK)
        st = launch_and_read(rt, &l, out_m, out_n, out);
    launch_release(&l);
    release_buffers(&set);
    return st;
}

clinfer_status maxpool2d_run_host(clinfer_runtime *rt, const pool2d_params *p,
                                  const float *input, float *out)
{
    clinfer_shape os;
    clinfer_status st = pool2d_output_shape(rt, p, &os);
    if (st != CLINFER_OK)
        return st;
    size_t in_n = (size_t)p->n * p->c * p->h * p->w;
    size_t out_n = (size_t)shape_numel(&os);
    buffer_set set = {{0}, 0};
    cl_mem in_m = NULL, out_m = NULL;
    op_launch l = {0};
    if ((st = add_buffer(rt, &set, in_n, input, &in_m)) == CLINFER_OK &&
        (st = add_buffer(rt, &set, out_n, NULL, &out_m)) == CLINFER_OK &&
        (st = maxpool2d_prepare(rt, p, &l)) == CLINFER_OK &&
        (st = launch_bind_io(rt, &l, dev_whole(in_m), dev_whole(out_m))) == CLINFER_OK)
        st = launch_and_read(rt, &l, out_m, out_n, out);
    launch_release(&l);
    release_buffers(&set);
    return st;
}
