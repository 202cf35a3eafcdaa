"""session.py — clinfer.InferenceSession, shaped like ONNX Runtime's.

An InferenceSession holds one compiled model (clinfer_model), shared by
every thread that runs it. The C API wants one clinfer_session per thread
and per set of input shapes, so each thread keeps its own C sessions, keyed
by the shapes of the feeds: a feed of a new shape makes a session for it
(the library builds the model for that shape once and shares it), later
runs of that shape reuse it.

Arrays go in and out without extra copies where the types allow: a
C-contiguous feed of float32, float16, uint8 or int64 (the types the C
API's typed calls take, converted on the device) is passed to clinfer by
pointer, and each output of those types is written by clinfer straight
into a new NumPy array of its declared type; other types are converted
here, through float32. The GIL is released
during every C call (ctypes), so other Python threads run meanwhile.
"""
import collections
import ctypes
import os
import tempfile
import threading
import weakref

import numpy as np

from . import _capi
from ._errors import Error, FileError, InvalidArgument, check
from ._runtime import runtime_for

# ONNX TensorProto.DataType -> NumPy dtype (bfloat16 has none: float32).
_NUMPY_TYPES = {
    1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
    7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32,
    13: np.uint64, 16: np.float32,
}
# The types clinfer_session_set_input_typed / _get_output_typed take: arrays
# of these go to and from the library as they are (ONNX code -> NumPy).
_DEVICE_TYPES = {1: np.float32, 2: np.uint8, 7: np.int64, 10: np.float16}
_DEVICE_CODES = {np.dtype(t): code for code, t in _DEVICE_TYPES.items()}
_PRECISIONS = ("fp32", "fp16", "fp16-math")
_SESSIONS_PER_THREAD = 8  # input shapes kept per thread (least recently used dropped)


class NodeArg:
    """An input or output: name, shape (ints; None for a symbolic size) and
    type ("tensor(float)"), as ONNX Runtime's NodeArg."""

    def __init__(self, name, shape, type_):
        self.name, self.shape, self.type = name, shape, type_

    def __repr__(self):
        return f"NodeArg(name={self.name!r}, type={self.type!r}, shape={self.shape!r})"


def _onnx_type(elem_type):
    return f"tensor({_capi.text(_capi.lib.clinfer_onnx_type_name(elem_type))})"


def _node_args(ios, count):
    """NodeArgs from an array of clinfer_onnx_io."""
    args = []
    for i in range(count):
        io = ios[i]
        shape = None
        if io.shape_known:
            shape = [None if d == _capi.BATCH_DIM else int(d) for d in io.shape.dims[:io.shape.rank]]
        args.append(NodeArg(_capi.text(io.name), shape, _onnx_type(io.elem_type)))
    return args


def _inspect(data):
    """The declared inputs and outputs of ONNX bytes, as NodeArgs."""
    info = ctypes.POINTER(_capi.OnnxInfo)()
    check(_capi.lib.clinfer_onnx_inspect(data, len(data), ctypes.byref(info)))
    try:
        i = info.contents
        return _node_args(i.inputs, i.input_count), _node_args(i.outputs, i.output_count)
    finally:
        _capi.lib.clinfer_onnx_info_free(info)


def _shape(dims):
    if len(dims) > _capi.MAX_RANK:
        raise InvalidArgument(f"rank {len(dims)} is more than clinfer's {_capi.MAX_RANK}")
    s = _capi.Shape()
    s.rank = len(dims)
    for k, d in enumerate(dims):
        s.dims[k] = d
    return s


def _free(free_fn, handle, _owner):
    """Finalizer: frees handle; _owner (the model of a session, the runtime
    of a model) is an argument only so that it outlives the handle."""
    free_fn(handle)


def _contiguous(array, dtype):
    """array itself when it is C-contiguous of dtype, else a converted
    copy (np.ascontiguousarray would make a scalar 1-D)."""
    return np.require(array, dtype=dtype, requirements="C")


def _device_type(elem_type):
    """The NumPy type a declared ONNX type crosses the C API as: itself for
    the typed calls' types, else float32 (converted here)."""
    return np.dtype(_DEVICE_TYPES.get(elem_type, np.float32))


class _Model:
    """A clinfer_model and the runtime it borrows."""

    def __init__(self, runtime, handle):
        self.runtime, self.handle = runtime, handle
        weakref.finalize(self, _free, _capi.lib.clinfer_model_free, handle, runtime)
        lib = _capi.lib
        n_in, n_out = lib.clinfer_model_input_count(handle), lib.clinfer_model_output_count(handle)
        self.inputs = [_capi.text(lib.clinfer_model_input_name(handle, i)) for i in range(n_in)]
        self.outputs = [_capi.text(lib.clinfer_model_output_name(handle, i)) for i in range(n_out)]
        self.input_types = [lib.clinfer_model_input_dtype(handle, i) for i in range(n_in)]
        self.output_types = [lib.clinfer_model_output_dtype(handle, i) for i in range(n_out)]


def _load_path(runtime, path):
    handle = ctypes.c_void_p()
    check(_capi.lib.clinfer_model_load(runtime.handle, os.fsencode(path), ctypes.byref(handle)))
    return _Model(runtime, handle)


def _load_bytes(runtime, data):
    """Through a temporary file, so the model keeps its ONNX bytes and can be
    built again for other input shapes (clinfer_model_load does that)."""
    with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
        f.write(data)
        f.flush()
        try:
            return _load_path(runtime, f.name)
        except Error as e:  # the message names the file: say what it was
            raise type(e)(str(e).replace(f.name, "<model bytes>"), e.status) from None


def _read(path):
    """The bytes of a file; a failure as FileError, worded as clinfer's."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise FileError(f'{os.fsdecode(path)}: cannot open "{os.fsdecode(path)}" '
                        f"({e.strerror})") from None


def _host_tensor(name, value):
    """A clinfer_tensor over a NumPy array (float32 or int64, as clinfer
    keeps them); returns the struct and the array that owns its memory."""
    a = np.asarray(value)
    kind = np.float32 if a.dtype.kind == "f" else np.int64
    a = _contiguous(a, kind)
    t = _capi.Tensor()
    t.name = name.encode()
    t.dtype = 1 if kind is np.float32 else 7
    t.shape = _shape(a.shape)
    t.data = a.ctypes.data if a.size else None
    return t, a


def _load_with_constants(runtime, data, constants):
    """ONNX bytes loaded with values for some inputs (clinfer_onnx_options
    .input_values): those a node needs as constants become constants."""
    pairs = [_host_tensor(n, v) for n, v in constants.items()]
    tensors = (_capi.Tensor * max(len(pairs), 1))(*[t for t, _ in pairs])
    options = _capi.OnnxOptions()
    options.input_values = tensors
    options.input_value_count = len(pairs)
    graph = ctypes.c_void_p()
    check(_capi.lib.clinfer_graph_load_onnx_with(data, len(data), ctypes.byref(options),
                                                 ctypes.byref(graph)))
    try:
        handle = ctypes.c_void_p()
        check(_capi.lib.clinfer_model_compile(runtime.handle, graph, ctypes.byref(handle)))
    finally:
        _capi.lib.clinfer_graph_free(graph)
    return _Model(runtime, handle)


class _Session:
    """One clinfer_session: one thread, one set of input shapes."""

    def __init__(self, model, shapes):
        named = (_capi.InputShape * len(shapes))()
        for k, (name, dims) in enumerate(zip(model.inputs, shapes)):
            named[k].name = name.encode()
            named[k].shape = _shape(dims)
        options = _capi.lib.clinfer_session_options_default()
        options.input_shapes = named
        options.input_shape_count = len(shapes)
        handle = ctypes.c_void_p()
        check(_capi.lib.clinfer_session_create(model.handle, ctypes.byref(options),
                                               ctypes.byref(handle)))
        self.handle = handle
        weakref.finalize(self, _free, _capi.lib.clinfer_session_free, handle, model)
        self.output_shapes = [self._output_shape(i) for i in range(len(model.outputs))]
        self.output_dtypes = [_device_type(t) for t in model.output_types]

    def _output_shape(self, index):
        s = _capi.Shape()
        check(_capi.lib.clinfer_session_output_shape(self.handle, index, ctypes.byref(s)))
        return tuple(int(d) for d in s.dims[:s.rank])

    def run(self, arrays, wanted):
        lib = _capi.lib
        for i, a in enumerate(arrays):  # C-contiguous, of a type in _DEVICE_CODES
            check(lib.clinfer_session_set_input_typed(self.handle, i, _DEVICE_CODES[a.dtype],
                                                      a.ctypes.data, a.nbytes))
        check(lib.clinfer_session_run(self.handle))
        results = []
        for i in wanted:
            out = np.empty(self.output_shapes[i], dtype=self.output_dtypes[i])
            check(lib.clinfer_session_get_output_typed(self.handle, i, _DEVICE_CODES[out.dtype],
                                                       out.ctypes.data, out.nbytes))
            results.append(out)
        return results


class InferenceSession:
    """Runs one ONNX model, like onnxruntime.InferenceSession.

    model: a path or the bytes of an ONNX file. device: a device SPEC
    ("cpu", "gpu", "P:D" from clinfer.devices(), or part of a device name;
    None: $CLINFER_DEVICE, else the first GPU, else the first device).
    precision: None ($CLINFER_PRECISION, else fp32), "fp32", "fp16"
    (weights and activations stored as half, float arithmetic) or
    "fp16-math" (fp16, and half arithmetic in the GPU GEMM tiles: devices
    with cl_khr_fp16 only). constant_inputs: values of graph inputs known
    when the model is loaded ({name: array}); those a node needs as
    constants (weights, shapes, bounds) become constants, the others stay
    inputs (ONNX's backend tests give weights as inputs this way).
    """

    def __init__(self, model, device=None, precision=None, *, constant_inputs=None):
        if precision is not None and precision not in _PRECISIONS:
            raise ValueError(f"precision {precision!r} is not supported: use one of "
                             f"{', '.join(map(repr, _PRECISIONS))} (or None)")
        self._runtime = runtime_for(device, precision)
        if isinstance(model, (bytes, bytearray, memoryview)):
            data = bytes(model)
        elif isinstance(model, (str, os.PathLike)):
            data = None
        else:
            raise TypeError(f"model must be a path or bytes, not {type(model).__name__}")
        if constant_inputs:
            if data is None:
                data = _read(model)
            self._model = _load_with_constants(self._runtime, data, constant_inputs)
        elif data is None:
            self._model = _load_path(self._runtime, model)
            data = _read(model)
        else:
            self._model = _load_bytes(self._runtime, data)
        declared_in, declared_out = _inspect(data)
        self._inputs = self._declared(declared_in, self._model.inputs, self._model.input_types)
        self._outputs = self._declared(declared_out, self._model.outputs, self._model.output_types)
        self._local = threading.local()

    @staticmethod
    def _declared(declared, names, types):
        """NodeArgs of the model's inputs or outputs, in the model's order."""
        by_name = {a.name: a for a in declared}
        return [by_name.get(n) or NodeArg(n, None, _onnx_type(t)) for n, t in zip(names, types)]

    def get_inputs(self):
        return list(self._inputs)

    def get_outputs(self):
        return list(self._outputs)

    def get_device(self):
        """The clinfer.Device this session runs on."""
        return self._runtime.device

    def run(self, output_names, input_feed, run_options=None):
        """Runs the model on input_feed ({name: array}); returns the outputs
        named in output_names (None: all), as NumPy arrays."""
        del run_options  # accepted for ONNX Runtime's signature; clinfer has none
        wanted = self._output_indices(output_names)
        arrays = self._feed_arrays(input_feed)
        session = self._session_for(tuple(a.shape for a in arrays))
        outputs = session.run(arrays, wanted)
        return [self._typed(out, self._model.output_types[i]) for out, i in zip(outputs, wanted)]

    def _output_indices(self, output_names):
        names = self._model.outputs
        if output_names is None:
            return list(range(len(names)))
        if isinstance(output_names, str):
            raise InvalidArgument("output_names must be a list of names (or None), not a str")
        indices = []
        for n in output_names:
            if n not in names:
                raise InvalidArgument(f"the model has no output named {n!r} "
                                      f"(its outputs: {', '.join(names)})")
            indices.append(names.index(n))
        return indices

    def _feed_arrays(self, feed):
        """The feeds in the model's input order, as C-contiguous arrays of
        the types the C API takes (the same arrays when they already are)."""
        if not isinstance(feed, dict):
            raise InvalidArgument(f"input_feed must be a dict of name: array, "
                                  f"not {type(feed).__name__}")
        names = self._model.inputs
        unknown = [n for n in feed if n not in names]
        if unknown:
            raise InvalidArgument(f"the model has no input named {unknown[0]!r} "
                                  f"(its inputs: {', '.join(names)})")
        missing = [n for n in names if n not in feed]
        if missing:
            raise InvalidArgument(f"no value for input {missing[0]!r}")
        return [self._feed_array(n, feed[n], t) for n, t in zip(names, self._model.input_types)]

    @staticmethod
    def _feed_array(name, value, elem_type):
        a = np.asarray(value)
        want = np.dtype(_NUMPY_TYPES.get(elem_type, np.float32))
        if a.dtype != want:
            raise InvalidArgument(f"input {name!r}: expected {_onnx_type(elem_type)} "
                                  f"({want.name}), got an array of {a.dtype.name}")
        if a.ndim > _capi.MAX_RANK:
            raise InvalidArgument(f"input {name!r}: rank {a.ndim} is more than "
                                  f"clinfer's {_capi.MAX_RANK}")
        # float32, float16, uint8 and int64 go to the library as they are;
        # clinfer computes in float32, so other types are converted here.
        return _contiguous(a, _device_type(elem_type))

    @staticmethod
    def _typed(out, elem_type):
        want = np.dtype(_NUMPY_TYPES.get(elem_type, np.float32))
        if out.dtype == want:  # converted by the library (_DEVICE_TYPES)
            return out
        if want.kind in "iub":
            out = np.rint(out)  # integers computed in float32 come back exact
        return out.astype(want)

    def _session_for(self, shapes):
        """This thread's C session for these input shapes (made on first use)."""
        sessions = getattr(self._local, "sessions", None)
        if sessions is None:
            sessions = self._local.sessions = collections.OrderedDict()
        session = sessions.get(shapes)
        if session is None:
            session = _Session(self._model, shapes)
            sessions[shapes] = session
            while len(sessions) > _SESSIONS_PER_THREAD:
                sessions.popitem(last=False)
        sessions.move_to_end(shapes)
        return session
