#!/usr/bin/env python3
"""report.py — gathers the JSON files of tests/gpu/run.sh into one report:
gpu_report.json (everything) and gpu_report.md (the table the README shows).

Usage: python3 tests/gpu/report.py RESULTS_DIR OUT_DIR
RESULTS_DIR holds bench_*.json (clinfer bench --json), timeline_*.json
(clinfer bench --profile --json at batch 1: the launch cost), torch.json
(torch_models.py bench; when absent, torch_reference.json beside this
script, an earlier run's figures, which the table then says), checks.json (pass/fail of each check) and env.json
(device, driver, date). Any python3 with the standard library will do.
"""
import glob
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": "%s: %s" % (os.path.basename(path), e)}


def bench_rows(results):
    rows = []
    for path in sorted(glob.glob(os.path.join(results, "bench_*.json"))):
        d = load(path)
        d["file"] = os.path.basename(path)
        d.pop("times_ms", None)
        rows.append(d)
    return rows


def timeline_rows(results):
    rows = []
    for path in sorted(glob.glob(os.path.join(results, "timeline_*.json"))):
        d = load(path)
        t = d.get("timeline") or {}
        t["workload"] = os.path.basename(path)[len("timeline_"):-len(".json")]
        t["median_ms"] = d.get("median_ms")
        t["error"] = d.get("error")
        rows.append(t)
    return rows


def timeline_markdown(rows):
    out = ["", "Launch cost at batch 1 (`clinfer bench --profile`, means over the runs): the "
           "device span of a run is its kernels' time plus the idle time between launches.", "",
           "| workload | median ms | launches | span ms | kernels ms | idle ms | us per gap |"
           " longest gap us | first kernel's wait us |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for t in rows:
        if "span_ms" not in t:
            out.append("| %s | failed: %s | | | | | | | |" % (t["workload"], t.get("error")))
            continue
        gaps = max(t["launches"] - 1, 1)
        out.append("| %s | %s | %d | %s | %s | %s | %.1f | %.1f | %.1f |"
                   % (t["workload"], fmt(t["median_ms"]), t["launches"], fmt(t["span_ms"]),
                      fmt(t["kernel_ms"]), fmt(t["idle_ms"]), 1e3 * t["idle_ms"] / gaps,
                      1e3 * t["max_idle_ms"], 1e3 * t["lead_ms"]))
    return out


def torch_index(torch_data):
    index = {}
    for r in torch_data.get("rows", []):
        index[(r["model"], r["batch"], r["precision"])] = r
    return index


def fmt(v, digits=3):
    if v is None:
        return "-"
    if isinstance(v, float):
        return ("%%.%df" % digits) % v
    return str(v)


def markdown(env, checks, rows, torch_data, timelines):
    tix = torch_index(torch_data)
    out = ["GPU report: %s, driver %s, %s (tests/gpu/run.sh)"
           % (env.get("device", "?"), env.get("driver", "?"), env.get("date", "?")), ""]
    out.append("| check | result |")
    out.append("| --- | --- |")
    for c in checks:
        out.append("| %s | %s |" % (c["name"], c["result"]))
    if torch_data.get("measured"):
        out += ["", "PyTorch figures: %s (torch %s; %s)." % (
            torch_data["measured"], torch_data.get("torch", "?"), torch_data.get("note", ""))]
    out += ["", "| workload | precision | batch | run | clinfer median ms | images/s or TFLOP/s |"
            " PyTorch CUDA ms | clinfer / PyTorch |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if "error" in r and "median_ms" not in r:
            out.append("| %s | - | - | - | failed: %s | | | |" % (r["file"], r["error"]))
            continue
        name = r.get("gemm") and "GEMM " + r["gemm"] or r.get("label") or os.path.basename(
            r.get("model", "?"))
        prec = r.get("precision", "fp32")
        if r.get("gemm"):
            speed = "%.1f TFLOP/s kernels, %.1f end to end" % (
                r.get("kernel_gflops", 0) / 1e3, r.get("gflops", 0) / 1e3)
        else:
            speed = "%.0f img/s" % r.get("images_per_s", 0)
        model = os.path.splitext(os.path.basename(r.get("model", "")))[0]
        t = tix.get((model, r.get("batch"), prec))
        ratio = "%.2fx" % (r["median_ms"] / t["median_ms"]) if t else "-"
        # run: how the runs were enqueued (a launch per kernel, a chain, a
        # replayed command buffer); "-" from binaries before run_mode
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |"
                   % (name, prec, r.get("batch", "-"), r.get("run_mode", "-"),
                      fmt(r.get("median_ms")), speed,
                      fmt(t["median_ms"]) if t else "-", ratio))
    if timelines:
        out += timeline_markdown(timelines)
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    results, out = sys.argv[1], sys.argv[2]
    env = load(os.path.join(results, "env.json"))
    checks = load(os.path.join(results, "checks.json"))
    if not isinstance(checks, list):
        checks = [{"name": "checks.json", "result": checks.get("error", "?")}]
    rows = bench_rows(results)
    torch_data = load(os.path.join(results, "torch.json"))
    if "error" in torch_data:  # not timed this run (SKIP_TORCH=1): an earlier run's figures
        torch_data = load(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "torch_reference.json"))
    timelines = timeline_rows(results)
    report = {"env": env, "checks": checks, "bench": rows, "timelines": timelines,
              "pytorch": torch_data}
    with open(os.path.join(out, "gpu_report.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(out, "gpu_report.md"), "w") as f:
        f.write(markdown(env, checks, rows, torch_data, timelines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
