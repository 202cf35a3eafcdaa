#!/usr/bin/env bash
# install-deps.sh — installs, from Debian 12's packages, whatever clinfer needs
# to build, test and run on the CPU through PoCL. Safe to run again: packages
# already present are skipped, and apt is not touched when nothing is missing.
#
# Why ocl-icd: the OpenCL ICD loader (libOpenCL.so) only dispatches to the
# installed drivers. Debian 12 packages ocl-icd, not the Khronos loader; both
# implement the same ICD interface, so any conformant loader works.
set -euo pipefail

packages=(
    build-essential cmake pkg-config   # compiler and build
    clang libclang-rt-dev              # the fuzzer; libclang-rt-dev holds libFuzzer and
                                       # clang's sanitizer runtimes (only recommended by clang)
    opencl-headers ocl-icd-opencl-dev  # OpenCL API and ICD loader
    pocl-opencl-icd clinfo             # OpenCL on the CPU (CI and development)
    libcriterion-dev                   # unit tests
    libprotobuf-c-dev protobuf-c-compiler  # ONNX decoding (host/onnx/onnx.proto)
    libonnx-testdata                   # ONNX backend node tests (conformance)
    dataset-fashion-mnist zlib1g-dev   # the test images `clinfer demo` classifies, gzip-compressed
    libstb-dev                         # stb_image: `clinfer run --input photo.png|jpg`
    python3-venv python3-pip           # the Python package: pip install . in a venv
    python3-numpy python3-onnx python3-pytest  # its tests (python3-onnx: ONNX's backend
                                               # test runner, over libonnx-testdata)
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: everything is installed"
    exit 0
fi

sudo=""
if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "install-deps: run as root (sudo is missing)" >&2; exit 1; }
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
