/*
 * depth_space.c — DepthToSpace and SpaceToDepth (ONNX) as the operator
 * defines them: a Reshape to 6-D, a Transpose, a Reshape back to 4-D. The
 * reshapes are views, so each costs one transpose kernel; the builder
 * calls check every node as it is added.
 */
#include <stdio.h>

#include "graph.h"

/* The 4-D input's shape (dims[0] may be CLINFER_BATCH_DIM) and the check
 * of the block size against the dims it must divide. */
static clinfer_status block_input(clinfer_graph *g, const char *op, clinfer_value x,
                                  int32_t b, int64_t c_div, clinfer_shape *s)
{
    clinfer_status st = clinfer_graph_value_shape(g, x, s);
    if (st != CLINFER_OK)
        return st;
    if (s->rank != 4)
        return graph_fail(g, CLINFER_ERR_SHAPE, "%s: input of rank %d, expected [N, C, H, W]",
                          op, (int)s->rank);
    if (b < 1 || b > 65536 || s->dims[1] % c_div != 0)
        return graph_fail(g, b < 1 || b > 65536 ? CLINFER_ERR_INVALID_ARGUMENT : CLINFER_ERR_SHAPE,
                          "%s: blocksize %d does not fit C = %lld", op, (int)b,
                          (long long)s->dims[1]);
    return CLINFER_OK;
}

/* x reshaped to `mid` (dims[0] 0: the batch, copied), transposed by perm,
 * reshaped to `final`; the last node is called `name`. */
static clinfer_status reshape_transpose_reshape(clinfer_graph *g, const char *name,
                                                clinfer_value x, const clinfer_shape *mid,
                                                const int32_t perm[6], const clinfer_shape *fin,
                                                clinfer_value *out)
{
    char n1[160], n2[160];
    const char *base = name && name[0] ? name : NULL;
    if (base) {
        snprintf(n1, sizeof n1, "%s/blocks", base);
        snprintf(n2, sizeof n2, "%s/transpose", base);
    }
    clinfer_value a, t;
    clinfer_status st = clinfer_graph_reshape(g, base ? n1 : NULL, x, mid, &a);
    if (st == CLINFER_OK)
        st = clinfer_graph_transpose(g, base ? n2 : NULL, a, perm, 6, &t);
    if (st == CLINFER_OK)
        st = clinfer_graph_reshape(g, name, t, fin, out);
    return st;
}

clinfer_status clinfer_graph_depth_to_space(clinfer_graph *g, const char *name, clinfer_value x,
                                            int32_t blocksize, int crd, clinfer_value *out)
{
    clinfer_shape s;
    int64_t b = blocksize;
    clinfer_status st =
        block_input(g, "depth_to_space", x, blocksize, blocksize > 0 ? b * b : 1, &s);
    if (st != CLINFER_OK)
        return st;
    const int64_t c = s.dims[1] / (b * b), h = s.dims[2], w = s.dims[3];
    /* DCR: the depth splits as (b, b, C'); CRD: as (C', b, b). */
    const clinfer_shape dcr = {6, {0, b, b, c, h, w}}, crd_mid = {6, {0, c, b, b, h, w}};
    const int32_t dcr_perm[6] = {0, 3, 4, 1, 5, 2}, crd_perm[6] = {0, 1, 4, 2, 5, 3};
    const clinfer_shape fin = {4, {0, c, h * b, w * b}};
    return reshape_transpose_reshape(g, name, x, crd ? &crd_mid : &dcr, crd ? crd_perm : dcr_perm,
                                     &fin, out);
}

clinfer_status clinfer_graph_space_to_depth(clinfer_graph *g, const char *name, clinfer_value x,
                                            int32_t blocksize, clinfer_value *out)
{
    clinfer_shape s;
    int64_t b = blocksize;
    clinfer_status st = block_input(g, "space_to_depth", x, blocksize, 1, &s);
    if (st != CLINFER_OK)
        return st;
    if (s.dims[2] % b != 0 || s.dims[3] % b != 0)
        return graph_fail(g, CLINFER_ERR_SHAPE,
                          "space_to_depth: blocksize %d does not divide H = %lld and W = %lld",
                          (int)b, (long long)s.dims[2], (long long)s.dims[3]);
    const int64_t c = s.dims[1], h = s.dims[2] / b, w = s.dims[3] / b;
    const clinfer_shape mid = {6, {0, c, h, b, w, b}}, fin = {4, {0, c * b * b, h, w}};
    const int32_t perm[6] = {0, 3, 5, 1, 2, 4};
    return reshape_transpose_reshape(g, name, x, &mid, perm, &fin, out);
}
