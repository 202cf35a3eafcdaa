#!/usr/bin/env python3
"""ort_profile.py - ONNX Runtime's own per-node times for a model, to read
beside `clinfer bench MODEL --profile` (which node of ours is slower than
the peer's, not only the whole run). Not a test.

    python3 tests/bench/ort_profile.py MODEL [--runs N] [--threads T] [--top K]
                                           [--batch B]

Needs the interpreter with PyPI's onnxruntime (`python3` on PATH, as
tests/bench/ort_bench.py). Runs the model N times (default 50) on random
inputs in [-1, 1), in the session tests/bench/ort_bench.py times
(session_options: T intra-op threads, default every core), with ORT's
profiler on, then prints per node its median kernel
time over the runs, sorted, the top K (default 30), the sum of the medians,
and the sum per op type. ORT names nodes after its fusions and its NCHWc
layout pass (a Conv's ReLU fused: "Relu_output_0_nchwc"; SiLU as
"QuickGelu"), so a clinfer node matches by the layer's name in the path.
The profiler's JSON file is deleted afterwards.
"""
import argparse
import collections
import json
import os
import statistics

import numpy as np
import onnxruntime as ort

from ort_bench import random_feed, session_options  # this folder's peer


def random_inputs(session, batch):
    """Random values for every input, symbolic dims set to `batch`."""
    rng = np.random.default_rng(0)
    return {i.name: random_feed(rng, [d if isinstance(d, int) else batch for d in i.shape])
            for i in session.get_inputs()}


def node_times(profile_path):
    """Per node: (op type, list of kernel times in ms) from ORT's trace."""
    with open(profile_path) as f:
        events = json.load(f)
    times = collections.defaultdict(list)
    ops = {}
    for e in events:
        name = e.get("name", "")
        if e.get("cat") == "Node" and name.endswith("_kernel_time"):
            node = name[: -len("_kernel_time")]
            times[node].append(e["dur"] / 1000.0)
            ops[node] = e.get("args", {}).get("op_name", "?")
    return {n: (ops[n], t) for n, t in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--batch", type=int, default=1)
    args = ap.parse_args()
    opts = session_options(args.threads)
    opts.enable_profiling = True
    session = ort.InferenceSession(args.model, opts, providers=["CPUExecutionProvider"])
    feeds = random_inputs(session, args.batch)
    for _ in range(args.runs):
        session.run(None, feeds)
    path = session.end_profiling()
    try:
        nodes = node_times(path)
    finally:
        os.remove(path)
    rows = sorted(((statistics.median(t), n, op) for n, (op, t) in nodes.items()), reverse=True)
    print("ONNX Runtime %s CPU, %d threads, %s batch %d: %d nodes, median kernel time per node "
          "over %d runs" % (ort.__version__, args.threads, args.model, args.batch, len(rows),
                            args.runs))
    for ms, node, op in rows[: args.top]:
        print("  %8.3f ms  %-18s %s" % (ms, op, node))
    by_op = collections.defaultdict(float)
    for ms, _, op in rows:
        by_op[op] += ms
    print("sum of the medians %.3f ms; by op type:" % sum(ms for ms, _, _ in rows))
    for op, ms in sorted(by_op.items(), key=lambda kv: -kv[1]):
        print("  %8.3f ms  %s" % (ms, op))


if __name__ == "__main__":
    main()
