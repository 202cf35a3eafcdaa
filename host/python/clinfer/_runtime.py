"""_runtime.py — devices, and the OpenCL runtimes sessions share.

One runtime (OpenCL context, program cache, tuned GEMM tiles) is made per
device SPEC and kept for the life of the process: every InferenceSession on
that device shares it, so a kernel compiled for one model is not compiled
again for the next (the ONNX backend test loads hundreds of models).
"""
import ctypes
import dataclasses
import logging
import os
import threading
import weakref

from . import _capi
from ._errors import check

_log = logging.getLogger("clinfer")
_LOG_WARNING, _LOG_ERROR = 2, 3


@dataclasses.dataclass(frozen=True)
class Device:
    """An OpenCL device as clinfer sees it (`clinfer devices`)."""

    index: str  # "P:D", a device SPEC
    type: str  # "cpu", "gpu", "accelerator", "other"
    name: str
    vendor: str
    platform: str
    driver_version: str
    opencl_version: str
    compute_units: int
    global_mem_bytes: int
    has_fp16: bool
    is_default: bool

    def __str__(self):
        return f"{self.index} {self.name} ({self.type})"


def _device(info):
    t = _capi.text
    return Device(
        index=f"{info.platform_index}:{info.device_index}",
        type=t(_capi.lib.clinfer_device_type_str(info.type)),
        name=t(info.name), vendor=t(info.vendor), platform=t(info.platform_name),
        driver_version=t(info.driver_version), opencl_version=t(info.opencl_version),
        compute_units=int(info.compute_units), global_mem_bytes=int(info.global_mem_bytes),
        has_fp16=bool(info.has_fp16), is_default=bool(info.is_default))


def _pin_pocl_workers():
    """POCL_AFFINITY=1 (PoCL pins its worker threads to a core each) when
    neither it nor POCL_MAX_PTHREAD_COUNT is set, before PoCL starts in
    this process, as the `clinfer` command does. Unpinned, a worker that
    went to sleep between two kernels was often woken too late to take
    part in a short one (kernels under about 0.5 ms ran on one core of a
    2-core EPYC virtual machine; pinned, they use both). A process that
    caps PoCL's threads (clinfer.ray's pocl_threads) is one of several on
    the machine: pinned, their workers would all share the first cores.
    Calling it after PoCL has started changes nothing."""
    if "POCL_AFFINITY" not in os.environ and "POCL_MAX_PTHREAD_COUNT" not in os.environ:
        os.environ["POCL_AFFINITY"] = "1"


def devices():
    """Every OpenCL device of every platform (an empty list when there is
    no OpenCL platform)."""
    _pin_pocl_workers()
    count = ctypes.c_size_t(0)
    check(_capi.lib.clinfer_device_list(None, 0, ctypes.byref(count)))
    infos = (_capi.DeviceInfo * max(count.value, 1))()
    check(_capi.lib.clinfer_device_list(infos, count.value, ctypes.byref(count)))
    return [_device(infos[i]) for i in range(min(count.value, len(infos)))]


@_capi.LOG_FN
def _forward_log(_user, level, message):
    # Errors also come back as exceptions, so only warnings are logged.
    if level == _LOG_WARNING:
        _log.warning("%s", _capi.text(message))


# clinfer_precision: None leaves it to $CLINFER_PRECISION (else fp32)
PRECISIONS = {None: 0, "fp32": 1, "fp16": 2, "fp16-math": 3}


class Runtime:
    """A clinfer_runtime on one device, in one storage precision; freed when
    the last user is gone."""

    def __init__(self, spec, precision=None):
        _pin_pocl_workers()
        options = _capi.lib.clinfer_runtime_options_default()
        options.device_spec = spec.encode() if spec is not None else None
        options.precision = PRECISIONS[precision]
        options.log = _forward_log
        options.log_level = _LOG_WARNING
        handle = ctypes.c_void_p()
        check(_capi.lib.clinfer_runtime_create(ctypes.byref(options), ctypes.byref(handle)))
        self.handle = handle
        self.device = _device(_capi.lib.clinfer_runtime_device(handle).contents)
        weakref.finalize(self, _capi.lib.clinfer_runtime_free, handle)


_runtimes = {}
_runtimes_lock = threading.Lock()


def runtime_for(spec, precision=None):
    """The shared runtime of device SPEC (None: $CLINFER_DEVICE, else the
    first GPU, else the first device) and storage precision."""
    if spec is not None and not isinstance(spec, str):
        raise TypeError(f"device must be a str such as 'cpu', 'gpu' or '0:0', not {spec!r}")
    with _runtimes_lock:
        rt = _runtimes.get((spec, precision))
        if rt is None:
            rt = _runtimes[(spec, precision)] = Runtime(spec, precision)
        return rt
