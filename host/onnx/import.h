/*
 * import.h — what the importer (import*.c) shares with the per-operator code
 * (ops*.c, fold.c):
 * the symbol table of tensor names, the node being imported, and checked
 * accessors for its inputs, outputs and attributes. Every accessor that
 * fails has already written a message naming the node, its op type and the
 * input or attribute; callers return its status.
 */
#ifndef CLINFER_ONNX_IMPORT_H
#define CLINFER_ONNX_IMPORT_H

#include "onnx.h"

typedef enum sym_kind {
    SYM_PENDING, /* a node output not computed yet (or a graph input being declared) */
    SYM_VALUE,   /* a graph value (input or node output) */
    SYM_HOST,    /* a tensor known at load time (materialised on first use as data) */
    SYM_POISON   /* produced by a node that could not be imported (inspect mode) */
} sym_kind;

typedef struct onnx_sym {
    const char *name; /* borrowed from the model */
    sym_kind kind;
    clinfer_value value; /* SYM_VALUE, or the constant made from a SYM_HOST */
    host_tensor *host;   /* SYM_HOST */
    int32_t producer;    /* index of the producing node, -1 for inputs and initializers */
    int32_t uses;        /* node inputs and graph outputs that name it */
    int want_const;      /* read where a node needs a constant */
    int is_input, is_initializer;
    const Onnx__ValueInfoProto *info; /* graph inputs */
} onnx_sym;

typedef struct importer {
    const Onnx__ModelProto *model;
    const Onnx__GraphProto *graph;
    const clinfer_onnx_options *options;
    int64_t opset;
    clinfer_graph *g;
    onnx_sym *syms;
    int32_t nsyms;
    int32_t *table; /* open addressing: sym index + 1, 0 empty */
    uint32_t table_mask;
    struct im_branch *branches; /* If branches decoded (import_if.c) */
    int branch_failed;          /* a branch could not be decoded, or nests too deep */
    onnx_issues *issues; /* inspect mode */
    clinfer_onnx_issue_kind issue_kind; /* of the latest node error (inspect mode) */
    char *err;
    size_t errcap;
} importer;

typedef struct onnx_node {
    importer *im;
    const Onnx__NodeProto *n;
    int32_t index;
    const char *name; /* the node's name, or "#index" */
    const char *op;
    char fallback_name[32];
} onnx_node;

/* Symbol lookup; NULL when the name is unknown. */
onnx_sym *im_find(importer *im, const char *name);

/* Writes "node \"name\" (Op): <message>" to the importer's error. */
clinfer_status onnx_node_error(onnx_node *c, clinfer_status st, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);

/* onnx_node_error for a form of the op that the model's opset does not
 * allow or that clinfer supports only at other opsets; inspect mode reports
 * it as an opset problem. */
clinfer_status onnx_node_opset_error(onnx_node *c, clinfer_status st, const char *fmt, ...)
    CLINFER_PRINTF(3, 4);
/* Turns a failed builder call into a node error carrying its message. */
clinfer_status onnx_node_build(onnx_node *c, clinfer_status st);

/* ---------------------------------------------------------------- inputs */

int32_t onnx_node_input_count(const onnx_node *c); /* n_input */
/* Input i, or NULL when i is past the end or the name is empty (absent). */
onnx_sym *onnx_node_in(onnx_node *c, int32_t i);
/* The input as a graph value (a load-time float tensor becomes a constant);
 * required. */
clinfer_status onnx_node_in_value(onnx_node *c, int32_t i, clinfer_value *out);
/* Optional: CLINFER_NO_VALUE when absent. */
clinfer_status onnx_node_in_value_opt(onnx_node *c, int32_t i, clinfer_value *out);
/* onnx_node_in_value for inputs whose integers are data (Where's bool
 * condition, GatherElements' indices): a load-time integer or bool tensor
 * becomes a float32 constant too, each value exact (|v| <= 2^24). */
clinfer_status onnx_node_in_value_ints(onnx_node *c, int32_t i, clinfer_value *out);
/* The input as a load-time tensor (an initializer, a bound input, or the
 * result of folding); `what` names the role in messages. Required. */
clinfer_status onnx_node_in_host(onnx_node *c, int32_t i, const char *what,
                                 const host_tensor **out);
/* Optional: *out NULL when absent. */
clinfer_status onnx_node_in_host_opt(onnx_node *c, int32_t i, const char *what,
                                     const host_tensor **out);
/* The builder-time shape of input i (a value's shape, or a host tensor's). */
clinfer_status onnx_node_in_shape(onnx_node *c, int32_t i, clinfer_shape *out);
/* Reads an int64 vector (rank <= 1) from a host tensor into buf (cap
 * entries); refuses batch-dependent elements. */
clinfer_status onnx_node_host_ints(onnx_node *c, const host_tensor *t, const char *what,
                                   int64_t *buf, int32_t cap, int32_t *count);
/* A scalar (one element) host tensor as a float. */
clinfer_status onnx_node_host_scalar(onnx_node *c, const host_tensor *t, const char *what,
                                     float *out);

/* Makes a float host tensor a graph constant (once); `sym` keeps it. */
clinfer_status im_materialize(importer *im, onnx_node *c, onnx_sym *sym, clinfer_value *out);

/* ---------------------------------------------------------------- outputs */

const char *onnx_node_out_name(const onnx_node *c, int32_t i); /* "" when absent */
/* Sets output i to a graph value / a host tensor (taken over, also on
 * failure). */
clinfer_status onnx_node_out_value(onnx_node *c, int32_t i, clinfer_value v);
clinfer_status onnx_node_out_host(onnx_node *c, int32_t i, host_tensor *t);

/* ---------------------------------------------------------------- attributes */

const Onnx__AttributeProto *onnx_node_attr(const onnx_node *c, const char *name);
/* Each returns the default when the attribute is absent and fails when it
 * has another type. */
clinfer_status onnx_node_attr_int(onnx_node *c, const char *name, int64_t def, int64_t *out);
clinfer_status onnx_node_attr_float(onnx_node *c, const char *name, float def, float *out);
clinfer_status onnx_node_attr_string(onnx_node *c, const char *name, const char *def,
                                     const char **out);
/* *count -1 when absent; fails when more than cap values. */
clinfer_status onnx_node_attr_ints(onnx_node *c, const char *name, int64_t *buf, int32_t cap,
                                   int32_t *count);
clinfer_status onnx_node_attr_floats(onnx_node *c, const char *name, float *buf, int32_t cap,
                                     int32_t *count);
/* The TENSOR attribute decoded (the caller frees it); *present 0 if absent. */
clinfer_status onnx_node_attr_tensor(onnx_node *c, const char *name, host_tensor *out,
                                     int *present);

/* ---------------------------------------------------------------- operators */

typedef clinfer_status (*op_fn)(onnx_node *c);

typedef struct op_spec {
    const char *op_type;
    op_fn translate;       /* into builder calls; NULL: only folded */
    op_fn fold;            /* on the host when every input is a host tensor */
    uint32_t const_inputs; /* bit i: input i must be known at load time */
    const char *attrs;     /* the attribute names it understands, space-separated */
} op_spec;

const op_spec *onnx_op_find(const char *op_type);

/* fold.c: the host evaluators named in ops.c's table. */
clinfer_status fold_constant(onnx_node *c);
clinfer_status fold_identity(onnx_node *c);
clinfer_status fold_shape(onnx_node *c);
clinfer_status fold_size(onnx_node *c);
clinfer_status fold_gather(onnx_node *c);
clinfer_status fold_unsqueeze(onnx_node *c);
clinfer_status fold_squeeze(onnx_node *c);
clinfer_status fold_concat(onnx_node *c);
clinfer_status fold_cast(onnx_node *c);
clinfer_status fold_slice(onnx_node *c);
clinfer_status fold_reshape(onnx_node *c);
clinfer_status fold_flatten(onnx_node *c);
clinfer_status fold_transpose(onnx_node *c);
clinfer_status fold_binary(onnx_node *c);
clinfer_status fold_unary(onnx_node *c); /* Neg, Floor, Ceil, Round, Sign */
clinfer_status fold_constant_of_shape(onnx_node *c);
clinfer_status fold_range(onnx_node *c);

/* fold_logic.c: comparisons, logic, Mod, Where, Expand and ScatterND on
 * known tensors (the shape and mask subgraphs of exported models). */
clinfer_status fold_compare(onnx_node *c);
clinfer_status fold_logic(onnx_node *c);
clinfer_status fold_not(onnx_node *c);
clinfer_status fold_mod(onnx_node *c);
clinfer_status fold_where(onnx_node *c);
clinfer_status fold_expand(onnx_node *c);
clinfer_status fold_scatter_nd(onnx_node *c);
clinfer_status fold_quantize_linear(onnx_node *c);   /* ops_quant.c */
clinfer_status fold_dequantize_linear(onnx_node *c); /* ops_quant.c */

/* fold.c's helpers for the other folders: a host tensor of `shape` for a
 * node's result (an error naming the node when it is too large; with_sym:
 * with a batch marker per element), and the element of an input `in` that
 * element k of the broadcast result `out` reads. */
clinfer_status fold_make(onnx_node *c, host_tensor *t, clinfer_dtype dtype,
                         const clinfer_shape *shape, int with_sym);
int64_t fold_bcast_index(const clinfer_shape *in, const clinfer_shape *out, int64_t k);

/* ops.c, shared by fold.c and ops_shape.c: the axes of Squeeze/Unsqueeze
 * (attribute before opset 13, input after), normalised against `rank` and
 * sorted; *count -1 when none were given. */
clinfer_status onnx_node_axes(onnx_node *c, int32_t rank, int from_input, int64_t *axes,
                              int32_t *count);
/* Cast's target type (attribute "to"), with "saturate" checked against the
 * opset (it exists from 19). */
clinfer_status onnx_node_cast_to(onnx_node *c, int64_t *to);
/* Slice parameters from attributes (opset < 10) or inputs. */
clinfer_status onnx_node_slice_params(onnx_node *c, int32_t rank, int64_t *starts, int64_t *ends,
                                      int64_t *axes, int64_t *steps, int32_t *count);

#endif
