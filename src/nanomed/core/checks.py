"""Checks of plain numbers and arrays given to the Python API, each failing in one line.

A :class:`~nanomed.core.parameter.Parameter` checks a named physical value against its bounds;
these helpers check what has no declared bounds (time grids, options, counts), so that text,
None, NaN or a float count is refused naming the argument instead of failing deep in numpy.
"""

from __future__ import annotations

import math
from dataclasses import fields
from numbers import Real
from typing import Any

import numpy as np

from nanomed.core.errors import InputError

__all__ = ["as_integer", "as_number", "as_numbers", "number_fields"]


def as_numbers(value: Any, what: str, *, finite: bool = False) -> np.ndarray:
    """``value`` as a float array; text or None (and with ``finite``, NaN or inf) is refused.

    >>> as_numbers([1, 2], "times")
    array([1., 2.])
    """
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected numbers, got {value!r:.60}") from None
    if finite and not np.all(np.isfinite(a)):
        raise InputError(f"{what}: must be finite, got {value!r:.60}")
    return a


def as_number(value: Any, what: str) -> float:
    """``value`` as one finite float (a numpy scalar or a 0-d array will do)."""
    a = as_numbers(value, what, finite=True)
    if a.ndim != 0:
        raise InputError(f"{what}: expected one number, got {value!r:.60}")
    return float(a)


def as_integer(value: Any, what: str, lo: int, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]``: a whole float (3.0) will do, True or 2.5 will not.

    >>> as_integer(3.0, "n_starts", 1)
    3
    """
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    ok = ok or (isinstance(value, float | np.floating) and math.isfinite(value)
                and float(value).is_integer())  # fmt: skip
    if not ok or value < lo or (hi is not None and value > hi):
        rule = f">= {lo}" if hi is None else f"in {lo}-{hi}"
        raise InputError(f"{what} must be an integer {rule}, got {value!r}")
    return int(value)


def number_fields(obj: Any) -> None:
    """Refuse text (or True/False) in a dataclass's ``float`` fields, naming the field.

    Call it first in ``__post_init__``: ``math.isfinite("2 uM")`` would fail with a TypeError that
    names no field.
    """
    for f in fields(obj):
        value = getattr(obj, f.name)
        kind = str(f.type)  # annotations are strings here: "float", "float | None"
        if "float" not in kind or (value is None and "None" in kind):
            continue
        if isinstance(value, bool) or not isinstance(value, Real):
            raise InputError(f"{f.name}: must be a number, got {value!r}")
