"""The nanocarrier: material, size, shape, surface and targeting."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from nanomed.materials import get_lipid, get_material
from nanomed.schema._types import quantity
from nanomed.schema.base import NanomedModel

__all__ = ["Carrier", "LipidComponent", "Shape", "SizeDistribution"]


class Shape(StrEnum):
    """Particle shape."""

    sphere = "sphere"
    rod = "rod"
    disc = "disc"
    cube = "cube"
    star = "star"
    plate = "plate"
    other = "other"


class LipidComponent(NanomedModel):
    """One lipid of a liposome or LNP with its mole fraction."""

    name: str
    mole_fraction: float = Field(gt=0, le=1)

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        get_lipid(v)
        return v


class SizeDistribution(NanomedModel):
    """A measured number-weighted size distribution (diameters and weights)."""

    diameters: list[float] = Field(min_length=1, description="diameters [nm]")
    weights: list[float] = Field(min_length=1, description="relative weights [-]")

    @model_validator(mode="after")
    def _check(self) -> SizeDistribution:
        if len(self.diameters) != len(self.weights):
            raise ValueError("diameters and weights must have the same length")
        if any(d <= 0 for d in self.diameters) or any(w < 0 for w in self.weights):
            raise ValueError("diameters must be > 0 and weights >= 0")
        if sum(self.weights) <= 0:
            raise ValueError("weights must not all be zero")
        return self


class Carrier(NanomedModel):
    """A nanocarrier.

    Examples
    --------
    >>> c = Carrier(material="PLGA", hydrodynamic_diameter="150 nm", la_ga_ratio=50 / 50)
    >>> c.hydrodynamic_diameter, c.density
    (150.0, 1.3)
    """

    material: str
    hydrodynamic_diameter: quantity("nm", "hydrodynamic diameter (DLS, Z-average)", gt=0.5, le=1e5)
    core_diameter: quantity("nm", "core diameter (TEM)", gt=0.5, le=1e5) | None = None
    pdi: float = Field(0.1, ge=0, le=1, description="polydispersity index (DLS) [-]")
    size_distribution: SizeDistribution | None = None
    shape: Shape = Shape.sphere
    aspect_ratio: float = Field(1.0, ge=1, le=100, description="long/short axis [-]")
    zeta_potential: quantity("mV", "zeta potential", ge=-200, le=200) = 0.0
    # polymer carriers
    la_ga_ratio: float | None = Field(None, gt=0, description="lactide:glycolide molar ratio [-]")
    polymer_mw: quantity("g/mol", "polymer weight-average molar mass", gt=0) | None = None
    # lipid carriers
    lipids: list[LipidComponent] = Field(default_factory=list)
    # surface
    peg_mw: quantity("g/mol", "PEG molar mass", ge=0) = 0.0
    peg_density: quantity("1/nm**2", "PEG surface density", ge=0, le=10) = 0.0
    ligand: str | None = None
    ligand_density: quantity("1/nm**2", "targeting ligand surface density", ge=0, le=10) = 0.0
    # protein corona (measured, e.g. by LC-MS/MS after incubation in plasma)
    opsonin_fraction: float | None = Field(
        None, ge=0, le=1, description="opsonin share of the measured protein corona [-]"
    )

    @field_validator("material")
    @classmethod
    def _known_material(cls, v: str) -> str:
        get_material(v)
        return v

    @model_validator(mode="after")
    def _check(self) -> Carrier:
        if self.core_diameter is not None and self.core_diameter > self.hydrodynamic_diameter:
            raise ValueError("core_diameter must not exceed hydrodynamic_diameter")
        if self.lipids and abs(sum(c.mole_fraction for c in self.lipids) - 1) > 1e-3:
            raise ValueError("lipid mole fractions must sum to 1")
        if self.ligand_density > 0 and not self.ligand:
            raise ValueError("ligand_density given without a ligand name")
        return self

    @property
    def density(self) -> float:
        """Bulk density of the carrier material [g/cm³] (from the materials library)."""
        return get_material(self.material).density_g_cm3

    @property
    def pegylated(self) -> bool:
        """True when the surface carries PEG."""
        return self.peg_mw > 0 and self.peg_density > 0
