#!/usr/bin/env python3
"""differential.py — clinfer against ONNX Runtime on random CNN-like models.

For each seed, tests/fuzz/random_model.py (run by Debian's /usr/bin/python3,
which has python3-onnx) writes DIR/m<seed>.onnx and an input; this script
(the `python3` that has onnxruntime: `python3 -m pip install onnxruntime`)
runs the model in ONNX Runtime (one thread) and with `clinfer run`, and
prints one line per seed:

  ok        the outputs agree: max |clinfer - ORT| <= TOL * max(1, max |ORT|)
  MISMATCH  they do not (then `clinfer verify DIR/m<seed>.onnx --input
            DIR/m<seed>.in.npy` names the first node that differs)
  SHAPE     the output shapes differ
  CLINFER-FAIL / ORT-FAIL / GEN-FAIL  an engine or the generator refused
            (ORT-FAIL: the generator's size bookkeeping and ONNX's shape
            inference disagree, e.g. ceil-mode pools; not clinfer's)

Usage: python3 tests/fuzz/differential.py FIRST LAST [--dir DIR] [--big]
           [--precision fp16|fp16-math] [--tol T] [--clinfer PATH]
--big: channel counts of real mobile networks (16-320), so that the
channel-blocked layout, the fused depthwise pairs and the transposed GEMM
take part. Not part of the test suite (a few seconds a model); 2026-12-06:
1,200 seeds, one wrong kernel found (conv2d_depthwise_flat), fixed.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("first", type=int)
    ap.add_argument("last", type=int)
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "differential"))
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--tol", type=float, default=0, help="default 2e-4 (fp32), 3e-2 (fp16)")
    ap.add_argument("--clinfer", default=os.path.join(ROOT, "build", "clinfer"))
    args = ap.parse_args()
    tol = args.tol or (3e-2 if args.precision.startswith("fp16") else 2e-4)
    os.makedirs(args.dir, exist_ok=True)
    env = dict(os.environ, BIG="1" if args.big else "0")
    bad = 0
    for seed in range(args.first, args.last + 1):
        line = check(seed, args, tol, env)
        bad += not line.startswith("ok") and "ORT-FAIL" not in line
        print(f"{seed}: {line}", flush=True)
    return 1 if bad else 0


def check(seed, args, tol, env):
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "random_model.py"), str(seed),
                        args.dir], capture_output=True, text=True, env=env)
    if r.returncode:
        return "GEN-FAIL " + (r.stderr.strip().splitlines() or [""])[-1]
    model, inp = f"{args.dir}/m{seed}.onnx", f"{args.dir}/m{seed}.in.npy"
    x = np.load(inp)
    try:
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.log_severity_level = 3
        sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        ref = sess.run(None, {"input": x})[0]
    except Exception as e:  # noqa: BLE001 (any refusal of ORT's)
        return "ORT-FAIL " + str(e)[:150]
    out = f"{args.dir}/o{seed}"
    r = subprocess.run([args.clinfer, "run", model, "--input", inp, "--output-dir", out,
                        "--precision", args.precision], capture_output=True, text=True)
    if r.returncode:
        return f"CLINFER-FAIL rc={r.returncode} " + (r.stderr or r.stdout).strip()[-300:]
    y = np.load(f"{out}/output.npy")
    if y.shape != ref.shape:
        return f"SHAPE {y.shape} vs {ref.shape}"
    scale = max(1.0, float(np.abs(ref).max()))
    err = float(np.nanmax(np.abs(y - ref))) if y.size else 0.0
    mismatch = np.isnan(y).any() != np.isnan(ref).any() or err > tol * scale
    return f"{'MISMATCH' if mismatch else 'ok'} err={err:.2e} scale={scale:.2e} shape={ref.shape}"


if __name__ == "__main__":
    sys.exit(main())
