"""test_serve.py — clinfer.serve's Ray Serve deployment on localhost: N
concurrent requests answered correctly (batched by Serve), malformed and
oversize requests rejected with a 4xx and the reason, the replica still
serving after them. A local Ray and Serve are started and stopped here."""
import concurrent.futures
import json
import re
import socket
import urllib.error
import urllib.request

import numpy as np
import pytest

import clinfer

ray = pytest.importorskip("ray")
serve = pytest.importorskip("ray.serve")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def url(lecture_cnn):
    import clinfer.serve
    port = free_port()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    serve.run(clinfer.serve.app(lecture_cnn, device="cpu", max_batch_size=8,
                                batch_wait_timeout_s=0.05, max_body_bytes=64 << 10),
              route_prefix="/")
    yield f"http://127.0.0.1:{port}/"
    serve.shutdown()
    ray.shutdown()


def post(url, body):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def post_image(url, image):
    return post(url, json.dumps({"input": image.tolist()}).encode())


def test_concurrent_requests_are_answered_right(url, lecture_cnn):
    images = np.random.default_rng(0).random((24, 1, 28, 28), dtype=np.float32)
    (want,) = clinfer.InferenceSession(lecture_cnn, device="cpu").run(None, {"image": images})
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda im: post_image(url, im), images))
    for (status, body), w in zip(answers, want):
        assert status == 200, body
        np.testing.assert_allclose(body["scores"], w, rtol=1e-5, atol=1e-6)
        assert body["class"] == int(w.argmax())
    # Serve batched them: 24 requests at once, batches of up to 8.
    assert max(body["batch"] for _, body in answers) > 1
    assert all(1 <= body["batch"] <= 8 for _, body in answers)


def test_bad_requests_get_a_4xx_with_the_reason(url):
    cases = [
        (b"not json", 400, "the body must be JSON"),
        (b'{"image": [1, 2]}', 400, "KeyError"),
        (json.dumps({"input": np.zeros((1, 20, 28)).tolist()}).encode(), 400,
         r"input has shape \[1, 20, 28\]; the model takes \[1, 28, 28\]"),
        (b'{"input": [["a", "b"]]}', 400, "ValueError"),
        (b'{"input": ' + b"[" + b"0.5, " * 40000 + b"0.5]}", 413, "more than 65536"),
    ]
    for body, status, reason in cases:
        got_status, got = post(url, body)
        assert got_status == status, (body[:40], got)
        assert re.search(reason, got["error"]), got
    status, body = post_image(url, np.zeros((1, 28, 28), np.float32))  # still serving
    assert status == 200 and len(body["scores"]) == 10
