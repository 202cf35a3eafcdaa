/*
 * ref_movement.c — naive Concat, Pad and Transpose: every output element
 * is visited with its multi-index (an odometer over the output dims) and
 * fetched from the input position the ONNX definition gives.
 */
#include "ref_movement.h"

#include <string.h>

/* Row-major strides of s. */
static void strides_of(const clinfer_shape *s, int64_t *st)
{
    int64_t acc = 1;
    for (int32_t d = s->rank - 1; d >= 0; d--) {
        st[d] = acc;
        acc *= s->dims[d];
    }
}

/* Advances the multi-index idx over dims; returns 0 after the last one. */
static int odometer_next(int64_t *idx, const clinfer_shape *s)
{
    for (int32_t d = s->rank - 1; d >= 0; d--) {
        if (++idx[d] < s->dims[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

void ref_concat(const clinfer_shape *shapes, int32_t count, int64_t axis,
                const float *const *inputs, float *out, clinfer_shape *out_shape)
{
    int32_t rank = shapes[0].rank;
    int32_t ax = (int32_t)(axis < 0 ? axis + rank : axis);
    clinfer_shape os = shapes[0];
    os.dims[ax] = 0;
    for (int32_t i = 0; i < count; i++)
        os.dims[ax] += shapes[i].dims[ax];
    *out_shape = os;
    size_t n = ref_numel(&os);
    if (n == 0)
        return;
    int64_t idx[CLINFER_MAX_RANK] = {0};
    for (size_t o = 0; o < n; o++, odometer_next(idx, &os)) {
        /* Find the input whose slice holds idx[ax]. */
        int64_t pos = idx[ax];
        int32_t k = 0;
        while (pos >= shapes[k].dims[ax]) {
            pos -= shapes[k].dims[ax];
            k++;
        }
        int64_t st[CLINFER_MAX_RANK], src = 0;
        strides_of(&shapes[k], st);
        for (int32_t d = 0; d < rank; d++)
            src += (d == ax ? pos : idx[d]) * st[d];
        out[o] = inputs[k][src];
    }
}

/* Begin and end pads of every dim of p->input. */
static void pads_per_dim(const pad_params *p, int64_t *begin, int64_t *end)
{
    int32_t rank = p->input.rank;
    for (int32_t d = 0; d < rank; d++)
        begin[d] = end[d] = 0;
    int32_t naxes = p->naxes > 0 ? p->naxes : rank;
    for (int32_t i = 0; i < naxes; i++) {
        int64_t a = p->naxes > 0 ? p->axes[i] : i;
        if (a < 0)
            a += rank;
        begin[a] = p->pads[i];
        end[a] = p->pads[i + naxes];
    }
}

clinfer_shape ref_pad_shape(const pad_params *p)
{
    int64_t begin[CLINFER_MAX_RANK], end[CLINFER_MAX_RANK];
    pads_per_dim(p, begin, end);
    clinfer_shape os = p->input;
    for (int32_t d = 0; d < os.rank; d++)
        os.dims[d] += begin[d] + end[d];
    return os;
}

void ref_pad(const pad_params *p, const float *in, float *out)
{
    int64_t begin[CLINFER_MAX_RANK], end[CLINFER_MAX_RANK], st[CLINFER_MAX_RANK];
    pads_per_dim(p, begin, end);
    clinfer_shape os = ref_pad_shape(p);
    strides_of(&p->input, st);
    size_t n = ref_numel(&os);
    if (n == 0)
        return;
    int64_t idx[CLINFER_MAX_RANK] = {0};
    for (size_t o = 0; o < n; o++, odometer_next(idx, &os)) {
        int64_t src = 0;
        int inside = 1;
        for (int32_t d = 0; d < os.rank; d++) {
            /* Crop first: the kept input range is [crop0, dim - crop1). */
            int64_t crop0 = begin[d] < 0 ? -begin[d] : 0, crop1 = end[d] < 0 ? -end[d] : 0;
            int64_t len = p->input.dims[d] - crop0 - crop1;
            int64_t j = idx[d] - (begin[d] > 0 ? begin[d] : 0); /* in the cropped range */
            if (j < 0 || j >= len) {
                switch (p->mode) {
                case PAD_MODE_CONSTANT:
                    inside = 0;
                    break;
                case PAD_MODE_EDGE:
                    j = j < 0 ? 0 : len - 1;
                    break;
                case PAD_MODE_REFLECT: /* bounce off the borders until inside */
                    while (len > 1 && (j < 0 || j >= len))
                        j = j < 0 ? -j : 2 * (len - 1) - j;
                    if (len == 1)
                        j = 0;
                    break;
                case PAD_MODE_WRAP:
                    while (j < 0)
                        j += len;
                    while (j >= len)
                        j -= len;
                    break;
                }
            }
            src += (crop0 + j) * st[d];
        }
        out[o] = inside ? in[src] : p->value;
    }
}

/* The permutation of p, defaulting to reversed dims. */
static void perm_of(const transpose_params *p, int32_t *perm)
{
    for (int32_t d = 0; d < p->input.rank; d++)
        perm[d] = p->nperm > 0 ? p->perm[d] : p->input.rank - 1 - d;
}

clinfer_shape ref_transpose_shape(const transpose_params *p)
{
    int32_t perm[CLINFER_MAX_RANK];
    perm_of(p, perm);
    clinfer_shape os = p->input;
    for (int32_t d = 0; d < os.rank; d++)
        os.dims[d] = p->input.dims[perm[d]];
    return os;
}

void ref_transpose(const transpose_params *p, const float *in, float *out)
{
    int32_t perm[CLINFER_MAX_RANK];
    int64_t st[CLINFER_MAX_RANK];
    perm_of(p, perm);
    strides_of(&p->input, st);
    clinfer_shape os = ref_transpose_shape(p);
    size_t n = ref_numel(&os);
    if (n == 0)
        return;
    int64_t idx[CLINFER_MAX_RANK] = {0};
    for (size_t o = 0; o < n; o++, odometer_next(idx, &os)) {
        /* Output dim d is input dim perm[d]. */
        int64_t src = 0;
        for (int32_t d = 0; d < os.rank; d++)
            src += idx[d] * st[perm[d]];
        out[o] = in[src];
    }
}
