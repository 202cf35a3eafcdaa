/*
 * replay.h — a session's kernels recorded once in a cl_khr_command_buffer
 * and replayed by each run (replay.c): one enqueue call instead of one per
 * kernel. On GPUs the host's cost per clEnqueueNDRangeKernel (a few us on
 * NVIDIA) adds up over the 50-200 launches of a batch-1 run and can leave
 * the device waiting; PoCL gained nothing from it (build/pocl_launch:
 * 1.1-2.1 us a launch either way), so CLINFER_REPLAY=auto records only on
 * devices that are not CPUs. CLINFER_REPLAY=on records on any device that
 * offers the extension (tests), off never.
 */
#ifndef CLINFER_REPLAY_H
#define CLINFER_REPLAY_H

#include "clinfer.h"

struct clinfer_session;
typedef struct session_replay session_replay; /* replay.c */

/* Decides whether the session's runs replay (the setting, the device, the
 * extension and its queue needs; never with the profile option, whose runs
 * time each kernel). Records nothing yet: the first run does. Fails only
 * under CLINFER_REPLAY=on on a device that cannot replay, and out of host
 * memory. */
clinfer_status session_replay_init(struct clinfer_session *s);

/* Enqueues the run's kernels as the recorded command buffer, recording it
 * first if the session has none (its first run, or its first after a
 * rebinding re-prepared kernels). *replayed is 0 where this run cannot
 * replay and the caller must launch per node: no replay for this session,
 * a recording or replay that failed under auto (the session then stops
 * trying, with a warning to the log), or the last replay still running on
 * a device that does not allow a command buffer to be pending twice.
 * Under CLINFER_REPLAY=on a failure is the run's error. */
clinfer_status session_replay_enqueue(struct clinfer_session *s, int *replayed);

/* Forgets the recording, whose kernels a rebinding replaced; the next run
 * records again. */
void session_replay_drop(struct clinfer_session *s);

/* Frees the replay state (NULL: nothing). */
void session_replay_free(struct clinfer_session *s);

#endif
