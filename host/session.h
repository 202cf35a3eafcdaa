/*
 * session.h — the session handle shared by exec.c (creation, kernels,
 * runs) and session_io.c (inputs, outputs, caller buffers). Internal.
 */
#ifndef CLINFER_SESSION_H
#define CLINFER_SESSION_H

#include "cl.h"
#include "clinfer_cl.h"
#include "model.h"
#include "nodes/nodes.h"

/* Whether a graph input holds a value for the next run, and if not, why. */
enum input_state { INPUT_NEVER_SET = 0, INPUT_SET, INPUT_CONSUMED, INPUT_UNBOUND };

typedef struct node_exec {
    int32_t node;            /* index in the model's graph */
    node_launches launches;
    double flops;
    cl_mem persist;          /* the node's own memory (node_impl.memory), or NULL */
    int persist_ready;       /* persist came filled from the model (shared) */
    int persist_new;         /* persist is to be shared once its writing is done */
    uint64_t persist_key;    /* the plan's hash, for sharing */
    uint64_t persist_bytes;
} node_exec;

/* A graph input's host copy for a write not waited for (session_upload.c). */
typedef struct input_stage {
    void *host;       /* the values as stored, read by the pending write */
    size_t bytes;
    cl_event pending; /* the last write from host, or NULL */
} input_stage;

/* A graph input or output bound to a caller's buffer. */
typedef struct io_binding {
    cl_mem user;        /* the caller's buffer, retained; NULL: not bound */
    size_t offset;      /* bytes into user */
    size_t bytes;       /* the tensor's size */
    int zero_copy;      /* kernels use (user, offset) directly; else one copy per run */
    cl_mem base;        /* user's parent buffer if it is a sub-buffer, else user */
    size_t base_offset; /* offset within base, for overlap checks */
} io_binding;

struct clinfer_session {
    clinfer_model *m;
    clinfer_runtime *rt;
    cl_command_queue queue; /* in-order, retained (own or the runtime's) */
    int64_t batch;
    int profile;
    clinfer_shape *shapes; /* per value, for this batch size */
    void **plans;          /* per node: its plan (nodes.h), made once by infer
                            * and plan, read by every later prepare */
    int32_t *root;         /* per value: the value whose memory it uses */
    int32_t *host_of;      /* per value: the Concat output it lives in, or -1 */
    uint64_t *host_offset; /* per value: its byte offset in host_of's memory */
    dev_tensor *mem;       /* per value: where kernels find it now (the arena, the
                            * model's constant, or a caller's bound buffer) */
    dev_tensor *home;      /* per value: its place in the arena (mem NULL: none,
                            * a constant or a view), where an unbinding returns */
    cl_mem arena;
    cl_mem scratch;        /* shared by the nodes that ask for scratch memory */
    cl_mem stage;          /* typed inputs and outputs in the caller's type, before
                            * or after their conversion (session_typed.c) */
    size_t stage_bytes;
    node_exec *execs;
    int32_t exec_count;
    int32_t launch_count;
    cl_event *events;      /* profiling: one per launch */
    clinfer_node_profile *prof;
    clinfer_run_timeline timeline; /* profiling: the last run's (launches 0: none yet) */
    struct session_chain *chain; /* the run as one launch (chain.h), or NULL */
    struct session_replay *replay; /* the runs as a command buffer (replay.h), or NULL */
    clinfer_run_mode run_mode;   /* how the last run was enqueued */
    char *input_state;     /* per graph input: an input_state */
    char *input_reused;    /* per graph input: a run overwrites its arena bytes */
    io_binding *in_bind;   /* per graph input */
    input_stage *in_stage; /* per graph input */
    io_binding *out_bind;  /* per graph output */
    int broken;            /* a failed rebinding left kernels unprepared */
    clinfer_memory_stats memory;
    clinfer_transfer_stats transfers;
    char errmsg[CLINFER_ERRMSG_MAX];
};

/* Copies the thread's last message onto the session; returns st. */
clinfer_status session_fail(clinfer_session *s, clinfer_status st);

/* Releases the profiling events of the last run. */
void session_release_events(clinfer_session *s);

/* Profiling (session_profile.c): the events and per-node entries of a
 * session made with the profile option (nothing without it); after a run,
 * the wait for it and its per-node times and timeline. */
clinfer_status session_prepare_profile(clinfer_session *s);
clinfer_status session_collect_profile(clinfer_session *s);

/* Planning step of kernel node i: completes its plan (algorithm, memory),
 * keeps the largest scratch request in *scratch and creates the node's
 * persistent buffer in e. */
clinfer_status session_plan_node(clinfer_session *s, int32_t i, node_exec *e, uint64_t *scratch);

/* Creates and binds the launches of kernel node e->node over the memory
 * the session gives its values now (also after a rebinding). */
clinfer_status session_prepare_launches(clinfer_session *s, node_exec *e);

/* Waits for the one-time work that preparing kernels enqueued on the
 * runtime's queue (weight packing). */
clinfer_status session_finish_preparation(clinfer_session *s);

/* Places Concat inputs in their slice of the Concat's output where the
 * layout allows (inplace.c): sets host_of and host_offset. */
clinfer_status session_place_in_place(clinfer_session *s);

/* The steps of a run, shared by clinfer_session_run_async (exec.c) and
 * the observed run (observe.c): the checks, the wait list and the input
 * copies; node i's launches (*event: the index of its first profiling
 * event, advanced past them); the output copies, the completion marker
 * (done may be NULL), the profile and the inputs' states. */
clinfer_status session_run_begin(clinfer_session *s, cl_uint num_wait, const cl_event *wait_list);
clinfer_status session_enqueue_node(clinfer_session *s, int32_t i, int32_t *event);

/* Kernel node e (execs[e]) as a chained layer (node_impl.chain): 1 and
 * *out filled, or 0 where its op cannot be one. */
struct chain_layer;
int session_node_chain(clinfer_session *s, int32_t e, struct chain_layer *out);
clinfer_status session_run_end(clinfer_session *s, cl_event *done);

/* The kernel (variant) name of kernel node i, the one that computes its
 * output: the last of its launches ("none" without launches). */
const char *session_node_kernel(const clinfer_session *s, int32_t i);

/* Writes graph input `index`'s values without waiting for the write
 * (session_upload.c): `bytes` already in the storage type, at byte `offset`
 * of mem; or `count` floats into tensor t (rounded in a half runtime).
 * Large inputs are written blocking. session_upload_free frees the host
 * copies (after the queue has finished). */
clinfer_status session_upload_bytes(clinfer_session *s, size_t index, cl_mem mem, size_t offset,
                                    const void *data, size_t bytes);
clinfer_status session_upload_floats(clinfer_session *s, size_t index, dev_tensor t,
                                     const float *data, size_t count);
void session_upload_free(clinfer_session *s);

/* Input (output = 0) or output (1) `index`'s value into *v; an index out
 * of range fails, recorded on the session. */
clinfer_status session_io_value(clinfer_session *s, size_t index, int output, int32_t *v);

/* Before host data replaces input `index`: releases its binding to a
 * caller's buffer, if any; fails when the session is unusable. */
clinfer_status session_input_unbind(clinfer_session *s, size_t index);

/* Releases a caller-buffer binding. */
void session_binding_release(io_binding *b);

#endif
