/*
 * model.h — a compiled graph: the rewritten graph plus its constants on the
 * device. Read-only after clinfer_model_compile, so sessions in several
 * threads can share it.
 */
#ifndef CLINFER_MODEL_H
#define CLINFER_MODEL_H

#include "graph.h"
#include "runtime.h"

struct clinfer_model {
    clinfer_runtime *rt;
    clinfer_graph *g;  /* after the passes */
    cl_mem *constants; /* per value: the device copy of a used constant, else NULL */
    uint64_t weight_bytes;
    size_t kernel_nodes; /* live nodes that launch kernels */
};

#endif
