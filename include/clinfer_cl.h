/*
 * clinfer_cl.h — OpenCL interoperability: run clinfer on your own
 * cl_context / cl_device_id / cl_command_queue and feed it, and read from
 * it, cl_mem buffers that stay on the device.
 *
 * Include this header (instead of, or after, clinfer.h) only when you use
 * OpenCL yourself; clinfer.h alone needs no OpenCL headers. This header
 * includes <CL/cl.h> and uses nothing newer than OpenCL 1.2's types, so
 * when CL_TARGET_OPENCL_VERSION is not defined it defines it as 120 (the
 * API level clinfer itself is built with; this also keeps the headers'
 * "defaulting to 300" note away). Define it before including this header
 * to use a newer API level. Link with OpenCL (pkg-config: `clinfer-cl`, which
 * adds it; CMake: clinfer::clinfer already carries OpenCL::OpenCL).
 *
 * Ownership: handles passed in are retained while clinfer uses them and
 * released when it is done; yours stay yours, release them as usual.
 * Handles returned by the accessors below are borrowed: do not release
 * them, and do not use them after freeing their clinfer object.
 *
 * Ordering: every session enqueues its work (uploads, copies, kernels,
 * downloads) on one in-order command queue, its "session queue", which
 * clinfer_session_cl_queue() returns. Which queue that is depends on
 * clinfer_session_options.queue (see clinfer.h): by default the runtime's
 * queue when the runtime was created on your queue, else a queue of the
 * session's own. Work you enqueue on the session queue is ordered with
 * clinfer's by the queue; work on other queues is ordered through events
 * (clinfer_session_run_async's wait list and completion event).
 */
#ifndef CLINFER_CL_INTEROP_H
#define CLINFER_CL_INTEROP_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif

#if defined(__APPLE__)
#include <OpenCL/cl.h>
#else
#include <CL/cl.h>
#endif

#include "clinfer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- runtime */

/* Creates a runtime on the caller's OpenCL objects.
 *  - `context` and `device` are required; `device` must be one of the
 *    context's devices. Its capabilities are probed as clinfer_runtime_create
 *    does (clinfer_runtime_device()); platform_index and device_index are
 *    its position in clinfer_device_list(), or UINT32_MAX when it is not
 *    listed there (a sub-device).
 *  - `queue` is NULL (the runtime creates its own in-order, profiling queue
 *    on the context) or a queue of that context and device. It must execute
 *    in order: an out-of-order queue is refused with
 *    CLINFER_ERR_INVALID_ARGUMENT. Profiling may be off; then sessions that
 *    run on this queue refuse the `profile` option (CLINFER_ERR_UNSUPPORTED)
 *    and sessions with a queue of their own can still profile.
 *  - All three are retained (clRetain*) and released by
 *    clinfer_runtime_free, which first waits for the queue (clFinish).
 * `options` may be NULL; its device_spec is ignored. The program cache,
 * logging and everything else work as with clinfer_runtime_create. */
CLINFER_API clinfer_status clinfer_runtime_create_from_cl(cl_context context,
                                                          cl_device_id device,
                                                          cl_command_queue queue,
                                                          const clinfer_runtime_options *options,
                                                          clinfer_runtime **out);

/* The runtime's context, device and queue (borrowed; NULL for a NULL
 * runtime). Buffers you create on this context can be bound to sessions. */
CLINFER_API cl_context clinfer_runtime_cl_context(const clinfer_runtime *runtime);
CLINFER_API cl_device_id clinfer_runtime_cl_device(const clinfer_runtime *runtime);
CLINFER_API cl_command_queue clinfer_runtime_cl_queue(const clinfer_runtime *runtime);

/* ---------------------------------------------------------------- session */

/* The in-order queue this session enqueues on (borrowed). */
CLINFER_API cl_command_queue clinfer_session_cl_queue(const clinfer_session *session);

/* Binds input `index` to the caller's buffer: from now on every run reads
 * the input from `buffer` at byte `offset` (numel floats, contiguous, the
 * layout of clinfer_session_input_shape; with CLINFER_PRECISION_FP16, numel
 * IEEE halves, 2 bytes each, and "4" below reads "2"), until another
 * clinfer_session_set_input_buffer or clinfer_session_set_input call for
 * that input; `buffer` NULL unbinds (the input must then be set again).
 *
 * The buffer is checked at once: it must belong to the runtime's context,
 * hold offset + numel * 4 bytes, and be readable by kernels (not
 * CL_MEM_WRITE_ONLY); it must not overlap a bound output. The session
 * retains it while bound. Its contents are read while a run executes, so
 * they must be ready by then (enqueued earlier on the session queue, or
 * waited for through clinfer_session_run_async's wait list) and must not
 * change until the run completes.
 *
 * No copy is made: the kernels read the buffer directly at `offset` (any
 * multiple of 4, in a buffer or a sub-buffer), except for an empty tensor.
 * Where a copy is made, each run starts with one device-to-device copy
 * (counted in clinfer_transfer_stats). Rebinding re-prepares the kernels
 * that read the input (no recompile). */
CLINFER_API clinfer_status clinfer_session_set_input_buffer(clinfer_session *session,
                                                            size_t index, cl_mem buffer,
                                                            size_t offset);

/* Binds output `index` to the caller's buffer: from now on every run writes
 * the output to `buffer` at byte `offset` (numel floats; halves in fp16, as
 * for inputs), until another
 * call for that output; `buffer` NULL unbinds. clinfer_session_get_output
 * keeps working. Checks: same context, large enough, writable by kernels
 * (not CL_MEM_READ_ONLY), no overlap with another bound input or output.
 * Retained while bound. The contents are valid once the run completes
 * (its event, or any later command on the session queue).
 *
 * No copy is made when the output's producing kernel can write the buffer
 * directly, at any offset that is a multiple of 4 (the output is computed
 * by a kernel, not a graph input or constant; no other
 * bound output shares its memory; and, for a CL_MEM_WRITE_ONLY buffer, no
 * later kernel reads it). Otherwise each run ends with one
 * device-to-device copy into the buffer. */
CLINFER_API clinfer_status clinfer_session_set_output_buffer(clinfer_session *session,
                                                             size_t index, cl_mem buffer,
                                                             size_t offset);

/* Enqueues a run, like clinfer_session_run, and returns at once.
 *  - The run starts only after the `num_wait` events of `wait_list` have
 *    completed (events of the runtime's context, e.g. the commands that
 *    fill the input buffers on another queue); num_wait 0 and wait_list
 *    NULL for none.
 *  - `done` may be NULL. Otherwise it receives a new event that completes
 *    when the whole run (including the copies into bound output buffers)
 *    has completed; wait on it, or pass it to your own commands' wait
 *    lists. Release it with clReleaseEvent.
 * With the `profile` session option the run waits for the device before
 * returning (the profile is then ready) and `done` is already complete. */
CLINFER_API clinfer_status clinfer_session_run_async(clinfer_session *session, cl_uint num_wait,
                                                     const cl_event *wait_list, cl_event *done);

#ifdef __cplusplus
}
#endif

#endif /* CLINFER_CL_INTEROP_H */
