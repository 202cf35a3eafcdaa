#!/usr/bin/python3
"""side_by_side.py — runs clinfer and its peers in the same run on the same
machine, alternating between engines, and prints a markdown table of
medians and ratios. Started by tests/bench/side_by_side.sh, which installs
the peers, builds clinfer and the peer programs and exports the models
first; run that script, not this one.

  GEMM:        clinfer bench --gemm MxNxK --json   vs  gemm_openblas (cblas_sgemm,
               OPENBLAS_CORETYPE=SkylakeX on AVX-512 machines)  vs  gemm_clblast
               (CLBlastSgemm on PoCL)  vs  fma_peak (the measured FP32 FMA peak)
  end to end:  clinfer bench MODEL --json  vs  ort_bench.py (ONNX Runtime CPU, all
               cores), same ONNX file and the same input file; outputs compared
               (clinfer run vs ONNX Runtime, rtol 1e-3, atol 1e-4)
  start-up:    ResNet-18 load + first run with empty program caches and warm ones

Each case runs ROUNDS rounds; within a round every engine runs once (a
separate process: load, first run, warm-up, timed runs), in alternating order
from round to round. A median is over every timed run of every round.
Writes the table to BUILD/bench/side_by_side.md and every engine's JSON to
BUILD/bench/side_by_side.json.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEMMS = ["1024x1024x1024", "1000x1000x1000", "64x3136x576"]
# (name, ONNX file relative to the model folder or the repository, input kind)
MODELS = {
    "resnet18": ("ResNet-18", "{models}/resnet18.dyn.onnx", "normal"),
    "mobilenet_v2": ("MobileNetV2", "{models}/mobilenet_v2.dyn.onnx", "normal"),
    "squeezenet1_1": ("SqueezeNet 1.1", "{models}/squeezenet1_1.dyn.onnx", "normal"),
    "resnet50": ("ResNet-50", "{models}/resnet50.dyn.onnx", "normal"),
    "efficientnet_b0": ("EfficientNet-B0", "{models}/efficientnet_b0.dyn.onnx", "normal"),
    "lecture_cnn": ("lecture CNN", "tests/models/lecture_cnn.onnx", "pixels"),
}
# batch throughput at 8 and 64 for ResNet-50 and MobileNetV2 (the CPU speed
# issue's list), 16 for the others
BATCHES = {"resnet18": [1, 16], "mobilenet_v2": [1, 8, 64], "squeezenet1_1": [1, 16],
           "resnet50": [1, 8, 64], "efficientnet_b0": [1], "lecture_cnn": [1, 16, 64]}


def log(msg):
    print("side_by_side: " + msg, file=sys.stderr, flush=True)


def run_json(cmd, env=None, timeout=900):
    """Runs cmd, returns (parsed JSON from stdout or None, error text)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s" % timeout
    dt = time.time() - t0
    out = p.stdout.strip()
    try:
        data = json.loads(out) if out else None
    except json.JSONDecodeError:
        data = None
    if p.returncode != 0 or data is None:
        err = (p.stderr.strip().splitlines() or ["exit status %d" % p.returncode])[-1]
        return data, "%s (exit %d): %s" % (os.path.basename(cmd[0]), p.returncode, err)
    data["_wall_s"] = dt
    return data, None


# Cross-core cache round trip (ns) above which a run is in one of the cloud
# machines' slow spells (tests/bench/core_pingpong.c: about 75-130 calm,
# 350-450 slow on the 2-vCPU EPYC).
SLOW_ROUND_TRIP_NS = 250


def core_round_trip(bench):
    """Median round trip of a cache line between CPUs 0 and 1 in ns, or None
    (one CPU, or the probe failed: not a failure of the benchmark)."""
    data, err = run_json([os.path.join(bench, "core_pingpong")], timeout=60)
    return data.get("round_trip_ns") if data and not err else None


def median(values):
    if not values:
        return None
    return float(np.median(np.array(values, dtype=np.float64)))


def combine(results):
    """Merges the JSON of several rounds of one engine: times pooled."""
    ok = [r for r in results if r and r.get("times_ms")]
    if not ok:
        return None
    times = [t for r in ok for t in r["times_ms"]]
    merged = dict(ok[0])
    merged["median_ms"] = median(times)
    merged["min_ms"] = min(times)
    merged["iters"] = len(times)
    merged["rounds"] = len(ok)
    if all("kernel_ms" in r for r in ok):
        merged["kernel_ms"] = median([r["kernel_ms"] for r in ok])
    return merged


def fmt(x, digits=1):
    return "–" if x is None else ("%.*f" % (digits, x))


def shell(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def machine():
    model = shell("lscpu | sed -n 's/^Model name: *//p' | head -1") or platform.processor()
    cpus = os.cpu_count()
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    mem = shell("free -g | awk '/^Mem:/ {print $2}'")
    return "%s, %s CPUs (%s)%s" % (model, cpus, isa, (", %s GiB RAM" % mem) if mem else "")


def make_input(path, kind, batch, seed):
    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    if kind == "pixels":
        x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    else:
        x = rng.standard_normal((batch, 3, 224, 224), dtype=np.float32)
    np.save(path, x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--max-time", type=float, default=3.0,
                    help="seconds of timed runs per engine process (default 3)")
    ap.add_argument("--only", choices=["gemm", "models", "startup"], action="append")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--gemm-sizes", default=",".join(GEMMS))
    ap.add_argument("--no-check", action="store_true", help="skip the output comparison")
    ap.add_argument("--ort-python", default=os.environ.get("ORT_PYTHON", "python3"))
    ap.add_argument("--command", default="bash tests/bench/side_by_side.sh")
    args = ap.parse_args()
    only = set(args.only or ["gemm", "models", "startup"])
    build = os.path.abspath(os.path.join(ROOT, args.build))
    bench = os.path.join(build, "bench")
    models_dir = os.path.join(build, "models")
    os.makedirs(os.path.join(bench, "inputs"), exist_ok=True)
    clinfer = os.path.join(build, "clinfer")
    timing = ["--iters", str(args.iters), "--warmup", str(args.warmup),
              "--max-time", str(args.max_time)]
    avx512 = "avx512f" in open("/proc/cpuinfo").read()
    blas_env = {"OPENBLAS_CORETYPE": "SkylakeX"} if avx512 else {}
    started = time.time()
    args.started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()[0]
    failures = []
    raw = {"gemm": {}, "models": {}, "startup": {}}

    # ------------------------------------------------------------ peak
    # Measured at the start and again at the end (the higher one counts): a
    # core busy with another process shows up as a low figure.
    peak, err = run_json([os.path.join(bench, "fma_peak")])
    if err:
        failures.append("fma_peak: " + err)
    pingpong = [core_round_trip(bench)]

    # ------------------------------------------------------------ GEMM
    gemm_rows = []
    if "gemm" in only:
        engines = [
            ("clinfer", lambda s: ([clinfer, "bench", "--gemm", s, "--json"] + timing, {})),
            ("openblas", lambda s: ([os.path.join(bench, "gemm_openblas")]
                                    + s.split("x") + timing, blas_env)),
            ("clblast", lambda s: ([os.path.join(bench, "gemm_clblast")]
                                   + s.split("x") + timing, {})),
        ]
        for size in [g for g in args.gemm_sizes.split(",") if g]:
            per = {name: [] for name, _ in engines}
            for r in range(args.rounds):
                order = engines if r % 2 == 0 else engines[::-1]
                for name, make in order:
                    log("GEMM %s: %s (round %d)" % (size, name, r + 1))
                    cmd, env = make(size)
                    data, err = run_json(cmd, env)
                    if err:
                        failures.append("GEMM %s %s: %s" % (size, name, err))
                    if data and data.get("check", "ok") != "ok":
                        failures.append("GEMM %s %s: wrong result (max rel error %s)"
                                        % (size, name, data.get("max_rel_error")))
                    per[name].append(data)
            raw["gemm"][size] = per
            gemm_rows.append((size, {k: combine(v) for k, v in per.items()}))

    # ------------------------------------------------------------ models
    model_rows = []
    if "models" in only:
        for key in [m for m in args.models.split(",") if m]:
            if key not in MODELS:
                sys.exit("side_by_side: unknown model %s (known: %s)" % (key, ", ".join(MODELS)))
            title, rel, kind = MODELS[key]
            path = os.path.join(ROOT, rel.format(models=models_dir))
            if not os.path.exists(path):
                failures.append("%s: %s is missing" % (title, path))
                continue
            for batch in BATCHES[key]:
                x = os.path.join(bench, "inputs", "%s.b%d.npy" % (key, batch))
                make_input(x, kind, batch, 1000 + batch)
                ort_out = os.path.join(bench, "inputs", "%s.b%d.ort.npy" % (key, batch))
                engines = [
                    ("clinfer", [clinfer, "bench", path, "--json", "--input", x] + timing),
                    ("ort", [args.ort_python, "tests/bench/ort_bench.py", path, "--input", x,
                             "--save-output", ort_out] + timing),
                ]
                per = {"clinfer": [], "ort": []}
                for r in range(args.rounds):
                    order = engines if r % 2 == 0 else engines[::-1]
                    for name, cmd in order:
                        log("%s batch %d: %s (round %d)" % (title, batch, name, r + 1))
                        data, err = run_json(cmd)
                        if err:
                            failures.append("%s batch %d %s: %s" % (title, batch, name, err))
                        per[name].append(data)
                check = "–"
                if not args.no_check and os.path.exists(ort_out):
                    check = compare(clinfer, path, x, ort_out, bench, key, batch, failures,
                                    title)
                raw["models"]["%s.b%d" % (key, batch)] = dict(per, check=check)
                model_rows.append((title, batch, {k: combine(v) for k, v in per.items()},
                                   check))

    # ------------------------------------------------------------ start-up
    startup = []
    if "startup" in only and os.path.exists(os.path.join(models_dir, "resnet18.dyn.onnx")):
        path = os.path.join(models_dir, "resnet18.dyn.onnx")
        tmp = tempfile.mkdtemp(prefix="clinfer-bench-")
        try:
            env = {"CLINFER_CACHE_DIR": os.path.join(tmp, "clinfer"),
                   "POCL_CACHE_DIR": os.path.join(tmp, "pocl")}
            for state in ("cold", "warm"):
                log("ResNet-18 start-up, %s caches" % state)
                data, err = run_json([clinfer, "bench", path, "--json", "--iters", "1",
                                      "--warmup", "0"], env)
                if err:
                    failures.append("start-up %s: %s" % (state, err))
                startup.append((state, data))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        raw["startup"] = dict(startup)

    # ------------------------------------------------------------ report
    peak_end, err = run_json([os.path.join(bench, "fma_peak")])
    pingpong.append(core_round_trip(bench))
    raw["core_round_trip_ns"] = pingpong
    if peak and peak_end:
        peak["gflops_start"], peak["gflops_end"] = peak["gflops"], peak_end["gflops"]
        peak["gflops"] = max(peak["gflops"], peak_end["gflops"])
        peak["gflops_one_thread"] = max(peak["gflops_one_thread"],
                                        peak_end["gflops_one_thread"])
    raw["peak"] = peak
    elapsed = time.time() - started
    text = report(args, peak, gemm_rows, model_rows, startup, failures, elapsed, load_start,
                  blas_env, pingpong)
    print(text)
    with open(os.path.join(bench, "side_by_side.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(bench, "side_by_side.json"), "w") as f:
        json.dump(raw, f, indent=1)
    log("table written to %s (raw JSON beside it), %.0f s" % (os.path.join(bench,
                                                                         "side_by_side.md"),
                                                            elapsed))
    return 1 if failures else 0


def compare(clinfer, path, x, ort_out, bench, key, batch, failures, title):
    """clinfer run on the same input; its output against ONNX Runtime's."""
    out_dir = os.path.join(bench, "outputs", "%s.b%d" % (key, batch))
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    log("%s batch %d: checking clinfer run against ONNX Runtime" % (title, batch))
    p = subprocess.run([clinfer, "run", path, "--input", x, "--output-dir", out_dir],
                       cwd=ROOT, capture_output=True, text=True)
    outs = sorted(f for f in os.listdir(out_dir) if f.endswith(".npy"))
    if p.returncode != 0 or not outs:
        failures.append("%s batch %d: clinfer run failed: %s"
                        % (title, batch, (p.stderr.strip().splitlines() or ["?"])[-1]))
        return "run failed"
    c = subprocess.run([sys.executable, "tests/bench/compare_outputs.py", ort_out,
                        os.path.join(out_dir, outs[0]), "--rtol", "1e-3", "--atol", "1e-4",
                        "--name", "%s b%d" % (key, batch)],
                       cwd=ROOT, capture_output=True, text=True)
    line = c.stdout.strip()
    log("  " + line)
    ref = np.load(ort_out).astype(np.float64)
    act = np.load(os.path.join(out_dir, outs[0])).astype(np.float64)
    err = float(np.max(np.abs(ref - act))) if ref.shape == act.shape else float("nan")
    if c.returncode != 0:
        # the elementwise check failed; the criterion is the error
        # against the output's scale, shown beside it
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        failures.append(line)
        return "**no** (max abs err %.2g, %.1g of the output scale %.3g)" % (
            err, err / scale if scale > 0 else float("nan"), scale)
    return "yes (max abs err %.1g)" % err


def report(args, peak, gemm_rows, model_rows, startup, failures, elapsed, load_start,
           blas_env, pingpong):
    now = args.started
    load_end = os.getloadavg()[0]
    commit = shell("git rev-parse --short HEAD")
    dirty = shell("git status --porcelain --untracked-files=no")
    device = ""
    for _, r in gemm_rows:
        device = device or (r.get("clinfer") or {}).get("device", "")
    for _, _, r, _ in model_rows:
        device = device or (r.get("clinfer") or {}).get("device", "")
    blas = ort_v = clb_dev = ""
    for _, r in gemm_rows:
        if r.get("openblas"):
            blas = "core %s, %s threads" % (r["openblas"].get("core"),
                                             r["openblas"].get("threads"))
        if r.get("clblast"):
            clb_dev = r["clblast"].get("device", "")
    for _, _, r, _ in model_rows:
        if r.get("ort"):
            ort_v = "%s, %s threads" % (r["ort"].get("engine"), r["ort"].get("threads"))
    pkg = lambda p: shell("dpkg-query -W -f='${Version}' %s 2>/dev/null" % p)  # noqa: E731
    lines = []
    lines.append("clinfer side-by-side benchmark, started %s" % now.strftime("%Y-%m-%d %H:%M UTC"))
    lines.append("")
    lines.append("- machine: %s; load average %.2f at the start, %.2f at the end"
                 % (machine(), load_start, load_end))
    lines.append("- clinfer %s%s on %s (PoCL %s)" % (commit or "?", " (modified)" if dirty
                                                   else "", device or "?",
                                                   pkg("pocl-opencl-icd") or "?"))
    peers = []
    if gemm_rows:
        peers.append("OpenBLAS %s (%s%s); CLBlast %s on %s"
                     % (pkg("libopenblas0-pthread") or pkg("libopenblas-dev") or "?",
                        blas or "?", ", OPENBLAS_CORETYPE=SkylakeX" if blas_env else "",
                        pkg("libclblast1") or pkg("libclblast-dev") or "?", clb_dev or "?"))
    if model_rows:
        peers.append(ort_v or "ONNX Runtime ?")
    if peers:
        lines.append("- peers: " + "; ".join(peers))
    plural = lambda n, word: "%d %s%s" % (n, word, "" if n == 1 else "s")  # noqa: E731
    lines.append("- command: `%s` (%s, up to %s after %s per engine process, at most %g s "
                 "of timed runs each); took %.0f s"
                 % (args.command, plural(args.rounds, "round"), plural(args.iters, "timed run"),
                    plural(args.warmup, "warm-up run"), args.max_time, elapsed))
    lines.append("- medians over every timed run of every round; engines alternate within "
                 "each round; a run is end to end (inputs in, outputs out)")
    if any(v is not None for v in pingpong):
        lines.append("- cross-core cache round trip (tests/bench/core_pingpong.c, CPUs 0 and "
                     "1): %s ns at the start, %s at the end"
                     % (fmt(pingpong[0], 0), fmt(pingpong[-1], 0)))
        if any(v is not None and v > SLOW_ROUND_TRIP_NS for v in pingpong):
            lines.append("- note: a slow spell (round trip above %d ns; most likely the two "
                         "vCPUs shared no cache for part of the run), which slows clinfer on "
                         "PoCL (kernels reading what the other core wrote) more than ONNX "
                         "Runtime" % SLOW_ROUND_TRIP_NS)
    pk = peak.get("gflops") if peak else None
    p0, p1 = (peak.get("gflops_start"), peak.get("gflops_end")) if peak else (None, None)
    if load_start > 0.5 or load_end > 1.5 or (p0 and p1 and min(p0, p1) < 0.85 * max(p0, p1)):
        lines.append("- note: the machine was not idle (load average %.2f at the start, %.2f "
                     "at the end; FMA peak %s at the start, %s at the end): other processes "
                     "shared the cores during part of the run, so those numbers are noisy "
                     "and slower than an idle machine gives, for every engine"
                     % (load_start, load_end, fmt(p0, 0), fmt(p1, 0)))
    if pk and peak.get("threads", 1) > 1 and \
            pk < 0.85 * peak["threads"] * peak.get("gflops_one_thread", 0):
        lines.append("- note: the FMA peak of %d threads was only %.1f× one thread's: another "
                     "process held a core while it was measured"
                     % (peak["threads"], pk / peak["gflops_one_thread"]))
    if gemm_rows:
        lines.append("")
        lines.append("GEMM, fp32, C[M,N] = A[M,K]·B[K,N]; GFLOP/s = 2MNK / median latency "
                     "(clinfer and CLBlast: A uploaded and C read back in every run; "
                     "\"kernels\": the device time alone). FMA peak: %s"
                     % ("%.0f GFLOP/s (%s threads, %s; one thread %.0f; %.0f at the start, "
                        "%.0f at the end)"
                        % (pk, peak.get("threads"), peak.get("isa"),
                           peak.get("gflops_one_thread"), peak.get("gflops_start", pk),
                           peak.get("gflops_end", pk)) if pk else "not measured"))
        lines.append("")
        lines.append("| M×N×K | clinfer | clinfer kernels | OpenBLAS | CLBlast (PoCL) "
                     "| clinfer / OpenBLAS | clinfer / CLBlast | clinfer / FMA peak |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for size, r in gemm_rows:
            c, o, b = r.get("clinfer"), r.get("openblas"), r.get("clblast")
            m, n, k = (int(v) for v in size.split("x"))
            flop = 2.0 * m * n * k

            def gf(d, key="median_ms"):
                return flop / (d[key] * 1e6) if d and d.get(key) else None

            cg, og, bg = gf(c), gf(o), gf(b)
            kg = gf(c, "kernel_ms")
            lines.append("| %s | %s GFLOP/s (%s ms) | %s | %s (%s ms) | %s (%s ms) | %s | %s "
                         "| %s |"
                         % (size.replace("x", "×"), fmt(cg), fmt(c and c["median_ms"], 2),
                            fmt(kg), fmt(og), fmt(o and o["median_ms"], 2), fmt(bg),
                            fmt(b and b["median_ms"], 1),
                            (fmt(cg / og, 2) + "×") if cg and og else "–",
                            (fmt(cg / bg, 1) + "×") if cg and bg else "–",
                            (fmt(100 * cg / pk, 0) + "%") if cg and pk else "–"))
    if model_rows:
        lines.append("")
        lines.append("End to end: median latency per batch (ms), clinfer on %s vs ONNX "
                     "Runtime CPU, same ONNX file and input; clinfer / ORT < 1 means clinfer "
                     "is faster" % ("PoCL" if "pthread" in device or "cpu" in device.lower()
                                    else (device or "its device")))
        lines.append("")
        lines.append("| model | batch | clinfer ms | ORT ms | clinfer / ORT | clinfer img/s "
                     "| ORT img/s | outputs agree | timed runs (clinfer, ORT) |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---|---:|")
        for title, batch, r, check in model_rows:
            c, o = r.get("clinfer"), r.get("ort")
            cm, om = c and c["median_ms"], o and o["median_ms"]
            lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s, %s |"
                         % (title, batch, fmt(cm, 2), fmt(om, 2),
                            (fmt(cm / om, 2) + "×") if cm and om else "–",
                            fmt(batch * 1e3 / cm if cm else None),
                            fmt(batch * 1e3 / om if om else None), check,
                            c["iters"] if c else 0, o["iters"] if o else 0))
    if startup:
        lines.append("")
        lines.append("Start-up, ResNet-18 batch 1 (`clinfer bench --iters 1`): load (parse, "
                     "compile the graph, build the kernels) + first run")
        lines.append("")
        lines.append("| program caches | load ms | first run ms | total ms | programs compiled |")
        lines.append("|---|---:|---:|---:|---:|")
        for state, d in startup:
            label = ("cold (empty CLINFER_CACHE_DIR and POCL_CACHE_DIR)" if state == "cold"
                     else "warm (the same folders, second process)")
            if d:
                lines.append("| %s | %s | %s | %s | %s |"
                             % (label, fmt(d.get("load_ms"), 0), fmt(d.get("first_run_ms"), 0),
                                fmt(d.get("load_ms", 0) + d.get("first_run_ms", 0), 0),
                                d.get("programs_compiled")))
            else:
                lines.append("| %s | failed | | | |" % label)
    targets = target_lines(gemm_rows, model_rows, pk)
    if targets:
        lines.append("")
        lines.append("Targets (issue 14; the GEMM ones are issue 5's):")
        lines.append("")
        lines.extend(targets)
    if failures:
        lines.append("")
        lines.append("Failures:")
        lines.append("")
        lines.extend("- " + f for f in failures)
    return "\n".join(lines)


def target_lines(gemm_rows, model_rows, pk):
    out = []
    for size, r in gemm_rows:
        if size != "1024x1024x1024":
            continue
        c, o, b = r.get("clinfer"), r.get("openblas"), r.get("clblast")
        if c and o:
            x = o["median_ms"] / c["median_ms"]
            out.append("- GEMM 1024³ ≥ 0.8× OpenBLAS: %.2f× — %s" % (x, "met" if x >= 0.8
                                                                    else "missed"))
        if c and b:
            x = b["median_ms"] / c["median_ms"]
            out.append("- GEMM 1024³ ≥ 8× CLBlast on PoCL: %.1f× — %s" % (x, "met" if x >= 8
                                                                         else "missed"))
        if c and pk:
            x = 2.0 * 1024 ** 3 / (c["median_ms"] * 1e6) / pk
            out.append("- GEMM 1024³ ≥ 50%% of the FMA peak: %.0f%% — %s"
                       % (100 * x, "met" if x >= 0.5 else "missed"))
    # the CPU speed issue's targets (batch 1 latency ratios)
    limits = {"ResNet-18": 1.1, "ResNet-50": 1.1, "MobileNetV2": 1.25, "SqueezeNet 1.1": 1.25,
              "EfficientNet-B0": 1.25, "lecture CNN": 1.5}
    for title, batch, r, _ in model_rows:
        c, o = r.get("clinfer"), r.get("ort")
        if not (c and o):
            continue
        if batch == 1 and title in limits:
            x = c["median_ms"] / o["median_ms"]
            out.append("- %s batch 1 latency ≤ %.2f× ONNX Runtime: %.2f× — %s"
                       % (title, limits[title], x, "met" if x <= limits[title] else "missed"))
        if title == "ResNet-50" and batch == 8:
            ci, oi = 8e3 / c["median_ms"], 8e3 / o["median_ms"]
            out.append("- ResNet-50 batch 8 ≥ ONNX Runtime's images/s: %.1f vs %.1f — %s"
                       % (ci, oi, "met" if ci >= oi else "missed"))
        if title == "lecture CNN" and batch == 64:
            ci, oi = 64e3 / c["median_ms"], 64e3 / o["median_ms"]
            out.append("- lecture CNN batch 64 ≥ ONNX Runtime's images/s: %.0f vs %.0f — %s"
                       % (ci, oi, "met" if ci >= oi else "missed"))
    return out


if __name__ == "__main__":
    sys.exit(main())
