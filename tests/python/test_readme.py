"""test_readme.py — the README's Python example runs as written (from the
repository root, where its model path points) and prints what it says."""
import contextlib
import io
import os
import re

import numpy as np

from conftest import ROOT


def readme_example():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_python_example(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    scope = {}
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example(), "README.md", "exec"), scope)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[None, 1, 28, 28] ") and lines[0].endswith("(cpu)"), lines
    predicted = scope["probabilities"].argmax(axis=1)
    assert lines[1] == str(predicted) and predicted.shape == (8,)
    np.testing.assert_allclose(scope["probabilities"].sum(axis=1), 1, rtol=1e-5)
