#!/usr/bin/python3
"""compare_outputs.py — compares an output of clinfer with a reference.

Usage: /usr/bin/python3 tests/bench/compare_outputs.py REFERENCE.npy ACTUAL.npy
           [--rtol 1e-3] [--atol 1e-4] [--name NAME]

Passes when the shapes are equal and every element satisfies
|actual - reference| <= atol + rtol * |reference| (numpy.allclose). Prints
one line: the name, PASS or FAIL, the shape, the largest absolute error,
the largest relative error (|a - r| / |r| over elements with |r| > atol),
the number of elements out of tolerance and whether the top-1 class agrees.
Exit status 0 on pass, 1 on failure.
"""
import argparse
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference")
    ap.add_argument("actual")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--name", default=None)
    args = ap.parse_args()
    name = args.name or args.actual
    ref = np.load(args.reference).astype(np.float64)
    act = np.load(args.actual).astype(np.float64)
    if ref.shape != act.shape:
        print("%s: FAIL: shape %s, reference %s" % (name, act.shape, ref.shape))
        return 1
    if not np.all(np.isfinite(act)):
        print("%s: FAIL: %d non-finite values" % (name, int(np.sum(~np.isfinite(act)))))
        return 1
    diff = np.abs(act - ref)
    big = np.abs(ref) > args.atol
    max_rel = float(np.max(diff[big] / np.abs(ref[big]))) if np.any(big) else 0.0
    bad = int(np.sum(diff > args.atol + args.rtol * np.abs(ref)))
    top1 = ""
    if ref.ndim == 2:
        agree = np.argmax(ref, axis=1) == np.argmax(act, axis=1)
        top1 = ", top-1 %s" % ("agrees" if agree.all() else "DIFFERS")
    ok = bad == 0
    print("%s: %s: shape %s, max abs error %.3g, max rel error %.3g, %d of %d out of "
          "tolerance (rtol %g, atol %g)%s"
          % (name, "PASS" if ok else "FAIL", tuple(ref.shape), float(diff.max()), max_rel,
             bad, diff.size, args.rtol, args.atol, top1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
