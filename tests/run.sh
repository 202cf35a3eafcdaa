#!/usr/bin/env bash
# run.sh — builds clinfer and runs the whole test suite twice: as users build
# it (build/), and under AddressSanitizer + UndefinedBehaviorSanitizer with
# LeakSanitizer on (build-asan/). Warnings are errors in both.
#   bash tests/run.sh           both builds
#   bash tests/run.sh --quick   the plain build only
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

suite() {
    local dir=$1
    shift
    echo "=== tests in $dir $*"
    cmake -S . -B "$dir" -DCLINFER_WERROR=ON "$@"
    cmake --build "$dir" -j "$jobs"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

suite build
if [[ ${1:-} != --quick ]]; then
    suite build-asan -DCMAKE_BUILD_TYPE=Debug -DCLINFER_SANITIZE=address,undefined
fi
