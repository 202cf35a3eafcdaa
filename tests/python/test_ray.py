"""test_ray.py — clinfer.ray.ClinferPredictor under Ray Data: a local Ray
(2 CPUs) started and stopped here; batch inference over a small dataset,
built from per-row dicts or from arrays in blocks, equals single-process
results exactly, every row once; a failing actor (missing model)
surfaces clinfer's message."""
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


def dataset(n, seed=0, block_rows=None):
    """n random images with ids: from per-row dicts, or, given block_rows,
    from arrays in blocks of that many rows (tests/ray/fashion_mnist.py's
    way: a tensor column per block)."""
    x = np.random.default_rng(seed).random((n, 1, 28, 28), dtype=np.float32)
    if block_rows is None:
        return x, ray.data.from_items([{"id": i, "pixels": x[i]} for i in range(n)])
    import pyarrow as pa  # comes with ray[data]
    from ray.data.extensions import ArrowTensorArray
    return x, ray.data.from_arrow([
        pa.table({"id": np.arange(s, min(s + block_rows, n)),
                  "pixels": ArrowTensorArray.from_numpy(x[s:s + block_rows])})
        for s in range(0, n, block_rows)])


@pytest.mark.parametrize("block_rows", [None, 128])
def test_batch_inference_equals_one_process(local_ray, lecture_cnn, block_rows):
    x, ds = dataset(300, block_rows=block_rows)
    out = ds.map_batches(
        clinfer.ray.ClinferPredictor, batch_size=64,  # 4 full batches, one of 44
        compute=ray.data.ActorPoolStrategy(size=2),
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
        ds.map_batches(clinfer.ray.ClinferPredictor, batch_size=4,
                       compute=ray.data.ActorPoolStrategy(size=1),
                       fn_constructor_kwargs={"model": "no/such.onnx"}).take_all()


def test_a_missing_column_says_which(local_ray, lecture_cnn):
    _, ds = dataset(8)
    with pytest.raises(Exception, match=r"the batch has no column 'image' \(its columns: "):
        ds.map_batches(clinfer.ray.ClinferPredictor, batch_size=4,
                       compute=ray.data.ActorPoolStrategy(size=1),
                       fn_constructor_kwargs={"model": lecture_cnn}).take_all()
