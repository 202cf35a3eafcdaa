#!/usr/bin/python3
"""layer_bench.py — single-layer models timed on clinfer and ONNX Runtime,
alternating, for the per-layer targets of ConvTranspose and Resize
(within 2x of ONNX Runtime on PoCL).

Needs two Pythons: run it with /usr/bin/python3 (Debian's onnx and numpy
write the models); it runs tests/bench/ort_bench.py with --ort-python
(default `python3` on PATH, the one with PyPI's onnxruntime).

  /usr/bin/python3 tests/bench/layer_bench.py [--build build] [--rounds 3]
      [--iters 30] [--only SUBSTRING] [--model M.onnx]... [--no-layers]
      [--no-check]

Each layer is written as a one-node ONNX model (opset 13) under
BUILD/bench/layers/: ConvTranspose 2-D with bias (64 -> 32 channels, 3x3
kernel with pads 1 and output_padding 1, or 4x4 with pads 1, stride 2: the
upsampling layers of decoders and GAN generators) at 56x56 and 45x61;
Resize 2x bilinear (align_corners and half_pixel) and nearest (asymmetric,
floor: PyTorch's Upsample) at 1x64x56x56 and 1x32x45x61. Every round runs
`clinfer bench M --iters N --json` and `ort_bench.py M --iters N` once each,
the order swapped from round to round; a median is over every timed run of
every round (end to end: input in, output out, as both tools time). A
third run per round, `clinfer bench --profile`, gives clinfer's kernel and
its device time (the median over the rounds): the layer's cost inside a
network, where no upload or download surrounds it; "kernel / ORT" compares
that with ONNX Runtime's end-to-end time. Then `clinfer run` is compared
with ONNX Runtime's output on the same input (rtol 1e-4, atol 1e-5).
--model adds whole models (batch 1, each tool's random input, no check)
to the table, timed the same way; --no-layers leaves the layers out. Prints a markdown table; exit status 1 when a
run failed or an output differed (not for a slow layer).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from side_by_side import ROOT, combine, machine, run_json  # noqa: E402


def log(msg):
    print("layer_bench: " + msg, file=sys.stderr, flush=True)


def conv_transpose(cin, cout, k, h, w, seed):
    """ConvTranspose stride 2 with bias; 3x3: pads 1, output_padding 1
    (exactly 2x), 4x4: pads 1 (exactly 2x)."""
    rng = np.random.default_rng(seed)
    wt = (rng.standard_normal((cin, cout, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    attrs = dict(kernel_shape=[k, k], strides=[2, 2], pads=[1, 1, 1, 1])
    if k == 3:
        attrs["output_padding"] = [1, 1]
    node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], **attrs)
    inits = [numpy_helper.from_array(wt, "w"), numpy_helper.from_array(b, "b")]
    return node, inits, [1, cin, h, w], [1, cout, 2 * h, 2 * w]


def resize(c, h, w, mode, coords):
    """Resize (opset 13) by scales 2 in H and W."""
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")
    attrs = dict(mode=mode, coordinate_transformation_mode=coords)
    if mode == "nearest":
        attrs["nearest_mode"] = "floor"
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], **attrs)
    return node, [scales], [1, c, h, w], [1, c, 2 * h, 2 * w]


LAYERS = [
    ("convt 64->32 k3 s2 56x56", lambda: conv_transpose(64, 32, 3, 56, 56, 1)),
    ("convt 64->32 k4 s2 56x56", lambda: conv_transpose(64, 32, 4, 56, 56, 2)),
    ("convt 64->32 k3 s2 45x61", lambda: conv_transpose(64, 32, 3, 45, 61, 3)),
    ("convt 64->32 k4 s2 45x61", lambda: conv_transpose(64, 32, 4, 45, 61, 4)),
    ("resize linear align_corners 64x56x56", lambda: resize(64, 56, 56, "linear",
                                                            "align_corners")),
    ("resize linear half_pixel 64x56x56", lambda: resize(64, 56, 56, "linear", "half_pixel")),
    ("resize linear align_corners 32x45x61", lambda: resize(32, 45, 61, "linear",
                                                            "align_corners")),
    ("resize linear half_pixel 32x45x61", lambda: resize(32, 45, 61, "linear", "half_pixel")),
    ("resize nearest 64x56x56", lambda: resize(64, 56, 56, "nearest", "asymmetric")),
    ("resize nearest 32x45x61", lambda: resize(32, 45, 61, "nearest", "asymmetric")),
]


def slug(name):
    return "".join(ch if ch.isalnum() else "_" for ch in name).replace("__", "_")


def write_model(path, make):
    node, inits, xs, ys = make()
    graph = helper.make_graph([node], "layer",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, xs)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ys)],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return xs


def check_output(clinfer, model, x, ort_out, out_dir):
    """clinfer run on x against ONNX Runtime's output: (ok, max abs error)."""
    os.makedirs(out_dir, exist_ok=True)
    p = subprocess.run([clinfer, "run", model, "--input", x, "--output-dir", out_dir],
                       cwd=ROOT, capture_output=True, text=True)
    y = os.path.join(out_dir, "y.npy")
    if p.returncode != 0 or not os.path.exists(y):
        return False, float("nan")
    ref, act = np.load(ort_out).astype(np.float64), np.load(y).astype(np.float64)
    if ref.shape != act.shape:
        return False, float("nan")
    return bool(np.allclose(act, ref, rtol=1e-4, atol=1e-5)), float(np.max(np.abs(act - ref)))


def kernels_of(results):
    """clinfer's kernels and the median of its --profile runs' device time."""
    ok = [r for r in results if r and r.get("profile")]
    if not ok:
        return "?", None
    kernels = ",".join(sorted({p.get("kernel", "?") for p in ok[0]["profile"]}))
    return kernels, float(np.median([r["device_ms"] for r in ok]))


def time_case(name, model, x, ort_out, clinfer, args, failures):
    """ROUNDS rounds of clinfer, clinfer --profile and ONNX Runtime on
    `model` (input file x, or each tool's random input when None),
    alternating: (clinfer's and ORT's combined results, clinfer's
    kernels and median device time)."""
    given = ["--input", x] if x else []
    timing = ["--iters", str(args.iters)]
    engines = [
        ("clinfer", [clinfer, "bench", model, "--json"] + timing + given),
        ("profile", [clinfer, "bench", model, "--json", "--profile"] + timing + given),
        ("ort", [args.ort_python, "tests/bench/ort_bench.py", model] + timing + given
         + (["--save-output", ort_out] if ort_out else [])),
    ]
    per = {"clinfer": [], "profile": [], "ort": []}
    for r in range(args.rounds):
        for engine, cmd in (engines if r % 2 == 0 else engines[::-1]):
            log("%s: %s (round %d)" % (name, engine, r + 1))
            data, err = run_json(cmd)
            if err:
                failures.append("%s %s: %s" % (name, engine, err))
            per[engine].append(data)
    kernels, device_ms = kernels_of(per["profile"])
    return combine(per["clinfer"]), combine(per["ort"]), kernels, device_ms


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--only", help="run the layers whose name contains this")
    ap.add_argument("--model", action="append", default=[],
                    help="also time this whole ONNX model (batch 1, random input)")
    ap.add_argument("--no-layers", action="store_true", help="only the --model models")
    ap.add_argument("--no-check", action="store_true", help="skip the output comparison")
    ap.add_argument("--ort-python", default=os.environ.get("ORT_PYTHON", "python3"))
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(ROOT, args.build))
    clinfer = os.path.join(build, "clinfer")
    folder = os.path.join(build, "bench", "layers")
    os.makedirs(folder, exist_ok=True)
    started = time.time()
    load_start = os.getloadavg()[0]
    failures, rows = [], []
    for i, (name, make) in enumerate(LAYERS):
        if args.no_layers or (args.only and args.only not in name):
            continue
        model = os.path.join(folder, slug(name) + ".onnx")
        xs = write_model(model, make)
        x = os.path.join(folder, slug(name) + ".x.npy")
        np.save(x, np.random.default_rng(100 + i).uniform(-1, 1, xs).astype(np.float32))
        ort_out = os.path.join(folder, slug(name) + ".ort.npy")
        c, o, kernels, device_ms = time_case(name, model, x, ort_out, clinfer, args, failures)
        check = "–"
        if not args.no_check and os.path.exists(ort_out):
            ok, err = check_output(clinfer, model, x, ort_out,
                                   os.path.join(folder, slug(name) + ".out"))
            check = ("yes (%.1g)" if ok else "**no** (%.2g)") % err
            if not ok:
                failures.append("%s: clinfer's output differs from ONNX Runtime's (max abs "
                                "error %.3g)" % (name, err))
        rows.append((name, c, o, kernels, device_ms, check))
    for model in args.model:
        name = os.path.basename(model)
        c, o, _, device_ms = time_case(name, os.path.abspath(model), None, None, clinfer, args,
                                       failures)
        rows.append((name, c, o, "(whole model)", device_ms, "–"))

    ort_v = next((r[2].get("engine") for r in rows if r[2]), "ONNX Runtime ?")
    device = next((r[1].get("device") for r in rows if r[1]), "?")
    print("Per-layer latency, clinfer on %s vs %s (%s threads); %s" %
          (device, ort_v, os.cpu_count(), machine()))
    print("command: /usr/bin/python3 tests/bench/layer_bench.py %s; %d rounds alternating, "
          "medians of every timed run (end to end); load average %.2f at the start, %.2f at "
          "the end; %.0f s" %
          (" ".join(sys.argv[1:]), args.rounds, load_start, os.getloadavg()[0],
           time.time() - started))
    print()
    print("| layer | clinfer ms | ORT ms | clinfer / ORT | clinfer kernel | kernel ms "
          "| kernel / ORT | same output (max abs err) |")
    print("|---|---:|---:|---:|---|---:|---:|---|")
    for name, c, o, kernels, device_ms, check in rows:
        cm, om = c and c["median_ms"], o and o["median_ms"]
        ratio = "%.2f" % (cm / om) if cm and om else "–"
        if cm and om and cm > 2 * om:
            ratio += " (over 2x)"
        kr = "%.2f" % (device_ms / om) if device_ms and om else "–"
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" %
              (name, "%.3f" % cm if cm else "–", "%.3f" % om if om else "–", ratio, kernels,
               "%.3f" % device_ms if device_ms else "–", kr, check))
    for f in failures:
        print("FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
