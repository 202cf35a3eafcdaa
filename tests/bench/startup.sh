#!/bin/bash
# startup.sh [--clinfer BIN] MODEL... — start-up times (issue 11): for each
# model, with its own empty CLINFER_CACHE_DIR and POCL_CACHE_DIR,
#   cold      the first `clinfer bench MODEL --iters 1 --warmup 0 --json`;
#   warm      the same command again (on PoCL: programs rebuilt through
#             PoCL's kernel cache from the build records, see README
#             "Program cache");
#   compiled  after `clinfer compile MODEL` (device binaries stored, GEMM
#             tiles searched), the same command once more.
# Prints startup_ms (load + first run) and its parts. Other work on the
# machine changes these a lot: pause it while measuring.
# Needs python3 (any: only its json module).
set -euo pipefail
clinfer=build/clinfer
if [[ ${1:-} == --clinfer ]]; then clinfer=$2; shift 2; fi
[[ $# -ge 1 ]] || { echo "usage: $0 [--clinfer BIN] MODEL..." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
show() { # JSON LABEL MODEL
    python3 - "$1" "$2" "$3" <<'PY'
import json, os, sys
j = json.load(open(sys.argv[1]))
print("%-24s %-9s startup %7.0f ms (model %5.0f, session %6.0f, first run %6.0f; "
      "%d programs compiled)" % (os.path.basename(sys.argv[3]), sys.argv[2], j["startup_ms"],
      j["model_ms"], j["session_ms"], j["first_run_ms"], j["programs_compiled"]))
PY
}
for model in "$@"; do
    rm -rf "$work/c" "$work/p"
    export CLINFER_CACHE_DIR=$work/c POCL_CACHE_DIR=$work/p
    for state in cold warm; do
        "$clinfer" bench "$model" --iters 1 --warmup 0 --json > "$work/$state.json" 2> "$work/err" ||
            { cat "$work/err" >&2; exit 1; }
        show "$work/$state.json" $state "$model"
    done
    "$clinfer" compile "$model" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
    "$clinfer" bench "$model" --iters 1 --warmup 0 --json > "$work/compiled.json" 2> "$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    show "$work/compiled.json" compiled "$model"
done
