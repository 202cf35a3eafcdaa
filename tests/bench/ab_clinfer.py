#!/usr/bin/env python3
"""ab_clinfer.py - two clinfer builds (or two environments) on one model,
alternating, for a change's before and after: the only comparison that
holds on a machine whose speed drifts by 10-50% within minutes. Not a test.

    python3 tests/bench/ab_clinfer.py A_CLINFER B_CLINFER MODEL [--rounds R]
        [--iters N] [--device-time] [--one-thread] [--env-a K=V ...]
        [--env-b K=V ...] [-- extra clinfer bench arguments]

Runs `clinfer bench MODEL --json` with each binary in turn, R rounds
(default 6) of N timed runs (default 100) each, and prints per round
both medians and at the end the median of the rounds' medians and B / A.
--device-time compares the kernels' summed device time (`--profile`'s
device_ms) instead of end-to-end latency: what a kernel change does,
without the launch and wake-up noise; --one-thread sets
POCL_MAX_PTHREAD_COUNT=1 for both (a kernel's work alone, steadier
still). --env-a / --env-b add environment variables to one side (the
same binary twice with CLINFER_CONV_ALGO=winograd on one side, say).
Build a baseline with `git worktree add /tmp/base REV && cmake -S
/tmp/base -B /tmp/base/build -DCMAKE_BUILD_TYPE=Release && cmake --build
/tmp/base/build --target clinfer_cli`. Any python3 (standard library only).
Identical sides differ by 4-8% in short runs on the 2-vCPU machines: a
change needs more than that, in most rounds, before it counts.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def one_run(binary, model, args, env):
    """The median latency or device time (ms) of one bench process."""
    cmd = [binary, "bench", model, "--json", "--iters", str(args.iters)] + args.extra
    if args.device_time:
        cmd.append("--profile")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("ab_clinfer: %s failed (%d): %s" % (" ".join(cmd), out.returncode,
                                                    out.stderr.strip()[-400:]))
    result = json.loads(out.stdout)
    return result["device_ms"] if args.device_time else result["median_ms"]


def side_env(pairs, one_thread):
    env = dict(os.environ)
    if one_thread:
        env["POCL_MAX_PTHREAD_COUNT"] = "1"
    for pair in pairs:
        key, _, value = pair.partition("=")
        env[key] = value
    return env


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[: argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("model")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--device-time", action="store_true")
    ap.add_argument("--one-thread", action="store_true")
    ap.add_argument("--env-a", action="append", default=[])
    ap.add_argument("--env-b", action="append", default=[])
    args = ap.parse_args(argv)
    args.extra = extra
    env_a = side_env(args.env_a, args.one_thread)
    env_b = side_env(args.env_b, args.one_thread)
    what = "device time" if args.device_time else "median latency"
    print("%s, %s (ms), %d rounds of %d runs%s" %
          (args.model, what, args.rounds, args.iters, ", one PoCL thread" if args.one_thread
           else ""))
    a_medians, b_medians = [], []
    for r in range(args.rounds):
        a_medians.append(one_run(args.a, args.model, args, env_a))
        b_medians.append(one_run(args.b, args.model, args, env_b))
        print("  round %d: A %.4f  B %.4f  B/A %.3f" %
              (r + 1, a_medians[-1], b_medians[-1], b_medians[-1] / a_medians[-1]))
    a, b = statistics.median(a_medians), statistics.median(b_medians)
    faster = sum(1 for x, y in zip(a_medians, b_medians) if y < x)
    print("median of the rounds: A %.4f  B %.4f  B/A %.3f (B faster in %d of %d rounds)" %
          (a, b, b / a, faster, args.rounds))


if __name__ == "__main__":
    main()
