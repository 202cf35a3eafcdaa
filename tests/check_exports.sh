#!/usr/bin/env bash
# check_exports.sh LIB HEADER... — the shared library exports exactly the
# public API: every defined dynamic symbol of LIB must be a function that a
# HEADER declares with CLINFER_API (visibility is hidden by default; only
# CLINFER_API turns it back on). Declared functions that LIB does not define
# are listed as a note (an API still being implemented on another branch).
set -euo pipefail
lib=$1
shift
exported=$(nm -D --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)
declared=$(grep -h 'CLINFER_API' "$@" | grep -v '#define' |
           grep -o 'clinfer_[a-z0-9_]*(' | tr -d '(' | sort -u)
[[ -n $exported ]] || { echo "check_exports: $lib exports nothing" >&2; exit 1; }
[[ -n $declared ]] || { echo "check_exports: no CLINFER_API declarations found" >&2; exit 1; }
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
echo "check_exports: $(echo "$exported" | wc -l) symbols exported, $(echo "$declared" | wc -l) declared"
if [[ -n $missing ]]; then
    echo "check_exports: note: declared but not defined in $(basename "$lib"):"
    echo "$missing" | sed 's/^/  /'
fi
if [[ -n $extra ]]; then
    echo "check_exports: FAIL: exported but not part of the public API:" >&2
    echo "$extra" | sed 's/^/  /' >&2
    exit 1
fi
echo "check_exports: only the public API is exported"
