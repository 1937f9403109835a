"""The materials library: densities, Hansen parameters, degradation constants, lipid transitions.

Values live in ``data/materials.yaml``, each with its source; this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from nanomed.core.errors import InputError
from nanomed.data import data_path

__all__ = ["Lipid", "Material", "get_lipid", "get_material", "lipids", "materials"]


@dataclass(frozen=True)
class SourcedValue:
    """A library value with its source and a flag for guesses."""

    value: Any
    source: str
    guess: bool = False


@dataclass(frozen=True)
class Material:
    """A carrier material. ``properties`` maps ``name_unit`` keys to :class:`SourcedValue`."""

    name: str
    kind: str
    description: str
    properties: dict[str, SourcedValue] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """Return a property value, or raise a one-line :class:`InputError` if it is unknown."""
        try:
            return self.properties[key].value
        except KeyError:
            raise InputError(f"material {self.name!r} has no property {key!r}") from None

    @property
    def density_g_cm3(self) -> float:
        """Bulk density [g/cm³]."""
        return float(self.get("density_g_cm3"))


@dataclass(frozen=True)
class Lipid:
    """A lipid with its main phase-transition temperature [°C] (None for sterols)."""

    name: str
    transition_C: float | None
    source: str


@cache
def _library() -> dict[str, Any]:
    with open(data_path("materials.yaml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def materials() -> dict[str, Material]:
    """Return every material of the library by name."""
    out = {}
    for name, entry in _library().items():
        if name == "lipids":
            continue
        props = {
            k: SourcedValue(v["value"], v["source"], bool(v.get("guess", False)))
            for k, v in entry.items()
            if isinstance(v, dict)
        }
        out[name] = Material(name, entry["kind"], entry["description"], props)
    return out


@cache
def lipids() -> dict[str, Lipid]:
    """Return every lipid of the library by name."""
    return {n: Lipid(n, v["transition_C"], v["source"]) for n, v in _library()["lipids"].items()}


def get_material(name: str) -> Material:
    """Return a material by name; unknown names raise an :class:`InputError` listing the known ones."""
    lib = materials()
    if name not in lib:
        raise InputError(f"unknown carrier material {name!r} (known: {', '.join(sorted(lib))})")
    return lib[name]


def get_lipid(name: str) -> Lipid:
    """Return a lipid by name; unknown names raise an :class:`InputError`."""
    lib = lipids()
    if name not in lib:
        raise InputError(f"unknown lipid {name!r} (known: {', '.join(sorted(lib))})")
    return lib[name]
