#!/usr/bin/env bash
# check_torchvision.sh — checks clinfer on real architectures: exports
# torchvision's ResNet-18, MobileNetV2, SqueezeNet 1.1 and VGG-11 with random
# weights (tests/bench/export_torchvision.py), runs each with
#   BUILD/clinfer run MODEL.onnx --input MODEL.input.npy --output-dir DIR
# and compares the output with PyTorch's (rtol 1e-3, atol 1e-4;
# tests/bench/compare_outputs.py). Prints one line per model and a summary;
# exits non-zero if any model fails.
#
#   bash tests/bench/check_torchvision.sh [MODEL_DIR]
# MODEL_DIR defaults to build/models; BUILD (default build) is the build
# folder holding the clinfer executable; CLINFER_DEVICE picks the device;
# MODELS (default "resnet18 mobilenet_v2 squeezenet1_1 vgg11") picks the
# models; GUARD=1 runs clinfer under the guard allocator (tests/guard/:
# a read past a device buffer faults), built in BUILD. A model already
# exported to MODEL_DIR is reused (delete its files to export it again).
# Needs Debian's python3-torch python3-torchvision python3-onnx python3-numpy.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
dir=${1:-$build/models}
py=/usr/bin/python3
read -r -a models <<<"${MODELS:-resnet18 mobilenet_v2 squeezenet1_1 vgg11}"
preload=
if [[ ${GUARD:-0} == 1 ]]; then
    preload=$build/tests/guard/libclinfer_guard_alloc.so
    [[ -f $preload ]] || { echo "check_torchvision: $preload is missing" >&2; exit 2; }
fi

if [[ ! -x $build/clinfer ]]; then
    echo "check_torchvision: $build/clinfer is missing; build first (cmake --build $build)" >&2
    exit 2
fi
for m in "${models[@]}"; do
    [[ -f $dir/$m.onnx && -f $dir/$m.output.npy ]] && continue
    $py tests/bench/export_torchvision.py "$dir" --only "$m" ||
        { echo "check_torchvision: export of $m failed" >&2; exit 2; }
done

passed=0 failed=0
for m in "${models[@]}"; do
    out=$dir/$m.clinfer
    rm -rf "$out"
    mkdir -p "$out"
    start=${EPOCHREALTIME/./}
    if ! env ${preload:+LD_PRELOAD=$preload} "$build/clinfer" run "$dir/$m.onnx" --input "$dir/$m.input.npy" --output-dir "$out" \
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
