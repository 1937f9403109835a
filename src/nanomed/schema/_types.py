"""Quantity-typed pydantic fields: accept ``"100 nm"`` or a bare number, store a float in the field's unit."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer

from nanomed.core.units import format_quantity, parse_quantity

__all__ = ["quantity"]


def _parse(value: Any, unit: str) -> Any:
    if value is None:
        return None
    return parse_quantity(value, unit, name="")


def quantity(unit: str, description: str = "", **constraints: Any) -> Any:
    """Return an ``Annotated[float, ...]`` type for a field stored as a float in ``unit``.

    Inputs may be numbers (already in ``unit``) or strings with any compatible unit
    (``"0.1 um"`` for a field in nm). JSON/YAML output writes the unit: ``"100.0 nm"``.
    ``constraints`` are pydantic ``Field`` bounds (``gt``, ``ge``, ``lt``, ``le``) in ``unit``.
    """
    return Annotated[
        float,
        BeforeValidator(partial(_parse, unit=unit)),
        PlainSerializer(lambda v: format_quantity(v, unit), return_type=str, when_used="json"),
        Field(
            description=f"{description} [{unit}]", json_schema_extra={"unit": unit}, **constraints
        ),
    ]
