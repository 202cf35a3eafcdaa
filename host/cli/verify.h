/*
 * verify.h — the comparison and the report of `clinfer verify`
 * (verify_report.c), used by the command (verify.c): the observers that
 * keep the reference run's node outputs and compare the tested run's
 * against them, the model outputs of each run, and the table or JSON.
 */
#ifndef CLINFER_CLI_VERIFY_H
#define CLINFER_CLI_VERIFY_H

#include <stddef.h>

#include "clinfer.h"

/* One node of the model, as both runs computed it. */
typedef struct verify_node {
    char *node, *op, *kernel, *ref_kernel;
    clinfer_shape shape;
    float *ref;       /* the reference output until the tested run compared it */
    size_t count;
    double max_abs;   /* largest |tested - reference| (infinite: NaN or inf differ) */
    double scale;     /* largest finite |reference| */
    double max_rel;   /* max_abs / scale; max_abs when scale is 0 */
    int fused;        /* not in the tested run: a node after it computes it too
                       * (kernel "(fused)"), so only that node is compared */
} verify_node;

typedef struct verify_nodes {
    verify_node *items;
    size_t count, cap;
    size_t next;      /* the tested run's next node */
    int isolate;      /* the tested run goes on from the reference's outputs */
    char error[768];  /* why the runs cannot be compared ("" if they can) */
} verify_nodes;

/* clinfer_node_observer of the reference run: keeps a copy of each node. */
int verify_keep_reference(void *nodes, clinfer_node_output *out);
/* clinfer_node_observer of the tested run: compares with the reference
 * node of the same place, which must have the same name and shape (the
 * reference nodes before it that the tested run does not have are marked
 * fused: the tested runtime fused them into this node, e.g. a depthwise
 * layer into the 1x1 after it, passes/dwpw.c);
 * with isolate, replaces the node's output with the reference's, so that
 * every node is checked alone, on the reference's inputs. */
int verify_compare_tested(void *nodes, clinfer_node_output *out);
/* 1 when the runs so far could be compared; else prints why. `tested`:
 * the tested run is over (it must have had every reference node). */
int verify_nodes_ok(const verify_nodes *n, int tested);
void verify_nodes_free(verify_nodes *n);

/* The model outputs of the reference run, a normal run of the tested
 * session and its observed (checked) run. */
enum { VERIFY_REFERENCE, VERIFY_NORMAL, VERIFY_CHECKED };

typedef struct verify_output {
    const char *name; /* the model's, borrowed */
    size_t count;
    float *data[3];
    double max_abs, scale, max_rel; /* normal run against the reference */
    double checked_diff;            /* largest |normal - checked| (0: the same; not
                                     * compared when the checked run was isolated) */
} verify_output;

typedef struct verify_outputs {
    verify_output *items;
    size_t count;
} verify_outputs;

/* Sizes the outputs for session s of model m; 0 (printed) out of memory. */
int verify_outputs_init(verify_outputs *o, const clinfer_session *s, const clinfer_model *m);
void verify_outputs_compare(verify_outputs *o, int isolate);
void verify_outputs_free(verify_outputs *o);

typedef struct verify_report {
    const char *model, *device, *precision;
    double tolerance;
    int isolate;
    long long batch;
    double load_ms, reference_ms, normal_ms, checked_ms;
    const char *normal_mode; /* clinfer_run_mode_name of the normal run */
} verify_report;

/* Prints the table (or JSON); returns 1 when every node and output is
 * within the tolerance. */
int verify_print(const verify_report *r, const verify_nodes *n, const verify_outputs *o,
                 int json);

#endif
