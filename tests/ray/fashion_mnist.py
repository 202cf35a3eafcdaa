"""fashion_mnist.py — `clinfer demo` at scale: the lecture CNN classifies
the 10,000 Fashion-MNIST test images through Ray Data (clinfer.ray's
ClinferPredictor) with 1 and 2 actors; checks the accuracy against the
reference (tests/models/lecture_cnn.reference.json, as `clinfer demo`
does), that every image is classified once, and prints images/s of each.

    build-python/venv/bin/python tests/ray/fashion_mnist.py [--batch 256] [--repeat 3]
        [--pocl-threads 1] [--actors 1,2] [--block-batches 10]

Needs the venv of tests/python/run.sh (clinfer, ray[data]) and Debian's
dataset-fashion-mnist. --repeat runs the dataset that many times per
configuration (rows get new ids), so the actors' start-up (a Ray worker
process each, loading the model, the kernels from the program cache)
weighs less in the figures. --actors runs the configurations in that
order (1,2,1,2 alternates them) and prints the ratio of each 2 to the 1
before it.

What the clock covers: from map_batches to the last result in the
driver: the actors' start-up, every batch, and the results streamed to
the driver (iter_batches, NumPy). Not in it: reading the images and
building the dataset (from NumPy arrays, in blocks of --block-batches
batches, a Ray object each), and one untimed pass over one batch first,
which starts Ray Data's own helper actors and fills PoCL's program
cache, so that neither configuration pays them. Beside the images/s of
the whole run, the images/s of its middle half (see middle_rate): the
rate once the actors run, without their start-up, which is about the
same for 1 and 2 actors and so weighs on the ratio of short runs.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import pyarrow as pa
import ray
from ray.data.extensions import ArrowTensorArray

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


def dataset(images, labels, repeat, block_rows):
    """The images `repeat` times over with ids 0.., in blocks of
    block_rows rows: whole arrays per block rather than one Python dict
    per image, so that a batch is a slice of a block's tensor column (no
    per-row conversion) and, with blocks a whole number of batches, no
    batch straddles two blocks and only the last block ends in a short
    one."""
    ids = np.arange(repeat * len(images))
    images = np.tile(images, (repeat, 1, 1, 1))
    labels = np.tile(labels, repeat)
    return ray.data.from_arrow([
        pa.table({"id": ids[s:s + block_rows],
                  "image": ArrowTensorArray.from_numpy(images[s:s + block_rows]),
                  "label": labels[s:s + block_rows]})
        for s in range(0, len(ids), block_rows)])


def run(ds, actors, batch, pocl_threads):
    """Every row through `actors` ClinferPredictors, the results streamed
    to the driver: the blocks (their columns the input's but the image,
    and the model's output), the seconds from the start to the last
    block, and the images/s of the middle half (middle_rate)."""
    start = time.perf_counter()
    out = ds.map_batches(
        clinfer.ray.ClinferPredictor, batch_size=batch,
        compute=ray.data.ActorPoolStrategy(size=actors),
        fn_constructor_kwargs={"model": MODEL, "device": "cpu", "pocl_threads": pocl_threads},
    )
    parts, arrivals = [], []
    for part in out.iter_batches(batch_size=None, batch_format="numpy"):
        parts.append(part)
        arrivals.append(time.perf_counter())
    return parts, arrivals[-1] - start, middle_rate(parts, arrivals)


def middle_rate(parts, arrivals):
    """Images/s from the block that brings the count past a quarter of the
    rows to the one that brings it past three quarters: the rate once
    every actor has started, before the last blocks' tail (with 2 actors,
    one may finish early)."""
    done = np.cumsum([len(p["id"]) for p in parts])
    a, b = np.searchsorted(done, [done[-1] / 4, done[-1] * 3 / 4])
    return (done[b] - done[a]) / (arrivals[b] - arrivals[a]) if b > a else float("nan")


def check(parts, rows, n):
    """Whether every id came back once, and the correct count per pass."""
    ids = np.concatenate([p["id"] for p in parts])
    labels = np.concatenate([p["label"] for p in parts])
    predicted = np.concatenate([p["probabilities"] for p in parts]).argmax(axis=1)
    once = np.array_equal(np.sort(ids), np.arange(rows))
    return once, int((predicted == labels).sum()) // (rows // n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pocl-threads", type=int, default=1)
    ap.add_argument("--actors", default="1,2")
    ap.add_argument("--block-batches", type=int, default=10)
    args = ap.parse_args()
    with open(os.path.join(ROOT, "tests", "models", "lecture_cnn.reference.json")) as f:
        reference = json.load(f)
    images, labels = load()
    n = len(images)
    rows = args.repeat * n
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    ds = dataset(images, labels, args.repeat, args.block_batches * args.batch)
    run(ds.limit(args.batch), 1, args.batch, args.pocl_threads)  # the untimed pass
    ok = True
    one = None  # the rates of the last 1-actor run
    for actors in [int(a) for a in args.actors.split(",")]:
        parts, seconds, middle = run(ds, actors, args.batch, args.pocl_threads)
        once, correct = check(parts, rows, n)
        rate = rows / seconds
        print(f"{actors} actor(s), batch {args.batch}, PoCL threads {args.pocl_threads}: "
              f"{rows} images in {seconds:.2f} s, {rate:.0f} images/s "
              f"({middle:.0f} in the middle half); correct {correct} of {n} "
              f"(reference {reference['correct']}); every image once: {once}", flush=True)
        ok &= once and correct == reference["correct"]
        if actors == 1:
            one = (rate, middle)
        elif actors == 2 and one:
            print(f"2 actors / 1 actor: {rate / one[0]:.2f}x "
                  f"({middle / one[1]:.2f}x in the middle half)", flush=True)
    ray.shutdown()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
