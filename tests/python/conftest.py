"""conftest.py — shared fixtures of the Python package's tests, and the
per-family counts printed after ONNX's backend tests."""
import collections
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LECTURE_CNN = os.path.join(ROOT, "tests", "models", "lecture_cnn.onnx")

_backend_results = collections.defaultdict(collections.Counter)  # family -> outcome -> count


@pytest.fixture(scope="session")
def lecture_cnn():
    return LECTURE_CNN


def pytest_collection_modifyitems(config, items):
    module = next((i.module for i in items if i.module.__name__.endswith("test_onnx_backend")),
                  None)
    if module is not None:
        module.pytest_collection_modifyitems_hook(config, items)


def _family(test):
    """The op family of a node test: the word after "test_"."""
    return re.match(r"test_([a-z0-9]+)", test).group(1)


def pytest_runtest_logreport(report):
    m = re.search(r"test_onnx_backend\.py::\w+::(test_\w+)_(cpu|cuda)$", report.nodeid)
    if not m or report.when != "call":
        return
    if hasattr(report, "wasxfail"):
        outcome = "other passed" if report.passed else "other failed"
    else:
        outcome = report.outcome
    _backend_results[_family(m.group(1))][outcome] += 1


def pytest_terminal_summary(terminalreporter):
    if not _backend_results:
        return
    w = terminalreporter
    total = collections.Counter()
    w.section("ONNX backend node tests through clinfer.backend, by op family")
    w.line(f"  {'family':24} {'passed':>6} {'failed':>6} {'skipped':>7}   not required: "
           "passed failed")
    for family in sorted(_backend_results):
        c = _backend_results[family]
        total.update(c)
        w.line(f"  {family:24} {c['passed']:6} {c['failed']:6} {c['skipped']:7}   "
               f"{c['other passed']:13} {c['other failed']:6}")
    w.line(f"required: {total['passed']} passed, {total['failed']} failed, "
           f"{total['skipped']} skipped; not required: {total['other passed']} passed, "
           f"{total['other failed']} failed")


@pytest.fixture(scope="session")
def ort():
    """ONNX Runtime, the reference (tests/python/run.sh installs it)."""
    return pytest.importorskip("onnxruntime")


@pytest.fixture(scope="session")
def clinfer_cli():
    """The `clinfer` tool of the build the package was made from
    ($CLINFER_CLI, which tests/python/run.sh sets; else build/clinfer)."""
    path = os.environ.get("CLINFER_CLI") or os.path.join(ROOT, "build", "clinfer")
    if not os.access(path, os.X_OK):
        pytest.skip(f"no clinfer tool at {path} (set CLINFER_CLI)")
    return path
