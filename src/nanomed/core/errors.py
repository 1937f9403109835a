"""One exception hierarchy for nanomed.

Every error that a user can cause is an :class:`InputError` whose message is a single line naming the
field, row or profile and what is wrong, so that the CLI can print it without a traceback.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = [
    "DataError",
    "InputError",
    "ModelError",
    "NanomedError",
    "ParameterError",
    "SolverError",
    "not_utf8",
    "plain",
]


class NanomedError(Exception):
    """Base class of every error raised on purpose by nanomed."""


class InputError(NanomedError, ValueError):
    """Bad user input: a file, a field, a table row or a command-line option."""


class ParameterError(InputError):
    """A parameter value outside its declared bounds, or with the wrong unit."""


class DataError(InputError):
    """A data table that cannot be used as it is (missing columns, bad values, too few points)."""


class ModelError(NanomedError):
    """A model that is inconsistent (missing piece, impossible configuration)."""


class SolverError(NanomedError, RuntimeError):
    """A numerical solve or fit that failed."""


def plain(value: object) -> object:
    """A table cell as people write it, for messages: numpy scalars become Python values.

    >>> import numpy as np
    >>> repr(plain(np.int64(-5))), repr(plain("abc"))
    ('-5', "'abc'")
    """
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "ndim", None) == 0 else value


def not_utf8(path: str | PathLike[str], where: object = None) -> InputError:
    """The one-line error for a file that is not UTF-8 text (latin-1, UTF-16 from spreadsheets).

    The file is decoded again here: pandas reports positions within its read chunk, not the file.
    ``where`` names the file in the message (default: ``path``).
    """
    try:
        Path(path).read_bytes().decode("utf-8")
        detail = ""
    except UnicodeDecodeError as exc:
        detail = f" (byte 0x{exc.object[exc.start : exc.start + 1].hex()} at position {exc.start})"
    except OSError:
        detail = ""
    return InputError(f"{where or path}: not UTF-8 text{detail}; save it as UTF-8")
