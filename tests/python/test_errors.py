"""test_errors.py — bad input raises clinfer.Error (or a subclass) carrying
clinfer's own message, and leaves the session usable."""
import numpy as np
import pytest

import clinfer
import models


@pytest.fixture(scope="module")
def sess(lecture_cnn):
    return clinfer.InferenceSession(lecture_cnn)


def x(n=1):
    return np.zeros((n, 1, 28, 28), np.float32)


def test_missing_file():
    with pytest.raises(clinfer.FileError, match='no/such.onnx: cannot open "no/such.onnx"') as e:
        clinfer.InferenceSession("no/such.onnx")
    assert isinstance(e.value, clinfer.Error) and isinstance(e.value, OSError)
    assert e.value.status_text == "file input/output failed"
    with pytest.raises(clinfer.FileError, match=r'cannot open "no/such.onnx" \(No such file'):
        clinfer.InferenceSession("no/such.onnx", constant_inputs={"x": np.zeros(1, np.float32)})


def test_not_an_onnx_file(tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07not a model at all")
    with pytest.raises(clinfer.Error, match="bad.onnx: ONNX: "):
        clinfer.InferenceSession(str(path))
    with pytest.raises(clinfer.Error, match="^<model bytes>: ONNX: "):
        clinfer.InferenceSession(b"garbage")


def test_unknown_device():
    with pytest.raises(clinfer.Error, match="no-such-device") as e:
        clinfer.InferenceSession(models.two_inputs(), device="no-such-device")
    assert e.value.status_text == "no matching OpenCL device"


def test_wrong_shape_names_the_input_and_dimension(sess):
    with pytest.raises(clinfer.InvalidArgument,
                       match=r'input "image", \[1, 1, 20, 28\], has 20 in dimension 2, '
                             r"which the model fixes to 28"):
        sess.run(None, {"image": np.zeros((1, 1, 20, 28), np.float32)})
    with pytest.raises(clinfer.InvalidArgument, match=r"\[1, 28, 28\], has rank 3; the model "
                                                      r"declares rank 4"):
        sess.run(None, {"image": np.zeros((1, 28, 28), np.float32)})
    assert sess.run(None, {"image": x()})[0].shape == (1, 10)


def test_wrong_dtype(sess):
    with pytest.raises(clinfer.InvalidArgument,
                       match=r"input 'image': expected tensor\(float\) \(float32\), "
                             r"got an array of float64"):
        sess.run(None, {"image": x().astype(np.float64)})
    with pytest.raises(ValueError, match="got an array of int64"):  # InvalidArgument is one
        sess.run(None, {"image": x().astype(np.int64)})


def test_unknown_output_name(sess):
    with pytest.raises(clinfer.InvalidArgument,
                       match=r"no output named 'scores' \(its outputs: probabilities\)"):
        sess.run(["scores"], {"image": x()})


def test_unknown_and_missing_inputs(sess):
    with pytest.raises(clinfer.InvalidArgument, match=r"no input named 'img' \(its inputs: image\)"):
        sess.run(None, {"img": x()})
    with pytest.raises(clinfer.InvalidArgument, match="no value for input 'image'"):
        sess.run(None, {})
    with pytest.raises(clinfer.InvalidArgument, match="input_feed must be a dict"):
        sess.run(None, [x()])


def test_empty_and_oversized_ranks(sess):
    with pytest.raises(clinfer.InvalidArgument, match='input "image": batch 0, where it must be'):
        sess.run(None, {"image": np.zeros((0, 1, 28, 28), np.float32)})
    with pytest.raises(clinfer.InvalidArgument, match="rank 9 is more than clinfer's 8"):
        sess.run(None, {"image": np.zeros((1,) * 9, np.float32)})


def test_session_still_works_after_errors(sess):
    before = sess.run(None, {"image": x(2)})[0]
    for bad in ({"image": x().astype(np.float64)}, {"image": np.zeros((1, 1, 5, 5), np.float32)}):
        with pytest.raises(clinfer.Error):
            sess.run(None, bad)
    np.testing.assert_array_equal(sess.run(None, {"image": x(2)})[0], before)
