"""A formulation: a drug in a carrier, with loading and (optionally) a measured release model."""

from __future__ import annotations

from pydantic import Field

from nanomed.schema.base import NanomedModel
from nanomed.schema.carrier import Carrier
from nanomed.schema.drug import Drug

__all__ = ["Formulation", "ReleaseSpec"]


class ReleaseSpec(NanomedModel):
    """A release model by registry name with its parameter values (in each parameter's unit)."""

    model: str
    parameters: dict[str, float] = Field(default_factory=dict)


class Formulation(NanomedModel):
    """A drug-loaded nanocarrier (or the free drug when ``carrier`` is None).

    Examples
    --------
    >>> f = Formulation(
    ...     name="dox-PLGA",
    ...     drug=Drug(name="doxorubicin"),
    ...     carrier=Carrier(material="PLGA", hydrodynamic_diameter="120 nm"),
    ...     drug_loading=0.05,
    ... )
    >>> f.is_free_drug
    False
    """

    name: str = "formulation"
    drug: Drug | None = None
    carrier: Carrier | None = None
    drug_loading: float = Field(0.0, ge=0, le=1, description="drug mass / particle mass [-]")
    encapsulation_efficiency: float = Field(
        1.0, ge=0, le=1, description="encapsulated / total drug [-]"
    )
    release: ReleaseSpec | None = None

    @property
    def is_free_drug(self) -> bool:
        """True for the free-drug control (no carrier)."""
        return self.carrier is None
