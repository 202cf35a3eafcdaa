"""_capi.py — the C API of include/clinfer.h through ctypes.

Only what the Python package calls is declared here, with its argument and
result types. ctypes releases the GIL around every call into a CDLL, so a
long clinfer_session_run lets other Python threads run.

The library is found, in order: $CLINFER_LIBRARY (a path, for running the
package from a source checkout against build/libclinfer.so), the
libclinfer.so installed beside this file by `pip install .`, then the
system's (an install of the C library under a standard prefix).
"""
import ctypes
import ctypes.util
import os

MAX_RANK = 8
BATCH_DIM = -1


class Shape(ctypes.Structure):
    _fields_ = [("rank", ctypes.c_int32), ("dims", ctypes.c_int64 * MAX_RANK)]


class DeviceInfo(ctypes.Structure):
    _fields_ = [
        ("platform_index", ctypes.c_uint32),
        ("device_index", ctypes.c_uint32),
        ("type", ctypes.c_int),
        ("name", ctypes.c_char * 128),
        ("vendor", ctypes.c_char * 128),
        ("platform_name", ctypes.c_char * 128),
        ("driver_version", ctypes.c_char * 64),
        ("opencl_version", ctypes.c_char * 64),
        ("compute_units", ctypes.c_uint32),
        ("global_mem_bytes", ctypes.c_uint64),
        ("local_mem_bytes", ctypes.c_uint64),
        ("max_alloc_bytes", ctypes.c_uint64),
        ("max_work_group_size", ctypes.c_size_t),
        ("has_fp16", ctypes.c_int),
        ("is_default", ctypes.c_int),
    ]


LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)


class RuntimeOptions(ctypes.Structure):
    _fields_ = [
        ("device_spec", ctypes.c_char_p),
        ("cache_dir", ctypes.c_char_p),
        ("disable_disk_cache", ctypes.c_int),
        ("log", LOG_FN),
        ("log_user_data", ctypes.c_void_p),
        ("log_level", ctypes.c_int),
        ("gemm_variant", ctypes.c_char_p),
        ("conv_algo", ctypes.c_char_p),
        ("depthwise_variant", ctypes.c_char_p),
        ("pool_variant", ctypes.c_char_p),
        ("tuning", ctypes.c_int),
        ("conv_scratch_cap", ctypes.c_uint64),
        ("precision", ctypes.c_int),  # clinfer_precision
        ("binaries", ctypes.c_char_p),  # None: $CLINFER_BINARIES, else "auto"
    ]


class Tensor(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int),
        ("shape", Shape),
        ("data", ctypes.c_void_p),
    ]


class InputShape(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("shape", Shape)]


class OnnxOptions(ctypes.Structure):
    _fields_ = [
        ("input_values", ctypes.POINTER(Tensor)),
        ("input_value_count", ctypes.c_size_t),
        ("input_shapes", ctypes.POINTER(InputShape)),
        ("input_shape_count", ctypes.c_size_t),
    ]


class SessionOptions(ctypes.Structure):
    _fields_ = [
        ("batch", ctypes.c_int64),
        ("profile", ctypes.c_int),
        ("queue", ctypes.c_int),
        ("input_shapes", ctypes.POINTER(InputShape)),
        ("input_shape_count", ctypes.c_size_t),
    ]


class OnnxIo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("elem_type", ctypes.c_int32),
        ("shape", Shape),
        ("shape_known", ctypes.c_int),
    ]


class OnnxInfo(ctypes.Structure):
    # Only the leading fields are read; the struct is never allocated here.
    _fields_ = [
        ("ir_version", ctypes.c_int64),
        ("opset", ctypes.c_int64),
        ("producer", ctypes.c_char_p),
        ("input_count", ctypes.c_size_t),
        ("output_count", ctypes.c_size_t),
        ("op_count", ctypes.c_size_t),
        ("issue_count", ctypes.c_size_t),
        ("inputs", ctypes.POINTER(OnnxIo)),
        ("outputs", ctypes.POINTER(OnnxIo)),
    ]


def _find_library():
    explicit = os.environ.get("CLINFER_LIBRARY")
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libclinfer.so")
    if os.path.exists(beside):
        return beside
    found = ctypes.util.find_library("clinfer")
    if found:
        return found
    raise ImportError(
        "clinfer: libclinfer.so not found (install the package with `pip install .` "
        "from the clinfer source tree, or set CLINFER_LIBRARY to its path)")


P = ctypes.POINTER
c_void_pp = P(ctypes.c_void_p)
_SIGNATURES = {
    # name: (result, [arguments])
    "clinfer_version": (ctypes.c_char_p, []),
    "clinfer_status_str": (ctypes.c_char_p, [ctypes.c_int]),
    "clinfer_last_errmsg": (ctypes.c_char_p, []),
    "clinfer_device_list": (ctypes.c_int, [P(DeviceInfo), ctypes.c_size_t, P(ctypes.c_size_t)]),
    "clinfer_device_type_str": (ctypes.c_char_p, [ctypes.c_int]),
    "clinfer_runtime_options_default": (RuntimeOptions, []),
    "clinfer_runtime_create": (ctypes.c_int, [P(RuntimeOptions), c_void_pp]),
    "clinfer_runtime_free": (None, [ctypes.c_void_p]),
    "clinfer_runtime_device": (P(DeviceInfo), [ctypes.c_void_p]),
    "clinfer_model_load": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, c_void_pp]),
    "clinfer_graph_load_onnx_with": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                    P(OnnxOptions), c_void_pp]),
    "clinfer_graph_free": (None, [ctypes.c_void_p]),
    "clinfer_model_compile": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, c_void_pp]),
    "clinfer_model_free": (None, [ctypes.c_void_p]),
    "clinfer_model_input_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "clinfer_model_output_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "clinfer_model_input_name": (ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "clinfer_model_output_name": (ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "clinfer_model_input_dtype": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "clinfer_model_output_dtype": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "clinfer_onnx_type_name": (ctypes.c_char_p, [ctypes.c_int32]),
    "clinfer_onnx_inspect": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, P(P(OnnxInfo))]),
    "clinfer_onnx_info_free": (None, [P(OnnxInfo)]),
    "clinfer_session_options_default": (SessionOptions, []),
    "clinfer_session_create": (ctypes.c_int, [ctypes.c_void_p, P(SessionOptions), c_void_pp]),
    "clinfer_session_free": (None, [ctypes.c_void_p]),
    "clinfer_session_errmsg": (ctypes.c_char_p, [ctypes.c_void_p]),
    "clinfer_session_input_shape": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, P(Shape)]),
    "clinfer_session_output_shape": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, P(Shape)]),
    "clinfer_session_set_input": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                 P(ctypes.c_float), ctypes.c_size_t]),
    "clinfer_session_run": (ctypes.c_int, [ctypes.c_void_p]),
    "clinfer_session_get_output": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                  P(ctypes.c_float), ctypes.c_size_t]),
    "clinfer_session_set_input_typed": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                       ctypes.c_int, ctypes.c_void_p,
                                                       ctypes.c_size_t]),
    "clinfer_session_get_output_typed": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                        ctypes.c_int, ctypes.c_void_p,
                                                        ctypes.c_size_t]),
}


def _load():
    lib = ctypes.CDLL(_find_library())  # CDLL, not PyDLL: calls release the GIL
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib = _load()


def text(raw):
    """A C string from the library as str (None stays None)."""
    return None if raw is None else raw.decode("utf-8", "replace")
