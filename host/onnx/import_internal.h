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

/* import.c */

/* Step 4b for one node: translated or folded. */
clinfer_status im_import_node(onnx_node *c);

/* import_graph.c */

void im_node_ctx(importer *im, int32_t index, onnx_node *c);
/* The context of node np (a node of an If's branch; index: the If's). */
void im_node_ctx_of(importer *im, int32_t index, const Onnx__NodeProto *np, onnx_node *c);
/* Step 1 for one initializer: a known tensor. */
clinfer_status im_register_initializer(importer *im, const Onnx__TensorProto *tp);
/* Step 1 for node c's outputs, produced by node `producer`. */
clinfer_status im_register_outputs(importer *im, onnx_node *c, int32_t producer);
/* Step 2 for node c's inputs. */
clinfer_status im_resolve_node_inputs(importer *im, onnx_node *c);

/* import_if.c (If nodes with a condition known while loading) */

int im_is_if(const Onnx__NodeProto *n);
/* Symbols the branches of If node n hold (their initializers and node
 * outputs, nested Ifs included): room that step 1 reserves. Decodes the
 * branches (kept until im_free_branches); sets im->branch_failed and the
 * importer's error when one is malformed or nested too deep. */
size_t im_branch_names(importer *im, const Onnx__NodeProto *n, int depth);
void im_free_branches(importer *im);
/* Steps 1 and 2 for the branches of the If node c. */
clinfer_status im_register_branches(importer *im, onnx_node *c);
clinfer_status im_resolve_branches(importer *im, onnx_node *c);
/* Step 3: the nodes outside If node n (index self) whose outputs its
 * branches read, written to deps when not NULL (cap entries); returns
 * their count. */
size_t im_branch_deps(importer *im, const Onnx__NodeProto *n, int32_t self, int32_t *deps,
                      size_t cap);
/* If branches nest at most this deep. */
#define IM_MAX_IF_DEPTH 16
int im_default_domain(const Onnx__NodeProto *n);
/* Step 1: initializers, graph inputs, node outputs. */
clinfer_status im_register_names(importer *im);
/* Step 2: node inputs resolve; uses and constant slots are counted. */
clinfer_status im_resolve_inputs(importer *im);
/* Step 3: Kahn's algorithm; *order gets the node indices. */
clinfer_status im_sort_nodes(importer *im, int32_t **order);

#endif
