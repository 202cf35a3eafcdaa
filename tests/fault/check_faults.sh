#!/usr/bin/env bash
# check_faults.sh — targeted faults that once degraded quietly, each failed
# through the shim (cl_fault.c, CLFAULT_CALL=NAME CLFAULT_AT=N fails the Nth
# call of NAME) on `clinfer run` of the lecture CNN:
#   1. every clGetDeviceInfo query of the device probe: a clean error naming
#      the query (was: a failed type query picked slow kernels, a failed
#      max-allocation query gave "exceeds the device's largest allocation (0)");
#   2. clGetPlatformIDs / clGetDeviceIDs: the error names the call (was:
#      "is an OpenCL driver (ICD) installed?");
#   3. a fault during the GEMM tile search: the right output, a warning, and
#      nothing stored in tuning.txt (was: the unmeasured default stored as if
#      measured); the next clean run measures and stores;
#   4. bad tuning.txt values: a warning, then measured again (was: silent);
#   5. `clinfer verify`: every read of a node's output or a model output and
#      every kernel launch of its three runs fails once: exit 2 and the
#      call named, never a verdict from a half-run model.
#   6. the command-buffer replay (CLINFER_REPLAY=on): its creation with
#      simultaneous use fails: absorbed (created without); a recorded
#      launch, its finalization or its enqueueing fails: exit 1 and the
#      call named.
#   bash tests/fault/check_faults.sh BUILD_DIR [CLINFER]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
clinfer=${2:-$build/clinfer}
shim=$build/tests/fault/libclfault.so tool=$build/tests/fault/fault_tool
model=$here/../models/lecture_cnn.onnx
work=$(mktemp -d /tmp/clinfer-faults-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$tool" input "$work/x.npy" 2
failures=0

# run NAME CACHE [ENV...]: clinfer run under the shim; status in $rc,
# output in $work/NAME.out (stdout) and $work/NAME.err
run() {
    local name=$1 cache=$2
    shift 2
    rc=0
    # CLINFER_TUNE=1: the GEMM tile search, which a CPU skips by default,
    # is among the paths under fault (3 and 4 below)
    env CLINFER_CACHE_DIR="$cache" CLINFER_TUNE=1 LD_PRELOAD="$shim" \
        ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$@" \
        timeout 300 "$clinfer" run "$model" --input "$work/x.npy" --output-dir "$work/$name.o" \
        > "$work/$name.out" 2> "$work/$name.err" || rc=$?
}
fail() {
    echo "FAIL: $*"
    sed 's/^/    /' "$work/$last.err" | grep -v "warnings generated" | head -5  || true
    failures=$((failures + 1))
}
expect_error() { # NAME PATTERN: exit 1 and PATTERN on stderr
    last=$1
    [[ $rc == 1 ]] && grep -q -- "$2" "$work/$1.err" || fail "$1: exit $rc, want 1 and \"$2\""
}

run clean "$work/clean-cache"
last=clean
[[ $rc == 0 ]] || { fail "clean run: exit $rc"; exit 1; }

# 1. every query of the device probe (13 of them, in probe order)
for n in $(seq 1 13); do
    run "devinfo$n" "$work/c-devinfo" CLFAULT_CALL=clGetDeviceInfo CLFAULT_AT=$n
    expect_error "devinfo$n" "clGetDeviceInfo(CL_[A-Z_]*) failed"
done

# 2. platform and device discovery
for call in clGetPlatformIDs clGetDeviceIDs; do
    run "$call" "$work/c-$call" CLFAULT_CALL=$call CLFAULT_AT=1
    expect_error "$call" "$call failed: CL_OUT_OF_HOST_MEMORY"
    ! grep -q "ICD" "$work/$call.err" || fail "$call: blames a missing ICD"
done

# 3. the tile search's first buffer fill fails (a cold cache: it tunes)
run tune "$work/c-tune" CLFAULT_CALL=clEnqueueFillBuffer CLFAULT_AT=1
last=tune
[[ $rc == 0 ]] || fail "tune: exit $rc"
"$tool" compare "$work/tune.o/probabilities.npy" "$work/clean.o/probabilities.npy" ||
    fail "tune: wrong output"
grep -q "no candidate could be timed" "$work/tune.err" || fail "tune: no warning"
! grep -qs "^gemm_cpu" "$work/c-tune/tuning.txt" || fail "tune: the unmeasured tiles were stored"
run tune2 "$work/c-tune"
last=tune2
[[ $rc == 0 ]] && grep -qs "^gemm_cpu" "$work/c-tune/tuning.txt" ||
    fail "tune2: the next clean run did not measure and store"

# 4. bad stored values: a value that does not parse, one that is too long
key=$(grep "^gemm_cpu" "$work/clean-cache/tuning.txt" | cut -f1-3)
for bad in "tm=banana" "tm=8 nv=2 $(printf 'x%.0s' $(seq 200))"; do
    mkdir -p "$work/c-bad" && rm -f "$work/c-bad/tuning.txt"
    printf '%s\t%s\n' "$key" "$bad" > "$work/c-bad/tuning.txt"
    run bad "$work/c-bad"
    last=bad
    [[ $rc == 0 ]] || fail "bad value ${bad:0:20}: exit $rc"
    grep -q "tuning: ignoring" "$work/bad.err" || fail "bad value ${bad:0:20}: no warning"
    grep -q "^gemm_cpu.*tm=[0-9]* nv=[0-9]*$" "$work/c-bad/tuning.txt" ||
        fail "bad value ${bad:0:20}: not measured again"
done

# 5. clinfer verify under a failed read or launch, the Nth for N = 1, 2, ...
# until verify passes (no call left to fail): every fault before that
# exits 2 naming the call. The lecture CNN's three runs read 5 + 1 + 5 + 1
# node and model outputs (its second pool fused into conv2) and launch at
# least 5 kernels each (both pools computed by the convolutions), but for
# the normal run: one, the chain (host/chain.h).
verify_faults() { # CALL AT_LEAST
    local n
    for ((n = 1; n <= 100; n++)); do
        last=verify-$1-$n
        rc=0
        env CLINFER_CACHE_DIR="$work/clean-cache" LD_PRELOAD="$shim" CLFAULT_CALL=$1 \
            CLFAULT_AT=$n ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
            timeout 300 "$clinfer" verify "$model" > "$work/$last.out" 2> "$work/$last.err" || rc=$?
        [[ $rc == 0 ]] && break
        [[ $rc == 2 ]] && grep -q "$1.* failed: CL_" "$work/$last.err" ||
            fail "$last: exit $rc, want 2 and \"$1 ... failed\""
    done
    ((n - 1 >= $2)) || fail "verify: only $((n - 1)) $1 calls failed, want >= $2"
}
verify_faults clEnqueueReadBuffer 12
verify_faults clEnqueueNDRangeKernel 11

# 6. the command-buffer replay (CLINFER_REPLAY=on, no chain): a failed
# creation, recording, finalization or replay ends the run with the call
# named; without a fault the replayed run gives the clean output
replay=(CLINFER_CHAIN=off CLINFER_REPLAY=on)
run replay-clean "$work/clean-cache" "${replay[@]}"
last=replay-clean
[[ $rc == 0 ]] || fail "replay-clean: exit $rc"
"$tool" compare "$work/replay-clean.o/probabilities.npy" "$work/clean.o/probabilities.npy" ||
    fail "replay-clean: wrong output"
# (the first creation asks for simultaneous use; when that fails, the
# replay retries without it, and its runs wait for the last replay: the
# right output)
run replay-create-1 "$work/clean-cache" "${replay[@]}" CLFAULT_CALL=clCreateCommandBufferKHR \
    CLFAULT_AT=1
last=replay-create-1
[[ $rc == 0 ]] || fail "replay-create-1: exit $rc"
"$tool" compare "$work/replay-create-1.o/probabilities.npy" "$work/clean.o/probabilities.npy" ||
    fail "replay-create-1: wrong output"
for fault in clCommandNDRangeKernelKHR:1 clCommandNDRangeKernelKHR:3 \
    clFinalizeCommandBufferKHR:1 clEnqueueCommandBufferKHR:1; do
    call=${fault%%:*}
    run "replay-$call-${fault##*:}" "$work/clean-cache" "${replay[@]}" CLFAULT_CALL=$call \
        CLFAULT_AT=${fault##*:}
    expect_error "replay-$call-${fault##*:}" "$call.*failed"
done

if ((failures)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all targeted faults handled"
