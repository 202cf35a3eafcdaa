#!/usr/bin/env bash
# check_installed_demo.sh BUILD_DIR — the installed `clinfer demo` works on
# its own: BUILD_DIR is installed to a temporary prefix, which is then moved
# elsewhere (so neither the configured prefix nor the first install path
# holds anything), and the moved bin/clinfer runs the demo from another
# folder. The demo prints the path of the reference predictions it checked
# against: it must be the moved install's share/clinfer/, not the source
# tree's tests/models/. Exit 77 (skipped) without Debian's Fashion-MNIST.
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/clinfer-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "check_installed_demo: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/first" >"$work/install.log" ||
    { cat "$work/install.log" >&2; fail "cmake --install"; }
for f in lecture_cnn.onnx lecture_cnn.predictions lecture_cnn.reference.json; do
    [[ -f $work/first/share/clinfer/$f ]] || fail "share/clinfer/$f not installed"
done
mv "$work/first" "$work/moved"
mkdir "$work/elsewhere"
set +e
(cd "$work/elsewhere" && "$work/moved/bin/clinfer" demo --limit 300 --show 0) >"$work/demo.out" 2>&1
rc=$?
set -e
if ((rc == 77)); then
    echo "check_installed_demo: skipped: $(tail -1 "$work/demo.out")"
    exit 77
fi
((rc == 0)) || fail "the moved install's demo exited $rc: $(cat "$work/demo.out")"
grep -q "^OK: the accuracy equals the reference" "$work/demo.out" ||
    fail "no OK line: $(cat "$work/demo.out")"
ref=$(sed -n 's/^reference accuracy: .*PyTorch, \(.*\))$/\1/p' "$work/demo.out")
[[ $ref == "$work/moved/"*share/clinfer/lecture_cnn.predictions ]] ||
    fail "the demo checked against '$ref', not the moved install's share/clinfer/"
echo "check_installed_demo: the moved install's demo runs from its own share/clinfer/ ($ref)"
