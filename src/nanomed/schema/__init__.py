"""pydantic v2 models of everything a user describes: drug, carrier, formulation, scenario."""

from nanomed.schema.base import NanomedModel, read_mapping
from nanomed.schema.carrier import Carrier, LipidComponent, Shape, SizeDistribution
from nanomed.schema.drug import Drug
from nanomed.schema.formulation import Formulation, ReleaseSpec
from nanomed.schema.scenario import (
    Dosing,
    Levels,
    Route,
    Scenario,
    SpeciesName,
    Subject,
    Tumour,
    TumourGrowth,
)

__all__ = [
    "Carrier",
    "Dosing",
    "Drug",
    "Formulation",
    "Levels",
    "LipidComponent",
    "NanomedModel",
    "ReleaseSpec",
    "Route",
    "Scenario",
    "Shape",
    "SizeDistribution",
    "SpeciesName",
    "Subject",
    "Tumour",
    "TumourGrowth",
    "read_mapping",
]
