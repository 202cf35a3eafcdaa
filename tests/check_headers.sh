#!/usr/bin/env bash
# check_headers.sh INCLUDE_DIR — the installed headers stand alone:
#   - clinfer.h compiles as C99 and C11 (-Wall -Wextra -Wpedantic -Werror)
#     with an OpenCL header that refuses to be included first on the path:
#     the core API needs no OpenCL headers;
#   - clinfer_cl.h compiles with the real OpenCL headers, alone (it pulls in
#     clinfer.h) and after clinfer.h;
#   - both compile as C++ when a C++ compiler is present (extern "C").
set -euo pipefail
inc=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/clinfer-headers.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}
flags=(-Wall -Wextra -Wpedantic -Werror -fsyntax-only)

mkdir -p "$work/poison/CL" "$work/poison/OpenCL"
echo '#error "clinfer.h must not include OpenCL headers"' >"$work/poison/CL/cl.h"
cp "$work/poison/CL/cl.h" "$work/poison/OpenCL/cl.h"
printf '#include <clinfer.h>\nint main(void) { return clinfer_version() != 0 ? 0 : 1; }\n' \
    >"$work/core.c"
for std in c99 c11; do
    "$cc" -std=$std "${flags[@]}" -I"$work/poison" -I"$inc" "$work/core.c"
done
echo "check_headers: clinfer.h compiles as C99 and C11 without OpenCL headers"

cat >"$work/cl.c" <<'C'
#define CL_TARGET_OPENCL_VERSION 120
#include <clinfer_cl.h>
#include <clinfer.h>
int main(void) { return clinfer_runtime_cl_queue(NULL) == NULL ? 0 : 1; }
C
"$cc" -std=c11 "${flags[@]}" -I"$inc" "$work/cl.c"
printf '#include <clinfer.h>\n#include <clinfer_cl.h>\n' >"$work/both.c"
"$cc" -std=c11 "${flags[@]}" -DCL_TARGET_OPENCL_VERSION=120 -I"$inc" "$work/both.c"
echo "check_headers: clinfer_cl.h compiles alone and after clinfer.h"

cxx=${CXX:-c++}
if command -v "$cxx" >/dev/null; then
    cp "$work/cl.c" "$work/cl.cpp"
    "$cxx" -std=c++11 "${flags[@]}" -I"$inc" "$work/cl.cpp"
    echo "check_headers: both headers compile as C++11"
else
    echo "check_headers: no C++ compiler; C++ check skipped"
fi
