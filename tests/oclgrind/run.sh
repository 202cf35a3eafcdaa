#!/usr/bin/env bash
# run.sh — runs a program (tests/oclgrind/kernel_cases by default: one
# small case per kernel and variant) on Oclgrind's simulated device with its
# checks on (out-of-bounds and misaligned accesses, data races, API errors)
# and fails if Oclgrind reports anything, or the program fails. Kernels are
# built with -cl-opt-disable: Oclgrind 21.10 cannot run the
# llvm.experimental.noalias.scope.decl that inlining restrict pointers
# leaves at -O2 ("Undefined external function"), and unoptimised code
# performs every load the source writes, which is the stricter check.
#
#   bash tests/oclgrind/run.sh [PROGRAM [ARGS...]]
# Exit status: 0 clean, 1 a report or a failure, 77 oclgrind missing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prog=${1:-$here/../../build/tests/oclgrind/kernel_cases}
shift || true
if ! command -v oclgrind >/dev/null; then
    echo "oclgrind is not installed (apt-get install oclgrind): skipped"
    exit 77
fi
log=$(mktemp "${TMPDIR:-/tmp}/oclgrind.XXXXXX")
trap 'rm -f "$log"' EXIT
start=$SECONDS
oclgrind --check-api --data-races --build-options -cl-opt-disable --max-errors 50 --log "$log" "$prog" "$@"
status=$?
echo "oclgrind: $prog exited with $status after $((SECONDS - start)) s"
if [[ -s $log ]]; then
    echo "oclgrind reported:"
    cat "$log"
    exit 1
fi
exit $((status != 0))
