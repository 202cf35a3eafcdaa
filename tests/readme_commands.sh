#!/usr/bin/env bash
# readme_commands.sh — runs the README's commands in the README's order on a
# fresh copy of the checkout, as a new user would, so that the README
# cannot drift from what works. The commands are read from README.md
# itself (its fenced blocks, found by their section headings), not copied:
#   1. Quick start        install-deps, build/, `build/clinfer demo`
#   2. Quick start        the test command (`bash tests/run.sh`)
#   3. Install            the Release build in build/ and `cmake --install`
#                         (its /opt/clinfer replaced by a prefix in the work
#                         folder: no root needed, nothing outside it written)
#   4. Embedding          the pkg-config command compiling the README's
#                         `c embed-example` block as edges.c, which must
#                         print the README's output; then
#                         tests/embed/check_readme_example.sh on that build
#                         (clinfer-static, `pkg-config --static`, clinfer-cl,
#                         find_package shared and static)
#   5. Python             the venv + `pip install .` command, then the
#                         README's Python example run with the venv's python
# Not run: commands that are illustrations rather than steps (retraining,
# the cold-cache demo, benchmarks, the fault sweep, `clinfer run
# resnet18.onnx`, which needs files the repository does not have).
#
# The copy holds the checkout's tracked files and its untracked ones that
# git does not ignore (a fresh clone of the working tree), under
# build-readme/src (ignored by git; replaced on every run, kept afterwards
# for inspection). cmake/install-deps.sh skips apt when nothing is missing.
#
#   bash tests/readme_commands.sh [--tests full|quick|skip] [--jobs N]
#     --tests   step 2 as the README writes it (full, the default), with
#               --quick, or not at all (when the suite runs elsewhere)
#     --jobs N  turns the README's bare `cmake --build ... -j` into `-j N`
#               (the default keeps the README's command as written)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tests=full jobs=
while [[ $# -gt 0 ]]; do
    case $1 in
        --tests) tests=$2; shift 2 ;;
        --tests=*) tests=${1#*=}; shift ;;
        --jobs) jobs=$2; shift 2 ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "readme_commands: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ $tests =~ ^(full|quick|skip)$ ]] || { echo "readme_commands: --tests full|quick|skip" >&2; exit 2; }
[[ -z $jobs || $jobs =~ ^[1-9][0-9]*$ ]] || { echo "readme_commands: --jobs N" >&2; exit 2; }

work=$root/build-readme
src=$work/src
prefix=$work/prefix
fail() { echo "readme_commands: FAIL: $*" >&2; exit 1; }
say() { echo "readme_commands: $*"; }
start=$SECONDS

# block TITLE LANG N: the N-th ```LANG block under the heading TITLE (any
# level), up to the next heading. Fences are tracked first, so a `#` line
# inside a block (a shell comment, #include) is never taken for a heading.
block() {
    awk -v title="$1" -v lang="$2" -v want="$3" '
        /^```/ {
            if (!fence) {
                fence = 1
                if (insec && substr($0, 4) == lang && ++n == want) on = 1
            } else {
                fence = 0
                if (on) { on = 0; found = 1 }
            }
            next
        }
        fence { if (on) print; next }
        /^#+ / { t = $0; sub(/^#+ /, "", t); insec = (t == title) }
        END { exit found ? 0 : 1 }' "$root/README.md" ||
        fail "README.md has no \`\`\`$2 block number $3 under the heading '$1'"
}

# run_step NAME COMMANDS: runs the README's commands with bash in the copy,
# stopping at the first failure, and says how long they took.
run_step() {
    local name=$1 cmd=$2 t0=$SECONDS
    if [[ -n $jobs ]]; then # only a bare -j (a number after it stays)
        cmd=$(sed -E "s/(cmake --build [^ ]+ -j)( |&|;|\$)/\\1 $jobs\\2/g" <<<"$cmd")
    fi
    say "step $name:"
    sed 's/^/    $ /' <<<"$cmd"
    (cd "$src" && bash -euo pipefail -c "$cmd") || fail "step $name: the README's commands failed"
    say "step $name: ok ($((SECONDS - t0)) s)"
}

# ------------------------------------------------------------ the copy
rm -rf "$work"
mkdir -p "$src"
# (a tracked file deleted in the working tree is left out, as in a commit of it)
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
        if [[ -e $f || -L $f ]]; then cp --parents -P "$f" "$src"; fi
    done)
[[ -f $src/CMakeLists.txt && -f $src/README.md ]] || fail "the copy of the checkout is incomplete"
say "copied the checkout ($(find "$src" -type f | wc -l) files) to $src"

# ------------------------------------------------------------ 1. quick start
quick=$(block "Quick start" sh 1)
grep -q 'install-deps.sh' <<<"$quick" || fail "the quick start no longer runs install-deps.sh"
run_step "1 (quick start)" "$quick"

# ------------------------------------------------------------ 2. tests
suite=$(block "Quick start" sh 2)
case $tests in
    full) run_step "2 (tests)" "$suite" ;;
    quick) run_step "2 (tests, --quick)" "$suite --quick" ;;
    skip) say "step 2 (tests): skipped (--tests skip): $suite" ;;
esac
# The suite must leave the quick start's build/ as the user configured it.
grep -q '^CLINFER_WERROR:BOOL=ON' "$src/build/CMakeCache.txt" &&
    fail "build/ has CLINFER_WERROR=ON after the tests (the suite changed the user's build)"

# ------------------------------------------------------------ 3. install
install_cmds=$(block "Install and build against it" sh 1)
grep -q '/opt/clinfer' <<<"$install_cmds" || fail "the install step no longer installs to /opt/clinfer"
run_step "3 (install)" "${install_cmds//\/opt\/clinfer/$prefix}"
[[ -x $prefix/bin/clinfer ]] || fail "the install holds no bin/clinfer"

# ------------------------------------------------------------ 4. embedding
block "A complete program" "c embed-example" 1 >"$src/edges.c"
head -3 "$src/edges.c" | grep -q 'edges\.c' || fail "the embed-example block is not edges.c"
pc_cmds=$(block "Install and build against it" sh 2)
run_step "4 (embedding: pkg-config)" "${pc_cmds//\/opt\/clinfer/$prefix}
./edges | tee '$work/edges.out'"
grep -qx 'vertical edges: 30 30 / 30 30' "$work/edges.out" &&
    grep -qx 'horizontal edges: 0 0 / 0 0' "$work/edges.out" ||
    fail "edges does not print what the README says: $(cat "$work/edges.out")"
run_step "4 (embedding: static, clinfer-cl, find_package)" \
    "bash tests/embed/check_readme_example.sh build"

# ------------------------------------------------------------ 5. Python
venv_cmd=$(block "Python" sh 1)
block "Python" python 1 >"$src/readme_example.py"
run_step "5 (Python)" "$venv_cmd
.venv/bin/python readme_example.py | tee '$work/python.out'"
grep -q '^\[None, 1, 28, 28\] ' "$work/python.out" ||
    fail "the Python example does not print the input shape the README shows: $(cat "$work/python.out")"

say "every README command ran, in the README's order ($((SECONDS - start)) s)"
