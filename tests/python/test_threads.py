"""test_threads.py — one InferenceSession shared by threads (each thread
gets its own C sessions over the shared model, as the C API asks), and the
GIL released while clinfer runs."""
import threading
import time

import numpy as np

import clinfer


def images(n, seed):
    return np.random.default_rng(seed).random((n, 1, 28, 28), dtype=np.float32)


def test_threads_share_a_model_with_a_session_each(lecture_cnn):
    sess = clinfer.InferenceSession(lecture_cnn)
    feeds = [images(n, seed) for seed, n in enumerate([1, 3, 8, 3, 1, 8])]
    # Each shape runs once on this thread first: the model's variants and
    # the kernels are built before threads share them (PoCL's first compile
    # of a work-group size racing a release in another thread once tripped
    # PoCL's own assertion; see tests/test_threads.c).
    want = [sess.run(None, {"image": x})[0] for x in feeds]
    got = [[None] * len(feeds) for _ in range(4)]
    errors = []

    def worker(t):
        try:
            for _ in range(3):
                for k, x in enumerate(feeds):
                    got[t][k] = sess.run(None, {"image": x})[0]
        except Exception as e:  # reported below: a thread's exception is otherwise lost
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    for t in range(4):
        for k in range(len(feeds)):
            np.testing.assert_array_equal(got[t][k], want[k])
    # Each thread made its own sessions; the main thread's stay its own.
    assert len(sess._local.sessions) == 3


def test_the_gil_is_released_during_a_run(lecture_cnn):
    sess = clinfer.InferenceSession(lecture_cnn)
    # A batch whose run lasts long enough to see the GIL's gaps (2048
    # images took 0.09 s on a 2-core AVX-512 EPYC): grown until a run, after
    # the one that builds and compiles its size, takes over 0.2 s.
    n = 2048
    while True:
        x = images(n, 7)
        sess.run(None, {"image": x})  # built and compiled: the next run only computes
        start = time.perf_counter()
        sess.run(None, {"image": x})
        if time.perf_counter() - start > 0.2 or n >= 65536:
            break
        n *= 4
    ticks = []
    done = threading.Event()

    def ticker():  # pure Python: runs only while it holds the GIL
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=ticker)
    th.start()
    time.sleep(0.05)
    t0 = time.perf_counter()
    sess.run(None, {"image": x})
    t1 = time.perf_counter()
    done.set()
    th.join()
    during = [t for t in ticks if t0 <= t <= t1]
    gaps = np.diff([t0] + during + [t1])
    # Held through the run, the GIL would leave one gap as long as the run.
    assert t1 - t0 > 0.1, "the run is too short to tell"
    assert len(during) > 10 and gaps.max() < 0.5 * (t1 - t0), (t1 - t0, len(during), gaps.max())
