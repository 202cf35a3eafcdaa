"""serve_bench.py — latency and throughput of clinfer.serve's deployment of
the lecture CNN on localhost: 1, 8 and 32 concurrent clients, Serve's
dynamic batching on and off; p50 and p99 latency and requests/s of each.

    build-python/venv/bin/python tests/ray/serve_bench.py [--seconds 5] [--clients 1,8,32]

Each client is a thread that posts one image (JSON, encoded beforehand)
after another over its own keep-alive connection; every answer is checked
(status 200, the class of a direct run). The clients run on the same
machine as the server, so they take some of its cores.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import socket
import time

import numpy as np
import ray
from ray import serve

import clinfer
import clinfer.serve

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "tests", "models", "lecture_cnn.onnx")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, bodies, want, until):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, k = [], 0
    while time.perf_counter() < until:
        i = k % len(bodies)
        start = time.perf_counter()
        conn.request("POST", "/", body=bodies[i], headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        answer = json.loads(r.read())
        latencies.append(time.perf_counter() - start)
        if r.status != 200 or answer["class"] != want[i]:
            raise RuntimeError(f"request {k}: {r.status} {answer}")
        k += 1
    conn.close()
    return latencies


def measure(port, clients, seconds, bodies, want):
    until = time.perf_counter() + seconds
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        runs = list(pool.map(lambda _: client(port, bodies, want, until), range(clients)))
    lat = np.concatenate(runs)
    return np.percentile(lat, 50) * 1e3, np.percentile(lat, 99) * 1e3, len(lat) / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--clients", default="1,8,32")
    args = ap.parse_args()
    images = np.random.default_rng(0).random((64, 1, 28, 28), dtype=np.float32)
    (scores,) = clinfer.InferenceSession(MODEL, device="cpu").run(None, {"image": images})
    want = scores.argmax(axis=1).tolist()
    bodies = [json.dumps({"input": im.tolist()}).encode() for im in images]
    port = free_port()
    ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    print("| batching | clients | p50 ms | p99 ms | requests/s |")
    print("| --- | --- | --- | --- | --- |")
    for batching in (True, False):
        serve.run(clinfer.serve.app(MODEL, device="cpu", batching=batching, max_batch_size=32,
                                    batch_wait_timeout_s=0.005), route_prefix="/")
        measure(port, 1, 1, bodies, want)  # warm: the first request builds a session
        for clients in [int(c) for c in args.clients.split(",")]:
            p50, p99, rate = measure(port, clients, args.seconds, bodies, want)
            print(f"| {'on' if batching else 'off'} | {clients} | {p50:.1f} | {p99:.1f} | "
                  f"{rate:.0f} |", flush=True)
    serve.shutdown()
    ray.shutdown()


if __name__ == "__main__":
    main()
