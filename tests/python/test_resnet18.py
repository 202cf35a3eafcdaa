"""test_resnet18.py — the issue's target: a few lines of Python run
torchvision's ResNet-18 (random weights, exported with a symbolic batch by
tests/bench/export_bench_models.py) and match ONNX Runtime.

The export needs Debian's python3-torch and python3-torchvision for
/usr/bin/python3, which cmake/install-deps.sh does not install (they are
large; the benchmark scripts install them): without them this test is
skipped, and says so."""
import os
import subprocess

import numpy as np
import pytest

import clinfer
from conftest import ROOT


@pytest.fixture(scope="module")
def resnet18(tmp_path_factory):
    has_torch = subprocess.run(["/usr/bin/python3", "-c", "import torch, torchvision"],
                               capture_output=True).returncode == 0
    if not has_torch:
        pytest.skip("no python3-torch / python3-torchvision for /usr/bin/python3 to export it")
    out = tmp_path_factory.mktemp("models")
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "bench",
                                                     "export_bench_models.py"),
                    str(out), "--only", "resnet18"], check=True, capture_output=True)
    return str(out / "resnet18.dyn.onnx")


def test_resnet18_matches_onnxruntime(resnet18, ort):
    x = np.random.default_rng(0).random((2, 3, 224, 224), dtype=np.float32)
    sess = clinfer.InferenceSession(resnet18, device="cpu")
    (got,) = sess.run(None, {sess.get_inputs()[0].name: x})
    (want,) = ort.InferenceSession(resnet18, providers=["CPUExecutionProvider"]).run(
        None, {sess.get_inputs()[0].name: x})
    assert got.shape == want.shape == (2, 1000)
    scale = np.abs(want).max()
    assert np.abs(got - want).max() <= 1e-4 * scale, (np.abs(got - want).max(), scale)
    assert (got.argmax(1) == want.argmax(1)).all()
