"""Typed model parameters: value, unit, bounds, literature reference and a flag for guesses."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from nanomed.core.errors import ParameterError
from nanomed.core.units import convert

__all__ = ["Parameter", "ParameterSet"]


@dataclass(frozen=True)
class Parameter:
    """A physical parameter with its unit, bounds and source.

    Parameters
    ----------
    name : str
        Identifier used in code and tables (``snake_case``).
    value : float
        Value in ``unit``.
    unit : str
        pint-readable unit (``"1/h"``, ``"cm**2/s"``, ``"dimensionless"``).
    bounds : tuple of (float or None, float or None)
        Inclusive physical bounds in ``unit``; ``None`` means unbounded.
    ref : str
        Literature reference of the value (or of the model that defines it).
    guess : bool
        True when the default is an order-of-magnitude guess rather than a measured value.
    description : str
        One line saying what the parameter is.

    Examples
    --------
    >>> k = Parameter("k_release", 0.12, unit="1/h", bounds=(0, None), ref="Smith2021")
    >>> k.to("1/day")
    2.88
    """

    name: str
    value: float
    unit: str = "dimensionless"
    bounds: tuple[float | None, float | None] = (None, None)
    ref: str = ""
    guess: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        self.check(self.value)

    def check(self, value: float) -> float:
        """Return ``value`` as a float, or raise :class:`ParameterError` if it is out of bounds."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{self.name}: expected a number, got {value!r}") from None
        if not math.isfinite(v):
            raise ParameterError(f"{self.name}: value must be finite, got {v}")
        lo, hi = self.bounds
        if lo is not None and v < lo:
            raise ParameterError(f"{self.name}: {v:g} {self.unit} is below its lower bound {lo:g}")
        if hi is not None and v > hi:
            raise ParameterError(f"{self.name}: {v:g} {self.unit} is above its upper bound {hi:g}")
        return v

    def with_value(self, value: float) -> Parameter:
        """Return a copy holding ``value`` (checked against the bounds)."""
        return replace(self, value=self.check(value))

    def to(self, unit: str) -> float:
        """Return the value converted to ``unit``."""
        return convert(self.value, self.unit, unit)


class ParameterSet(Mapping[str, Parameter]):
    """An ordered, named collection of :class:`Parameter` objects.

    Examples
    --------
    >>> ps = ParameterSet([Parameter("D", 1e-14, "cm**2/s", (0, None), ref="Crank1975")])
    >>> ps.values()["D"]
    1e-14
    """

    def __init__(self, parameters: Iterable[Parameter] = ()) -> None:
        self._params: dict[str, Parameter] = {}
        for p in parameters:
            self._params[p.name] = p

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            known = ", ".join(self._params) or "none"
            raise ParameterError(f"unknown parameter {name!r} (known: {known})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def values(self) -> dict[str, float]:  # type: ignore[override]
        """Return ``{name: value}`` as plain floats."""
        return {n: p.value for n, p in self._params.items()}

    def values_list(self) -> list[Parameter]:
        """Return the parameters in declaration order."""
        return list(self._params.values())

    def update(self, **values: float) -> ParameterSet:
        """Return a new set with some values replaced (each checked against its bounds)."""
        for n in values:
            self[n]  # raises a clear error for unknown names
        return ParameterSet(
            p.with_value(values[p.name]) if p.name in values else p for p in self._params.values()
        )

    def table(self) -> list[dict[str, object]]:
        """Return one dict per parameter, for tables and reports."""
        return [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "lower": p.bounds[0],
                "upper": p.bounds[1],
                "reference": p.ref,
                "guess": p.guess,
                "description": p.description,
            }
            for p in self._params.values()
        ]
