#!/usr/bin/env bash
# run.sh — the Python package's tests, against the package as users install
# it: `pip install .` into a virtual environment made from Debian's
# /usr/bin/python3 with its packages visible (--system-site-packages:
# python3-numpy, python3-pytest, and python3-onnx, whose backend test data
# is libonnx-testdata; cmake/install-deps.sh installs them), plus ONNX
# Runtime (the reference) and Ray Data and Serve from PyPI; then pytest on
# tests/python/.
#   bash tests/python/run.sh [BUILD_DIR]   BUILD_DIR: the CMake build whose
#                                          `clinfer` tool the tests compare
#                                          with (default build)
# The venv and the package's CMake build live in build-python/ (reused:
# later runs rebuild only what changed).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
venv=build-python/venv

if [[ ! -x $venv/bin/python ]]; then
    /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check .
# From PyPI: ONNX Runtime (the reference), Ray Data (clinfer.ray) and Ray
# Serve (clinfer.serve). Ray brings NumPy 2 into the venv, in front of
# Debian's; Debian's onnx 1.12 runs with it (the backend test gives the
# same counts as with NumPy 1.24).
for module in onnxruntime:onnxruntime ray.data:"ray[data]" ray.serve:"ray[serve]"; do
    if ! "$venv/bin/python" -c "import ${module%%:*}" 2>/dev/null; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${module#*:}"
    fi
done
# From tests/python/, so that `import clinfer` finds the installed package.
cd tests/python
CLINFER_CLI=$(realpath "../../$build/clinfer") \
    exec "../../$venv/bin/python" -m pytest -p no:cacheprovider -q -rfEs "${@:2}" .
