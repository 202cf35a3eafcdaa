#!/usr/bin/env bash
# run.sh — clinfer's checks on a GPU machine, from the folder made by
# tests/gpu/prepare.sh: sets up an ICD file for NVIDIA's OpenCL driver if
# the system has none, lists the devices, runs the op and graph tests, the
# lecture example and the demo on the GPU, and times GEMM and the models.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export CLINFER_CACHE_DIR=$here/cache
out=${OUT:-$here/out}
mkdir -p "$out"

# An ICD file for NVIDIA's driver, in a folder of our own (ocl-icd reads
# OCL_ICD_VENDORS), so nothing system-wide is touched.
nv=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ {print $NF; exit}')
[[ -n $nv ]] || nv=$(find / -xdev -name 'libnvidia-opencl.so.1*' 2>/dev/null | head -n 1)
if [[ -n $nv ]]; then
    mkdir -p "$here/icd"
    echo "$nv" > "$here/icd/nvidia.icd"
    export OCL_ICD_VENDORS=$here/icd
fi
echo "NVIDIA OpenCL library: ${nv:-not found}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null

bin=$here/bin
"$bin/clinfer" devices
export CLINFER_DEVICE=${CLINFER_DEVICE:-gpu}

step() { echo; echo "=== $*"; }
status=0
for t in "$bin"/test_*; do
    name=$(basename "$t")
    [[ $name == test_cli_run ]] && continue # runs build/clinfer by its build-tree path
    step "$name (device $CLINFER_DEVICE)"
    timeout 300 "$t" --jobs 1 > "$out/$name.log" 2>&1 || { status=1; echo "FAILED"; }
    tail -n 4 "$out/$name.log"
done
step example_lecture_cnn
timeout 300 "$bin/example_lecture_cnn" || status=1
step "clinfer demo"
timeout 300 "$bin/clinfer" demo --model "$here/models/lecture_cnn.onnx" --data "$here/data" \
    --batch 100 --show 0 > "$out/demo.log" 2>&1 || { status=1; echo "FAILED"; }
tail -n 6 "$out/demo.log"
if "$bin/clinfer" bench --help >/dev/null 2>&1; then
    for g in 1024x1024x1024 1000x1000x1000 64x3136x576 4096x4096x4096; do
        step "clinfer bench --gemm $g"
        timeout 120 "$bin/clinfer" bench --gemm "$g" --iters 10 --json || status=1
    done
    for b in 1 64 256; do
        step "clinfer bench lecture_cnn --batch $b"
        timeout 120 "$bin/clinfer" bench "$here/models/lecture_cnn.onnx" --batch "$b" --iters 20 \
            --json || status=1
    done
fi
echo
echo "gpu checks: $([[ $status == 0 ]] && echo passed || echo FAILED)"
exit $status
