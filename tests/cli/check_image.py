#!/usr/bin/python3
"""check_image.py CLINFER WORKDIR LECTURE_MODEL — `clinfer run --input
photo.png` against an independent NumPy computation of the same tensor.

It writes PNG files itself (zlib + struct, no imaging library), runs
Identity models through `clinfer run --output-dir` and compares the input
tensor the CLI built with NumPy's: a bilinear resize with half-pixel
centres written as two interpolation matrices (out = Ry @ image @ Rx.T,
unlike the CLI's per-pixel loop), then scale, mean and std. Then the
lecture's CNN on a grey image with --labels: the five names printed are
the labels of the five best classes of the JSON output."""
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper

cli, work, lecture = sys.argv[1:4]
os.makedirs(work, exist_ok=True)


def png(path, pixels):
    """pixels: uint8 [H, W, 3] or [H, W]."""
    h, w = pixels.shape[:2]
    color = 2 if pixels.ndim == 3 else 0
    raw = b"".join(b"\0" + pixels[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def identity_model(path, shape):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)
    g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "id", [x], [y])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def interp(n_in, n_out):
    """[n_out, n_in] bilinear weights, half-pixel centres, edges clamped."""
    m = np.zeros((n_out, n_in))
    for o in range(n_out):
        s = min(max((o + 0.5) * n_in / n_out - 0.5, 0.0), n_in - 1)
        i0 = int(np.floor(s))
        i1 = min(i0 + 1, n_in - 1)
        m[o, i0] += 1 - (s - i0)
        m[o, i1] += s - i0
    return m


def expected(img, size, scale, mean, std, bgr=False, nhwc=False):
    h, w = size
    ry, rx = interp(img.shape[0], h), interp(img.shape[1], w)
    chans = [ry @ img[:, :, c].astype(np.float64) @ rx.T for c in range(3)]
    chans = [(chans[c] * scale - mean[c]) / std[c] for c in range(3)]
    if bgr:
        chans = chans[::-1]
    t = np.stack(chans)  # [C, H, W]
    return (t.transpose(1, 2, 0) if nhwc else t)[None].astype(np.float32)


def run(*args, ok=True):
    p = subprocess.run([cli, "run", *args], capture_output=True, text=True)
    if (p.returncode == 0) != ok:
        sys.exit(f"check_image: FAIL: clinfer run {' '.join(args)} exited {p.returncode}:\n"
                 f"{p.stdout}{p.stderr}")
    return p.stdout + p.stderr


def compare(what, got_path, want):
    got = np.load(got_path)
    if got.shape != want.shape:
        sys.exit(f"check_image: FAIL: {what}: shape {got.shape}, want {want.shape}")
    err = float(np.max(np.abs(got - want)))
    tol = 1e-6 + 4e-7 * float(np.max(np.abs(want)))  # a few float32 roundings
    if not err <= tol:
        sys.exit(f"check_image: FAIL: {what}: max abs error {err} over {tol}")
    print(f"check_image: {what}: shape {list(got.shape)}, max abs error {err:.2g}")


rng = np.random.default_rng(7)
img = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
png(f"{work}/photo.png", img)
mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)

identity_model(f"{work}/nchw.onnx", [1, 3, 4, 6])
run(f"{work}/nchw.onnx", "--input", f"x={work}/photo.png", "--size", "4x6", "--mean",
    ",".join(map(str, mean)), "--std=" + ",".join(map(str, std)), "--output-dir", f"{work}/a")
compare("resize 5x7 -> 4x6, mean, std", f"{work}/a/y.npy",
        expected(img, (4, 6), 1 / 255, mean, std))

identity_model(f"{work}/nhwc.onnx", [1, 9, 11, 3])
run(f"{work}/nhwc.onnx", "--input", f"{work}/photo.png", "--size=9x11", "--scale", "2",
    "--mean", "1,2,3", "--std", "4", "--bgr", "--nhwc", "--output-dir", f"{work}/b")
compare("resize 5x7 -> 9x11, --scale 2, --bgr --nhwc", f"{work}/b/y.npy",
        expected(img, (9, 11), 2.0, (1, 2, 3), (4, 4, 4), bgr=True, nhwc=True))

identity_model(f"{work}/own.onnx", [1, 3, 5, 7])
run(f"{work}/own.onnx", "--input", f"{work}/photo.png", "--output-dir", f"{work}/c")
compare("own size, defaults (pixel / 255)", f"{work}/c/y.npy",
        (img.transpose(2, 0, 1)[None] / 255.0).astype(np.float32))

# Bad images and options: clear errors, no crash.
with open(f"{work}/broken.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\nnot really")
out = run(f"{work}/own.onnx", "--input", f"{work}/broken.png", ok=False)
assert "broken.png: cannot decode the image" in out, out
out = run(f"{work}/own.onnx", "--input", f"{work}/photo.png", "--size", "4x", ok=False)
assert "--size needs HxW" in out, out
out = run(f"{work}/own.onnx", "--input", f"{work}/photo.png", "--std", "1,0,1", ok=False)
assert "--std needs R,G,B or one value, none 0" in out, out
out = run(f"{work}/nchw.onnx", "--input", f"{work}/photo.png", ok=False)
assert "has shape [1, 3, 5, 7], the model declares [1, 3, 4, 6]" in out, out
print("check_image: broken files and bad options are refused with their reason")

# The lecture's CNN on a grey 40x30 image resized to 28x28, with labels.
grey = rng.integers(0, 256, (30, 40), dtype=np.uint8)
png(f"{work}/grey.png", grey)
names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot"]
with open(f"{work}/labels.txt", "w") as f:
    f.write("\n".join(names) + "\n")
args = [lecture, "--input", f"{work}/grey.png", "--gray", "--size", "28x28", "--labels",
        f"{work}/labels.txt"]
d = json.loads(run(*args, "--json"))
top = d["outputs"][0]["top"][0]
assert [t[2] for t in top] == [names[t[0]] for t in top] and len(top) == 5, top
text = run(*args)
lines = [ln.split(None, 2) for ln in text.splitlines() if ln.startswith("    ")]
assert [ln[2] for ln in lines] == [t[2] for t in top], (text, top)
assert [int(ln[1]) for ln in lines] == [t[0] for t in top], (text, top)
print("check_image: lecture CNN on a grey PNG prints 5 labels:", ", ".join(ln[2] for ln in lines))
print("ok")
