"""models.py — small ONNX models built with onnx.helper for the package's
tests, and naive NumPy references for them (written from the operators'
definitions, independently of clinfer)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def _model(nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, "test", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7  # what Debian's onnx 1.12 and the ONNX Runtime of PyPI both read
    onnx.checker.check_model(model)
    return model.SerializeToString()


def conv_relu_pool(rng, channels=4):
    """x [N, 3, H, W] (H, W symbolic) -> Conv 3x3 pad 1 -> Relu -> MaxPool
    2x2 -> y; also the Conv's output as a second output. Returns (bytes,
    weights, bias)."""
    w = rng.standard_normal((channels, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(channels).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["conv"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"]),
        helper.make_node("MaxPool", ["relu"], ["y"], kernel_shape=[2, 2], strides=[2, 2]),
    ]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", channels, "H2", "W2"]),
               helper.make_tensor_value_info("conv", TensorProto.FLOAT, ["N", channels, "H", "W"])]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]
    return _model(nodes, inputs, outputs, inits), w, b


def conv_relu_pool_reference(x, w, b):
    """(y, conv) of conv_relu_pool, from the operators' definitions."""
    n, c, h, wd = x.shape
    k = w.shape[0]
    padded = np.zeros((n, c, h + 2, wd + 2), np.float64)
    padded[:, :, 1:-1, 1:-1] = x
    conv = np.zeros((n, k, h, wd), np.float64)
    for i in range(3):
        for j in range(3):
            patch = padded[:, :, i:i + h, j:j + wd]  # [n, c, h, w]
            conv += np.einsum("nchw,kc->nkhw", patch, w[:, :, i, j].astype(np.float64))
    conv += b[None, :, None, None]
    relu = np.maximum(conv, 0)
    ph, pw = h // 2, wd // 2
    y = relu[:, :, :2 * ph, :2 * pw].reshape(n, k, ph, 2, pw, 2).max(axis=(3, 5))
    return y, conv


def two_inputs():
    """a [2, 3], b [2, 3] (float32, int32 declared for b) -> a * b + 1 as
    'out' (float16 declared)."""
    nodes = [helper.make_node("Cast", ["b"], ["bf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["a", "bf"], ["ab"]),
             helper.make_node("Add", ["ab", "one"], ["sum"]),
             helper.make_node("Cast", ["sum"], ["out"], to=TensorProto.FLOAT16)]
    inputs = [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
              helper.make_tensor_value_info("b", TensorProto.INT32, [2, 3])]
    outputs = [helper.make_tensor_value_info("out", TensorProto.FLOAT16, [2, 3])]
    inits = [numpy_helper.from_array(np.array(1, np.float32), "one")]
    return _model(nodes, inputs, outputs, inits)


def typed_io():
    """img uint8, h float16, n int64, each [1, 3, 4, 5] -> 's16' = img + h +
    n (in float, cast to float16), 'n2' = n + n (int64), 'img2' = img
    (Identity, uint8): the types the C API passes as they are. (clinfer
    casts run-time tensors to float types only.)"""
    nodes = [helper.make_node("Cast", ["img"], ["imgf"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["h"], ["hf"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT),
             helper.make_node("Add", ["imgf", "hf"], ["ih"]),
             helper.make_node("Add", ["ih", "nf"], ["s"]),
             helper.make_node("Cast", ["s"], ["s16"], to=TensorProto.FLOAT16),
             helper.make_node("Add", ["n", "n"], ["n2"]),
             helper.make_node("Identity", ["img"], ["img2"])]
    shape = [1, 3, 4, 5]
    inputs = [helper.make_tensor_value_info("img", TensorProto.UINT8, shape),
              helper.make_tensor_value_info("h", TensorProto.FLOAT16, shape),
              helper.make_tensor_value_info("n", TensorProto.INT64, shape)]
    outputs = [helper.make_tensor_value_info("s16", TensorProto.FLOAT16, shape),
               helper.make_tensor_value_info("n2", TensorProto.INT64, shape),
               helper.make_tensor_value_info("img2", TensorProto.UINT8, shape)]
    return _model(nodes, inputs, outputs, [])
