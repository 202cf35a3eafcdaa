"""fashion_mnist.py — `clinfer demo` at scale: the lecture CNN classifies
the 10,000 Fashion-MNIST test images through Ray Data (clinfer.ray's
ClinferPredictor) with 1 and 2 actors; checks the accuracy against the
reference (tests/models/lecture_cnn.reference.json, as `clinfer demo`
does), that every image is classified once, and prints images/s of each.

    build-python/venv/bin/python tests/ray/fashion_mnist.py [--batch 256] [--repeat 3]
        [--pocl-threads 1] [--actors 1,2]

Needs the venv of tests/python/run.sh (clinfer, ray[data]) and Debian's
dataset-fashion-mnist. --repeat runs the dataset that many times per
configuration (rows get new ids), so the actors' start-up (loading the
model, the kernels from the program cache) weighs less in the figures.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import ray

import clinfer
import clinfer.ray

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "tests", "models", "lecture_cnn.onnx")
DATA = "/usr/share/datasets/fashion-mnist"


def idx(name, header):
    with gzip.open(os.path.join(DATA, name)) as f:
        return np.frombuffer(f.read()[header:], dtype=np.uint8)


def load():
    """Images as the demo feeds them (byte / 255, [N, 1, 28, 28]) and labels."""
    images = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = idx("t10k-labels-idx1-ubyte.gz", 8)
    return (images.astype(np.float32) / 255), labels.astype(np.int64)


def run(ds, actors, batch, pocl_threads):
    start = time.perf_counter()
    out = ds.map_batches(
        clinfer.ray.ClinferPredictor, batch_size=batch, concurrency=actors,
        fn_constructor_kwargs={"model": MODEL, "device": "cpu", "pocl_threads": pocl_threads},
    ).select_columns(["id", "label", "probabilities"]).to_numpy_refs()
    parts = ray.get(out)
    seconds = time.perf_counter() - start
    ids = np.concatenate([p["id"] for p in parts])
    labels = np.concatenate([p["label"] for p in parts])
    predicted = np.concatenate([p["probabilities"] for p in parts]).argmax(axis=1)
    return ids, labels, predicted, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pocl-threads", type=int, default=1)
    ap.add_argument("--actors", default="1,2")
    args = ap.parse_args()
    with open(os.path.join(ROOT, "tests", "models", "lecture_cnn.reference.json")) as f:
        reference = json.load(f)
    images, labels = load()
    n = len(images)
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    rows = [{"id": r * n + i, "image": images[i], "label": labels[i]}
            for r in range(args.repeat) for i in range(n)]
    ds = ray.data.from_items(rows).materialize()  # built before the clock starts
    rates = {}
    ok = True
    for actors in [int(a) for a in args.actors.split(",")]:
        ids, got_labels, predicted, seconds = run(ds, actors, args.batch, args.pocl_threads)
        once = np.array_equal(np.sort(ids), np.arange(args.repeat * n))
        correct = int((predicted == got_labels).sum()) // args.repeat
        rates[actors] = len(ids) / seconds
        print(f"{actors} actor(s), batch {args.batch}, PoCL threads {args.pocl_threads}: "
              f"{len(ids)} images in {seconds:.2f} s, {rates[actors]:.0f} images/s; "
              f"correct {correct} of {n} (reference {reference['correct']}); "
              f"every image once: {once}")
        ok &= once and correct == reference["correct"]
    if 1 in rates and 2 in rates:
        print(f"2 actors / 1 actor: {rates[2] / rates[1]:.2f}x")
    ray.shutdown()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
