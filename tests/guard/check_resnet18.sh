#!/usr/bin/env bash
# check_resnet18.sh — torchvision's ResNet-18 under the guard allocator
# (guard_alloc.c: every device buffer ends at a PROT_NONE page, so a kernel
# reading past one faults): batch 1 against PyTorch's output
# (tests/bench/check_torchvision.sh with GUARD=1), then batches 1 and 2 of
# the symbolic-batch export (tests/bench/export_bench_models.py) through
# `clinfer bench`. Too large for CI (the models are exported by Debian's
# python3-torch and python3-torchvision); the CI path runs the small
# ResNet-style graph of guard_models instead.
#
#   bash tests/guard/check_resnet18.sh [MODEL_DIR]     (BUILD: default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
dir=${1:-$build/models}
lib=$build/tests/guard/libclinfer_guard_alloc.so
[[ -f $lib && -x $build/clinfer ]] || { echo "check_resnet18: build $build first" >&2; exit 2; }
GUARD=1 MODELS=resnet18 BUILD=$build bash tests/bench/check_torchvision.sh "$dir"
/usr/bin/python3 tests/bench/export_bench_models.py "$dir" --only resnet18
for batch in 1 2; do
    LD_PRELOAD=$lib "$build/clinfer" bench "$dir/resnet18.dyn.onnx" --batch "$batch" --iters 1 \
        --warmup 0 >/dev/null
    echo "resnet18: batch $batch ran under the guard allocator"
done
