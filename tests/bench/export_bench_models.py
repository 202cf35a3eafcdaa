#!/usr/bin/python3
"""export_bench_models.py — exports torchvision's ResNet-18, MobileNetV2,
SqueezeNet 1.1, ResNet-50 and EfficientNet-B0 with a symbolic batch dimension, for the benchmarks
(tests/bench/side_by_side.sh), so that one file serves batch 1 and batch 16.

Usage: /usr/bin/python3 tests/bench/export_bench_models.py [DIR] [--only MODEL]
(Debian's python3-torch, python3-torchvision, python3-onnx, python3-numpy).

For each MODEL in resnet18, mobilenet_v2, squeezenet1_1, resnet50, efficientnet_b0 writes DIR/MODEL.dyn.onnx
(default DIR: build/models): the same architecture, weights and BatchNorm
statistics as tests/bench/export_torchvision.py (same seeds, its own code),
opset 13, input "input" [N, 3, 224, 224], output "output" [N, 1000], exactly
as torch.onnx.export writes it with dynamic_axes on the first dimension.
A file that exists already is kept (delete it to export again).
"""
import argparse
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision as et  # noqa: E402  (the models, seeds and BatchNorm statistics)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", default=os.path.join(here, "..", "..", "build", "models"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--only", help="export only this model")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    for index, (name, ctor) in enumerate(et.MODELS):
        if args.only and args.only != name:
            continue
        path = os.path.join(args.dir, name + ".dyn.onnx")
        if os.path.exists(path):
            print("%-14s %s exists, kept" % (name, path))
            continue
        torch.manual_seed(args.seed + index)
        model = ctor(weights=None)
        et.randomize_batchnorm(model, torch.Generator().manual_seed(args.seed + 100 + index))
        model.eval()
        x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(args.seed))
        tmp = path + ".tmp"
        torch.onnx.export(model, x, tmp, opset_version=13, input_names=["input"],
                          output_names=["output"], do_constant_folding=True,
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
        onnx.checker.check_model(onnx.load(tmp))
        os.replace(tmp, path)
        print("%-14s %s (batch dimension N)" % (name, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
