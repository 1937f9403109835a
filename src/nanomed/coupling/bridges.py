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
* :func:`cellular_bridge` — carrier → the organ scale's design multipliers for phagocytic (MPS)
  uptake and tumour cellular uptake, from the cellular scale's macrophage uptake and tumour-cell
  internalisation rates (:func:`nanomed.cellular.bridge.cellular_rates`). The organ model's generic
  rate constants (Chou 2023) belong to a reference particle (100 nm, neutral, no PEG, no ligand):
  the cellular rates enter as ratios to that reference's, replacing the organ scale's own
  design-effect functions ``mps_uptake`` and ``tumour_retention``, so the calibrated magnitudes are
  kept and only the design dependence comes from the cell-level models.
* :func:`molecular_bridge` — drug structure + carrier material → a drug with its empty fields
  filled from RDKit descriptors, and release parameters (matrix diffusivity, burst of drug loaded
  beyond the Flory–Huggins capacity, desorption constants) from the molecular profile
  (:mod:`nanomed.molecular`), which replace the release model's defaults where the names match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nanomed.core.errors import InputError, ParameterError
from nanomed.core.units import convert
from nanomed.materials import get_material
from nanomed.release.base import ReleaseModel, get_release_model
from nanomed.schema import Formulation

__all__ = ["BridgeRecord", "cellular_bridge", "molecular_bridge", "release_bridge"]


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
    try:
        return PLGAErosion(**vals)
    except ParameterError as exc:  # name the field the user wrote, not the model's parameter
        name, _, rest = str(exc).partition(": ")
        if name == "mw_initial":
            raise ParameterError(f"formulation.carrier.polymer_mw: {rest}") from None
        raise


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


def cellular_bridge(formulation: Formulation) -> tuple[dict[str, float], BridgeRecord]:
    """Design-effect overrides for the organ scale from the cellular rates, with provenance.

    ``mps_uptake = k_mac(carrier) / k_mac(ref)`` and ``tumour_retention = (k_mac + k_int)(carrier)
    / (k_mac + k_int)(ref)``, with k_mac the macrophage uptake rate, k_int the tumour-cell
    internalisation rate [1/h] and ref the reference particle of the organ parameters (same
    material, 100 nm, neutral, no PEG, no ligand). Tumour-cell and phagocyte uptake both move
    particles from the tumour interstitium into cells, which the organ model's tumour cell
    compartment holds. Returns no overrides for the free drug.
    """
    carrier = formulation.carrier
    if carrier is None:
        return {}, BridgeRecord("cellular", "free drug: no carrier, no cellular uptake")
    from nanomed.cellular.bridge import cellular_rates
    from nanomed.organ.design import REFERENCE_DIAMETER_NM
    from nanomed.schema import Carrier

    reference = Carrier(material=carrier.material, hydrodynamic_diameter=REFERENCE_DIAMETER_NM)
    rate, ref = cellular_rates(carrier), cellular_rates(reference)
    mac, int_ = "macrophage_uptake_rate_per_h", "tumour_internalisation_rate_per_h"
    overrides = {
        "mps_uptake": rate[mac] / ref[mac],
        "tumour_retention": (rate[mac] + rate[int_]) / (ref[mac] + ref[int_]),
    }
    values = {**rate, **overrides}
    return overrides, BridgeRecord("cellular", "cellular scale: uptake model rates", values)


def molecular_bridge(
    formulation: Formulation,
) -> tuple[Formulation, dict[str, float], BridgeRecord]:
    """Fill the drug from its SMILES and derive release parameters from the molecular profile.

    Returns the formulation with its drug filled, the release-parameter values (by release-model
    parameter name) and the provenance record. Without a SMILES or a carrier nothing is derived.
    """
    drug, carrier = formulation.drug, formulation.carrier
    if drug is None or not drug.smiles:
        return formulation, {}, BridgeRecord("molecular", "no drug SMILES: nothing derived")
    from nanomed.molecular import fill_drug, molecular_profile
    from nanomed.molecular.bridge import release_parameters

    filled = fill_drug(drug)
    formulation = formulation.model_copy(update={"drug": filled})
    if carrier is None:
        return formulation, {}, BridgeRecord("molecular", "RDKit descriptors (free drug)")
    profile = molecular_profile(
        filled.smiles, carrier.material, polymer_mw=carrier.polymer_mw, logp=filled.logp
    )
    if not formulation.drug_loading > 0:  # the matrix load sets the partition and burst
        raise InputError(
            "formulation.drug_loading: must be > 0 for the molecular level (levels.molecular), "
            f"got {formulation.drug_loading:g}"
        )
    params = release_parameters(profile, loading_mass_fraction=formulation.drug_loading)
    values = {name: p.value for name, p in params.items()}
    source = "molecular profile (estimate level): " + ", ".join(
        f"{n} from {p.ref.split(': ', 1)[-1]}" for n, p in params.items()
    )
    return formulation, values, BridgeRecord("molecular", source or "molecular profile", values)
