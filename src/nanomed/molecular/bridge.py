"""Bridge molecular → release: turn a :class:`MolecularProfile` into release-model parameter values.

Mappings (each returned :class:`~nanomed.core.Parameter` names its provenance in ``ref``):

- Polymer carriers → ``fickian_sphere``: ``diffusivity`` = D in the matrix (free volume or MD);
  ``burst`` = drug loaded beyond the Flory–Huggins loading capacity, taken to sit phase-separated at
  the surface: burst = max(0, (w_load − w_cap)/w_load) (a guess of the mechanism, after the
  phase-separation account of burst release in Huang & Brazel, J. Control. Release 73:121, 2001).
- Inorganic carriers → ``langmuir_desorption``: ``desorption_rate`` k_off = (k_B T/h) exp(ΔE/RT) with
  ΔE < 0 taken as the desorption barrier (Eyring transition-state theory, Eyring, J. Chem. Phys.
  3:107, 1935); ``langmuir_constant`` K = exp(−ΔE/RT) / c°, c° = 1 mol/L. ΔE is the MD standard
  binding free energy ΔG° when the profile has it (umbrella sampling: K is then the binding
  constant itself, and k_off assumes no barrier beyond the well), else the xTB interaction energy
  (which ignores entropy: an order of magnitude).
- Lipid carriers: the membrane/water partition (log P) is reported; the permeability of
  ``liposome_permeation`` is not derived from it (too indirect), so no parameter is returned.
"""

from __future__ import annotations

import math
from numbers import Real

from scipy import constants

from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.molecular.profile import MolecularProfile

__all__ = ["release_model_for", "release_parameters"]

#: Planck constant [J s] (exact, SI 2019; scipy.constants)
PLANCK = constants.Planck
#: Boltzmann constant [J/K] (exact, SI 2019; scipy.constants)
BOLTZMANN = constants.Boltzmann
#: molar gas constant [kcal/(mol K)]: R = N_A k (exact, SI 2019) over the thermochemical kcal
R_KCAL = constants.R / (1000.0 * constants.calorie)


def release_model_for(profile: MolecularProfile) -> str | None:
    """Name of the release model the profile can parametrise for its carrier, or None."""
    from nanomed.materials import get_material

    kind = get_material(profile.carrier).kind
    return {"polymer": "fickian_sphere", "inorganic": "langmuir_desorption"}.get(kind)


def _ref(profile: MolecularProfile, name: str) -> str:
    v = profile[name]
    return f"molecular profile ({v.level}): {v.method}"


def release_parameters(
    profile: MolecularProfile, *, loading_mass_fraction: float | None = None
) -> dict[str, Parameter]:
    """Release parameters derived from a molecular profile.

    Parameters
    ----------
    profile : MolecularProfile
        The drug–carrier profile.
    loading_mass_fraction : float, optional
        Drug mass fraction loaded in the carrier [-]; gives the burst of polymer carriers.

    Returns
    -------
    dict of str to Parameter
        Keyed by the release model's parameter names (see :func:`release_model_for`); empty when
        the profile holds nothing the carrier's model uses.
    """
    if loading_mass_fraction is not None and not (
        isinstance(loading_mass_fraction, Real) and 0 < loading_mass_fraction <= 1
    ):
        raise InputError(f"loading_mass_fraction: must be in (0, 1], got {loading_mass_fraction}")
    model = release_model_for(profile)
    out: dict[str, Parameter] = {}
    if model == "fickian_sphere":
        if "d_matrix" in profile:
            v = profile["d_matrix"]
            out["diffusivity"] = Parameter(
                "diffusivity", v.value, "cm**2/s", (0.0, None), ref=_ref(profile, "d_matrix"),
                guess=v.guess, description="drug diffusivity in the carrier matrix",
            )  # fmt: skip
        if loading_mass_fraction is not None and "loading_mass_fraction" in profile:
            cap = profile["loading_mass_fraction"].value
            burst = max(0.0, (loading_mass_fraction - cap) / loading_mass_fraction)
            out["burst"] = Parameter(
                "burst", burst, "dimensionless", (0.0, 1.0),
                ref=_ref(profile, "loading_mass_fraction") + "; drug beyond capacity bursts",
                guess=True, description="fraction released at once (phase-separated drug)",
            )  # fmt: skip
    elif model == "langmuir_desorption" and (
        "binding_free_energy" in profile or "binding_energy" in profile
    ):
        source = "binding_free_energy" if "binding_free_energy" in profile else "binding_energy"
        de = profile[source].value  # kcal/mol
        t = profile.temperature
        if de < 0:
            k_off = BOLTZMANN * t / PLANCK * math.exp(de / (R_KCAL * t)) * 3600.0  # 1/h
            out["desorption_rate"] = Parameter(
                "desorption_rate", k_off, "1/h", (0.0, None),
                ref=_ref(profile, source) + "; Eyring k_off = kT/h exp(dE/RT)",
                guess=True, description="first-order desorption rate constant",
            )  # fmt: skip
            out["langmuir_constant"] = Parameter(
                "langmuir_constant", math.exp(-de / (R_KCAL * t)), "L/mol", (0.0, None),
                ref=_ref(profile, source) + "; K = exp(-dE/RT)/(1 mol/L)",
                guess=True, description="Langmuir adsorption constant",
            )  # fmt: skip
    return out
