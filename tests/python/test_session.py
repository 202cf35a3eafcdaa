"""test_session.py — clinfer.InferenceSession's results against independent
references: the `clinfer` tool (the C path), ONNX Runtime, and naive NumPy
code (tests/python/models.py); inputs of new shapes; types at the boundary;
the description of inputs and outputs; devices and version."""
import importlib.metadata
import os
import re
import subprocess

import numpy as np
import pytest

import clinfer
import models



def fashion_like(n, seed=0):
    """n images shaped like the lecture CNN's input, pixels in [0, 1]."""
    return np.random.default_rng(seed).random((n, 1, 28, 28), dtype=np.float32)


def test_lecture_cnn_matches_onnxruntime(lecture_cnn, ort):
    x = fashion_like(16)
    (got,) = clinfer.InferenceSession(lecture_cnn, device="cpu").run(None, {"image": x})
    (want,) = ort.InferenceSession(lecture_cnn, providers=["CPUExecutionProvider"]).run(
        None, {"image": x})
    assert got.shape == (16, 10) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert (got.argmax(1) == want.argmax(1)).all()


def test_lecture_cnn_matches_the_cli(lecture_cnn, clinfer_cli, tmp_path):
    x = fashion_like(5, seed=1)
    np.save(tmp_path / "x.npy", x)
    subprocess.run([clinfer_cli, "run", lecture_cnn, "--device", "cpu", "--input",
                    f"image={tmp_path / 'x.npy'}", "--output-dir", str(tmp_path / "out")],
                   check=True, capture_output=True)
    want = np.load(tmp_path / "out" / "probabilities.npy")
    (got,) = clinfer.InferenceSession(lecture_cnn, device="cpu").run(["probabilities"],
                                                                    {"image": x})
    # The same kernels on the same device; the GEMM tiles (tuned by timing)
    # may differ between processes, and with them the order of sums.
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_new_shapes_make_new_sessions_and_match_numpy():
    rng = np.random.default_rng(2)
    onnx_bytes, w, b = models.conv_relu_pool(rng)
    sess = clinfer.InferenceSession(onnx_bytes)
    for shape in [(1, 3, 8, 8), (3, 3, 7, 11), (1, 3, 8, 8), (2, 3, 16, 5)]:
        x = rng.standard_normal(shape).astype(np.float32)
        y, conv = sess.run(None, {"x": x})
        want_y, want_conv = models.conv_relu_pool_reference(x, w, b)
        assert y.shape == want_y.shape and conv.shape == want_conv.shape
        np.testing.assert_allclose(y, want_y, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(conv, want_conv, rtol=1e-5, atol=1e-5)
    # The repeated shape reused its session: three shapes, three sessions.
    assert len(sess._local.sessions) == 3


def test_output_names_choose_and_order_outputs():
    rng = np.random.default_rng(3)
    onnx_bytes, w, b = models.conv_relu_pool(rng)
    sess = clinfer.InferenceSession(onnx_bytes)
    x = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    conv, y = sess.run(["conv", "y"], {"x": x})
    want_y, want_conv = models.conv_relu_pool_reference(x, w, b)
    np.testing.assert_allclose(conv, want_conv, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y, want_y, rtol=1e-5, atol=1e-5)
    assert [o.shape for o in sess.run(["y"], {"x": x})] == [want_y.shape]


def test_declared_types_are_converted_at_the_boundary(ort):
    sess = clinfer.InferenceSession(models.two_inputs())
    a = np.full((2, 3), 2.5, np.float32)
    b = np.arange(6, dtype=np.int32).reshape(2, 3)
    (out,) = sess.run(None, {"a": a, "b": b})
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, (a * b + 1).astype(np.float16))
    (want,) = ort.InferenceSession(models.two_inputs(),
                                   providers=["CPUExecutionProvider"]).run(None, {"a": a, "b": b})
    np.testing.assert_array_equal(out, want)


def test_uint8_float16_int64_go_to_the_library_as_they_are(ort):
    # The C API's typed calls take these types and convert on the device:
    # a C-contiguous feed is passed by pointer, not copied to float32, and
    # each output comes back in its declared type.
    from clinfer.session import InferenceSession as S
    rng = np.random.default_rng(5)
    img = rng.integers(0, 100, (1, 3, 4, 5), dtype=np.uint8)
    h = rng.integers(0, 40, (1, 3, 4, 5)).astype(np.float16)  # integers: exact sums
    n = rng.integers(0, 100, (1, 3, 4, 5), dtype=np.int64)
    for a, code in [(img, 2), (h, 10), (n, 7)]:
        assert S._feed_array("x", a, code) is a
    sess = clinfer.InferenceSession(models.typed_io(), device="cpu")
    s16, n2, img2 = sess.run(None, {"img": img, "h": h, "n": n})
    total = img.astype(np.float64) + h + n  # 0 .. 237, integers
    assert (s16.dtype, n2.dtype, img2.dtype) == (np.float16, np.int64, np.uint8)
    np.testing.assert_array_equal(s16, total.astype(np.float16))
    np.testing.assert_array_equal(n2, 2 * n)
    np.testing.assert_array_equal(img2, img)
    want = ort.InferenceSession(models.typed_io(), providers=["CPUExecutionProvider"]).run(
        None, {"img": img, "h": h, "n": n})
    for got, w in zip((s16, n2, img2), want):
        np.testing.assert_array_equal(got, w)


def test_non_contiguous_feeds_are_read_right(lecture_cnn):
    big = fashion_like(8, seed=4)
    x = big[::2]  # every other image: not contiguous
    assert not x.flags.c_contiguous
    sess = clinfer.InferenceSession(lecture_cnn)
    (got,) = sess.run(None, {"image": x})
    (want,) = sess.run(None, {"image": np.ascontiguousarray(x)})
    np.testing.assert_array_equal(got, want)


def test_contiguous_float32_feeds_are_not_copied():
    from clinfer.session import _contiguous
    x = fashion_like(2)
    assert _contiguous(x, np.float32) is x
    assert _contiguous(x[:, :, ::2], np.float32) is not x  # a view: made contiguous


def test_inputs_and_outputs_are_described(lecture_cnn, ort):
    sess = clinfer.InferenceSession(lecture_cnn)
    (i,) = sess.get_inputs()
    (o,) = sess.get_outputs()
    ref = ort.InferenceSession(lecture_cnn, providers=["CPUExecutionProvider"])
    assert (i.name, i.type) == (ref.get_inputs()[0].name, ref.get_inputs()[0].type)
    assert (o.name, o.type) == (ref.get_outputs()[0].name, ref.get_outputs()[0].type)
    assert i.shape == [None, 1, 28, 28]  # the batch is symbolic
    assert o.shape == [None, 10]


def test_device_and_devices():
    all_devices = clinfer.devices()
    assert all_devices, "PoCL gives at least one CPU device"
    assert sum(d.is_default for d in all_devices) == 1
    dev = clinfer.InferenceSession(models.two_inputs(), device="cpu").get_device()
    assert dev.type == "cpu" and dev in all_devices
    assert re.fullmatch(r"\d+:\d+", dev.index)


def test_version_is_the_c_library_s():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "include", "clinfer.h")) as f:
        header = f.read()
    parts = [re.search(rf"#define CLINFER_VERSION_{p} +(\d+)", header).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    assert clinfer.__version__ == ".".join(parts)
    assert importlib.metadata.version("clinfer") == clinfer.__version__


def test_precision(lecture_cnn):
    """fp16 stores weights and activations as half: the lecture CNN's
    probabilities stay within 1e-2 of fp32's (half rounds each stored value
    by up to 2^-11), but are not identical; an unknown precision is a
    ValueError."""
    images = np.random.default_rng(7).random((4, 1, 28, 28), dtype=np.float32)
    out = {}
    for p in ("fp32", "fp16"):
        sess = clinfer.InferenceSession(lecture_cnn, device="cpu", precision=p)
        (out[p],) = sess.run(None, {"image": images})
    assert np.abs(out["fp16"] - out["fp32"]).max() < 1e-2
    assert not np.array_equal(out["fp16"], out["fp32"])
    with pytest.raises(ValueError, match="'int8' is not supported: use one of 'fp32', 'fp16'"):
        clinfer.InferenceSession(models.two_inputs(), precision="int8")


def test_fp16_math_needs_the_extension(lecture_cnn):
    """fp16-math (half arithmetic) is passed to the library, which refuses
    it, naming cl_khr_fp16, on a device that does not report the extension
    (Debian's PoCL), and runs it on one that does."""
    device = clinfer.devices()[0]
    if device.has_fp16:
        sess = clinfer.InferenceSession(lecture_cnn, device="cpu", precision="fp16-math")
        (out,) = sess.run(None, {"image": np.zeros((1, 1, 28, 28), np.float32)})
        assert out.shape == (1, 10)
    else:
        with pytest.raises(clinfer.Error, match="fp16-math needs half arithmetic "
                                                r"\(cl_khr_fp16\)"):
            clinfer.InferenceSession(lecture_cnn, device="cpu", precision="fp16-math")
