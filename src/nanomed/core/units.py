"""The one pint unit registry of nanomed and helpers to convert quantities once, at the edge.

Inside models every number is a plain float in the unit its name or docstring states; user-facing
inputs ("100 nm", "5 mg/kg", "2 day") are converted here and nowhere else.
"""

from __future__ import annotations

from typing import Any

import pint

from nanomed.core.errors import InputError

__all__ = ["Quantity", "convert", "format_quantity", "parse_quantity", "ureg"]

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("percent_ID = 0.01 = %ID")
Quantity = ureg.Quantity


def parse_quantity(value: Any, unit: str, *, name: str = "value") -> float:
    """Return ``value`` expressed in ``unit`` as a float.

    Parameters
    ----------
    value : float, int, str or pint.Quantity
        A bare number (taken to be in ``unit`` already), a string such as ``"100 nm"`` or a
        pint quantity.
    unit : str
        Target unit, e.g. ``"nm"``.
    name : str
        Field name used in the error message.

    Returns
    -------
    float
        The magnitude in ``unit``.

    Raises
    ------
    InputError
        If the text cannot be parsed or its dimension does not match ``unit``.

    Examples
    --------
    >>> parse_quantity("0.1 um", "nm")
    100.0
    >>> parse_quantity(5, "mg/kg")
    5.0
    """
    pre = f"{name}: " if name else ""
    if isinstance(value, bool):
        raise InputError(f"{pre}expected a number with unit {unit!r}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    try:
        q = ureg.Quantity(value) if isinstance(value, str) else value
        if not isinstance(q, ureg.Quantity):  # a bare number written as text
            return float(q)
        if q.dimensionless and not ureg.Quantity(1, unit).dimensionless:
            return float(q.magnitude)
        # 12 significant digits: drops conversion noise (0.02 um -> 20 nm, not 19.999999999999996)
        return float(f"{q.to(unit).magnitude:.12g}")
    except pint.DimensionalityError:
        raise InputError(
            f"{pre}{value!r} cannot be converted to {unit!r} (wrong dimension)"
        ) from None
    except (pint.UndefinedUnitError, AttributeError, TypeError, ValueError, AssertionError):
        raise InputError(f"{pre}cannot read {value!r} as a quantity in {unit!r}") from None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a float from one unit to another (e.g. ``convert(2, "day", "h") == 48``)."""
    return float(ureg.Quantity(value, from_unit).to(to_unit).magnitude)


def format_quantity(value: float, unit: str) -> str:
    """Write a float and its unit as text that :func:`parse_quantity` reads back exactly."""
    return f"{value:.12g} {unit}"
