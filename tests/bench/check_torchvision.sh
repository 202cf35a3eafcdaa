#!/usr/bin/env bash
# check_torchvision.sh — checks clinfer on real architectures: exports
# torchvision's ResNet-18, MobileNetV2 and SqueezeNet 1.1 with random weights
# (tests/bench/export_torchvision.py), runs each with
#   BUILD/clinfer run MODEL.onnx --input MODEL.input.npy --output-dir DIR
# and compares the output with PyTorch's (rtol 1e-3, atol 1e-4;
# tests/bench/compare_outputs.py). Prints one line per model and a summary;
# exits non-zero if any model fails.
#
#   bash tests/bench/check_torchvision.sh [MODEL_DIR]
# MODEL_DIR defaults to build/models; BUILD (default build) is the build
# folder holding the clinfer executable; CLINFER_DEVICE picks the device.
# Needs Debian's python3-torch python3-torchvision python3-onnx python3-numpy.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
dir=${1:-$build/models}
py=/usr/bin/python3
models=(resnet18 mobilenet_v2 squeezenet1_1)

if [[ ! -x $build/clinfer ]]; then
    echo "check_torchvision: $build/clinfer is missing; build first (cmake --build $build)" >&2
    exit 2
fi
$py tests/bench/export_torchvision.py "$dir" || { echo "check_torchvision: export failed" >&2; exit 2; }

passed=0 failed=0
for m in "${models[@]}"; do
    out=$dir/$m.clinfer
    rm -rf "$out"
    mkdir -p "$out"
    start=${EPOCHREALTIME/./}
    if ! "$build/clinfer" run "$dir/$m.onnx" --input "$dir/$m.input.npy" --output-dir "$out" \
        >"$out/run.log" 2>&1; then
        echo "$m: FAIL: clinfer run exited with an error:"
        sed 's/^/    /' "$out/run.log" | tail -n 15
        failed=$((failed + 1))
        continue
    fi
    ms=$(((${EPOCHREALTIME/./} - start) / 1000))
    if $py tests/bench/compare_outputs.py "$dir/$m.output.npy" "$out/output.npy" \
        --rtol 1e-3 --atol 1e-4 --name "$m"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    echo "    (clinfer run: $ms ms including load and compile)"
done
echo "torchvision check: $passed passed, $failed failed"
((failed == 0))
