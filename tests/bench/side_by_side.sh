#!/usr/bin/env bash
# side_by_side.sh — the side-by-side benchmark: clinfer and its peers, in the
# same run on the same machine, alternating between engines; prints a
# markdown table of medians and ratios (also written to BUILD/bench/side_by_side.md).
#
#   GEMM 1024³, 1000³, 64×3136×576: clinfer (`clinfer bench --gemm --json`) vs
#     OpenBLAS cblas_sgemm (tests/bench/gemm_openblas.c, OPENBLAS_CORETYPE=SkylakeX
#     on AVX-512 machines) vs CLBlast on PoCL (tests/bench/gemm_clblast.c) vs the
#     measured FP32 FMA peak (tests/bench/fma_peak.c)
#   End to end, batch 1 and 16 (16 and 64 for the lecture's CNN, 8 and 64 for
#     ResNet-50 and MobileNetV2, 1 only for EfficientNet-B0): ResNet-18,
#     MobileNetV2, SqueezeNet 1.1, ResNet-50, EfficientNet-B0 (torchvision, random weights, exported with a
#     symbolic batch by tests/bench/export_bench_models.py) and the lecture's CNN
#     (tests/models/lecture_cnn.onnx): clinfer on its default device vs ONNX
#     Runtime CPU with every core (tests/bench/ort_bench.py), the same file and
#     input, outputs compared (rtol 1e-3, atol 1e-4)
#   Start-up: ResNet-18 load + first run with empty program caches, then warm
#
# Usage (from anywhere; after the README's setup):
#   bash tests/bench/side_by_side.sh [--quick] [--rounds R] [--iters N] [--warmup W]
#        [--max-time S] [--only gemm|models|startup]... [--models a,b] [--gemm-sizes MxNxK,..]
#        [--no-check]
# Defaults: 2 rounds, up to 20 timed runs (3 s at most) after 2 warm-up runs
# per engine process; about 15 minutes on a 2-core machine. --quick: 1 round,
# 5 runs, 1 s.
#
# Installs what is missing: Debian's libopenblas-dev, libclblast-dev (and,
# for the model export, python3-torch python3-torchvision python3-onnx
# python3-numpy) with apt-get (sudo unless root), and PyPI's onnxruntime into
# the `python3` on PATH (python3 -m pip install onnxruntime; ORT_PYTHON picks
# another interpreter). Builds BUILD/clinfer (BUILD: default build) if needed,
# the peer programs into BUILD/bench/, and exports the models into BUILD/models/.
# CLINFER_DEVICE picks clinfer's device.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
ort_python=${ORT_PYTHON:-python3}
debian_python=/usr/bin/python3
start=$(date +%s)
command="bash tests/bench/side_by_side.sh${*:+ $*}"

args=()
while (($#)); do
    case $1 in
    --quick) args+=(--rounds 1 --iters 5 --warmup 1 --max-time 1) ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *) args+=("$1") ;;
    esac
    shift
done

say() { echo "side_by_side: $*" >&2; }

# ---------------------------------------------------------------- packages
need=()
for p in libopenblas-dev libclblast-dev python3-torch python3-torchvision python3-onnx \
    python3-numpy; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] ||
        need+=("$p")
done
if ((${#need[@]})); then
    sudo=""
    if ((EUID != 0)); then
        command -v sudo >/dev/null || { say "install ${need[*]} (as root)"; exit 1; }
        sudo=sudo
    fi
    say "installing ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if ! "$ort_python" -c 'import onnxruntime, numpy' 2>/dev/null; then
    say "installing onnxruntime into $("$ort_python" -c 'import sys; print(sys.executable)')"
    "$ort_python" -m pip install --quiet onnxruntime
fi

# ---------------------------------------------------------------- builds
if [[ ! -f $build/CMakeCache.txt ]]; then
    say "configuring $build"
    cmake -S . -B "$build" >/dev/null
fi
say "building clinfer in $build"
cmake --build "$build" -j "$(nproc)" --target clinfer_cli >/dev/null
mkdir -p "$build/bench"
cc=${CC:-cc}
if grep -qw avx512f /proc/cpuinfo; then simd=(-mavx512f -mfma); else simd=(-mavx2 -mfma); fi
$cc -O2 -Wall "${simd[@]}" tests/bench/fma_peak.c -lpthread -o "$build/bench/fma_peak"
$cc -O2 -Wall tests/bench/core_pingpong.c -lpthread -o "$build/bench/core_pingpong"
$cc -O2 -Wall tests/bench/gemm_openblas.c -I/usr/include/x86_64-linux-gnu/openblas-pthread \
    -lopenblas -lm -o "$build/bench/gemm_openblas"
$cc -O2 -Wall tests/bench/gemm_clblast.c -lclblast -lOpenCL -lm -o "$build/bench/gemm_clblast"

# ---------------------------------------------------------------- models
say "exporting the torchvision models (kept once exported)"
$debian_python tests/bench/export_bench_models.py "$build/models" >&2

# ---------------------------------------------------------------- run
say "running (setup took $(($(date +%s) - start)) s)"
rc=0
$debian_python tests/bench/side_by_side.py --build "$build" --ort-python "$ort_python" \
    --command "$command" "${args[@]}" || rc=$?
say "total $(($(date +%s) - start)) s"
exit $rc
