"""The MolecularProfile: what the molecular scale tells the scales above, each value with provenance.

Levels: ``estimate`` (descriptors, group contribution, correlations: milliseconds), ``xtb`` (binding
energy on a carrier fragment: seconds to minutes), ``md`` (OpenMM: minutes to hours). A value computed
at a higher level replaces the estimate of the same quantity, and the profile keeps which level and
method produced each value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from numbers import Real
from typing import Any

from nanomed.core.errors import InputError

__all__ = ["MolecularProfile", "ProfileValue", "molecular_profile"]

#: body temperature [K]
BODY_TEMPERATURE = 310.15


@dataclass(frozen=True)
class ProfileValue:
    """One value of a profile.

    Attributes
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        pint-readable unit.
    level : str
        ``"estimate"``, ``"xtb"``, ``"md"`` or ``"given"``.
    method : str
        How it was obtained (equation or program and settings).
    guess : bool
        True when the value rests on a guessed default.
    """

    value: float
    unit: str
    level: str
    method: str
    guess: bool = False


@dataclass
class MolecularProfile:
    """Molecular-scale results for one drug and one carrier.

    Values are keyed by name: ``molecular_weight``, ``logp``, ``tpsa``, ``molar_volume``,
    ``d_water`` [cm²/s], ``d_matrix`` [cm²/s], ``chi``, ``log_partition``, ``loading_mass_fraction``,
    ``binding_energy`` [kcal/mol], ``binding_free_energy`` [kcal/mol] … (only those computed are present).

    Examples
    --------
    >>> p = molecular_profile("CC(=O)Oc1ccccc1C(=O)O", "PLGA")
    >>> p["d_water"].level, p["d_water"].unit
    ('estimate', 'cm**2/s')
    """

    smiles: str
    carrier: str
    temperature: float
    values: dict[str, ProfileValue] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> ProfileValue:
        try:
            return self.values[name]
        except KeyError:
            raise InputError(
                f"molecular profile has no {name!r} (has: {', '.join(self.values)})"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def set(
        self, name: str, value: float, unit: str, level: str, method: str, guess: bool = False
    ) -> None:
        """Store a value (replacing a lower-level one)."""
        if not math.isfinite(value):
            raise InputError(f"molecular profile: {name} is not finite ({value})")
        self.values[name] = ProfileValue(float(value), unit, level, method, guess)

    def table(self) -> list[dict[str, Any]]:
        """One dict per value, for tables and reports."""
        return [{"name": k, **asdict(v)} for k, v in self.values.items()]

    def to_json(self) -> str:
        """JSON text of the whole profile."""
        return json.dumps(
            {
                "smiles": self.smiles,
                "carrier": self.carrier,
                "temperature": self.temperature,
                "values": {k: asdict(v) for k, v in self.values.items()},
                "notes": self.notes,
            },
            indent=2,
        )


def molecular_profile(
    smiles: str,
    carrier: str,
    *,
    temperature: float = BODY_TEMPERATURE,
    logp: float | None = None,
    polymer_mw: float | None = None,
    xtb: bool = False,
    md: bool = False,
    md_matrix: bool = False,
    md_pmf: bool = False,
    xtb_options: dict[str, Any] | None = None,
    md_options: dict[str, Any] | None = None,
    matrix_options: dict[str, Any] | None = None,
    pmf_options: dict[str, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> MolecularProfile:
    """Build the molecular profile of a drug and a carrier material.

    Parameters
    ----------
    smiles : str
        The drug.
    carrier : str
        Carrier material of the materials library (``PLGA``, ``gold``, ``liposome`` ...).
    temperature : float
        Temperature [K].
    logp : float, optional
        Measured log P [-] (otherwise Wildman–Crippen).
    polymer_mw : float, optional
        Polymer molar mass [g/mol] for polymer carriers.
    xtb : bool
        Add the GFN-xTB binding energy on the carrier fragment.
    md : bool
        Add the MD diffusivity of the drug in TIP3P (Yeh–Hummer corrected; minutes).
    md_matrix : bool
        Add the MD diffusivity in an oligomer matrix of a polymer carrier
        (:func:`nanomed.molecular.md.matrix.matrix_diffusion`; an indicative upper value; 5–10 min
        with the defaults on 2 cores, plus the oligomer's AM1-BCC charges once).
    md_pmf : bool
        Add the standard binding free energy on the carrier fragment by umbrella sampling in implicit
        water (:func:`nanomed.molecular.md.binding.binding_free_energy`; ~2.75 ns in all, 5–15 min
        for a small drug on 2 cores with the defaults).
    xtb_options, md_options, matrix_options, pmf_options : dict, optional
        Keyword arguments of :func:`nanomed.molecular.xtb.binding_energy`,
        :func:`nanomed.molecular.md.diffusion.water_box_diffusion`,
        :func:`~nanomed.molecular.md.matrix.matrix_diffusion` and
        :func:`~nanomed.molecular.md.binding.binding_free_energy` (``pmf_options["fragment"]``
        picks another fragment than the carrier's own, e.g. ``"gold_slab"``).
    progress : callable, optional
        ``progress(stage, done, total)`` during the MD levels (stage ``"md"``, ``"md-matrix"``,
        ``"md-pmf"``).

    Raises
    ------
    InputError
        Invalid SMILES, unsupported elements or an unknown carrier material.
    """
    from nanomed.materials import get_material
    from nanomed.molecular.descriptors import compute_descriptors
    from nanomed.molecular.diffusivity import free_volume_diffusivity, wilke_chang

    material = get_material(carrier)  # unknown material -> one-line InputError
    if logp is not None and not (isinstance(logp, Real) and math.isfinite(logp)):
        raise InputError(f"logp: must be a finite number, got {logp!r}")
    desc = compute_descriptors(smiles)
    prof = MolecularProfile(desc.smiles, carrier, temperature)
    prof.set("molecular_weight", desc.molecular_weight, "g/mol", "estimate", "RDKit average mass")
    if logp is None:
        prof.set("logp", desc.logp, "dimensionless", "estimate", "Wildman-Crippen (RDKit)")
        logp = desc.logp
    else:
        prof.set("logp", logp, "dimensionless", "given", "user input")
    prof.set("tpsa", desc.tpsa, "angstrom**2", "estimate", "Ertl TPSA (RDKit)")
    prof.set("molar_volume", desc.molar_volume, "cm**3/mol", "estimate", "Le Bas additive volumes")
    d_w = wilke_chang(desc.molar_volume, temperature)
    prof.set("d_water", d_w, "cm**2/s", "estimate", "Wilke-Chang, Le Bas volume")

    if material.kind == "polymer" and "hansen_MPa05" in material.properties:
        from nanomed.molecular.solubility import compatibility

        comp = compatibility(
            smiles, carrier, logp=logp, polymer_mw=polymer_mw, temperature=temperature
        )
        guess = material.properties["hansen_MPa05"].guess or polymer_mw is None
        hvk = "Hoftyzer-Van Krevelen; carrier Hansen values from the materials library"
        prof.set("hansen_dispersion", comp.drug.dispersion, "MPa**0.5", "estimate", hvk)
        prof.set("hansen_polar", comp.drug.polar, "MPa**0.5", "estimate", hvk)
        prof.set("hansen_hydrogen", comp.drug.hydrogen, "MPa**0.5", "estimate", hvk)
        prof.set("chi", comp.chi, "dimensionless", "estimate", "Lindvig (Hansen) chi", guess)
        prof.set(
            "chi_critical", comp.chi_critical, "dimensionless", "estimate", "Flory-Huggins", guess
        )
        prof.set(
            "loading_mass_fraction", comp.loading_mass_fraction, "dimensionless", "estimate",
            "Flory-Huggins coexistence with amorphous drug", guess,
        )  # fmt: skip
        prof.set(
            "log_partition", comp.log_partition, "dimensionless", "estimate",
            "log P transferred octanol -> carrier with Flory-Huggins activity coefficients", guess,
        )  # fmt: skip
        prof.notes.append(
            f"Greenhalgh: {comp.greenhalgh} (delta-delta {comp.delta_hildebrand:.1f} MPa^0.5)"
        )
    elif material.kind == "lipid":
        prof.set(
            "log_partition", logp, "dimensionless", "estimate",
            "Collander relation with slope 1: log K(membrane/water) = log P", True,
        )  # fmt: skip
    if material.kind == "polymer" and "glass_transition_C" in material.properties:
        tg = float(material.get("glass_transition_C")) + 273.15
        prof.set(
            "d_matrix", free_volume_diffusivity(d_w, tg, temperature), "cm**2/s", "estimate",
            f"Fujita free volume, WLF constants, Tg {tg - 273.15:g} C, B_d 0.5", True,
        )  # fmt: skip

    if xtb:
        from nanomed.molecular.xtb import binding_energy

        r = binding_energy(smiles, carrier, temperature=temperature, **(xtb_options or {}))
        how = f"{r.method}, ALPB {r.solvent}" if r.solvent else f"{r.method}, gas phase"
        prof.set("binding_energy", r.boltzmann, "kcal/mol", "xtb", f"{how}, Boltzmann average")
        prof.set("binding_energy_lowest", r.lowest, "kcal/mol", "xtb", how)
        if r.failed_methods:
            prof.notes.append("xTB fell back: " + "; ".join(r.failed_methods))

    def stage(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    if md_matrix and material.kind != "polymer":
        raise InputError(f"md_matrix: carrier {carrier!r} is not a polymer (no oligomer matrix)")
    if md_pmf:
        from nanomed.molecular.md.carrier import check_carrier

        check_carrier((pmf_options or {}).get("fragment", carrier))  # before minutes of MD
    if md:
        from nanomed.molecular.md.diffusion import water_box_diffusion

        opts = {"temperature": temperature, "progress": stage("md"), **(md_options or {})}
        r = water_box_diffusion(smiles, **opts)
        prof.set(
            "d_water", r.d_real_water * 1e4, "cm**2/s", "md",
            f"OpenMM GAFF2/TIP3P, MSD over {r.simulated_ps:g} ps, Yeh-Hummer corrected, rescaled "
            f"to real water by the same run's TIP3P water D ({r.solvent_d_corrected:.3g} m2/s)",
        )  # fmt: skip
    if md_matrix:
        from nanomed.molecular.md.matrix import matrix_diffusion

        opts = {
            "temperature": temperature,
            "progress": stage("md-matrix"),
            **(matrix_options or {}),
        }
        m = matrix_diffusion(smiles, carrier, **opts)
        prof.set(
            "d_matrix", m.d_matrix * 1e4, "cm**2/s", "md",
            f"OpenMM GAFF2 oligomer melt ({m.density:.2f} g/cm3), drug MSD over "
            f"{m.simulated_ps:g} ps; indicative upper value", True,
        )  # fmt: skip
    if md_pmf:
        from nanomed.molecular.md.binding import binding_free_energy

        opts = {"temperature": temperature, "progress": stage("md-pmf"), **(pmf_options or {})}
        fragment = opts.pop("fragment", carrier)  # e.g. "gold_slab" for a flat gold facet
        b = binding_free_energy(smiles, fragment, **opts)
        n_win = len(b.samples.centers)
        prof.set(
            "binding_free_energy", b.delta_g_kcal, "kcal/mol", "md",
            f"OpenMM umbrella sampling, {n_win} windows x {b.production_ps:g} ps, "
            f"{b.method.upper()}, standard state 1 M (volume correction "
            f"{b.volume_correction / 4.184:+.2f} kcal/mol); {b.description}",
            "Heinz" in b.description,  # the Born radius of Au in OBC2 is a guess
        )  # fmt: skip
        prof.set(
            "pmf_well_depth", b.well_depth / 4.184, "kcal/mol", "md",
            f"minimum of the Jacobian-free PMF w(r), {b.method.upper()}",
        )  # fmt: skip
        prof.notes.extend(f"MD PMF: {n}" for n in b.notes)
    return prof
