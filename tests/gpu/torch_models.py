#!/usr/bin/env python3
"""torch_models.py — the models of the GPU report, made and timed by
PyTorch on the device machine itself (the ONNX files are too large to carry:
ResNet-50 alone is about 100 MB).

Usage (the device machine's python3, which holds torch, torchvision, onnx):
  python3 tests/gpu/torch_models.py export DIR
      writes DIR/MODEL.onnx for resnet18, resnet50, mobilenet_v2: random
      weights (torchvision's initialisation under a fixed seed, BatchNorm
      statistics randomised as tests/bench/export_torchvision.py does),
      opset 13, input "input" [N, 3, 224, 224] with a symbolic batch.
  python3 tests/gpu/torch_models.py bench OUT.json [--batches 1,64]
      times the same models in PyTorch on CUDA (eager, cuDNN, fp32 without
      TF32 and fp16), median of timed runs after warm-up, synchronised; the
      peer figures of the report. Writes one JSON object.
"""
import argparse
import json
import os
import sys
import time

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "bench")]  # prepare.sh copies it beside
from export_torchvision import randomize_batchnorm  # noqa: E402

MODELS = [
    ("resnet18", torchvision.models.resnet18),
    ("resnet50", torchvision.models.resnet50),
    ("mobilenet_v2", torchvision.models.mobilenet_v2),
]
SEED = 1234


def make(index, ctor):
    torch.manual_seed(SEED + index)
    model = ctor(weights=None)
    randomize_batchnorm(model, torch.Generator().manual_seed(SEED + 100 + index))
    return model.eval()


def export(args):
    os.makedirs(args.dir, exist_ok=True)
    for index, (name, ctor) in enumerate(MODELS):
        path = os.path.join(args.dir, name + ".onnx")
        if os.path.exists(path):
            continue
        model = make(index, ctor)
        x = torch.randn(1, 3, 224, 224)
        kw = dict(opset_version=13, input_names=["input"], output_names=["output"],
                  do_constant_folding=True,
                  dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
        try:  # the TorchScript exporter; newer torch defaults to dynamo
            torch.onnx.export(model, x, path, dynamo=False, **kw)
        except TypeError:
            torch.onnx.export(model, x, path, **kw)
        print("exported %s (%.1f MB)" % (path, os.path.getsize(path) / 1e6), flush=True)
    return 0


def time_model(model, x, iters, warmup):
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        torch.cuda.synchronize()
        times = []
        for _ in range(iters):
            t0 = time.perf_counter()
            model(x)
            torch.cuda.synchronize()
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


def bench(args):
    torch.backends.cudnn.benchmark = True
    # fp32 means fp32 arithmetic, as clinfer's: no TF32 tensor cores (PyTorch
    # allows them in cuDNN convolutions by default)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    rows = []
    dev = torch.device("cuda")
    for index, (name, ctor) in enumerate(MODELS):
        model = make(index, ctor).to(dev)
        for batch in args.batches:
            x = torch.randn(batch, 3, 224, 224, device=dev)
            for precision in ("fp32", "fp16"):
                m, xi = (model, x) if precision == "fp32" else (model.half(), x.half())
                ms = time_model(m, xi, iters=30, warmup=10)
                rows.append({"engine": "pytorch-cuda", "model": name, "batch": batch,
                             "precision": precision, "median_ms": ms,
                             "images_per_s": batch / ms * 1e3})
                print("pytorch %-13s b%-3d %s %8.3f ms %10.0f img/s"
                      % (name, batch, precision, ms, batch / ms * 1e3), flush=True)
                if precision == "fp16":
                    model = model.float()
    with open(args.out, "w") as f:
        json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(0),
                   "note": "fp32 rows without TF32 (cudnn.allow_tf32 = False)",
                   "rows": rows}, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("dir")
    b = sub.add_parser("bench")
    b.add_argument("out")
    b.add_argument("--batches", type=lambda s: [int(v) for v in s.split(",")], default=[1, 64])
    args = ap.parse_args()
    return export(args) if args.cmd == "export" else bench(args)


if __name__ == "__main__":
    sys.exit(main())
