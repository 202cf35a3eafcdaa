/*
 * import_internal.h — what the pieces of the importer (import.c,
 * import_graph.c, import_node.c, import_attrs.c) share among themselves and
 * not with the operator code.
 */
#ifndef CLINFER_ONNX_IMPORT_INTERNAL_H
#define CLINFER_ONNX_IMPORT_INTERNAL_H

#include "import.h"

/* import_node.c */

/* Writes the message to the importer's error; returns st. */
clinfer_status im_fail(importer *im, clinfer_status st, const char *fmt, ...) CLINFER_PRINTF(3, 4);
/* Adds a symbol (capacity was reserved); NULL if the name exists. */
onnx_sym *im_add(importer *im, const char *name);
void im_free(importer *im);
/* The symbol of output i, or NULL when absent. */
onnx_sym *onnx_node_out_sym(onnx_node *c, int32_t i);

/* import_attrs.c */

/* Every attribute must be one the op understands, named once, not a
 * reference to a function attribute. */
clinfer_status onnx_node_check_attributes(onnx_node *c, const op_spec *spec);

/* import_inspect.c (inspect mode) */

/* Gives the outputs of node c, which could not be imported, stand-in values
 * where their shapes are known, and poisons the others. */
void im_stand_in_outputs(onnx_node *c);
/* The first input of n that is poisoned, or NULL. */
const onnx_sym *im_poisoned_input(importer *im, const Onnx__NodeProto *n);

/* import_graph.c */

void im_node_ctx(importer *im, int32_t index, onnx_node *c);
int im_default_domain(const Onnx__NodeProto *n);
/* Step 1: initializers, graph inputs, node outputs. */
clinfer_status im_register_names(importer *im);
/* Step 2: node inputs resolve; uses and constant slots are counted. */
clinfer_status im_resolve_inputs(importer *im);
/* Step 3: Kahn's algorithm; *order gets the node indices. */
clinfer_status im_sort_nodes(importer *im, int32_t **order);

#endif
