#!/usr/bin/env bash
# prepare.sh — packs what a GPU machine without registry access needs to
# run clinfer's checks: the built binaries, every shared library they use
# that is not glibc (ocl-icd, protobuf-c, Criterion and its dependencies),
# the lecture model, the Fashion-MNIST test files and the report's scripts
# (src/), into gpu-carry/ (git-ignored, a few MB). The larger models are
# exported there by the machine's PyTorch (torch_models.py). Then carry
# gpu-carry/ and run `bash gpu-carry/run.sh`.
#   bash tests/gpu/prepare.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=gpu-carry
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/models" "$out/data" "$out/src"
bins=(clinfer tests/example_lecture_cnn tests/run_onnx_node_tests)
for t in "$build"/tests/test_*; do
    [[ -x $t && -f $t ]] && bins+=("${t#"$build"/}")
done
for b in "${bins[@]}"; do
    [[ -x $build/$b ]] && cp "$build/$b" "$out/bin/"
done
strip --strip-debug "$out"/bin/* # the carry is limited to 64 MiB
# Non-glibc shared libraries of every binary.
for b in "$out"/bin/*; do
    ldd "$b" | awk '$3 ~ /^\// {print $3}'
done | sort -u | grep -v -E '/lib(c|m|pthread|dl|rt|resolv)\.so' | while read -r lib; do
    cp -L "$lib" "$out/lib/"
done
cp tests/models/lecture_cnn.onnx tests/models/lecture_cnn.predictions \
   tests/models/lecture_cnn.reference.json "$out/models/"
cp /usr/share/datasets/fashion-mnist/t10k-* "$out/data/" 2>/dev/null || true
cp tests/gpu/run.sh "$out/run.sh"
cp tests/gpu/torch_models.py tests/gpu/report.py tests/gpu/torch_reference.json \
    tests/bench/export_torchvision.py "$out/src/"
du -sh "$out"
