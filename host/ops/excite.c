/*
 * excite.c — the squeeze-excitation op's checks and its one launch
 * (kernels/excite.cl).
 */
#include "excite.h"

#include <string.h>

#include "../runtime.h"
#include "../shape.h"

clinfer_status excite_output_shape(clinfer_runtime *rt, const excite_params *p,
                                   clinfer_shape *out)
{
    const clinfer_shape x = shape_4d(p->n, p->c, p->h, p->w);
    char buf[96];
    if (p->n < 1 || p->c < 1 || p->h < 1 || p->w < 1 || p->s < 1)
        return err_set(rt, CLINFER_ERR_SHAPE,
                       "squeeze_excite: sizes must be positive, found x %s and %d hidden units",
                       shape_str(&x, buf, sizeof buf), (int)p->s);
    if (shape_numel(&x) < 0 || (int64_t)p->h * p->w > INT32_MAX)
        return err_set(rt, CLINFER_ERR_SHAPE, "squeeze_excite: x %s has too many elements",
                       shape_str(&x, buf, sizeof buf));
    if ((int64_t)p->c + p->s > EXCITE_MAX_UNITS)
        return err_set(rt, CLINFER_ERR_UNSUPPORTED,
                       "squeeze_excite: %d channels and %d hidden units, more than %d together",
                       (int)p->c, (int)p->s, EXCITE_MAX_UNITS);
    if (!act_kind_valid(p->act.kind))
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "squeeze_excite: act.kind %d is not a known activation", (int)p->act.kind);
    if (p->gate.kind != ACT_KIND_SIGMOID && p->gate.kind != ACT_KIND_HARD_SIGMOID)
        return err_set(rt, CLINFER_ERR_INVALID_ARGUMENT,
                       "squeeze_excite: the gate must be Sigmoid or HardSigmoid, not %s",
                       act_kind_name(p->gate.kind));
    *out = shape_4d(p->n, p->c, 1, 1);
    return CLINFER_OK;
}

clinfer_status excite_prepare(clinfer_runtime *rt, const excite_params *p, op_launch *out)
{
    memset(out, 0, sizeof *out);
    clinfer_shape s;
    clinfer_status st = excite_output_shape(rt, p, &s);
    if (st != CLINFER_OK)
        return st;
    const act_params act = act_program(p->act); /* fewer programs */
    opts o = opts_none();
    opts_add(&o, "-DACT=%d -DGATE=%d -DHAS_B1=%d -DHAS_B2=%d", (int)act.kind, (int)p->gate.kind,
             p->has_b1 ? 1 : 0, p->has_b2 ? 1 : 0);
    karg a;
    launch_begin(rt, out, "excite", &o, "squeeze_excite", KARG_AFTER_TENSORS(6), &a);
    karg_local(&a, (size_t)p->c * sizeof(float));
    karg_local(&a, (size_t)p->s * sizeof(float));
    const int32_t v[] = {p->c, p->s, p->h * p->w};
    karg_ints(&a, v, 3);
    karg_float(&a, act.a);
    karg_float(&a, act.b);
    karg_float(&a, p->gate.a);
    karg_float(&a, p->gate.b);
    st = launch_finish(rt, out, &a);
    if (st != CLINFER_OK)
        return st;
    const size_t local = launch_group_items(rt);
    launch_grid3(out, (size_t)p->n * local, 1, 1, local);
    return CLINFER_OK;
}

clinfer_status excite_bind(clinfer_runtime *rt, op_launch *l, const dev_tensor in[5],
                           dev_tensor out)
{
    return launch_bind_inputs(rt, l, in, 5, out);
}
