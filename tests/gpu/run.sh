#!/usr/bin/env bash
# run.sh — clinfer's one-call GPU report, run on a GPU machine from the
# folder that tests/gpu/prepare.sh made (binaries, libraries, the lecture
# model, Fashion-MNIST, these scripts). It sets up an ICD file for NVIDIA's
# OpenCL driver, then runs: the unit and graph tests on the GPU, the ONNX
# node tests, the demo (fp32, and fp16 where the binary has --precision),
# `clinfer verify` on ResNet-18 (where the binary has it), `clinfer bench
# --json` on the fixed set (lecture CNN b1/b256, ResNet-18/50 and
# MobileNetV2 b1/b64, GEMM 1024^3 and 4096^3), the batch-1 ones again
# launching per kernel (CLINFER_REPLAY=off: the default on a GPU replays
# a recorded command buffer where the driver offers one), their batch-1 device
# timelines (kernels against the idle time between launches: `bench
# --profile`, timeline_*.json), and PyTorch on CUDA on the
# same models as the peer. The models are exported there by PyTorch
# (torch_models.py). Writes OUT/gpu_report.json and OUT/gpu_report.md
# (report.py) and OUT/logs.tar.gz; exit status 0 when every check passed.
#   bash gpu-carry/run.sh            (OUT: $OUT, else gpu-carry/out)
# Environment: SKIP_SUITE=1 skips the unit tests (SUITE="test_gemm ..."
# runs only those; SUITE_TIMEOUT=S bounds each, default 240 s),
# SKIP_NODE_TESTS=1 the
# ONNX node tests; PROFILE=1 adds per-node profiles of ResNet-50
# (profile_*.json in the logs); MAX_TIME=S bounds each model's timed runs
# (default 10 s); GEMM_SWEEP=1 times GEMM 4096^3 with each tile size of
# the gpu variant forced (gemm_sweep.txt in the logs); ALGO_SWEEP="winograd
# direct" profiles ResNet-18/50 at batch 1 and 64 with each convolution
# algorithm forced (profile_MODEL_bB_ALGO.json; default "im2col implicit":
# the implicit GEMM, built and tested on PoCL but never timed on a GPU,
# against im2col, which `auto` keeps until this measures it; ALGO_SWEEP=""
# skips it); MODELS="resnet50"
# benches only those of resnet18 resnet50 mobilenet_v2; SKIP_TORCH=1 skips
# the PyTorch timings.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export CLINFER_CACHE_DIR=$here/cache
export CLINFER_TEST_MODELS_DIR=$here/models # the tests that load the lecture's CNN
out=${OUT:-$here/out}
res=$here/results
logs=$res/logs
rm -rf "$res"
mkdir -p "$out" "$logs"
start=$(date +%s)

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
gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1)
printf '{"device": "%s", "driver": "%s", "date": "%s", "opencl_library": "%s"}\n' \
    "${gpu%%,*}" "${gpu##*, }" "$(date -u +%Y-%m-%d)" "${nv:-}" > "$res/env.json"
cat "$res/env.json"

bin=$here/bin
"$bin/clinfer" devices | tee "$logs/devices.txt"
export CLINFER_DEVICE=${CLINFER_DEVICE:-gpu}

checks=()
record() { # NAME RESULT (double quotes in RESULT become single ones: JSON)
    local result=${2//\"/\'}
    checks+=("{\"name\": \"$1\", \"result\": \"$result\"}")
    echo "check $1: $2"
}
elapsed() { echo $(($(date +%s) - start)); }
step() { echo; echo "=== [$(elapsed) s] $*"; }
has_option() { "$bin/clinfer" "$1" --help 2>&1 | grep -q -- "$2"; }

# --- the unit and graph tests, 8 at a time; test_conv_algos (every case
# under every algorithm, in fp32 and fp16: on the 2026-12-04 H200 it ran
# past 200 s, compiling its programs) runs its 16 tests 4 at a time
if [[ ${SKIP_SUITE:-0} != 1 ]]; then
    step "unit and graph tests (device $CLINFER_DEVICE)"
    if [[ -n ${SUITE:-} ]]; then printf "$bin/%s\n" $SUITE; else ls "$bin"/test_*; fi |
        grep -v -e test_cli_run -e test_cli_verify -e test_discovery_race |
        xargs -P 8 -I{} sh -c 'n=$(basename {}); j=1; [ "$n" = test_conv_algos ] && j=4;
            if timeout '"${SUITE_TIMEOUT:-240}"' {} --jobs $j > '"$logs"'/$n.log 2>&1;
            then echo "$n passed"; else echo "$n FAILED"; fi' | sort > "$logs/suite.txt"
    failed=$(grep -c FAILED "$logs/suite.txt")
    total=$(wc -l < "$logs/suite.txt")
    grep FAILED "$logs/suite.txt"
    if ((failed == 0)); then record "unit and graph tests" "$total of $total passed"
    else record "unit and graph tests" "FAILED: $failed of $total"; fi
fi

# --- ONNX node tests, from the data of the onnx wheel on the machine
step "ONNX node tests"
data=
[[ ${SKIP_NODE_TESTS:-0} == 1 ]] ||
    data=$(python3 -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/node"))' 2>/dev/null)
if [[ -d $data ]]; then
    if timeout 300 "$bin/run_onnx_node_tests" --data "$data" --required-only --quiet \
        > "$logs/node_tests.txt" 2>&1; then verdict=passed; else verdict=FAILED; fi
    tail -n 3 "$logs/node_tests.txt"
    record "ONNX node tests (required)" "$verdict: $(tail -n 1 "$logs/node_tests.txt")"
else
    record "ONNX node tests" "skipped: no onnx test data on the machine"
fi

# --- the demo
precisions=(fp32)
has_option demo --precision && precisions+=(fp16)
for p in "${precisions[@]}"; do
    step "clinfer demo ($p)"
    popt=(); [[ $p == fp32 ]] || popt=(--precision "$p")
    # --verbose: the first GEMM tunes its tiles here, and the log says how
    if timeout 300 "$bin/clinfer" --verbose demo --model "$here/models/lecture_cnn.onnx" \
        --data "$here/data" --batch 100 --show 0 "${popt[@]}" > "$logs/demo_$p.txt" 2>&1; then
        record "demo $p" "$(grep -i -m 1 accuracy "$logs/demo_$p.txt")"
    else
        record "demo $p" "FAILED"
    fi
    grep -e tuning -e '^accuracy' -e agreement "$logs/demo_$p.txt"
done

# --- the models, exported by PyTorch here
step "export models"
models=$here/models
timeout 300 python3 "$here/src/torch_models.py" export "$models" 2>&1 | tail -n 3

if "$bin/clinfer" verify --help > /dev/null 2>&1; then
    for p in "${precisions[@]}"; do
        step "clinfer verify resnet18 ($p)"
        # fp16 rounds each stored value by up to 2^-11: its tolerance is 2e-2
        tol=1e-4; [[ $p == fp16 ]] && tol=2e-2
        timeout 180 "$bin/clinfer" verify "$models/resnet18.onnx" --precision "$p" --tolerance $tol \
            > "$logs/verify_resnet18_$p.txt" 2>&1
        rc=$?
        tail -n 3 "$logs/verify_resnet18_$p.txt"
        record "verify resnet18 $p" "exit $rc: $(tail -n 1 "$logs/verify_resnet18_$p.txt")"
    done
fi

# --- clinfer bench --json on the fixed set
bench() { # FILE_LABEL ARGS...
    local label=$1; shift
    step "bench $label"
    timeout 180 "$bin/clinfer" bench "$@" --json > "$res/bench_$label.json" 2> "$logs/bench_$label.err"
    local rc=$?
    if ((rc != 0)); then
        record "bench $label" "FAILED (exit $rc): $(tail -n 1 "$logs/bench_$label.err")"
        printf '{"error": "exit %d", "label": "%s"}\n' $rc "$label" > "$res/bench_$label.json"
    fi
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("median_ms"), "ms", d.get("images_per_s"), "img/s", d.get("kernel_gflops", ""), d.get("check", ""))' "$res/bench_$label.json" 2>&1
}
for p in "${precisions[@]}"; do
    popt=(); [[ $p == fp32 ]] || popt=(--precision "$p")
    for g in 1024x1024x1024 4096x4096x4096; do
        # --verbose: the log has the GEMM tile search's candidates and speeds
        bench "gemm_${g%%x*}_$p" --gemm "$g" --iters 10 --warmup 3 --verbose "${popt[@]}"
    done
    for b in 1 256; do
        bench "lecture_cnn_b${b}_$p" "$here/models/lecture_cnn.onnx" --batch "$b" --iters 30 \
            --max-time "${MAX_TIME:-10}" "${popt[@]}"
    done
    for m in ${MODELS:-resnet18 resnet50 mobilenet_v2}; do
        [[ -f $models/$m.onnx ]] || continue
        for b in 1 64; do
            bench "${m}_b${b}_$p" "$models/$m.onnx" --batch "$b" --iters 30 --max-time "${MAX_TIME:-10}" "${popt[@]}"
        done
    done
done
# --- launch cost: the batch-1 runs again with a launch per kernel
# (CLINFER_REPLAY=off) beside the replayed command buffer that GPUs take
# by default where the driver offers cl_khr_command_buffer (run_mode in
# each JSON says which path ran)
if has_option bench run_mode; then
    CLINFER_REPLAY=off bench lecture_cnn_b1_fp32_launches "$here/models/lecture_cnn.onnx" --batch 1 \
        --iters 30 --max-time "${MAX_TIME:-10}"
    for m in ${MODELS:-resnet18 resnet50 mobilenet_v2}; do
        [[ -f $models/$m.onnx ]] &&
            CLINFER_REPLAY=off bench "${m}_b1_fp32_launches" "$models/$m.onnx" --batch 1 --iters 30 \
                --max-time "${MAX_TIME:-10}"
    done
fi
# --- half arithmetic (fp16-math) where the selected device reports
# cl_khr_fp16 (NVIDIA's OpenCL does not: the library refuses the runtime,
# and its message is recorded as the skip)
if has_option bench fp16-math; then
    if "$bin/clinfer" bench --gemm 64 --iters 1 --precision fp16-math > /dev/null \
        2> "$logs/fp16-math_probe.err"; then
        bench gemm_4096_fp16-math --gemm 4096x4096x4096 --iters 10 --warmup 3 --precision fp16-math
        [[ -f $models/resnet50.onnx ]] &&
            bench resnet50_b64_fp16-math "$models/resnet50.onnx" --batch 64 --iters 30 \
                --max-time "${MAX_TIME:-10}" --precision fp16-math
    else
        record "fp16-math" "skipped: $(tail -n 1 "$logs/fp16-math_probe.err")"
    fi
fi
# --- launch cost: the device timeline of batch-1 runs (--profile): the
# kernels' time against the idle time between launches
timeline() { # LABEL MODEL
    step "timeline $1"
    timeout 120 "$bin/clinfer" bench "$2" --batch 1 --iters 30 --max-time "${MAX_TIME:-10}" \
        --profile --json > "$res/timeline_$1.json" 2> "$logs/timeline_$1.err" ||
        record "timeline $1" "FAILED (exit $?): $(tail -n 1 "$logs/timeline_$1.err")"
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1])).get("timeline", {}); print(t)' \
        "$res/timeline_$1.json" 2>&1
}
timeline lecture_cnn "$here/models/lecture_cnn.onnx"
for m in ${MODELS:-resnet18 resnet50 mobilenet_v2}; do
    [[ -f $models/$m.onnx ]] && timeline "$m" "$models/$m.onnx"
done

if [[ ${PROFILE:-0} == 1 && -f $models/resnet50.onnx ]]; then
    for b in 1 64; do
        step "profile resnet50 b$b"
        timeout 120 "$bin/clinfer" bench "$models/resnet50.onnx" --batch "$b" --iters 10 \
            --profile --json > "$logs/profile_resnet50_b$b.json" 2>&1
    done
fi

for algo in ${ALGO_SWEEP-im2col implicit}; do
    for m in resnet18 resnet50; do
        [[ -f $models/$m.onnx ]] || continue
        for b in 1 64; do
            step "profile $m b$b, CLINFER_CONV_ALGO=$algo"
            CLINFER_CONV_ALGO=$algo timeout 120 "$bin/clinfer" bench "$models/$m.onnx" --batch "$b" \
                --iters 10 --profile --json > "$logs/profile_${m}_b${b}_$algo.json" 2> "$logs/profile_${m}_b${b}_$algo.err"
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("median_ms"), "ms", d.get("images_per_s"), "img/s")' \
                "$logs/profile_${m}_b${b}_$algo.json" 2>&1
        done
    done
done

if [[ ${GEMM_SWEEP:-0} == 1 ]]; then
    step "GEMM 4096^3 per tile size"
    for cfg in "tsm=64 tsn=64 tsk=16 wptm=4 wptn=4 pf=1" "tsm=64 tsn=64 tsk=16 wptm=4 wptn=4 pf=0" \
        "tsm=128 tsn=128 tsk=16 wptm=8 wptn=8 pf=1" "tsm=128 tsn=128 tsk=16 wptm=8 wptn=8 pf=0" \
        "tsm=128 tsn=64 tsk=16 wptm=8 wptn=4 pf=1" "tsm=128 tsn=64 tsk=16 wptm=8 wptn=4 pf=0" \
        "tsm=128 tsn=128 tsk=8 wptm=8 wptn=8 pf=1"; do
        d=$(mktemp -d)
        printf 'gemm_gpu\t%s\t%s\t%s\n' "${gpu%%,*}" "${gpu##*, }" "$cfg" > "$d/tuning.txt"
        echo "$cfg: $(CLINFER_CACHE_DIR=$d timeout 60 "$bin/clinfer" bench --gemm 4096x4096x4096 \
            --iters 5 --warmup 2 --json 2>&1 | grep -e kernel_gflops -e check -e rror | tr -d '\n')"
        rm -rf "$d"
    done | tee "$logs/gemm_sweep.txt"
fi

# --- the peer: PyTorch on CUDA, same models and batches
step "PyTorch CUDA"
[[ ${SKIP_TORCH:-0} == 1 ]] || timeout 300 python3 "$here/src/torch_models.py" bench "$res/torch.json" 2>&1 | tail -n 12

# --- the report
{ echo "["; (IFS=,; echo "${checks[*]}"); echo "]"; } > "$res/checks.json"
python3 "$here/src/report.py" "$res" "$out"
cat "$out/gpu_report.md"
tar -czf "$out/logs.tar.gz" -C "$res" .
# the device's compiled programs (NVIDIA's are PTX text): what the kernels became
tar -czf "$out/programs.tar.gz" -C "$here/cache" . 2>/dev/null
step "done"
failed_checks=$(printf '%s\n' "${checks[@]}" | grep -c -e FAILED -e 'exit [1-9]' || true)
echo "gpu checks: $([[ $failed_checks == 0 ]] && echo passed || echo "$failed_checks FAILED")"
[[ $failed_checks == 0 ]]
