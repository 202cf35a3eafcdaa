"""test_ray.py — clinfer.ray.ClinferPredictor under Ray Data: a local Ray
(2 CPUs) started and stopped here; batch inference over a small dataset
equals single-process results exactly, every row once; a failing actor
(missing model) surfaces clinfer's message."""
import numpy as np
import pytest

import clinfer
import clinfer.ray

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray's own, of its options


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def dataset(n, seed=0):
    x = np.random.default_rng(seed).random((n, 1, 28, 28), dtype=np.float32)
    return x, ray.data.from_items([{"id": i, "pixels": x[i]} for i in range(n)])


def test_batch_inference_equals_one_process(local_ray, lecture_cnn):
    x, ds = dataset(300)
    out = ds.map_batches(
        clinfer.ray.ClinferPredictor, batch_size=64, concurrency=2,  # 4 full batches, one of 44
        fn_constructor_kwargs={"model": lecture_cnn, "device": "cpu",
                               "input_columns": {"image": "pixels"}, "pocl_threads": 1},
    ).take_all()
    ids = np.array([row["id"] for row in out])
    assert sorted(ids) == list(range(300))  # every image once
    assert set(out[0]) == {"id", "probabilities"}
    got = np.stack([row["probabilities"] for row in out])
    (want,) = clinfer.InferenceSession(lecture_cnn, device="cpu").run(None, {"image": x})
    np.testing.assert_array_equal(got, want[ids])


def test_a_failing_actor_says_why(local_ray):
    _, ds = dataset(8)
    with pytest.raises(Exception, match='no/such.onnx: cannot open "no/such.onnx"'):
        ds.map_batches(clinfer.ray.ClinferPredictor, batch_size=4, concurrency=1,
                       fn_constructor_kwargs={"model": "no/such.onnx"}).take_all()


def test_a_missing_column_says_which(local_ray, lecture_cnn):
    _, ds = dataset(8)
    with pytest.raises(Exception, match=r"the batch has no column 'image' \(its columns: "):
        ds.map_batches(clinfer.ray.ClinferPredictor, batch_size=4, concurrency=1,
                       fn_constructor_kwargs={"model": lecture_cnn}).take_all()
