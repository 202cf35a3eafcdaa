"""test_onnx_backend.py — ONNX's own backend test runner
(onnx.backend.test.BackendTest) against clinfer.backend, for the op
families clinfer claims.

The families are those of clinfer's C conformance runner, read from its
source (the `required[]` list of tests/conformance/run_onnx_node_tests.c),
so the two cannot drift apart. As there, a test whose tensors are not all
float32 (int64 inputs excepted) or that has an empty tensor is not
required: it runs too, marked xfail (non-strict), and the summary counts it
apart. Tolerances are ONNX's own (the test data's rtol and atol, default
1e-3 and 1e-7), stricter than the C runner's atol of 1e-5.

Needs Debian's python3-onnx (its test data is libonnx-testdata), so
/usr/bin/python3 or a venv made from it (tests/python/run.sh).
"""
import glob
import os
import re
import sys

import numpy as np
import onnx
import onnx.backend.test
import pytest

import clinfer.backend

# Debian 12's onnx 1.12 test runner compares dtypes with np.object, which
# its numpy 1.24 removed (an AttributeError); the runner means `object`.
if "object" not in np.__dict__:
    np.object = object

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
C_RUNNER = os.path.join(ROOT, "tests", "conformance", "run_onnx_node_tests.c")
DATA = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")


def claimed_families():
    """The `required[]` prefixes of the C runner ('$' ends an exact name)."""
    with open(C_RUNNER) as f:
        source = f.read()
    body = re.search(r"required\[\]\s*=\s*\{(.*?)\};", source, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return re.findall(r'"([^"]+)"', body)


def in_family(name, families):
    for p in families:
        if p.endswith("$"):
            if name == p[:-1]:
                return True
        elif name.startswith(p) and "_expanded" not in name:
            return True
    return False


def _float_only(test_dir):
    """The C runner's rule for a required test: every output float32, every
    input float32 or int64, no empty tensor."""
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    float_, int64 = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    if any(o.type.tensor_type.elem_type != float_ for o in model.graph.output):
        return False
    if any(i.type.tensor_type.elem_type not in (float_, int64) for i in model.graph.input):
        return False
    for pb in glob.glob(os.path.join(test_dir, "test_data_set_*", "*.pb")):
        t = onnx.TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        if any(d == 0 for d in t.dims) and t.data_type == float_:
            return False
        if os.path.basename(pb).startswith("output") and (
                t.data_type != float_ or any(d == 0 for d in t.dims)):
            return False
    return True


FAMILIES = claimed_families()
TESTS = sorted(n for n in os.listdir(DATA) if in_family(n, FAMILIES)) if os.path.isdir(DATA) else []
NOT_REQUIRED = {n for n in TESTS if not _float_only(os.path.join(DATA, n))}

backend_test = onnx.backend.test.BackendTest(clinfer.backend, __name__)
for name in TESTS:
    backend_test.include(f"^{name}_(cpu|cuda)$")
globals().update(backend_test.test_cases)


def pytest_collection_modifyitems_hook(config, items):
    """Called from conftest.py: keeps the node tests of the claimed families
    (the runner makes a skipped test of every other one, and a CUDA variant
    of each), and marks those that are not required."""
    kept, dropped = [], []
    for item in items:
        m = re.fullmatch(r"(test_\w+)_(cpu|cuda)", item.name)
        if item.module.__name__ != __name__ or not m:
            kept.append(item)
            continue
        test, device = m.groups()
        if test not in TESTS or not clinfer.backend.supports_device(device.upper()):
            dropped.append(item)
            continue
        if test in NOT_REQUIRED:
            item.add_marker(pytest.mark.xfail(
                reason="not required: a tensor is not float32 or is empty", strict=False))
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def test_families_found():
    """The family list parsed and the test data present (else nothing ran)."""
    assert len(FAMILIES) > 40, FAMILIES
    assert os.path.isdir(DATA), (
        f"no ONNX node test data at {DATA}: PyPI's onnx wheels do not ship it (1.23.2 does "
        "not); Debian's python3-onnx links libonnx-testdata there (tests/python/run.sh)")
    assert len(TESTS) - len(NOT_REQUIRED) >= 200, (DATA, len(TESTS))


def test_backend_api():
    """run_node and run_model directly, against NumPy."""
    from onnx import helper
    x = np.random.default_rng(5).standard_normal((2, 3)).astype(np.float32)
    (y,) = clinfer.backend.run_node(helper.make_node("Relu", ["x"], ["y"]), [x])
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    (y,) = clinfer.backend.run_node(helper.make_node("Add", ["a", "b"], ["y"]), {"a": x, "b": x},
                                    outputs_info=[(onnx.TensorProto.FLOAT, (2, 3))])
    np.testing.assert_array_equal(y, 2 * x)
    assert clinfer.backend.supports_device("CPU")
    assert not clinfer.backend.supports_device("FPGA")
