#!/usr/bin/python3
"""train_lecture_cnn.py — trains the lecture's CNN on Fashion-MNIST and
exports it to ONNX, with the reference results `clinfer demo` checks against.

The architecture is the lecture's Keras model (shared/lecture-cnn.txt),
written in PyTorch (NCHW, valid padding):

    input  [N, 1, 28, 28]  "image", float32 pixels in [0, 1]
    Conv2D 32 3x3 + ReLU    -> [N, 32, 26, 26]
    MaxPool 2x2 stride 2    -> [N, 32, 13, 13]
    Conv2D 64 3x3 + ReLU    -> [N, 64, 11, 11]
    MaxPool 2x2 stride 2    -> [N, 64, 5, 5]
    Flatten                 -> [N, 1600]
    Dense 1024 + ReLU       -> [N, 1024]
    Dense 10 + softmax      -> [N, 10]   "probabilities"

Preprocessing (the demo does the same): the idx file's bytes, row-major
28x28, each pixel converted to float32 as value / 255 — no mean/std
normalisation, no inversion, no padding. Labels are the class indices 0-9
of the Fashion-MNIST classes (T-shirt/top, Trouser, Pullover, Dress, Coat,
Sandal, Shirt, Sneaker, Bag, Ankle boot).

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/,
gzip-compressed idx files), read here without helper libraries.

Writes, next to this script (or into --out-dir):
  lecture_cnn.onnx             opset 13, dynamic batch axis
  lecture_cnn.reference.json   test accuracy and how it was obtained
  lecture_cnn.predictions      the predicted class of each of the 10,000
                               test images, one digit per image in test-set
                               order, 100 digits per line

The reference predictions come from PyTorch (float32, eval mode) running a
fresh copy of the network whose weights were read back from the exported
ONNX file, so they belong to exactly the weights clinfer loads.

Reproducible: fixed seed, deterministic algorithms, a seeded shuffle and a
fixed thread count (--threads, default 2). Re-running on the same machine
and PyTorch build gives bit-identical weights; another CPU or BLAS may round
differently and land a few images away.

Usage (needs Debian's python3-torch python3-onnx python3-numpy
dataset-fashion-mnist):
    /usr/bin/python3 tests/models/train_lecture_cnn.py [--epochs 3]
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
PREPROCESSING = ("idx bytes, row-major 28x28, float32 pixel = byte / 255 "
                 "(range [0, 1], no mean/std normalisation), input [N, 1, 28, 28] NCHW")


def read_idx(path, magic, dims):
    """Reads a gzip-compressed idx file: big-endian magic, big-endian dims,
    then unsigned bytes. Checks the header against what is expected."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    head = struct.unpack(">%dI" % (1 + len(dims)), data[:4 * (1 + len(dims))])
    if head[0] != magic:
        sys.exit("%s: magic %#x, expected %#x" % (path, head[0], magic))
    for i, d in enumerate(dims):
        if d is not None and head[1 + i] != d:
            sys.exit("%s: dimension %d is %d, expected %d" % (path, i, head[1 + i], d))
    shape = head[1:]
    body = data[4 * (1 + len(dims)):]
    if len(body) != int(np.prod(shape)):
        sys.exit("%s: %d data bytes, expected %d" % (path, len(body), int(np.prod(shape))))
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def load_split(prefix):
    images = read_idx(os.path.join(DATA_DIR, prefix + "-images-idx3-ubyte.gz"),
                      0x803, [None, 28, 28])
    labels = read_idx(os.path.join(DATA_DIR, prefix + "-labels-idx1-ubyte.gz"),
                      0x801, [images.shape[0]])
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0)).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class LectureCNN(nn.Module):
    """The lecture's Keras Sequential model; forward() returns logits.

    dense_as_conv (training only) computes the two Dense layers as
    convolutions over the same weights: fc1 as a 5x5 convolution of the
    [N, 64, 5, 5] maps (Flatten's order is channel, row, column, so the
    [1024, 1600] weight is a [1024, 64, 5, 5] kernel) and fc2 as a 1x1
    convolution. The result is the same function; it is only faster, because
    Debian's PyTorch runs Linear on a generic BLAS (about 4x slower here)
    and convolutions on oneDNN. The exported model and the reference use the
    plain Flatten + Linear form."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(64 * 5 * 5, 1024)
        self.fc2 = nn.Linear(1024, 10)
        self.dense_as_conv = False

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)
        if self.dense_as_conv:
            x = F.relu(F.conv2d(x, self.fc1.weight.view(1024, 64, 5, 5), self.fc1.bias))
            return F.conv2d(x, self.fc2.weight.view(10, 1024, 1, 1), self.fc2.bias).flatten(1)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class WithSoftmax(nn.Module):
    """What is exported: the network followed by softmax over the classes."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        return F.softmax(self.net(image), dim=1)


def predict(model, x, batch=500):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            out.append(model(x[i:i + batch]))
    return torch.cat(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default=here)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(args.threads)

    t_start = time.time()
    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")
    print("data: %d training and %d test images from %s"
          % (x_train.shape[0], x_test.shape[0], DATA_DIR))

    net = LectureCNN()
    net.dense_as_conv = True
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    shuffle = torch.Generator().manual_seed(args.seed)
    n = x_train.shape[0]
    for epoch in range(args.epochs):
        net.train()
        t0 = time.time()
        order = torch.randperm(n, generator=shuffle)
        total, seen = 0.0, 0
        for i in range(0, n, args.batch):
            idx = order[i:i + args.batch]
            loss = F.cross_entropy(net(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
            seen += idx.shape[0]
        acc = (predict(net, x_test).argmax(1) == y_test).float().mean().item()
        print("epoch %d: train loss %.4f, test accuracy %.4f, %.0f s"
              % (epoch + 1, total / seen, acc, time.time() - t0))
    train_s = time.time() - t_start

    # Export: input "image" [N, 1, 28, 28], output "probabilities" [N, 10].
    net.dense_as_conv = False
    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, "lecture_cnn.onnx")
    model = WithSoftmax(net).eval()
    torch.onnx.export(model, x_test[:1], onnx_path, opset_version=13,
                      input_names=["image"], output_names=["probabilities"],
                      dynamic_axes={"image": {0: "N"}, "probabilities": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)

    # The reference runs a fresh network holding the weights read back from
    # the file, and checks they are the trained ones bit for bit.
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in m.graph.initializer}
    fresh = WithSoftmax(LectureCNN())
    state = {}
    for name, trained in model.state_dict().items():
        if name not in weights:
            sys.exit("exported model lacks initializer %s (has %s)" % (name, sorted(weights)))
        w = torch.from_numpy(weights[name].copy())
        if w.dtype != torch.float32 or not torch.equal(w, trained):
            sys.exit("initializer %s differs from the trained weights" % name)
        state[name] = w
    fresh.load_state_dict(state)
    probs = predict(fresh, x_test)
    pred = probs.argmax(1)
    correct = int((pred == y_test).sum())
    top2 = probs.topk(2, dim=1).values
    margin = (top2[:, 0] - top2[:, 1]).min().item()

    with open(os.path.join(args.out_dir, "lecture_cnn.predictions"), "w") as f:
        digits = "".join(str(int(p)) for p in pred)
        for i in range(0, len(digits), 100):
            f.write(digits[i:i + 100] + "\n")
    with open(onnx_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    ops = sorted({node.op_type for node in m.graph.node})
    ref = {
        "model": "lecture_cnn.onnx",
        "model_sha256": sha,
        "input": "image [N, 1, 28, 28] float32",
        "output": "probabilities [N, 10] float32 (softmax)",
        "onnx_ops": ops,
        "opset": 13,
        "preprocessing": PREPROCESSING,
        "classes": CLASSES,
        "dataset": DATA_DIR + " (Debian dataset-fashion-mnist), t10k test split",
        "count": int(x_test.shape[0]),
        "correct": correct,
        "accuracy": correct / x_test.shape[0],
        "min_top2_margin": margin,
        "seed": args.seed,
        "epochs": args.epochs,
        "batch": args.batch,
        "optimizer": "Adam lr %g" % args.lr,
        "threads": args.threads,
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
        "train_seconds": round(train_s, 1),
    }
    with open(os.path.join(args.out_dir, "lecture_cnn.reference.json"), "w") as f:
        json.dump(ref, f, indent=2)
        f.write("\n")
    params = sum(int(np.prod(w.shape)) for w in weights.values())
    print("exported %s: %d bytes, %d parameters, ops %s"
          % (onnx_path, os.path.getsize(onnx_path), params, " ".join(ops)))
    print("reference: test accuracy %.4f (%d / %d), smallest top-2 margin %.3g"
          % (ref["accuracy"], correct, ref["count"], margin))
    print("total time %.0f s" % (time.time() - t_start))


if __name__ == "__main__":
    main()
