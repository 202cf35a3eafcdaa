#!/usr/bin/env python3
"""ort_bench.py — the ONNX Runtime peer of `clinfer bench MODEL.onnx --json`:
times a model on ONNX Runtime's CPU execution provider with every core and
prints the same JSON keys (load_ms, first_run_ms, min_ms, median_ms, p90_ms,
p99_ms, mean_ms, images_per_s, batch, times_ms, ...).

Usage: python3 tests/bench/ort_bench.py MODEL.onnx [--batch N] [--input X.npy]
           [--warmup W] [--iters N] [--max-time S] [--threads T]
           [--save-output Y.npy]

Runs with the `python3` that has PyPI's onnxruntime (python3 -m pip install
onnxruntime). A run is end to end for one batch, like clinfer's: session.run
with the input array, returning the output arrays. Inputs: --input (one
float32 .npy for the first input, which also sets the batch size), else
uniform random values in [-1, 1) with a fixed seed. --max-time S stops the
warm-up after S/2 seconds (the first run included) and the timed runs after
S seconds, as `clinfer bench --max-time` does. --save-output writes the
first output of the first run.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort


def now_ms():
    return time.perf_counter() * 1e3


def percentile(sorted_v, q):
    pos = q * (len(sorted_v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_v) - 1)
    return sorted_v[lo] + (pos - lo) * (sorted_v[hi] - sorted_v[lo])


def session_options(threads):
    """The session the side-by-side times: `threads` intra-op threads, one
    sequential inter-op thread, every graph optimisation (ort_profile.py
    profiles the same)."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return opts


def random_feed(rng, shape):
    """Uniform random values in [-1, 1) for an input of `shape`."""
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--input", help="a float32 .npy for the first input")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--max-time", type=float, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="intra-op threads (default: every CPU)")
    ap.add_argument("--save-output")
    args = ap.parse_args()

    t0 = now_ms()
    sess = ort.InferenceSession(args.model, sess_options=session_options(args.threads),
                                providers=["CPUExecutionProvider"])
    load_ms = now_ms() - t0

    given = np.load(args.input).astype(np.float32) if args.input else None
    batch = args.batch or (given.shape[0] if given is not None else 1)
    feeds = {}
    rng = np.random.default_rng(12345)
    for i, inp in enumerate(sess.get_inputs()):
        shape = [d if isinstance(d, int) else batch for d in inp.shape]
        if i == 0 and given is not None:
            if list(given.shape) != shape and not (args.batch == 0 and
                                                   list(given.shape[1:]) == shape[1:]):
                sys.exit("ort_bench: %s holds %s, input %s needs %s"
                         % (args.input, list(given.shape), inp.name, shape))
            feeds[inp.name] = given
        else:
            feeds[inp.name] = random_feed(rng, shape)
    first_input = next(iter(feeds.values()))
    batch = first_input.shape[0] if first_input.ndim else 1

    t0 = now_ms()
    out = sess.run(None, feeds)
    first_ms = now_ms() - t0
    if args.save_output:
        np.save(args.save_output, out[0].astype(np.float32))
    warm = 0
    for _ in range(args.warmup):
        if args.max_time > 0 and now_ms() - t0 >= args.max_time * 500:
            break
        sess.run(None, feeds)
        warm += 1
    times = []
    tl = now_ms()
    for i in range(args.iters):
        if args.max_time > 0 and i > 0 and now_ms() - tl >= args.max_time * 1000:
            break
        ts = now_ms()
        sess.run(None, feeds)
        times.append(now_ms() - ts)
    s = sorted(times)
    median = percentile(s, 0.5)
    print(json.dumps({
        "engine": "ONNX Runtime %s CPU" % ort.__version__,
        "model": args.model,
        "threads": args.threads,
        "batch": int(batch),
        "warmup": warm,
        "iters": len(times),
        "load_ms": load_ms,
        "first_run_ms": first_ms,
        "min_ms": s[0],
        "median_ms": median,
        "p90_ms": percentile(s, 0.9),
        "p99_ms": percentile(s, 0.99),
        "mean_ms": sum(s) / len(s),
        "images_per_s": batch * 1e3 / median if median > 0 else 0,
        "times_ms": [round(t, 4) for t in times],
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
