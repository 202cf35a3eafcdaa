"""clinfer — run ONNX CNNs through OpenCL, from Python.

    import clinfer, numpy as np
    sess = clinfer.InferenceSession("model.onnx", device="cpu")
    (scores,) = sess.run(None, {"image": np.zeros((1, 1, 28, 28), np.float32)})

The API follows ONNX Runtime's InferenceSession; clinfer.backend implements
onnx.backend.base.Backend. A thin ctypes layer over the C library
(include/clinfer.h): the GIL is released during every call into it.
"""
from . import _capi
from ._errors import Error, FileError, InvalidArgument
from ._runtime import Device, devices
from .session import InferenceSession, NodeArg

__version__ = _capi.text(_capi.lib.clinfer_version())

__all__ = ["Device", "Error", "FileError", "InferenceSession", "InvalidArgument", "NodeArg",
           "devices", "__version__"]
