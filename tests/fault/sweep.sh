#!/usr/bin/env bash
# sweep.sh — single-fault sweep over the OpenCL calls of one `clinfer run`.
#
# A clean run of MODEL under the shim (cl_fault.c, LD_PRELOAD) counts the
# OpenCL calls, first with an empty program cache ("cold": every program
# built, the GEMM tiles tuned) and then with the cache that run left
# ("warm"). Then for every N (or every Kth, --every K) of each scenario a
# run gets exactly its Nth call failed, and must end in one of two ways:
#   clean     exit status 1 with a message on stderr, or
#   absorbed  exit status 0 with every output equal to the clean run's;
# and a clean run afterwards over the same cache folder must give the right
# outputs (the fault poisoned nothing). Anything else fails the sweep:
#   hang (timeout), crash (a signal), sanitizer (a leak or memory error
#   report: build clinfer with -DCLINFER_SANITIZE=address,undefined),
#   wrong (exit 0 with other outputs), poisoned (the run after it is
#   wrong or fails), odd (another exit status, or an error without a
#   message).
# Runs whose N is beyond the calls that run made are counted as unreached.
#
#   bash tests/fault/sweep.sh [--build DIR] [--every K] [--offset O]
#        [--jobs J] [--timeout S] [--model FILE] [--batch N] [--work DIR]
#        [--no-recheck] [--pocl-cache DIR]
#
# --build: the build folder holding clinfer, tests/fault/libclfault.so and
# tests/fault/fault_tool (default build). Failed cases keep their folder
# (stdout, stderr, the call that failed) under WORK/cases/. PoCL's own
# kernel cache is POCL_CACHE_DIR's (--pocl-cache), else PoCL's default: the
# cold scenario empties clinfer's cache, not PoCL's, so that each run
# costs a fraction of a second instead of minutes of compiling.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [[ ${1:-} == --one ]]; then
    one=1
    shift
    scenario=$1 n=$2
else
    one=0
fi

# ------------------------------------------------------------ one case
# Config comes from the environment the main process exported (FS_*).
run_clinfer() { # CACHE OUTDIR AT PREFIX
    local cache=$1 out=$2 at=$3 prefix=$4 rc=0
    timeout -k 5 "$FS_TIMEOUT" env CLINFER_CACHE_DIR="$cache" ${FS_POCL:+POCL_CACHE_DIR="$FS_POCL"} \
        LD_PRELOAD="$FS_SHIM" CLFAULT_AT="$at" CLFAULT_REPORT="$prefix.report" \
        CLFAULT_LOG="$prefix.fired" \
        ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        "$FS_CLINFER" run "$FS_MODEL" --input "$FS_WORK/x.npy" --output-dir "$out" \
        > "$prefix.stdout" 2> "$prefix.stderr" || rc=$?
    return $rc
}

outputs_match() { # OUTDIR
    local f
    for f in "$FS_WORK"/ref/*.npy; do
        "$FS_TOOL" compare "$1/$(basename "$f")" "$f" 2>> "$1.compare" || return 1
    done
}

# classify PREFIX RC OUTDIR: prints the class of one finished run
classify() {
    local p=$1 rc=$2 out=$3
    if [[ $rc == 124 || $rc == 137 ]]; then echo hang
    elif grep -aqE "Sanitizer|runtime error:" "$p.stderr"; then echo sanitizer
    elif ((rc > 128)); then echo crash
    elif [[ $rc == 0 ]]; then
        if outputs_match "$out"; then echo absorbed; else echo wrong; fi
    elif [[ $rc == 1 && -s $p.stderr ]]; then echo clean
    else echo odd
    fi
}

if ((one)); then
    d="$FS_WORK/cases/$scenario-$n"
    rm -rf "$d" && mkdir -p "$d"
    if [[ $scenario == warm ]]; then cp -a "$FS_WORK/warm-template" "$d/cache"; else mkdir "$d/cache"; fi
    rc=0
    run_clinfer "$d/cache" "$d/out" "$n" "$d/run" || rc=$?
    class=$(classify "$d/run" "$rc" "$d/out")
    fired=$(cat "$d/run.fired" 2> /dev/null || true)
    if [[ -z $fired && ( $class == clean || $class == absorbed ) ]]; then class=unreached; fi
    if [[ $FS_RECHECK == 1 && ( $class == clean || $class == absorbed ) ]]; then
        rc2=0
        run_clinfer "$d/cache" "$d/out2" 0 "$d/recheck" || rc2=$?
        class2=$(classify "$d/recheck" "$rc2" "$d/out2")
        [[ $class2 == absorbed ]] || class=poisoned
    fi
    name=$(awk '{print $2}' <<< "$fired")
    echo "$scenario $n $class ${name:--} rc=$rc"
    case $class in clean | absorbed | unreached) rm -rf "$d" ;; esac
    exit 0
fi

# ------------------------------------------------------------ the sweep
build=$root/build every=1 offset=1 jobs=$(nproc) tmo=120 model=$root/tests/models/lecture_cnn.onnx
batch=2 work="" recheck=1 pocl=${POCL_CACHE_DIR:-}
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) build=$2; shift ;;
    --every) every=$2; shift ;;
    --offset) offset=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --timeout) tmo=$2; shift ;;
    --model) model=$2; shift ;;
    --batch) batch=$2; shift ;;
    --work) work=$2; shift ;;
    --no-recheck) recheck=0 ;;
    --pocl-cache) pocl=$2; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "sweep.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
build=$(cd "$build" && pwd)
work=${work:-$build/fault-sweep}
export FS_CLINFER=$build/clinfer FS_SHIM=$build/tests/fault/libclfault.so
export FS_TOOL=$build/tests/fault/fault_tool FS_MODEL=$model FS_TIMEOUT=$tmo FS_RECHECK=$recheck
export FS_POCL=$pocl
for f in "$FS_CLINFER" "$FS_SHIM" "$FS_TOOL" "$FS_MODEL"; do
    [[ -e $f ]] || { echo "sweep.sh: $f is missing (build first)" >&2; exit 2; }
done
rm -rf "$work" && mkdir -p "$work/cases"
export FS_WORK=$(cd "$work" && pwd)
start=$(date +%s)
"$FS_TOOL" input "$FS_WORK/x.npy" "$batch"

# Clean runs: the reference outputs and the number of calls of each scenario.
reference() { # SCENARIO CACHE OUT
    local rc=0
    run_clinfer "$2" "$3" 0 "$FS_WORK/$1" || rc=$?
    if [[ $rc != 0 ]] || grep -aqE "Sanitizer|runtime error:" "$FS_WORK/$1.stderr"; then
        echo "sweep.sh: the clean $1 run failed (exit $rc):" >&2
        cat "$FS_WORK/$1.stderr" >&2
        exit 1
    fi
    sed -n 's/^calls=\([0-9]*\).*/\1/p' "$FS_WORK/$1.report"
}
mkdir -p "$FS_WORK/ref-cache"
calls_cold=$(reference cold "$FS_WORK/ref-cache" "$FS_WORK/ref")
cp -a "$FS_WORK/ref-cache" "$FS_WORK/warm-template"
calls_warm=$(reference warm "$FS_WORK/ref-cache" "$FS_WORK/ref-warm")
outputs_match "$FS_WORK/ref-warm" || { echo "sweep.sh: the warm run disagrees with the cold one" >&2; exit 1; }
echo "clean runs: $calls_cold OpenCL calls cold, $calls_warm warm ($model, batch $batch;" \
     "$(( $(date +%s) - start )) s)"

{
    for ((n = offset; n <= calls_cold; n += every)); do echo "cold $n"; done
    for ((n = offset; n <= calls_warm; n += every)); do echo "warm $n"; done
} | xargs -P "$jobs" -L 1 bash "$0" --one > "$FS_WORK/results.txt"

sort -k1,1 -k2,2n -o "$FS_WORK/results.txt" "$FS_WORK/results.txt"
runs=$(wc -l < "$FS_WORK/results.txt")
count() { awk -v c="$1" '$3 == c' "$FS_WORK/results.txt" | wc -l; }
bad=$(awk '$3 != "clean" && $3 != "absorbed" && $3 != "unreached"' "$FS_WORK/results.txt")
echo "faulted runs: $runs (every $every from $offset): clean errors $(count clean)," \
     "absorbed $(count absorbed), unreached $(count unreached); hangs $(count hang)," \
     "crashes $(count crash), sanitizer reports $(count sanitizer), wrong outputs $(count wrong)," \
     "poisoned caches $(count poisoned), odd exits $(count odd); $(( $(date +%s) - start )) s"
echo "per call:"
awk '$3 != "unreached" {k = $4 " " $3; c[k]++} END {for (k in c) print "  " k, c[k]}' \
    "$FS_WORK/results.txt" | sort
if [[ -n $bad ]]; then
    echo "FAILED (folders under $FS_WORK/cases/):"
    echo "$bad"
    exit 1
fi
echo "all faults handled"
