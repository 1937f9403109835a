"""Reading user input files: recognise what a YAML/JSON file describes and validate it."""

from __future__ import annotations

from pathlib import Path

from nanomed.core.errors import InputError
from nanomed.schema import Carrier, Drug, Formulation, NanomedModel, Scenario, read_mapping

__all__ = ["validate_file"]


def validate_file(path: str | Path) -> NanomedModel:
    """Validate a scenario, formulation, carrier or drug file, recognised by its top-level keys."""
    data = read_mapping(path)
    if "dosing" in data:
        return Scenario.from_dict(data, where=str(path))
    if {"drug", "carrier", "drug_loading"} & data.keys():
        return Formulation.from_dict(data, where=str(path))
    if "material" in data:
        return Carrier.from_dict(data, where=str(path))
    if (Drug.model_fields.keys() - {"name"}) & data.keys():
        return Drug.from_dict(data, where=str(path))
    raise InputError(
        f"{path}: cannot tell what this file describes (expected a scenario with 'dosing', "
        "a formulation with 'drug'/'carrier', a carrier with 'material', or a drug with "
        "'smiles'/'molecular_weight'/'logp')"
    )
