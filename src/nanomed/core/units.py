"""The one pint unit registry of nanomed and helpers to convert quantities once, at the edge.

Inside models every number is a plain float in the unit its name or docstring states; user-facing
inputs ("100 nm", "5 mg/kg", "2 day") are converted here and nowhere else.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pint

from nanomed.core.errors import InputError

__all__ = [
    "convert",
    "format_quantity",
    "normalise_unit",
    "parse_quantity",
]  # and, lazily, ureg and Quantity


@cache
def _registry() -> pint.UnitRegistry:
    # built on first use: parsing pint's definitions costs ~0.6 s, which `nanomed --version`
    # and other commands that never convert a unit should not pay
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    reg.define("percent_ID = 0.01 = %ID")
    return reg


def __getattr__(name: str) -> Any:
    """Module attributes ``ureg`` (the registry) and ``Quantity``, created lazily."""
    if name == "ureg":
        return _registry()
    if name == "Quantity":
        return _registry().Quantity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def normalise_unit(text: str) -> str:
    """Spell nanomedicine's percent-of-injected-dose units so that pint reads them.

    ``"%ID"`` → ``"percent_ID"`` and ``"%ID/g"`` → ``"percent_ID/g"``; other text is unchanged.
    """
    return text.replace("%ID", "percent_ID")


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
    # pint would misread these silently: "1,5 nm" as 15 nm, "15 nm ± 2" as 30 nm
    if isinstance(value, str) and "," in value:
        raise InputError(
            f"{pre}cannot read {value!r}: no commas in numbers "
            "(write 1.5 or 1500, not 1,5 or 1,500)"
        )
    if isinstance(value, str) and ("±" in value or "+/-" in value or "+-" in value):
        raise InputError(f"{pre}cannot read {value!r}: give the value only, without ± uncertainty")
    # two numbers in a row ("15 2 nm") pint multiplies (30 nm); "0.5 1/nm**2" is a unit's 1
    if isinstance(value, str) and re.match(
        r"\s*[-+]?[\d.]+([eE][-+]?\d+)?\s+[-+]?\d(?![\d.]*\s*/)", value
    ):
        raise InputError(f"{pre}cannot read {value!r}: two numbers; give one value and its unit")
    try:
        ureg = _registry()
        q = ureg.Quantity(normalise_unit(value)) if isinstance(value, str) else value
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
    scale, offset = _affine(normalise_unit(from_unit), normalise_unit(to_unit))
    return scale * value + offset


@cache
def _affine(from_unit: str, to_unit: str) -> tuple[float, float]:
    # every unit conversion is affine (offsets for °C/°F): cache its two coefficients per pair,
    # since models convert inside right-hand sides and pint costs ~50 µs a call
    reg = _registry()
    try:
        zero = float(reg.Quantity(0.0, from_unit).to(to_unit).magnitude)
        one = float(reg.Quantity(1.0, from_unit).to(to_unit).magnitude)
    except pint.DimensionalityError:
        raise InputError(f"cannot convert {from_unit!r} to {to_unit!r} (wrong dimension)") from None
    except (pint.UndefinedUnitError, AttributeError, TypeError, ValueError, AssertionError):
        raise InputError(f"unknown unit in {from_unit!r} -> {to_unit!r}") from None
    return one - zero, zero


def format_quantity(value: float, unit: str) -> str:
    """Write a float and its unit as text that :func:`parse_quantity` reads back (12 digits)."""
    return f"{value:.12g} {unit}"
