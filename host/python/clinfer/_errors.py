"""_errors.py — clinfer's failures as Python exceptions.

Every exception carries clinfer's own message (the text of
clinfer_last_errmsg() for failures of the C library) and the status code.
The subclasses also derive from the built-in exception a Python caller
would expect (ValueError for a bad argument or shape, OSError for a file
that cannot be read), so either can be caught.
"""
from . import _capi

OK = 0
ERR_INVALID_ARGUMENT = -1
ERR_IO = -7
ERR_SHAPE = -10


class Error(RuntimeError):
    """A clinfer failure; `status` is the clinfer_status code."""

    def __init__(self, message, status=ERR_INVALID_ARGUMENT):
        super().__init__(message)
        self.status = status

    @property
    def status_text(self):
        return _capi.text(_capi.lib.clinfer_status_str(self.status))


class InvalidArgument(Error, ValueError):
    """A bad argument: a feed of the wrong name, dtype or shape, an unknown
    output name, an option that is not one of its choices."""


class FileError(Error, OSError):
    """A file that cannot be read (missing, unreadable, too large)."""

    def __init__(self, message, status=ERR_IO):
        Error.__init__(self, message, status)

    def __str__(self):  # OSError's own __str__ would print the args tuple
        return self.args[0]


def _class_of(status):
    if status in (ERR_INVALID_ARGUMENT, ERR_SHAPE):
        return InvalidArgument
    if status == ERR_IO:
        return FileError
    return Error


def check(status, what=None):
    """Raises for a failed C call, with the message the library recorded on
    this thread (the same thread that made the call). `what` replaces that
    message when it is empty."""
    if status == OK:
        return
    message = _capi.text(_capi.lib.clinfer_last_errmsg()) or what or ""
    if not message:
        message = _capi.text(_capi.lib.clinfer_status_str(status))
    raise _class_of(status)(message, status)
