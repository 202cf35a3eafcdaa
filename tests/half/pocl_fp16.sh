#!/usr/bin/env bash
# pocl_fp16.sh — runs a command on a PoCL that reports cl_khr_fp16, so that
# fp16-math (half arithmetic in the GPU GEMM tiles) is tested on this
# machine's CPU.
#
# Debian's PoCL 3.1 compiles and runs half arithmetic (its clang and LLVM's
# x86 backend support it; F16C converts), but its CPU driver was built
# without HOST_CPU_ENABLE_CL_KHR_FP16, so the device does not report the
# extension and its compiler refuses `half` variables. This script copies
# libpocl and its device drivers into a temporary directory (the Debian
# build is relocatable: it finds its drivers and kernel library relative to
# itself), replaces "cl_khr_spir" (unused by clinfer) in the pthread
# driver's extension string with "cl_khr_fp16" (same length), points an ICD
# file at the copy, and runs the command with OCL_ICD_VENDORS there and
# fresh PoCL and clinfer caches. Nothing outside the temporary directory
# changes. PoCL's kernel library has no half builtins (fma, convert_half4),
# which is why the half kernels use operators and casts only.
#
#   bash tests/half/pocl_fp16.sh COMMAND [ARGS...]
# Exit status: the command's, or 77 (skipped, with the reason) where there
# is no PoCL to copy or its driver has no "cl_khr_spir" to replace.
set -uo pipefail
[[ $# -ge 1 ]] || { echo "usage: pocl_fp16.sh COMMAND [ARGS...]" >&2; exit 2; }

icd=/etc/OpenCL/vendors/pocl.icd
lib=$(head -n1 "$icd" 2>/dev/null)
[[ $lib == /* ]] || lib=$(ldconfig -p | awk '/libpocl\.so\.2 /{print $NF; exit}')
if [[ -z $lib || ! -e $lib ]]; then
    echo "pocl_fp16.sh: no PoCL installed (apt-get install pocl-opencl-icd): skipped"
    exit 77
fi
real=$(readlink -f "$lib")
libdir=$(dirname "$real")
driver=$libdir/pocl/libpocl-devices-pthread.so
if [[ ! -e $driver ]]; then
    echo "pocl_fp16.sh: no PoCL pthread driver at $driver: skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pocl_fp16.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# the same layout as the install: lib/<triple>/libpocl.so.2, lib/<triple>/pocl/,
# share/pocl (the kernel library, found as ../../share/pocl from the library)
rel=${libdir#/usr/}
mkdir -p "$tmp/usr/$rel/pocl" "$tmp/usr/share" "$tmp/icd" "$tmp/pocl-cache" "$tmp/clinfer-cache"
cp "$real" "$tmp/usr/$rel/"
ln -s "$(basename "$real")" "$tmp/usr/$rel/$(basename "$lib")"
cp "$libdir"/pocl/*.so "$tmp/usr/$rel/pocl/"
ln -s "$(readlink -f "$libdir/../../share/pocl")" "$tmp/usr/share/pocl"
patched=$tmp/usr/$rel/pocl/libpocl-devices-pthread.so
if ! python3 - "$patched" <<'EOF'; then
import sys
path = sys.argv[1]
data = open(path, 'rb').read()
old, new = b' cl_khr_spir ', b' cl_khr_fp16 '
if data.count(old) != 1:
    sys.exit(1)
open(path, 'wb').write(data.replace(old, new))
EOF
    echo "pocl_fp16.sh: $driver has no single \" cl_khr_spir \" to replace: skipped"
    exit 77
fi
echo "$tmp/usr/$rel/$(basename "$lib")" >"$tmp/icd/pocl.icd"

export OCL_ICD_VENDORS=$tmp/icd POCL_CACHE_DIR=$tmp/pocl-cache CLINFER_CACHE_DIR=$tmp/clinfer-cache
# (a copy that does not report it fails loudly: fp16-math runtimes are refused)
"$@"
