#!/usr/bin/python3
"""export_torchvision.py — exports torchvision's ResNet-18, MobileNetV2,
SqueezeNet 1.1 and VGG-11 with random weights to ONNX, with a fixed random input and
PyTorch's outputs for it, so that clinfer can be checked on real
architectures (tests/bench/check_torchvision.sh runs the check).

Usage: /usr/bin/python3 tests/bench/export_torchvision.py [DIR] [--seed S]
(Debian's python3-torch, python3-torchvision, python3-onnx, python3-numpy).

For each MODEL in resnet18, mobilenet_v2, squeezenet1_1, vgg11, writes into DIR
(default build/models; the files are large and not committed):
  MODEL.onnx         opset 13, input "input" [1, 3, 224, 224] float32,
                     output "output" [1, 1000]; exactly as torch.onnx.export
                     writes it (never edited to suit a loader)
  MODEL.input.npy    the input: standard normal values, float32
  MODEL.output.npy   PyTorch's output for it (float32, eval mode)

Weights: torchvision's own initialisation under torch.manual_seed(seed +
index); BatchNorm layers, which that initialisation leaves as the identity
(weight 1, bias 0, mean 0, variance 1), get random statistics from the same
seeded generator (weight and variance in [0.5, 1.5], bias and mean in
[-0.1, 0.1]) so that BatchNorm folding is actually exercised.
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torchvision

MODELS = [
    ("resnet18", torchvision.models.resnet18),
    ("mobilenet_v2", torchvision.models.mobilenet_v2),
    ("squeezenet1_1", torchvision.models.squeezenet1_1),
    ("resnet50", torchvision.models.resnet50),
    ("efficientnet_b0", torchvision.models.efficientnet_b0),
]
# Checked for correctness only (not benchmarked: export_bench_models.py
# reads MODELS): VGG-11's 3x3 layers with 64-512 channels on 224..14 pixel
# maps take the Winograd path with many tiles per image.
CHECK_ONLY_MODELS = [
    ("vgg11", torchvision.models.vgg11),
]


def randomize_batchnorm(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(c, generator=gen) * 0.2 - 0.1)
                m.running_mean.copy_(torch.rand(c, generator=gen) * 0.2 - 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?",
                    default=os.path.join(here, "..", "..", "build", "models"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--only", help="export only this model")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    torch.use_deterministic_algorithms(True)

    for index, (name, ctor) in enumerate(MODELS + CHECK_ONLY_MODELS):
        if args.only and args.only != name:
            continue
        torch.manual_seed(args.seed + index)
        model = ctor(weights=None)
        randomize_batchnorm(model, torch.Generator().manual_seed(args.seed + 100 + index))
        model.eval()
        x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(args.seed))
        with torch.no_grad():
            y = model(x)
        path = os.path.join(args.dir, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)
        m = onnx.load(path)
        onnx.checker.check_model(m)
        np.save(os.path.join(args.dir, name + ".input.npy"), x.numpy().astype(np.float32))
        np.save(os.path.join(args.dir, name + ".output.npy"), y.numpy().astype(np.float32))
        ops = {}
        for node in m.graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
        params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
        print("%-14s %6.1f MB, %5.2f M parameters, output range [%.3g, %.3g], ops: %s"
              % (name, os.path.getsize(path) / 1e6, params / 1e6, float(y.min()),
                 float(y.max()), " ".join("%s:%d" % kv for kv in sorted(ops.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
