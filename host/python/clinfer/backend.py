"""backend.py — clinfer as an ONNX backend (onnx.backend.base.Backend).

    import clinfer.backend as backend
    rep = backend.prepare(model_proto, "CPU")
    outputs = rep.run([x, w])

so that ONNX's own test runner (onnx.backend.test.BackendTest) runs
against clinfer. ONNX's device names map to device SPECs: "CPU" to "cpu",
"CUDA" (the runner's name for any accelerator) to "gpu".

ONNX's node tests give weights, shapes and bounds as graph inputs, which
clinfer needs as constants: a prepared model is therefore loaded when it
runs, with every input given as a value (InferenceSession's
constant_inputs), as clinfer's own conformance runner does
(tests/conformance/run_onnx_node_tests.c). Needs the `onnx` package.
"""
import numpy as np
import onnx
from onnx import helper
from onnx.backend.base import Backend, BackendRep

from ._errors import Error
from ._runtime import devices
from .session import InferenceSession

_SPECS = {"CPU": "cpu", "CUDA": "gpu"}


def _spec(device):
    kind = str(device).split(":")[0].upper()
    if kind not in _SPECS:
        raise ValueError(f"device {device!r}: clinfer's ONNX backend knows CPU and CUDA (any GPU)")
    return _SPECS[kind]


def _tensor_type(dtype):
    """The ONNX TensorProto.DataType of a NumPy dtype."""
    if hasattr(helper, "np_dtype_to_tensor_dtype"):  # onnx >= 1.13
        return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    return onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)]


def _graph_inputs(model):
    """Names of the graph inputs that are not initializers, in order."""
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


class ClinferRep(BackendRep):
    """A model ready to run on one device."""

    def __init__(self, model, device):
        self._bytes = model.SerializeToString()
        self._inputs = _graph_inputs(model)
        self._device = _spec(device)

    def run(self, inputs, **kwargs):
        feeds = self._feeds(inputs)
        session = InferenceSession(self._bytes, device=self._device, constant_inputs=feeds)
        remaining = {a.name: feeds[a.name] for a in session.get_inputs()}
        return tuple(session.run(None, remaining))

    def _feeds(self, inputs):
        if isinstance(inputs, dict):
            return {n: np.asarray(v) for n, v in inputs.items()}
        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        if len(inputs) != len(self._inputs):
            raise Error(f"{len(inputs)} inputs given, the model has {len(self._inputs)} "
                        f"({', '.join(self._inputs)})")
        return {n: np.asarray(v) for n, v in zip(self._inputs, inputs)}


class ClinferBackend(Backend):
    @classmethod
    def is_compatible(cls, model, device="CPU", **kwargs):
        return cls.supports_device(device)

    @classmethod
    def prepare(cls, model, device="CPU", **kwargs):
        if isinstance(model, (bytes, str)):
            model = onnx.load_model_from_string(model) if isinstance(model, bytes) else onnx.load(model)
        return ClinferRep(model, device)

    @classmethod
    def run_model(cls, model, inputs, device="CPU", **kwargs):
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(cls, node, inputs, device="CPU", outputs_info=None, **kwargs):
        """Runs one node on inputs (a list in the node's input order, or a
        dict by name) through a one-node model."""
        names = [n for n in node.input if n]  # "" is an absent optional input
        if isinstance(inputs, dict):
            inputs = [inputs[n] for n in names]
        arrays = [np.asarray(v) for v in inputs]
        graph_inputs = [helper.make_tensor_value_info(n, _tensor_type(a.dtype), a.shape)
                        for n, a in zip(names, arrays)]
        if outputs_info:
            graph_outputs = [helper.make_tensor_value_info(n, elem_type, shape)
                             for n, (elem_type, shape) in zip(node.output, outputs_info)]
        else:  # typed by ONNX's shape inference below
            graph_outputs = [helper.make_empty_tensor_value_info(n) for n in node.output]
        graph = helper.make_graph([node], "run_node", graph_inputs, graph_outputs)
        opset = kwargs.get("opset_version", onnx.defs.onnx_opset_version())
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        if not outputs_info:
            model = onnx.shape_inference.infer_shapes(model)
        return cls.run_model(model, arrays, device)

    @classmethod
    def supports_device(cls, device):
        try:
            kind = _spec(device)
        except ValueError:
            return False
        return any(d.type == kind for d in devices())


prepare = ClinferBackend.prepare
run_model = ClinferBackend.run_model
run_node = ClinferBackend.run_node
supports_device = ClinferBackend.supports_device
is_compatible = ClinferBackend.is_compatible
