#!/usr/bin/env bash
# verify_models.sh [MODEL_DIR] — `clinfer verify` on every model of the
# benchmarks: the lecture CNN (tests/models) and torchvision's ResNet-18,
# MobileNetV2, SqueezeNet 1.1 and VGG-11 as tests/bench/export_torchvision.py
# writes them (MODEL_DIR, default build/models; exported there first when
# missing), each on its recorded input. Prints one line per model: nodes,
# largest relative error and where, the verdict and the wall time.
# Extra arguments for verify go in VERIFY_ARGS (e.g. "--tolerance 1e-6" or
# "--precision fp16"); BUILD (default build) holds the clinfer binary;
# MODELS picks the torchvision models. Exit status 1 if any model fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
dir=${1:-$build/models}
read -r -a models <<<"${MODELS:-resnet18 mobilenet_v2 squeezenet1_1 vgg11}"
read -r -a extra <<<"${VERIFY_ARGS:-}"
for m in "${models[@]}"; do
    [[ -f $dir/$m.onnx && -f $dir/$m.input.npy ]] && continue
    /usr/bin/python3 "$here/export_torchvision.py" "$dir" || exit 2
    break
done
summary='import json, sys
d = json.load(sys.stdin)
w = max(d["nodes"], key=lambda n: n["max_rel"]) if d["nodes"] else None
f = d["first_failing"]
print("%-14s %4d nodes  max rel %-9.3g at %-44s %s" % (sys.argv[1], len(d["nodes"]), d["max_rel"],
      "%s (%s, %s)" % (w["node"], w["op"], w["kernel"]) if w else "-",
      "PASS" if d["passed"] else "FAIL at %s (%s, %s)" % (f["node"], f["op"], f["kernel"]) if f
      else "FAIL (outputs)"), end="")'
status=0
run() { # NAME MODEL [ARGS...]
    local name=$1 t0 t1 out rc
    shift
    t0=$(date +%s.%N)
    out=$("$build/clinfer" verify "$@" --json "${extra[@]}")
    rc=$?
    t1=$(date +%s.%N)
    if [[ $rc -eq 2 || -z $out ]]; then
        echo "$name: verify could not run (exit $rc)"
        status=1
        return
    fi
    [[ $rc -eq 0 ]] || status=1
    echo "$out" | python3 -c "$summary" "$name"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  %6.1f s\n", b - a }'
}
run lecture_cnn "$root/tests/models/lecture_cnn.onnx"
for m in "${models[@]}"; do
    run "$m" "$dir/$m.onnx" --input "$dir/$m.input.npy"
done
exit $status
