#!/usr/bin/env python3
"""check_qdq.py — QDQ-quantized models (int8 weights, uint8 activations,
as ONNX Runtime's quantize_static writes them by default) run by clinfer
and by ONNX Runtime on the same input, outputs compared.

The float models are tests/bench/model_survey.py's exports (DIR, default
build/survey: run the survey first, or --only its models); each is
quantized here with random calibration data, per channel and per tensor.

Usage: python3 tests/bench/check_qdq.py [--dir DIR] [--build BUILD]
       [--models resnet18,mobilenet_v2]
(the `python3` with onnxruntime, onnx and numpy from PyPI)

ONNX Runtime runs QDQ models with integer kernels, clinfer with float
kernels between exact (de)quantizations: a sum within a rounding of a half
quantization step may round the other way, and such flips compound along
a deep network. So the check is ONNX Runtime against itself: its
optimised run (integer kernels) and its unoptimised one (each node as
written, in float) differ by some steps; clinfer passes when it is no
further from the optimised run than that (plus one step of the output's
last quantization, its max error's granularity), and its top-1 agrees.
Exit status 1 if any model fails or is refused.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

ort.set_default_logger_severity(3)  # it warns about every initializer the quantizer left unused


def quantize(src, dst, per_channel, shape, name):
    class Reader(CalibrationDataReader):
        def __init__(self):
            self.n = 0

        def get_next(self):
            self.n += 1
            if self.n > 4:
                return None
            return {name: np.random.RandomState(self.n).rand(*shape).astype(np.float32)}
    quantize_static(src, dst, Reader(), quant_format=QuantFormat.QDQ, per_channel=per_channel,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)


def ort_run(path, x, optimise):
    so = ort.SessionOptions()
    if not optimise:
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    return s.run(None, {s.get_inputs()[0].name: x})[0].astype(np.float64)


def clinfer_run(build, path, xfile):
    out = tempfile.mkdtemp()
    p = subprocess.run([os.path.join(build, "clinfer"), "run", path, "--input", xfile,
                        "--output-dir", out], capture_output=True, text=True)
    if p.returncode:
        return None, (p.stderr or p.stdout).strip().splitlines()[-1][:200]
    return np.load(os.path.join(out, os.listdir(out)[0])).astype(np.float64), ""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, "..", "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(root, "build", "survey"))
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--models", default="resnet18,mobilenet_v2,squeezenet1_1,efficientnet_b0")
    args = ap.parse_args()
    failed = 0
    for name in args.models.split(","):
        src = os.path.join(args.dir, name + ".onnx")
        if not os.path.exists(src):
            print("%-30s MISSING   %s (run tests/bench/model_survey.py --only %s)" % (name, src, name))
            failed += 1
            continue
        inp = onnx.load(src).graph.input[0]
        shape = [d.dim_value if d.dim_value > 0 else 1 for d in inp.type.tensor_type.shape.dim]
        for per_channel in (True, False):
            label = "%s %s" % (name, "per-channel" if per_channel else "per-tensor")
            q = os.path.join(args.dir, "%s.qdq%s.onnx" % (name, "pc" if per_channel else "pt"))
            if not os.path.exists(q):
                quantize(src, q, per_channel, shape, inp.name)
            x = np.random.RandomState(99).rand(*shape).astype(np.float32)
            xfile = q + ".x.npy"
            np.save(xfile, x)
            opt, plain = ort_run(q, x, True), ort_run(q, x, False)
            got, why = clinfer_run(args.build, q, xfile)
            if got is None:
                print("%-30s REFUSED   %s" % (label, why))
                failed += 1
                continue
            got = got.reshape(opt.shape)
            ort_gap = np.abs(opt - plain).max()
            err = np.abs(got - opt).max()
            step = np.abs(np.diff(np.unique(opt.ravel()))).min() if opt.size > 1 else 0
            top1 = np.array_equal(got.reshape(len(got), -1).argmax(1), opt.reshape(len(opt), -1).argmax(1))
            ok = err <= ort_gap + step + 1e-6 and top1
            failed += not ok
            print("%-30s %-9s max |clinfer - ORT| %.4g, ORT optimised vs not %.4g, output step "
                  "%.4g, top-1 %s" % (label, "PASS" if ok else "FAIL", err, ort_gap, step,
                                      "agrees" if top1 else "DIFFERS"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
