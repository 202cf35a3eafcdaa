#!/usr/bin/env bash
# check_readme_example.sh [BUILD_DIR] — keeps the README's embedding example
# honest. It extracts the ```c embed-example block from README.md, installs
# BUILD_DIR (default: build) to a temporary prefix, then builds the example
# against that install four ways and runs each build:
#   1. cc + pkg-config: clinfer (the shared library), `pkg-config --static
#      clinfer` and clinfer-static (the static one, with no libclinfer.so
#      recorded), and a small interop program with clinfer-cl,
#   2. a CMake project with find_package(clinfer) and clinfer::clinfer,
#   3. the same project with clinfer::clinfer_static;
# and checks what the install holds (headers, both libraries and the soname
# link, the CLI, clinfer.pc, the CMake package) and that every version
# agrees with include/clinfer.h.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/clinfer-embed.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "check_readme_example: FAIL: $*" >&2; exit 1; }
say() { echo "check_readme_example: $*"; }

# ------------------------------------------------------------ the example
awk '/^```c embed-example$/ { on = 1; n++; next }
     on && /^```$/          { on = 0; next }
     on                     { print }
     END { if (n != 1) exit 1 }' "$root/README.md" >"$work/example.c" ||
    fail "README.md must hold exactly one \`\`\`c embed-example block"
[[ -s $work/example.c ]] || fail "the embed-example block is empty"
say "extracted $(wc -l <"$work/example.c") lines from README.md"

# The example prints this for its test image (see README).
expect() {
    local out=$1
    grep -q '^clinfer [0-9.]* on ' "$out" || fail "no version line in: $(cat "$out")"
    grep -qx 'vertical edges: 30 30 / 30 30' "$out" || fail "wrong output: $(cat "$out")"
    grep -qx 'horizontal edges: 0 0 / 0 0' "$out" || fail "wrong output: $(cat "$out")"
}

# ------------------------------------------------------------ install
cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
    { cat "$work/install.log" >&2; fail "cmake --install"; }
version=$(sed -n 's/^#define CLINFER_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' \
          "$root/include/clinfer.h" | paste -sd.)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "cannot read the version from clinfer.h"
pc=$(find "$prefix" -name clinfer.pc)
[[ -n $pc ]] || fail "no clinfer.pc installed"
libdir=$(dirname "$(dirname "$pc")")
for f in include/clinfer.h include/clinfer_cl.h bin/clinfer; do
    [[ -f $prefix/$f ]] || fail "$f not installed"
done
[[ -f $libdir/libclinfer.a ]] || fail "libclinfer.a not installed"
[[ -f $libdir/libclinfer.so.$version ]] || fail "libclinfer.so.$version not installed"
soname=$(objdump -p "$libdir/libclinfer.so.$version" | awk '$1 == "SONAME" { print $2 }')
[[ -e $libdir/$soname && -e $libdir/libclinfer.so ]] || fail "soname link $soname missing"
[[ -f $libdir/cmake/clinfer/clinferConfig.cmake &&
   -f $libdir/cmake/clinfer/clinferConfigVersion.cmake ]] || fail "CMake package not installed"
export PKG_CONFIG_PATH=$libdir/pkgconfig
for p in clinfer clinfer-shared clinfer-static clinfer-cl; do
    [[ $(pkg-config --modversion $p) == "$version" ]] ||
        fail "$p.pc says $(pkg-config --modversion $p), clinfer.h $version"
done
"$prefix/bin/clinfer" --help >/dev/null || fail "the installed CLI does not run"
say "installed $version (soname $soname) to a temporary prefix"

# ------------------------------------------------------------ pkg-config
cc=${CC:-cc}
# shellcheck disable=SC2046  # pkg-config output is meant to be split
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags clinfer) \
    "$work/example.c" -o "$work/example_pc" $(pkg-config --libs clinfer) \
    -Wl,-rpath,"$libdir" || fail "the example does not compile with pkg-config"
"$work/example_pc" >"$work/pc.out" || fail "the pkg-config build failed: $(cat "$work/pc.out")"
expect "$work/pc.out"
# ldd's output is read whole first: `ldd | grep -q` fails under pipefail
# when grep exits at its match while ldd still writes (SIGPIPE; seen in CI).
links=$(ldd "$work/example_pc")
grep -q "$libdir/$soname" <<<"$links" || fail "not linked to the installed library"
say "pkg-config build runs: $(head -1 "$work/pc.out")"

# `pkg-config --static clinfer` and clinfer-static.pc: libclinfer.a itself,
# whatever shared library is there (ldd must not list libclinfer.so).
static_build() {
    local name=$1 cflags=$2 libs=$3
    # shellcheck disable=SC2086  # pkg-config output is meant to be split
    "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $cflags "$work/example.c" \
        -o "$work/$name" $libs || fail "the example does not link with $name's flags: $libs"
    "$work/$name" >"$work/$name.out" || fail "the $name build failed: $(cat "$work/$name.out")"
    expect "$work/$name.out"
    links=$(ldd "$work/$name")
    grep -q libclinfer <<<"$links" && fail "the $name build links the shared library ($libs)"
    return 0
}
static_libs=$(pkg-config --static --libs clinfer)
grep -q "/libclinfer\.a " <<<"$static_libs " ||
    fail "pkg-config --static --libs clinfer does not name libclinfer.a: $static_libs"
static_build example_pc_static_flag "$(pkg-config --static --cflags clinfer)" "$static_libs"
say "pkg-config --static clinfer build runs without libclinfer.so"
static_build example_pc_static "$(pkg-config --cflags clinfer-static)" \
    "$(pkg-config --libs clinfer-static)"
say "pkg-config clinfer-static build runs without libclinfer.so"

# clinfer-cl.pc: the interop header compiles with no note or warning (it
# sets CL_TARGET_OPENCL_VERSION) and links, OpenCL included.
cat >"$work/interop.c" <<'C'
#include <stdio.h>

#include <clinfer_cl.h>

int main(void)
{
    cl_uint platforms = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &platforms);
    printf("clinfer %s, %u OpenCL platforms (status %d)\n", clinfer_version(), platforms, err);
    return 0;
}
C
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags clinfer-cl) \
    "$work/interop.c" -o "$work/interop" $(pkg-config --libs clinfer-cl) \
    -Wl,-rpath,"$libdir" 2>"$work/interop.err" ||
    { cat "$work/interop.err" >&2; fail "clinfer_cl.h does not build with pkg-config clinfer-cl"; }
[[ ! -s $work/interop.err ]] || fail "clinfer_cl.h compiles with messages: $(cat "$work/interop.err")"
"$work/interop" | grep -q "^clinfer $version, " || fail "the clinfer-cl build does not run"
say "pkg-config clinfer-cl builds an interop program without a note"

# ------------------------------------------------------------ find_package
mkdir -p "$work/project"
cp "$work/example.c" "$work/project/example.c"
cat >"$work/project/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(embed_example LANGUAGES C)
find_package(clinfer $version REQUIRED)
if(NOT clinfer_VERSION VERSION_EQUAL "$version")
    message(FATAL_ERROR "found clinfer \${clinfer_VERSION}, want $version")
endif()
add_executable(example_shared example.c)
target_link_libraries(example_shared PRIVATE clinfer::clinfer)
add_executable(example_static example.c)
target_link_libraries(example_static PRIVATE clinfer::clinfer_static)
foreach(t example_shared example_static)
    set_target_properties(\${t} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
    target_compile_options(\${t} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endforeach()
CMAKE
cmake -S "$work/project" -B "$work/project/build" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log" >&2; fail "find_package(clinfer)"; }
cmake --build "$work/project/build" >"$work/cmake-build.log" 2>&1 ||
    { cat "$work/cmake-build.log" >&2; fail "the CMake project does not build"; }
for t in example_shared example_static; do
    "$work/project/build/$t" >"$work/$t.out" || fail "$t failed: $(cat "$work/$t.out")"
    expect "$work/$t.out"
done
links=$(ldd "$work/project/build/example_static")
grep -q libclinfer <<<"$links" && fail "example_static is not static"
say "find_package builds run: clinfer::clinfer and clinfer::clinfer_static"
say "the README example compiles and runs against the install"
