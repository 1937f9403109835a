"""Bridges between scales: documented functions from one scale's outputs to the next one's inputs.

Each bridge returns the objects the next scale needs *and* a :class:`BridgeRecord` saying what it did
and where its numbers came from, so that a multiscale run can report its provenance.

* :func:`release_bridge` — formulation → release model for the organ scale. A measured release model
  (``formulation.release``) wins; otherwise a mechanistic default chosen by the carrier material:
  liposomes → permeability-limited release (:class:`~nanomed.release.LiposomePermeation`, Tm and
  cholesterol from the lipids, P scaled by the drug's logP); PLGA/PLA/PCL → hydrolysis-coupled
  diffusion (:class:`~nanomed.release.erosion.PLGAErosion`, chain-scission rate from the LA:GA ratio or
  the materials library); micelles and lipid nanoparticles → Fickian sphere; inorganic carriers →
  Langmuir desorption. Every default that is a guess is flagged by the model's own parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nanomed.core.units import convert
from nanomed.materials import get_material
from nanomed.release.base import ReleaseModel, get_release_model
from nanomed.schema import Formulation

__all__ = ["BridgeRecord", "release_bridge"]


@dataclass
class BridgeRecord:
    """What a bridge did: its name, the source of its numbers and the values it passed on."""

    bridge: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        """One table row for reports."""
        vals = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.values.items()
        )
        return {"bridge": self.bridge, "source": self.source, "values": vals}


def _polyester_model(formulation: Formulation) -> ReleaseModel:
    from nanomed.release.erosion import PLGAErosion, hydrolysis_rate_from_la_ga

    carrier = formulation.carrier
    assert carrier is not None
    vals: dict[str, float] = {"radius": carrier.hydrodynamic_diameter / 2.0}
    if carrier.material == "PLGA" and carrier.la_ga_ratio is not None and carrier.la_ga_ratio >= 1:
        vals["hydrolysis_rate"] = hydrolysis_rate_from_la_ga(carrier.la_ga_ratio)
    else:
        k_day = get_material(carrier.material).get("hydrolysis_rate_1_per_day")
        vals["hydrolysis_rate"] = convert(float(k_day), "1/day", "1/h")
    if carrier.polymer_mw is not None:
        vals["mw_initial"] = carrier.polymer_mw
    return PLGAErosion(**vals)


def release_bridge(formulation: Formulation) -> tuple[ReleaseModel | None, BridgeRecord]:
    """Release model of a formulation for the organ scale, with its provenance.

    Returns ``(None, record)`` for the free drug and for carriers without drug.
    """
    if formulation.carrier is None:
        return None, BridgeRecord("release", "free drug: no carrier, no release step")
    if formulation.drug is None or formulation.drug_loading <= 0:
        return None, BridgeRecord("release", "carrier without drug: particles only")
    spec = formulation.release
    if spec is not None:
        model = get_release_model(spec.model, **spec.parameters)
        return model, BridgeRecord("release", f"measured: {spec.model}", model.values)

    carrier = formulation.carrier
    kind = get_material(carrier.material).kind
    if carrier.material in ("liposome",):
        from nanomed.release.liposome import LiposomePermeation

        model = LiposomePermeation.from_formulation(carrier, formulation.drug)
        source = "mechanistic default: liposome permeation (lipids, drug logP/pKa)"
    elif carrier.material in ("PLGA", "PLA", "PCL"):
        model = _polyester_model(formulation)
        source = f"mechanistic default: {carrier.material} hydrolysis-coupled diffusion"
    elif kind == "inorganic":
        model = get_release_model("langmuir_desorption")
        source = f"mechanistic default: desorption from {carrier.material}"
    else:
        model = get_release_model(
            "fickian_sphere", radius=carrier.hydrodynamic_diameter / 2.0, pdi=min(carrier.pdi, 0.5)
        )
        source = f"mechanistic default: Fickian sphere for {carrier.material}"
    return model, BridgeRecord("release", source, dict(model.values))
