#!/usr/bin/env python3
"""check_pretrained.py — pretrained models shipped inside a PyPI package,
run by clinfer and by ONNX Runtime on the same input, outputs compared.

The models are the PP-OCR text classifier, recogniser and detector that
the `rapidocr-onnxruntime` wheel ships (exported by paddle2onnx, not
here: opset 11/12, -1 and symbolic height/width). The wheel is fetched
with `pip download` into DIR (default build/pretrained) once.

Usage: python3 tests/bench/check_pretrained.py [--dir DIR] [--build BUILD]
(the `python3` with onnxruntime and numpy from PyPI: pip install onnxruntime)

A model passes when max |clinfer - ORT| <= 1e-3 * max |ORT| and the
arg-max along the last axis agrees everywhere. Exit status 1 if any model
fails or is refused.
"""
import argparse
import glob
import os
import subprocess
import sys
import zipfile

import numpy as np
import onnxruntime as ort

WHEEL = "rapidocr-onnxruntime==1.4.4"
# (file name part, input shape): text-line images of PP-OCR's usual sizes
MODELS = [
    ("ch_ppocr_mobile_v2.0_cls_infer", (1, 3, 48, 192)),
    ("ch_PP-OCRv4_rec_infer", (1, 3, 48, 320)),
    ("ch_PP-OCRv4_det_infer", (1, 3, 96, 160)),
]


def fetch(d):
    models = os.path.join(d, "models")
    if glob.glob(os.path.join(models, "*.onnx")):
        return models
    os.makedirs(d, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", d, WHEEL],
                   check=True, capture_output=True)
    wheel = glob.glob(os.path.join(d, "rapidocr_onnxruntime-*.whl"))[0]
    os.makedirs(models, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for n in z.namelist():
            if n.endswith(".onnx"):
                with open(os.path.join(models, os.path.basename(n)), "wb") as f:
                    f.write(z.read(n))
    return models


def check(build, models, d, name, shape):
    path = os.path.join(models, name + ".onnx")
    x = np.random.default_rng(len(name)).uniform(-1, 1, shape).astype(np.float32)
    xin = os.path.join(d, name + ".input.npy")
    np.save(xin, x)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    ref = sess.run(None, {sess.get_inputs()[0].name: x})[0].astype(np.float64)
    out = os.path.join(d, name + ".clinfer")
    os.makedirs(out, exist_ok=True)
    for f in glob.glob(os.path.join(out, "*.npy")):
        os.remove(f)
    p = subprocess.run([os.path.join(build, "clinfer"), "run", path, "--input", xin,
                        "--output-dir", out], capture_output=True, text=True)
    if p.returncode != 0:
        return "REFUSED", (p.stderr.strip().splitlines() or ["?"])[-1][:200]
    got = np.load(glob.glob(os.path.join(out, "*.npy"))[0]).astype(np.float64)
    if got.shape != ref.shape:
        return "WRONG", "shape %s, ORT %s" % (got.shape, ref.shape)
    scale = float(np.max(np.abs(ref))) or 1.0
    err = float(np.max(np.abs(got - ref)))
    agree = float(np.mean(got.argmax(-1) == ref.argmax(-1)))
    ok = err <= 1e-3 * scale and (agree == 1.0 or ref.shape[-1] == 1)
    return ("PASS" if ok else "WRONG"), "output %s, max abs err %.3g of scale %.3g, " \
        "arg-max agreement %.4f" % (ref.shape, err, scale, agree)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, "..", "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(root, "build", "pretrained"))
    ap.add_argument("--build", default=os.path.join(root, "build"))
    args = ap.parse_args()
    models = fetch(args.dir)
    failed = 0
    for name, shape in MODELS:
        status, detail = check(args.build, models, args.dir, name, shape)
        failed += status != "PASS"
        print("%-32s %-8s input %s: %s" % (name, status, shape, detail), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
